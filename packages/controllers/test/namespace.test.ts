import { describe, expect, it } from 'vitest';
import { timestamp, type KObject, type Namespace, type Pod } from '@kubesim/api';
import { writesOf } from '../src/framework/index.js';
import { NAMESPACED_CONTENT, namespaceKeysFor, syncNamespace } from '../src/namespace/index.js';
import { makeSnapshot } from './util.js';

// [namespace_controller, namespacedResourcesDeleter.Delete / deleteAllContent / estimateGracefulTermination,
//  status_condition_utils] — Kubernetes 1.35.

const DELETED_AT = 10_000;

const ns = (o: { deleted?: boolean; finalizers?: string[]; conditions?: unknown[] } = {}): Namespace => ({
  apiVersion: 'v1', kind: 'Namespace',
  metadata: { name: 'team', uid: 'uid-team', resourceVersion: '40', ...(o.deleted !== false ? { deletionTimestamp: timestamp(DELETED_AT) } : {}) },
  spec: { finalizers: o.finalizers ?? ['kubernetes'] },
  status: { phase: o.deleted !== false ? 'Terminating' : 'Active', ...(o.conditions ? { conditions: o.conditions } : {}) } as Namespace['status'],
});

const pod = (name: string, o: { grace?: number; terminating?: boolean; phase?: string; node?: string | null } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: 'team', uid: `uid-${name}`, resourceVersion: '20',
    ...(o.terminating ? { deletionTimestamp: timestamp(DELETED_AT + 25_000), deletionGracePeriodSeconds: o.grace ?? 30 } : {}),
  },
  spec: { ...(o.node === null ? {} : { nodeName: 'node-a' }), terminationGracePeriodSeconds: o.grace ?? 30, containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase: o.phase ?? 'Running' },
} as Pod);

const claim = (name: string): KObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'team', uid: `uid-${name}`, resourceVersion: '21', finalizers: ['kubernetes.io/pvc-protection'] },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
} as KObject);

const cm = (name: string, namespace = 'team'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: '22' }, data: {} } as KObject);

const statusOf = (r: ReturnType<typeof syncNamespace>): Namespace | undefined => {
  const w = writesOf(r.plan).find((q) => q.verb === 'update' && q.subresource === 'status');
  return w?.verb === 'update' ? w.object as Namespace : undefined;
};
const condition = (n: Namespace | undefined, type: string) => n?.status?.conditions?.find((c) => c.type === type);

