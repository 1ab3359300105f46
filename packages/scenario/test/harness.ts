/**
 * Shared helpers for the acceptance tests (/work/shared/acceptance-scenarios.md): fixture F1, the
 * cluster of the "Conventions" section, commands, virtual-time waits and log queries over the
 * embedded engine (createCluster + Simulation).
 */
import { expect } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import {
  isRunningAndReady, kubectlMessage, loadManifests, type ApiError, type ApiRequest, type Kind, type KObject,
  type PersistentVolume, type PersistentVolumeClaim, type Pod,
} from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { createCluster, type ClusterSpec, type Simulation } from '@kubesim/runtime';
import { dnsRecords, resolveName, type DnsRecordType } from '@kubesim/controllers';
import type { RunReport } from '../src/index.js';

// ---- fixture F1 -------------------------------------------------------------------------------------------

/** Fixture F1, verbatim. */
export const F1_YAML = `apiVersion: v1
kind: Service
metadata: {name: nginx, namespace: default}
spec:
  clusterIP: None
  selector: {app: nginx}
  ports: [{name: web, port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: default}
spec:
  serviceName: nginx
  replicas: 3
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{name: web, containerPort: 80}]
        volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`;

/** Parse YAML manifests (multi-document) into objects; throws on a load error. */
export const manifests = (yaml: string): KObject[] => {
  const r = loadManifests(yaml, 'test');
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.map((o) => structuredClone(o));
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** ReplicaSet `web-rs` of the H scenarios: pods labelled app=rs running nginx:1.25; `extra` is YAML appended under the pod spec. */
export const replicaSetRs = (replicas: number, extra = ''): Json => manifests(`apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-rs, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
${extra}`)[0];

/** F1's objects, fresh copies: [Service nginx, StatefulSet web]. */
export const f1 = (): { service: Json; set: Json } => {
  const [service, set] = manifests(F1_YAML);
  return { service: service as Json, set: set as Json };
};

/** F1 with changes applied to the StatefulSet (and optionally the Service): `F1 with X`. */
export const f1With = (change: (set: Json, service: Json) => void): KObject[] => {
  const { service, set } = f1();
  change(set, service);
  return [service as KObject, set as KObject];
};

// ---- the cluster of the Conventions section ---------------------------------------------------------------

export const NODES = ['node-a', 'node-b', 'node-c'] as const;

/** The default StorageClass `standard`: dynamic provisioner, reclaimPolicy Delete, Immediate, no topology. */
export const standardClass = (): KObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'kubesim.io/hostpath',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate',
} as KObject);

export interface ClusterOptions {
  readonly seed?: number;
  readonly storageClasses?: readonly KObject[];
  readonly nodes?: ClusterSpec['nodes'];
  readonly missingImages?: ClusterSpec['missingImages'];
}

export const clusterSpec = (o: ClusterOptions = {}): ClusterSpec => ({
  nodes: o.nodes ?? NODES.map((name) => ({ name })),
  storageClasses: o.storageClasses ?? [standardClass()],
  namespaces: ['default'],
  ...(o.missingImages ? { missingImages: o.missingImages } : {}),
});

/** The seed of every cluster (ACCEPTANCE_SEED overrides it to try the scenarios under other interleavings). */
export const SEED = Number(process.env.ACCEPTANCE_SEED ?? 1);

/** A cluster: nodes node-a, node-b, node-c (all Ready), the default class `standard`, namespace default. */
export const newCluster = (o: ClusterOptions = {}): Simulation => createCluster(clusterSpec(o), o.seed ?? SEED);

// ---- commands ---------------------------------------------------------------------------------------------

const NS = 'default';

/** Run a user command; throws with the kubectl message when the API server refuses it. */
export const cmd = (sim: Simulation, what: string, reqs: ApiRequest[]): KObject[] => {
  const r = sim.command({ command: what }, reqs);
  if (E.isLeft(r)) throw new Error(`${what} refused: ${kubectlMessage(r.left)}`);
  return r.right.results;
};

/** A user command that is expected to be refused: returns the API error (fails the test if accepted). */
export const refused = (sim: Simulation, what: string, reqs: ApiRequest[]): ApiError => {
  const r = sim.command({ command: what }, reqs);
  if (E.isRight(r)) throw new Error(`${what} was accepted, expected it to be refused`);
  return r.left;
};

export const create = (sim: Simulation, ...objects: KObject[]): KObject[] =>
  cmd(sim, 'create', objects.map((object) => ({ verb: 'create', object })));

