import { appendFileSync } from 'node:fs';
import type { NatsConnection } from '@nats-io/transport-node';
import { keyOf, type KObject } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { parseRuntimeFault } from '@kubesim/runtime';
import { dnsRecords, resolveName } from '@kubesim/controllers';
import { ObjectStore } from '@kubesim/state';
import {
  commandRefusal, withOutput, conditionHolds, conditionKinds, driveAsync, driverOutcome, evaluate, rememberState, stepAction, stepDriver, type Driver, type DriverRun, type EvalContext, type Remembered, type Scenario, type ScenarioStep, type StepResult,
} from '@kubesim/scenario';
import { ApiClient } from './client.js';
import { DilatedClock } from './clock.js';
import { connectNats, jsOf } from './connect.js';
import { LogFollower } from './log.js';
import { launchCluster, type LaunchOptions, type Launched } from './launch.js';
import { SeqWaiters } from './waiters.js';

/**
 * A local fold of the whole log (one ordered consumer): what the distributed runner, `kubesim get` and
 * the tests judge — the same state and log the embedded runner judges.
 */
export class LogView {
  readonly store = new ObjectStore();
  readonly entries: Envelope[] = [];
  private follower: LogFollower | undefined;
  private lastWriteWall = Date.now();
  private readonly waiters = new SeqWaiters((seq, ms) => this.follower?.awaitSeq(seq, ms));

  private constructor(private readonly nc: NatsConnection) {}

  /** `name`: the file in the cluster's log directory where the view's watch reports (re-opens, stalls). */
  static async open(c: Launched, nc: NatsConnection, name = 'log-view'): Promise<LogView> {
    const v = new LogView(nc);
    const clock = new DilatedClock(c.cluster);
    const file = c.supervisor.logFile(name);
    await new Promise<void>((resolve, reject) => {
      v.follower = new LogFollower(jsOf(nc), c.s, {
        timeOf: (w) => clock.fromWall(w),
        onEntry: (e) => v.apply(e),
        onSynced: resolve,
        onStatus: (l) => { try { appendFileSync(file, `${new Date().toISOString()} ${name}: watch ${l}\n`); } catch { /* the directory is gone: the run is over */ } },
      });
      v.follower.start().catch(reject);
    });
    return v;
  }

  get seq(): number { return this.store.seq; }
  /** Wall ms since the last entry. */
  quietForMs(): number { return Date.now() - this.lastWriteWall; }

  private apply(e: Envelope): void {
    this.store.apply(e);
    this.entries.push(e);
    this.lastWriteWall = Date.now();
    this.waiters.reached(e.seq);
    for (const f of this.observers) f(e);
  }

  private readonly observers = new Set<(e: Envelope) => void>();
  /** Call `f` after each entry is folded (until the returned function is called). */
  observe(f: (e: Envelope) => void): () => void {
    this.observers.add(f);
    return () => { this.observers.delete(f); };
  }

  /** Resolves once the view has folded `seq`. */
  caughtUp(seq: number, timeoutMs = 10_000): Promise<void> {
    return this.waiters.wait(seq, this.store.seq, timeoutMs, () => new Error(`the log view did not reach seq ${seq} within ${timeoutMs} ms (at ${this.store.seq})`));
  }

