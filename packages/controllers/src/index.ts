export * from './framework/index.js';
export * from './statefulset/index.js';
export * from './replicaset/index.js';
export * from './scheduler/index.js';
export * from './volume/index.js';
export * from './kubelet/index.js';
export * from './endpoints/index.js';
export * from './gc/index.js';
