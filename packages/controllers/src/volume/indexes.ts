import type { KObject, PersistentVolume } from '@kubesim/api';
import { NO_VALUES, memoSingle, memoValues, type IndexSpec } from '@kubesim/state';
import { accessModesKey, claimRefKey, volumeClass } from './storage.js';

const refValues = memoValues((ref: NonNullable<NonNullable<PersistentVolume['spec']>['claimRef']>) => [claimRefKey(ref)]);
const modeValues = memoValues((modes: readonly string[]) => [accessModesKey(modes)]);
const single = memoSingle();

/** PVs by the `namespace/name` of their claimRef (pre-bound and bound volumes of a claim). */
export const pvByClaimRef: IndexSpec = {
  name: 'volume.claimRef', kind: 'PersistentVolume',
  fn: (o: KObject) => {
    const ref = (o as PersistentVolume).spec?.claimRef;
    return ref ? refValues(ref, '') : NO_VALUES;
  },
};

/** Volumes without a claimRef, by access-mode group (`RWO`, `RWO,ROX`, …): [PVIDX accessmodes index]. */
export const pvUnboundByModes: IndexSpec = {
  name: 'volume.unboundModes', kind: 'PersistentVolume',
  fn: (o: KObject) => {
    const pv = o as PersistentVolume;
    if (pv.spec?.claimRef) return NO_VALUES;
    const modes = pv.spec?.accessModes;
    return modes ? modeValues(modes, '') : single(accessModesKey(modes));
  },
};

/** Volumes without a claimRef, by class ("" for none): the scheduler's [pvCache.ListPVs(class)]. */
export const pvUnboundByClass: IndexSpec = {
  name: 'volume.unboundClass', kind: 'PersistentVolume',
  fn: (o: KObject) => {
    const pv = o as PersistentVolume;
    return pv.spec?.claimRef ? NO_VALUES : single(volumeClass(pv));
  },
};
