/**
 * Extra acceptance scenarios for k8s-semantics §4 (headless Services, DNS, EndpointSlices) and §5 (garbage
 * collection), end to end on the embedded engine — behaviours of Kubernetes' own code and tests beyond S39,
 * S40 and S44 (acceptance-E, acceptance-F):
 * - DNS (§4.2, CoreDNS plugin/kubernetes over EndpointSlices): pods outside a StatefulSet — a per-pod name
 *   only with a hostname and `subdomain` = the service, the dashed IP otherwise; SRV per pod and named port,
 *   with ports resolved per pod from a named targetPort; a terminating pod that is still Ready (serving,
 *   not ready) leaves DNS at once; scaled to 0 the name is NXDOMAIN while the Service and a placeholder
 *   slice remain; several Services over the same pods; a ClusterIP Service; the Service deleted and at once
 *   re-created.
 * - EndpointSlices (§4.1, pkg/controller/endpointslice + staging/src/k8s.io/endpointslice): labels, owner,
 *   hostname, nodeName, zone, and the conditions through a pod's life; the placeholder slice and its reuse;
 *   a selector change; a selector-less Service; a selector removed (the slices are left, kubernetes#118376).
 * - GC (§5, pkg/controller/garbagecollector): two owners (one deleted in foreground, E2E "should not delete
 *   dependents that have both valid owner and owner that's waiting for dependents to be deleted"); dangling
 *   references (uid mismatch, owner never existed); foreground waits only for `blockOwnerDeletion`
 *   dependents; a custom finalizer; a Service → ReplicaSet → Pod chain in foreground and in background.
 * Already covered elsewhere (not repeated): S39/S40 records, unready pod, publishNotReadyAddresses with an
 * unready and a terminating pod, deleting the Service (acceptance-E); StatefulSet background / foreground /
 * orphan deletion (acceptance-F S43, S44); ReplicaSet orphan and foreground deletion (acceptance-extra-storage-rs);
 * claim with a dangling / foreign owner (acceptance-D S35).
 */
import { describe, expect, it } from 'vitest';
import { isPodReady, type KObject, type Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import { dashedIp, resolvePtr, resolveSrv } from '@kubesim/controllers';
import {
  NODES, converge, create, del, dns, dnsRecordsOf, entriesOf, f1, get, list, mustGet, newCluster, objectEntries, patch, ready, refused,
  scale, seqOf, sleep, slicesOf, waitFor, type Json, type ObjEntry,
} from './harness.js';

const NS = 'default';
const ZONE = 'default.svc.cluster.local';
const MANAGER = 'endpointslice-controller.k8s.io';
const fqdn = (host: string, svc: string): string => `${host}.${svc}.${ZONE}`;

// ---- objects ----------------------------------------------------------------------------------------------

const service = (name: string, spec: Json, labels?: Record<string, string>): KObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS, ...(labels ? { labels } : {}) }, spec } as KObject);

/** A bare pod (container `c`, nginx); `extra` is merged into the spec, `container` into the container. */
const bare = (name: string, labels: Record<string, string>, extra: Json = {}, container: Json = {}, meta: Json = {}): KObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: NS, labels, ...meta },
  spec: { containers: [{ name: 'c', image: 'nginx:1.25', ...container }], ...extra },
} as KObject);

/** A ReplicaSet of `app` pods; `grace` = terminationGracePeriodSeconds of its template. */
const replicaSet = (name: string, app: string, replicas: number, opts: { grace?: number; owner?: Json; finalizers?: string[] } = {}): KObject => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: {
    name, namespace: NS,
    ...(opts.owner ? { ownerReferences: [opts.owner] } : {}),
    ...(opts.finalizers ? { finalizers: opts.finalizers } : {}),
  },
  spec: {
    replicas,
    selector: { matchLabels: { app } },
    template: {
      metadata: { labels: { app } },
      spec: { ...(opts.grace !== undefined ? { terminationGracePeriodSeconds: opts.grace } : {}), containers: [{ name: 'c', image: 'nginx:1.25' }] },
    },
  },
} as KObject);

const uidOf = (sim: Simulation, kind: 'Pod' | 'Service' | 'ReplicaSet', name: string): string => mustGet<Json>(sim, kind, name).metadata.uid;
const ref = (kind: 'ReplicaSet' | 'Service', name: string, uid: string, extra: Json = {}): Json =>
  ({ apiVersion: kind === 'Service' ? 'v1' : 'apps/v1', kind, name, uid, ...extra });

// ---- reading ----------------------------------------------------------------------------------------------

const ipOf = (sim: Simulation, name: string): string => mustGet<Pod>(sim, 'Pod', name).status!.podIP!;
/** A service's slice endpoints by pod name. */
const endpointsBy = (sim: Simulation, svc: string): Map<string, Json> => {
  const out = new Map<string, Json>();
  for (const s of slicesOf(sim, svc)) for (const e of s.endpoints ?? []) out.set(e.targetRef?.name ?? '', e);
  return out;
};
const readyNames = (sim: Simulation, svc: string): string[] =>
  [...endpointsBy(sim, svc)].filter(([, e]) => e.conditions?.ready === true).map(([n]) => n).sort();
const srv = (sim: Simulation, svc: string, port = 'web'): string[] =>
  resolveSrv(dnsRecordsOf(sim), `_${port}._tcp.${svc}.${ZONE}`).map((r) => `${r.value}:${r.port}`).sort();
const epAddresses = (sim: Simulation, svc: string, field: 'addresses' | 'notReadyAddresses' = 'addresses'): Json[] =>
  (get<Json>(sim, 'Endpoints', svc)?.subsets ?? []).flatMap((s: Json) => s[field] ?? []);
const podReadyNow = (sim: Simulation, name: string): boolean => { const p = get<Pod>(sim, 'Pod', name); return p !== undefined && isPodReady(p); };
const goneSeq = (sim: Simulation, kind: string, name: string, since: number): number => seqOf(sim, 'DELETED', kind, name, since);
/** The entry that gave `kind/name` its deletionTimestamp (or removed it at once) after `since`. */
const deletionOf = (sim: Simulation, kind: string, name: string, since: number): ObjEntry | undefined =>
  entriesOf(sim, kind, name, since).find((e) => e.type === 'DELETED' || e.object.metadata?.deletionTimestamp !== undefined);

