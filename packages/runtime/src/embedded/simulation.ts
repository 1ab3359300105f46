import * as E from 'fp-ts/lib/Either.js';
import { KUBERNETES_SERVICE_INTERVAL_MS, Rand, type ApiError, type ApiRequest, type KObject } from '@kubesim/api';
import { InMemoryLog, isObjectEntry, type Envelope } from '@kubesim/log';
import { ApiServer, createdBefore, type ApiResult } from '@kubesim/apiserver';
import { KUBELET_NAME, podOrNodeFaultError, POD_AND_NODE_FAULTS, type ComponentDef } from '@kubesim/controllers';
import { EventQueue, type EventOwner } from './queue.js';
import { ComponentHost } from './host.js';
import { defaultTiming, type TimingConfig } from './timing.js';
import { chaosFault, parseRuntimeFault, type ChaosOp } from './faults.js';

export interface ComponentSetup {
  readonly def: ComponentDef<never, never>;
  readonly config: unknown;
  /** Shard names (one actor each): the node names for the kubelet. */
  readonly shards?: readonly string[];
}

export interface SimulationOptions {
  readonly seed: number;
  readonly timing?: Partial<TimingConfig>;
  readonly components: readonly ComponentSetup[];
}

/**
 * How long a resumed or healed component may lag, in virtual time, as recorded for the checkers: its
 * relist after 0.1–0.8 s, then the syncs that failed meanwhile retried on their backoff.
 */
export const CHAOS_CATCH_UP_MS = 10_000;

/** Each chaos step: the state it starts (`ends` false) or ends, and what it does to the host. */
const CHAOS: Readonly<Record<ChaosOp, { readonly state: string; readonly holds: (h: ComponentHost) => boolean; readonly ends: boolean; readonly act: (h: ComponentHost) => void }>> = {
  pause: { state: 'paused', holds: (h) => h.isPaused, ends: false, act: (h) => h.pause() },
  resume: { state: 'paused', holds: (h) => h.isPaused, ends: true, act: (h) => h.resume() },
  partition: { state: 'partitioned', holds: (h) => h.isPartitioned, ends: false, act: (h) => h.partition() },
  heal: { state: 'partitioned', holds: (h) => h.isPartitioned, ends: true, act: (h) => h.heal() },
};

export type RunStop = 'condition' | 'idle' | 'quiet' | 'deadline' | 'budget';

export interface RunOptions {
  /** Stop as soon as this holds (checked after every event). */
  readonly until?: () => boolean;
  /** Stop when virtual time would pass this instant. */
  readonly deadlineMs?: number;
  /** Stop once nothing has been written to the log for this long (virtual ms). */
  readonly quietMs?: number;
  /** Bound on events processed (house rule 6). */
  readonly maxEvents?: number;
}

/**
 * The embedded mode: every component in one process, on the in-memory log, with a virtual clock and a
 * seeded scheduler deciding every delay. The same seed and inputs give a byte-identical log.
 */
export class Simulation {
  readonly log = new InMemoryLog();
  readonly api: ApiServer;
  readonly timing: TimingConfig;
  readonly seed: number;
  readonly hosts: ComponentHost[] = [];
  now = 0;
  eventsProcessed = 0;
  private readonly queue = new EventQueue();
  private readonly rand: Rand;
  /** Resync periods come from their own stream, so they never shift the other delays of a run. */
  private readonly resyncRand: Rand;
  private lastWriteAt = 0;

  constructor(opts: SimulationOptions) {
    this.seed = opts.seed >>> 0;
    this.timing = { ...defaultTiming, ...(opts.timing ?? {}) };
    const root = new Rand(this.seed);
    this.rand = root.fork('delays');
    this.resyncRand = root.fork('resync');
    this.api = new ApiServer(this.log, root.fork('apiserver'));
    for (const c of opts.components) {
      this.hosts.push(new ComponentHost(this, c.def as unknown as ComponentDef<unknown, unknown>, c.config, c.shards));
    }
    this.log.subscribe((e) => {
      this.lastWriteAt = this.now;
      const object = isObjectEntry(e);
      const hosts = this.watchersOf(object ? e.object.kind as string : '');
      for (let i = 0; i < hosts.length; i++) hosts[i]!.offerWatched(e, object);
    });
  }

