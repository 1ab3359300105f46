import { createActor, type Actor } from 'xstate';
import { keyOf, requestKind, resourceVersionOf, type KObject } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { ObjectStore } from '@kubesim/state';
import { componentMachine, DeletionMarks, writesThrough, type ComponentDef, type EventSpec, type ReconcileResult, type WriteStep } from '@kubesim/controllers';
import { defaultComponents, defaultTiming, EventCorrelator, newOutcome, runSync, WorkQueue, type ComponentSetup, type ExecutorPort, type TimingConfig } from '@kubesim/runtime';
import { ApiClient } from './client.js';
import { DilatedClock } from './clock.js';
import { readCluster, type DistributedCluster } from './cluster.js';
import { connectNats, jsOf, logConnectionChanges, type Credentials, type Js } from './connect.js';
import { LogFollower } from './log.js';
import { subjectsFor, type Subjects } from './subjects.js';
import { SeqWaiters } from './waiters.js';

type Machine = typeof componentMachine;

export interface NatsHostOptions {
  readonly url: string;
  readonly creds?: Credentials;
  readonly cluster: string;
  /** The component to run (`statefulset-controller`, `kubelet`, ...). */
  readonly component: string;
  /** Kubelet: the nodes this process hosts (default: every node of the cluster). */
  readonly nodes?: readonly string[];
  /** Replace the component's definition (tests run broken variants). */
  readonly def?: ComponentDef<never, never>;
  /** One line per notable thing: the process log. */
  readonly log?: (line: string) => void;
  /** Reconciles in flight per shard (client-go: the controller's worker count). */
  readonly workers?: number;
  readonly requestTimeoutMs?: number;
  /** How often the process announces its state on `ksim.<cluster>.status.<user>`. */
  readonly statusIntervalMs?: number;
}

/** What a process announces about itself (`kubesim up` shows it). */
export interface ComponentStatus {
  readonly component: string;
  readonly user: string;
  readonly pid: number;
  readonly state: string;
  readonly shards: number;
  readonly seq: number;
  readonly queued: number;
  readonly reconciles: number;
  readonly writes: number;
  readonly failedWrites: number;
}

/** A FIFO of keys with O(1) push/shift (a work queue may hold every pod of a 10,000-pod set). */
class Fifo {
  private items: string[] = [];
  private head = 0;
  push(k: string): void { this.items.push(k); }
  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const k = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
    return k;
  }
}

/** A shard (a node of the kubelet, or the whole component): its lifecycle actor, its work queue and the order its keys are taken in. */
interface Shard {
  readonly name: string;
  readonly actorName: string;
  readonly actor: Actor<Machine>;
  readonly q: WorkQueue<NodeJS.Timeout>;
  readonly ready: Fifo;
  initial: string[];
  /** A pump is scheduled (a finished reconcile never pumps the next one on its own stack). */
  pumpScheduled: boolean;
}


/**
 * Runs one ComponentDef as its own process over NATS: the same pure core and the same xstate lifecycle
 * machine as the embedded host (`stopped → connecting → syncing → running`), with the effects provided
 * by NATS — the informer is filled by ordered consumers of the log (one per watched kind, as
 * Kubernetes' reflectors), "synced" is known before the first reconcile, writes go to the API server
 * by request/reply, and timers run on the cluster's dilated wall clock.
 */
export class NatsComponentHost {
  private j: Js | undefined;
  private follower: LogFollower | undefined;
  private clock: DilatedClock | undefined;
  private client: ApiClient | undefined;
  private cluster: DistributedCluster | undefined;
  private setup: ComponentSetup | undefined;
  private timing: TimingConfig = defaultTiming;
  private informer = new ObjectStore([]);
  /** Deletions the write-through cache has applied (a late write answer must not undo them). */
  private readonly deletions = new DeletionMarks();
  /** For components with live reads: the whole log folded in log order (a stand-in for a live GET). */
  private live: ObjectStore | undefined;
  private liveFollower: LogFollower | undefined;
  private readonly liveWaiters = new SeqWaiters((seq, ms) => this.liveFollower?.awaitSeq(seq, ms));
  private local: unknown;
  private readonly events = new EventCorrelator();
  private readonly shards = new Map<string, Shard>();
  private readonly process: Actor<Machine>;
  private readonly s: Subjects;
  private stopped = false;
  private statusTimer: NodeJS.Timeout | undefined;
  private fullResyncTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly synced: Promise<void>;
  private resolveSynced!: () => void;
  readonly stats = { reconciles: 0, writes: 0, failedWrites: 0, conflicts: 0 };

