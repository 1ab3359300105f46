import type { ControllerRevision, KObject, Pod } from '@kubesim/api';
import { canonicalJson, getMaxUnavailable, lastTermination, revisionPatch, sortRevisions } from '@kubesim/controllers';
import type { Envelope } from '@kubesim/log';
import type { CheckContext, CheckerDef } from '../types.js';
import {
  controllerOf, isParallel, isRollingUpdate, isUnavailableAt, minReadySecondsOf, partitionOf, podRevision, replicasOf, startOf,
} from '../model.js';
import { podLabel, podWriteOf, setLabel, SyncTracker, type PodWrite } from './writes.js';
import type { SetModel } from '../world.js';

const maxUnavailableOf = (m: SetModel): number => {
  const ru = m.obj.spec?.updateStrategy?.rollingUpdate;
  return ru ? getMaxUnavailable(ru.maxUnavailable, replicasOf(m.obj)) : 1;
};

/** The first in-range ordinal (from `from`, below `to`) not healthy in the controller's snapshot window. */
const firstUnhealthy = (m: SetModel, from: number, to: number, cause: number): number | undefined => {
  for (let j = from; j < to; j++) if (!m.healthyInWindow(j, cause)) return j;
  return undefined;
};

/**
 * L3 — ordered progress (OrderedReady): a pod is created only when every lower in-range ordinal is
 * Running, Ready and not terminating; a condemned pod is deleted only when every in-range pod is, and
 * no higher ordinal is still there (deletions descend, each after the previous one is gone). "One
 * create / one condemned delete per sync" follows: a second one in the same sync would find its
 * predecessor just created (not Ready) or its higher neighbour still terminating. (Counting writes per
 * cause would not do: a sync retried after a failure keeps its cause.)
 */
export const l3Checker: CheckerDef = {
  id: 'L3',
  title: 'ordered progress (OrderedReady): creations after healthy lower pods, deletions highest first',
  kinds: ['Pod'],
  inputs: false,
  create: (ctx) => {
    const onCreate = (e: Envelope, w: PodWrite): void => {
      const m = w.set;
      const k = w.ordinal;
      const start = startOf(m.obj);
      if (k <= start || k >= start + replicasOf(m.obj)) return;
      if (m.maxOrdinal === k && m.inRangeHealthy === k - start) return;
      const j = firstUnhealthy(m, start, k, w.cause);
      if (j !== undefined) {
        ctx.report([e.seq, w.cause], `${podLabel(w.pod)} created at seq ${e.seq} (cause ${w.cause}) while the lower ordinal ${m.name}-${j} was ${m.slots.get(j)?.pod ? 'not Running and Ready' : 'missing'} since seq ${w.cause}: OrderedReady creates a pod only after every lower one is Running and Ready`);
      }
    };
    const onCondemned = (e: Envelope, w: PodWrite): void => {
      const m = w.set;
      if (m.rangeChangedAt > w.cause) return;
      const k = w.ordinal;
      // A higher ordinal created after the cause may not have been in the controller's (stale) snapshot:
      // Kubernetes' controller has no expectations for its own creates, so that delete is possible there too.
      for (let j = m.maxOrdinal; j > k; j--) {
        if (!m.existedThroughWindow(j, w.cause)) continue;
        ctx.report([e.seq, w.cause], `${podLabel(w.pod)} deleted for scale-down at seq ${e.seq} while the higher ordinal ${m.name}-${j} still existed (since before the cause, seq ${w.cause}): OrderedReady scale-down deletes the highest ordinal first and waits until it is gone`);
        break;
      }
      const start = startOf(m.obj), n = replicasOf(m.obj);
      if (m.inRangeHealthy === n) return;
      const j = firstUnhealthy(m, start, start + n, w.cause);
      if (j !== undefined) {
        ctx.report([e.seq, w.cause], `${podLabel(w.pod)} deleted for scale-down at seq ${e.seq} (cause ${w.cause}) while the in-range pod ${m.name}-${j} was ${m.slots.get(j)?.pod ? 'not Running and Ready' : 'missing'} since seq ${w.cause}: OrderedReady scale-down waits for every remaining pod to be healthy`);
      }
    };
    return {
      id: 'L3',
      title: l3Checker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        const w = podWriteOf(ctx.world, e, before);
        if (w === undefined || w.ordinal < 0 || isParallel(w.set.obj)) return;
        if (w.kind === 'create') onCreate(e, w);
        else if (w.kind === 'condemned-delete') onCondemned(e, w);
      },
      finish(): void { /* judged per entry */ },
    };
  },
};

