/**
 * Extra StatefulSet acceptance scenarios, on the embedded engine (every component of createCluster
 * running), for behaviours Kubernetes' own tests check that acceptance-{A..J} do not cover end to end:
 *
 * - scaling halts while a pod is unhealthy (E2E "Scaling should happen in predictable order and halt if
 *   any stateful pod is unhealthy", the scale-up half; the scale-down half is S05) and "should not
 *   deadlock when a pod's predecessor fails";
 * - rolling updates halt on an unhealthy pod (E2E rollbackTest; §1.5 P5, §1.7 maxUnavailable variant);
 * - `partition` above `replicas` (§1.7, SSU newVersionedStatefulSetPod);
 * - `maxUnavailable` as a percentage (SSU getStatefulSetMaxUnavailable: intstr rounded down, at least 1);
 * - `revisionHistoryLimit` (SSC truncateHistory, K5);
 * - retention policy edited on a live set, and orphan deletion of a set whose claims carry its ref (§1.10, §5);
 * - a claim with a foreign controller (E2E "should not delete PVC with OnScaledown policy if another
 *   controller owns the PVC"; SPC UpdatePodClaimForRetentionPolicy, SSU hasUnexpectedController);
 * - a pod deleted while its set is scaled down; scale-down events and status accounting (§1.11, §1.15);
 * - a claim being deleted blocks the pod's creation (§1.4).
 *
 * Burst scaling with unhealthy pods (E2E "Burst scaling should run to completion even with unhealthy
 * pods") is S08 in acceptance-A and is not repeated here.
 */
import { describe, expect, it } from 'vitest';
import { isRunningAndReady, type Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import {
  claimNames, converge, create, del, entriesOf, eventCount, eventsFor, f1With, firstSeq, get, list, mustGet,
  newCluster, objectEntries, patch, podNames, pvNames, ready, scale, seqOf, setReady, sleep, waitFor, type Json, type ObjEntry,
} from './harness.js';
import {
  edit, hashOf, imageOf, names, NEW, observed, OLD, pod, podDeleteNames, podDeletes, replayPods, REV_NAME, rolledOut, sameSync, SS, ssWrites, status, statusOfSync, statusWrites, theSet, uidOf,
} from './sts-harness.js';

const GC = 'garbage-collector';

// ---- reading the set, its pods, claims and revisions ------------------------------------------------------

const revisionNames = (sim: Simulation): string[] => list<Json>(sim, 'ControllerRevision', 'default').map((r) => r.metadata.name as string).sort();
const claim = (sim: Simulation, name: string): Json => mustGet<Json>(sim, 'PersistentVolumeClaim', name);
const refsOf = (o: Json): Json[] => o?.metadata?.ownerReferences ?? [];
const setRef = (uid: string) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid, controller: true, blockOwnerDeletion: true });
const podRef = (p: Json) => ({ apiVersion: 'v1', kind: 'Pod', name: p.metadata.name, uid: p.metadata.uid, controller: true, blockOwnerDeletion: true });




/** Wait until pod `name` exists with a uid other than `oldUid` (not necessarily Ready). */
const recreated = (sim: Simulation, name: string, oldUid: string | undefined, timeoutMs = 120_000): void =>
  waitFor(sim, `${name} recreated`, () => { const p = get<Pod>(sim, 'Pod', name); return p !== undefined && p.metadata?.uid !== oldUid; }, timeoutMs);

/** F1 (with changes) applied and converged with `n` Ready pods. */
const f1Ready = (n = 3, change: (set: Json) => void = () => undefined): Simulation => {
  const sim = newCluster();
  create(sim, ...f1With((s) => { s.spec.replicas = n; change(s); }));
  converge(sim, 'web', n);
  return sim;
};

// ---- log queries --------------------------------------------------------------------------------------------

const podCreateNames = (sim: Simulation, since: number): string[] =>
  ssWrites(sim, since).filter((e) => e.object.kind === 'Pod' && e.type === 'ADDED').map((e) => e.object.metadata!.name!);
const addedAfter = (sim: Simulation, kind: string, name: string, since: number): ObjEntry | undefined =>
  entriesOf(sim, kind, name, since).find((x) => x.type === 'ADDED');


/** The controller writes of the sync that made `e` (same cause, up to its status write). */
const syncOf = (sim: Simulation, e: ObjEntry): ObjEntry[] => {
  const end = statusWrites(sim, e.seq).find((s) => s.cause === e.cause)?.seq ?? Infinity;
  return ssWrites(sim, 0).filter((x) => x.cause === e.cause && x.seq <= end);
};



/** The most in-range pods unavailable at once (missing, terminating, or not Running+Ready) after `since`. */
const mostUnavailable = (sim: Simulation, n: number, since: number): { max: number; at: string } => {
  let max = 0;
  let at = '';
  replayPods(sim, (e, pods) => {
    const u = names(n).filter((k) => {
      const p = pods.get(k);
      return p === undefined || p.metadata?.deletionTimestamp !== undefined || !isRunningAndReady(p);
    });
    if (u.length > max) { max = u.length; at = `seq ${e.seq}: ${u.join(', ')}`; }
  }, since);
  return { max, at };
};

/** The number of ControllerRevisions in the namespace after every log entry (the most seen at once). */
const mostRevisionsAtOnce = (sim: Simulation): number => {
  const live = new Set<string>();
  let max = 0;
  for (const e of objectEntries(sim)) {
    if (e.object.kind !== 'ControllerRevision') continue;
    if (e.type === 'DELETED') live.delete(e.object.metadata!.name!); else live.add(e.object.metadata!.name!);
    max = Math.max(max, live.size);
  }
  return max;
};

/** Count of StatefulSet events on `web` of a reason (and message), summing aggregated counts. */
const setEvents = (sim: Simulation, reason: string, message?: string): number =>
  eventCount(eventsFor(sim, 'StatefulSet', 'web', reason).filter((e) => message === undefined || e.message === message));