  constructor(private readonly o: NatsHostOptions) {
    this.s = subjectsFor(o.cluster);
    this.synced = new Promise((r) => { this.resolveSynced = r; });
    this.process = createActor(componentMachine.provide({
      actions: {
        connect: () => { void this.connect(); },
        beginSync: () => { void this.beginSync(); },
        // After the transition is committed: the actor reports `running` when the initial keys are enqueued.
        startWork: () => queueMicrotask(() => this.startWork()),
        stopWork: () => undefined,
        dropState: () => undefined,
      },
    }), { input: { name: o.component } });
    this.process.subscribe((snap) => { this.log(`state ${String(snap.value)}`); this.announce(); });
  }

  /** Start and resolve once the component is running (its cache synced). */
  static async start(o: NatsHostOptions): Promise<NatsComponentHost> {
    const h = new NatsComponentHost(o);
    h.process.start();
    h.process.send({ type: 'START' });
    await Promise.race([h.synced, h.failed()]);
    return h;
  }

  private failed(): Promise<never> {
    return new Promise((_, reject) => {
      const sub = this.process.subscribe((snap) => {
        if (snap.value === 'crashed') { sub.unsubscribe(); reject(new Error(`${this.o.component}: ${snap.context.lastError ?? 'crashed'}`)); }
      });
    });
  }

  private log(line: string): void { this.o.log?.(line); }
  get user(): string { return this.o.creds?.user ?? this.o.component; }
  state(): string { return String(this.process.getSnapshot().value); }
  get running(): boolean { return this.process.getSnapshot().value === 'running' && !this.stopped; }
  get def(): ComponentDef<unknown, unknown> { return this.setup!.def as unknown as ComponentDef<unknown, unknown>; }

  // ---- lifecycle effects ----------------------------------------------------------------------------
  private async connect(): Promise<void> {
    try {
      const nc = await connectNats({ url: this.o.url, name: `kubesim:${this.o.component}`, ...(this.o.creds ? { creds: this.o.creds } : {}) });
      this.j = jsOf(nc);
      logConnectionChanges(nc, (l) => this.log(l));
      this.process.send({ type: 'CONNECTED' });
    } catch (err) {
      this.process.send({ type: 'CRASH', reason: `connect: ${(err as Error).message}` });
    }
  }

  private async beginSync(): Promise<void> {
    try {
      const j = this.j!;
      const cluster = await readCluster(j, this.s);
      this.cluster = cluster;
      this.clock = new DilatedClock(cluster);
      this.timing = { ...defaultTiming, ...(cluster.spec.timing ?? {}) };
      const setup = defaultComponents(cluster.spec).find((c) => c.def.name === this.o.component);
      if (!setup) throw new Error(`no component "${this.o.component}" (components: ${defaultComponents(cluster.spec).map((c) => c.def.name).join(', ')})`);
      const def = (this.o.def ?? setup.def) as unknown as ComponentDef<unknown, unknown>;
      this.setup = { ...setup, def: def as never, ...(this.o.nodes && setup.shards ? { shards: this.o.nodes } : {}) };
      const kinds = [...def.watches, ...def.lists ?? []];
      this.informer = new ObjectStore(kinds, def.indexes ?? []);
      this.deletions.clear();
      this.local = def.initialLocal();
      const actor = setup.shards ? undefined : def.name;
      this.client = new ApiClient(j.nc, this.s, actor ?? def.name, this.o.requestTimeoutMs ?? 5_000);
      for (const n of this.setup.shards ?? [def.name]) this.addShard(n, setup.shards !== undefined);
      const filters = [...kinds.map((k) => this.s.kind(k)), ...(def.watchInputs ? [this.s.inputs] : [])];
      const clock = this.clock;
      await new Promise<void>((resolve, reject) => {
        this.follower = new LogFollower(j, this.s, { filters, timeOf: (w) => clock.fromWall(w), onEntry: (e) => this.deliver(e), onSynced: resolve, onStatus: (l) => this.log(`watch ${l}`) });
        this.follower.start().catch(reject);
      });
      if (def.liveReads) await this.startLiveFold(j, clock);
      this.log(`synced at seq ${this.informer.seq} (${filters.length} watches${def.liveReads ? ', live fold' : ''})`);
      this.process.send({ type: 'SYNCED' });
    } catch (err) {
      this.process.send({ type: 'CRASH', reason: `sync: ${(err as Error).message}` });
    }
  }

