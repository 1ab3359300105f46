/** PodDisruptionBudget helpers shared by the API server's eviction handler and the disruption controller. */
import { timestamp } from './meta.js';
import type { PodDisruptionBudget } from './types.js';

export type PdbStatus = NonNullable<PodDisruptionBudget['status']>;

/** DisruptionAllowedCondition and its reasons (policy/v1). */
export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SYNC_FAILED_REASON = 'SyncFailed';
export const SUFFICIENT_PODS_REASON = 'SufficientPods';
export const INSUFFICIENT_PODS_REASON = 'InsufficientPods';

/**
 * [apimeta.SetStatusCondition] of DisruptionAllowed: replaced or appended; the transition time moves when
 * the status changes. Without `failure`: [pdbhelper.UpdateDisruptionAllowedCondition] (True/SufficientPods
 * when disruptions are allowed, else False/InsufficientPods); with it: False/SyncFailed and its message.
 */
export const withDisruptionAllowed = (status: PdbStatus, now: number, failure?: string): PdbStatus => {
  const allowed = failure === undefined && status.disruptionsAllowed > 0;
  const cond = {
    type: DISRUPTION_ALLOWED, status: allowed ? 'True' : 'False',
    reason: failure !== undefined ? SYNC_FAILED_REASON : allowed ? SUFFICIENT_PODS_REASON : INSUFFICIENT_PODS_REASON,
    message: failure ?? '', observedGeneration: status.observedGeneration ?? 0,
  };
  const list = status.conditions ?? [];
  const old = list.find((c) => c.type === DISRUPTION_ALLOWED);
  const next = { ...cond, lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : timestamp(now) };
  return { ...status, conditions: old ? list.map((c) => (c.type === DISRUPTION_ALLOWED ? next : c)) : [...list, next] };
};

/** [pdbhelper.ConditionsAreUpToDate]: the condition says what the counters say, for this generation. */
export const pdbConditionsUpToDate = (pdb: PodDisruptionBudget): boolean => {
  const st = pdb.status;
  const cond = st?.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  if (!st || !cond || (st.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  return st.disruptionsAllowed > 0 ? cond.status === 'True' && cond.reason === SUFFICIENT_PODS_REASON
    : cond.status === 'False' && cond.reason === INSUFFICIENT_PODS_REASON;
};

/** [intstr.GetScaledValueFromIntOrPercent]: an int as is, a percentage of `total` (rounded up or down). */
export const scaledIntOrPercent = (v: number | string, total: number, roundUp: boolean): number => {
  if (typeof v === 'number') return v;
  const pct = Number.parseInt(v.slice(0, -1), 10);
  return roundUp ? Math.ceil((pct * total) / 100) : Math.floor((pct * total) / 100);
};