/** F1 applied and converged, its slice listing the 3 pods as ready. */
const f1Ready = (mutate?: (svc: Json, set: Json) => void, replicas = 3): Simulation => {
  const sim = newCluster();
  const { service: svc, set } = f1();
  set.spec.replicas = replicas;
  mutate?.(svc, set);
  create(sim, svc, set);
  converge(sim, 'web', replicas);
  waitFor(sim, 'the slices and the Endpoints list the pods as ready', () =>
    readyNames(sim, svc.metadata.name).length === replicas && epAddresses(sim, svc.metadata.name).length === replicas, 10_000);
  return sim;
};

// ---- DNS --------------------------------------------------------------------------------------------------

describe('DNS of Services (§4.2, served from EndpointSlices as CoreDNS does)', () => {
  it('pods outside a StatefulSet: a per-pod name needs a hostname and subdomain == service (else the dashed IP); SRV per pod and named port, resolved per pod from a named targetPort', () => {
    const sim = newCluster();
    create(sim, service('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }));
    const http = (port: number): Json => ({ ports: [{ name: 'http', containerPort: port }] });
    create(sim,
      bare('a', { app: 'db' }, { hostname: 'a', subdomain: 'db' }, http(8080)),
      bare('b', { app: 'db' }, { hostname: 'b', subdomain: 'db' }, http(9090)),
      bare('c', { app: 'db' }, { hostname: 'c', subdomain: 'other' }, http(8080)), // subdomain is not the service
      bare('d', { app: 'db' }, { subdomain: 'db' }, http(8080)), // no hostname
      bare('e', { app: 'db' }, { hostname: 'e', subdomain: 'db' })); // no port named http
    const all = ['a', 'b', 'c', 'd', 'e'];
    waitFor(sim, 'the five pods ready in the slices of db', () => readyNames(sim, 'db').join() === all.join(), 60_000);
    const ip = Object.fromEntries(all.map((n) => [n, ipOf(sim, n)]));
    expect(new Set(Object.values(ip)).size).toBe(5);

    // Slices: one per set of resolved ports (getEndpointPorts skips a port the pod does not have).
    const byPorts = new Map<string, string[]>();
    for (const s of slicesOf(sim, 'db')) {
      const k = JSON.stringify(s.ports ?? []);
      expect(byPorts.has(k), `one slice per port set (${k})`).toBe(false);
      byPorts.set(k, (s.endpoints ?? []).map((e: Json) => e.targetRef.name).sort());
    }
    expect(Object.fromEntries(byPorts)).toEqual({
      [JSON.stringify([{ name: 'http', port: 8080, protocol: 'TCP' }])]: ['a', 'c', 'd'],
      [JSON.stringify([{ name: 'http', port: 9090, protocol: 'TCP' }])]: ['b'],
      [JSON.stringify([])]: ['e'],
    });
    // hostname only for pods with a hostname whose subdomain is the service (EPU ShouldSetHostname).
    const eps = endpointsBy(sim, 'db');
    expect(Object.fromEntries(all.map((n) => [n, eps.get(n)?.hostname ?? null]))).toEqual({ a: 'a', b: 'b', c: null, d: null, e: 'e' });

    // The service name: every ready endpoint, whatever its ports.
    expect(dns(sim, `db.${ZONE}`, 'A')).toEqual(Object.values(ip).sort());
    // Per-pod names: the hostname when set, else the dashed IP (CoreDNS endpointHostname) — never both.
    for (const n of ['a', 'b', 'e']) {
      expect(dns(sim, fqdn(n, 'db'), 'A'), `${n}.db`).toEqual([ip[n]]);
      expect(dns(sim, fqdn(dashedIp(ip[n]!), 'db')), `dashed name of ${n} (it has a hostname)`).toEqual([]);
      expect(resolvePtr(dnsRecordsOf(sim), ip[n]!), `PTR of ${n}`).toEqual([`${fqdn(n, 'db')}.`]);
    }
    for (const n of ['c', 'd']) {
      expect(dns(sim, fqdn(dashedIp(ip[n]!), 'db'), 'A'), `dashed name of ${n}`).toEqual([ip[n]]);
      expect(resolvePtr(dnsRecordsOf(sim), ip[n]!), `PTR of ${n}`).toEqual([`${fqdn(dashedIp(ip[n]!), 'db')}.`]);
    }
    expect(dns(sim, fqdn('c', 'db')), 'c.db: its subdomain is not db').toEqual([]);
    expect(dns(sim, fqdn('c', 'other')), 'c.other: no such service').toEqual([]);
    // SRV: one record per ready endpoint with the named port, with that pod's port; e (no such port) has none.
    expect(srv(sim, 'db', 'http')).toEqual([
      `${fqdn('a', 'db')}.:8080`, `${fqdn('b', 'db')}.:9090`, `${fqdn(dashedIp(ip.c!), 'db')}.:8080`, `${fqdn(dashedIp(ip.d!), 'db')}.:8080`,
    ].sort());
    expect(dns(sim, `_http._udp.db.${ZONE}`), 'no UDP port').toEqual([]);
  });

  it('a terminating pod that is still Ready is serving, not ready: out of DNS and Endpoints at once; scaled to 0 the name is NXDOMAIN, the Service and a placeholder slice (the same one) remain; scaled up it returns', () => {
    const sim = f1Ready();
    const ips = [0, 1, 2].map((k) => ipOf(sim, `web-${k}`));
    const [slice] = slicesOf(sim, 'nginx');
    expect(slicesOf(sim, 'nginx')).toHaveLength(1);
    const sliceName: string = slice.metadata.name;

    scale(sim, 'StatefulSet', 'web', 0);
    // OrderedReady: web-2 goes first, with its 10 s grace; its container keeps running (and Ready) meanwhile.
    waitFor(sim, 'web-2 terminating in the slice', () => endpointsBy(sim, 'nginx').get('web-2')?.conditions?.terminating === true, 10_000);
    sleep(sim, 1_000);
    const p2 = mustGet<Pod>(sim, 'Pod', 'web-2');
    expect(p2.metadata?.deletionTimestamp, 'web-2 terminating').toBeDefined();
    expect(isPodReady(p2), 'web-2 still Ready while it terminates').toBe(true);
    expect(endpointsBy(sim, 'nginx').get('web-2')?.conditions, 'serving (Ready) but not ready (terminating)').toEqual({ ready: false, serving: true, terminating: true });
    expect(dns(sim, fqdn('web-2', 'nginx')), 'web-2 NXDOMAIN while terminating').toEqual([]);
    expect(dns(sim, `nginx.${ZONE}`, 'A')).toEqual([ips[0]!, ips[1]!].sort());
    expect(srv(sim, 'nginx')).toEqual([`${fqdn('web-0', 'nginx')}.:80`, `${fqdn('web-1', 'nginx')}.:80`]);
    // Legacy Endpoints omit a terminating pod (neither addresses nor notReadyAddresses).
    waitFor(sim, 'Endpoints updated', () => epAddresses(sim, 'nginx').length === 2, 10_000);
    expect(epAddresses(sim, 'nginx').map((a) => a.hostname).sort()).toEqual(['web-0', 'web-1']);
    expect(epAddresses(sim, 'nginx', 'notReadyAddresses')).toEqual([]);

    waitFor(sim, 'all pods gone', () => list(sim, 'Pod', NS).length === 0, 120_000);
    waitFor(sim, 'the slice emptied', () => slicesOf(sim, 'nginx').every((s) => (s.endpoints ?? []).length === 0), 10_000);
    sleep(sim, 5_000);
    // The Service remains; one placeholder slice (no endpoints, no ports) — the old slice, updated in place.
    expect(get(sim, 'Service', 'nginx')).toBeDefined();
    const placeholders = slicesOf(sim, 'nginx');
    expect(placeholders.map((s) => s.metadata.name), 'the placeholder is the slice that was emptied').toEqual([sliceName]);
    expect(placeholders[0].ports ?? [], 'placeholder ports').toEqual([]);
    expect(placeholders[0].metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'nginx', uid: uidOf(sim, 'Service', 'nginx'), controller: true })]);
    expect(entriesOf(sim, 'EndpointSlice').filter((e) => e.type === 'DELETED'), 'no slice was deleted').toEqual([]);
    // NXDOMAIN for every name of the service; the Endpoints object stays, empty.
    expect(dns(sim, `nginx.${ZONE}`)).toEqual([]);
    for (let k = 0; k < 3; k++) expect(dns(sim, fqdn(`web-${k}`, 'nginx'))).toEqual([]);
    expect(srv(sim, 'nginx')).toEqual([]);
    expect(get<Json>(sim, 'Endpoints', 'nginx')?.subsets ?? [], 'Endpoints nginx exists, with no subsets').toEqual([]);

    // Scaled up again: the placeholder is reused for the new endpoint (finalize turns the create into an update).
    scale(sim, 'StatefulSet', 'web', 1);
    converge(sim, 'web', 1);
    waitFor(sim, 'web-0 resolves', () => dns(sim, fqdn('web-0', 'nginx'), 'A').length === 1, 10_000);
    expect(dns(sim, fqdn('web-0', 'nginx'), 'A')).toEqual([ipOf(sim, 'web-0')]);
    expect(slicesOf(sim, 'nginx').map((s) => s.metadata.name)).toEqual([sliceName]);
    expect(slicesOf(sim, 'nginx')[0].ports).toEqual([{ name: 'web', port: 80, protocol: 'TCP' }]);
  });

  it('several Services over the same pods: per-pod names only under the service named by the subdomain; a ClusterIP Service resolves to its ClusterIP only', () => {
    const sim = f1Ready();
    create(sim,
      service('nginx-alt', { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }] }),
      service('nginx-cip', { selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }] }));
    waitFor(sim, 'slices of both list the 3 pods', () => readyNames(sim, 'nginx-alt').length === 3 && readyNames(sim, 'nginx-cip').length === 3, 10_000);
    const ips = [0, 1, 2].map((k) => ipOf(sim, `web-${k}`));
    const clusterIP: string = mustGet<Json>(sim, 'Service', 'nginx-cip').spec.clusterIP;
    expect(clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(ips).not.toContain(clusterIP);

    // Each Service has its own slices, owned by it; only headless ones carry the headless label.
    for (const svc of ['nginx', 'nginx-alt', 'nginx-cip']) {
      const uid = uidOf(sim, 'Service', svc);
      for (const s of slicesOf(sim, svc)) {
        expect(s.metadata.ownerReferences, `owner of ${s.metadata.name}`).toEqual([{ apiVersion: 'v1', kind: 'Service', name: svc, uid, controller: true, blockOwnerDeletion: true }]);
        const want: Record<string, string> = { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': MANAGER };
        if (svc !== 'nginx-cip') want['service.kubernetes.io/headless'] = '';
        expect(s.metadata.labels, `labels of ${s.metadata.name}`).toEqual(want);
      }
    }
    // nginx-alt: the pods' subdomain is nginx — no hostname in its slices, dashed-IP names only.
    for (const e of endpointsBy(sim, 'nginx-alt').values()) expect(e.hostname).toBeUndefined();
    expect(dns(sim, `nginx-alt.${ZONE}`, 'A')).toEqual([...ips].sort());
    for (let k = 0; k < 3; k++) {
      expect(dns(sim, fqdn(`web-${k}`, 'nginx'), 'A')).toEqual([ips[k]]);
      expect(dns(sim, fqdn(`web-${k}`, 'nginx-alt')), `web-${k}.nginx-alt`).toEqual([]);
      expect(dns(sim, fqdn(dashedIp(ips[k]!), 'nginx-alt'), 'A')).toEqual([ips[k]]);
    }
    expect(srv(sim, 'nginx-alt')).toEqual(ips.map((ip) => `${fqdn(dashedIp(ip), 'nginx-alt')}.:80`).sort());
    // nginx-cip: its ClusterIP, SRV to the service name; no per-endpoint names.
    expect(dns(sim, `nginx-cip.${ZONE}`)).toEqual([clusterIP]);
    expect(srv(sim, 'nginx-cip')).toEqual([`nginx-cip.${ZONE}.:80`]);
    expect(resolvePtr(dnsRecordsOf(sim), clusterIP)).toEqual([`nginx-cip.${ZONE}.`]);
    for (let k = 0; k < 3; k++) {
      expect(dns(sim, fqdn(dashedIp(ips[k]!), 'nginx-cip')), `dashed name of web-${k} under nginx-cip`).toEqual([]);
      expect(dns(sim, fqdn(`web-${k}`, 'nginx-cip'))).toEqual([]);
    }

    // web-1 unready: it leaves both headless services; the ClusterIP record does not change.
    setUnready(sim, 'web-1');
    waitFor(sim, 'web-1 not ready in every slice', () => ['nginx', 'nginx-alt', 'nginx-cip'].every((s) => endpointsBy(sim, s).get('web-1')?.conditions?.ready === false), 10_000);
    expect(dns(sim, `nginx.${ZONE}`, 'A')).toEqual([ips[0]!, ips[2]!].sort());
    expect(dns(sim, `nginx-alt.${ZONE}`, 'A')).toEqual([ips[0]!, ips[2]!].sort());
    expect(dns(sim, fqdn(dashedIp(ips[1]!), 'nginx-alt'))).toEqual([]);
    expect(dns(sim, `nginx-cip.${ZONE}`)).toEqual([clusterIP]);
    expect(srv(sim, 'nginx-cip')).toEqual([`nginx-cip.${ZONE}.:80`]);
  });

  it('a ClusterIP Service named as the pods\' subdomain: its slices carry the hostnames (ShouldSetHostname ignores headlessness), DNS has no per-pod names; scaled to 0 the ClusterIP still resolves', () => {
    const sim = f1Ready((svc) => { delete svc.spec.clusterIP; }, 2);
    const cip: string = mustGet<Json>(sim, 'Service', 'nginx').spec.clusterIP;
    expect(cip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const [s] = slicesOf(sim, 'nginx');
    expect(slicesOf(sim, 'nginx')).toHaveLength(1);
    expect(s.metadata.labels['service.kubernetes.io/headless'], 'no headless label').toBeUndefined();
    for (let k = 0; k < 2; k++) expect(endpointsBy(sim, 'nginx').get(`web-${k}`)?.hostname).toBe(`web-${k}`);
    expect(epAddresses(sim, 'nginx').map((a) => a.hostname).sort()).toEqual(['web-0', 'web-1']);
    expect(dns(sim, `nginx.${ZONE}`)).toEqual([cip]);
    for (let k = 0; k < 2; k++) expect(dns(sim, fqdn(`web-${k}`, 'nginx')), `web-${k}.nginx (ClusterIP service)`).toEqual([]);
    expect(srv(sim, 'nginx')).toEqual([`nginx.${ZONE}.:80`]);
    scale(sim, 'StatefulSet', 'web', 0);
    waitFor(sim, 'no endpoints', () => list(sim, 'Pod', NS).length === 0 && endpointsBy(sim, 'nginx').size === 0, 120_000);
    expect(dns(sim, `nginx.${ZONE}`), 'a ClusterIP name does not depend on endpoints').toEqual([cip]);
  });

  it('the Service deleted and at once re-created (new uid): the old slice is deleted, never reused; a new slice owned by the new Service; DNS back', () => {
    const sim = f1Ready();
    const oldUid = uidOf(sim, 'Service', 'nginx');
    const [old] = slicesOf(sim, 'nginx');
    const since = sim.log.lastSeq();
    del(sim, 'Service', 'nginx');
    create(sim, f1().service);
    const newUid = uidOf(sim, 'Service', 'nginx');
    expect(newUid).not.toBe(oldUid);
    waitFor(sim, 'the slices of the new Service list the 3 pods, the old slice gone', () =>
      get(sim, 'EndpointSlice', old.metadata.name) === undefined && readyNames(sim, 'nginx').length === 3, 30_000);
    sleep(sim, 5_000);
    const slices = slicesOf(sim, 'nginx');
    expect(slices).toHaveLength(1);
    expect(slices[0].metadata.name, 'a new slice (finalize only recycles slices the Service owns)').not.toBe(old.metadata.name);
    expect(slices[0].metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'nginx', uid: newUid })]);
    // The old slice was never updated to the new Service; it was deleted (by the GC or the controller).
    const oldEntries = entriesOf(sim, 'EndpointSlice', old.metadata.name, since);
    expect(oldEntries.map((e) => e.type)).toEqual(['DELETED']);
    expect(['garbage-collector', 'endpointslice-controller']).toContain(oldEntries[0]!.actor);
    for (let k = 0; k < 3; k++) expect(dns(sim, fqdn(`web-${k}`, 'nginx'), 'A')).toEqual([ipOf(sim, `web-${k}`)]);
    waitFor(sim, 'Endpoints of nginx list the 3 pods', () => epAddresses(sim, 'nginx').length === 3, 10_000);
  });
});

