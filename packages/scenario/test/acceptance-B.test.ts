/**
 * Acceptance scenarios, section B — updates (S14, S15, S17, S19, S20, S21, S22, S24, S26), on the
 * embedded engine (every component of createCluster running; no controller unit calls).
 *
 * S21 is referenced by S22 but not written out in the scenario file: it is the OrderedReady case of
 * SSCT TestStatefulSetControlRollingUpdateWithMaxUnavailable — 6 replicas, `partition: 3`,
 * `maxUnavailable: 2`, new image (§1.5 processReplica, §1.7 maxUnavailable variant).
 */
import { describe, expect, it } from 'vitest';
import { isRunningAndReady, kubectlMessage, type KObject, type Pod } from '@kubesim/api';
import { createCluster, type Simulation } from '@kubesim/runtime';
import {
  SEED, allReady, clusterSpec, converge, create, del, entriesOf, f1With, firstSeq, get, list, mustGet, newCluster,
  objectEntries, patch, podNames, ready, refused, scale, seqOf, setReady, sleep, waitFor, type Json, type ObjEntry,
} from './harness.js';
import {
  edit, hashOf, imageOf, names, NEW, observed, OLD, pod, podDeleteNames, podDeletes, replayPods, REV_NAME, rolledOut, sameSync, SS, ssWrites, status, statusOfSync, statusWrites, theSet, uidOf,
} from './sts-harness.js';


// ---- reading the set, its pods and revisions ----------------------------------------------------------------

const revisions = (sim: Simulation): Json[] => list<Json>(sim, 'ControllerRevision', 'default');
const revision = (sim: Simulation, name: string): Json => mustGet<Json>(sim, 'ControllerRevision', name);




/** Wait until pod `name` was replaced (new uid) and the new pod is Ready. */
const replaced = (sim: Simulation, name: string, oldUid: string | undefined, timeoutMs = 120_000): void =>
  waitFor(sim, `${name} replaced and Ready`, () => ready(sim, name) && get<Pod>(sim, 'Pod', name)?.metadata?.uid !== oldUid, timeoutMs);

// ---- log queries --------------------------------------------------------------------------------------------

/** Pod creations by the controller after `since`. */
const podCreates = (sim: Simulation, since: number): ObjEntry[] =>
  ssWrites(sim, since).filter((e) => e.object.kind === 'Pod' && e.type === 'ADDED');
const addedEntry = (sim: Simulation, name: string, since: number): ObjEntry => {
  const e = entriesOf(sim, 'Pod', name, since).find((x) => x.type === 'ADDED');
  if (!e) throw new Error(`no ADDED of Pod/${name} after seq ${since}`);
  return e;
};


/**
 * Pod `name` is created by the first controller sync that starts after log position `after` (a sync that
 * reacted to an entry at or past `after` and wrote something before the creation, without creating it, fails).
 */
const createdByFirstSyncAfter = (sim: Simulation, name: string, after: number): ObjEntry => {
  const c = addedEntry(sim, name, after);
  expect(c.actor, `${name} created by the controller`).toBe(SS);
  const earlier = ssWrites(sim, after).filter((e) => e.cause! >= after && e.seq < c.seq && e.cause !== c.cause);
  expect(earlier.map((e) => `${e.seq} ${e.op} ${e.object.kind}/${e.object.metadata?.name} (cause ${e.cause})`),
    `a sync after seq ${after} did not create ${name}`).toEqual([]);
  return c;
};


/** One incarnation change of a pod after `since`: deletion requested, gone, recreated, Ready (seqs). */
interface Replacement { term: number | undefined; gone: number; added: number; ready: number | undefined; old: KObject; fresh: KObject }
const replacement = (sim: Simulation, name: string, since: number): Replacement => {
  const term = firstSeq(sim, 'TERMINATING', 'Pod', name, since);
  const goneEntry = entriesOf(sim, 'Pod', name, since).find((e) => e.type === 'DELETED');
  if (!goneEntry) throw new Error(`Pod/${name} never gone after seq ${since}`);
  const add = addedEntry(sim, name, goneEntry.seq);
  return { term, gone: goneEntry.seq, added: add.seq, ready: firstSeq(sim, 'READY', 'Pod', name, add.seq), old: goneEntry.object, fresh: add.object };
};

/** A replacement's moments in order: deletion requested, gone, recreated, Ready (all must have happened). */
const moments = (x: Replacement): number[] => {
  const name = x.fresh.metadata?.name;
  expect(x.term, `${name}: deletion requested`).toBeDefined();
  expect(x.ready, `${name}: the new pod Ready`).toBeDefined();
  return [x.term!, x.gone, x.added, x.ready!];
};
const readyOf = (x: Replacement): number => {
  expect(x.ready, `${x.fresh.metadata?.name}: the new pod Ready`).toBeDefined();
  return x.ready!;
};


/** Unavailable in-range pods (missing, terminating, or not Running+Ready) among ordinals 0..n-1. */
const unavailableOf = (pods: ReadonlyMap<string, Pod>, n: number): string[] => names(n).filter((k) => {
  const p = pods.get(k);
  return p === undefined || p.metadata?.deletionTimestamp !== undefined || !isRunningAndReady(p);
});

/** The most in-range pods unavailable at once after `since` (with the first seq where it happened). */
const mostUnavailable = (sim: Simulation, n: number, since: number, until = Infinity): { max: number; at: string } => {
  let max = 0;
  let at = '';
  replayPods(sim, (e, pods) => {
    if (e.seq > until) return;
    const u = unavailableOf(pods, n);
    if (u.length > max) { max = u.length; at = `seq ${e.seq}: ${u.join(', ')}`; }
  }, since);
  return { max, at };
};

