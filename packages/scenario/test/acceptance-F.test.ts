/**
 * Acceptance scenarios, section F — ownership, adoption, deletion (S41, S43, S44 (a)–(c)).
 *
 * S43 is referenced by S26 but not listed: orphan deletion (propagationPolicy Orphan) of F1-ready, then
 * recreating the set with the same spec (k8s-semantics §5 "Orphan", §1.14, §1.8).
 */
import { describe, expect, it } from 'vitest';
import { isRunningAndReady, type ApiRequest, type Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import {
  claimNames, converge, create, del, entriesOf, eventsFor, f1, f1With, get, list, mustGet, newCluster, objectEntries, patch, podNames,
  pvNames, seqOf, sleep, waitFor, type Json, type ObjEntry,
} from './harness.js';

const WEB = ['web-0', 'web-1', 'web-2'];
const CLAIMS = ['www-web-0', 'www-web-1', 'www-web-2'];

const setRef = (uid: string) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid, controller: true, blockOwnerDeletion: true });
const refsOf = (o: Json): Json[] => o?.metadata?.ownerReferences ?? [];

/** F1-ready: F1 applied and converged (3 pods Ready). */
const f1Ready = (): Simulation => {
  const sim = newCluster();
  const { service, set } = f1();
  create(sim, service, set);
  converge(sim, 'web', 3);
  return sim;
};

/** A snapshot of a running pod that a restart or a recreation would change. */
const incarnation = (p: Pod) => ({
  uid: p.metadata?.uid,
  containerID: p.status?.containerStatuses?.[0]?.containerID,
  startedAt: p.status?.containerStatuses?.[0]?.state?.running?.startedAt,
  restartCount: p.status?.containerStatuses?.[0]?.restartCount,
  nodeName: p.spec?.nodeName,
});

/** A request an actor sent to the API server, and its answer. */
interface Sent { readonly seqAt: number; readonly time: number; readonly actor: string; readonly req: ApiRequest; readonly ok: boolean; readonly reason?: string }

/** Record every (non dry-run) request the components send to the API server, with the answer. */
const recordRequests = (sim: Simulation): Sent[] => {
  const sent: Sent[] = [];
  const api = sim.api;
  const orig = api.handle.bind(api);
  api.handle = (req, ctx) => {
    const r = orig(req, ctx);
    if (!ctx.dryRun) sent.push({ seqAt: sim.log.lastSeq(), time: ctx.time, actor: ctx.actor, req, ok: r._tag === 'Right', ...(r._tag === 'Left' ? { reason: r.left.reason } : {}) });
    return r;
  };
  return sent;
};

const podCreatesBy = (sent: readonly Sent[], actor: string, name: string): Sent[] =>
  sent.filter((s) => s.actor === actor && s.req.verb === 'create' && (s.req as Json).object?.kind === 'Pod' && (s.req as Json).object?.metadata?.name === name);

/** Every entry of the pods of `web` must have one of the given uids (no second incarnation of a name). */
const expectOneIncarnationEach = (sim: Simulation, uids: Record<string, string>): void => {
  for (const [name, uid] of Object.entries(uids)) {
    const es = entriesOf(sim, 'Pod', name);
    expect(es.filter((e) => e.type === 'ADDED').length, `${name} ADDED exactly once in the whole log`).toBe(1);
    expect([...new Set(es.map((e) => e.object.metadata?.uid))], `uids of ${name} in the log`).toEqual([uid]);
  }
};

/** The first entry after `since` where the object's ownerReferences no longer name `uid`. */
const refDropped = (sim: Simulation, kind: string, name: string, uid: string, since: number): ObjEntry | undefined =>
  entriesOf(sim, kind, name, since).find((e) => e.type !== 'DELETED' && !refsOf(e.object).some((r) => r.uid === uid));

/** Objects of these kinds created (ADDED) after `since`. */
const createdSince = (sim: Simulation, since: number, kinds = ['Pod', 'PersistentVolumeClaim', 'ControllerRevision', 'PersistentVolume']): string[] =>
  objectEntries(sim, since).filter((e) => e.type === 'ADDED' && kinds.includes(e.object.kind as string)).map((e) => `${e.object.kind}/${e.object.metadata?.name}`);