  /** The hosts whose informers watch a kind ('' for inputs), in host order: where its entries go. */
  private readonly watchers = new Map<string, ComponentHost[]>();
  private watchersOf(kind: string): ComponentHost[] {
    let hs = this.watchers.get(kind);
    if (!hs) { hs = this.hosts.filter((h) => h.interestedIn(kind)); this.watchers.set(kind, hs); }
    return hs;
  }

  // ---- scheduling --------------------------------------------------------------------------------
  /** `fn` after `delayMs`; with an `owner`, as that process runs it (deferred while it is paused). */
  at(delayMs: number, fn: () => void, owner?: EventOwner): void { this.queue.push(this.now + delayMs, fn, false, owner); }
  atTime(time: number, fn: () => void, owner?: EventOwner): void { this.queue.push(Math.max(time, this.now), fn, false, owner); }
  /** A background event (periodic resync): a run with nothing else to do is idle even while it is pending. */
  atBackground(delayMs: number, fn: () => void, owner?: EventOwner): void { this.queue.push(this.now + delayMs, fn, true, owner); }
  /** Events pending other than background ones. */
  pendingForeground(): number { return this.queue.foreground; }
  /** A resync period for one informer. */
  drawResync(): number {
    const [lo, hi] = this.timing.resyncMs;
    return hi <= lo ? lo : lo + (hi - lo) * this.resyncRand.next();
  }
  draw(range: readonly [number, number]): number {
    const [lo, hi] = range;
    return hi <= lo ? lo : lo + (hi - lo) * this.rand.next();
  }

  // ---- inputs ------------------------------------------------------------------------------------
  host(name: string): ComponentHost | undefined { return this.hosts.find((h) => h.name === name); }

  /** Start every component (recorded in the log). */
  startComponents(): void {
    for (const h of this.hosts) {
      const shards = [...h.shards.keys()];
      this.api.record('COMPONENT', { component: h.name, event: 'start', ...(shards.length > 1 || shards[0] !== h.name ? { shards } : {}) }, { actor: 'system:runtime', cause: null, time: this.now });
      h.start();
    }
  }

  /**
   * The API server's own `kubernetes` Service loop ([kubernetesservice controller Run, UpdateKubernetesService,
   * CreateOrUpdateMasterServiceIfNeeded]): every 10 s, the Service is created again if it is missing
   * (written by `system:apiserver`). A background event: a run with only it pending is idle. Clusters made by
   * `createCluster` run it (their bootstrap writes the Service).
   */
  keepKubernetesService(): void {
    this.atBackground(KUBERNETES_SERVICE_INTERVAL_MS, () => {
      const repair = this.api.kubernetesServiceRepair();
      if (repair !== undefined) this.api.handle(repair, { actor: 'system:apiserver', cause: null, time: this.now });
      this.keepKubernetesService();
    });
  }

  /**
   * The nodes a kubelet host runs (its shards), added to its lifecycle entries: the node-lifecycle
   * controller reads them as the heartbeats of those nodes stopping and resuming.
   */
  private hostedNodes(h: ComponentHost): Record<string, unknown> {
    return h.def.name === KUBELET_NAME ? { nodes: [...h.shards.keys()] } : {};
  }

  crash(name: string, reason = 'killed'): boolean {
    const h = this.host(name);
    if (!h) return false;
    this.api.record('FAULT', { fault: 'crash', component: name, reason, ...this.hostedNodes(h) }, { actor: 'system:chaos', cause: null, time: this.now });
    h.crash(reason);
    return true;
  }

  restart(name: string): boolean {
    const h = this.host(name);
    if (!h) return false;
    this.api.record('COMPONENT', { component: name, event: 'restart', ...this.hostedNodes(h) }, { actor: 'system:runtime', cause: null, time: this.now });
    h.restart();
    return true;
  }

  /**
   * Process chaos of the distributed mode, on the embedded engine: `pause` (SIGSTOP) freezes a component
   * — everything it would do waits — until `resume`; `partition` cuts it off the network (watches broken,
   * requests time out) until `heal`. Each is recorded as a FAULT (system:chaos): the cut before it takes
   * effect, the end once the component is back, with the time it may lag (`durationMs`) for the checkers.
   * Returns an error message when the step makes no sense (no such component, not paused, …).
   */
  chaos(op: ChaosOp, name: string): string | undefined {
    const h = this.host(name);
    if (!h) return `no component "${name}"`;
    const c = CHAOS[op];
    if (c.holds(h) !== c.ends) return `${name} ${c.ends ? 'is not' : 'is already'} ${c.state}`;
    const record = (): void => { this.api.record('FAULT', chaosFault(op, name, CHAOS_CATCH_UP_MS, this.hostedNodes(h)), { actor: 'system:chaos', cause: null, time: this.now }); };
    // A cut is recorded before it acts, its end once the component is back.
    if (!c.ends) record();
    c.act(h);
    if (c.ends) record();
    return undefined;
  }

