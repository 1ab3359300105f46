import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { defaultServiceAccount, Rand, type KObject, type Pod, type ResourceQuota, type PersistentVolumeClaim, type Service, type StatefulSet } from '@kubesim/api';
import { InMemoryLog } from '@kubesim/log';
import { ApiServer, mergePatch, PVC_PROTECTION, strategicMergePatch, type RequestContext } from '../src/index.js';

const user = (time = 0): RequestContext => ({ actor: 'user', cause: null, time });
const setup = () => {
  const log = new InMemoryLog();
  const api = new ApiServer(log, new Rand(7));
  api.handle({ verb: 'create', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KObject }, user());
  api.handle({ verb: 'create', object: defaultServiceAccount('default') as KObject }, user());
  return { log, api };
};
const pod = (name: string, extra: Partial<Pod['spec']> = {}): KObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], terminationGracePeriodSeconds: 10, ...extra },
} as KObject);
const sts = (over: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
  spec: { serviceName: 'nginx', replicas: 3, selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } }, ...over },
} as KObject);

describe('ApiServer', () => {
  it('assigns uid, creationTimestamp, generation and resourceVersion = seq', () => {
    const { api, log } = setup();
    const r = api.handle({ verb: 'create', object: sts() }, user(1500));
    expect(E.isRight(r)).toBe(true);
    const o = (r as E.Right<KObject>).right;
    expect(o.metadata?.resourceVersion).toBe(String(log.lastSeq()));
    expect(o.metadata?.generation).toBe(1);
    expect(o.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.metadata?.creationTimestamp).toBe('2026-01-01T00:00:01.500Z');
    expect((o as StatefulSet).spec?.podManagementPolicy).toBe('OrderedReady');
  });

  it('refuses invalid objects with the Kubernetes message and writes nothing', () => {
    const { api, log } = setup();
    const before = log.lastSeq();
    const r = api.handle({ verb: 'create', object: sts({ replicas: -1 }) }, user());
    expect(E.isLeft(r) && r.left.message).toBe('StatefulSet.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(E.isLeft(r) && r.left.code).toBe(422);
    expect(log.lastSeq()).toBe(before);
  });

  it('a stale update is a Conflict; a spec change bumps generation, a status write does not', () => {
    const { api } = setup();
    const created = (api.handle({ verb: 'create', object: sts() }, user()) as E.Right<KObject>).right as StatefulSet;
    const upd = api.handle({ verb: 'update', object: { ...created, spec: { ...created.spec!, replicas: 5 } } as KObject }, user());
    expect(E.isRight(upd) && upd.right.metadata?.generation).toBe(2);
    const stale = api.handle({ verb: 'update', object: { ...created, spec: { ...created.spec!, replicas: 6 } } as KObject }, user());
    expect(E.isLeft(stale) && stale.left.reason).toBe('Conflict');
    expect(E.isLeft(stale) && stale.left.message).toBe('Operation cannot be fulfilled on statefulsets.apps "web": the object has been modified; please apply your changes to the latest version and try again');
    const cur = api.get('StatefulSet', 'default', 'web') as StatefulSet;
    const st = api.handle({ verb: 'update', subresource: 'status', object: { ...cur, status: { replicas: 1 } } as KObject }, { actor: 'statefulset-controller', cause: 3, time: 0 });
    expect(E.isRight(st) && st.right.metadata?.generation).toBe(2);
  });

  it('re-applying the same manifest is no change: the spec is compared after defaulting (no generation bump, no entry)', () => {
    const { api, log } = setup();
    const created = (api.handle({ verb: 'create', object: sts() }, user()) as E.Right<KObject>).right;
    const before = log.lastSeq();
    // The manifest again, as apply sends it: the stored object with the manifest's (undefaulted) spec.
    const again = api.handle({ verb: 'update', object: { ...created, spec: (sts() as StatefulSet).spec } as KObject }, user());
    expect(E.isRight(again) && again.right.metadata?.generation).toBe(1);
    expect(log.lastSeq()).toBe(before);
    const changed = api.handle({ verb: 'update', object: { ...created, spec: { ...(sts() as StatefulSet).spec!, replicas: 5 } } as KObject }, user());
    expect(E.isRight(changed) && changed.right.metadata?.generation).toBe(2);
  });

  it('immutable fields are refused on update', () => {
    const { api } = setup();
    const created = (api.handle({ verb: 'create', object: sts() }, user()) as E.Right<KObject>).right as StatefulSet;
    const r = api.handle({ verb: 'update', object: { ...created, spec: { ...created.spec!, serviceName: 'other' } } as KObject }, user());
    expect(E.isLeft(r) && r.left.message).toContain("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
  });

  it('graceful pod deletion: deletionTimestamp = now + grace; grace 0 removes; unscheduled pods go at once', () => {
    const { api, log } = setup();
    api.handle({ verb: 'create', object: pod('a', { nodeName: 'node-a' }) }, user());
    const d = api.handle({ verb: 'delete', kind: 'Pod', namespace: 'default', name: 'a' }, user(1000));
    expect(E.isRight(d) && d.right.metadata?.deletionTimestamp).toBe('2026-01-01T00:00:11Z');
    expect(E.isRight(d) && d.right.metadata?.deletionGracePeriodSeconds).toBe(10);
    // The first deletionTimestamp bumps the generation (rest BeforeDelete); a shorter grace later does not.
    expect(E.isRight(d) && d.right.metadata?.generation).toBe(2);
    const shorter = api.handle({ verb: 'delete', kind: 'Pod', namespace: 'default', name: 'a', gracePeriodSeconds: 5 }, user(1500));
    expect(E.isRight(shorter) && [shorter.right.metadata?.deletionTimestamp, shorter.right.metadata?.generation]).toEqual(['2026-01-01T00:00:06.500Z', 2]);
    expect(api.get('Pod', 'default', 'a')).toBeDefined();
    api.handle({ verb: 'delete', kind: 'Pod', namespace: 'default', name: 'a', gracePeriodSeconds: 0 }, user(2000));
    expect(api.get('Pod', 'default', 'a')).toBeUndefined();
    expect([...log.entries()].at(-1)?.type).toBe('DELETED');
    api.handle({ verb: 'create', object: pod('b') }, user());
    api.handle({ verb: 'delete', kind: 'Pod', namespace: 'default', name: 'b' }, user());
    expect(api.get('Pod', 'default', 'b')).toBeUndefined();
  });

  it('claims get pvc-protection; deleting one leaves it Terminating until the finalizer is removed', () => {
    const { api } = setup();
    const c = api.handle({ verb: 'create', object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } as KObject }, user());
    expect(E.isRight(c) && c.right.metadata?.finalizers).toEqual([PVC_PROTECTION]);
    api.handle({ verb: 'delete', kind: 'PersistentVolumeClaim', namespace: 'default', name: 'c' }, user(5));
    const t = api.get('PersistentVolumeClaim', 'default', 'c') as PersistentVolumeClaim;
    expect(t.metadata?.deletionTimestamp).toBeDefined();
    const r = api.handle({ verb: 'update', object: { ...t, metadata: { ...t.metadata, finalizers: [] } } as KObject }, { actor: 'volume-binder', cause: null, time: 6 });
    expect(E.isRight(r)).toBe(true);
    expect(api.get('PersistentVolumeClaim', 'default', 'c')).toBeUndefined();
  });

  it('orphan and foreground deletion add their finalizers', () => {
    const { api } = setup();
    api.handle({ verb: 'create', object: sts() }, user());
    api.handle({ verb: 'delete', kind: 'StatefulSet', namespace: 'default', name: 'web', propagationPolicy: 'Foreground' }, user());
    expect(api.get('StatefulSet', 'default', 'web')?.metadata?.finalizers).toEqual(['foregroundDeletion']);
    // Marked as deleting (registry store markAsDeleting): the generation moves once.
    expect(api.get('StatefulSet', 'default', 'web')?.metadata?.generation).toBe(2);
    api.handle({ verb: 'delete', kind: 'StatefulSet', namespace: 'default', name: 'web', propagationPolicy: 'Orphan' }, user());
    expect(api.get('StatefulSet', 'default', 'web')?.metadata).toMatchObject({ finalizers: ['orphan'], generation: 2 });
  });

  it('authorizes components: a kubelet may only write status of pods bound to its node (NodeRestriction)', () => {
    const { api, log } = setup();
    const p = (api.handle({ verb: 'create', object: pod('a', { nodeName: 'node-a' }) }, user()) as E.Right<KObject>).right as Pod;
    const before = log.lastSeq();
    const r = api.handle({ verb: 'update', subresource: 'status', object: { ...p, status: { phase: 'Running' } } as KObject }, { actor: 'kubelet:node-b', cause: null, time: 0 });
    expect(E.isLeft(r) && r.left.reason).toBe('Forbidden');
    expect(log.lastSeq()).toBe(before);
    expect(api.deniedRequests()).toHaveLength(1);
    const ok = api.handle({ verb: 'update', subresource: 'status', object: { ...p, status: { phase: 'Running' } } as KObject }, { actor: 'kubelet:node-a', cause: null, time: 0 });
    expect(E.isRight(ok)).toBe(true);
    const del = api.handle({ verb: 'delete', kind: 'StatefulSet', namespace: 'default', name: 'x' }, { actor: 'scheduler', cause: null, time: 0 });
    expect(E.isLeft(del) && del.left.reason).toBe('Forbidden');
  });

  it('bind sets nodeName and PodScheduled; a second bind conflicts', () => {
    const { api } = setup();
    api.handle({ verb: 'create', object: pod('a') }, user());
    const b = api.handle({ verb: 'bind', namespace: 'default', name: 'a', nodeName: 'node-a' }, { actor: 'scheduler', cause: null, time: 0 });
    expect(E.isRight(b) && (b.right as Pod).spec?.nodeName).toBe('node-a');
    // The condition carries the pod's generation (PodObservedGenerationTracking, 1.35).
    expect(E.isRight(b) && (b.right as Pod).status?.conditions?.[0]).toEqual({ type: 'PodScheduled', observedGeneration: 1, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' });
    const again = api.handle({ verb: 'bind', namespace: 'default', name: 'a', nodeName: 'node-b' }, { actor: 'scheduler', cause: null, time: 0 });
    expect(E.isLeft(again) && again.left.reason).toBe('Conflict');
  });

  it('generateName gets a 5-character suffix from the safe alphabet', () => {
    const { api } = setup();
    const r = api.handle({ verb: 'create', object: { ...pod(''), metadata: { generateName: 'web-rs-' } } as KObject }, user());
    expect(E.isRight(r) && r.right.metadata?.name).toMatch(/^web-rs-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('a dry run validates without writing; a no-op update writes nothing', () => {
    const { api, log } = setup();
    const before = log.lastSeq();
    expect(E.isRight(api.handle({ verb: 'create', object: sts() }, { ...user(), dryRun: true }))).toBe(true);
    expect(log.lastSeq()).toBe(before);
    const created = (api.handle({ verb: 'create', object: sts() }, user()) as E.Right<KObject>).right;
    const n = log.lastSeq();
    api.handle({ verb: 'update', object: created }, user());
    expect(log.lastSeq()).toBe(n);
  });

  it('ServiceAccount admission: the pod names `default`, gets the kube-api-access token volume mounted read-only in every container; a missing account refuses the pod, nothing written', () => {
    const { log, api } = setup();
    const created = (api.handle({ verb: 'create', object: pod('p', { initContainers: [{ name: 'i', image: 'busybox' }] }) }, user()) as E.Right<KObject>).right as Pod;
    expect(created.spec!.serviceAccountName).toBe('default');
    expect(created.spec!.serviceAccount).toBe('default');
    const vol = created.spec!.volumes!.find((v) => v.name.startsWith('kube-api-access-'))!;
    expect(vol.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(vol.projected).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
      ],
    });
    for (const c of [...created.spec!.containers, ...created.spec!.initContainers!]) {
      expect(c.volumeMounts).toEqual([{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    }
    const before = log.lastSeq();
    const refused = api.handle({ verb: 'create', object: pod('q', { serviceAccountName: 'db' }) }, user());
    expect(E.isLeft(refused) && refused.left.message).toBe('pods "q" is forbidden: error looking up service account default/db: serviceaccount "db" not found');
    expect(log.lastSeq()).toBe(before);
  });

  it('ServiceAccount admission: automounting turned off by the pod or the account; a container with its own mount at the token path keeps it; the account\'s image pull secrets copied', () => {
    const { api } = setup();
    api.handle({ verb: 'create', object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet' }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'regcred' }] } as KObject }, user());
    const quiet = (api.handle({ verb: 'create', object: pod('a', { serviceAccountName: 'quiet' }) }, user()) as E.Right<KObject>).right as Pod;
    expect(quiet.spec!.volumes ?? []).toEqual([]);
    expect(quiet.spec!.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect((api.handle({ verb: 'create', object: pod('b', { automountServiceAccountToken: false }) }, user()) as E.Right<KObject>).right as Pod).toMatchObject({ spec: { serviceAccountName: 'default' } });
    expect(((api.handle({ verb: 'create', object: pod('c', { automountServiceAccountToken: false }) }, user()) as E.Right<KObject>).right as Pod).spec!.volumes ?? []).toEqual([]);
    const own = (api.handle({ verb: 'create', object: pod('d', {
      containers: [{ name: 'x', image: 'nginx', volumeMounts: [{ name: 'tok', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }, { name: 'y', image: 'nginx' }],
      volumes: [{ name: 'tok', emptyDir: {} }],
    }) }, user()) as E.Right<KObject>).right as Pod;
    expect(own.spec!.containers[0]!.volumeMounts).toEqual([{ name: 'tok', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    expect(own.spec!.containers[1]!.volumeMounts![0]!.name).toMatch(/^kube-api-access-/);
    // The deprecated alias is read when the name is empty, and written back as the name.
    const alias = (api.handle({ verb: 'create', object: pod('e', { serviceAccount: 'quiet' }) }, user()) as E.Right<KObject>).right as Pod;
    expect([alias.spec!.serviceAccountName, alias.spec!.serviceAccount]).toEqual(['quiet', 'quiet']);
  });

  it('Priority admission: priority 0 and PreemptLowerPriority without a class; the system classes\' values; an unknown class or a contradicting priority refused, nothing written', () => {
    const { api, log } = setup();
    const spec = (name: string, extra: Partial<Pod['spec']> = {}) => api.handle({ verb: 'create', object: pod(name, extra) }, user());
    const plain = spec('plain');
    expect(E.isRight(plain) && (plain.right as Pod).spec).toMatchObject({ priority: 0, preemptionPolicy: 'PreemptLowerPriority' });
    const critical = spec('critical', { priorityClassName: 'system-node-critical' });
    expect(E.isRight(critical) && (critical.right as Pod).spec?.priority).toBe(2000001000);
    const before = log.lastSeq();
    const unknown = spec('unknown', { priorityClassName: 'high' });
    expect(E.isLeft(unknown) && unknown.left.message).toBe('pods "unknown" is forbidden: no PriorityClass with name high was found');
    const given = spec('given', { priority: 5 });
    expect(E.isLeft(given) && given.left.message).toBe('pods "given" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name');
    expect(log.lastSeq()).toBe(before);
    // The computed value itself may be given.
    expect(E.isRight(spec('zero', { priority: 0 }))).toBe(true);
  });

  it('status.qosClass is computed from the defaulted containers at creation (ComputePodQOS), not assumed BestEffort', () => {
    const { api } = setup();
    const qos = (name: string, containers: unknown[], initContainers?: unknown[]): string | undefined => {
      const r = api.handle({ verb: 'create', object: pod(name, { containers, ...(initContainers ? { initContainers } : {}) } as Partial<Pod['spec']>) }, user());
      if (E.isLeft(r)) throw new Error(r.left.message);
      return (r.right as Pod).status?.qosClass;
    };
    expect(qos('none', [{ name: 'c', image: 'nginx' }])).toBe('BestEffort');
    expect(qos('req', [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }])).toBe('Burstable');
    // Limits alone: defaulting copies them into the requests, which then equal them.
    expect(qos('lim', [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '1', memory: '1Gi' } } }])).toBe('Guaranteed');
    expect(qos('lower', [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }])).toBe('Burstable');
    // Every container (init containers too) must limit both cpu and memory.
    expect(qos('two', [{ name: 'a', image: 'nginx', resources: { limits: { cpu: '1', memory: '1Gi' } } }, { name: 'b', image: 'nginx' }])).toBe('Burstable');
    expect(qos('init', [{ name: 'a', image: 'nginx', resources: { limits: { cpu: '1', memory: '1Gi' } } }], [{ name: 'i', image: 'busybox', resources: { limits: { cpu: '1' } } }])).toBe('Burstable');
    // The sums over the containers are compared (here 600m and 3Gi each way).
    const c = (name: string, cpu: string) => ({ name, image: 'nginx', resources: { requests: { cpu, memory: '1Gi' }, limits: { cpu, memory: '1Gi' } } });
    expect(qos('sums', [c('a', '100m'), c('b', '200m'), c('c', '300m')])).toBe('Guaranteed');
    // Only cpu and memory count, and only positive amounts.
    expect(qos('storage', [{ name: 'c', image: 'nginx', resources: { requests: { 'ephemeral-storage': '1Gi', cpu: '0' } } }])).toBe('BestEffort');
  });

  it('a namespace must exist', () => {
    const { api } = setup();
    const r = api.handle({ verb: 'create', object: { ...pod('a'), metadata: { name: 'a', namespace: 'nope' } } as KObject }, user());
    expect(E.isLeft(r) && r.left.message).toBe('namespaces "nope" not found');
  });
});

describe('Service IP families and EndpointSlice generations', () => {
  const right = (r: ReturnType<ApiServer['handle']>): KObject => { if (E.isLeft(r)) throw new Error(r.left.message); return r.right; };
  it('Service IP families: SingleStack IPv4 (a headless Service without selector RequireDualStack); an update leaving them out keeps them', () => {
    const { api } = setup();
    const svc = (name: string, spec: Record<string, unknown>): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } } as KObject);
    const cip = right(api.handle({ verb: 'create', object: svc('a', { selector: { app: 'a' } }) }, user())) as Service;
    expect(cip.spec).toMatchObject({ clusterIPs: [cip.spec?.clusterIP], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    const headless = right(api.handle({ verb: 'create', object: svc('b', { clusterIP: 'None', selector: { app: 'b' } }) }, user())) as Service;
    expect(headless.spec).toMatchObject({ clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    const bare = right(api.handle({ verb: 'create', object: svc('c', { clusterIP: 'None' }) }, user())) as Service;
    expect(bare.spec?.ipFamilyPolicy).toBe('RequireDualStack');
    const ext = right(api.handle({ verb: 'create', object: svc('d', { type: 'ExternalName', externalName: 'db.example.com', ports: undefined }) }, user())) as Service;
    expect(ext.spec?.ipFamilies).toBeUndefined();
    // Re-applying the manifest (no clusterIP, no families) keeps what the server allocated: no change at all.
    const again = right(api.handle({ verb: 'update', object: svc('a', { selector: { app: 'a' } }) }, user()));
    expect(again.metadata?.resourceVersion).toBe(cip.metadata?.resourceVersion);
  });

  it('cluster IPs: an IPAddress object per address, random in the dynamic band (the same for the same seed); a requested one refused when held or outside 10.96.0.0/12; released with its Service; kept on update; validated as addresses', () => {
    const { api, log } = setup();
    const svc = (name: string, spec: Record<string, unknown> = {}): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec } } as KObject);
    const create = (o: KObject) => api.handle({ verb: 'create', object: o }, user());
    const message = (r: ReturnType<ApiServer['handle']>) => (E.isLeft(r) ? r.left.message : `created ${(r.right as Service).spec?.clusterIP}`);
    const ipOf = (r: ReturnType<ApiServer['handle']>): string => (right(r) as Service).spec!.clusterIP!;
    const offset = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0) - (10 * 2 ** 24 + 96 * 2 ** 16);
    // Dynamic allocation takes the band above the first 256 addresses (KEP-3070), from a random start.
    const a = ipOf(create(svc('a')));
    expect(offset(a)).toBeGreaterThanOrEqual(257);
    expect(offset(a)).toBeLessThanOrEqual(2 ** 20 - 2);
    const b = ipOf(create(svc('b')));
    expect(b).not.toBe(a);
    // The draws are the API server's seeded stream: the same seed gives the same addresses.
    const again = setup();
    expect([ipOf(again.api.handle({ verb: 'create', object: svc('a') }, user())), ipOf(again.api.handle({ verb: 'create', object: svc('b') }, user()))]).toEqual([a, b]);
    // Each address is an IPAddress pointing at its Service, written just before it.
    expect(api.get('IPAddress', '', a)).toMatchObject({
      apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress',
      metadata: { name: a, labels: { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' } },
      spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'a' } },
    });
    const writes = log.all().filter((e) => e.object !== undefined).map((e) => `${e.type} ${e.object!.kind}/${e.object!.metadata!.name}`);
    expect(writes.slice(-4)).toEqual([`ADDED IPAddress/${a}`, 'ADDED Service/a', `ADDED IPAddress/${b}`, 'ADDED Service/b']);
    // A requested address that is free is taken as is (and recorded); one held is refused.
    expect(message(create(svc('pinned', { clusterIP: '10.96.0.11' })))).toBe('created 10.96.0.11');
    expect(api.get('IPAddress', '', '10.96.0.11')).toMatchObject({ spec: { parentRef: { name: 'pinned' } } });
    const before = log.all().length;
    expect(message(create(svc('taken', { clusterIP: '10.96.0.11' }))))
      .toBe('Service "taken" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.11"]: failed to allocate IP 10.96.0.11: provided IP is already allocated');
    expect(message(create(svc('taken', { clusterIP: a })))).toContain('provided IP is already allocated');
    // An IPAddress made by hand reserves its address too.
    right(create({ apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', metadata: { name: '10.96.0.50' }, spec: { parentRef: { resource: 'services', namespace: 'default', name: 'someone' } } } as KObject));
    expect(message(create(svc('reserved', { clusterIP: '10.96.0.50' })))).toContain('failed to allocate IP 10.96.0.50: provided IP is already allocated');
    expect(message(create(svc('outside', { clusterIP: '10.0.0.5' }))))
      .toBe('Service "outside" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.5"]: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12');
    // The network address is not in the range; the top of the /12 is.
    expect(message(create(svc('net', { clusterIP: '10.96.0.0' })))).toContain('the provided IP (10.96.0.0) is not in the valid range');
    expect(message(create(svc('bcast', { clusterIP: '10.111.255.255' })))).toContain('is not in the valid range');
    expect(message(create(svc('bad', { clusterIP: '10.96.0.300' }))))
      .toBe('Service "bad" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    expect(message(create(svc('mismatch', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.21'] }))))
      .toBe('Service "mismatch" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.21"]: first value must match `clusterIP`');
    // Nothing was written for the refused ones (the hand-made IPAddress is the one entry since).
    expect(log.all().length).toBe(before + 1);
    expect(message(create(svc('top', { clusterIP: '10.111.255.254' })))).toBe('created 10.111.255.254');
    // An update keeps the address: left out or empty it is the stored one; changed it is refused.
    const update = (o: KObject) => api.handle({ verb: 'update', object: o }, user());
    expect(message(update(svc('a', { clusterIP: '' })))).toBe(`created ${a}`);
    expect(message(update(svc('a', { clusterIP: '10.96.0.40' }))))
      .toBe('Service "a" is invalid: spec.clusterIPs[0]: Invalid value: ["10.96.0.40"]: may not change once set');
    // A dry run allocates nothing: it answers with the range's network address and writes nothing.
    const n = log.all().length;
    expect(message(api.handle({ verb: 'create', object: svc('c') }, { ...user(), dryRun: true }))).toBe('created 10.96.0.0');
    expect(log.all().length).toBe(n);
    // Deleting a Service releases its address (its IPAddress deleted after it): it can be asked for again.
    right(api.handle({ verb: 'delete', kind: 'Service', namespace: 'default', name: 'a' }, user()));
    expect(log.all().slice(-2).map((e) => `${e.type} ${e.object!.kind}/${e.object!.metadata!.name}`)).toEqual(['DELETED Service/a', `DELETED IPAddress/${a}`]);
    expect(api.get('IPAddress', '', a)).toBeUndefined();
    expect(message(create(svc('reuse', { clusterIP: a })))).toBe(`created ${a}`);
    // A headless Service holds no address.
    right(create(svc('headless', { clusterIP: 'None' })));
    expect(api.get('IPAddress', '', 'None')).toBeUndefined();
  });

  it('type changes [allocateUpdate]: a Service that becomes ExternalName releases its address; one that stops being ExternalName gets families and an address, its IPAddress first', () => {
    const { api, log } = setup();
    const svc = (spec: Record<string, unknown>): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 80 }], ...spec } } as KObject);
    const first = (right(api.handle({ verb: 'create', object: svc({ selector: { app: 'a' } }) }, user())) as Service).spec!.clusterIP!;
    const ext = right(api.handle({ verb: 'update', object: svc({ type: 'ExternalName', externalName: 'db.example.com' }) }, user())) as Service;
    expect(ext.spec).not.toHaveProperty('clusterIP');
    expect(api.get('IPAddress', '', first)).toBeUndefined();
    const tail = () => log.all().slice(-2).map((e) => `${e.type} ${e.object!.kind}/${e.object!.metadata!.name}`);
    expect(tail()).toEqual(['MODIFIED Service/a', `DELETED IPAddress/${first}`]);
    // A dry run answers with the range's network address and writes nothing.
    const n = log.all().length;
    expect((right(api.handle({ verb: 'update', object: svc({ type: 'ClusterIP', selector: { app: 'a' } }) }, { ...user(), dryRun: true })) as Service).spec?.clusterIP).toBe('10.96.0.0');
    expect(log.all().length).toBe(n);
    const back = right(api.handle({ verb: 'update', object: svc({ type: 'ClusterIP', selector: { app: 'a' } }) }, user())) as Service;
    const ip = back.spec!.clusterIP!;
    expect(back.spec).toMatchObject({ clusterIPs: [ip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    expect(tail()).toEqual([`ADDED IPAddress/${ip}`, 'MODIFIED Service/a']);
    expect(api.get('IPAddress', '', ip)).toMatchObject({ spec: { parentRef: { name: 'a' } } });
    // An address asked for on the way back is refused when held by another Service.
    right(api.handle({ verb: 'update', object: svc({ type: 'ExternalName', externalName: 'db.example.com' }) }, user()));
    right(api.handle({ verb: 'create', object: { ...svc({ selector: { app: 'b' }, clusterIP: '10.96.0.9' }), metadata: { name: 'b' } } as KObject }, user()));
    const taken = api.handle({ verb: 'update', object: svc({ type: 'ClusterIP', selector: { app: 'a' }, clusterIP: '10.96.0.9' }) }, user());
    expect(E.isLeft(taken) && taken.left.message).toBe('Service "a" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.9"]: failed to allocate IP 10.96.0.9: provided IP is already allocated');
  });

  it('IPAddress validation: the name is an IP address, the parent reference is required and immutable', () => {
    const { api } = setup();
    const ipa = (name: string, parentRef?: Record<string, unknown>): KObject =>
      ({ apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', metadata: { name }, ...(parentRef ? { spec: { parentRef } } : {}) } as KObject);
    const err = (r: ReturnType<ApiServer['handle']>) => (E.isLeft(r) ? r.left.message : 'accepted');
    expect(err(api.handle({ verb: 'create', object: ipa('x', { resource: 'services', name: 'a' }) }, user())))
      .toBe('IPAddress.networking.k8s.io "x" is invalid: metadata.name: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    expect(err(api.handle({ verb: 'create', object: ipa('10.96.0.5') }, user())))
      .toBe('IPAddress.networking.k8s.io "10.96.0.5" is invalid: spec.parentRef: Required value');
    expect(err(api.handle({ verb: 'create', object: ipa('10.96.0.5', { resource: '', name: 'a/b' }) }, user())))
      .toBe('IPAddress.networking.k8s.io "10.96.0.5" is invalid: [spec.parentRef.resource: Required value, spec.parentRef.name: Invalid value: "a/b": may not contain \'/\']');
    expect(err(api.handle({ verb: 'create', object: ipa('10.96.0.5', { resource: 'services', namespace: 'default', name: 'a' }) }, user()))).toBe('accepted');
    expect(err(api.handle({ verb: 'update', object: ipa('10.96.0.5', { resource: 'services', namespace: 'default', name: 'b' }) }, user())))
      .toMatch(/^IPAddress.networking.k8s.io "10.96.0.5" is invalid: spec.parentRef: Invalid value: .*: field is immutable$/);
  });

  it('an EndpointSlice\'s generation moves when its endpoints, ports or labels change, not its annotations', () => {
    const { api } = setup();
    const slice = (extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KObject => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abcde', labels: { 'kubernetes.io/service-name': 'web' }, ...meta },
      addressType: 'IPv4', endpoints: [{ addresses: ['10.64.0.2'] }], ...extra,
    } as KObject);
    expect(right(api.handle({ verb: 'create', object: slice() }, user())).metadata?.generation).toBe(1);
    expect(right(api.handle({ verb: 'update', object: slice({ endpoints: [{ addresses: ['10.64.0.3'] }] }) }, user())).metadata?.generation).toBe(2);
    expect(right(api.handle({ verb: 'update', object: slice({ endpoints: [{ addresses: ['10.64.0.3'] }] }, { annotations: { a: 'b' } }) }, user())).metadata?.generation).toBe(2);
    expect(right(api.handle({ verb: 'update', object: slice({ endpoints: [{ addresses: ['10.64.0.3'] }] }, { labels: { 'kubernetes.io/service-name': 'web', x: 'y' } }) }, user())).metadata?.generation).toBe(3);
    const bad = api.handle({ verb: 'update', object: slice({ addressType: 'IPv6', endpoints: [] }) }, user());
    expect(E.isLeft(bad) && bad.left.message).toBe('EndpointSlice.discovery.k8s.io "web-abcde" is invalid: addressType: Invalid value: "IPv6": field is immutable');
  });
});

describe('ResourceQuota admission', () => {
  const quota = (hard: Record<string, string>, name = 'q'): KObject =>
    ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard } }) as unknown as KObject;
  const claim = (name: string, size: string): KObject => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: 'none' },
  } as KObject);
  const message = (r: ReturnType<ApiServer['handle']>): string | false => E.isLeft(r) && r.left.message;

  it('claims: a count and the storage they request, each checked against its limit; the last request that fits is admitted', () => {
    const { api, log } = setup();
    api.handle({ verb: 'create', object: quota({ persistentvolumeclaims: '2', 'requests.storage': '10Gi' }) }, user());
    expect(E.isRight(api.handle({ verb: 'create', object: claim('a', '2Gi') }, user()))).toBe(true);
    const before = log.lastSeq();
    expect(message(api.handle({ verb: 'create', object: claim('b', '9Gi') }, user()))).toBe(
      'persistentvolumeclaims "b" is forbidden: exceeded quota: q, requested: requests.storage=9Gi, used: requests.storage=2Gi, limited: requests.storage=10Gi',
    );
    expect(log.lastSeq()).toBe(before);
    expect(E.isRight(api.handle({ verb: 'create', object: claim('b', '8Gi') }, user()))).toBe(true);
    expect(message(api.handle({ verb: 'create', object: claim('c', '1Gi') }, user()))).toBe(
      'persistentvolumeclaims "c" is forbidden: exceeded quota: q, requested: persistentvolumeclaims=1,requests.storage=1Gi, used: persistentvolumeclaims=2,requests.storage=10Gi, limited: persistentvolumeclaims=2,requests.storage=10Gi',
    );
  });

  it('pods: terminal pods are not charged once the quota controller replenishes; other namespaces and untracked kinds are not affected; a dry run is refused too', () => {
    const { api, log } = setup();
    api.handle({ verb: 'create', object: quota({ pods: '1' }) }, user());
    expect(E.isRight(api.handle({ verb: 'create', object: pod('p1') }, user()))).toBe(true);
    expect(message(api.handle({ verb: 'create', object: pod('p2') }, { ...user(), dryRun: true }))).toBe(
      'pods "p2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1',
    );
    expect(E.isRight(api.handle({ verb: 'create', object: sts() }, user()))).toBe(true);
    const p1 = api.get('Pod', 'default', 'p1') as Pod;
    const failed = api.handle({ verb: 'update', subresource: 'status', object: { ...p1, status: { ...p1.status, phase: 'Failed' } } as KObject }, user(1));
    expect(E.isRight(failed) || failed.left.message).toBe(true);
    expect((api.get('Pod', 'default', 'p1') as Pod).status?.phase).toBe('Failed');
    // The freed pod stays charged in status.used until the quota controller replenishes it, as in Kubernetes.
    expect(message(api.handle({ verb: 'create', object: pod('p2') }, user()))).toBe(
      'pods "p2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1',
    );
    const before = log.lastSeq();
    const q = api.get('ResourceQuota', 'default', 'q') as ResourceQuota;
    const replenished = api.handle({ verb: 'update', subresource: 'status', object: { ...q, status: { hard: { pods: '1' }, used: { pods: '0' } } } as KObject }, { ...user(2), actor: 'resourcequota-controller' });
    expect(E.isRight(replenished) || replenished.left.message).toBe(true);
    expect(log.lastSeq()).toBe(before + 1);
    expect(E.isRight(api.handle({ verb: 'create', object: pod('p2') }, user()))).toBe(true);
  });

  it('a Service takes its address before it is charged; a generated name is drawn once', () => {
    const { api, log } = setup();
    api.handle({ verb: 'create', object: quota({ services: '1', pods: '1' }) }, user());
    const before = log.lastSeq();
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } as unknown as KObject;
    expect(E.isRight(api.handle({ verb: 'create', object: svc }, user()))).toBe(true);
    const p = pod('x') as KObject & { metadata: Record<string, unknown> };
    const generated = { ...p, metadata: { generateName: 'web-' } } as KObject;
    const made = api.handle({ verb: 'create', object: generated }, user());
    expect(E.isRight(made)).toBe(true);
    const name = (made as E.Right<KObject>).right.metadata?.name ?? '';
    expect(name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(log.all().slice(before).map((e) => `${e.op ?? e.type} ${e.object?.kind ?? ''}`)).toEqual(
      ['create IPAddress', 'update/status ResourceQuota', 'create Service', 'update/status ResourceQuota', 'create Pod']);
    expect((api.get('ResourceQuota', 'default', 'q') as ResourceQuota).status?.used).toEqual({ services: '1', pods: '1' });
    expect([...api.store.list('Pod', 'default')].map((o) => o.metadata?.name)).toEqual([name]);
  });

  it('an admitted create charges the quota first: its status.used written (a compare-and-set on the quota), then the object; a dry run writes nothing', () => {
    const { api, log } = setup();
    api.handle({ verb: 'create', object: quota({ pods: '2', 'count/pods': '5' }) }, user());
    api.handle({ verb: 'create', object: quota({ services: '1' }, 'other') }, user());
    const before = log.lastSeq();
    expect(E.isRight(api.handle({ verb: 'create', object: pod('p1') }, { ...user(), dryRun: true }))).toBe(true);
    expect(log.lastSeq()).toBe(before);
    expect(E.isRight(api.handle({ verb: 'create', object: pod('p1') }, user()))).toBe(true);
    const written = log.all().slice(before);
    expect(written.map((e) => `${e.op ?? e.type} ${e.object?.kind ?? ''}/${e.object?.metadata?.name ?? ''}`)).toEqual(['update/status ResourceQuota/q', 'create Pod/p1']);
    expect((api.get('ResourceQuota', 'default', 'q') as ResourceQuota).status?.used).toEqual({ pods: '1', 'count/pods': '1' });
    // The quota that does not name pods is not touched.
    expect((api.get('ResourceQuota', 'default', 'other') as ResourceQuota).status).toBeUndefined();
    // A usage the status already holds (charged on another API server, not yet created) counts.
    const q = api.get('ResourceQuota', 'default', 'q') as ResourceQuota;
    api.handle({ verb: 'update', subresource: 'status', object: { ...q, status: { used: { pods: '2', 'count/pods': '2' } } } as KObject }, { ...user(), actor: 'resourcequota-controller' });
    expect(message(api.handle({ verb: 'create', object: pod('p2') }, user()))).toBe(
      'pods "p2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    );
  });

  it('count/pods charges every pod, terminal ones too (pods only the live ones)', () => {
    const { api } = setup();
    api.handle({ verb: 'create', object: quota({ 'count/pods': '1' }) }, user());
    expect(E.isRight(api.handle({ verb: 'create', object: pod('p1') }, user()))).toBe(true);
    const p1 = api.get('Pod', 'default', 'p1') as Pod;
    api.handle({ verb: 'update', subresource: 'status', object: { ...p1, status: { ...p1.status, phase: 'Failed' } } as KObject }, user(1));
    expect(message(api.handle({ verb: 'create', object: pod('p2') }, user()))).toBe(
      'pods "p2" is forbidden: exceeded quota: q, requested: count/pods=1, used: count/pods=1, limited: count/pods=1',
    );
  });

  describe('compute resources (cpu, memory)', () => {
    const sized = (name: string, containers: Array<{ name: string; requests?: Record<string, string>; limits?: Record<string, string> }>, init: typeof containers = []): KObject => pod(name, {
      containers: containers.map((c) => ({ name: c.name, image: 'nginx', resources: { ...(c.requests ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) } })),
      ...(init.length > 0 ? { initContainers: init.map((c) => ({ name: c.name, image: 'busybox', resources: { ...(c.requests ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) } })) } : {}),
    });

    it('a pod must state every compute resource a quota limits, in each container: failed quota, nothing written', () => {
      const { api, log } = setup();
      api.handle({ verb: 'create', object: quota({ 'requests.cpu': '2', 'limits.memory': '1Gi' }) }, user());
      const before = log.lastSeq();
      expect(message(api.handle({ verb: 'create', object: sized('p', [{ name: 'app', requests: { cpu: '500m' } }, { name: 'side' }]) }, user()))).toBe(
        'pods "p" is forbidden: failed quota: q: must specify limits.memory for: app,side; must specify requests.cpu for: side',
      );
      expect(log.lastSeq()).toBe(before);
      // A limit alone is defaulted into the request (SetDefaults_Pod), which satisfies requests.cpu.
      expect(E.isRight(api.handle({ verb: 'create', object: sized('p', [{ name: 'app', limits: { cpu: '1', memory: '256Mi' } }]) }, user()))).toBe(true);
      expect((api.get('Pod', 'default', 'p') as Pod).spec?.containers?.[0]?.resources?.requests).toEqual({ cpu: '1', memory: '256Mi' });
    });

    it('requests and limits are summed over the containers (millicores exact), at least any init container\'s; refused past the limit with quantities as the API prints them', () => {
      const { api } = setup();
      api.handle({ verb: 'create', object: quota({ 'requests.cpu': '1', 'requests.memory': '1Gi', cpu: '1' }) }, user());
      // 100m + 200m = 300m; the init container's 250m is less.
      expect(E.isRight(api.handle({ verb: 'create', object: sized('a', [{ name: 'x', requests: { cpu: '100m', memory: '256Mi' } }, { name: 'y', requests: { cpu: '200m', memory: '256Mi' } }], [{ name: 'i', requests: { cpu: '250m', memory: '128Mi' } }]) }, user()))).toBe(true);
      // An init container needing more than the sum charges its own: 600m.
      expect(E.isRight(api.handle({ verb: 'create', object: sized('b', [{ name: 'x', requests: { cpu: '100m', memory: '128Mi' } }], [{ name: 'i', requests: { cpu: '600m', memory: '128Mi' } }]) }, user()))).toBe(true);
      expect(message(api.handle({ verb: 'create', object: sized('c', [{ name: 'x', requests: { cpu: '0.2', memory: '512Mi' } }]) }, user()))).toBe(
        'pods "c" is forbidden: exceeded quota: q, requested: cpu=200m,requests.cpu=200m,requests.memory=512Mi, used: cpu=900m,requests.cpu=900m,requests.memory=640Mi, limited: cpu=1,requests.cpu=1,requests.memory=1Gi',
      );
      expect(E.isRight(api.handle({ verb: 'create', object: sized('c', [{ name: 'x', requests: { cpu: '100m', memory: '384Mi' } }]) }, user()))).toBe(true);
    });
  });
});

