import { conditionGeneration, parseTimestamp, timestamp, updatePodCondition, type Node, type Pod } from '@kubesim/api';
import type { ReconcileInput, ReconcileResult } from '../framework/component.js';
import { event, par, seq, write, type EventSpec, type PlanOutcome, type Step } from '../framework/plan.js';
import { involvedOf } from '../framework/recorder.js';
import { toleratesTaint } from '../scheduler/filters.js';
import {
  MESSAGE_DELETION_BY_TAINT_MANAGER, MESSAGE_KUBELET_READY, MESSAGE_NODE_STATUS_UNKNOWN, REASON_DELETION_BY_TAINT_MANAGER,
  REASON_KUBELET_READY, REASON_NODE_STATUS_UNKNOWN, TAINT_NOT_READY, TAINT_UNREACHABLE, lastHeartbeatOf, noExecuteTaints, readyCondition, taintSeenKey,
  type NodeCondition, type NodeLifecycleConfig, type NodeLifecycleLocal, type Taint, type Toleration,
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

/**
 * [doNoScheduleTaintingPass + processTaintBaseEviction / markNodeAsReachable] for the Ready condition:
 * False → `not-ready`, Unknown → `unreachable`, each with NoSchedule and NoExecute (the two are mutually
 * exclusive); True → neither. A node without a Ready condition is left alone.
 */
export const desiredConditionTaints = (node: Node): Taint[] | undefined => {
  const ready = readyCondition(node);
  if (!ready) return undefined;
  const key = ready.status === 'False' ? TAINT_NOT_READY : ready.status === 'Unknown' ? TAINT_UNREACHABLE : undefined;
  return key ? [{ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute' }] : [];
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
  const { snapshot: snap, key: name, now, config, local } = input;
  const node = snap.get('Node', '', name);
  if (!node) return {};
  const ready = readyCondition(node);
  let requeue: number | undefined;

  // 1. health
  const lastHeartbeat = lastHeartbeatOf(local, name);
  if (lastHeartbeat !== undefined && ready) {
    const deadline = lastHeartbeat + config.nodeMonitorGracePeriodMs;
    if (now < deadline) requeue = deadline - now;
    else if (ready.status !== 'Unknown') {
      const pods = [...snap.byIndex('Pod', 'node', name)];
      const wasReady = ready.status === 'True';
      return {
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
      plan: write({ verb: 'update', subresource: 'status', object: healthyStatus(node, now) },
        { onSuccess: nodeEvent(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`) }),
      workUnits: 1,
    };
  }

  // 2. condition taints
  const desired = desiredConditionTaints(node);
  const taints = desired && reconcileTaints(node, desired, now);
  if (taints) {
    return { plan: write({ verb: 'update', object: { ...node, spec: { ...node.spec, taints } } as Node }), workUnits: 1 };
  }

  // 3 and 4: the pods, only on a node that is not Ready or has NoExecute taints.
  const noExec = noExecuteTaints(node);
  const notReady = ready !== undefined && ready.status !== 'True';
  if (!notReady && noExec.length === 0) return { ...(requeue !== undefined ? { requeueAfterMs: requeue } : {}), workUnits: 1 };
  const since = taintsSince(name, noExec, local, now);
  const steps: Step[] = [];
  const evicting: string[] = [];
  let scanned = 0;
  for (const pod of snap.byIndex('Pod', 'node', name)) {
    scanned++;
    const marked = notReady ? notReadyPod(pod, now) : undefined;
    const uid = pod.metadata?.uid ?? '';
    let at: number | undefined;
    if (noExec.length > 0 && pod.metadata?.deletionTimestamp === undefined && !local.evicted.has(uid)) {
      at = evictionTime(pod, noExec, since, now);
      if (at !== undefined && at > now) { requeue = minDelay(requeue, at - now); at = undefined; }
    }
    if (at !== undefined) {
      steps.push(evict(pod, marked, now));
      evicting.push(uid);
    } else if (marked) steps.push(statusWrite(marked, { onSuccess: NODE_NOT_READY(pod) }));
  }
  const result: Result = { ...(requeue !== undefined ? { requeueAfterMs: requeue } : {}), workUnits: scanned + 1 };
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
