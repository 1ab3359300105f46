import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { timestamp, type Endpoints, type KObject, type Pod, type Service } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { writesOf } from '../src/framework/index.js';
import {
  buildSubsets, endpointSubsetsFor, endpointsController, initialEndpointsLocal, truncateSubsets, syncEndpoints,
  type EndpointsLocal,
} from '../src/endpoints/index.js';
import { makeSnapshot } from './util.js';

// k8s-semantics §4.1, §4.2; scenarios S39, S40.

const svc = (name: string, extra: Partial<NonNullable<Service['spec']>> = {}, labels?: Record<string, string>): Service => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace: 'default', uid: `uid-svc-${name}`, ...(labels ? { labels } : {}) },
  spec: { clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, protocol: 'TCP' }], ...extra },
});

interface PodOpts { ready?: boolean; ip?: string; phase?: string; terminating?: boolean; subdomain?: string; labels?: Record<string, string>; ports?: { name: string; containerPort: number }[] }
const pod = (k: number, o: PodOpts = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: `web-${k}`, namespace: 'default', uid: `uid-web-${k}`, labels: o.labels ?? { app: 'nginx' },
    ...(o.terminating ? { deletionTimestamp: timestamp(99_000) } : {}),
  },
  spec: {
    hostname: `web-${k}`, subdomain: o.subdomain ?? 'nginx', nodeName: `node-${'abc'[k % 3]}`,
    containers: [{ name: 'nginx', image: 'nginx:1.25', ports: o.ports ?? [{ name: 'web', containerPort: 80 }] }],
  },
  status: {
    phase: o.phase ?? 'Running',
    ...(o.ip === '' ? {} : { podIP: o.ip ?? `10.64.${k % 3}.${k + 2}`, podIPs: [{ ip: o.ip ?? `10.64.${k % 3}.${k + 2}` }] }),
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
  },
});

const snap = (objs: readonly KObject[]) => makeSnapshot(objs, endpointsController.indexes);
const config = { maxCapacity: 1000 };
const sync = (objs: readonly KObject[], key = 'default/nginx', local: EndpointsLocal = initialEndpointsLocal(), cfg = config) =>
  syncEndpoints(snap(objs), key, cfg, local);
const written = (objs: readonly KObject[], key?: string): Endpoints => {
  const w = writesOf(sync(objs, key).plan);
  expect(w).toHaveLength(1);
  const r = w[0]!;
  if (r.verb !== 'create' && r.verb !== 'update') throw new Error(`unexpected ${r.verb}`);
  return r.object as Endpoints;
};
const addr = (k: number, hostname = true) => ({
  ip: `10.64.${k % 3}.${k + 2}`, ...(hostname ? { hostname: `web-${k}` } : {}), nodeName: `node-${'abc'[k % 3]}`,
  targetRef: { kind: 'Pod', namespace: 'default', name: `web-${k}`, uid: `uid-web-${k}` },
});
const stored = (ep: Endpoints, rv = '50'): Endpoints => ({ ...ep, metadata: { ...ep.metadata, uid: 'uid-ep', resourceVersion: rv } });

