import type { Node } from '@kubesim/api';
import { PHashMap } from '../framework/phashmap.js';

/** The pod garbage collector (kube-controller-manager's podgc controller, service account pod-garbage-collector). */
export const POD_GC_NAME = 'pod-garbage-collector';

/** The taint an administrator puts on a node that is known to be down [v1.TaintNodeOutOfService]. */
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

/** [gcOrphaned]: the DisruptionTarget condition of a pod whose node is gone. */
export const REASON_DELETION_BY_POD_GC = 'DeletionByPodGC';
export const MESSAGE_NODE_GONE = 'PodGC: node no longer exists';

export interface PodGcConfig {
  /** [quarantineTime]: how long a node must stay missing before the pods bound to it are deleted. */
  readonly quarantineMs: number;
}

export const defaultPodGcConfig: PodGcConfig = { quarantineMs: 40_000 };

export interface PodGcLocal {
  /** Nodes seen missing while pods were bound to them, since when (the quarantine [nodeQueue.AddAfter]). */
  readonly missing: ReadonlyMap<string, number>;
  /** Pods (uid) whose force-deletion was sent: not sent again until the pod is gone. */
  readonly deleting: PHashMap<true>;
}

export const initialPodGcLocal = (): PodGcLocal => ({ missing: new Map(), deleting: PHashMap.empty() });

/**
 * Keys: `node:<name>` for the pods bound to a node (orphaned: the node is gone; terminating on an
 * out-of-service node), `<namespace>/<name>` for an unscheduled terminating pod.
 */
export const NODE_KEY_PREFIX = 'node:';
export const nodeKey = (node: string): string => `${NODE_KEY_PREFIX}${node}`;

/** [nodeutil.IsNodeReady] */
export const isNodeReady = (n: Node): boolean => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

/** [gcTerminating]: not Ready and tainted out-of-service (any effect). */
export const isOutOfService = (n: Node): boolean =>
  (n.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE) && !isNodeReady(n);
