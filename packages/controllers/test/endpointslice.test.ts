import { describe, expect, it } from 'vitest';
import { timestamp, type ApiRequest, type EndpointSlice, type KObject, type Node, type Pod, type Service } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { writesOf, type PlanOutcome } from '../src/framework/index.js';
import {
  ENDPOINTSLICE_MANAGER, STALE_SLICES, endpointSliceController, initialEndpointSliceLocal, syncEndpointSlices,
  type EndpointSliceLocal,
} from '../src/endpointslice/index.js';
import { dnsRecords, resolve, resolveAddresses, resolveName, resolvePtr, resolveSrv } from '../src/endpoints/index.js';
import { makeSnapshot } from './util.js';

// k8s-semantics §4.1 (EndpointSlices), §4.2 (DNS served from them, as CoreDNS does); scenarios S39, S40.

const svc = (name: string, extra: Partial<NonNullable<Service['spec']>> = {}, labels?: Record<string, string>): Service => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace: 'default', uid: `uid-svc-${name}`, ...(labels ? { labels } : {}) },
  spec: {
    clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', selector: { app: 'nginx' },
    ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 80 }], ...extra,
  },
});

interface PodOpts { ready?: boolean; ip?: string; phase?: string; terminating?: boolean; subdomain?: string; node?: string; ports?: { name: string; containerPort: number }[] }
const pod = (k: number, o: PodOpts = {}): Pod => {
  const ip = o.ip ?? `10.64.${k % 3}.${k + 2}`;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `web-${k}`, namespace: 'default', uid: `uid-web-${k}`, labels: { app: 'nginx' }, ...(o.terminating ? { deletionTimestamp: timestamp(99_000) } : {}) },
    spec: {
      hostname: `web-${k}`, subdomain: o.subdomain ?? 'nginx', nodeName: o.node ?? `node-${'abc'[k % 3]}`,
      containers: [{ name: 'nginx', image: 'nginx:1.25', ports: o.ports ?? [{ name: 'web', containerPort: 80 }] }],
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: ip, podIPs: [{ ip }] }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
};
const node = (n: string, zone?: string): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name: n, ...(zone ? { labels: { 'topology.kubernetes.io/zone': zone } } : {}) },
});
const NODES = [node('node-a', 'zone-1'), node('node-b'), node('node-c')];

const snap = (objs: readonly KObject[]) => makeSnapshot(objs, endpointSliceController.indexes);
const cfg = { maxEndpointsPerSlice: 100 };
const sync = (objs: readonly KObject[], local: EndpointSliceLocal = initialEndpointSliceLocal(), max = 100, key = 'default/nginx') =>
  syncEndpointSlices(snap([...NODES, ...objs]), key, { maxEndpointsPerSlice: max }, local);
type Write = Extract<ApiRequest, { verb: 'create' | 'update' }>;
const writes = (r: ReturnType<typeof sync>) => writesOf(r.plan);
const objectOf = (w: ApiRequest): EndpointSlice => (w as Write).object as EndpointSlice;

/** What the API server would store for a written slice. */
let serial = 0;
const stored = (s: EndpointSlice, generation = 1): EndpointSlice => {
  const name = s.metadata?.name ?? `${s.metadata?.generateName ?? ''}x${++serial}`;
  return { ...s, metadata: { ...s.metadata, name, uid: s.metadata?.uid ?? `uid-${name}`, generation, resourceVersion: String(10 + serial) } };
};
/** Run the controller until it writes nothing, storing what it writes (a fixpoint of syncs). */
const converge = (objs: readonly KObject[], max = 100, key = 'default/nginx'): EndpointSlice[] => {
  let slices: EndpointSlice[] = [];
  for (let i = 0; i < 10; i++) {
    const ws = writes(sync([...objs, ...slices], initialEndpointSliceLocal(), max, key));
    if (ws.length === 0) return slices;
    for (const w of ws) {
      if (w.verb === 'delete') { slices = slices.filter((s) => s.metadata?.name !== w.name); continue; }
      const o = objectOf(w);
      const prev = slices.find((s) => s.metadata?.name === o.metadata?.name);
      slices = [...slices.filter((s) => s !== prev), stored(o, (prev?.metadata?.generation ?? 0) + 1)];
    }
  }
  throw new Error('the controller did not converge');
};
const endpointNames = (s: EndpointSlice): string[] => s.endpoints.map((e) => e.targetRef?.name ?? '');

