export { serviceAccountController, serviceAccountKeysFor } from './component.js';
export { SERVICE_ACCOUNT_CONTROLLER_NAME, syncServiceAccounts } from './core.js';
