import { printPod, type Pod } from '@kubesim/api';
import { ageOf } from './age.js';

/** The READY, STATUS and RESTARTS cells of `kubectl get pods` (pkg/printers/internalversion printPod). */
export interface PodSummary {
  readonly ready: string;
  readonly status: string;
  readonly restarts: string;
}

export const summarizePod = (pod: Pod, nowMs: number): PodSummary => {
  const p = printPod(pod);
  const restartsCell = p.restarts !== 0 && p.lastRestartMs !== undefined
    ? `${p.restarts} (${ageOf(p.lastRestartMs, nowMs)} ago)`
    : String(p.restarts);
  return { ready: `${p.readyContainers}/${p.totalContainers}`, status: p.reason, restarts: restartsCell };
};

/** The READINESS GATES cell of `-o wide`: true gate conditions / gates, `<none>` without gates. */
export const readinessGates = (pod: Pod): string => {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let trueConditions = 0;
  for (const g of gates) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === g.conditionType);
    if (c?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
};
