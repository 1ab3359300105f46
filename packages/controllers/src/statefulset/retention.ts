import { newControllerRef, type KObject, type OwnerReference, type PersistentVolumeClaim, type Pod, type StatefulSet } from '@kubesim/api';
import { hasOwnerRef, hasStaleOwnerRef, matchesRef, podInOrdinalRange, retentionPolicy } from './helpers.js';

/** §1.10: the owner references a claim should carry under the retention policy [SSU/SPC]. */

const hasUnexpectedController = (claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean =>
  (claim.metadata?.ownerReferences ?? []).some((r) =>
    r.controller === true && !matchesRef(r, set as KObject, 'StatefulSet') && !matchesRef(r, pod as KObject, 'Pod'));

const hasNonControllerOwner = (claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean =>
  (claim.metadata?.ownerReferences ?? []).some((r) =>
    (r.uid === set.metadata?.uid || (pod.metadata?.uid !== undefined && r.uid === pod.metadata.uid)) && r.controller !== true);

export const hasConflictingController = hasUnexpectedController;

/** [SSU isClaimOwnerUpToDate] */
export const isClaimOwnerUpToDate = (claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean => {
  if (!claim.metadata?.ownerReferences?.length) {
    // No owner references at all (the common case): no stale, unexpected or non-controller ref, and
    // neither the set nor the pod is referenced — what the rules below give for that case.
    const p = retentionPolicy(set);
    if (p.whenScaled === 'Retain') return p.whenDeleted === 'Retain';
    return p.whenDeleted === 'Retain' && podInOrdinalRange(pod, set);
  }
  if (hasStaleOwnerRef(claim as KObject, set as KObject, 'StatefulSet') || hasStaleOwnerRef(claim as KObject, pod as KObject, 'Pod')) return true;
  if (hasUnexpectedController(claim, set, pod)) return !hasNonControllerOwner(claim, set, pod);
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const p = retentionPolicy(set);
  const refSet = hasOwnerRef(claim as KObject, set as KObject);
  const refPod = hasOwnerRef(claim as KObject, pod as KObject);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Retain') return !refSet && !refPod;
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Delete') return refSet && !refPod;
  if (p.whenScaled === 'Delete' && p.whenDeleted === 'Retain') return !refSet && scaledDown === refPod;
  return scaledDown !== refSet && scaledDown === refPod;
};

const removeRef = (refs: OwnerReference[], owner: KObject): boolean => {
  const uid = owner.metadata?.uid;
  if (!uid) return false;
  const before = refs.length;
  for (let i = refs.length - 1; i >= 0; i--) if (refs[i]!.uid === uid) refs.splice(i, 1);
  return refs.length !== before;
};

/** setOwnerRef: add a controller ref, or turn an existing non-controller ref of this owner into one. */
const setRef = (refs: OwnerReference[], owner: KObject, apiVersion: string, kind: string): boolean => {
  const uid = owner.metadata?.uid;
  if (!uid) return false;
  const ref = newControllerRef({ apiVersion, kind, metadata: owner.metadata ?? {} });
  const i = refs.findIndex((r) => r.uid === uid);
  if (i >= 0) {
    if (refs[i]!.controller === true) return false;
    refs[i] = ref;
    return true;
  }
  refs.push(ref);
  return true;
};

/**
 * [SSU updateClaimOwnerRefForSetAndPod]: the claim with its refs fixed, or undefined when nothing changes.
 * With a conflicting controller the set's and pod's refs are removed and none are added.
 */
export const claimWithPolicyRefs = (claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): PersistentVolumeClaim | undefined => {
  const refs = [...(claim.metadata?.ownerReferences ?? [])];
  let changed = false;
  const s = set as KObject;
  const po = pod as KObject;
  if (hasUnexpectedController(claim, set, pod)) {
    changed = removeRef(refs, s) || changed;
    changed = removeRef(refs, po) || changed;
  } else {
    const p = retentionPolicy(set);
    const scaledDown = !podInOrdinalRange(pod, set);
    if (p.whenScaled === 'Retain' && p.whenDeleted === 'Retain') {
      changed = removeRef(refs, s) || changed;
      changed = removeRef(refs, po) || changed;
    } else if (p.whenScaled === 'Retain' && p.whenDeleted === 'Delete') {
      changed = setRef(refs, s, 'apps/v1', 'StatefulSet') || changed;
      changed = removeRef(refs, po) || changed;
    } else if (p.whenScaled === 'Delete' && p.whenDeleted === 'Retain') {
      changed = removeRef(refs, s) || changed;
      changed = (scaledDown ? setRef(refs, po, 'v1', 'Pod') : removeRef(refs, po)) || changed;
    } else if (scaledDown) {
      changed = removeRef(refs, s) || changed;
      changed = setRef(refs, po, 'v1', 'Pod') || changed;
    } else {
      changed = setRef(refs, s, 'apps/v1', 'StatefulSet') || changed;
      changed = removeRef(refs, po) || changed;
    }
  }
  if (!changed) return undefined;
  const meta = { ...claim.metadata };
  if (refs.length > 0) meta.ownerReferences = refs; else delete meta.ownerReferences;
  return { ...claim, metadata: meta };
};

/** [SPC PodClaimIsStale]: under whenScaled=Delete a claim still owned by a previous incarnation blocks re-creation. */
export const podClaimIsStale = (claims: readonly (PersistentVolumeClaim | undefined)[], set: StatefulSet, pod: Pod): boolean => {
  if (retentionPolicy(set).whenScaled === 'Retain') return false;
  return claims.some((c) => c !== undefined && hasStaleOwnerRef(c as KObject, pod as KObject, 'Pod'));
};
