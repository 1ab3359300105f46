import type { KObject, Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import { RS_ACTOR, nameOf, nsOf, shortUid, uidOf } from '../model.js';
import { causeOf } from './writes.js';

/**
 * L10 — ReplicaSet no-overshoot: a pod the ReplicaSet controller creates never brings the set's active
 * (not terminal, not terminating) pods above spec.replicas as the controller saw it (expectations
 * keep it from double-creating), and a replacement always has a new name (never that of a pod that
 * still exists, e.g. a terminating one).
 */
export const l10Checker: CheckerDef = {
  id: 'L10',
  title: 'ReplicaSet no-overshoot: active pods ≤ spec.replicas after each creation; fresh names',
  kinds: ['Pod'],
  inputs: false,
  create: (ctx) => ({
    id: 'L10',
    title: l10Checker.title,
    observe(e: Envelope, before: KObject | undefined): void {
      if (e.type !== 'ADDED' || e.actor !== RS_ACTOR) return;
      const p = e.object as Pod;
      const key = `${nsOf(p)}/${nameOf(p)}`;
      if (before !== undefined) {
        ctx.report([e.seq, Number(before.metadata?.resourceVersion ?? 0)], `the ReplicaSet controller created pod ${key} at seq ${e.seq} while a pod of that name (uid ${shortUid(uidOf(before))}) still existed: a replacement gets a new name`);
      }
      const rs = ctx.world.rsOf(p);
      const cause = causeOf(ctx.world, e);
      if (rs === undefined || cause < 0) return;
      const allowed = rs.maxReplicasSince(cause);
      if (allowed !== undefined && rs.active > allowed) {
        ctx.report([e.seq, cause], `the ReplicaSet controller created pod ${key} at seq ${e.seq} (cause ${cause}), bringing replicaset ${nsOf(rs.obj)}/${nameOf(rs.obj)} to ${rs.active} active pods, more than spec.replicas=${allowed}`);
      }
    },
    finish(): void { /* judged per entry */ },
  }),
};
