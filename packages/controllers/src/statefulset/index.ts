export { statefulSetController, defaultStatefulSetConfig, type StatefulSetConfig } from './component.js';
export { syncStatefulSet } from './sync.js';
export { getMaxUnavailable } from './maxunavailable.js';
export { newStatefulSetPod, newVersionedStatefulSetPod, identityMatches, storageMatches } from './pod.js';
export { isClaimOwnerUpToDate, claimWithPolicyRefs, podClaimIsStale } from './retention.js';
export { chooseRevisions, listRevisions, newRevision, revisionPatch, canonicalJson, sortRevisions } from './revision.js';
export * from './helpers.js';
