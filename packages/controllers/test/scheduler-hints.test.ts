import { describe, expect, it } from 'vitest';
import type { KObject, PersistentVolumeClaim, Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import {
  schedulerBackoffMs as backoffMs, defaultSchedulerConfig, initialSchedulerLocal, isPodUpdated, scheduler, schedulerKeysFor, schedulePod, type SchedulerLocal,
} from '../src/scheduler/index.js';
import { makeSnapshot } from './util.js';

const UNBOUND = 'pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available';
const pod = (name: string): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '5' },
  spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: `data-${name}` } }] },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: UNBOUND }] },
});
const claim = (name: string): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '9' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: `pv-${name}` },
  status: { phase: 'Bound' },
});
const ev = (o: KObject, seq = 10): Envelope => ({ seq, time: 0, type: 'MODIFIED', actor: 'volume-binder', cause: null, object: o });

describe('scheduler queueing hints: the backoff queue (a pod that failed on an error)', () => {
  const config = defaultSchedulerConfig;
  const objects = [pod('web-0'), pod('web-1'), claim('data-web-0'), claim('data-web-1')] as KObject[];
  const snap = makeSnapshot(objects, scheduler.indexes);
  const backingOff = (now: number): SchedulerLocal => {
    const l = initialSchedulerLocal();
    return { ...l, attempts: l.attempts.set('uid-web-0', { count: 1, lastFailureMs: now - 10, parked: false, seq: 0 }) };
  };

  it('an event does not wake a pod that is backing off; it does once the backoff has expired', () => {
    const local = backingOff(1_000);
    expect(schedulerKeysFor(ev(claim('data-web-0')), undefined, snap, config, { local, now: 1_000 })).toEqual([]);
    expect(schedulerKeysFor(ev(pod('web-0')), undefined, snap, config, { local, now: 1_000 })).toEqual([]);
    // Other pods are not affected.
    expect(schedulerKeysFor(ev(claim('data-web-1')), undefined, snap, config, { local, now: 1_000 })).toEqual(['default/web-1']);
    // Backoff (1 s for one attempt) over: woken again.
    expect(schedulerKeysFor(ev(claim('data-web-0')), undefined, snap, config, { local, now: 1_000 - 10 + 1_000 })).toEqual(['default/web-0']);
  });

  it('without a context (or with no failed attempts) every candidate is queued, as before', () => {
    expect(schedulerKeysFor(ev(claim('data-web-0')), undefined, snap, config)).toEqual(['default/web-0']);
    expect(schedulerKeysFor(ev(claim('data-web-0')), undefined, snap, config, { local: initialSchedulerLocal(), now: 5 })).toEqual(['default/web-0']);
  });

  it('the skipped reconcile would only have re-armed the backoff timer', () => {
    const local = backingOff(1_000);
    const r = schedulePod({ snapshot: snap, key: 'default/web-0', now: 1_000, config, local, seed: 1 });
    expect(r.plan).toBeUndefined();
    expect(r.local).toBeUndefined();
    expect(r.requeueAfterMs).toBe(990);
  });
});

