/** [PVCTL bind]: the writes that link a volume and a claim, in Kubernetes' order, each only when needed. */
import { merged, type PersistentVolume, type PersistentVolumeClaim } from '@kubesim/api';
import { seq, write, type Step } from '../framework/index.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER } from './constants.js';
import { claimReference, hasAnnotation, isVolumeBoundToClaim } from './storage.js';
import { claimWithStatus, updateReq, updateStatusReq, volumeWithPhase, withAnnotations } from './writes.js';

/**
 * [getBindVolumeToClaim]: the volume with its claimRef pointing at the claim (namespace, name, uid) and
 * `bound-by-controller` when the controller (not the user) made the link. `dirty` is false when the
 * volume already says so.
 */
export const volumeBoundToClaim = (pv: PersistentVolume, claim: PersistentVolumeClaim): { pv: PersistentVolume; dirty: boolean } => {
  const ref = pv.spec?.claimRef;
  const needRef = !ref || ref.name !== claim.metadata?.name || (ref.namespace ?? '') !== (claim.metadata?.namespace ?? '')
    || ref.uid !== claim.metadata?.uid;
  const needAnn = !isVolumeBoundToClaim(pv, claim) && !hasAnnotation(pv, ANN_BOUND_BY_CONTROLLER);
  if (!needRef && !needAnn) return { pv, dirty: false };
  let next: PersistentVolume = needRef ? merged(pv, { spec: merged(pv.spec, { claimRef: claimReference(claim) }) }) : pv;
  if (needAnn) next = withAnnotations(next, { [ANN_BOUND_BY_CONTROLLER]: 'yes' });
  return { pv: next, dirty: true };
};

/**
 * [bind] = bindVolumeToClaim (PV update: claimRef, bound-by-controller), updateVolumePhase Bound (PV
 * status), bindClaimToVolume (PVC update: volumeName, bound-by-controller, bind-completed),
 * updateClaimStatus Bound (PVC status: phase, capacity, accessModes). A write that would change
 * nothing is left out; the second write to an object carries no resourceVersion.
 */
export const bindPlan = (pv: PersistentVolume, claim: PersistentVolumeClaim, now: number): Step | undefined => {
  const steps: Step[] = [];
  const bound = volumeBoundToClaim(pv, claim);
  if (bound.dirty) steps.push(write(updateReq(bound.pv, pv.metadata?.resourceVersion)));
  if (pv.status?.phase !== 'Bound') {
    steps.push(write(updateStatusReq(volumeWithPhase(bound.pv, 'Bound', now), bound.dirty ? undefined : pv.metadata?.resourceVersion)));
  }
  const pvName = pv.metadata?.name ?? '';
  const byController = claim.spec?.volumeName !== pvName;
  const ann: Record<string, string> = {};
  if (byController && !hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER)) ann[ANN_BOUND_BY_CONTROLLER] = 'yes';
  if (!hasAnnotation(claim, ANN_BIND_COMPLETED)) ann[ANN_BIND_COMPLETED] = 'yes';
  let c = claim;
  const claimDirty = byController || Object.keys(ann).length > 0;
  if (claimDirty) {
    c = withAnnotations(byController ? merged(claim, { spec: merged(claim.spec, { volumeName: pvName }) }) : claim, ann);
    steps.push(write(updateReq(c, claim.metadata?.resourceVersion)));
  }
  const st = claimWithStatus(c, 'Bound', bound.pv);
  if (st.dirty) steps.push(write(updateStatusReq(st.claim, claimDirty ? undefined : claim.metadata?.resourceVersion)));
  return steps.length > 0 ? seq(...steps) : undefined;
};
