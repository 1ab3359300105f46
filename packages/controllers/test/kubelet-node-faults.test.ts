import { describe, expect, it } from 'vitest';
import { timestamp, type KObject, type Node, type Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { writesOf } from '../src/framework/index.js';
import {
  initialKubeletLocal, kubelet, kubeletKey, kubeletKeysFor, observeKubelet, parseNodeFault, type KubeletConfig, type KubeletLocal,
} from '../src/kubelet/index.js';
import { makeSnapshot } from './util.js';

// k8s-semantics §1.13: the node-down / node-up faults as the kubelet sees them.

const config: KubeletConfig = { nodes: ['node-a', 'node-b'], podStartupMs: [500, 1500], killExitCode: 137, forceDetachAfterMs: 360_000 };
const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] } });
const pod = (name: string, nodeName: string, o: { phase?: string; started?: boolean; terminating?: boolean } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '10', creationTimestamp: timestamp(0),
    ...(o.terminating ? { deletionTimestamp: timestamp(1000), deletionGracePeriodSeconds: 1 } : {}),
  },
  spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }] },
  status: o.started
    ? { phase: o.phase ?? 'Running', startTime: timestamp(0), podIP: '10.64.0.2', containerStatuses: [{ name: 'c', image: 'nginx', imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: timestamp(0) } } }] }
    : { phase: o.phase ?? 'Pending' },
});
const fault = (seq: number, time: number, data: unknown): Envelope => ({ seq, time, type: 'FAULT', actor: 'system:chaos', cause: null, data });
const snap = (objs: readonly KObject[]) => makeSnapshot(objs, kubelet.indexes);
const run = (objs: readonly KObject[], key: string, now: number, local: KubeletLocal) =>
  kubelet.reconcile({ snapshot: snap(objs), key, now, config, local, seed: 1 });

describe('kubelet: node-down / node-up faults', () => {
  it('parses the fault format {fault: node-down | node-up, node}', () => {
    expect(parseNodeFault({ fault: 'node-down', node: 'node-b' })).toEqual({ kind: 'node-down', node: 'node-b' });
    expect(parseNodeFault({ fault: 'node-up', node: 'node-b' })).toEqual({ kind: 'node-up', node: 'node-b' });
    expect(parseNodeFault({ fault: 'node-down' })).toBeUndefined();
    expect(parseNodeFault({ fault: 'node-down', node: '' })).toBeUndefined();
    expect(parseNodeFault({ fault: 'pod-fail', name: 'x' })).toBeUndefined();
    expect(parseNodeFault(null)).toBeUndefined();
  });

  it('a stopped kubelet writes nothing for its pods (no start, no readiness, no deletion); other nodes go on', () => {
    const down = observeKubelet(fault(1, 5000, { fault: 'node-down', node: 'node-a' }), undefined, initialKubeletLocal());
    expect([...down.down]).toEqual([['node-a', 5000]]);
    const fresh = pod('fresh', 'node-a');
    const dying = pod('dying', 'node-a', { started: true, terminating: true });
    const objs = [node('node-a'), node('node-b'), fresh, dying, pod('elsewhere', 'node-b')];
    // Up, the kubelet would admit `fresh`, and begin to stop `dying`: its whole grace period (1 s) from now,
    // though the deletion's own deadline has long passed; then the terminal status and the delete.
    const dyingKey = kubeletKey('node-a', 'default', 'dying');
    const stopAndDelete = (now: number, local: KubeletLocal): string[] => {
      const begin = run(objs, dyingKey, now, local);
      expect(writesOf(begin.plan)).toEqual([]);
      expect(begin.requeueAfterMs).toBe(1000);
      expect(begin.local?.killing.get('uid-dying')).toBe(now + 1000);
      expect(run(objs, dyingKey, now + 999, begin.local!).requeueAfterMs).toBe(1);
      return writesOf(run(objs, dyingKey, now + 1000, begin.local!).plan).map((w) => w.verb);
    };
    expect(writesOf(run(objs, kubeletKey('node-a', 'default', 'fresh'), 10_000, initialKubeletLocal()).plan)).toHaveLength(1);
    expect(stopAndDelete(10_000, initialKubeletLocal())).toEqual(['update', 'delete']);
    expect(run(objs, kubeletKey('node-a', 'default', 'fresh'), 10_000, down)).toEqual({});
    expect(run(objs, kubeletKey('node-a', 'default', 'dying'), 10_000, down)).toEqual({});
    expect(writesOf(run(objs, kubeletKey('node-b', 'default', 'elsewhere'), 10_000, down).plan)).toHaveLength(1);
    const up = observeKubelet(fault(2, 20_000, { fault: 'node-up', node: 'node-a' }), undefined, down);
    expect(up.down.size).toBe(0);
    expect(stopAndDelete(20_000, up)).toEqual(['update', 'delete']);
  });

  it('node-up re-syncs every pod of the node that is not finished or still to delete; node-down enqueues nothing', () => {
    const objs = [
      node('node-a'), pod('a', 'node-a'), pod('b', 'node-a', { started: true, terminating: true }), pod('done', 'node-a', { phase: 'Failed' }),
      pod('c', 'node-b'),
    ];
    const s = snap(objs);
    expect(kubeletKeysFor(fault(3, 0, { fault: 'node-up', node: 'node-a' }), undefined, s, config))
      .toEqual(['node-a|/', kubeletKey('node-a', 'default', 'a'), kubeletKey('node-a', 'default', 'b')]); // the node's own status first
    expect(kubeletKeysFor(fault(3, 0, { fault: 'node-down', node: 'node-a' }), undefined, s, config)).toEqual([]);
    // A node this kubelet host does not run.
    expect(kubeletKeysFor(fault(3, 0, { fault: 'node-up', node: 'node-z' }), undefined, s, config)).toEqual([]);
  });
});