describe('endpoints controller: addresses (§4.1)', () => {
  it('creates the Endpoints of F1: ready pods in addresses with hostname, nodeName and targetRef', () => {
    const ep = written([svc('nginx'), pod(0), pod(1), pod(2)]);
    expect(ep).toEqual({
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: 'nginx', namespace: 'default', labels: { 'service.kubernetes.io/headless': '' } },
      subsets: [{ addresses: [addr(0), addr(1), addr(2)], ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }],
    });
  });

  it('sorts addresses by IP bytewise', () => {
    const a = pod(0, { ip: '10.64.0.10' }), b = pod(1, { ip: '10.64.0.9' }), c = pod(2, { ip: '10.64.0.100' });
    const ep = written([svc('nginx'), a, b, c]);
    expect(ep.subsets?.[0]?.addresses?.map((x) => x.ip)).toEqual(['10.64.0.10', '10.64.0.100', '10.64.0.9']);
  });

  it('puts unready pods in notReadyAddresses and omits terminating, terminal and IP-less pods', () => {
    const ep = written([svc('nginx'), pod(0), pod(1, { ready: false }), pod(2, { terminating: true }), pod(3, { phase: 'Failed' }), pod(4, { ip: '' })]);
    expect(ep.subsets).toEqual([{ addresses: [addr(0)], notReadyAddresses: [addr(1)], ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }]);
  });

  it('with publishNotReadyAddresses every pod, unready or terminating, is in addresses', () => {
    const ep = written([svc('nginx', { publishNotReadyAddresses: true }), pod(0), pod(1, { ready: false }), pod(2, { terminating: true }), pod(3, { phase: 'Succeeded' })]);
    expect(ep.subsets).toEqual([{ addresses: [addr(0), addr(1), addr(2)], ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }]);
  });

  it('sets hostname only when the pod subdomain is the service name (S40)', () => {
    const ep = written([svc('nginx-svc'), pod(0), pod(1), pod(2)], 'default/nginx-svc');
    expect(ep.subsets?.[0]?.addresses).toEqual([addr(0, false), addr(1, false), addr(2, false)]);
  });

  it('resolves named target ports per pod; pods lacking the port get their own subset (RepackSubsets)', () => {
    const s = svc('nginx', { ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'metrics', port: 9000, targetPort: 9090, protocol: 'TCP' }] });
    const a = pod(0, { ports: [{ name: 'http', containerPort: 8080 }] });
    const b = pod(1, { ports: [] });
    const ep = written([s, a, b]);
    expect(ep.subsets).toEqual([
      { addresses: [addr(0), addr(1)], ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }] },
      { addresses: [addr(0)], ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] },
    ]);
  });

  it('a headless service without ports still lists its pods', () => {
    const ep = written([svc('nginx', { ports: [] }), pod(0)]);
    expect(ep.subsets).toEqual([{ addresses: [addr(0)] }]);
  });

  it('truncates past maxCapacity, ready addresses first, and annotates', () => {
    const pods = [0, 1, 2, 3, 4].map((k) => pod(k, { ready: k !== 1 }));
    const w = writesOf(syncEndpoints(snap([svc('nginx'), ...pods]), 'default/nginx', { maxCapacity: 3 }, initialEndpointsLocal()).plan);
    const ep = (w[0] as { object: Endpoints }).object;
    expect(ep.metadata?.annotations).toEqual({ 'endpoints.kubernetes.io/over-capacity': 'truncated' });
    // Ready addresses sorted by IP: web-0 10.64.0.2, web-3 10.64.0.5, web-4 10.64.1.6, web-2 10.64.2.4.
    expect(ep.subsets?.[0]?.addresses?.map((a) => a.targetRef?.name)).toEqual(['web-0', 'web-3', 'web-4']);
    expect(ep.subsets?.[0]?.notReadyAddresses).toBeUndefined();
  });
});

describe('endpoints controller: the single-subset fast path', () => {
  const arbPod = fc.record({
    k: fc.integer({ min: 0, max: 40 }), ready: fc.boolean(), terminating: fc.boolean(), phase: fc.constantFrom('Running', 'Running', 'Failed'),
    ip: fc.integer({ min: 2, max: 30 }),
  });
  fcTest.prop([fc.uniqueArray(arbPod, { selector: (p) => p.k, maxLength: 25 }), fc.boolean(), fc.integer({ min: 1, max: 12 }), fc.boolean()])(
    'equals buildSubsets + truncateSubsets when no target port is named',
    (specs, publish, max, noPorts) => {
      const s = svc('nginx', { publishNotReadyAddresses: publish, ...(noPorts ? { ports: [] } : {}) });
      const pods = specs.map((p) => pod(p.k, { ready: p.ready, terminating: p.terminating, phase: p.phase, ip: `10.64.0.${p.ip}` }));
      expect(endpointSubsetsFor(s, pods, max)).toEqual(truncateSubsets(buildSubsets(s, pods), max));
    },
  );
});

