import type { PersistentVolumeClaim } from '@kubesim/api';
import { event, involvedOf, type EventSpec, type Step } from '../framework/index.js';
import { ONCE_REASONS } from './constants.js';
import type { VolumeBinderLocal } from './types.js';

const onceKey = (uid: string, reason: string): string => `${uid}:${reason}`;

/**
 * An event about a claim that is recorded only the first time (per claim uid and reason): the step
 * to run (none when already recorded) and the local state that remembers it.
 */
export const recordOnce = (
  local: VolumeBinderLocal, claim: PersistentVolumeClaim, type: EventSpec['type'], reason: string, message: string,
): { step?: Step; local: VolumeBinderLocal } => {
  const k = onceKey(claim.metadata?.uid ?? '', reason);
  if (local.recorded.has(k)) return { local };
  return {
    step: event({ type, reason, message, involved: involvedOf(claim) }),
    local: { ...local, recorded: local.recorded.set(k, true) },
  };
};

/** Forget the once-events of a claim (it is gone or bound). Returns the same state when there is nothing to forget. */
export const forgetClaim = (local: VolumeBinderLocal, uid: string): VolumeBinderLocal => {
  let recorded = local.recorded;
  for (const r of ONCE_REASONS) recorded = recorded.delete(onceKey(uid, r));
  return recorded === local.recorded ? local : { ...local, recorded };
};
