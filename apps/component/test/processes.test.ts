import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject, StatefulSet } from '@kubesim/api';
import type { ClusterSpec } from '@kubesim/runtime';
import { ApiClient, connectNats, launchCluster, type Launched } from '@kubesim/nats';
import { componentEntry } from '../src/index.js';

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

describe('every component its own process', () => {
  let dir: string;
  let c: Launched;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubesim-proc-'));
    const t0 = Date.now();
    c = await launchCluster({ spec, entry: componentEntry(), dir, timeScale: 100, log: (l) => console.log(`${Date.now() - t0} ms ${l}`) });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the StatefulSet to three Ready pods', async () => {
    const nc = await connectNats({ url: c.url, name: 'test', ...(c.userCreds ? { creds: c.userCreds } : {}) });
    const client = new ApiClient(nc, c.s, 'user');
    const r = await client.command({ command: 'apply' }, [{ verb: 'create', object: sts }]);
    expect(r.ok).toBe(true);
    await expect.poll(async () => {
      const l = await client.list('StatefulSet', 'default', 'web');
      return l.ok ? (l.objects[0] as StatefulSet | undefined)?.status?.readyReplicas : undefined;
    }, { timeout: 30_000, interval: 200 }).toBe(3);
    await nc.close();
  }, 60_000);
});
