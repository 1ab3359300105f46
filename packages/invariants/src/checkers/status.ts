import { isRunningAndReady, isTerminal, type ControllerRevision, type KObject, type Pod, type ReplicaSet, type StatefulSet } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import {
  SS_ACTOR, controllerOf, inRange, isRollingUpdate, isTerminatingPod, nameOf, parseMemberName, nsOf, partitionOf, podRevision, replicasOf, startOf, uidOf,
} from '../model.js';
import type { SetModel } from '../world.js';
import { causeOf, podWriteOf, setLabel } from './writes.js';

const isStatusWrite = (e: Envelope): boolean => e.actor === SS_ACTOR && e.op === 'update/status' && e.type === 'MODIFIED';

/** The live member pods of a set with an ordinal, ascending. */
const sortedMembers = (m: SetModel): { ordinal: number; pod: Pod }[] => {
  const out: { ordinal: number; pod: Pod }[] = [];
  for (const [ordinal, s] of m.slots) if (s.pod) out.push({ ordinal, pod: s.pod });
  return out.sort((a, b) => a.ordinal - b.ordinal);
};

/**
 * K3 — update invariant (`assertUpdateInvariants`, RollingUpdate): when the controller writes the
 * status, the first `currentReplicas` pods by ordinal carry `currentRevision` and the last
 * `updatedReplicas` carry `updateRevision` — old revisions a prefix, the new one a suffix. Judged at
 * status writes whose pods (membership, revision labels, terminations) did not change after the
 * write's cause, so the pods are the ones the status was computed from. The rule describes an
 * undisturbed rollout: a pod deleted by anyone but the rollout (a user, a failure, an eviction, a
 * scale-down that is undone while the pod terminates) is recreated at the update revision whatever its
 * ordinal, and a partition change leaves old pods above updated ones; such a set is not judged until
 * its status reports the rollout finished (currentRevision = updateRevision), the replacements are in
 * and the pods agree. The same holds for a pod created at an ordinal the rollout did not vacate (a
 * Parallel batch cut short by a failed request or a crash, then a template change) below a pod at an
 * older revision. Nor is a set whose pods carry a third revision (an update superseded mid-rollout), or
 * whose template went back to a revision some of its pods carry while they carry several.
 */
