/**
 * The ResourceQuota admission plugin (staging apiserver admission/plugin/resourcequota: quotaEvaluator
 * checkQuotas, CheckRequest; pkg/quota/v1/evaluator/core): a create in a namespace with quotas is refused
 * when it would take a tracked resource beyond a quota's hard limit — `pods "web-rs-x7k2p" is forbidden:
 * exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3` — and otherwise charged: the quota's
 * `status.used` is written with the request added, a compare-and-set on the quota (what makes API server
 * replicas admit one at a time), before the object itself.
 *
 * The usage a request is added to is the larger of the quota's `status.used` and the namespace's usage
 * counted from the API server's state: `status.used` holds what has been charged but not yet created (on
 * another replica) and keeps a freed unit until the quota controller replenishes it, as Kubernetes does;
 * the count from the state covers a quota the controller has not synced yet, so kubesim has no "status
 * unknown for quota" window (Kubernetes refuses, or does not enforce, a quota without status).
 */
import {
  formatQuotaAmount, newForbidden, parseQuotaAmount, quotaCharge, quotaConstraintError, quotaResourcesOf,
  type Kind, type KObject, type ResourceQuota,
} from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';

const pretty = (resources: readonly string[], values: ReadonlyMap<string, number>): string =>
  [...resources].sort().map((r) => `${r}=${formatQuotaAmount(r, values.get(r) ?? 0)}`).join(',');

/**
 * What quota admission decides for a create: refused (a constraint or a limit), or admitted with the
 * quotas whose `status.used` the request changes, as they are to be written (empty: no quota charges it).
 */
export type QuotaAdmission =
  | { readonly refused: ReturnType<typeof newForbidden> }
  | { readonly charged: readonly ResourceQuota[] };

const NONE: QuotaAdmission = { charged: [] };

/**
 * [CheckRequest]: each quota of the namespace (by name) first checks the pod states every compute resource
 * it limits (`failed quota: q: must specify requests.cpu for: nginx`, for every quota before any limit);
 * then, for the resources a quota limits that the object charges, usage + request must stay within the
 * limit (`exceeded quota: …`, masked to the exceeded resources); the charged quotas carry the new usage.
 * An update (`old`: the stored object) requests only what it adds — SubtractWithNonNegativeResult.
 */
export const quotaAdmission = (store: Snapshot, kind: Kind, obj: KObject, now: number, old?: KObject): QuotaAdmission => {
  const ns = obj.metadata?.namespace ?? '';
  if (store.count('ResourceQuota', ns) === 0) return NONE;
  const quotas = ([...store.list('ResourceQuota', ns)] as ResourceQuota[]).sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const matching = new Set(quotaResourcesOf(kind));
  for (const q of quotas) {
    const why = quotaConstraintError(kind, obj, Object.keys(q.spec?.hard ?? {}).filter((r) => matching.has(r)));
    if (why !== undefined) return { refused: newForbidden(kind, obj.metadata?.name ?? '', `failed quota: ${q.metadata?.name ?? ''}: ${why}`) };
  }
  const requested = quotaCharge(kind, obj, now);
  if (old !== undefined) {
    for (const [r, n] of quotaCharge(kind, old, now)) requested.set(r, Math.max(0, (requested.get(r) ?? 0) - n));
  }
  let counted: Map<string, number> | undefined;
  const charged: ResourceQuota[] = [];
  for (const q of quotas) {
    const hard = (q.spec?.hard ?? {}) as Record<string, string | number>;
    const tracked = Object.keys(hard).filter((r) => (requested.get(r) ?? 0) > 0);
    if (tracked.length === 0) continue;
    counted ??= usage(store, kind, ns, now);
    const status = (q.status?.used ?? {}) as Record<string, string | number>;
    const used = new Map(tracked.map((r) => [r, Math.max(parseQuotaAmount(r, status[r]) ?? 0, counted!.get(r) ?? 0)]));
    const exceeded = tracked.filter((r) => used.get(r)! + requested.get(r)! > (parseQuotaAmount(r, hard[r]) ?? 0));
    if (exceeded.length > 0) {
      const limits = new Map(exceeded.map((r) => [r, parseQuotaAmount(r, hard[r]) ?? 0]));
      return {
        refused: newForbidden(kind, obj.metadata?.name ?? '',
          `exceeded quota: ${q.metadata?.name ?? ''}, requested: ${pretty(exceeded, requested)}, used: ${pretty(exceeded, used)}, limited: ${pretty(exceeded, limits)}`),
      };
    }
    const next: Record<string, string> = { ...(q.status?.used as Record<string, string> | undefined) };
    for (const r of tracked) next[r] = formatQuotaAmount(r, used.get(r)! + requested.get(r)!);
    charged.push({ ...q, status: { ...q.status, used: next } });
  }
  return { charged };
};

/** The namespace's current usage of the resources objects of `kind` charge. */
const usage = (store: Snapshot, kind: Kind, ns: string, now: number): Map<string, number> => {
  const total = new Map<string, number>();
  for (const o of store.list(kind, ns)) {
    for (const [r, n] of quotaCharge(kind, o as KObject, now)) total.set(r, (total.get(r) ?? 0) + n);
  }
  return total;
};
