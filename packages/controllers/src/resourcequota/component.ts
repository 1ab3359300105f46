import { chargesQuotaResource, nsName, quotaCharge, type Kind, type KObject, type ResourceQuota } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { Snapshot } from '@kubesim/state';
import type { ComponentDef } from '../framework/component.js';
import { QUOTA_COUNTED_KINDS, RESOURCE_QUOTA_CONTROLLER_NAME, RESOURCE_QUOTA_SYNC_PERIOD_MS, syncResourceQuota } from './core.js';

const sameCharge = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

const hardChanged = (q: ResourceQuota, old: ResourceQuota | undefined): boolean =>
  JSON.stringify(q.spec?.hard ?? {}) !== JSON.stringify(old?.spec?.hard ?? {})
  || JSON.stringify(q.spec?.hard ?? {}) !== JSON.stringify(q.status?.hard ?? {});

/**
 * [RQC addQuota/updateQuota + QuotaMonitor replenishment]: a new quota, or one whose hard limits changed →
 * itself; an object of a counted kind deleted, or whose charge changed (a pod turning terminal, a claim's
 * request) → the quotas of its namespace that name one of the resources it charges. Not a creation: the
 * API server's quota admission charged it already (the monitors have no add handler). O(1) in a namespace
 * without quotas.
 */
export const resourceQuotaKeysFor = (e: Envelope, old: KObject | undefined, snap: Snapshot): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  const ns = o.metadata?.namespace ?? '';
  if (o.kind === 'ResourceQuota') {
    if (e.type === 'DELETED') return [];
    return e.type === 'ADDED' || hardChanged(o as ResourceQuota, old as ResourceQuota | undefined) ? [nsName(ns, o.metadata?.name ?? '')] : [];
  }
  if (e.type === 'ADDED' || snap.count('ResourceQuota', ns) === 0) return [];
  const kind = o.kind as Kind;
  if (e.type === 'MODIFIED' && old !== undefined && sameCharge(quotaCharge(kind, o, e.time), quotaCharge(kind, old, e.time))) return [];
  const keys: string[] = [];
  for (const q of snap.list('ResourceQuota', ns)) {
    if (Object.keys(q.spec?.hard ?? {}).some((r) => chargesQuotaResource(kind, r))) keys.push(nsName(ns, q.metadata?.name ?? ''));
  }
  return keys;
};

/**
 * The resource quota controller: keeps each ResourceQuota's `status.hard` and `status.used` (what
 * `kubectl get quota` shows): recounts a quota when it is created or its limits change, and replenishes
 * it when what it counts is released. The API server's admission charges each create.
 */
export const resourceQuotaController: ComponentDef<undefined, undefined> = {
  name: RESOURCE_QUOTA_CONTROLLER_NAME,
  watches: ['ResourceQuota', ...QUOTA_COUNTED_KINDS],
  keysFor: resourceQuotaKeysFor,
  initialKeys(snap) {
    const out: string[] = [];
    for (const q of snap.list('ResourceQuota')) out.push(nsName(q.metadata?.namespace, q.metadata?.name ?? ''));
    return out;
  },
  reconcile: ({ snapshot, key, now }) => syncResourceQuota(snapshot, key, now),
  // [RQC Run: wait.Until(enqueueAll, resyncPeriod)] --resource-quota-sync-period, 5 minutes: every quota is
  // recounted, which repairs a charge whose object was never written and a count lowered by a lagging cache.
  fullResyncMs: RESOURCE_QUOTA_SYNC_PERIOD_MS,
  initialLocal: () => undefined,
};
