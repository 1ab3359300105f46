/**
 * Multi-step flows of the volume binder and the scheduler together (S50, S52, S54, S38 scheduling
 * side), on a tiny in-test host: writes are applied to a store at once (no latency), every applied
 * change goes through each component's observe + keysFor, requeues are virtual-time timers.
 */
import { describe, expect, it } from 'vitest';
import {
  isKind, isNamespaced, requestKind, timestamp, type ApiRequest, type KObject, type Node, type PersistentVolume, type PersistentVolumeClaim,
  type Pod, type StorageClass,
} from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { ObjectStore } from '@kubesim/state';
import type { ComponentDef, EventSpec, PlanOutcome, Step } from '../src/framework/index.js';
import { defaultSchedulerConfig, scheduler } from '../src/scheduler/index.js';
import { defaultVolumeBinderConfig, volumeBinder } from '../src/volume/index.js';

// ---- a tiny host -----------------------------------------------------------------------------------------
interface Running { readonly def: ComponentDef<unknown, unknown>; readonly config: unknown; local: unknown }
interface Queued { comp: number; key: string; at: number; order: number }
interface Recorded extends EventSpec { readonly time: number }

type Result = { ok: true } | { ok: false; reason: string };

class MiniCluster {
  readonly store: ObjectStore;
  readonly log: Envelope[] = [];
  readonly events: Recorded[] = [];
  now = 0;
  private seq = 0;
  private uids = 0;
  private order = 0;
  private queue: Queued[] = [];
  private readonly comps: Running[];

  constructor(defs: { def: ComponentDef<never, never>; config: unknown }[], private readonly seed = 1) {
    this.comps = defs.map(({ def, config }) => {
      const d = def as unknown as ComponentDef<unknown, unknown>;
      return { def: d, config, local: d.initialLocal() };
    });
    this.store = new ObjectStore(undefined, this.comps.flatMap((c) => c.def.indexes ?? []));
  }

