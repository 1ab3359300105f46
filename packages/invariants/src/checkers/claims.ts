import type { KObject, PersistentVolumeClaim, Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import {
  GC_ACTOR, SS_ACTOR, claimRefProblem, containersRunning, inRange, isTerminatingPod, nameOf, nsOf,
  parseMemberName, policyOf, replicasOf, shortUid, startOf, templateNames, uidOf,
} from '../model.js';
import type { SetModel, World } from '../world.js';
import { causeOf, claimsOfOrdinal, podLabel, podWriteOf, setLabel } from './writes.js';

export interface ClaimDeletionVerdict {
  readonly legit: boolean;
  /** Why (for messages). */
  readonly why: string;
}

/** The namespace controller: it deletes the content of a namespace being deleted. */
const NAMESPACE_ACTOR = 'namespace-controller';

const isUserActor = (actor: string): boolean => actor === 'user' || actor.startsWith('system:');

/**
 * Whether a claim deletion request is allowed (§1.10, L6): a user may delete any claim, the namespace
 * controller any claim of a namespace being deleted; the garbage
 * collector only a claim whose owners are all gone (or being deleted) and that carries an owner
 * reference the retention policy allows — to its StatefulSet under whenDeleted=Delete, to its pod under
 * whenScaled=Delete; nobody else (the StatefulSet controller never) deletes a claim. References to
 * owners other than a StatefulSet or its pods are not the retention policy's business and are allowed.
 */
export const judgeClaimDeletion = (world: World, actor: string, claim: PersistentVolumeClaim): ClaimDeletionVerdict => {
  if (isUserActor(actor)) return { legit: true, why: `deleted by ${actor}` };
  if (actor === NAMESPACE_ACTOR) {
    // Deleting a namespace deletes everything in it, claims included, whatever a retention policy says.
    const ns = world.store.get('Namespace', '', nsOf(claim));
    return ns?.metadata?.deletionTimestamp !== undefined
      ? { legit: true, why: `deleted by ${actor}: its namespace is being deleted` }
      : { legit: false, why: `deleted by ${actor} although its namespace ${nsOf(claim)} is not being deleted` };
  }
  if (actor !== GC_ACTOR) return { legit: false, why: `deleted by ${actor}; only the garbage collector (through a retention owner reference), the namespace controller (its namespace being deleted) or a user deletes claims` };
  const refs = claim.metadata?.ownerReferences ?? [];
  if (refs.length === 0) return { legit: false, why: 'deleted by the garbage collector although it has no owner reference' };
  const ns = nsOf(claim);
  let allowed = false;
  for (const r of refs) {
    if (r.kind === 'StatefulSet') {
      const m = world.sets.get(r.uid) ?? world.setsByName.get(`${ns}/${r.name}`);
      if (m === undefined || !m.everWhenDeletedDelete) {
        return { legit: false, why: `deleted by the garbage collector through its reference to StatefulSet ${r.name}, whose retention policy never had whenDeleted=Delete` };
      }
      if (world.sets.get(r.uid)?.terminatingAt === -1) return { legit: false, why: `deleted by the garbage collector while its owner StatefulSet ${r.name} (uid ${shortUid(r.uid)}) still exists` };
      allowed = true;
    } else if (r.kind === 'Pod' && world.setByPodName(ns, r.name) !== undefined) {
      const m = world.setByPodName(ns, r.name)!;
      if (!m.everWhenScaledDelete) {
        return { legit: false, why: `deleted by the garbage collector through its reference to Pod ${r.name}, but StatefulSet ${m.name}'s retention policy never had whenScaled=Delete` };
      }
      const p = world.store.get('Pod', ns, r.name);
      if (p !== undefined && uidOf(p) === r.uid && !isTerminatingPod(p)) {
        return { legit: false, why: `deleted by the garbage collector while its owner Pod ${r.name} (uid ${shortUid(r.uid)}) still exists` };
      }
      allowed = true;
    } else {
      allowed = true;
    }
  }
  return allowed ? { legit: true, why: 'deleted by the garbage collector through a retention owner reference' } : { legit: false, why: 'deleted by the garbage collector without an allowed owner reference' };
};

/** A claim deletion request: the first entry with op delete (DELETED, or MODIFIED that sets the deletionTimestamp). */
const isDeletionRequest = (e: Envelope, before: KObject | undefined): boolean =>
  e.op === 'delete' && (before === undefined || before.metadata?.deletionTimestamp === undefined);

/**
 * L6 — retention: the StatefulSet controller never deletes a claim; a claim is deleted only by a user
 * or by the garbage collector through an owner reference §1.10 allows (so under Retain/Retain no claim
 * is ever deleted as a consequence of scaling or deleting the set).
 */
export const l6Checker: CheckerDef = {
  id: 'L6',
  title: 'retention: claims are deleted only by the GC through an allowed owner reference (or by a user)',
  kinds: ['PersistentVolumeClaim'],
  inputs: false,
  create: (ctx) => ({
    id: 'L6',
    title: l6Checker.title,
    observe(e: Envelope, before: KObject | undefined): void {
      if (!isDeletionRequest(e, before)) return;
      const claim = (before ?? e.object) as PersistentVolumeClaim;
      const v = judgeClaimDeletion(ctx.world, e.actor, claim);
      if (!v.legit) ctx.report([e.seq], `claim ${nsOf(claim)}/${nameOf(claim)} (uid ${shortUid(uidOf(claim))}) deletion at seq ${e.seq}: ${v.why}`);
    },
    finish(): void { /* judged per entry */ },
  }),
};

/**
 * K4 — claim owner references (`checkClaimInvariants`): for a Running and Ready pod the claim's refs
 * follow the §1.10 table; a missing claim is an error only under whenScaled=Retain. Judged for every
 * in-range pod at quiescent points where the set's status says it is settled (observedGeneration =
 * generation, replicas = ready = spec.replicas) and its pods agree, and for the claims of a condemned pod
 * when the controller deletes it (the pod reference must be in place before the pod goes).
 */
export const k4Checker: CheckerDef = {
  id: 'K4',
  title: 'claim owner references follow the retention policy table',
  kinds: ['Pod', 'StatefulSet', 'PersistentVolumeClaim'],
  inputs: false,
  create: (ctx) => {
    const dirty = new Set<string>();
    const claimSet = new Map<string, string>();
    const last = new Map<string, string>();
    /** namespace/name of a claim → the last change of its owner references: seq, actor and cause. */
    const refsChanged = new Map<string, { seq: number; actor: string; cause: number | null }>();
    const settled = (m: SetModel): boolean => {
      const s = m.obj, st = s.status, n = replicasOf(s);
      return m.terminatingAt < 0 && st !== undefined && (st.observedGeneration ?? 0) === (s.metadata?.generation ?? 0)
        && st.replicas === n && (st.readyReplicas ?? 0) === n && m.members === n && m.inRangeHealthy === n;
    };
    const judgeSet = (m: SetModel, seq: number): void => {
      const set = m.obj;
      const start = startOf(set), n = replicasOf(set);
      for (let k = start; k < start + n; k++) {
        const pod = m.slots.get(k)?.pod;
        if (pod === undefined) continue;
        for (const { claim } of claimsOfOrdinal(set, k)) {
          const key = `${m.namespace}/${claim}`;
          claimSet.set(key, m.uid);
          const c = ctx.world.store.get('PersistentVolumeClaim', m.namespace, claim);
          let problem: string | undefined;
          if (c === undefined) problem = policyOf(set).whenScaled === 'Retain' ? 'is missing (whenScaled=Retain keeps claims)' : undefined;
          else problem = claimRefProblem(c, set, pod, k);
          if (problem === undefined) { last.delete(key); continue; }
          const rv = String(c?.metadata?.resourceVersion ?? 'gone');
          if (last.get(key) === rv) continue;
          last.set(key, rv);
          ctx.report([seq, ...(c ? [Number(rv)] : [])], `claim ${key} of the Running and Ready ${podLabel(pod)} ${problem} (${setLabel(m)} settled, quiescent point after seq ${seq}${c ? `, claim last written at seq ${rv}` : ''})`);
        }
      }
    };
    return {
      id: 'K4',
      title: k4Checker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        const o = e.object!;
        if (o.kind === 'PersistentVolumeClaim') {
          const key = `${nsOf(o)}/${nameOf(o)}`;
          const uid = claimSet.get(key);
          if (uid !== undefined) dirty.add(uid);
          if (e.type === 'DELETED') { last.delete(key); refsChanged.delete(key); } else if (JSON.stringify(before?.metadata?.ownerReferences ?? []) !== JSON.stringify(o.metadata?.ownerReferences ?? [])) {
            refsChanged.set(key, { seq: e.seq, actor: e.actor, cause: e.cause });
          }
          return;
        }
        if (o.kind === 'StatefulSet') { dirty.add(uidOf(o)); return; }
        const m = ctx.world.setOf(o as Pod) ?? ctx.world.setOf(before as Pod | undefined);
        if (m) dirty.add(m.uid);
        const w = podWriteOf(ctx.world, e, before);
        if (w === undefined || w.kind !== 'condemned-delete' || w.ordinal < 0 || w.before === undefined) return;
        if (w.set.specChangedAt > w.cause || inRange(w.set.obj, w.ordinal)) return;
        for (const { claim } of claimsOfOrdinal(w.set.obj, w.ordinal)) {
          const c = ctx.world.store.get('PersistentVolumeClaim', w.set.namespace, claim);
          if (c === undefined) continue;
          // Changed after the cause by someone else (e.g. the GC orphaning it for a set deleted meanwhile) or by
          // the controller's own earlier sync, whose write its informer may not have delivered yet: the
          // controller planned on the claim as it was before (both found by the property suite). A change
          // made by this same sync (same cause) is judged.
          const changed = refsChanged.get(`${w.set.namespace}/${claim}`);
          if (changed !== undefined && changed.seq > w.cause && !(changed.actor === SS_ACTOR && changed.cause === w.cause)) continue;
          const problem = claimRefProblem(c, w.set.obj, w.before, w.ordinal);
          if (problem) ctx.report([e.seq, Number(c.metadata?.resourceVersion ?? 0)], `claim ${w.set.namespace}/${claim} of the condemned ${podLabel(w.pod)}, deleted by the controller at seq ${e.seq}, ${problem}`);
        }
      },
      quiet(seq: number): void {
        for (const uid of dirty) {
          const m = ctx.world.sets.get(uid);
          if (m !== undefined && settled(m)) judgeSet(m, seq);
        }
        dirty.clear();
      },
      finish(): void { /* judged at quiet points */ },
    };
  },
};

