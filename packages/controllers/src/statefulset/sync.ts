import {
  compileSelector, controllerRefOf, isAvailable, podReadyCondition, isRunningAndReady,
  isTerminating, isUnavailable, newControllerRef,
  type ApiError, type ControllerRevision, type PersistentVolumeClaim, type Pod, type StatefulSet, type KObject,
} from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import { involvedOf } from '../framework/recorder.js';
import { event, fail, par, seq, write, type PlanOutcome, type Step } from '../framework/plan.js';
import type { ReconcileResult } from '../framework/component.js';
import {
  claimNamesForOrdinal, claimsForOrdinal, isMemberOf, isParallel, minReadySecondsOf, ordinalOfPod, podInOrdinalRange, podRevision, replicasOf,
  setName, setNamespace, startOrdinal,
} from './helpers.js';
import { applyRevision, chooseRevisions, listRevisions, type RevisionChoice } from './revision.js';
import { identityMatches, newVersionedStatefulSetPod, repairedPod, storageMatches } from './pod.js';
import { claimWithPolicyRefs, hasConflictingController, isClaimOwnerUpToDate, podClaimIsStale } from './retention.js';
import { claimEvent, claimFailedEvent, conflictingControllerEvent, podEvent, podFailedEvent, type Involved } from './events.js';
import { getMaxUnavailable } from './maxunavailable.js';

export interface StatefulSetConfig {
  /** Cap of a slow-start batch (MaxBatchSize). */
  readonly maxBatch: number;
  /**
   * Feature gate MaxUnavailableStatefulSet (beta and on by default since 1.35): rolling updates honour
   * `maxUnavailable`; off, the legacy loop deletes one pod at a time (§1.7).
   */
  readonly maxUnavailableStatefulSet?: boolean;
  /**
   * Kubernetes 1.36 (PR #136833): an OnDelete set's `currentRevision` advances when every pod runs the
   * update revision, as a RollingUpdate's does (§1.11); up to 1.35 it never does.
   */
  readonly onDeleteCompletesUpdate?: boolean;
}
export const defaultStatefulSetConfig: StatefulSetConfig = { maxBatch: 500 };

type Status = NonNullable<StatefulSet['status']>;

interface Ctx {
  readonly snap: Snapshot;
  readonly set: StatefulSet;
  readonly updateSet: StatefulSet;
  readonly on: Involved;
  readonly monotonic: boolean;
  readonly now: number;
}

/** What one processReplica / processCondemned call does. */
interface Step1 { readonly steps: readonly Step[]; readonly exit: boolean }
const NOTHING: Step1 = { steps: [], exit: false };

type Claims = readonly (PersistentVolumeClaim | undefined)[];
const NO_CLAIMS: Claims = [];

/** The claims of `names` as the cache has them (undefined when missing). */
const lookupClaims = (c: Ctx, names: readonly string[]): Claims => {
  if (names.length === 0) return NO_CLAIMS;
  const ns = setNamespace(c.set);
  return names.map((name) => c.snap.get('PersistentVolumeClaim', ns, name));
};

/** The pod's claims by the names of `set`'s templates. */
const claimsOf = (c: Ctx, pod: Pod, set: StatefulSet): Claims => lookupClaims(c, claimNamesForOrdinal(set, ordinalOfPod(pod)));

