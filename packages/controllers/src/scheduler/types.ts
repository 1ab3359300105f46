import type { Pod } from '@kubesim/api';
import { PHashMap } from '../framework/phashmap.js';
import { SchedulerCache } from './cache.js';
import { AssumedPods } from './assumed.js';

export const SCHEDULER_NAME = 'scheduler';
export const SCHEDULER_ACTOR = 'scheduler';
/** The schedulerName this scheduler serves (pods with it or with none). */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerConfig {
  readonly schedulerName: string;
  /** percentageOfNodesToScore; 0 = adaptive (50 - nodes/125, at least 5 %, at least 100 nodes). */
  readonly percentageOfNodesToScore: number;
  /** podInitialBackoffDuration / podMaxBackoffDuration. */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** PreBind polls its claims every second ([BindPodVolumes] wait.Poll) … */
  readonly bindPollMs: number;
  /** … for at most bindTimeoutSeconds (600 s). */
  readonly bindTimeoutMs: number;
  /** A bind whose result the informer has not shown after this long is forgotten (the cache's assumed-pod expiry). */
  readonly assumeTtlMs: number;
  /**
   * podMaxInUnschedulablePodsDuration: an unschedulable pod no event has moved is retried after this
   * long (the queue's flushUnschedulablePodsLeftover).
   */
  readonly podMaxInUnschedulableMs: number;
  /**
   * NodeResourcesBalancedAllocation scores the change of balance the pod causes, not the balance with it
   * (1.36, kubernetes#135573).
   */
  readonly balanceChangeScore: boolean;
}

export const defaultSchedulerConfig: SchedulerConfig = {
  schedulerName: DEFAULT_SCHEDULER_NAME,
  percentageOfNodesToScore: 0,
  backoffInitialMs: 1_000,
  backoffMaxMs: 10_000,
  bindPollMs: 1_000,
  bindTimeoutMs: 600_000,
  assumeTtlMs: 30_000,
  podMaxInUnschedulableMs: 300_000,
  balanceChangeScore: false,
};

/**
 * Failed scheduling attempts of a pod (the queue's PodInfo.Attempts and its last failure time), and
 * where the last failure put it: `parked` — rejected by a plugin (PodScheduled=False, Unschedulable),
 * so in unschedulablePods until an event that may help it (queueing hints), an update of the pod
 * itself ([isPodUpdated]) or the flush after `podMaxInUnschedulableMs`; otherwise (an error, or a
 * parked pod woken before its backoff was over) in the backoff queue, retried when its backoff expires.
 */
export interface Attempts {
  readonly count: number;
  readonly lastFailureMs: number;
  readonly parked: boolean;
  /** The seq of the cache the failed attempt read: cluster events after it arrived while it was in flight. */
  readonly seq: number;
}

/**
 * The seq of the last cluster event of each queueing-hint class the informer delivered (a node change
 * that can alter a filter, an assigned pod freeing its node, an unclaimed volume, a StorageClass) —
 * what [determineSchedulingHintForInFlightPod] checks for a pod whose attempt was in flight meanwhile.
 */
export interface ClusterEvents { node: number; resource: number; assignedPod: number; staticVolume: number; storageClass: number }

/**
 * A pod the scheduler has placed but the informer does not show bound yet (the scheduler cache's
 * assumed pods): waiting in PreBind for its volumes, or with its bind request in flight. Its
 * resources count on the node so the next pods do not overcommit it.
 */
export interface AssumedPod {
  readonly pod: Pod;
  readonly node: string;
  readonly sinceMs: number;
  /** true: the bind request was sent; false: waiting for the pod's claims to be bound. */
  readonly binding: boolean;
}

export interface SchedulerLocal {
  /** Where the next node search starts ([nextStartNodeIndex]). */
  readonly nextStartNodeIndex: number;
  readonly attempts: PHashMap<Attempts>;
  /** Assumed pods by uid (few: only in-flight binds and PreBind waits). */
  readonly assumed: AssumedPods;
  /** When each class of cluster event was last delivered (kept by `observe`). */
  readonly events: Readonly<ClusterEvents>;
  /**
   * Derived data (node list, per-node usage) memoized from the informer cache and invalidated by
   * `observe`; it never changes a decision, only its cost.
   */
  readonly cache: SchedulerCache;
}

export const initialSchedulerLocal = (): SchedulerLocal => ({
  nextStartNodeIndex: 0,
  attempts: PHashMap.empty(),
  assumed: AssumedPods.empty(),
  events: { node: 0, resource: 0, assignedPod: 0, staticVolume: 0, storageClass: 0 },
  cache: new SchedulerCache(),
});

/** [calculateBackoffDuration]: initial × 2^(attempts-1), capped. */
export const backoffMs = (attempts: number, config: SchedulerConfig): number => {
  let d = config.backoffInitialMs;
  for (let i = 1; i < attempts; i++) {
    if (d > config.backoffMaxMs - d) return config.backoffMaxMs;
    d += d;
  }
  return Math.min(d, config.backoffMaxMs);
};
