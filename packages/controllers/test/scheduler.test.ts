import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  seededBetween, timestamp, type KObject, type Node, type PersistentVolume, type PersistentVolumeClaim, type Pod, type StorageClass,
} from '@kubesim/api';
import { eventsOf, writesOf, type ReconcileResult } from '../src/framework/index.js';
import {
  balancedAllocationScore, defaultSchedulerConfig, imageLocalityScore, initialSchedulerLocal, numFeasibleNodesToFind, podImages, scheduler, schedulerImageName, schedulerKeysFor, schedulerObserve,
  schedulePod, SchedulerCache, type SchedulerConfig, type SchedulerLocal,
} from '../src/scheduler/index.js';
import { makeSnapshot } from './util.js';

// ---- builders ----------------------------------------------------------------------------------------
interface NodeOpts {
  labels?: Record<string, string>; unschedulable?: boolean; taints?: { key: string; value?: string; effect: string }[];
  ready?: 'True' | 'False' | 'Unknown'; cpu?: string; memory?: string; pods?: string;
}
const node = (name: string, o: NodeOpts = {}): Node => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name, uid: `uid-${name}`, resourceVersion: '1', labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
  spec: { ...(o.unschedulable ? { unschedulable: true } : {}), ...(o.taints ? { taints: o.taints } : {}) },
  status: {
    allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', ...(o.pods ? { pods: o.pods } : {}) },
    conditions: [{ type: 'Ready', status: o.ready ?? 'True' }],
  },
});

const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

interface PodOpts {
  nodeName?: string; cpu?: string; memory?: string; nodeSelector?: Record<string, string>; claims?: string[];
  phase?: string; hostPort?: number; tolerations?: unknown[]; conditions?: unknown[]; uid?: string; gates?: boolean;
}
const pod = (name: string, o: PodOpts = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', uid: o.uid ?? `uid-${name}`, resourceVersion: '5' },
  spec: {
    ...(o.nodeName ? { nodeName: o.nodeName } : {}),
    ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
    ...(o.gates ? { schedulingGates: [{ name: 'example.com/wait' }] } : {}),
    tolerations: [...DEFAULT_TOLERATIONS, ...((o.tolerations ?? []) as typeof DEFAULT_TOLERATIONS)],
    containers: [{
      name: 'c', image: 'nginx',
      ...(o.cpu || o.memory ? { resources: { requests: { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) } } } : {}),
      ...(o.hostPort ? { ports: [{ containerPort: 80, hostPort: o.hostPort }] } : {}),
    }],
    volumes: (o.claims ?? []).map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })),
  },
  status: { phase: o.phase ?? 'Pending', ...(o.conditions ? { conditions: o.conditions as never } : {}) },
});

const claim = (name: string, o: { cls?: string; volumeName?: string; bound?: boolean; selectedNode?: string; deleting?: boolean; phase?: string } = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: {
    name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7',
    annotations: {
      ...(o.bound ? { 'pv.kubernetes.io/bind-completed': 'yes' } : {}),
      ...(o.selectedNode ? { 'volume.kubernetes.io/selected-node': o.selectedNode } : {}),
    },
    ...(o.deleting ? { deletionTimestamp: timestamp(0) } : {}),
  },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: o.cls ?? '', ...(o.volumeName ? { volumeName: o.volumeName } : {}) },
  status: { phase: o.phase ?? (o.bound ? 'Bound' : 'Pending') },
});

const localPv = (name: string, host: string | undefined, o: { cls?: string; claimRef?: Record<string, string>; phase?: string } = {}): PersistentVolume => ({
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: { name, uid: `uid-${name}`, resourceVersion: '9' },
  spec: {
    capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: o.cls ?? '',
    ...(o.claimRef ? { claimRef: o.claimRef } : {}),
    ...(host ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host] }] }] } } } : {}),
  },
  status: { phase: o.phase ?? 'Available' },
});

const sc = (name: string, mode: string, provisioner = 'kubesim.io/hostpath'): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, volumeBindingMode: mode,
});

const SEED = 42;
const run = (
  objects: KObject[], key: string, o: { now?: number; local?: SchedulerLocal; config?: Partial<SchedulerConfig> } = {},
): ReconcileResult<SchedulerLocal> => schedulePod({
  snapshot: makeSnapshot(objects, scheduler.indexes), key, now: o.now ?? 1000, config: { ...defaultSchedulerConfig, ...(o.config ?? {}) },
  local: o.local ?? initialSchedulerLocal(), seed: SEED,
});

const boundTo = (res: ReconcileResult<SchedulerLocal>): string | undefined => {
  const b = writesOf(res.plan).find((r) => r.verb === 'bind');
  return b?.verb === 'bind' ? b.nodeName : undefined;
};

const failureMessage = (res: ReconcileResult<SchedulerLocal>): string | undefined =>
  eventsOf(res.plan).find((e) => e.reason === 'FailedScheduling')?.message;

