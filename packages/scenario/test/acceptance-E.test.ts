/**
 * Acceptance scenarios, section E — DNS (S39, S40).
 */
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import { dashedIp, dnsRecords, resolve, resolvePtr, resolveSrv } from '@kubesim/controllers';
import { converge, create, del, dns, f1, f1With, get, mustGet, newCluster, ready, setReady, sleep, slicesOf, waitFor, type Json } from './harness.js';

const ZONE = 'default.svc.cluster.local';
const podFqdn = (k: number) => `web-${k}.nginx.${ZONE}`;
const ipOf = (sim: Simulation, name: string): string => mustGet<Pod>(sim, 'Pod', name).status!.podIP!;
const records = (sim: Simulation) => dnsRecords(sim.api.store);
const srvTargets = (sim: Simulation): string[] => resolveSrv(records(sim), `_web._tcp.nginx.${ZONE}`).map((r) => r.value).sort();
const endpoints = (sim: Simulation, name: string): Json => mustGet<Json>(sim, 'Endpoints', name);
/** The endpoints of a service's EndpointSlices, by pod name. */
const sliceEndpoints = (sim: Simulation, svc: string): Map<string, Json> => {
  const out = new Map<string, Json>();
  for (const s of slicesOf(sim, svc)) for (const e of s.endpoints ?? []) out.set(e.targetRef?.name ?? '', e);
  return out;
};

/** F1-ready, optionally with publishNotReadyAddresses on the Service. */
const f1Ready = (publishNotReady = false): Simulation => {
  const sim = newCluster();
  const { service, set } = f1();
  if (publishNotReady) service.spec.publishNotReadyAddresses = true;
  create(sim, service, set);
  converge(sim, 'web', 3);
  // The endpoints controller follows the pods (watch latency).
  waitFor(sim, 'endpoints of nginx list the 3 pods', () => (endpoints(sim, 'nginx').subsets ?? []).flatMap((s: Json) => s.addresses ?? []).length === 3, 10_000);
  waitFor(sim, 'the EndpointSlices of nginx list the 3 pods as ready', () => [...sliceEndpoints(sim, 'nginx').values()].filter((e) => e.conditions?.ready === true).length === 3, 10_000);
  return sim;
};