/**
 * L7 — claim freshness: under whenScaled=Delete the controller never creates a pod while one of its
 * claims still carries an owner reference to a previous incarnation of that pod name.
 */
export const l7Checker: CheckerDef = {
  id: 'L7',
  title: 'claim freshness: no pod created while its claim is owned by its previous incarnation',
  kinds: ['Pod'],
  inputs: false,
  create: (ctx) => ({
    id: 'L7',
    title: l7Checker.title,
    observe(e: Envelope, before: KObject | undefined): void {
      const w = podWriteOf(ctx.world, e, before);
      if (w === undefined || w.kind !== 'create' || w.ordinal < 0) return;
      if (policyOf(w.set.obj).whenScaled !== 'Delete' || w.set.specChangedAt > w.cause) return;
      const name = nameOf(w.pod), uid = uidOf(w.pod);
      for (const { claim } of claimsOfOrdinal(w.set.obj, w.ordinal)) {
        const c = ctx.world.store.get('PersistentVolumeClaim', w.set.namespace, claim);
        const stale = c?.metadata?.ownerReferences?.find((r) => r.kind === 'Pod' && r.name === name && r.uid !== uid);
        if (stale) {
          ctx.report([e.seq, Number(c!.metadata?.resourceVersion ?? 0)], `${podLabel(w.pod)} (uid ${shortUid(uid)}) created at seq ${e.seq} while its claim ${claim} still carries an owner reference to the previous incarnation (uid ${shortUid(stale.uid)}) and awaits garbage collection (whenScaled=Delete): the new pod would get the old data`);
        }
      }
    },
    finish(): void { /* judged per entry */ },
  }),
};

