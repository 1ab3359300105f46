import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededBetween, timestamp, type KObject, type PersistentVolume, type PersistentVolumeClaim, type Pod, type StorageClass } from '@kubesim/api';
import { eventsOf, writesOf, type ReconcileResult } from '../src/framework/index.js';
import {
  defaultVolumeBinderConfig, initialVolumeBinderLocal, reconcileVolumeBinder, volumeBinder, volumeBinderKeysFor,
  type VolumeBinderLocal,
} from '../src/volume/index.js';
import { makeSnapshot } from './util.js';

// ---- builders --------------------------------------------------------------------------------------
const GI = (n: number): string => `${n}Gi`;

const pv = (name: string, size: string, o: Partial<{
  modes: string[]; cls: string; phase: string; claimRef: Record<string, string>; policy: string; labels: Record<string, string>;
  annotations: Record<string, string>; deleting: boolean; finalizers: string[]; volumeMode: string; nodeAffinityHost: string;
}> = {}): PersistentVolume => ({
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: {
    name, uid: `uid-${name}`, resourceVersion: '10',
    ...(o.labels ? { labels: o.labels } : {}), ...(o.annotations ? { annotations: o.annotations } : {}),
    ...(o.deleting ? { deletionTimestamp: timestamp(0) } : {}),
    finalizers: o.finalizers ?? ['kubernetes.io/pv-protection'],
  },
  spec: {
    capacity: { storage: size }, accessModes: o.modes ?? ['ReadWriteOnce'], storageClassName: o.cls ?? '',
    ...(o.claimRef ? { claimRef: o.claimRef } : {}),
    ...(o.policy ? { persistentVolumeReclaimPolicy: o.policy } : {}),
    ...(o.volumeMode ? { volumeMode: o.volumeMode } : {}),
    ...(o.nodeAffinityHost ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.nodeAffinityHost] }] }] } } } : {}),
  },
  status: { phase: o.phase ?? 'Available' },
});

const pvc = (name: string, size: string, o: Partial<{
  ns: string; modes: string[]; cls: string | null; volumeName: string; annotations: Record<string, string>; phase: string;
  selector: Record<string, string>; deleting: boolean; finalizers: string[]; created: number; status: Record<string, unknown>;
}> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: {
    name, namespace: o.ns ?? 'default', uid: `uid-${name}`, resourceVersion: '20', creationTimestamp: timestamp(o.created ?? 0),
    ...(o.annotations ? { annotations: o.annotations } : {}),
    ...(o.deleting ? { deletionTimestamp: timestamp(0) } : {}),
    finalizers: o.finalizers ?? ['kubernetes.io/pvc-protection'],
  },
  spec: {
    accessModes: o.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: size } },
    ...(o.cls === null ? {} : { storageClassName: o.cls ?? '' }),
    ...(o.volumeName ? { volumeName: o.volumeName } : {}),
    ...(o.selector ? { selector: { matchLabels: o.selector } } : {}),
  },
  status: { phase: o.phase ?? 'Pending', ...(o.status ?? {}) },
});

const sc = (name: string, o: Partial<{ mode: string; provisioner: string; policy: string; params: Record<string, string>; topologies: boolean; isDefault: boolean }> = {}): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
  metadata: { name, uid: `uid-sc-${name}`, ...(o.isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
  provisioner: o.provisioner ?? 'kubesim.io/hostpath',
  volumeBindingMode: o.mode ?? 'Immediate',
  ...(o.policy ? { reclaimPolicy: o.policy } : {}),
  ...(o.params ? { parameters: o.params } : {}),
  ...(o.topologies ? { allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['z1'] }] }] } : {}),
});

const pod = (name: string, claim: string, o: Partial<{ nodeName: string; phase: string; deleting: boolean; uid: string }> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', uid: o.uid ?? `uid-${name}`, ...(o.deleting ? { deletionTimestamp: timestamp(30_000) } : {}) },
  spec: { ...(o.nodeName ? { nodeName: o.nodeName } : {}), containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: claim } }] },
  status: { phase: o.phase ?? 'Running' },
});

const SEED = 7;
const run = (objects: KObject[], key: string, now = 0, local: VolumeBinderLocal = initialVolumeBinderLocal()): ReconcileResult<VolumeBinderLocal> =>
  reconcileVolumeBinder({
    snapshot: makeSnapshot(objects, volumeBinder.indexes), key, now, config: defaultVolumeBinderConfig, local, seed: SEED,
  });

