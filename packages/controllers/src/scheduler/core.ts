/**
 * One scheduling cycle for one pod ([scheduleOne]): PreFilter, Filter over a rotating window of
 * nodes until enough feasible ones are found, Score (LeastAllocated), selectHost, Reserve/PreBind for
 * volumes, Bind — or the failure handling (PodScheduled=False, FailedScheduling, backoff).
 */
import { conditionGeneration, isTerminal, splitNsName, timestamp, type Pod, merged } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import { event, involvedOf, write, type ReconcileInput, type ReconcileResult, type Step } from '../framework/index.js';
import { parOf, seqOf } from '../volume/sync.js';
import { updateStatusReq } from '../volume/writes.js';
import { podInfoOf } from './filters.js';
import { NO_NODES_AVAILABLE, ReasonHistogram, preFilterFitError } from './fiterror.js';
import { podResources, type HostPort, type PodResources } from './resources.js';
import { NO_PORTS, type AssumedNode, type AssumedPods } from './assumed.js';
import { HostSelector, numFeasibleNodesToFind } from './score.js';
import { feasibleOn, filterNode, searchNodes, usageWithAssumed, type AssumedExtra, type AssumedExtraUsage, type Feasible, type FilterCtx } from './search.js';
import {
  DEFAULT_SCHEDULER_NAME, backoffMs, type AssumedPod, type SchedulerConfig, type SchedulerLocal,
} from './types.js';
import { readWriteOncePodConflict, volumeBindSteps, volumePreFilter, type PodClaims } from './volumebinding.js';
import { interPodAffinityPreFilter, interPodAffinityPreScore } from './interpodaffinity.js';
import { spreadPreScore } from './spreadscore.js';
import { topologySpreadPreFilter } from './topologyspread.js';
import { podImages } from './imagelocality.js';

export const BIND_TAG = 'bind';
export const REASON_UNSCHEDULABLE_CONDITION = 'Unschedulable';
export const REASON_SCHEDULER_ERROR = 'SchedulerError';
export const REASON_SCHEDULING_GATED = 'SchedulingGated';
export const MSG_SCHEDULING_GATED = 'Scheduling is blocked due to non-empty scheduling gates';
export const MSG_PREBIND_TIMEOUT = 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded';
export const msgScheduled = (namespace: string, name: string, node: string): string =>
  `Successfully assigned ${namespace}/${name} to ${node}`;