/** The set whose claim template produced a claim name (`<template>-<set>-<k>`), among the known sets of the namespace. */
const setOfClaim = (world: World, namespace: string, claim: string): SetModel | undefined => {
  const { parent, ordinal } = parseMemberName(claim);
  if (ordinal < 0) return undefined;
  for (const m of world.setsByName.values()) {
    if (m.namespace !== namespace || !parent.endsWith(`-${m.name}`)) continue;
    const tpl = parent.slice(0, parent.length - m.name.length - 1);
    if (templateNames(m.obj).includes(tpl)) return m;
  }
  return undefined;
};

/**
 * L8 — a deleting set is inert: once a StatefulSet has a deletionTimestamp, the controller writes
 * nothing for it but its status and its revision bookkeeping (SSC UpdateStatefulSet computes and
 * truncates revisions around its deletion check) — no pod or claim creates, updates or deletes. Writes planned on a snapshot from before the deletion (cause < deletion) are
 * not judged.
 */
export const l8Checker: CheckerDef = {
  id: 'L8',
  title: 'a deleting StatefulSet is inert (status writes only)',
  kinds: ['*'],
  inputs: false,
  create: (ctx) => ({
    id: 'L8',
    title: l8Checker.title,
    observe(e: Envelope, before: KObject | undefined): void {
      if (e.actor !== SS_ACTOR) return;
      const o = e.object!;
      const kind = o.kind as string;
      // Status writes, and revision bookkeeping: SSC UpdateStatefulSet lists, creates and truncates
      // revisions (getStatefulSetRevisions, truncateHistory) around its deletion check.
      if (kind === 'Event' || kind === 'ControllerRevision' || (kind === 'StatefulSet' && e.op === 'update/status')) return;
      const w = ctx.world;
      let m: SetModel | undefined;
      if (kind === 'Pod') m = w.setOf(o as Pod) ?? w.setOf(before as Pod | undefined) ?? w.setByPodName(nsOf(o), nameOf(o));
      else if (kind === 'PersistentVolumeClaim') m = setOfClaim(w, nsOf(o), nameOf(o));
      else if (kind === 'StatefulSet') m = w.sets.get(uidOf(o));
      if (m === undefined || m.terminatingAt < 0 || causeOf(w, e) < m.terminatingAt) return;
      ctx.report([e.seq, m.terminatingAt], `the StatefulSet controller wrote ${e.op ?? e.type} ${kind} ${nsOf(o)}/${nameOf(o)} at seq ${e.seq} (cause ${String(e.cause)}) for ${setLabel(m)}, which has been deleting since seq ${m.terminatingAt}: a deleting set only gets status writes`);
    },
    finish(): void { /* judged per entry */ },
  }),
};

