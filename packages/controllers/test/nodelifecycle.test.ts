import { describe, expect, it } from 'vitest';
import { parseTimestamp, timestamp, type KObject, type Node, type Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { eventsOf, writesOf, type ReconcileResult, type WriteStep } from '../src/framework/index.js';
import {
  defaultNodeLifecycleConfig, initialNodeLifecycleLocal, lastHeartbeatOf, matchingTolerations, minTolerationMs, nodeLifecycleController, nodeLifecycleKeysFor,
  observeNodeLifecycle, type NodeLifecycleLocal,
} from '../src/nodelifecycle/index.js';
import { makeSnapshot } from './util.js';

// k8s-semantics §1.13 (node unreachable): the node-lifecycle controller with taint-based eviction folded in.

const GRACE = 50_000;
const config = { ...defaultNodeLifecycleConfig, nodeMonitorGracePeriodMs: GRACE };
const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];
type Taints = NonNullable<NonNullable<Node['spec']>['taints']>;

const node = (name: string, o: { ready?: string; reason?: string; taints?: Taints; rv?: string; since?: number; labels?: Record<string, string> } = {}): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, resourceVersion: o.rv ?? '5', ...(o.labels ? { labels: o.labels } : {}) },
  spec: { podCIDR: '10.64.1.0/24', ...(o.taints ? { taints: o.taints } : {}) },
  status: {
    conditions: [{
      type: 'Ready', status: o.ready ?? 'True', reason: o.reason ?? 'KubeletReady', message: 'kubelet is posting ready status',
      lastHeartbeatTime: timestamp(0), lastTransitionTime: timestamp(o.since ?? 0),
    }],
  },
});
/** A Ready node besides the ones a test is about: the zone is not fully disrupted. */
const HEALTHY = node('node-z');

const pod = (name: string, o: { node?: string; ready?: boolean; tolerations?: unknown[]; terminating?: boolean; uid?: string } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: 'default', uid: o.uid ?? `uid-${name}`, resourceVersion: '10',
    ...(o.terminating ? { deletionTimestamp: timestamp(1000), deletionGracePeriodSeconds: 10 } : {}),
  },
  spec: {
    nodeName: o.node ?? 'node-b', containers: [{ name: 'c', image: 'nginx' }],
    tolerations: (o.tolerations ?? DEFAULT_TOLERATIONS) as NonNullable<Pod['spec']>['tolerations'],
  },
  status: {
    phase: 'Running',
    conditions: [
      { type: 'Initialized', status: 'True', lastTransitionTime: timestamp(0) },
      { type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: timestamp(0) },
      { type: 'ContainersReady', status: 'True', lastTransitionTime: timestamp(0) },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp(0) },
    ],
  },
});

const fault = (seq: number, time: number, data: unknown): Envelope => ({ seq, time, type: 'FAULT', actor: 'system:chaos', cause: null, data });
const entry = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KObject, seq = 100, time = 0): Envelope => ({ seq, time, type, actor: 'x', cause: null, object });

const snap = (objs: readonly KObject[]) => makeSnapshot(objs, nodeLifecycleController.indexes);
const run = (objs: readonly KObject[], now: number, local: NodeLifecycleLocal = initialNodeLifecycleLocal(), key = 'node-b', cfg = config): ReconcileResult<NodeLifecycleLocal> =>
  nodeLifecycleController.reconcile({ snapshot: snap([...objs, HEALTHY]), key, now, config: cfg, local, seed: 1 });
/** `run` on exactly these objects (no healthy node added). */
const runOnly = (objs: readonly KObject[], now: number, local: NodeLifecycleLocal = initialNodeLifecycleLocal(), key = 'node-b', cfg = config): ReconcileResult<NodeLifecycleLocal> =>
  nodeLifecycleController.reconcile({ snapshot: snap(objs), key, now, config: cfg, local, seed: 1 });
const downSince = (t: number, name = 'node-b'): NodeLifecycleLocal =>
  observeNodeLifecycle(fault(1, t, { fault: 'node-down', node: name }), undefined, initialNodeLifecycleLocal());

const updates = (r: ReconcileResult<NodeLifecycleLocal>) => writesOf(r.plan);
const objectOf = (w: ReturnType<typeof updates>[number] | undefined): KObject => {
  if (!w || w.verb !== 'update') throw new Error(`expected an update, got ${JSON.stringify(w)}`);
  return w.object;
};
const readyOf = (o: KObject) => (o as Node | Pod).status?.conditions?.find((c) => c.type === 'Ready');

