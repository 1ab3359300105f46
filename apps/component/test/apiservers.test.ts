import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject } from '@kubesim/api';
import { ApiClient, connectNats } from '@kubesim/nats';
import { command, startCluster, type TestCluster } from './helpers.js';

const WRITERS = 6;
const INCREMENTS = 15;

/**
 * Two API server replicas in one queue group, and many clients doing read-modify-write on one object:
 * each increments a counter annotation by reading the object (from either replica) and updating it with
 * the resourceVersion it read, retrying on Conflict. A replica with a stale store or a lost
 * compare-and-set would lose increments; the final count must be every increment.
 */
describe('two API server replicas', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startCluster({ apiServers: 2, components: [] });
    await command(t, { command: 'apply' }, [{ verb: 'create', object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'counter', annotations: { count: '0' } }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } } as KObject }]);
  }, 120_000);
  afterAll(async () => { await t?.close(); });
  /** WRITERS user connections of their own, each with an API client. */
  const writers = async () => {
    const conns = await Promise.all(Array.from({ length: WRITERS }, () => connectNats({ url: t.c.url, name: 'writer', ...(t.c.userCreds ? { creds: t.c.userCreds } : {}) })));
    return { conns, clients: conns.map((nc) => new ApiClient(nc, t.c.s, 'user')) };
  };

  it('never lose an update', async () => {
    const { conns, clients } = await writers();
    let conflicts = 0;
    await Promise.all(clients.map(async (api) => {
      for (let i = 0; i < INCREMENTS; i++) {
        for (;;) {
          const r = await api.list('Service', 'default', 'counter');
          if (!r.ok) throw new Error(r.error.message);
          const cur = r.objects[0]!;
          const n = Number(cur.metadata!.annotations!.count);
          const next = { ...cur, metadata: { ...cur.metadata, annotations: { count: String(n + 1) } } } as KObject;
          const u = await api.request({ verb: 'update', object: next }, null);
          if (u.ok) break;
          if (u.error.reason !== 'Conflict') throw new Error(u.error.message);
          conflicts++;
        }
      }
    }));
    const final = await clients[0]!.list('Service', 'default', 'counter');
    expect(final.ok && Number(final.objects[0]!.metadata!.annotations!.count)).toBe(WRITERS * INCREMENTS);
    // The race was real: writers collided.
    expect(conflicts).toBeGreaterThan(0);
    await t.view.caughtUp(Math.max(...t.view.entries.map((e) => e.seq)));
    const updates = t.view.entries.filter((e) => e.object?.metadata?.name === 'counter' && e.type === 'MODIFIED');
    expect(updates.length).toBe(WRITERS * INCREMENTS);
    // Every update builds on the one before it: annotation n+1 over n, never two writes of the same n.
    expect(updates.map((e) => Number(e.object!.metadata!.annotations!.count))).toEqual(Array.from({ length: WRITERS * INCREMENTS }, (_, i) => i + 1));
    // Both replicas took requests, and their compare-and-set raced (a stale decision was decided again).
    await new Promise((r) => setTimeout(r, 1200)); // one status announcement
    const replicas = t.c.supervisor.states().map((p) => p.status as unknown as { requests: number; staleRetries: number } | undefined);
    expect(replicas.map((r) => (r?.requests ?? 0) > 0)).toEqual([true, true]);
    expect(replicas.reduce((n, r) => n + (r?.staleRetries ?? 0), 0)).toBeGreaterThan(0);
    for (const nc of conns) await nc.close();
  }, 300_000);

  it('never give one cluster IP to two Services', async () => {
    const { conns, clients } = await writers();
    const svc = (name: string, clusterIP?: string): KObject =>
      ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) } } as KObject);
    // Every writer asks for the same address at once, through either replica: one Service gets it.
    const asked = await Promise.all(clients.map((api, i) => api.request({ verb: 'create', object: svc(`want-${i}`, '10.96.0.77') }, null)));
    expect(asked.filter((r) => r.ok)).toHaveLength(1);
    for (const r of asked.filter((x) => !x.ok)) expect(!r.ok && r.error.message).toMatch(/failed to allocate IP 10\.96\.0\.77: provided IP is already allocated$/);
    // Dynamic allocations at once: every Service its own address, each recorded by an IPAddress that points at it.
    const made = await Promise.all(clients.flatMap((api, i) => Array.from({ length: 5 }, (_, j) => api.request({ verb: 'create', object: svc(`dyn-${i}-${j}`) }, null))));
    const ips = made.map((r) => { if (!r.ok || !('object' in r)) throw new Error(r.ok ? 'no object' : r.error.message); return (r.object as { spec: { clusterIP: string } }).spec.clusterIP; });
    expect(new Set(ips).size).toBe(ips.length);
    await t.view.caughtUp(Math.max(...t.view.entries.map((e) => e.seq)));
    const held = new Map<string, string>();
    for (const e of t.view.entries) {
      if (e.object?.kind !== 'IPAddress') continue;
      const name = e.object.metadata!.name!;
      if (e.type === 'DELETED') { held.delete(name); continue; }
      expect(held.has(name) && e.type === 'ADDED').toBe(false);
      held.set(name, (e.object as { spec: { parentRef: { name: string } } }).spec.parentRef.name);
    }
    expect([...held].filter(([ip]) => ip === '10.96.0.77' || ips.includes(ip)).sort()).toEqual(
      [['10.96.0.77', `want-${asked.findIndex((r) => r.ok)}`] as [string, string], ...ips.map((ip, k) => [ip, `dyn-${Math.floor(k / 5)}-${k % 5}`] as [string, string])].sort());
    for (const nc of conns) await nc.close();
  }, 300_000);

  it('never admit past a ResourceQuota: each create charges the quota by a compare-and-set on its status', async () => {
    const { conns, clients } = await writers();
    // 7 units free: the namespace's kube-root-ca.crt (the bootstrap's) is charged too.
    const present = t.view.entries.filter((e) => e.type === 'ADDED' && e.object?.kind === 'ConfigMap' && e.object.metadata?.namespace === 'default').length;
    const FREE = 7;
    const LIMIT = present + FREE;
    await command(t, { command: 'apply' }, [{ verb: 'create', object: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'cms' }, spec: { hard: { configmaps: String(LIMIT) } } } as KObject }]);
    const cm = (name: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } } as KObject);
    // Every writer creates three at once, through either replica: 18 requests for 7 units.
    const asked = await Promise.all(clients.flatMap((api, i) => Array.from({ length: 3 }, (_, j) => api.request({ verb: 'create', object: cm(`cm-${i}-${j}`) }, null))));
    expect(asked.filter((r) => r.ok)).toHaveLength(FREE);
    for (const r of asked.filter((x) => !x.ok)) {
      expect(!r.ok && r.error.message).toMatch(new RegExp(`^configmaps "cm-\\d-\\d" is forbidden: exceeded quota: cms, requested: configmaps=1, used: configmaps=${LIMIT}, limited: configmaps=${LIMIT}$`));
    }
    await t.view.caughtUp(Math.max(...t.view.entries.map((e) => e.seq)));
    const made = t.view.entries.filter((e) => e.type === 'ADDED' && e.object?.kind === 'ConfigMap' && e.object.metadata?.name?.startsWith('cm-'));
    expect(made).toHaveLength(FREE);
    // The quota's charges: one per admitted ConfigMap, each over the one before it, never two of the same usage.
    const charges = t.view.entries.filter((e) => e.object?.kind === 'ResourceQuota' && e.op === 'update/status');
    expect(charges.map((e) => (e.object as { status: { used: { configmaps: string } } }).status.used.configmaps)).toEqual(Array.from({ length: FREE }, (_, i) => String(present + i + 1)));
    const both = await Promise.all(clients.slice(0, 2).map((api) => api.list('ResourceQuota', 'default', 'cms')));
    for (const r of both) expect(r.ok && (r.objects[0] as { status?: { used?: unknown } }).status?.used).toEqual({ configmaps: String(LIMIT) });
    for (const nc of conns) await nc.close();
  }, 300_000);
});
