/**
 * What an object charges against ResourceQuotas (pkg/quota/v1/evaluator/core): the object-count
 * resources and, for pods and claims, what they request. Shared by the API server's ResourceQuota
 * admission and the quota controller.
 */
import { claimClass, claimRequest, parseTimestamp, isTerminal } from './meta.js';
import { formatBytes, parseQuantity } from './quantity.js';
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

/** The standard resources (beyond `count/<resource>`) each kind charges. */
const STANDARD_RESOURCES: Partial<Record<Kind, readonly string[]>> = {
  Pod: ['pods', 'cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'],
  PersistentVolumeClaim: ['persistentvolumeclaims', 'requests.storage'],
  Service: ['services'],
  ConfigMap: ['configmaps'],
  Secret: ['secrets'],
};

/**
 * `<class>.storageclass.storage.k8s.io/persistentvolumeclaims` and `…/requests.storage`: what the claims of one
 * StorageClass charge [pvcEvaluator storageClassSuffix, V1ResourceByStorageClass].
 */
export const STORAGE_CLASS_QUOTA_SUFFIX = '.storageclass.storage.k8s.io/';
const perClassResource = (r: string): boolean => {
  const i = r.indexOf(STORAGE_CLASS_QUOTA_SUFFIX);
  if (i <= 0) return false;
  const rest = r.slice(i + STORAGE_CLASS_QUOTA_SUFFIX.length);
  return rest === 'persistentvolumeclaims' || rest === 'requests.storage';
};

/** The compute resources whose quota requires every container to state them (pods.go validationSet). */
const COMPUTE: ReadonlySet<string> = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

type Container = NonNullable<NonNullable<Pod['spec']>['containers']>[number];

/** Quota amounts are numbers: millicores for cpu (exact sums), bytes for memory and storage, counts. */
const isCpu = (resource: string): boolean => resource === 'cpu' || resource.endsWith('.cpu');

/** A quantity as the quota amount of `resource` (cpu in millicores). */
export const parseQuotaAmount = (resource: string, q: string | number | undefined): number | undefined => {
  const v = parseQuantity(q);
  return v === undefined ? undefined : isCpu(resource) ? Math.round(v * 1000) : v;
};

/**
 * [resourcehelper PodRequests / PodLimits] for cpu and memory (quota amounts): the containers' and sidecars'
 * summed, at least each regular init container's plus the sidecars started before it. A resource no
 * container states is absent.
 */
export const podResources = (pod: Pod, which: 'requests' | 'limits'): Map<string, number> => {
  const of = (c: Container): Map<string, number> => {
    const m = new Map<string, number>();
    const list = (c.resources?.[which] ?? {}) as Record<string, string | number>;
    for (const r of ['cpu', 'memory']) {
      const v = parseQuotaAmount(r, list[r]);
      if (v !== undefined) m.set(r, v);
    }
    return m;
  };
  const add = (into: Map<string, number>, from: ReadonlyMap<string, number>): void => { for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v); };
  const max = (into: Map<string, number>, from: ReadonlyMap<string, number>): void => { for (const [k, v] of from) if (!into.has(k) || into.get(k)! < v) into.set(k, v); };
  const total = new Map<string, number>();
  for (const c of pod.spec?.containers ?? []) add(total, of(c));
  const sidecars = new Map<string, number>();
  const inits = new Map<string, number>();
  for (const c of pod.spec?.initContainers ?? []) {
    const own = of(c);
    if (c.restartPolicy === 'Always') {
      add(total, own);
      add(sidecars, own);
      max(inits, sidecars);
    } else {
      const withSidecars = new Map(own);
      add(withSidecars, sidecars);
      max(inits, withSidecars);
    }
  }
  max(total, inits);
  return total;
};

/**
 * What one object of this kind charges, by quota resource name. A pod always charges `count/pods`; `pods`
 * and its compute resources only while it is charged (QuotaV1Pod) — [PodUsageFunc]: cpu and
 * requests.cpu its requests, limits.cpu its limits, the same for memory.
 */
