/**
 * Deleting a namespace (Kubernetes 1.35: [namespace REST Delete, FinalizeREST, ShouldDeleteNamespaceDuringUpdate],
 * [NamespaceLifecycle admission], [namespace_controller, namespacedResourcesDeleter, status_condition_utils]):
 * the namespace goes Terminating at once and refuses new content; after 5 s the namespace controller deletes
 * everything in it — a StatefulSet's pods within their grace period, its claims once their pods are gone
 * (pvc-protection), whatever their retention policy — reporting what remains in the namespace's conditions;
 * once nothing remains it removes its `kubernetes` finalizer and the API server deletes the namespace.
 */
import { describe, expect, it } from 'vitest';
import type { KObject, Namespace, PersistentVolume, PersistentVolumeClaim, Pod } from '@kubesim/api';
import { cmd, create, get, list, manifests, newCluster, refused, sleep, waitFor, type Json } from './harness.js';

const TEAM = 'team';

const workload = (): KObject[] => manifests(`apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: team}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432, name: pg}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: team}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 20
      containers: [{name: pg, image: postgres:16, volumeMounts: [{name: data, mountPath: /var/lib/postgresql}]}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: team}
data: {mode: primary}
`);

const ns = (sim: ReturnType<typeof newCluster>): Namespace | undefined => get<Namespace>(sim, 'Namespace', TEAM, '');
const condition = (n: Namespace | undefined, type: string) => n?.status?.conditions?.find((c) => c.type === type);

