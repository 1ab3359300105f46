// Volume binder (k8s-semantics §3.1–3.5): PV controller, dynamic provisioner, pvc-/pv-protection.
// packages/controllers/src/index.ts re-exports every component with `export *`, so generic names are
// exported with a volume-specific alias.
export { volumeBinder, volumeBinderKeysFor, volumeBinderInitialKeys, volumeBinderObserve } from './component.js';
export { reconcileVolumeBinder } from './core.js';
export {
  VOLUME_BINDER_NAME, VOLUME_BINDER_ACTOR, defaultVolumeBinderConfig, initialVolumeBinderLocal,
  claimKey as volumeBinderClaimKey, volumeKey as volumeBinderVolumeKey,
  claimProtectionKey as volumeBinderClaimProtectionKey, volumeProtectionKey as volumeBinderVolumeProtectionKey,
  parseVolumeBinderKey, type VolumeBinderConfig, type VolumeBinderLocal, type VolumeBinderKey,
} from './types.js';
export {
  ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
  ANN_BETA_STORAGE_PROVISIONER, ANN_BETA_STORAGE_CLASS, ANN_DEFAULT_STORAGE_CLASS, PVC_PROTECTION_FINALIZER,
  PV_PROTECTION_FINALIZER, NOT_SUPPORTED_PROVISIONER, TOPOLOGY_PARAMETER as STORAGE_CLASS_TOPOLOGY_PARAMETER,
  MSG_WAIT_FOR_FIRST_CONSUMER, MSG_NO_VOLUMES_NO_CLASS, MSG_CLAIM_LOST_REFERENCE, MSG_CLAIM_LOST_VOLUME, MSG_CLAIM_MISBOUND,
  MSG_UNKNOWN_RECLAIM_POLICY,
} from './constants.js';
export { pvByClaimRef, pvUnboundByModes, pvUnboundByClass } from './indexes.js';
export {
  findMatchingVolume, findBestMatchForClaim, schedulerCandidates as schedulerVolumeCandidates, volumesReferencing,
  type MatchNode as VolumeMatchNode, type MatchResult as VolumeMatchResult,
} from './match.js';
export { bindPlan as volumeBindPlan, volumeBoundToClaim } from './bind.js';
export { provisionedVolume, provisionedVolumeName, isNodeLocalClass } from './provision.js';
export { syncClaim as syncVolumeClaim, volumeUnsatisfiedReason } from './claim.js';
export { syncVolume } from './volume.js';
export { syncClaimProtection, syncVolumeProtection, podUsesClaim } from './protection.js';
export {
  claimClass as volumeClaimClass, volumeClass, claimRequest as volumeClaimRequest, volumeCapacity, isVolumeBoundToClaim,
  isClaimFullyBound, isBindCompleted as isClaimBindCompleted, isDelayBindingMode, selectedNodeOf as claimSelectedNode,
  accessModesKey, matchNodeSelectorTerms, volumeFitsNode, matchTopologySelectorTerms,
} from './storage.js';
export {
  resizePlan as volumeResizePlan, nodeExpanded as claimNodeExpanded, nodeResizePending as claimNodeResizePending, withResizeStatus as claimWithResizeStatus,
  MSG_FS_RESIZE_PENDING, NODE_RESIZE_PENDING, CONTROLLER_RESIZE_IN_PROGRESS,
} from './resize.js';
