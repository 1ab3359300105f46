export * from './case.js';
export * from './scenario.js';
export * from './run.js';
export * from './variants.js';
export * from './property.js';