describe('endpoints controller: writes', () => {
  const objs = [svc('nginx'), pod(0), pod(1), pod(2)];
  const ep = stored(written(objs));

  it('writes nothing when the Endpoints already match', () => {
    const r = sync([...objs, ep]);
    expect(r.plan).toBeUndefined();
    expect(r.workUnits).toBe(4);
  });

  it('updates with the current resourceVersion when a pod turns unready, and then waits for the cache', () => {
    const r = sync([svc('nginx'), pod(0), pod(1, { ready: false }), pod(2), ep]);
    const w = writesOf(r.plan);
    expect(w).toHaveLength(1);
    const u = w[0]!;
    expect(u.verb).toBe('update');
    const obj = (u as { object: Endpoints }).object;
    expect(obj.metadata?.resourceVersion).toBe('50');
    expect(obj.metadata?.uid).toBe('uid-ep');
    expect(obj.subsets?.[0]?.notReadyAddresses?.map((a) => a.ip)).toEqual(['10.64.1.3']);
    // After a successful update, a sync against the same (stale) cached version fails instead of writing.
    const local = r.onDone!({ ok: true, succeeded: new Set(), failed: new Set() }, initialEndpointsLocal());
    const stale = sync([svc('nginx'), pod(0), pod(1, { ready: false }), pod(2), ep], 'default/nginx', local);
    expect(stale.plan).toBeUndefined();
    expect(stale.error).toBe('endpoints informer cache is out of date, resource version 50 already processed for endpoints default/nginx');
  });

  it('deletes the Endpoints of a deleted Service; leaves selector-less services alone', () => {
    expect(writesOf(sync([pod(0), ep]).plan)).toEqual([{ verb: 'delete', kind: 'Endpoints', namespace: 'default', name: 'nginx' }]);
    expect(sync([pod(0)]).plan).toBeUndefined();
    const manual = svc('nginx', { selector: undefined });
    expect(sync([manual, pod(0), ep]).plan).toBeUndefined();
    expect(sync([svc('nginx', { selector: {} }), pod(0)]).plan).toBeUndefined();
  });

  it('keeps service labels on the Endpoints and drops the headless label for ClusterIP services', () => {
    const cip = svc('nginx', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] }, { team: 'a' });
    const e = written([cip, pod(0)]);
    expect(e.metadata?.labels).toEqual({ team: 'a' });
  });
});

describe('endpoints controller: event handlers', () => {
  const s1 = svc('nginx');
  const s2 = svc('other', { selector: { tier: 'db' } });
  const ev = (type: Envelope['type'], object: KObject): Envelope => ({ seq: 1, time: 0, type, actor: 'x', cause: null, object });

  it('maps a pod to the services whose selector matches its old or new labels', () => {
    const before = pod(0);
    const after = pod(0, { labels: { tier: 'db' } });
    const s = snap([s1, s2, after]);
    expect([...endpointsController.keysFor(ev('MODIFIED', after), before, s, config)].sort()).toEqual(['default/nginx', 'default/other']);
    expect(endpointsController.keysFor(ev('ADDED', before), undefined, snap([s1, s2, before]), config)).toEqual(['default/nginx']);
  });

  it('ignores pod updates that change nothing an endpoint shows', () => {
    const a = pod(0);
    const b: Pod = { ...a, metadata: { ...a.metadata, annotations: { x: 'y' } } };
    expect(endpointsController.keysFor(ev('MODIFIED', b), a, snap([s1, b]), config)).toEqual([]);
    const unready = pod(0, { ready: false });
    expect(endpointsController.keysFor(ev('MODIFIED', unready), a, snap([s1, unready]), config)).toEqual(['default/nginx']);
  });

  it('reacts to Service changes and to the deletion of an Endpoints object only', () => {
    const ep: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'nginx', namespace: 'default' } };
    expect(endpointsController.keysFor(ev('MODIFIED', s1), s1, snap([s1]), config)).toEqual(['default/nginx']);
    expect(endpointsController.keysFor(ev('MODIFIED', ep), ep, snap([s1]), config)).toEqual([]);
    expect(endpointsController.keysFor(ev('DELETED', ep), ep, snap([s1]), config)).toEqual(['default/nginx']);
  });
});