describe('scheduler queueing hints: unschedulablePods (a pod a plugin rejected)', () => {
  const config = defaultSchedulerConfig;
  const objects = [pod('web-0'), claim('data-web-0')] as KObject[];
  const snap = makeSnapshot(objects, scheduler.indexes);
  const parkedAt = (now: number): SchedulerLocal => {
    const l = initialSchedulerLocal();
    return { ...l, attempts: l.attempts.set('uid-web-0', { count: 1, lastFailureMs: now - 10, parked: true, seq: 0 }) };
  };
  const modified = (o: Pod): Envelope => ({ ...ev(o), type: 'MODIFIED' });

  it('an event that may help wakes it even during its backoff (no retry timer is armed)', () => {
    expect(schedulerKeysFor(ev(claim('data-web-0')), undefined, snap, config, { local: parkedAt(1_000), now: 1_000 })).toEqual(['default/web-0']);
  });

  it('woken during its backoff, it moves to the backoff queue: later events pass it by until the backoff expires', () => {
    const local = parkedAt(1_000);
    const woken = schedulePod({ snapshot: snap, key: 'default/web-0', now: 1_000, config, local, seed: 1 });
    expect(woken.plan).toBeUndefined();
    const backoff = backoffMs(1, config);
    expect(woken.requeueAfterMs).toBe(backoff - 10);
    expect(woken.local?.attempts.get('uid-web-0')?.parked).toBe(false);
    expect(schedulerKeysFor(ev(claim('data-web-0')), undefined, snap, config, { local: woken.local!, now: 1_001 })).toEqual([]);
    expect(schedulerKeysFor(ev(claim('data-web-0')), undefined, snap, config, { local: woken.local!, now: 1_000 + backoff })).toEqual(['default/web-0']);
  });

  it('its own status write (PodScheduled=False) does not wake it; a change of its labels or spec does', () => {
    const local = parkedAt(1_000);
    const old = pod('web-0');
    const statusOnly: Pod = { ...old, metadata: { ...old.metadata, resourceVersion: '6' }, status: { ...old.status, conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'other' }] } };
    expect(schedulerKeysFor(modified(statusOnly), old, snap, config, { local, now: 5_000 })).toEqual([]);
    const relabelled: Pod = { ...old, metadata: { ...old.metadata, resourceVersion: '6', labels: { tier: 'db' } } };
    expect(schedulerKeysFor(modified(relabelled), old, snap, config, { local, now: 5_000 })).toEqual(['default/web-0']);
    const respec: Pod = { ...old, spec: { ...old.spec!, nodeSelector: { disk: 'ssd' } } };
    expect(schedulerKeysFor(modified(respec), old, snap, config, { local, now: 5_000 })).toEqual(['default/web-0']);
    // Not parked (never failed): any update queues it, as before.
    expect(schedulerKeysFor(modified(statusOnly), old, snap, config, { local: initialSchedulerLocal(), now: 5_000 })).toEqual(['default/web-0']);
  });

  it('isPodUpdated ignores status, resourceVersion, generation and managedFields', () => {
    const old = pod('web-0');
    expect(isPodUpdated(old, { ...old, metadata: { ...old.metadata, resourceVersion: '99', generation: 3, managedFields: [] }, status: { phase: 'Pending' } })).toBe(false);
    expect(isPodUpdated(old, { ...old, metadata: { ...old.metadata, annotations: { a: 'b' } } })).toBe(true);
    expect(isPodUpdated(old, { ...old, metadata: { ...old.metadata, annotations: {} } })).toBe(false);
  });
});

describe('scheduler queueing hints: InterPodAffinity and PodTopologySpread', () => {
  const config = defaultSchedulerConfig;
  const ANTI = "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.";
  const parked = (name: string, message: string): Pod => ({ ...pod(name), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] } });
  const bound = (name: string, labels: Record<string, string> = {}): Pod => ({
    ...pod(name), metadata: { ...pod(name).metadata, labels }, spec: { ...pod(name).spec!, nodeName: 'node-a' }, status: { phase: 'Running' },
  });
  const snap = makeSnapshot([parked('wait-volume', UNBOUND), parked('wait-anti', ANTI), bound('other')] as KObject[], scheduler.indexes);
  const local = initialSchedulerLocal();

  it('a pod bound to a node, or relabelled there, wakes only the pods another pod can help (not those waiting for their volumes)', () => {
    const unbound = pod('other');
    expect(schedulerKeysFor(ev(bound('other')), unbound, snap, config, { local, now: 5_000 })).toEqual(['default/wait-anti']);
    expect(schedulerKeysFor(ev(bound('other', { app: 'x' })), bound('other'), snap, config, { local, now: 5_000 })).toEqual(['default/wait-anti']);
    // A status write of a bound pod is no such event.
    expect(schedulerKeysFor(ev({ ...bound('other'), status: { phase: 'Running', podIP: '10.0.0.1' } }), bound('other'), snap, config, { local, now: 5_000 })).toEqual([]);
  });

  it('a bound pod that goes wakes the pods it may help (here the one its anti-affinity kept out), not those waiting for volumes', () => {
    expect(schedulerKeysFor({ ...ev(bound('other')), type: 'DELETED' }, bound('other'), snap, config, { local, now: 5_000 })).toEqual(['default/wait-anti']);
  });
});
