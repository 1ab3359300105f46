import type { KObject } from '@kubesim/api';
import { diffValues, type FieldChange } from '@kubesim/log';
import { refKey, refOf, type ObjectRef } from './history.js';

/** The difference between two cluster states (e.g. the final states of two runs). */
export interface StateDiff {
  readonly onlyInA: readonly ObjectRef[];
  readonly onlyInB: readonly ObjectRef[];
  /** Objects in both whose content differs, with the differing fields. */
  readonly changed: readonly { readonly ref: ObjectRef; readonly changes: readonly FieldChange[] }[];
}

export interface StateDiffOptions {
  /**
   * Leave out identity and clock noise that differs between any two runs: fields named `uid`,
   * `resourceVersion`, `creationTimestamp`, and any field whose name ends in `Time`, `Timestamp` or `At`
   * (deletionTimestamp, lastTransitionTime, startTime, startedAt, ...).
   */
  readonly ignoreMeta?: boolean;
}

/** Whether a change is identity/clock noise as `ignoreMeta` defines it. */
export const isMetaNoise = (c: FieldChange): boolean => {
  const last = c.path[c.path.length - 1];
  return typeof last === 'string' && (last === 'uid' || last === 'resourceVersion' || /(Time|Timestamp|At)$/.test(last));
};

const byRef = (objects: Iterable<KObject>): Map<string, KObject> => {
  const m = new Map<string, KObject>();
  for (const o of objects) m.set(refKey(refOf(o)), o);
  return m;
};

/** Compare two sets of objects by kind/namespace/name (e.g. `ObjectStore.allObjects()` of two folds). */
export const diffStates = (a: Iterable<KObject>, b: Iterable<KObject>, opts: StateDiffOptions = {}): StateDiff => {
  const ma = byRef(a);
  const mb = byRef(b);
  const onlyInA: ObjectRef[] = [];
  const onlyInB: ObjectRef[] = [];
  const changed: { ref: ObjectRef; changes: FieldChange[] }[] = [];
  for (const [k, oa] of [...ma].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const ob = mb.get(k);
    if (ob === undefined) { onlyInA.push(refOf(oa)); continue; }
    let changes = diffValues(oa, ob);
    if (opts.ignoreMeta) changes = changes.filter((c) => !isMetaNoise(c));
    if (changes.length > 0) changed.push({ ref: refOf(oa), changes });
  }
  for (const [k, ob] of [...mb].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) if (!ma.has(k)) onlyInB.push(refOf(ob));
  return { onlyInA, onlyInB, changed };
};

export const isEmptyStateDiff = (d: StateDiff): boolean =>
  d.onlyInA.length === 0 && d.onlyInB.length === 0 && d.changed.length === 0;
