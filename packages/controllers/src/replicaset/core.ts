import { controllerRefOf, isPodActive, nsName, splitNsName, type Pod, type ReplicaSet } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import {
  fail, involvedOf, par, seq, slowStart, write, type EventSpec, type PlanOutcome, type ReconcileInput, type ReconcileResult,
  type Step, type WriteStep,
} from '../framework/index.js';
import { claimPods } from './claim.js';
import { creationObserved, deletionObserved, dropExpectations, expectCreations, expectDeletions, expectationsSatisfied } from './expectations.js';
import { NO_LABELS_ERROR, podFromTemplate, rsSelector, templateHasLabels } from './pods.js';
import { podsToDelete } from './ranking.js';
import { availabilityRequeueMs, calculateStatus, countPods, statusUpToDate, type ManageError } from './status.js';
import type { ReplicaSetControllerConfig, ReplicaSetLocal } from './types.js';

/** Index names (declared by the ComponentDef). */
export const POD_CONTROLLER_INDEX = 'controllerUid';
export const RS_CONTROLLER_INDEX = 'controllerUid';
/** podsByControllerUid files orphans under this value. */
export const orphanIndexValue = (namespace: string): string => `orphan:${namespace}`;

/**
 * Placeholder for the created object's name in an event message. The API server generates pod names
 * (`generateName`), so the name is unknown when the plan is built: the host replaces `{{name}}` in the
 * `onSuccess` event of a `create` with `metadata.name` of the object the API server returned.
 */
export const CREATED_NAME = '{{name}}';

export const createTag = (i: number): string => `create:${i}`;
export const deleteTag = (pod: string): string => `delete:${pod}`;
export const STATUS_TAG = 'status';

const podKey = (p: Pod): string => nsName(p.metadata?.namespace, p.metadata?.name ?? '');

/** Active pods controlled by the ReplicaSet (uid) plus active orphans of its namespace, via the index. */
const candidatePods = (snap: Snapshot, rs: ReplicaSet): { pods: Pod[]; scanned: number } => {
  const pods: Pod[] = [];
  let scanned = 0;
  for (const v of [rs.metadata?.uid ?? '', orphanIndexValue(rs.metadata?.namespace ?? '')]) {
    for (const p of snap.byIndex('Pod', POD_CONTROLLER_INDEX, v)) {
      scanned++;
      if (isPodActive(p)) pods.push(p);
    }
  }
  return { pods, scanned };
};

/**
 * [RS getIndirectlyRelatedPods]: pods (in the namespace) selected by any ReplicaSet controlled by the same
 * owner as this one. A ReplicaSet without a controller owner has none (rank rule 5 never decides).
 */
const relatedPods = (snap: Snapshot, rs: ReplicaSet): { pods: Pod[]; scanned: number } => {
  const owner = controllerRefOf(rs.metadata);
  if (!owner) return { pods: [], scanned: 0 };
  const sels = [];
  for (const r of snap.byIndex('ReplicaSet', RS_CONTROLLER_INDEX, owner.uid)) {
    if (r.metadata?.namespace !== rs.metadata?.namespace) continue;
    const s = rsSelector(r);
    if (s) sels.push(s);
  }
  const pods: Pod[] = [];
  let scanned = 0;
  for (const p of snap.list('Pod', rs.metadata?.namespace ?? '')) {
    scanned++;
    if (sels.some((s) => s.matches(p.metadata?.labels))) pods.push(p);
  }
  return { pods, scanned };
};

const createEvents = (rs: ReplicaSet): Pick<WriteStep, 'onSuccess' | 'onFailure'> => {
  const involved = involvedOf(rs);
  return {
    onSuccess: { type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${CREATED_NAME}`, involved },
    onFailure: (err) => ({ type: 'Warning', reason: 'FailedCreate', message: `Error creating: ${err.message}`, involved }),
  };
};

const deleteStep = (rs: ReplicaSet, pod: Pod): WriteStep => {
  const name = pod.metadata?.name ?? '';
  const involved = involvedOf(rs);
  return write(
    { verb: 'delete', kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name },
    {
      tag: deleteTag(name),
      ignore: ['NotFound'],
      onSuccess: { type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${name}`, involved },
      // [CU RealPodControl.DeletePod]: NotFound records nothing.
      onFailure: (err): EventSpec | undefined => (err.reason === 'NotFound'
        ? undefined
        : { type: 'Warning', reason: 'FailedDelete', message: `Error deleting: ${err.message}`, involved }),
    },
  );
};

/** What manageReplicas decided: the plan, the new expectations and how to read its outcome. */
interface Managed {
  readonly plan?: Step;
  readonly local: ReplicaSetLocal;
  /** Tags of the creates/deletes whose expectation must be cancelled unless they succeeded. */
  readonly createTags: readonly string[];
  readonly deleteKeys: readonly (readonly [tag: string, podKey: string])[];
  readonly scanned: number;
}