  private async startLiveFold(j: Js, clock: DilatedClock): Promise<void> {
    const live = new ObjectStore();
    this.live = live;
    await new Promise<void>((resolve, reject) => {
      this.liveFollower = new LogFollower(j, this.s, {
        timeOf: (w) => clock.fromWall(w),
        onEntry: (e) => { live.apply(e); this.liveWaiters.reached(e.seq); },
        onSynced: resolve,
        onStatus: (l) => this.log(`live watch ${l}`),
      });
      this.liveFollower.start().catch(reject);
    });
  }

  /** The live fold once it has folded `seq` (the entry that woke the key), or after a bound wait. */
  private liveAt(seq: number | null): Promise<void> {
    const live = this.live;
    if (!live || seq === null) return Promise.resolve();
    return this.liveWaiters.wait(seq, live.seq, 2_000);
  }

  private addShard(name: string, sharded: boolean): void {
    const actorName = sharded ? `${this.o.component}:${name}` : this.o.component;
    const actor = sharded ? createActor(componentMachine.provide({
      actions: {
        connect: ({ self }) => queueMicrotask(() => self.send({ type: 'CONNECTED' })),
        beginSync: ({ self }) => queueMicrotask(() => self.send({ type: 'SYNCED' })),
        startWork: () => queueMicrotask(() => this.startShard(name)),
        stopWork: () => undefined,
        dropState: () => undefined,
      },
    }), { input: { name: actorName } }) : this.process;
    this.shards.set(name, {
      name, actorName, actor, q: new WorkQueue<NodeJS.Timeout>(), ready: new Fifo(), initial: [], pumpScheduled: false,
    });
  }

  private startWork(): void {
    const def = this.def;
    if (def.onStart) this.local = def.onStart(this.local, this.clock!.now());
    const shardOf = def.shardOf;
    for (const key of def.initialKeys(this.informer, this.setup!.config)) {
      const s = this.shards.get(shardOf ? shardOf(key) : def.name);
      if (s) s.initial.push(key);
    }
    for (const s of this.shards.values()) {
      if (s.actor === this.process) this.startShard(s.name);
      else { s.actor.start(); s.actor.send({ type: 'START' }); }
    }
    this.scheduleResync();
    if (def.fullResyncMs !== undefined) {
      // The controller's own full resync (RQC's resyncPeriod): its initial keys again, every period.
      this.fullResyncTimer = setInterval(() => {
        if (!this.running) return;
        const cause = this.informer.seq > 0 ? this.informer.seq : null;
        for (const key of def.initialKeys(this.informer, this.setup!.config)) this.enqueue(key, cause);
      }, Math.min(this.clock!.wallDelay(def.fullResyncMs), 2 ** 31 - 1));
      this.fullResyncTimer.unref();
    }
    this.statusTimer = setInterval(() => this.announce(), this.o.statusIntervalMs ?? 1000);
    this.statusTimer.unref();
    this.resolveSynced();
  }

  private startShard(name: string): void {
    const s = this.shards.get(name)!;
    const cause = this.informer.seq > 0 ? this.informer.seq : null;
    const keys = s.initial;
    s.initial = [];
    for (const k of keys) this.enqueue(k, cause);
  }