  private emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KObject, old: KObject | undefined, actor: string): KObject {
    const stored = type === 'DELETED' ? object : { ...object, metadata: { ...object.metadata, resourceVersion: String(this.seq + 1) } } as KObject;
    const e: Envelope = { seq: ++this.seq, time: this.now, type, actor, cause: null, object: stored };
    this.log.push(e);
    this.store.apply(e);
    this.comps.forEach((c, i) => {
      if (!c.def.watches.includes(object.kind as never)) return;
      c.local = c.def.observe ? c.def.observe(e, old, c.local, c.config) : c.local;
      for (const key of c.def.keysFor(e, old, this.store, c.config)) this.enqueue(i, key, this.now);
    });
    return stored;
  }

  private enqueue(comp: number, key: string, at: number): void {
    const q = this.queue.find((x) => x.comp === comp && x.key === key);
    if (q) { if (at < q.at) q.at = at; return; }
    this.queue.push({ comp, key, at, order: this.order++ });
  }

  private current(o: { kind: string; namespace: string; name: string }): KObject | undefined {
    return this.store.get(o.kind as never, o.namespace, o.name) as KObject | undefined;
  }

  request(req: ApiRequest, actor: string): Result {
    const kind = requestKind(req);
    if (!isKind(kind)) return { ok: false, reason: 'BadRequest' };
    const ns = isNamespaced(kind) ? (req.verb === 'create' || req.verb === 'update' ? req.object.metadata?.namespace : req.namespace) || 'default' : '';
    const name = req.verb === 'create' || req.verb === 'update' ? req.object.metadata?.name ?? '' : req.name;
    const cur = this.current({ kind, namespace: ns, name });
    switch (req.verb) {
      case 'create': {
        if (cur) return { ok: false, reason: 'AlreadyExists' };
        const meta = { ...req.object.metadata, ...(ns ? { namespace: ns } : {}), uid: `uid-${++this.uids}`, creationTimestamp: timestamp(this.now) };
        let obj = { ...req.object, metadata: meta } as KObject;
        if (kind === 'PersistentVolumeClaim') obj = { ...obj, metadata: { ...meta, finalizers: ['kubernetes.io/pvc-protection'] }, status: { phase: 'Pending' } } as KObject;
        if (kind === 'PersistentVolume') obj = { ...obj, metadata: { ...meta, finalizers: ['kubernetes.io/pv-protection'] }, status: { phase: 'Pending' } } as KObject;
        if (kind === 'Pod' && !(obj as Pod).status) obj = { ...obj, status: { phase: 'Pending' } } as KObject;
        this.emit('ADDED', obj, undefined, actor);
        return { ok: true };
      }
      case 'update': {
        if (!cur) return { ok: false, reason: 'NotFound' };
        const rv = req.object.metadata?.resourceVersion;
        if (rv !== undefined && rv !== cur.metadata?.resourceVersion) return { ok: false, reason: 'Conflict' };
        const c = cur as KObject & { status?: unknown };
        let next: KObject;
        if (req.subresource === 'status') next = { ...c, status: (req.object as { status?: unknown }).status } as KObject;
        else {
          const { deletionTimestamp: _, ...meta } = req.object.metadata ?? {};
          const deleting = cur.metadata?.deletionTimestamp;
          next = {
            ...req.object, status: c.status,
            metadata: { ...meta, uid: cur.metadata?.uid, creationTimestamp: cur.metadata?.creationTimestamp, ...(deleting ? { deletionTimestamp: deleting } : {}) },
          } as KObject;
        }
        if (next.metadata?.deletionTimestamp !== undefined && (next.metadata.finalizers?.length ?? 0) === 0) this.emit('DELETED', next, cur, actor);
        else this.emit('MODIFIED', next, cur, actor);
        return { ok: true };
      }
      case 'delete': {
        if (!cur) return { ok: false, reason: 'NotFound' };
        if (req.preconditions?.uid !== undefined && req.preconditions.uid !== cur.metadata?.uid) return { ok: false, reason: 'Conflict' };
        if ((cur.metadata?.finalizers?.length ?? 0) > 0) {
          if (cur.metadata?.deletionTimestamp === undefined) this.emit('MODIFIED', { ...cur, metadata: { ...cur.metadata, deletionTimestamp: timestamp(this.now) } } as KObject, cur, actor);
        } else this.emit('DELETED', cur, cur, actor);
        return { ok: true };
      }
      case 'bind': {
        const p = cur as Pod | undefined;
        if (!p) return { ok: false, reason: 'NotFound' };
        if (req.uid !== undefined && req.uid !== p.metadata?.uid) return { ok: false, reason: 'Conflict' };
        if (p.spec?.nodeName) return { ok: false, reason: 'Conflict' };
        const conditions = [...(p.status?.conditions ?? []).filter((x) => x.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True' }];
        this.emit('MODIFIED', { ...p, spec: { ...p.spec!, nodeName: req.nodeName }, status: { ...p.status, conditions } }, p, actor);
        return { ok: true };
      }
      default: return { ok: false, reason: 'BadRequest' };
    }
  }

  private runPlan(step: Step, actor: string): PlanOutcome {
    const succeeded = new Set<string>(), failed = new Set<string>();
    const exec = (s: Step): boolean => {
      switch (s.kind) {
        case 'event': this.events.push({ ...s.event, time: this.now }); return true;
        case 'seq': for (const c of s.steps) if (!exec(c)) return false; return true;
        case 'par': return s.steps.map(exec).every(Boolean);
        case 'write': {
          const r = this.request(s.req, actor);
          if (r.ok || (s.ignore ?? []).includes(r.reason as never)) {
            if (s.tag) succeeded.add(s.tag);
            if (s.onSuccess && r.ok) this.events.push({ ...s.onSuccess, time: this.now });
            return true;
          }
          if (s.tag) failed.add(s.tag);
          return false;
        }
        default: return false;
      }
    };
    const ok = exec(step);
    return { ok, succeeded, failed };
  }

  /** Process queued keys in time order until `untilMs` (virtual). */
  runUntil(untilMs: number, maxSteps = 10_000): void {
    for (let steps = 0; steps < maxSteps; steps++) {
      if (this.queue.length === 0) return;
      this.queue.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.queue[0]!;
      if (next.at > untilMs) { this.now = untilMs; return; }
      this.queue.shift();
      this.now = Math.max(this.now, next.at);
      const c = this.comps[next.comp]!;
      const r = c.def.reconcile({ snapshot: this.store, key: next.key, now: this.now, config: c.config, local: c.local, seed: this.seed });
      if (r.local !== undefined) c.local = r.local;
      const outcome = r.plan ? this.runPlan(r.plan, c.def.name) : { ok: true, succeeded: new Set<string>(), failed: new Set<string>() };
      if (r.onDone) c.local = r.onDone(outcome, c.local);
      if (r.requeueAfterMs !== undefined) this.enqueue(next.comp, next.key, this.now + r.requeueAfterMs);
      if (!outcome.ok || r.error) this.enqueue(next.comp, next.key, this.now + 100);
    }
    throw new Error('step budget exhausted');
  }

  user(req: ApiRequest): void {
    const r = this.request(req, 'user');
    if (!r.ok) throw new Error(`user request failed: ${r.reason}`);
  }

  get<T extends KObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.current({ kind, namespace, name }) as T | undefined;
  }

  eventsFor(name: string): string[] {
    return this.events.filter((e) => e.involved.name === name).map((e) => `${e.type} ${e.reason}: ${e.message}`);
  }

  /** Seq of the first log entry matching. */
  seqOf(pred: (e: Envelope) => boolean): number {
    return this.log.find(pred)?.seq ?? -1;
  }
}

