/**
 * The PersistentVolumeClaimResize admission plugin (plugin/pkg/admission/storage/persistentvolume/resize,
 * on by default): a claim's requested storage may grow only when the claim is Bound and its
 * StorageClass — the same before and after, not "" — has `allowVolumeExpansion: true`. It runs after
 * validation (a validating admission plugin), dry runs included.
 */
import { claimClass, claimRequest, newForbidden, type PersistentVolumeClaim, type StorageClass } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';

export const resizeRefusal = (pvc: PersistentVolumeClaim, old: PersistentVolumeClaim, store: Snapshot) => {
  if (claimRequest(pvc) <= claimRequest(old)) return undefined;
  const name = pvc.metadata?.name ?? '';
  if (old.status?.phase !== 'Bound') return newForbidden('PersistentVolumeClaim', name, 'Only bound persistent volume claims can be expanded');
  const cls = claimClass(pvc);
  const allowed = cls !== '' && cls === claimClass(old)
    && (store.get('StorageClass', '', cls) as StorageClass | undefined)?.allowVolumeExpansion === true;
  return allowed ? undefined
    : newForbidden('PersistentVolumeClaim', name, 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
};
