/** The volume binder's reconcile: one pure function of (snapshot, key, now, config, local, seed). */
import type { ReconcileInput, ReconcileResult } from '../framework/index.js';
import { syncClaim } from './claim.js';
import { syncClaimProtection, syncVolumeProtection } from './protection.js';
import type { SyncOutput } from './sync.js';
import { parseVolumeBinderKey, type VolumeBinderConfig, type VolumeBinderLocal } from './types.js';
import { syncVolume } from './volume.js';

const result = (out: SyncOutput, before: VolumeBinderLocal): ReconcileResult<VolumeBinderLocal> => {
  // Assigned field by field (not spread from conditional objects: this runs for every binder sync).
  const r: { -readonly [K in keyof ReconcileResult<VolumeBinderLocal>]: ReconcileResult<VolumeBinderLocal>[K] } = {};
  if (out.plan) r.plan = out.plan;
  if (out.requeueAfterMs !== undefined) r.requeueAfterMs = out.requeueAfterMs;
  if (out.local !== before) r.local = out.local;
  r.workUnits = out.workUnits;
  return r;
};

export const reconcileVolumeBinder = (input: ReconcileInput<VolumeBinderConfig, VolumeBinderLocal>): ReconcileResult<VolumeBinderLocal> => {
  const key = parseVolumeBinderKey(input.key);
  if (!key) return { error: `volume-binder: unknown key ${input.key}` };
  const { snapshot: snap, now, config, local, seed } = input;
  const sync = { snap, now, config, local, seed };
  switch (key.type) {
    case 'claim': {
      const claim = snap.get('PersistentVolumeClaim', key.namespace, key.name);
      if (!claim) return { workUnits: 1 };
      return result(syncClaim(sync, claim), local);
    }
    case 'volume': {
      const pv = snap.get('PersistentVolume', '', key.name);
      if (!pv) return { workUnits: 1 };
      return result(syncVolume(sync, pv), local);
    }
    case 'claimProtection': {
      const r = syncClaimProtection(snap, key.namespace, key.name, input.live);
      return { ...(r.plan ? { plan: r.plan } : {}), workUnits: r.workUnits };
    }
    case 'volumeProtection': {
      const r = syncVolumeProtection(snap, key.name);
      return { ...(r.plan ? { plan: r.plan } : {}), workUnits: r.workUnits };
    }
  }
};
