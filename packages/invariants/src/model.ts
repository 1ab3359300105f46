import {
  controllerRefOf, isAvailable, isRunningAndReady, isTerminal, parentAndOrdinal,
  type KObject, type OwnerReference, type PersistentVolume, type PersistentVolumeClaim, type Pod, type StatefulSet,
} from '@kubesim/api';

/** Small predicates and names shared by the checkers (k8s-semantics §0.3, §1.3, §1.4, §1.10). */

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';
export const SS_ACTOR = 'statefulset-controller';
export const RS_ACTOR = 'replicaset-controller';
export const GC_ACTOR = 'garbage-collector';

export const nsOf = (o: { metadata?: { namespace?: string } } | undefined): string => o?.metadata?.namespace ?? '';
export const nameOf = (o: { metadata?: { name?: string } } | undefined): string => o?.metadata?.name ?? '';
export const uidOf = (o: { metadata?: { uid?: string } } | undefined): string => o?.metadata?.uid ?? '';
export const nsName = (o: KObject): string => `${nsOf(o)}/${nameOf(o)}`;

/** The controller owner of an object of a kind, or undefined. */
export const controllerOf = (o: KObject | undefined, kind: string): OwnerReference | undefined => {
  const r = o === undefined ? undefined : controllerRefOf(o.metadata);
  return r !== undefined && r.kind === kind ? r : undefined;
};

/** Running, Ready and not terminating: what the OrderedReady gate requires of a predecessor. */
export const isHealthy = (p: Pod): boolean => isRunningAndReady(p) && p.metadata?.deletionTimestamp === undefined;
export const isTerminatingPod = (p: Pod): boolean => p.metadata?.deletionTimestamp !== undefined;
/** controller_utils IsPodActive. */
export const isActive = (p: Pod): boolean => !isTerminal(p) && p.metadata?.deletionTimestamp === undefined;
/** 1.35 isUnavailable at a time. */
export const isUnavailableAt = (p: Pod, minReadySeconds: number, time: number): boolean =>
  p.metadata?.deletionTimestamp !== undefined || !isAvailable(p, minReadySeconds, time);
export const podRevision = (p: Pod): string => p.metadata?.labels?.[REVISION_LABEL] ?? '';
/** Some container of the pod is running: the pod uses its volumes on its node. */
export const containersRunning = (p: Pod): boolean =>
  !isTerminal(p) && p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).some((s) => s.state?.running !== undefined);

/** Memoized name → {parent, ordinal} (names repeat across every version of a pod). */
const parsed = new Map<string, { readonly parent: string; readonly ordinal: number }>();
export const parseMemberName = (name: string): { readonly parent: string; readonly ordinal: number } => {
  let r = parsed.get(name);
  if (r === undefined) {
    if (parsed.size > 100_000) parsed.clear();
    r = parentAndOrdinal(name);
    parsed.set(name, r);
  }
  return r;
};

// ---- StatefulSet spec accessors --------------------------------------------------------------------

