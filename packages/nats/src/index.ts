export * from './subjects.js';
export * from './permissions.js';
export * from './server.js';
export * from './connect.js';
export * from './codec.js';
export * from './clock.js';
export * from './log.js';
