import { describe, expect, it } from 'vitest';
import { timestamp, type KObject, type Node, type Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { writesOf, type ReconcileResult } from '../src/framework/index.js';
import {
  initialPodGcLocal, observePodGc, podGarbageCollector, podGcKeysFor, podGcNodeKey, type PodGcLocal,
} from '../src/podgc/index.js';
import { makeSnapshot } from './util.js';

// k8s-semantics §1.13 [PODGC gcOrphaned, gcTerminating, gcUnscheduledTerminating].

const config = { quarantineMs: 40_000, terminatedPodThreshold: 12_500 };
type Taints = NonNullable<NonNullable<Node['spec']>['taints']>;

const node = (name: string, o: { ready?: string; taints?: Taints } = {}): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, resourceVersion: '5' },
  spec: o.taints ? { taints: o.taints } : {},
  status: { conditions: [{ type: 'Ready', status: o.ready ?? 'True' }] },
});
const OUT_OF_SERVICE = { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' };

const pod = (name: string, o: { node?: string | null; terminating?: boolean; phase?: string; reason?: string; createdAt?: number } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '10', creationTimestamp: timestamp(o.createdAt ?? 0),
    ...(o.terminating ? { deletionTimestamp: timestamp(5000), deletionGracePeriodSeconds: 10 } : {}),
  },
  spec: { ...(o.node === null ? {} : { nodeName: o.node ?? 'node-b' }), containers: [{ name: 'c', image: 'nginx' }] },
  status: {
    phase: o.phase ?? 'Running', ...(o.reason ? { reason: o.reason } : {}),
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: timestamp(0) }, { type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp(0) }],
  },
});

const entry = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KObject): Envelope => ({ seq: 100, time: 0, type, actor: 'x', cause: null, object });
const snap = (objs: readonly KObject[]) => makeSnapshot(objs, podGarbageCollector.indexes);
const run = (objs: readonly KObject[], key: string, now: number, local: PodGcLocal = initialPodGcLocal()): ReconcileResult<PodGcLocal> =>
  podGarbageCollector.reconcile({ snapshot: snap(objs), key, now, config, local, seed: 1 });

describe('PodGC: orphaned pods (node deleted)', () => {
  const key = podGcNodeKey('node-b');

  it('quarantine: 40 s from when the orphans are first found, then Failed + DisruptionTarget + force delete', () => {
    const pods = [pod('web-1', { terminating: true }), pod('done', { phase: 'Succeeded' })];
    const first = run([node('node-a'), ...pods], key, 700_000);
    expect(first.plan).toBeUndefined();
    expect(first.requeueAfterMs).toBe(40_000);
    expect([...first.local!.missing]).toEqual([['node-b', 700_000]]);
    const early = run([node('node-a'), ...pods], key, 739_999, first.local);
    expect(early.plan).toBeUndefined();
    expect(early.requeueAfterMs).toBe(1);
    const due = run([node('node-a'), ...pods], key, 740_000, first.local);
    expect(writesOf(due.plan)).toEqual([
      {
        verb: 'patch', kind: 'Pod', namespace: 'default', name: 'web-1', subresource: 'status', resourceVersion: '10',
        patch: {
          status: {
            phase: 'Failed',
            conditions: [
              { type: 'Ready', status: 'True', lastTransitionTime: timestamp(0) },
              { type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp(0) },
              { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: timestamp(740_000) },
            ],
          },
        },
      },
      { verb: 'delete', kind: 'Pod', namespace: 'default', name: 'web-1', gracePeriodSeconds: 0, preconditions: { uid: 'uid-web-1' } },
      // A finished pod is not patched, only deleted.
      { verb: 'delete', kind: 'Pod', namespace: 'default', name: 'done', gracePeriodSeconds: 0, preconditions: { uid: 'uid-done' } },
    ]);
    expect(due.plan?.kind).toBe('par');
    expect(due.local?.deleting.has('uid-web-1')).toBe(true);
    // Sent once: a sync before the DELETED entries arrive sends nothing again.
    expect(run([node('node-a'), ...pods], key, 740_001, due.local).plan).toBeUndefined();
  });

  it('a failed force delete is retried; a pod that is gone is forgotten', () => {
    const orphans = [pod('a'), pod('b')];
    const local: PodGcLocal = { ...initialPodGcLocal(), missing: new Map([['node-b', 0]]) };
    const r = run(orphans, key, 40_000, local);
    const after = r.onDone!({ ok: false, succeeded: new Set(['gc:uid-a']), failed: new Set(['gc:uid-b']) }, r.local!);
    expect(after.deleting.has('uid-a')).toBe(true);
    expect(after.deleting.has('uid-b')).toBe(false);
    expect(observePodGc(entry('DELETED', pod('a')), pod('a'), after).deleting.has('uid-a')).toBe(false);
  });

  it('a node that exists again, or no pods left: no deletion, quarantine dropped', () => {
    const local: PodGcLocal = { ...initialPodGcLocal(), missing: new Map([['node-b', 0]]) };
    expect(run([node('node-b'), pod('web-1')], key, 50_000, local).plan).toBeUndefined();
    expect(observePodGc(entry('ADDED', node('node-b')), undefined, local).missing.size).toBe(0);
    const empty = run([], key, 50_000, local);
    expect(empty.plan).toBeUndefined();
    expect(empty.local?.missing.size).toBe(0);
    expect(run([], key, 50_000)).toEqual({ workUnits: 1 });
  });
});

