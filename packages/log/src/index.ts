export * from './envelope.js';
export * from './port.js';
export * from './memory.js';
export * from './file.js';