describe('namespace deletion', () => {
  it('Terminating at once, new content refused; after 5 s its content is deleted — pods within their grace period, claims once their pods are gone; then the namespace goes', () => {
    const sim = newCluster();
    create(sim, ...workload());
    waitFor(sim, 'db-2 Ready', () => list<Pod>(sim, 'Pod', TEAM).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 3);
    expect(list<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', TEAM).map((c) => c.metadata!.name).sort()).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
    const volumes = list<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', TEAM).map((c) => c.spec!.volumeName!);
    expect(get(sim, 'ServiceAccount', 'default', TEAM)).toBeDefined();

    const deletedAt = sim.now;
    cmd(sim, 'delete ns', [{ verb: 'delete', kind: 'Namespace', namespace: '', name: TEAM }]);
    const marked = ns(sim)!;
    expect(marked.status?.phase).toBe('Terminating');
    expect(marked.metadata?.deletionTimestamp).toBeDefined();
    expect(marked.spec?.finalizers).toEqual(['kubernetes']);
    // NamespaceLifecycle: nothing new in a terminating namespace.
    const before = sim.log.lastSeq();
    expect(refused(sim, 'create in terminating', [{ verb: 'create', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: TEAM }, data: {} } as Json }]))
      .toMatchObject({ reason: 'Forbidden', message: 'configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated' });
    expect(sim.log.lastSeq()).toBe(before);
    // A second deletion changes nothing while the finalizer is there.
    cmd(sim, 'delete ns again', [{ verb: 'delete', kind: 'Namespace', namespace: '', name: TEAM }]);
    expect(ns(sim)!.metadata?.resourceVersion).toBe(marked.metadata?.resourceVersion);

    // The controller waits namespaceDeletionGracePeriod (5 s) before it touches the content.
    sleep(sim, 4_000);
    expect(list(sim, 'Pod', TEAM).every((p: Json) => p.metadata.deletionTimestamp === undefined)).toBe(true);
    waitFor(sim, 'pods terminating, the rest gone', () => list<Pod>(sim, 'Pod', TEAM).every((p) => p.metadata?.deletionTimestamp !== undefined)
      && get(sim, 'StatefulSet', 'db', TEAM) === undefined && get(sim, 'ConfigMap', 'settings', TEAM) === undefined, 10_000);
    expect(sim.now - deletedAt).toBeGreaterThanOrEqual(5_000);
    expect(list(sim, 'Pod', TEAM)).toHaveLength(3);
    // What remains is reported in the namespace's conditions.
    waitFor(sim, 'conditions', () => condition(ns(sim), 'NamespaceContentRemaining')?.status === 'True', 10_000);
    const remaining = ns(sim)!;
    expect(condition(remaining, 'NamespaceContentRemaining')).toMatchObject({
      reason: 'SomeResourcesRemain', message: 'Some resources are remaining: persistentvolumeclaims. has 3 resource instances, pods. has 3 resource instances',
    });
    expect(condition(remaining, 'NamespaceFinalizersRemaining')).toMatchObject({
      status: 'True', reason: 'SomeFinalizerRemain', message: 'Some finalizers are remaining: kubernetes.io/pvc-protection in 3 resource instances',
    });
    expect(condition(remaining, 'NamespaceDeletionDiscoveryFailure')).toMatchObject({ status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' });
    expect(remaining.status?.conditions?.map((c) => c.type)).toEqual([
      'NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceDeletionContentFailure', 'NamespaceContentRemaining', 'NamespaceFinalizersRemaining',
    ]);
    // The pods terminate gracefully (20 s), then the claims go (pvc-protection), then the namespace.
    waitFor(sim, 'namespace gone', () => ns(sim) === undefined, 120_000);
    expect(sim.now - deletedAt).toBeGreaterThanOrEqual(20_000);
    for (const kind of ['Pod', 'PersistentVolumeClaim', 'Service', 'ServiceAccount', 'ConfigMap', 'Endpoints', 'EndpointSlice', 'ControllerRevision'] as const) {
      expect(list(sim, kind, TEAM), kind).toEqual([]);
    }
    // Every claim was deleted before the namespace; the provisioned volumes follow their reclaim policy (Delete).
    const log = sim.log.all();
    const nsGone = log.findIndex((e) => e.type === 'DELETED' && e.object?.kind === 'Namespace' && e.object.metadata?.name === TEAM);
    const claimsGone = log.filter((e) => e.type === 'DELETED' && e.object?.kind === 'PersistentVolumeClaim' && e.object.metadata?.namespace === TEAM);
    expect(claimsGone).toHaveLength(3);
    expect(claimsGone.every((e) => e.seq < log[nsGone]!.seq)).toBe(true);
    expect(log[nsGone]!.actor).toBe('namespace-controller');
    waitFor(sim, 'volumes deleted', () => volumes.every((v) => get<PersistentVolume>(sim, 'PersistentVolume', v, '') === undefined), 60_000);
  });

  it('an empty namespace goes after the controller\'s 5 s; default may not be deleted; a namespace re-created after its deletion is a new one', () => {
    const sim = newCluster();
    create(sim, ...manifests('apiVersion: v1\nkind: Namespace\nmetadata: {name: scratch}\n'));
    waitFor(sim, 'default account', () => get(sim, 'ServiceAccount', 'default', 'scratch') !== undefined, 10_000);
    const uid = get<Namespace>(sim, 'Namespace', 'scratch', '')!.metadata!.uid;
    cmd(sim, 'delete', [{ verb: 'delete', kind: 'Namespace', namespace: '', name: 'scratch' }]);
    // The serviceaccount controller does not give a terminating namespace its account back.
    waitFor(sim, 'gone', () => get(sim, 'Namespace', 'scratch', '') === undefined, 30_000);
    expect(list(sim, 'ServiceAccount', 'scratch')).toEqual([]);
    expect(refused(sim, 'default', [{ verb: 'delete', kind: 'Namespace', namespace: '', name: 'default' }]))
      .toMatchObject({ reason: 'Forbidden', message: 'namespaces "default" is forbidden: this namespace may not be deleted' });
    create(sim, ...manifests('apiVersion: v1\nkind: Namespace\nmetadata: {name: scratch}\n'));
    expect(get<Namespace>(sim, 'Namespace', 'scratch', '')!.metadata!.uid).not.toBe(uid);
    expect(get<Namespace>(sim, 'Namespace', 'scratch', '')!.status?.phase).toBe('Active');
    waitFor(sim, 'account again', () => get(sim, 'ServiceAccount', 'default', 'scratch') !== undefined, 10_000);
  });
});