/** PVCs (and their PVs) as they were: same objects, Bound, no owner references, never deleted since `since`. */
const expectClaimsKept = (sim: Simulation, before: readonly Json[], since: number): void => {
  for (const o of before) {
    const name: string = o.metadata.name;
    const c = mustGet<Json>(sim, 'PersistentVolumeClaim', name);
    expect(c.metadata.uid, `${name} uid`).toBe(o.metadata.uid);
    expect(c.status.phase, `${name} phase`).toBe('Bound');
    expect(c.spec.volumeName).toBe(o.spec.volumeName);
    expect(refsOf(c), `${name} ownerReferences`).toEqual([]);
    expect(entriesOf(sim, 'PersistentVolumeClaim', name, since).filter((e) => e.type === 'DELETED' || e.object.metadata?.deletionTimestamp !== undefined), `${name} deleted`).toEqual([]);
    const pv = mustGet<Json>(sim, 'PersistentVolume', o.spec.volumeName, '');
    expect(pv.status.phase, `PV of ${name}`).toBe('Bound');
    expect(pv.spec.claimRef.uid).toBe(o.metadata.uid);
  }
};

/** Pods `names` never lost Ready and never got a deletionTimestamp after `since`, and are the same incarnation. */
const expectUndisturbed = (sim: Simulation, before: Record<string, ReturnType<typeof incarnation>>, since: number): void => {
  for (const [name, inc] of Object.entries(before)) {
    expect(incarnation(mustGet<Pod>(sim, 'Pod', name)), `${name} not restarted`).toEqual(inc);
    for (const e of entriesOf(sim, 'Pod', name, since)) {
      expect(e.type, `${name} at seq ${e.seq}`).toBe('MODIFIED');
      expect(e.object.metadata?.deletionTimestamp, `${name} terminating at seq ${e.seq}`).toBeUndefined();
      expect(isRunningAndReady(e.object as Pod), `${name} not Ready at seq ${e.seq}`).toBe(true);
    }
  }
};

