/** Volume matching: [PVUTIL FindMatchingVolume] and [PVIDX findByClaim]. */
import { compileSelector, type PersistentVolume, type PersistentVolumeClaim } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import { pvByClaimRef, pvUnboundByClass, pvUnboundByModes } from './indexes.js';
import {
  accessModesKey, checkAccessModes, claimClass, claimRequest, isVolumeBoundToClaim, matchingModeGroups, volumeCapacity,
  volumeClass, volumeFitsNode, volumeModeMismatch, type Labels,
} from './storage.js';

/** The node a scheduler-side match is evaluated for (absent on the PV controller path). */
export interface MatchNode { readonly labels: Labels | undefined }

export interface MatchResult {
  readonly pv: PersistentVolume | undefined;
  /** Volumes looked at (for workUnits). */
  readonly scanned: number;
}

const nameOf = (pv: PersistentVolume): string => pv.metadata?.name ?? '';

/**
 * [FindMatchingVolume] over `candidates`. Filters in Kubernetes' order: claimRef to another claim,
 * capacity < request, volumeMode, being deleted; then a volume pre-bound to this claim wins at once
 * (or, on the scheduler path, ends the search with no match if its node affinity fails); with
 * `delayBinding` on the controller path unbound volumes are skipped; then phase Available, the
 * claim's selector, class, node affinity and (scheduler path) access modes; the smallest capacity
 * wins (ties: name, where Kubernetes' order is a map's).
 */
export const findMatchingVolume = (
  claim: PersistentVolumeClaim,
  candidates: Iterable<PersistentVolume>,
  node: MatchNode | undefined,
  excluded: ReadonlySet<string> | undefined,
  delayBinding: boolean,
): MatchResult => {
  const request = claimRequest(claim);
  const selector = claim.spec?.selector ? compileSelector(claim.spec.selector) : undefined;
  const requestedClass = claimClass(claim);
  let best: PersistentVolume | undefined;
  let bestQty = 0;
  let scanned = 0;
  for (const pv of candidates) {
    scanned++;
    if (excluded?.has(nameOf(pv))) continue;
    const prebound = isVolumeBoundToClaim(pv, claim);
    if (pv.spec?.claimRef && !prebound) continue;
    const qty = volumeCapacity(pv);
    if (qty < request) continue;
    if (volumeModeMismatch(claim, pv)) continue;
    if (pv.metadata?.deletionTimestamp !== undefined) continue;
    const affinityOk = node ? volumeFitsNode(pv, node.labels) : true;
    if (prebound) return { pv: affinityOk ? pv : undefined, scanned };
    if (!node && delayBinding) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(pv.metadata?.labels)) continue;
    if (volumeClass(pv) !== requestedClass) continue;
    if (!affinityOk) continue;
    if (node && !checkAccessModes(claim, pv)) continue;
    if (!best || qty < bestQty || (qty === bestQty && nameOf(pv) < nameOf(best))) {
      best = pv;
      bestQty = qty;
    }
  }
  return { pv: best, scanned };
};

const byName = (a: PersistentVolume, b: PersistentVolume): number => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);

/** `namespace/name` as the claimRef index files it (namespace may be empty). */
const refKey = (claim: PersistentVolumeClaim): string => `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;

/** Volumes whose claimRef names this claim (any uid), sorted by name. */
export const volumesReferencing = (snap: Snapshot, claim: PersistentVolumeClaim): PersistentVolume[] =>
  [...snap.byIndex('PersistentVolume', pvByClaimRef.name, refKey(claim))].sort(byName);

/**
 * [PVIDX findByClaim] (PV controller path): access-mode groups that contain the claim's modes, fewest
 * modes first; the first group with a match wins. Candidates of a group are the volumes pre-bound to
 * the claim plus the volumes without a claimRef (bound volumes can never match).
 */
export const findBestMatchForClaim = (snap: Snapshot, claim: PersistentVolumeClaim, delayBinding: boolean): MatchResult => {
  const prebound = volumesReferencing(snap, claim);
  let scanned = 0;
  for (const key of matchingModeGroups(claim.spec?.accessModes)) {
    const own = prebound.filter((pv) => accessModesKey(pv.spec?.accessModes) === key);
    const unbound = delayBinding ? [] : snap.byIndex('PersistentVolume', pvUnboundByModes.name, key);
    const r = findMatchingVolume(claim, concat(own, unbound), undefined, undefined, delayBinding);
    scanned += r.scanned;
    if (r.pv) return { pv: r.pv, scanned };
  }
  return { pv: undefined, scanned };
};

/**
 * The scheduler's candidates for a claim ([pvCache.ListPVs(class)]): volumes of the claim's class that
 * are pre-bound to it or have no claimRef.
 */
export const schedulerCandidates = (snap: Snapshot, claim: PersistentVolumeClaim): Iterable<PersistentVolume> => {
  const cls = claimClass(claim);
  const own = volumesReferencing(snap, claim).filter((pv) => volumeClass(pv) === cls);
  return concat(own, snap.byIndex('PersistentVolume', pvUnboundByClass.name, cls));
};

function* concat<T>(a: Iterable<T>, b: Iterable<T>): Iterable<T> {
  yield* a;
  yield* b;
}
