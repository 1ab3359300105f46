/**
 * What an object charges against ResourceQuotas (pkg/quota/v1/evaluator/core): the object-count
 * resources and, for pods and claims, what they request. Shared by the API server's ResourceQuota
 * admission and the quota controller.
 */
import { parseTimestamp, isTerminal } from './meta.js';
import { formatBytes, parseQuantity } from './quantity.js';
import { KINDS, type Kind, type KObject, type PersistentVolumeClaim, type Pod } from './types.js';

/** QuotaV1Pod: terminal pods, and pods past their deletion grace period, are not charged. */
export const podCharged = (p: Pod, now: number): boolean => {
  if (isTerminal(p)) return false;
  const del = parseTimestamp(p.metadata?.deletionTimestamp);
  const grace = p.metadata?.deletionGracePeriodSeconds;
  return !(del !== undefined && grace !== undefined && grace !== null && now > del + grace * 1000);
};

const claimStorage = (c: PersistentVolumeClaim): number => parseQuantity(c.spec?.resources?.requests?.storage as string | undefined) ?? 0;

/** `count/<plural>[.<group>]` for a kind (object count quota). */
export const countResourceName = (kind: Kind): string => {
  const { plural, group } = KINDS[kind];
  return `count/${group === '' ? plural : `${plural}.${group}`}`;
};

/** What one object of this kind charges, by quota resource name. */
export const quotaCharge = (kind: Kind, o: KObject, now: number): Map<string, number> => {
  const m = new Map<string, number>([[countResourceName(kind), 1]]);
  if (kind === 'Pod') { if (podCharged(o as Pod, now)) m.set('pods', 1); else m.delete(countResourceName(kind)); }
  if (kind === 'PersistentVolumeClaim') { m.set('persistentvolumeclaims', 1); m.set('requests.storage', claimStorage(o as PersistentVolumeClaim)); }
  if (kind === 'Service') m.set('services', 1);
  return m;
};

/** The quota resources objects of a kind can charge (what a quota's `hard` must name for the kind to matter). */
export const quotaResourcesOf = (kind: Kind): readonly string[] => {
  const out = [countResourceName(kind)];
  if (kind === 'Pod') out.push('pods');
  if (kind === 'PersistentVolumeClaim') out.push('persistentvolumeclaims', 'requests.storage');
  if (kind === 'Service') out.push('services');
  return out;
};

/** The kind a quota resource name charges (`pods`, `count/statefulsets.apps`, `requests.storage`…), if kubesim tracks it. */
export const kindOfQuotaResource = (resource: string): Kind | undefined => {
  if (resource === 'pods') return 'Pod';
  if (resource === 'persistentvolumeclaims' || resource === 'requests.storage') return 'PersistentVolumeClaim';
  if (resource === 'services') return 'Service';
  if (!resource.startsWith('count/')) return undefined;
  const name = resource.slice('count/'.length);
  for (const k of Object.keys(KINDS) as Kind[]) if (countResourceName(k) === `count/${name}`) return k;
  return undefined;
};

/** A quota amount as the API shows it: bytes for storage (binary suffixes), counts as integers. */
export const formatQuotaAmount = (resource: string, n: number): string => (resource.endsWith('storage') ? formatBytes(n) : String(n));
