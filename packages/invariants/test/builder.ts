/**
 * Hand-made logs for the firing tests: a builder that stamps seq, time, cause and resourceVersion, and
 * fixtures for the objects the checkers read (a StatefulSet `web` with claim template `www`, its pods
 * and claims, volumes, services, a ReplicaSet).
 */
import type {
  ControllerRevision, EndpointSlice, Endpoints, KObject, PersistentVolume, PersistentVolumeClaim, Pod, ReplicaSet, Service, StatefulSet,
} from '@kubesim/api';
import type { Envelope, EntryType } from '@kubesim/log';
import { checkLog, type CheckOptions, type Violation } from '../src/index.js';

export const SS = 'statefulset-controller';
export const RS = 'replicaset-controller';
export const GC = 'garbage-collector';
export const NS = 'default';

export interface WriteOpts { readonly op?: string; readonly cause?: number | null; readonly dt?: number }

export class LogBuilder {
  readonly entries: Envelope[] = [];
  time = 0;

  get last(): number { return this.entries.length; }

  private push(e: Omit<Envelope, 'seq'>): number {
    const seq = this.entries.length + 1;
    const object = e.object ? { ...e.object, metadata: { ...e.object.metadata, resourceVersion: String(seq) } } as KObject : undefined;
    this.entries.push({ ...e, seq, ...(object ? { object } : {}) });
    return seq;
  }

  input(type: 'COMMAND' | 'FAULT' | 'COMPONENT', data: Record<string, unknown>, dt = 1): number {
    this.time += dt;
    return this.push({ time: this.time, type, actor: type === 'FAULT' ? 'system:chaos' : type === 'COMPONENT' ? 'system:runtime' : 'user', cause: null, data });
  }

  write(type: EntryType, actor: string, object: KObject, o: WriteOpts = {}): number {
    this.time += o.dt ?? 1;
    const cause = o.cause === undefined ? (this.last > 0 ? this.last : null) : o.cause;
    const op = o.op ?? (type === 'ADDED' ? 'create' : type === 'DELETED' ? 'delete' : 'update');
    return this.push({ time: this.time, type, actor, cause, op, object });
  }

  add(actor: string, o: KObject, opts: WriteOpts = {}): number { return this.write('ADDED', actor, o, opts); }
  mod(actor: string, o: KObject, opts: WriteOpts = {}): number { return this.write('MODIFIED', actor, o, opts); }
  del(actor: string, o: KObject, opts: WriteOpts = {}): number { return this.write('DELETED', actor, o, opts); }
  /** Let virtual time pass (a quiet gap when longer than the quiet period). */
  sleep(ms: number): void { this.time += ms; }
}

export const check = (b: LogBuilder | readonly Envelope[], only: string | readonly string[], opts: CheckOptions = {}): Violation[] => {
  const entries = b instanceof LogBuilder ? b.entries : b;
  return [...checkLog(entries, { only: typeof only === 'string' ? [only] : only, ...opts }).violations];
};

// ---- fixtures ---------------------------------------------------------------------------------------------

export const REV1 = 'web-5d8f9b7c4';
export const REV2 = 'web-7f6c5b9d8';
const SET_UID = 'set-web-0000-0000';

export interface SetOpts {
  readonly name?: string;
  readonly uid?: string;
  readonly replicas?: number;
  readonly parallel?: boolean;
  readonly generation?: number;
  readonly partition?: number;
  readonly maxUnavailable?: number | string;
  readonly whenScaled?: 'Retain' | 'Delete';
  readonly whenDeleted?: 'Retain' | 'Delete';
  readonly revisionHistoryLimit?: number;
  readonly deleting?: boolean;
  readonly status?: StatefulSet['status'];
}