const objectOf = (r: ReturnType<typeof writesOf>[number]): KObject => {
  if (r.verb !== 'update' && r.verb !== 'create') throw new Error(`not an object write: ${r.verb}`);
  return r.object;
};

// ---- claims: static binding (§3.2) -------------------------------------------------------------------
describe('volume binder: static binding', () => {
  it('S52: claim a (4Gi) binds the smallest fitting PV in Kubernetes write order', () => {
    const res = run([pv('pv5', GI(5)), pv('pv10', GI(10)), pvc('a', GI(4))], 'pvc:default/a', 1000);
    const w = writesOf(res.plan);
    expect(res.plan?.kind).toBe('seq');
    expect(w.map((r) => `${r.verb}${r.verb === 'update' && r.subresource ? '/status' : ''} ${objectOf(r).kind}/${objectOf(r).metadata?.name}`)).toEqual([
      'update PersistentVolume/pv5', 'update/status PersistentVolume/pv5',
      'update PersistentVolumeClaim/a', 'update/status PersistentVolumeClaim/a',
    ]);
    const [pvUpd, pvStatus, claimUpd, claimStatus] = w.map(objectOf) as [PersistentVolume, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaim];
    expect(pvUpd.spec?.claimRef).toEqual({ kind: 'PersistentVolumeClaim', namespace: 'default', name: 'a', uid: 'uid-a', apiVersion: 'v1', resourceVersion: '20' });
    expect(pvUpd.metadata?.annotations).toEqual({ 'pv.kubernetes.io/bound-by-controller': 'yes' });
    expect(pvUpd.metadata?.resourceVersion).toBe('10');
    expect(pvStatus.status).toEqual({ phase: 'Bound', lastPhaseTransitionTime: timestamp(1000) });
    expect(pvStatus.metadata?.resourceVersion).toBeUndefined();
    expect(claimUpd.spec?.volumeName).toBe('pv5');
    expect(claimUpd.metadata?.annotations).toEqual({ 'pv.kubernetes.io/bound-by-controller': 'yes', 'pv.kubernetes.io/bind-completed': 'yes' });
    expect(claimUpd.metadata?.resourceVersion).toBe('20');
    expect(claimStatus.status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '5Gi' } });
    expect(eventsOf(res.plan)).toEqual([]);
  });

  it('S52: claim b (20Gi) stays Pending with FailedBinding, recorded once, resynced', () => {
    const objs = [pv('pv5', GI(5)), pv('pv10', GI(10)), pvc('b', GI(20))];
    const first = run(objs, 'pvc:default/b');
    expect(writesOf(first.plan)).toEqual([]);
    expect(eventsOf(first.plan)).toEqual([{
      type: 'Normal', reason: 'FailedBinding',
      message: 'no persistent volumes available for this claim and no storage class is set',
      involved: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'default', name: 'b', uid: 'uid-b' },
    }]);
    expect(first.requeueAfterMs).toBe(15_000);
    const again = run(objs, 'pvc:default/b', 15_000, first.local!);
    expect(eventsOf(again.plan)).toEqual([]);
    expect(again.local).toBeUndefined();
  });

  it('a volume pre-bound to the claim wins over a smaller unbound one', () => {
    const res = run([
      pv('small', GI(5)), pv('big', GI(50), { claimRef: { namespace: 'default', name: 'a' } }), pvc('a', GI(4)),
    ], 'pvc:default/a');
    const first = objectOf(writesOf(res.plan)[0]!) as PersistentVolume;
    expect(first.metadata?.name).toBe('big');
    // A user pre-bind: claimRef completed with the uid, no bound-by-controller annotation.
    expect(first.spec?.claimRef?.uid).toBe('uid-a');
    expect(first.metadata?.annotations).toBeUndefined();
  });

  it('groups with fewer access modes are searched first; class, selector and volumeMode must match', () => {
    const objs = [
      pv('rwo-rox-5', GI(5), { modes: ['ReadWriteOnce', 'ReadOnlyMany'] }),
      pv('rwo-10', GI(10)),
      pv('rwo-6-fast', GI(6), { cls: 'fast' }),
      pv('rwo-7-block', GI(7), { volumeMode: 'Block' }),
    ];
    const pick = (claim: PersistentVolumeClaim): string | undefined =>
      (writesOf(run([...objs, claim], 'pvc:default/a').plan).map(objectOf).find((o) => o.kind === 'PersistentVolume'))?.metadata?.name;
    expect(pick(pvc('a', GI(4)))).toBe('rwo-10');
    expect(pick(pvc('a', GI(4), { modes: ['ReadOnlyMany'] }))).toBe('rwo-rox-5');
    expect(pick(pvc('a', GI(4), { selector: { tier: 'gold' } }))).toBeUndefined();
  });

  it('an Available PV is not bound by the controller for a WaitForFirstConsumer claim; the claim waits (event once)', () => {
    const objs = [sc('wffc', { mode: 'WaitForFirstConsumer' }), pv('pv5', GI(5), { cls: 'wffc' }), pvc('a', GI(1), { cls: 'wffc' })];
    const res = run(objs, 'pvc:default/a');
    expect(writesOf(res.plan)).toEqual([]);
    expect(eventsOf(res.plan).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding'],
    ]);
    expect(eventsOf(run(objs, 'pvc:default/a', 5, res.local!).plan)).toEqual([]);
  });

  it('a claim created without a class gets the default class assigned retroactively', () => {
    const res = run([sc('std', { isDefault: true }), pvc('a', GI(1), { cls: null })], 'pvc:default/a');
    const w = writesOf(res.plan);
    expect(w).toHaveLength(1);
    expect((objectOf(w[0]!) as PersistentVolumeClaim).spec?.storageClassName).toBe('std');
  });
});

