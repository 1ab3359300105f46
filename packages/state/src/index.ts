export * from './store.js';
export * from './indexes.js';
