import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject, Pod, StatefulSet } from '@kubesim/api';
import { COMPONENT_NAMES, type ClusterSpec } from '@kubesim/runtime';
import { ApiClient, connectNats, NatsApiServer, NatsComponentHost, NatsServer, subjectsFor } from '../src/index.js';

const spec: ClusterSpec = {
  nodes: [{ name: 'node-a' }, { name: 'node-b' }, { name: 'node-c' }],
  storageClasses: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'kubesim.io/hostpath', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' } as KObject],
  namespaces: ['default'],
};

const sts: KObject = {
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
  spec: {
    replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 10, containers: [{ name: 'c', image: 'nginx', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } }],
  },
} as KObject;

describe('every component in one process over NATS', () => {
  let server: NatsServer;
  let api: NatsApiServer;
  const hosts: NatsComponentHost[] = [];
  beforeAll(async () => {
    server = await NatsServer.start();
    api = await NatsApiServer.start({ url: server.url, cluster: 'inproc', bootstrap: { id: 'inproc', spec, seed: 1, epochMs: Date.now(), timeScale: 100 } });
    for (const c of COMPONENT_NAMES) hosts.push(await NatsComponentHost.start({ url: server.url, cluster: 'inproc', component: c }));
  });
  afterAll(async () => {
    for (const h of hosts) await h.stop();
    await api?.stop();
    await server?.stop();
  });

  it('runs an OrderedReady StatefulSet to three Ready pods with their claims', async () => {
    const nc = await connectNats({ url: server.url, name: 'test' });
    const client = new ApiClient(nc, subjectsFor('inproc'), 'user');
    const r = await client.command({ command: 'apply' }, [{ verb: 'create', object: sts }]);
    expect(r.ok).toBe(true);
    await expect.poll(() => (api.store.get('StatefulSet', 'default', 'web') as StatefulSet | undefined)?.status?.readyReplicas, { timeout: 30_000, interval: 100 }).toBe(3);
    const pods = [...api.store.list('Pod', 'default')] as Pod[];
    expect(pods.map((p) => p.metadata!.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);
    expect([...api.store.list('PersistentVolumeClaim', 'default')].map((c) => c.metadata!.name).sort()).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
    await nc.close();
  });
});