export const sts = (o: SetOpts = {}): StatefulSet => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet',
  metadata: {
    name: o.name ?? 'web', namespace: NS, uid: o.uid ?? SET_UID, generation: o.generation ?? 1,
    ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}),
  },
  spec: {
    replicas: o.replicas ?? 3,
    serviceName: 'nginx',
    selector: { matchLabels: { app: 'nginx' } },
    podManagementPolicy: o.parallel ? 'Parallel' : 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0, maxUnavailable: o.maxUnavailable ?? 1 } },
    persistentVolumeClaimRetentionPolicy: { whenScaled: o.whenScaled ?? 'Retain', whenDeleted: o.whenDeleted ?? 'Retain' },
    revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
  status: o.status ?? { replicas: 0 },
});

export type PodState = 'pending' | 'running' | 'ready' | 'terminating' | 'ready-terminating' | 'failed';

export interface PodOpts {
  readonly uid?: string;
  readonly rev?: string;
  readonly node?: string;
  readonly ip?: string;
  readonly set?: StatefulSet;
  readonly labels?: Record<string, string>;
  readonly hostname?: string;
  readonly claim?: string;
  readonly readySince?: string;
}

/** Pod `web-k` of the set in a state (uid `web-k-a` unless given). */
export const stsPod = (k: number, state: PodState = 'ready', o: PodOpts = {}): Pod => {
  const set = o.set ?? sts();
  const name = `${set.metadata!.name!}-${k}`;
  const running = state !== 'pending';
  const ready = state === 'ready' || state === 'ready-terminating';
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: NS, uid: o.uid ?? `${name}-a`,
      labels: o.labels ?? { app: 'nginx', 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(k), 'controller-revision-hash': o.rev ?? REV1 },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata!.name!, uid: set.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
      ...(state === 'terminating' || state === 'ready-terminating' ? { deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 10 } : {}),
    },
    spec: {
      containers: [{ name: 'nginx', image: 'nginx:1.25' }],
      hostname: o.hostname ?? name, subdomain: 'nginx',
      volumes: [{ name: 'www', persistentVolumeClaim: { claimName: o.claim ?? `www-${name}` } }],
      ...(running ? { nodeName: o.node ?? 'node-a' } : {}),
    },
    status: {
      phase: state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running',
      ...(running && state !== 'failed' ? { podIP: o.ip ?? `10.64.0.${10 + k}`, containerStatuses: [{ name: 'nginx', image: 'nginx:1.25', imageID: '', ready, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:01Z' } } }] } : {}),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:01Z' }],
    },
  };
};

export interface ClaimOpts {
  readonly uid?: string;
  readonly volume?: string;
  readonly bound?: boolean;
  readonly owners?: { kind: 'StatefulSet' | 'Pod'; name: string; uid: string }[];
  readonly deleting?: boolean;
  readonly modes?: string[];
}

export const claim = (name: string, o: ClaimOpts = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: {
    name, namespace: NS, uid: o.uid ?? `claim-${name}`, labels: { app: 'nginx' },
    ...(o.owners ? { ownerReferences: o.owners.map((r) => ({ apiVersion: r.kind === 'Pod' ? 'v1' : 'apps/v1', ...r, controller: true, blockOwnerDeletion: true })) } : {}),
    ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z', finalizers: ['kubernetes.io/pvc-protection'] } : {}),
  },
  spec: { accessModes: o.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(o.volume ? { volumeName: o.volume } : {}) },
  status: { phase: o.bound === false || o.volume === undefined ? 'Pending' : 'Bound' },
});

export const pv = (name: string, claimRef: { name: string; uid: string } | undefined, bound = true, modes: string[] = ['ReadWriteOnce']): PersistentVolume => ({
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: { name, uid: `uid-${name}` },
  spec: {
    capacity: { storage: '1Gi' }, accessModes: modes as never, persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'standard',
    ...(claimRef ? { claimRef: { kind: 'PersistentVolumeClaim', namespace: NS, name: claimRef.name, uid: claimRef.uid, apiVersion: 'v1' } } : {}),
  },
  status: { phase: bound ? 'Bound' : 'Available' },
});