// ---- filters and the FitError message ----------------------------------------------------------------
describe('scheduler: filters and FailedScheduling', () => {
  it('aggregates per-node reasons like FitError (example of the brief)', () => {
    const taint = [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }];
    const res = run([
      node('node-a'), node('node-b', { taints: taint }), node('node-c', { taints: taint }),
      pod('web-0', { nodeSelector: { disk: 'ssd' } }),
    ], 'default/web-0');
    // node-a fails NodeAffinity; node-b/c fail TaintToleration first.
    expect(failureMessage(res)).toBe(
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {node.kubernetes.io/unschedulable: }.",
    );
  });

  it('cordon: FailedScheduling event, PodScheduled=False/Unschedulable status write, parked until an event or the 5-minute flush', () => {
    const res = run([node('node-a', { unschedulable: true }), pod('web-0')], 'default/web-0', { now: 5000 });
    const msg = '0/1 nodes are available: 1 node(s) were unschedulable.';
    expect(eventsOf(res.plan)).toEqual([{
      type: 'Warning', reason: 'FailedScheduling', message: msg,
      involved: { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'uid-web-0' },
    }]);
    const w = writesOf(res.plan);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ verb: 'update', subresource: 'status' });
    const updated = (w[0] as { object: Pod }).object;
    expect(updated.metadata?.resourceVersion).toBe('5');
    expect(updated.status?.conditions).toEqual([
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: msg, lastTransitionTime: timestamp(5000) },
    ]);
    // A pod with a generation (every pod the API server created) has it stamped on the condition.
    const gen = pod('web-0');
    const withGen = run([node('node-a', { unschedulable: true }), { ...gen, metadata: { ...gen.metadata, generation: 3 } }], 'default/web-0', { now: 5000 });
    expect((writesOf(withGen.plan)[0] as { object: Pod }).object.status?.conditions?.[0]).toMatchObject({ type: 'PodScheduled', observedGeneration: 3, status: 'False' });
    expect(res.requeueAfterMs).toBe(300_000);
    expect(res.local?.attempts.get('uid-web-0')).toEqual({ count: 1, lastFailureMs: 5000, parked: true, seq: 0 });
  });

  it('an error (no nodes at all) is retried after a backoff that doubles, caps at 10 s and gates early retries', () => {
    const objs = [pod('web-0')];
    let local = initialSchedulerLocal();
    let now = 0;
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = run(objs, 'default/web-0', { now, local });
      delays.push(r.requeueAfterMs!);
      local = r.local!;
      now += r.requeueAfterMs!;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
    expect(local.attempts.get('uid-web-0')).toMatchObject({ count: 6, parked: false });
    const early = run(objs, 'default/web-0', { now: now - 3000, local });
    expect(early.plan).toBeUndefined();
    expect(early.requeueAfterMs).toBe(3000);
  });

  it('a parked pod woken during its backoff waits out the rest of it; an unchanged condition is not rewritten', () => {
    const cordoned = node('node-a', { unschedulable: true });
    const first = run([cordoned, pod('web-0')], 'default/web-0', { now: 0 });
    expect(first.requeueAfterMs).toBe(300_000);
    // An event woke it 400 ms later: into the backoff queue for the remaining 600 ms.
    const early = run([cordoned, pod('web-0')], 'default/web-0', { now: 400, local: first.local! });
    expect(early.plan).toBeUndefined();
    expect(early.requeueAfterMs).toBe(600);
    // [moveToBackoffQ]: no longer parked, so further events pass it by until the backoff expires.
    expect(early.local?.attempts.get('uid-web-0')).toEqual({ ...first.local!.attempts.get('uid-web-0')!, parked: false });
    const msg = '0/1 nodes are available: 1 node(s) were unschedulable.';
    const same = pod('web-0', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: msg }] });
    const r = run([cordoned, same], 'default/web-0');
    expect(writesOf(r.plan)).toEqual([]);
    expect(failureMessage(r)).toBe(msg);
    // The attempt count is derived from the condition when local state is empty: the second attempt.
    expect(r.local?.attempts.get('uid-web-0')).toMatchObject({ count: 2, parked: true });
    expect(r.requeueAfterMs).toBe(300_000);
  });

  it('a node that is not Ready carries the not-ready taint (unreachable for Unknown)', () => {
    const res = run([node('node-a', { ready: 'False' }), node('node-b', { ready: 'Unknown' }), pod('web-0')], 'default/web-0');
    expect(failureMessage(res)).toBe(
      '0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.',
    );
  });

  it('taints with values, and tolerations', () => {
    const taints = [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }];
    expect(failureMessage(run([node('node-a', { taints }), pod('web-0')], 'default/web-0'))).toBe(
      '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: db}.',
    );
    const tolerant = pod('web-0', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] });
    expect(boundTo(run([node('node-a', { taints }), tolerant], 'default/web-0'))).toBe('node-a');
    const prefer = [{ key: 'soft', effect: 'PreferNoSchedule' }];
    expect(boundTo(run([node('node-a', { taints: prefer }), pod('web-0')], 'default/web-0'))).toBe('node-a');
  });

  it('resources: Too many pods, Insufficient cpu and memory (one node can fail several), host ports', () => {
    const res = run([
      node('node-a', { pods: '1' }), pod('old', { nodeName: 'node-a', phase: 'Running' }),
      node('node-b', { cpu: '500m', memory: '1Gi' }),
      node('node-c', { cpu: '500m', memory: '4Gi' }),
      pod('web-0', { cpu: '800m', memory: '2Gi' }),
    ], 'default/web-0');
    // node-b fails cpu and memory, node-c cpu: histogram strings sorted as strings (Go sort.Strings), count first.
    expect(failureMessage(res)).toBe(
      '0/3 nodes are available: 1 Insufficient memory, 1 Too many pods, 2 Insufficient cpu.',
    );
    const ports = run([
      node('node-a'), pod('old', { nodeName: 'node-a', phase: 'Running', hostPort: 8080 }), pod('web-0', { hostPort: 8080 }),
    ], 'default/web-0');
    expect(failureMessage(ports)).toBe("0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
  });

  it('finished pods do not use node resources', () => {
    const res = run([
      node('node-a', { pods: '1' }), pod('done', { nodeName: 'node-a', phase: 'Succeeded' }), pod('web-0'),
    ], 'default/web-0');
    expect(boundTo(res)).toBe('node-a');
  });

  it('no nodes at all: "no nodes available to schedule pods" (SchedulerError)', () => {
    const res = run([pod('web-0')], 'default/web-0');
    expect(failureMessage(res)).toBe('no nodes available to schedule pods');
    expect(((writesOf(res.plan)[0] as { object: Pod }).object.status?.conditions ?? [])[0]?.reason).toBe('SchedulerError');
  });

  it('a pod with scheduling gates is not scheduled (SchedulingGated, no event)', () => {
    const res = run([node('node-a'), pod('web-0', { gates: true })], 'default/web-0');
    expect(eventsOf(res.plan)).toEqual([]);
    const cond = ((writesOf(res.plan)[0] as { object: Pod }).object.status?.conditions ?? [])[0];
    expect(cond).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' });
  });
});

