import type { KObject } from './types.js';

/** Defaulting as the API server applies it on create and update (k8s-semantics §1.1). Returns a new object. */
export const applyDefaults = (obj: KObject): KObject => obj;
