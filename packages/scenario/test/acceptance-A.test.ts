/**
 * Acceptance scenarios, section A — creation, identity, ordering (S01, S02, S03, S05, S06, S08, S09,
 * S10, S11, S13), on the embedded engine.
 */
import { describe, expect, it } from 'vitest';
import { isRunningAndReady, type Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import {
  allReady, allSeqs, claimNames, converge, cordon, create, del, entriesOf, eventCount, eventsFor, f1, f1With, failPod, firstSeq,
  get, list, manifests, mustGet, newCluster, objectEntries, patch, podNames, ready, scale, seqOf, setReady, sleep, waitFor,
  dns, cmd, type Json,
} from './harness.js';
import { replayPods } from './sts-harness.js';

const HASH = /^[456789bcdf]{1,10}$/;

/** F1-ready: F1 applied and converged (3 pods Ready). */
const f1Ready = (seed = 1): Simulation => {
  const sim = newCluster({ seed });
  const { service, set } = f1();
  create(sim, service, set);
  converge(sim, 'web', 3);
  return sim;
};


/** The first seq at which a pod of `web` with this name starts terminating, after `since`. */
const terminating = (sim: Simulation, name: string, since = 0): number | undefined => firstSeq(sim, 'TERMINATING', 'Pod', name, since);

/** Whether two StatefulSet pods were ever Terminating at the same time after `since`. */
const maxTerminatingAtOnce = (sim: Simulation, since: number): number => {
  let max = 0;
  replayPods(sim, (_e, pods) => {
    const n = [...pods.values()].filter((p) => p.metadata?.deletionTimestamp !== undefined).length;
    max = Math.max(max, n);
  }, since);
  return max;
};

describe('A. Creation, identity, ordering', () => {
  it('S01 — ordered creation from zero', () => {
    const sim = newCluster();
    const { service, set } = f1();
    create(sim, service, set);
    converge(sim, 'web', 3);
    sleep(sim, 5_000);

    // 1. Log order.
    const order = [
      seqOf(sim, 'ADDED', 'PersistentVolumeClaim', 'www-web-0'), seqOf(sim, 'ADDED', 'Pod', 'web-0'), seqOf(sim, 'READY', 'Pod', 'web-0'),
      seqOf(sim, 'ADDED', 'PersistentVolumeClaim', 'www-web-1'), seqOf(sim, 'ADDED', 'Pod', 'web-1'), seqOf(sim, 'READY', 'Pod', 'web-1'),
      seqOf(sim, 'ADDED', 'PersistentVolumeClaim', 'www-web-2'), seqOf(sim, 'ADDED', 'Pod', 'web-2'),
    ];
    expect(order, 'log order PVC www-web-0, Pod web-0, Ready(web-0), PVC www-web-1, Pod web-1, Ready(web-1), PVC www-web-2, Pod web-2')
      .toEqual([...order].sort((a, b) => a - b));

    // 2. No pod / claim of ordinal k+1 before Ready(web-k); at most one set pod not yet Ready at any time.
    for (let k = 0; k < 2; k++) {
      const readyK = seqOf(sim, 'READY', 'Pod', `web-${k}`);
      for (const s of allSeqs(sim, 'ADDED', 'Pod', `web-${k + 1}`)) expect(s, `Pod web-${k + 1} ADDED before Ready(web-${k})`).toBeGreaterThan(readyK);
      for (const s of allSeqs(sim, 'ADDED', 'PersistentVolumeClaim', `www-web-${k + 1}`)) expect(s, `PVC www-web-${k + 1} before Ready(web-${k})`).toBeGreaterThan(readyK);
    }
    replayPods(sim, (e, pods) => {
      const notReady = [...pods.values()].filter((p) => !isRunningAndReady(p)).map((p) => p.metadata!.name);
      expect(notReady.length, `seq ${e.seq}: more than one set pod not Ready: ${notReady.join(', ')}`).toBeLessThanOrEqual(1);
    });

    // 3. Pods.
    const theSet = mustGet<Json>(sim, 'StatefulSet', 'web');
    const revs = list<Json>(sim, 'ControllerRevision', 'default');
    expect(revs.length, 'exactly one ControllerRevision').toBe(1);
    const rev = revs[0];
    const revName: string = rev.metadata.name;
    expect(revName).toMatch(/^web-[456789bcdf]{1,10}$/);
    const h = revName.slice('web-'.length);
    expect(h).toMatch(HASH);
    expect(podNames(sim)).toEqual(['web-0', 'web-1', 'web-2']);
    for (let k = 0; k < 3; k++) {
      const p = mustGet<Pod>(sim, 'Pod', `web-${k}`);
      expect(p.metadata?.labels, `web-${k} labels`).toEqual({
        app: 'nginx', 'statefulset.kubernetes.io/pod-name': `web-${k}`, 'apps.kubernetes.io/pod-index': String(k), 'controller-revision-hash': revName,
      });
      expect(p.spec?.hostname).toBe(`web-${k}`);
      expect(p.spec?.subdomain).toBe('nginx');
      expect(p.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: theSet.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      const www = (p.spec?.volumes ?? []).find((v) => v.name === 'www');
      expect(www?.persistentVolumeClaim?.claimName).toBe(`www-web-${k}`);
      expect(isRunningAndReady(p)).toBe(true);
    }

    // 4. Claims.
    expect(claimNames(sim)).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);
    for (let k = 0; k < 3; k++) {
      const c = mustGet<Json>(sim, 'PersistentVolumeClaim', `www-web-${k}`);
      expect(c.metadata.labels, `www-web-${k} labels`).toEqual({ app: 'nginx' });
      expect(c.metadata.ownerReferences ?? [], `www-web-${k} ownerReferences`).toEqual([]);
      expect(c.status.phase).toBe('Bound');
      expect(c.spec.volumeName).toBe(`pvc-${c.metadata.uid}`);
      const pv = mustGet<Json>(sim, 'PersistentVolume', c.spec.volumeName, '');
      expect(pv.spec.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'default', name: `www-web-${k}`, uid: c.metadata.uid });
      expect(pv.status.phase).toBe('Bound');
    }

    // 5. The ControllerRevision.
    expect(rev.revision).toBe(1);
    expect(rev.metadata.labels).toEqual({ app: 'nginx', 'controller.kubernetes.io/hash': h });
    expect(rev.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: theSet.metadata.uid, controller: true, blockOwnerDeletion: true }]);

    // 6. Status.
    expect(theSet.status).toMatchObject({
      observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3,
      currentRevision: revName, updateRevision: revName, collisionCount: 0,
    });

    // 7. Events.
    const evs = eventsFor(sim, 'StatefulSet', 'web', 'SuccessfulCreate');
    for (let k = 0; k < 3; k++) {
      expect(eventCount(evs.filter((e) => e.message === `create Claim www-web-${k} Pod web-${k} in StatefulSet web success`)), `claim event ${k}`).toBe(1);
      expect(eventCount(evs.filter((e) => e.message === `create Pod web-${k} in StatefulSet web successful`)), `pod event ${k}`).toBe(1);
    }
    expect(eventCount(evs)).toBe(6);
    for (const e of evs) expect(e.type).toBe('Normal');
  });

  it('S02 — claim labels: the selector value wins on a conflicting key', () => {
    const sim = newCluster();
    create(sim, ...f1With((s) => {
      s.spec.replicas = 1;
      s.spec.volumeClaimTemplates[0].metadata.labels = { app: 'other', tier: 'db' };
    }));
    converge(sim, 'web', 1);
    expect(claimNames(sim)).toEqual(['www-web-0']);
    expect(mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-0').metadata.labels).toEqual({ app: 'nginx', tier: 'db' });
  });

  it('S02 — with a second template `data` both claims are created before the pod and mounted', () => {
    const sim = newCluster();
    create(sim, ...f1With((s) => {
      s.spec.replicas = 1;
      s.spec.volumeClaimTemplates[0].metadata.labels = { app: 'other', tier: 'db' };
      s.spec.volumeClaimTemplates.push({ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
      s.spec.template.spec.containers[0].volumeMounts.push({ name: 'data', mountPath: '/data' });
    }));
    converge(sim, 'web', 1);
    const p = mustGet<Pod>(sim, 'Pod', 'web-0');
    const vols = Object.fromEntries((p.spec?.volumes ?? []).map((v) => [v.name, v.persistentVolumeClaim?.claimName]));
    expect(vols).toEqual({ www: 'www-web-0', data: 'data-web-0' });
    const podAdded = seqOf(sim, 'ADDED', 'Pod', 'web-0');
    expect(seqOf(sim, 'ADDED', 'PersistentVolumeClaim', 'www-web-0')).toBeLessThan(podAdded);
    expect(seqOf(sim, 'ADDED', 'PersistentVolumeClaim', 'data-web-0')).toBeLessThan(podAdded);
    expect(mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-0').metadata.labels).toEqual({ app: 'nginx', tier: 'db' });
    expect(mustGet<Json>(sim, 'PersistentVolumeClaim', 'data-web-0').metadata.labels).toEqual({ app: 'nginx' });
  });

  it('S03 — Parallel burst creation: all claims and pods in the first sync, batches {0}, {1,2}, {3,4}', () => {
    const sim = newCluster();
    // Hold every pod in Pending: no node can take a pod until all are created.
    for (const n of ['node-a', 'node-b', 'node-c']) cordon(sim, n);
    const start = sim.log.lastSeq();
    create(sim, ...f1With((s) => { s.spec.podManagementPolicy = 'Parallel'; s.spec.replicas = 5; }));
    const names = [0, 1, 2, 3, 4].map((k) => `web-${k}`);
    waitFor(sim, 'all 5 pods and claims created', () => names.every((n) => get(sim, 'Pod', n) !== undefined && get(sim, 'PersistentVolumeClaim', `www-${n}`) !== undefined), 60_000);

    const podAdds = names.map((n) => entriesOf(sim, 'Pod', n, start).find((e) => e.type === 'ADDED')!);
    const claimAdds = names.map((n) => entriesOf(sim, 'PersistentVolumeClaim', `www-${n}`, start).find((e) => e.type === 'ADDED')!);
    // Created by the statefulset controller, all in its first sync (one reconcile: one cause).
    for (const e of [...podAdds, ...claimAdds]) expect(e.actor).toBe('statefulset-controller');
    const firstSyncCause = podAdds[0]!.cause;
    for (const e of [...podAdds, ...claimAdds]) expect(e.cause, `${e.object.kind}/${e.object.metadata?.name} created by another sync`).toBe(firstSyncCause);
    // One sync writes the set's status once, at its end: no status write before the last create.
    const lastCreate = Math.max(...podAdds.map((e) => e.seq), ...claimAdds.map((e) => e.seq));
    const statusWrites = entriesOf(sim, 'StatefulSet', 'web', start).filter((e) => e.actor === 'statefulset-controller');
    expect(statusWrites.filter((e) => e.seq < lastCreate).map((e) => e.seq), 'a status write (end of a sync) before the last create').toEqual([]);
    // Each pod's claim precedes the pod.
    names.forEach((n, k) => expect(claimAdds[k]!.seq, `claim of ${n} after the pod`).toBeLessThan(podAdds[k]!.seq));
    // Batches {web-0}, then {web-1, web-2}, then {web-3, web-4}: a batch starts after the previous one completed.
    const batches = [[0], [1, 2], [3, 4]];
    for (let b = 1; b < batches.length; b++) {
      const prevDone = Math.max(...batches[b - 1]!.map((k) => podAdds[k]!.seq));
      for (const k of batches[b]!) {
        expect(claimAdds[k]!.seq, `www-web-${k} created before batch ${b - 1} completed`).toBeGreaterThan(prevDone);
        expect(podAdds[k]!.seq, `web-${k} created before batch ${b - 1} completed`).toBeGreaterThan(prevDone);
      }
    }
    // Before any pod is Running.
    expect(list<Pod>(sim, 'Pod', 'default').filter((p) => p.status?.phase === 'Running')).toEqual([]);
    const firstRunning = objectEntries(sim, start).find((e) => e.object.kind === 'Pod' && (e.object as Pod).status?.phase === 'Running');
    expect(firstRunning).toBeUndefined();

    for (const n of ['node-a', 'node-b', 'node-c']) cordon(sim, n, false);
    converge(sim, 'web', 5);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status).toMatchObject({ replicas: 5, readyReplicas: 5, currentReplicas: 5, updatedReplicas: 5 });
  });

  it('S05 — OrderedReady scale-down halts while pods are unhealthy, then goes in reverse order', () => {
    const sim = f1Ready();
    const claimsBefore = Object.fromEntries(['www-web-0', 'www-web-1', 'www-web-2'].map((c) => [c, mustGet<Json>(sim, 'PersistentVolumeClaim', c).metadata.uid]));
    // 1) all unready.
    for (const n of ['web-0', 'web-1', 'web-2']) setReady(sim, n, false);
    waitFor(sim, 'readyReplicas = 0', () => mustGet<Json>(sim, 'StatefulSet', 'web').status?.readyReplicas === 0, 60_000);
    // 2) scale to 0, 3) hold >= 10 s.
    const scaled = sim.log.lastSeq();
    scale(sim, 'StatefulSet', 'web', 0);
    const held = sim.now;
    sleep(sim, 15_000);
    expect(sim.now - held).toBeGreaterThanOrEqual(10_000);
    for (const n of ['web-0', 'web-1', 'web-2']) {
      expect(get(sim, 'Pod', n), `${n} still exists while unhealthy`).toBeDefined();
      expect(terminating(sim, n, scaled), `${n} got a deletionTimestamp while the set was unhealthy`).toBeUndefined();
    }
    // 4) restore readiness.
    const restored = sim.log.lastSeq();
    for (const n of ['web-0', 'web-1', 'web-2']) setReady(sim, n, true);
    waitFor(sim, 'all pods gone', () => podNames(sim, 'web-').length === 0, 180_000);
    sleep(sim, 5_000);

    const gone2 = seqOf(sim, 'DELETED', 'Pod', 'web-2', restored);
    const gone1 = seqOf(sim, 'DELETED', 'Pod', 'web-1', restored);
    const gone0 = seqOf(sim, 'DELETED', 'Pod', 'web-0', restored);
    expect(seqOf(sim, 'TERMINATING', 'Pod', 'web-1', restored), 'web-1 terminating only after Gone(web-2)').toBeGreaterThan(gone2);
    expect(seqOf(sim, 'TERMINATING', 'Pod', 'web-0', restored), 'web-0 terminating only after Gone(web-1)').toBeGreaterThan(gone1);
    expect(gone2).toBeLessThan(gone1);
    expect(gone1).toBeLessThan(gone0);
    expect(maxTerminatingAtOnce(sim, scaled), 'two set pods Terminating at once').toBeLessThanOrEqual(1);
    for (const [c, uid] of Object.entries(claimsBefore)) {
      const pvc = mustGet<Json>(sim, 'PersistentVolumeClaim', c);
      expect(pvc.metadata.uid).toBe(uid);
      expect(pvc.status.phase).toBe('Bound');
    }
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status).toMatchObject({ replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0 });
  });

  it('S06 — scale-down deletes an unhealthy highest pod at once, then web-1', () => {
    const sim = f1Ready();
    setReady(sim, 'web-2', false);
    waitFor(sim, 'web-2 unready seen by the set', () => mustGet<Json>(sim, 'StatefulSet', 'web').status?.readyReplicas === 2, 60_000);
    const scaled = sim.log.lastSeq();
    scale(sim, 'StatefulSet', 'web', 1);
    // web-2 is deleted while it is still unready (no readiness is ever restored).
    waitFor(sim, 'web-2 terminating', () => terminating(sim, 'web-2', scaled) !== undefined, 30_000);
    // Immediately: the controller's first pod write after the scale is web-2's deletion.
    const firstPodWrite = objectEntries(sim, scaled).find((e) => e.object.kind === 'Pod' && e.actor === 'statefulset-controller')!;
    expect(firstPodWrite.object.metadata?.name).toBe('web-2');
    expect(firstPodWrite.op).toBe('delete');
    expect(firstPodWrite.time - sim.log.all().find((e) => e.seq > scaled)!.time, 'web-2 deleted within a second of the scale').toBeLessThan(1_000);
    waitFor(sim, 'only web-0 left', () => podNames(sim, 'web-').join(',') === 'web-0', 120_000);
    const gone2 = seqOf(sim, 'DELETED', 'Pod', 'web-2', scaled);
    expect(seqOf(sim, 'TERMINATING', 'Pod', 'web-1', scaled), 'web-1 deleted only after Gone(web-2)').toBeGreaterThan(gone2);
    expect(terminating(sim, 'web-0', scaled)).toBeUndefined();
    expect(ready(sim, 'web-0')).toBe(true);
  });

  it('S06 variant — web-1 and web-2 unready: nothing is deleted until one of them is Ready', () => {
    const sim = f1Ready();
    setReady(sim, 'web-1', false);
    setReady(sim, 'web-2', false);
    waitFor(sim, 'readyReplicas = 1', () => mustGet<Json>(sim, 'StatefulSet', 'web').status?.readyReplicas === 1, 60_000);
    const scaled = sim.log.lastSeq();
    scale(sim, 'StatefulSet', 'web', 1);
    sleep(sim, 30_000);
    expect(podNames(sim, 'web-')).toEqual(['web-0', 'web-1', 'web-2']);
    for (const n of ['web-0', 'web-1', 'web-2']) expect(terminating(sim, n, scaled), `${n} deleted while web-1 (first unhealthy) is unready`).toBeUndefined();
    const restored = sim.log.lastSeq();
    setReady(sim, 'web-1', true);
    waitFor(sim, 'only web-0 left', () => podNames(sim, 'web-').join(',') === 'web-0', 120_000);
    expect(seqOf(sim, 'TERMINATING', 'Pod', 'web-1', restored)).toBeGreaterThan(seqOf(sim, 'DELETED', 'Pod', 'web-2', restored));
  });

  it('S08 — Parallel ignores health for scaling', () => {
    const sim = newCluster();
    create(sim, ...f1With((s) => { s.spec.podManagementPolicy = 'Parallel'; s.spec.replicas = 1; }));
    converge(sim, 'web', 1);
    // 1) web-0 unready.
    setReady(sim, 'web-0', false);
    waitFor(sim, 'readyReplicas 0', () => mustGet<Json>(sim, 'StatefulSet', 'web').status?.readyReplicas === 0, 60_000);
    // 2) scale to 3: web-1 and web-2 within one sync although web-0 is unready.
    const up = sim.log.lastSeq();
    scale(sim, 'StatefulSet', 'web', 3);
    waitFor(sim, '3 pods', () => podNames(sim, 'web-').length === 3, 30_000);
    const a1 = entriesOf(sim, 'Pod', 'web-1', up).find((e) => e.type === 'ADDED')!;
    const a2 = entriesOf(sim, 'Pod', 'web-2', up).find((e) => e.type === 'ADDED')!;
    expect(a1.cause, 'web-1 and web-2 created by one sync').toBe(a2.cause);
    const [lo, hi] = [Math.min(a1.seq, a2.seq), Math.max(a1.seq, a2.seq)];
    expect(entriesOf(sim, 'StatefulSet', 'web', lo).filter((e) => e.actor === 'statefulset-controller' && e.seq < hi), 'a sync ended between the two creates').toEqual([]);
    expect(ready(sim, 'web-0')).toBe(false);
    waitFor(sim, 'web-1, web-2 Ready', () => allReady(sim, ['web-1', 'web-2']), 60_000);
    // 3) all unready, 4) scale to 0.
    for (const n of ['web-0', 'web-1', 'web-2']) setReady(sim, n, false);
    waitFor(sim, 'readyReplicas 0', () => mustGet<Json>(sim, 'StatefulSet', 'web').status?.readyReplicas === 0, 60_000);
    const down = sim.log.lastSeq();
    scale(sim, 'StatefulSet', 'web', 0);
    waitFor(sim, 'status.replicas 0', () => mustGet<Json>(sim, 'StatefulSet', 'web').status?.replicas === 0 && podNames(sim, 'web-').length === 0, 120_000);
    const term = ['web-0', 'web-1', 'web-2'].map((n) => objectEntries(sim, down).find((e) => e.object.kind === 'Pod' && e.object.metadata?.name === n && e.object.metadata?.deletionTimestamp !== undefined)!);
    for (const t of term) expect(t, 'every pod got a deletionTimestamp').toBeDefined();
    for (const t of term) expect(t.actor).toBe('statefulset-controller');
    expect(new Set(term.map((t) => t.cause)).size, 'all three deletions in the same sync').toBe(1);
    // Readiness was never restored.
    for (const n of ['web-0', 'web-1', 'web-2']) expect(firstSeq(sim, 'READY', 'Pod', n, down)).toBeUndefined();
  });

  describe('S09 — a failed pod is deleted and recreated with the same identity', () => {
    const run = (terminal: 'Failed' | 'Succeeded') => {
      const sim = f1Ready();
      const old1 = mustGet<Pod>(sim, 'Pod', 'web-1');
      const uids = { 'web-0': mustGet<Pod>(sim, 'Pod', 'web-0').metadata!.uid, 'web-2': mustGet<Pod>(sim, 'Pod', 'web-2').metadata!.uid };
      const claim = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-1');
      const since = sim.log.lastSeq();
      if (terminal === 'Failed') failPod(sim, 'web-1', 'Evicted');
      else cmd(sim, 'pod web-1 succeeded', [{ verb: 'patch', kind: 'Pod', namespace: 'default', name: 'web-1', subresource: 'status', patch: { status: { phase: 'Succeeded' } } }]);
      waitFor(sim, `web-1 ${terminal}`, () => entriesOf(sim, 'Pod', 'web-1', since).some((e) => (e.object as Pod).status?.phase === terminal), 30_000);
      waitFor(sim, 'a new web-1 Ready', () => ready(sim, 'web-1') && mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.uid !== old1.metadata?.uid, 120_000);
      sleep(sim, 5_000);

      const ssWrites = entriesOf(sim, 'Pod', 'web-1', since).filter((e) => e.actor === 'statefulset-controller');
      const deletes = ssWrites.filter((e) => e.op === 'delete');
      expect(deletes.length, 'exactly one DELETE of web-1 by the controller').toBe(1);
      const del1 = deletes[0]!;
      const gone = seqOf(sim, 'DELETED', 'Pod', 'web-1', since);
      const added = ssWrites.filter((e) => e.type === 'ADDED');
      expect(added.length).toBe(1);
      expect(added[0]!.cause, 'new web-1 created in the same sync as the delete').not.toBe(del1.cause);
      expect(added[0]!.seq, 'new web-1 created before Gone(old web-1)').toBeGreaterThan(gone);
      const p = mustGet<Pod>(sim, 'Pod', 'web-1');
      expect(p.metadata?.uid).not.toBe(old1.metadata?.uid);
      expect(p.metadata?.labels).toEqual(old1.metadata?.labels);
      expect(p.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName).toBe('www-web-1');
      expect(entriesOf(sim, 'PersistentVolumeClaim', 'www-web-1', since).some((e) => e.type === 'DELETED' || e.object.metadata?.deletionTimestamp !== undefined)).toBe(false);
      const c = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-1');
      expect(c.metadata.uid).toBe(claim.metadata.uid);
      expect(c.spec.volumeName).toBe(claim.spec.volumeName);
      expect(c.status.phase).toBe('Bound');
      for (const [n, uid] of Object.entries(uids)) {
        expect(mustGet<Pod>(sim, 'Pod', n).metadata?.uid, `${n} replaced`).toBe(uid);
        expect(entriesOf(sim, 'Pod', n, since).filter((e) => e.actor === 'statefulset-controller'), `${n} touched by the controller`).toEqual([]);
      }
    };
    it('phase Failed (eviction)', () => run('Failed'));
    it('phase Succeeded', () => run('Succeeded'));

    it('the DELETE fails once (API error): the sync errors, a later sync retries it — 2 delete requests in all', () => {
      const sim = f1Ready();
      const old1 = mustGet<Pod>(sim, 'Pod', 'web-1').metadata!.uid;
      const ss = sim.host('statefulset-controller')!;
      const failedBefore = ss.stats.failedSyncs;
      // The deletes that reach the API server (a lost request does not).
      const sent: number[] = [];
      const api = sim.api;
      const handle = api.handle.bind(api);
      api.handle = (req, ctx) => {
        if (ctx.actor === 'statefulset-controller' && req.verb === 'delete' && req.kind === 'Pod') sent.push(ctx.time);
        return handle(req, ctx);
      };
      // The controller's next request (the DELETE of the failed pod: the cluster is quiet) is lost; its client times out.
      const fault = sim.fault({ fault: 'api-drop', component: 'statefulset-controller', where: 'request', count: 1, timeoutMs: 1000 });
      failPod(sim, 'web-1', 'Evicted');
      waitFor(sim, 'a new web-1 Ready', () => ready(sim, 'web-1') && mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.uid !== old1, 120_000);
      expect(ss.stats.failedSyncs - failedBefore, 'the sync whose DELETE was lost ended in an error').toBeGreaterThanOrEqual(1);
      const deletes = entriesOf(sim, 'Pod', 'web-1', fault.seq).filter((e) => e.actor === 'statefulset-controller' && e.op === 'delete');
      expect(deletes.length, 'one DELETE reached the API server').toBe(1);
      expect(sent, 'the API server saw the retried DELETE only').toEqual([deletes[0]!.time]);
      expect(deletes[0]!.time - fault.time, 'the retry came after the lost request timed out').toBeGreaterThanOrEqual(1000);
      expect(ss.faults.dropRequests, 'a request of the controller was lost').toBe(0);
      const creates = entriesOf(sim, 'Pod', 'web-1', fault.seq).filter((e) => e.type === 'ADDED');
      expect(creates.length, 'web-1 recreated once').toBe(1);
      expect(creates[0]!.seq).toBeGreaterThan(seqOf(sim, 'DELETED', 'Pod', 'web-1', fault.seq));
    });

    for (const policy of ['OrderedReady', 'Parallel'] as const) {
      it(`pod creates for a 3-replica set whose pod 0 fails (${policy}): replicas + 1`, () => {
        const sim = newCluster();
        create(sim, ...f1With((s) => { s.spec.podManagementPolicy = policy; }));
        converge(sim, 'web', 3);
        const old0 = mustGet<Pod>(sim, 'Pod', 'web-0').metadata!.uid;
        failPod(sim, 'web-0');
        waitFor(sim, 'new web-0 Ready', () => ready(sim, 'web-0') && mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.uid !== old0, 120_000);
        sleep(sim, 5_000);
        const creates = objectEntries(sim).filter((e) => e.object.kind === 'Pod' && e.type === 'ADDED' && e.actor === 'statefulset-controller');
        expect(creates.filter((e) => e.object.metadata?.name === 'web-0').length, 'web-0 created twice (initial + recreate)').toBe(2);
        expect(creates.length).toBe(4);
      });
    }
  });

  it('S10 — repeated rejection loop (host-port conflict), then Running once the blocker is gone', () => {
    const sim = newCluster();
    const [blocker] = manifests(`apiVersion: v1
kind: Pod
metadata: {name: test-pod, namespace: default}
spec:
  nodeName: node-a
  containers:
  - name: c
    image: busybox
    ports: [{containerPort: 21017, hostPort: 21017}]
`);
    // The start state: the blocker exists on node-a (created with the cluster, before any other step).
    create(sim, blocker!);
    waitFor(sim, 'test-pod (spec.nodeName: node-a, created at t=0) Running on node-a', () => get<Pod>(sim, 'Pod', 'test-pod')?.status?.phase === 'Running', 30_000);
    const start = sim.log.lastSeq();
    create(sim, ...f1With((s) => {
      s.spec.replicas = 1;
      delete s.spec.volumeClaimTemplates;
      delete s.spec.template.spec.containers[0].volumeMounts;
      s.spec.template.spec.nodeName = 'node-a';
      s.spec.template.spec.containers[0].ports[0].hostPort = 21017;
    }));
    waitFor(sim, 'web-0 rejected, deleted and recreated', () => allSeqs(sim, 'DELETED', 'Pod', 'web-0', start).length >= 2, 120_000);
    const incarnations = entriesOf(sim, 'Pod', 'web-0', start).filter((e) => e.type === 'ADDED');
    const firstUid = incarnations[0]!.object.metadata!.uid;
    expect(incarnations.length).toBeGreaterThanOrEqual(2);
    const failed = entriesOf(sim, 'Pod', 'web-0', start).filter((e) => (e.object as Pod).status?.phase === 'Failed');
    expect(failed.length, 'web-0 rejected (Failed) by node-a').toBeGreaterThanOrEqual(1);
    expect(failed[0]!.actor).toBe('kubelet:node-a');
    const ssDeletes = entriesOf(sim, 'Pod', 'web-0', start).filter((e) => e.actor === 'statefulset-controller' && e.op === 'delete');
    expect(ssDeletes.length, 'deleted by the controller').toBeGreaterThanOrEqual(1);
    expect(get<Pod>(sim, 'Pod', 'test-pod')).toBeDefined();

    del(sim, 'Pod', 'test-pod', { gracePeriodSeconds: 0 });
    waitFor(sim, 'web-0 Running', () => get<Pod>(sim, 'Pod', 'web-0')?.status?.phase === 'Running', 120_000);
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.uid).not.toBe(firstUid);
  });

  it('S11 — a deleted pod returns with the same name, hostname and data; DNS follows', () => {
    const sim = f1Ready();
    const claim = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-1');
    const pvName: string = claim.spec.volumeName;
    // The marker file: a data token on the PV.
    cmd(sim, 'write marker', [{ verb: 'patch', kind: 'PersistentVolume', namespace: '', name: pvName, patch: { metadata: { annotations: { 'kubesim.io/data-token': 'marker-web-1' } } } }]);
    const old = mustGet<Pod>(sim, 'Pod', 'web-1');
    const others = { 'web-0': mustGet<Pod>(sim, 'Pod', 'web-0').metadata!.uid, 'web-2': mustGet<Pod>(sim, 'Pod', 'web-2').metadata!.uid };
    const since = sim.log.lastSeq();
    del(sim, 'Pod', 'web-1', { gracePeriodSeconds: 0 });
    waitFor(sim, 'new web-1 Ready', () => ready(sim, 'web-1') && mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.uid !== old.metadata?.uid, 120_000);
    waitFor(sim, 'web-1 resolves to the new pod', () => {
      const ip = mustGet<Pod>(sim, 'Pod', 'web-1').status?.podIP;
      return ip !== undefined && dns(sim, 'web-1.nginx.default.svc.cluster.local', 'A').join() === ip;
    }, 10_000);
    const p = mustGet<Pod>(sim, 'Pod', 'web-1');
    expect(p.spec?.hostname).toBe('web-1');
    expect(p.spec?.subdomain).toBe('nginx');
    expect(p.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName).toBe('www-web-1');
    const c = mustGet<Json>(sim, 'PersistentVolumeClaim', 'www-web-1');
    expect(c.metadata.uid).toBe(claim.metadata.uid);
    expect(c.spec.volumeName).toBe(pvName);
    expect(mustGet<Json>(sim, 'PersistentVolume', pvName, '').metadata.annotations['kubesim.io/data-token']).toBe('marker-web-1');
    for (const [n, uid] of Object.entries(others)) {
      expect(mustGet<Pod>(sim, 'Pod', n).metadata?.uid).toBe(uid);
      expect(entriesOf(sim, 'Pod', n, since).filter((e) => e.actor === 'statefulset-controller' || e.object.metadata?.deletionTimestamp !== undefined)).toEqual([]);
    }
    expect(dns(sim, 'web-1.nginx.default.svc.cluster.local', 'A')).toEqual([p.status!.podIP]);
  });

  it('S13 — identity label repair', () => {
    const sim = f1Ready();
    const before = mustGet<Pod>(sim, 'Pod', 'web-1');
    const since = sim.log.lastSeq();
    patch(sim, 'Pod', 'web-1', { metadata: { labels: { 'statefulset.kubernetes.io/pod-name': null } } });
    expect(mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.labels?.['statefulset.kubernetes.io/pod-name']).toBeUndefined();
    waitFor(sim, 'label restored', () => mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.labels?.['statefulset.kubernetes.io/pod-name'] === 'web-1', 30_000);
    sleep(sim, 5_000);
    const p = mustGet<Pod>(sim, 'Pod', 'web-1');
    expect(p.metadata?.uid).toBe(before.metadata?.uid);
    expect(p.metadata?.labels?.['apps.kubernetes.io/pod-index']).toBe('1');
    expect(p.metadata?.labels).toEqual(before.metadata?.labels);
    const repair = entriesOf(sim, 'Pod', 'web-1', since).filter((e) => e.actor === 'statefulset-controller');
    expect(repair.length, 'one update by the controller').toBe(1);
    expect(repair[0]!.type).toBe('MODIFIED');
    expect(repair[0]!.op).toBe('update');
    expect(p.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    expect(p.status?.containerStatuses?.[0]?.containerID).toBe(before.status?.containerStatuses?.[0]?.containerID);
    expect(ready(sim, 'web-1')).toBe(true);
    const evs = eventsFor(sim, 'StatefulSet', 'web', 'SuccessfulUpdate');
    expect(evs.map((e) => e.message)).toEqual(['update Pod web-1 in StatefulSet web successful']);
    expect(evs[0].type).toBe('Normal');
  });
});
