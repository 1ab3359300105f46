import {
  parentAndOrdinal, podName, claimName, controllerRefOf, compileSelector,
  type StatefulSet, type Pod, type PersistentVolumeClaim, type OwnerReference, type KObject, merged } from '@kubesim/api';

/** k8s-semantics §1.3–§1.4 helpers [SSU]. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

export const setName = (set: StatefulSet): string => set.metadata?.name ?? '';
export const setNamespace = (set: StatefulSet): string => set.metadata?.namespace ?? '';
export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet): number => set.spec?.replicas ?? 1;
export const endOrdinal = (set: StatefulSet): number => startOrdinal(set) + replicasOf(set) - 1;
/**
 * A pod's parsed (parent, ordinal) depends only on its name: memoized by name (bounded; names repeat
 * across every version of a pod and every sync of its set).
 */
interface ParsedName {
  readonly parent: string;
  readonly ordinal: number;
  /** The name is exactly `podName(parent, ordinal)` (no leading zeros). */
  readonly canonical: boolean;
}
const nameMemo = new Map<string, ParsedName>();
const parsedName = (name: string): ParsedName => {
  let r = nameMemo.get(name);
  if (r === undefined) {
    if (nameMemo.size >= 200_000) nameMemo.clear();
    const { parent, ordinal } = parentAndOrdinal(name);
    r = { parent, ordinal, canonical: ordinal >= 0 && podName(parent, ordinal) === name };
    nameMemo.set(name, r);
  }
  return r;
};
/** [SSU identityMatches]'s name test: the pod's name is `podName(set, ordinal)` for its ordinal ≥ 0. */
export const hasIdentityName = (p: { metadata?: { name?: string } }, sname: string): boolean => {
  const r = parsedName(p.metadata?.name ?? '');
  return r.canonical && r.parent === sname;
};
export const ordinalOfPod = (p: { metadata?: { name?: string } }): number => parsedName(p.metadata?.name ?? '').ordinal;
export const podInOrdinalRange = (p: Pod, set: StatefulSet): boolean => {
  const o = ordinalOfPod(p);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
};
/** isMemberOf: the pod's parent name (from its own name) is the set's name. */
export const isMemberOf = (set: StatefulSet, p: Pod): boolean => parsedName(p.metadata?.name ?? '').parent === setName(set);
export const podRevision = (p: Pod): string => p.metadata?.labels?.[REVISION_LABEL] ?? '';
export const minReadySecondsOf = (set: StatefulSet): number => set.spec?.minReadySeconds ?? 0;
export const isParallel = (set: StatefulSet): boolean => set.spec?.podManagementPolicy === 'Parallel';

export interface RetentionPolicy { readonly whenScaled: 'Retain' | 'Delete'; readonly whenDeleted: 'Retain' | 'Delete' }
const POLICIES: Record<string, RetentionPolicy> = {
  RR: { whenScaled: 'Retain', whenDeleted: 'Retain' }, RD: { whenScaled: 'Retain', whenDeleted: 'Delete' },
  DR: { whenScaled: 'Delete', whenDeleted: 'Retain' }, DD: { whenScaled: 'Delete', whenDeleted: 'Delete' },
};
/** The set's policy (one shared object per combination: read for every claim of every sync). */
export const retentionPolicy = (set: StatefulSet): RetentionPolicy => {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  const s = p?.whenScaled === 'Delete', d = p?.whenDeleted === 'Delete';
  return POLICIES[s ? (d ? 'DD' : 'DR') : (d ? 'RD' : 'RR')]!;
};

/**
 * The names of the claims of ordinal k, in template order (cheap: no objects built). Memoized per
 * claim-template list (shared by every version of a set whose spec did not change) and set name; the
 * returned array is shared and must not be modified.
 */
const claimNamesMemo = new WeakMap<object, { readonly sname: string; readonly byOrdinal: Map<number, readonly string[]> }>();
const NO_NAMES: readonly string[] = [];
export const claimNamesForOrdinal = (set: StatefulSet, ordinal: number): readonly string[] => {
  const tpls = set.spec?.volumeClaimTemplates;
  if (!tpls || tpls.length === 0) return NO_NAMES;
  const sname = setName(set);
  let memo = claimNamesMemo.get(tpls);
  if (memo === undefined || memo.sname !== sname) {
    memo = { sname, byOrdinal: new Map() };
    claimNamesMemo.set(tpls, memo);
  }
  let names = memo.byOrdinal.get(ordinal);
  if (names === undefined) {
    names = tpls.map((t) => `${t.metadata?.name ?? ''}-${sname}-${ordinal}`);
    memo.byOrdinal.set(ordinal, names);
  }
  return names;
};

/** The claims a pod of this set should have, in template order [SSU getPersistentVolumeClaims]. */
export const claimsForOrdinal = (set: StatefulSet, ordinal: number): PersistentVolumeClaim[] => {
  const matchLabels = set.spec?.selector?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const name = claimName(t.metadata?.name ?? '', setName(set), ordinal);
    const labels = merged(t.metadata?.labels, matchLabels);
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: merged(t.metadata, {
        name,
        namespace: setNamespace(set),
        labels,
      }),
      spec: t.spec ?? {},
    } as PersistentVolumeClaim;
  });
};

export const selectorOf = (set: StatefulSet) => compileSelector(set.spec?.selector);

/** The group/version of the kinds whose refs the retention policy manages. */
const API_VERSION_OF: Readonly<Record<string, string>> = { StatefulSet: 'apps/v1', Pod: 'v1' };

/** [SSU matchesRef]: the ref names the object — same apiVersion, kind and name (the uid is not compared). */
export const matchesRef = (ref: OwnerReference, owner: KObject | undefined, kind: string): boolean =>
  owner !== undefined && ref.apiVersion === API_VERSION_OF[kind] && ref.kind === kind && ref.name === owner.metadata?.name;

export const hasOwnerRef = (target: KObject, owner: KObject): boolean => {
  const uid = owner.metadata?.uid;
  if (!uid) return false;
  return (target.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
};

/** [SSU hasStaleOwnerRef]: the first ref naming the owner has another uid (left by a previous incarnation). */
export const hasStaleOwnerRef = (target: KObject, owner: KObject, kind: string): boolean => {
  const ref = (target.metadata?.ownerReferences ?? []).find((r) => matchesRef(r, owner, kind));
  return ref !== undefined && ref.uid !== (owner.metadata?.uid ?? '');
};

export const controllerUid = (o: KObject): string | undefined => controllerRefOf(o.metadata)?.uid;

export { podName, claimName };
