/**
 * `evict` and `drain` steps: what `kubectl drain` does (cordon, then evict every pod on the node through
 * the eviction subresource, retrying a budget's refusal every 5 s, and wait for each pod to be gone),
 * written once as a generator of requests and waits so the embedded runner (virtual time) and the
 * distributed one (real processes) drive the same sequence.
 */
import { type ApiError, type ApiRequest, type Pod } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';

/** What a driver asks its runner for: a user command, or to let the cluster run until a virtual time. */
export type DriverYield =
  | { readonly type: 'command'; readonly data: Record<string, unknown>; readonly reqs: readonly ApiRequest[] }
  | { readonly type: 'wait'; readonly untilMs: number };

export type CommandOutcome = { readonly ok: true } | { readonly ok: false; readonly error: ApiError };

export interface DriverResult {
  /** What kubectl would print, line by line. */
  readonly output: readonly string[];
  /** Why the step failed (empty: it passed). */
  readonly messages: readonly string[];
  readonly fatal: boolean;
}

export interface DriverPort {
  state(): Snapshot;
  now(): number;
  /** Each output line as it is produced (the CLI streams them). */
  print?(line: string): void;
}

/** A step's driver: yields commands (answered with their outcome) and waits (answered with nothing). */
export type Driver = Generator<DriverYield, DriverResult, CommandOutcome | undefined>;

/** A driver's result as a runner reports it. */
export interface DriverRun { messages: string[]; fatal: boolean; output: string[] }

const finished = (r: DriverResult): DriverRun => ({ messages: [...r.messages], fatal: r.fatal, output: [...r.output] });

/** Drive a step on the embedded engine (synchronous: commands at once, waits in virtual time). */
export const driveSync = (d: Driver, fx: { command(data: Record<string, unknown>, reqs: readonly ApiRequest[]): CommandOutcome; waitUntil(untilMs: number): void }): DriverRun => {
  let answer: CommandOutcome | undefined;
  for (;;) {
    const n = d.next(answer);
    if (n.done) return finished(n.value);
    answer = n.value.type === 'command' ? fx.command(n.value.data, n.value.reqs) : (fx.waitUntil(n.value.untilMs), undefined);
  }
};

/** Drive a step on real processes (the distributed runner, `kubesim drain`): `afterEach` refreshes what the driver reads. */
export const driveAsync = async (
  d: Driver,
  fx: { command(data: Record<string, unknown>, reqs: readonly ApiRequest[]): Promise<CommandOutcome>; waitUntil(untilMs: number): Promise<void>; afterEach?(): Promise<void> },
): Promise<DriverRun> => {
  let answer: CommandOutcome | undefined;
  for (;;) {
    const n = d.next(answer);
    if (n.done) return finished(n.value);
    answer = n.value.type === 'command' ? await fx.command(n.value.data, n.value.reqs) : (await fx.waitUntil(n.value.untilMs), undefined);
    await fx.afterEach?.();
  }
};

/** kubectl drain's retry after a budget refused an eviction. */
export const EVICTION_RETRY_MS = 5_000;
/** kubectl drain's poll for evicted pods to be gone. */
export const DELETE_POLL_MS = 1_000;

/** Go's time.Duration String() for whole seconds: 5m0s, 1h0m0s, 30s. */
export const goDuration = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
};

const evictRequest = (ns: string, name: string, gracePeriodSeconds: number | undefined): DriverYield => ({
  type: 'command',
  data: { command: 'evict', target: `pod/${name}`, namespace: ns, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}) },
  reqs: [{ verb: 'evict', namespace: ns, name, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}) }],
});

const evictionError = (ns: string, name: string, e: ApiError, retry: boolean): string =>
  `error when evicting pods/"${name}" -n "${ns}"${retry ? ` (will retry after ${EVICTION_RETRY_MS / 1000}s)` : ''}: ${e.message}`;

export interface EvictOptions { readonly gracePeriodSeconds?: number; readonly refused?: boolean }

/**
 * One eviction. With `refused`, the step expects the API server to refuse it (429, a disruption budget)
 * and fails if the pod was evicted; otherwise a refusal stops the run, as any refused user request.
 */
export function* evictPod(ns: string, name: string, o: EvictOptions): Driver {
  const r = yield evictRequest(ns, name, o.gracePeriodSeconds);
  if (r === undefined || r.ok) {
    const output = [`evicting pod ${ns}/${name}`];
    return o.refused ? { output, messages: [`pod/${name} was evicted; expected the eviction to be refused`], fatal: false } : { output, messages: [], fatal: false };
  }
  const line = evictionError(ns, name, r.error, false);
  if (o.refused && r.error.reason === 'TooManyRequests') return { output: [line], messages: [], fatal: false };
  return { output: [], messages: [line], fatal: !o.refused };
}

export interface DrainOptions {
  /** Give up after this long (kubectl's --timeout; kubesim's default 5 minutes of virtual time). */
  readonly timeoutMs: number;
  readonly gracePeriodSeconds?: number;
  /** --force: also pods without a controller. */
  readonly force?: boolean;
  /** --delete-emptydir-data: also pods with emptyDir volumes. */
  readonly deleteEmptyDirData?: boolean;
  /**
   * The step expects the drain not to finish: disruption budgets refuse an eviction until the timeout.
   * It passes exactly then (and fails if the drain completes or fails for another reason).
   */
  readonly blocked?: boolean;
}

