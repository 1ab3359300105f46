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
  const m = new Matcher(claim, node, excluded, delayBinding);
  for (const pv of candidates) if (m.scan(pv)) return m.result();
  return m.result();
};

/** The state of one [FindMatchingVolume] scan: candidates are fed one by one (`scan` is true when it is decided). */
class Matcher {
  private readonly request: number;
  private readonly selector: ReturnType<typeof compileSelector> | undefined;
  private readonly requestedClass: string;
  private best: PersistentVolume | undefined;
  private bestQty = 0;
  private decided = false;
  scanned = 0;

  constructor(
    private readonly claim: PersistentVolumeClaim,
    private readonly node: MatchNode | undefined,
    private readonly excluded: ReadonlySet<string> | undefined,
    private readonly delayBinding: boolean,
  ) {
    this.request = claimRequest(claim);
    this.selector = claim.spec?.selector ? compileSelector(claim.spec.selector) : undefined;
    this.requestedClass = claimClass(claim);
  }

  result(): MatchResult { return { pv: this.best, scanned: this.scanned }; }

  scan(pv: PersistentVolume): boolean {
    const { claim, node } = this;
    this.scanned++;
    if (this.excluded?.has(nameOf(pv))) return false;
    const prebound = isVolumeBoundToClaim(pv, claim);
    if (pv.spec?.claimRef && !prebound) return false;
    const qty = volumeCapacity(pv);
    if (qty < this.request) return false;
    if (volumeModeMismatch(claim, pv)) return false;
    if (pv.metadata?.deletionTimestamp !== undefined) return false;
    const affinityOk = node ? volumeFitsNode(pv, node.labels) : true;
    if (prebound) { this.best = affinityOk ? pv : undefined; this.decided = true; return true; }
    if (!node && this.delayBinding) return false;
    if (pv.status?.phase !== 'Available') return false;
    if (this.selector && !this.selector.matches(pv.metadata?.labels)) return false;
    if (volumeClass(pv) !== this.requestedClass) return false;
    if (!affinityOk) return false;
    if (node && !checkAccessModes(claim, pv)) return false;
    if (!this.best || qty < this.bestQty || (qty === this.bestQty && nameOf(pv) < nameOf(this.best))) {
      this.best = pv;
      this.bestQty = qty;
    }
    return false;
  }
}

const byName = (a: PersistentVolume, b: PersistentVolume): number => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);

/** `namespace/name` as the claimRef index files it (namespace may be empty). */
const refKey = (claim: PersistentVolumeClaim): string => `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;

/** Volumes whose claimRef names this claim (any uid), sorted by name. */
export const volumesReferencing = (snap: Snapshot, claim: PersistentVolumeClaim): PersistentVolume[] => {
  const out = [...snap.byIndex('PersistentVolume', pvByClaimRef.name, refKey(claim))];
  return out.length > 1 ? out.sort(byName) : out;
};

/**
 * [PVIDX findByClaim] (PV controller path): access-mode groups that contain the claim's modes, fewest
 * modes first; the first group with a match wins. Candidates of a group are the volumes pre-bound to
 * the claim plus the volumes without a claimRef (bound volumes can never match).
 */
export const findBestMatchForClaim = (snap: Snapshot, claim: PersistentVolumeClaim, delayBinding: boolean): MatchResult => {
  const prebound = volumesReferencing(snap, claim);
  let scanned = 0;
  for (const key of matchingModeGroups(claim.spec?.accessModes)) {
    // The group's candidates: its pre-bound volumes (by name), then its unbound ones.
    const m = new Matcher(claim, undefined, undefined, delayBinding);
    let done = false;
    for (const pv of prebound) if (accessModesKey(pv.spec?.accessModes) === key && m.scan(pv)) { done = true; break; }
    if (!done && !delayBinding) for (const pv of snap.byIndex('PersistentVolume', pvUnboundByModes.name, key)) if (m.scan(pv)) break;
    const r = m.result();
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
