import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject } from '@kubesim/api';
import type { ClusterSpec } from '@kubesim/runtime';
import { ApiClient, connectNats, NatsApiServer, NatsServer, subjectsFor } from '../src/index.js';

const spec: ClusterSpec = { nodes: [{ name: 'node-a' }], storageClasses: [], namespaces: ['default'] };
const svc = (name: string): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }) as KObject;

describe('the NATS API server', () => {
  let server: NatsServer;
  let api: NatsApiServer;
  beforeAll(async () => {
    server = await NatsServer.start();
    api = await NatsApiServer.start({ url: server.url, cluster: 'api', maxInFlight: 4, bootstrap: { id: 'api', spec, seed: 1, epochMs: Date.now(), timeScale: 1 } });
  });
  afterAll(async () => {
    await api?.stop();
    await server?.stop();
  });

  it('bootstraps the cluster once: the bootstrap entry at seq 1, then its objects', () => {
    expect(api.store.get('Node', '', 'node-a')?.metadata?.resourceVersion).toBeDefined();
    expect(api.store.get('Namespace', '', 'default')).toBeDefined();
  });

  it('answers 429 beyond its in-flight limit (max-requests-inflight) and writes the others', async () => {
    const nc = await connectNats({ url: server.url, name: 'test' });
    const client = new ApiClient(nc, subjectsFor('api'), 'user');
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => client.request({ verb: 'create', object: svc(`s-${i}`) }, null)));
    const refused = answers.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((a) => (a.ok ? '' : `${a.error.reason} ${a.error.code}`)))).toEqual(new Set(['TooManyRequests 429']));
    const written = answers.filter((a) => a.ok).length;
    expect(written + refused.length).toBe(60);
    expect([...api.store.list('Service', 'default')].filter((s) => s.metadata?.name?.startsWith('s-')).length).toBe(written);
    expect(api.stats.throttled).toBe(refused.length);
    await nc.close();
  });

  it('a brief answer carries the identity, resourceVersion and generation of what was written (and nothing else)', async () => {
    const nc = await connectNats({ url: server.url, name: 'test' });
    try {
      const client = new ApiClient(nc, subjectsFor('api'), 'user');
      const slice = {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'brief-1', namespace: 'default' },
        addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }],
      } as unknown as KObject;
      const created = await client.request({ verb: 'create', object: slice }, null, 'user', true);
      if (!created.ok) throw new Error(created.error.message);
      const m = created.object.metadata!;
      expect(Object.keys(m).sort()).toEqual(['generation', 'name', 'namespace', 'resourceVersion', 'uid']);
      expect(m.generation).toBe(1);
      expect('endpoints' in created.object).toBe(false);
      const updated = await client.request({ verb: 'update', object: { ...slice, metadata: { ...slice.metadata, resourceVersion: m.resourceVersion }, endpoints: [] } as KObject }, null, 'user', true);
      if (!updated.ok) throw new Error(updated.error.message);
      expect(updated.object.metadata?.generation).toBe(2);
      expect(updated.object.metadata?.uid).toBe(m.uid);
    } finally {
      await nc.close();
    }
  });

  it('answers at once when its watch stalls: the entries its requests wait for are read from the stream', async () => {
    const lines: string[] = [];
    const a2 = await NatsApiServer.start({ url: server.url, cluster: 'api-stall', log: (l) => lines.push(l), bootstrap: { id: 'api-stall', spec, seed: 1, epochMs: Date.now(), timeScale: 1 } });
    const nc = await connectNats({ url: server.url, name: 'test' });
    try {
      const client = new ApiClient(nc, subjectsFor('api-stall'), 'user');
      // The watch's pull stalls: nothing more reaches the server's fold through it (its supervisor would
      // re-open it only after 6 s without a heartbeat; a request waits 5 s at most for the fold).
      const follower = (a2 as unknown as { follower: { watches: { gen: number }[]; gapReads: number } }).follower;
      follower.watches[0]!.gen++;
      const t0 = Date.now();
      for (let i = 0; i < 3; i++) {
        const r = await client.request({ verb: 'create', object: svc(`stalled-${i}`) }, null);
        expect(r.ok).toBe(true);
        // Each answer comes after the server's fold has the entry (read-your-writes).
        expect(a2.store.get('Service', 'default', `stalled-${i}`)).toBeDefined();
      }
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(follower.gapReads).toBeGreaterThanOrEqual(3);
      expect(lines.some((l) => /watch nothing delivered for \d+ ms while seq \d+ was awaited; read seq \d+\.\.\d+ from the stream/.test(l))).toBe(true);
    } finally {
      await nc.close();
      await a2.stop();
    }
  });
});