const setUnready = (sim: Simulation, name: string): void => {
  sim.fault({ fault: 'pod-readiness', namespace: NS, name, ready: false });
  waitFor(sim, `${name} not Ready`, () => !podReadyNow(sim, name), 10_000);
};

// ---- EndpointSlices ---------------------------------------------------------------------------------------

describe('EndpointSlices (§4.1)', () => {
  it('one endpoint through a pod\'s life: not ready (probe) → ready → terminating and serving → gone; labels, owner, hostname, node and zone', () => {
    const zones: Record<string, string> = { 'node-a': 'zone-1', 'node-b': 'zone-2', 'node-c': 'zone-3' };
    const sim = newCluster({ nodes: NODES.map((name) => ({ name, labels: { 'topology.kubernetes.io/zone': zones[name]! } })) });
    const since = sim.log.lastSeq();
    create(sim, service('life', { clusterIP: 'None', selector: { app: 'life' }, ports: [{ name: 'web', port: 80, targetPort: 'web' }] }, { team: 'blue' }));
    waitFor(sim, 'a placeholder slice', () => slicesOf(sim, 'life').length === 1, 10_000);
    const svcUid = uidOf(sim, 'Service', 'life');
    create(sim, bare('p', { app: 'life' }, { hostname: 'p', subdomain: 'life', terminationGracePeriodSeconds: 10 },
      { ports: [{ name: 'web', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 8080 }, initialDelaySeconds: 5, periodSeconds: 2 } }));

    waitFor(sim, 'p in the slice', () => endpointsBy(sim, 'life').has('p'), 60_000);
    expect(endpointsBy(sim, 'life').get('p')?.conditions, 'running, probe not yet passed').toEqual({ ready: false, serving: false, terminating: false });
    expect(dns(sim, fqdn('p', 'life')), 'not ready: no record').toEqual([]);
    waitFor(sim, 'p ready in the slice', () => endpointsBy(sim, 'life').get('p')?.conditions?.ready === true, 30_000);
    const pod = mustGet<Pod>(sim, 'Pod', 'p');
    const node = pod.spec!.nodeName!;
    const [slice] = slicesOf(sim, 'life');
    expect(slicesOf(sim, 'life')).toHaveLength(1);
    expect(slice.metadata.name).toMatch(/^life-[a-z0-9]{5}$/);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.metadata.labels).toEqual({
      team: 'blue', 'kubernetes.io/service-name': 'life', 'endpointslice.kubernetes.io/managed-by': MANAGER, 'service.kubernetes.io/headless': '',
    });
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'life', uid: svcUid, controller: true, blockOwnerDeletion: true }]);
    expect(slice.ports, 'the named targetPort resolved to the container port').toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints).toEqual([{
      addresses: [pod.status!.podIP], conditions: { ready: true, serving: true, terminating: false }, hostname: 'p', nodeName: node, zone: zones[node],
      targetRef: { kind: 'Pod', namespace: NS, name: 'p', uid: pod.metadata!.uid },
    }]);
    expect(dns(sim, fqdn('p', 'life'), 'A')).toEqual([pod.status!.podIP]);
    expect(srv(sim, 'life')).toEqual([`${fqdn('p', 'life')}.:8080`]);

    // A Service label change is mirrored onto the slice (reserved labels kept).
    patch(sim, 'Service', 'life', { metadata: { labels: { team: 'green' } } });
    waitFor(sim, 'slice relabelled', () => slicesOf(sim, 'life')[0]?.metadata.labels.team === 'green', 10_000);
    expect(slicesOf(sim, 'life')[0].metadata.labels['service.kubernetes.io/headless']).toBe('');

    del(sim, 'Pod', 'p');
    waitFor(sim, 'p terminating in the slice', () => endpointsBy(sim, 'life').get('p')?.conditions?.terminating === true, 10_000);
    expect(isPodReady(mustGet<Pod>(sim, 'Pod', 'p'))).toBe(true);
    expect(endpointsBy(sim, 'life').get('p')?.conditions).toEqual({ ready: false, serving: true, terminating: true });
    expect(dns(sim, fqdn('p', 'life'))).toEqual([]);
    waitFor(sim, 'p gone', () => get(sim, 'Pod', 'p') === undefined, 60_000);
    waitFor(sim, 'p out of the slices', () => !endpointsBy(sim, 'life').has('p'), 10_000);
    sleep(sim, 2_000);
    expect(slicesOf(sim, 'life').map((s) => [s.metadata.name, (s.endpoints ?? []).length, (s.ports ?? []).length]), 'the slice, back to a placeholder').toEqual([[slice.metadata.name, 0, 0]]);

    // The endpoint's states, in log order (each distinct state once): never ready while terminating, never
    // not-serving while Ready, and no state skipped.
    const states: string[] = [];
    for (const e of entriesOf(sim, 'EndpointSlice', undefined, since)) {
      if (e.type === 'DELETED' || (e.object as Json).metadata.labels['kubernetes.io/service-name'] !== 'life') continue;
      const ep = ((e.object as Json).endpoints ?? []).find((x: Json) => x.targetRef?.name === 'p');
      const st = ep ? JSON.stringify(ep.conditions) : 'absent';
      if (states.at(-1) !== st) states.push(st);
    }
    expect(states).toEqual(['absent',
      JSON.stringify({ ready: false, serving: false, terminating: false }),
      JSON.stringify({ ready: true, serving: true, terminating: false }),
      JSON.stringify({ ready: false, serving: true, terminating: true }),
      'absent']);
  });

  it('a selector that matches nothing: one placeholder slice and NXDOMAIN; the selector changed: the slice (reused) follows the newly selected pods only', () => {
    const sim = newCluster();
    create(sim,
      bare('green-1', { color: 'green' }), bare('green-2', { color: 'green' }), bare('blue-1', { color: 'blue' }),
      service('pick', { clusterIP: 'None', selector: { color: 'red' }, ports: [{ name: 'web', port: 80 }] }));
    waitFor(sim, 'the pods Running', () => ['green-1', 'green-2', 'blue-1'].every((n) => podReadyNow(sim, n)), 60_000);
    waitFor(sim, 'a slice for pick', () => slicesOf(sim, 'pick').length === 1, 10_000);
    sleep(sim, 5_000);
    const [placeholder] = slicesOf(sim, 'pick');
    expect(slicesOf(sim, 'pick')).toHaveLength(1);
    expect(placeholder.endpoints ?? []).toEqual([]);
    expect(placeholder.ports ?? []).toEqual([]);
    expect(placeholder.metadata.labels['endpointslice.kubernetes.io/managed-by']).toBe(MANAGER);
    expect(placeholder.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'pick', uid: uidOf(sim, 'Service', 'pick') })]);
    expect(entriesOf(sim, 'EndpointSlice', placeholder.metadata.name).map((e) => e.type), 'the placeholder written once').toEqual(['ADDED']);
    expect(dns(sim, `pick.${ZONE}`)).toEqual([]);
    expect(get<Json>(sim, 'Endpoints', 'pick')?.subsets ?? [], 'Endpoints pick, empty').toEqual([]);
    expect(get(sim, 'Endpoints', 'pick')).toBeDefined();

    patch(sim, 'Service', 'pick', { spec: { selector: { color: 'green' } } });
    waitFor(sim, 'pick lists the green pods', () => readyNames(sim, 'pick').join() === 'green-1,green-2', 10_000);
    expect(slicesOf(sim, 'pick').map((s) => s.metadata.name), 'the placeholder reused').toEqual([placeholder.metadata.name]);
    expect(dns(sim, `pick.${ZONE}`, 'A')).toEqual([ipOf(sim, 'green-1'), ipOf(sim, 'green-2')].sort());
    waitFor(sim, 'Endpoints pick: the green pods', () => epAddresses(sim, 'pick').length === 2, 10_000);

    patch(sim, 'Service', 'pick', { spec: { selector: { color: 'blue' } } });
    waitFor(sim, 'pick lists blue-1 only', () => [...endpointsBy(sim, 'pick').keys()].join() === 'blue-1', 10_000);
    expect(dns(sim, `pick.${ZONE}`, 'A')).toEqual([ipOf(sim, 'blue-1')]);
    waitFor(sim, 'Endpoints pick: blue-1', () => epAddresses(sim, 'pick').map((a) => a.targetRef.name).join() === 'blue-1', 10_000);
    expect(slicesOf(sim, 'pick')).toHaveLength(1);
  });

  it('a selector-less Service gets no slices and no Endpoints from the controllers; a selector removed leaves the old slice and Endpoints as they were (kubernetes#118376)', () => {
    const sim = f1Ready();
    create(sim, service('manual', { clusterIP: 'None', ports: [{ name: 'web', port: 80 }] }));
    sleep(sim, 10_000);
    expect(slicesOf(sim, 'manual')).toEqual([]);
    expect(get(sim, 'Endpoints', 'manual')).toBeUndefined();

    const [slice] = slicesOf(sim, 'nginx');
    const ep = mustGet<Json>(sim, 'Endpoints', 'nginx');
    const since = sim.log.lastSeq();
    patch(sim, 'Service', 'nginx', { spec: { selector: null } });
    expect(mustGet<Json>(sim, 'Service', 'nginx').spec.selector).toBeUndefined();
    // A pod change the controllers would have published: nothing follows it any more.
    setUnready(sim, 'web-1');
    sleep(sim, 10_000);
    const managed = slicesOf(sim, 'nginx').filter((s) => s.metadata.labels['endpointslice.kubernetes.io/managed-by'] === MANAGER);
    expect(managed.map((s) => s.metadata.resourceVersion), 'the controller-managed slice untouched').toEqual([slice.metadata.resourceVersion]);
    expect(mustGet<Json>(sim, 'Endpoints', 'nginx').metadata.resourceVersion, 'the Endpoints untouched').toBe(ep.metadata.resourceVersion);
    expect(objectEntries(sim, since).filter((e) => ['EndpointSlice', 'Endpoints'].includes(e.object.kind as string)).map((e) => `${e.type} ${e.object.kind} by ${e.actor}`)).toEqual([]);
  });
});

