/**
 * The volume binder: the PV controller (claim and volume syncs, §3.2/§3.4), the dynamic provisioner
 * (§3.3) and the pvc-/pv-protection controllers, as one component with four key spaces:
 * `pvc:<ns>/<name>`, `pv:<name>`, `pvc-protection:<ns>/<name>`, `pv-protection:<name>`.
 */
import { isTerminal, podClaimNames, type KObject, type PersistentVolume, type PersistentVolumeClaim, type Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { podsByClaim, type Snapshot } from '@kubesim/state';
import type { ComponentDef } from '../framework/index.js';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from './constants.js';
import { reconcileVolumeBinder } from './core.js';
import { pvByClaimRef, pvUnboundByModes } from './indexes.js';
import { forgetClaim } from './once.js';
import { needsProtectionSync } from './protection.js';
import { isBindCompleted } from './storage.js';
import {
  VOLUME_BINDER_NAME, claimKey, claimProtectionKey, initialVolumeBinderLocal, volumeKey,
  volumeProtectionKey, type VolumeBinderConfig, type VolumeBinderLocal,
} from './types.js';

const claimKeys = (e: Envelope, c: PersistentVolumeClaim, snap: Snapshot): string[] => {
  const ns = c.metadata?.namespace ?? '', name = c.metadata?.name ?? '';
  const keys: string[] = [];
  if (e.type === 'DELETED') {
    // [deleteClaim]: the volumes it was bound (or pre-bound) to get released.
    for (const pv of snap.byIndex('PersistentVolume', pvByClaimRef.name, `${ns}/${name}`)) keys.push(volumeKey(pv.metadata?.name ?? ''));
  } else {
    keys.push(claimKey(ns, name));
    if (needsProtectionSync(c, PVC_PROTECTION_FINALIZER)) keys.push(claimProtectionKey(ns, name));
  }
  if (c.spec?.volumeName) keys.push(volumeKey(c.spec.volumeName));
  return keys;
};

const volumeKeys = (e: Envelope, pv: PersistentVolume, snap: Snapshot): string[] => {
  const name = pv.metadata?.name ?? '';
  const keys: string[] = [];
  if (e.type !== 'DELETED') {
    keys.push(volumeKey(name));
    if (needsProtectionSync(pv, PV_PROTECTION_FINALIZER)) keys.push(volumeProtectionKey(name));
  }
  // The claim it names finishes binding, or notices that its volume is gone.
  const ref = pv.spec?.claimRef;
  if (ref && snap.get('PersistentVolumeClaim', ref.namespace ?? '', ref.name ?? '')) keys.push(claimKey(ref.namespace ?? '', ref.name ?? ''));
  return keys;
};

/** [pvc-protection podAddedDeletedUpdated]: pods that stopped using their claims release the claims being deleted. */
const podKeys = (e: Envelope, pod: Pod, old: Pod | undefined, snap: Snapshot): string[] => {
  const keys: string[] = [];
  const release = (p: Pod, gone: boolean): void => {
    if (!gone && !isTerminal(p) && p.spec?.nodeName) return;
    const ns = p.metadata?.namespace ?? '';
    for (const claimName of podClaimNames(p)) {
      const c = snap.get('PersistentVolumeClaim', ns, claimName);
      if (c && c.metadata?.deletionTimestamp !== undefined && (c.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER)) {
        keys.push(claimProtectionKey(ns, claimName));
      }
    }
  };
  release(pod, e.type === 'DELETED');
  if (old && old.metadata?.uid !== pod.metadata?.uid) release(old, true);
  return keys;
};

const dedupe = (keys: string[]): readonly string[] => (keys.length > 1 ? [...new Set(keys)] : keys);

export const volumeBinderKeysFor = (e: Envelope, old: KObject | undefined, snap: Snapshot): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  switch (o.kind) {
    case 'PersistentVolumeClaim': return dedupe(claimKeys(e, o as PersistentVolumeClaim, snap));
    case 'PersistentVolume': return dedupe(volumeKeys(e, o as PersistentVolume, snap));
    case 'Pod': return dedupe(podKeys(e, o as Pod, old as Pod | undefined, snap));
    default: return []; // StorageClasses are read when needed; waiting claims are resynced.
  }
};

export function* volumeBinderInitialKeys(snap: Snapshot): Iterable<string> {
  for (const c of snap.list('PersistentVolumeClaim')) {
    const ns = c.metadata?.namespace ?? '', name = c.metadata?.name ?? '';
    yield claimKey(ns, name);
    if (needsProtectionSync(c, PVC_PROTECTION_FINALIZER)) yield claimProtectionKey(ns, name);
  }
  for (const pv of snap.list('PersistentVolume')) {
    const name = pv.metadata?.name ?? '';
    yield volumeKey(name);
    if (needsProtectionSync(pv, PV_PROTECTION_FINALIZER)) yield volumeProtectionKey(name);
  }
}

/** Forget a claim's once-events when it is gone or bound. */
export const volumeBinderObserve = (e: Envelope, _old: KObject | undefined, local: VolumeBinderLocal): VolumeBinderLocal => {
  if (!isObjectEntry(e) || e.object.kind !== 'PersistentVolumeClaim') return local;
  const c = e.object as PersistentVolumeClaim;
  if (e.type !== 'DELETED' && !isBindCompleted(c)) return local;
  return forgetClaim(local, c.metadata?.uid ?? '');
};

export const volumeBinder: ComponentDef<VolumeBinderConfig, VolumeBinderLocal> = {
  name: VOLUME_BINDER_NAME,
  watches: ['PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', 'Pod'],
  indexes: [podsByClaim, pvByClaimRef, pvUnboundByModes],
  keysFor: (e, old, snap) => volumeBinderKeysFor(e, old, snap),
  initialKeys: (snap) => volumeBinderInitialKeys(snap),
  reconcile: reconcileVolumeBinder,
  initialLocal: initialVolumeBinderLocal,
  observe: volumeBinderObserve,
  // [storeVolumeUpdate / storeClaimUpdate]: the PV controller caches the objects its writes return (the
  // only kinds it writes).
  writeThrough: ['PersistentVolumeClaim', 'PersistentVolume'],
  liveReads: true,
};