/** A pod this scheduler must place: unscheduled, not being deleted, not finished, and ours. */
export const needsScheduling = (pod: Pod, config: SchedulerConfig): boolean =>
  !pod.spec?.nodeName && pod.metadata?.deletionTimestamp === undefined && !isTerminal(pod)
  && (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === config.schedulerName;

type PodCondition = NonNullable<NonNullable<Pod['status']>['conditions']>[number];

export const podScheduledCondition = (pod: Pod): PodCondition | undefined => pod.status?.conditions?.find((c) => c.type === 'PodScheduled');

/** [updatePod] with PodScheduled=False: a status write only when reason or message change. */
export const unschedulableConditionStep = (pod: Pod, reason: string, message: string, now: number): Step | undefined => {
  const conds = pod.status?.conditions ?? [];
  const i = conds.findIndex((c) => c.type === 'PodScheduled');
  const cur = i >= 0 ? conds[i] : undefined;
  if (cur && cur.status === 'False' && cur.reason === reason && cur.message === message) return undefined;
  const next = {
    type: 'PodScheduled', ...conditionGeneration(pod), status: 'False', reason, message,
    lastTransitionTime: cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : timestamp(now),
  };
  const conditions = i >= 0 ? conds.map((c, j) => (j === i ? next : c)) : [...conds, next];
  return write(updateStatusReq(merged(pod, { status: merged(pod.status, { conditions }) }), pod.metadata?.resourceVersion));
};

interface Cycle {
  readonly snap: Snapshot;
  readonly pod: Pod;
  readonly uid: string;
  readonly now: number;
  readonly config: SchedulerConfig;
  readonly local: SchedulerLocal;
  readonly seed: number;
}

type Result = ReconcileResult<SchedulerLocal>;

const withoutAssumed = (local: SchedulerLocal, uid: string): AssumedPods => local.assumed.delete(uid);

const withAssumed = (local: SchedulerLocal, uid: string, a: AssumedPod): AssumedPods => local.assumed.set(uid, a);

/**
 * [handleSchedulingFailure]: condition, Warning FailedScheduling, and back to the queue
 * ([AddUnschedulableIfNotPresent]): a pod a plugin rejected (Unschedulable) waits in unschedulablePods
 * for an event that may help it — the component's queueing hints wake it — or for the flush after
 * `podMaxInUnschedulableMs`; a pod that failed on an error (no plugin rejected it) is retried when its
 * backoff expires.
 */
const failure = (c: Cycle, message: string, reason: string, workUnits: number, nextStartNodeIndex?: number): Result => {
  const prev = c.local.attempts.get(c.uid);
  const cond = podScheduledCondition(c.pod);
  const count = (prev?.count ?? (cond?.status === 'False' && cond.reason !== REASON_SCHEDULING_GATED ? 1 : 0)) + 1;
  const parked = reason === REASON_UNSCHEDULABLE_CONDITION;
  const local: SchedulerLocal = {
    ...c.local,
    attempts: c.local.attempts.set(c.uid, { count, lastFailureMs: c.now, parked, seq: c.snap.seq }),
    assumed: withoutAssumed(c.local, c.uid),
    ...(nextStartNodeIndex !== undefined ? { nextStartNodeIndex } : {}),
  };
  return {
    plan: parOf(
      unschedulableConditionStep(c.pod, reason, message, c.now),
      event({ type: 'Warning', reason: 'FailedScheduling', message, involved: involvedOf(c.pod) }),
    ),
    requeueAfterMs: parked ? c.config.podMaxInUnschedulableMs : backoffMs(count, c.config),
    local,
    workUnits,
  };
};

/**
 * Resources of assumed pods by node (not this pod; not ones the informer already shows bound, gone or
 * finished), computed per node on demand: a cycle only reads the assumed pods of the nodes it
 * examines, through their precomputed sum unless an entry on the node has expired or uses host ports.
 */
class AssumedByNode implements AssumedExtra {
  private readonly memo = new Map<string, AssumedExtraUsage | undefined>();
  readonly empty: boolean;
  private readonly self: AssumedPod | undefined;
  /** By node index: the node's assumed pods. */
  private readonly byIndex: readonly (AssumedNode | undefined)[] | undefined;
  constructor(private readonly c: Cycle) {
    const a = c.local.assumed;
    this.self = a.get(c.uid);
    this.empty = a.size === 0 || (a.size === 1 && this.self !== undefined);
    this.byIndex = this.empty ? undefined : c.local.cache.assumedAt(c.snap, a);
  }

  get(node: string): AssumedExtraUsage | undefined {
    if (this.empty) return undefined;
    return this.of(node, this.c.local.assumed.onNode(node));
  }

  getAt(i: number, node: string): AssumedExtraUsage | undefined {
    if (this.empty) return undefined;
    const rec = this.byIndex![i];
    return rec === undefined ? undefined : this.of(node, rec);
  }

  private of(node: string, rec: AssumedNode | undefined): AssumedExtraUsage | undefined {
    const { c } = this;
    if (!rec) return undefined;
    if (!rec.ports && c.now - rec.minBindingSince < c.config.assumeTtlMs) {
      // No entry has expired: the node's sum, less this pod if it is counted there.
      let sum = rec.sum;
      if (this.self?.node === node && !c.local.assumed.isStale(c.uid)) {
        const r = podResources(this.self.pod);
        sum = {
          pods: sum.pods - 1, milliCpu: sum.milliCpu - r.milliCpu, memory: sum.memory - r.memory,
          nzMilliCpu: sum.nzMilliCpu - r.nzMilliCpu, nzMemory: sum.nzMemory - r.nzMemory, hostPorts: NO_PORTS,
        };
      }
      return sum.pods > 0 ? sum : undefined;
    }
    if (this.memo.has(node)) return this.memo.get(node);
    let list: PodResources[] | undefined;
    for (const [uid, a] of rec.entries) {
      if (uid === c.uid) continue;
      if (a.binding && c.now - a.sinceMs >= c.config.assumeTtlMs) continue;
      const cur = c.snap.get('Pod', a.pod.metadata?.namespace ?? '', a.pod.metadata?.name ?? '');
      if (!cur || cur.metadata?.uid !== uid || cur.spec?.nodeName || isTerminal(cur)) continue;
      if (list) list.push(podResources(a.pod)); else list = [podResources(a.pod)];
    }
    const out = list ? sumResources(list) : undefined;
    this.memo.set(node, out);
    return out;
  }
}


const sumResources = (list: readonly PodResources[]): AssumedExtraUsage => {
  let milliCpu = 0, memory = 0, nzMilliCpu = 0, nzMemory = 0;
  const hostPorts: HostPort[] = [];
  for (const r of list) {
    milliCpu += r.milliCpu; memory += r.memory; nzMilliCpu += r.nzMilliCpu; nzMemory += r.nzMemory;
    hostPorts.push(...r.hostPorts);
  }
  return { pods: list.length, milliCpu, memory, nzMilliCpu, nzMemory, hostPorts };
};

/** Reserve/PreBind then Bind on the chosen node. */
const place = (c: Cycle, claims: PodClaims, chosen: Feasible, local: SchedulerLocal, workUnits: number): Result => {
  const node = chosen.rec.name;
  const ns = c.pod.metadata?.namespace ?? '', name = c.pod.metadata?.name ?? '';
  if (claims.delayed.length > 0) {
    // PreBind: write the volume decisions, then wait until every claim is bound.
    const prev = c.local.assumed.get(c.uid);
    const sinceMs = prev && !prev.binding && prev.node === node ? prev.sinceMs : c.now;
    if (c.now - sinceMs >= c.config.bindTimeoutMs) {
      return failure(c, MSG_PREBIND_TIMEOUT, REASON_SCHEDULER_ERROR, workUnits, local.nextStartNodeIndex);
    }
    return {
      plan: volumeBindSteps(chosen.volumes, node),
      requeueAfterMs: c.config.bindPollMs,
      local: { ...local, assumed: withAssumed(local, c.uid, { pod: c.pod, node, sinceMs, binding: false }) },
      workUnits,
    };
  }
  const uid = c.uid;
  return {
    plan: seqOf(
      volumeBindSteps(chosen.volumes, node),
      write({ verb: 'bind', namespace: ns, name, nodeName: node, uid }, {
        tag: BIND_TAG,
        onSuccess: { type: 'Normal', reason: 'Scheduled', message: msgScheduled(ns, name, node), involved: involvedOf(c.pod) },
        onFailure: (err) => ({
          type: 'Warning', reason: 'FailedScheduling', message: `running Bind plugin "DefaultBinder": ${err.message}`, involved: involvedOf(c.pod),
        }),
      }),
    ),
    local: { ...local, assumed: withAssumed(local, uid, { pod: c.pod, node, sinceMs: c.now, binding: true }) },
    onDone: (o, l) => (o.succeeded.has(BIND_TAG) ? l : { ...l, assumed: withoutAssumed(l, uid) }),
    workUnits,
  };
};

/** The scheduling cycle of one pod key (`namespace/name`). */
export const schedulePod = (input: ReconcileInput<SchedulerConfig, SchedulerLocal>): Result => {
  const { snapshot: snap, now, config, local, seed } = input;
  const { namespace, name } = splitNsName(input.key);
  const pod = snap.get('Pod', namespace, name);
  if (!pod) return { workUnits: 1 };
  const uid = pod.metadata?.uid ?? '';
  if (!needsScheduling(pod, config)) {
    const assumed = withoutAssumed(local, uid);
    const attempts = local.attempts.delete(uid);
    return assumed === local.assumed && attempts === local.attempts ? { workUnits: 1 } : { local: { ...local, assumed, attempts }, workUnits: 1 };
  }
  if ((pod.spec?.schedulingGates?.length ?? 0) > 0) {
    const step = unschedulableConditionStep(pod, REASON_SCHEDULING_GATED, MSG_SCHEDULING_GATED, now);
    return step ? { plan: step, workUnits: 1 } : { workUnits: 1 };
  }
  const c: Cycle = { snap, pod, uid, now, config, local, seed };
  const mine = local.assumed.get(uid);
  if (mine?.binding && now - mine.sinceMs < config.assumeTtlMs) {
    // The bind request is in flight: its outcome (the informer, or onDone) decides; look again at expiry.
    return { requeueAfterMs: mine.sinceMs + config.assumeTtlMs - now, workUnits: 1 };
  }
  const att = local.attempts.get(uid);
  if (att) {
    const until = att.lastFailureMs + backoffMs(att.count, config);
    if (now < until) {
      // [moveToBackoffQ]: a parked pod woken during its backoff leaves unschedulablePods for the backoff
      // queue — further cluster events no longer move it; its backoff's expiry retries it.
      const moved = att.parked ? { local: { ...local, attempts: local.attempts.set(uid, { ...att, parked: false }) } } : {};
      return { requeueAfterMs: until - now, workUnits: 1, ...moved };
    }
  }

  const names = local.cache.nodeNames(snap);
  const n = names.length;
  if (n === 0) return failure(c, NO_NODES_AVAILABLE, REASON_SCHEDULER_ERROR, 1);
  // PreFilter
  const pre = volumePreFilter(snap, pod);
  if (pre.kind === 'reject') return failure(c, preFilterFitError(n, pre.message), REASON_UNSCHEDULABLE_CONDITION, 2);
  const cache = local.cache;
  const affinity = interPodAffinityPreFilter(snap, pod, local.assumed);
  const spread = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0
    ? topologySpreadPreFilter(snap, pod, local.assumed, names.flatMap((_, i) => cache.recAt(snap, i) ?? []))
    : undefined;
  const preferred = interPodAffinityPreScore(snap, pod, local.assumed);
  const softSpread = spreadPreScore(input.live ?? snap, pod);
  const images = podImages(pod, cache.imageStates(snap), cache.nodeNames(snap).length);
  const f: FilterCtx = {
    snap, cache, pi: podInfoOf(pod), claims: pre.claims, rwop: readWriteOncePodConflict(snap, pod, local.assumed),
    extra: new AssumedByNode(c), ...(affinity ? { affinity } : {}), ...(spread ? { spread } : {}), ...(preferred ? { preferred } : {}),
    ...(softSpread ? { softSpread: { state: softSpread, assumed: local.assumed } } : {}),
    work: 1 + pre.scanned + (affinity?.scanned ?? 0) + (spread?.scanned ?? 0) + (preferred?.scanned ?? 0),
    balanceChange: config.balanceChangeScore,
    ...(images ? { images } : {}),
  };
  const workUnits = (): number => f.work + cache.takeScanned();

  // A pod waiting in PreBind stays on its node while that node still fits.
  if (mine && !mine.binding) {
    const i = cache.indexOf(snap, mine.node);
    const rec = i === undefined ? undefined : cache.recAt(snap, i);
    if (i !== undefined && rec && filterNode(f, rec, usageWithAssumed(f, i, rec)) === undefined) {
      return place(c, pre.claims, feasibleOn(f, rec), local, workUnits());
    }
  }

  // Filter from the rotating start index until enough feasible nodes are found, scoring as we go.
  const numToFind = numFeasibleNodesToFind(config.percentageOfNodesToScore, n);
  const start = local.nextStartNodeIndex % n;
  const failed = new ReasonHistogram();
  const hosts = new HostSelector(numToFind);
  const examined = searchNodes(f, start, numToFind, failed, hosts);
  f.work += examined;
  const nextStartNodeIndex = (start + examined) % n;
  const chosen = hosts.select(seed, `${uid}:${att?.count ?? 0}`);
  if (chosen === undefined) {
    return failure(c, failed.message(n), REASON_UNSCHEDULABLE_CONDITION, workUnits(), nextStartNodeIndex);
  }
  const rec = cache.recAt(snap, chosen)!;
  return place(c, pre.claims, feasibleOn(f, rec), { ...local, nextStartNodeIndex, assumed: withoutAssumed(local, uid) }, workUnits());
};
