import type { Pod } from '@kubesim/api';
import { ageOf, virtualMs } from './age.js';

/** The READY, STATUS and RESTARTS cells of `kubectl get pods` (pkg/printers/internalversion printPod). */
export interface PodSummary {
  readonly ready: string;
  readonly status: string;
  readonly restarts: string;
}

type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

/** Go's `lastRestartDate.Before(&finishedAt)` bookkeeping; undefined is the zero time. */
const later = (a: number | undefined, b: number | undefined): number | undefined =>
  b === undefined ? a : a === undefined || a < b ? b : a;

const finishedAt = (c: ContainerStatus): number | undefined => virtualMs(c.lastState?.terminated?.finishedAt);

export const summarizePod = (pod: Pod, nowMs: number): PodSummary => {
  const spec = pod.spec;
  const status = pod.status;
  const phase = status?.phase ?? '';
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = spec?.containers?.length ?? 0;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;

  let reason = status?.reason ? status.reason : phase;
  for (const c of status?.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = spec?.initContainers ?? [];
  const restartable = new Set<string>();
  for (const ic of initSpecs) {
    if (ic.restartPolicy === 'Always') {
      restartable.add(ic.name);
      totalContainers++;
    }
  }

  let initializing = false;
  const initStatuses = status?.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, finishedAt(c));
    const isRestartable = restartable.has(c.name);
    if (isRestartable) {
      restartableInitRestarts += c.restartCount ?? 0;
      lastRestartableInitRestart = later(lastRestartableInitRestart, finishedAt(c));
    }
    const term = c.state?.terminated;
    const wait = c.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (isRestartable && c.started === true) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (term) {
      // initialization failed
      if (!term.reason) {
        reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      } else {
        reason = `Init:${term.reason}`;
      }
    } else if (wait?.reason && wait.reason !== 'PodInitializing') {
      reason = `Init:${wait.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = (status?.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = status?.containerStatuses ?? [];
    // Walked from the last container to the first: the first container's reason wins.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, finishedAt(c));
      const term = c.state?.terminated;
      const wait = c.state?.waiting;
      if (wait?.reason) {
        reason = wait.reason;
      } else if (term?.reason) {
        reason = term.reason;
      } else if (term) {
        reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // back to Running if at least one container still reports Running
    if (reason === 'Completed' && hasRunning) {
      const podReady = (status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status?.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (pod.metadata?.deletionTimestamp && phase !== 'Failed' && phase !== 'Succeeded') {
    reason = 'Terminating';
  }

  const restartsCell = restarts !== 0 && lastRestart !== undefined
    ? `${restarts} (${ageOf(lastRestart, nowMs)} ago)`
    : String(restarts);
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsCell };
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
