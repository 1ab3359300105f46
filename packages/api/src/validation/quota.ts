/** ResourceQuota validation (ValidateResourceQuota in pkg/apis/core/validation). */
import { invalid } from '../errors.js';
import { canonicalQuantity, isValidQuantity, parseQuantity } from '../quantity.js';
import type { ResourceQuota } from '../types.js';
import { type Errs } from './fields.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { NONNEGATIVE_MSG, QUANTITY_MSG } from './strings.js';

const INVALID_QUOTA_RESOURCE = 'must be a standard resource for quota';
const NOT_INTEGER = 'must be an integer';

/** helper.IsStandardQuotaResourceName: the names a quota may use without a `/`. */
const STANDARD_QUOTA_RESOURCES: ReadonlySet<string> = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas',
  'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
]);
const isStandardQuotaResource = (n: string): boolean =>
  STANDARD_QUOTA_RESOURCES.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-');

/** helper.IsIntegerResourceName: object counts. */
const INTEGER_RESOURCES: ReadonlySet<string> = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);
const isIntegerResource = (n: string): boolean => INTEGER_RESOURCES.has(n) || n.startsWith('count/');

const validateHard = (hard: Record<string, unknown> | undefined, path: string): Errs => {
  const errs: Errs = [];
  for (const [k, v] of Object.entries(hard ?? {})) {
    const p = `${path}[${k}]`;
    if (!k.includes('/') && !isStandardQuotaResource(k)) errs.push(invalid(p, k, INVALID_QUOTA_RESOURCE));
    if (!isValidQuantity(v)) { errs.push(invalid(p, String(v), QUANTITY_MSG)); continue; }
    const n = parseQuantity(v as string | number) ?? 0;
    if (n < 0) errs.push(invalid(p, canonicalQuantity(v as string | number), NONNEGATIVE_MSG));
    if (isIntegerResource(k) && !Number.isInteger(n)) errs.push(invalid(p, String(v), NOT_INTEGER));
  }
  return errs;
};

/** ValidateResourceQuota: metadata, spec.hard (standard names or fully qualified, non-negative, integer counts). */
export const validateResourceQuota = (q: ResourceQuota): Errs => [
  ...validateObjectMeta(q.metadata, true, nameIsDNSSubdomain),
  ...validateHard(q.spec?.hard as Record<string, unknown> | undefined, 'spec.hard'),
];

export const validateResourceQuotaUpdate = (q: ResourceQuota, old: ResourceQuota): Errs => [
  ...validateObjectMetaUpdate(q.metadata, old.metadata),
  ...validateHard(q.spec?.hard as Record<string, unknown> | undefined, 'spec.hard'),
];