describe('EndpointSlice controller (§4.1)', () => {
  it('F1: one slice named after the service, owned by it, with the managed labels, ports and one endpoint per pod', () => {
    const ws = writes(sync([svc('nginx', {}, { tier: 'db', 'kubernetes.io/service-name': 'spoofed' }), pod(0), pod(1), pod(2)]));
    expect(ws).toHaveLength(1);
    expect(ws[0]!.verb).toBe('create');
    const s = objectOf(ws[0]!);
    expect(s.metadata).toEqual({
      generateName: 'nginx-', namespace: 'default',
      labels: { tier: 'db', 'service.kubernetes.io/headless': '', 'kubernetes.io/service-name': 'nginx', 'endpointslice.kubernetes.io/managed-by': ENDPOINTSLICE_MANAGER },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'nginx', uid: 'uid-svc-nginx', controller: true, blockOwnerDeletion: true }],
    });
    expect(s.addressType).toBe('IPv4');
    expect(s.ports).toEqual([{ name: 'web', port: 80, protocol: 'TCP' }]);
    expect(s.endpoints[0]).toEqual({
      addresses: ['10.64.0.2'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'web-0', nodeName: 'node-a',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'uid-web-0' }, zone: 'zone-1',
    });
    expect(endpointNames(s)).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('conditions: serving = Ready, terminating = deletionTimestamp, ready = publishNotReadyAddresses || (serving && !terminating)', () => {
    const pods = [pod(0), pod(1, { ready: false }), pod(2, { terminating: true }), pod(3, { terminating: true, ready: false })];
    const cond = (s: EndpointSlice) => s.endpoints.map((e) => [e.targetRef?.name, e.conditions]);
    expect(cond(objectOf(writes(sync([svc('nginx'), ...pods]))[0]!))).toEqual([
      ['web-0', { ready: true, serving: true, terminating: false }],
      ['web-1', { ready: false, serving: false, terminating: false }],
      ['web-2', { ready: false, serving: true, terminating: true }],
      ['web-3', { ready: false, serving: false, terminating: true }],
    ]);
    expect(cond(objectOf(writes(sync([svc('nginx', { publishNotReadyAddresses: true }), ...pods]))[0]!)).map(([, c]) => (c as { ready: boolean }).ready))
      .toEqual([true, true, true, true]);
  });

  it('terminal pods and pods without an IP are left out; terminating pods are kept', () => {
    const s = objectOf(writes(sync([svc('nginx'), pod(0, { phase: 'Failed' }), pod(1, { ip: '' }), pod(2, { terminating: true }), pod(3, { phase: 'Succeeded' })]))[0]!);
    expect(endpointNames(s)).toEqual(['web-2']);
  });

  it('a hostname only for pods whose subdomain is the service', () => {
    const s = objectOf(writes(sync([svc('nginx'), pod(0), pod(1, { subdomain: 'other' })]))[0]!);
    expect(s.endpoints.map((e) => e.hostname)).toEqual(['web-0', undefined]);
  });

  it('no endpoints: one placeholder slice (no ports, no endpoints), written once', () => {
    const ws = writes(sync([svc('nginx')]));
    expect(ws).toHaveLength(1);
    const p = objectOf(ws[0]!);
    expect(p.endpoints).toEqual([]);
    expect(p.ports).toBeUndefined();
    const ph = stored(p);
    expect(writes(sync([svc('nginx'), ph]))).toEqual([]);
    // A pod arrives: the placeholder's place is taken by the new slice (an update of the same name, not create + delete).
    const next = writes(sync([svc('nginx'), ph, pod(0)]));
    expect(next.map((w) => w.verb)).toEqual(['update']);
    expect(objectOf(next[0]!).metadata?.name).toBe(ph.metadata?.name);
    expect(endpointNames(objectOf(next[0]!))).toEqual(['web-0']);
  });

  it('packs at most maxEndpointsPerSlice per slice; new endpoints go to the slice that ends closest to full', () => {
    const pods = Array.from({ length: 25 }, (_, k) => pod(k, { ip: `10.64.9.${k + 2}` }));
    const slices = converge([svc('nginx'), ...pods], 10);
    expect(slices.map((s) => s.endpoints.length).sort()).toEqual([10, 10, 5]);
    const more = [26, 27, 28].map((k) => pod(k, { ip: `10.64.9.${k + 2}` }));
    const ws = writes(sync([svc('nginx'), ...pods, ...more, ...slices], initialEndpointSliceLocal(), 10));
    expect(ws.map((w) => w.verb)).toEqual(['update']);
    expect(objectOf(ws[0]!).endpoints).toHaveLength(8);
    // Every pod is in exactly one slice after convergence.
    const all = converge([svc('nginx'), ...pods, ...more], 10).flatMap(endpointNames);
    expect(all.sort()).toEqual([...pods, ...more].map((p) => p.metadata!.name!).sort());
  });

  it('a changed endpoint is updated in place; a slice left empty is deleted', () => {
    const pods = [pod(0), pod(1), pod(2)];
    const [s] = converge([svc('nginx'), ...pods]);
    const ws = writes(sync([svc('nginx'), pod(0), pod(1, { ready: false }), pod(2), s!]));
    expect(ws.map((w) => w.verb)).toEqual(['update']);
    expect(objectOf(ws[0]!).metadata?.name).toBe(s!.metadata?.name);
    expect(objectOf(ws[0]!).metadata?.resourceVersion).toBe(s!.metadata?.resourceVersion);
    // Pods with a different port set go to their own slice; the old slice, emptied, is recycled for them.
    const other = [0, 1, 2].map((k) => pod(k + 10, { ports: [{ name: 'http', containerPort: 8080 }] }));
    const named = svc('nginx', { ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 'http' }] });
    const w2 = writes(sync([named, ...other, s!]));
    expect(w2.map((w) => w.verb)).toEqual(['update']);
    expect(objectOf(w2[0]!).metadata?.name).toBe(s!.metadata?.name);
    expect(objectOf(w2[0]!).ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    // Pods that resolve none of the ports still get endpoints, in a slice without ports.
    const mixed = converge([named, pod(0), ...other]);
    expect(mixed.map((x) => [x.ports?.length ?? 0, x.endpoints.length]).sort()).toEqual([[0, 1], [1, 3]]);
  });

  it('a pod whose node is not in the cache is skipped and the sync fails (retried), unless the service publishes not-ready addresses', () => {
    const r = sync([svc('nginx'), pod(0), pod(1, { node: 'node-x' })]);
    expect(r.error).toBe('skipping Pod web-1 for Service default/nginx: Node node-x Not Found');
    expect(endpointNames(objectOf(writes(r)[0]!))).toEqual(['web-0']);
    const published = sync([svc('nginx', { publishNotReadyAddresses: true }), pod(0), pod(1, { node: 'node-x' })]);
    expect(published.error).toBeUndefined();
    expect(endpointNames(objectOf(writes(published)[0]!))).toEqual(['web-0', 'web-1']);
  });

  it('no slices for a Service without selector, an ExternalName Service, or a deleted Service', () => {
    expect(writes(sync([svc('nginx', { selector: undefined }), pod(0)]))).toEqual([]);
    expect(writes(sync([svc('nginx', { type: 'ExternalName', externalName: 'db.example.com' }), pod(0)]))).toEqual([]);
    expect(writes(sync([pod(0)]))).toEqual([]);
  });

  it('the service\'s IP families decide the address types: none on a headless service means both (a placeholder for IPv6)', () => {
    const ws = writes(sync([svc('nginx', { ipFamilies: undefined, ipFamilyPolicy: undefined }), pod(0)]));
    expect(ws.map((w) => [objectOf(w).addressType, objectOf(w).endpoints.length])).toEqual([['IPv4', 1], ['IPv6', 0]]);
  });

  it('service labels are mirrored; a label change updates the slices', () => {
    const [s] = converge([svc('nginx'), pod(0)]);
    const ws = writes(sync([svc('nginx', {}, { team: 'a' }), pod(0), s!]));
    expect(ws.map((w) => w.verb)).toEqual(['update']);
    expect(objectOf(ws[0]!).metadata?.labels?.team).toBe('a');
  });

  it('the tracker: a cache older than the controller\'s own write fails the sync as stale; its own writes do not wake it', () => {
    const first = sync([svc('nginx'), pod(0)]);
    const created = stored(objectOf(writes(first)[0]!), 2);
    const outcome: PlanOutcome = { ok: true, succeeded: new Set(['create:0']), failed: new Set(), results: new Map([['create:0', created as KObject]]) };
    const local = first.onDone!(outcome, initialEndpointSliceLocal());
    // The cache still shows generation 1 of that slice.
    expect(sync([svc('nginx'), pod(0), { ...created, metadata: { ...created.metadata, generation: 1 } }], local).error).toBe(STALE_SLICES);
    // A cache without the slice at all is stale too.
    expect(sync([svc('nginx'), pod(0)], local).error).toBe(STALE_SLICES);
    expect(sync([svc('nginx'), pod(0), created], local).error).toBeUndefined();
    const entry = (type: Envelope['type'], o: EndpointSlice, seq = 30): Envelope =>
      ({ seq, type, time: 0, actor: 'x', cause: null, object: o as KObject } as Envelope);
    const keys = (e: Envelope, old: EndpointSlice | undefined, l: EndpointSliceLocal) =>
      endpointSliceController.keysFor(e, old as KObject | undefined, snap([created]), cfg, { local: l, now: 0 });
    expect(keys(entry('MODIFIED', created), created, local)).toEqual([]);
    const changed = { ...created, metadata: { ...created.metadata, generation: 3 } };
    // A slice change wakes its service 1 s later ([queueServiceForEndpointSlice]: the `#slice` key).
    expect(keys(entry('MODIFIED', changed), created, local)).toEqual(['default/nginx#slice']);
    // A deletion the controller did not make wakes the service; one it made does not.
    const del = entry('DELETED', created, 31);
    const afterUnexpected = endpointSliceController.observe!(del, created as KObject, local, cfg);
    expect(keys(del, created, afterUnexpected)).toEqual(['default/nginx#slice']);
    const expecting = first.onDone!({ ok: true, succeeded: new Set([`delete:${created.metadata!.uid!}`]), failed: new Set() }, local);
    const afterExpected = endpointSliceController.observe!(del, created as KObject, expecting, cfg);
    expect(keys(del, created, afterExpected)).toEqual([]);
  });
});