describe('namespace controller', () => {
  it('wakes only for namespaces being deleted; waits 5 s after the deletion before it acts', () => {
    const live = makeSnapshot([ns({ deleted: false }), cm('a')]);
    expect(syncNamespace(live, live, 'team', DELETED_AT + 60_000)).toEqual({});
    expect(namespaceKeysFor({ seq: 1, type: 'MODIFIED', actor: 'user', cause: null, time: 0, object: ns({ deleted: false }) } as never, undefined)).toEqual([]);
    expect(namespaceKeysFor({ seq: 2, type: 'MODIFIED', actor: 'user', cause: null, time: 0, object: ns() } as never, undefined)).toEqual(['team']);
    const snap = makeSnapshot([ns(), cm('a')]);
    expect(syncNamespace(snap, snap, 'team', DELETED_AT + 1_000)).toEqual({ requeueAfterMs: 4_000 });
  });

  it('deletes every namespaced object in it (Background), not those of other namespaces nor those already being deleted', () => {
    const snap = makeSnapshot([ns(), cm('a'), cm('b', 'other'), pod('p0'), pod('p1', { terminating: true }), claim('c0')]);
    const r = syncNamespace(snap, snap, 'team', DELETED_AT + 5_000);
    const deletes = writesOf(r.plan).filter((w) => w.verb === 'delete');
    expect(deletes.map((w) => w.verb === 'delete' && `${w.kind}/${w.namespace}/${w.name}/${w.propagationPolicy}`).sort()).toEqual([
      'ConfigMap/team/a/Background', 'PersistentVolumeClaim/team/c0/Background', 'Pod/team/p0/Background',
    ]);
    expect(NAMESPACED_CONTENT).toContain('ControllerRevision');
    expect(NAMESPACED_CONTENT).not.toContain('PersistentVolume');
  });

  it('what remains goes into the conditions; requeued after half the pods\' grace estimate + 1 s, or 8 s for finalizers alone', () => {
    const snap = makeSnapshot([ns(), pod('p0', { grace: 20 }), pod('p1', { grace: 20 }), claim('c0'), claim('c1'), cm('a')]);
    const r = syncNamespace(snap, snap, 'team', DELETED_AT + 5_000);
    expect(r.requeueAfterMs).toBe(11_000);
    expect(r.error).toBeUndefined();
    const st = statusOf(r)!;
    expect(st.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
      ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain'],
      ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizerRemain'],
    ]);
    expect(condition(st, 'NamespaceContentRemaining')?.message).toBe('Some resources are remaining: persistentvolumeclaims. has 2 resource instances, pods. has 2 resource instances');
    expect(condition(st, 'NamespaceFinalizersRemaining')?.message).toBe('Some finalizers are remaining: kubernetes.io/pvc-protection in 2 resource instances');
    expect(condition(st, 'NamespaceContentRemaining')?.lastTransitionTime).toBe(timestamp(DELETED_AT + 5_000));
    expect(writesOf(r.plan).some((w) => w.verb === 'update' && w.subresource === 'finalize')).toBe(false);
    // The pods' estimate lapses once the namespace has been deleted for longer than it: the claims' 15 s.
    const pvcsOnly = makeSnapshot([ns({ conditions: st.status!.conditions }), claim('c0')]);
    const later = syncNamespace(pvcsOnly, pvcsOnly, 'team', DELETED_AT + 30_000);
    expect(later.requeueAfterMs).toBe(8_000);
    expect(condition(statusOf(later), 'NamespaceContentRemaining')?.message).toBe('Some resources are remaining: persistentvolumeclaims. has 1 resource instances');
    // Unchanged conditions are not written again.
    const again = syncNamespace(makeSnapshot([ns({ conditions: statusOf(later)!.status!.conditions }), claim('c0')]), pvcsOnly, 'team', DELETED_AT + 40_000);
    expect(statusOf(again)).toBeUndefined();
  });

  it('pods past the estimate that are still there are an error (NamespaceDeletionContentFailure), retried with backoff', () => {
    const snap = makeSnapshot([ns(), pod('p0', { grace: 20, terminating: true })]);
    const r = syncNamespace(snap, snap, 'team', DELETED_AT + 26_000);
    expect(r.error).toBe('unexpected items still remain in namespace: team for gvr: /v1, Resource=pods');
    expect(condition(statusOf(r), 'NamespaceDeletionContentFailure')).toMatchObject({
      status: 'True', reason: 'ContentDeletionFailed', message: 'Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: team for gvr: /v1, Resource=pods',
    });
  });

  it('unscheduled and terminal pods go at once; with nothing left the conditions turn False and the kubernetes finalizer is removed (no resourceVersion precondition)', () => {
    const snap = makeSnapshot([ns({ finalizers: ['kubernetes', 'example.com/other'] }), pod('pending', { node: null }), pod('done', { phase: 'Succeeded' })]);
    const r = syncNamespace(snap, snap, 'team', DELETED_AT + 5_000);
    expect(r.requeueAfterMs).toBeUndefined();
    const fin = writesOf(r.plan).find((w) => w.verb === 'update' && w.subresource === 'finalize');
    expect(fin?.verb === 'update' && (fin.object as Namespace).spec?.finalizers).toEqual(['example.com/other']);
    expect(fin?.verb === 'update' && fin.object.metadata?.resourceVersion).toBeUndefined();
    expect(statusOf(r)!.status?.conditions?.every((c) => c.status === 'False')).toBe(true);
    // Finalized already (its finalizer gone): nothing to do.
    const done = makeSnapshot([ns({ finalizers: ['example.com/other'] })]);
    expect(syncNamespace(done, done, 'team', DELETED_AT + 9_000)).toEqual({});
  });
});
