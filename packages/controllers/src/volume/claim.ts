/** The PV controller's claim sync: [PVCTL syncClaim, syncUnboundClaim, syncBoundClaim] (§3.2). */
import { involvedOf, write, type Step } from '../framework/index.js';
import { isTerminal, merged, type PersistentVolume, type PersistentVolumeClaim, type Pod } from '@kubesim/api';
import { podsByClaim, type Snapshot } from '@kubesim/state';
import { anyContainerRunning } from '../kubelet/status.js';
import { bindPlan } from './bind.js';
import {
  ANN_BOUND_BY_CONTROLLER, MSG_CLAIM_LOST_REFERENCE, MSG_CLAIM_LOST_VOLUME, MSG_CLAIM_MISBOUND, MSG_NO_VOLUMES_NO_CLASS,
  MSG_WAIT_FOR_FIRST_CONSUMER, msgBoundToOther, msgVolumeMismatch,
} from './constants.js';
import { findBestMatchForClaim } from './match.js';
import { resizePlan } from './resize.js';
import { recordOnce } from './once.js';
import { provisionClaim } from './provision.js';
import {
  checkAccessModes, claimClass, claimHasClass, claimRequest, defaultStorageClass, hasAnnotation, isBindCompleted,
  isDelayBindingMode, isVolumeBoundToClaim, selectedNodeOf, storageClassOf, volumeCapacity, volumeClass, volumeModeMismatch,
} from './storage.js';
import { parOf, resyncOf, type SyncInput, type SyncOutput } from './sync.js';
import { claimWithStatus, updateReq, updateStatusReq } from './writes.js';

/** [updateClaimStatus(Pending)] when the claim is not Pending yet. */
const pendingStatus = (claim: PersistentVolumeClaim): Step | undefined => {
  const st = claimWithStatus(claim, 'Pending', undefined);
  return st.dirty ? write(updateStatusReq(st.claim, claim.metadata?.resourceVersion)) : undefined;
};

/** [checkVolumeSatisfyClaim]: why a requested volume cannot serve the claim, if it cannot. */
export const volumeUnsatisfiedReason = (pv: PersistentVolume, claim: PersistentVolumeClaim): string | undefined => {
  if (pv.metadata?.deletionTimestamp !== undefined) return `the volume is marked for deletion "${pv.metadata?.name ?? ''}"`;
  if (volumeCapacity(pv) < claimRequest(claim)) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(claim, pv)) return 'incompatible volumeMode';
  if (!checkAccessModes(claim, pv)) return 'incompatible accessMode';
  return undefined;
};

/** [updateClaimStatusWithEvent(Lost)]: the event only when the phase changes. */
const lost = (input: SyncInput, claim: PersistentVolumeClaim, reason: string, message: string): SyncOutput => {
  if (claim.status?.phase === 'Lost') return { local: input.local, workUnits: 1 };
  const st = claimWithStatus(claim, 'Lost', undefined);
  return {
    plan: write(updateStatusReq(st.claim, claim.metadata?.resourceVersion), {
      onSuccess: { type: 'Warning', reason, message, involved: involvedOf(claim) },
    }),
    local: input.local,
    workUnits: 2,
  };
};

const bound = (input: SyncInput, pv: PersistentVolume, claim: PersistentVolumeClaim, workUnits: number): SyncOutput =>
  ({ plan: bindPlan(pv, claim, input.now), local: input.local, workUnits });

/** [syncBoundClaim]: a claim with bind-completed. */
const syncBoundClaim = (input: SyncInput, claim: PersistentVolumeClaim): SyncOutput => {
  const volumeName = claim.spec?.volumeName;
  if (!volumeName) return lost(input, claim, 'ClaimLost', MSG_CLAIM_LOST_REFERENCE);
  const pv = input.snap.get('PersistentVolume', '', volumeName);
  if (!pv) return lost(input, claim, 'ClaimLost', MSG_CLAIM_LOST_VOLUME);
  const ref = pv.spec?.claimRef;
  if (ref && ref.uid !== claim.metadata?.uid) return lost(input, claim, 'ClaimMisbound', MSG_CLAIM_MISBOUND);
  const b = bound(input, pv, claim, 2);
  if (b.plan !== undefined || claim.metadata?.deletionTimestamp !== undefined) return b;
  // Bound and consistent: the resizer's turn, when the request grew past the capacity.
  const resize = resizePlan(claim, pv, storageClassOf(input.snap, claimClass(claim)), input.now);
  return resize === undefined ? b : { ...b, plan: resize };
};

