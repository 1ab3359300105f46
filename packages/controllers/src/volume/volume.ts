/** The PV controller's volume sync: [PVCTL syncVolume, reclaimVolume, unbindVolume] (§3.4). */
import type { PersistentVolume, PersistentVolumeClaim } from '@kubesim/api';
import { event, involvedOf, write, type Step } from '../framework/index.js';
import { ANN_BOUND_BY_CONTROLLER, ANN_DYNAMICALLY_PROVISIONED, MSG_UNKNOWN_RECLAIM_POLICY } from './constants.js';
import { hasAnnotation, volumeModeMismatch } from './storage.js';
import { parOf, seqOf, type SyncInput, type SyncOutput } from './sync.js';
import { updateReq, updateStatusReq, volumeWithPhase } from './writes.js';

/** [updateVolumePhase]: a status write only when the phase changes. */
const phaseStep = (pv: PersistentVolume, phase: string, now: number, rv: string | undefined): Step | undefined =>
  pv.status?.phase === phase ? undefined : write(updateStatusReq(volumeWithPhase(pv, phase, now), rv));

/**
 * [unbindVolume]: a volume the controller bound loses its claimRef (and bound-by-controller); a volume
 * pre-bound by the user keeps its claimRef without the uid. Then phase Available.
 */
export const unbindVolumeSteps = (pv: PersistentVolume, now: number, rv: string | undefined): Step => {
  let next: PersistentVolume;
  if (hasAnnotation(pv, ANN_BOUND_BY_CONTROLLER)) {
    const { claimRef: _, ...spec } = pv.spec ?? {};
    const { [ANN_BOUND_BY_CONTROLLER]: __, ...annotations } = pv.metadata?.annotations ?? {};
    const { annotations: ___, ...meta } = pv.metadata ?? {};
    next = { ...pv, spec, metadata: Object.keys(annotations).length > 0 ? { ...meta, annotations } : meta };
  } else {
    const { uid: _, ...ref } = pv.spec?.claimRef ?? {};
    next = { ...pv, spec: { ...pv.spec, claimRef: ref } };
  }
  return seqOf(
    write(updateReq(next, rv)),
    write(updateStatusReq(volumeWithPhase(next, 'Available', now), undefined)),
  )!;
};

/**
 * [reclaimVolume] of a Released volume: Retain keeps it; Recycle scrubs it (instantly here) and makes
 * it Available; Delete removes the object (the provisioner deletes the storage first, instantly here;
 * pv-protection then lets it go since it is not Bound); anything else is Failed.
 */
const reclaimSteps = (pv: PersistentVolume, now: number, rv: string | undefined): Step | undefined => {
  const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  switch (policy) {
    case 'Retain': return undefined;
    case 'Recycle': return unbindVolumeSteps(pv, now, rv);
    case 'Delete':
      if (pv.metadata?.deletionTimestamp !== undefined) return undefined;
      return write(
        { verb: 'delete', kind: 'PersistentVolume', namespace: '', name: pv.metadata?.name ?? '', preconditions: { uid: pv.metadata?.uid ?? '' } },
        { ignore: ['NotFound'] },
      );
    default:
      if (pv.status?.phase === 'Failed') return undefined;
      return write(updateStatusReq(volumeWithPhase(pv, 'Failed', now), rv), {
        onSuccess: { type: 'Warning', reason: 'VolumeUnknownReclaimPolicy', message: MSG_UNKNOWN_RECLAIM_POLICY, involved: involvedOf(pv) },
      });
  }
};

/** Mark Released (unless Released or Failed already), then reclaim. */
const releaseAndReclaim = (pv: PersistentVolume, now: number): Step | undefined => {
  const rv = pv.metadata?.resourceVersion;
  const phase = pv.status?.phase;
  if (phase === 'Released' || phase === 'Failed') return reclaimSteps(pv, now, rv);
  const released = volumeWithPhase(pv, 'Released', now);
  return seqOf(write(updateStatusReq(released, rv)), reclaimSteps(released, now, undefined));
};

/** [syncVolume]. */
export const syncVolume = (input: SyncInput, pv: PersistentVolume): SyncOutput => {
  const { snap, now, local } = input;
  const rv = pv.metadata?.resourceVersion;
  const ref = pv.spec?.claimRef;
  if (!ref || !ref.uid) return { plan: phaseStep(pv, 'Available', now, rv), local, workUnits: 1 };
  let claim: PersistentVolumeClaim | undefined = snap.get('PersistentVolumeClaim', ref.namespace ?? '', ref.name ?? '');
  if (claim && claim.metadata?.uid !== ref.uid) claim = undefined;
  if (!claim) return { plan: releaseAndReclaim(pv, now), local, workUnits: 2 };
  const volumeName = claim.spec?.volumeName;
  if (!volumeName) {
    // The claim sync finishes the binding (the claim key is queued with this volume's changes).
    if (!volumeModeMismatch(claim, pv)) return { local, workUnits: 2 };
    const pvName = pv.metadata?.name ?? '';
    return {
      plan: parOf(
        event({ type: 'Warning', reason: 'VolumeMismatch', involved: involvedOf(pv),
          message: `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata?.name ?? ''}" due to incompatible volumeMode.` }),
        event({ type: 'Warning', reason: 'VolumeMismatch', involved: involvedOf(claim),
          message: `Cannot bind PersistentVolume "${pvName}" to requested PersistentVolumeClaim due to incompatible volumeMode.` }),
      ),
      local,
      workUnits: 2,
    };
  }
  if (volumeName === pv.metadata?.name) return { plan: phaseStep(pv, 'Bound', now, rv), local, workUnits: 2 };
  // The claim is bound to another volume.
  if (hasAnnotation(pv, ANN_DYNAMICALLY_PROVISIONED) && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
    return { plan: releaseAndReclaim(pv, now), local, workUnits: 2 };
  }
  return { plan: unbindVolumeSteps(pv, now, rv), local, workUnits: 2 };
};