describe('E. DNS', () => {
  it('S39 — headless-service records for StatefulSet pods; an unready pod leaves DNS; a recreated pod returns with its new IP', () => {
    const sim = f1Ready();
    const ips = [0, 1, 2].map((k) => ipOf(sim, `web-${k}`));
    expect(new Set(ips).size).toBe(3);
    for (let k = 0; k < 3; k++) {
      expect(dns(sim, podFqdn(k), 'A'), `A ${podFqdn(k)}`).toEqual([ips[k]]);
      expect(resolvePtr(records(sim), ips[k]!), `PTR ${ips[k]}`).toEqual([`${podFqdn(k)}.`]);
    }
    expect(dns(sim, `nginx.${ZONE}`, 'A')).toEqual([...ips].sort());
    const srv = resolveSrv(records(sim), `_web._tcp.nginx.${ZONE}`);
    expect(srv.length).toBe(3);
    for (const r of srv) expect(r.port).toBe(80);
    expect(srv.map((r) => r.value).sort()).toEqual([0, 1, 2].map((k) => `${podFqdn(k)}.`));
    // Endpoints: 3 addresses with hostname web-k and a targetRef to the pod.
    const ep = endpoints(sim, 'nginx');
    const addrs: Json[] = (ep.subsets ?? []).flatMap((s: Json) => s.addresses ?? []);
    expect(addrs.length).toBe(3);
    expect((ep.subsets ?? []).flatMap((s: Json) => s.notReadyAddresses ?? [])).toEqual([]);
    for (let k = 0; k < 3; k++) {
      const p = mustGet<Pod>(sim, 'Pod', `web-${k}`);
      const a = addrs.find((x) => x.ip === ips[k]);
      expect(a, `address of web-${k}`).toBeDefined();
      expect(a.hostname).toBe(`web-${k}`);
      expect(a.targetRef).toMatchObject({ kind: 'Pod', namespace: 'default', name: `web-${k}`, uid: p.metadata!.uid });
    }
    for (const s of ep.subsets) expect(s.ports).toEqual([expect.objectContaining({ name: 'web', port: 80 })]);
    // EndpointSlices: one slice owned by the Service, one endpoint per pod with its conditions, hostname and node.
    const slices = slicesOf(sim, 'nginx');
    expect(slices).toHaveLength(1);
    expect(slices[0]!.metadata?.name).toMatch(/^nginx-[a-z0-9]{5}$/);
    expect(slices[0]!.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Service', name: 'nginx', controller: true })]);
    expect(slices[0]!.ports).toEqual([{ name: 'web', port: 80, protocol: 'TCP' }]);
    for (let k = 0; k < 3; k++) {
      const p = mustGet<Pod>(sim, 'Pod', `web-${k}`);
      expect(sliceEndpoints(sim, 'nginx').get(`web-${k}`)).toEqual({
        addresses: [ips[k]], conditions: { ready: true, serving: true, terminating: false }, hostname: `web-${k}`, nodeName: p.spec!.nodeName,
        targetRef: { kind: 'Pod', namespace: 'default', name: `web-${k}`, uid: p.metadata!.uid },
      });
    }

    // web-1 unready.
    setReady(sim, 'web-1', false);
    waitFor(sim, 'web-1 in notReadyAddresses', () => (endpoints(sim, 'nginx').subsets ?? []).flatMap((s: Json) => s.notReadyAddresses ?? []).some((a: Json) => a.ip === ips[1]), 10_000);
    waitFor(sim, 'web-1 not ready in its slice', () => sliceEndpoints(sim, 'nginx').get('web-1')?.conditions?.ready === false, 10_000);
    expect(sliceEndpoints(sim, 'nginx').get('web-1')?.conditions).toEqual({ ready: false, serving: false, terminating: false });
    const ep2 = endpoints(sim, 'nginx');
    expect((ep2.subsets ?? []).flatMap((s: Json) => s.addresses ?? []).map((a: Json) => a.hostname).sort()).toEqual(['web-0', 'web-2']);
    expect((ep2.subsets ?? []).flatMap((s: Json) => s.notReadyAddresses ?? []).map((a: Json) => a.hostname)).toEqual(['web-1']);
    expect(dns(sim, podFqdn(1)), 'web-1 → NXDOMAIN').toEqual([]);
    expect(dns(sim, `nginx.${ZONE}`, 'A')).toEqual([ips[0], ips[2]].sort());
    expect(srvTargets(sim)).toEqual([`${podFqdn(0)}.`, `${podFqdn(2)}.`]);
    expect(resolvePtr(records(sim), ips[1]!)).toEqual([]);

    // Delete web-1 (grace 0): the name resolves again once the new web-1 is Ready, to its new IP.
    const oldUid = mustGet<Pod>(sim, 'Pod', 'web-1').metadata!.uid;
    del(sim, 'Pod', 'web-1', { gracePeriodSeconds: 0 });
    waitFor(sim, 'new web-1 Ready', () => ready(sim, 'web-1') && mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.uid !== oldUid, 120_000);
    waitFor(sim, 'web-1 resolves', () => dns(sim, podFqdn(1), 'A').length > 0, 10_000);
    const newIp = ipOf(sim, 'web-1');
    expect(dns(sim, podFqdn(1), 'A')).toEqual([newIp]);
    expect(dns(sim, `nginx.${ZONE}`, 'A')).toEqual([ips[0]!, newIp, ips[2]!].sort());
    expect(srvTargets(sim)).toEqual([0, 1, 2].map((k) => `${podFqdn(k)}.`));
    expect(resolvePtr(records(sim), newIp)).toEqual([`${podFqdn(1)}.`]);
  });

  it('S39 — with publishNotReadyAddresses an unready (and a terminating) pod keeps its records', () => {
    const sim = f1Ready(true);
    const ips = [0, 1, 2].map((k) => ipOf(sim, `web-${k}`));
    setReady(sim, 'web-1', false);
    waitFor(sim, 'web-1 not Ready', () => !ready(sim, 'web-1'), 10_000);
    sleep(sim, 2_000);
    const check = (what: string) => {
      const ep = endpoints(sim, 'nginx');
      expect((ep.subsets ?? []).flatMap((s: Json) => s.addresses ?? []).map((a: Json) => a.ip).sort(), `${what}: addresses`).toEqual([...ips].sort());
      expect((ep.subsets ?? []).flatMap((s: Json) => s.notReadyAddresses ?? []), `${what}: notReadyAddresses`).toEqual([]);
      for (let k = 0; k < 3; k++) expect(dns(sim, podFqdn(k), 'A'), `${what}: ${podFqdn(k)}`).toEqual([ips[k]]);
      expect(dns(sim, `nginx.${ZONE}`, 'A'), `${what}: service A`).toEqual([...ips].sort());
      expect(srvTargets(sim), `${what}: SRV`).toEqual([0, 1, 2].map((k) => `${podFqdn(k)}.`));
    };
    check('web-1 unready');
    // While Terminating (grace 10 s).
    del(sim, 'Pod', 'web-1');
    waitFor(sim, 'web-1 terminating', () => mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.deletionTimestamp !== undefined, 10_000);
    sleep(sim, 3_000);
    expect(mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.deletionTimestamp).toBeDefined();
    expect(mustGet<Pod>(sim, 'Pod', 'web-1').status?.phase).toBe('Running');
    check('web-1 terminating');
    // The slice keeps the terminating pod, ready (published) though neither serving nor running for long.
    expect(sliceEndpoints(sim, 'nginx').get('web-1')?.conditions).toEqual({ ready: true, serving: false, terminating: true });
  });

  it('deleting the Service: the endpoints controller deletes its Endpoints, the garbage collector its EndpointSlices (owner reference); DNS goes', () => {
    const sim = f1Ready();
    const slice = slicesOf(sim, 'nginx')[0]!;
    del(sim, 'Service', 'nginx');
    waitFor(sim, 'Endpoints and EndpointSlices of nginx gone', () => get(sim, 'Endpoints', 'nginx') === undefined && slicesOf(sim, 'nginx').length === 0, 30_000);
    const deletion = sim.log.all().find((e) => e.type === 'DELETED' && e.object?.kind === 'EndpointSlice' && e.object.metadata?.name === slice.metadata?.name);
    expect(deletion?.actor).toBe('garbage-collector');
    expect(dns(sim, podFqdn(0))).toEqual([]);
    expect(dns(sim, `nginx.${ZONE}`)).toEqual([]);
    // The pods are untouched.
    expect([0, 1, 2].every((k) => ready(sim, `web-${k}`))).toBe(true);
  });

  it('S40 — the Service name must equal serviceName for per-pod names', () => {
    const sim = newCluster();
    create(sim, ...f1With((_set, svc) => { svc.metadata.name = 'nginx-svc'; }));
    converge(sim, 'web', 3);
    expect(get(sim, 'StatefulSet', 'web')).toBeDefined();
    const ips = [0, 1, 2].map((k) => ipOf(sim, `web-${k}`)).sort();
    waitFor(sim, 'endpoints of nginx-svc list the 3 pods', () => (get<Json>(sim, 'Endpoints', 'nginx-svc')?.subsets ?? []).flatMap((s: Json) => s.addresses ?? []).length === 3, 10_000);
    waitFor(sim, 'the EndpointSlices of nginx-svc list the 3 pods', () => sliceEndpoints(sim, 'nginx-svc').size === 3, 10_000);
    for (const e of sliceEndpoints(sim, 'nginx-svc').values()) expect(e.hostname).toBeUndefined();
    const addrs: Json[] = endpoints(sim, 'nginx-svc').subsets.flatMap((s: Json) => s.addresses ?? []);
    expect(addrs.map((a) => a.ip).sort()).toEqual(ips);
    for (const a of addrs) expect(a.hostname, `address ${a.ip} has a hostname`).toBeUndefined();
    for (let k = 0; k < 3; k++) {
      expect(dns(sim, `web-${k}.nginx-svc.${ZONE}`), `web-${k}.nginx-svc`).toEqual([]);
      expect(dns(sim, `web-${k}.nginx.${ZONE}`), `web-${k}.nginx`).toEqual([]);
    }
    expect(dns(sim, `nginx-svc.${ZONE}`, 'A')).toEqual(ips);
    // Per-endpoint names are implementation identifiers (dashed IPs).
    for (const ip of ips) expect(resolve(records(sim), `${dashedIp(ip)}.nginx-svc.${ZONE}`, 'A').map((r) => r.value)).toEqual([ip]);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status).toMatchObject({ replicas: 3, readyReplicas: 3 });
  });
});