/** [syncUnboundClaim] with spec.volumeName set: the user asked for this volume. */
const syncRequestedVolume = (input: SyncInput, claim: PersistentVolumeClaim, volumeName: string): SyncOutput => {
  const pv = input.snap.get('PersistentVolume', '', volumeName);
  const resync = resyncOf(input.config);
  if (!pv) return { plan: pendingStatus(claim), local: input.local, workUnits: 1, ...resync };
  if (!pv.spec?.claimRef) {
    const why = volumeUnsatisfiedReason(pv, claim);
    if (why === undefined) return bound(input, pv, claim, 2);
    const r = recordOnce(input.local, claim, 'Warning', 'VolumeMismatch', msgVolumeMismatch(volumeName, why));
    return { plan: parOf(r.step, pendingStatus(claim)), local: r.local, workUnits: 2, ...resync };
  }
  if (isVolumeBoundToClaim(pv, claim)) return bound(input, pv, claim, 2);
  const r = recordOnce(input.local, claim, 'Warning', 'FailedBinding', msgBoundToOther(volumeName));
  // Bound by the controller to a different claim "should never happen": no status write, retry.
  const status = hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER) ? undefined : pendingStatus(claim);
  return { plan: parOf(r.step, status), local: r.local, workUnits: 2, ...resync };
};

/**
 * [findNonScheduledPodsByPVC]: the pods using the claim that have no node yet, leaving out terminated
 * ones (IsPodTerminated: terminal, or deleting with no container running).
 */
const nonScheduledPodsUsing = (snap: Snapshot, claim: PersistentVolumeClaim): string[] => {
  const names: string[] = [];
  for (const p of snap.byIndex('Pod', podsByClaim.name, `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`) as Iterable<Pod>) {
    if (p.spec?.nodeName || isTerminal(p)) continue;
    if (p.metadata?.deletionTimestamp !== undefined && !anyContainerRunning(p)) continue;
    names.push(p.metadata?.name ?? '');
  }
  return names;
};

/** [syncUnboundClaim]: a claim without bind-completed. */
const syncUnboundClaim = (input: SyncInput, claim: PersistentVolumeClaim): SyncOutput => {
  const volumeName = claim.spec?.volumeName;
  if (volumeName) return syncRequestedVolume(input, claim, volumeName);
  const { snap } = input;
  const delay = isDelayBindingMode(snap, claim);
  const match = findBestMatchForClaim(snap, claim, delay);
  const workUnits = 1 + match.scanned;
  if (match.pv) return bound(input, match.pv, claim, workUnits);
  // [assignDefaultStorageClass] (1.28+): a claim created without a class gets the default one.
  if (!claimHasClass(claim)) {
    const def = defaultStorageClass(snap);
    if (def) {
      const updated = { ...claim, spec: { ...claim.spec, storageClassName: def.metadata?.name ?? '' } };
      return { plan: write(updateReq(updated, claim.metadata?.resourceVersion)), local: input.local, workUnits };
    }
  }
  if (delay && selectedNodeOf(claim) === undefined) {
    // The scheduler has not chosen a node for a pod using the claim yet [emitEventForUnboundDelayBindingClaim].
    const waiting = nonScheduledPodsUsing(snap, claim);
    const r = waiting.length === 0
      ? recordOnce(input.local, claim, 'Normal', 'WaitForFirstConsumer', MSG_WAIT_FOR_FIRST_CONSUMER)
      : recordOnce(input.local, claim, 'Normal', 'WaitForPodScheduled', waiting.length === 1 ? `waiting for pod ${waiting[0]!} to be scheduled` : `waiting for pods ${waiting.join(',')} to be scheduled`);
    // The PV controller's periodic sync (15 s) looks again: a pod may have come, or gone.
    const resync = resyncOf(input.config);
    return { plan: parOf(r.step, pendingStatus(claim)), local: r.local, workUnits, ...resync };
  }
  if (claimClass(claim) !== '') {
    const out = provisionClaim(input, claim);
    return merged(out, { workUnits: workUnits + out.workUnits });
  }
  const r = recordOnce(input.local, claim, 'Normal', 'FailedBinding', MSG_NO_VOLUMES_NO_CLASS);
  const resync = resyncOf(input.config);
  return { plan: parOf(r.step, pendingStatus(claim)), local: r.local, workUnits, ...resync };
};

/** [syncClaim]. */
export const syncClaim = (input: SyncInput, claim: PersistentVolumeClaim): SyncOutput =>
  isBindCompleted(claim) ? syncBoundClaim(input, claim) : syncUnboundClaim(input, claim);
