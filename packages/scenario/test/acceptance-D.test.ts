/**
 * Acceptance scenarios, section D — storage and retention (S29, S30, S32, S33, S35, S36, S38).
 */
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import { parseScenario, runScenario } from '../src/index.js';
import {
  F1_YAML, claimNames, converge, cordon, create, del, entriesOf, eventCount, eventsFor, expectPassed, f1With, firstSeq,
  get, manifests, mustGet, newCluster, objectEntries, patch, podNames, pvNames, ready, scale, seqOf, sleep, waitFor, E, type Json,
} from './harness.js';

const indent = (text: string, n: number): string => text.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');

const setRef = (set: Json) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true });
const podRef = (pod: Json) => ({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid, controller: true, blockOwnerDeletion: true });
const refsOf = (sim: Simulation, claim: string): Json[] => mustGet<Json>(sim, 'PersistentVolumeClaim', claim).metadata.ownerReferences ?? [];

/** F1 with a retention policy, converged with `replicas` pods. */
const f1Retention = (policy: Record<string, string>, replicas = 3): Simulation => {
  const sim = newCluster();
  create(sim, ...f1With((s) => { s.spec.replicas = replicas; s.spec.persistentVolumeClaimRetentionPolicy = policy; }));
  converge(sim, 'web', replicas);
  return sim;
};

/** The first log entry of a claim whose ownerReferences contain `ref` exactly (after `since`). */
const firstWithRef = (sim: Simulation, claim: string, ref: Json, since = 0) =>
  entriesOf(sim, 'PersistentVolumeClaim', claim, since).find((e) => (e.object.metadata?.ownerReferences ?? []).some((r) => JSON.stringify(r) === JSON.stringify(ref)));

