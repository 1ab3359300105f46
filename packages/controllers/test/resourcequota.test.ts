import { describe, expect, it } from 'vitest';
import { timestamp, type ApiRequest, type KObject, type Pod, type ResourceQuota } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { writesOf } from '../src/framework/index.js';
import { resourceQuotaController, resourceQuotaKeysFor, syncResourceQuota } from '../src/resourcequota/index.js';
import { makeSnapshot } from './util.js';

// The resource quota controller: status.hard and status.used of each ResourceQuota (S48's quota, as `kubectl get quota` shows it).

const quota = (hard: Record<string, string>, status?: ResourceQuota['status'], ns = 'default'): ResourceQuota => ({
  apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: ns, resourceVersion: '7' }, spec: { hard }, ...(status ? { status } : {}),
});
const pod = (name: string, o: { phase?: string; deletedAt?: number; grace?: number; ns?: string; requests?: Record<string, string>; limits?: Record<string, string> } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: o.ns ?? 'default', uid: `uid-${name}`,
    ...(o.deletedAt !== undefined ? { deletionTimestamp: timestamp(o.deletedAt), deletionGracePeriodSeconds: o.grace ?? 30 } : {}),
  },
  spec: { containers: [{ name: 'c', image: 'nginx', ...(o.requests || o.limits ? { resources: { ...(o.requests ? { requests: o.requests } : {}), ...(o.limits ? { limits: o.limits } : {}) } } : {}) }] },
  status: { phase: o.phase ?? 'Running' },
});
const claim = (name: string, storage: string): KObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
} as KObject);
const snap = (objs: readonly KObject[]) => makeSnapshot(objs);
const statusWrite = (objs: readonly KObject[], now = 0): ResourceQuota['status'] | undefined => {
  const w = writesOf(syncResourceQuota(snap(objs), 'default/q', now).plan);
  if (w.length === 0) return undefined;
  const r = w[0] as Extract<ApiRequest, { verb: 'update' }>;
  expect(r.subresource).toBe('status');
  return (r.object as ResourceQuota).status;
};

