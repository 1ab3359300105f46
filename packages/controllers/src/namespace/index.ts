export { namespaceController, namespaceKeysFor } from './component.js';
export { FINALIZER_ESTIMATE_SECONDS, NAMESPACE_CONTROLLER_NAME, NAMESPACE_DELETION_GRACE_MS, NAMESPACE_FINALIZER, NAMESPACED_CONTENT, syncNamespace } from './core.js';