/**
 * The set's update revision as its controller finds it [SSC getStatefulSetRevisions, FindEqualRevisions]:
 * the ControllerRevision whose data is the set's current template (the latest of them), else the one with
 * the highest revision number — undefined when several share it (a controller whose cache missed its own
 * newest revision numbers the next one the same: which is the update revision then only the data tells).
 */
const newestRevision = (ctx: CheckContext, m: SetModel): string | undefined => {
  const patch = revisionPatch(m.obj);
  const own: ControllerRevision[] = [];
  for (const r of ctx.world.store.list('ControllerRevision', m.namespace)) if (controllerOf(r, 'StatefulSet')?.uid === m.uid) own.push(r);
  sortRevisions(own);
  const equal = own.filter((r) => canonicalJson(r.data ?? null) === patch);
  if (equal.length > 0) return equal.at(-1)!.metadata?.name;
  const top = own.at(-1);
  if (top === undefined || own.filter((r) => r.revision === top.revision).length > 1) return undefined;
  return top.metadata?.name;
};

/**
 * L4 — partition safety: the controller never deletes a pod below `start + partition` for an update,
 * and a pod it (re)creates below the partition carries status.currentRevision.
 */
export const l4Checker: CheckerDef = {
  id: 'L4',
  title: 'partition safety: no update deletion below the partition; pods recreated there keep the current revision',
  kinds: ['Pod'],
  inputs: false,
  create: (ctx) => ({
    id: 'L4',
    title: l4Checker.title,
    observe(e: Envelope, before: KObject | undefined): void {
      const w = podWriteOf(ctx.world, e, before);
      if (w === undefined || w.ordinal < 0) return;
      const set = w.set.obj;
      if (!isRollingUpdate(set) || w.set.specChangedAt > w.cause) return;
      const p = partitionOf(set);
      const limit = startOf(set) + p;
      if (p <= 0 || w.ordinal >= limit) return;
      if (w.kind === 'update-delete') {
        ctx.report([e.seq, w.cause], `${podLabel(w.pod)} deleted by the controller at seq ${e.seq} for a rolling update, but its ordinal ${w.ordinal} is below the partition (${p}) of ${setLabel(w.set)}`);
        return;
      }
      if (w.kind !== 'create') return;
      const cur = set.status?.currentRevision;
      if (cur === undefined || ctx.world.store.get('ControllerRevision', w.set.namespace, cur) === undefined) return;
      const got = podRevision(w.pod);
      const prevOk = w.set.currentRevisionChangedAt > w.cause && got === w.set.prevCurrentRevision;
      // A snapshot without status.currentRevision (the controller's own first status write not yet in its
      // cache): the sync took its update revision — the newest of the set's revisions — as the current
      // one [SSC getStatefulSetRevisions], as Kubernetes' controller does (found by the property suite).
      const initialisedOk = w.set.currentRevisionUnsetAt >= w.cause && got === newestRevision(ctx, w.set);
      if (got !== cur && !prevOk && !initialisedOk) {
        ctx.report([e.seq, w.cause], `${podLabel(w.pod)} recreated at seq ${e.seq} below the partition (${p}) of ${setLabel(w.set)} with revision ${got}, not the current revision ${cur}`);
      }
    },
    finish(): void { /* judged per entry */ },
  }),
};

const budget = (ctx: CheckContext, e: Envelope, w: PodWrite, thisSync: readonly number[]): void => {
  const m = w.set;
  const set = m.obj;
  const n = replicasOf(set), start = startOf(set);
  const mu = maxUnavailableOf(m);
  const mrs = minReadySecondsOf(set);
  if (mrs === 0 && n - m.inRangeHealthy <= mu) return;
  const deleted = new Set(thisSync);
  const down: string[] = thisSync.map((o) => `${m.name}-${o} (deleted by this sync)`);
  for (let j = start; j < start + n; j++) {
    if (deleted.has(j)) continue;
    const s = m.slots.get(j);
    if (s?.pod !== undefined && !isUnavailableAt(s.pod, mrs, e.time)) continue;
    // Healthy at some point of the controller's snapshot window but not now: disrupted after the
    // controller decided (faults, user deletions) — not its decision.
    if (s !== undefined && !s.healthy && s.healthyUntil >= w.cause) continue;
    down.push(`${m.name}-${j} (${s?.pod ? 'unavailable' : 'missing'})`);
  }
  if (down.length > mu) {
    ctx.report([e.seq, w.cause], `${podLabel(w.pod)} deleted for a rolling update at seq ${e.seq} (cause ${w.cause}) leaves ${down.length} in-range pods of ${setLabel(m)} unavailable, more than maxUnavailable=${mu}: ${down.slice(0, 6).join(', ')}`);
  }
};

