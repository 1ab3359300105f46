export * from './store.js';
export * from './indexes.js';
export * from './history.js';
export * from './statediff.js';
export * from './versioned.js';