// ---- placement -----------------------------------------------------------------------------------------
describe('scheduler: placement', () => {
  it('nodeSelector pins the pod; bind carries the pod uid and records Scheduled', () => {
    const res = run([node('node-a'), node('node-b'), node('node-c'), pod('web-0', { nodeSelector: { 'kubernetes.io/hostname': 'node-b' } })], 'default/web-0');
    expect(writesOf(res.plan)).toEqual([{ verb: 'bind', namespace: 'default', name: 'web-0', nodeName: 'node-b', uid: 'uid-web-0' }]);
    expect(eventsOf(res.plan).map((e) => [e.type, e.reason, e.message])).toEqual([['Normal', 'Scheduled', 'Successfully assigned default/web-0 to node-b']]);
    expect(res.local?.assumed.get('uid-web-0')).toMatchObject({ node: 'node-b', binding: true });
  });

  it('required node affinity (In / NotIn / Exists)', () => {
    const p = pod('web-0');
    const withAffinity = (exprs: unknown[]): Pod => ({
      ...p, spec: { ...p.spec!, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs as never }] } } } },
    });
    const nodes = [node('node-a', { labels: { zone: 'z1' } }), node('node-b', { labels: { zone: 'z2', gpu: 'yes' } })];
    expect(boundTo(run([...nodes, withAffinity([{ key: 'zone', operator: 'In', values: ['z2'] }])], 'default/web-0'))).toBe('node-b');
    expect(boundTo(run([...nodes, withAffinity([{ key: 'zone', operator: 'NotIn', values: ['z2'] }])], 'default/web-0'))).toBe('node-a');
    expect(boundTo(run([...nodes, withAffinity([{ key: 'gpu', operator: 'Exists' }])], 'default/web-0'))).toBe('node-b');
  });

  it('LeastAllocated picks the node with the smallest requested fraction; non-zero defaults count', () => {
    const nodes = [node('node-a'), node('node-b'), node('node-c')];
    const busy = [pod('x', { nodeName: 'node-a', phase: 'Running', cpu: '2' }), pod('y', { nodeName: 'node-c', phase: 'Running', memory: '4Gi' })];
    expect(boundTo(run([...nodes, ...busy, pod('web-0')], 'default/web-0'))).toBe('node-b');
    // Pods without requests count 100m / 200Mi for scoring: the node with fewer such pods wins.
    const idle = [pod('i1', { nodeName: 'node-a', phase: 'Running' }), pod('i2', { nodeName: 'node-a', phase: 'Running' }), pod('i3', { nodeName: 'node-b', phase: 'Running' })];
    expect(boundTo(run([node('node-a'), node('node-b'), ...idle, pod('web-0')], 'default/web-0'))).toBe('node-b');
  });

  it('BalancedAllocation ([balancedResourceScorer], 1.35): (1 − |f_cpu − f_mem| / 2) × 100 on actual requests, capped fractions; 0 for a best-effort pod', () => {
    // Kubernetes' balanced_allocation_test: a pod of 3000m / 5000 on empty nodes of 4000m / 10000 and 6000m / 10000.
    expect(balancedAllocationScore(3000, 5000, 0, 4000, 0, 10000)).toBe(87);
    expect(balancedAllocationScore(3000, 5000, 0, 6000, 0, 10000)).toBe(100);
    // … on nodes of 10000m / 20000 already requesting 3000m / 0 and 3000m / 5000.
    expect(balancedAllocationScore(3000, 5000, 3000, 10000, 0, 20000)).toBe(82);
    expect(balancedAllocationScore(3000, 5000, 3000, 10000, 5000, 20000)).toBe(95);
    expect(balancedAllocationScore(0, 0, 3000, 10000, 0, 20000)).toBe(0);
    // A fraction over 1 counts as 1; a resource the node has none of is left out (std 0).
    expect(balancedAllocationScore(8000, 1000, 0, 4000, 0, 10000)).toBe(55);
    expect(balancedAllocationScore(1000, 1000, 0, 0, 0, 10000)).toBe(100);
  });

  it('BalancedAllocation, 1.36 (kubernetes#135573): the change of balance the pod causes, 50 + ⌊(50 + with − without) / 2⌋', () => {
    const change = (pc: number, pm: number, uc: number, ac: number, um: number, am: number) => balancedAllocationScore(pc, pm, uc, ac, um, am, true);
    // The examples above: with the pod 87, 82, 95; without it 100, 85, 97.
    expect(change(3000, 5000, 0, 4000, 0, 10000)).toBe(68);
    expect(change(3000, 5000, 3000, 10000, 0, 20000)).toBe(73);
    expect(change(3000, 5000, 3000, 10000, 5000, 20000)).toBe(74);
    // No change 75; perfectly balanced to perfectly unbalanced 50; the reverse 100; a best-effort pod still 0.
    expect(change(500, 500, 500, 2000, 500, 2000)).toBe(75);
    expect(change(1000, 0, 0, 1000, 0, 1000)).toBe(50);
    expect(change(0, 1000, 1000, 1000, 0, 1000)).toBe(100);
    expect(change(0, 0, 1000, 1000, 0, 1000)).toBe(0);
    // Where the two disagree: node-a holds 3Gi of memory and no CPU, node-b 1 CPU and 2Gi; a pod of 500m / 1Gi
    // is more balanced on node-b (1.35), but balances node-a more (1.36).
    const nodes = [node('node-a'), node('node-b')];
    const usage = [pod('a-0', { nodeName: 'node-a', cpu: '0', memory: '3Gi' }), pod('b-0', { nodeName: 'node-b', cpu: '1', memory: '2Gi' })];
    const incoming = pod('web-0', { cpu: '500m', memory: '1Gi' });
    expect(boundTo(run([...nodes, ...usage, incoming], 'default/web-0'))).toBe('node-b');
    expect(boundTo(run([...nodes, ...usage, incoming], 'default/web-0', { config: { balanceChangeScore: true } }))).toBe('node-a');
  });

  it('ImageLocality weighs 1: a node listing the pod\'s image by the name the pod gives scores by the image\'s size scaled by its spread; a short name never matches the runtime\'s docker.io/library/ form', () => {
    const MB = 1024 * 1024;
    const listing = (n: Node, names: string[], sizeBytes: number): Node => ({ ...n, status: { ...n.status, images: [{ names, sizeBytes }] } });
    const withImage = (p: Pod, image: string): Pod => ({ ...p, spec: { ...p.spec!, containers: [{ ...p.spec!.containers[0]!, image }] } });
    // 500 MB on one node of three: trunc(500 MB × 1/3) = 166.67 MB → 100 × (166.67 − 23) / (1000 − 23) = 14.
    const img = podImages(withImage(pod('w'), 'registry.example.com/db:1'), new Map([['registry.example.com/db:1', { size: 500 * MB, nodes: new Set(['node-b']) }]]), 3)!;
    expect(imageLocalityScore(img, 'node-b')).toBe(14);
    expect(imageLocalityScore(img, 'node-a')).toBe(0);
    // Below 23 MB nothing; past 1000 MB per container the score is 100; an untagged name is :latest.
    expect(imageLocalityScore(podImages(withImage(pod('w'), 'x/y'), new Map([['x/y:latest', { size: 60 * MB, nodes: new Set(['a']) }]]), 3)!, 'a')).toBe(0);
    expect(imageLocalityScore(podImages(withImage(pod('w'), 'x/y'), new Map([['x/y:latest', { size: 3000 * MB, nodes: new Set(['a', 'b']) }]]), 2)!, 'a')).toBe(100);
    expect(schedulerImageName('nginx')).toBe('nginx:latest');
    expect(schedulerImageName('localhost:5000/app')).toBe('localhost:5000/app:latest');
    // End to end: three equal nodes — the seeded choice among them is node-c — the image on node-a only.
    const bare = [node('node-a'), node('node-b'), node('node-c')];
    expect(boundTo(run([...bare, withImage(pod('web-0', { cpu: '100m', memory: '128Mi' }), 'registry.example.com/db:1')], 'default/web-0'))).toBe('node-c');
    const nodes = [listing(node('node-a'), ['registry.example.com/db@sha256:00', 'registry.example.com/db:1'], 500 * MB), node('node-b'), node('node-c')];
    expect(boundTo(run([...nodes, withImage(pod('web-0', { cpu: '100m', memory: '128Mi' }), 'registry.example.com/db:1')], 'default/web-0'))).toBe('node-a');
    // The same image under its short name on the pod: the runtime lists docker.io/library/…, nothing matches.
    const short = [listing(node('node-a'), ['docker.io/library/db:1'], 500 * MB), node('node-b'), node('node-c')];
    expect(boundTo(run([...short, withImage(pod('web-0', { cpu: '100m', memory: '128Mi' }), 'db:1')], 'default/web-0'))).toBe('node-c');
  });

  it('ImageLocality\'s image states follow the nodes: a node that lists an image more counts at once, one that lists it no more stops counting', () => {
    const listing = (n: Node, names: string[], sizeBytes = 100): Node => ({ ...n, status: { ...n.status, images: [{ names, sizeBytes }] } });
    const cache = new SchedulerCache();
    const a = listing(node('node-a'), ['r/x:1']);
    const objs = [a, node('node-b')];
    const states = cache.imageStates(makeSnapshot(objs, scheduler.indexes));
    expect([...states.get('r/x:1')!.nodes]).toEqual(['node-a']);
    cache.nodeChanged('node-b', listing(node('node-b'), ['r/x:1', 'r/y:2']));
    expect([...cache.imageStates(makeSnapshot(objs, scheduler.indexes)).get('r/x:1')!.nodes].sort()).toEqual(['node-a', 'node-b']);
    cache.nodeChanged('node-a', node('node-a'));
    const after = cache.imageStates(makeSnapshot(objs, scheduler.indexes));
    expect([...after.get('r/x:1')!.nodes]).toEqual(['node-b']);
    expect(after.get('r/y:2')?.size).toBe(100);
    cache.nodeChanged('node-b', node('node-b'));
    expect(cache.imageStates(makeSnapshot(objs, scheduler.indexes)).size).toBe(0);
  });

  it('BalancedAllocation weighs 1 beside LeastAllocated: it can move a pod with requests; a best-effort pod is placed by LeastAllocated alone', () => {
    // node-a: 64 CPUs, 8Gi; node-b: 4 CPUs, 8Gi. A pod of 1 CPU / 2Gi: LeastAllocated a 86, b 75; BalancedAllocation a 88, b 100.
    const nodes = [node('node-a', { cpu: '64', memory: '8Gi' }), node('node-b', { cpu: '4', memory: '8Gi' })];
    expect(boundTo(run([...nodes, pod('web-0', { cpu: '1', memory: '2Gi' })], 'default/web-0'))).toBe('node-b');
    // The same pod with a slow-path feature (a host port) is scored the same way.
    const withPort = pod('web-0', { cpu: '1', memory: '2Gi' });
    withPort.spec!.containers[0]!.ports = [{ containerPort: 80, hostPort: 8080 }];
    expect(boundTo(run([...nodes, withPort], 'default/web-0'))).toBe('node-b');
    expect(boundTo(run([...nodes, pod('web-0')], 'default/web-0'))).toBe('node-a');
  });

  it('PodTopologySpread score, system defaults: pods its Services and controller select, fewest on the node wins (weight 2); terminating and unselected pods do not count', () => {
    const labelled = (p: Pod, labels: Record<string, string>, extra: Partial<NonNullable<Pod['metadata']>> = {}): Pod => ({ ...p, metadata: { ...p.metadata, labels, ...extra } });
    // node-a is far bigger: LeastAllocated alone keeps stacking pods there.
    const nodes = [node('node-a', { cpu: '64', memory: '256Gi' }), node('node-b')];
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', uid: 'uid-svc' }, spec: { clusterIP: 'None', selector: { app: 'web' } } } as KObject;
    const running = labelled(pod('web-0', { nodeName: 'node-a', phase: 'Running' }), { app: 'web' });
    const next = labelled(pod('web-1'), { app: 'web' });
    // Nothing selects the pods: no default constraint.
    expect(boundTo(run([...nodes, running, next], 'default/web-1'))).toBe('node-a');
    // The Service selects both: node-a raw round(1·ln 4 + 2) = 3, node-b 2 → 66 and 100, weighing 2.
    expect(boundTo(run([...nodes, svc, running, next], 'default/web-1'))).toBe('node-b');
    // A terminating pod is not counted; nor a pod the selector does not match.
    expect(boundTo(run([...nodes, svc, labelled(running, { app: 'web' }, { deletionTimestamp: timestamp(500) }), next], 'default/web-1'))).toBe('node-a');
    expect(boundTo(run([...nodes, svc, labelled(running, { app: 'db' }), next], 'default/web-1'))).toBe('node-a');
    // The controller's selector alone (a StatefulSet owning the pods, no Service) is enough.
    const owner = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-sts', controller: true }] };
    const set = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'uid-sts' }, spec: { selector: { matchLabels: { app: 'web' } } } } as unknown as KObject;
    expect(boundTo(run([...nodes, set, labelled(running, { app: 'web' }, owner), labelled(next, { app: 'web' }, owner)], 'default/web-1'))).toBe('node-b');
    // A pod the scheduler has assumed on node-a counts there.
    const first = run([...nodes, svc, labelled(pod('web-0'), { app: 'web' }), next], 'default/web-0');
    expect(boundTo(first)).toBe('node-a');
    expect(boundTo(run([...nodes, svc, labelled(pod('web-0'), { app: 'web' }), next], 'default/web-1', { local: first.local! }))).toBe('node-b');
  });

  it('PodTopologySpread score, ScheduleAnyway constraints: counts per domain of the key; a node without the key scores 0', () => {
    const nodes = [
      node('node-a', { labels: { zone: 'z1' } }), node('node-b', { labels: { zone: 'z1' } }), node('node-c', { cpu: '2', labels: { zone: 'z2' } }),
      node('node-d', { cpu: '16', memory: '64Gi' }),
    ];
    const mk = (name: string, o: PodOpts = {}): Pod => { const p = pod(name, o); return { ...p, metadata: { ...p.metadata, labels: { app: 'web' } } }; };
    const placed = [mk('x', { nodeName: 'node-a', phase: 'Running' }), mk('y', { nodeName: 'node-a', phase: 'Running' })];
    const soft = (p: Pod): Pod => ({ ...p, spec: { ...p.spec!, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }] } });
    // Without the constraint node-d (16 CPUs, no pods) wins on LeastAllocated.
    expect(boundTo(run([...nodes, ...placed, mk('web-0')], 'default/web-0'))).toBe('node-d');
    // z1 holds 2 matching pods, z2 none: node-a and node-b raw 3, node-c 0 → 0, 0, 100; node-d lacks the key: 0.
    expect(boundTo(run([...nodes, ...placed, soft(mk('web-0'))], 'default/web-0'))).toBe('node-c');
  });

  it('NodeAffinity score: preferred terms weigh 2 against LeastAllocated\'s 1, normalized by the best node\'s weight sum', () => {
    const p = pod('web-0');
    const preferring = (terms: { weight: number; preference: unknown }[]): Pod => ({
      ...p, spec: { ...p.spec!, affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms as never } } },
    });
    const ssd = { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] };
    const z1 = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] };
    // Without a preference LeastAllocated and a seeded tie-break would spread the pods; here the node matching both terms wins.
    const three = [node('node-a', { labels: { disk: 'hdd' } }), node('node-b', { labels: { disk: 'ssd' } }), node('node-c', { labels: { disk: 'ssd', zone: 'z1' } })];
    expect(boundTo(run([...three, preferring([{ weight: 1, preference: ssd }, { weight: 1, preference: z1 }])], 'default/web-0'))).toBe('node-c');
    // Raw sums a 20, b 80, c 80, normalized by 80: 25, 100, 100. node-c is busier (LeastAllocated 72 against 97):
    // a 97 + 2·25 = 147, b 97 + 2·100 = 297, c 72 + 2·100 = 272.
    const nodes = [node('node-a', { labels: { disk: 'hdd', zone: 'z1' } }), node('node-b', { labels: { disk: 'ssd' } }), node('node-c', { labels: { disk: 'ssd' } })];
    const busy = pod('x', { nodeName: 'node-c', phase: 'Running', cpu: '1', memory: '2Gi' });
    expect(boundTo(run([...nodes, busy, preferring([{ weight: 80, preference: ssd }, { weight: 20, preference: z1 }])], 'default/web-0'))).toBe('node-b');
    // LeastAllocated (0–100) cannot make up 2·(100 − 25) points: with b and c nearly full (22 against 97) they still win.
    const fuller = [busy, pod('y', { nodeName: 'node-b', phase: 'Running', cpu: '3', memory: '6Gi' }), pod('z', { nodeName: 'node-c', phase: 'Running', cpu: '2', memory: '4Gi' })];
    expect(['node-b', 'node-c']).toContain(boundTo(run([...nodes, ...fuller, preferring([{ weight: 80, preference: ssd }, { weight: 20, preference: z1 }])], 'default/web-0')));
    // An empty preference matches no node: the score is 0 everywhere and LeastAllocated decides.
    expect(boundTo(run([...nodes, busy, pod('w', { nodeName: 'node-b', phase: 'Running', cpu: '1' }), preferring([{ weight: 50, preference: {} }])], 'default/web-0'))).toBe('node-a');
  });

  it('TaintToleration score: nodes with PreferNoSchedule taints the pod does not tolerate come last; a tolerated taint does not count', () => {
    const soft = (key: string) => ({ key, value: 'x', effect: 'PreferNoSchedule' });
    const nodes = [node('node-a', { taints: [soft('old'), soft('slow')] }), node('node-b', { taints: [soft('old')] }), node('node-c')];
    expect(boundTo(run([...nodes, pod('web-0')], 'default/web-0'))).toBe('node-c');
    // Raw counts a 2, b 1, c 0, reversed: 0, 50, 100, weighing 3. node-c busier (LeastAllocated 22 against 97):
    // c 22 + 300 = 322 still beats b 97 + 150 = 247.
    const busy = pod('x', { nodeName: 'node-c', phase: 'Running', cpu: '3', memory: '6Gi' });
    expect(boundTo(run([...nodes, busy, pod('web-0')], 'default/web-0'))).toBe('node-c');
    // Tolerating both keys (effect PreferNoSchedule, or any effect) makes the taints irrelevant: LeastAllocated picks a or b.
    const tolerant = pod('web-1', { tolerations: [{ key: 'old', operator: 'Exists', effect: 'PreferNoSchedule' }, { key: 'slow', operator: 'Exists' }] });
    expect(['node-a', 'node-b']).toContain(boundTo(run([...nodes, busy, tolerant], 'default/web-1')));
    // A NoSchedule toleration does not count for the score.
    const wrongEffect = pod('web-2', { tolerations: [{ key: 'old', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(boundTo(run([...nodes, wrongEffect], 'default/web-2'))).toBe('node-c');
  });

  it('equal scores: fewest pods, then a seeded uniform choice keyed by pod uid and attempt', () => {
    const nodes = ['n0', 'n1', 'n2', 'n3'].map((n) => node(n));
    const chosen = boundTo(run([...nodes, pod('web-0')], 'default/web-0'));
    const expectIdx = Math.floor(seededBetween(SEED, 'uid-web-0:0', 0, 4));
    expect(chosen).toBe(`n${expectIdx}`);
    // A different pod may land elsewhere, but always deterministically.
    expect(boundTo(run([...nodes, pod('web-1')], 'default/web-1'))).toBe(`n${Math.floor(seededBetween(SEED, 'uid-web-1:0', 0, 4))}`);
  });

  it('an assumed (binding) pod counts on its node until the informer shows it bound', () => {
    const objs = [node('node-a', { pods: '1' }), pod('web-0'), pod('web-1')];
    const first = run(objs, 'default/web-0');
    expect(boundTo(first)).toBe('node-a');
    const second = run(objs, 'default/web-1', { local: first.local! });
    expect(failureMessage(second)).toBe('0/1 nodes are available: 1 Too many pods.');
    // The bind of web-0 fails: onDone forgets the assumption.
    const after = first.onDone!({ ok: false, succeeded: new Set(), failed: new Set(['bind']) }, first.local!);
    expect(after.assumed.has('uid-web-0')).toBe(false);
    // A pod being bound is not scheduled twice; it is looked at again when the assumption expires.
    const again = run(objs, 'default/web-0', { local: first.local!, now: 1000 });
    expect(again.plan).toBeUndefined();
    expect(again.requeueAfterMs).toBe(30_000);
  });

  it('a ReadWriteOncePod claim already used by another pod makes every node fail', () => {
    const c = { ...claim('data', { bound: true, volumeName: 'pv1' }), spec: { ...claim('data').spec, accessModes: ['ReadWriteOncePod'], volumeName: 'pv1' } };
    const res = run([node('node-a'), localPv('pv1', undefined), c, pod('other', { nodeName: 'node-a', phase: 'Running', claims: ['data'] }), pod('web-0', { claims: ['data'] })], 'default/web-0');
    expect(failureMessage(res)).toBe('0/1 nodes are available: 1 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode.');
  });
});

// ---- volumes (§3.6) ----------------------------------------------------------------------------------------
describe('scheduler: VolumeBinding', () => {
  const nodes = [node('node-a'), node('node-b'), node('node-c')];

  it('a pod whose bound PV has node affinity goes to that node; elsewhere: volume node affinity conflict', () => {
    const objs = [...nodes, claim('data', { bound: true, volumeName: 'pv-b' }), localPv('pv-b', 'node-b', { phase: 'Bound' }), pod('web-0', { claims: ['data'] })];
    expect(boundTo(run(objs, 'default/web-0'))).toBe('node-b');
    const cordoned = [node('node-a'), node('node-b', { unschedulable: true }), node('node-c'), ...objs.slice(3)];
    expect(failureMessage(run(cordoned, 'default/web-0'))).toBe(
      '0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) had volume node affinity conflict.',
    );
  });

  it('PreFilter rejections: missing claim, claim being deleted, Lost claim, unbound immediate claim', () => {
    expect(failureMessage(run([...nodes, pod('web-0', { claims: ['data'] })], 'default/web-0'))).toBe(
      '0/3 nodes are available: persistentvolumeclaim "data" not found.',
    );
    expect(failureMessage(run([...nodes, claim('data', { deleting: true }), pod('web-0', { claims: ['data'] })], 'default/web-0'))).toBe(
      '0/3 nodes are available: persistentvolumeclaim "data" is being deleted.',
    );
    expect(failureMessage(run([...nodes, claim('data', { bound: true, volumeName: 'pv9', phase: 'Lost' }), pod('web-0', { claims: ['data'] })], 'default/web-0'))).toBe(
      '0/3 nodes are available: persistentvolumeclaim "data" bound to non-existent persistentvolume "pv9".',
    );
    expect(failureMessage(run([...nodes, sc('std', 'Immediate'), claim('data', { cls: 'std' }), pod('web-0', { claims: ['data'] })], 'default/web-0'))).toBe(
      '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
    );
  });

  it('a claim bound to a PV that does not exist', () => {
    expect(failureMessage(run([...nodes, claim('data', { bound: true, volumeName: 'ghost' }), pod('web-0', { claims: ['data'] })], 'default/web-0'))).toBe(
      '0/3 nodes are available: 3 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s).',
    );
  });

  it('WaitForFirstConsumer with a provisioner: annotate selected-node, wait, bind only once the claim is Bound', () => {
    const objs = [node('node-a', { cpu: '1' }), node('node-b'), sc('wffc', 'WaitForFirstConsumer'), claim('www-web-0', { cls: 'wffc' }), pod('web-0', { claims: ['www-web-0'] })];
    const first = run(objs, 'default/web-0', { now: 1000 });
    const w = writesOf(first.plan);
    expect(w).toHaveLength(1);
    expect(w[0]!.verb).toBe('update');
    const annotated = (w[0] as { object: PersistentVolumeClaim }).object;
    expect(annotated.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBe('node-b');
    expect(annotated.metadata?.resourceVersion).toBe('7');
    expect(first.requeueAfterMs).toBe(1000);
    expect(first.local?.assumed.get('uid-web-0')).toMatchObject({ node: 'node-b', binding: false, sinceMs: 1000 });

    // Claim annotated but not bound yet: nothing to write, poll again; still assumed on node-b.
    const waiting = [objs[0]!, objs[1]!, objs[2]!, claim('www-web-0', { cls: 'wffc', selectedNode: 'node-b' }), objs[4]!];
    const second = run(waiting, 'default/web-0', { now: 2000, local: first.local! });
    expect(second.plan).toBeUndefined();
    expect(second.requeueAfterMs).toBe(1000);
    expect(second.local?.assumed.get('uid-web-0')?.sinceMs).toBe(1000);

    // The claim is Bound (to a PV pinned to node-b): bind the pod.
    const bound = [objs[0]!, objs[1]!, objs[2]!, claim('www-web-0', { cls: 'wffc', selectedNode: 'node-b', bound: true, volumeName: 'pvc-x' }),
      localPv('pvc-x', 'node-b', { cls: 'wffc', phase: 'Bound' }), objs[4]!];
    expect(writesOf(run(bound, 'default/web-0', { now: 3000, local: second.local! }).plan)).toEqual([
      { verb: 'bind', namespace: 'default', name: 'web-0', nodeName: 'node-b', uid: 'uid-web-0' },
    ]);

    // After the PreBind timeout (600 s) the pod fails scheduling and is retried.
    const late = run(waiting, 'default/web-0', { now: 1000 + 600_000, local: second.local! });
    expect(failureMessage(late)).toBe('running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded');
  });

  it('a claim with a selected node restricts the pod to that node', () => {
    const objs = [...nodes, sc('wffc', 'WaitForFirstConsumer'), claim('data', { cls: 'wffc', selectedNode: 'node-c' }), pod('web-0', { claims: ['data'] })];
    const res = run(objs, 'default/web-0');
    expect(writesOf(res.plan)).toEqual([]);
    expect(res.local?.assumed.get('uid-web-0')?.node).toBe('node-c');
  });

  it('WaitForFirstConsumer with a static local PV: the scheduler pre-binds it (claimRef with uid), no selected-node', () => {
    const objs = [...nodes, sc('local', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner'), claim('data', { cls: 'local' }),
      localPv('local-a', 'node-a', { cls: 'local' }), pod('web-0', { claims: ['data'] })];
    const res = run(objs, 'default/web-0');
    const w = writesOf(res.plan);
    expect(w).toHaveLength(1);
    const updated = (w[0] as { object: PersistentVolume }).object;
    expect(updated.metadata?.name).toBe('local-a');
    expect(updated.spec?.claimRef).toEqual({ kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: 'uid-data', apiVersion: 'v1', resourceVersion: '7' });
    expect(updated.metadata?.annotations).toEqual({ 'pv.kubernetes.io/bound-by-controller': 'yes' });
    expect(res.local?.assumed.get('uid-web-0')?.node).toBe('node-a');
    // Without a matching PV and without a provisioner: no node will do.
    const none = [...nodes, objs[3]!, objs[4]!, pod('web-0', { claims: ['data'] })];
    expect(failureMessage(run(none, 'default/web-0'))).toBe(
      "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind.",
    );
  });
});

// ---- search budget ------------------------------------------------------------------------------------------
describe('scheduler: feasible-node search budget', () => {
  it('numFeasibleNodesToFind follows the adaptive percentage', () => {
    expect(numFeasibleNodesToFind(0, 3)).toBe(3);
    expect(numFeasibleNodesToFind(0, 100)).toBe(100);
    expect(numFeasibleNodesToFind(0, 1000)).toBe(420);
    expect(numFeasibleNodesToFind(0, 5000)).toBe(500);
    expect(numFeasibleNodesToFind(0, 6000)).toBe(300);
    expect(numFeasibleNodesToFind(10, 500)).toBe(100);
    expect(numFeasibleNodesToFind(50, 1000)).toBe(500);
  });

  const many = Array.from({ length: 1000 }, (_, i) => node(`node-${String(i).padStart(4, '0')}`, { labels: { half: i < 500 ? 'low' : 'high' } }));
  const indexOf = (name: string | undefined): number => Number(name?.slice(5));

  it('on 1,000 nodes only 420 are examined, from a rotating start index', () => {
    const first = run([...many, pod('web-0')], 'default/web-0');
    expect(first.local?.nextStartNodeIndex).toBe(420);
    expect(indexOf(boundTo(first))).toBeLessThan(420);
    expect(first.workUnits).toBeLessThan(1000);
    const second = run([...many, pod('web-1')], 'default/web-1', { local: first.local! });
    expect(second.local?.nextStartNodeIndex).toBe(840);
    const idx = indexOf(boundTo(second));
    expect(idx >= 420 && idx < 840).toBe(true);
    const third = run([...many, pod('web-2')], 'default/web-2', { local: second.local! });
    expect(third.local?.nextStartNodeIndex).toBe(260); // (840 + 420) % 1000: wraps around
  });

  it('infeasible nodes are examined too, until enough feasible ones are found', () => {
    const res = run([...many, pod('web-0', { nodeSelector: { half: 'high' } })], 'default/web-0');
    // 500 infeasible then 420 feasible.
    expect(res.local?.nextStartNodeIndex).toBe(920);
    const idx = indexOf(boundTo(res));
    expect(idx >= 500 && idx < 920).toBe(true);
  });
});

// ---- event handlers and local state --------------------------------------------------------------------------
describe('scheduler: keys and observe', () => {
  const entry = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KObject) => ({ seq: 1, time: 0, type, actor: 'user', cause: null, object });
  const failed = (name: string, message: string) =>
    pod(name, { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] });

  it('unscheduled pods are keys; bound, deleting or foreign pods are not', () => {
    const snap = makeSnapshot([], scheduler.indexes);
    const cfg = defaultSchedulerConfig;
    expect(schedulerKeysFor(entry('ADDED', pod('web-0')), undefined, snap, cfg)).toEqual(['default/web-0']);
    expect(schedulerKeysFor(entry('MODIFIED', pod('web-0', { nodeName: 'node-a' })), pod('web-0'), snap, cfg)).toEqual([]);
    const foreign = pod('x');
    expect(schedulerKeysFor(entry('ADDED', { ...foreign, spec: { ...foreign.spec!, schedulerName: 'other' } }), undefined, snap, cfg)).toEqual([]);
  });

  it('node changes requeue unschedulable pods, heartbeats do not', () => {
    const cordoned = node('node-a', { unschedulable: true });
    const pods = [failed('p1', '0/1 nodes are available: 1 node(s) were unschedulable.'), pod('fresh')];
    const snap = makeSnapshot([cordoned, ...pods], scheduler.indexes);
    const cfg = defaultSchedulerConfig;
    const heartbeat = { ...cordoned, status: { ...cordoned.status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: timestamp(9) }] } };
    expect(schedulerKeysFor(entry('MODIFIED', heartbeat), cordoned, snap, cfg)).toEqual([]);
    expect(schedulerKeysFor(entry('MODIFIED', node('node-a')), cordoned, snap, cfg)).toEqual(['default/p1']);
    expect(schedulerKeysFor(entry('ADDED', node('node-b')), undefined, snap, cfg)).toEqual(['default/p1']);
  });

  it('a deleted assigned pod requeues only pods that failed for resources; a claim change its users', () => {
    const pods = [
      failed('cpu', '0/1 nodes are available: 1 Insufficient cpu.'),
      failed('sel', "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."),
      pod('user', { claims: ['data'] }),
    ];
    const snap = makeSnapshot(pods, scheduler.indexes);
    const cfg = defaultSchedulerConfig;
    const gone = pod('old', { nodeName: 'node-a', phase: 'Running' });
    expect(schedulerKeysFor(entry('DELETED', gone), undefined, snap, cfg)).toEqual(['default/cpu']);
    expect(schedulerKeysFor(entry('MODIFIED', claim('data')), undefined, snap, cfg)).toEqual(['default/user']);
  });

  it('observe forgets an assumed pod once it shows up bound, and invalidates its node usage', () => {
    const objs = [node('node-a', { pods: '1' }), pod('web-0'), pod('web-1')];
    const first = run(objs, 'default/web-0');
    const boundPod = pod('web-0', { nodeName: 'node-a', phase: 'Pending' });
    const local = schedulerObserve(entry('MODIFIED', boundPod), pod('web-0'), first.local!);
    expect(local.assumed.size).toBe(0);
    const res = run([objs[0]!, boundPod, objs[2]!], 'default/web-1', { local });
    expect(failureMessage(res)).toBe('0/1 nodes are available: 1 Too many pods.');
  });

  it('a new pod under the name of one whose deletion a relist merged away: an old pod in PreBind is forgotten, an old assigned one leaves its node; a bound one never seen bound stays assumed', () => {
    const recreated = pod('web-0', { uid: 'uid-web-0-new' });
    // Held in PreBind (its WaitForFirstConsumer claim not bound yet): its binding cycle ends with the pod.
    const wffc = [node('node-a'), sc('fast', 'WaitForFirstConsumer'), claim('data', { cls: 'fast' }), pod('web-0', { claims: ['data'] })];
    const prebind = run(wffc, 'default/web-0');
    expect(prebind.local!.assumed.get('uid-web-0')).toMatchObject({ binding: false, node: 'node-a' });
    expect(schedulerObserve(entry('ADDED', recreated), pod('web-0', { claims: ['data'] }), prebind.local!).assumed.has('uid-web-0')).toBe(false);
    // Its bind sent and succeeded, never shown bound by the informer: kube-scheduler keeps it (no expiry once bound).
    const bound = run([node('node-a'), pod('web-0')], 'default/web-0');
    const kept = bound.onDone!({ ok: true, succeeded: new Set(['bind']), failed: new Set() }, bound.local!);
    expect(schedulerObserve(entry('ADDED', recreated), pod('web-0'), kept).assumed.get('uid-web-0')).toMatchObject({ binding: true });
    // Seen assigned before the watch broke: the assigned-pod handler's OnDelete frees its node.
    const full = [node('node-a', { pods: '1' }), pod('x', { nodeName: 'node-a', phase: 'Running' }), pod('web-1')];
    const before = run(full, 'default/web-1');
    expect(failureMessage(before)).toBe('0/1 nodes are available: 1 Too many pods.');
    const freed = schedulerObserve(entry('ADDED', pod('x', { uid: 'uid-x-new' })), pod('x', { nodeName: 'node-a', phase: 'Running' }), before.local!);
    expect(boundTo(run([full[0]!, pod('x', { uid: 'uid-x-new' }), full[2]!], 'default/web-1', { local: freed, now: 60_000 }))).toBe('node-a');
  });
});

