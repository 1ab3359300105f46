import { isAvailable, isPodReady, parseTimestamp, podReadyCondition, timestamp, type Pod, type ReplicaSet } from '@kubesim/api';

type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;
type ReplicaSetCondition = NonNullable<ReplicaSetStatus['conditions']>[number];

/** ReplicaSet status (k8s-semantics §2.5) [RS calculateStatus, updateReplicaSetStatus]. */

export const REPLICA_FAILURE = 'ReplicaFailure';

/** What manageReplicas ended with: the error message and whether it was creating or deleting. */
export interface ManageError {
  readonly reason: 'FailedCreate' | 'FailedDelete' | '';
  readonly message: string;
}

export interface Counts {
  readonly replicas: number;
  readonly fullyLabeledReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
}

export const countPods = (rs: ReplicaSet, active: readonly Pod[], nowMs: number): Counts => {
  const tmpl = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
  const mrs = rs.spec?.minReadySeconds ?? 0;
  let fully = 0, ready = 0, available = 0;
  for (const p of active) {
    const l = p.metadata?.labels ?? {};
    if (tmpl.every(([k, v]) => l[k] === v)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isAvailable(p, mrs, nowMs)) available++;
    }
  }
  return { replicas: active.length, fullyLabeledReplicas: fully, readyReplicas: ready, availableReplicas: available };
};

/**
 * [RS calculateStatus]: start from the current status, set the counters and observedGeneration; add
 * ReplicaFailure (True, reason, message = the error, lastTransitionTime now) when manageReplicas failed
 * and the condition is absent — an existing one is kept as it is —, remove it when manageReplicas did
 * not fail. Zero counters are omitted as the API's `omitempty` does (except `replicas`).
 */
export const calculateStatus = (rs: ReplicaSet, counts: Counts, manageErr: ManageError | undefined, nowMs: number): ReplicaSetStatus => {
  const { replicas: _r, fullyLabeledReplicas: _f, readyReplicas: _rd, availableReplicas: _a, observedGeneration: _g, conditions: oldConds, ...rest } =
    rs.status ?? { replicas: 0 };
  let conditions = oldConds;
  const has = (oldConds ?? []).some((c) => c.type === REPLICA_FAILURE);
  if (manageErr && !has) {
    const c: ReplicaSetCondition = {
      type: REPLICA_FAILURE, status: 'True', lastTransitionTime: timestamp(nowMs), reason: manageErr.reason, message: manageErr.message,
    };
    conditions = [...(oldConds ?? []), c];
  } else if (!manageErr && has) {
    conditions = (oldConds ?? []).filter((c) => c.type !== REPLICA_FAILURE);
  }
  const gen = rs.metadata?.generation;
  return {
    ...rest,
    replicas: counts.replicas,
    ...(counts.fullyLabeledReplicas ? { fullyLabeledReplicas: counts.fullyLabeledReplicas } : {}),
    ...(counts.readyReplicas ? { readyReplicas: counts.readyReplicas } : {}),
    ...(counts.availableReplicas ? { availableReplicas: counts.availableReplicas } : {}),
    ...(gen ? { observedGeneration: gen } : {}),
    ...(conditions && conditions.length > 0 ? { conditions } : {}),
  };
};

const sameConditions = (a: readonly ReplicaSetCondition[] | undefined, b: readonly ReplicaSetCondition[] | undefined): boolean => {
  if (a === b) return true;
  const x = a ?? [], y = b ?? [];
  if (x.length !== y.length) return false;
  return x.every((c, i) => {
    const d = y[i]!;
    return c.type === d.type && c.status === d.status && c.reason === d.reason && c.message === d.message && c.lastTransitionTime === d.lastTransitionTime;
  });
};

/** [RS updateReplicaSetStatus]: nothing to write when counters, conditions and observedGeneration already match. */
export const statusUpToDate = (rs: ReplicaSet, s: ReplicaSetStatus): boolean => {
  const o = rs.status;
  return (o?.replicas ?? 0) === s.replicas
    && (o?.fullyLabeledReplicas ?? 0) === (s.fullyLabeledReplicas ?? 0)
    && (o?.readyReplicas ?? 0) === (s.readyReplicas ?? 0)
    && (o?.availableReplicas ?? 0) === (s.availableReplicas ?? 0)
    && (rs.metadata?.generation ?? 0) === (o?.observedGeneration ?? 0)
    && sameConditions(o?.conditions, s.conditions);
};

/**
 * When to sync again for availability (minReadySeconds > 0):
 * - [RS syncReplicaSet] all desired pods ready but not all available → after minReadySeconds;
 * - [RS updatePod] a pod that turned Ready is re-enqueued minReadySeconds + 1 s after the transition; the
 *   handler cannot delay a key, so the sync asks for it: the earliest such moment still ahead.
 * The earliest of the two; undefined when neither applies.
 */
export const availabilityRequeueMs = (rs: ReplicaSet, active: readonly Pod[], counts: Counts, nowMs: number): number | undefined => {
  const mrs = rs.spec?.minReadySeconds ?? 0;
  if (mrs <= 0) return undefined;
  const want = rs.spec?.replicas ?? 1;
  let best = counts.readyReplicas === want && counts.availableReplicas !== want ? mrs * 1000 : undefined;
  for (const p of active) {
    if (!isPodReady(p) || isAvailable(p, mrs, nowMs)) continue;
    const t = parseTimestamp(podReadyCondition(p)?.lastTransitionTime);
    if (t === undefined) continue;
    const wait = t + mrs * 1000 + 1000 - nowMs;
    if (wait > 0 && (best === undefined || wait < best)) best = wait;
  }
  return best;
};
