import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import * as E from 'fp-ts/lib/Either.js';
import { nodeImages, type KObject, type StatefulSet } from '@kubesim/api';
import { componentMachine } from '@kubesim/controllers';
import { EventQueue, createCluster, type ClusterSpec } from '../src/index.js';

const spec: ClusterSpec = {
  nodes: [{ name: 'node-a' }, { name: 'node-b' }, { name: 'node-c' }],
  storageClasses: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'kubesim.io/hostpath' } as KObject],
  namespaces: ['default'],
};
const web = (replicas: number): KObject => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
  spec: {
    serviceName: 'nginx', replicas, selector: { matchLabels: { app: 'nginx' } },
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
} as KObject);
const ready = (sim: ReturnType<typeof createCluster>, n: number) => () =>
  ((sim.api.get('StatefulSet', 'default', 'web') as StatefulSet | undefined)?.status?.readyReplicas ?? -1) === n;

describe('event queue', () => {
  it('orders by time, then by insertion', () => {
    const q = new EventQueue();
    const out: string[] = [];
    q.push(5, () => out.push('a')); q.push(1, () => out.push('b')); q.push(5, () => out.push('c')); q.push(0, () => out.push('d'));
    while (q.size) q.pop()!.run();
    expect(out).toEqual(['d', 'b', 'a', 'c']);
  });
});

describe('component lifecycle machine', () => {
  it('stopped → connecting → syncing → running → crashed → (RESTART) connecting', () => {
    const a = createActor(componentMachine, { input: { name: 't' } });
    a.start();
    const seen: string[] = [String(a.getSnapshot().value)];
    for (const ev of [{ type: 'START' }, { type: 'CONNECTED' }, { type: 'SYNCED' }, { type: 'CRASH', reason: 'kill -9' }, { type: 'RESTART' }] as const) {
      a.send(ev);
      seen.push(String(a.getSnapshot().value));
    }
    expect(seen).toEqual(['stopped', 'connecting', 'syncing', 'running', 'crashed', 'connecting']);
    expect(a.getSnapshot().context).toMatchObject({ restarts: 1, lastError: 'kill -9' });
  });
});

describe('embedded host: crash and restart', () => {
  it('a StatefulSet controller killed in the middle of a scale-up rebuilds its cache and converges, in order', () => {
    const sim = createCluster(spec, 11);
    expect(E.isRight(sim.command({ command: 'apply' }, [{ verb: 'create', object: web(3) }]))).toBe(true);
    sim.run({ until: () => sim.api.get('Pod', 'default', 'web-1') !== undefined, deadlineMs: 60_000 });
    expect(sim.crash('statefulset-controller')).toBe(true);
    expect(sim.host('statefulset-controller')!.state()).toBe('crashed');
    sim.advance(5_000);
    expect(sim.api.get('Pod', 'default', 'web-2')).toBeUndefined(); // nothing happens while it is down
    sim.restart('statefulset-controller');
    expect(sim.run({ until: ready(sim, 3), deadlineMs: sim.now + 120_000 })).toBe('condition');
    const adds = sim.log.all().filter((e) => e.type === 'ADDED' && e.object?.kind === 'Pod').map((e) => e.object!.metadata!.name);
    expect(adds).toEqual(['web-0', 'web-1', 'web-2']);
    const inputs = sim.log.all().filter((e) => e.type === 'FAULT' || e.type === 'COMPONENT').map((e) => JSON.stringify(e.data));
    expect(inputs).toContain(JSON.stringify({ fault: 'crash', component: 'statefulset-controller', reason: 'killed' }));
    expect(inputs).toContain(JSON.stringify({ component: 'statefulset-controller', event: 'restart' }));
  });

  it('every write names its cause, which points backwards', () => {
    const sim = createCluster(spec, 3);
    sim.command({ command: 'apply' }, [{ verb: 'create', object: web(2) }]);
    sim.run({ until: ready(sim, 2), deadlineMs: 120_000 });
    const log = sim.log.all();
    for (const e of log) {
      if (e.cause !== null) expect(e.cause).toBeLessThan(e.seq);
      expect(e.seq).toBe(log.indexOf(e) + 1);
    }
    const pod0 = log.find((e) => e.type === 'ADDED' && e.object?.metadata?.name === 'web-0')!;
    expect(pod0.actor).toBe('statefulset-controller');
    // follow causes back to the user's command
    let cur = pod0;
    for (let i = 0; i < 100 && cur.cause !== null; i++) cur = log[cur.cause - 1]!;
    expect(cur.type).toBe('COMMAND');
  });
});