export const quotaCharge = (kind: Kind, o: KObject, now: number): Map<string, number> => {
  const m = new Map<string, number>();
  m.set(countResourceName(kind), 1);
  switch (kind) {
    case 'Pod': {
      const pod = o as Pod;
      if (!podCharged(pod, now)) return m;
      m.set('pods', 1);
      for (const [r, v] of podResources(pod, 'requests')) { m.set(r, v); m.set(`requests.${r}`, v); }
      for (const [r, v] of podResources(pod, 'limits')) m.set(`limits.${r}`, v);
      return m;
    }
    case 'PersistentVolumeClaim': {
      // [pvcEvaluator getStorageUsage]: the request, or what is allocated when that is more (a failed expansion
      // being recovered: RecoverVolumeExpansionFailure).
      const pvc = o as PersistentVolumeClaim;
      const allocated = parseQuantity(pvc.status?.allocatedResources?.['storage'] as string | number | undefined) ?? 0;
      const storage = Math.max(claimRequest(pvc), allocated);
      m.set('persistentvolumeclaims', 1);
      m.set('requests.storage', storage);
      const cls = claimClass(pvc);
      if (cls !== '') {
        m.set(`${cls}${STORAGE_CLASS_QUOTA_SUFFIX}persistentvolumeclaims`, 1);
        m.set(`${cls}${STORAGE_CLASS_QUOTA_SUFFIX}requests.storage`, storage);
      }
      return m;
    }
    case 'Service':
      m.set('services', 1);
      return m;
    case 'ConfigMap':
      m.set('configmaps', 1);
      return m;
    case 'Secret':
      m.set('secrets', 1);
      return m;
    default:
      return m;
  }
};

/**
 * [podEvaluator.Constraints]: with a quota on cpu or memory (requests or limits), every container and init
 * container must state that resource — `must specify limits.cpu for: a,b; must specify memory for: c` — else undefined.
 */
export const quotaConstraintError = (kind: Kind, o: KObject, hard: readonly string[]): string | undefined => {
  if (kind !== 'Pod') return undefined;
  const required = hard.filter((r) => COMPUTE.has(r));
  if (required.length === 0) return undefined;
  const pod = o as Pod;
  const missing = new Map<string, string[]>();
  for (const c of [...pod.spec?.containers ?? [], ...pod.spec?.initContainers ?? []]) {
    const req = (c.resources?.requests ?? {}) as Record<string, unknown>;
    const lim = (c.resources?.limits ?? {}) as Record<string, unknown>;
    const has = (r: string): boolean => (r.startsWith('limits.') ? lim[r.slice(7)] !== undefined : req[r.replace('requests.', '')] !== undefined);
    for (const r of required) if (!has(r)) missing.set(r, [...missing.get(r) ?? [], c.name]);
  }
  if (missing.size === 0) return undefined;
  return [...missing.keys()].sort().map((r) => `must specify ${r} for: ${[...new Set(missing.get(r))].sort().join(',')}`).join('; ');
};

/** The quota resources objects of a kind can charge (what a quota's `hard` must name for the kind to matter), per-class ones aside. */
export const quotaResourcesOf = (kind: Kind): readonly string[] => [countResourceName(kind), ...STANDARD_RESOURCES[kind] ?? []];

/** Whether objects of `kind` can charge quota resource `r` (the claims: their class's resources too). */
export const chargesQuotaResource = (kind: Kind, r: string): boolean =>
  (kind === 'PersistentVolumeClaim' && perClassResource(r)) || quotaResourcesOf(kind).includes(r);

/** The kind a quota resource name charges (`pods`, `count/statefulsets.apps`, `requests.storage`, `limits.cpu`…), if kubesim tracks it. */
export const kindOfQuotaResource = (resource: string): Kind | undefined => {
  if (perClassResource(resource)) return 'PersistentVolumeClaim';
  for (const [k, resources] of Object.entries(STANDARD_RESOURCES)) if (resources!.includes(resource)) return k as Kind;
  if (!resource.startsWith('count/')) return undefined;
  const name = resource.slice('count/'.length);
  for (const k of Object.keys(KINDS) as Kind[]) if (countResourceName(k) === `count/${name}`) return k;
  return undefined;
};

/**
 * A quota amount as the API shows it (resource.Quantity's canonical form): bytes for memory and storage
 * (binary suffixes), cpu as cores or millicores (`2`, `1500m`), counts as integers.
 */
export const formatQuotaAmount = (resource: string, n: number): string => {
  if (resource.endsWith('storage') || resource === 'memory' || resource.endsWith('.memory')) return formatBytes(n);
  if (isCpu(resource)) return n % 1000 === 0 ? String(n / 1000) : `${n}m`;
  return String(n);
};
