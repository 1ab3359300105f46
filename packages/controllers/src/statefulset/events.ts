import type { ApiError } from '@kubesim/api';
import type { EventSpec } from '../framework/plan.js';

/** [SPC recordPodEvent / recordClaimEvent] messages (§1.15). */
export type Involved = EventSpec['involved'];

const errText = (e: ApiError | { message: string }): string => e.message;

export const podEvent = (verb: 'create' | 'update' | 'delete', pod: string, set: string, on: Involved): EventSpec => ({
  type: 'Normal', reason: `Successful${verb[0]!.toUpperCase()}${verb.slice(1)}`,
  message: `${verb} Pod ${pod} in StatefulSet ${set} successful`, involved: on,
});

export const podFailedEvent = (verb: 'create' | 'update' | 'delete', pod: string, set: string, on: Involved, err: ApiError | { message: string }): EventSpec => ({
  type: 'Warning', reason: `Failed${verb[0]!.toUpperCase()}${verb.slice(1)}`,
  message: `${verb} Pod ${pod} in StatefulSet ${set} failed error: ${errText(err)}`, involved: on,
});

export const claimEvent = (claim: string, pod: string, set: string, on: Involved): EventSpec => ({
  type: 'Normal', reason: 'SuccessfulCreate', message: `create Claim ${claim} Pod ${pod} in StatefulSet ${set} success`, involved: on,
});

export const claimFailedEvent = (claim: string, pod: string, set: string, on: Involved, err: ApiError): EventSpec => ({
  type: 'Warning', reason: 'FailedCreate', message: `create Claim ${claim} for Pod ${pod} in StatefulSet ${set} failed error: ${errText(err)}`, involved: on,
});

export const conflictingControllerEvent = (claim: string, on: Involved): EventSpec => ({
  type: 'Warning', reason: 'ConflictingController',
  message: `PersistentVolumeClaim ${claim} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`,
  involved: on,
});