export const k3Checker: CheckerDef = {
  id: 'K3',
  title: 'update invariant: current revision on a prefix of ordinals, update revision on a suffix',
  kinds: ['StatefulSet', 'Pod', 'ControllerRevision'],
  inputs: false,
  create: (ctx) => {
    const judged = new Map<string, string>();
    /** Sets whose rollout a pod replacement outside the rollout disturbed. */
    const disturbed = new Set<string>();
    /** Set → ordinals vacated outside the rollout and not yet re-created. */
    const vacated = new Map<string, Set<number>>();
    /** Set → ordinals vacated by the rollout's own update deletions and not yet re-created. */
    const rolloutVacated = new Map<string, Set<number>>();
    const revisionNumber = (m: SetModel, name: string): number | undefined =>
      (ctx.world.store.get('ControllerRevision', m.namespace, name) as ControllerRevision | undefined)?.revision;
    /**
     * A pod the controller creates at an ordinal the rollout did not vacate (a first creation, e.g. the
     * rest of a Parallel batch cut short by a failed request or a crash) takes the update revision wherever
     * it is; below a live pod at an older revision it breaks the suffix outside the rollout.
     */
    const createdOutOfOrder = (m: SetModel, pod: Pod, ordinal: number): boolean => {
      if (m.revCounts.size <= 1) return false;
      const r = podRevision(pod);
      const mine = revisionNumber(m, r);
      for (let o = m.maxOrdinal; o > ordinal; o--) {
        const p = m.slots.get(o)?.pod;
        if (p === undefined || isTerminatingPod(p) || !inRange(m.obj, o)) continue;
        const other = podRevision(p);
        if (other === r) continue;
        const theirs = revisionNumber(m, other);
        if (mine === undefined || theirs === undefined || theirs < mine) return true;
      }
      return false;
    };
    return {
      id: 'K3',
      title: k3Checker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        if (e.object?.kind === 'ControllerRevision') {
          // An existing revision made the newest again (the template went back to it, [SSC
          // getStatefulSetRevisions]) while the pods carry several revisions: pods the earlier switch to that
          // revision created or updated already carry the new update revision wherever they are.
          const cr = e.object as ControllerRevision;
          if (e.type !== 'MODIFIED' || cr.revision === (before as ControllerRevision | undefined)?.revision) return;
          const owner = controllerOf(cr, 'StatefulSet');
          const m = owner === undefined ? undefined : ctx.world.sets.get(owner.uid);
          if (m !== undefined && m.revCounts.size > 1) disturbed.add(m.uid);
          return;
        }
        if (e.object?.kind === 'Pod') {
          const after = e.object as Pod;
          const b = before as Pod | undefined;
          const m = ctx.world.setOf(b) ?? ctx.world.setOf(after);
          if (m === undefined) return;
          const { parent, ordinal } = parseMemberName(nameOf(after));
          if (parent !== m.name || ordinal < 0) return;
          const v = vacated.get(m.uid);
          if (e.type === 'ADDED') {
            v?.delete(ordinal);
            const rv = rolloutVacated.get(m.uid);
            if (rv?.delete(ordinal) !== true && e.actor === SS_ACTOR && createdOutOfOrder(m, after, ordinal)) disturbed.add(m.uid);
            return;
          }
          // Gone while out of range: no replacement comes (a later scale-up creates a fresh pod).
          if (e.type === 'DELETED' && !inRange(m.obj, ordinal)) { v?.delete(ordinal); rolloutVacated.get(m.uid)?.delete(ordinal); }
          if (b === undefined || isTerminatingPod(b)) return;
          const deleted = e.op === 'delete' || e.type === 'DELETED';
          const failed = !isTerminal(b) && isTerminal(after);
          // An update deletion is a controller delete of a pod in range in every snapshot its sync can have
          // planned on. With the range changed after the cause it may be a condemned deletion planned on a
          // smaller range and undone by a scale-up: the pod comes back at the update revision whatever its
          // ordinal (found by the property suite).
          const w = deleted && e.actor === SS_ACTOR ? podWriteOf(ctx.world, e, before) : undefined;
          const byRollout = w !== undefined && w.kind === 'update-delete' && w.cause >= 0 && m.rangeChangedAt <= w.cause;
          if (failed || (deleted && !byRollout)) {
            disturbed.add(m.uid);
            let w = v;
            if (!w) { w = new Set(); vacated.set(m.uid, w); }
            w.add(ordinal);
          } else if (byRollout) {
            let r = rolloutVacated.get(m.uid);
            if (!r) { r = new Set(); rolloutVacated.set(m.uid, r); }
            r.add(ordinal);
          }
          return;
        }
        const set = e.object as StatefulSet;
        const m = ctx.world.sets.get(uidOf(set));
        if (m === undefined) return;
        // A partition change mid-rollout leaves old-revision pods above updated ones (new pods below the
        // partition get the current revision, whatever was updated before).
        if (partitionOf(set) !== partitionOf((before as StatefulSet | undefined) ?? set)) disturbed.add(m.uid);
        if (!isStatusWrite(e) || !isRollingUpdate(set)) return;
        const v = vacated.get(m.uid);
        // The disturbance ends when the status reports the rollout finished and the pods agree: every pod at
        // that revision, and no replacement of a pod deleted outside the rollout still to come. The status
        // alone is not enough: a sync planned on a set whose cached status predates the controller's own
        // first status write (no currentRevision yet) initialises currentRevision to the update revision
        // while the pods are still at the old one [SSC getStatefulSetRevisions], and a later sync on an
        // older copy writes the old one back — Kubernetes' controller reads its own status from the same
        // kind of cache (found by the property suite).
        const upd0 = set.status?.updateRevision;
        if (upd0 !== undefined && set.status?.currentRevision === upd0 && (v === undefined || v.size === 0)
          && (m.revCounts.size === 0 || (m.revCounts.size === 1 && m.revCounts.has(upd0)))) disturbed.delete(m.uid);
        if (disturbed.has(m.uid)) return;
        const cause = causeOf(ctx.world, e);
        if (m.revisionsChangedAt > cause) return;
        const st = set.status ?? { replicas: 0 };
        const cur = st.currentRevision ?? '', upd = st.updateRevision ?? '';
        const cr = st.currentReplicas ?? 0, ur = st.updatedReplicas ?? 0;
        // A third revision (an update superseded while a pod it deleted was still terminating: the
        // replacement gets the newest revision at a low ordinal) is outside the rule too.
        for (const r of m.revCounts.keys()) if (r !== cur && r !== upd) return;
        const key = `${m.revisionsChangedAt}|${cur}|${cr}|${upd}|${ur}`;
        if (judged.get(m.uid) === key) return;
        judged.set(m.uid, key);
        if (m.revCounts.size <= 1) {
          const only = m.revCounts.keys().next().value;
          if ((cr === 0 || only === undefined || only === cur) && (ur === 0 || only === undefined || only === upd)) return;
        }
        // Walk the ordinals up for the prefix and down for the suffix (no sort, no copy). Terminating pods
        // are left out, as the counts leave them out (SSC computeReplicaStatus) and Kubernetes' harness,
        // whose deletions are immediate, never has them: a pod the rollout deleted that a scale-down then
        // condemned still terminates at the old revision above the updated ones (found by the property suite).
        let seen = 0;
        for (let o = 0; o <= m.maxOrdinal && seen < cr; o++) {
          const p = m.slots.get(o)?.pod;
          if (p === undefined || isTerminatingPod(p)) continue;
          seen++;
          if (podRevision(p) !== cur) {
            ctx.report([e.seq], `status written at seq ${e.seq} for ${setLabel(m)} says currentReplicas=${cr} (revision ${cur}), but ${nameOf(p)}, pod number ${seen} by ordinal, carries revision ${podRevision(p)}: old revisions must occupy a prefix of the ordinals`);
            break;
          }
        }
        seen = 0;
        for (let o = m.maxOrdinal; o >= 0 && seen < ur; o--) {
          const p = m.slots.get(o)?.pod;
          if (p === undefined || isTerminatingPod(p)) continue;
          seen++;
          if (podRevision(p) !== upd) {
            ctx.report([e.seq], `status written at seq ${e.seq} for ${setLabel(m)} says updatedReplicas=${ur} (revision ${upd}), but ${nameOf(p)}, pod number ${seen} from the highest ordinal, carries revision ${podRevision(p)}: the update revision must occupy a suffix of the ordinals`);
            break;
          }
        }
      },
      finish(): void { /* judged per entry */ },
    };
  },
};