// ---- claims: provisioning (§3.3) ---------------------------------------------------------------------
describe('volume binder: dynamic provisioning', () => {
  const uid = 'uid-data';
  const delay = seededBetween(SEED, uid, 100, 500);

  it('annotates the claim with its provisioner (one update) and records ExternalProvisioning then Provisioning', () => {
    const res = run([sc('std', { provisioner: 'kubesim.io/hostpath' }), pvc('data', GI(3), { cls: 'std' })], 'pvc:default/data');
    const w = writesOf(res.plan);
    expect(w).toHaveLength(1);
    expect(objectOf(w[0]!).metadata?.annotations).toEqual({
      'volume.kubernetes.io/storage-provisioner': 'kubesim.io/hostpath',
      'volume.beta.kubernetes.io/storage-provisioner': 'kubesim.io/hostpath',
    });
    expect(eventsOf(res.plan).map((e) => [e.reason, e.message])).toEqual([
      ['ExternalProvisioning', 'waiting for a volume to be created, either by external provisioner "kubesim.io/hostpath" or manually created by system administrator'],
      ['Provisioning', 'External provisioner is provisioning volume for claim "default/data"'],
    ]);
  });

  const annotated = (extra: Record<string, string> = {}, cls = 'std') => pvc('data', GI(3), {
    cls, annotations: { 'volume.kubernetes.io/storage-provisioner': 'kubesim.io/hostpath', 'volume.beta.kubernetes.io/storage-provisioner': 'kubesim.io/hostpath', ...extra },
  });

  it('waits for the seeded provisioning delay counted from the claim creation', () => {
    const res = run([sc('std'), annotated()], 'pvc:default/data', 50);
    expect(res.plan).toBeUndefined();
    expect(res.requeueAfterMs).toBe(Math.ceil(delay - 50));
  });

  it('creates pvc-<uid> with the claim size, modes, class, reclaim policy, claimRef and annotations', () => {
    const res = run([sc('std', { policy: 'Retain' }), annotated()], 'pvc:default/data', 1000);
    const w = writesOf(res.plan);
    expect(w.map((r) => r.verb)).toEqual(['create']);
    expect(objectOf(w[0]!)).toEqual({
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name: 'pvc-uid-data', annotations: { 'pv.kubernetes.io/provisioned-by': 'kubesim.io/hostpath', 'pv.kubernetes.io/bound-by-controller': 'yes' } },
      spec: {
        capacity: { storage: '3Gi' }, accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'std', claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: 'uid-data', apiVersion: 'v1' },
      },
    });
    expect(eventsOf(res.plan).map((e) => [e.type, e.reason, e.message])).toEqual([['Normal', 'ProvisioningSucceeded', 'Successfully provisioned volume pvc-uid-data']]);
  });

  it('a node-local WaitForFirstConsumer class pins the volume to the selected node; default policy Delete', () => {
    const res = run([
      sc('local', { mode: 'WaitForFirstConsumer', params: { topology: 'node' } }),
      annotated({ 'volume.kubernetes.io/selected-node': 'node-b' }, 'local'),
    ], 'pvc:default/data', 1000);
    const created = objectOf(writesOf(res.plan)[0]!) as PersistentVolume;
    expect(created.spec?.persistentVolumeReclaimPolicy).toBe('Delete');
    expect(created.spec?.nodeAffinity).toEqual({
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-b'] }] }] },
    });
  });

  it('an unknown StorageClass: Warning ProvisioningFailed, claim stays Pending', () => {
    const res = run([pvc('data', GI(1), { cls: 'nope' })], 'pvc:default/data');
    expect(writesOf(res.plan)).toEqual([]);
    expect(eventsOf(res.plan).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Warning', 'ProvisioningFailed', 'storageclass.storage.k8s.io "nope" not found'],
    ]);
  });

  it('the provisioned PV, pre-bound to the claim, is then bound by the claim sync', () => {
    const volume = pv('pvc-uid-data', GI(3), {
      cls: 'std', phase: 'Pending', claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: 'uid-data', apiVersion: 'v1' },
      annotations: { 'pv.kubernetes.io/provisioned-by': 'kubesim.io/hostpath', 'pv.kubernetes.io/bound-by-controller': 'yes' },
    });
    const w = writesOf(run([sc('std'), annotated(), volume], 'pvc:default/data', 2000).plan);
    // claimRef and annotation are already right: no PV update, only its phase, then the claim.
    expect(w.map((r) => `${r.verb}${r.verb === 'update' && r.subresource ? '/status' : ''} ${objectOf(r).kind}`)).toEqual([
      'update/status PersistentVolume', 'update PersistentVolumeClaim', 'update/status PersistentVolumeClaim',
    ]);
    expect(objectOf(w[0]!).metadata?.resourceVersion).toBe('10');
  });
});

