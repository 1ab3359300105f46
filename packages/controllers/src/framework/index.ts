export * from './plan.js';
export * from './component.js';
export * from './recorder.js';
export * from './machine.js';
export * from './phashmap.js';