describe('strategic merge patch (kubectl rollout)', () => {
  it('$patch: replace swaps a whole map (the template) where a JSON merge patch would keep the keys the patch lacks', () => {
    const { api } = setup();
    api.handle({ verb: 'create', object: sts() }, user());
    const annotate = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:05Z' } } } } };
    const r1 = api.handle({ verb: 'patch', kind: 'StatefulSet', namespace: 'default', name: 'web', patchType: 'strategic', patch: annotate }, user(5000));
    const s1 = (r1 as E.Right<StatefulSet>).right;
    // Without a directive it merges as a JSON merge patch would: the labels and the spec stay.
    expect(s1.spec!.template!.metadata).toEqual({ labels: { app: 'nginx' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:05Z' } });
    expect(s1.spec!.template!.spec!.containers[0]!.image).toBe('nginx');
    expect(s1.metadata!.generation).toBe(2);
    const replace = { spec: { template: { $patch: 'replace', metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } } };
    const r2 = api.handle({ verb: 'patch', kind: 'StatefulSet', namespace: 'default', name: 'web', patchType: 'strategic', patch: replace }, user(6000));
    const s2 = (r2 as E.Right<StatefulSet>).right;
    expect(s2.spec!.template!.metadata).toEqual({ labels: { app: 'nginx' } });
    expect(s2.spec!.template!.spec!.containers[0]!.image).toBe('nginx:1.25');
    expect(JSON.stringify(s2)).not.toContain('$patch');
    // Defaults are applied to the replaced template as to any update (the container's pull policy, …).
    expect(s2.spec!.template!.spec!.containers[0]!.imagePullPolicy).toBe('IfNotPresent');
    // The same patch as a JSON merge patch keeps the annotation (and would store the directive as a field).
    const merged = mergePatch(s1, { spec: { template: { metadata: { labels: { app: 'nginx' } } } } }) as StatefulSet;
    expect(merged.spec!.template!.metadata!.annotations).toBeDefined();
  });

  it('$patch: delete removes a map; null removes a key; lists are replaced whole', () => {
    expect(strategicMergePatch({ a: { x: 1 }, b: 2, l: [1, 2] }, { a: { $patch: 'delete' }, b: null, l: [3] })).toEqual({ l: [3] });
    expect(strategicMergePatch({ a: { x: 1, y: 2 } }, { a: { y: 3 } })).toEqual({ a: { x: 1, y: 3 } });
    expect(strategicMergePatch({ a: { x: 1, y: 2 } }, { a: { $patch: 'replace', y: 3, z: { $patch: 'replace', q: 1 } } })).toEqual({ a: { y: 3, z: { q: 1 } } });
  });
});

describe('strategic merge patch: lists with a merge key', () => {
  const tpl = {
    spec: {
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.25', ports: [{ name: 'http', containerPort: 80 }], volumeMounts: [{ name: 'www', mountPath: '/www' }], env: [{ name: 'A', value: '1' }] },
            { name: 'side', image: 'busybox' },
          ],
          volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
          tolerations: [{ key: 'a', operator: 'Exists' }],
        },
      },
    },
  };
  it('kubectl patch -p \'{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}\': the image only, every other field and container kept', () => {
    const out = strategicMergePatch(tpl, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } }, 'StatefulSet') as typeof tpl;
    expect(out.spec.template.spec.containers).toEqual([{ ...tpl.spec.template.spec.containers[0], image: 'nginx:1.26' }, tpl.spec.template.spec.containers[1]]);
    // The same as a JSON merge patch replaces the list: one container with an image and nothing else.
    expect((mergePatch(tpl, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } }) as typeof tpl).spec.template.spec.containers).toEqual([{ name: 'web', image: 'nginx:1.26' }]);
  });

  it('nested lists merge by their own keys; a new item is appended; $patch: delete removes one; a list without a merge key is replaced', () => {
    const out = strategicMergePatch(tpl, { spec: { template: { spec: {
      containers: [{ name: 'web', ports: [{ containerPort: 443, name: 'https' }], env: [{ name: 'A', value: '2' }, { name: 'B', value: '3' }], volumeMounts: [{ mountPath: '/www', $patch: 'delete' }] }, { name: 'new', image: 'x' }, { name: 'side', $patch: 'delete' }],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [{ key: 'b', operator: 'Exists' }],
    } } } }, 'StatefulSet') as typeof tpl;
    const [web, added] = out.spec.template.spec.containers as Record<string, unknown>[];
    expect(out.spec.template.spec.containers).toHaveLength(2);
    expect(web!.ports).toEqual([{ name: 'http', containerPort: 80 }, { name: 'https', containerPort: 443 }]);
    expect(web!.env).toEqual([{ name: 'A', value: '2' }, { name: 'B', value: '3' }]);
    expect(web!.volumeMounts).toEqual([]);
    expect(added).toEqual({ name: 'new', image: 'x' });
    expect(out.spec.template.spec.volumes).toEqual([{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'data', emptyDir: {} }]);
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
  });

  it('a Service\'s ports merge by port; a pod\'s status conditions by type; finalizers take the union; an item {$patch: replace} replaces the list', () => {
    expect(strategicMergePatch({ spec: { ports: [{ port: 80, name: 'web' }] } }, { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } }, 'Service'))
      .toEqual({ spec: { ports: [{ port: 80, name: 'web', targetPort: 8080 }, { port: 443 }] } });
    expect(strategicMergePatch({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { status: { conditions: [{ type: 'DisruptionTarget', status: 'True' }] } }, 'Pod'))
      .toEqual({ status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DisruptionTarget', status: 'True' }] } });
    expect(strategicMergePatch({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { finalizers: ['b', 'c'] } })).toEqual({ metadata: { finalizers: ['a', 'b', 'c'] } });
    expect(strategicMergePatch({ spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } } }, { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'c' }] } } } }))
      .toEqual({ spec: { template: { spec: { containers: [{ name: 'c' }] } } } });
  });
});