describe('PodGC: terminating pods', () => {
  it('[gcTerminating] on a NotReady node tainted out-of-service: only terminating pods, force-deleted after being marked Failed', () => {
    const n = node('node-b', { ready: 'Unknown', taints: [OUT_OF_SERVICE] });
    const r = run([n, pod('web-1', { terminating: true }), pod('web-2')], podGcNodeKey('node-b'), 1000);
    expect(writesOf(r.plan)).toEqual([
      { verb: 'patch', kind: 'Pod', namespace: 'default', name: 'web-1', subresource: 'status', resourceVersion: '10', patch: { status: { phase: 'Failed' } } },
      { verb: 'delete', kind: 'Pod', namespace: 'default', name: 'web-1', gracePeriodSeconds: 0, preconditions: { uid: 'uid-web-1' } },
    ]);
    // Ready node with the taint, or NotReady without it: nothing.
    expect(run([node('node-b', { taints: [OUT_OF_SERVICE] }), pod('web-1', { terminating: true })], podGcNodeKey('node-b'), 1000).plan).toBeUndefined();
    expect(run([node('node-b', { ready: 'Unknown' }), pod('web-1', { terminating: true })], podGcNodeKey('node-b'), 1000).plan).toBeUndefined();
  });

  it('[gcUnscheduledTerminating] a terminating pod never scheduled', () => {
    const p = pod('p', { node: null, terminating: true, phase: 'Pending' });
    expect(writesOf(run([p], 'default/p', 0).plan).map((w) => w.verb)).toEqual(['patch', 'delete']);
    expect(run([pod('q', { node: null, phase: 'Pending' })], 'default/q', 0).plan).toBeUndefined();
    expect(run([pod('r', { terminating: true })], 'default/r', 0).plan).toBeUndefined();
  });
});

describe('PodGC: terminated pods past --terminated-pod-gc-threshold [gcTerminated]', () => {
  const small = { ...config, terminatedPodThreshold: 2 };
  const runWith = (objs: readonly KObject[], cfg = small) =>
    podGarbageCollector.reconcile({ snapshot: snap(objs), key: 'terminated', now: 0, config: cfg, local: initialPodGcLocal(), seed: 1 });
  it('deletes (grace 0) as many of the oldest terminated pods as exceed the threshold, evicted ones first', () => {
    const objs = [
      node('node-b'),
      pod('old-ok', { phase: 'Succeeded', createdAt: 1000 }), pod('b-failed', { phase: 'Failed', createdAt: 2000 }), pod('a-failed', { phase: 'Failed', createdAt: 2000 }),
      pod('evicted', { phase: 'Failed', reason: 'Evicted', createdAt: 9000 }), pod('new', { phase: 'Failed', createdAt: 9500 }), pod('running', { createdAt: 0 }),
    ];
    const w = writesOf(runWith(objs).plan);
    expect(w.map((r) => [r.verb, (r as { name?: string }).name, (r as { gracePeriodSeconds?: number }).gracePeriodSeconds])).toEqual([
      ['delete', 'evicted', 0], ['delete', 'old-ok', 0], ['delete', 'a-failed', 0],
    ]);
    expect(writesOf(runWith(objs.slice(0, 3)).plan)).toEqual([]);
    expect(writesOf(runWith(objs, { ...config, terminatedPodThreshold: 0 }).plan)).toEqual([]);
  });

  it('the handlers count terminated pods (O(1) per entry) and wake the collector only when one more takes the count past the threshold', () => {
    let local = initialPodGcLocal();
    const seen: string[][] = [];
    const step = (type: 'ADDED' | 'MODIFIED' | 'DELETED', o: Pod, old?: Pod) => {
      const e = entry(type, o);
      local = observePodGc(e, old, local);
      seen.push([...podGcKeysFor(e, old, snap([node('node-b')]), { ...config, terminatedPodThreshold: 2 }, { local, now: 0 })]);
    };
    step('ADDED', pod('a'));
    step('MODIFIED', pod('a', { phase: 'Failed' }), pod('a'));
    step('ADDED', pod('b', { phase: 'Succeeded' }));
    expect(local.terminated).toBe(2);
    step('ADDED', pod('c', { phase: 'Failed' }));
    expect(local.terminated).toBe(3);
    step('MODIFIED', pod('c', { phase: 'Failed' }), pod('c', { phase: 'Failed' }));
    step('DELETED', pod('c', { phase: 'Failed' }), pod('c', { phase: 'Failed' }));
    expect(local.terminated).toBe(2);
    expect(seen).toEqual([[], [], [], ['terminated'], [], []]);
    // Restarted above the threshold: the initial list includes it.
    const objs = [node('node-b'), pod('a', { phase: 'Failed' }), pod('b', { phase: 'Failed' }), pod('c', { phase: 'Failed' })];
    expect([...podGarbageCollector.initialKeys(snap(objs), { ...config, terminatedPodThreshold: 2 })]).toEqual(['terminated']);
    expect([...podGarbageCollector.initialKeys(snap(objs), config)]).toEqual([]);
  });
});