// ---- bound claims (§3.2 syncBoundClaim) ----------------------------------------------------------------
describe('volume binder: bound claims', () => {
  const boundClaim = (o: { volumeName?: string; phase?: string } = {}) => pvc('a', GI(4), {
    volumeName: o.volumeName ?? 'pv5', phase: o.phase ?? 'Bound',
    annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' },
    status: { accessModes: ['ReadWriteOnce'], capacity: { storage: '5Gi' } },
  });

  it('S54: the PV is gone → Lost, capacity and modes cleared, Warning ClaimLost (once, on the phase change)', () => {
    const res = run([boundClaim()], 'pvc:default/a');
    const w = writesOf(res.plan);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ verb: 'update', subresource: 'status' });
    expect((objectOf(w[0]!) as PersistentVolumeClaim).status).toEqual({ phase: 'Lost' });
    expect(eventsOf(res.plan).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!'],
    ]);
    expect(run([boundClaim({ phase: 'Lost' })], 'pvc:default/a').plan).toBeUndefined();
  });

  it('volumeName cleared → Lost with the lost-reference message; PV bound to another uid → ClaimMisbound', () => {
    const cleared = { ...boundClaim(), spec: { ...boundClaim().spec, volumeName: undefined } } as PersistentVolumeClaim;
    expect(eventsOf(run([cleared], 'pvc:default/a').plan).map((e) => e.message)).toEqual([
      'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
    ]);
    const other = pv('pv5', GI(5), { phase: 'Bound', claimRef: { namespace: 'default', name: 'a', uid: 'someone-else' } });
    expect(eventsOf(run([boundClaim(), other], 'pvc:default/a').plan).map((e) => [e.reason, e.message])).toEqual([
      ['ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly'],
    ]);
  });

  it('a fully bound pair needs no write', () => {
    const volume = pv('pv5', GI(5), { phase: 'Bound', claimRef: { namespace: 'default', name: 'a', uid: 'uid-a' }, annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } });
    expect(run([boundClaim(), volume], 'pvc:default/a').plan).toBeUndefined();
    expect(run([boundClaim(), volume], 'pv:pv5').plan).toBeUndefined();
  });
});

