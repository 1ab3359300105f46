export { garbageCollector, garbageCollectorKeysFor, defaultGarbageCollectorConfig, type GarbageCollectorConfig } from './component.js';
export { syncGarbage, deleteRequest, removeOwnerRefsPatch, removeFinalizerRequest } from './core.js';
export {
  GARBAGE_COLLECTOR_NAME, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, GC_KINDS, gcIndexes, gcKey, parseGcKey, classifyRef,
  dependentsOf, isDeletingDependents, isOrphaning, type GcKind, type RefClass,
} from './graph.js';
