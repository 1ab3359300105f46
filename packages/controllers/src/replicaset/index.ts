// ReplicaSet controller (k8s-semantics §2). Generic helper names are exported with an `rs`/`ReplicaSet`
// prefix because packages/controllers/src/index.ts re-exports every component with `export *`.
export { replicaSetController, replicaSetKeysFor, observeReplicaSetEntry, replicaSetsByControllerUid } from './component.js';
export {
  syncReplicaSet, CREATED_NAME,
  createTag as rsCreateTag, deleteTag as rsDeleteTag, STATUS_TAG as RS_STATUS_TAG,
} from './core.js';
export {
  defaultReplicaSetControllerConfig, CONTROLLER_NAME as REPLICASET_CONTROLLER_NAME,
  type ReplicaSetControllerConfig, type ReplicaSetLocal, type RsExpectations,
} from './types.js';
export {
  expectationsSatisfied, expectCreations, expectDeletions, creationObserved, deletionObserved, dropExpectations,
} from './expectations.js';
export { sortForDeletion, podsToDelete, ranksByRelatedPodsOnSameNode, podDeletionCost, logarithmicRank, POD_DELETION_COST } from './ranking.js';
export {
  podFromTemplate as rsPodFromTemplate, podNamePrefix as rsPodNamePrefix, rsControllerRef, NO_LABELS_ERROR,
} from './pods.js';
export { claimPods as claimReplicaSetPods, adoptTag as rsAdoptTag, releaseTag as rsReleaseTag } from './claim.js';
export {
  calculateStatus as calculateReplicaSetStatus, countPods as countReplicaSetPods, statusUpToDate as replicaSetStatusUpToDate,
  availabilityRequeueMs as replicaSetAvailabilityRequeueMs, REPLICA_FAILURE,
  type ManageError as ReplicaSetManageError, type Counts as ReplicaSetCounts,
} from './status.js';
