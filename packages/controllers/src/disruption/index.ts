export * from './core.js';
export * from './component.js';
