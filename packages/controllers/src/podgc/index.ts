export { podGarbageCollector, podGcKeysFor, observePodGc, defaultPodGcConfig } from './component.js';
export { syncPodGc, markFailedAndDelete } from './core.js';
export {
  POD_GC_NAME, TAINT_OUT_OF_SERVICE, REASON_DELETION_BY_POD_GC, MESSAGE_NODE_GONE, initialPodGcLocal, isNodeReady, isOutOfService,
  nodeKey as podGcNodeKey, TERMINATED_KEY as POD_GC_TERMINATED_KEY, isPodTerminated, type PodGcConfig, type PodGcLocal,
} from './types.js';