/** The pod as it was at log position `seq` (undefined when it did not exist). */
const podAt = (sim: Simulation, name: string, seq: number): Pod | undefined => {
  let p: Pod | undefined;
  for (const e of entriesOf(sim, 'Pod', name)) {
    if (e.seq > seq) break;
    p = e.type === 'DELETED' ? undefined : (e.object as Pod);
  }
  return p;
};

// ---- S26: revision naming (checked on every run) -------------------------------------------------------------

/** Canonical JSON with sorted keys: Go's json.Marshal of the map-typed revision patch [SSU getPatch]. */
const canonical = (v: unknown): string => {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
};
/** [HIST HashControllerRevision]: 32-bit FNV-1 over the data then the decimal collision count, SafeEncodeString'd. */
const expectedHash = (data: unknown, collisionCount: number): string => {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(canonical(data) + String(collisionCount))) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(h)].map((c) => alphabet[c.charCodeAt(0) % alphabet.length]).join('');
};

/**
 * S26 checks on a run: every pod's `controller-revision-hash` names a ControllerRevision of the set that
 * exists or existed; names match `^web-[456789bcdf]{1,10}$` and are the hash of their data; the hash label
 * equals the suffix; the labels are the revision's template labels plus the hash label.
 */
const checkRevisionNaming = (sim: Simulation): void => {
  const everCreated = new Set(entriesOf(sim, 'ControllerRevision').filter((e) => e.type === 'ADDED').map((e) => e.object.metadata!.name!));
  for (const e of objectEntries(sim)) {
    if (e.object.kind !== 'Pod' || !/^web-\d+$/.test(e.object.metadata?.name ?? '')) continue;
    const h = hashOf(e.object);
    expect(h !== undefined && everCreated.has(h), `seq ${e.seq}: Pod/${e.object.metadata?.name} hash ${h} names no ControllerRevision of the set`).toBe(true);
  }
  const collisionCount = status(sim)?.collisionCount ?? 0;
  for (const r of revisions(sim)) {
    const name: string = r.metadata.name;
    expect(name).toMatch(REV_NAME);
    const suffix = name.slice('web-'.length);
    expect(r.metadata.labels['controller.kubernetes.io/hash'], `${name}: hash label`).toBe(suffix);
    expect(suffix, `${name}: FNV-1 of its data + collisionCount ${collisionCount}`).toBe(expectedHash(r.data, collisionCount));
    expect(r.metadata.labels, `${name}: labels = its template labels + hash`).toEqual({ ...r.data.spec.template.metadata.labels, 'controller.kubernetes.io/hash': suffix });
  }
};

// ---- fixtures -----------------------------------------------------------------------------------------------

/** F1 (with changes) applied and converged with `n` Ready pods. */
const f1Ready = (n = 3, change: (set: Json) => void = () => undefined, sim: Simulation = newCluster()): Simulation => {
  create(sim, ...f1With((s) => { s.spec.replicas = n; change(s); }));
  converge(sim, 'web', n);
  return sim;
};

const claimUids = (sim: Simulation, n: number): Record<string, [string, string]> => Object.fromEntries(
  names(n).map((p) => { const c = mustGet<Json>(sim, 'PersistentVolumeClaim', `www-${p}`); return [c.metadata.name, [c.metadata.uid, c.spec.volumeName]]; }),
);

// ---- the tests ----------------------------------------------------------------------------------------------