const historyLimit = (s: StatefulSet): number => s.spec?.revisionHistoryLimit ?? 10;

/**
 * K5 — revision bound: a set has at most revisionHistoryLimit + 2 ControllerRevisions after every
 * sync. At a status write (the end of a sync, before its history truncation) the revisions created by
 * that sync are not counted; at quiescent points every revision is.
 */
export const k5Checker: CheckerDef = {
  id: 'K5',
  title: 'ControllerRevisions ≤ revisionHistoryLimit + 2 after every sync',
  kinds: ['ControllerRevision', 'StatefulSet'],
  inputs: false,
  create: (ctx) => {
    const ownerOf = new Map<string, string>();
    const counts = new Map<string, number>();
    const createdSince = new Map<string, number>();
    const reported = new Map<string, number>();
    const add = (uid: string | undefined, d: number): void => {
      if (uid === undefined) return;
      const n = (counts.get(uid) ?? 0) + d;
      if (n <= 0) counts.delete(uid); else counts.set(uid, n);
    };
    return {
      id: 'K5',
      title: k5Checker.title,
      observe(e: Envelope): void {
        const o = e.object!;
        if (o.kind === 'ControllerRevision') {
          const key = `${nsOf(o)}/${nameOf(o)}`;
          const was = ownerOf.get(key);
          const now = e.type === 'DELETED' ? undefined : controllerOf(o, 'StatefulSet')?.uid;
          if (was === now) return;
          add(was, -1);
          add(now, 1);
          if (now === undefined) ownerOf.delete(key); else ownerOf.set(key, now);
          if (now !== undefined && e.type === 'ADDED' && e.actor === SS_ACTOR) createdSince.set(now, (createdSince.get(now) ?? 0) + 1);
          return;
        }
        if (!isStatusWrite(e)) return;
        const set = o as StatefulSet;
        const uid = uidOf(set);
        const limit = historyLimit(set);
        const fresh = createdSince.get(uid) ?? 0;
        createdSince.delete(uid);
        const n = (counts.get(uid) ?? 0) - fresh;
        if (limit >= 0 && n > limit + 2) {
          ctx.report([e.seq], `statefulset ${nsOf(set)}/${nameOf(set)} has ${n} ControllerRevisions at its status write at seq ${e.seq}${fresh > 0 ? ` (not counting the ${fresh} this sync created)` : ''}, more than revisionHistoryLimit ${limit} + 2`);
          reported.set(uid, n);
        }
      },
      quiet(seq: number): void {
        for (const [uid, n] of counts) {
          const m = ctx.world.sets.get(uid);
          if (m === undefined || m.terminatingAt >= 0) continue;
          const limit = historyLimit(m.obj);
          if (limit < 0 || n <= limit + 2 || reported.get(uid) === n) continue;
          reported.set(uid, n);
          ctx.report([seq], `${setLabel(m)} has ${n} ControllerRevisions at the quiescent point after seq ${seq}, more than revisionHistoryLimit ${limit} + 2`);
        }
      },
      finish(): void { /* judged per entry and at quiet points */ },
    };
  },
};

