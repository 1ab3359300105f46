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
    expect([...api.store.list('Service', 'default')].length).toBe(written);
    expect(api.stats.throttled).toBe(refused.length);
    await nc.close();
  });
});