/**
 * L5 — availability budget: after each update deletion the number of unavailable in-range pods is at
 * most maxUnavailable. Pods that were available in the controller's snapshot and became unavailable
 * afterwards (external disruption: faults, user deletions) do not count against it.
 */
export const l5Checker: CheckerDef = {
  id: 'L5',
  title: 'availability budget: unavailable in-range pods ≤ maxUnavailable after each update deletion',
  kinds: ['Pod', 'StatefulSet'],
  inputs: false,
  create: (ctx) => {
    const syncs = new SyncTracker();
    return {
      id: 'L5',
      title: l5Checker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        syncs.observe(e);
        if (e.object?.kind !== 'Pod') return;
        const w = podWriteOf(ctx.world, e, before);
        if (w === undefined || w.kind !== 'update-delete' || w.ordinal < 0 || w.set.rangeChangedAt > w.cause) return;
        const s = syncs.of(w.set.uid, w.cause);
        s.updates.push(w.ordinal);
        budget(ctx, e, w, s.updates);
      },
      finish(): void { /* judged per entry */ },
    };
  },
};

/**
 * L12 — why the StatefulSet controller deletes a pod [SSC processReplica, processCondemned, the rolling
 * update of updateStatefulSet]: it is condemned (out of range), terminal (Failed or Succeeded), or — with
 * the RollingUpdate strategy — at a revision other than the set's update revision. A live, in-range pod at
 * the update revision is never deleted by the controller: not when it is unready, not when its container
 * crashed and waits in CrashLoopBackOff (the kubelet restarts containers; §1.12 replaces only terminal
 * pods), and never under OnDelete. Judged as the controller can have seen it: a write whose set changed
 * its range or spec after the write's cause, or made from an out-of-order view, is not judged; nor one
 * for a set being deleted (its revisions go with it; L8 judges those writes).
 */
export const l12Checker: CheckerDef = {
  id: 'L12',
  title: 'the StatefulSet controller deletes only condemned, terminal or outdated pods',
  kinds: ['Pod'],
  inputs: false,
  create: (ctx) => ({
    id: 'L12',
    title: l12Checker.title,
    observe(e: Envelope, before: KObject | undefined): void {
      const w = podWriteOf(ctx.world, e, before);
      if (w === undefined || w.kind !== 'update-delete' || w.ordinal < 0 || w.cause < 0) return;
      const m = w.set;
      if (m.rangeChangedAt > w.cause || m.specChangedAt > w.cause) return;
      // A set being deleted (or gone): its revisions go with it, so its update revision is no longer
      // known here; L8 judges the controller's writes for it.
      if (m.terminatingAt >= 0 || m.deletedAt >= 0) return;
      const pod = w.before ?? w.pod;
      if (!isRollingUpdate(m.obj)) {
        ctx.report([e.seq, w.cause], `${podLabel(pod)} (in range, ${pod.status?.phase ?? 'no phase'}) deleted by the controller at seq ${e.seq}, but ${setLabel(m)} uses the OnDelete strategy: only terminal or condemned pods are the controller's to delete`);
        return;
      }
      const update = newestRevision(ctx, m);
      const rev = podRevision(pod);
      if (update === undefined || rev !== update) return;
      ctx.report([e.seq, w.cause], `${podLabel(pod)} (in range, ${pod.status?.phase ?? 'no phase'}${crashNote(pod)}) deleted by the controller at seq ${e.seq} though it is at the update revision ${update} of ${setLabel(m)}: the controller deletes only condemned, terminal (Failed/Succeeded) or outdated pods`);
    },
    finish(): void { /* judged per entry */ },
  }),
};

/** ", container c in CrashLoopBackOff" when a container of the pod waits to be restarted. */
const crashNote = (p: Pod): string => {
  const c = p.status?.containerStatuses?.find((s) => s.state?.running === undefined && lastTermination(s) !== undefined);
  return c === undefined ? '' : `, container ${c.name} ${c.state?.waiting?.reason ?? 'exited'}`;
};