// ---- objects ---------------------------------------------------------------------------------------------
const node = (name: string, o: { unschedulable?: boolean } = {}): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: o.unschedulable ? { unschedulable: true } : {},
  status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pvObj = (name: string, size: string, o: { cls?: string; host?: string } = {}): PersistentVolume => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
  spec: {
    capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: o.cls ?? '', persistentVolumeReclaimPolicy: 'Retain',
    ...(o.host ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.host] }] }] } } } : {}),
  },
});
const claimObj = (name: string, size: string, cls = ''): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, storageClassName: cls },
});
const podObj = (name: string, o: { claim?: string; nodeSelector?: Record<string, string>; nodeName?: string; cpu?: string } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: {
    ...(o.nodeName ? { nodeName: o.nodeName } : {}),
    ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
    containers: [{ name: 'c', image: 'nginx', ...(o.cpu ? { resources: { requests: { cpu: o.cpu } } } : {}) }],
    ...(o.claim ? { volumes: [{ name: 'www', persistentVolumeClaim: { claimName: o.claim } }] } : {}),
  },
  ...(o.nodeName ? { status: { phase: 'Running' } } : {}),
});
const storageClass = (name: string, o: { mode: string; provisioner?: string; params?: Record<string, string> }): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name },
  provisioner: o.provisioner ?? 'kubesim.io/local-path', volumeBindingMode: o.mode, ...(o.params ? { parameters: o.params } : {}),
});

const create = (object: KObject): ApiRequest => ({ verb: 'create', object });
const both = () => new MiniCluster([
  { def: volumeBinder as never, config: defaultVolumeBinderConfig },
  { def: scheduler as never, config: defaultSchedulerConfig },
]);