describe('PodGC: event handlers', () => {
  const ready = node('node-b');
  it('pods: bound to a missing node, terminating on an out-of-service node, terminating unscheduled', () => {
    expect(podGcKeysFor(entry('MODIFIED', pod('p')), undefined, snap([ready]))).toEqual([]);
    expect(podGcKeysFor(entry('MODIFIED', pod('p')), undefined, snap([]))).toEqual(['node:node-b']);
    expect(podGcKeysFor(entry('DELETED', pod('p')), undefined, snap([]))).toEqual([]);
    const oos = node('node-b', { ready: 'Unknown', taints: [OUT_OF_SERVICE] });
    expect(podGcKeysFor(entry('MODIFIED', pod('p', { terminating: true })), undefined, snap([oos]))).toEqual(['node:node-b']);
    expect(podGcKeysFor(entry('MODIFIED', pod('p')), undefined, snap([oos]))).toEqual([]);
    expect(podGcKeysFor(entry('MODIFIED', pod('u', { node: null, terminating: true })), undefined, snap([]))).toEqual(['default/u']);
    expect(podGcKeysFor(entry('ADDED', pod('u', { node: null })), undefined, snap([]))).toEqual([]);
  });

  it('nodes: deleted, or becoming out-of-service', () => {
    expect(podGcKeysFor(entry('DELETED', ready), ready, snap([]))).toEqual(['node:node-b']);
    expect(podGcKeysFor(entry('MODIFIED', node('node-b', { ready: 'Unknown' })), ready, snap([]))).toEqual([]);
    const oos = node('node-b', { ready: 'Unknown', taints: [OUT_OF_SERVICE] });
    expect(podGcKeysFor(entry('MODIFIED', oos), node('node-b', { ready: 'Unknown' }), snap([oos]))).toEqual(['node:node-b']);
    expect(podGcKeysFor(entry('MODIFIED', oos), oos, snap([oos]))).toEqual([]);
    expect(podGcKeysFor({ seq: 1, time: 0, type: 'FAULT', actor: 'system:chaos', cause: null, data: { fault: 'node-down', node: 'node-b' } }, undefined, snap([]))).toEqual([]);
  });

  it('initial keys: orphans, out-of-service nodes, unscheduled terminating pods; nothing on a healthy cluster', () => {
    const oos = node('node-c', { ready: 'False', taints: [OUT_OF_SERVICE] });
    const objs = [node('node-a'), oos, pod('a', { node: 'node-a' }), pod('x', { node: 'gone' }), pod('y', { node: 'gone' }), pod('u', { node: null, terminating: true })];
    expect([...podGarbageCollector.initialKeys(snap(objs), config)]).toEqual(['node:node-c', 'node:gone', 'default/u']);
    expect([...podGarbageCollector.initialKeys(snap([node('node-a'), pod('a', { node: 'node-a' })]), config)]).toEqual([]);
  });
});
