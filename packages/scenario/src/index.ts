export * from './types.js';
export * from './parse.js';
export * from './conditions.js';
export * from './runner.js';
export * from './report.js';
export * from './versions.js';
export * from './drain.js';
export * from './rollout.js';