const controllerOf = (p: Pod) => p.metadata?.ownerReferences?.find((r) => r.controller === true);
const isFinished = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/**
 * `kubectl drain NODE`: cordon; the node's pods through the filters (a pod without a controller needs
 * `force`, one with emptyDir data `deleteEmptyDirData` — any refusal stops the drain before an eviction;
 * finished pods pass); then every pod evicted (a 429 retried after 5 s, a pod already gone skipped) and
 * awaited until it is deleted or replaced (polled every second), within the timeout.
 */
export function* drainNode(port: DriverPort, node: string, o: DrainOptions): Driver {
  const output: string[] = [];
  const say = (l: string): void => { output.push(l); port.print?.(l); };
  const n = port.state().get('Node', '', node);
  if (!n) return { output, messages: [`Error from server (NotFound): nodes "${node}" not found`], fatal: true };
  if (n.spec?.unschedulable === true) say(`node/${node} already cordoned`);
  else {
    const r = yield { type: 'command', data: { command: 'cordon', node }, reqs: [{ verb: 'patch', kind: 'Node', namespace: '', name: node, patch: { spec: { unschedulable: true } } }] };
    if (r && !r.ok) return { output, messages: [`Error from server (${r.error.reason}): ${r.error.message}`], fatal: true };
    say(`node/${node} cordoned`);
  }
  // Sorted by namespace/name in code-unit order (not the locale's: the order of the evictions is in the log).
  const idOf = (p: Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
  const pods = ([...port.state().list('Pod')] as Pod[])
    .filter((p) => p.spec?.nodeName === node)
    .sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const unreplicated: string[] = [];
  const localStorage: string[] = [];
  for (const p of pods) {
    if (isFinished(p)) continue;
    const id = idOf(p);
    if ((p.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined)) localStorage.push(id);
    if (!controllerOf(p)) unreplicated.push(id);
  }
  const errors: string[] = [];
  if (localStorage.length > 0 && !o.deleteEmptyDirData) errors.push(`cannot delete Pods with local storage (use --delete-emptydir-data to override): ${localStorage.join(', ')}`);
  if (unreplicated.length > 0 && !o.force) errors.push(`cannot delete Pods that declare no controller (use --force to override): ${unreplicated.join(', ')}`);
  if (errors.length > 0) return { output, messages: [`error: unable to drain node "${node}" due to error: ${errors.join(', ')}, continuing command...`], fatal: false };
  if (unreplicated.length > 0) say(`Warning: deleting Pods that declare no controller: ${unreplicated.join(', ')}`);

  type Tracked = { ns: string; name: string; uid: string; state: 'evict' | 'wait' | 'done'; retryAt: number; refusals: number };
  const tracked: Tracked[] = pods.map((p) => ({ ns: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '', uid: p.metadata?.uid ?? '', state: 'evict', retryAt: port.now(), refusals: 0 }));
  let blockedAtTimeout = false;
  const deadline = port.now() + o.timeoutMs;
  for (;;) {
    for (const t of tracked) {
      if (t.state !== 'evict' || t.retryAt > port.now()) continue;
      say(`evicting pod ${t.ns}/${t.name}`);
      const r = yield evictRequest(t.ns, t.name, o.gracePeriodSeconds);
      if (r === undefined || r.ok) t.state = 'wait';
      else if (r.error.reason === 'NotFound') t.state = 'done';
      else if (r.error.reason === 'TooManyRequests') { say(evictionError(t.ns, t.name, r.error, true)); t.retryAt = port.now() + EVICTION_RETRY_MS; t.refusals++; }
      else { errors.push(evictionError(t.ns, t.name, r.error, false)); t.state = 'done'; }
    }
    for (const t of tracked) {
      if (t.state !== 'wait') continue;
      const cur = port.state().get('Pod', t.ns, t.name);
      if (!cur || cur.metadata?.uid !== t.uid) { say(`pod/${t.name} evicted`); t.state = 'done'; }
    }
    if (tracked.every((t) => t.state === 'done')) break;
    if (port.now() >= deadline) {
      blockedAtTimeout = errors.length === 0 && tracked.some((t) => t.state === 'evict' && t.refusals > 0) && tracked.every((t) => t.state !== 'wait');
      for (const t of tracked) {
        if (t.state === 'done') continue;
        errors.push(t.state === 'wait'
          ? `error when waiting for pod "${t.name}" in namespace "${t.ns}" to terminate: global timeout reached: ${goDuration(o.timeoutMs)}`
          : `error when evicting pods/"${t.name}" -n "${t.ns}": global timeout reached: ${goDuration(o.timeoutMs)}`);
      }
      break;
    }
    let next = port.now() + DELETE_POLL_MS;
    for (const t of tracked) if (t.state === 'evict') next = Math.min(next, Math.max(t.retryAt, port.now()));
    yield { type: 'wait', untilMs: Math.min(next, deadline) };
  }
  if (errors.length > 0) {
    const body = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
    const line = `error: unable to drain node "${node}" due to error: ${body}, continuing command...`;
    if (o.blocked && blockedAtTimeout) return { output: [...output, line], messages: [], fatal: false };
    return { output, messages: [line], fatal: false };
  }
  say(`node/${node} drained`);
  return { output, messages: o.blocked ? [`node/${node} drained; expected disruption budgets to block the drain`] : [], fatal: false };
}
