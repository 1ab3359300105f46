export * from './server.js';
export * from './authz.js';
export * from './mergepatch.js';