// ---- garbage collection -----------------------------------------------------------------------------------

describe('garbage collection (§5)', () => {
  it('two owners: one deleted in foreground loses only its reference (the other is solid) and goes; the pod goes with the last owner; dangling references (uid mismatch, owner never existed) are collected', () => {
    const sim = newCluster();
    create(sim, replicaSet('owner-a', 'owner-a', 0), replicaSet('owner-b', 'owner-b', 0));
    const a = uidOf(sim, 'ReplicaSet', 'owner-a');
    const b = uidOf(sim, 'ReplicaSet', 'owner-b');
    const refA = ref('ReplicaSet', 'owner-a', a, { blockOwnerDeletion: true });
    const refB = ref('ReplicaSet', 'owner-b', b, { blockOwnerDeletion: true });
    const ghostRef = ref('ReplicaSet', 'ghost', '0d4f3c1e-9a1b-4a8e-b7c2-1f2e3d4c5b6a');
    const staleRef = ref('ReplicaSet', 'owner-b', '6a2b8c4d-1e3f-4a5b-9c7d-8e9f0a1b2c3d'); // the name exists, with another uid
    create(sim,
      bare('shared', { app: 'shared' }, {}, {}, { ownerReferences: [refA, refB] }),
      bare('mixed', { app: 'shared' }, {}, {}, { ownerReferences: [refB, ghostRef] }),
      bare('ghost-child', { app: 'shared' }, {}, {}, { ownerReferences: [ghostRef] }),
      bare('stale-child', { app: 'shared' }, {}, {}, { ownerReferences: [staleRef] }));
    waitFor(sim, 'dangling dependents deleted', () => ['ghost-child', 'stale-child'].every((n) => get(sim, 'Pod', n) === undefined), 60_000);
    sleep(sim, 5_000);
    for (const n of ['ghost-child', 'stale-child']) expect(deletionOf(sim, 'Pod', n, 0)?.actor, `${n} deleted by`).toBe('garbage-collector');
    // A dependent with a solid owner is kept; its dangling reference is removed by the GC.
    expect(mustGet<Json>(sim, 'Pod', 'mixed').metadata.ownerReferences).toEqual([refB]);
    expect(mustGet<Json>(sim, 'Pod', 'mixed').metadata.deletionTimestamp).toBeUndefined();
    expect(entriesOf(sim, 'Pod', 'mixed').filter((e) => e.op === 'patch').map((e) => e.actor)).toEqual(['garbage-collector']);
    expect(mustGet<Json>(sim, 'Pod', 'shared').metadata.ownerReferences).toEqual([refA, refB]);

    // Foreground deletion of owner-a: shared has a solid owner (owner-b), so the GC removes the reference to
    // owner-a (waiting for dependents) instead of deleting shared; owner-a then has no blocking dependent.
    const since = sim.log.lastSeq();
    del(sim, 'ReplicaSet', 'owner-a', { propagationPolicy: 'Foreground' });
    expect(mustGet<Json>(sim, 'ReplicaSet', 'owner-a').metadata.finalizers).toEqual(['foregroundDeletion']);
    waitFor(sim, 'owner-a gone', () => get(sim, 'ReplicaSet', 'owner-a') === undefined, 30_000);
    sleep(sim, 5_000);
    const shared = mustGet<Json>(sim, 'Pod', 'shared');
    expect(shared.metadata.ownerReferences).toEqual([refB]);
    expect(shared.metadata.deletionTimestamp, 'shared not deleted').toBeUndefined();
    expect(ready(sim, 'shared')).toBe(true);
    const unref = entriesOf(sim, 'Pod', 'shared', since).filter((e) => e.op === 'patch');
    expect(unref.map((e) => e.actor)).toEqual(['garbage-collector']);
    expect(unref[0]!.seq, 'owner-a went after its reference was removed').toBeLessThan(goneSeq(sim, 'ReplicaSet', 'owner-a', since));
    expect(entriesOf(sim, 'ReplicaSet', 'owner-a', since).find((e) => e.type === 'DELETED')?.actor).toBe('garbage-collector');

    // The last owner deleted (background): both its dependents are collected.
    const since2 = sim.log.lastSeq();
    del(sim, 'ReplicaSet', 'owner-b');
    expect(get(sim, 'ReplicaSet', 'owner-b'), 'background: gone at once').toBeUndefined();
    waitFor(sim, 'shared and mixed deleted', () => ['shared', 'mixed'].every((n) => get(sim, 'Pod', n) === undefined), 60_000);
    for (const n of ['shared', 'mixed']) expect(deletionOf(sim, 'Pod', n, since2)?.actor, `${n} deleted by`).toBe('garbage-collector');
  });

  it('foreground deletion waits only for dependents with blockOwnerDeletion: the owner goes once the blocking pod is gone, before the non-blocking one', () => {
    const sim = newCluster();
    create(sim, replicaSet('owner', 'owner', 0));
    const uid = uidOf(sim, 'ReplicaSet', 'owner');
    create(sim,
      bare('blocking', { app: 'dep' }, { terminationGracePeriodSeconds: 5 }, {}, { ownerReferences: [ref('ReplicaSet', 'owner', uid, { blockOwnerDeletion: true })] }),
      bare('free', { app: 'dep' }, { terminationGracePeriodSeconds: 60 }, {}, { ownerReferences: [ref('ReplicaSet', 'owner', uid, { blockOwnerDeletion: false })] }));
    waitFor(sim, 'pods Running and Ready', () => ready(sim, 'blocking') && ready(sim, 'free'), 60_000);
    const since = sim.log.lastSeq();
    del(sim, 'ReplicaSet', 'owner', { propagationPolicy: 'Foreground' });
    waitFor(sim, 'both pods gone', () => get(sim, 'Pod', 'blocking') === undefined && get(sim, 'Pod', 'free') === undefined, 120_000);
    const ownerGone = goneSeq(sim, 'ReplicaSet', 'owner', since);
    // Both dependents are deleted by the GC (the owner waits for dependents, so neither has a solid owner).
    for (const n of ['blocking', 'free']) expect(deletionOf(sim, 'Pod', n, since)?.actor, `${n} deleted by`).toBe('garbage-collector');
    expect(ownerGone, 'the owner waited for the blocking pod').toBeGreaterThan(goneSeq(sim, 'Pod', 'blocking', since));
    expect(ownerGone, 'the owner did not wait for the non-blocking pod (60 s grace)').toBeLessThan(goneSeq(sim, 'Pod', 'free', since));
    // Until then the owner was visible with its deletionTimestamp and the foregroundDeletion finalizer.
    for (const e of entriesOf(sim, 'ReplicaSet', 'owner', since).filter((x) => x.type !== 'DELETED')) {
      expect(e.object.metadata?.finalizers).toEqual(['foregroundDeletion']);
      expect(e.object.metadata?.deletionTimestamp).toBeDefined();
    }
  });

  it('a custom finalizer keeps a ReplicaSet deleted in background Terminating: its pods stay (solid owner), the controller replaces none, no finalizer can be added; removed, the ReplicaSet goes and the GC deletes the pods', () => {
    const sim = newCluster();
    create(sim, replicaSet('held', 'held', 2, { finalizers: ['example.com/hold'] }));
    const podsOfHeld = (): Pod[] => list<Pod>(sim, 'Pod', NS).filter((p) => p.metadata?.labels?.app === 'held');
    waitFor(sim, '2 pods Ready', () => podsOfHeld().length === 2 && podsOfHeld().every((p) => ready(sim, p.metadata!.name!)), 60_000);
    const [p1, p2] = podsOfHeld().map((p) => p.metadata!.name!);
    const since = sim.log.lastSeq();
    del(sim, 'ReplicaSet', 'held');
    const rs = mustGet<Json>(sim, 'ReplicaSet', 'held');
    expect(rs.metadata.deletionTimestamp).toBeDefined();
    expect(rs.metadata.finalizers, 'background: no GC finalizer added').toEqual(['example.com/hold']);
    sleep(sim, 20_000);
    for (const n of [p1!, p2!]) {
      const p = mustGet<Json>(sim, 'Pod', n);
      expect(p.metadata.deletionTimestamp, `${n} kept while its owner exists`).toBeUndefined();
      expect(p.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ReplicaSet', name: 'held', uid: rs.metadata.uid })]);
    }
    expect(objectEntries(sim, since).filter((e) => e.actor === 'garbage-collector'), 'the GC wrote nothing').toEqual([]);
    // A pod of the deleting ReplicaSet is not replaced (manageReplicas is skipped while it is being deleted).
    del(sim, 'Pod', p1!, { gracePeriodSeconds: 0 });
    sleep(sim, 20_000);
    expect(objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.type === 'ADDED'), 'no pod created').toEqual([]);
    expect(podsOfHeld().map((p) => p.metadata!.name)).toEqual([p2]);
    // No new finalizer on an object being deleted (ValidateObjectMetaUpdate).
    const err = refused(sim, 'add a finalizer', [{ verb: 'patch', kind: 'ReplicaSet', namespace: NS, name: 'held', patch: { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } } }]);
    expect(err.message).toContain('no new finalizers can be added if the object is being deleted');

    const since2 = sim.log.lastSeq();
    patch(sim, 'ReplicaSet', 'held', { metadata: { finalizers: null } });
    expect(get(sim, 'ReplicaSet', 'held'), 'gone once its last finalizer is removed').toBeUndefined();
    waitFor(sim, `${p2} deleted`, () => get(sim, 'Pod', p2!) === undefined, 60_000);
    expect(deletionOf(sim, 'Pod', p2!, since2)?.actor).toBe('garbage-collector');
  });

  describe('a chain Service → ReplicaSet → Pods (and the Service\'s EndpointSlices)', () => {
    const chain = (): { sim: Simulation; pods: string[]; slices: string[] } => {
      const sim = newCluster();
      create(sim, service('front', { clusterIP: 'None', selector: { app: 'chain' }, ports: [{ name: 'web', port: 80 }] }));
      const svcUid = uidOf(sim, 'Service', 'front');
      create(sim, replicaSet('chain-rs', 'chain', 2, { grace: 5, owner: ref('Service', 'front', svcUid, { controller: true, blockOwnerDeletion: true }) }));
      waitFor(sim, 'the slices of front list 2 ready pods', () => readyNames(sim, 'front').length === 2, 60_000);
      return { sim, pods: readyNames(sim, 'front'), slices: slicesOf(sim, 'front').map((s) => s.metadata.name) };
    };

    it('foreground: the Service waits for the ReplicaSet, deleted in foreground by the GC, which waits for its pods; nothing is re-created', () => {
      const { sim, pods, slices } = chain();
      const since = sim.log.lastSeq();
      del(sim, 'Service', 'front', { propagationPolicy: 'Foreground' });
      waitFor(sim, 'the Service gone', () => get(sim, 'Service', 'front') === undefined, 120_000);
      sleep(sim, 5_000);
      const svcGone = goneSeq(sim, 'Service', 'front', since);
      const rsGone = goneSeq(sim, 'ReplicaSet', 'chain-rs', since);
      // The ReplicaSet: deleted by the GC in foreground (it has dependents and its owner waits for them).
      const rsDel = deletionOf(sim, 'ReplicaSet', 'chain-rs', since)!;
      expect(rsDel.actor).toBe('garbage-collector');
      expect(rsDel.type, 'the ReplicaSet stays while its pods go').toBe('MODIFIED');
      expect(rsDel.object.metadata?.finalizers).toEqual(['foregroundDeletion']);
      for (const p of pods) {
        expect(deletionOf(sim, 'Pod', p, since)?.actor, `${p} deleted by`).toBe('garbage-collector');
        expect(goneSeq(sim, 'Pod', p, since), `${p} gone before the ReplicaSet`).toBeLessThan(rsGone);
      }
      expect(rsGone, 'the ReplicaSet gone before the Service').toBeLessThan(svcGone);
      for (const s of slices) {
        expect(deletionOf(sim, 'EndpointSlice', s, since)?.actor, `${s} deleted by`).toBe('garbage-collector');
        expect(goneSeq(sim, 'EndpointSlice', s, since), `${s} gone before the Service`).toBeLessThan(svcGone);
      }
      for (const e of entriesOf(sim, 'Service', 'front', since).filter((x) => x.type !== 'DELETED')) {
        expect(e.object.metadata?.finalizers, `Service at seq ${e.seq}`).toEqual(['foregroundDeletion']);
      }
      expect(objectEntries(sim, since).filter((e) => e.type === 'ADDED').map((e) => `${e.object.kind}/${e.object.metadata?.name}`).filter((k) => !k.startsWith('Event/')), 'nothing created').toEqual([]);
      waitFor(sim, 'Endpoints front deleted', () => get(sim, 'Endpoints', 'front') === undefined, 10_000);
      expect(entriesOf(sim, 'Endpoints', 'front', since).find((e) => e.type === 'DELETED')?.actor).toBe('endpoints-controller');
      expect(list<Json>(sim, 'EndpointSlice', NS).map((x) => x.metadata.name), 'only the kubernetes Service\'s slice is left').toEqual(['kubernetes']);
    });

    it('background: the Service goes at once, then the ReplicaSet (gone at once too), then its pods, all by the GC', () => {
      const { sim, pods, slices } = chain();
      const since = sim.log.lastSeq();
      del(sim, 'Service', 'front');
      expect(get(sim, 'Service', 'front'), 'gone at once').toBeUndefined();
      waitFor(sim, 'pods gone', () => pods.every((p) => get(sim, 'Pod', p) === undefined) && get(sim, 'ReplicaSet', 'chain-rs') === undefined, 120_000);
      sleep(sim, 5_000);
      const rsEntries = entriesOf(sim, 'ReplicaSet', 'chain-rs', since).filter((e) => e.op !== 'update/status');
      expect(rsEntries.map((e) => `${e.type} by ${e.actor}`), 'the ReplicaSet removed at once (background, no finalizer)').toEqual(['DELETED by garbage-collector']);
      for (const p of pods) {
        const d = deletionOf(sim, 'Pod', p, since)!;
        expect(d.actor, `${p} deleted by`).toBe('garbage-collector');
        expect(d.seq, `${p} deleted after its owner is gone`).toBeGreaterThan(rsEntries[0]!.seq);
      }
      for (const s of slices) expect(deletionOf(sim, 'EndpointSlice', s, since)?.actor, `${s} deleted by`).toBe('garbage-collector');
      expect(objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.type === 'ADDED'), 'no pod re-created').toEqual([]);
      expect(list<Json>(sim, 'EndpointSlice', NS).map((x) => x.metadata.name), 'only the kubernetes Service\'s slice is left').toEqual(['kubernetes']);
    });
  });
});