describe('node-lifecycle: heartbeats and node health', () => {
  it('a kubelet process crashed, paused or partitioned silences the nodes its entries name, from the first cause until none holds; a node fault counts too', () => {
    const proc = (seq: number, time: number, type: 'FAULT' | 'COMPONENT', data: Record<string, unknown>): Envelope =>
      ({ seq, time, type, actor: 'system:chaos', cause: null, data });
    const nodes = ['node-a', 'node-b'];
    // Not a kubelet's entry (no nodes): nothing.
    const other = proc(1, 1000, 'FAULT', { fault: 'crash', component: 'scheduler', reason: 'killed' });
    expect(nodeLifecycleKeysFor(other, undefined, snap([]))).toEqual([]);
    expect(observeNodeLifecycle(other, undefined, initialNodeLifecycleLocal())).toEqual(initialNodeLifecycleLocal());
    const steps: [Envelope, number | undefined][] = [
      [proc(2, 1000, 'FAULT', { fault: 'partition', component: 'kubelet', nodes }), 1000],
      [proc(3, 2000, 'FAULT', { fault: 'crash', component: 'kubelet', reason: 'killed', nodes }), 1000],
      [proc(4, 3000, 'COMPONENT', { component: 'kubelet', event: 'restart', nodes }), 1000], // still partitioned
      [proc(5, 4000, 'FAULT', { fault: 'heal', component: 'kubelet', nodes, durationMs: 10_000 }), undefined],
      [proc(6, 5000, 'FAULT', { fault: 'pause', component: 'kubelet', nodes, signal: 'SIGSTOP' }), 5000],
      [proc(7, 6000, 'FAULT', { fault: 'crash', component: 'kubelet', reason: 'killed', nodes }), 5000], // killed while paused
      [proc(8, 7000, 'COMPONENT', { component: 'kubelet', event: 'restart', nodes }), undefined], // neither paused nor down any more
    ];
    let local = initialNodeLifecycleLocal();
    for (const [e, since] of steps) {
      expect(nodeLifecycleKeysFor(e, undefined, snap([]))).toEqual(nodes);
      local = observeNodeLifecycle(e, undefined, local);
      expect(lastHeartbeatOf(local, 'node-a'), `after seq ${e.seq}`).toBe(since);
      expect(lastHeartbeatOf(local, 'node-c')).toBeUndefined();
    }
    // A node fault before the process's silence is the earlier last heartbeat.
    local = observeNodeLifecycle(fault(9, 8000, { fault: 'node-down', node: 'node-b' }), undefined, local);
    local = observeNodeLifecycle(proc(10, 9000, 'FAULT', { fault: 'partition', component: 'kubelet', nodes }), undefined, local);
    expect(lastHeartbeatOf(local, 'node-b')).toBe(8000);
    expect(lastHeartbeatOf(local, 'node-a')).toBe(9000);
    // Unknown after the grace period, counted from the silence.
    const silenced = run([node('node-a')], 9000 + GRACE, local, 'node-a');
    expect(readyOf(objectOf(updates(silenced)[0]))).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', lastHeartbeatTime: timestamp(9000) });
    expect(run([node('node-a')], 9000 + GRACE - 1, local, 'node-a')).toEqual({ requeueAfterMs: 1, workUnits: 1 });
  });

  it('derives the last heartbeat from node-down faults; node-up resumes it', () => {
    let l = observeNodeLifecycle(fault(1, 6000, { fault: 'node-down', node: 'node-b' }), undefined, initialNodeLifecycleLocal());
    expect([...l.down]).toEqual([['node-b', 6000]]);
    // A second node-down does not move the last heartbeat.
    l = observeNodeLifecycle(fault(2, 9000, { fault: 'node-down', node: 'node-b' }), undefined, l);
    expect(l.down.get('node-b')).toBe(6000);
    expect(observeNodeLifecycle(fault(3, 9000, { fault: 'pod-fail', name: 'x' }), undefined, l)).toBe(l);
    l = observeNodeLifecycle(fault(4, 12_000, { fault: 'node-up', node: 'node-b' }), undefined, l);
    expect(l.down.size).toBe(0);
  });

  it('writes nothing for a Ready, untainted node, with or without pods, and sets no timer', () => {
    const r = run([node('node-b'), pod('web-1')], 100_000);
    expect(r.plan).toBeUndefined();
    expect(r.requeueAfterMs).toBeUndefined();
    expect(run([node('node-a')], 0, initialNodeLifecycleLocal(), 'node-a')).toEqual({ workUnits: 1 });
    expect(runOnly([], 0)).toEqual({});
  });

  it('within the grace period: nothing but a timer for its end', () => {
    const r = run([node('node-b'), pod('web-1')], 6000 + 20_000, downSince(6000));
    expect(r.plan).toBeUndefined();
    expect(r.requeueAfterMs).toBe(30_000);
  });

  it('past the grace period: Ready=Unknown (NodeStatusUnknown), then every pod Ready=False, with events', () => {
    const pods = [pod('web-1'), pod('web-9', { ready: false }), pod('other', { node: 'node-a' })];
    const now = 6000 + GRACE;
    const r = run([node('node-b'), node('node-a'), ...pods], now, downSince(6000));
    const ws = updates(r);
    expect(ws).toHaveLength(2);
    expect(ws[0]).toMatchObject({ verb: 'update', subresource: 'status' });
    expect(readyOf(objectOf(ws[0]))).toEqual({
      type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: timestamp(6000), lastTransitionTime: timestamp(now),
    });
    expect(objectOf(ws[0]).metadata?.resourceVersion).toBe('5');
    // MarkPodsNotReady: only the Ready condition changes (web-9 is already not ready; other is on another node).
    const p = objectOf(ws[1]) as Pod;
    expect(p.metadata?.name).toBe('web-1');
    expect(ws[1]).toMatchObject({ subresource: 'status' });
    expect(p.status?.conditions?.map((c) => [c.type, c.status])).toEqual([['Initialized', 'True'], ['Ready', 'False'], ['ContainersReady', 'True'], ['PodScheduled', 'True']]);
    expect(readyOf(p)?.lastTransitionTime).toBe(timestamp(now));
    expect(p.status?.phase).toBe('Running');
    expect(r.plan?.kind).toBe('seq');
    expect(eventsOf(r.plan).map((e) => [e.involved.kind, e.type, e.reason, e.message])).toEqual([
      ['Node', 'Normal', 'NodeNotReady', 'Node node-b status is now: NodeNotReady'],
      ['Pod', 'Warning', 'NodeNotReady', 'Node is not ready'],
    ]);
  });

  it('an Unknown node gets the unreachable taints (NoSchedule and NoExecute, timeAdded), keeping other taints', () => {
    const other = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    const r = run([node('node-b', { ready: 'Unknown', reason: 'NodeStatusUnknown', taints: [other] }), pod('web-1', { ready: false })], 60_000, downSince(6000));
    const ws = updates(r);
    expect(ws).toHaveLength(1);
    expect(ws[0]).toMatchObject({ verb: 'update' });
    expect((ws[0] as { subresource?: string }).subresource).toBeUndefined();
    expect((objectOf(ws[0]) as Node).spec?.taints).toEqual([
      other,
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: timestamp(60_000) },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(60_000) },
    ]);
  });

  it('Ready=False gets not-ready taints instead (unreachable and not-ready are exclusive)', () => {
    const unreachable: Taints = [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: timestamp(0) },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(0) },
    ];
    const r = run([node('node-b', { ready: 'False', reason: 'KubeletNotReady', taints: unreachable })], 1000);
    expect((objectOf(updates(r)[0]) as Node).spec?.taints).toEqual([
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: timestamp(1000) },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: timestamp(1000) },
    ]);
  });

  it('heartbeats back (node-up): Ready=True again, then the condition taints go; other taints stay', () => {
    const taints: Taints = [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: timestamp(0) },
      { key: 'dedicated', value: 'db', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(0) },
    ];
    const unknown = node('node-b', { ready: 'Unknown', reason: 'NodeStatusUnknown', taints });
    const up = run([unknown], 200_000);
    expect(readyOf(objectOf(updates(up)[0]))).toEqual({
      type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status',
      lastHeartbeatTime: timestamp(200_000), lastTransitionTime: timestamp(200_000),
    });
    expect(eventsOf(up.plan).map((e) => e.reason)).toEqual(['NodeReady']);
    const ready = node('node-b', { taints });
    expect((objectOf(updates(run([ready], 200_100))[0]) as Node).spec?.taints).toEqual([{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]);
    // An Unknown set by someone else (not this controller's NodeStatusUnknown) is not overwritten.
    expect(updates(run([node('node-b', { ready: 'Unknown', reason: 'Other' })], 1)).map((w) => (w.verb === 'update' ? w.object.kind : ''))).toEqual(['Node']);
    expect(readyOf(objectOf(updates(run([node('node-b', { ready: 'Unknown', reason: 'Other' })], 1))[0]))?.status).toBe('Unknown');
  });
});

