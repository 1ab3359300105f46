/**
 * The disruption controller ([DisruptionController.trySync] in pkg/controller/disruption): each
 * PodDisruptionBudget's status — the pods it covers, how many are healthy, how many must be, and so how
 * many voluntary disruptions (evictions) it allows now — written when it differs.
 */
import {
  compileSelector, conditionGeneration, isPodReady, isTerminal, parseTimestamp, sameStringMap, pdbConditionsUpToDate, scaledIntOrPercent, splitNsName,
  updatePodCondition, withDisruptionAllowed,
  type LabelSelector, type PdbStatus, type Pod, type PodDisruptionBudget, type ReplicaSet, type StatefulSet,
} from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import type { ReconcileResult } from '../framework/component.js';
import { event, seq, write, type EventSpec, type Step } from '../framework/plan.js';
import { involvedOf } from '../framework/recorder.js';

export const DISRUPTION_CONTROLLER_NAME = 'disruption-controller';

/** DeletionTimeout: an eviction the controller has not seen carried out within this is forgotten. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/**
 * The pods a budget covers for the controller ([getPodsForPdb]): its namespace's, by selector — an
 * empty selector covers every pod (policy/v1), a missing one none.
 */
export const podsOfBudget = (snap: Snapshot, pdb: PodDisruptionBudget): Pod[] => {
  const sel = compileSelector(pdb.spec?.selector);
  const out: Pod[] = [];
  for (const p of snap.list('Pod', pdb.metadata?.namespace ?? '') as Iterable<Pod>) if (sel.matches(p.metadata?.labels)) out.push(p);
  return out;
};

/** The budgets whose status a pod's change may move ([getPdbForPod]; kubesim wakes every match, Kubernetes the first). */
export const budgetsCoveringPod = (snap: Snapshot, pod: Pod): PodDisruptionBudget[] => {
  const out: PodDisruptionBudget[] = [];
  for (const pdb of snap.list('PodDisruptionBudget', pod.metadata?.namespace ?? '') as Iterable<PodDisruptionBudget>) {
    if (compileSelector(pdb.spec?.selector).matches(pod.metadata?.labels)) out.push(pdb);
  }
  return out;
};

/** `&LabelSelector{…}`: how the controller's event prints a selector (the Go type's String()). */
const selectorString = (s: LabelSelector | undefined): string => {
  if (!s) return '&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}';
  const labels = Object.keys(s.matchLabels ?? {}).sort().map((k) => `${k}: ${s.matchLabels![k]!},`).join('');
  const exprs = (s.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
};

/** The scale of a pod's controller ([finders]: ReplicaSet, StatefulSet), matched by uid; undefined when none is found. */
const controllerScale = (snap: Snapshot, pod: Pod, ref: { kind: string; name: string; uid: string }): { uid: string; scale: number } | undefined => {
  const ns = pod.metadata?.namespace ?? '';
  if (ref.kind === 'ReplicaSet' || ref.kind === 'StatefulSet') {
    const c = snap.get(ref.kind, ns, ref.name) as ReplicaSet | StatefulSet | undefined;
    if (c && c.metadata?.uid === ref.uid) return { uid: ref.uid, scale: c.spec?.replicas ?? 1 };
  }
  return undefined;
};

/**
 * [getExpectedPodCount]: an integer minAvailable counts the matching pods; maxUnavailable or a
 * percentage reads the scale of the pods' controllers ([getExpectedScale]: the sum over distinct
 * controllers; pods without one are "unmanaged"; a controller that cannot be found is an error).
 */
const expectedPodCount = (snap: Snapshot, pdb: PodDisruptionBudget, pods: readonly Pod[]):
  { expected: number; desired: number; unmanaged: string[] } | { error: string } => {
  const spec = pdb.spec ?? {};
  const expectedScale = (): { expected: number; unmanaged: string[] } | { error: string } => {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const p of pods) {
      const ref = p.metadata?.ownerReferences?.find((r) => r.controller === true);
      if (!ref) { unmanaged.push(p.metadata?.name ?? ''); continue; }
      if (scales.has(ref.uid)) continue;
      const found = controllerScale(snap, p, ref);
      if (!found) return { error: `found no controllers for pod "${p.metadata?.name ?? ''}"` };
      scales.set(found.uid, found.scale);
    }
    let expected = 0;
    for (const n of scales.values()) expected += n;
    return { expected, unmanaged };
  };
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const e = expectedScale();
    if ('error' in e) return e;
    return { ...e, desired: Math.max(0, e.expected - scaledIntOrPercent(spec.maxUnavailable, e.expected, true)) };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') return { expected: pods.length, desired: spec.minAvailable, unmanaged: [] };
    const e = expectedScale();
    if ('error' in e) return e;
    return { ...e, desired: scaledIntOrPercent(spec.minAvailable, e.expected, true) };
  }
  return { expected: 0, desired: 0, unmanaged: [] };
};