/**
 * Live pods below the partition (ordinal < start + p) that status.updatedReplicas counts: created, not
 * terminating, at the update revision [SSC computeReplicaStatus].
 */
const updatedBelowPartition = (m: SetModel, p: number, upd: string | undefined): number => {
  let k = 0;
  const start = startOf(m.obj);
  for (let o = start; o < start + p && o <= m.maxOrdinal; o++) {
    const pod = m.slots.get(o)?.pod;
    if (pod !== undefined && !isTerminatingPod(pod) && podRevision(pod) === upd) k++;
  }
  return k;
};

/**
 * What the status claims: the set is at its desired state (K7 `updateComplete`). With a partition p the
 * claim is that the n − p pods from p up are updated; status.updatedReplicas counts every pod at the
 * update revision, so the pods below the partition that carry it are not part of that claim. (They exist
 * when the partition was raised after they were updated, and when the status's currentRevision was
 * initialised to the update revision by a sync planned on a copy of the set older than the controller's
 * own first status write [SSC getStatefulSetRevisions] — a pod recreated below the partition then gets
 * the update revision as its "current" one.)
 */
const reportsComplete = (m: SetModel): boolean => {
  const set = m.obj;
  const st = set.status;
  const n = replicasOf(set);
  if (!st || (st.observedGeneration ?? 0) !== (set.metadata?.generation ?? 0)) return false;
  if (st.replicas !== n || (st.readyReplicas ?? 0) !== n) return false;
  if (!isRollingUpdate(set)) return true;
  const p = partitionOf(set);
  if (p === 0) return (st.currentReplicas ?? 0) === n && (st.updatedReplicas ?? 0) === n && st.currentRevision === st.updateRevision;
  const want = Math.max(0, n - p);
  const updated = st.updatedReplicas ?? 0;
  return updated >= want && updated - updatedBelowPartition(m, p, st.updateRevision) >= want;
};

/** What is wrong with the pods of a set whose status reports complete. */
const completeProblem = (m: SetModel): string | undefined => {
  const set = m.obj;
  const n = replicasOf(set);
  const st = set.status!;
  if (m.members !== n) return `it has ${m.members} pods`;
  // readyReplicas counts Running and Ready pods, terminating ones included (SSC computeReplicaStatus).
  const members = sortedMembers(m);
  const bad = members.filter((p) => !isRunningAndReady(p.pod)).map((p) => nameOf(p.pod));
  if (bad.length > 0) return `${bad.slice(0, 5).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not Running and Ready`;
  if (!isRollingUpdate(set)) return undefined;
  const p = partitionOf(set);
  const want = p === 0 ? st.currentRevision : st.updateRevision;
  const from = startOf(set) + p;
  for (const { ordinal, pod } of members) {
    if (ordinal >= from && podRevision(pod) !== want) return `${nameOf(pod)} carries revision ${podRevision(pod)}, not ${String(want)}`;
  }
  return undefined;
};

/**
 * K7 — update completion: whenever the status reports the set complete (pods = ready = replicas,
 * and for RollingUpdate every pod at the current revision, or from the partition up at the update
 * revision) the pods agree. Judged at the status write when no member pod changed after its cause,
 * and at quiescent points for sets whose pods or status changed.
 */