  // ---- informer -----------------------------------------------------------------------------------
  private deliver(e: Envelope): void {
    if (this.stopped) return;
    const def = this.def;
    const seq = this.informer.seq;
    let old: KObject | undefined;
    if (isObjectEntry(e) && writesThrough(this.def, e.object.kind as string)) {
      old = this.informer.get(e.object.kind as never, e.object.metadata?.namespace ?? '', e.object.metadata?.name ?? '') as KObject | undefined;
      // A write-through cache keeps the newer version it stored from its own write's answer.
      if (old === undefined || resourceVersionOf(old) <= e.seq) this.informer.apply(e);
      if (e.type === 'DELETED') this.deletions.note(keyOf(e.object), e.seq);
    } else old = this.informer.applyReturningOld(e);
    // One watch per kind: entries of different kinds interleave, so the cache's seq is the highest seen.
    this.informer.seq = Math.max(seq, e.seq);
    // A lister's kind: cached for lookups, no handlers.
    if (isObjectEntry(e) && def.lists !== undefined && def.lists.includes(e.object.kind as never)) return;
    if (def.observe) this.local = def.observe(e, old, this.local, this.setup!.config);
    if (!this.running) return; // while syncing: the initial list will enqueue every key
    const keys = def.keysFor(e, old, this.informer, this.setup!.config, { local: this.local, now: this.clock!.now() });
    for (const k of keys) this.enqueue(k, e.seq);
  }

  /** The informer's periodic resync: every cached object reaches the handlers again as an update to itself. */
  private scheduleResync(): void {
    const [lo, hi] = this.timing.resyncMs;
    const delay = this.clock!.wallDelay(lo + (hi - lo) * ((this.informer.seq % 1000) / 1000));
    this.resyncTimer = setTimeout(() => {
      if (!this.running) return;
      const def = this.def;
      for (const kind of def.watches) {
        for (const o of [...this.informer.list(kind as never)] as KObject[]) {
          const again: Envelope = { seq: resourceVersionOf(o), time: this.clock!.now(), type: 'MODIFIED', actor: 'resync', cause: null, object: o };
          if (def.observe) this.local = def.observe(again, o, this.local, this.setup!.config);
          for (const k of def.keysFor(again, o, this.informer, this.setup!.config, { local: this.local, now: this.clock!.now() })) this.enqueue(k, again.seq);
        }
      }
      this.scheduleResync();
    }, Math.min(delay, 2 ** 31 - 1));
    this.resyncTimer.unref();
  }

  /** Write-through ([storeObjectUpdate]): cache the object a successful write returned, if newer. */
  private storeWriteResult(o: KObject): void {
    if (!this.informer.watches(o.kind as string)) return;
    const cur = this.informer.get(o.kind as never, o.metadata?.namespace ?? '', o.metadata?.name ?? '') as KObject | undefined;
    if (cur !== undefined && resourceVersionOf(cur) >= resourceVersionOf(o)) return;
    // Deleted since this version (the watch delivered it first): the answer must not bring it back.
    if (cur === undefined && this.deletions.deletedAfter(keyOf(o), resourceVersionOf(o))) return;
    if (o.metadata?.deletionTimestamp === undefined || cur !== undefined) this.informer.put(o);
  }

  // ---- work queue ---------------------------------------------------------------------------------
  private shardRunning(s: Shard): boolean {
    return this.running && (s.actor === this.process || s.actor.getSnapshot().value === 'running');
  }

  enqueue(key: string, cause: number | null): void {
    const def = this.def;
    const s = this.shards.get(def.shardOf ? def.shardOf(key) : def.name);
    if (!s) return; // a node this process does not host
    if (!this.shardRunning(s)) { s.initial.push(key); return; }
    if (!s.q.add(key, cause)) return;
    s.ready.push(key);
    this.schedulePump(s);
  }

  private enqueueAfter(s: Shard, key: string, delayMs: number, cause: number | null): void {
    s.q.after(key, this.clock!.now() + delayMs, (token) => setTimeout(() => {
      if (s.q.fired(key, token)) this.enqueue(key, cause);
    }, this.clock!.wallDelay(delayMs)), clearTimeout);
  }

  /**
   * Pump on a later turn: reconciles that finish synchronously (nothing to write) would otherwise start
   * the next one on their own stack — thousands deep with a 10,000-pod queue.
   */
  private schedulePump(s: Shard): void {
    if (s.pumpScheduled) return;
    s.pumpScheduled = true;
    setImmediate(() => { s.pumpScheduled = false; if (!this.stopped) this.pump(s); });
  }