describe('volume binder: resize (expand controller + external-resizer)', () => {
  const expandable = { ...sc('fast'), allowVolumeExpansion: true } as StorageClass;
  const grown = (size: string, status: Record<string, unknown> = {}) => pvc('a', size, {
    cls: 'fast', volumeName: 'pv-a', phase: 'Bound',
    annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' },
    status: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, ...status },
  });
  const volume = (size = '1Gi', provisioned = true) => pv('pv-a', size, {
    cls: 'fast', phase: 'Bound', claimRef: { namespace: 'default', name: 'a', uid: 'uid-a' },
    annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes', ...(provisioned ? { 'pv.kubernetes.io/provisioned-by': 'kubesim.io/hostpath' } : {}) },
  });

  it('a request above the capacity: in progress (Resizing), the volume grown, then waiting for the node (FileSystemResizePending), with the resizer\'s events', () => {
    const r = run([grown('3Gi'), volume(), expandable], 'pvc:default/a', 5000);
    const w = writesOf(r.plan);
    expect(w.map((x) => `${x.verb}${'subresource' in x && x.subresource ? `/${x.subresource}` : ''} ${objectOf(x).kind}`)).toEqual([
      'update/status PersistentVolumeClaim', 'update PersistentVolume', 'update/status PersistentVolumeClaim',
    ]);
    const first = objectOf(w[0]!) as PersistentVolumeClaim;
    expect(first.metadata?.resourceVersion).toBe('20');
    expect(first.status).toEqual({
      phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' },
      conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: timestamp(5000) }],
      allocatedResources: { storage: '3Gi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
    });
    expect((objectOf(w[1]!) as PersistentVolume).spec?.capacity).toEqual({ storage: '3Gi' });
    const last = objectOf(w[2]!) as PersistentVolumeClaim;
    expect(last.metadata?.resourceVersion).toBeUndefined();
    expect(last.status).toMatchObject({
      capacity: { storage: '1Gi' }, allocatedResources: { storage: '3Gi' }, allocatedResourceStatuses: { storage: 'NodeResizePending' },
      conditions: [{ type: 'FileSystemResizePending', status: 'True', message: 'Waiting for user to (re-)start a pod to finish file system resize of volume on node.' }],
    });
    expect(eventsOf(r.plan).map((e) => [e.reason, e.message, e.source])).toEqual([
      ['ExternalExpanding', 'waiting for an external controller to expand this PVC', 'volume_expand'],
      ['Resizing', 'External resizer is resizing volume pv-a', 'external-resizer kubesim.io/hostpath'],
      ['FileSystemResizeRequired', 'Require file system resize of volume on node', 'external-resizer kubesim.io/hostpath'],
    ]);
  });

  it('a resizer that stopped after growing the volume (claim still ControllerResizeInProgress) marks the claim for the node on its next sync', () => {
    const stuck = grown('3Gi', { allocatedResources: { storage: '3Gi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' }, conditions: [{ type: 'Resizing', status: 'True' }] });
    const r = run([stuck, volume('3Gi'), expandable], 'pvc:default/a', 9000);
    const w = writesOf(r.plan);
    expect(w).toHaveLength(1);
    const c = objectOf(w[0]!) as PersistentVolumeClaim;
    expect(c.metadata?.resourceVersion).toBe('20');
    expect(c.status).toMatchObject({ allocatedResourceStatuses: { storage: 'NodeResizePending' }, conditions: [{ type: 'FileSystemResizePending' }] });
    expect(eventsOf(r.plan).map((e) => e.reason)).toEqual(['FileSystemResizeRequired']);
  });

  it('nothing to do: the volume already grown (the node\'s turn), a statically created volume, a class without allowVolumeExpansion, a request within the capacity', () => {
    const waiting = grown('3Gi', { allocatedResources: { storage: '3Gi' }, allocatedResourceStatuses: { storage: 'NodeResizePending' } });
    expect(run([waiting, volume('3Gi'), expandable], 'pvc:default/a').plan).toBeUndefined();
    expect(run([grown('3Gi'), volume('1Gi', false), expandable], 'pvc:default/a').plan).toBeUndefined();
    expect(run([grown('3Gi'), volume(), sc('fast')], 'pvc:default/a').plan).toBeUndefined();
    expect(run([grown('1Gi'), volume(), expandable], 'pvc:default/a').plan).toBeUndefined();
  });
});

