import { isTerminal, type KObject, type Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import { RS_ACTOR, nameOf, nsOf, shortUid, uidOf } from '../model.js';
import { causeOf } from './writes.js';

/**
 * L10 — ReplicaSet no-overshoot: a pod the ReplicaSet controller creates never brings the set's active
 * (not terminal, not terminating) pods above spec.replicas as the controller saw it (expectations
 * keep it from double-creating), and a replacement always has a new name (never that of a pod that
 * still exists, e.g. a terminating one).
 *
 * A create whose response was lost (an `api-drop` fault on the responses of the ReplicaSet controller)
 * looked failed to the controller: [RS manageReplicas] then lowers its expectations ("the informer won't
 * observe this pod"), and until its informer delivers the pod a later sync does not count it — as in
 * Kubernetes (found by the property suite). Such pods, created after a write's cause, do not count
 * against it. The fault names how many responses go missing, not which: the controller's next object
 * writes in the log are taken for them (a refused request would consume one without an entry, so this
 * errs towards excusing).
 */
export const l10Checker: CheckerDef = {
  id: 'L10',
  title: 'ReplicaSet no-overshoot: active pods ≤ spec.replicas after each creation; fresh names',
  kinds: ['Pod', 'ReplicaSet'],
  inputs: true,
  create: (ctx) => {
    /** Responses of the ReplicaSet controller's next writes that a fault drops. */
    let lostResponses = 0;
    /** Pods whose create response was lost: uid → {seq of their ADDED, namespace/name}. */
    const unacked = new Map<string, { seq: number; ns: string; name: string }>();
    /** Pods of `rs` the controller may not know of at a snapshot from `cause` on. */
    const unknownSince = (rsUid: string, cause: number): number => {
      let n = 0;
      for (const [uid, u] of unacked) {
        if (u.seq <= cause) continue;
        const p = ctx.world.store.get('Pod', u.ns, u.name) as Pod | undefined;
        if (p === undefined || uidOf(p) !== uid || ctx.world.rsOf(p)?.uid !== rsUid) continue;
        if (!isTerminal(p) && p.metadata?.deletionTimestamp === undefined) n++;
      }
      return n;
    };
    return {
      id: 'L10',
      title: l10Checker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        if (e.object === undefined) {
          const d = e.data as { fault?: unknown; component?: unknown; where?: unknown; count?: unknown } | undefined;
          if (e.type === 'FAULT' && d?.fault === 'api-drop' && d.component === RS_ACTOR && d.where === 'response' && typeof d.count === 'number') lostResponses += d.count;
          return;
        }
        if (e.type === 'DELETED' && e.object.kind === 'Pod') unacked.delete(uidOf(e.object));
        if (e.actor !== RS_ACTOR) return;
        if (lostResponses > 0) {
          lostResponses--;
          if (e.type === 'ADDED' && e.object.kind === 'Pod') {
            unacked.set(uidOf(e.object), { seq: e.seq, ns: nsOf(e.object), name: nameOf(e.object) });
            if (unacked.size > 10_000) unacked.delete(unacked.keys().next().value!);
          }
        }
        if (e.type !== 'ADDED' || e.object.kind !== 'Pod') return;
        const p = e.object as Pod;
        const key = `${nsOf(p)}/${nameOf(p)}`;
        if (before !== undefined) {
          ctx.report([e.seq, Number(before.metadata?.resourceVersion ?? 0)], `the ReplicaSet controller created pod ${key} at seq ${e.seq} while a pod of that name (uid ${shortUid(uidOf(before))}) still existed: a replacement gets a new name`);
        }
        const rs = ctx.world.rsOf(p);
        const cause = causeOf(ctx.world, e);
        if (rs === undefined || cause < 0) return;
        const allowed = rs.maxReplicasSince(cause);
        if (allowed !== undefined && rs.active > allowed && rs.active - unknownSince(rs.uid, cause) > allowed) {
          ctx.report([e.seq, cause], `the ReplicaSet controller created pod ${key} at seq ${e.seq} (cause ${cause}), bringing replicaset ${nsOf(rs.obj)}/${nameOf(rs.obj)} to ${rs.active} active pods, more than spec.replicas=${allowed}`);
        }
      },
      finish(): void { /* judged per entry */ },
    };
  },
};