export const revision = (name: string, revisionNo: number, owner = sts()): ControllerRevision => ({
  apiVersion: 'apps/v1', kind: 'ControllerRevision',
  metadata: {
    name, namespace: NS, uid: `uid-${name}`, labels: { app: 'nginx' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
  },
  revision: revisionNo,
});

export const headless = (name = 'nginx', selector: Record<string, string> = { app: 'nginx' }): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS, uid: `svc-${name}` },
  spec: { clusterIP: 'None', selector, ports: [{ name: 'web', port: 80 }] },
});

export const endpoints = (name: string, pods: readonly Pod[]): Endpoints => ({
  apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: NS, uid: `ep-${name}` },
  subsets: pods.length === 0 ? [] : [{
    addresses: pods.map((p) => ({ ip: p.status!.podIP!, hostname: p.spec!.hostname!, targetRef: { kind: 'Pod', namespace: NS, name: p.metadata!.name!, uid: p.metadata!.uid! } })),
    ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
  }],
});

/** One EndpointSlice of a service (named `<svc>-abcde`), with every pod as a ready endpoint. */
export const endpointSlice = (svc: string, pods: readonly Pod[], ready = true): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: {
    name: `${svc}-abcde`, namespace: NS, uid: `eps-${svc}`,
    labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
  },
  addressType: 'IPv4',
  endpoints: pods.map((p) => ({
    addresses: [p.status!.podIP!], conditions: { ready, serving: ready, terminating: false }, hostname: p.spec!.hostname!,
    targetRef: { kind: 'Pod', namespace: NS, name: p.metadata!.name!, uid: p.metadata!.uid! },
  })),
  ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
});

export const rs = (replicas: number, status: ReplicaSet['status'] = { replicas: 0 }): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: 'front', namespace: NS, uid: 'rs-front', generation: 1 },
  spec: { replicas, selector: { matchLabels: { app: 'front' } }, template: { metadata: { labels: { app: 'front' } }, spec: { containers: [{ name: 'f', image: 'nginx' }] } } },
  status,
});

export const rsPod = (suffix: string, ready = true): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: `front-${suffix}`, namespace: NS, uid: `front-${suffix}-uid`, labels: { app: 'front' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'front', uid: 'rs-front', controller: true, blockOwnerDeletion: true }],
  },
  spec: { containers: [{ name: 'f', image: 'nginx' }], nodeName: 'node-a' },
  status: { phase: 'Running', podIP: `10.65.0.${suffix.length}`, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

/** The status a converged set of n pods at one revision reports. */
export const settledStatus = (n: number, rev = REV1, generation = 1): NonNullable<StatefulSet['status']> => ({
  observedGeneration: generation, replicas: n, readyReplicas: n, availableReplicas: n, currentReplicas: n, updatedReplicas: n,
  currentRevision: rev, updateRevision: rev, collisionCount: 0,
});

/**
 * A healthy OrderedReady history: the set, then for each ordinal its claim (bound to a volume) and its
 * pod, created in order, each Ready before the next; the status written at the end.
 */
export const orderedUp = (b: LogBuilder, n: number, so: SetOpts = {}): { set: StatefulSet; pods: Pod[] } => {
  b.input('COMMAND', { command: 'apply' });
  const set = sts({ replicas: n, ...so });
  b.add('user', set);
  const pods: Pod[] = [];
  for (let k = 0; k < n; k++) {
    const cname = `www-web-${k}`;
    const cause = b.last;
    b.add(SS, claim(cname), { cause });
    b.add(SS, stsPod(k, 'pending', { set }), { cause });
    b.add('volume-binder', pv(`pv-${k}`, { name: cname, uid: `claim-${cname}` }));
    b.mod('volume-binder', claim(cname, { volume: `pv-${k}` }));
    b.mod('kubelet:node-a', stsPod(k, 'running', { set }), { op: 'update/status' });
    const ready = stsPod(k, 'ready', { set });
    b.mod('kubelet:node-a', ready, { op: 'update/status' });
    pods.push(ready);
  }
  const done = { ...set, status: settledStatus(n) };
  b.mod(SS, done, { op: 'update/status' });
  return { set: done, pods };
};

export const seqsOf = (vs: readonly Violation[]): number[] => vs.flatMap((v) => v.seqs);