describe('informer caches (ADR 6)', () => {
  it('without faults, every informer reads the shared fold; the volume binder only for the kinds it does not write through', () => {
    const sim = createCluster(spec, 3);
    sim.run({ until: () => sim.hosts.every((h) => h.running), deadlineMs: 10_000 });
    expect(E.isRight(sim.command({ command: 'apply' }, [{ verb: 'create', object: web(3) }]))).toBe(true);
    sim.run({ until: ready(sim, 3), deadlineMs: 600_000 });
    for (const h of sim.hosts) {
      const inf = h.informer as { constructor: { name: string }; shared?: { constructor: { name: string } } };
      if (h.name === 'volume-binder') {
        expect(inf.constructor.name).toBe('SplitCache');
        expect(inf.shared?.constructor.name).toBe('StoreView');
      } else {
        expect(inf.constructor.name).toBe('StoreView');
      }
    }
  });
});

describe('nodes: the images they hold from the start', () => {
  it('status.images lists each image once, by digest and tag, largest first, at most 50 ([nodestatus.Images])', () => {
    const images = nodeImages(['nginx:1.25', 'docker.io/library/nginx:1.25', 'redis:7', ...Array.from({ length: 60 }, (_, i) => `img${i}:1`)]);
    expect(images).toHaveLength(50);
    expect(images.filter((i) => i.names.includes('docker.io/library/nginx:1.25'))).toHaveLength(1);
    for (let k = 1; k < images.length; k++) expect(images[k - 1]!.sizeBytes).toBeGreaterThanOrEqual(images[k]!.sizeBytes);
    const sim = createCluster({ nodes: [{ name: 'a', images: ['redis:7'] }, { name: 'b' }], storageClasses: [], namespaces: ['default'] }, 1);
    expect(sim.api.store.get('Node', '', 'a')?.status?.images).toEqual(nodeImages(['redis:7']));
    expect(sim.api.store.get('Node', '', 'b')?.status?.images).toBeUndefined();
  });
});

describe('the kubernetes Service', () => {
  it('the kubernetes Service, its Endpoints and EndpointSlice are there from the start, left alone by the endpoint controllers while another Service gets endpoints, and resolve', async () => {
    const { dnsRecords, resolveAddresses } = await import('@kubesim/controllers');
    const sim = createCluster(spec, 3);
    const boot = sim.log.all().filter((e) => e.actor === 'system:bootstrap' && e.type === 'ADDED' && e.object?.metadata?.name === 'kubernetes');
    expect(boot.map((e) => e.object!.kind)).toEqual(['Service', 'Endpoints', 'EndpointSlice']);
    const svc = sim.api.get('Service', 'default', 'kubernetes') as KObject & { spec: Record<string, unknown> };
    expect(svc.metadata?.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], sessionAffinity: 'None', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] });
    expect(svc.spec.selector).toBeUndefined();
    const nginx = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }] } } as KObject;
    expect(E.isRight(sim.command({ command: 'apply' }, [{ verb: 'create', object: nginx }, { verb: 'create', object: web(2) }]))).toBe(true);
    expect(sim.run({ until: ready(sim, 2), deadlineMs: 120_000 })).toBe('condition');
    sim.advance(30_000);
    // Written once, by the bootstrap: no controller updated or deleted them.
    const later = sim.log.all().filter((e) => e.actor !== 'system:bootstrap' && e.object?.metadata?.name === 'kubernetes' && e.object.metadata.namespace === 'default');
    expect(later).toEqual([]);
    expect(sim.api.get('Endpoints', 'default', 'kubernetes')).toMatchObject({
      metadata: { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: '172.18.0.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
    });
    expect(sim.api.get('EndpointSlice', 'default', 'kubernetes')).toMatchObject({
      metadata: { labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4', endpoints: [{ addresses: ['172.18.0.1'], conditions: { ready: true } }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    });
    const records = dnsRecords(sim.api.store);
    expect(resolveAddresses(records, 'kubernetes.default.svc.cluster.local')).toEqual(['10.96.0.1']);
    expect(resolveAddresses(records, 'web-1.nginx.default.svc.cluster.local')).toHaveLength(1);
  });
});
