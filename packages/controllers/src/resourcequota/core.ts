/**
 * The resource quota controller ([RQC syncResourceQuota] in pkg/controller/resourcequota): each
 * ResourceQuota's status — `hard` as in its spec, `used` as the namespace's current usage of the
 * resources it names — written when it differs.
 */
import {
  formatQuotaAmount, kindOfQuotaResource, parseTimestamp, quotaCharge, sameStringMap, splitNsName,
  type Kind, type KObject, type ResourceQuota,
} from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import type { ReconcileResult } from '../framework/component.js';
import { write } from '../framework/plan.js';

export const RESOURCE_QUOTA_CONTROLLER_NAME = 'resourcequota-controller';
/** --resource-quota-sync-period: the controller recounts every quota this often. */
export const RESOURCE_QUOTA_SYNC_PERIOD_MS = 300_000;

/** The kinds whose objects the controller counts (their quota resources: pods, claims and storage, services, count/…). */
export const QUOTA_COUNTED_KINDS = ['Pod', 'PersistentVolumeClaim', 'Service', 'StatefulSet', 'ReplicaSet', 'ConfigMap', 'Secret'] as const satisfies readonly Kind[];
const COUNTED: ReadonlySet<string> = new Set(QUOTA_COUNTED_KINDS);


/**
 * [CalculateUsage] masked to the quota's hard resources, for those kubesim tracks (object counts, pods and
 * their cpu/memory requests and limits, claims and requested storage, services). Also when the
 * next pod deletion grace period ends (a terminating pod stops being charged then).
 */
export const quotaUsage = (snap: Snapshot, q: ResourceQuota, now: number): { used: Record<string, string>; nextChangeMs?: number; scanned: number } => {
  const ns = q.metadata?.namespace ?? '';
  const used: Record<string, string> = {};
  const byKind = new Map<Kind, string[]>();
  for (const r of Object.keys(q.spec?.hard ?? {}).sort()) {
    const kind = kindOfQuotaResource(r);
    if (kind === undefined || !COUNTED.has(kind)) continue;
    const l = byKind.get(kind);
    if (l) l.push(r); else byKind.set(kind, [r]);
  }
  let scanned = 0;
  let next: number | undefined;
  for (const [kind, resources] of byKind) {
    const total = new Map<string, number>(resources.map((r) => [r, 0]));
    for (const o of snap.list(kind, ns) as Iterable<KObject>) {
      scanned++;
      for (const [r, n] of quotaCharge(kind, o, now)) if (total.has(r)) total.set(r, total.get(r)! + n);
      if (kind === 'Pod' && o.metadata?.deletionTimestamp !== undefined) {
        const end = (parseTimestamp(o.metadata.deletionTimestamp) ?? 0) + (o.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
        if (end >= now) next = next === undefined ? end - now + 1 : Math.min(next, end - now + 1);
      }
    }
    for (const r of resources) used[r] = formatQuotaAmount(r, total.get(r)!);
  }
  return { used, ...(next !== undefined ? { nextChangeMs: next } : {}), scanned };
};

/** [syncResourceQuota]: status.hard = spec.hard, status.used = the usage; an update/status when either differs. */
export const syncResourceQuota = (snap: Snapshot, key: string, now: number): ReconcileResult<undefined> => {
  const { namespace, name } = splitNsName(key);
  const q = snap.get('ResourceQuota', namespace, name) as ResourceQuota | undefined;
  if (!q) return {};
  const hard = { ...(q.spec?.hard ?? {}) } as Record<string, string>;
  const { used, nextChangeMs, scanned } = quotaUsage(snap, q, now);
  const requeue = nextChangeMs !== undefined ? { requeueAfterMs: nextChangeMs } : {};
  if (sameStringMap(q.status?.hard as Record<string, string> | undefined, hard) && sameStringMap(q.status?.used as Record<string, string> | undefined, used)) return { workUnits: scanned + 1, ...requeue };
  const next = { ...q, status: { hard, used } } as KObject;
  return { plan: write({ verb: 'update', object: next, subresource: 'status' }), workUnits: scanned + 1, ...requeue };
};
