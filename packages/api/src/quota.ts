/**
 * What an object charges against ResourceQuotas (pkg/quota/v1/evaluator/core): the object-count
 * resources and, for pods and claims, what they request. Shared by the API server's ResourceQuota
 * admission and the quota controller.
 */
import { claimRequest, parseTimestamp, isTerminal } from './meta.js';
import { formatBytes } from './quantity.js';
import { KINDS, type Kind, type KObject, type PersistentVolumeClaim, type Pod } from './types.js';

/** QuotaV1Pod: terminal pods, and pods past their deletion grace period, are not charged. */
export const podCharged = (p: Pod, now: number): boolean => {
  if (isTerminal(p)) return false;
  const del = parseTimestamp(p.metadata?.deletionTimestamp);
  const grace = p.metadata?.deletionGracePeriodSeconds;
  return !(del !== undefined && grace !== undefined && grace !== null && now > del + grace * 1000);
};

/** `count/<plural>[.<group>]` for a kind (object count quota). */
export const countResourceName = (kind: Kind): string => {
  const { plural, group } = KINDS[kind];
  return `count/${group === '' ? plural : `${plural}.${group}`}`;
};

/** The standard resources (beyond `count/<resource>`) each kind charges, and what one object charges for each. */
const STANDARD_CHARGES: Partial<Record<Kind, Readonly<Record<string, (o: KObject) => number>>>> = {
  Pod: { pods: () => 1 },
  PersistentVolumeClaim: { persistentvolumeclaims: () => 1, 'requests.storage': (o) => claimRequest(o as PersistentVolumeClaim) },
  Service: { services: () => 1 },
};

/** What one object of this kind charges, by quota resource name (a pod that is not charged: nothing). */
export const quotaCharge = (kind: Kind, o: KObject, now: number): Map<string, number> => {
  const m = new Map<string, number>();
  if (kind === 'Pod' && !podCharged(o as Pod, now)) return m;
  m.set(countResourceName(kind), 1);
  for (const [r, f] of Object.entries(STANDARD_CHARGES[kind] ?? {})) m.set(r, f(o));
  return m;
};

/** The quota resources objects of a kind can charge (what a quota's `hard` must name for the kind to matter). */
export const quotaResourcesOf = (kind: Kind): readonly string[] => [countResourceName(kind), ...Object.keys(STANDARD_CHARGES[kind] ?? {})];

/** The kind a quota resource name charges (`pods`, `count/statefulsets.apps`, `requests.storage`…), if kubesim tracks it. */
export const kindOfQuotaResource = (resource: string): Kind | undefined => {
  for (const [k, charges] of Object.entries(STANDARD_CHARGES)) if (resource in charges!) return k as Kind;
  if (!resource.startsWith('count/')) return undefined;
  const name = resource.slice('count/'.length);
  for (const k of Object.keys(KINDS) as Kind[]) if (countResourceName(k) === `count/${name}`) return k;
  return undefined;
};

/** A quota amount as the API shows it: bytes for storage (binary suffixes), counts as integers. */
export const formatQuotaAmount = (resource: string, n: number): string => (resource.endsWith('storage') ? formatBytes(n) : String(n));
