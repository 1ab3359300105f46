/**
 * The VolumeRestrictions (ReadWriteOncePod) and VolumeBinding plugins (§3.6; [volumebinding
 * volume_binding.go, binder.go]): PreFilter, Filter per node, and Reserve/PreBind writes.
 */
import { isTerminal, podClaimNames, type Node, type PersistentVolume, type PersistentVolumeClaim, type Pod } from '@kubesim/api';
import { podsByClaim, type Snapshot } from '@kubesim/state';
import { seq, write, type Step } from '../framework/index.js';
import { volumeBoundToClaim } from '../volume/bind.js';
import { ANN_SELECTED_NODE, NOT_SUPPORTED_PROVISIONER } from '../volume/constants.js';
import { findMatchingVolume, schedulerCandidates } from '../volume/match.js';
import {
  claimClass, claimRequest, isClaimFullyBound, isDelayBindingMode, matchTopologySelectorTerms, selectedNodeOf, storageClassOf,
  volumeFitsNode,
} from '../volume/storage.js';
import { updateReq, withAnnotations } from '../volume/writes.js';
import type { AssumedPod } from './types.js';

export const REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
/** [VolumeRestrictions ErrReasonReadWriteOncePodConflict]. */
export const REASON_RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';
export const msgClaimNotFound = (name: string): string => `persistentvolumeclaim "${name}" not found`;
export const msgClaimDeleting = (name: string): string => `persistentvolumeclaim "${name}" is being deleted`;
export const msgClaimLost = (name: string, pv: string): string =>
  `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${pv}"`;

/** The pod's claims after PreFilter: fully bound ones and unbound WaitForFirstConsumer ones (smallest request first). */
export interface PodClaims {
  readonly bound: readonly PersistentVolumeClaim[];
  readonly delayed: readonly PersistentVolumeClaim[];
}

export type VolumePreFilter =
  | { readonly kind: 'reject'; readonly message: string }
  | { readonly kind: 'ok'; readonly claims: PodClaims; readonly scanned: number };

const NO_CLAIMS: PodClaims = { bound: [], delayed: [] };

const bySize = (a: PersistentVolumeClaim, b: PersistentVolumeClaim): number =>
  claimRequest(a) - claimRequest(b) || ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1);

/**
 * PreFilter of VolumeRestrictions (the claims must exist) then VolumeBinding ([podHasPVCs],
 * [GetPodVolumeClaims]): claims must exist, not be Lost, not be being deleted; an unbound claim that
 * is not WaitForFirstConsumer (or is pre-bound through spec.volumeName) makes the pod wait for the PV
 * controller.
 */
export const volumePreFilter = (snap: Snapshot, pod: Pod): VolumePreFilter => {
  const names = podClaimNames(pod);
  if (names.length === 0) return { kind: 'ok', claims: NO_CLAIMS, scanned: 0 };
  const ns = pod.metadata?.namespace ?? '';
  const claims: PersistentVolumeClaim[] = [];
  for (const name of names) {
    const c = snap.get('PersistentVolumeClaim', ns, name);
    if (!c) return { kind: 'reject', message: msgClaimNotFound(name) };
    claims.push(c);
  }
  for (const c of claims) {
    const name = c.metadata?.name ?? '';
    if (c.status?.phase === 'Lost') return { kind: 'reject', message: msgClaimLost(name, c.spec?.volumeName ?? '') };
    if (c.metadata?.deletionTimestamp !== undefined) return { kind: 'reject', message: msgClaimDeleting(name) };
  }
  const bound: PersistentVolumeClaim[] = [];
  const delayed: PersistentVolumeClaim[] = [];
  let immediate = false;
  for (const c of claims) {
    if (isClaimFullyBound(c)) bound.push(c);
    else if (isDelayBindingMode(snap, c) && !c.spec?.volumeName) delayed.push(c);
    else immediate = true;
  }
  if (immediate) return { kind: 'reject', message: REASON_UNBOUND_IMMEDIATE };
  return { kind: 'ok', claims: { bound, delayed: delayed.sort(bySize) }, scanned: claims.length };
};

/**
 * [VolumeRestrictions]: a ReadWriteOncePod claim of the pod is already used by another scheduled (or
 * assumed) pod that has not finished.
 */
export const readWriteOncePodConflict = (snap: Snapshot, pod: Pod, assumed: { values(): Iterable<AssumedPod> }): boolean => {
  const ns = pod.metadata?.namespace ?? '';
  const uid = pod.metadata?.uid;
  for (const name of podClaimNames(pod)) {
    const c = snap.get('PersistentVolumeClaim', ns, name);
    if (!c?.spec?.accessModes?.includes('ReadWriteOncePod')) continue;
    for (const other of snap.byIndex('Pod', podsByClaim.name, `${ns}/${name}`)) {
      if (other.metadata?.uid !== uid && other.spec?.nodeName && !isTerminal(other)) return true;
    }
    for (const a of assumed.values()) {
      if (a.pod.metadata?.uid !== uid && a.pod.metadata?.namespace === ns && podClaimNames(a.pod).includes(name)) return true;
    }
  }
  return false;
};

