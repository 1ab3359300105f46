import { parseTimestamp } from './meta.js';
import type { Pod } from './types.js';

/** The parts of a `kubectl get pods` row that come from the pod alone (see printPod). */
export interface PodPrint {
  readonly reason: string;
  readonly readyContainers: number;
  readonly totalContainers: number;
  readonly restarts: number;
  readonly lastRestartMs: number | undefined;
}

type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

/** Go's `lastRestartDate.Before(&finishedAt)` bookkeeping; undefined is the zero time. */
const later = (a: number | undefined, b: number | undefined): number | undefined =>
  b === undefined ? a : a === undefined || a < b ? b : a;

/** A timestamp in ms; undefined when absent or unparseable (Go's zero time). */
const ms = (t: string | undefined | null): number | undefined => {
  if (t === undefined || t === null || t === '') return undefined;
  const v = parseTimestamp(t);
  return v === undefined || Number.isNaN(v) ? undefined : v;
};

const finishedAt = (c: ContainerStatus): number | undefined => ms(c.lastState?.terminated?.finishedAt);

/**
 * What `kubectl get pods` prints for a pod (pkg/printers/internalversion printPod, 1.35): the STATUS
 * reason (`Running`, `ContainerCreating`, `Init:0/2`, `Init:CrashLoopBackOff`, `CrashLoopBackOff`,
 * `Completed`, `NotReady`, `Terminating`, `Unknown`, …), the ready and total containers of READY (sidecars
 * count), and the restarts of RESTARTS with the time of the last one (ms; undefined: none known).
 */
export const printPod = (pod: Pod): PodPrint => {
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
    let errorReason = '';
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
      } else if (term) {
        reason = term.reason ? term.reason : term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
        if ((term.exitCode ?? 0) !== 0) errorReason = reason;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // Back to Running if at least one container still runs and the pod is Ready; a container that
    // failed beside one that completed shows its error (1.35).
    if (reason === 'Completed') {
      const podReady = (status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      if (hasRunning && podReady) reason = 'Running';
      else if (errorReason !== '') reason = errorReason;
      else if (hasRunning) reason = 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status?.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (pod.metadata?.deletionTimestamp && phase !== 'Failed' && phase !== 'Succeeded') {
    reason = 'Terminating';
  }

  return { reason, readyContainers, totalContainers, restarts, lastRestartMs: lastRestart };
};
