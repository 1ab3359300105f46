import type { KObject } from '../types.js';
import type { FieldError } from '../errors.js';

/**
 * Create-time validation of a defaulted object (k8s-semantics §1.2, §2.5; apimachinery rules for
 * metadata). Returns the field errors in Kubernetes' evaluation order; empty = valid.
 */
export const validateCreate = (_obj: KObject): FieldError[] => [];

/** Update validation (immutable fields etc.) of a defaulted object against the stored one. */
export const validateUpdate = (_obj: KObject, _old: KObject): FieldError[] => [];

/** Status-subresource validation (e.g. StatefulSet status counters, §1.2). */
export const validateStatusUpdate = (_obj: KObject, _old: KObject): FieldError[] => [];
