import type { Kind, KObject, OwnerReference, PropagationPolicy } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import type { ReconcileResult } from '../framework/component.js';
import { par, seq, write, type Step } from '../framework/plan.js';
import {
  FOREGROUND_FINALIZER, ORPHAN_FINALIZER, classifyRef, dependentsOf, hasDependents, hasFinalizer, isBeingDeleted,
  isDeletingDependents, parseGcKey, isGcKind, type RefClass,
} from './graph.js';

type Result = ReconcileResult<undefined>;

const nsOf = (o: KObject): string => o.metadata?.namespace ?? '';

/** [GC deleteObject]: delete preconditioned on the uid, with an explicit propagation policy (no grace: the pod's own). */
export const deleteRequest = (o: KObject, policy: PropagationPolicy): Step => write({
  verb: 'delete', kind: o.kind as Kind, namespace: nsOf(o), name: o.metadata?.name ?? '',
  // [GC attemptToDeleteItem] decides on the latest object (a live GET), not on the cache: the delete is
  // guarded by the version judged, so a decision on a stale cached version fails (Conflict) and is retried.
  propagationPolicy: policy, preconditions: { uid: o.metadata?.uid ?? '', ...(o.metadata?.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}) },
}, { ignore: ['NotFound'] });

/**
 * [GC deleteOwnerRefJSONMergePatch]: a merge patch of `metadata.ownerReferences` without the given
 * uids, guarded by the resourceVersion read (null removes the field when nothing is left).
 */
export const removeOwnerRefsPatch = (o: KObject, uids: ReadonlySet<string>): Step => {
  const remaining = (o.metadata?.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
  return write({
    verb: 'patch', kind: o.kind as Kind, namespace: nsOf(o), name: o.metadata?.name ?? '',
    patch: { metadata: { ownerReferences: remaining.length > 0 ? remaining : null } },
    resourceVersion: o.metadata?.resourceVersion ?? '',
  }, { ignore: ['NotFound'] });
};

/** [GC unblockOwnerReferences]: blockOwnerDeletion false on every reference that had it true. */
const unblockOwnerRefsPatch = (o: KObject): Step => write({
  verb: 'patch', kind: o.kind as Kind, namespace: nsOf(o), name: o.metadata?.name ?? '',
  patch: { metadata: { ownerReferences: (o.metadata?.ownerReferences ?? []).map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)) } },
  resourceVersion: o.metadata?.resourceVersion ?? '',
}, { ignore: ['NotFound'] });

/** [GC removeFinalizer]: the owner updated with the finalizer list minus one (compare-and-set on its resourceVersion). */
export const removeFinalizerRequest = (o: KObject, finalizer: string): Step => {
  const finalizers = (o.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
  const metadata = { ...o.metadata, finalizers };
  if (finalizers.length === 0) delete (metadata as { finalizers?: string[] }).finalizers;
  return write({ verb: 'update', object: { ...o, metadata } as KObject }, { ignore: ['NotFound'] });
};

const refTo = (o: KObject, ownerUid: string): OwnerReference | undefined => o.metadata?.ownerReferences?.find((r) => r.uid === ownerUid);

/**
 * [GC processDeletingDependentsItem]: an owner in foreground deletion loses its finalizer once no
 * dependent that blocks owner deletion is left (the dependents themselves are deleted on their own keys).
 */
const processDeletingDependents = (snap: Snapshot, owner: KObject): Result => {
  const uid = owner.metadata?.uid ?? '';
  const deps = dependentsOf(snap, uid);
  const blocking = deps.filter((d) => refTo(d, uid)?.blockOwnerDeletion === true);
  if (blocking.length > 0) return { workUnits: deps.length + 1 };
  return { plan: removeFinalizerRequest(owner, FOREGROUND_FINALIZER), workUnits: deps.length + 1 };
};

/**
 * [GC attemptToOrphanWorker + orphanDependents]: remove the owner from every dependent's
 * ownerReferences (concurrently), then remove the `orphan` finalizer.
 */
const orphanDependents = (snap: Snapshot, owner: KObject): Result => {
  const uid = owner.metadata?.uid ?? '';
  const deps = dependentsOf(snap, uid);
  const only = new Set([uid]);
  const patches = deps.map((d) => removeOwnerRefsPatch(d, only));
  const done = removeFinalizerRequest(owner, ORPHAN_FINALIZER);
  return { plan: patches.length > 0 ? seq(par(...patches), done) : done, workUnits: deps.length + 1 };
};

/**
 * [GC attemptToDeleteItem] for an object that is not being deleted. Its owners are classified on the API
 * server's state when the host offers it (`owners`): [GC isDangling] GETs each owner live rather than
 * trusting the graph, which may lag (a watch reordered or dropped).
 */
const attemptToDelete = (snap: Snapshot, item: KObject, owners: Snapshot): Result => {
  const refs = item.metadata?.ownerReferences ?? [];
  if (refs.length === 0) return { workUnits: 1 };
  const ns = nsOf(item);
  const classes: { ref: OwnerReference; cls: RefClass }[] = refs.map((ref) => ({ ref, cls: classifyRef(owners, ns, ref).cls }));
  const solid = classes.filter((c) => c.cls === 'solid');
  const drop = classes.filter((c) => c.cls !== 'solid');
  const waiting = classes.some((c) => c.cls === 'waiting');
  const work = refs.length + 1;
  if (solid.length > 0) {
    // Kept: dangling references and references to owners waiting for dependents are removed.
    if (drop.length === 0) return { workUnits: work };
    return { plan: removeOwnerRefsPatch(item, new Set(drop.map((c) => c.ref.uid))), workUnits: work };
  }
  const uid = item.metadata?.uid ?? '';
  if (waiting && hasDependents(snap, uid)) {
    // Foreground all the way down; a dependent itself deleting dependents would deadlock on our refs.
    const cycle = dependentsOf(snap, uid).some(isDeletingDependents);
    const del = deleteRequest(item, 'Foreground');
    return { plan: cycle ? seq(unblockOwnerRefsPatch(item), del) : del, workUnits: work + 1 };
  }
  const policy: PropagationPolicy = hasFinalizer(item, ORPHAN_FINALIZER) ? 'Orphan'
    : hasFinalizer(item, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
  return { plan: deleteRequest(item, policy), workUnits: work };
};

/**
 * The garbage collector's sync of one object (§5): an owner being deleted with `orphan` orphans its
 * dependents; one being deleted in foreground waits for its blocking dependents; any other object not
 * being deleted is classified by its owner references and kept, cleaned or deleted.
 */
export const syncGarbage = (snap: Snapshot, key: string, live?: Snapshot): Result => {
  const { kind, namespace, name } = parseGcKey(key);
  if (!isGcKind(kind)) return {};
  const item = snap.get(kind, namespace, name) as KObject | undefined;
  if (!item) return {};
  if (isBeingDeleted(item)) {
    if (hasFinalizer(item, ORPHAN_FINALIZER)) return orphanDependents(snap, item);
    if (hasFinalizer(item, FOREGROUND_FINALIZER)) return processDeletingDependents(snap, item);
    // "being deleted" is a one-way trip: nothing to do until it is gone.
    return { workUnits: 1 };
  }
  return attemptToDelete(snap, item, live ?? snap);
};
