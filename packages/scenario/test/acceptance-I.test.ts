/**
 * Acceptance scenarios, section I — PV/PVC binding and provisioning (S50, S52, S54).
 */
import { describe, expect, it } from 'vitest';
import type { KObject, Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import {
  converge, cordon, create, del, entriesOf, eventsFor, f1With, get, list, manifests, mustGet, newCluster, objectEntries, patch,
  pvNames, ready, seqOf, sleep, waitFor, type Json,
} from './harness.js';

const SELECTED_NODE = 'volume.kubernetes.io/selected-node';

const wffcClass = (): KObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'wffc', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'kubesim.io/hostpath',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
  parameters: { topology: 'node' },
} as KObject);

/** The hostnames a PV's required node affinity allows. */
const affinityNodes = (pv: Json): string[] =>
  (pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []).flatMap((t: Json) => (t.matchExpressions ?? [])
    .filter((m: Json) => m.key === 'kubernetes.io/hostname' && m.operator === 'In').flatMap((m: Json) => m.values ?? []));

const staticPv = (name: string, size: string): KObject => manifests(`apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  capacity: {storage: ${size}}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
`)[0]!;

const claim = (name: string, size: string): KObject => manifests(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}, namespace: default}
spec:
  storageClassName: ""
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: ${size}}}
`)[0]!;

const phaseOf = (sim: Simulation, kind: 'PersistentVolumeClaim' | 'PersistentVolume', name: string): string | undefined =>
  get<Json>(sim, kind, name, kind === 'PersistentVolume' ? '' : 'default')?.status?.phase;

describe('I. PV/PVC binding and provisioning', () => {
  it('S50 — WaitForFirstConsumer: the scheduler picks the node, the volume follows it, the pod is bound last', () => {
    const sim = newCluster({ storageClasses: [wffcClass()] });
    create(sim, ...f1With((s) => { s.spec.replicas = 1; }));
    converge(sim, 'web', 1);

    const pvc = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-0');
    const added = entriesOf(sim, 'PersistentVolumeClaim', 'www-web-0').find((e) => e.type === 'ADDED')!;
    expect((added.object as Json).status.phase, 'created Pending').toBe('Pending');
    expect((added.object as Json).spec.storageClassName).toBe('wffc');
    // [emitEventForUnboundDelayBindingClaim] the volume binder waits: for a consumer while no pod uses the claim,
    // for that pod's scheduling once one does — which of the two depends on whether it saw the claim before the pod.
    const waits = [...eventsFor(sim, 'PersistentVolumeClaim', 'www-web-0', 'WaitForFirstConsumer'), ...eventsFor(sim, 'PersistentVolumeClaim', 'www-web-0', 'WaitForPodScheduled')];
    expect(waits).toHaveLength(1);
    const waitSeq = sim.log.all().find((e) => e.type === 'ADDED' && e.object?.kind === 'Event' && e.object.metadata?.name === waits[0]!.metadata.name)!.seq;
    const podSeq = entriesOf(sim, 'Pod', 'web-0').find((e) => e.type === 'ADDED')!.seq;
    expect([waits[0]!.type, waits[0]!.reason, waits[0]!.message]).toEqual(podSeq < waitSeq
      ? ['Normal', 'WaitForPodScheduled', 'waiting for pod web-0 to be scheduled']
      : ['Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding']);

    // The scheduler annotates the claim with the chosen node.
    const annotated = entriesOf(sim, 'PersistentVolumeClaim', 'www-web-0').find((e) => e.object.metadata?.annotations?.[SELECTED_NODE] !== undefined)!;
    expect(annotated, 'selected-node annotation').toBeDefined();
    expect(annotated.actor).toBe('scheduler');
    const node = annotated.object.metadata!.annotations![SELECTED_NODE]!;
    // The scenario's node-b is one of three equal nodes (a seeded tie-break): the node must only be consistent.
    expect(node).toMatch(/^node-[abc]$/);
    expect(pvc.metadata.annotations[SELECTED_NODE]).toBe(node);

    // No PV while web-0 is unscheduled, the PV is pvc-<uid> with node affinity to that node.
    const pvName = `pvc-${pvc.metadata.uid}`;
    expect(pvNames(sim)).toEqual([pvName]);
    const pvAdded = seqOf(sim, 'ADDED', 'PersistentVolume', pvName);
    expect(objectEntries(sim).filter((e) => e.object.kind === 'PersistentVolume' && e.type === 'ADDED' && e.seq < annotated.seq), 'a PV before the node was selected').toEqual([]);
    expect(pvAdded).toBeGreaterThan(annotated.seq);
    const pv = mustGet<Json>(sim, 'PersistentVolume', pvName, '');
    expect(affinityNodes(pv)).toEqual([node]);
    expect(pvc.status.phase).toBe('Bound');
    expect(pvc.spec.volumeName).toBe(pvName);
    expect(pv.spec.claimRef).toMatchObject({ name: 'www-web-0', namespace: 'default', uid: pvc.metadata.uid });

    // Only after the claim is Bound does web-0 get its node.
    const scheduled = entriesOf(sim, 'Pod', 'web-0').find((e) => (e.object as Pod).spec?.nodeName !== undefined)!;
    expect((scheduled.object as Pod).spec?.nodeName).toBe(node);
    const fullyBound = entriesOf(sim, 'PersistentVolumeClaim', 'www-web-0').find((e) =>
      (e.object as Json).spec?.volumeName === pvName && e.object.metadata?.annotations?.['pv.kubernetes.io/bind-completed'] === 'yes')!;
    expect(scheduled.seq, 'web-0 bound to a node before its claim was bound (volumeName + bind-completed)').toBeGreaterThan(fullyBound.seq);
    // The scheduler's PreBind waits for the claim to be fully bound (volumeName + bind-completed,
    // binder.go isPVCFullyBound); the claim's status write (phase Bound) may land just after the pod's
    // binding, as in Kubernetes. The phase does reach Bound:
    expect(entriesOf(sim, 'PersistentVolumeClaim', 'www-web-0').some((e) => (e.object as Json).status?.phase === 'Bound')).toBe(true);

    // Every later incarnation runs on the same node.
    let uid = mustGet<Pod>(sim, 'Pod', 'web-0').metadata!.uid;
    del(sim, 'Pod', 'web-0', { gracePeriodSeconds: 0 });
    waitFor(sim, 'web-0 again', () => ready(sim, 'web-0') && mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.uid !== uid, 120_000);
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').spec?.nodeName).toBe(node);
    // With its node cordoned, a new incarnation cannot go anywhere else.
    uid = mustGet<Pod>(sim, 'Pod', 'web-0').metadata!.uid;
    cordon(sim, node);
    del(sim, 'Pod', 'web-0', { gracePeriodSeconds: 0 });
    waitFor(sim, 'a new web-0', () => get<Pod>(sim, 'Pod', 'web-0') !== undefined && mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.uid !== uid, 60_000);
    sleep(sim, 30_000);
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').spec?.nodeName, 'scheduled away from the volume').toBeUndefined();
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').status?.phase).toBe('Pending');
    cordon(sim, node, false);
    converge(sim, 'web', 1);
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').spec?.nodeName).toBe(node);
    expect(pvNames(sim)).toEqual([pvName]);
  });

  it('S52 — static binding picks the smallest fitting PV', () => {
    const sim = newCluster();
    create(sim, staticPv('pv5', '5Gi'), staticPv('pv10', '10Gi'));
    waitFor(sim, 'both PVs Available', () => phaseOf(sim, 'PersistentVolume', 'pv5') === 'Available' && phaseOf(sim, 'PersistentVolume', 'pv10') === 'Available', 30_000);

    create(sim, claim('a', '4Gi'));
    waitFor(sim, 'a Bound', () => phaseOf(sim, 'PersistentVolumeClaim', 'a') === 'Bound' && phaseOf(sim, 'PersistentVolume', 'pv5') === 'Bound', 30_000);
    const a = mustGet<Json>(sim, 'PersistentVolumeClaim', 'a');
    expect(a.spec.volumeName).toBe('pv5');
    expect(a.status.capacity).toEqual({ storage: '5Gi' });
    expect(mustGet<Json>(sim, 'PersistentVolume', 'pv5', '').spec.claimRef).toMatchObject({ name: 'a', namespace: 'default', uid: a.metadata.uid });
    expect(phaseOf(sim, 'PersistentVolume', 'pv10')).toBe('Available');

    create(sim, claim('b', '20Gi'));
    waitFor(sim, 'FailedBinding on b', () => eventsFor(sim, 'PersistentVolumeClaim', 'b', 'FailedBinding').length > 0, 30_000);
    sleep(sim, 20_000);
    const b = mustGet<Json>(sim, 'PersistentVolumeClaim', 'b');
    expect(b.status.phase).toBe('Pending');
    expect(b.spec.volumeName).toBeUndefined();
    const fb = eventsFor(sim, 'PersistentVolumeClaim', 'b', 'FailedBinding');
    expect(fb.map((e) => [e.type, e.message])).toEqual([['Normal', 'no persistent volumes available for this claim and no storage class is set']]);
    expect(phaseOf(sim, 'PersistentVolume', 'pv10')).toBe('Available');

    create(sim, claim('c', '4Gi'));
    waitFor(sim, 'c Bound', () => phaseOf(sim, 'PersistentVolumeClaim', 'c') === 'Bound', 30_000);
    const c = mustGet<Json>(sim, 'PersistentVolumeClaim', 'c');
    expect(c.spec.volumeName).toBe('pv10');
    expect(c.status.capacity).toEqual({ storage: '10Gi' });
    expect(phaseOf(sim, 'PersistentVolume', 'pv10')).toBe('Bound');
    expect(phaseOf(sim, 'PersistentVolumeClaim', 'b')).toBe('Pending');
    expect(list(sim, 'PersistentVolume').length).toBe(2);
  });

  it('S54 — claim lost', () => {
    const sim = newCluster();
    create(sim, staticPv('pv5', '5Gi'));
    waitFor(sim, 'pv5 Available', () => phaseOf(sim, 'PersistentVolume', 'pv5') === 'Available', 30_000);
    create(sim, claim('a', '4Gi'));
    waitFor(sim, 'a Bound to pv5', () => phaseOf(sim, 'PersistentVolumeClaim', 'a') === 'Bound' && mustGet<Json>(sim, 'PersistentVolumeClaim', 'a').spec.volumeName === 'pv5', 30_000);
    sleep(sim, 5_000);

    del(sim, 'PersistentVolume', 'pv5');
    sleep(sim, 5_000);
    // Without stripping the finalizer a Bound PV stays Terminating and nothing happens.
    expect(mustGet<Json>(sim, 'PersistentVolume', 'pv5', '').metadata.deletionTimestamp).toBeDefined();
    expect(phaseOf(sim, 'PersistentVolumeClaim', 'a')).toBe('Bound');
    patch(sim, 'PersistentVolume', 'pv5', { metadata: { finalizers: null } }, '');
    expect(get(sim, 'PersistentVolume', 'pv5', '')).toBeUndefined();
    waitFor(sim, 'a Lost', () => phaseOf(sim, 'PersistentVolumeClaim', 'a') === 'Lost', 30_000);
    sleep(sim, 5_000);
    expect(phaseOf(sim, 'PersistentVolumeClaim', 'a')).toBe('Lost');
    const lost = eventsFor(sim, 'PersistentVolumeClaim', 'a', 'ClaimLost');
    expect(lost.map((e) => [e.type, e.message])).toEqual([['Warning', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!']]);
  });
});