export const k7Checker: CheckerDef = {
  id: 'K7',
  title: 'completion consistency: a status that reports complete matches the pods',
  kinds: ['StatefulSet', 'Pod'],
  inputs: false,
  create: (ctx) => {
    const dirty = new Set<string>();
    const last = new Map<string, string>();
    const judge = (m: SetModel, seqs: number[], where: string): void => {
      const problem = completeProblem(m);
      if (problem === undefined) { last.delete(m.uid); return; }
      const key = `${problem}|${m.obj.metadata?.resourceVersion ?? ''}`;
      if (last.get(m.uid) === key) return;
      last.set(m.uid, key);
      const st = m.obj.status!;
      ctx.report(seqs, `${setLabel(m)} reports complete (replicas=${String(st.replicas)}, readyReplicas=${String(st.readyReplicas)}, currentRevision=${String(st.currentRevision)}, updateRevision=${String(st.updateRevision)}, status written at seq ${String(m.obj.metadata?.resourceVersion)}) ${where}, but ${problem}`);
    };
    return {
      id: 'K7',
      title: k7Checker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        const o = e.object!;
        if (o.kind === 'Pod') {
          const m = ctx.world.setOf(o as Pod) ?? ctx.world.setOf(before as Pod | undefined);
          if (m) dirty.add(m.uid);
          return;
        }
        const m = ctx.world.sets.get(uidOf(o));
        if (m === undefined) return;
        dirty.add(m.uid);
        if (!isStatusWrite(e) || m.terminatingAt >= 0 || !reportsComplete(m)) return;
        if (m.touchedAt > causeOf(ctx.world, e)) return;
        judge(m, [e.seq], `at seq ${e.seq}`);
      },
      quiet(seq: number): void {
        for (const uid of dirty) {
          const m = ctx.world.sets.get(uid);
          if (m === undefined || m.terminatingAt >= 0 || !reportsComplete(m)) continue;
          judge(m, [seq], `at the quiescent point after seq ${seq}`);
        }
        dirty.clear();
      },
      finish(): void { /* judged per entry and at quiet points */ },
    };
  },
};

/**
 * L9 — status sanity of every status written: observedGeneration ≤ generation; ready, current,
 * updated, available ≤ replicas; available ≤ ready; collisionCount never decreases; and a converged
 * RollingUpdate with partition 0 has currentRevision = updateRevision. ReplicaSet statuses get the
 * same count checks.
 */
export const l9Checker: CheckerDef = {
  id: 'L9',
  title: 'status sanity (generations, counts, collisionCount, converged revision)',
  kinds: ['StatefulSet', 'ReplicaSet'],
  inputs: false,
  create: (ctx) => {
    const collisions = new Map<string, { n: number; seq: number }>();
    return {
      id: 'L9',
      title: l9Checker.title,
      observe(e: Envelope): void {
        if (e.type === 'DELETED' || (e.type !== 'ADDED' && e.op !== 'update/status')) return;
        const o = e.object!;
        const what = `${o.kind === 'StatefulSet' ? 'statefulset' : 'replicaset'} ${nsOf(o)}/${nameOf(o)}`;
        const st = (o as StatefulSet | ReplicaSet).status;
        if (!st) return;
        const problems: string[] = [];
        const gen = o.metadata?.generation ?? 0;
        if ((st.observedGeneration ?? 0) > gen) problems.push(`observedGeneration ${String(st.observedGeneration)} > generation ${gen}`);
        const replicas = st.replicas ?? 0;
        const ready = st.readyReplicas ?? 0, avail = st.availableReplicas ?? 0;
        const counts: [string, number | undefined][] = [['readyReplicas', st.readyReplicas], ['availableReplicas', st.availableReplicas]];
        if (o.kind === 'StatefulSet') {
          const s = st as NonNullable<StatefulSet['status']>;
          counts.push(['currentReplicas', s.currentReplicas], ['updatedReplicas', s.updatedReplicas]);
        }
        for (const [f, v] of counts) if ((v ?? 0) > replicas) problems.push(`${f} ${String(v)} > replicas ${replicas}`);
        if (avail > ready) problems.push(`availableReplicas ${avail} > readyReplicas ${ready}`);
        const extra: number[] = [];
        if (o.kind === 'StatefulSet') {
          const set = o as StatefulSet;
          const s = set.status!;
          const uid = uidOf(set);
          const prev = collisions.get(uid);
          const cc = s.collisionCount ?? 0;
          if (prev !== undefined && cc < prev.n) { problems.push(`collisionCount went down from ${prev.n} (seq ${prev.seq}) to ${cc}`); extra.push(prev.seq); }
          if (prev === undefined || cc > prev.n) collisions.set(uid, { n: cc, seq: e.seq });
          const n = replicasOf(set);
          if (e.actor === SS_ACTOR && isRollingUpdate(set) && partitionOf(set) === 0 && (s.observedGeneration ?? 0) === gen
            && replicas === n && ready === n && (s.updatedReplicas ?? 0) === n && s.currentRevision !== s.updateRevision) {
            problems.push(`the rolling update converged (replicas = ready = updated = ${n}, partition 0) but currentRevision ${String(s.currentRevision)} ≠ updateRevision ${String(s.updateRevision)}`);
          }
        }
        if (problems.length > 0) ctx.report([e.seq, ...extra], `status of ${what} written at seq ${e.seq} by ${e.actor}: ${problems.join('; ')}`);
      },
      finish(): void { /* judged per entry */ },
    };
  },
};