/**
 * [buildDisruptedPodMap]: the evictions the API server approved that are still owed — pods not yet
 * being deleted, within DeletionTimeout; an older one is dropped (event NotDeleted on the pod). Also
 * when the next one falls due.
 */
const disruptedPodMap = (pods: readonly Pod[], pdb: PodDisruptionBudget, now: number): { map: Record<string, string>; recheck?: number; events: EventSpec[] } => {
  const owed = pdb.status?.disruptedPods ?? {};
  const map: Record<string, string> = {};
  const events: EventSpec[] = [];
  let recheck: number | undefined;
  if (Object.keys(owed).length === 0) return { map, events };
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp !== undefined) continue;
    const at = owed[p.metadata?.name ?? ''];
    if (at === undefined) continue;
    const due = (parseTimestamp(at) ?? 0) + DELETION_TIMEOUT_MS;
    if (due < now) {
      events.push({ type: 'Warning', reason: 'NotDeleted', message: `Pod was expected by PDB ${pdb.metadata?.namespace ?? ''}/${pdb.metadata?.name ?? ''} to be deleted but it wasn't`, involved: involvedOf(p) });
    } else {
      recheck = recheck === undefined ? due : Math.min(recheck, due);
      map[p.metadata?.name ?? ''] = at;
    }
  }
  return { map, ...(recheck !== undefined ? { recheck } : {}), events };
};

/** [countHealthyPods]: Ready pods not being deleted and not owed to an eviction. */
const countHealthy = (pods: readonly Pod[], disrupted: Readonly<Record<string, string>>, now: number): number => {
  let n = 0;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp !== undefined) continue;
    const at = disrupted[p.metadata?.name ?? ''];
    if (at !== undefined && (parseTimestamp(at) ?? 0) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(p)) n++;
  }
  return n;
};

const statusWrite = (pdb: PodDisruptionBudget, status: PdbStatus): Step =>
  write({ verb: 'update', subresource: 'status', object: { ...pdb, status } }, { ignore: ['NotFound'] });

/**
 * The budget-level warnings each budget was last told (NoPods, UnmanagedPods, CalculateExpectedPodCountFailed):
 * Kubernetes records them at every sync — every 30 s resync of a budget without pods, forever; kubesim
 * records one when its condition starts, again only after it cleared (a cluster at rest stays still).
 */
export type DisruptionLocal = ReadonlyMap<string, ReadonlySet<string>>;
export const initialDisruptionLocal = (): DisruptionLocal => new Map();

/**
 * [DisruptionController.sync]: trySync; a failure other than a write conflict falls back to
 * [failSafe] — no disruption allowed, condition DisruptionAllowed False/SyncFailed with the error.
 */
