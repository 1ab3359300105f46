/**
 * The ResourceQuota admission plugin (plugin/pkg/admission/resourcequota, pkg/quota/v1/evaluator/core):
 * a create in a namespace with quotas is refused when it would take a tracked resource beyond a quota's
 * hard limit — `pods "web-rs-x7k2p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3,
 * limited: pods=3`. kubesim counts the usage from the API server's own state at admission (what the
 * quota controller keeps in status.used, always current here) and does not write the quota's status.
 */
import { KINDS, newForbidden, parseQuantity, parseTimestamp, formatBytes, isTerminal, type Kind, type KObject, type PersistentVolumeClaim, type Pod, type ResourceQuota } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';

/** QuotaV1Pod: terminal pods, and pods past their deletion grace period, are not charged. */
const podCharged = (p: Pod, now: number): boolean => {
  if (isTerminal(p)) return false;
  const del = parseTimestamp(p.metadata?.deletionTimestamp);
  const grace = p.metadata?.deletionGracePeriodSeconds;
  return !(del !== undefined && grace !== undefined && grace !== null && now > del + grace * 1000);
};

const claimStorage = (c: PersistentVolumeClaim): number => parseQuantity(c.spec?.resources?.requests?.storage as string | undefined) ?? 0;

/** `count/<plural>[.<group>]` for a kind (object count quota). */
const countName = (kind: Kind): string => {
  const { plural, group } = KINDS[kind];
  return `count/${group === '' ? plural : `${plural}.${group}`}`;
};

/** What one object of this kind charges, by quota resource name. */
const chargeOf = (kind: Kind, o: KObject, now: number): Map<string, number> => {
  const m = new Map<string, number>([[countName(kind), 1]]);
  if (kind === 'Pod') { if (podCharged(o as Pod, now)) m.set('pods', 1); else m.delete(countName(kind)); }
  if (kind === 'PersistentVolumeClaim') { m.set('persistentvolumeclaims', 1); m.set('requests.storage', claimStorage(o as PersistentVolumeClaim)); }
  if (kind === 'Service') m.set('services', 1);
  return m;
};

const fmt = (resource: string, n: number): string => (resource.endsWith('storage') ? formatBytes(n) : String(n));
const pretty = (resources: readonly string[], values: ReadonlyMap<string, number>): string =>
  [...resources].sort().map((r) => `${r}=${fmt(r, values.get(r) ?? 0)}`).join(',');

/** The forbidden answer for a create that exceeds a quota, or undefined when every quota allows it. */
export const quotaRefusal = (store: Snapshot, kind: Kind, obj: KObject, now: number): ReturnType<typeof newForbidden> | undefined => {
  const ns = obj.metadata?.namespace ?? '';
  if (store.count('ResourceQuota', ns) === 0) return undefined;
  const requested = chargeOf(kind, obj, now);
  let used: Map<string, number> | undefined;
  for (const q of [...store.list('ResourceQuota', ns)].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1))) {
    const hard = ((q as ResourceQuota).spec?.hard ?? {}) as Record<string, string | number>;
    const tracked = Object.keys(hard).filter((r) => (requested.get(r) ?? 0) > 0);
    if (tracked.length === 0) continue;
    used ??= usage(store, kind, ns, now);
    const exceeded = tracked.filter((r) => (used!.get(r) ?? 0) + requested.get(r)! > (parseQuantity(hard[r]) ?? 0));
    if (exceeded.length === 0) continue;
    const limits = new Map(exceeded.map((r) => [r, parseQuantity(hard[r]) ?? 0]));
    return newForbidden(kind, obj.metadata?.name ?? '',
      `exceeded quota: ${q.metadata?.name ?? ''}, requested: ${pretty(exceeded, requested)}, used: ${pretty(exceeded, used)}, limited: ${pretty(exceeded, limits)}`);
  }
  return undefined;
};

/** The namespace's current usage of the resources objects of `kind` charge. */
const usage = (store: Snapshot, kind: Kind, ns: string, now: number): Map<string, number> => {
  const total = new Map<string, number>();
  for (const o of store.list(kind, ns)) {
    for (const [r, n] of chargeOf(kind, o as KObject, now)) total.set(r, (total.get(r) ?? 0) + n);
  }
  return total;
};