export const scale = (sim: Simulation, kind: 'StatefulSet' | 'ReplicaSet', name: string, replicas: number): KObject =>
  cmd(sim, `scale ${kind}/${name} ${replicas}`, [{ verb: 'patch', kind, namespace: NS, name, subresource: 'scale', patch: { spec: { replicas } } }])[0]!;

export const patch = (sim: Simulation, kind: Kind, name: string, p: Record<string, unknown>, namespace = NS): KObject =>
  cmd(sim, `patch ${kind}/${name}`, [{ verb: 'patch', kind, namespace, name, patch: p }])[0]!;

export const del = (sim: Simulation, kind: Kind, name: string, opts: { gracePeriodSeconds?: number; propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' } = {}): KObject =>
  cmd(sim, `delete ${kind}/${name}`, [{ verb: 'delete', kind, namespace: NS, name, ...opts }])[0]!;

export const cordon = (sim: Simulation, node: string, on = true): KObject =>
  cmd(sim, `${on ? 'cordon' : 'uncordon'} ${node}`, [{ verb: 'patch', kind: 'Node', namespace: '', name: node, patch: { spec: { unschedulable: on ? true : null } } }])[0]!;

export const setReady = (sim: Simulation, name: string, ready: boolean): Envelope =>
  sim.fault({ fault: 'pod-readiness', namespace: NS, name, ready });

export const failPod = (sim: Simulation, name: string, reason = 'Evicted'): Envelope =>
  sim.fault({ fault: 'pod-fail', namespace: NS, name, reason });

// ---- reading state ----------------------------------------------------------------------------------------

export const get = <T = Json>(sim: Simulation, kind: Kind, name: string, namespace = NS): T | undefined =>
  sim.api.get(kind, namespace, name) as T | undefined;

export const mustGet = <T = Json>(sim: Simulation, kind: Kind, name: string, namespace = NS): T => {
  const o = get<T>(sim, kind, name, namespace);
  if (o === undefined) throw new Error(`${kind} ${name} does not exist`);
  return o;
};

export const list = <T = Json>(sim: Simulation, kind: Kind, namespace?: string): T[] =>
  [...(namespace === undefined ? sim.api.store.list(kind) : sim.api.store.list(kind, namespace))] as T[];

/** A Service's EndpointSlices, by their service-name label (any manager; `default` also holds the kubernetes Service's). */
export const slicesOf = (sim: Simulation, svc: string, namespace = NS): Json[] =>
  list<Json>(sim, 'EndpointSlice', namespace).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === svc);

export const podNames = (sim: Simulation, prefix = ''): string[] =>
  list<Pod>(sim, 'Pod', NS).map((p) => p.metadata!.name!).filter((n) => n.startsWith(prefix)).sort();

export const claimNames = (sim: Simulation): string[] =>
  list<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', NS).map((p) => p.metadata!.name!).sort();

export const pvNames = (sim: Simulation): string[] => list<PersistentVolume>(sim, 'PersistentVolume').map((p) => p.metadata!.name!).sort();

export const ready = (sim: Simulation, name: string): boolean => {
  const p = get<Pod>(sim, 'Pod', name);
  return p !== undefined && isRunningAndReady(p) && p.metadata?.deletionTimestamp === undefined;
};

export const allReady = (sim: Simulation, names: readonly string[]): boolean => names.every((n) => ready(sim, n));

/** Events (the Kubernetes objects) about one object, optionally of one reason. */
export const eventsFor = (sim: Simulation, kind: string, name: string, reason?: string): Json[] =>
  list(sim, 'Event', NS).filter((e: Json) => e.involvedObject?.kind === kind && e.involvedObject?.name === name && (reason === undefined || e.reason === reason));

/** Events of a reason anywhere in the namespace. */
export const eventsByReason = (sim: Simulation, reason: string): Json[] => list(sim, 'Event', NS).filter((e: Json) => e.reason === reason);

export const eventCount = (evs: readonly Json[]): number => evs.reduce((s: number, e: Json) => s + (e.count ?? 1), 0);

// ---- waiting in virtual time ------------------------------------------------------------------------------

/**
 * Run until `cond` holds, at most `timeoutMs` of virtual time; fails the test with `what` otherwise.
 * `cond` is evaluated after every event, so keep it cheap.
 */
export const waitFor = (sim: Simulation, what: string, cond: () => boolean, timeoutMs = 120_000): void => {
  const stop = sim.run({ until: cond, deadlineMs: sim.now + timeoutMs });
  if (!cond()) throw new Error(`timed out (${stop}) after ${timeoutMs / 1000}s of virtual time at t=${(sim.now / 1000).toFixed(3)}s waiting for: ${what}`);
};

/**
 * Advance virtual time by `ms`, processing everything due. `Simulation.advance` returns early without
 * moving the clock when its queue runs empty ('idle'), so a no-op timer at the target instant makes
 * the hold real (otherwise "hold 10 s" on a quiet cluster would take no virtual time at all).
 */
export const sleep = (sim: Simulation, ms: number): void => {
  const target = sim.now + ms;
  sim.at(ms, () => undefined);
  sim.run({ deadlineMs: target });
};

/** Run until nothing is written for `quietMs` (virtual), bounded by `timeoutMs`. */
export const settle = (sim: Simulation, quietMs = 30_000, timeoutMs = 600_000): void => {
  const stop = sim.run({ quietMs, deadlineMs: sim.now + timeoutMs });
  if (stop === 'deadline') throw new Error(`did not settle within ${timeoutMs / 1000}s`);
};

/** Apply F1-like objects and wait until the set `web` has `n` Ready pods and a converged status. */
export const converge = (sim: Simulation, setName: string, replicas: number, timeoutMs = 300_000): void => {
  const names = Array.from({ length: replicas }, (_, k) => `${setName}-${k}`);
  waitFor(sim, `${setName} converged with ${replicas} ready replicas`, () => {
    if (!allReady(sim, names)) return false;
    const s = get<Json>(sim, 'StatefulSet', setName);
    return s?.status?.readyReplicas === replicas && s?.status?.replicas === replicas && s?.status?.observedGeneration === s?.metadata?.generation;
  }, timeoutMs);
};

// ---- log queries ------------------------------------------------------------------------------------------

export type ObjEntry = Envelope & { object: KObject };

export const objectEntries = (sim: Simulation, since = 0): ObjEntry[] =>
  sim.log.all().filter((e): e is ObjEntry => e.seq > since && isObjectEntry(e));

export const entriesOf = (sim: Simulation, kind: string, name?: string, since = 0): ObjEntry[] =>
  objectEntries(sim, since).filter((e) => e.object.kind === kind && (name === undefined || e.object.metadata?.name === name));

export type Moment = 'ADDED' | 'DELETED' | 'TERMINATING' | 'READY';

/** The seq of the first moment of `kind/name` after `since` (undefined when it did not happen). */
export const firstSeq = (sim: Simulation, moment: Moment, kind: string, name: string, since = 0): number | undefined => {
  for (const e of entriesOf(sim, kind, name, since)) {
    if (moment === 'ADDED' && e.type === 'ADDED') return e.seq;
    if (moment === 'DELETED' && e.type === 'DELETED') return e.seq;
    if (moment === 'TERMINATING' && e.type !== 'DELETED' && e.object.metadata?.deletionTimestamp !== undefined) return e.seq;
    if (moment === 'READY' && e.type !== 'DELETED' && isRunningAndReady(e.object as Pod)) return e.seq;
  }
  return undefined;
};

/** Every seq of a moment of `kind/name` after `since`. */
export const allSeqs = (sim: Simulation, moment: 'ADDED' | 'DELETED', kind: string, name: string, since = 0): number[] =>
  entriesOf(sim, kind, name, since).filter((e) => e.type === moment).map((e) => e.seq);

/** Seq of the first moment; fails the test when it never happened. */
export const seqOf = (sim: Simulation, moment: Moment, kind: string, name: string, since = 0): number => {
  const s = firstSeq(sim, moment, kind, name, since);
  if (s === undefined) throw new Error(`no ${moment} of ${kind}/${name} in the log after seq ${since}`);
  return s;
};

export const lastSeq = (sim: Simulation): number => sim.log.lastSeq();

/** Writes recorded for a kind by one actor (e.g. `statefulset-controller`) after `since`. */
export const writesBy = (sim: Simulation, actor: string, since = 0): ObjEntry[] => objectEntries(sim, since).filter((e) => e.actor === actor);

// ---- DNS --------------------------------------------------------------------------------------------------

export const dns = (sim: Simulation, name: string, type?: DnsRecordType): string[] => resolveName(dnsRecords(sim.api.store), name, type);
export const dnsRecordsOf = (sim: Simulation) => dnsRecords(sim.api.store);

// ---- scenario reports -------------------------------------------------------------------------------------

/** The failing steps of a scenario run, for the assertion message. */
export const failures = (r: RunReport): string =>
  r.steps.filter((s) => !s.ok).map((s) => `step ${s.index} (${s.step.op}${s.step.title ? `: ${s.step.title}` : ''}):\n    ${s.messages.join('\n    ')}`).join('\n')
  + (r.steps.length < r.scenario.steps.length ? `\n${r.scenario.steps.length - r.steps.length} step(s) not run` : '');

export const expectPassed = (r: RunReport): void => {
  expect(r.passed, failures(r)).toBe(true);
};

export { E };