/** A claim matched to a static volume on this node. */
export interface StaticBinding { readonly pv: PersistentVolume; readonly claim: PersistentVolumeClaim }

/** [FindPodVolumes] for one node. */
export interface NodeVolumes {
  readonly reasons: readonly string[];
  readonly staticBindings: readonly StaticBinding[];
  readonly provisions: readonly PersistentVolumeClaim[];
  readonly scanned: number;
}

const FITS: NodeVolumes = { reasons: [], staticBindings: [], provisions: [], scanned: 0 };

/** [checkVolumeProvisions]: every claim's class has a provisioner and allows the node's topology. */
const canProvision = (snap: Snapshot, claims: readonly PersistentVolumeClaim[], node: Node): boolean => {
  for (const c of claims) {
    const sc = storageClassOf(snap, claimClass(c));
    if (!sc) return false;
    const provisioner = sc.provisioner ?? '';
    if (provisioner === '' || provisioner === NOT_SUPPORTED_PROVISIONER) return false;
    if (!matchTopologySelectorTerms(sc.allowedTopologies, node.metadata?.labels)) return false;
  }
  return true;
};

/**
 * [FindPodVolumes]: bound claims need their volume to exist and to allow the node; unbound
 * WaitForFirstConsumer claims need a claim-selected node equal to this one, or an Available volume
 * that fits here (each used once, smallest claims first), or a class that can provision here.
 */
export const volumeFilter = (snap: Snapshot, claims: PodClaims, node: Node): NodeVolumes => {
  if (claims.bound.length === 0 && claims.delayed.length === 0) return FITS;
  const name = node.metadata?.name ?? '';
  const labels = node.metadata?.labels;
  let boundSatisfied = true, boundFound = true, unboundSatisfied = true;
  let scanned = 0;
  const staticBindings: StaticBinding[] = [];
  let provisions: PersistentVolumeClaim[] = [];
  const reasons = (): string[] => [
    ...(boundSatisfied ? [] : [REASON_NODE_CONFLICT]),
    ...(unboundSatisfied ? [] : [REASON_BIND_CONFLICT]),
    ...(boundFound ? [] : [REASON_PV_NOT_EXIST]),
  ];
  // [checkBoundClaims]
  for (const c of claims.bound) {
    scanned++;
    const pv = snap.get('PersistentVolume', '', c.spec?.volumeName ?? '');
    if (!pv) { boundFound = false; break; }
    if (!volumeFitsNode(pv, labels)) { boundSatisfied = false; break; }
  }
  if (claims.delayed.length > 0) {
    const toMatch: PersistentVolumeClaim[] = [];
    const toProvision: PersistentVolumeClaim[] = [];
    for (const c of claims.delayed) {
      const selected = selectedNodeOf(c);
      if (selected === undefined) toMatch.push(c);
      else if (selected !== name) {
        unboundSatisfied = false;
        return { reasons: reasons(), staticBindings: [], provisions: [], scanned };
      } else toProvision.push(c);
    }
    // [findMatchingVolumes]
    const chosen = new Set<string>();
    for (const c of toMatch) {
      const m = findMatchingVolume(c, schedulerCandidates(snap, c), { labels }, chosen, true);
      scanned += m.scanned;
      if (!m.pv) { toProvision.push(c); unboundSatisfied = false; continue; }
      chosen.add(m.pv.metadata?.name ?? '');
      staticBindings.push({ pv: m.pv, claim: c });
    }
    if (toProvision.length > 0) {
      unboundSatisfied = canProvision(snap, toProvision, node);
      if (unboundSatisfied) provisions = toProvision;
    }
  }
  return { reasons: reasons(), staticBindings, provisions, scanned };
};

/**
 * Reserve + the API half of PreBind ([AssumePodVolumes], [bindAPIUpdate]): pre-bind each matched
 * static volume to its claim (PV update of claimRef, bound-by-controller), then annotate each claim to
 * provision with `volume.kubernetes.io/selected-node`. Writes only what is not already so.
 */
export const volumeBindSteps = (nv: NodeVolumes, node: string): Step | undefined => {
  const steps: Step[] = [];
  for (const b of nv.staticBindings) {
    const r = volumeBoundToClaim(b.pv, b.claim);
    if (r.dirty) steps.push(write(updateReq(r.pv, b.pv.metadata?.resourceVersion)));
  }
  for (const c of nv.provisions) {
    if (selectedNodeOf(c) === node) continue;
    steps.push(write(updateReq(withAnnotations(c, { [ANN_SELECTED_NODE]: node }), c.metadata?.resourceVersion)));
  }
  return steps.length > 0 ? seq(...steps) : undefined;
};
