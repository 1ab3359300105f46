import { conditionGeneration, parseTimestamp, timestamp, updatePodCondition, type Node, type Pod } from '@kubesim/api';
import type { ReconcileInput, ReconcileResult } from '../framework/component.js';
import { event, par, seq, write, type EventSpec, type PlanOutcome, type Step } from '../framework/plan.js';
import { involvedOf } from '../framework/recorder.js';
import type { Snapshot } from '@kubesim/state';
import { toleratesTaint } from '../scheduler/filters.js';
import { disrupted, disruptionPass, newTainter, nextTokenInMs, tryAccept, zoneCounts, zoneKeyOf } from './disruption.js';
import {
  MESSAGE_DELETION_BY_TAINT_MANAGER, MESSAGE_KUBELET_READY, MESSAGE_NODE_STATUS_UNKNOWN, REASON_DELETION_BY_TAINT_MANAGER,
  REASON_KUBELET_READY, REASON_NODE_STATUS_UNKNOWN, TAINT_NOT_READY, TAINT_UNREACHABLE, lastHeartbeatOf, noExecuteTaints, readyCondition, taintSeenKey,
  type NodeCondition, type NodeLifecycleConfig, type NodeLifecycleLocal, type Taint, type Toleration, type ZoneTainter,
} from './types.js';

type Input = ReconcileInput<NodeLifecycleConfig, NodeLifecycleLocal>;
type Result = ReconcileResult<NodeLifecycleLocal>;