// ---- volumes (§3.4) ------------------------------------------------------------------------------------
describe('volume binder: volumes and reclaim', () => {
  const released = (policy: string, phase = 'Bound') =>
    pv('pv5', GI(5), { policy, phase, claimRef: { namespace: 'default', name: 'gone', uid: 'uid-gone' }, annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } });
  const summary = (res: ReconcileResult<VolumeBinderLocal>) => writesOf(res.plan).map((r) =>
    r.verb === 'delete' ? `delete ${r.name} uid=${r.preconditions?.uid}` : `${r.verb}${r.verb === 'update' && r.subresource ? '/status' : ''} ${(objectOf(r) as PersistentVolume).status?.phase ?? ''}`);

  it('no claimRef or a claimRef without uid → Available', () => {
    expect(summary(run([pv('p', GI(1), { phase: 'Pending' })], 'pv:p'))).toEqual(['update/status Available']);
    expect(summary(run([pv('p', GI(1), { phase: 'Pending', claimRef: { namespace: 'default', name: 'x' } })], 'pv:p'))).toEqual(['update/status Available']);
    expect(run([pv('p', GI(1))], 'pv:p').plan).toBeUndefined();
  });

  it('Retain: Released and nothing more', () => {
    expect(summary(run([released('Retain')], 'pv:pv5'))).toEqual(['update/status Released']);
    expect(run([released('Retain', 'Released')], 'pv:pv5').plan).toBeUndefined();
  });

  it('Delete: Released then the PV object is deleted (uid precondition)', () => {
    const res = run([released('Delete')], 'pv:pv5');
    expect(res.plan?.kind).toBe('seq');
    expect(summary(res)).toEqual(['update/status Released', 'delete pv5 uid=uid-pv5']);
  });

  it('Recycle: Released, claimRef and bound-by-controller removed, Available', () => {
    const res = run([released('Recycle')], 'pv:pv5');
    expect(summary(res)).toEqual(['update/status Released', 'update Released', 'update/status Available']);
    const upd = objectOf(writesOf(res.plan)[1]!) as PersistentVolume;
    expect(upd.spec?.claimRef).toBeUndefined();
    expect(upd.metadata?.annotations).toBeUndefined();
  });

  it('an unknown policy: Failed with Warning VolumeUnknownReclaimPolicy', () => {
    const res = run([released('Scrub', 'Released')], 'pv:pv5');
    expect(summary(res)).toEqual(['update/status Failed']);
    expect(eventsOf(res.plan).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Warning', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy'],
    ]);
  });

  it('a claim re-created with the same name is not the volume\'s claim: still released', () => {
    const recreated = pvc('gone', GI(1));
    const res = run([released('Retain'), { ...recreated, metadata: { ...recreated.metadata, uid: 'uid-gone-2' } }], 'pv:pv5');
    expect(summary(res)).toEqual(['update/status Released']);
  });

  it('a PV whose claim is bound to it becomes Bound', () => {
    const claim = pvc('a', GI(1), { volumeName: 'pv5', phase: 'Bound', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } });
    const volume = pv('pv5', GI(5), { phase: 'Available', claimRef: { namespace: 'default', name: 'a', uid: 'uid-a' } });
    expect(summary(run([claim, volume], 'pv:pv5'))).toEqual(['update/status Bound']);
  });
});

