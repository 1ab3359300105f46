// Scheduler (k8s-semantics §3.5–3.6 and the default profile's filters). packages/controllers/src/index.ts
// re-exports every component with `export *`, so generic names carry a scheduler prefix.
export {
  scheduler, schedulerKeysFor, schedulerInitialKeys, schedulerObserve, podsUnschedulable, nodeSchedulingChanged, isPodUpdated,
} from './component.js';
export {
  schedulePod, needsScheduling, unschedulableConditionStep, BIND_TAG as SCHEDULER_BIND_TAG,
  REASON_UNSCHEDULABLE_CONDITION, REASON_SCHEDULER_ERROR, REASON_SCHEDULING_GATED, MSG_SCHEDULING_GATED, MSG_PREBIND_TIMEOUT,
  msgScheduled,
} from './core.js';
export {
  SCHEDULER_NAME, SCHEDULER_ACTOR, DEFAULT_SCHEDULER_NAME, defaultSchedulerConfig, initialSchedulerLocal, backoffMs as schedulerBackoffMs,
  type SchedulerConfig, type SchedulerLocal, type AssumedPod, type Attempts as SchedulerAttempts,
} from './types.js';
export { SchedulerCache, nodeRecOf, type NodeUsage, type NodeRec } from './cache.js';
export {
  podResources, nodeAllocatable, DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST, DEFAULT_MAX_PODS,
  type PodResources, type NodeAllocatable, type HostPort,
} from './resources.js';
export {
  REASON_UNSCHEDULABLE, REASON_NODE_AFFINITY, REASON_NODE_PORTS, REASON_TOO_MANY_PODS, REASON_INSUFFICIENT_CPU,
  REASON_INSUFFICIENT_MEMORY, reasonUntoleratedTaint, TAINT_UNSCHEDULABLE, TAINT_NOT_READY, TAINT_UNREACHABLE,
  toleratesTaint, readinessTaint, podInfoOf as schedulerPodInfo,
} from './filters.js';
export {
  REASON_BIND_CONFLICT, REASON_NODE_CONFLICT, REASON_PV_NOT_EXIST, REASON_UNBOUND_IMMEDIATE, REASON_RWOP_CONFLICT,
  msgClaimNotFound, msgClaimDeleting, msgClaimLost, volumePreFilter, volumeFilter, volumeBindSteps, readWriteOncePodConflict,
} from './volumebinding.js';
export { NO_NODES_AVAILABLE, filterFitError, preFilterFitError, ReasonHistogram } from './fiterror.js';
export { numFeasibleNodesToFind, leastAllocatedScore, balancedAllocationScore, resourceScore, HostSelector } from './score.js';
export { IMAGE_LOCALITY_WEIGHT, imageLocalityScore, podImages, schedulerImageName, type ImageState, type PodImages } from './imagelocality.js';
