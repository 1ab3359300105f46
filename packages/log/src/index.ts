export * from './envelope.js';
export * from './port.js';
export * from './memory.js';
export * from './file.js';
export * from './diff.js';
export * from './scan.js';