// ---- flows ----------------------------------------------------------------------------------------------
describe('S52: static binding picks the smallest fitting PV', () => {
  it('a → pv5, b Pending with FailedBinding (once), c → pv10; then S54: pv5 deleted → a Lost', () => {
    const c = both();
    c.user(create(pvObj('pv5', '5Gi')));
    c.user(create(pvObj('pv10', '10Gi')));
    c.runUntil(1_000);
    expect(c.get<PersistentVolume>('PersistentVolume', '', 'pv5')?.status?.phase).toBe('Available');

    c.user(create(claimObj('a', '4Gi')));
    c.runUntil(2_000);
    const a = c.get<PersistentVolumeClaim>('PersistentVolumeClaim', 'default', 'a')!;
    expect(a.spec?.volumeName).toBe('pv5');
    expect(a.status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '5Gi' } });
    expect(c.get<PersistentVolume>('PersistentVolume', '', 'pv5')?.status?.phase).toBe('Bound');

    c.user(create(claimObj('b', '20Gi')));
    c.runUntil(40_000); // two periodic resyncs
    expect(c.get<PersistentVolumeClaim>('PersistentVolumeClaim', 'default', 'b')?.status?.phase).toBe('Pending');
    expect(c.eventsFor('b')).toEqual(['Normal FailedBinding: no persistent volumes available for this claim and no storage class is set']);

    c.user(create(claimObj('c', '4Gi')));
    c.runUntil(41_000);
    expect(c.get<PersistentVolumeClaim>('PersistentVolumeClaim', 'default', 'c')?.spec?.volumeName).toBe('pv10');

    // S54: delete pv5 — the Bound PV stays (pv-protection) until its finalizer is stripped.
    c.user({ verb: 'delete', kind: 'PersistentVolume', namespace: '', name: 'pv5' });
    c.runUntil(42_000);
    const terminating = c.get<PersistentVolume>('PersistentVolume', '', 'pv5')!;
    expect(terminating.metadata?.finalizers).toEqual(['kubernetes.io/pv-protection']);
    expect(c.get<PersistentVolumeClaim>('PersistentVolumeClaim', 'default', 'a')?.status?.phase).toBe('Bound');
    c.user({ verb: 'update', object: { ...terminating, metadata: { ...terminating.metadata, finalizers: [] } } });
    c.runUntil(43_000);
    expect(c.get('PersistentVolume', '', 'pv5')).toBeUndefined();
    expect(c.get<PersistentVolumeClaim>('PersistentVolumeClaim', 'default', 'a')?.status?.phase).toBe('Lost');
    expect(c.eventsFor('a')).toEqual(['Warning ClaimLost: Bound claim has lost its PersistentVolume. Data on the volume is lost!']);
  });

  it('deleting a bound claim releases a Retain PV; pvc-protection waits for its scheduled pod', () => {
    const c = both();
    c.user(create(node('node-a')));
    c.user(create(pvObj('pv5', '5Gi')));
    c.user(create(claimObj('a', '1Gi')));
    c.user(create(podObj('user', { claim: 'a', nodeName: 'node-a' })));
    c.runUntil(1_000);
    c.user({ verb: 'delete', kind: 'PersistentVolumeClaim', namespace: 'default', name: 'a' });
    c.runUntil(2_000);
    expect(c.get('PersistentVolumeClaim', 'default', 'a')).toBeDefined(); // Terminating: the pod uses it
    c.user({ verb: 'delete', kind: 'Pod', namespace: 'default', name: 'user' });
    c.runUntil(3_000);
    expect(c.get('PersistentVolumeClaim', 'default', 'a')).toBeUndefined();
    const pv5 = c.get<PersistentVolume>('PersistentVolume', '', 'pv5')!;
    expect(pv5.status?.phase).toBe('Released');
    expect(pv5.spec?.claimRef?.name).toBe('a');
  });
});

