import { parseTimestamp, type Pod } from '@kubesim/api';
import type { ContainerStatus } from './status.js';

export type ContainerTerminated = NonNullable<NonNullable<ContainerStatus['state']>['terminated']>;
import type { CrashBackoff, CrashFault, KubeletLocal } from './types.js';

/**
 * Container crashes and the kubelet's crash-loop back-off ([kuberuntime doBackOff] with the kubelet's
 * `flowcontrol.Backoff`: 10 s initial, doubled up to 5 min, forgotten when two crashes are more than
 * twice the maximum apart). The pod's restartPolicy is Always (the only one a StatefulSet or ReplicaSet
 * allows), so a crashed container is restarted and the pod stays Running.
 */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** A container that ran this long (1 s) before it crashed again, by default. */
export const DEFAULT_CRASH_RUN_MS = 1_000;

/**
 * The back-off decision for a crash at `ts` (the container's finishedAt), from the entry of the previous
 * crash: whether the restart waits ([Backoff.IsInBackOffSince]) and how long, and the entry after the
 * restart ([Backoff.Next]: reset to the initial back-off when there was none or it had expired, else doubled);
 * `instance` is the restartCount of the crashed instance.
 */
export const backoffAt = (entry: CrashBackoff | undefined, ts: number, instance = 0): { waitMs: number; next: CrashBackoff } => {
  const live = entry !== undefined && ts - entry.lastUpdate <= 2 * BACKOFF_MAX_MS;
  const waitMs = live ? entry.ms : 0;
  const ms = live ? Math.min(2 * entry.ms, BACKOFF_MAX_MS) : BACKOFF_INITIAL_MS;
  return { waitMs, next: { ms, lastUpdate: ts, restartAt: ts + waitMs, instance } };
};

/**
 * A kubelet (re)starting at `now` (ComponentDef.onStart): what it kept only in memory is gone — the
 * crash-loop back-off (`forgetBackoffs`), when it last recorded BackOff, and the force-deleted pods its
 * previous incarnation had to stop (the fold of the log lists every one ever deleted that way).
 */
export const kubeletOnStart = (local: KubeletLocal, now: number): KubeletLocal => {
  const l = forgetBackoffs(local, now);
  return l.orphans.size === 0 && l.backoffEvents.size === 0 && l.probeFailures.size === 0 ? l : { ...l, orphans: new Map(), backoffEvents: new Map(), probeFailures: new Map() };
};

/**
 * A kubelet (re)starting at `now` has no back-off: [flowcontrol.Backoff] lives in its memory. Each
 * container waiting in CrashLoopBackOff is restarted at its first sync, and its next crash starts the
 * back-off anew (an immediate restart, then 10 s). Kept: which instance crashed, so that the crash the
 * log shows is not counted again.
 */
export const forgetBackoffs = (local: KubeletLocal, now: number): KubeletLocal => {
  if (local.backoff.size === 0) return local;
  const backoff = new Map<string, CrashBackoff>();
  for (const [k, v] of local.backoff) backoff.set(k, { ms: BACKOFF_INITIAL_MS, lastUpdate: Number.NEGATIVE_INFINITY, restartAt: now, instance: v.instance });
  return { ...local, backoff };
};

/**
 * Go's `time.Duration.String()` of a duration truncated to the millisecond: `0s`, `812ms`, `1.5s`, `10s`,
 * `1m20s`, `5m0s`, `1h0m0s`.
 */
export const goDuration = (ms: number): string => {
  const t = Math.trunc(ms);
  if (t === 0) return '0s';
  if (t < 1000) return `${t}ms`;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const sMs = t % 60_000;
  const frac = sMs % 1000 === 0 ? '' : `.${String(sMs % 1000).padStart(3, '0').replace(/0+$/, '')}`;
  const s = `${Math.floor(sMs / 1000)}${frac}s`;
  return h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
};

