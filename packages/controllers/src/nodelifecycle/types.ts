import type { Node, Pod } from '@kubesim/api';
import { PHashMap } from '../framework/phashmap.js';

/** The node-lifecycle controller (kube-controller-manager's node-lifecycle + taint-eviction controllers). */
export const NODE_LIFECYCLE_NAME = 'node-lifecycle-controller';

/** `node.kubernetes.io/unreachable` / `node.kubernetes.io/not-ready` (the scheduler's readiness taints). */
export { TAINT_UNREACHABLE, TAINT_NOT_READY } from '../scheduler/cache.js';

/** Reason/message of a Ready condition the controller set to Unknown [tryUpdateNodeHealth]. */
export const REASON_NODE_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const MESSAGE_NODE_STATUS_UNKNOWN = 'Kubelet stopped posting node status.';
/** The Ready condition the kubelet posts (kubesim: written back when the node's heartbeats resume). */
export const REASON_KUBELET_READY = 'KubeletReady';
export const MESSAGE_KUBELET_READY = 'kubelet is posting ready status';

/** [tainteviction addConditionAndDeletePod]. */
export const REASON_DELETION_BY_TAINT_MANAGER = 'DeletionByTaintManager';
export const MESSAGE_DELETION_BY_TAINT_MANAGER = 'Taint manager: deleting due to NoExecute taint';

export interface NodeLifecycleConfig {
  /**
   * --node-monitor-grace-period: how long without a heartbeat before the node's Ready condition becomes
   * Unknown (40 s before 1.32, 50 s since).
   */
  readonly nodeMonitorGracePeriodMs: number;
  /**
   * --node-monitor-period: how often the controller looks at every node (5 s). The NoExecute taint of a
   * node that is not Ready is queued by the look after the one that saw the change, so it comes a period
   * after the Ready condition changed.
   */
  readonly nodeMonitorPeriodMs: number;
  /** --node-eviction-rate: NoExecute taints per second in a zone that is not (or only fully) disrupted (0.1). */
  readonly nodeEvictionRate: number;
  /** --secondary-node-eviction-rate: the rate in a partially disrupted zone of a large cluster (0.01). */
  readonly secondaryNodeEvictionRate: number;
  /** --large-cluster-size-threshold: above this many nodes a zone is large (50); a small one stops tainting when partially disrupted. */
  readonly largeClusterSizeThreshold: number;
  /** --unhealthy-zone-threshold: the share of not-Ready nodes (and more than two) that makes a zone partially disrupted (0.55). */
  readonly unhealthyZoneThreshold: number;
}

export const defaultNodeLifecycleConfig: NodeLifecycleConfig = {
  nodeMonitorGracePeriodMs: 50_000, nodeMonitorPeriodMs: 5_000, nodeEvictionRate: 0.1, secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50, unhealthyZoneThreshold: 0.55,
};

/** The settable keys of `cluster.nodeLifecycle` (each a non-negative number). */
export const NODE_LIFECYCLE_SETTINGS = [
  'nodeMonitorGracePeriodMs', 'nodeMonitorPeriodMs', 'nodeEvictionRate', 'secondaryNodeEvictionRate', 'largeClusterSizeThreshold', 'unhealthyZoneThreshold',
] as const satisfies readonly (keyof NodeLifecycleConfig)[];

/** [ComputeZoneState] (Initial: a zone the controller has not judged yet). */
export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** A zone's state and its NoExecute-tainting token bucket (burst 1; qps 0 never gives a token). */
export interface ZoneTainter {
  readonly state: ZoneState;
  readonly qps: number;
  /** Tokens in the bucket at `at`. */
  readonly tokens: number;
  readonly at: number;
}

/**
 * Component-local memory (rebuilt from the log on restart, except `evicted`, which the taint-eviction
 * queue of a restarted controller forgets too).
 */
export interface NodeLifecycleLocal {
  /**
   * Nodes whose heartbeats stopped, with the time of the last one. kubesim writes no Lease objects: the
   * last heartbeat is the time of the `node-down` fault (equivalent to a Lease no longer renewed).
   */
  readonly down: ReadonlyMap<string, number>;
  /**
   * Nodes whose kubelet process is down (crashed, not yet restarted), frozen (paused) or cut off the
   * network (partitioned): it posts no heartbeats for them from `since` until all three have ended.
   */
  readonly silent: ReadonlyMap<string, Silence>;
  /**
   * When a NoExecute taint without `timeAdded` (one not added by this controller) was first seen:
   * `<node>\u0000<key>\u0000<value>`. The toleration time of pods on the node counts from it.
   */
  readonly taintSeen: ReadonlyMap<string, number>;
  /** Pods (uid) whose eviction was sent: not sent again until the pod is gone. */
  readonly evicted: PHashMap<true>;
  /** Per zone, its state and tainting rate at the last disruption pass (a restarted controller starts afresh). */
  readonly zones: ReadonlyMap<string, ZoneTainter>;
  /** Every zone fully disrupted at the last pass: no NoExecute condition taint is kept or added. */
  readonly masterDisruption: boolean;
  /**
   * A heartbeat older than this counts as seen at this time: the controller's start (a restarted one
   * times every node afresh — "Missing timestamp for Node. Assuming now") and its exit from master
   * disruption mode (which resets every node's probe time).
   */
  readonly probeFloor: number;
}

/** Why a node's kubelet process posts no heartbeats, and since when. */
export interface Silence {
  readonly since: number;
  readonly crashed: boolean;
  readonly paused: boolean;
  readonly partitioned: boolean;
}

export const initialNodeLifecycleLocal = (): NodeLifecycleLocal => ({
  down: new Map(), silent: new Map(), taintSeen: new Map(), evicted: PHashMap.empty(), zones: new Map(), masterDisruption: false, probeFloor: 0,
});

/** A node's last heartbeat, if its heartbeats have stopped: the earlier of its node fault and its kubelet's silence. */
export const lastHeartbeatOf = (local: NodeLifecycleLocal, node: string): number | undefined => {
  const a = local.down.get(node);
  const b = local.silent.size > 0 ? local.silent.get(node)?.since : undefined;
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
};

/** Keys are node names (the controller's work is per node: health, taints, the pods on it). */
export type Taint = NonNullable<NonNullable<Node['spec']>['taints']>[number];
export type Toleration = NonNullable<NonNullable<Pod['spec']>['tolerations']>[number];
export type NodeCondition = NonNullable<NonNullable<Node['status']>['conditions']>[number];

export const readyCondition = (n: Node | undefined): NodeCondition | undefined => n?.status?.conditions?.find((c) => c.type === 'Ready');

export const noExecuteTaints = (n: Node | undefined): Taint[] => (n?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');

export const taintSeenKey = (node: string, t: Taint): string => `${node}\u0000${t.key}\u0000${t.value ?? ''}`;