describe('S50: WaitForFirstConsumer', () => {
  it('claim waits, the scheduler selects node-b, a node-local PV is provisioned, the claim binds, then the pod binds', () => {
    const c = both();
    c.user(create(node('node-a')));
    c.user(create(node('node-b')));
    c.user(create(podObj('busy', { nodeName: 'node-a', cpu: '2' }))); // LeastAllocated prefers node-b
    c.user(create(storageClass('wffc', { mode: 'WaitForFirstConsumer', params: { topology: 'node' } })));
    c.user(create(claimObj('www-web-0', '1Gi', 'wffc')));
    c.runUntil(5_000);
    expect(c.eventsFor('www-web-0')).toEqual(['Normal WaitForFirstConsumer: waiting for first consumer to be created before binding']);
    expect(c.store.count('PersistentVolume')).toBe(0);

    c.user(create(podObj('web-0', { claim: 'www-web-0' })));
    c.runUntil(20_000);
    const claimNow = c.get<PersistentVolumeClaim>('PersistentVolumeClaim', 'default', 'www-web-0')!;
    expect(claimNow.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBe('node-b');
    const pvName = `pvc-${claimNow.metadata?.uid}`;
    const pv = c.get<PersistentVolume>('PersistentVolume', '', pvName)!;
    expect(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-b'] }] },
    ]);
    expect(claimNow.status?.phase).toBe('Bound');
    expect(claimNow.spec?.volumeName).toBe(pvName);
    expect(c.get<Pod>('Pod', 'default', 'web-0')?.spec?.nodeName).toBe('node-b');

    // Order: selected-node annotation → PV created → claim Bound → pod bound.
    const annotatedAt = c.seqOf((e) => e.object?.kind === 'PersistentVolumeClaim' && e.object.metadata?.annotations?.['volume.kubernetes.io/selected-node'] === 'node-b');
    const pvAt = c.seqOf((e) => e.type === 'ADDED' && e.object?.metadata?.name === pvName);
    const claimBoundAt = c.seqOf((e) => e.object?.kind === 'PersistentVolumeClaim' && (e.object as PersistentVolumeClaim).status?.phase === 'Bound');
    const podBoundAt = c.seqOf((e) => e.object?.kind === 'Pod' && e.object.metadata?.name === 'web-0' && !!(e.object as Pod).spec?.nodeName);
    expect(annotatedAt).toBeGreaterThan(0);
    expect(pvAt).toBeGreaterThan(annotatedAt);
    expect(claimBoundAt).toBeGreaterThan(pvAt);
    expect(podBoundAt).toBeGreaterThan(claimBoundAt);
    expect(c.eventsFor('www-web-0')).toEqual([
      'Normal WaitForFirstConsumer: waiting for first consumer to be created before binding',
      'Normal ExternalProvisioning: waiting for a volume to be created, either by external provisioner "kubesim.io/local-path" or manually created by system administrator',
      'Normal Provisioning: External provisioner is provisioning volume for claim "default/www-web-0"',
      `Normal ProvisioningSucceeded: Successfully provisioned volume ${pvName}`,
    ]);
    expect(c.eventsFor('web-0')).toEqual(['Normal Scheduled: Successfully assigned default/web-0 to node-b']);

    // A later incarnation of web-0 can only run on node-b.
    c.user({ verb: 'delete', kind: 'Pod', namespace: 'default', name: 'web-0' });
    c.user({ verb: 'update', object: { ...c.get<Node>('Node', '', 'node-b')!, spec: { unschedulable: true } } });
    c.user(create(podObj('web-0', { claim: 'www-web-0' })));
    c.runUntil(25_000);
    expect(c.get<Pod>('Pod', 'default', 'web-0')?.spec?.nodeName).toBeUndefined();
    expect(c.eventsFor('web-0').at(-1)).toBe(
      'Warning FailedScheduling: 0/2 nodes are available: 1 node(s) had volume node affinity conflict, 1 node(s) were unschedulable.',
    );
  });

  it('a static local PV is pre-bound by the scheduler, bound by the PV controller, and the pod follows it', () => {
    const c = both();
    c.user(create(node('node-a')));
    c.user(create(node('node-b')));
    c.user(create(storageClass('local', { mode: 'WaitForFirstConsumer', provisioner: 'kubernetes.io/no-provisioner' })));
    c.user(create(pvObj('local-b', '10Gi', { cls: 'local', host: 'node-b' })));
    c.user(create(claimObj('data', '1Gi', 'local')));
    c.user(create(podObj('db', { claim: 'data' })));
    c.runUntil(10_000);
    expect(c.get<PersistentVolumeClaim>('PersistentVolumeClaim', 'default', 'data')?.spec?.volumeName).toBe('local-b');
    expect(c.get<PersistentVolumeClaim>('PersistentVolumeClaim', 'default', 'data')?.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBeUndefined();
    expect(c.get<Pod>('Pod', 'default', 'db')?.spec?.nodeName).toBe('node-b');
  });
});

describe('S38 (scheduling side): cordon and uncordon', () => {
  it('a pod pinned to a cordoned node waits with FailedScheduling, and is bound after uncordon', () => {
    const c = both();
    c.user(create(node('node-a')));
    c.user(create(node('node-b', { unschedulable: true })));
    c.user(create(podObj('web-0', { nodeSelector: { 'kubernetes.io/hostname': 'node-b' } })));
    c.runUntil(30_000);
    const pending = c.get<Pod>('Pod', 'default', 'web-0')!;
    expect(pending.spec?.nodeName).toBeUndefined();
    const msg = "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable.";
    expect(pending.status?.conditions).toEqual([{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: msg, lastTransitionTime: timestamp(0) }]);
    expect(new Set(c.eventsFor('web-0'))).toEqual(new Set([`Warning FailedScheduling: ${msg}`]));
    c.user({ verb: 'update', object: { ...c.get<Node>('Node', '', 'node-b')!, spec: {} } });
    const uncordonedAt = c.now;
    c.runUntil(uncordonedAt + 10_000);
    expect(c.get<Pod>('Pod', 'default', 'web-0')?.spec?.nodeName).toBe('node-b');
  });
});
