import { KINDS, isKind, isNamespaced, objectKey, type Kind, type KObject, type OwnerReference } from '@kubesim/api';
import { byOwnerUid, type IndexSpec, type Snapshot } from '@kubesim/state';

export const GARBAGE_COLLECTOR_NAME = 'garbage-collector';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** The kinds that own or are owned in kubesim (a StatefulSet's pods, revisions and claims; a ReplicaSet's pods). */
export const GC_KINDS = ['StatefulSet', 'ReplicaSet', 'Pod', 'PersistentVolumeClaim', 'ControllerRevision', 'Service', 'EndpointSlice', 'ConfigMap', 'Secret', 'ServiceAccount'] as const satisfies readonly Kind[];
export type GcKind = (typeof GC_KINDS)[number];
const GC_KIND_SET: ReadonlySet<string> = new Set(GC_KINDS);
export const isGcKind = (k: string): k is GcKind => GC_KIND_SET.has(k);

/** Dependents by owner uid, one index per kind. */
export const gcIndexes: readonly IndexSpec[] = GC_KINDS.map((k) => byOwnerUid(k));

/** Keys: `Kind/namespace/name` (objectKey). */
export const gcKey = (o: KObject): string => objectKey(o.kind ?? '', o.metadata?.namespace, o.metadata?.name ?? '');

export const parseGcKey = (key: string): { kind: string; namespace: string; name: string } => {
  const a = key.indexOf('/');
  const b = key.indexOf('/', a + 1);
  return { kind: key.slice(0, a), namespace: key.slice(a + 1, b), name: key.slice(b + 1) };
};

export const hasFinalizer = (o: KObject, f: string): boolean => (o.metadata?.finalizers ?? []).includes(f);
export const isBeingDeleted = (o: KObject): boolean => o.metadata?.deletionTimestamp !== undefined;
/** [GC node.isDeletingDependents]: being deleted in foreground, waiting for its blocking dependents. */
export const isDeletingDependents = (o: KObject): boolean => isBeingDeleted(o) && hasFinalizer(o, FOREGROUND_FINALIZER);
export const isOrphaning = (o: KObject): boolean => isBeingDeleted(o) && hasFinalizer(o, ORPHAN_FINALIZER);

/** Every object (of the watched kinds) whose ownerReferences name this uid. */
export const dependentsOf = (snap: Snapshot, uid: string): KObject[] => {
  const out: KObject[] = [];
  if (!uid) return out;
  for (const k of GC_KINDS) for (const d of snap.byIndex(k, 'ownerUid', uid)) out.push(d as KObject);
  return out;
};

export const hasDependents = (snap: Snapshot, uid: string): boolean => {
  if (!uid) return false;
  for (const k of GC_KINDS) for (const _ of snap.byIndex(k, 'ownerUid', uid)) return true;
  return false;
};

const groupOf = (apiVersion: string | undefined): string => {
  const v = apiVersion ?? '';
  const i = v.indexOf('/');
  return i < 0 ? '' : v.slice(0, i);
};

export type RefClass = 'solid' | 'dangling' | 'waiting';

/**
 * [GC isDangling + classifyReferences] for one owner reference, looked up by kind and name in the
 * dependent's namespace: missing or another uid → dangling; being deleted in foreground → waiting for
 * dependents deletion; otherwise solid. Owners of kinds this collector does not watch (a ConfigMap, a
 * Node, …) cannot be verified here and count as solid, so their dependents are never collected.
 */
export const classifyRef = (snap: Snapshot, namespace: string, ref: OwnerReference): { cls: RefClass; owner?: KObject } => {
  const kind = ref.kind;
  if (!isKind(kind) || !isGcKind(kind) || groupOf(ref.apiVersion) !== KINDS[kind].group) return { cls: 'solid' };
  const owner = snap.get(kind, isNamespaced(kind) ? namespace : '', ref.name) as KObject | undefined;
  if (!owner || owner.metadata?.uid !== ref.uid) return { cls: 'dangling' };
  return { cls: isDeletingDependents(owner) ? 'waiting' : 'solid', owner };
};

/** The owner a reference resolves to (same kind, name and uid), if this collector sees it. */
export const resolveOwner = (snap: Snapshot, namespace: string, ref: OwnerReference): KObject | undefined => {
  const c = classifyRef(snap, namespace, ref);
  return c.cls === 'dangling' ? undefined : c.owner;
};