describe('D. Storage and retention', () => {
  it('S29 — Retain on scale-down, reattach on scale-up (scenario)', () => {
    const text = `name: S29
seed: 1
cluster:
  nodes: 3
  storageClasses:
    - name: standard
      provisioner: kubesim.io/hostpath
      reclaimPolicy: Delete
      volumeBindingMode: Immediate
      default: true
steps:
  - apply:
      inline: |
${indent(F1_YAML, 8)}
  - wait:
      until:
        pods: {owner: statefulset/web, names: [web-0, web-1, web-2], ready: true}
        object: {target: statefulset/web, fields: {status.readyReplicas: 3, status.observedGeneration: 1}}
      timeout: 5m
  - remember: ready
  - scale: {target: statefulset/web, replicas: 1}
  - wait:
      until:
        pods: {owner: statefulset/web, names: [web-0]}
        object: {target: statefulset/web, fields: {status.replicas: 1}}
      timeout: 5m
  - expect:
      title: after scale-down only web-0; all three claims exist, Bound, same uid and volume, no owner references
      pods: {owner: statefulset/web, names: [web-0], ready: true, uidVs: {label: ready, is: same}}
      claims: {selector: app=nginx, names: [www-web-0, www-web-1, www-web-2], phase: Bound, sameAs: ready, ownerRefs: none}
      volumes: {count: 3, phase: Bound}
  - remember: one
  - scale: {target: statefulset/web, replicas: 3}
  - wait:
      until:
        pods: {owner: statefulset/web, names: [web-0, web-1, web-2], ready: true}
        object: {target: statefulset/web, fields: {status.readyReplicas: 3}}
      timeout: 5m
  - expect:
      title: web-1 and web-2 recreated in order and mount their old claims (same uid, same volume)
      order: {type: ADDED, kind: Pod, names: [web-1, web-2], since: one}
      sequence: {events: ["ADDED Pod/web-1", "READY Pod/web-1", "ADDED Pod/web-2"], since: one}
      orderedReady: {set: statefulset/web, since: one}
      all:
        - pods: {names: [web-1], claim: {www: www-web-1}}
        - pods: {names: [web-2], claim: {www: www-web-2}}
      claims: {selector: app=nginx, names: [www-web-0, www-web-1, www-web-2], phase: Bound, sameAs: ready, ownerRefs: none}
      volumes: {count: 3, phase: Bound}
  - expect:
      title: no SuccessfulCreate claim event the second time
      all:
        - events: {target: statefulset/web, reason: SuccessfulCreate, message: "create Claim www-web-1 Pod web-1 in StatefulSet web success", count: 1}
        - events: {target: statefulset/web, reason: SuccessfulCreate, message: "create Claim www-web-2 Pod web-2 in StatefulSet web success", count: 1}
        - events: {target: statefulset/web, reason: SuccessfulCreate, message: "create Claim", count: 3}
`;
    const parsed = parseScenario(text, 'S29.yaml');
    if (E.isLeft(parsed)) throw new Error(parsed.left.message);
    let pvsAtReady: Json[] = [];
    let scaledDownAt = 0;
    let running: Simulation | undefined;
    const live = (): Simulation => running!;
    const report = runScenario(parsed.right, {
      onStep: (r) => {
        // "PVs unchanged" and "data intact": the volumes (with a data token) are the very same objects.
        if (r.step.op === 'remember' && r.step.label === 'ready') {
          for (const pv of [...live().api.store.list('PersistentVolume')]) {
            live().command({ command: 'write data token' }, [{ verb: 'patch', kind: 'PersistentVolume', namespace: '', name: pv.metadata!.name!, patch: { metadata: { annotations: { 'kubesim.io/data-token': `data-of-${pv.spec?.claimRef?.name ?? ''}` } } } }]);
          }
          pvsAtReady = [...live().api.store.list('PersistentVolume')].map((pv) => structuredClone(pv));
        }
        if (r.step.op === 'remember' && r.step.label === 'one') {
          scaledDownAt = live().log.lastSeq();
          for (const pv of pvsAtReady) {
            const now = live().api.get('PersistentVolume', '', pv.metadata!.name!) as Json;
            expect(now?.metadata.uid, `PV ${pv.metadata!.name!} after scale-down`).toBe(pv.metadata!.uid);
            expect(now?.spec.claimRef).toEqual(pv.spec?.claimRef);
          }
        }
      },
      onStart: (s) => { running = s; },
    });
    expectPassed(report);
    const sim = report.sim;
    for (const pv of pvsAtReady) {
      const now = mustGet<Json>(sim, 'PersistentVolume', pv.metadata!.name!, '');
      expect(now.metadata.uid).toBe(pv.metadata!.uid);
      expect(now.spec.claimRef).toEqual(pv.spec?.claimRef);
      expect(now.metadata.annotations['kubesim.io/data-token']).toBe(`data-of-${pv.spec?.claimRef?.name ?? ''}`);
    }
    // No claim was created again.
    expect(objectEntries(sim, scaledDownAt).filter((e) => e.object.kind === 'PersistentVolumeClaim' && e.type === 'ADDED')).toEqual([]);
  });

  it('S30 — whenScaled: Delete', () => {
    const sim = f1Retention({ whenScaled: 'Delete' });
    const set = mustGet<Json>(sim, 'StatefulSet', 'web');
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
    const pods = { 1: mustGet<Json>(sim, 'Pod', 'web-1'), 2: mustGet<Json>(sim, 'Pod', 'web-2') };
    const pvOf = { 1: mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-1').spec.volumeName as string, 2: mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-2').spec.volumeName as string };
    for (const c of ['www-web-0', 'www-web-1', 'www-web-2']) expect(refsOf(sim, c), `${c} in range: no refs`).toEqual([]);
    const since = sim.log.lastSeq();
    scale(sim, 'StatefulSet', 'web', 1);
    waitFor(sim, 'claims www-web-1, www-web-2 and their PVs gone', () =>
      podNames(sim, 'web-').join() === 'web-0' && claimNames(sim).join() === 'www-web-0' && pvNames(sim).length === 1, 180_000);

    for (const k of [2, 1] as const) {
      const ref = podRef(pods[k]);
      const gained = firstWithRef(sim, `www-web-${k}`, ref, since);
      expect(gained, `www-web-${k} gained the pod ref`).toBeDefined();
      expect(gained!.object.metadata?.ownerReferences).toEqual([ref]);
      const term = seqOf(sim, 'TERMINATING', 'Pod', `web-${k}`, since);
      expect(gained!.seq, `www-web-${k} ref before web-${k} deletionTimestamp`).toBeLessThan(term);
      const podGone = seqOf(sim, 'DELETED', 'Pod', `web-${k}`, since);
      const claimDeleting = objectEntries(sim, since).find((e) => e.object.kind === 'PersistentVolumeClaim' && e.object.metadata?.name === `www-web-${k}` && e.object.metadata?.deletionTimestamp !== undefined)!;
      expect(claimDeleting, `www-web-${k} deleted`).toBeDefined();
      expect(claimDeleting.actor, `www-web-${k} deleted by`).toBe('garbage-collector');
      expect(claimDeleting.seq, `www-web-${k} deleted before Gone(web-${k})`).toBeGreaterThan(podGone);
      expect(get(sim, 'PersistentVolume', pvOf[k], ''), `PV of www-web-${k}`).toBeUndefined();
    }
    expect(seqOf(sim, 'DELETED', 'Pod', 'web-2', since)).toBeLessThan(seqOf(sim, 'TERMINATING', 'Pod', 'web-1', since));
    expect(refsOf(sim, 'www-web-0')).toEqual([]);

    // 4. Deleting an in-range pod does not delete its claim.
    const c0 = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-0');
    const old0 = mustGet<Pod>(sim, 'Pod', 'web-0').metadata!.uid;
    const before = sim.log.lastSeq();
    del(sim, 'Pod', 'web-0', { gracePeriodSeconds: 0 });
    waitFor(sim, 'new web-0 Ready', () => ready(sim, 'web-0') && mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.uid !== old0, 120_000);
    sleep(sim, 10_000);
    const c0after = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-0');
    expect(c0after.metadata.uid).toBe(c0.metadata.uid);
    expect(c0after.spec.volumeName).toBe(c0.spec.volumeName);
    expect(c0after.metadata.ownerReferences ?? []).toEqual([]);
    expect(entriesOf(sim, 'PersistentVolumeClaim', 'www-web-0', before).some((e) => e.type === 'DELETED' || e.object.metadata?.deletionTimestamp !== undefined)).toBe(false);
  });

  describe('S32 — whenDeleted: Delete', () => {
    const run = (orphanWeb2: boolean) => {
      const sim = f1Retention({ whenDeleted: 'Delete' });
      const set = mustGet<Json>(sim, 'StatefulSet', 'web');
      waitFor(sim, 'claims carry the set ref', () => [0, 1, 2].every((k) => refsOf(sim, `www-web-${k}`).length === 1), 30_000);
      for (let k = 0; k < 3; k++) expect(refsOf(sim, `www-web-${k}`), `www-web-${k} refs`).toEqual([setRef(set)]);
      if (orphanWeb2) {
        const orphaned = sim.log.lastSeq();
        patch(sim, 'Pod', 'web-2', { metadata: { ownerReferences: null } });
        expect(mustGet<Json>(sim, 'Pod', 'web-2').metadata.ownerReferences).toBeUndefined();
        waitFor(sim, 'web-2 adopted again', () => (mustGet<Json>(sim, 'Pod', 'web-2').metadata.ownerReferences ?? []).some((r: Json) => r.uid === set.metadata.uid && r.controller), 30_000);
        expect(entriesOf(sim, 'Pod', 'web-2', orphaned).filter((e) => e.type === 'DELETED')).toEqual([]);
      }
      const pvs = [0, 1, 2].map((k) => mustGet<Json>(sim, 'PersistentVolumeClaim', `www-web-${k}`).spec.volumeName as string);
      const since = sim.log.lastSeq();
      del(sim, 'StatefulSet', 'web');
      waitFor(sim, 'pods, claims and volumes gone', () => podNames(sim).length === 0 && claimNames(sim).length === 0 && pvNames(sim).length === 0, 300_000);
      expect(get(sim, 'StatefulSet', 'web')).toBeUndefined();
      for (let k = 0; k < 3; k++) {
        expect(seqOf(sim, 'DELETED', 'PersistentVolumeClaim', `www-web-${k}`, since), `www-web-${k} gone before web-${k}`)
          .toBeGreaterThan(seqOf(sim, 'DELETED', 'Pod', `web-${k}`, since));
        expect(seqOf(sim, 'DELETED', 'PersistentVolume', pvs[k]!, since)).toBeGreaterThan(seqOf(sim, 'DELETED', 'PersistentVolumeClaim', `www-web-${k}`, since));
      }
    };
    it('background deletion deletes pods, then claims, then volumes', () => run(false));
    it('variant: web-2 orphaned (and re-adopted) before the deletion: all three claims are deleted', () => run(true));
  });

  it('S33 — whenScaled: Delete + whenDeleted: Delete', () => {
    const sim = f1Retention({ whenScaled: 'Delete', whenDeleted: 'Delete' });
    const set = mustGet<Json>(sim, 'StatefulSet', 'web');
    waitFor(sim, 'claims carry the set ref', () => [0, 1, 2].every((k) => refsOf(sim, `www-web-${k}`).length === 1), 30_000);
    for (let k = 0; k < 3; k++) expect(refsOf(sim, `www-web-${k}`)).toEqual([setRef(set)]);
    const pods = { 1: mustGet<Json>(sim, 'Pod', 'web-1'), 2: mustGet<Json>(sim, 'Pod', 'web-2') };
    const since = sim.log.lastSeq();
    scale(sim, 'StatefulSet', 'web', 1);
    waitFor(sim, 'www-web-1, www-web-2 collected', () => podNames(sim, 'web-').join() === 'web-0' && claimNames(sim).join() === 'www-web-0' && pvNames(sim).length === 1, 180_000);
    for (const k of [2, 1] as const) {
      const replaced = firstWithRef(sim, `www-web-${k}`, podRef(pods[k]), since);
      expect(replaced, `www-web-${k} got the pod ref`).toBeDefined();
      expect(replaced!.object.metadata?.ownerReferences, `www-web-${k}: set ref replaced by the pod ref`).toEqual([podRef(pods[k])]);
      expect(replaced!.seq).toBeLessThan(seqOf(sim, 'TERMINATING', 'Pod', `web-${k}`, since));
      const claimGone = seqOf(sim, 'DELETED', 'PersistentVolumeClaim', `www-web-${k}`, since);
      expect(claimGone).toBeGreaterThan(seqOf(sim, 'DELETED', 'Pod', `web-${k}`, since));
      const collected = objectEntries(sim, since).find((e) => e.object.kind === 'PersistentVolumeClaim' && e.object.metadata?.name === `www-web-${k}` && e.object.metadata?.deletionTimestamp !== undefined)!;
      expect(collected.actor).toBe('garbage-collector');
    }
    expect(refsOf(sim, 'www-web-0')).toEqual([setRef(set)]);
    expect(entriesOf(sim, 'PersistentVolumeClaim', 'www-web-0', since).filter((e) => e.type !== 'ADDED' && JSON.stringify(e.object.metadata?.ownerReferences) !== JSON.stringify([setRef(set)]))).toEqual([]);

    del(sim, 'StatefulSet', 'web');
    waitFor(sim, 'www-web-0 deleted with the set', () => get(sim, 'PersistentVolumeClaim', 'www-web-0') === undefined && podNames(sim).length === 0, 180_000);
    expect(get(sim, 'StatefulSet', 'web')).toBeUndefined();
  });

  it('S35 — foreign non-controller owner and stale set reference', () => {
    const sim = f1Retention({ whenDeleted: 'Retain', whenScaled: 'Retain' }, 4);
    const set = mustGet<Json>(sim, 'StatefulSet', 'web');
    // A live ConfigMap owns www-web-1 (as in the e2e test, which creates it).
    const [cm] = create(sim, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'random-owner' }, data: {} } as Json);
    const cmRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'random-owner', uid: cm!.metadata!.uid! };
    const staleRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'unknown', uid: '9d86d3a1-72b0-4c7e-8f0e-5b1a4a9d2c63', controller: true, blockOwnerDeletion: true };
    patch(sim, 'PersistentVolumeClaim', 'www-web-1', { metadata: { ownerReferences: [cmRef] } });
    patch(sim, 'PersistentVolumeClaim', 'www-web-3', { metadata: { ownerReferences: [staleRef], finalizers: ['kubernetes.io/pvc-protection', 'keep-with/stale-ref'] } });
    sleep(sim, 5_000);
    // The GC tries to delete www-web-3 at once (its only owner never existed); the finalizer keeps it.
    const w3 = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-3');
    expect(w3.metadata.deletionTimestamp, 'www-web-3 deleted by the GC (dangling only owner)').toBeDefined();
    expect(w3.metadata.ownerReferences).toEqual([staleRef]);
    expect(refsOf(sim, 'www-web-1')).toEqual([cmRef]);

    // 1) whenDeleted: Delete.
    patch(sim, 'StatefulSet', 'web', { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } } });
    waitFor(sim, 'set refs on www-web-0, www-web-2, www-web-1', () =>
      refsOf(sim, 'www-web-0').length === 1 && refsOf(sim, 'www-web-2').length === 1 && refsOf(sim, 'www-web-1').length === 2, 30_000);
    sleep(sim, 5_000);
    expect(refsOf(sim, 'www-web-0')).toEqual([setRef(set)]);
    expect(refsOf(sim, 'www-web-2')).toEqual([setRef(set)]);
    expect(refsOf(sim, 'www-web-1'), 'www-web-1: [ConfigMap ref, set ref]').toEqual([cmRef, setRef(set)]);
    expect(refsOf(sim, 'www-web-3'), 'www-web-3 unchanged').toEqual([staleRef]);

    // 2) www-web-0's set ref with controller: false.
    patch(sim, 'PersistentVolumeClaim', 'www-web-0', { metadata: { ownerReferences: [{ ...setRef(set), controller: false }] } });
    // 3) both policies Delete.
    patch(sim, 'StatefulSet', 'web', { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } } });
    waitFor(sim, 'www-web-0 ref back to controller: true', () => JSON.stringify(refsOf(sim, 'www-web-0')) === JSON.stringify([setRef(set)]), 30_000);
    expect(refsOf(sim, 'www-web-0')).toEqual([setRef(set)]);

    // 4) delete the set.
    del(sim, 'StatefulSet', 'web');
    waitFor(sim, 'www-web-0 and www-web-2 deleted', () => podNames(sim).length === 0 && get(sim, 'PersistentVolumeClaim', 'www-web-0') === undefined && get(sim, 'PersistentVolumeClaim', 'www-web-2') === undefined, 300_000);
    sleep(sim, 30_000);
    expect(claimNames(sim)).toEqual(['www-web-1', 'www-web-3']);
    const w1 = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-1');
    expect(w1.metadata.deletionTimestamp, 'www-web-1 has a live owner').toBeUndefined();
    expect(w1.metadata.ownerReferences).toEqual([cmRef]);
    expect(mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-3').metadata.finalizers).toContain('keep-with/stale-ref');
  });

  it('S36 — a pre-existing claim is used as is', () => {
    const sim = newCluster();
    const [pv, pvc] = manifests(`apiVersion: v1
kind: PersistentVolume
metadata:
  name: golden
  annotations: {kubesim.io/data-token: X}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  persistentVolumeReclaimPolicy: Retain
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: www-web-0
  namespace: default
  labels: {team: a}
spec:
  storageClassName: ""
  volumeName: golden
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 2Gi}}
`);
    create(sim, pv!, pvc!);
    waitFor(sim, 'www-web-0 Bound to golden', () => get<Json>(sim, 'PersistentVolumeClaim', 'www-web-0')?.status?.phase === 'Bound', 60_000);
    const before = structuredClone(mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-0'));
    const since = sim.log.lastSeq();
    create(sim, ...f1With((s) => { s.spec.replicas = 1; }));
    converge(sim, 'web', 1);
    sleep(sim, 5_000);
    const p = mustGet<Pod>(sim, 'Pod', 'web-0');
    expect(p.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName).toBe('www-web-0');
    const c = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-0');
    expect(c.spec.volumeName).toBe('golden');
    expect(c.metadata.uid).toBe(before.metadata.uid);
    expect(c.metadata.labels).toEqual({ team: 'a' });
    expect(c.spec.resources.requests.storage).toBe('2Gi');
    expect(mustGet<Json>(sim, 'PersistentVolume', 'golden', '').metadata.annotations['kubesim.io/data-token']).toBe('X');
    expect(entriesOf(sim, 'PersistentVolumeClaim', 'www-web-0', since).filter((e) => e.actor === 'statefulset-controller'), 'claim written by the controller').toEqual([]);
    expect(eventsFor(sim, 'StatefulSet', 'web', 'SuccessfulCreate').filter((e) => String(e.message).startsWith('create Claim'))).toEqual([]);
    expect(eventCount(eventsFor(sim, 'StatefulSet', 'web', 'SuccessfulCreate'))).toBe(1);
    expect(claimNames(sim)).toEqual(['www-web-0']);
  });

  it('S38 — a missing claim is recreated for a Pending pod', () => {
    const sim = newCluster();
    create(sim, ...f1With((s) => { s.spec.replicas = 1; s.spec.template.spec.nodeSelector = { 'kubernetes.io/hostname': 'node-b' }; }));
    converge(sim, 'web', 1);
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').spec?.nodeName).toBe('node-b');
    const oldClaim = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-0');
    const old0 = mustGet<Pod>(sim, 'Pod', 'web-0').metadata!.uid;
    // 1) cordon node-b; 2) delete web-0: it comes back and stays Pending.
    cordon(sim, 'node-b');
    del(sim, 'Pod', 'web-0');
    waitFor(sim, 'a new web-0', () => get<Pod>(sim, 'Pod', 'web-0') !== undefined && mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.uid !== old0, 120_000);
    sleep(sim, 10_000);
    const pending = mustGet<Pod>(sim, 'Pod', 'web-0');
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.spec?.nodeName).toBeUndefined();
    // 3) delete the claim: the controller creates a new www-web-0 while web-0 is still Pending.
    const since = sim.log.lastSeq();
    del(sim, 'PersistentVolumeClaim', 'www-web-0');
    waitFor(sim, 'a new claim www-web-0', () => {
      const c = get<Json>(sim, 'PersistentVolumeClaim', 'www-web-0');
      return c !== undefined && c.metadata.uid !== oldClaim.metadata.uid;
    }, 60_000);
    const recreated = entriesOf(sim, 'PersistentVolumeClaim', 'www-web-0', since).find((e) => e.type === 'ADDED')!;
    expect(recreated.actor).toBe('statefulset-controller');
    expect(recreated.seq).toBeGreaterThan(seqOf(sim, 'DELETED', 'PersistentVolumeClaim', 'www-web-0', since));
    const podNow = mustGet<Pod>(sim, 'Pod', 'web-0');
    expect(podNow.metadata?.uid).toBe(pending.metadata?.uid);
    expect(podNow.status?.phase).toBe('Pending');
    expect(podNow.spec?.nodeName).toBeUndefined();
    // 4) uncordon: scheduled on node-b, Ready.
    cordon(sim, 'node-b', false);
    converge(sim, 'web', 1);
    const p = mustGet<Pod>(sim, 'Pod', 'web-0');
    expect(p.metadata?.uid).toBe(pending.metadata?.uid);
    expect(p.spec?.nodeName).toBe('node-b');
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status.readyReplicas).toBe(1);
    expect(mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-0').status.phase).toBe('Bound');
    expect(firstSeq(sim, 'READY', 'Pod', 'web-0', since)).toBeDefined();
  });
});

