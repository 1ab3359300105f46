import { PHashMap } from '../framework/phashmap.js';

export const VOLUME_BINDER_NAME = 'volume-binder';
export const VOLUME_BINDER_ACTOR = 'volume-binder';

export interface VolumeBinderConfig {
  /** Provisioning takes seededBetween(seed, claimUid, min, max) ms, counted from the claim's creationTimestamp. */
  readonly provisionMsMin: number;
  readonly provisionMsMax: number;
  /**
   * Period of the PV controller's resync for claims that wait on something no event announces (a
   * matching PV for a class-less claim, a requested PV, a missing StorageClass): pvClaimSyncPeriod,
   * 15 s in kube-controller-manager. 0 disables it.
   */
  readonly resyncMs: number;
}

export const defaultVolumeBinderConfig: VolumeBinderConfig = { provisionMsMin: 100, provisionMsMax: 500, resyncMs: 15_000 };

/**
 * Local state: the events recorded once per claim, as `<claim uid>:<reason>` (Kubernetes records them
 * on every sync and its recorder aggregates them; kubesim records the first). Lost on a crash, so a
 * restarted binder may record them once more.
 */
export interface VolumeBinderLocal {
  readonly recorded: PHashMap<true>;
}

export const initialVolumeBinderLocal = (): VolumeBinderLocal => ({ recorded: PHashMap.empty() });

// ---- keys -------------------------------------------------------------------------------------------
/** `pvc:<ns>/<name>` — the PV controller's claim sync (syncClaim, provisioning). */
export const claimKey = (namespace: string, name: string): string => `pvc:${namespace}/${name}`;
/** `pv:<name>` — the PV controller's volume sync (syncVolume, reclaim). */
export const volumeKey = (name: string): string => `pv:${name}`;
/** `pvc-protection:<ns>/<name>` — the pvc-protection controller. */
export const claimProtectionKey = (namespace: string, name: string): string => `pvc-protection:${namespace}/${name}`;
/** `pv-protection:<name>` — the pv-protection controller. */
export const volumeProtectionKey = (name: string): string => `pv-protection:${name}`;

export type VolumeBinderKey =
  | { readonly type: 'claim' | 'claimProtection'; readonly namespace: string; readonly name: string }
  | { readonly type: 'volume' | 'volumeProtection'; readonly name: string };

export const parseVolumeBinderKey = (key: string): VolumeBinderKey | undefined => {
  const i = key.indexOf(':');
  if (i < 0) return undefined;
  const kind = key.slice(0, i), rest = key.slice(i + 1);
  const nsName = (): { namespace: string; name: string } => {
    const j = rest.indexOf('/');
    return j < 0 ? { namespace: '', name: rest } : { namespace: rest.slice(0, j), name: rest.slice(j + 1) };
  };
  switch (kind) {
    case 'pvc': return { type: 'claim', ...nsName() };
    case 'pvc-protection': return { type: 'claimProtection', ...nsName() };
    case 'pv': return { type: 'volume', name: rest };
    case 'pv-protection': return { type: 'volumeProtection', name: rest };
    default: return undefined;
  }
};