/** `web-0_default(uid)` [format.Pod]. */
export const podFormat = (pod: Pod): string => `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;

/** The container a crash fault targets: the named one, else the pod's first. */
export const crashTarget = (pod: Pod, f: CrashFault): string | undefined => f.container ?? pod.spec?.containers?.[0]?.name;

/** The terminated state of a container's latest crashed instance: its state, or (waiting in back-off) its last state. */
export const lastTermination = (s: ContainerStatus | undefined): ContainerTerminated | undefined => s?.state?.terminated ?? (s?.state?.waiting ? s.lastState?.terminated : undefined);

/** The finishedAt of the container's latest terminated instance, in ms. */
export const lastFinishedAt = (s: ContainerStatus | undefined): number | undefined => parseTimestamp(lastTermination(s)?.finishedAt);

/** An integer in [lo, hi]. */
const int = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/**
 * The error in a `container-crash` fault's data, if any (checked before the fault is logged): a pod name,
 * an optional container name, `exitCode` an integer 0–255, `count` a positive integer, `runMs` ≥ 0.
 */
export const containerCrashError = (d: Readonly<Record<string, unknown>>): string | undefined => {
  if (typeof d.name !== 'string' || d.name === '') return 'fault container-crash: "name" (the pod) is required';
  if (d.container !== undefined && (typeof d.container !== 'string' || d.container === '')) return 'fault container-crash: "container" must be a container name';
  if (d.exitCode !== undefined && !int(d.exitCode, 0, 255)) return 'fault container-crash: "exitCode" must be an integer from 0 to 255';
  if (d.count !== undefined && !int(d.count, 1, 1_000)) return 'fault container-crash: "count" must be an integer from 1 to 1000';
  if (d.runMs !== undefined && !(typeof d.runMs === 'number' && Number.isFinite(d.runMs) && d.runMs >= 0)) return 'fault container-crash: "runMs" must be a non-negative number';
  return undefined;
};

/**
 * The error in a `probe-failure` fault's data, if any (checked before the fault is logged): a pod name, the
 * probe (`liveness`, `readiness` or `startup`), an optional container name; for liveness and startup `count`
 * a positive integer and `exitCode` an integer 0–255; for readiness `durationMs`, how long it fails, a
 * positive number.
 */
export const probeFailureError = (d: Readonly<Record<string, unknown>>): string | undefined => {
  if (typeof d.name !== 'string' || d.name === '') return 'fault probe-failure: "name" (the pod) is required';
  if (d.probe !== 'liveness' && d.probe !== 'readiness' && d.probe !== 'startup') return 'fault probe-failure: "probe" must be liveness, readiness or startup';
  if (d.container !== undefined && (typeof d.container !== 'string' || d.container === '')) return 'fault probe-failure: "container" must be a container name';
  if (d.probe === 'readiness') {
    if (d.count !== undefined || d.exitCode !== undefined) return 'fault probe-failure: "count" and "exitCode" are for a liveness probe (a failing readiness probe kills nothing)';
    if (!(typeof d.durationMs === 'number' && Number.isFinite(d.durationMs) && d.durationMs > 0)) return 'fault probe-failure: a readiness probe needs "durationMs", how long it fails (a positive number)';
    return undefined;
  }
  if (d.durationMs !== undefined) return `fault probe-failure: "durationMs" is for a readiness probe (a ${d.probe} probe fails until its container is killed, "count" times)`;
  if (d.exitCode !== undefined && !int(d.exitCode, 0, 255)) return 'fault probe-failure: "exitCode" must be an integer from 0 to 255';
  if (d.count !== undefined && !int(d.count, 1, 1_000)) return 'fault probe-failure: "count" must be an integer from 1 to 1000';
  return undefined;
};

/** The exit code of a container killed for a failed liveness or startup probe: it ends on the SIGTERM (128 + 15). */
export const LIVENESS_KILL_EXIT_CODE = 143;

/** The pod and node faults the kubelet (and the node-lifecycle controller) read, as `kubesim fault` injects them. */
export const POD_AND_NODE_FAULTS = ['container-crash', 'probe-failure', 'pod-readiness', 'pod-fail', 'node-down', 'node-up'] as const;

/** The error in a pod or node fault's data, if any (checked before the fault is logged). */
export const podOrNodeFaultError = (d: Readonly<Record<string, unknown>>): string | undefined => {
  const str = (v: unknown): boolean => typeof v === 'string' && v !== '';
  switch (d.fault) {
    case 'container-crash': return containerCrashError(d);
    case 'probe-failure': return probeFailureError(d);
    case 'pod-readiness':
      if (!str(d.name)) return 'fault pod-readiness: "name" (the pod) is required';
      return typeof d.ready === 'boolean' ? undefined : 'fault pod-readiness: "ready" must be true or false';
    case 'pod-fail':
      if (!str(d.name)) return 'fault pod-fail: "name" (the pod) is required';
      return d.reason !== undefined && !str(d.reason) ? 'fault pod-fail: "reason" must be a word, e.g. Evicted' : undefined;
    case 'node-down': case 'node-up':
      return str(d.node) ? undefined : `fault ${d.fault}: "node" is required`;
    default:
      return `unknown fault "${String(d.fault)}": one of ${POD_AND_NODE_FAULTS.join(', ')}`;
  }
};
