import { conditionGeneration, isTerminal, updatePodCondition, type Pod } from '@kubesim/api';
import type { ReconcileInput, ReconcileResult } from '../framework/component.js';
import { par, seq, write, type PlanOutcome, type Step } from '../framework/plan.js';
import {
  MESSAGE_NODE_GONE, NODE_KEY_PREFIX, REASON_DELETION_BY_POD_GC, TERMINATED_KEY, isEvicted, isOutOfService, isPodTerminated,
  type PodGcConfig, type PodGcLocal,
} from './types.js';

type Input = ReconcileInput<PodGcConfig, PodGcLocal>;
type Result = ReconcileResult<PodGcLocal>;
type PodCondition = NonNullable<NonNullable<Pod['status']>['conditions']>[number];

const deleteTag = (uid: string): string => `gc:${uid}`;

/**
 * [markFailedAndDeletePodWithCondition]: a pod that has not finished is first patched to phase Failed
 * (with the condition, if any) — no kubelet will ever do it — then force-deleted (grace 0).
 */
export const markFailedAndDelete = (pod: Pod, condition: PodCondition | undefined, now: number): Step => {
  const ns = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const uid = pod.metadata?.uid ?? '';
  const status: Record<string, unknown> = { phase: 'Failed' };
  // [podutil.UpdatePodCondition]: replaced (its transition time kept when the status is the same) or appended.
  if (condition) status.conditions = (updatePodCondition(pod, { ...condition, ...conditionGeneration(pod) }, now) ?? pod).status?.conditions ?? [];
  return seq(
    isTerminal(pod) ? undefined : write({
      verb: 'patch', kind: 'Pod', namespace: ns, name, subresource: 'status', patch: { status },
      resourceVersion: pod.metadata?.resourceVersion ?? '',
    }, { ignore: ['NotFound'] }),
    write({ verb: 'delete', kind: 'Pod', namespace: ns, name, gracePeriodSeconds: 0, preconditions: { uid } },
      { tag: deleteTag(uid), ignore: ['NotFound'] }),
  );
};

/** Force-delete these pods (those not already being force-deleted), remembering them until they are gone. */
const forceDelete = (pods: readonly Pod[], condition: PodCondition | undefined, input: Input, scanned: number): Result => {
  const { local, now } = input;
  const todo = pods.filter((p) => !local.deleting.has(p.metadata?.uid ?? ''));
  if (todo.length === 0) return { workUnits: scanned };
  let deleting = local.deleting;
  const uids = todo.map((p) => p.metadata?.uid ?? '');
  for (const uid of uids) deleting = deleting.set(uid, true);
  return {
    plan: par(...todo.map((p) => markFailedAndDelete(p, condition, now))),
    local: { ...local, deleting },
    onDone: (o: PlanOutcome, l: PodGcLocal) => {
      let d = l.deleting;
      for (const uid of uids) if (!o.succeeded.has(deleteTag(uid))) d = d.delete(uid);
      return d === l.deleting ? l : { ...l, deleting: d };
    },
    workUnits: scanned,
  };
};

/**
 * [gcOrphaned] for one node that does not exist: its pods are quarantined for `quarantineMs` from when
 * the collector first finds them (the node may show up in the cache late), then marked Failed with a
 * DisruptionTarget condition and force-deleted. [gcTerminating] for an existing node that is not Ready
 * and tainted `node.kubernetes.io/out-of-service`: its terminating pods are force-deleted.
 */
const syncNodePods = (input: Input, node: string): Result => {
  const { snapshot: snap, local, now, config } = input;
  const obj = snap.get('Node', '', node);
  const pods = [...snap.byIndex('Pod', 'node', node)];
  const scanned = pods.length + 1;
  if (obj) {
    if (!isOutOfService(obj)) return { workUnits: scanned };
    return forceDelete(pods.filter((p) => p.metadata?.deletionTimestamp !== undefined), undefined, input, scanned);
  }
  if (pods.length === 0) {
    if (!local.missing.has(node)) return { workUnits: 1 };
    const missing = new Map(local.missing);
    missing.delete(node);
    return { local: { ...local, missing }, workUnits: 1 };
  }
  const since = local.missing.get(node);
  if (since === undefined) {
    return { local: { ...local, missing: new Map(local.missing).set(node, now) }, requeueAfterMs: config.quarantineMs, workUnits: scanned };
  }
  if (now < since + config.quarantineMs) return { requeueAfterMs: since + config.quarantineMs - now, workUnits: scanned };
  const condition: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: REASON_DELETION_BY_POD_GC, message: MESSAGE_NODE_GONE };
  return forceDelete(pods, condition, input, scanned);
};

/** [gcUnscheduledTerminating]: a terminating pod never bound to a node is force-deleted. */
const syncUnscheduled = (input: Input, namespace: string, name: string): Result => {
  const pod = input.snapshot.get('Pod', namespace, name);
  if (!pod || pod.metadata?.deletionTimestamp === undefined || pod.spec?.nodeName) return { workUnits: 1 };
  return forceDelete([pod], undefined, input, 1);
};

/**
 * [gcTerminated]: past the threshold, the oldest terminated pods — evicted ones first, then by creation
 * time, then name — are deleted (grace 0), as many as exceed it.
 */
const syncTerminated = (input: Input): Result => {
  const threshold = input.config.terminatedPodThreshold;
  if (threshold <= 0) return { workUnits: 1 };
  const pods = [...input.snapshot.list('Pod')];
  const terminated = pods.filter(isPodTerminated);
  const excess = terminated.length - threshold;
  if (excess <= 0) return { workUnits: pods.length };
  terminated.sort((a, b) => {
    const ea = isEvicted(a), eb = isEvicted(b);
    if (ea !== eb) return ea ? -1 : 1;
    const ta = a.metadata?.creationTimestamp ?? '', tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    const na = a.metadata?.name ?? '', nb = b.metadata?.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  return forceDelete(terminated.slice(0, excess), undefined, input, pods.length);
};

/**
 * The pod garbage collector's sync of one key (§1.13): event-driven with timers instead of Kubernetes'
 * 20 s loop over every pod, so nothing runs and nothing is written while no node is gone or out of service.
 */
export const syncPodGc = (input: Input): Result => {
  const { key } = input;
  if (key === TERMINATED_KEY) return syncTerminated(input);
  if (key.startsWith(NODE_KEY_PREFIX)) return syncNodePods(input, key.slice(NODE_KEY_PREFIX.length));
  const slash = key.indexOf('/');
  return syncUnscheduled(input, key.slice(0, slash), key.slice(slash + 1));
};