describe('node-lifecycle: taint-based eviction', () => {
  const TAINTED_AT = 56_000;
  const tainted = (extra: Taints = []): Node => node('node-b', {
    ready: 'Unknown', reason: 'NodeStatusUnknown',
    taints: [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: timestamp(TAINTED_AT) },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(TAINTED_AT) },
      ...extra,
    ],
  });

  it('a pod tolerating the taint for 300 s: a timer until timeAdded + 300 s, then eviction', () => {
    const local = downSince(6000);
    const early = run([tainted(), pod('web-1', { ready: false })], 60_000, local);
    expect(early.plan).toBeUndefined();
    expect(early.requeueAfterMs).toBe(TAINTED_AT + 300_000 - 60_000);
    const due = run([tainted(), pod('web-1', { ready: false })], TAINTED_AT + 300_000, local);
    const ws = updates(due);
    expect(ws.map((w) => w.verb)).toEqual(['update', 'delete']);
    const marked = objectOf(ws[0]) as Pod;
    expect(marked.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toEqual({
      type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint',
      lastTransitionTime: timestamp(TAINTED_AT + 300_000),
    });
    // A normal delete: the pod's own grace period (no gracePeriodSeconds), guarded by its uid.
    expect(ws[1]).toEqual({ verb: 'delete', kind: 'Pod', namespace: 'default', name: 'web-1', preconditions: { uid: 'uid-web-1' } });
    expect(eventsOf(due.plan).map((e) => [e.type, e.reason, e.message])).toEqual([['Normal', 'TaintManagerEviction', 'Marking for deletion Pod default/web-1']]);
    expect(due.local?.evicted.has('uid-web-1')).toBe(true);
    expect(due.requeueAfterMs).toBeUndefined();
  });

  it('a pod that does not tolerate a NoExecute taint goes at once; tolerated forever stays; terminating and evicted pods are skipped', () => {
    const pods = [
      pod('bare', { tolerations: [], ready: false }),
      pod('forever', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }], ready: false }),
      pod('gone', { terminating: true, ready: false }),
      pod('sent', { ready: false }),
      pod('later', { ready: false }),
    ];
    let local = downSince(6000);
    local = { ...local, evicted: local.evicted.set('uid-sent', true) };
    const r = run([tainted(), ...pods], 60_000, local);
    const deletes = updates(r).filter((w) => w.verb === 'delete').map((w) => (w.verb === 'delete' ? w.name : ''));
    expect(deletes).toEqual(['bare']);
    expect(r.requeueAfterMs).toBe(TAINTED_AT + 300_000 - 60_000);
    expect([...r.local!.evicted.entries()].map(([k]) => k).sort()).toEqual(['uid-bare', 'uid-sent']);
  });

  it('an eviction whose delete failed is retried: onDone forgets it', () => {
    const r = run([tainted(), pod('bare', { tolerations: [], ready: false })], 60_000, downSince(6000));
    const failed = r.onDone!({ ok: false, succeeded: new Set(), failed: new Set(['evict:uid-bare']) }, r.local!);
    expect(failed.evicted.has('uid-bare')).toBe(false);
    const ok = r.onDone!({ ok: true, succeeded: new Set(['evict:uid-bare']), failed: new Set() }, r.local!);
    expect(ok.evicted.has('uid-bare')).toBe(true);
  });

  it('a pod bound later than the taint counts its toleration from its binding; a pod still Ready is marked not ready in the same status write', () => {
    const late: Pod = { ...pod('late'), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp(100_000) }] } };
    const r = run([tainted(), late], 120_000, downSince(6000));
    expect(r.requeueAfterMs).toBe(100_000 + 300_000 - 120_000);
    const ready = pod('web-1', { tolerations: [] });
    const ws = updates(run([tainted(), ready], 120_000, downSince(6000)));
    expect(ws.map((w) => w.verb)).toEqual(['update', 'delete']);
    const p = objectOf(ws[0]) as Pod;
    expect(p.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['Initialized', 'True'], ['Ready', 'False'], ['ContainersReady', 'True'], ['PodScheduled', 'True'], ['DisruptionTarget', 'True'],
    ]);
  });

  it('a NoExecute taint without timeAdded (a user taint) evicts from when the controller first saw it', () => {
    const userTaint = { key: 'maintenance', effect: 'NoExecute' };
    const n = node('node-a', { taints: [userTaint] });
    const tolerating = pod('t', { node: 'node-a', tolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] });
    const local = observeNodeLifecycle(entry('MODIFIED', n, 7, 10_000), node('node-a'), initialNodeLifecycleLocal());
    expect([...local.taintSeen.values()]).toEqual([10_000]);
    const r = run([n, tolerating, pod('bare', { node: 'node-a', tolerations: [] })], 20_000, local, 'node-a');
    expect(updates(r).filter((w) => w.verb === 'delete').map((w) => (w.verb === 'delete' ? w.name : ''))).toEqual(['bare']);
    expect(r.requeueAfterMs).toBe(50_000);
    // The taint removed: forgotten.
    expect(observeNodeLifecycle(entry('MODIFIED', node('node-a'), 8, 30_000), n, local).taintSeen.size).toBe(0);
  });

  it('[GetMatchingTolerations, getMinTolerationTime]', () => {
    const t = { key: 'k', effect: 'NoExecute' };
    expect(matchingTolerations([t], [])).toEqual({ all: false, used: [] });
    expect(matchingTolerations([], [])).toEqual({ all: true, used: [] });
    expect(matchingTolerations([t], [{ operator: 'Exists' }]).all).toBe(true);
    expect(matchingTolerations([t], [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute' }]).all).toBe(false);
    expect(minTolerationMs([])).toBe(0);
    expect(minTolerationMs([{ operator: 'Exists' }])).toBe(-1);
    expect(minTolerationMs([{ operator: 'Exists', tolerationSeconds: 300 }, { operator: 'Exists', tolerationSeconds: 30 }])).toBe(30_000);
    expect(minTolerationMs([{ operator: 'Exists', tolerationSeconds: 300 }, { operator: 'Exists', tolerationSeconds: -5 }])).toBe(0);
  });
});

describe('node-lifecycle: event handlers', () => {
  const ready = node('node-b');
  const down = node('node-b', { ready: 'Unknown', reason: 'NodeStatusUnknown', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(1) }] });

  it('node faults and node changes that matter', () => {
    const s = snap([ready]);
    expect(nodeLifecycleKeysFor(fault(1, 0, { fault: 'node-down', node: 'node-b' }), undefined, s)).toEqual(['node-b']);
    expect(nodeLifecycleKeysFor(fault(1, 0, { fault: 'node-up', node: 'node-b' }), undefined, s)).toEqual(['node-b']);
    expect(nodeLifecycleKeysFor(fault(1, 0, { fault: 'pod-readiness', name: 'x', ready: false }), undefined, s)).toEqual([]);
    expect(nodeLifecycleKeysFor(fault(1, 0, { fault: 'node-down' }), undefined, s)).toEqual([]);
    expect(nodeLifecycleKeysFor(entry('ADDED', ready), undefined, s)).toEqual(['node-b']);
    const cordoned: Node = { ...ready, spec: { ...ready.spec, unschedulable: true } };
    expect(nodeLifecycleKeysFor(entry('MODIFIED', cordoned), ready, s)).toEqual([]);
    expect(nodeLifecycleKeysFor(entry('MODIFIED', down), ready, s)).toEqual(['node-b']);
    expect(nodeLifecycleKeysFor(entry('MODIFIED', node('node-b', { ready: 'False' })), ready, s)).toEqual(['node-b']);
    expect(nodeLifecycleKeysFor(entry('DELETED', ready), ready, s)).toEqual([]);
  });

  it('pods: only a binding (or new tolerations) on a node that is not Ready or has a NoExecute taint', () => {
    const unbound: Pod = { ...pod('p'), spec: { ...pod('p').spec!, nodeName: undefined } };
    const bound = pod('p');
    expect(nodeLifecycleKeysFor(entry('MODIFIED', bound), unbound, snap([ready, bound]))).toEqual([]);
    expect(nodeLifecycleKeysFor(entry('MODIFIED', bound), unbound, snap([down, bound]))).toEqual(['node-b']);
    expect(nodeLifecycleKeysFor(entry('ADDED', bound), undefined, snap([down, bound]))).toEqual(['node-b']);
    // A status update of a pod already on the node: nothing (MarkPodsNotReady's own writes come back here).
    const statusOnly: Pod = { ...bound, status: { phase: 'Failed' } };
    expect(nodeLifecycleKeysFor(entry('MODIFIED', statusOnly), bound, snap([down, statusOnly]))).toEqual([]);
    const tolerant: Pod = { ...bound, spec: { ...bound.spec!, tolerations: [] } };
    expect(nodeLifecycleKeysFor(entry('MODIFIED', tolerant), bound, snap([down, tolerant]))).toEqual(['node-b']);
    expect(nodeLifecycleKeysFor(entry('DELETED', bound), bound, snap([down]))).toEqual([]);
    expect(nodeLifecycleKeysFor(entry('ADDED', unbound), undefined, snap([down]))).toEqual([]);
  });

  it('observe forgets an evicted pod once it is gone; initial keys are every node', () => {
    const l0 = initialNodeLifecycleLocal();
    const l1 = { ...l0, evicted: l0.evicted.set('uid-p', true) };
    expect(observeNodeLifecycle(entry('MODIFIED', pod('p')), pod('p'), l1)).toBe(l1);
    expect(observeNodeLifecycle(entry('DELETED', pod('p')), pod('p'), l1).evicted.size).toBe(0);
    expect([...nodeLifecycleController.initialKeys(snap([node('node-a'), ready]), config)]).toEqual(['node-a', 'node-b']);
  });

  it('the Unknown transition happens once: the next sync writes the NoSchedule taint, the NoExecute one follows a monitor period after the transition', () => {
    const now = 6000 + GRACE;
    const first = run([ready, pod('web-1')], now, downSince(6000));
    const unknown = objectOf(updates(first)[0]) as Node;
    const next = run([{ ...unknown, metadata: { ...unknown.metadata, resourceVersion: '6' } }, pod('web-1', { ready: false })], now + 1, downSince(6000));
    const ws = updates(next);
    expect(ws).toHaveLength(1);
    const withNoSchedule = objectOf(ws[0]) as Node;
    expect(withNoSchedule.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
    expect(parseTimestamp(withNoSchedule.spec?.taints?.[0]?.timeAdded)).toBe(now + 1);
    expect((ws[0] as WriteStep['req']).verb).toBe('update');
    expect(next.requeueAfterMs).toBe(5000 - 1);
    // [processTaintBaseEviction] queues the node on the look after the one that saw it Unknown.
    expect(updates(run([withNoSchedule], now + 4999, downSince(6000)))).toEqual([]);
    const tainted = objectOf(updates(run([withNoSchedule], now + 5000, downSince(6000)))[0]) as Node;
    expect(tainted.spec?.taints?.map((t) => `${t.key}:${t.effect}:${parseTimestamp(t.timeAdded)}`)).toEqual([
      `node.kubernetes.io/unreachable:NoSchedule:${now + 1}`, `node.kubernetes.io/unreachable:NoExecute:${now + 5000}`,
    ]);
  });
});