export const syncDisruptionBudget = (snap: Snapshot, key: string, now: number, local: DisruptionLocal = new Map()): ReconcileResult<DisruptionLocal> => {
  const { namespace, name } = splitNsName(key);
  const pdb = snap.get('PodDisruptionBudget', namespace, name) as PodDisruptionBudget | undefined;
  if (!pdb) {
    if (!local.has(key)) return {};
    const next = new Map(local);
    next.delete(key);
    return { local: next };
  }
  const events: EventSpec[] = [];
  const told = local.get(key) ?? new Set<string>();
  const tell = new Set<string>();
  /** A budget-level warning: recorded when its condition starts. */
  const warn = (e: EventSpec): void => { tell.add(e.reason); if (!told.has(e.reason)) events.push(e); };
  const withLocal = (r: ReconcileResult<DisruptionLocal>): ReconcileResult<DisruptionLocal> => {
    const same = tell.size === told.size && [...tell].every((x) => told.has(x));
    if (same) return r;
    const next = new Map(local);
    if (tell.size === 0) next.delete(key); else next.set(key, tell);
    return { ...r, local: next };
  };
  const pods = podsOfBudget(snap, pdb);
  const about = involvedOf(pdb);
  if (pods.length === 0) warn({ type: 'Normal', reason: 'NoPods', message: 'No matching pods found', involved: about });
  const counts = expectedPodCount(snap, pdb, pods);
  const workUnits = pods.length + 1;
  if ('error' in counts) {
    warn({ type: 'Warning', reason: 'CalculateExpectedPodCountFailed', message: `Failed to calculate the number of expected pods: ${counts.error}`, involved: about });
    const base: PdbStatus = pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
    const failed = withDisruptionAllowed({ ...base, disruptionsAllowed: 0 }, now, counts.error);
    return withLocal({ plan: seq(...events.map(event), statusWrite(pdb, failed)), workUnits });
  }
  if (counts.unmanaged.length > 0) {
    warn({
      type: 'Warning', reason: 'UnmanagedPods', involved: about,
      message: `Pods selected by this PodDisruptionBudget (selector: ${selectorString(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
    });
  }
  const disrupted = disruptedPodMap(pods, pdb, now);
  events.push(...disrupted.events);
  const currentHealthy = countHealthy(pods, disrupted.map, now);
  // [updatePdbStatus]: no disruption while the budget expects no pods (its first pods may be on their way).
  const allowed = counts.expected <= 0 ? 0 : Math.max(0, currentHealthy - counts.desired);
  const generation = pdb.metadata?.generation ?? 0;
  const st = pdb.status;
  const requeue = disrupted.recheck !== undefined ? { requeueAfterMs: Math.max(0, disrupted.recheck - now) } : {};
  const plan = (status?: Step): Step | undefined => (events.length === 0 && !status ? undefined : seq(...events.map(event), status));
  if (st && st.currentHealthy === currentHealthy && st.desiredHealthy === counts.desired && st.expectedPods === counts.expected
    && st.disruptionsAllowed === allowed && sameStringMap(st.disruptedPods, disrupted.map) && (st.observedGeneration ?? 0) === generation
    && pdbConditionsUpToDate(pdb)) {
    const p = plan();
    return withLocal({ ...(p ? { plan: p } : {}), workUnits, ...requeue });
  }
  const next = withDisruptionAllowed({
    currentHealthy, desiredHealthy: counts.desired, expectedPods: counts.expected, disruptionsAllowed: allowed,
    ...(Object.keys(disrupted.map).length > 0 ? { disruptedPods: disrupted.map } : {}),
    observedGeneration: generation, ...(st?.conditions ? { conditions: st.conditions } : {}),
  }, now);
  return withLocal({ plan: plan(statusWrite(pdb, next)), workUnits, ...requeue });
};

// ---- stale DisruptionTarget conditions ([syncStalePodDisruption]) --------------------------------

/** [DefaultStalePodDisruptionTimeout]: a DisruptionTarget condition on a pod still not being deleted after this is stale. */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60_000;

/** The keys of the controller's second queue (pods with a DisruptionTarget condition): `pod:<namespace>/<name>`. */
export const STALE_POD_KEY_PREFIX = 'pod:';

/** The pod's DisruptionTarget condition when it is True. */
export const disruptionTargetOf = (pod: Pod): NonNullable<NonNullable<Pod['status']>['conditions']>[number] | undefined => {
  const c = pod.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
  return c?.status === 'True' ? c : undefined;
};

/**
 * [nonTerminatingPodHasStaleDisruptionCondition]: a pod that is not being deleted and not terminal whose
 * DisruptionTarget condition is True — set by an eviction (or a preemption, the taint manager, PodGC),
 * not by the kubelet (TerminationByKubelet, which may take arbitrarily long) — and how long until it is
 * stale (0: now; a condition without a transition time is stale at once).
 */
export const staleDisruptionCondition = (pod: Pod, now: number): { readonly cleanAfterMs: number } | undefined => {
  if (pod.metadata?.deletionTimestamp !== undefined) return undefined;
  const c = disruptionTargetOf(pod);
  if (!c || c.reason === 'TerminationByKubelet' || isTerminal(pod)) return undefined;
  const since = parseTimestamp(c.lastTransitionTime);
  return { cleanAfterMs: since === undefined ? 0 : Math.max(0, STALE_POD_DISRUPTION_TIMEOUT_MS - (now - since)) };
};

/**
 * [syncStalePodDisruption]: a pod whose disruption did not happen (an eviction that marked it and then
 * failed to delete it) gets its DisruptionTarget condition set back to False — type, status and
 * observedGeneration only, as Kubernetes writes it — once the condition is stale; before that the key
 * comes back when it will be.
 */
export const syncStalePodDisruption = (snap: Snapshot, key: string, now: number): ReconcileResult<DisruptionLocal> => {
  const { namespace, name } = splitNsName(key.slice(STALE_POD_KEY_PREFIX.length));
  const pod = snap.get('Pod', namespace, name) as Pod | undefined;
  if (!pod) return {};
  const stale = staleDisruptionCondition(pod, now);
  if (!stale) return { workUnits: 1 };
  if (stale.cleanAfterMs > 0) return { requeueAfterMs: stale.cleanAfterMs, workUnits: 1 };
  const updated = updatePodCondition(pod, { type: 'DisruptionTarget', status: 'False', ...conditionGeneration(pod) }, now);
  if (!updated) return { workUnits: 1 };
  return { plan: write({ verb: 'update', subresource: 'status', object: updated }, { ignore: ['NotFound'] }), workUnits: 1 };
};