const sameNames = (a: readonly string[], b: readonly string[]): boolean => {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * One pod's claims, looked up once per sync of the pod: by the set's template names and, when they
 * differ, by the update revision's.
 */
class PodClaims {
  private own: Claims | undefined;
  private upd: Claims | undefined;
  readonly names: readonly string[];
  readonly ordinal: number;
  constructor(private readonly c: Ctx, pod: Pod) {
    this.ordinal = ordinalOfPod(pod);
    this.names = claimNamesForOrdinal(c.set, this.ordinal);
  }
  forSet(): Claims { return (this.own ??= lookupClaims(this.c, this.names)); }
  forUpdate(): Claims {
    if (this.upd === undefined) {
      const names = claimNamesForOrdinal(this.c.updateSet, this.ordinal);
      this.upd = sameNames(names, this.names) ? this.forSet() : lookupClaims(this.c, names);
    }
    return this.upd;
  }
}

/** [SPC createPersistentVolumeClaims]: missing claims are created; a claim being deleted is an error. */
const NO_STEPS: readonly Step[] = [];

const createClaims = (c: Ctx, pod: Pod, verb: 'create' | 'update', pc: PodClaims): readonly Step[] => {
  const names = pc.names, curs = pc.forSet();
  // Nothing to do when every claim exists and none is being deleted (the common case): no allocation.
  let work = false;
  for (let i = 0; i < names.length && !work; i++) work = curs[i] === undefined || isTerminating(curs[i]!);
  if (!work) return NO_STEPS;
  const out: Step[] = [];
  const podName = pod.metadata!.name!;
  const sname = setName(c.set);
  let built: PersistentVolumeClaim[] | undefined;
  for (let index = 0; index < names.length; index++) {
    const cname = names[index]!, cur = curs[index];
    if (cur === undefined) {
      built ??= claimsForOrdinal(c.set, ordinalOfPod(pod));
      out.push(write({ verb: 'create', object: built[index]! as KObject }, {
        onSuccess: claimEvent(cname, podName, sname, c.on),
        onFailure: (e) => (e.reason === 'AlreadyExists' ? undefined : claimFailedEvent(cname, podName, sname, c.on, e)),
      }));
    } else if (isTerminating(cur)) {
      const message = `pvc ${cname} is being deleted`;
      out.push(fail(message, podFailedEvent(verb, podName, sname, c.on, { message })));
      return out;
    }
  }
  return out;
};

/** [SPC UpdatePodClaimForRetentionPolicy] with the claims as the cache has them (`curs`: by `set`'s names). */
const claimRefUpdates = (c: Ctx, set: StatefulSet, pod: Pod, curs: Claims): readonly Step[] => {
  let out: Step[] | undefined;
  for (const cur of curs) {
    if (!cur) continue; // "Expected claim missing, continuing to pick up in next iteration"
    if (hasConflictingController(cur, set, pod)) (out ??= []).push(event(conflictingControllerEvent(cur.metadata!.name!, c.on)));
    if (isClaimOwnerUpToDate(cur, set, pod)) continue;
    const fixed = claimWithPolicyRefs(cur, set, pod);
    if (fixed) (out ??= []).push(write({ verb: 'update', object: fixed as KObject }));
  }
  return out ?? NO_STEPS;
};

const claimsMatchPolicy = (set: StatefulSet, pod: Pod, curs: Claims): boolean => {
  for (const cur of curs) if (cur !== undefined && !isClaimOwnerUpToDate(cur, set, pod)) return false;
  return true;
};

const deletePod = (c: Ctx, pod: Pod, tag?: string): Step => write(
  { verb: 'delete', kind: 'Pod', namespace: setNamespace(c.set), name: pod.metadata!.name! },
  {
    ...(tag ? { tag } : {}),
    onSuccess: podEvent('delete', pod.metadata!.name!, setName(c.set), c.on),
    onFailure: (e) => podFailedEvent('delete', pod.metadata!.name!, setName(c.set), c.on, e),
  },
);

/** [SSC processReplica] (§1.5 P1–P8). */
const processReplica = (c: Ctx, pod: Pod): Step1 => {
  const sname = setName(c.set);
  const name = pod.metadata!.name!;
  const phase = pod.status?.phase ?? '';
  if (phase === 'Failed' || phase === 'Succeeded') {
    return { steps: isTerminating(pod) ? [] : [deletePod(c, pod)], exit: true };
  }
  const steps: Step[] = [];
  const pc = new PodClaims(c, pod);
  if (phase === '') {
    if (podClaimIsStale(pc.forSet(), c.set, pod)) return { steps: [], exit: true };
    const claimSteps = createClaims(c, pod, 'create', pc);
    steps.push(...claimSteps);
    if (claimSteps.some((x) => x.kind === 'fail')) return { steps: [seq(...steps)], exit: true };
    steps.push(write({ verb: 'create', object: pod as KObject }, {
      onSuccess: podEvent('create', name, sname, c.on),
      onFailure: (e: ApiError) => (e.reason === 'AlreadyExists' ? undefined : podFailedEvent('create', name, sname, c.on, e)),
    }));
    steps.push(...claimRefUpdates(c, c.set, pod, pc.forSet()));
    if (c.monotonic) return { steps: [seq(...steps)], exit: true };
    return { steps: [seq(...steps)], exit: false };
  }
  if (phase === 'Pending') {
    for (const s of createClaims(c, pod, 'create', pc)) steps.push(s);
    for (const s of claimRefUpdates(c, c.set, pod, pc.forSet())) steps.push(s);
  }
  if (c.monotonic) {
    if (isTerminating(pod) || !isRunningAndReady(pod) || !isAvailable(pod, minReadySecondsOf(c.set), c.now)) {
      return { steps: steps.length ? [seq(...steps)] : [], exit: true };
    }
  }
  const retentionMatch = claimsMatchPolicy(c.updateSet, pod, pc.forUpdate());
  const storageOk = storageMatches(c.set, pod, pc.names, pc.ordinal);
  if (identityMatches(c.set, pod) && storageOk && retentionMatch) {
    return steps.length ? { steps: [seq(...steps)], exit: false } : NOTHING;
  }
  // [SPC UpdateStatefulPod]
  const upd: Step[] = [];
  if (!storageOk) upd.push(...createClaims(c, pod, 'update', pc));
  if (!retentionMatch) upd.push(...claimRefUpdates(c, c.updateSet, pod, pc.forUpdate()));
  upd.push(write({ verb: 'update', object: repairedPod(c.set, pod) as KObject }, {
    onSuccess: podEvent('update', name, sname, c.on),
    onFailure: (e) => podFailedEvent('update', name, sname, c.on, e),
  }));
  return { steps: [seq(...steps, seq(...upd))], exit: false };
};

/** [SSC processCondemned] (§1.5 C1–C4). */
const processCondemned = (c: Ctx, pod: Pod, firstUnavailable: Pod | undefined): Step1 => {
  if (isTerminating(pod)) return c.monotonic ? { steps: [], exit: true } : NOTHING;
  if (c.monotonic && pod !== firstUnavailable
    && (!isRunningAndReady(pod) || !isAvailable(pod, minReadySecondsOf(c.set), c.now))) {
    return { steps: [], exit: true };
  }
  return { steps: [deletePod(c, pod)], exit: true };
};

/**
 * [SSC runForAll]: monotonic = one after another, stopping at the first exit; burst = slow-start
 * batches over the indexes (1, 2, 4, …), all members of a batch concurrent.
 */
const runForAll = (c: Ctx, n: number, fn: (i: number) => Step1, maxBatch: number): { step: Step | undefined; exit: boolean } => {
  if (c.monotonic) {
    const steps: Step[] = [];
    for (let i = 0; i < n; i++) {
      const r = fn(i);
      steps.push(...r.steps);
      if (r.exit) return { step: seq(...steps), exit: true };
    }
    return { step: steps.length ? seq(...steps) : undefined, exit: false };
  }
  const batches: Step[] = [];
  let size = 1;
  for (let i = 0; i < n;) {
    const end = Math.min(i + Math.min(size, maxBatch), n);
    const members: Step[] = [];
    for (let j = i; j < end; j++) {
      const r = fn(j);
      if (r.steps.length === 1) members.push(r.steps[0]!);
      else if (r.steps.length > 1) members.push(seq(...r.steps));
    }
    if (members.length > 0) batches.push(par(...members));
    i = end;
    size *= 2;
  }
  return { step: batches.length ? seq(...batches) : undefined, exit: false };
};

interface Counts { replicas: number; readyReplicas: number; availableReplicas: number; currentReplicas: number; updatedReplicas: number }

/** [SSC computeReplicaStatus] over created pods. */
const countPods = (pods: Iterable<Pod>, set: StatefulSet, current: string, update: string, now: number): Counts => {
  const s: Counts = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  const mrs = minReadySecondsOf(set);
  for (const p of pods) {
    // isCreated, isRunningAndReady and isAvailable with the phase and Ready condition read once.
    const phase = p.status?.phase ?? '';
    const created = phase !== '';
    if (created) s.replicas++;
    if (phase === 'Running') {
      const ready = podReadyCondition(p);
      if (ready?.status === 'True') {
        s.readyReplicas++;
        if (mrs === 0 || isAvailable(p, mrs, now)) s.availableReplicas++;
      }
    }
    if (created && !isTerminating(p)) {
      const r = podRevision(p);
      if (r === current) s.currentReplicas++;
      if (r === update) s.updatedReplicas++;
    }
  }
  return s;
};

/** §1.11 completion rule and write suppression. */
const completeRollingUpdate = (set: StatefulSet, st: Status, onDeleteToo = false): Status => {
  const want = replicasOf(set);
  const type = set.spec?.updateStrategy?.type;
  if ((type === 'RollingUpdate' || (onDeleteToo && type === 'OnDelete')) && st.updatedReplicas === want && st.readyReplicas === want && st.replicas === want) {
    return { ...st, currentReplicas: st.updatedReplicas, currentRevision: st.updateRevision };
  }
  return st;
};

const inconsistentStatus = (set: StatefulSet, st: Status): boolean => {
  const o = set.status ?? { replicas: 0 };
  return (st.observedGeneration ?? 0) > (o.observedGeneration ?? 0)
    || st.replicas !== (o.replicas ?? 0)
    || (st.currentReplicas ?? 0) !== (o.currentReplicas ?? 0)
    || (st.readyReplicas ?? 0) !== (o.readyReplicas ?? 0)
    || (st.updatedReplicas ?? 0) !== (o.updatedReplicas ?? 0)
    || st.currentRevision !== o.currentRevision
    || (st.availableReplicas ?? 0) !== (o.availableReplicas ?? 0)
    || st.updateRevision !== o.updateRevision;
};

/** [SSC truncateHistory]: delete non-live revisions, oldest first, beyond revisionHistoryLimit. */
const truncateHistory = (set: StatefulSet, pods: readonly Pod[], revisions: readonly ControllerRevision[], choice: RevisionChoice): Step[] => {
  const live = new Set<string>([choice.current.metadata!.name!, choice.update.metadata!.name!]);
  for (const p of pods) live.add(podRevision(p));
  const history = revisions.filter((r) => !live.has(r.metadata!.name!));
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  if (limit < 0 || history.length <= limit) return [];
  return history.slice(0, history.length - limit).map((r) =>
    write({ verb: 'delete', kind: 'ControllerRevision', namespace: setNamespace(set), name: r.metadata!.name! }));
};

/** [SS getPodsForStatefulSet + CRM ClaimPods]: adopt matching orphans, release owned pods that no longer match. */
const claimPods = (snap: Snapshot, set: StatefulSet): { pods: Pod[]; writes: Step[] } => {
  const uid = set.metadata?.uid ?? '';
  const ns = setNamespace(set);
  const sel = compileSelector(set.spec?.selector);
  const deleting = isTerminating(set);
  const pods: Pod[] = [];
  const writes: Step[] = [];
  const match = (p: Pod) => sel.matches(p.metadata?.labels) && isMemberOf(set, p);
  for (const p of snap.byIndex('Pod', 'controllerUid', uid)) {
    if (match(p)) { pods.push(p); continue; }
    if (deleting) continue;
    const refs = (p.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
    writes.push(write({ verb: 'patch', kind: 'Pod', namespace: ns, name: p.metadata!.name!, resourceVersion: p.metadata!.resourceVersion!, patch: { metadata: { ownerReferences: refs.length ? refs : null } } }, { tag: 'claim', ignore: ['NotFound'] }));
  }
  if (!deleting) {
    for (const p of snap.byIndex('Pod', 'controllerUid', `orphan:${ns}`)) {
      if (!match(p) || isTerminating(p) || (p.metadata?.namespace ?? '') !== ns) continue;
      const refs = [...(p.metadata?.ownerReferences ?? []), newControllerRef({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata! })];
      writes.push(write({ verb: 'patch', kind: 'Pod', namespace: ns, name: p.metadata!.name!, resourceVersion: p.metadata!.resourceVersion!, patch: { metadata: { ownerReferences: refs } } }, { tag: 'claim', ignore: ['NotFound'] }));
      pods.push({ ...p, metadata: { ...p.metadata, ownerReferences: refs } });
    }
  }
  return { pods, writes };
};

/** One sync of one StatefulSet (§1.5). Pure: the plan, the status finalizer and the requeue. */
export const syncStatefulSet = (snap: Snapshot, namespace: string, name: string, now: number, config: StatefulSetConfig): ReconcileResult<undefined> => {
  const set = snap.get('StatefulSet', namespace, name);
  if (!set) return {};
  if (set.spec?.selector === undefined) return {};
  const on = involvedOf(set);
  const revisions = listRevisions(snap, set);
  const pre: Step[] = [];
  // Adopt orphan ControllerRevisions.
  const orphans = revisions.filter((r) => controllerRefOf(r.metadata) === undefined);
  if (orphans.length > 0) {
    if (isTerminating(set)) return { error: `can't adopt ControllerRevisions: statefulset ${namespace}/${name} has just been deleted` };
    for (const r of orphans) {
      const refs = [...(r.metadata?.ownerReferences ?? []), newControllerRef({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata! })];
      pre.push(write({ verb: 'patch', kind: 'ControllerRevision', namespace, name: r.metadata!.name!, resourceVersion: r.metadata!.resourceVersion!, patch: { metadata: { ownerReferences: refs } } }, { tag: 'claim', ignore: ['NotFound'] }));
    }
  }
  const claimed = claimPods(snap, set);
  pre.push(...claimed.writes);
  const pods = claimed.pods;

  // Revisions.
  const choice = chooseRevisions(set, revisions, snap);
  if (choice.action.kind === 'create') pre.push(write({ verb: 'create', object: choice.action.revision as KObject }, { tag: 'revision', ignore: ['AlreadyExists'] }));
  if (choice.action.kind === 'rollback') pre.push(write({ verb: 'update', object: choice.action.revision as KObject }, { tag: 'revision' }));
  const currentName = choice.current.metadata!.name!;
  const updateName = choice.update.metadata!.name!;
  const currentSet = applyRevision(set, choice.current);
  const updateSet = applyRevision(set, choice.update);
  const monotonic = !isParallel(set);
  const c: Ctx = { snap, set, updateSet, on, monotonic, now };

  // U3–U6: partition into replicas and condemned.
  const start = startOrdinal(set);
  const count = replicasOf(set);
  const replicas: (Pod | undefined)[] = new Array<Pod | undefined>(count);
  const condemned: Pod[] = [];
  for (const p of pods) {
    const o = ordinalOfPod(p);
    if (podInOrdinalRange(p, set)) replicas[o - start] = p;
    else if (o >= 0) condemned.push(p);
  }
  const existing: Pod[] = [];
  for (let i = 0; i < count; i++) {
    const p = replicas[i];
    if (p) existing.push(p);
    else replicas[i] = newVersionedStatefulSetPod(currentSet, updateSet, currentName, updateName, start + i);
  }
  const all = replicas as Pod[];
  condemned.sort((a, b) => ordinalOfPod(b) - ordinalOfPod(a));
  const mrs = minReadySecondsOf(set);
  let firstUnavailable: Pod | undefined;
  for (const p of all) if (isUnavailable(p, mrs, now)) { firstUnavailable = p; break; }
  if (!firstUnavailable) {
    for (let i = condemned.length - 1; i >= 0; i--) if (isUnavailable(condemned[i]!, mrs, now)) { firstUnavailable = condemned[i]; break; }
  }

  const base = countPods([...existing, ...condemned], set, currentName, updateName, now);
  const main: Step[] = [];
  const updateTags: string[] = [];
  if (!isTerminating(set)) {
    const phase1 = runForAll(c, all.length, (i) => processReplica(c, all[i]!), config.maxBatch);
    if (phase1.step) main.push(phase1.step);
    if (!phase1.exit) {
      const phase2 = runForAll(c, condemned.length, (i) => {
        const p = condemned[i]!;
        const curs = claimsOf(c, p, updateSet);
        return claimsMatchPolicy(updateSet, p, curs) ? NOTHING : { steps: claimRefUpdates(c, updateSet, p, curs), exit: false };
      }, config.maxBatch);
      if (phase2.step) main.push(phase2.step);
      const phase3 = runForAll(c, condemned.length, (i) => processCondemned(c, condemned[i]!, firstUnavailable), config.maxBatch);
      if (phase3.step) main.push(phase3.step);
      if (!phase3.exit && set.spec?.updateStrategy?.type !== 'OnDelete') {
        main.push(...(config.maxUnavailableStatefulSet === false ? legacyRollingUpdate : rollingUpdate)(c, all, updateName, updateTags));
      }
    }
  }

  const statusBase: Status = {
    ...(set.status?.conditions ? { conditions: set.status.conditions } : {}),
    observedGeneration: set.metadata?.generation ?? 0,
    replicas: base.replicas,
    readyReplicas: base.readyReplicas,
    currentReplicas: base.currentReplicas,
    updatedReplicas: base.updatedReplicas,
    currentRevision: currentName,
    updateRevision: updateName,
    collisionCount: choice.collisionCount,
    availableReplicas: base.availableReplicas,
  };
  const finalize = (o: PlanOutcome): Step | undefined => {
    if (o.failed.has('claim')) return undefined; // getPodsForStatefulSet failed: no status write
    const tail: Step[] = [];
    if (!o.failed.has('revision')) {
      const deleted = updateTags.filter((t) => o.succeeded.has(t)).length;
      const st = completeRollingUpdate(set, { ...statusBase, currentReplicas: (statusBase.currentReplicas ?? 0) - deleted }, config.onDeleteCompletesUpdate === true);
      if (inconsistentStatus(set, st)) {
        tail.push(write({ verb: 'update', subresource: 'status', object: { ...set, metadata: { ...set.metadata, resourceVersion: undefined }, status: st } as KObject }));
      }
    }
    tail.push(...truncateHistory(set, [...existing, ...condemned], revisions, choice));
    return tail.length ? seq(...tail) : undefined;
  };
  const requeueAfterMs = mrs > 0 && statusBase.availableReplicas !== replicasOf(set) ? mrs * 1000 : undefined;
  return {
    plan: seq(...pre, ...main),
    finalize,
    workUnits: pods.length + revisions.length + 1,
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
  };
};

/**
 * The legacy variant (gate MaxUnavailableStatefulSet off) [SSC updateStatefulSet tail]: from the highest
 * ordinal down to the partition, delete the first pod that is not at the update revision and not
 * terminating, and stop; an unavailable pod met before it stops the walk (wait for it).
 */
const legacyRollingUpdate = (c: Ctx, replicas: readonly Pod[], updateName: string, tags: string[]): Step[] => {
  const updateMin = c.set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  const mrs = minReadySecondsOf(c.set);
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const p = replicas[target]!;
    if (podRevision(p) !== updateName && !isTerminating(p)) {
      const tag = `upd:${p.metadata!.name!}`;
      tags.push(tag);
      return [{ ...(deletePod(c, p, tag) as Step & object), ignore: ['NotFound'] } as Step];
    }
    if (isUnavailable(p, mrs, c.now)) return [];
  }
  return [];
};

/** U14, the MaxUnavailableStatefulSet variant (1.35 default) [SSC updateStatefulSetAfterInvariantEstablished]. */
const rollingUpdate = (c: Ctx, replicas: readonly Pod[], updateName: string, tags: string[]): Step[] => {
  const set = c.set;
  const ru = set.spec?.updateStrategy?.rollingUpdate;
  const updateMin = ru?.partition ?? 0;
  const maxUnavailable = ru ? getMaxUnavailable(ru.maxUnavailable, replicasOf(set)) : 1;
  const mrs = minReadySecondsOf(set);
  let unavailable = 0;
  for (const p of replicas) if (isUnavailable(p, mrs, c.now)) unavailable++;
  if (unavailable > maxUnavailable) return [];
  const toDelete = maxUnavailable - unavailable;
  const steps: Step[] = [];
  for (let target = replicas.length - 1; target >= updateMin && steps.length < toDelete; target--) {
    const p = replicas[target]!;
    if (podRevision(p) !== updateName && !isTerminating(p)) {
      const tag = `upd:${p.metadata!.name!}`;
      tags.push(tag);
      steps.push({ ...(deletePod(c, p, tag) as Step & object), ignore: ['NotFound'] } as Step);
    }
  }
  return steps.length ? [seq(...steps)] : [];
};