  private pump(s: Shard): void {
    const workers = this.o.workers ?? 64;
    while (s.q.inFlight.size < workers) {
      const key = s.ready.shift();
      if (key === undefined) return;
      const cause = s.q.take(key);
      if (cause === undefined) continue;
      this.process1(s, key, cause);
    }
  }

  private process1(s: Shard, key: string, cause: number | null): void {
    s.q.begin(key);
    if (this.live && cause !== null && this.live.seq < cause) {
      void this.liveAt(cause).then(() => { if (!this.stopped) this.reconcileNow(s, key, cause); });
      return;
    }
    this.reconcileNow(s, key, cause);
  }

  private reconcileNow(s: Shard, key: string, cause: number | null): void {
    this.stats.reconciles++;
    const def = this.def;
    let result: ReconcileResult<unknown>;
    try {
      result = def.reconcile({
        snapshot: this.informer, key, now: this.clock!.now(), config: this.setup!.config, local: this.local, seed: this.cluster!.seed,
        ...(this.live ? { live: this.live } : {}),
      });
    } catch (err) {
      this.log(`reconcile ${key} failed: ${(err as Error).stack ?? String(err)}`);
      result = { error: (err as Error).message };
    }
    if (result.local !== undefined) this.local = result.local;
    const out = newOutcome();
    const port = this.port(s.actorName, cause);
    const finish = (): void => {
      if (result.onDone) this.local = result.onDone(out, this.local);
      const backoff = s.q.end(key, !out.ok || result.error !== undefined, this.timing.backoffBaseMs, this.timing.backoffMaxMs);
      if (backoff !== undefined) this.enqueueAfter(s, key, backoff, cause);
      if (result.requeueAfterMs !== undefined) this.enqueueAfter(s, key, result.requeueAfterMs, cause);
      const c = s.q.takeDirty(key);
      if (c !== undefined) this.enqueue(key, c);
      this.schedulePump(s);
    };
    runSync(port, result, out, finish, () => !this.stopped);
  }

  private port(actor: string, cause: number | null): ExecutorPort {
    return {
      send: (w: WriteStep, done) => {
        this.stats.writes++;
        // Only a write-through cache needs the written object back; a plan needs its name.
        const kind = requestKind(w.req);
        void this.client!.request(w.req, cause, actor, !writesThrough(this.def, kind)).then((r) => {
          if (this.stopped) return;
          if (!r.ok) {
            this.stats.failedWrites++;
            if (r.error.reason === 'Conflict') this.stats.conflicts++;
          } else if (writesThrough(this.def, r.object.kind as string)) this.storeWriteResult(r.object);
          done(r);
        });
      },
      recordEvent: (spec: EventSpec, createdName?: string) => {
        const req = this.events.record(spec, actor, this.clock!.now(), createdName);
        if (req) void this.client!.request(req, cause, actor, true);
      },
    };
  }

  // ---- status and shutdown ------------------------------------------------------------------------
  status(): ComponentStatus {
    let queued = 0;
    for (const s of this.shards.values()) queued += s.q.size;
    return {
      component: this.o.component, user: this.user, pid: process.pid, state: this.state(), shards: this.shards.size,
      seq: this.informer.seq, queued, reconciles: this.stats.reconciles, writes: this.stats.writes, failedWrites: this.stats.failedWrites,
    };
  }

  private announce(): void {
    const nc = this.j?.nc;
    if (!nc || nc.isClosed()) return;
    try { nc.publish(this.s.status(this.user), JSON.stringify(this.status())); } catch { /* closing */ }
  }

  /** Stop cleanly (SIGTERM): no more reconciles, watches closed, the connection drained. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.process.send({ type: 'STOP' });
    this.stopped = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.fullResyncTimer) clearInterval(this.fullResyncTimer);
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    for (const s of this.shards.values()) for (const t of s.q.handles()) clearTimeout(t.handle);
    await this.follower?.stop();
    await this.liveFollower?.stop();
    await this.j?.nc.drain().catch(() => undefined);
  }
}