interface Use { uid: string; pod: string; seq: number; gone?: { seq: number; why: string } }

/**
 * CLAIM — a StatefulSet pod keeps its data: pod `<set>-<k>` mounts only its own claims
 * `<template>-<set>-<k>` (never another ordinal's), and a re-created pod runs on the same claim (same
 * uid) as its previous incarnation unless that claim was deleted legitimately in between (by a user,
 * or by the garbage collector through a retention owner reference).
 */
export const claimChecker: CheckerDef = {
  id: 'CLAIM',
  title: 'a StatefulSet identity keeps its claim: own claims only, same claim uid across incarnations',
  kinds: ['Pod', 'PersistentVolumeClaim'],
  inputs: false,
  create: (ctx) => {
    const used = new Map<string, Use>();
    const deletions = new Map<string, { legit: boolean; seq: number; why: string }>();
    return {
      id: 'CLAIM',
      title: claimChecker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        const o = e.object!;
        if (o.kind === 'PersistentVolumeClaim') {
          const uid = uidOf(o);
          if (isDeletionRequest(e, before)) {
            const v = judgeClaimDeletion(ctx.world, e.actor, (before ?? o) as PersistentVolumeClaim);
            deletions.set(uid, { legit: v.legit, seq: e.seq, why: v.why });
          }
          if (e.type !== 'DELETED') return;
          const d = deletions.get(uid) ?? { legit: false, seq: e.seq, why: `removed by ${e.actor} without a deletion request` };
          deletions.delete(uid);
          const key = `${nsOf(o)}/${nameOf(o)}`;
          const u = used.get(key);
          if (u === undefined || u.uid !== uid) return;
          if (d.legit) used.delete(key);
          else u.gone = { seq: d.seq, why: d.why };
          return;
        }
        if (e.type === 'DELETED') return;
        const pod = o as Pod;
        const m = ctx.world.setOf(pod);
        if (m === undefined) return;
        const { parent, ordinal } = parseMemberName(nameOf(pod));
        if (parent !== m.name || ordinal < 0) return;
        if (e.type === 'ADDED' || e.op === 'update' || e.op === 'patch') {
          for (const v of pod.spec?.volumes ?? []) {
            const cn = v.persistentVolumeClaim?.claimName;
            if (cn === undefined) continue;
            const owner = setOfClaim(ctx.world, m.namespace, cn);
            const j = parseMemberName(cn).ordinal;
            if (owner === m && j !== ordinal) {
              ctx.report([e.seq], `${podLabel(pod)} (ordinal ${ordinal}) mounts claim ${cn} of ordinal ${j} at seq ${e.seq}: a pod mounts only its own claims`);
            }
          }
        }
        if (!containersRunning(pod) || (before !== undefined && containersRunning(before as Pod))) return;
        for (const { claim } of claimsOfOrdinal(m.obj, ordinal)) {
          const c = ctx.world.store.get('PersistentVolumeClaim', m.namespace, claim);
          if (c === undefined) continue;
          const key = `${m.namespace}/${claim}`;
          const u = used.get(key);
          const uid = uidOf(c);
          if (u !== undefined && u.uid !== uid && u.gone !== undefined) {
            ctx.report([e.seq, u.seq, u.gone.seq], `${podLabel(pod)} runs at seq ${e.seq} on a new claim ${key} (uid ${shortUid(uid)}), but its previous incarnation ran on claim uid ${shortUid(u.uid)} (at seq ${u.seq}), which was deleted at seq ${u.gone.seq} (${u.gone.why}): the identity lost its data`);
          }
          if (u === undefined || u.uid !== uid) used.set(key, { uid, pod: uidOf(pod), seq: e.seq });
        }
      },
      finish(): void { /* judged per entry */ },
    };
  },
};
