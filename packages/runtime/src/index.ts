export * from './embedded/simulation.js';
export * from './embedded/host.js';
export * from './embedded/timing.js';
export * from './embedded/queue.js';
export * from './embedded/executor.js';
export * from './cluster.js';
export * from './embedded/faults.js';
export * from './events.js';