  async close(): Promise<void> {
    await this.follower?.stop();
    await this.nc.close().catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Wait until `holds()` (true at once, or after some entry the view folds of a kind in `kinds` — any kind
 * when undefined), judged after every such entry as the embedded runner judges a wait: a state that holds
 * only between two entries is seen even when the view gets them in one burst. False at `deadlineWall`.
 */
export const awaitCondition = async (
  view: Pick<LogView, 'observe'>, holds: () => boolean, kinds: ReadonlySet<string> | undefined, deadlineWall: number,
): Promise<boolean> => {
  if (holds()) return true;
  let met = false;
  const stop = view.observe((e) => {
    if (!met && (kinds === undefined || (e.object !== undefined && kinds.has(String(e.object.kind)))) && holds()) met = true;
  });
  try {
    while (!met && Date.now() <= deadlineWall) await sleep(10);
  } finally {
    stop();
  }
  return met;
};

export interface DistributedRunOptions extends Omit<LaunchOptions, 'spec' | 'seed'> {
  readonly seed?: number;
  readonly onStep?: (r: StepResult, total: number) => void;
  readonly onStart?: (c: Launched) => void;
  /** Wall-clock slack on top of each wait's virtual timeout (processes need real time to work). */
  readonly waitSlackMs?: number;
}

export interface DistributedRunReport {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly steps: readonly StepResult[];
  readonly passed: boolean;
  readonly wallMs: number;
  readonly entries: readonly Envelope[];
  readonly state: ObjectStore;
  /** Virtual time at the end of the run. */
  readonly nowMs: number;
  readonly cluster: Launched['cluster'];
}

const OK = { messages: [] as string[], fatal: false };
const fatal = (m: string) => ({ messages: [m], fatal: true });

/**
 * Run a scenario on real processes: the same steps and conditions as the embedded runner, judged on a
 * local fold of the JetStream log. Time is the cluster's dilated wall clock; crash/restart steps kill
 * -9 and restart the component's process; runtime faults of the embedded engine (watch/API delays…)
 * are refused — real chaos replaces them.
 */
export const runScenarioDistributed = async (scenario: Scenario, o: DistributedRunOptions): Promise<DistributedRunReport> => {
  const t0 = performance.now();
  const seed = o.seed ?? scenario.seed ?? 1;
  // Partition steps need every process behind its own relay (ADR 14); other runs go without the extra hop.
  const partitionable = scenario.steps.some((st) => st.op === 'partition');
  const c = await launchCluster({ ...o, spec: scenario.cluster, seed, ...(partitionable ? { partitionable: true } : {}) });
  const results: StepResult[] = [];
  let view: LogView | undefined;
  try {
    o.onStart?.(c);
    const clock = new DilatedClock(c.cluster);
    const userNc = await connectNats({ url: c.url, name: 'kubesim:run', ...(c.userCreds ? { creds: c.userCreds } : {}) });
    const user = new ApiClient(userNc, c.s, 'user');
    const chaos = new ApiClient(c.admin, c.s, 'system:chaos');
    view = await LogView.open(c, await connectNats({ url: c.url, name: 'kubesim:run-view', ...(c.userCreds ? { creds: c.userCreds } : {}) }));
    const v = view;
    const remembered = new Map<string, Remembered>();
    // The DNS records only when a condition resolves a name, once per seq of the view (a wait is judged after every entry).
    let dns: { seq: number; records: ReturnType<typeof dnsRecords> } | undefined;
    const records = (): ReturnType<typeof dnsRecords> => {
      if (dns?.seq !== v.seq) dns = { seq: v.seq, records: dnsRecords(v.store) };
      return dns.records;
    };
    const ctx = (namespace = 'default'): EvalContext => ({ state: v.store, log: v.entries, remembered, resolve: (name) => resolveName(records(), name), namespace });
    const slack = o.waitSlackMs ?? 5_000;
    /** A driver (evict, drain) on real processes: commands through the user's client, waits on the dilated clock. */
    const runDriver = (d: Driver): Promise<DriverRun> => driveAsync(d, {
      command: async (data, reqs) => {
        const r = await user.command(data, reqs);
        if (!r.ok) return { ok: false, error: r.error };
        await v.caughtUp(Math.max(r.command, ...r.results.map((x) => Number(x.metadata?.resourceVersion ?? 0))));
        return { ok: true };
      },
      waitUntil: async (untilMs) => { const wait = clock.wallDelay(untilMs - clock.now()); if (wait > 0) await sleep(wait); },
    });
    const runStep = async (step: ScenarioStep): Promise<{ messages: string[]; fatal: boolean; output?: string[] }> => {
      const driver = stepDriver({ state: () => v.store, now: () => clock.now() }, step);
      if (driver !== undefined) return 'fatal' in driver ? fatal(driver.fatal) : 'done' in driver ? OK : driverOutcome(step, await runDriver(driver));
      const action = stepAction(v.store, step, clock.now());
      if (action !== undefined) {
        switch (action.type) {
          case 'done': return withOutput(OK, action.output);
          case 'fatal': return fatal(action.message);
          case 'command': {
            const r = await user.command(action.data, action.reqs);
            if (!r.ok) return commandRefusal(action, r.error);
            await v.caughtUp(Math.max(r.command, ...r.results.map((x) => Number(x.metadata?.resourceVersion ?? 0))));
            return withOutput(OK, action.output);
          }
          case 'fault': {
            const rf = parseRuntimeFault(action.fault);
            if (typeof rf === 'string') return fatal(rf);
            if (rf) return fatal(`fault ${rf.fault} is a fault of the embedded engine; in distributed mode use crash/restart steps (kill -9 of the process)`);
            const r = await chaos.record('FAULT', action.fault);
            if (!r.ok) return fatal(r.error.message);
            await v.caughtUp(r.seq);
            return OK;
          }
        }
      }
      switch (step.op) {
        case 'crash':
          if (!c.supervisor.names().includes(step.component)) return fatal(`no component "${step.component}"`);
          await c.supervisor.kill(step.component);
          return OK;
        case 'restart':
          if (!c.supervisor.names().includes(step.component)) return fatal(`no component "${step.component}"`);
          await c.supervisor.restart(step.component);
          return OK;
        case 'pause': case 'resume': case 'partition': case 'heal':
          try {
            await c.supervisor[step.op](step.component);
          } catch (e) {
            return fatal((e as Error).message);
          }
          return OK;
        case 'sleep':
          await sleep(clock.wallDelay(step.durationMs));
          return OK;
        case 'settle': {
          const deadline = Date.now() + clock.wallDelay(step.timeoutMs) + slack;
          const quiet = clock.wallDelay(step.quietMs);
          while (v.quietForMs() < quiet) {
            if (Date.now() > deadline) return { messages: [`did not settle within ${step.timeoutMs / 1000}s`], fatal: false };
            await sleep(Math.min(50, quiet));
          }
          return OK;
        }
        case 'wait': {
          const deadline = Date.now() + clock.wallDelay(step.timeoutMs) + slack;
          const holdsIn = conditionHolds(step.condition);
          if (await awaitCondition(v, () => holdsIn(ctx(step.namespace)), conditionKinds(step.condition), deadline)) return OK;
          return { messages: [`timed out after ${step.timeoutMs / 1000}s: ${evaluate(ctx(step.namespace), step.condition).join('; ')}`], fatal: false };
        }
        case 'expect':
          return { messages: evaluate(ctx(step.namespace), step.condition), fatal: false };
        case 'remember':
          remembered.set(step.label, rememberState(v.store, v.seq));
          return OK;
        default:
          return OK;
      }
    };
    const total = scenario.steps.length;
    for (let i = 0; i < total; i++) {
      const step = scenario.steps[i]!;
      const r = await runStep(step);
      const res: StepResult = { index: i + 1, step, ok: r.messages.length === 0, messages: r.messages, timeMs: clock.now(), fatal: r.fatal, ...(r.output?.length ? { output: r.output } : {}) };
      results.push(res);
      o.onStep?.(res, total);
      if (r.fatal) break;
    }
    await userNc.close();
    return {
      scenario, seed, steps: results, passed: results.every((r) => r.ok) && results.length === total, wallMs: performance.now() - t0,
      entries: v.entries, state: v.store, nowMs: clock.now(), cluster: c.cluster,
    };
  } finally {
    await view?.close();
    await c.stop();
  }
};

/** Objects of a state by key, for comparisons (tests, `kubesim diff` of final states). */
export const objectsByKey = (store: ObjectStore): Map<string, KObject> => new Map(store.allObjects().map((o) => [keyOf(o), o]));
