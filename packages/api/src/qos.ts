import { parseQuotaAmount } from './quota.js';
import type { Pod } from './types.js';

export type PodQOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'] as const;

/**
 * The pod's quality-of-service class ([qos ComputePodQOS], written by the API server into `status.qosClass`
 * when a pod is created and shown by `kubectl describe pod`): over its containers and init containers, the
 * positive cpu and memory requests and limits summed per resource; none at all → BestEffort; every
 * container limiting both cpu and memory, and the summed requests equal to the summed limits → Guaranteed;
 * otherwise Burstable. Run on the defaulted pod (a limit without a request has become the request).
 */
export const podQOS = (pod: Pod): PodQOSClass => {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of containers) {
    const req = c.resources?.requests as Readonly<Record<string, string | number>> | undefined;
    const lim = c.resources?.limits as Readonly<Record<string, string | number>> | undefined;
    let limited = 0;
    for (const r of QOS_RESOURCES) {
      // Whole millicores and bytes (the quota amounts), so that sums compare exactly.
      const q = parseQuotaAmount(r, req?.[r]);
      if (q !== undefined && q > 0) requests.set(r, (requests.get(r) ?? 0) + q);
      const l = parseQuotaAmount(r, lim?.[r]);
      if (l !== undefined && l > 0) { limits.set(r, (limits.get(r) ?? 0) + l); limited++; }
    }
    if (limited < QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [r, q] of requests) if (limits.get(r) !== q) { guaranteed = false; break; }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
};
