export { nodeLifecycleController, nodeLifecycleKeysFor, observeNodeLifecycle, defaultNodeLifecycleConfig } from './component.js';
export {
  syncNode, unknownStatus, healthyStatus, desiredConditionTaints, reconcileTaints, matchingTolerations, minTolerationMs, evictionTime,
} from './core.js';
export {
  NODE_LIFECYCLE_NAME, REASON_NODE_STATUS_UNKNOWN, MESSAGE_NODE_STATUS_UNKNOWN,
  REASON_DELETION_BY_TAINT_MANAGER, MESSAGE_DELETION_BY_TAINT_MANAGER, initialNodeLifecycleLocal, lastHeartbeatOf,
  type NodeLifecycleConfig, type NodeLifecycleLocal,
} from './types.js';