describe('EndpointSlice controller: endpointSliceChangeMinSyncDelay', () => {
  it('a slice change syncs its service 1 s after the first wake: later wakes within the second keep that time; a failed sync keeps it for its retry', () => {
    const objs = [...NODES, svc('nginx'), pod(0)];
    const run = (l: EndpointSliceLocal, now: number) =>
      endpointSliceController.reconcile({ snapshot: snap(objs), key: 'default/nginx#slice', config: cfg, local: l, now, seed: 1 });
    const first = run(initialEndpointSliceLocal(), 5_000);
    expect(writes(first)).toEqual([]);
    expect(first.requeueAfterMs).toBe(1_000);
    expect(first.local?.sliceDue.get('default/nginx')).toBe(6_000);
    const again = run(first.local!, 5_400);
    expect(writes(again)).toEqual([]);
    expect(again.requeueAfterMs).toBeCloseTo(600, 6);
    expect(again.local).toBeUndefined();
    // Due: the service's sync (here, its first slice), and the wake is spent.
    const due = run(first.local!, 6_000);
    expect(writes(due).map((w) => w.verb)).toEqual(['create']);
    expect(due.local?.sliceDue.has('default/nginx')).toBe(false);
    // A sync that fails (a stale cache) keeps the due time: its retry syncs at once.
    const stale = { ...first.local!, tracker: new Map([['default/nginx', new Map([['gone-uid', 1]])]]) };
    const failed = run(stale, 6_000);
    expect(failed.error).toBe(STALE_SLICES);
    expect((failed.local ?? stale).sliceDue.get('default/nginx')).toBe(6_000);
  });
});