describe('F. Ownership, adoption, deletion', () => {
  it('S41 — adopt orphans, release non-matching pods (AlreadyExists, backoff, status.replicas 0, re-adoption)', () => {
    const sim = newCluster();
    create(sim, ...f1With((s) => { s.spec.replicas = 1; }));
    converge(sim, 'web', 1);
    const sent = recordRequests(sim);
    const uid: string = mustGet<Json>(sim, 'StatefulSet', 'web').metadata.uid;
    const pod0 = mustGet<Pod>(sim, 'Pod', 'web-0');
    const inc0 = incarnation(pod0);
    const labels = structuredClone(pod0.metadata!.labels!);
    expect(pod0.metadata?.ownerReferences).toEqual([setRef(uid)]);

    // 1) Remove web-0's ownerReferences: it regains a controller ref with the set's UID, no restart.
    const s1 = sim.log.lastSeq();
    patch(sim, 'Pod', 'web-0', { metadata: { ownerReferences: null } });
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.ownerReferences).toBeUndefined();
    waitFor(sim, 'web-0 adopted', () => refsOf(get(sim, 'Pod', 'web-0')).length > 0, 30_000);
    sleep(sim, 10_000);
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.ownerReferences, 'web-0 re-adopted').toEqual([setRef(uid)]);
    const adopted1 = entriesOf(sim, 'Pod', 'web-0', s1).find((e) => refsOf(e.object).length > 0)!;
    expect(adopted1.actor).toBe('statefulset-controller');
    expectUndisturbed(sim, { 'web-0': inc0 }, s1);
    expect(podCreatesBy(sent, 'statefulset-controller', 'web-0'), 'no create attempt while web-0 is an adoptable orphan').toEqual([]);

    // 2) Remove web-0's labels: released (ownerReferences empty); creates of web-0 refused with AlreadyExists,
    //    retried with backoff, no event; status.replicas drops to 0; no second web-0 ever exists.
    const s2 = sim.log.lastSeq();
    const t2 = sim.now;
    patch(sim, 'Pod', 'web-0', { metadata: { labels: null } });
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.labels ?? {}).toEqual({});
    waitFor(sim, 'web-0 released', () => refsOf(get(sim, 'Pod', 'web-0')).length === 0, 30_000);
    const released = entriesOf(sim, 'Pod', 'web-0', s2).find((e) => refsOf(e.object).length === 0 && e.actor !== 'user')!;
    expect(released.actor, 'released by').toBe('statefulset-controller');
    waitFor(sim, 'status.replicas 0', () => mustGet<Json>(sim, 'StatefulSet', 'web').status?.replicas === 0, 30_000);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status).toMatchObject({ replicas: 0, readyReplicas: 0 });
    sleep(sim, 120_000 - (sim.now - t2));
    const attempts = podCreatesBy(sent, 'statefulset-controller', 'web-0').filter((s) => s.time >= t2);
    expect(attempts.length, 'the set tries to create web-0 and retries').toBeGreaterThanOrEqual(3);
    for (const a of attempts) expect(a.reason, `create at t=${a.time}`).toBe('AlreadyExists');
    // Backoff: the retries space out exponentially (client-go per-item backoff, 5 ms doubling), so two minutes
    // hold a bounded number of attempts and the last gaps keep growing.
    const gaps = attempts.slice(1).map((a, i) => a.time - attempts[i]!.time);
    expect(attempts.length, `attempts in 120 s (gaps ${gaps.map((g) => g.toFixed(0)).join(', ')} ms)`).toBeLessThanOrEqual(30);
    const tail = gaps.slice(-4);
    for (let i = 1; i < tail.length; i++) expect(tail[i]!, `backoff gap grows: ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`).toBeGreaterThanOrEqual(1.5 * tail[i - 1]!);
    expect(tail[tail.length - 1]!, 'last backoff gap').toBeGreaterThan(5_000);
    // AlreadyExists records no event.
    expect(eventsFor(sim, 'StatefulSet', 'web', 'FailedCreate'), 'FailedCreate events').toEqual([]);
    // The released pod is left alone: still running, same incarnation, no owner.
    const p2 = mustGet<Pod>(sim, 'Pod', 'web-0');
    expect(incarnation(p2)).toEqual(inc0);
    expect(p2.metadata?.ownerReferences ?? []).toEqual([]);
    expect(p2.metadata?.deletionTimestamp).toBeUndefined();
    // status.replicas stays 0 while the pod is released.
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status).toMatchObject({ replicas: 0, readyReplicas: 0 });

    // 3) Restore the labels: re-adopted (same UID), status back to 1, the create attempts stop.
    const s3 = sim.log.lastSeq();
    patch(sim, 'Pod', 'web-0', { metadata: { labels } });
    waitFor(sim, 'web-0 re-adopted, status 1', () => refsOf(get(sim, 'Pod', 'web-0')).length > 0 && mustGet<Json>(sim, 'StatefulSet', 'web').status?.replicas === 1, 30_000);
    const readopted = entriesOf(sim, 'Pod', 'web-0', s3).find((e) => refsOf(e.object).length > 0)!;
    expect(readopted.actor).toBe('statefulset-controller');
    const tAdopt = readopted.time;
    sleep(sim, 60_000);
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.ownerReferences).toEqual([setRef(uid)]);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1 });
    expect(podCreatesBy(sent, 'statefulset-controller', 'web-0').filter((s) => s.time > tAdopt), 'create attempts after the re-adoption').toEqual([]);
    expect(incarnation(mustGet<Pod>(sim, 'Pod', 'web-0'))).toEqual(inc0);
    // No second web-0 object ever existed, and web-0 was never deleted.
    expectOneIncarnationEach(sim, { 'web-0': inc0.uid! });
    expect(entriesOf(sim, 'Pod', 'web-0').filter((e) => e.type === 'DELETED' || e.object.metadata?.deletionTimestamp !== undefined)).toEqual([]);
    expect(podNames(sim)).toEqual(['web-0']);
  });

  it('S43 — orphan deletion: dependents lose their ref and keep running; the recreated set adopts the pods and the revision', () => {
    const sim = f1Ready();
    const sent = recordRequests(sim);
    const oldUid: string = mustGet<Json>(sim, 'StatefulSet', 'web').metadata.uid;
    const revs = list<Json>(sim, 'ControllerRevision', 'default');
    expect(revs.length).toBe(1);
    const rev = structuredClone(revs[0]);
    const revName: string = rev.metadata.name;
    expect(rev.metadata.ownerReferences).toEqual([setRef(oldUid)]);
    const incs = Object.fromEntries(WEB.map((n) => [n, incarnation(mustGet<Pod>(sim, 'Pod', n))]));
    const claims = CLAIMS.map((c) => structuredClone(mustGet<Json>(sim, 'PersistentVolumeClaim', c)));
    const since = sim.log.lastSeq();

    del(sim, 'StatefulSet', 'web', { propagationPolicy: 'Orphan' });
    // The API server keeps the set with a deletionTimestamp and the `orphan` finalizer for the GC.
    const deleting = mustGet<Json>(sim, 'StatefulSet', 'web');
    expect(deleting.metadata.deletionTimestamp, 'deletionTimestamp').toBeDefined();
    expect(deleting.metadata.finalizers).toEqual(['orphan']);
    waitFor(sim, 'the set gone', () => get(sim, 'StatefulSet', 'web') === undefined, 60_000);
    const setGone = seqOf(sim, 'DELETED', 'StatefulSet', 'web', since);
    for (const e of entriesOf(sim, 'StatefulSet', 'web', since).filter((x) => x.type !== 'DELETED')) {
      expect(e.object.metadata?.deletionTimestamp, `set at seq ${e.seq}`).toBeDefined();
      expect(e.object.metadata?.finalizers, `set finalizers at seq ${e.seq}`).toEqual(['orphan']);
    }
    expect(entriesOf(sim, 'StatefulSet', 'web', since).find((e) => e.type === 'DELETED')!.actor, 'finalizer removed by').toBe('garbage-collector');
    // The GC removed the set's UID from every dependent before removing its finalizer.
    for (const [kind, name] of [...WEB.map((n) => ['Pod', n]), ['ControllerRevision', revName]] as Array<[string, string]>) {
      const dropped = refDropped(sim, kind, name, oldUid, since);
      expect(dropped, `${kind}/${name} lost its ref to the set`).toBeDefined();
      expect(dropped!.actor, `${kind}/${name} orphaned by`).toBe('garbage-collector');
      expect(dropped!.seq, `${kind}/${name} orphaned before the set is deleted`).toBeLessThan(setGone);
      expect(refsOf(dropped!.object), `${kind}/${name} ownerReferences after orphaning`).toEqual([]);
      // The set being deleted does not adopt them back (RecheckDeletionTimestamp in canAdoptFunc).
      expect(entriesOf(sim, kind, name, dropped!.seq).filter((e) => refsOf(e.object).length > 0).map((e) => e.seq), `${kind}/${name} re-adopted by the deleting set`).toEqual([]);
    }
    // Hold: nothing is deleted, restarted or created; the dependents stay without owner.
    sleep(sim, 30_000);
    for (const n of WEB) expect(refsOf(mustGet<Pod>(sim, 'Pod', n)), `${n} ownerReferences`).toEqual([]);
    const orphanRev = mustGet<Json>(sim, 'ControllerRevision', revName);
    expect(orphanRev.metadata.uid).toBe(rev.metadata.uid);
    expect(refsOf(orphanRev)).toEqual([]);
    expectUndisturbed(sim, incs, since);
    expectClaimsKept(sim, claims, since);
    expect(createdSince(sim, since), 'objects created while orphaned').toEqual([]);

    // Recreate the set with the same spec: it adopts the pods and the existing revision.
    const s2 = sim.log.lastSeq();
    create(sim, f1().set);
    const newUid: string = mustGet<Json>(sim, 'StatefulSet', 'web').metadata.uid;
    expect(newUid).not.toBe(oldUid);
    waitFor(sim, 'pods and revision adopted, status converged', () => {
      const s = get<Json>(sim, 'StatefulSet', 'web');
      return WEB.every((n) => refsOf(get(sim, 'Pod', n)).some((r) => r.uid === newUid))
        && refsOf(get(sim, 'ControllerRevision', revName)).some((r) => r.uid === newUid)
        && s?.status?.observedGeneration === 1 && s?.status?.readyReplicas === 3 && s?.status?.updateRevision !== undefined;
    }, 60_000);
    sleep(sim, 30_000);
    for (const n of WEB) {
      const p = mustGet<Pod>(sim, 'Pod', n);
      expect(p.metadata?.ownerReferences, `${n} adopted by the new set`).toEqual([setRef(newUid)]);
      expect(p.metadata?.labels?.['controller-revision-hash'], `${n} revision label`).toBe(revName);
      const adoption = entriesOf(sim, 'Pod', n, s2).find((e) => refsOf(e.object).length > 0)!;
      expect(adoption.actor, `${n} adopted by`).toBe('statefulset-controller');
    }
    const revNow = list<Json>(sim, 'ControllerRevision', 'default');
    expect(revNow.map((r) => r.metadata.name), 'the one ControllerRevision, same name').toEqual([revName]);
    expect(revNow[0].metadata.uid, 'same ControllerRevision object').toBe(rev.metadata.uid);
    expect(revNow[0].metadata.ownerReferences, 'revision adopted').toEqual([setRef(newUid)]);
    expect(revNow[0].revision, 'revision number unchanged (the newest revision is equal)').toBe(rev.revision);
    expect(revNow[0].data).toEqual(rev.data);
    expect(entriesOf(sim, 'ControllerRevision', revName, s2).find((e) => refsOf(e.object).length > 0)!.actor).toBe('statefulset-controller');
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status).toMatchObject({
      observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3,
      currentRevision: revName, updateRevision: revName, collisionCount: 0,
    });
    // No pod recreated, no new revision or claim; no create of a pod even attempted; nothing restarted.
    expect(createdSince(sim, since), 'objects created').toEqual([]);
    expect(sent.filter((s) => s.actor === 'statefulset-controller' && s.req.verb === 'create' && ['Pod', 'ControllerRevision', 'PersistentVolumeClaim'].includes((s.req as Json).object?.kind)),
      'create requests of the new set').toEqual([]);
    expect(sent.filter((s) => s.actor === 'statefulset-controller' && s.req.verb === 'delete'), 'delete requests').toEqual([]);
    expectUndisturbed(sim, incs, since);
    expectOneIncarnationEach(sim, Object.fromEntries(WEB.map((n) => [n, incs[n]!.uid!])));
    expectClaimsKept(sim, claims, since);
  });

  describe('S44 — Background and foreground deletion', () => {
    it('S44 (a) — background: the set is gone at once; the GC deletes the pods (unordered) and the revision; PVCs and PVs stay Bound', () => {
      const sim = f1Ready();
      const revName: string = list<Json>(sim, 'ControllerRevision', 'default')[0].metadata.name;
      const claims = CLAIMS.map((c) => structuredClone(mustGet<Json>(sim, 'PersistentVolumeClaim', c)));
      const since = sim.log.lastSeq();
      del(sim, 'StatefulSet', 'web');
      // Gone at once: the delete itself removed it (no finalizer, no deletionTimestamp phase).
      expect(get(sim, 'StatefulSet', 'web'), 'the set right after the delete').toBeUndefined();
      const setEntries = entriesOf(sim, 'StatefulSet', 'web', since);
      expect(setEntries.map((e) => `${e.type} by ${e.actor}`)).toEqual(['DELETED by user']);
      waitFor(sim, 'pods and revision gone', () => podNames(sim, 'web-').length === 0 && list(sim, 'ControllerRevision', 'default').length === 0, 120_000);
      sleep(sim, 30_000);
      // The GC deleted the pods and the revision (not the statefulset controller).
      for (const n of WEB) {
        const term = entriesOf(sim, 'Pod', n, since).find((e) => e.type !== 'DELETED' && e.object.metadata?.deletionTimestamp !== undefined);
        expect(term?.actor, `${n} deleted by`).toBe('garbage-collector');
      }
      expect(entriesOf(sim, 'ControllerRevision', revName, since).map((e) => `${e.type} by ${e.actor}`)).toEqual(['DELETED by garbage-collector']);
      // No ordering: the GC deletes all dependents without waiting for one to be gone — all three are Terminating together.
      const terms = WEB.map((n) => seqOf(sim, 'TERMINATING', 'Pod', n, since));
      const gones = WEB.map((n) => seqOf(sim, 'DELETED', 'Pod', n, since));
      expect(Math.max(...terms), `all three Terminating (${terms.join(', ')}) before the first is gone (${gones.join(', ')})`).toBeLessThan(Math.min(...gones));
      // Nothing created, and the statefulset controller wrote nothing after the set was deleted.
      expect(createdSince(sim, since)).toEqual([]);
      expect(objectEntries(sim, since).filter((e) => e.actor === 'statefulset-controller').map((e) => `${e.type} ${e.object.kind}/${e.object.metadata?.name}`)).toEqual([]);
      // PVCs and PVs remain Bound.
      expect(claimNames(sim)).toEqual(CLAIMS);
      expectClaimsKept(sim, claims, since);
      expect(pvNames(sim).length).toBe(3);
    });

    /** Foreground deletion of a converged F1: the checks common to (b) and (c); returns the seq of the set's DELETED entry. */
    const foreground = (sim: Simulation, since: number, revName: string): number => {
      const setUid: string = mustGet<Json>(sim, 'StatefulSet', 'web').metadata.uid;
      del(sim, 'StatefulSet', 'web', { propagationPolicy: 'Foreground' });
      const deleting = mustGet<Json>(sim, 'StatefulSet', 'web');
      expect(deleting.metadata.deletionTimestamp, 'deletionTimestamp').toBeDefined();
      expect(deleting.metadata.finalizers).toEqual(['foregroundDeletion']);
      waitFor(sim, 'the set gone', () => get(sim, 'StatefulSet', 'web') === undefined, 180_000);
      sleep(sim, 30_000);
      const setGone = seqOf(sim, 'DELETED', 'StatefulSet', 'web', since);
      // Visible with deletionTimestamp and the finalizer until the end; the GC removes the finalizer.
      const setEntries = entriesOf(sim, 'StatefulSet', 'web', since);
      for (const e of setEntries.filter((x) => x.type !== 'DELETED')) {
        expect(e.object.metadata?.deletionTimestamp, `set at seq ${e.seq}`).toBeDefined();
        expect(e.object.metadata?.finalizers, `set finalizers at seq ${e.seq}`).toEqual(['foregroundDeletion']);
      }
      expect(setEntries.find((e) => e.type === 'DELETED')!.actor, 'finalizer removed by').toBe('garbage-collector');
      // ... until all three pods and the revision are gone.
      for (const n of WEB) {
        expect(seqOf(sim, 'DELETED', 'Pod', n, since), `Gone(${n}) before the set disappears`).toBeLessThan(setGone);
        const term = entriesOf(sim, 'Pod', n, since).find((e) => e.type !== 'DELETED' && e.object.metadata?.deletionTimestamp !== undefined);
        expect(term?.actor, `${n} deleted by`).toBe('garbage-collector');
      }
      expect(seqOf(sim, 'DELETED', 'ControllerRevision', revName, since), 'revision gone before the set').toBeLessThan(setGone);
      expect(podNames(sim, 'web-')).toEqual([]);
      expect(list(sim, 'ControllerRevision', 'default')).toEqual([]);
      // Meanwhile the controller creates nothing (a pod deleted by the GC is not recreated, no claim) and only updates status.
      expect(createdSince(sim, since, ['Pod', 'PersistentVolumeClaim']), 'pods or claims created during the deletion').toEqual([]);
      for (const n of WEB) expect(entriesOf(sim, 'Pod', n).filter((e) => e.type === 'ADDED').length, `${n} ADDED once in the whole log`).toBe(1);
      const ctl = objectEntries(sim, since).filter((e) => e.actor === 'statefulset-controller');
      // Kubernetes' sync has no deletionTimestamp guard before getStatefulSetRevisions (stateful_set_control.go
      // performUpdate runs it before updateStatefulSet's U7 return), so once the GC has deleted the revision a
      // sync re-creates the same revision (same name, owned by the set); the GC deletes it again. That create is
      // the only write other than status the controller may make.
      const isRevisionCreate = (e: ObjEntry): boolean => e.object.kind === 'ControllerRevision' && e.type === 'ADDED' && e.op === 'create';
      expect(ctl.filter((e) => !(e.object.kind === 'StatefulSet' && e.op === 'update/status') && !isRevisionCreate(e)).map((e) => `${e.type} ${e.op} ${e.object.kind}/${e.object.metadata?.name}`),
        'statefulset-controller writes other than status').toEqual([]);
      for (const e of ctl.filter(isRevisionCreate)) {
        expect(e.object.metadata?.name, `revision re-created at seq ${e.seq}`).toBe(revName);
        expect(refsOf(e.object), `owner of the revision re-created at seq ${e.seq}`).toEqual([setRef(setUid)]);
        const gone = entriesOf(sim, 'ControllerRevision', revName, e.seq).find((x) => x.type === 'DELETED' && x.object.metadata?.uid === e.object.metadata?.uid);
        expect(gone?.actor, `revision re-created at seq ${e.seq} deleted by`).toBe('garbage-collector');
      }
      const statusWrites = ctl.filter((e) => e.object.kind === 'StatefulSet');
      expect(statusWrites.length, 'the controller keeps updating the status while the set is deleted (currentReplicas drops)').toBeGreaterThan(0);
      expect(Math.min(...statusWrites.map((e) => (e.object as Json).status.currentReplicas)), 'currentReplicas in the status written during the deletion').toBeLessThan(3);
      for (const e of statusWrites) {
        expect(e.seq).toBeLessThan(setGone);
        expect((e.object as Json).spec.replicas, 'spec untouched').toBe(3);
      }
      return setGone;
    };

    it('S44 (b) — foreground: the set stays with deletionTimestamp and foregroundDeletion until pods and revision are gone; nothing recreated; PVCs remain', () => {
      const sim = f1Ready();
      const revName: string = list<Json>(sim, 'ControllerRevision', 'default')[0].metadata.name;
      const claims = CLAIMS.map((c) => structuredClone(mustGet<Json>(sim, 'PersistentVolumeClaim', c)));
      const since = sim.log.lastSeq();
      foreground(sim, since, revName);
      // PVCs remain (Retain), Bound to their PVs.
      expect(claimNames(sim)).toEqual(CLAIMS);
      expectClaimsKept(sim, claims, since);
      expect(pvNames(sim).length).toBe(3);
    });

    it('S44 (c) — foreground with whenDeleted: Delete: the set also waits for its PVCs to be removed', () => {
      const sim = newCluster();
      create(sim, ...f1With((s) => { s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete' }; }));
      converge(sim, 'web', 3);
      const uid: string = mustGet<Json>(sim, 'StatefulSet', 'web').metadata.uid;
      waitFor(sim, 'claims carry the set ref', () => CLAIMS.every((c) => refsOf(get(sim, 'PersistentVolumeClaim', c)).length === 1), 30_000);
      for (const c of CLAIMS) expect(refsOf(mustGet(sim, 'PersistentVolumeClaim', c)), `${c} refs (blockOwnerDeletion)`).toEqual([setRef(uid)]);
      const pvs = CLAIMS.map((c) => mustGet<Json>(sim, 'PersistentVolumeClaim', c).spec.volumeName as string);
      const revName: string = list<Json>(sim, 'ControllerRevision', 'default')[0].metadata.name;
      const since = sim.log.lastSeq();
      const setGone = foreground(sim, since, revName);
      expect(claimNames(sim)).toEqual([]);
      for (const [k, c] of CLAIMS.entries()) {
        const claimGone = seqOf(sim, 'DELETED', 'PersistentVolumeClaim', c, since);
        expect(claimGone, `${c} removed before the set disappears`).toBeLessThan(setGone);
        // pvc-protection: the claim goes only after the pod using it is gone.
        expect(claimGone, `${c} removed after Gone(web-${k})`).toBeGreaterThan(seqOf(sim, 'DELETED', 'Pod', `web-${k}`, since));
        const term = entriesOf(sim, 'PersistentVolumeClaim', c, since).find((e) => e.type !== 'DELETED' && e.object.metadata?.deletionTimestamp !== undefined);
        expect(term?.actor, `${c} deleted by`).toBe('garbage-collector');
      }
      waitFor(sim, 'the PVs reclaimed', () => pvs.every((pv) => get(sim, 'PersistentVolume', pv, '') === undefined), 120_000);
    });
  });
});
