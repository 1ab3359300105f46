/**
 * The pvc-protection and pv-protection controllers ([pvc_protection_controller], [pv_protection_controller]):
 * remove the protection finalizer of an object being deleted once nothing uses it; add it to live
 * objects that lack it.
 */
import { podClaimNames, type KObject, type PersistentVolume, type PersistentVolumeClaim, type Pod } from '@kubesim/api';
import { podsByClaim, type Snapshot } from '@kubesim/state';
import { write, type Step } from '../framework/index.js';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from './constants.js';
import { updateReq, withFinalizer, withoutFinalizer } from './writes.js';

const hasFinalizer = (o: KObject, f: string): boolean => (o.metadata?.finalizers ?? []).includes(f);

/** Whether the protection controller of `finalizer` has something to do for this object. */
export const needsProtectionSync = (o: KObject, finalizer: string): boolean => {
  const deleting = o.metadata?.deletionTimestamp !== undefined;
  return deleting === hasFinalizer(o, finalizer);
};

/**
 * [pvc_protection_controller podUsesPVC]: a scheduled pod that references the claim uses it, whatever its
 * phase (the phase only matters for generic ephemeral volumes) — a Failed pod not yet deleted still holds it.
 */
export const podUsesClaim = (pod: Pod): boolean => !!pod.spec?.nodeName;

export interface ProtectionResult { readonly plan?: Step; readonly workUnits: number }

/**
 * [pvc_protection_controller processPVC + isBeingUsed]: a claim being deleted keeps its finalizer while a
 * pod uses it — asked of the informer's cache first, then, when the cache knows of none, of a live list
 * of the namespace's pods (`askAPIServer`: the cache may not have seen a pod scheduled a moment ago).
 * `live` is the API server's state; without it the cache decides alone.
 */
export const syncClaimProtection = (snap: Snapshot, namespace: string, name: string, live?: Snapshot): ProtectionResult => {
  const claim = snap.get('PersistentVolumeClaim', namespace, name);
  if (!claim) return { workUnits: 0 };
  const rv = claim.metadata?.resourceVersion;
  if (claim.metadata?.deletionTimestamp !== undefined) {
    if (!hasFinalizer(claim, PVC_PROTECTION_FINALIZER)) return { workUnits: 1 };
    let scanned = 1;
    for (const pod of snap.byIndex('Pod', podsByClaim.name, `${namespace}/${name}`)) {
      scanned++;
      if (podUsesClaim(pod)) return { workUnits: scanned };
    }
    if (live !== undefined) {
      for (const pod of live.list('Pod', namespace)) {
        scanned++;
        if (podUsesClaim(pod) && podClaimNames(pod).includes(name)) return { workUnits: scanned };
      }
    }
    return { plan: write(updateReq(withoutFinalizer<PersistentVolumeClaim>(claim, PVC_PROTECTION_FINALIZER), rv)), workUnits: scanned };
  }
  if (hasFinalizer(claim, PVC_PROTECTION_FINALIZER)) return { workUnits: 1 };
  return { plan: write(updateReq(withFinalizer<PersistentVolumeClaim>(claim, PVC_PROTECTION_FINALIZER), rv)), workUnits: 1 };
};

export const syncVolumeProtection = (snap: Snapshot, name: string): ProtectionResult => {
  const pv = snap.get('PersistentVolume', '', name);
  if (!pv) return { workUnits: 0 };
  const rv = pv.metadata?.resourceVersion;
  if (pv.metadata?.deletionTimestamp !== undefined) {
    // [isBeingUsed]: a Bound volume is in use.
    if (!hasFinalizer(pv, PV_PROTECTION_FINALIZER) || pv.status?.phase === 'Bound') return { workUnits: 1 };
    return { plan: write(updateReq(withoutFinalizer<PersistentVolume>(pv, PV_PROTECTION_FINALIZER), rv)), workUnits: 1 };
  }
  if (hasFinalizer(pv, PV_PROTECTION_FINALIZER)) return { workUnits: 1 };
  return { plan: write(updateReq(withFinalizer<PersistentVolume>(pv, PV_PROTECTION_FINALIZER), rv)), workUnits: 1 };
};
