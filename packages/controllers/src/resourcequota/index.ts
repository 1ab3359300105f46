export { resourceQuotaController, resourceQuotaKeysFor } from './component.js';
export { RESOURCE_QUOTA_CONTROLLER_NAME, QUOTA_COUNTED_KINDS, quotaUsage, syncResourceQuota } from './core.js';
