import type { KObject, PersistentVolume } from '@kubesim/api';
import type { IndexSpec } from '@kubesim/state';
import { accessModesKey, claimRefKey, volumeClass } from './storage.js';

/** PVs by the `namespace/name` of their claimRef (pre-bound and bound volumes of a claim). */
export const pvByClaimRef: IndexSpec = {
  name: 'volume.claimRef', kind: 'PersistentVolume',
  fn: (o: KObject) => {
    const ref = (o as PersistentVolume).spec?.claimRef;
    return ref ? [claimRefKey(ref)] : [];
  },
};

/** Volumes without a claimRef, by access-mode group (`RWO`, `RWO,ROX`, …): [PVIDX accessmodes index]. */
export const pvUnboundByModes: IndexSpec = {
  name: 'volume.unboundModes', kind: 'PersistentVolume',
  fn: (o: KObject) => {
    const pv = o as PersistentVolume;
    return pv.spec?.claimRef ? [] : [accessModesKey(pv.spec?.accessModes)];
  },
};

/** Volumes without a claimRef, by class ("" for none): the scheduler's [pvCache.ListPVs(class)]. */
export const pvUnboundByClass: IndexSpec = {
  name: 'volume.unboundClass', kind: 'PersistentVolume',
  fn: (o: KObject) => {
    const pv = o as PersistentVolume;
    return pv.spec?.claimRef ? [] : [volumeClass(pv)];
  },
};
