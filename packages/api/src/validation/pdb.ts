/** PodDisruptionBudget validation (ValidatePodDisruptionBudget and its status update, pkg/apis/policy/validation). */
import type { PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { invalid, unsupported, type FieldError } from '../errors.js';
import type { PodDisruptionBudget } from '../types.js';
import { nonnegative, validateLabelSelector, type Errs } from './fields.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isValidPercent } from './strings.js';

type IntOrString = number | string;

export const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'] as const;

/** appsvalidation.ValidatePositiveIntOrPercent + IsNotMoreThan100Percent. */
const intOrPercent = (v: IntOrString, path: string): Errs => {
  if (typeof v === 'string') {
    const errs = isValidPercent(v).map((m) => invalid(path, v, m));
    if (errs.length === 0 && Number.parseInt(v.slice(0, -1), 10) > 100) errs.push(invalid(path, v, 'must not be greater than 100%'));
    return errs;
  }
  return nonnegative(v, path);
};

/** The spec as the API renders an invalid struct value (JSON, in the internal type's field order). */
const specValue = (s: PodDisruptionBudgetSpec): string => JSON.stringify({
  ...(s.minAvailable !== undefined ? { minAvailable: s.minAvailable } : {}),
  ...(s.selector ? { selector: s.selector } : {}),
  ...(s.maxUnavailable !== undefined ? { maxUnavailable: s.maxUnavailable } : {}),
  ...(s.unhealthyPodEvictionPolicy !== undefined ? { unhealthyPodEvictionPolicy: s.unhealthyPodEvictionPolicy } : {}),
});

/** ValidatePodDisruptionBudgetSpec. */
const validateSpec = (spec: PodDisruptionBudgetSpec | undefined): Errs => {
  const s = spec ?? {};
  const errs: Errs = [];
  if (s.minAvailable !== undefined && s.minAvailable !== null && s.maxUnavailable !== undefined && s.maxUnavailable !== null) {
    const both: FieldError = { path: 'spec', type: 'Invalid value', value: specValue(s), detail: 'minAvailable and maxUnavailable cannot be both set' };
    errs.push(both);
  }
  if (s.minAvailable !== undefined && s.minAvailable !== null) errs.push(...intOrPercent(s.minAvailable, 'spec.minAvailable'));
  if (s.maxUnavailable !== undefined && s.maxUnavailable !== null) errs.push(...intOrPercent(s.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
  const policy = s.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== null && !(UNHEALTHY_POD_EVICTION_POLICIES as readonly string[]).includes(policy)) {
    errs.push(unsupported('spec.unhealthyPodEvictionPolicy', policy, UNHEALTHY_POD_EVICTION_POLICIES));
  }
  return errs;
};

export const validatePodDisruptionBudget = (pdb: PodDisruptionBudget): Errs => [
  ...validateObjectMeta(pdb.metadata, true, nameIsDNSSubdomain),
  ...validateSpec(pdb.spec),
];

/** The spec may change (since 1.15); metadata update rules. */
export const validatePodDisruptionBudgetUpdate = (pdb: PodDisruptionBudget, old: PodDisruptionBudget): Errs => [
  ...validateObjectMetaUpdate(pdb.metadata, old.metadata),
  ...validateSpec(pdb.spec),
];

/** ValidatePodDisruptionBudgetStatusUpdate (policy/v1): the counters are non-negative. */
export const validatePodDisruptionBudgetStatusUpdate = (pdb: PodDisruptionBudget, old: PodDisruptionBudget): Errs => {
  const st: PodDisruptionBudgetStatus = pdb.status ?? ({} as PodDisruptionBudgetStatus);
  return [
    ...validateObjectMetaUpdate(pdb.metadata, old.metadata),
    ...nonnegative(st.disruptionsAllowed, 'status.disruptionsAllowed'),
    ...nonnegative(st.currentHealthy, 'status.currentHealthy'),
    ...nonnegative(st.desiredHealthy, 'status.desiredHealthy'),
    ...nonnegative(st.expectedPods, 'status.expectedPods'),
  ];
};
