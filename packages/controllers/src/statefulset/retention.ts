import { newControllerRef, type KObject, type OwnerReference, type PersistentVolumeClaim, type Pod, type StatefulSet } from '@kubesim/api';
import { hasOwnerRef, hasStaleOwnerRef, matchesRef, podInOrdinalRange, retentionPolicy } from './helpers.js';

/** §1.10: the owner references a claim should carry under the retention policy [SSU/SPC]. */

/**
 * [SSU hasUnexpectedController]: under a policy other than Retain/Retain, the claim has a controller that
 * is neither this set nor this pod — or a ref naming the set or the pod with another uid (pods orphaned
 * the wrong way: the claim is left to the garbage collector). Under Retain/Retain another controller
 * managing the claim is no problem.
 */
const hasUnexpectedController = (claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean => {
  const p = retentionPolicy(set);
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Retain') return false;
  for (const r of claim.metadata?.ownerReferences ?? []) {
    if (matchesRef(r, set as KObject, 'StatefulSet')) {
      if (r.uid !== (set.metadata?.uid ?? '')) return true;
      continue;
    }
    if (matchesRef(r, pod as KObject, 'Pod')) {
      if (r.uid !== (pod.metadata?.uid ?? '')) return true;
      continue;
    }
    if (r.controller === true) return true;
  }
  return false;
};

/** [SSU hasNonControllerOwner] */
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
  // Clean up our refs next to a conflicting controller; add none on top of it.
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim as KObject, set as KObject) || hasOwnerRef(claim as KObject, pod as KObject));
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

/** [SSU addControllerRef]: append a controller ref to the owner unless a ref with its uid is there. */
const addControllerRef = (refs: OwnerReference[], owner: KObject, apiVersion: string, kind: string): void => {
  const uid = owner.metadata?.uid;
  if (!uid || refs.some((r) => r.uid === uid)) return;
  refs.push(newControllerRef({ apiVersion, kind, metadata: owner.metadata ?? {} }));
};

const sameRefs = (a: readonly OwnerReference[], b: readonly OwnerReference[]): boolean =>
  a.length === b.length && a.every((r, i) => JSON.stringify(r) === JSON.stringify(b[i]));

/**
 * [SSU updateClaimOwnerRefForSetAndPod]: the claim with its refs fixed, or undefined when nothing changes.
 * Every ref naming the set or the pod is scrubbed, then the policy's controller refs are appended (after
 * any foreign ones); with a conflicting controller none are added.
 */
export const claimWithPolicyRefs = (claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): PersistentVolumeClaim | undefined => {
  const before = claim.metadata?.ownerReferences ?? [];
  const s = set as KObject;
  const po = pod as KObject;
  const unexpected = hasUnexpectedController(claim, set, pod);
  const refs = before.filter((r) => !matchesRef(r, s, 'StatefulSet') && !matchesRef(r, po, 'Pod'));
  if (!unexpected) {
    const p = retentionPolicy(set);
    const scaledDown = !podInOrdinalRange(pod, set);
    if (p.whenScaled === 'Retain' && p.whenDeleted === 'Delete') addControllerRef(refs, s, 'apps/v1', 'StatefulSet');
    else if (p.whenScaled === 'Delete' && p.whenDeleted === 'Retain') { if (scaledDown) addControllerRef(refs, po, 'v1', 'Pod'); }
    else if (p.whenScaled === 'Delete' && p.whenDeleted === 'Delete') {
      if (scaledDown) addControllerRef(refs, po, 'v1', 'Pod');
      else addControllerRef(refs, s, 'apps/v1', 'StatefulSet');
    }
  }
  if (sameRefs(before, refs)) return undefined;
  const meta = { ...claim.metadata };
  if (refs.length > 0) meta.ownerReferences = refs; else delete meta.ownerReferences;
  return { ...claim, metadata: meta };
};

/** [SPC PodClaimIsStale]: under whenScaled=Delete a claim still owned by a previous incarnation blocks re-creation. */
export const podClaimIsStale = (claims: readonly (PersistentVolumeClaim | undefined)[], set: StatefulSet, pod: Pod): boolean => {
  if (retentionPolicy(set).whenScaled === 'Retain') return false;
  return claims.some((c) => c !== undefined && hasStaleOwnerRef(c as KObject, pod as KObject, 'Pod'));
};
