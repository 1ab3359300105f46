/**
 * Volume expansion end to end (claim update, §3 and the PersistentVolumeClaimResize admission): a Bound
 * claim of a class with `allowVolumeExpansion` asks for more storage; the volume binder, as the in-tree
 * expand controller and the CSI external-resizer, grows the volume and marks the claim for node
 * expansion; the kubelet of a node where a pod mounts the volume finishes it and sets status.capacity —
 * at once while the pod runs (online), or when a pod mounts it again (offline).
 */
import { describe, expect, it } from 'vitest';
import type { KObject, PersistentVolume, PersistentVolumeClaim, Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import {
  create, eventsFor, f1With, get, mustGet, newCluster, objectEntries, patch, ready, refused, scale, sleep, standardClass, waitFor, type Json,
} from './harness.js';

const expandable = (): KObject => ({ ...standardClass(), allowVolumeExpansion: true } as KObject);
const claim = (sim: Simulation): PersistentVolumeClaim => mustGet<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', 'www-web-0');
const volumeOf = (sim: Simulation): PersistentVolume => mustGet<PersistentVolume>(sim, 'PersistentVolume', claim(sim).spec!.volumeName!);
const grow = (sim: Simulation, size: string): KObject => patch(sim, 'PersistentVolumeClaim', 'www-web-0', { spec: { resources: { requests: { storage: size } } } });
const oneReplica = (): KObject[] => f1With((set) => { set.spec.replicas = 1; });
/** Set web (one replica) on an expandable class, Ready, then scaled to 0: its claim stays, no pod mounts it. */
const scaledToZero = (): Simulation => {
  const sim = newCluster({ storageClasses: [expandable()] });
  create(sim, ...oneReplica());
  waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
  scale(sim, 'StatefulSet', 'web', 0);
  waitFor(sim, 'web-0 gone', () => get(sim, 'Pod', 'web-0') === undefined);
  return sim;
};

/** The claim's status writes after `since`: [actor, allocatedResourceStatuses.storage, condition types, capacity]. */
const claimStatusWrites = (sim: Simulation, since: number) => objectEntries(sim, since)
  .filter((e) => e.object.kind === 'PersistentVolumeClaim' && e.object.metadata?.name === 'www-web-0' && e.op === 'update/status')
  .map((e) => {
    const c = e.object as PersistentVolumeClaim;
    return [e.actor.split(':')[0], c.status?.allocatedResourceStatuses?.['storage'] ?? '-', (c.status?.conditions ?? []).map((x) => x.type).join(',') || '-', c.status?.capacity?.['storage']];
  });

describe('volume expansion: a Bound claim asks for more storage', () => {
  it('online: the resizer grows the volume, the kubelet of the running pod finishes the file-system resize; events as Kubernetes records them', () => {
    const sim = newCluster({ storageClasses: [expandable()] });
    create(sim, ...oneReplica());
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const node = mustGet<Pod>(sim, 'Pod', 'web-0').spec!.nodeName!;
    const pvName = claim(sim).spec!.volumeName!;
    const since = sim.log.lastSeq();
    grow(sim, '2Gi');
    waitFor(sim, 'capacity 2Gi', () => claim(sim).status?.capacity?.['storage'] === '2Gi');
    sleep(sim, 30_000);
    expect(claimStatusWrites(sim, since)).toEqual([
      ['volume-binder', 'ControllerResizeInProgress', 'Resizing', '1Gi'],
      ['volume-binder', 'NodeResizePending', 'FileSystemResizePending', '1Gi'],
      ['kubelet', '-', '-', '2Gi'],
    ]);
    const c = claim(sim);
    expect(c.status).toMatchObject({ phase: 'Bound', capacity: { storage: '2Gi' }, allocatedResources: { storage: '2Gi' } });
    expect(c.status?.allocatedResourceStatuses).toBeUndefined();
    expect(c.status?.conditions).toBeUndefined();
    expect(volumeOf(sim).spec?.capacity).toEqual({ storage: '2Gi' });
    const pending = objectEntries(sim, since).find((e) => e.object.kind === 'PersistentVolumeClaim' && (e.object as PersistentVolumeClaim).status?.conditions?.some((x) => x.type === 'FileSystemResizePending'));
    expect((pending!.object as PersistentVolumeClaim).status!.conditions![0]).toMatchObject({
      type: 'FileSystemResizePending', status: 'True', message: 'Waiting for user to (re-)start a pod to finish file system resize of volume on node.',
    });
    const ev = (reason: string, kind = 'PersistentVolumeClaim', name = 'www-web-0') => eventsFor(sim, kind, name, reason).map((e: Json) => [e.type, e.message, e.source.component, e.source.host]);
    expect(ev('ExternalExpanding')).toEqual([['Normal', 'waiting for an external controller to expand this PVC', 'volume_expand', undefined]]);
    expect(ev('Resizing')).toEqual([['Normal', `External resizer is resizing volume ${pvName}`, 'external-resizer kubesim.io/hostpath', undefined]]);
    expect(ev('FileSystemResizeRequired')).toEqual([['Normal', 'Require file system resize of volume on node', 'external-resizer kubesim.io/hostpath', undefined]]);
    expect(ev('FileSystemResizeSuccessful', 'Pod', 'web-0')).toEqual([['Normal', `MountVolume.NodeExpandVolume succeeded for volume "${pvName}" ${node}`, 'kubelet', node]]);
    // The pod was neither restarted nor replaced.
    expect(objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.actor === 'statefulset-controller')).toEqual([]);
  });

  it('offline: with no pod mounting the volume the claim waits in FileSystemResizePending; the re-created pod finishes the resize', () => {
    const sim = scaledToZero();
    grow(sim, '3Gi');
    sleep(sim, 120_000);
    expect(claim(sim).status).toMatchObject({ capacity: { storage: '1Gi' }, allocatedResources: { storage: '3Gi' }, allocatedResourceStatuses: { storage: 'NodeResizePending' } });
    expect(volumeOf(sim).spec?.capacity).toEqual({ storage: '3Gi' });
    scale(sim, 'StatefulSet', 'web', 1);
    waitFor(sim, 'web-0 Ready again', () => ready(sim, 'web-0'));
    waitFor(sim, 'capacity 3Gi', () => claim(sim).status?.capacity?.['storage'] === '3Gi');
    expect(claim(sim).status?.conditions).toBeUndefined();
  });

  it('growing again while the node has not finished: the volume grows to the new size, the kubelet finishes once', () => {
    const sim = scaledToZero();
    grow(sim, '2Gi');
    sleep(sim, 10_000);
    grow(sim, '5Gi');
    sleep(sim, 10_000);
    expect(volumeOf(sim).spec?.capacity).toEqual({ storage: '5Gi' });
    expect(claim(sim).status?.allocatedResources).toEqual({ storage: '5Gi' });
    scale(sim, 'StatefulSet', 'web', 1);
    waitFor(sim, 'capacity 5Gi', () => claim(sim).status?.capacity?.['storage'] === '5Gi');
  });

  it('a class without allowVolumeExpansion: the API server refuses the growth and nothing is written', () => {
    const sim = newCluster();
    create(sim, ...oneReplica());
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const n = sim.log.lastSeq();
    const err = refused(sim, 'grow', [{ verb: 'patch', kind: 'PersistentVolumeClaim', namespace: 'default', name: 'www-web-0', patch: { spec: { resources: { requests: { storage: '2Gi' } } } } }]);
    expect(err.message).toContain('only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
    expect(sim.log.lastSeq()).toBe(n);
  });

  it('a quota on storage (and on the class): the claim is charged when created, an expansion by what it adds; past the limit refused, nothing written', () => {
    const sim = newCluster({ storageClasses: [expandable()] });
    const perClass = 'standard.storageclass.storage.k8s.io/requests.storage';
    create(sim, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'storage', namespace: 'default' }, spec: { hard: { 'requests.storage': '10Gi', [perClass]: '2560Mi', 'standard.storageclass.storage.k8s.io/persistentvolumeclaims': '1' } } } as KObject);
    create(sim, ...oneReplica());
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const used = (): unknown => mustGet<Json>(sim, 'ResourceQuota', 'storage').status?.used;
    waitFor(sim, 'the quota synced', () => mustGet<Json>(sim, 'ResourceQuota', 'storage').status?.hard !== undefined);
    expect(used()).toEqual({ 'requests.storage': '1Gi', [perClass]: '1Gi', 'standard.storageclass.storage.k8s.io/persistentvolumeclaims': '1' });
    const since = sim.log.lastSeq();
    grow(sim, '2Gi');
    // The quota's status (+1Gi) was written just before the claim.
    const [charge, update] = objectEntries(sim, since);
    expect([charge?.op, charge?.object.kind, update?.op, update?.object.kind]).toEqual(['update/status', 'ResourceQuota', 'patch', 'PersistentVolumeClaim']);
    expect(used()).toEqual({ 'requests.storage': '2Gi', [perClass]: '2Gi', 'standard.storageclass.storage.k8s.io/persistentvolumeclaims': '1' });
    waitFor(sim, 'capacity 2Gi', () => claim(sim).status?.capacity?.['storage'] === '2Gi');
    const n = sim.log.lastSeq();
    const err = refused(sim, 'grow', [{ verb: 'patch', kind: 'PersistentVolumeClaim', namespace: 'default', name: 'www-web-0', patch: { spec: { resources: { requests: { storage: '3Gi' } } } } }]);
    expect(err.message).toBe(`persistentvolumeclaims "www-web-0" is forbidden: exceeded quota: storage, requested: ${perClass}=1Gi, used: ${perClass}=2Gi, limited: ${perClass}=2560Mi`);
    expect(sim.log.lastSeq()).toBe(n);
    // A second claim of the class is refused by the per-class count.
    const extra = refused(sim, 'claim', [{ verb: 'create', object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'extra', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Mi' } } } } as KObject }]);
    expect(extra.message).toBe('persistentvolumeclaims "extra" is forbidden: exceeded quota: storage, requested: standard.storageclass.storage.k8s.io/persistentvolumeclaims=1, used: standard.storageclass.storage.k8s.io/persistentvolumeclaims=1, limited: standard.storageclass.storage.k8s.io/persistentvolumeclaims=1');
  });
});
