export { resourceQuotaController, resourceQuotaKeysFor } from './component.js';
export { RESOURCE_QUOTA_CONTROLLER_NAME, RESOURCE_QUOTA_SYNC_PERIOD_MS, QUOTA_COUNTED_KINDS, quotaUsage, syncResourceQuota } from './core.js';
