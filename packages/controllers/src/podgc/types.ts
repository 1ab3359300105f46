import { TAINT_OUT_OF_SERVICE, isNodeReady, isTerminal, type Node, type Pod } from '@kubesim/api';

export { TAINT_OUT_OF_SERVICE, isNodeReady };
import { PHashMap } from '../framework/phashmap.js';

/** The pod garbage collector (kube-controller-manager's podgc controller, service account pod-garbage-collector). */
export const POD_GC_NAME = 'pod-garbage-collector';


/** [gcOrphaned]: the DisruptionTarget condition of a pod whose node is gone. */
export const REASON_DELETION_BY_POD_GC = 'DeletionByPodGC';
export const MESSAGE_NODE_GONE = 'PodGC: node no longer exists';

export interface PodGcConfig {
  /** [quarantineTime]: how long a node must stay missing before the pods bound to it are deleted. */
  readonly quarantineMs: number;
  /** --terminated-pod-gc-threshold: terminated pods kept before the oldest are deleted (0: never). */
  readonly terminatedPodThreshold: number;
}

export const defaultPodGcConfig: PodGcConfig = { quarantineMs: 40_000, terminatedPodThreshold: 12_500 };

export interface PodGcLocal {
  /** Nodes seen missing while pods were bound to them, since when (the quarantine [nodeQueue.AddAfter]). */
  readonly missing: ReadonlyMap<string, number>;
  /** Pods (uid) whose force-deletion was sent: not sent again until the pod is gone. */
  readonly deleting: PHashMap<true>;
  /** Terminated (Succeeded or Failed) pods in the cache: [gcTerminated] runs only above the threshold. */
  readonly terminated: number;
}

export const initialPodGcLocal = (): PodGcLocal => ({ missing: new Map(), deleting: PHashMap.empty(), terminated: 0 });

/**
 * Keys: `node:<name>` for the pods bound to a node (orphaned: the node is gone; terminating on an
 * out-of-service node), `<namespace>/<name>` for an unscheduled terminating pod.
 */
export const NODE_KEY_PREFIX = 'node:';
/** The key of [gcTerminated]: the terminated pods past the threshold. */
export const TERMINATED_KEY = 'terminated';
export const nodeKey = (node: string): string => `${NODE_KEY_PREFIX}${node}`;

/** [isPodTerminated]: Succeeded or Failed (the phases that are neither Pending, Running nor Unknown). */
export const isPodTerminated = (p: Pod | undefined): boolean => p !== undefined && isTerminal(p);

/** [eviction.PodIsEvicted]: Failed with reason Evicted. */
export const isEvicted = (p: Pod): boolean => p.status?.phase === 'Failed' && p.status.reason === 'Evicted';


/** [gcTerminating]: not Ready and tainted out-of-service (any effect). */
export const isOutOfService = (n: Node): boolean =>
  (n.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE) && !isNodeReady(n);
