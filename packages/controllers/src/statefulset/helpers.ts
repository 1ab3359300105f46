import {
  parentAndOrdinal, podName, claimName, controllerRefOf, compileSelector,
  type StatefulSet, type Pod, type PersistentVolumeClaim, type OwnerReference, type KObject,
} from '@kubesim/api';

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
/** Objects are immutable, so a pod's parsed ordinal can be memoized on the object. */
const ordinalMemo = new WeakMap<object, number>();
export const ordinalOfPod = (p: { metadata?: { name?: string } }): number => {
  let o = ordinalMemo.get(p);
  if (o === undefined) { o = parentAndOrdinal(p.metadata?.name ?? '').ordinal; ordinalMemo.set(p, o); }
  return o;
};
export const podInOrdinalRange = (p: Pod, set: StatefulSet): boolean => {
  const o = ordinalOfPod(p);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
};
/** isMemberOf: the pod's parent name (from its own name) is the set's name. */
export const isMemberOf = (set: StatefulSet, p: Pod): boolean => parentAndOrdinal(p.metadata?.name ?? '').parent === setName(set);
export const podRevision = (p: Pod): string => p.metadata?.labels?.[REVISION_LABEL] ?? '';
export const minReadySecondsOf = (set: StatefulSet): number => set.spec?.minReadySeconds ?? 0;
export const isParallel = (set: StatefulSet): boolean => set.spec?.podManagementPolicy === 'Parallel';

export interface RetentionPolicy { readonly whenScaled: 'Retain' | 'Delete'; readonly whenDeleted: 'Retain' | 'Delete' }
export const retentionPolicy = (set: StatefulSet): RetentionPolicy => ({
  whenScaled: set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete' ? 'Delete' : 'Retain',
  whenDeleted: set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete' ? 'Delete' : 'Retain',
});

/** The names of the claims of ordinal k, in template order (cheap: no objects built). */
export const claimNamesForOrdinal = (set: StatefulSet, ordinal: number): string[] => {
  const tpls = set.spec?.volumeClaimTemplates;
  if (!tpls || tpls.length === 0) return [];
  const sname = setName(set);
  return tpls.map((t) => `${t.metadata?.name ?? ''}-${sname}-${ordinal}`);
};

/** The claims a pod of this set should have, in template order [SSU getPersistentVolumeClaims]. */
export const claimsForOrdinal = (set: StatefulSet, ordinal: number): PersistentVolumeClaim[] => {
  const matchLabels = set.spec?.selector?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const name = claimName(t.metadata?.name ?? '', setName(set), ordinal);
    const labels = { ...(t.metadata?.labels ?? {}), ...matchLabels };
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...(t.metadata ?? {}),
        name,
        namespace: setNamespace(set),
        labels,
      },
      spec: t.spec ?? {},
    } as PersistentVolumeClaim;
  });
};

export const selectorOf = (set: StatefulSet) => compileSelector(set.spec?.selector);

/** A ref matches an owner by kind, name and uid [SSU matchesRef]. */
export const matchesRef = (ref: OwnerReference, owner: KObject | undefined, kind: string): boolean =>
  owner !== undefined && ref.kind === kind && ref.name === owner.metadata?.name && ref.uid === (owner.metadata?.uid ?? '');

export const hasOwnerRef = (target: KObject, owner: KObject): boolean => {
  const uid = owner.metadata?.uid;
  if (!uid) return false;
  return (target.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
};

/** A ref naming the owner (kind + name) with a different uid: left by a previous incarnation. */
export const hasStaleOwnerRef = (target: KObject, owner: KObject, kind: string): boolean =>
  (target.metadata?.ownerReferences ?? []).some((r) => r.kind === kind && r.name === owner.metadata?.name && r.uid !== (owner.metadata?.uid ?? ''));

export const controllerUid = (o: KObject): string | undefined => controllerRefOf(o.metadata)?.uid;

export { podName, claimName };
