import type { KObject } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import { nameOf, nsOf, shortUid, uidOf } from '../model.js';

const OBJECT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED']);
const INPUT_TYPES = new Set(['COMMAND', 'FAULT', 'COMPONENT']);

const what = (o: KObject): string => `${String(o.kind)} ${nsOf(o) ? `${nsOf(o)}/` : ''}${nameOf(o)}`;

/**
 * LOG — the log is well formed (docs/log-format.md): seqs start at 1 and are gap-free, times never go
 * back, every cause is an earlier entry, object entries carry their seq as resourceVersion, and
 * ADDED / MODIFIED / DELETED agree with what exists (no ADDED over a live object, no MODIFIED or
 * DELETED of a missing one, no uid change without a DELETED in between). Events are not stored, so
 * their existence is not checked.
 */
export const logChecker: CheckerDef = {
  id: 'LOG',
  title: 'log well-formedness (seq, time, cause, resourceVersion, ADDED/MODIFIED/DELETED)',
  kinds: ['*'],
  inputs: true,
  create: (ctx) => {
    let prevSeq = 0;
    let prevTime = 0;
    return {
      id: 'LOG',
      title: logChecker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        const seq = e.seq;
        if (seq !== prevSeq + 1) {
          ctx.report([seq], prevSeq === 0
            ? `the first entry has seq ${seq}; a log starts at seq 1`
            : `entry seq ${seq} follows seq ${prevSeq}; seqs must be gap-free and increasing`);
        }
        if (!Number.isFinite(e.time) || e.time < prevTime) {
          ctx.report([seq], `seq ${seq} has time ${String(e.time)} ms, before the ${prevTime} ms of seq ${prevSeq}; virtual time never goes back`);
        }
        if (e.cause !== null && (!Number.isInteger(e.cause) || e.cause < 1 || e.cause >= seq)) {
          ctx.report([seq], `seq ${seq} names cause ${String(e.cause)}, which is not an earlier entry of the log`);
        }
        if (typeof e.actor !== 'string' || e.actor === '') ctx.report([seq], `seq ${seq} has no actor`);
        prevSeq = seq;
        if (Number.isFinite(e.time) && e.time > prevTime) prevTime = e.time;
        const o = e.object;
        if (INPUT_TYPES.has(e.type)) {
          if (o !== undefined) ctx.report([seq], `seq ${seq} is a ${e.type} entry but carries an object (${what(o)})`);
          return;
        }
        if (!OBJECT_TYPES.has(e.type)) { ctx.report([seq], `seq ${seq} has the unknown type ${String(e.type)}`); return; }
        if (o === undefined) { ctx.report([seq], `seq ${seq} is ${e.type} but carries no object`); return; }
        if (typeof o.kind !== 'string' || nameOf(o) === '') { ctx.report([seq], `seq ${seq} is ${e.type} of an object without kind or name`); return; }
        const rv = o.metadata?.resourceVersion;
        if (rv !== String(seq)) ctx.report([seq], `seq ${seq} (${e.type} ${what(o)}) carries resourceVersion ${String(rv)}; the log stamps the seq into the object`);
        if (!ctx.world.store.watches(o.kind)) return;
        if (e.type === 'ADDED') {
          if (before !== undefined) {
            ctx.report([seq, Number(before.metadata?.resourceVersion ?? 0)], `seq ${seq} ADDED ${what(o)} (uid ${shortUid(uidOf(o))}) while it already exists (uid ${shortUid(uidOf(before))}, last written at seq ${String(before.metadata?.resourceVersion)}) and was never DELETED`);
          }
          return;
        }
        if (before === undefined) {
          ctx.report([seq], `seq ${seq} is ${e.type} of ${what(o)}, which does not exist at that point of the log`);
          return;
        }
        if (uidOf(before) !== uidOf(o)) {
          ctx.report([seq, Number(before.metadata?.resourceVersion ?? 0)], `seq ${seq} is ${e.type} of ${what(o)} with uid ${shortUid(uidOf(o))}, but the object that exists has uid ${shortUid(uidOf(before))} (last written at seq ${String(before.metadata?.resourceVersion)}); a new uid needs a DELETED and an ADDED`);
        }
      },
      finish(): void { /* nothing pending */ },
    };
  },
};
