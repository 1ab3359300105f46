export { nodeLifecycleController, nodeLifecycleKeysFor, observeNodeLifecycle, defaultNodeLifecycleConfig } from './component.js';
export {
  syncNode, unknownStatus, healthyStatus, desiredConditionTaints, reconcileTaints, matchingTolerations, minTolerationMs, evictionTime,
} from './core.js';
export {
  NODE_LIFECYCLE_NAME, REASON_NODE_STATUS_UNKNOWN, MESSAGE_NODE_STATUS_UNKNOWN,
  REASON_DELETION_BY_TAINT_MANAGER, MESSAGE_DELETION_BY_TAINT_MANAGER, initialNodeLifecycleLocal, lastHeartbeatOf,
  NODE_LIFECYCLE_SETTINGS, type NodeLifecycleConfig, type NodeLifecycleLocal, type ZoneState, type ZoneTainter,
} from './types.js';
export { zoneKeyOf, zoneState, disruptionPass, swapLimiter, LABEL_EXCLUDE_DISRUPTION } from './disruption.js';
