import type { ReplicaSetLocal, RsExpectations } from './types.js';

/**
 * Expectations (k8s-semantics §2.4) as immutable values. Every function returns the same map when
 * nothing changes, so the informer path (`observe`) allocates only for pods of a ReplicaSet that is
 * actually waiting.
 */

const EMPTY_KEYS: ReadonlySet<string> = new Set();

const withRecord = (local: ReplicaSetLocal, key: string, rec: RsExpectations): ReplicaSetLocal => {
  const m = new Map(local);
  m.set(key, rec);
  return m;
};

/** [CU SatisfiedExpectations]: no record, or fulfilled (add ≤ 0 and del ≤ 0), or expired. */
export const expectationsSatisfied = (local: ReplicaSetLocal, key: string, nowMs: number, timeoutMs: number): boolean => {
  const r = local.get(key);
  if (!r) return true;
  if (r.add <= 0 && r.del.size === 0) return true;
  return nowMs - r.timestampMs > timeoutMs;
};

/** [CU ExpectCreations]: a fresh record expecting `n` creations. */
export const expectCreations = (local: ReplicaSetLocal, key: string, uid: string, n: number, nowMs: number): ReplicaSetLocal =>
  withRecord(local, key, { uid, add: n, del: EMPTY_KEYS, timestampMs: nowMs });

/** [CU UIDTrackingControllerExpectations.ExpectDeletions]: a fresh record expecting these pod keys to go. */
export const expectDeletions = (local: ReplicaSetLocal, key: string, uid: string, podKeys: readonly string[], nowMs: number): ReplicaSetLocal =>
  withRecord(local, key, { uid, add: 0, del: new Set(podKeys), timestampMs: nowMs });

/** [CU CreationObserved]: lower `add` by `n` (no record: nothing). `uid`, when given, must match the record. */
export const creationObserved = (local: ReplicaSetLocal, key: string, n = 1, uid?: string): ReplicaSetLocal => {
  const r = local.get(key);
  if (!r || n === 0 || (uid !== undefined && r.uid !== uid)) return local;
  return withRecord(local, key, { ...r, add: r.add - n });
};

/** [CU UIDTrackingControllerExpectations.DeletionObserved]: forget a tracked pod key (untracked keys: nothing). */
export const deletionObserved = (local: ReplicaSetLocal, key: string, podKeys: readonly string[], uid?: string): ReplicaSetLocal => {
  const r = local.get(key);
  if (!r || (uid !== undefined && r.uid !== uid)) return local;
  let del: Set<string> | undefined;
  for (const k of podKeys) {
    if (!(del ?? r.del).has(k)) continue;
    del ??= new Set(r.del);
    del.delete(k);
  }
  return del ? withRecord(local, key, { ...r, del }) : local;
};

/** [CU DeleteExpectations]: the ReplicaSet is gone (or was re-created). */
export const dropExpectations = (local: ReplicaSetLocal, key: string): ReplicaSetLocal => {
  if (!local.has(key)) return local;
  const m = new Map(local);
  m.delete(key);
  return m;
};