// ---- protection ---------------------------------------------------------------------------------------------
describe('volume binder: protection finalizers', () => {
  const deletingClaim = pvc('data', GI(1), { deleting: true });
  const finalizersOf = (res: ReconcileResult<VolumeBinderLocal>) => writesOf(res.plan).map((r) => objectOf(r).metadata?.finalizers);

  it('pvc-protection keeps a claim used by a scheduled, running (or terminating) pod', () => {
    expect(run([deletingClaim, pod('web-0', 'data', { nodeName: 'node-a' })], 'pvc-protection:default/data').plan).toBeUndefined();
    expect(run([deletingClaim, pod('web-0', 'data', { nodeName: 'node-a', deleting: true })], 'pvc-protection:default/data').plan).toBeUndefined();
  });

  it('pvc-protection keeps a claim while a scheduled pod that finished still exists (podUsesPVC ignores the phase)', () => {
    expect(run([deletingClaim, pod('job', 'data', { nodeName: 'node-a', phase: 'Succeeded' })], 'pvc-protection:default/data').plan).toBeUndefined();
    expect(run([deletingClaim, pod('web-0', 'data', { nodeName: 'node-a', phase: 'Failed' })], 'pvc-protection:default/data').plan).toBeUndefined();
  });

  it('pvc-protection releases a claim only referenced by pods that were never scheduled', () => {
    const res = run([deletingClaim, pod('web-0', 'data', { phase: 'Pending' })], 'pvc-protection:default/data');
    expect(finalizersOf(res)).toEqual([undefined]);
    expect(objectOf(writesOf(res.plan)[0]!).metadata?.resourceVersion).toBe('20');
  });

  it('pvc-protection asks the API server before it releases a claim: a pod its cache has not seen scheduled keeps it', () => {
    // [pvc_protection_controller isBeingUsed]: askInformer, then askAPIServer (a live list of the
    // namespace's pods) — found by the property suite: with the cache alone a claim was released under
    // a pod bound a moment before.
    const cached = [deletingClaim, pod('web-0', 'data', { phase: 'Pending' })];
    const live = makeSnapshot([deletingClaim, pod('web-0', 'data', { phase: 'Pending', nodeName: 'node-a' })], []);
    const input = { snapshot: makeSnapshot(cached, volumeBinder.indexes), key: 'pvc-protection:default/data', now: 0, config: defaultVolumeBinderConfig, local: initialVolumeBinderLocal(), seed: SEED };
    expect(reconcileVolumeBinder({ ...input, live }).plan).toBeUndefined();
    // Live and cache agree that no scheduled pod uses it: released.
    expect(finalizersOf(reconcileVolumeBinder({ ...input, live: makeSnapshot(cached, []) }))).toEqual([undefined]);
  });

  it('pv-protection releases a PV being deleted unless it is Bound', () => {
    expect(run([pv('p', GI(1), { deleting: true, phase: 'Bound' })], 'pv-protection:p').plan).toBeUndefined();
    expect(finalizersOf(run([pv('p', GI(1), { deleting: true, phase: 'Released' })], 'pv-protection:p'))).toEqual([undefined]);
  });

  it('a live object without its finalizer gets it back', () => {
    expect(finalizersOf(run([pvc('data', GI(1), { finalizers: [] })], 'pvc-protection:default/data'))).toEqual([['kubernetes.io/pvc-protection']]);
  });
});

// ---- event handlers -----------------------------------------------------------------------------------------
describe('volume binder: keys', () => {
  const entry = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KObject) => ({ seq: 1, time: 0, type, actor: 'user', cause: null, object });

  it('claim and volume changes map to their keys; a deleted claim releases its volumes', () => {
    const claim = pvc('a', GI(1), { volumeName: 'pv5' });
    const volume = pv('pv5', GI(5), { claimRef: { namespace: 'default', name: 'a', uid: 'uid-a' } });
    const snap = makeSnapshot([claim, volume], volumeBinder.indexes);
    expect(volumeBinderKeysFor(entry('ADDED', claim), undefined, snap)).toEqual(['pvc:default/a', 'pv:pv5']);
    expect(volumeBinderKeysFor(entry('MODIFIED', volume), undefined, snap)).toEqual(['pv:pv5', 'pvc:default/a']);
    expect(volumeBinderKeysFor(entry('DELETED', claim), undefined, snap)).toEqual(['pv:pv5']);
  });

  it('a pod that goes away queues the pvc-protection key of a claim being deleted', () => {
    const claim = pvc('data', GI(1), { deleting: true });
    const p = pod('web-0', 'data', { nodeName: 'node-a' });
    const snap = makeSnapshot([claim], volumeBinder.indexes);
    expect(volumeBinderKeysFor(entry('DELETED', p), undefined, snap)).toEqual(['pvc-protection:default/data']);
    expect(volumeBinderKeysFor(entry('MODIFIED', p), p, snap)).toEqual([]);
  });
});