describe('node-lifecycle: zone disruption and the rate of NoExecute tainting [handleDisruption, RateLimitedTimedQueue]', () => {
  const T = 100_000; // Ready=Unknown since T (monitor period over at T + 5 s)
  const UNREACHABLE_NS = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: timestamp(T) };
  const UNREACHABLE_NE = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(T) };
  const unknownNode = (name: string, o: { taints?: Taints; since?: number; labels?: Record<string, string> } = {}): Node =>
    node(name, { ready: 'Unknown', reason: 'NodeStatusUnknown', since: o.since ?? T, taints: o.taints ?? [UNREACHABLE_NS], ...(o.labels ? { labels: o.labels } : {}) });
  /** The controller's memory with these nodes' heartbeats stopped at 6 s. */
  const downs = (...names: string[]): NodeLifecycleLocal =>
    names.reduce((l, n, i) => observeNodeLifecycle(fault(i + 1, 6000, { fault: 'node-down', node: n }), undefined, l), initialNodeLifecycleLocal());
  const taintsOfWrite = (r: ReconcileResult<NodeLifecycleLocal>): string[] | undefined => {
    const w = updates(r)[0];
    return w ? (objectOf(w) as Node).spec?.taints?.map((t) => `${t.key.replace('node.kubernetes.io/', '')}:${t.effect}`) : undefined;
  };

  it('every node not Ready (a one-node cluster): master disruption mode — no NoExecute taint, the ones there removed, no eviction', () => {
    const now = T + 60_000;
    const r = runOnly([unknownNode('node-b'), pod('web-1', { ready: false, tolerations: [] })], now, downSince(6000));
    expect(r.local?.masterDisruption).toBe(true);
    expect(r.plan).toBeUndefined();
    expect(r.requeueAfterMs).toBeUndefined();
    // A NoExecute taint added before every node was down goes (markNodeAsReachable), the NoSchedule one stays.
    const had = runOnly([unknownNode('node-b', { taints: [UNREACHABLE_NS, UNREACHABLE_NE] }), pod('web-1', { ready: false, tolerations: [] })], now, downSince(6000));
    expect(taintsOfWrite(had)).toEqual(['unreachable:NoSchedule']);
    expect(updates(had).filter((w) => w.verb === 'delete')).toEqual([]);
    // Pods are still marked not ready.
    const marked = runOnly([unknownNode('node-b'), pod('web-1')], now, downSince(6000));
    expect(updates(marked).map((w) => (w.verb === 'update' ? w.object.metadata?.name : ''))).toEqual(['web-1']);
    // Two nodes, both down, no zone labels: one zone, fully disrupted.
    expect(runOnly([unknownNode('node-a'), unknownNode('node-b')], now, downSince(6000)).local?.masterDisruption).toBe(true);
    // A node excluded from disruption checks does not count: its readiness does not save the zone.
    const excluded = node('node-a', { labels: { 'node.kubernetes.io/exclude-disruption': '' } });
    expect(runOnly([excluded, unknownNode('node-b')], now, downSince(6000)).local?.masterDisruption).toBe(true);
  });

  it('leaving master disruption mode: every heartbeat timed from now, the tainters restarted empty (the first taint a token later)', () => {
    const now = T + 60_000;
    const entered = runOnly([unknownNode('node-b')], now, downSince(6000)).local!;
    expect(entered.masterDisruption).toBe(true);
    expect([...entered.zones.values()].map((z) => [z.state, z.qps])).toEqual([['FullDisruption', 0]]);
    // node-a (and so the zone) Ready again.
    const back = runOnly([node('node-a'), unknownNode('node-b')], now + 1000, entered);
    expect(back.local?.masterDisruption).toBe(false);
    expect(back.local?.probeFloor).toBe(now + 1000);
    expect([...back.local!.zones.values()].map((z) => [z.state, z.qps, z.tokens])).toEqual([['Normal', 0.1, 0]]);
    expect(back.plan).toBeUndefined();
    expect(back.requeueAfterMs).toBe(10_000);
    const later = runOnly([node('node-a'), unknownNode('node-b')], now + 11_000, back.local);
    expect(taintsOfWrite(later)).toEqual(['unreachable:NoSchedule', 'unreachable:NoExecute']);
    // A node whose heartbeats stopped before the exit is given the grace period from the exit.
    const silentA = observeNodeLifecycle(fault(2, now - 40_000, { fault: 'node-down', node: 'node-a' }), undefined, back.local!);
    expect(runOnly([node('node-a'), unknownNode('node-b')], now + 20_000, silentA, 'node-a').requeueAfterMs).toBe(now + 1000 + GRACE - (now + 20_000));
  });

  it('a healthy zone taints its not-Ready nodes one at a time, 0.1 per second, in the order they became not Ready', () => {
    const now = T + 5000;
    const a = unknownNode('node-a', { since: T + 1 });
    const b = unknownNode('node-b');
    const objs = [a, b, node('node-c')];
    // node-b went first: it is first in the queue and takes the bucket's token.
    const first = run(objs, now, downs('node-a', 'node-b'));
    expect(taintsOfWrite(first)).toEqual(['unreachable:NoSchedule', 'unreachable:NoExecute']);
    // node-a is not due yet (its monitor period ends at T + 5001), then waits behind node-b.
    expect(run(objs, now, first.local, 'node-a')).toMatchObject({ requeueAfterMs: 1 });
    expect(run(objs, now + 1, first.local, 'node-a').plan).toBeUndefined();
    // node-b tainted: node-a is first, but the bucket is empty until 10 s after node-b's token.
    const bTainted = unknownNode('node-b', { taints: [UNREACHABLE_NS, UNREACHABLE_NE] });
    const waiting = run([a, bTainted, node('node-c')], now + 1, first.local, 'node-a');
    expect(waiting.plan).toBeUndefined();
    expect(waiting.requeueAfterMs).toBe(10_000 - 1);
    expect(taintsOfWrite(run([a, bTainted, node('node-c')], now + 10_000, first.local, 'node-a'))).toEqual(['unreachable:NoSchedule', 'unreachable:NoExecute']);
    // The same time: by name.
    const a2 = unknownNode('node-a');
    expect(taintsOfWrite(run([a2, b, node('node-c')], now, downs('node-a', 'node-b'), 'node-a'))).toEqual(['unreachable:NoSchedule', 'unreachable:NoExecute']);
    expect(run([a2, b, node('node-c')], now, downs('node-a', 'node-b')).plan).toBeUndefined();
  });

  it('a partially disrupted zone (more than two nodes, at least 55 % not Ready): no more NoExecute taints in a small cluster, 0.01/s in a large one', () => {
    const now = T + 60_000;
    const down = ['node-a', 'node-b', 'node-c'].map((n) => unknownNode(n));
    const objs = [...down, node('node-d')]; // 3 of 4 not Ready: 75 %
    const three = downs('node-a', 'node-b', 'node-c');
    const r = runOnly(objs, now, three);
    expect(r.plan).toBeUndefined();
    expect(r.requeueAfterMs).toBeUndefined();
    expect([...r.local!.zones.values()].map((z) => [z.state, z.qps])).toEqual([['PartialDisruption', 0]]);
    // Over --large-cluster-size-threshold nodes the zone is tainted at --secondary-node-eviction-rate.
    const large = { ...config, largeClusterSizeThreshold: 3 };
    const rl = runOnly(objs, now, three, 'node-a', large);
    expect([...rl.local!.zones.values()].map((z) => [z.state, z.qps])).toEqual([['PartialDisruption', 0.01]]);
    // The normal limiter had its token: the new one starts full.
    expect(taintsOfWrite(rl)).toEqual(['unreachable:NoSchedule', 'unreachable:NoExecute']);
    const next = runOnly([unknownNode('node-a', { taints: [UNREACHABLE_NS, UNREACHABLE_NE] }), ...down.slice(1), node('node-d')], now, rl.local, 'node-b', large);
    expect(next.requeueAfterMs).toBe(100_000);
    // Two of three not Ready is still normal (more than two are needed).
    expect([...runOnly([down[0]!, down[1]!, node('node-d')], now, three).local!.zones.values()].map((z) => z.state)).toEqual(['Normal']);
  });

  it('zones are judged apart: one zone fully down while another is healthy is tainted at the normal rate', () => {
    const now = T + 60_000;
    const zone = (z: string) => ({ 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': z });
    const objs = [unknownNode('node-a', { labels: zone('a') }), unknownNode('node-b', { labels: zone('a') }), node('node-c', { labels: zone('b') })];
    const r = runOnly(objs, now, downs('node-a', 'node-b'), 'node-a');
    expect(r.local?.masterDisruption).toBe(false);
    expect(new Map([...r.local!.zones].map(([k, z]) => [k, [z.state, z.qps]]))).toEqual(new Map([
      ['r:\u0000:a', ['FullDisruption', 0.1]], ['r:\u0000:b', ['Normal', 0.1]],
    ]));
    expect(taintsOfWrite(r)).toEqual(['unreachable:NoSchedule', 'unreachable:NoExecute']);
  });

  it('a restarted controller times every node from its start; its tainters start afresh', () => {
    const down = downSince(6000);
    const restarted = nodeLifecycleController.onStart!({ ...down, masterDisruption: true }, 40_000);
    expect(restarted.probeFloor).toBe(40_000);
    expect(restarted.masterDisruption).toBe(false);
    expect(restarted.zones.size).toBe(0);
    expect(run([node('node-b')], 56_000, restarted).requeueAfterMs).toBe(40_000 + GRACE - 56_000);
    expect(readyOf(objectOf(updates(run([node('node-b')], 40_000 + GRACE, restarted))[0]))?.status).toBe('Unknown');
  });

  it('event handlers: a readiness or NoExecute-taint change of a node wakes every node its zone tainting concerns', () => {
    const objs = [unknownNode('node-a'), node('node-b'), unknownNode('node-c', { taints: [UNREACHABLE_NS, UNREACHABLE_NE] }), node('node-d')];
    const s = snap(objs);
    const wentDown = unknownNode('node-b');
    expect(nodeLifecycleKeysFor(entry('MODIFIED', wentDown), node('node-b'), snap([objs[0]!, wentDown, objs[2]!, objs[3]!]))).toEqual(['node-b', 'node-a', 'node-c']);
    // node-a got its NoExecute taint: the others in the queue look again.
    const aTainted = unknownNode('node-a', { taints: [UNREACHABLE_NS, UNREACHABLE_NE] });
    expect(nodeLifecycleKeysFor(entry('MODIFIED', aTainted), objs[0], s)).toEqual(['node-a', 'node-c']);
    // Only its NoSchedule taint: itself.
    expect(nodeLifecycleKeysFor(entry('MODIFIED', unknownNode('node-a', { taints: [] })), objs[0], s)).toEqual(['node-a']);
    // A Ready node moved to another zone, or out of the disruption checks: the counts of two zones change.
    const zoned = node('node-b', { labels: { 'topology.kubernetes.io/zone': 'z2' } });
    expect(nodeLifecycleKeysFor(entry('MODIFIED', zoned), objs[1], s)).toEqual(['node-b', 'node-a', 'node-c']);
    const excluded = node('node-b', { labels: { 'node.kubernetes.io/exclude-disruption': '' } });
    expect(nodeLifecycleKeysFor(entry('MODIFIED', excluded), objs[1], s)).toEqual(['node-b', 'node-a', 'node-c']);
    // Another label: nothing.
    expect(nodeLifecycleKeysFor(entry('MODIFIED', node('node-b', { labels: { team: 'db' } })), objs[1], s)).toEqual([]);
    // A node deleted: every node concerned; a Ready node added: itself unless some zone is disrupted.
    expect(nodeLifecycleKeysFor(entry('DELETED', node('node-e')), node('node-e'), s)).toEqual(['node-a', 'node-c']);
    const calm = { local: initialNodeLifecycleLocal(), now: 0 };
    expect(nodeLifecycleKeysFor(entry('ADDED', node('node-e')), undefined, s, config, calm)).toEqual(['node-e']);
    const master = { local: { ...initialNodeLifecycleLocal(), masterDisruption: true }, now: 0 };
    expect(nodeLifecycleKeysFor(entry('ADDED', node('node-e')), undefined, s, config, master)).toEqual(['node-e', 'node-a', 'node-c']);
  });
});