const CONFLICT = (c: string): string =>
  `PersistentVolumeClaim ${c} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`;

// ---- the tests ----------------------------------------------------------------------------------------------

describe('extra StatefulSet scenarios', () => {
  describe('scaling halts while a pod is unhealthy (OrderedReady)', () => {
    it('scale-up 1 → 3 with web-0 unready creates nothing; once web-0 is Ready, web-1; web-2 only once web-1 is Ready', () => {
      const sim = f1Ready(1);
      setReady(sim, 'web-0', false);
      waitFor(sim, 'readyReplicas 0', () => status(sim)?.readyReplicas === 0, 60_000);
      const up = sim.log.lastSeq();
      scale(sim, 'StatefulSet', 'web', 3);
      observed(sim);
      sleep(sim, 15_000);
      // Halted: no pod and no claim of ordinal 1 or 2.
      expect(podNames(sim, 'web-')).toEqual(['web-0']);
      expect(claimNames(sim)).toEqual(['www-web-0']);
      expect(objectEntries(sim, up).filter((e) => e.type === 'ADDED' && ['Pod', 'PersistentVolumeClaim'].includes(e.object.kind as string)).map((e) => e.object.metadata?.name)).toEqual([]);
      expect(status(sim)).toMatchObject({ observedGeneration: 2, replicas: 1, readyReplicas: 0, availableReplicas: 0, currentReplicas: 1, updatedReplicas: 1 });
      expect(firstSeq(sim, 'TERMINATING', 'Pod', 'web-0', up), 'web-0 untouched').toBeUndefined();

      // web-0 Ready again: web-1 (and its claim) follow; hold web-1 unready from its creation.
      const restored = sim.log.lastSeq();
      setReady(sim, 'web-0', true);
      waitFor(sim, 'web-1 created', () => get(sim, 'Pod', 'web-1') !== undefined, 60_000);
      setReady(sim, 'web-1', false);
      const ready0 = seqOf(sim, 'READY', 'Pod', 'web-0', restored);
      expect(seqOf(sim, 'ADDED', 'PersistentVolumeClaim', 'www-web-1', up), 'www-web-1 before Ready(web-0)').toBeGreaterThan(ready0);
      expect(seqOf(sim, 'ADDED', 'Pod', 'web-1', up), 'web-1 before Ready(web-0)').toBeGreaterThan(ready0);
      waitFor(sim, 'web-1 Running', () => pod(sim, 'web-1').status?.phase === 'Running', 60_000);
      sleep(sim, 15_000);
      // Halted again at the unready web-1.
      expect(podNames(sim, 'web-')).toEqual(['web-0', 'web-1']);
      expect(claimNames(sim)).toEqual(['www-web-0', 'www-web-1']);
      expect(status(sim)).toMatchObject({ replicas: 2, readyReplicas: 1 });

      const freed = sim.log.lastSeq();
      setReady(sim, 'web-1', true);
      converge(sim, 'web', 3);
      const ready1 = seqOf(sim, 'READY', 'Pod', 'web-1', freed);
      expect(seqOf(sim, 'ADDED', 'PersistentVolumeClaim', 'www-web-2', up), 'www-web-2 before Ready(web-1)').toBeGreaterThan(ready1);
      expect(seqOf(sim, 'ADDED', 'Pod', 'web-2', up), 'web-2 before Ready(web-1)').toBeGreaterThan(ready1);
      expect(podCreateNames(sim, up), 'created in ascending order, once each').toEqual(['web-1', 'web-2']);
      expect(status(sim)).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3 });
    });

    it('no deadlock when a predecessor fails: web-0 deleted while web-1 is unready is recreated at once (E2E)', () => {
      const sim = newCluster();
      create(sim, ...f1With((s) => { s.spec.replicas = 2; }));
      waitFor(sim, 'web-1 created', () => get(sim, 'Pod', 'web-1') !== undefined, 120_000);
      setReady(sim, 'web-1', false);
      waitFor(sim, 'web-0 Ready, web-1 Running', () => ready(sim, 'web-0') && pod(sim, 'web-1').status?.phase === 'Running', 60_000);
      const old0 = uidOf(sim, 'web-0');
      const since = sim.log.lastSeq();
      del(sim, 'Pod', 'web-0');
      waitFor(sim, 'a new web-0 Ready', () => ready(sim, 'web-0') && uidOf(sim, 'web-0') !== old0, 120_000);
      // web-1 was never Ready meanwhile: the gap at ordinal 0 is filled regardless of the unhealthy successor.
      expect(firstSeq(sim, 'READY', 'Pod', 'web-1', since), 'web-1 Ready meanwhile').toBeUndefined();
      expect(isRunningAndReady(pod(sim, 'web-1'))).toBe(false);
      expect(addedAfter(sim, 'Pod', 'web-0', since)!.actor).toBe(SS);
      expect(podDeleteNames(sim, since), 'the controller deleted nothing').toEqual([]);
      expect(mustGet<Pod>(sim, 'Pod', 'web-0').spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName).toBe('www-web-0');
      setReady(sim, 'web-1', true);
      converge(sim, 'web', 2);
    });
  });

  describe('rolling updates halt on an unhealthy pod', () => {
    for (const policy of ['OrderedReady', 'Parallel'] as const) {
      it(`${policy}: the recreated web-2 held unready blocks the deletion of web-1; Ready again, the rollout resumes`, () => {
        const sim = f1Ready(3, (s) => { s.spec.podManagementPolicy = policy; });
        const h: string = status(sim).currentRevision;
        const uids = Object.fromEntries(names(3).map((n) => [n, uidOf(sim, n)]));
        const since = sim.log.lastSeq();
        edit(sim, NEW);
        recreated(sim, 'web-2', uids['web-2']);
        setReady(sim, 'web-2', false);
        waitFor(sim, 'new web-2 Running', () => pod(sim, 'web-2').status?.phase === 'Running', 60_000);
        sleep(sim, 30_000);
        const h2: string = status(sim).updateRevision;
        expect(h2).toMatch(REV_NAME);
        expect(h2).not.toBe(h);
        expect(hashOf(pod(sim, 'web-2'))).toBe(h2);
        expect(podDeleteNames(sim, since), 'only web-2 deleted while it is unready').toEqual(['web-2']);
        for (const n of ['web-0', 'web-1']) {
          expect(uidOf(sim, n), `${n} untouched`).toBe(uids[n]);
          expect(firstSeq(sim, 'TERMINATING', 'Pod', n, since)).toBeUndefined();
        }
        expect(status(sim)).toMatchObject({ replicas: 3, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 1, currentRevision: h, updateRevision: h2 });

        const freed = sim.log.lastSeq();
        setReady(sim, 'web-2', true);
        rolledOut(sim, 3);
        expect(seqOf(sim, 'TERMINATING', 'Pod', 'web-1', since), 'web-1 deleted only after Ready(web-2)').toBeGreaterThan(seqOf(sim, 'READY', 'Pod', 'web-2', freed));
        expect(podDeleteNames(sim, since)).toEqual(['web-2', 'web-1', 'web-0']);
        for (const n of names(3)) expect(imageOf(pod(sim, n))).toBe(NEW);
      });

      it(`${policy}: web-1 unready before the template change — no pod is deleted until it is Ready (E2E rollbackTest)`, () => {
        const sim = f1Ready(3, (s) => { s.spec.podManagementPolicy = policy; });
        const h: string = status(sim).currentRevision;
        const uids = Object.fromEntries(names(3).map((n) => [n, uidOf(sim, n)]));
        setReady(sim, 'web-1', false);
        waitFor(sim, 'readyReplicas 2', () => status(sim)?.readyReplicas === 2, 60_000);
        const since = sim.log.lastSeq();
        edit(sim, NEW);
        observed(sim);
        sleep(sim, 30_000);
        // The new revision exists, but nothing is deleted: OrderedReady waits on web-1 (processReplica), and
        // with maxUnavailable 1 the one unavailable pod uses the whole budget (1.35 maxUnavailable variant).
        const h2: string = status(sim).updateRevision;
        expect(h2).not.toBe(h);
        expect(podDeleteNames(sim, since), 'deleted while web-1 is unready').toEqual([]);
        for (const n of names(3)) expect(uidOf(sim, n), `${n} untouched`).toBe(uids[n]);
        expect(status(sim)).toMatchObject({ currentRevision: h, updateRevision: h2, currentReplicas: 3, updatedReplicas: 0, readyReplicas: 2 });

        const freed = sim.log.lastSeq();
        setReady(sim, 'web-1', true);
        rolledOut(sim, 3);
        expect(podDeleteNames(sim, since)).toEqual(['web-2', 'web-1', 'web-0']);
        expect(seqOf(sim, 'TERMINATING', 'Pod', 'web-2', since), 'first deletion after Ready(web-1)').toBeGreaterThan(seqOf(sim, 'READY', 'Pod', 'web-1', freed));
        for (const n of names(3)) expect(hashOf(pod(sim, n))).toBe(h2);
      });
    }
  });

  it('partition above replicas: nothing is updated, scale-up pods get the current revision, the update never completes', () => {
    const sim = f1Ready(3, (s) => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 5 } }; });
    const h: string = status(sim).currentRevision;
    const uids = Object.fromEntries(names(3).map((n) => [n, uidOf(sim, n)]));
    const since = sim.log.lastSeq();
    edit(sim, NEW);
    observed(sim);
    sleep(sim, 20_000);
    const h2: string = status(sim).updateRevision;
    expect(h2).toMatch(REV_NAME);
    expect(h2, 'updateRevision changes although nothing is updated').not.toBe(h);
    expect(revisionNames(sim)).toEqual([h, h2].sort());
    expect(status(sim)).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 0, currentRevision: h, updateRevision: h2 });
    expect(podDeleteNames(sim, since)).toEqual([]);

    // Scale to 5: ordinals 3 and 4 are below the partition, so they are built from the current revision.
    scale(sim, 'StatefulSet', 'web', 5);
    converge(sim, 'web', 5);
    sleep(sim, 10_000);
    for (const n of ['web-3', 'web-4']) {
      const a = addedAfter(sim, 'Pod', n, since)!;
      expect(hashOf(a.object), `${n} created at the current revision`).toBe(h);
      expect(imageOf(a.object)).toBe(OLD);
    }
    for (const n of names(3)) expect(uidOf(sim, n), `${n} untouched`).toBe(uids[n]);
    for (const n of names(5)) expect(imageOf(pod(sim, n))).toBe(OLD);
    expect(podDeleteNames(sim, since)).toEqual([]);
    expect(status(sim)).toMatchObject({ replicas: 5, readyReplicas: 5, currentReplicas: 5, updatedReplicas: 0, currentRevision: h, updateRevision: h2 });
  });

  describe('maxUnavailable as a percentage (rounded down, at least 1)', () => {
    it('"60%" of 4 replicas is 2 (not 3): the first sync deletes web-3 and web-2 only; never more than 2 unavailable', () => {
      const sim = f1Ready(4, (s) => {
        s.spec.podManagementPolicy = 'Parallel';
        s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '60%' } };
      });
      const h: string = status(sim).currentRevision;
      const since = sim.log.lastSeq();
      edit(sim, NEW);
      rolledOut(sim, 4);
      sleep(sim, 10_000);
      const dels = podDeletes(sim, since);
      expect(dels.slice(0, 2).map((e) => e.object.metadata!.name), 'first deletions').toEqual(['web-3', 'web-2']);
      expect(sameSync(sim, dels[0]!, dels[1]!), 'web-3 and web-2 deleted in one sync').toBe(true);
      expect(syncOf(sim, dels[0]!).filter((e) => e.object.kind === 'Pod' && e.op === 'delete').length, 'deletions in that sync').toBe(2);
      expect(statusOfSync(sim, dels[0]!), 'status of that sync').toMatchObject({ currentReplicas: 2, updatedReplicas: 0, currentRevision: h });
      const most = mostUnavailable(sim, 4, since);
      expect(most.max, `pods unavailable at once (${most.at})`).toBe(2);
      expect([...podDeleteNames(sim, since)].sort(), 'each pod deleted once').toEqual(names(4));
      for (const n of names(4)) expect(imageOf(pod(sim, n))).toBe(NEW);
    });

    it('"10%" of 3 replicas rounds down to 0 and is raised to 1: one pod at a time, and the rollout completes', () => {
      const sim = f1Ready(3, (s) => {
        s.spec.podManagementPolicy = 'Parallel';
        s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } };
      });
      const since = sim.log.lastSeq();
      edit(sim, NEW);
      rolledOut(sim, 3);
      sleep(sim, 10_000);
      const dels = podDeletes(sim, since);
      expect(dels.map((e) => e.object.metadata!.name)).toEqual(['web-2', 'web-1', 'web-0']);
      expect(syncOf(sim, dels[0]!).filter((e) => e.object.kind === 'Pod' && e.op === 'delete').length, 'deletions in the first sync').toBe(1);
      const most = mostUnavailable(sim, 3, since);
      expect(most.max, `pods unavailable at once (${most.at})`).toBe(1);
      for (const n of names(3)) expect(imageOf(pod(sim, n))).toBe(NEW);
    });
  });

  describe('revisionHistoryLimit', () => {
    it('limit 2: after each completed rollout the oldest non-live revisions are deleted, never more than limit + 2 exist', () => {
      const sim = f1Ready(2, (s) => { s.spec.revisionHistoryLimit = 2; });
      const rev: string[] = [status(sim).currentRevision];
      const images = ['nginx:1.26', 'nginx:1.27', 'nginx:1.28', 'nginx:1.29'];
      const expected = [[0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4]];
      for (const [i, image] of images.entries()) {
        const since = sim.log.lastSeq();
        edit(sim, image);
        rolledOut(sim, 2);
        sleep(sim, 10_000);
        const r: string = status(sim).updateRevision;
        expect(rev, 'a new revision each time').not.toContain(r);
        rev.push(r);
        expect(mustGet<Json>(sim, 'ControllerRevision', r).revision).toBe(i + 2);
        expect(revisionNames(sim), `after the rollout to ${image}`).toEqual(expected[i]!.map((k) => rev[k]!).sort());
        const gone = rev.filter((_, k) => !expected[i]!.includes(k) && (i === 0 || expected[i - 1]!.includes(k)));
        for (const g of gone) {
          const d = entriesOf(sim, 'ControllerRevision', g, since).find((e) => e.type === 'DELETED');
          expect(d, `${g} deleted`).toBeDefined();
          expect(d!.actor).toBe(SS);
          // It was still live (the current revision's predecessors are only history once the rollout completed).
          const completed = statusWrites(sim, since).find((w) => (w.object as Json).status.currentRevision === r)!;
          expect(completed, 'a status with the new currentRevision').toBeDefined();
          expect(d!.seq, `${g} deleted only after currentRevision became ${r}`).toBeGreaterThan(completed.seq);
        }
      }
      expect(mostRevisionsAtOnce(sim), 'ControllerRevisions at once (K5: limit + 2)').toBeLessThanOrEqual(4);
    });

    it('limit 0: a revision still used by a pod is kept until that pod is gone; the current revision is always kept', () => {
      const sim = f1Ready(3, (s) => {
        s.spec.revisionHistoryLimit = 0;
        s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 2 } };
      });
      const a: string = status(sim).currentRevision;
      const u2 = uidOf(sim, 'web-2');
      edit(sim, 'nginx:1.26');
      recreated(sim, 'web-2', u2);
      waitFor(sim, 'web-2 Ready at B', () => ready(sim, 'web-2') && status(sim)?.updatedReplicas === 1 && status(sim)?.readyReplicas === 3, 120_000);
      sleep(sim, 10_000);
      const b: string = status(sim).updateRevision;
      expect(b).not.toBe(a);
      // A is current, B the update revision: both live.
      expect(revisionNames(sim)).toEqual([a, b].sort());
      expect(status(sim).currentRevision).toBe(a);

      const uB = uidOf(sim, 'web-2');
      const since = sim.log.lastSeq();
      edit(sim, 'nginx:1.27');
      recreated(sim, 'web-2', uB);
      waitFor(sim, 'web-2 Ready at C', () => ready(sim, 'web-2') && status(sim)?.updatedReplicas === 1 && status(sim)?.readyReplicas === 3, 120_000);
      sleep(sim, 10_000);
      const c: string = status(sim).updateRevision;
      expect([a, b]).not.toContain(c);
      expect(hashOf(pod(sim, 'web-2'))).toBe(c);
      // B is not current or update any more, but the old web-2 used it: kept until that pod was gone.
      const bGone = entriesOf(sim, 'ControllerRevision', b, since).find((e) => e.type === 'DELETED');
      expect(bGone, `${b} deleted`).toBeDefined();
      expect(bGone!.actor).toBe(SS);
      expect(bGone!.seq, `${b} deleted after the creation of ${c}`).toBeGreaterThan(seqOf(sim, 'ADDED', 'ControllerRevision', c, since));
      expect(bGone!.seq, `${b} deleted only after Gone(web-2 at ${b})`).toBeGreaterThan(seqOf(sim, 'DELETED', 'Pod', 'web-2', since));
      expect(revisionNames(sim), 'A (current, used by web-0 and web-1) and C').toEqual([a, c].sort());
      expect(entriesOf(sim, 'ControllerRevision', a).filter((e) => e.type === 'DELETED')).toEqual([]);
      expect(status(sim)).toMatchObject({ currentRevision: a, updateRevision: c, currentReplicas: 2, updatedReplicas: 1 });
    });
  });

  describe('retention policy on a live set', () => {
    it('edits are followed on the next sync: Retain/Retain → whenDeleted Delete adds the set ref to every claim, back to Retain removes it', () => {
      const sim = f1Ready(3);
      const uid: string = theSet(sim).metadata.uid;
      const pods = Object.fromEntries(names(3).map((n) => [n, uidOf(sim, n)]));
      const claims = Object.fromEntries(names(3).map((n) => [`www-${n}`, claim(sim, `www-${n}`).metadata.uid as string]));
      for (const c of Object.keys(claims)) expect(refsOf(claim(sim, c))).toEqual([]);
      const update = (n: string) => `update Pod ${n} in StatefulSet web successful`;
      expect(setEvents(sim, 'SuccessfulUpdate')).toBe(0);

      const s1 = sim.log.lastSeq();
      patch(sim, 'StatefulSet', 'web', { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } } });
      waitFor(sim, 'set ref on every claim', () => Object.keys(claims).every((c) => refsOf(claim(sim, c)).length === 1), 30_000);
      sleep(sim, 5_000);
      for (const c of Object.keys(claims)) {
        expect(refsOf(claim(sim, c)), c).toEqual([setRef(uid)]);
        const writes = entriesOf(sim, 'PersistentVolumeClaim', c, s1);
        expect(writes.map((e) => e.actor), `${c} written by`).toEqual([SS]);
      }
      // [SPC UpdateStatefulPod]: the claims are fixed through the pod update, which records an event per pod.
      for (const n of names(3)) expect(setEvents(sim, 'SuccessfulUpdate', update(n)), update(n)).toBe(1);

      const s2 = sim.log.lastSeq();
      patch(sim, 'StatefulSet', 'web', { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain' } } });
      waitFor(sim, 'set refs removed', () => Object.keys(claims).every((c) => refsOf(claim(sim, c)).length === 0), 30_000);
      sleep(sim, 5_000);
      for (const c of Object.keys(claims)) {
        expect(claim(sim, c).metadata.ownerReferences, c).toBeUndefined();
        expect(entriesOf(sim, 'PersistentVolumeClaim', c, s2).map((e) => e.actor), `${c} written by`).toEqual([SS]);
      }
      for (const n of names(3)) expect(setEvents(sim, 'SuccessfulUpdate', update(n)), update(n)).toBe(2);

      // whenScaled Delete alone: in-range claims carry no refs — nothing to write.
      const s3 = sim.log.lastSeq();
      patch(sim, 'StatefulSet', 'web', { spec: { persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete', whenDeleted: 'Retain' } } });
      observed(sim);
      sleep(sim, 10_000);
      expect(objectEntries(sim, s3).filter((e) => e.object.kind === 'PersistentVolumeClaim'), 'claims written').toEqual([]);
      for (const n of names(3)) expect(setEvents(sim, 'SuccessfulUpdate', update(n)), update(n)).toBe(2);

      // Nothing was restarted or deleted; the claims are the same objects.
      for (const [n, u] of Object.entries(pods)) {
        expect(uidOf(sim, n)).toBe(u);
        expect(firstSeq(sim, 'TERMINATING', 'Pod', n, s1)).toBeUndefined();
      }
      for (const [c, u] of Object.entries(claims)) expect(claim(sim, c).metadata.uid).toBe(u);
    });

    it('whenDeleted Delete and an orphan deletion of the set: the GC removes the set ref from the claims, which survive; a recreated set adds its own', () => {
      const sim = f1Ready(3, (s) => { s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete' }; });
      const oldUid: string = theSet(sim).metadata.uid;
      const cs = names(3).map((n) => `www-${n}`);
      waitFor(sim, 'claims carry the set ref', () => cs.every((c) => refsOf(claim(sim, c)).length === 1), 30_000);
      for (const c of cs) expect(refsOf(claim(sim, c))).toEqual([setRef(oldUid)]);
      const before = Object.fromEntries(cs.map((c) => [c, structuredClone(claim(sim, c))]));
      const pods = Object.fromEntries(names(3).map((n) => [n, uidOf(sim, n)]));
      const since = sim.log.lastSeq();

      del(sim, 'StatefulSet', 'web', { propagationPolicy: 'Orphan' });
      waitFor(sim, 'the set gone', () => get(sim, 'StatefulSet', 'web') === undefined, 60_000);
      const setGone = seqOf(sim, 'DELETED', 'StatefulSet', 'web', since);
      for (const c of cs) {
        const dropped = entriesOf(sim, 'PersistentVolumeClaim', c, since).find((e) => e.type !== 'DELETED' && refsOf(e.object).length === 0);
        expect(dropped, `${c} lost the set ref`).toBeDefined();
        expect(dropped!.actor, `${c} orphaned by`).toBe(GC);
        expect(dropped!.seq, `${c} orphaned before the set is gone`).toBeLessThan(setGone);
      }
      sleep(sim, 30_000);
      for (const c of cs) {
        const now = claim(sim, c);
        expect(now.metadata.uid, `${c} survives`).toBe(before[c].metadata.uid);
        expect(now.metadata.ownerReferences, `${c} ownerReferences`).toBeUndefined();
        expect(now.metadata.deletionTimestamp).toBeUndefined();
        expect(now.status.phase).toBe('Bound');
        expect(now.spec.volumeName).toBe(before[c].spec.volumeName);
        expect(entriesOf(sim, 'PersistentVolumeClaim', c, since).filter((e) => e.type === 'DELETED' || e.object.metadata?.deletionTimestamp !== undefined)).toEqual([]);
      }
      expect(pvNames(sim).length).toBe(3);
      for (const [n, u] of Object.entries(pods)) {
        expect(uidOf(sim, n), `${n} kept running`).toBe(u);
        expect(pod(sim, n).metadata?.ownerReferences ?? []).toEqual([]);
      }

      // The set recreated (same spec): it adopts the pods and puts its own ref on the claims.
      const s2 = sim.log.lastSeq();
      create(sim, f1With((s) => { s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete' }; })[1]!);
      const newUid: string = theSet(sim).metadata.uid;
      expect(newUid).not.toBe(oldUid);
      waitFor(sim, 'claims carry the new set ref', () => cs.every((c) => JSON.stringify(refsOf(claim(sim, c))) === JSON.stringify([setRef(newUid)])), 60_000);
      for (const c of cs) {
        expect(claim(sim, c).metadata.uid).toBe(before[c].metadata.uid);
        expect(entriesOf(sim, 'PersistentVolumeClaim', c, s2).find((e) => refsOf(e.object).length > 0)!.actor).toBe(SS);
      }
      for (const [n, u] of Object.entries(pods)) expect(uidOf(sim, n), `${n} adopted, not replaced`).toBe(u);
    });

    it('whenScaled Delete after orphaning web-2: the set re-adopts it and scale-down still collects both claims (E2E "after adopting pod")', () => {
      const sim = f1Ready(3, (s) => { s.spec.persistentVolumeClaimRetentionPolicy = { whenScaled: 'Delete' }; });
      const uid: string = theSet(sim).metadata.uid;
      const pvs = [1, 2].map((k) => claim(sim, `www-web-${k}`).spec.volumeName as string);
      const since = sim.log.lastSeq();
      patch(sim, 'Pod', 'web-2', { metadata: { ownerReferences: null } });
      scale(sim, 'StatefulSet', 'web', 1);
      waitFor(sim, 'web-0 only, www-web-0 only', () => podNames(sim, 'web-').join() === 'web-0' && claimNames(sim).join() === 'www-web-0', 300_000);
      sleep(sim, 10_000);
      // web-2 was adopted back (a controller ref to the set) before it was deleted by the controller.
      const adopted = entriesOf(sim, 'Pod', 'web-2', since).find((e) => refsOf(e.object).some((r) => r.uid === uid && r.controller === true));
      expect(adopted, 'web-2 re-adopted').toBeDefined();
      expect(adopted!.actor).toBe(SS);
      expect(podDeleteNames(sim, since)).toEqual(['web-2', 'web-1']);
      for (const k of [2, 1]) {
        const collected = entriesOf(sim, 'PersistentVolumeClaim', `www-web-${k}`, since).find((e) => e.object.metadata?.deletionTimestamp !== undefined);
        expect(collected, `www-web-${k} deleted`).toBeDefined();
        expect(collected!.actor).toBe(GC);
        expect(collected!.seq, `www-web-${k} deleted after Gone(web-${k})`).toBeGreaterThan(seqOf(sim, 'DELETED', 'Pod', `web-${k}`, since));
      }
      for (const pv of pvs) expect(get(sim, 'PersistentVolume', pv, ''), `PV ${pv}`).toBeUndefined();
      expect(refsOf(claim(sim, 'www-web-0'))).toEqual([]);
    });
  });

  describe('a claim with a foreign controller', () => {
    /** A controller reference to the Service `nginx` (a live object the collector sees: the claim is not dangling). */
    const foreignRef = (sim: Simulation) => {
      const svc = mustGet<Json>(sim, 'Service', 'nginx');
      return { apiVersion: 'v1', kind: 'Service', name: 'nginx', uid: svc.metadata.uid, controller: true };
    };

    it('whenScaled Delete: the claim survives scale-down; ConflictingController on the pod\'s creation; without the foreign ref it is deleted', () => {
      const sim = f1Ready(3, (s) => { s.spec.persistentVolumeClaimRetentionPolicy = { whenScaled: 'Delete' }; });
      const foreign = foreignRef(sim);
      const c1 = claim(sim, 'www-web-1');
      const c0uid: string = claim(sim, 'www-web-0').metadata.uid;
      patch(sim, 'PersistentVolumeClaim', 'www-web-1', { metadata: { ownerReferences: [foreign] } });
      const since = sim.log.lastSeq();

      // Scale to 0: www-web-0 and www-web-2 are collected, www-web-1 is not.
      scale(sim, 'StatefulSet', 'web', 0);
      waitFor(sim, 'pods gone, www-web-0 and www-web-2 collected', () =>
        podNames(sim, 'web-').length === 0 && claimNames(sim).join() === 'www-web-1', 300_000);
      sleep(sim, 30_000);
      expect(claimNames(sim)).toEqual(['www-web-1']);
      const kept = claim(sim, 'www-web-1');
      expect(kept.metadata.uid).toBe(c1.metadata.uid);
      expect(refsOf(kept), 'www-web-1 refs untouched').toEqual([foreign]);
      expect(entriesOf(sim, 'PersistentVolumeClaim', 'www-web-1', since).filter((e) => e.type === 'DELETED' || e.object.metadata?.deletionTimestamp !== undefined || refsOf(e.object).some((r) => r.kind === 'Pod'))).toEqual([]);
      // The claim's refs were up to date (a conflicting controller and none of ours): no claim update, no event.
      expect(setEvents(sim, 'ConflictingController'), 'ConflictingController before any pod creation').toBe(0);

      // Scale to 2: web-1 is created on the surviving claim; the controller warns and leaves the refs alone.
      const s2 = sim.log.lastSeq();
      scale(sim, 'StatefulSet', 'web', 2);
      converge(sim, 'web', 2);
      sleep(sim, 10_000);
      expect(pod(sim, 'web-1').spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName).toBe('www-web-1');
      expect(claim(sim, 'www-web-1').metadata.uid).toBe(c1.metadata.uid);
      expect(refsOf(claim(sim, 'www-web-1'))).toEqual([foreign]);
      expect(claim(sim, 'www-web-0').metadata.uid, 'www-web-0 is a fresh claim').not.toBe(c0uid);
      expect(refsOf(claim(sim, 'www-web-0'))).toEqual([]);
      expect(entriesOf(sim, 'PersistentVolumeClaim', 'www-web-1', s2).filter((e) => e.actor === SS), 'www-web-1 written by the controller').toEqual([]);
      const warnings = eventsFor(sim, 'StatefulSet', 'web', 'ConflictingController');
      expect(warnings.map((e) => [e.type, e.message]), 'ConflictingController events').toEqual([['Warning', CONFLICT('www-web-1')]]);

      // Without the foreign ref, the next scale-down deletes it.
      patch(sim, 'PersistentVolumeClaim', 'www-web-1', { metadata: { ownerReferences: null } });
      const web1 = structuredClone(pod(sim, 'web-1'));
      const s3 = sim.log.lastSeq();
      scale(sim, 'StatefulSet', 'web', 1);
      waitFor(sim, 'www-web-1 collected', () => podNames(sim, 'web-').join() === 'web-0' && claimNames(sim).join() === 'www-web-0', 300_000);
      const withRef = entriesOf(sim, 'PersistentVolumeClaim', 'www-web-1', s3).find((e) => JSON.stringify(refsOf(e.object)) === JSON.stringify([podRef(web1)]));
      expect(withRef, 'www-web-1 got the pod ref').toBeDefined();
      expect(withRef!.seq).toBeLessThan(seqOf(sim, 'TERMINATING', 'Pod', 'web-1', s3));
      const collected = entriesOf(sim, 'PersistentVolumeClaim', 'www-web-1', s3).find((e) => e.object.metadata?.deletionTimestamp !== undefined)!;
      expect(collected.actor).toBe(GC);
      expect(collected.seq).toBeGreaterThan(seqOf(sim, 'DELETED', 'Pod', 'web-1', s3));
    });

    it('Retain/Retain: a foreign controller is no conflict — no ConflictingController warning, the claim is used as is', () => {
      const sim = f1Ready(3);
      scale(sim, 'StatefulSet', 'web', 1);
      waitFor(sim, 'web-0 only', () => podNames(sim, 'web-').join() === 'web-0' && status(sim)?.replicas === 1, 300_000);
      const foreign = foreignRef(sim);
      const c2 = claim(sim, 'www-web-2');
      patch(sim, 'PersistentVolumeClaim', 'www-web-2', { metadata: { ownerReferences: [foreign] } });
      const since = sim.log.lastSeq();
      scale(sim, 'StatefulSet', 'web', 3);
      converge(sim, 'web', 3);
      sleep(sim, 10_000);
      // [SSU hasUnexpectedController]: "On a retain policy, it's not a problem for different controller to be managing the claims."
      expect(eventsFor(sim, 'StatefulSet', 'web', 'ConflictingController').map((e) => e.message), 'ConflictingController events').toEqual([]);
      expect(claim(sim, 'www-web-2').metadata.uid).toBe(c2.metadata.uid);
      expect(refsOf(claim(sim, 'www-web-2'))).toEqual([foreign]);
      expect(entriesOf(sim, 'PersistentVolumeClaim', 'www-web-2', since).filter((e) => e.actor === SS)).toEqual([]);
    });
  });

  describe('scale-down: deletions, events and status', () => {
    it('scale 3 → 1: SuccessfulDelete events for web-2 then web-1; a terminating pod still counts in replicas, not in currentReplicas', () => {
      const sim = f1Ready(3);
      const since = sim.log.lastSeq();
      scale(sim, 'StatefulSet', 'web', 1);
      waitFor(sim, 'web-0 only, status.replicas 1', () => podNames(sim, 'web-').join() === 'web-0' && status(sim)?.replicas === 1, 300_000);
      sleep(sim, 5_000);
      expect(podDeleteNames(sim, since)).toEqual(['web-2', 'web-1']);
      const dels = eventsFor(sim, 'StatefulSet', 'web', 'SuccessfulDelete');
      expect(dels.map((e) => [e.type, e.message, e.count ?? 1]).sort()).toEqual([
        ['Normal', 'delete Pod web-1 in StatefulSet web successful', 1],
        ['Normal', 'delete Pod web-2 in StatefulSet web successful', 1],
      ]);
      // While web-2 is terminating, a status counts it in replicas (created) but not in current/updated.
      const term2 = seqOf(sim, 'TERMINATING', 'Pod', 'web-2', since);
      const gone2 = seqOf(sim, 'DELETED', 'Pod', 'web-2', since);
      const during = statusWrites(sim, term2).filter((w) => w.seq < gone2).map((w) => (w.object as Json).status);
      expect(during.length, 'a status written while web-2 is terminating').toBeGreaterThan(0);
      for (const s of during) expect(s.replicas, 'status.replicas while web-2 is terminating').toBe(3);
      expect(during.some((s) => s.currentReplicas === 2 && s.updatedReplicas === 2), 'current/updated exclude the terminating pod').toBe(true);
      expect(status(sim)).toMatchObject({ observedGeneration: 2, replicas: 1, readyReplicas: 1, availableReplicas: 1, currentReplicas: 1, updatedReplicas: 1 });
      expect(claimNames(sim)).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);
    });

    it('a pod deleted by the user while its set is scaled down: web-2 is deleted although web-1 is still terminating; web-1 is neither deleted again nor recreated', () => {
      const sim = f1Ready(3);
      // A finalizer holds web-1 in Terminating (E2E deletingPodForRollingUpdatePartitionTest does the same with pod-0).
      patch(sim, 'Pod', 'web-1', { metadata: { finalizers: ['example.com/test-finalizer'] } });
      const u1 = uidOf(sim, 'web-1');
      const since = sim.log.lastSeq();
      del(sim, 'Pod', 'web-1');
      scale(sim, 'StatefulSet', 'web', 1);
      waitFor(sim, 'web-2 gone', () => get(sim, 'Pod', 'web-2') === undefined, 120_000);
      sleep(sim, 20_000);
      const term1 = seqOf(sim, 'TERMINATING', 'Pod', 'web-1', since);
      const term2 = seqOf(sim, 'TERMINATING', 'Pod', 'web-2', since);
      expect(term2, 'web-2 deleted after web-1 started terminating').toBeGreaterThan(term1);
      expect(firstSeq(sim, 'DELETED', 'Pod', 'web-1', since), 'web-1 still held').toBeUndefined();
      expect(uidOf(sim, 'web-1')).toBe(u1);
      expect(pod(sim, 'web-1').metadata?.deletionTimestamp).toBeDefined();
      expect(podDeleteNames(sim, since), 'controller deletions').toEqual(['web-2']);
      expect(podCreateNames(sim, since), 'controller creations').toEqual([]);
      // status.replicas counts the terminating web-1; currentReplicas does not; readyReplicas counts it only if Running+Ready.
      const w1 = pod(sim, 'web-1');
      expect(status(sim)).toMatchObject({ replicas: 2, currentReplicas: 1, updatedReplicas: 1, readyReplicas: isRunningAndReady(w1) ? 2 : 1 });

      patch(sim, 'Pod', 'web-1', { metadata: { finalizers: null } });
      waitFor(sim, 'web-1 gone, status.replicas 1', () => get(sim, 'Pod', 'web-1') === undefined && status(sim)?.replicas === 1, 120_000);
      sleep(sim, 20_000);
      expect(podNames(sim, 'web-')).toEqual(['web-0']);
      expect(podDeleteNames(sim, since)).toEqual(['web-2']);
      expect(podCreateNames(sim, since)).toEqual([]);
      expect(eventsFor(sim, 'StatefulSet', 'web', 'SuccessfulDelete').map((e) => [e.message, e.count ?? 1])).toEqual([['delete Pod web-2 in StatefulSet web successful', 1]]);
      expect(status(sim)).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1, currentReplicas: 1, updatedReplicas: 1 });
      expect(claimNames(sim)).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);
    });
  });

  it('a claim being deleted blocks the pod: FailedCreate "pvc www-web-0 is being deleted", retried; a fresh claim once it is gone', () => {
    const sim = f1Ready(1);
    const old = structuredClone(claim(sim, 'www-web-0'));
    const old0 = uidOf(sim, 'web-0');
    patch(sim, 'PersistentVolumeClaim', 'www-web-0', { metadata: { finalizers: [...(old.metadata.finalizers ?? []), 'example.com/hold'] } });
    del(sim, 'PersistentVolumeClaim', 'www-web-0');
    expect(claim(sim, 'www-web-0').metadata.deletionTimestamp).toBeDefined();
    const ss = sim.host(SS)!;
    const failedBefore = ss.stats.failedSyncs;
    const since = sim.log.lastSeq();
    del(sim, 'Pod', 'web-0', { gracePeriodSeconds: 0 });
    waitFor(sim, 'web-0 gone', () => get(sim, 'Pod', 'web-0') === undefined, 60_000);
    sleep(sim, 30_000);
    expect(get(sim, 'Pod', 'web-0'), 'web-0 not recreated while its claim is being deleted').toBeUndefined();
    expect(podCreateNames(sim, since)).toEqual([]);
    expect(addedAfter(sim, 'PersistentVolumeClaim', 'www-web-0', since)).toBeUndefined();
    const failed = eventsFor(sim, 'StatefulSet', 'web', 'FailedCreate');
    expect(failed.map((e) => [e.type, e.message]), 'FailedCreate events').toEqual([['Warning', 'create Pod web-0 in StatefulSet web failed error: pvc www-web-0 is being deleted']]);
    expect(ss.stats.failedSyncs - failedBefore, 'the sync errors and is retried').toBeGreaterThanOrEqual(2);

    // The claim goes: a fresh claim (new uid, new volume) and a new web-0.
    patch(sim, 'PersistentVolumeClaim', 'www-web-0', { metadata: { finalizers: (claim(sim, 'www-web-0').metadata.finalizers ?? []).filter((f: string) => f !== 'example.com/hold') } });
    waitFor(sim, 'a new web-0 Ready on a fresh claim', () => ready(sim, 'web-0') && get<Json>(sim, 'PersistentVolumeClaim', 'www-web-0')?.metadata.uid !== old.metadata.uid, 300_000);
    expect(uidOf(sim, 'web-0')).not.toBe(old0);
    const fresh = claim(sim, 'www-web-0');
    expect(fresh.spec.volumeName).not.toBe(old.spec.volumeName);
    expect(seqOf(sim, 'ADDED', 'PersistentVolumeClaim', 'www-web-0', since)).toBeGreaterThan(seqOf(sim, 'DELETED', 'PersistentVolumeClaim', 'www-web-0', since));
    expect(seqOf(sim, 'ADDED', 'Pod', 'web-0', since)).toBeGreaterThan(seqOf(sim, 'ADDED', 'PersistentVolumeClaim', 'www-web-0', since));
    expect(setEvents(sim, 'SuccessfulCreate', 'create Claim www-web-0 Pod web-0 in StatefulSet web success')).toBe(2);
  });
});