// ---- requested volumes, released provisioned volumes ------------------------------------------------------
describe('volume binder: spec.volumeName and misc', () => {
  it('a requested volume that does not satisfy the claim: Warning VolumeMismatch (once), Pending', () => {
    const res = run([pv('small', GI(1)), pvc('a', GI(4), { volumeName: 'small' })], 'pvc:default/a');
    expect(writesOf(res.plan)).toEqual([]);
    expect(eventsOf(res.plan).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Warning', 'VolumeMismatch', 'Cannot bind to requested volume "small": requested PV is too small'],
    ]);
    expect(eventsOf(run([pv('small', GI(1)), pvc('a', GI(4), { volumeName: 'small' })], 'pvc:default/a', 1, res.local!).plan)).toEqual([]);
  });

  it('a requested, compatible volume is bound; the claim keeps its user-set volumeName (no bound-by-controller)', () => {
    const w = writesOf(run([pv('big', GI(10)), pvc('a', GI(4), { volumeName: 'big' })], 'pvc:default/a').plan).map(objectOf);
    expect(w.map((o) => o.kind)).toEqual(['PersistentVolume', 'PersistentVolume', 'PersistentVolumeClaim', 'PersistentVolumeClaim']);
    expect(w[0]!.metadata?.annotations).toEqual({ 'pv.kubernetes.io/bound-by-controller': 'yes' });
    expect(w[2]!.metadata?.annotations).toEqual({ 'pv.kubernetes.io/bind-completed': 'yes' });
  });

  it('a requested volume claimed by another claim: Warning FailedBinding', () => {
    const taken = pv('big', GI(10), { phase: 'Bound', claimRef: { namespace: 'default', name: 'other', uid: 'uid-other' } });
    expect(eventsOf(run([taken, pvc('a', GI(4), { volumeName: 'big' })], 'pvc:default/a').plan).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Warning', 'FailedBinding', 'volume "big" already bound to a different claim.'],
    ]);
  });

  it('a provisioned Delete volume whose claim is bound to another volume is released and deleted', () => {
    const claim = pvc('a', GI(1), { volumeName: 'other', phase: 'Bound', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } });
    const orphan = pv('pvc-uid-a', GI(1), {
      policy: 'Delete', phase: 'Bound', claimRef: { namespace: 'default', name: 'a', uid: 'uid-a' },
      annotations: { 'pv.kubernetes.io/provisioned-by': 'kubesim.io/hostpath' },
    });
    expect(writesOf(run([claim, orphan], 'pv:pvc-uid-a').plan).map((r) => r.verb)).toEqual(['update', 'delete']);
  });

  it('a class with kubernetes.io/no-provisioner cannot provision: Warning ProvisioningFailed', () => {
    const res = run([sc('local', { provisioner: 'kubernetes.io/no-provisioner' }), pvc('a', GI(1), { cls: 'local' })], 'pvc:default/a');
    expect(eventsOf(res.plan).map((e) => [e.reason, e.message])).toEqual([['ProvisioningFailed', 'no volume plugin matched name: kubernetes.io/no-provisioner']]);
  });
});

// ---- property: smallest fitting volume ---------------------------------------------------------------------
describe('volume binder: matching property', () => {
  it('binds the smallest Available, class-matching volume whose capacity covers the request, or none', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ size: fc.integer({ min: 1, max: 20 }), cls: fc.constantFrom('', 'fast'), phase: fc.constantFrom('Available', 'Released', 'Bound') }), { maxLength: 8 }),
      fc.integer({ min: 1, max: 20 }),
      (vols, request) => {
        const volumes = vols.map((v, i) => pv(`pv-${String(i).padStart(2, '0')}`, GI(v.size), { cls: v.cls, phase: v.phase }));
        const res = run([...volumes, pvc('a', GI(request))], 'pvc:default/a');
        const chosen = writesOf(res.plan).map(objectOf).find((o) => o.kind === 'PersistentVolume')?.metadata?.name;
        const candidates = vols.map((v, i) => ({ ...v, name: `pv-${String(i).padStart(2, '0')}` }))
          .filter((v) => v.phase === 'Available' && v.cls === '' && v.size >= request)
          .sort((x, y) => x.size - y.size || (x.name < y.name ? -1 : 1));
        expect(chosen).toBe(candidates[0]?.name);
      },
    ));
  });
});
