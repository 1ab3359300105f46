import { isAvailable, type KObject } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { CheckContext, CheckerDef } from '../types.js';
import { inRange, isParallel, minReadySecondsOf, replicasOf, startOf } from '../model.js';
import { claimsOfOrdinal, identityProblem, podLabel, podWriteOf, setLabel, storageProblem, type PodWrite } from './writes.js';

/**
 * K1 (OrderedReady) and K2 (Parallel): `assertMonotonicInvariants` / `assertBurstInvariants` of
 * stateful_set_control_test.go, read as rules about each pod the controller creates or repairs:
 * identity (K1.5) and storage (K1.3) match, the pod's claims exist when it is created (K2; the
 * controller creates them first, in the same sync), the ordinal is in range, and for OrderedReady no
 * ordinal below it is missing (K1.1) and its predecessor is Running, Ready and available (K1.2) in the
 * controller's snapshot — some seq in [cause, create).
 */
const judge = (ctx: CheckContext, id: 'K1' | 'K2', e: Envelope, w: PodWrite): void => {
  const set = w.set.obj;
  const seq = e.seq;
  const who = podLabel(w.pod);
  const idp = identityProblem(set, w.pod, w.ordinal);
  if (idp) ctx.report([seq], `${who} written by the controller at seq ${seq}: identity does not match ${setLabel(w.set)}: ${idp}`);
  const sp = storageProblem(set, w.pod, w.ordinal);
  if (sp) ctx.report([seq], `${who} written by the controller at seq ${seq}: storage does not match the claim templates of ${setLabel(w.set)}: ${sp}`);
  if (w.kind !== 'create' || w.ordinal < 0) return;
  const k = w.ordinal;
  if (!inRange(set, k)) {
    if (w.set.rangeChangedAt <= w.cause) {
      ctx.report([seq, w.cause], `${who} created at seq ${seq} (cause ${w.cause}), but ordinal ${k} is outside the range [${startOf(set)}, ${startOf(set) + replicasOf(set)}) of ${setLabel(w.set)}`);
    }
    return;
  }
  const ns = w.set.namespace;
  for (const { claim } of claimsOfOrdinal(set, k)) {
    if (ctx.world.store.get('PersistentVolumeClaim', ns, claim) !== undefined) continue;
    const gone = ctx.world.claimGoneAt.get(`${ns}/${claim}`);
    if (gone !== undefined && gone > w.cause) continue;
    ctx.report([seq, w.cause], `${who} created at seq ${seq} (cause ${w.cause}) while its claim ${claim} did not exist${gone !== undefined ? ` (deleted at seq ${gone})` : ''}; the controller creates the claims before the pod`);
  }
  if (id !== 'K1') return;
  const m = w.set;
  const start = startOf(set);
  // K1.1 no gaps: fast path — the new pod is the highest and every in-range ordinal below it is there.
  if (!(m.maxOrdinal === k && m.inRangeMembers - 1 === k - start)) {
    const missing: number[] = [];
    for (let j = start; j < k && missing.length < 5; j++) if (!m.existedInWindow(j, w.cause)) missing.push(j);
    if (missing.length > 0) {
      ctx.report([seq, w.cause], `${who} created at seq ${seq} (cause ${w.cause}) while ${missing.map((j) => `${m.name}-${j}`).join(', ')} did not exist: OrderedReady creates ordinals without gaps, lowest first`);
    }
  }
  // K1.2 predecessor Running and Ready (and available) in the controller's snapshot.
  if (k > start) {
    const prev = m.slots.get(k - 1);
    const pname = `${m.name}-${k - 1}`;
    if (!m.healthyInWindow(k - 1, w.cause)) {
      const state = prev?.pod === undefined ? 'did not exist' : 'was not Running and Ready (or was terminating)';
      ctx.report([seq, w.cause], `${who} created at seq ${seq} (cause ${w.cause}) while its predecessor ${pname} ${state} at any point since seq ${w.cause}: OrderedReady creates ordinal ${k} only after ${k - 1} is Running and Ready`);
    } else if (prev?.healthy === true && prev.pod !== undefined) {
      const mrs = minReadySecondsOf(set);
      if (mrs > 0 && !isAvailable(prev.pod, mrs, e.time)) {
        ctx.report([seq, w.cause], `${who} created at seq ${seq} while its predecessor ${pname} had not been Ready for minReadySeconds=${mrs} (not available)`);
      }
    }
  }
};

const creationChecker = (id: 'K1' | 'K2', title: string, parallel: boolean): CheckerDef => ({
  id,
  title,
  kinds: ['Pod'],
  inputs: false,
  create: (ctx) => ({
    id,
    title,
    observe(e: Envelope, before: KObject | undefined): void {
      const w = podWriteOf(ctx.world, e, before);
      if (w === undefined || e.type === 'DELETED' || isParallel(w.set.obj) !== parallel) return;
      if (w.kind !== 'create' && w.kind !== 'update') return;
      judge(ctx, id, e, w);
    },
    finish(): void { /* judged per entry */ },
  }),
});

export const k1Checker = creationChecker('K1', 'monotonic invariants (OrderedReady): no gaps, predecessor Running+Ready, identity, storage, claims exist', false);
export const k2Checker = creationChecker('K2', 'burst invariants (Parallel): identity, storage, claims of a created pod exist', true);
