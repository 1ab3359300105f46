export { kubelet, kubeletKeysFor } from './component.js';
export { syncKubeletPod, startupFailureApplies, STATUS_TAG as KUBELET_STATUS_TAG, DELETE_TAG as KUBELET_DELETE_TAG } from './core.js';
export {
  KUBELET_NAME, defaultKubeletConfig, initialKubeletLocal, kubeletKey, parseKubeletKey, kubeletShardOf,
  type KubeletConfig, type KubeletLocal, type KubeletFault, type PendingWrite, type ReadinessFault, type FailFault, type CrashFault, type CrashBackoff,
} from './types.js';
export { observeKubelet, parseKubeletFault, parseNodeFault, parseKubeletProcessEntry, faultApplies, type KubeletProcessEvent } from './local.js';
export { containerCrashError, probeFailureError, podOrNodeFaultError, POD_AND_NODE_FAULTS, LIVENESS_KILL_EXIT_CODE, lastTermination, backoffAt, goDuration, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, DEFAULT_CRASH_RUN_MS } from './crash.js';
export { killingEvent, neverPullEvent, pullingEvent, startEvents } from './events.js';
export { heldAt, nodeHoldings, imageReportedAt, IMAGE_CACHE_REFRESH_MS, NODE_STATUS_UPDATE_MS, NEVER_PULL, neverPullMessage, SANDBOX_WAIT_REASONS, shouldPull, type NodeImages } from './images.js';
export { admitPod, matchesNodeAffinity, podRequests, REJECTED_PREFIX, type Rejection } from './admission.js';
export { attachBlock, claimsReady, restrictsMultiAttach, exclusivePvOf, type AttachBlock } from './volumes.js';
export { allocatePodIp, hostIpOf, nodeIndex, podCidrPrefix } from './network.js';
export {
  kubeletConditions, containersReadySpec, readySpec, containerId, containersStarted, mainContainersStarted, probeDelayMs, terminalPhase,
  CONTAINER_UNKNOWN_MESSAGE,
} from './status.js';
