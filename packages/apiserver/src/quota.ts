/**
 * The ResourceQuota admission plugin (plugin/pkg/admission/resourcequota, pkg/quota/v1/evaluator/core):
 * a create in a namespace with quotas is refused when it would take a tracked resource beyond a quota's
 * hard limit — `pods "web-rs-x7k2p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3,
 * limited: pods=3`. kubesim counts the usage from the API server's own state at admission (always
 * current); the quota controller (`resourcequota-controller`) writes status.used.
 */
import { formatQuotaAmount, newForbidden, parseQuotaAmount, quotaCharge, quotaConstraintError, quotaResourcesOf, type Kind, type KObject, type ResourceQuota } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';

const pretty = (resources: readonly string[], values: ReadonlyMap<string, number>): string =>
  [...resources].sort().map((r) => `${r}=${formatQuotaAmount(r, values.get(r) ?? 0)}`).join(',');

/**
 * The forbidden answer for a create that a quota refuses, or undefined when every quota allows it: a pod
 * that does not state a compute resource a quota limits (`failed quota: q: must specify requests.cpu for:
 * nginx` — checked for every quota first), or a create that would take a tracked resource beyond a quota's
 * hard limit (`exceeded quota: …`).
 */
export const quotaRefusal = (store: Snapshot, kind: Kind, obj: KObject, now: number): ReturnType<typeof newForbidden> | undefined => {
  const ns = obj.metadata?.namespace ?? '';
  if (store.count('ResourceQuota', ns) === 0) return undefined;
  const quotas = ([...store.list('ResourceQuota', ns)] as ResourceQuota[]).sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const matching = new Set(quotaResourcesOf(kind));
  for (const q of quotas) {
    const why = quotaConstraintError(kind, obj, Object.keys(q.spec?.hard ?? {}).filter((r) => matching.has(r)));
    if (why !== undefined) return newForbidden(kind, obj.metadata?.name ?? '', `failed quota: ${q.metadata?.name ?? ''}: ${why}`);
  }
  const requested = quotaCharge(kind, obj, now);
  let used: Map<string, number> | undefined;
  for (const q of quotas) {
    const hard = (q.spec?.hard ?? {}) as Record<string, string | number>;
    const tracked = Object.keys(hard).filter((r) => (requested.get(r) ?? 0) > 0);
    if (tracked.length === 0) continue;
    used ??= usage(store, kind, ns, now);
    const exceeded = tracked.filter((r) => (used!.get(r) ?? 0) + requested.get(r)! > (parseQuotaAmount(r, hard[r]) ?? 0));
    if (exceeded.length === 0) continue;
    const limits = new Map(exceeded.map((r) => [r, parseQuotaAmount(r, hard[r]) ?? 0]));
    return newForbidden(kind, obj.metadata?.name ?? '',
      `exceeded quota: ${q.metadata?.name ?? ''}, requested: ${pretty(exceeded, requested)}, used: ${pretty(exceeded, used)}, limited: ${pretty(exceeded, limits)}`);
  }
  return undefined;
};

/** The namespace's current usage of the resources objects of `kind` charge. */
const usage = (store: Snapshot, kind: Kind, ns: string, now: number): Map<string, number> => {
  const total = new Map<string, number>();
  for (const o of store.list(kind, ns)) {
    for (const [r, n] of quotaCharge(kind, o as KObject, now)) total.set(r, (total.get(r) ?? 0) + n);
  }
  return total;
};