// ---- property: every examined node is accounted for ----------------------------------------------------------
describe('scheduler: FitError property', () => {
  it('with no feasible node, the histogram counts every node once per reason, sorted as strings', () => {
    fc.assert(fc.property(
      fc.array(fc.constantFrom('cordoned', 'tainted', 'notready', 'mismatch'), { minLength: 1, maxLength: 12 }),
      (kinds) => {
        const nodes = kinds.map((k, i) => node(`n${i}`, {
          unschedulable: k === 'cordoned',
          taints: k === 'tainted' ? [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }] : undefined,
          ready: k === 'notready' ? 'False' : 'True',
          labels: { disk: k === 'mismatch' ? 'hdd' : 'ssd' },
        }));
        const p = pod('web-0', { nodeSelector: { disk: 'none' } });
        const msg = failureMessage(run([...nodes, p], 'default/web-0'))!;
        const reasonOf: Record<string, string> = {
          cordoned: 'node(s) were unschedulable', tainted: 'node(s) had untolerated taint {dedicated: x}',
          notready: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }', mismatch: "node(s) didn't match Pod's node affinity/selector",
        };
        const counts = new Map<string, number>();
        for (const k of kinds) counts.set(reasonOf[k]!, (counts.get(reasonOf[k]!) ?? 0) + 1);
        const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
        expect(msg).toBe(`0/${kinds.length} nodes are available: ${parts.join(', ')}.`);
      },
    ));
  });
});