describe('resource quota controller (status.hard, status.used)', () => {
  it('counts what the hard limits name: pods and their cpu/memory (terminal ones not charged, but counted by count/pods), claims and their storage, services, object counts', () => {
    const q = quota({
      pods: '5', 'count/pods': '9', persistentvolumeclaims: '4', 'requests.storage': '10Gi', services: '2', 'count/statefulsets.apps': '1',
      'requests.cpu': '2', 'limits.memory': '4Gi',
    });
    const objs = [
      q, pod('a', { requests: { cpu: '500m' }, limits: { memory: '512Mi' } }), pod('b', { requests: { cpu: '1' }, limits: { memory: '1Gi' } }),
      pod('done', { phase: 'Succeeded', requests: { cpu: '4' } }), pod('failed', { phase: 'Failed' }), pod('elsewhere', { ns: 'other', requests: { cpu: '3' } }),
      claim('c1', '1Gi'), claim('c2', '512Mi'),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: {} } as KObject,
    ];
    expect(statusWrite(objs)).toEqual({
      hard: {
        pods: '5', 'count/pods': '9', persistentvolumeclaims: '4', 'requests.storage': '10Gi', services: '2', 'count/statefulsets.apps': '1',
        'requests.cpu': '2', 'limits.memory': '4Gi',
      },
      used: {
        'count/pods': '4', 'count/statefulsets.apps': '0', 'limits.memory': '1536Mi', persistentvolumeclaims: '2', pods: '2',
        'requests.cpu': '1500m', 'requests.storage': '1536Mi', services: '1',
      },
    });
  });

  it('claims per StorageClass (<class>.storageclass.storage.k8s.io/…), and what is allocated when it is more than the request', () => {
    const gold = 'gold.storageclass.storage.k8s.io/';
    const q = quota({ 'requests.storage': '10Gi', [`${gold}requests.storage`]: '5Gi', [`${gold}persistentvolumeclaims`]: '2' });
    const inClass = (name: string, storage: string, allocated?: string): KObject => {
      const c = claim(name, storage) as KObject & { spec: Record<string, unknown> };
      return { ...c, spec: { ...c.spec, storageClassName: 'gold' }, ...(allocated ? { status: { allocatedResources: { storage: allocated } } } : {}) } as KObject;
    };
    // A failed expansion being recovered (the request lowered below what was allocated) is charged the allocation.
    const objs = [q, inClass('a', '1Gi'), inClass('b', '1Gi', '3Gi'), claim('plain', '2Gi')];
    expect(statusWrite(objs)?.used).toEqual({ 'requests.storage': '6Gi', [`${gold}requests.storage`]: '4Gi', [`${gold}persistentvolumeclaims`]: '2' });
    const e: Envelope = { seq: 9, time: 0, type: 'DELETED', actor: 'x', cause: null, object: inClass('a', '1Gi') };
    expect(resourceQuotaKeysFor(e, inClass('a', '1Gi'), snap([quota({ [`${gold}persistentvolumeclaims`]: '2' })]))).toEqual(['default/q']);
  });

  it('writes only when the status differs', () => {
    const current = { hard: { pods: '3' }, used: { pods: '1' } };
    expect(statusWrite([quota({ pods: '3' }, current), pod('a')])).toBeUndefined();
    expect(statusWrite([quota({ pods: '10' }, current), pod('a')])).toEqual({ hard: { pods: '10' }, used: { pods: '1' } });
    expect(statusWrite([quota({ pods: '3' }, current), pod('a'), pod('b')])).toEqual({ hard: { pods: '3' }, used: { pods: '2' } });
  });

  it('a terminating pod is charged until its grace period ends: the sync looks again then', () => {
    const objs = [quota({ pods: '3' }), pod('a'), pod('t', { deletedAt: 10_000, grace: 30 })];
    const r = syncResourceQuota(snap(objs), 'default/q', 20_000);
    expect(r.requeueAfterMs).toBe(20_001);
    expect(statusWrite(objs, 20_000)?.used).toEqual({ pods: '2' });
    expect(statusWrite(objs, 40_001)?.used).toEqual({ pods: '1' });
  });

  it('handlers: a quota created or whose hard limits changed; a counted object deleted or changing its charge, in a namespace with quotas — not one created (admission charged it)', () => {
    const e = (type: Envelope['type'], o: KObject, time = 0): Envelope => ({ seq: 9, time, type, actor: 'x', cause: null, object: o });
    const q = quota({ pods: '3' });
    const s = snap([q]);
    expect(resourceQuotaKeysFor(e('ADDED', q), undefined, s)).toEqual(['default/q']);
    expect(resourceQuotaKeysFor(e('MODIFIED', quota({ pods: '3' }, { hard: { pods: '3' }, used: { pods: '1' } })), q, s)).toEqual([]);
    expect(resourceQuotaKeysFor(e('MODIFIED', quota({ pods: '4' }, { hard: { pods: '3' } })), q, s)).toEqual(['default/q']);
    expect(resourceQuotaKeysFor(e('ADDED', pod('a')), undefined, s)).toEqual([]);
    expect(resourceQuotaKeysFor(e('MODIFIED', pod('a')), pod('a', { phase: 'Pending' }), s)).toEqual([]);
    expect(resourceQuotaKeysFor(e('MODIFIED', pod('a', { phase: 'Failed' })), pod('a'), s)).toEqual(['default/q']);
    expect(resourceQuotaKeysFor(e('DELETED', pod('a')), pod('a'), s)).toEqual(['default/q']);
    expect(resourceQuotaKeysFor(e('ADDED', pod('x', { ns: 'other' })), undefined, s)).toEqual([]);
    expect(resourceQuotaKeysFor(e('DELETED', pod('x', { ns: 'other' })), pod('x', { ns: 'other' }), s)).toEqual([]);
    // A claim does not concern a quota of pods only.
    expect(resourceQuotaKeysFor(e('DELETED', claim('c', '1Gi')), claim('c', '1Gi'), s)).toEqual([]);
    expect([...resourceQuotaController.initialKeys(s, undefined)]).toEqual(['default/q']);
  });
});