describe('DNS records (§4.2), served from the EndpointSlices', () => {
  const withSlices = (objs: readonly KObject[], name = 'nginx') =>
    makeSnapshot([...objs, ...converge(objs, 100, `default/${name}`)]);
  const S = (k: number) => `web-${k}.nginx.default.svc.cluster.local`;

  it('S39: per-pod A, service A, SRV and PTR records of a headless service', () => {
    const records = dnsRecords(withSlices([svc('nginx'), pod(0), pod(1), pod(2)]));
    for (const k of [0, 1, 2]) {
      expect(resolveAddresses(records, S(k))).toEqual([`10.64.${k}.${k + 2}`]);
      expect(resolvePtr(records, `10.64.${k}.${k + 2}`)).toEqual([`${S(k)}.`]);
    }
    expect(resolveAddresses(records, 'nginx.default.svc.cluster.local.')).toEqual(['10.64.0.2', '10.64.1.3', '10.64.2.4']);
    expect(resolveSrv(records, '_web._tcp.nginx.default.svc.cluster.local').map((r) => [r.port, r.value]).sort()).toEqual([
      [80, `${S(0)}.`], [80, `${S(1)}.`], [80, `${S(2)}.`],
    ]);
    expect(resolveSrv(records, '_web._tcp.nginx.default.svc.cluster.local').every((r) => r.priority === 0 && r.weight === 33)).toBe(true);
    expect(resolve(records, '2.0.64.10.in-addr.arpa')).toEqual([{ type: 'PTR', name: '2.0.64.10.in-addr.arpa', value: `${S(0)}.` }]);
    expect(records).toHaveLength(3 /* svc A */ + 3 /* pod A */ + 3 /* SRV */ + 3 /* PTR */);
  });

  it('S39: an unready or terminating pod disappears from DNS; with publishNotReadyAddresses it stays', () => {
    const records = dnsRecords(withSlices([svc('nginx'), pod(0), pod(1, { ready: false }), pod(2, { terminating: true })]));
    expect(resolve(records, S(1))).toEqual([]);
    expect(resolve(records, S(2))).toEqual([]);
    expect(resolveAddresses(records, 'nginx.default.svc.cluster.local')).toEqual(['10.64.0.2']);
    expect(resolveSrv(records, '_web._tcp.nginx.default.svc.cluster.local')).toHaveLength(1);
    const published = dnsRecords(withSlices([svc('nginx', { publishNotReadyAddresses: true }), pod(0), pod(1, { ready: false, terminating: true }), pod(2)]));
    expect(resolveAddresses(published, S(1))).toEqual(['10.64.1.3']);
    expect(resolveSrv(published, '_web._tcp.nginx.default.svc.cluster.local')).toHaveLength(3);
  });

  it('S40: no hostname → dashed-IP names only; pod names do not resolve; the service does', () => {
    const records = dnsRecords(withSlices([svc('nginx-svc'), pod(0), pod(1), pod(2)], 'nginx-svc'));
    expect(resolve(records, 'web-0.nginx-svc.default.svc.cluster.local')).toEqual([]);
    expect(resolve(records, 'web-0.nginx.default.svc.cluster.local')).toEqual([]);
    expect(resolveAddresses(records, 'nginx-svc.default.svc.cluster.local')).toEqual(['10.64.0.2', '10.64.1.3', '10.64.2.4']);
    expect(resolveAddresses(records, '10-64-0-2.nginx-svc.default.svc.cluster.local')).toEqual(['10.64.0.2']);
  });

  it('every ready pod is served, however many slices hold them (EndpointSlices are never truncated)', () => {
    const pods = Array.from({ length: 250 }, (_, k) => pod(k, { ip: `10.65.${k >> 8}.${k & 255}` }));
    const records = dnsRecords(withSlices([svc('nginx'), ...pods]));
    expect(resolveAddresses(records, 'nginx.default.svc.cluster.local')).toHaveLength(250);
    expect(resolveAddresses(records, S(249))).toEqual(['10.65.0.249']);
  });

  it('a headless service with no ready endpoint is NXDOMAIN; a ClusterIP service resolves to its ClusterIP', () => {
    const none = dnsRecords(withSlices([svc('nginx'), pod(0, { ready: false })]));
    expect(resolve(none, 'nginx.default.svc.cluster.local')).toEqual([]);
    const cip = svc('web', { clusterIP: '10.96.0.12', clusterIPs: ['10.96.0.12'] });
    const records = dnsRecords(withSlices([cip, pod(0)], 'web'));
    expect(resolve(records, 'WEB.default.svc.cluster.local')).toEqual([{ type: 'A', name: 'web.default.svc.cluster.local', value: '10.96.0.12' }]);
    expect(resolveName(records, 'web.default.svc.cluster.local.')).toEqual(['10.96.0.12']);
    expect(resolveSrv(records, '_web._tcp.web.default.svc.cluster.local')).toEqual([
      { type: 'SRV', name: '_web._tcp.web.default.svc.cluster.local', value: 'web.default.svc.cluster.local.', priority: 0, weight: 100, port: 80 },
    ]);
    expect(resolve(records, 'web-0.web.default.svc.cluster.local')).toEqual([]);
    expect(resolvePtr(records, '10.96.0.12')).toEqual(['web.default.svc.cluster.local.']);
  });
});