export const startOf = (s: StatefulSet): number => s.spec?.ordinals?.start ?? 0;
export const replicasOf = (s: StatefulSet): number => s.spec?.replicas ?? 1;
export const inRange = (s: StatefulSet, ordinal: number): boolean => ordinal >= startOf(s) && ordinal < startOf(s) + replicasOf(s);
export const isParallel = (s: StatefulSet): boolean => s.spec?.podManagementPolicy === 'Parallel';
export const minReadySecondsOf = (s: StatefulSet): number => s.spec?.minReadySeconds ?? 0;
export const templateNames = (s: StatefulSet): string[] => (s.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? '');
export const claimNameFor = (template: string, set: string, ordinal: number): string => `${template}-${set}-${ordinal}`;
export const isRollingUpdate = (s: StatefulSet): boolean => (s.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
export const partitionOf = (s: StatefulSet): number => s.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;

export interface Policy { readonly whenScaled: 'Retain' | 'Delete'; readonly whenDeleted: 'Retain' | 'Delete' }
export const policyOf = (s: StatefulSet): Policy => ({
  whenScaled: s.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete' ? 'Delete' : 'Retain',
  whenDeleted: s.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete' ? 'Delete' : 'Retain',
});

// ---- §1.10 claim owner references --------------------------------------------------------------

export interface ClaimRefVerdict {
  /** Undefined: the refs follow the table (or the claim is exempt); otherwise what is wrong. */
  readonly problem?: string;
}

const refName = (r: OwnerReference): string => `${r.kind}/${r.name}${r.controller === true ? ' (controller)' : ''}`;

/**
 * The §1.10 table for the claim of `pod` (Running and Ready): Retain/Retain → no ref to set or pod;
 * Retain/Delete → set ref, no pod ref; Delete/Retain → no set ref, pod ref iff the pod is out of range;
 * Delete/Delete → in range: set ref and no pod ref, out of range: pod ref and no set ref. Claims with a
 * stale ref (same kind and name, other uid) or a conflicting controller are left alone by the
 * controller, so they are exempt ([SSU isClaimOwnerUpToDate]).
 */
export const claimRefProblem = (claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod, ordinal: number): string | undefined => {
  const refs = claim.metadata?.ownerReferences ?? [];
  const setUid = uidOf(set), podUid = uidOf(pod);
  for (const r of refs) {
    if (r.kind === 'StatefulSet' && r.name === nameOf(set) && r.uid !== setUid) return undefined;
    if (r.kind === 'Pod' && r.name === nameOf(pod) && r.uid !== podUid) return undefined;
    if (r.controller === true && r.uid !== setUid && r.uid !== podUid) return undefined;
  }
  const refSet = refs.some((r) => r.uid === setUid);
  const refPod = podUid !== '' && refs.some((r) => r.uid === podUid);
  const p = policyOf(set);
  const outOfRange = !inRange(set, ordinal);
  const wantSet = p.whenDeleted === 'Delete' && !(p.whenScaled === 'Delete' && outOfRange);
  const wantPod = p.whenScaled === 'Delete' && outOfRange;
  if (refSet === wantSet && refPod === wantPod) return undefined;
  const have = refs.length === 0 ? 'no owner references' : `owner references [${refs.map(refName).join(', ')}]`;
  const want = `${wantSet ? 'a' : 'no'} reference to StatefulSet ${nameOf(set)} and ${wantPod ? 'a' : 'no'} reference to Pod ${nameOf(pod)}`;
  return `has ${have}, but policy whenScaled=${p.whenScaled}/whenDeleted=${p.whenDeleted} for ${outOfRange ? 'an out-of-range' : 'an in-range'} pod wants ${want}`;
};

// ---- volumes ---------------------------------------------------------------------------------------

/** [util.IsMultiAttachAllowed] negated: the volume can be attached to one node only. */
export const isExclusiveVolume = (pv: PersistentVolume): boolean => {
  const s = pv.spec;
  if (!s || s.hostPath || s.local || s.nfs) return false;
  const modes = s.accessModes ?? [];
  return modes.length > 0 && !modes.some((m) => m === 'ReadWriteMany' || m === 'ReadOnlyMany');
};

/** The claim names a pod mounts (volume name → claim name). */
export const podClaims = (p: Pod): { volume: string; claim: string }[] => {
  const out: { volume: string; claim: string }[] = [];
  for (const v of p.spec?.volumes ?? []) if (v.persistentVolumeClaim?.claimName) out.push({ volume: v.name, claim: v.persistentVolumeClaim.claimName });
  return out;
};

export const describePod = (p: Pod): string => `pod ${nsOf(p)}/${nameOf(p)}`;
export const shortUid = (uid: string): string => uid.slice(0, 8);
export const fmtTime = (ms: number): string => `t=${(ms / 1000).toFixed(3)}s`;
