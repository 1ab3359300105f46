import { isPodActive, isPodReady, parseTimestamp, podReadyCondition, type Pod } from '@kubesim/api';

/**
 * Which pods a ReplicaSet deletes first (k8s-semantics §2.3) [CU ActivePodsWithRanks.Less;
 * RS getPodsToDelete, getPodsRankedByRelatedPodsOnSameNode].
 */

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * [core/helper GetDeletionCostFromPodAnnotations]: an int32 in canonical decimal form ("+1" and "007"
 * are invalid); a missing or invalid value counts as 0.
 */
export const podDeletionCost = (p: Pod): number => {
  const v = p.metadata?.annotations?.[POD_DELETION_COST];
  if (v === undefined || !/^(-[0-9]+|0|[1-9][0-9]*)$/.test(v)) return 0;
  const n = Number(v);
  return n < INT32_MIN || n > INT32_MAX ? 0 : n;
};

/**
 * `int64(math.Log2(float64(d)))` of Go for a positive duration in nanoseconds, computed the way Go's
 * Log2 does (frexp, then Log(frac)/Ln2 + exp) so bucket boundaries match.
 */
export const goLog2Trunc = (d: number): number => {
  let exp = Math.floor(Math.log2(d)) + 1;
  let frac = d / 2 ** exp;
  if (frac >= 1) { frac /= 2; exp += 1; } else if (frac < 0.5) { frac *= 2; exp -= 1; }
  const l = frac === 0.5 ? exp - 1 : Math.log(frac) * (1 / Math.LN2) + exp;
  return Math.trunc(l);
};

/** [CU logarithmicRankDiff]: floor(log2(now − t)) in nanoseconds; −1 when t is not in the past. */
export const logarithmicRank = (tMs: number, nowMs: number): number => {
  const dNs = (nowMs - tMs) * 1e6;
  return dNs > 0 ? goLog2Trunc(dNs) : -1;
};

export interface RankingOptions {
  readonly nowMs: number;
  readonly podDeletionCost: boolean;
  readonly logarithmicScaleDown: boolean;
}

/** Everything Less looks at, computed once per pod. */
interface Ranked {
  readonly pod: Pod;
  readonly unassigned: boolean;
  readonly node: string;
  readonly phase: number;
  readonly ready: boolean;
  readonly cost: number;
  readonly rank: number;
  /** Ready condition lastTransitionTime of a ready pod; undefined = zero time. */
  readonly readyMs: number | undefined;
  readonly readyLog: number;
  readonly restarts: number;
  readonly createdMs: number | undefined;
  readonly createdLog: number;
  readonly uid: string;
}

const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

const maxContainerRestarts = (p: Pod): number => {
  let m = 0;
  for (const c of p.status?.containerStatuses ?? []) if (c.restartCount > m) m = c.restartCount;
  return m;
};

const toRanked = (pod: Pod, rank: number, o: RankingOptions): Ranked => {
  const ready = isPodReady(pod);
  const readyMs = ready ? parseTimestamp(podReadyCondition(pod)?.lastTransitionTime) : undefined;
  const createdMs = parseTimestamp(pod.metadata?.creationTimestamp);
  const node = pod.spec?.nodeName ?? '';
  return {
    pod, node, unassigned: node === '', phase: PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0, ready,
    cost: o.podDeletionCost ? podDeletionCost(pod) : 0, rank,
    readyMs, readyLog: readyMs === undefined ? -1 : logarithmicRank(readyMs, o.nowMs),
    restarts: maxContainerRestarts(pod),
    createdMs, createdLog: createdMs === undefined ? -1 : logarithmicRank(createdMs, o.nowMs),
    uid: pod.metadata?.uid ?? '',
  };
};

/** [CU afterOrZero]: a zero time sorts first, otherwise the later time first. */
const afterOrZero = (a: number | undefined, b: number | undefined): boolean =>
  a === undefined || b === undefined ? a === undefined : a > b;

/**
 * Rule 6/8 comparison of two different times: log2 buckets of their age, then uid (pseudo-random),
 * or plain "newer first" without LogarithmicScaleDown. Returns true when `a` is deleted first.
 */
const timeLess = (a: number | undefined, aLog: number, aUid: string, b: number | undefined, bLog: number, bUid: string, logScale: boolean): boolean => {
  if (!logScale || a === undefined || b === undefined) return afterOrZero(a, b);
  const diff = aLog - bLog;
  return diff === 0 ? aUid < bUid : diff < 0;
};

/** ActivePodsWithRanks.Less: true when `a` should be deleted before `b`. */
const less = (a: Ranked, b: Ranked, logScale: boolean): boolean => {
  // 1. unassigned < assigned
  if (a.node !== b.node && (a.unassigned || b.unassigned)) return a.unassigned;
  // 2. Pending < Unknown < Running
  if (a.phase !== b.phase) return a.phase < b.phase;
  // 3. not ready < ready
  if (a.ready !== b.ready) return !a.ready;
  // 4. lower pod-deletion-cost first
  if (a.cost !== b.cost) return a.cost < b.cost;
  // 5. more related pods on the same node first
  if (a.rank !== b.rank) return a.rank > b.rank;
  // 6. both ready: ready for less time first
  if (a.ready && b.ready && a.readyMs !== b.readyMs) {
    return timeLess(a.readyMs, a.readyLog, a.uid, b.readyMs, b.readyLog, b.uid, logScale);
  }
  // 7. more container restarts first
  if (a.restarts !== b.restarts) return a.restarts > b.restarts;
  // 8. newer first
  if (a.createdMs !== b.createdMs) {
    return timeLess(a.createdMs, a.createdLog, a.uid, b.createdMs, b.createdLog, b.uid, logScale);
  }
  return false;
};

/**
 * Sort pods into deletion order. `ranks[i]` is rule 5's rank of `pods[i]` (all 0 when omitted). The sort
 * is stable, so rule 9 ("otherwise keep existing order") keeps the input order.
 */
export const sortForDeletion = (pods: readonly Pod[], o: RankingOptions, ranks?: readonly number[]): Pod[] => {
  const rs = pods.map((p, i) => toRanked(p, ranks?.[i] ?? 0, o));
  rs.sort((a, b) => (less(a, b, o.logarithmicScaleDown) ? -1 : less(b, a, o.logarithmicScaleDown) ? 1 : 0));
  return rs.map((r) => r.pod);
};

/**
 * [RS getPodsRankedByRelatedPodsOnSameNode]: rank = number of active related pods on the pod's node
 * (unscheduled pods share the node ""). No related pods (a standalone ReplicaSet) → every rank 0.
 */
export const ranksByRelatedPodsOnSameNode = (pods: readonly Pod[], related: Iterable<Pod>): number[] => {
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  return pods.map((p) => onNode.get(p.spec?.nodeName ?? '') ?? 0);
};

/** [RS getPodsToDelete]: the first `n` pods in deletion order; no sorting when all of them go. */
export const podsToDelete = (active: readonly Pod[], related: readonly Pod[], n: number, o: RankingOptions): Pod[] => {
  if (n >= active.length) return active.slice(0, n);
  return sortForDeletion(active, o, ranksByRelatedPodsOnSameNode(active, related)).slice(0, n);
};