describe('the API server keeps its kubernetes Service (kubernetesservice controller)', () => {
  it('deleted, it is created again within 10 s by the API server, on 10.96.0.1 again', () => {
    const sim = newCluster();
    sleep(sim, 5_000);
    const before = mustGet<Json>(sim, 'Service', 'kubernetes');
    del(sim, 'Service', 'kubernetes');
    const gone = sim.now;
    expect(get(sim, 'Service', 'kubernetes')).toBeUndefined();
    waitFor(sim, 'kubernetes again', () => get(sim, 'Service', 'kubernetes') !== undefined, 20_000);
    expect(sim.now - gone).toBeLessThanOrEqual(10_001);
    const after = mustGet<Json>(sim, 'Service', 'kubernetes');
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.spec.clusterIP).toBe('10.96.0.1');
    expect(sim.log.all().filter((e) => e.object?.kind === 'Service' && e.object.metadata?.name === 'kubernetes' && e.type === 'ADDED').map((e) => e.actor)).toEqual(['system:bootstrap', 'system:apiserver']);
    // Nothing more while it exists.
    const n = sim.log.lastSeq();
    sleep(sim, 60_000);
    expect(sim.log.all().slice(n).filter((e) => e.object?.kind === 'Service')).toEqual([]);
  });
});