/** [RS manageReplicas] (k8s-semantics §2.2). */
const manageReplicas = (
  snap: Snapshot, rs: ReplicaSet, key: string, active: readonly Pod[], local: ReplicaSetLocal, now: number, config: ReplicaSetControllerConfig,
): Managed => {
  const uid = rs.metadata?.uid ?? '';
  const diff = active.length - (rs.spec?.replicas ?? 1);
  if (diff < 0) {
    const n = Math.min(-diff, config.burstReplicas);
    if (!templateHasLabels(rs)) {
      // [CU RealPodControl.createPods]: every create fails before any request (no event); slow start stops
      // after the first; all n expected creations are cancelled at once.
      return { plan: fail(NO_LABELS_ERROR), local: expectCreations(local, key, uid, 0, now), createTags: [], deleteKeys: [], scanned: 0 };
    }
    const pod = podFromTemplate(rs);
    const ev = createEvents(rs);
    const tags = Array.from({ length: n }, (_, i) => createTag(i));
    const steps = tags.map((tag) => write({ verb: 'create', object: pod }, { tag, ...ev }));
    return { plan: slowStart(steps), local: expectCreations(local, key, uid, n, now), createTags: tags, deleteKeys: [], scanned: 0 };
  }
  if (diff > 0) {
    const n = Math.min(diff, config.burstReplicas);
    const related = relatedPods(snap, rs);
    const victims = podsToDelete(active, related.pods, n, {
      nowMs: now, podDeletionCost: config.podDeletionCost, logarithmicScaleDown: config.logarithmicScaleDown,
    });
    const keys = victims.map(podKey);
    return {
      plan: par(...victims.map((p) => deleteStep(rs, p))),
      local: expectDeletions(local, key, uid, keys, now),
      createTags: [],
      deleteKeys: victims.map((p, i) => [deleteTag(p.metadata?.name ?? ''), keys[i]!] as const),
      scanned: related.scanned,
    };
  }
  return { local, createTags: [], deleteKeys: [], scanned: 0 };
};

/**
 * One sync of one ReplicaSet [RS syncReplicaSet] (k8s-semantics §2.2):
 * gone → drop expectations; claim active pods (adopt/release patches run first; a failing claim stops the
 * sync before manageReplicas and status, as Kubernetes returns the claim error); manageReplicas only when
 * expectations are satisfied and the set is not being deleted; then the status (in `finalize`, so the
 * ReplicaFailure condition reflects what the writes did), written only when it changed.
 */
export const syncReplicaSet = (input: ReconcileInput<ReplicaSetControllerConfig, ReplicaSetLocal>): ReconcileResult<ReplicaSetLocal> => {
  const { snapshot: snap, key, now, config, local } = input;
  const { namespace, name } = splitNsName(key);
  const rs = snap.get('ReplicaSet', namespace, name);
  if (!rs) {
    const dropped = dropExpectations(local, key);
    return dropped === local ? { workUnits: 0 } : { local: dropped, workUnits: 0 };
  }
  const selector = rsSelector(rs);
  if (!selector) return { workUnits: 1 }; // unconvertible selector: no retry

  const needsSync = expectationsSatisfied(local, key, now, config.expectationsTimeoutMs);
  const cand = candidatePods(snap, rs);
  const { claimed, writes: claimWrites } = claimPods(rs, selector, cand.pods);
  const claimTags = claimWrites.map((w) => w.tag!);

  const manages = needsSync && rs.metadata?.deletionTimestamp === undefined;
  const m = manages ? manageReplicas(snap, rs, key, claimed, local, now, config) : undefined;
  const diff = claimed.length - (rs.spec?.replicas ?? 1);

  const counts = countPods(rs, claimed, now);
  const manageError = (o: PlanOutcome): ManageError | undefined => {
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    if (!m?.plan || o.ok || !o.error) return undefined;
    // [CU RealPodControl]: a create returns the API error (or the no-labels error); a delete wraps it.
    return { reason, message: diff > 0 ? `unable to delete pods: ${o.error.message}` : o.error.message };
  };

  const finalize = (o: PlanOutcome): Step | undefined => {
    if (claimTags.some((t) => o.failed.has(t))) return undefined; // the sync failed at the claim
    const status = calculateStatus(rs, counts, manageError(o), now);
    if (statusUpToDate(rs, status)) return undefined;
    return write({ verb: 'update', subresource: 'status', object: { ...rs, status } }, { tag: STATUS_TAG });
  };

  const onDone = m && (m.createTags.length > 0 || m.deleteKeys.length > 0)
    ? (o: PlanOutcome, l: ReplicaSetLocal): ReplicaSetLocal => {
      // Creates that failed or were skipped by slow start will never be observed; same for failed deletes.
      const notCreated = m.createTags.filter((t) => !o.succeeded.has(t)).length;
      let next = creationObserved(l, key, notCreated, rs.metadata?.uid);
      const notDeleted = m.deleteKeys.filter(([t]) => !o.succeeded.has(t)).map(([, k]) => k);
      if (notDeleted.length > 0) next = deletionObserved(next, key, notDeleted, rs.metadata?.uid);
      return next;
    }
    : undefined;

  const plan = claimWrites.length > 0 ? seq(par(...claimWrites), m?.plan) : m?.plan;
  const requeueAfterMs = availabilityRequeueMs(rs, claimed, counts, now);
  return {
    ...(plan ? { plan } : {}),
    finalize,
    ...(m && m.local !== local ? { local: m.local } : {}),
    ...(onDone ? { onDone } : {}),
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
    workUnits: 1 + cand.scanned + (m?.scanned ?? 0),
  };
};