/** Conditions the controller sets to Unknown when the kubelet stops posting [tryUpdateNodeHealth]. */
const MONITORED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** What the kubelet posts for each monitored condition when healthy (kubesim writes it back on node-up). */
const HEALTHY: Readonly<Record<string, { status: string; reason: string; message: string }>> = {
  Ready: { status: 'True', reason: REASON_KUBELET_READY, message: MESSAGE_KUBELET_READY },
  MemoryPressure: { status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  DiskPressure: { status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  PIDPressure: { status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
};

const nodeEvent = (node: Node, type: EventSpec['type'], reason: string, message: string): EventSpec =>
  ({ type, reason, message, involved: involvedOf(node) });

// ---- node health ---------------------------------------------------------------------------------

const withConditions = (node: Node, conditions: NodeCondition[]): Node => ({ ...node, status: { ...node.status, conditions } });

/**
 * [tryUpdateNodeHealth] past the grace period: Ready (and the pressure conditions present) → Unknown,
 * `Kubelet stopped posting node status.`; lastHeartbeatTime is the last heartbeat (the fault's time).
 */
export const unknownStatus = (node: Node, lastHeartbeat: number, now: number): Node => withConditions(node,
  (node.status?.conditions ?? []).map((c) => {
    if (!(MONITORED as readonly string[]).includes(c.type) || c.status === 'Unknown') return c;
    return {
      ...c, status: 'Unknown', reason: REASON_NODE_STATUS_UNKNOWN, message: MESSAGE_NODE_STATUS_UNKNOWN,
      lastHeartbeatTime: timestamp(lastHeartbeat), lastTransitionTime: timestamp(now),
    };
  }));

/** The kubelet's next status post after it comes back: the conditions this controller set to Unknown are healthy again. */
export const healthyStatus = (node: Node, now: number): Node => withConditions(node,
  (node.status?.conditions ?? []).map((c) => {
    const h = HEALTHY[c.type];
    if (!h || c.status !== 'Unknown' || c.reason !== REASON_NODE_STATUS_UNKNOWN) return c;
    return { ...c, ...h, lastHeartbeatTime: timestamp(now), lastTransitionTime: timestamp(now) };
  }));

// ---- pods ----------------------------------------------------------------------------------------

const statusWrite = (p: Pod, extra: { onSuccess?: EventSpec; tag?: string } = {}): Step =>
  write({ verb: 'update', subresource: 'status', object: p }, { ignore: ['NotFound'], ...extra });

/** [MarkPodsNotReady] for one pod: its Ready condition → False (a status update), or undefined if it is not True. */
const notReadyPod = (pod: Pod, now: number): Pod | undefined => {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  return updatePodCondition(pod, { ...ready, status: 'False' }, now);
};

const NODE_NOT_READY = (pod: Pod): EventSpec => ({ type: 'Warning', reason: 'NodeNotReady', message: 'Node is not ready', involved: involvedOf(pod) });

const markNotReady = (pod: Pod, now: number): Step | undefined => {
  const next = notReadyPod(pod, now);
  return next ? statusWrite(next, { onSuccess: NODE_NOT_READY(pod) }) : undefined;
};

// ---- taints --------------------------------------------------------------------------------------

const isConditionTaint = (t: Taint): boolean =>
  (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute');

const conditionTaintKey = (ready: NodeCondition): string | undefined =>
  ready.status === 'False' ? TAINT_NOT_READY : ready.status === 'Unknown' ? TAINT_UNREACHABLE : undefined;

/** The node's `unreachable` or `not-ready` NoExecute taint, if it has one. */
export const conditionNoExecuteTaint = (node: Node): Taint | undefined =>
  node.spec?.taints?.find((t) => t.effect === 'NoExecute' && isConditionTaint(t));

/**
 * [doNoScheduleTaintingPass + processTaintBaseEviction / markNodeAsReachable] for the Ready condition,
 * with the NoExecute taint where the rate-limited tainter puts it (`noExecute`, see `noExecuteDecision`):
 * False → `not-ready`, Unknown → `unreachable` (the two mutually exclusive), True → neither. A node
 * without a Ready condition is left alone.
 */
export const desiredConditionTaints = (node: Node, noExecute = true): Taint[] | undefined => {
  const ready = readyCondition(node);
  if (!ready) return undefined;
  const key = conditionTaintKey(ready);
  if (!key) return [];
  return noExecute ? [{ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute' }] : [{ key, effect: 'NoSchedule' }];
};

/** A node its zone's tainting concerns: not Ready, or carrying a NoExecute condition taint. */
export const zoneTaintingConcerns = (n: Node): boolean => {
  const r = readyCondition(n);
  return (r !== undefined && r.status !== 'True') || conditionNoExecuteTaint(n) !== undefined;
};

/** A node waiting in its zone's tainting queue: not Ready and without a NoExecute condition taint. */
const awaitsNoExecute = (n: Node): boolean => {
  const r = readyCondition(n);
  return r !== undefined && r.status !== 'True' && conditionNoExecuteTaint(n) === undefined;
};

/** When a node was queued for its NoExecute taint: the look after the one that saw its Ready condition change. */
const queuedAt = (n: Node, config: NodeLifecycleConfig, now: number): number =>
  (parseTimestamp(readyCondition(n)?.lastTransitionTime) ?? now) + config.nodeMonitorPeriodMs;

interface NoExecuteDecision {
  /** Whether the node has (keeps, gets, or swaps to) its NoExecute condition taint after this sync. */
  readonly taint: boolean;
  /** The zone tainter with the token this sync takes. */
  readonly zones?: ReadonlyMap<string, ZoneTainter>;
  /** When to look again (the node's turn, or the next token). */
  readonly requeueAfterMs?: number;
}

/**
 * [processTaintBaseEviction, markNodeForTainting, doNoExecuteTaintingPass]: whether a node that is not
 * Ready carries its NoExecute taint. Nothing in master disruption mode; a taint of the other kind is
 * swapped at once; otherwise the node waits in its zone's queue (ordered by when it was queued, then by
 * name) from one monitor period after its Ready condition changed, and is tainted when it is first in
 * the queue and the zone's tainter gives a token (0.1/s normally; none in a small, partially disrupted
 * zone until its state changes).
 */
const noExecuteDecision = (snap: Snapshot, node: Node, local: NodeLifecycleLocal, config: NodeLifecycleConfig, now: number): NoExecuteDecision => {
  const ready = readyCondition(node);
  if (!ready || ready.status === 'True' || local.masterDisruption) return { taint: false };
  if (conditionNoExecuteTaint(node) !== undefined) return { taint: true };
  const due = queuedAt(node, config, now);
  if (now < due) return { taint: false, requeueAfterMs: due - now };
  const zone = zoneKeyOf(node);
  const name = node.metadata?.name ?? '';
  for (const n of snap.list('Node')) {
    const other = n.metadata?.name ?? '';
    if (other === name || !awaitsNoExecute(n) || zoneKeyOf(n) !== zone) continue;
    const at = queuedAt(n, config, now);
    if (at > now) continue;
    if (at < due || (at === due && other < name)) return { taint: false };
  }
  const tainter = local.zones.get(zone) ?? newTainter(now, config);
  const taken = tryAccept(tainter, now);
  if (!taken) {
    const wait = nextTokenInMs(tainter, now);
    return { taint: false, ...(wait !== undefined ? { requeueAfterMs: Math.max(wait, 1) } : {}) };
  }
  return { taint: true, zones: new Map(local.zones).set(zone, taken) };
};

/** Whether this sync runs the disruption pass: only where a zone may be, or may have been, disrupted. */
const needsDisruptionPass = (node: Node, local: NodeLifecycleLocal): boolean =>
  zoneTaintingConcerns(node) || disrupted(local.zones, local.masterDisruption);

/** [handleDisruption] over the cache's nodes, folded into the controller's local state. */
const withDisruptionPass = (snap: Snapshot, local: NodeLifecycleLocal, config: NodeLifecycleConfig, now: number): NodeLifecycleLocal => {
  const p = disruptionPass(zoneCounts(snap.list('Node')), local.zones, local.masterDisruption, now, config);
  if (p.zones === local.zones && p.masterDisruption === local.masterDisruption && !p.exited) return local;
  return { ...local, zones: p.zones, masterDisruption: p.masterDisruption, ...(p.exited ? { probeFloor: now } : {}) };
};

/** The node's taints with its condition taints made to match `desired` (added ones carry timeAdded = now), or undefined if they already do. */
export const reconcileTaints = (node: Node, desired: readonly Taint[], now: number): Taint[] | undefined => {
  const current = node.spec?.taints ?? [];
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const stale = current.filter((t) => isConditionTaint(t) && !desired.some((d) => same(d, t)));
  const missing = desired.filter((d) => !current.some((t) => same(d, t)));
  if (stale.length === 0 && missing.length === 0) return undefined;
  return [...current.filter((t) => !stale.includes(t)), ...missing.map((t) => ({ ...t, timeAdded: timestamp(now) }))];
};

// ---- taint-based eviction ------------------------------------------------------------------------

/** [v1helper.GetMatchingTolerations]: whether every taint is tolerated, and the toleration used for each. */
export const matchingTolerations = (taints: readonly Taint[], tolerations: readonly Toleration[]): { all: boolean; used: Toleration[] } => {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return { all: false, used: [] };
    used.push(t);
  }
  return { all: true, used };
};

/** [getMinTolerationTime]: 0 without tolerations, -1 when every used toleration is forever, else the smallest tolerationSeconds (ms). */
export const minTolerationMs = (used: readonly Toleration[]): number => {
  if (used.length === 0) return 0;
  let min = Number.POSITIVE_INFINITY;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Number.POSITIVE_INFINITY ? -1 : min * 1000;
};

/**
 * When a pod on a node with these NoExecute taints is to be deleted [tainteviction processPodOnNode]:
 * at once if one is not tolerated; after the smallest tolerationSeconds counted from when the pod came
 * under the taints (the earliest taint, or the pod's binding if later); never if tolerated forever.
 */
export const evictionTime = (pod: Pod, taints: readonly Taint[], taintsSince: number, now: number): number | undefined => {
  const { all, used } = matchingTolerations(taints, pod.spec?.tolerations ?? []);
  if (!all) return now;
  const min = minTolerationMs(used);
  if (min < 0) return undefined;
  const bound = parseTimestamp(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime);
  return Math.max(taintsSince, bound ?? taintsSince) + min;
};

const evictTag = (uid: string): string => `evict:${uid}`;

/**
 * [tainteviction deletePodHandler + addConditionAndDeletePod]: event `TaintManagerEviction`, the
 * DisruptionTarget condition (status update), then a normal (graceful) delete. `notReady` is the pod
 * already marked not ready in this sync (one status write carries both conditions).
 */
const evict = (pod: Pod, notReady: Pod | undefined, now: number): Step => {
  const ns = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const uid = pod.metadata?.uid ?? '';
  const base = notReady ?? pod;
  const marked = updatePodCondition(base, {
    type: 'DisruptionTarget', ...conditionGeneration(pod), status: 'True', reason: REASON_DELETION_BY_TAINT_MANAGER, message: MESSAGE_DELETION_BY_TAINT_MANAGER,
  }, now) ?? notReady;
  return seq(
    event({ type: 'Normal', reason: 'TaintManagerEviction', message: `Marking for deletion Pod ${ns}/${name}`, involved: involvedOf(pod) }),
    marked ? statusWrite(marked, notReady ? { onSuccess: NODE_NOT_READY(pod) } : {}) : undefined,
    write({ verb: 'delete', kind: 'Pod', namespace: ns, name, preconditions: { uid } }, { tag: evictTag(uid), ignore: ['NotFound'] }),
  );
};

/** When the node first carried each of its NoExecute taints: `timeAdded`, else when this controller first saw it. */
const taintsSince = (node: string, taints: readonly Taint[], local: NodeLifecycleLocal, now: number): number => {
  let since = Number.POSITIVE_INFINITY;
  for (const t of taints) since = Math.min(since, parseTimestamp(t.timeAdded) ?? local.taintSeen.get(taintSeenKey(node, t)) ?? now);
  return since === Number.POSITIVE_INFINITY ? now : since;
};

// ---- the sync of one node ------------------------------------------------------------------------

const minDelay = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/**
 * The node-lifecycle controller's sync of one node (key = node name), in the order its loops act:
 * 1. health [monitorNodeHealth/tryUpdateNodeHealth]: a node whose heartbeats stopped more than the grace
 *    period ago gets Ready=Unknown (NodeNotReady event) and its pods Ready=False [MarkPodsNotReady]; a
 *    node whose heartbeats resumed gets its Ready condition back (kubesim folds the kubelet's status post
 *    in here);
 * 2. condition taints [doNoScheduleTaintingPass, doNoExecuteTaintingPass, markNodeAsReachable];
 * 3. pods bound to a not-Ready node later are marked not ready too [processPod];
 * 4. taint-based eviction [tainteviction]: pods that do not tolerate a NoExecute taint are deleted at
 *    once, the others when their toleration runs out (a timer: requeueAfterMs).
 * Nothing is written for a Ready node without taints.
 */
export const syncNode = (input: Input): Result => {
  const { snapshot: snap, key: name, now, config } = input;
  const node = snap.get('Node', '', name);
  if (!node) return {};
  const ready = readyCondition(node);
  let requeue: number | undefined;
  // The disruption pass first (zone states, tainting rates, master disruption mode): its state goes with
  // every result of this sync.
  const local = needsDisruptionPass(node, input.local) ? withDisruptionPass(snap, input.local, config, now) : input.local;
  const changed = local !== input.local ? { local } : {};

  // 1. health: heartbeats count from when the controller could have seen them (its start, the end of a
  // master disruption), not before.
  const lastHeartbeat = lastHeartbeatOf(local, name);
  if (lastHeartbeat !== undefined && ready) {
    const deadline = Math.max(lastHeartbeat, local.probeFloor) + config.nodeMonitorGracePeriodMs;
    if (now < deadline) requeue = deadline - now;
    else if (ready.status !== 'Unknown') {
      const pods = [...snap.byIndex('Pod', 'node', name)];
      const wasReady = ready.status === 'True';
      return {
        ...changed,
        plan: seq(
          write({ verb: 'update', subresource: 'status', object: unknownStatus(node, lastHeartbeat, now) },
            wasReady ? { onSuccess: nodeEvent(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`) } : {}),
          par(...pods.map((p) => markNotReady(p, now))),
        ),
        workUnits: pods.length + 1,
      };
    }
  } else if (lastHeartbeat === undefined && ready?.status === 'Unknown' && ready.reason === REASON_NODE_STATUS_UNKNOWN) {
    return {
      ...changed,
      plan: write({ verb: 'update', subresource: 'status', object: healthyStatus(node, now) },
        { onSuccess: nodeEvent(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`) }),
      workUnits: 1,
    };
  }

  // 2. condition taints: NoSchedule at once, NoExecute through the zone's tainter.
  const noExec = noExecuteDecision(snap, node, local, config, now);
  requeue = minDelay(requeue, noExec.requeueAfterMs);
  const desired = desiredConditionTaints(node, noExec.taint);
  const taints = desired && reconcileTaints(node, desired, now);
  if (taints) {
    return {
      ...(noExec.zones ? { local: { ...local, zones: noExec.zones } } : changed),
      plan: write({ verb: 'update', object: { ...node, spec: { ...node.spec, taints } } as Node }),
      ...(requeue !== undefined ? { requeueAfterMs: requeue } : {}),
      workUnits: 1,
    };
  }

  // 3 and 4: the pods, only on a node that is not Ready or has NoExecute taints.
  const noExecTaints = noExecuteTaints(node);
  const notReady = ready !== undefined && ready.status !== 'True';
  if (!notReady && noExecTaints.length === 0) return { ...changed, ...(requeue !== undefined ? { requeueAfterMs: requeue } : {}), workUnits: 1 };
  const since = taintsSince(name, noExecTaints, local, now);
  const steps: Step[] = [];
  const evicting: string[] = [];
  let scanned = 0;
  for (const pod of snap.byIndex('Pod', 'node', name)) {
    scanned++;
    const marked = notReady ? notReadyPod(pod, now) : undefined;
    const uid = pod.metadata?.uid ?? '';
    let at: number | undefined;
    if (noExecTaints.length > 0 && pod.metadata?.deletionTimestamp === undefined && !local.evicted.has(uid)) {
      at = evictionTime(pod, noExecTaints, since, now);
      if (at !== undefined && at > now) { requeue = minDelay(requeue, at - now); at = undefined; }
    }
    if (at !== undefined) {
      steps.push(evict(pod, marked, now));
      evicting.push(uid);
    } else if (marked) steps.push(statusWrite(marked, { onSuccess: NODE_NOT_READY(pod) }));
  }
  const result: Result = { ...changed, ...(requeue !== undefined ? { requeueAfterMs: requeue } : {}), workUnits: scanned + 1 };
  if (steps.length === 0) return result;
  let evicted = local.evicted;
  for (const uid of evicting) evicted = evicted.set(uid, true);
  return {
    ...result,
    plan: par(...steps),
    ...(evicting.length > 0 ? {
      local: { ...local, evicted },
      // An eviction whose delete did not go through is tried again on the next sync.
      onDone: (o: PlanOutcome, l: NodeLifecycleLocal) => {
        let e = l.evicted;
        for (const uid of evicting) if (!o.succeeded.has(evictTag(uid))) e = e.delete(uid);
        return e === l.evicted ? l : { ...l, evicted: e };
      },
    } : {}),
  };
};