describe('B. Updates', () => {
  /** S14 and its Parallel variant: the same expectations. */
  const s14 = (policy: 'OrderedReady' | 'Parallel'): void => {
    const sim = f1Ready(3, (s) => { s.spec.podManagementPolicy = policy; });
    const h: string = status(sim).currentRevision;
    expect(h).toMatch(REV_NAME);
    expect(revisions(sim).map((r) => [r.metadata.name, r.revision])).toEqual([[h, 1]]);
    const claims = claimUids(sim, 3);
    const since = sim.log.lastSeq();
    edit(sim, NEW);
    rolledOut(sim, 3);
    sleep(sim, 30_000);

    // 1. A second revision, revision 2; updateRevision from the first sync; currentRevision old until completion.
    const added = entriesOf(sim, 'ControllerRevision', undefined, since).filter((e) => e.type === 'ADDED');
    expect(added.length, 'one new ControllerRevision').toBe(1);
    const h2 = added[0]!.object.metadata!.name!;
    expect(h2).toMatch(REV_NAME);
    expect(h2).not.toBe(h);
    expect((added[0]!.object as Json).revision).toBe(2);
    const writes = statusWrites(sim, since);
    expect(writes[0]!.object.metadata?.generation).toBe(2);
    expect((writes[0]!.object as Json).status, 'first status after the edit').toMatchObject({ observedGeneration: 2, currentRevision: h, updateRevision: h2 });

    // 2. Order: delete web-2 → new web-2 (h2, new image) → Ready → delete web-1 → … → Ready(web-0).
    expect(podDeleteNames(sim, since), 'controller deletions').toEqual(['web-2', 'web-1', 'web-0']);
    expect(podCreates(sim, since).map((e) => e.object.metadata!.name), 'controller creations').toEqual(['web-2', 'web-1', 'web-0']);
    const r = [2, 1, 0].map((k) => replacement(sim, `web-${k}`, since));
    const order = r.flatMap(moments);
    expect(order, 'term(2) gone(2) added(2) Ready(2) term(1) … Ready(0)').toEqual([...order].sort((a, b) => a - b));
    for (const [i, k] of [2, 1, 0].entries()) {
      expect(hashOf(r[i]!.old), `old web-${k}`).toBe(h);
      expect(imageOf(r[i]!.old)).toBe(OLD);
      expect(hashOf(r[i]!.fresh), `new web-${k} hash`).toBe(h2);
      expect(imageOf(r[i]!.fresh), `new web-${k} image`).toBe(NEW);
    }
    const most = mostUnavailable(sim, 3, since);
    expect(most.max, `two pods missing or unready at once (${most.at})`).toBe(1);

    // 3. Status at the moments named.
    const del2 = podDeletes(sim, since)[0]!;
    expect(statusOfSync(sim, del2), "status of the sync that deleted web-2").toMatchObject({ currentReplicas: 2, updatedReplicas: 0, currentRevision: h, updateRevision: h2 });
    for (const w of writes.filter((x) => x.seq >= del2.seq && x.seq < r[0]!.added)) {
      expect((w.object as Json).status, `seq ${w.seq}: status while web-2 is terminating or gone`).toMatchObject({ currentReplicas: 2, updatedReplicas: 0 });
    }
    const counted = statusWrites(sim, r[0]!.added).find((e) => (e.object as Json).status.replicas === 3);
    expect(counted, 'a status counting the new web-2').toBeDefined();
    expect((counted!.object as Json).status, 'status once the new web-2 is counted').toMatchObject({ currentReplicas: 2, updatedReplicas: 1, currentRevision: h });
    for (const w of writes.filter((x) => x.seq < readyOf(r[2]!))) {
      expect((w.object as Json).status.currentRevision, `seq ${w.seq}: currentRevision before completion`).toBe(h);
      expect((w.object as Json).status.updateRevision).toBe(h2);
    }
    expect(status(sim)).toMatchObject({ observedGeneration: 2, currentRevision: h2, updateRevision: h2, currentReplicas: 3, updatedReplicas: 3, readyReplicas: 3, replicas: 3 });

    // 4. Claims unchanged; two revisions remain.
    expect(claimUids(sim, 3)).toEqual(claims);
    expect(objectEntries(sim, since).filter((e) => e.object.kind === 'PersistentVolumeClaim' && e.type !== 'MODIFIED')).toEqual([]);
    expect(revisions(sim).map((x) => [x.metadata.name, x.revision]).sort()).toEqual([[h, 1], [h2, 2]].sort());
    checkRevisionNaming(sim);
  };

  it('S14 — rolling update goes highest ordinal first, one at a time', () => s14('OrderedReady'));
  it('S14 — Parallel variant: same order, one at a time with maxUnavailable 1', () => s14('Parallel'));

  it('S15 (a) — update plus scale-up in one edit: web-3, web-4 first (new revision), then web-2, web-1, web-0', () => {
    const sim = f1Ready(3);
    const h: string = status(sim).currentRevision;
    const since = sim.log.lastSeq();
    edit(sim, NEW, { replicas: 5 });
    rolledOut(sim, 5);
    sleep(sim, 30_000);
    const h2: string = status(sim).updateRevision;
    expect(h2).not.toBe(h);

    const a3 = addedEntry(sim, 'web-3', since);
    const a4 = addedEntry(sim, 'web-4', since);
    for (const a of [a3, a4]) {
      expect(hashOf(a.object), `${a.object.metadata?.name} created at the new revision`).toBe(h2);
      expect(imageOf(a.object)).toBe(NEW);
    }
    const ready3 = seqOf(sim, 'READY', 'Pod', 'web-3', a3.seq);
    const ready4 = seqOf(sim, 'READY', 'Pod', 'web-4', a4.seq);
    expect(podCreates(sim, since).map((e) => e.object.metadata!.name), 'controller creations').toEqual(['web-3', 'web-4', 'web-2', 'web-1', 'web-0']);
    expect(podDeleteNames(sim, since), 'controller deletions').toEqual(['web-2', 'web-1', 'web-0']);
    const r = [2, 1, 0].map((k) => replacement(sim, `web-${k}`, since));
    const order = [a3.seq, ready3, a4.seq, ready4, ...r.flatMap(moments)];
    expect(order, 'web-3, Ready(web-3), web-4, Ready(web-4), then delete/recreate/Ready web-2, web-1, web-0').toEqual([...order].sort((a, b) => a - b));
    for (const x of r) {
      expect(hashOf(x.old)).toBe(h);
      expect(hashOf(x.fresh)).toBe(h2);
      expect(imageOf(x.fresh)).toBe(NEW);
    }
    const most = mostUnavailable(sim, 5, ready4);
    expect(most.max, `two pods missing or unready at once during the update (${most.at})`).toBe(1);
    expect(podNames(sim, 'web-')).toEqual(names(5));
    for (const n of names(5)) {
      expect(hashOf(pod(sim, n)), n).toBe(h2);
      expect(imageOf(pod(sim, n))).toBe(NEW);
    }
    expect(status(sim)).toMatchObject({ replicas: 5, readyReplicas: 5, currentReplicas: 5, updatedReplicas: 5, currentRevision: h2 });
    checkRevisionNaming(sim);
  });

  it('S15 (b) — update plus scale-down in one edit: web-4, then web-3 (old, not replaced), then web-2, web-1, web-0', () => {
    const sim = f1Ready(5);
    const h: string = status(sim).currentRevision;
    const claims = claimUids(sim, 5);
    const since = sim.log.lastSeq();
    edit(sim, NEW, { replicas: 3 });
    rolledOut(sim, 3);
    sleep(sim, 30_000);
    const h2: string = status(sim).updateRevision;

    expect(podDeleteNames(sim, since), 'controller deletions').toEqual(['web-4', 'web-3', 'web-2', 'web-1', 'web-0']);
    const term4 = seqOf(sim, 'TERMINATING', 'Pod', 'web-4', since);
    const gone4 = seqOf(sim, 'DELETED', 'Pod', 'web-4', since);
    const term3 = seqOf(sim, 'TERMINATING', 'Pod', 'web-3', since);
    const gone3 = seqOf(sim, 'DELETED', 'Pod', 'web-3', since);
    for (const n of ['web-3', 'web-4']) {
      const last = entriesOf(sim, 'Pod', n, since).find((e) => e.type === 'DELETED')!;
      expect(hashOf(last.object), `${n} deleted at the old revision`).toBe(h);
      expect(imageOf(last.object)).toBe(OLD);
      expect(entriesOf(sim, 'Pod', n, since).filter((e) => e.type === 'ADDED'), `${n} recreated`).toEqual([]);
    }
    const r = [2, 1, 0].map((k) => replacement(sim, `web-${k}`, since));
    const order = [term4, gone4, term3, gone3, ...r.flatMap(moments)];
    expect(order, 'web-4 deleted, gone, then web-3, gone, then web-2, web-1, web-0 updated one at a time').toEqual([...order].sort((a, b) => a - b));
    for (const x of r) {
      expect(hashOf(x.old)).toBe(h);
      expect(hashOf(x.fresh)).toBe(h2);
      expect(imageOf(x.fresh)).toBe(NEW);
    }
    expect(podNames(sim, 'web-')).toEqual(names(3));
    for (const n of names(3)) expect(hashOf(pod(sim, n)), n).toBe(h2);
    expect(status(sim)).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: h2 });
    // Retain: all five claims are still there, the same objects on the same volumes.
    expect(claimUids(sim, 5)).toEqual(claims);
    checkRevisionNaming(sim);
  });

  it('S17 — canary with partition, then phased rollout', () => {
    const sim = f1Ready(3, (s) => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 3 } }; });
    const h: string = status(sim).currentRevision;
    const uids0 = Object.fromEntries(names(3).map((n) => [n, uidOf(sim, n)]));

    // 1) New image: new revision, nothing touched.
    const s1 = sim.log.lastSeq();
    edit(sim, NEW);
    observed(sim);
    sleep(sim, 30_000);
    const h2: string = status(sim).updateRevision;
    expect(h2).toMatch(REV_NAME);
    expect(h2).not.toBe(h);
    expect(status(sim)).toMatchObject({ currentRevision: h, updateRevision: h2, updatedReplicas: 0, currentReplicas: 3, readyReplicas: 3 });
    expect(podDeleteNames(sim, s1), 'no pod deleted with partition 3').toEqual([]);
    for (const n of names(3)) {
      expect(uidOf(sim, n), n).toBe(uids0[n]);
      expect(hashOf(pod(sim, n))).toBe(h);
      expect(imageOf(pod(sim, n))).toBe(OLD);
    }

    // 2) partition 2: only web-2 is recreated, at the new revision.
    const s2 = sim.log.lastSeq();
    patch(sim, 'StatefulSet', 'web', { spec: { updateStrategy: { rollingUpdate: { partition: 2 } } } });
    replaced(sim, 'web-2', uids0['web-2']);
    sleep(sim, 30_000);
    expect(podDeleteNames(sim, s2)).toEqual(['web-2']);
    expect(hashOf(pod(sim, 'web-2'))).toBe(h2);
    expect(imageOf(pod(sim, 'web-2'))).toBe(NEW);
    for (const n of ['web-0', 'web-1']) {
      expect(uidOf(sim, n), `${n} untouched`).toBe(uids0[n]);
      expect(hashOf(pod(sim, n))).toBe(h);
    }
    expect(status(sim)).toMatchObject({ currentRevision: h, updateRevision: h2, updatedReplicas: 1, currentReplicas: 2 });

    // 3) Delete web-0 and web-2 (grace 0): web-0 comes back old (0 < partition 2), web-2 new.
    const s3 = sim.log.lastSeq();
    const before3 = { 'web-0': uidOf(sim, 'web-0'), 'web-2': uidOf(sim, 'web-2') };
    del(sim, 'Pod', 'web-0', { gracePeriodSeconds: 0 });
    del(sim, 'Pod', 'web-2', { gracePeriodSeconds: 0 });
    replaced(sim, 'web-0', before3['web-0']);
    replaced(sim, 'web-2', before3['web-2']);
    sleep(sim, 10_000);
    const back0 = addedEntry(sim, 'web-0', s3);
    const back2 = addedEntry(sim, 'web-2', s3);
    expect(hashOf(back0.object), 'web-0 recreated at the current (old) revision').toBe(h);
    expect(imageOf(back0.object)).toBe(OLD);
    expect(hashOf(back2.object), 'web-2 recreated at the update revision').toBe(h2);
    expect(imageOf(back2.object)).toBe(NEW);
    expect(uidOf(sim, 'web-1')).toBe(uids0['web-1']);
    expect(podDeleteNames(sim, s3), 'the controller deleted nothing').toEqual([]);

    // 4) partition 1: web-1 updated (and only it).
    const s4 = sim.log.lastSeq();
    patch(sim, 'StatefulSet', 'web', { spec: { updateStrategy: { rollingUpdate: { partition: 1 } } } });
    replaced(sim, 'web-1', uids0['web-1']);
    sleep(sim, 30_000);
    expect(podDeleteNames(sim, s4)).toEqual(['web-1']);
    expect(hashOf(pod(sim, 'web-1'))).toBe(h2);
    expect(imageOf(pod(sim, 'web-1'))).toBe(NEW);
    expect(hashOf(pod(sim, 'web-0'))).toBe(h);
    expect(status(sim)).toMatchObject({ currentRevision: h, updatedReplicas: 2, currentReplicas: 1 });

    // 5) partition 0: web-0 updated; the rollout completes.
    const s5 = sim.log.lastSeq();
    const uid0 = uidOf(sim, 'web-0');
    patch(sim, 'StatefulSet', 'web', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    replaced(sim, 'web-0', uid0);
    rolledOut(sim, 3);
    sleep(sim, 10_000);
    expect(podDeleteNames(sim, s5)).toEqual(['web-0']);
    for (const n of names(3)) {
      expect(hashOf(pod(sim, n)), n).toBe(h2);
      expect(imageOf(pod(sim, n))).toBe(NEW);
    }
    expect(status(sim)).toMatchObject({ currentRevision: h2, updateRevision: h2, currentReplicas: 3, updatedReplicas: 3 });
    // No pod of an ordinal below the partition was ever deleted by the controller for an update (L4).
    expect(podDeleteNames(sim, s1)).toEqual(['web-2', 'web-1', 'web-0']);
    checkRevisionNaming(sim);
  });

  describe('S19 — partition plus scale-up', () => {
    for (const policy of ['OrderedReady', 'Parallel'] as const) {
      it(`${policy}: web-0, web-1 old; web-2, web-3, web-4 new`, () => {
        const sim = f1Ready(3, (s) => {
          s.spec.podManagementPolicy = policy;
          s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 2 } };
        });
        const h: string = status(sim).currentRevision;
        const uids: Record<string, string> = Object.fromEntries(names(3).map((n) => [n, uidOf(sim, n)]));
        const since = sim.log.lastSeq();
        edit(sim, NEW, { replicas: 5 });
        waitFor(sim, 'web-2..4 new and all Ready', () => allReady(sim, names(5)) && status(sim)?.updatedReplicas === 3 && status(sim)?.readyReplicas === 5, 300_000);
        sleep(sim, 30_000);
        const h2: string = status(sim).updateRevision;
        expect(h2).not.toBe(h);
        for (const n of ['web-3', 'web-4']) {
          const a = addedEntry(sim, n, since);
          expect(hashOf(a.object), `${n} created at the update revision`).toBe(h2);
          expect(imageOf(a.object)).toBe(NEW);
        }
        expect(podDeleteNames(sim, since), 'only web-2 deleted').toEqual(['web-2']);
        // Scaling before updating: web-2 is deleted only once web-3 and web-4 are Ready.
        const term2 = seqOf(sim, 'TERMINATING', 'Pod', 'web-2', since);
        for (const n of ['web-3', 'web-4']) expect(term2, `web-2 deleted before Ready(${n})`).toBeGreaterThan(seqOf(sim, 'READY', 'Pod', n, since));
        expect(uidOf(sim, 'web-2')).not.toBe(uids['web-2']);
        for (const n of ['web-0', 'web-1']) {
          expect(uidOf(sim, n), `${n} untouched`).toBe(uids[n]);
          expect(hashOf(pod(sim, n))).toBe(h);
          expect(imageOf(pod(sim, n))).toBe(OLD);
        }
        for (const n of ['web-2', 'web-3', 'web-4']) {
          expect(hashOf(pod(sim, n)), n).toBe(h2);
          expect(imageOf(pod(sim, n))).toBe(NEW);
        }
        expect(status(sim)).toMatchObject({ replicas: 5, readyReplicas: 5, currentRevision: h, updateRevision: h2, currentReplicas: 2, updatedReplicas: 3 });
        checkRevisionNaming(sim);
      });
    }
  });

  describe('S20 — OnDelete', () => {
    const run = (version: '1.35' | '1.36'): void => {
      const sim = createCluster({ ...clusterSpec(), kubernetesVersion: version }, SEED);
      // Validation side-note (§1.2 V4): OnDelete with rollingUpdate is refused.
      const bad = refused(sim, 'create', [{ verb: 'create', object: f1With((s) => { s.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 0 } }; })[1]! }]);
      expect(kubectlMessage(bad)).toContain('spec.updateStrategy.rollingUpdate: Invalid value');
      expect(kubectlMessage(bad)).toContain("only allowed for updateStrategy 'RollingUpdate'");
      expect(get(sim, 'StatefulSet', 'web')).toBeUndefined();

      f1Ready(3, (s) => { s.spec.updateStrategy = { type: 'OnDelete' }; }, sim);
      const h: string = status(sim).currentRevision;
      const uids = Object.fromEntries(names(3).map((n) => [n, uidOf(sim, n)]));

      // 1) New image: nothing deleted.
      const s1 = sim.log.lastSeq();
      edit(sim, NEW);
      observed(sim);
      sleep(sim, 60_000);
      const h2: string = status(sim).updateRevision;
      expect(h2).not.toBe(h);
      expect(objectEntries(sim, s1).filter((e) => e.object.kind === 'Pod' && (e.type === 'DELETED' || e.object.metadata?.deletionTimestamp !== undefined)), 'no pod deleted').toEqual([]);
      expect(status(sim)).toMatchObject({ currentRevision: h, updateRevision: h2, updatedReplicas: 0, currentReplicas: 3 });

      // 2) Scale to 5: web-3, web-4 at the new revision; web-0..2 keep the old.
      const s2 = sim.log.lastSeq();
      scale(sim, 'StatefulSet', 'web', 5);
      converge(sim, 'web', 5);
      sleep(sim, 10_000);
      for (const n of ['web-3', 'web-4']) {
        expect(hashOf(addedEntry(sim, n, s2).object), `${n} created at the update revision`).toBe(h2);
        expect(imageOf(pod(sim, n))).toBe(NEW);
      }
      for (const n of names(3)) {
        expect(uidOf(sim, n), `${n} untouched`).toBe(uids[n]);
        expect(hashOf(pod(sim, n))).toBe(h);
        expect(imageOf(pod(sim, n))).toBe(OLD);
      }
      expect(podDeleteNames(sim, s1)).toEqual([]);
      expect(status(sim)).toMatchObject({ currentRevision: h, updateRevision: h2, updatedReplicas: 2, currentReplicas: 3, replicas: 5 });

      // 3) Delete web-0, web-1, web-2 (grace 0): each comes back at the new revision.
      const s3 = sim.log.lastSeq();
      for (const n of names(3)) del(sim, 'Pod', n, { gracePeriodSeconds: 0 });
      for (const n of names(3)) replaced(sim, n, uids[n], 300_000);
      waitFor(sim, 'status counts all five', () => status(sim)?.readyReplicas === 5 && status(sim)?.updatedReplicas === 5, 60_000);
      sleep(sim, 30_000);
      for (const n of names(3)) {
        expect(hashOf(addedEntry(sim, n, s3).object), `${n} recreated at the update revision`).toBe(h2);
        expect(imageOf(pod(sim, n))).toBe(NEW);
      }
      expect(podDeleteNames(sim, s1), 'the controller never deletes for an OnDelete update').toEqual([]);
      if (version === '1.35') {
        expect(status(sim)).toMatchObject({ replicas: 5, readyReplicas: 5, updatedReplicas: 5, currentReplicas: 0, currentRevision: h, updateRevision: h2 });
      } else {
        expect(status(sim)).toMatchObject({ replicas: 5, readyReplicas: 5, updatedReplicas: 5, currentReplicas: 5, currentRevision: h2, updateRevision: h2 });
      }
      checkRevisionNaming(sim);
    };
    it('1.35 (default): currentRevision stays the old name, currentReplicas 0', () => run('1.35'));
    it('1.36 switch: currentRevision = updateRevision, currentReplicas 5', () => run('1.36'));
  });

  /** S21/S22: 6 replicas, partition 3, maxUnavailable 2, new image; web-5 held unready when it comes back. */
  const maxUnavailable2 = (policy: 'OrderedReady' | 'Parallel') => {
    const sim = f1Ready(6, (s) => {
      s.spec.podManagementPolicy = policy;
      s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 3, maxUnavailable: 2 } };
    });
    const h: string = status(sim).currentRevision;
    const uids = Object.fromEntries(names(6).map((n) => [n, uidOf(sim, n)]));
    const since = sim.log.lastSeq();
    edit(sim, NEW);
    // Hold the new web-5 unready from its creation (the fault applies to pods that exist when it is logged).
    waitFor(sim, 'web-5 recreated', () => get<Pod>(sim, 'Pod', 'web-5') !== undefined && uidOf(sim, 'web-5') !== uids['web-5'], 120_000);
    setReady(sim, 'web-5', false);
    waitFor(sim, 'web-4 Ready, web-5 Running', () => ready(sim, 'web-4') && uidOf(sim, 'web-4') !== uids['web-4'] && pod(sim, 'web-5').status?.phase === 'Running', 120_000);
    sleep(sim, 30_000);
    return { sim, h, uids, since };
  };

  /** Shared S21/S22 checks: the first sync deletes web-5 and web-4 together; the end state. */
  const firstSyncDeletes5And4 = (sim: Simulation, since: number, h: string): string => {
    const h2: string = status(sim).updateRevision;
    const dels = podDeletes(sim, since);
    expect(dels.slice(0, 2).map((e) => e.object.metadata!.name), 'first deletions').toEqual(['web-5', 'web-4']);
    expect(sameSync(sim, dels[0]!, dels[1]!), 'web-5 and web-4 deleted in one sync').toBe(true);
    expect(statusOfSync(sim, dels[0]!), 'status of that sync').toMatchObject({ currentReplicas: 4, updatedReplicas: 0, currentRevision: h, updateRevision: h2 });
    const recreated = Math.min(addedEntry(sim, 'web-4', dels[1]!.seq).seq, addedEntry(sim, 'web-5', dels[1]!.seq).seq);
    for (const w of statusWrites(sim, dels[1]!.seq).filter((x) => x.seq < recreated)) {
      expect((w.object as Json).status, `seq ${w.seq}: status while web-4, web-5 are terminating or gone`).toMatchObject({ currentReplicas: 4, updatedReplicas: 0 });
    }
    return h2;
  };

  const finalState = (sim: Simulation, uids: Record<string, string>, h: string, h2: string, since: number): void => {
    expect(podDeleteNames(sim, since), 'controller deletions').toEqual(['web-5', 'web-4', 'web-3']);
    const del3 = podDeletes(sim, since)[2]!;
    expect(statusOfSync(sim, del3), 'status of the sync that deleted web-3').toMatchObject({ currentReplicas: 3, updatedReplicas: 2 });
    for (const n of ['web-0', 'web-1', 'web-2']) {
      expect(uidOf(sim, n), `${n} (below the partition) untouched`).toBe(uids[n]);
      expect(hashOf(pod(sim, n))).toBe(h);
    }
    for (const n of ['web-3', 'web-4', 'web-5']) {
      expect(hashOf(pod(sim, n)), n).toBe(h2);
      expect(imageOf(pod(sim, n))).toBe(NEW);
      expect(ready(sim, n)).toBe(true);
    }
    expect(status(sim)).toMatchObject({ replicas: 6, readyReplicas: 6, currentRevision: h, updateRevision: h2, currentReplicas: 3, updatedReplicas: 3 });
    const most = mostUnavailable(sim, 6, since);
    expect(most.max, `more than maxUnavailable (2) pods unavailable at once (${most.at})`).toBeLessThanOrEqual(2);
    checkRevisionNaming(sim);
  };

  it('S21 — maxUnavailable 2, OrderedReady: web-5, web-4 deleted in one sync; recreated in order; web-3 only after Ready(web-5)', () => {
    const { sim, h, uids, since } = maxUnavailable2('OrderedReady');
    const h2 = firstSyncDeletes5And4(sim, since, h);
    const r4 = replacement(sim, 'web-4', since);
    const r5 = replacement(sim, 'web-5', since);
    // Recreation is ordered: web-4 first, as soon as it is gone; web-5 only once the new web-4 is Ready.
    expect(r5.added, 'web-5 recreated after web-4').toBeGreaterThan(r4.added);
    expect(r5.added, 'web-5 recreated only after Ready(web-4)').toBeGreaterThan(readyOf(r4));
    createdByFirstSyncAfter(sim, 'web-4', r4.gone);
    createdByFirstSyncAfter(sim, 'web-5', Math.max(r5.gone, readyOf(r4)));
    for (const r of [r4, r5]) {
      expect(hashOf(r.fresh)).toBe(h2);
      expect(imageOf(r.fresh)).toBe(NEW);
    }
    // web-4 Ready, web-5 Running but not Ready: OrderedReady waits on web-5, nothing else is deleted.
    expect(ready(sim, 'web-4')).toBe(true);
    expect(pod(sim, 'web-5').status?.phase).toBe('Running');
    expect(isRunningAndReady(pod(sim, 'web-5'))).toBe(false);
    expect(podDeleteNames(sim, since), 'deleted while web-5 is unready').toEqual(['web-5', 'web-4']);
    expect(uidOf(sim, 'web-3')).toBe(uids['web-3']);
    expect(firstSeq(sim, 'TERMINATING', 'Pod', 'web-3', since)).toBeUndefined();

    // web-5 turns Ready: then web-3 is deleted and recreated; nothing below the partition.
    const freed = sim.log.lastSeq();
    setReady(sim, 'web-5', true);
    replaced(sim, 'web-3', uids['web-3']);
    sleep(sim, 30_000);
    const term3 = seqOf(sim, 'TERMINATING', 'Pod', 'web-3', since);
    expect(term3, 'web-3 deleted only after Ready(web-5)').toBeGreaterThan(seqOf(sim, 'READY', 'Pod', 'web-5', freed));
    const r3 = replacement(sim, 'web-3', since);
    expect(hashOf(r3.fresh)).toBe(h2);
    finalState(sim, uids, h, h2, since);
  });

  it('S22 — maxUnavailable 2, Parallel: web-5, web-4 deleted in one sync, each recreated at once; web-3 deleted with web-4 Ready and web-5 unready', () => {
    const { sim, h, uids, since } = maxUnavailable2('Parallel');
    const h2 = firstSyncDeletes5And4(sim, since, h);
    const r4 = replacement(sim, 'web-4', since);
    const r5 = replacement(sim, 'web-5', since);
    for (const r of [r4, r5]) {
      expect(hashOf(r.fresh)).toBe(h2);
      expect(imageOf(r.fresh)).toBe(NEW);
    }
    // Each is created by the first sync that sees it gone (no waiting for the other to be Ready); when a
    // sync sees both gone, it creates both.
    const c4 = createdByFirstSyncAfter(sim, 'web-4', r4.gone);
    const c5 = createdByFirstSyncAfter(sim, 'web-5', r5.gone);
    const firstCreate = c4.seq < c5.seq ? c4 : c5;
    if (firstCreate.cause! >= Math.max(r4.gone, r5.gone)) {
      expect(sameSync(sim, c4, c5), 'both created by the sync that saw both gone').toBe(true);
    }
    // web-3: not deleted while web-4 and web-5 are both unavailable; deleted with web-4 Ready and web-5 unready.
    const term3 = seqOf(sim, 'TERMINATING', 'Pod', 'web-3', since);
    expect(term3, 'web-3 deleted after Ready(web-4)').toBeGreaterThan(readyOf(r4));
    const at5 = podAt(sim, 'web-5', term3);
    expect(at5 !== undefined && isRunningAndReady(at5), 'web-5 Ready when web-3 was deleted').toBe(false);
    expect(isRunningAndReady(podAt(sim, 'web-4', term3)!), 'web-4 Ready when web-3 was deleted').toBe(true);
    expect(ready(sim, 'web-5')).toBe(false);

    // Release web-5: once web-3, web-4, web-5 are Ready at the new revision nothing else is deleted.
    setReady(sim, 'web-5', true);
    waitFor(sim, 'web-3, web-4, web-5 Ready at the new revision', () => ['web-3', 'web-4', 'web-5'].every((n) => ready(sim, n) && hashOf(pod(sim, n)) === h2), 120_000);
    sleep(sim, 60_000);
    finalState(sim, uids, h, h2, since);
  });

  it('S24 — rollback reuses the old ControllerRevision', () => {
    const sim = f1Ready(3);
    const a: string = status(sim).currentRevision;
    expect(revision(sim, a).revision).toBe(1);
    // 1) image B; wait for completion.
    edit(sim, NEW);
    rolledOut(sim, 3);
    const b: string = status(sim).updateRevision;
    expect(b).not.toBe(a);
    expect(revisions(sim).map((r) => [r.metadata.name, r.revision]).sort()).toEqual([[a, 1], [b, 2]].sort());
    expect(status(sim)).toMatchObject({ currentRevision: b, updateRevision: b });
    const uids = Object.fromEntries(names(3).map((n) => [n, uidOf(sim, n)]));

    // 2) image back to nginx:1.25.
    const since = sim.log.lastSeq();
    edit(sim, OLD);
    observed(sim);
    expect(entriesOf(sim, 'ControllerRevision', undefined, since).filter((e) => e.type === 'ADDED'), 'no new ControllerRevision').toEqual([]);
    const bumped = entriesOf(sim, 'ControllerRevision', a, since).filter((e) => e.type === 'MODIFIED');
    expect(bumped.length, `${a} updated once`).toBe(1);
    expect((bumped[0]!.object as Json).revision, `${a}.revision raised to max+1`).toBe(3);
    expect(bumped[0]!.actor).toBe(SS);
    const first = statusWrites(sim, since)[0]!;
    expect((first.object as Json).status, 'first status after the rollback edit').toMatchObject({ observedGeneration: 3, updateRevision: a, currentRevision: b });
    rolledOut(sim, 3);
    sleep(sim, 30_000);

    expect(podDeleteNames(sim, since), 'rolled back web-2, web-1, web-0').toEqual(['web-2', 'web-1', 'web-0']);
    const r = [2, 1, 0].map((k) => replacement(sim, `web-${k}`, since));
    const order = r.flatMap(moments);
    expect(order, 'one at a time, highest first').toEqual([...order].sort((p, q) => p - q));
    for (const x of r) {
      expect(hashOf(x.old)).toBe(b);
      expect(hashOf(x.fresh), 'recreated at A').toBe(a);
      expect(imageOf(x.fresh)).toBe(OLD);
    }
    for (const w of statusWrites(sim, since).filter((x) => x.seq < readyOf(r[2]!))) {
      expect((w.object as Json).status.currentRevision, `seq ${w.seq}: currentRevision before the rollback completes`).toBe(b);
      expect((w.object as Json).status.updateRevision).toBe(a);
    }
    for (const n of names(3)) expect(uidOf(sim, n)).not.toBe(uids[n]);
    expect(status(sim)).toMatchObject({ currentRevision: a, updateRevision: a, currentReplicas: 3, updatedReplicas: 3 });
    expect(revisions(sim).map((x) => [x.metadata.name, x.revision]).sort(), 'two revisions: A(3), B(2)').toEqual([[a, 3], [b, 2]].sort());
    expect(entriesOf(sim, 'ControllerRevision').filter((e) => e.type === 'ADDED').length, 'ControllerRevisions ever created').toBe(2);
    checkRevisionNaming(sim);
  });

  it('S26 — revision naming properties; orphan-delete and recreate reuses the revision', () => {
    const withLabels = (s: Json, image: string, owner: string): void => {
      s.metadata.annotations = { 'example.com/owner': owner };
      s.spec.template.metadata.labels = { app: 'nginx', tier: 'web' };
      s.spec.template.spec.containers[0].image = image;
    };
    const sim = f1Ready(3, (s) => withLabels(s, OLD, 'team-a'));
    const a: string = status(sim).currentRevision;
    const ra = revision(sim, a);
    expect(a).toMatch(REV_NAME);
    expect(ra.metadata.labels).toEqual({ app: 'nginx', tier: 'web', 'controller.kubernetes.io/hash': a.slice(4) });
    expect(ra.metadata.annotations, 'annotations: the set\'s at creation').toEqual({ 'example.com/owner': 'team-a' });

    // Changing the set's annotations alone creates no revision and does not touch A.
    const s1 = sim.log.lastSeq();
    patch(sim, 'StatefulSet', 'web', { metadata: { annotations: { 'example.com/owner': 'team-b', 'example.com/note': 'x' } } });
    sleep(sim, 10_000);
    expect(entriesOf(sim, 'ControllerRevision', undefined, s1).filter((e) => e.type !== 'MODIFIED' || e.object.metadata?.name !== a)).toEqual([]);
    expect(revision(sim, a).metadata.annotations).toEqual({ 'example.com/owner': 'team-a' });

    // A template change: B copies the set's annotations of that moment.
    edit(sim, NEW);
    rolledOut(sim, 3);
    const b: string = status(sim).updateRevision;
    expect(b).not.toBe(a);
    expect(revision(sim, b).metadata.annotations).toEqual({ 'example.com/owner': 'team-b', 'example.com/note': 'x' });
    expect(revision(sim, a).metadata.annotations).toEqual({ 'example.com/owner': 'team-a' });
    checkRevisionNaming(sim);

    // Orphan-delete the set, recreate it with an identical template: same revision, none created.
    const uids = Object.fromEntries(names(3).map((n) => [n, uidOf(sim, n)]));
    const oldUid: string = theSet(sim).metadata.uid;
    del(sim, 'StatefulSet', 'web', { propagationPolicy: 'Orphan' });
    waitFor(sim, 'set gone, revisions and pods orphaned', () => get(sim, 'StatefulSet', 'web') === undefined
      && revisions(sim).every((r) => (r.metadata.ownerReferences ?? []).length === 0)
      && names(3).every((n) => (pod(sim, n).metadata?.ownerReferences ?? []).length === 0), 60_000);
    expect(revisions(sim).map((r) => r.metadata.name).sort()).toEqual([a, b].sort());
    const s2 = sim.log.lastSeq();
    create(sim, f1With((s) => withLabels(s, NEW, 'team-c'))[1]!);
    converge(sim, 'web', 3);
    waitFor(sim, 'revisions and pods adopted', () => revisions(sim).every((r) => (r.metadata.ownerReferences ?? []).some((o: Json) => o.uid === theSet(sim).metadata.uid && o.controller))
      && names(3).every((n) => (pod(sim, n).metadata?.ownerReferences ?? []).some((o) => o.uid === theSet(sim).metadata.uid)), 60_000);
    sleep(sim, 30_000);
    expect(theSet(sim).metadata.uid).not.toBe(oldUid);
    expect(entriesOf(sim, 'ControllerRevision', undefined, s2).filter((e) => e.type === 'ADDED'), 'no new ControllerRevision').toEqual([]);
    expect(status(sim)).toMatchObject({ currentRevision: b, updateRevision: b, currentReplicas: 3, updatedReplicas: 3, readyReplicas: 3 });
    expect(revision(sim, b).metadata.annotations, 'B keeps the annotations of its creation').toEqual({ 'example.com/owner': 'team-b', 'example.com/note': 'x' });
    for (const n of names(3)) {
      expect(uidOf(sim, n), `${n} adopted, not replaced`).toBe(uids[n]);
      expect(hashOf(pod(sim, n))).toBe(b);
    }
    expect(podDeleteNames(sim, s2)).toEqual([]);
    checkRevisionNaming(sim);
  });
});

