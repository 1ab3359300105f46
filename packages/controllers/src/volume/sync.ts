import type { Snapshot } from '@kubesim/state';
import type { Step } from '../framework/index.js';
import type { VolumeBinderConfig, VolumeBinderLocal } from './types.js';

/** What every sync of the binder reads. */
export interface SyncInput {
  readonly snap: Snapshot;
  readonly now: number;
  readonly config: VolumeBinderConfig;
  readonly local: VolumeBinderLocal;
  readonly seed: number;
}

export interface SyncOutput {
  readonly plan?: Step | undefined;
  readonly requeueAfterMs?: number;
  readonly local: VolumeBinderLocal;
  readonly workUnits: number;
}

/** The PV controller's periodic sync (`--pvclaimbinder-sync-period`): a waiting claim is looked at again. */
export const resyncOf = (config: VolumeBinderConfig): { requeueAfterMs?: number } =>
  (config.resyncMs > 0 ? { requeueAfterMs: config.resyncMs } : {});

/** Run the defined steps concurrently; undefined when there are none. */
export const parOf = (...steps: (Step | undefined)[]): Step | undefined => {
  const s = steps.filter((x): x is Step => x !== undefined);
  return s.length === 0 ? undefined : s.length === 1 ? s[0] : { kind: 'par', steps: s };
};

/** Run the defined steps in order; undefined when there are none. */
export const seqOf = (...steps: (Step | undefined)[]): Step | undefined => {
  const s = steps.filter((x): x is Step => x !== undefined);
  return s.length === 0 ? undefined : s.length === 1 ? s[0] : { kind: 'seq', steps: s };
};