  /** A direct API request (no COMMAND entry). */
  request(req: ApiRequest, actor = 'user', cause: number | null = null): ApiResult {
    return this.api.handle(req, { actor, cause, time: this.now });
  }

  /**
   * A user command: every request is validated first (dry run); if any is refused nothing is written.
   * Otherwise a COMMAND entry records the input and the requests are applied with it as their cause.
   */
  command(data: Readonly<Record<string, unknown>>, reqs: readonly ApiRequest[], actor = 'user'): E.Either<ApiError, { command: Envelope; results: KObject[] }> {
    const pending = createdBefore(reqs);
    for (const [i, r] of reqs.entries()) {
      const dry = this.api.handle(r, { actor, cause: null, time: this.now, dryRun: true, pending: pending[i]! });
      if (E.isLeft(dry)) return dry;
    }
    const cmd = this.api.record('COMMAND', data, { actor, cause: null, time: this.now });
    const results: KObject[] = [];
    for (const r of reqs) {
      const res = this.api.handle(r, { actor, cause: cmd.seq, time: this.now });
      if (E.isLeft(res)) return res;
      results.push(res.right);
    }
    return E.right({ command: cmd, results });
  }

  /**
   * An injected fault: recorded in the log, delivered to the components that watch inputs (pod and node
   * faults), and, for a fault between the log and a component (faults.ts), applied to that component.
   * A malformed runtime fault is refused before anything is written.
   */
  fault(data: Readonly<Record<string, unknown>>): Envelope {
    const rf = parseRuntimeFault(data);
    if (typeof rf === 'string') throw new Error(rf);
    if (rf && !this.host(rf.component)) throw new Error(`fault ${rf.fault}: no component "${rf.component}"`);
    const pf = (POD_AND_NODE_FAULTS as readonly unknown[]).includes(data.fault) ? podOrNodeFaultError(data) : undefined;
    if (pf) throw new Error(pf);
    const e = this.api.record('FAULT', data, { actor: 'system:chaos', cause: null, time: this.now });
    if (rf) this.host(rf.component)!.applyFault(rf);
    return e;
  }

  // ---- running -----------------------------------------------------------------------------------
  /** Process events until a stop condition holds. */
  run(opts: RunOptions = {}): RunStop {
    const maxEvents = opts.maxEvents ?? 50_000_000;
    let n = 0;
    if (opts.until?.()) return 'condition';
    for (;;) {
      const t = this.queue.peekTime();
      // Only resync timers left: idle, unless time is to pass anyway (a deadline or a quiet period).
      if (t === undefined || (this.queue.foreground === 0 && opts.deadlineMs === undefined && opts.quietMs === undefined)) return 'idle';
      // Quiet is reached when the next event comes after the quiet period — unless the deadline comes first.
      const quietAt = opts.quietMs !== undefined ? this.lastWriteAt + opts.quietMs : Infinity;
      if (t > quietAt && t > this.now && (opts.deadlineMs === undefined || quietAt <= opts.deadlineMs)) {
        this.now = Math.max(this.now, quietAt);
        return 'quiet';
      }
      if (opts.deadlineMs !== undefined && t > opts.deadlineMs) { this.now = Math.max(this.now, opts.deadlineMs); return 'deadline'; }
      if (n++ >= maxEvents) return 'budget';
      const run = this.queue.next()!;
      this.now = this.queue.lastTime;
      const owner = this.queue.lastOwner;
      if (owner !== undefined && owner.isPaused) owner.freeze(run, this.queue.lastBackground);
      else run();
      this.eventsProcessed++;
      if (opts.until?.()) return 'condition';
    }
  }

  /** Advance virtual time by `ms`, processing everything due. */
  advance(ms: number): RunStop {
    const target = this.now + ms;
    const stop = this.run({ deadlineMs: target });
    this.now = Math.max(this.now, target); // time passes even when nothing is scheduled
    return stop;
  }
}
