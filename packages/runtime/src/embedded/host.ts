import { createActor, type Actor } from 'xstate';
import { keyOf, newTimeout, resourceVersionOf, type Kind, type KObject } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { ObjectStore, StoreView } from '@kubesim/state';
import { SplitCache } from './split.js';
import { componentMachine, DeletionMarks, writesThrough, type ComponentDef, type EventSpec, type PlanOutcome, type ReconcileResult, type WriteStep } from '@kubesim/controllers';
import { newOutcome, runSync, type ExecutorPort } from './executor.js';
import { noFaults, type HostFaults, type RuntimeFault } from './faults.js';
import type { Simulation } from './simulation.js';
import { EventCorrelator } from '../events.js';
import type { EventOwner } from './queue.js';
import { WorkQueue } from '../workqueue.js';

type Machine = typeof componentMachine;

/** What a lifecycle actor's actions do, per actor (the machine itself is built once for every host). */
interface LifecycleEffects {
  connect(): void;
  beginSync(): void;
  startWork(): void;
  dropState(): void;
}
const effectsOf = new WeakMap<object, LifecycleEffects>();
const hostedMachine = componentMachine.provide({
  actions: {
    connect: ({ self }) => effectsOf.get(self)?.connect(),
    beginSync: ({ self }) => effectsOf.get(self)?.beginSync(),
    startWork: ({ self }) => effectsOf.get(self)?.startWork(),
    dropState: ({ self }) => effectsOf.get(self)?.dropState(),
  },
});

/** A shard (a node of the kubelet, or the whole component): its lifecycle actor and its work queue. */
interface Shard {
  readonly name: string;
  readonly actorName: string;
  actor: Actor<Machine>;
  readonly q: WorkQueue;
}

export interface HostStats {
  reconciles: number;
  writes: number;
  conflicts: number;
  failedSyncs: number;
}

/**
 * Runs one ComponentDef inside the embedded simulation: an informer fed by the log, xstate lifecycle
 * actors (one per shard: per node for the kubelet), a work queue, and the plan interpreter.
 */
export class ComponentHost<C = unknown, L = unknown> implements EventOwner {
  /**
   * The informer's cache. While the component sees a prefix of the log (no write-through, no broken or
   * reordered watch) it is a view of the simulation's shared fold (the API server's `VersionedStore`)
   * at the last entry delivered to it; otherwise it is the component's own `ObjectStore`. Either way it
   * reads the same objects in the same order.
   */
  informer: ObjectStore | StoreView | SplitCache;
  local: L;
  /** Bumped on crash: late responses to requests of a dead incarnation are dropped. */
  epoch = 0;
  private lastDelivery = 0;
  /** The last scheduled delivery batch while it has not run (entries due at `lastDelivery`). */
  private batch: Envelope[] | undefined;
  /** Entries at or below this seq are not delivered (the cache was rebuilt past them, or the process is down). */
  private floorSeq = 0;
  /** The last seq delivered per watch (object kind; '' for inputs): each watch delivers in log order. */
  private readonly seenByWatch = new Map<string, number>();
  /** Active faults between the log and this component (faults.ts). */
  readonly faults: HostFaults = noFaults();
  /** Object entries lost while the watch is broken, and when the relist that recovers them runs. */
  private dropped: Envelope[] = [];
  private relistAt: number | undefined;
  /** Per-kind delivery horizon while events are reordered across kinds. */
  private readonly lastDeliveryByKind = new Map<string, number>();
  private readonly events = new EventCorrelator();
  /** Deletions the write-through cache has applied (a late write answer must not undo them). */
  private readonly deletions = new DeletionMarks();
  /** When the last event recorded is written: the process's events reach the API server in order. */
  private lastEventAt = 0;
  /**
   * The last delivery scheduled in log order (and a pending relist): a reordered event may overtake
   * other kinds' events offered with it, never what was already on its way in order — one watch per kind
   * delivers in order, and a later event of a kind delivered first would make its watch skip the earlier
   * one for good.
   */
  private inOrderHorizon = 0;
  readonly shards = new Map<string, Shard>();
  readonly process: Actor<Machine>;
  readonly stats: HostStats = { reconciles: 0, writes: 0, conflicts: 0, failedSyncs: 0 };
  /** Paused (SIGSTOP): what the process would do waits in `frozen`, in order, until it is resumed. */
  private paused = false;
  private frozen: { readonly fn: () => void; readonly background: boolean }[] = [];

  constructor(
    private readonly sim: Simulation,
    readonly def: ComponentDef<C, L>,
    readonly config: C,
    shardNames: readonly string[] | undefined,
  ) {
    this.informer = new ObjectStore(def.watches, def.indexes ?? []);
    this.local = def.initialLocal();
    this.process = this.makeActor(def.name, true);
    const names = shardNames ?? [def.name];
    for (const n of names) {
      const actorName = shardNames ? `${def.name}:${n}` : def.name;
      this.shards.set(n, {
        name: n, actorName, actor: shardNames ? this.makeActor(actorName, false) : this.process,
        q: new WorkQueue(),
      });
    }
  }

  get name(): string { return this.def.name; }
  get running(): boolean { return this.process.getSnapshot().value === 'running'; }
  state(): string { return String(this.process.getSnapshot().value); }

  private makeActor(name: string, isProcess: boolean): Actor<Machine> {
    const effects: LifecycleEffects = {
      connect: () => this.sim.at(0, () => this.actorOf(name, isProcess).send({ type: 'CONNECTED' }), this),
      beginSync: () => {
        if (!isProcess) { this.sim.at(0, () => this.actorOf(name, isProcess).send({ type: 'SYNCED' }), this); return; }
        this.sim.at(this.sim.timing.cacheSyncMs, () => {
          if (this.process.getSnapshot().value !== 'syncing') return;
          this.resync();
          this.process.send({ type: 'SYNCED' });
        }, this);
      },
      // Effects run after the transition is committed, so the actor already reports `running`.
      startWork: () => this.sim.at(0, () => {
        if (isProcess) {
          if (this.def.onStart) this.local = this.def.onStart(this.local, this.sim.now);
          // Shards (nodes) start once the process has synced — after a crash too, so that they take
          // the initial keys listed below.
          for (const s of this.shards.values()) {
            if (s.actor !== this.process) s.actor.send({ type: s.actor.getSnapshot().value === 'crashed' ? 'RESTART' : 'START' });
          }
          this.schedulePeriodicResync();
          this.scheduleFullResync();
        }
        this.startShardWork(isProcess ? undefined : name);
      }, this),
      dropState: () => { if (isProcess) this.dropState(); },
    };
    const a = createActor(hostedMachine, { input: { name } });
    effectsOf.set(a, effects);
    a.start();
    return a;
  }

  private actorOf(name: string, isProcess: boolean): Actor<Machine> {
    if (isProcess) return this.process;
    for (const s of this.shards.values()) if (s.actorName === name) return s.actor;
    throw new Error(`no actor ${name}`);
  }

  /**
   * The process's events are scheduled with the host as their owner (`EventOwner`): while the process is
   * paused (SIGSTOP) the simulation hands them here instead of running them, and they wait, in order with
   * everything else the process would have done, until it is resumed. What happens outside the process
   * (a request on its way to the API server, the log) goes on.
   */
  freeze(fn: () => void, background: boolean): void { this.frozen.push({ fn, background }); }

  get isPaused(): boolean { return this.paused; }
  get isPartitioned(): boolean { return this.faults.partitioned; }

  /** SIGSTOP: the process stops; deliveries, timers, syncs and answers wait for `resume`. */
  pause(): void { this.paused = true; }

  /** SIGCONT: what waited runs now, in the order it was due; late timers fire at once. */
  resume(): void {
    this.paused = false;
    const frozen = this.frozen;
    this.frozen = [];
    for (const f of frozen) {
      if (f.background) this.sim.atBackground(0, f.fn, this);
      else this.sim.at(0, f.fn, this);
    }
  }

  /**
   * A network partition: the process runs on, but its watches are broken (entries about objects are lost
   * until a relist after `heal`), its requests and the answers on their way time out, its events are lost.
   */
  partition(): void {
    this.ownCache();
    this.faults.partitioned = true;
    this.faults.dropUntil = Number.POSITIVE_INFINITY;
  }

  /** The partition ends: the reflectors notice their broken watches and relist after a short backoff. */
  heal(): void {
    const st = this.faults;
    st.partitioned = false;
    st.dropUntil = this.sim.now;
    this.scheduleRelist(this.relistTime(this.sim.now));
  }

  /**
   * When the reflector relists after its watch was broken until `brokenUntil`: after a short backoff, and
   * not before the events already on their way (sent before the break) have arrived — they are older than
   * anything the relist brings, and one watch delivers in order.
   */
  private relistTime(brokenUntil: number): number {
    return Math.max(brokenUntil + this.sim.draw([100, 800]), this.lastDelivery);
  }

  /** The relist after a broken watch, at `at`: everything offered meanwhile is delivered after it. */
  private scheduleRelist(at: number): void {
    const epoch = this.epoch;
    this.relistAt = at;
    this.lastDelivery = Math.max(this.lastDelivery, at);
    this.inOrderHorizon = Math.max(this.inOrderHorizon, at);
    this.batch = undefined;
    this.sim.atTime(at, () => { if (epoch === this.epoch && this.relistAt === at) this.relist(); }, this);
  }

  start(): void { this.process.send({ type: 'START' }); }
  crash(reason: string): void {
    // A killed process is no longer paused: what it had left to do dies with it.
    this.paused = false;
    this.frozen = [];
    this.process.send({ type: 'CRASH', reason });
    for (const s of this.shards.values()) if (s.actor !== this.process) s.actor.send({ type: 'CRASH', reason });
  }
  /** Restart a crashed process; its shards restart when it has synced (see startWork). */
  restart(): void {
    this.process.send({ type: 'RESTART' });
  }

  /** Rebuild the cache by folding the whole log (what a restarted process does). */
  private resync(): void {
    if (this.writeThroughKinds !== undefined) { this.resyncSplit(this.writeThroughKinds); return; }
    if (this.canShare()) {
      // The shared fold already holds the whole log: only the component's local state is rebuilt.
      const shared = this.sim.api.store;
      let local = this.def.initialLocal();
      const observe = this.def.observe;
      if (observe) {
        for (const e of this.sim.log.all()) {
          if (isObjectEntry(e) ? this.def.watches.includes(e.object.kind as never) : this.def.watchInputs) local = observe(e, shared.previous(e.seq), local, this.config);
        }
      }
      this.setInformer(shared.view(this.def.watches, this.def.indexes ?? [], this.sim.log.lastSeq()));
      this.local = local;
      this.floorSeq = this.sim.log.lastSeq();
      this.seenByWatch.clear();
      return;
    }
    const store = new ObjectStore(this.def.watches, this.def.indexes ?? []);
    let local = this.def.initialLocal();
    const observe = this.def.observe;
    for (const e of this.sim.log.all()) {
      const old = store.applyReturningOld(e);
      if (observe && (isObjectEntry(e) ? store.watches(e.object.kind as string) : this.def.watchInputs)) local = observe(e, old, local, this.config);
    }
    this.setInformer(store);
    this.local = local;
    this.floorSeq = this.sim.log.lastSeq();
    this.seenByWatch.clear();
  }

  /**
   * The resync of a cache split by kind (see SplitCache): the write-through kinds folded into the
   * component's own store, the others viewed in the shared fold (or folded privately while a fault
   * breaks the watch).
   */
  private resyncSplit(own: readonly Kind[]): void {
    const ownSet = new Set<string>(own);
    const sharedKinds = this.def.watches.filter((k) => !ownSet.has(k));
    const indexes = this.def.indexes ?? [];
    const store = new ObjectStore(own, indexes.filter((ix) => ownSet.has(ix.kind)));
    const sharedIndexes = indexes.filter((ix) => !ownSet.has(ix.kind));
    const shared = this.sim.api.store;
    const privateShared = this.canShare() ? undefined : new ObjectStore(sharedKinds, sharedIndexes);
    let local = this.def.initialLocal();
    const observe = this.def.observe;
    for (const e of this.sim.log.all()) {
      const isObject = isObjectEntry(e);
      const kind = isObject ? (e.object.kind as string) : '';
      let old: KObject | undefined;
      if (isObject && ownSet.has(kind)) old = store.applyReturningOld(e);
      else {
        store.seq = e.seq;
        if (privateShared) old = privateShared.applyReturningOld(e);
        else old = isObject && sharedKinds.includes(kind as never) ? shared.previous(e.seq) : undefined;
      }
      if (observe && (isObject ? this.def.watches.includes(kind as never) : this.def.watchInputs)) local = observe(e, old, local, this.config);
    }
    const last = this.sim.log.lastSeq();
    const split = new SplitCache(store, privateShared ?? shared.view(sharedKinds, sharedIndexes, last));
    split.advance(last);
    this.setInformer(split);
    this.local = local;
    this.floorSeq = last;
    this.seenByWatch.clear();
  }

  /** The kinds this component keeps write-through (undefined: none, or, with `writeThrough: true`, see `writesThrough`). */
  private get writeThroughKinds(): readonly Kind[] | undefined {
    const w = this.def.writeThrough;
    return Array.isArray(w) ? w : undefined;
  }


  /** A view of the shared fold is possible while the cache is exactly a prefix of the log. */
  private canShare(): boolean {
    const now = this.sim.now;
    return this.def.writeThrough !== true && now >= this.faults.dropUntil && now >= this.faults.reorderUntil
      && this.dropped.length === 0 && this.relistAt === undefined;
  }

  private setInformer(next: ObjectStore | StoreView | SplitCache): void {
    const cur = this.informer;
    if (cur instanceof StoreView) this.sim.api.store.close(cur);
    else if (cur instanceof SplitCache && cur.shared instanceof StoreView) this.sim.api.store.close(cur.shared);
    this.informer = next;
  }

  /**
   * The cache is about to stop being a prefix of the log (a broken or reordered watch): from here on
   * the component keeps its own fold, starting from what its view holds.
   */
  private ownCache(): void {
    const inf = this.informer;
    if (inf instanceof ObjectStore) return;
    if (inf instanceof SplitCache) {
      if (inf.shared instanceof StoreView) {
        const view = inf.shared;
        const kinds = [...view.kinds.keys()] as Kind[];
        inf.shared = foldUpTo(this.sim.log.all(), inf.seq, new ObjectStore(kinds, (this.def.indexes ?? []).filter((ix) => view.kinds.has(ix.kind))));
        this.sim.api.store.close(view);
      }
      return;
    }
    this.setInformer(foldUpTo(this.sim.log.all(), inf.seq, new ObjectStore(this.def.watches, this.def.indexes ?? [])));
  }

  /** The store that holds the write-through kinds (the whole cache when every kind is write-through). */
  private writeStore(): ObjectStore {
    const inf = this.informer;
    if (inf instanceof SplitCache) return inf.own;
    this.ownCache();
    return this.informer as ObjectStore;
  }

  private dropState(): void {
    this.epoch++;
    this.setInformer(new ObjectStore(this.def.watches, this.def.indexes ?? []));
    this.local = this.def.initialLocal();
    this.floorSeq = Number.MAX_SAFE_INTEGER; // deliveries are ignored until the next sync
    this.seenByWatch.clear();
    // The dead process's watches and their faults die with it (a restarted process opens new watches);
    // slow-network windows (delays) go on.
    this.dropped = [];
    this.relistAt = undefined;
    this.lastDelivery = 0;
    this.inOrderHorizon = 0;
    this.batch = undefined;
    this.lastDeliveryByKind.clear();
    // A partition is the network's, not the process's: it outlives a crash.
    this.faults.dropUntil = this.faults.partitioned ? Number.POSITIVE_INFINITY : -1;
    this.faults.reorderUntil = -1;
    this.faults.duplicates = 0;
    this.faults.crashAfterWrites = 0;
    this.faults.dropRequests = 0;
    this.faults.dropResponses = 0;
    this.events.clear();
    this.deletions.clear();
    for (const s of this.shards.values()) {
      s.q.clear();
    }
  }

  /** Initial keys of a sharded component, grouped by shard when the process starts running. */
  private pendingShardKeys: Map<string, string[]> | undefined;

  private startShardWork(shard: string | undefined): void {
    // The initial list reacts to the state as of the last folded entry: that entry is the cause.
    const cause = this.informer.seq > 0 ? this.informer.seq : null;
    const shardOf = this.def.shardOf;
    if (!shardOf) {
      for (const key of this.def.initialKeys(this.informer, this.config)) this.enqueue(key, cause);
      return;
    }
    if (shard === undefined) {
      // The process is running: list once, and let each shard (node) take its keys when it runs.
      const byShard = new Map<string, string[]>();
      for (const key of this.def.initialKeys(this.informer, this.config)) {
        const n = shardOf(key);
        let l = byShard.get(n);
        if (!l) { l = []; byShard.set(n, l); }
        l.push(key);
      }
      this.pendingShardKeys = byShard;
      return;
    }
    const name = [...this.shards.values()].find((s) => s.actorName === shard)?.name ?? shard;
    const keys = this.pendingShardKeys?.get(name) ?? [];
    this.pendingShardKeys?.delete(name);
    for (const key of keys) this.enqueue(key, cause);
  }


  private lookup(store: ObjectStore | StoreView | SplitCache, o: KObject): KObject | undefined {
    return store.get(o.kind as never, o.metadata?.namespace ?? '', o.metadata?.name ?? '') as KObject | undefined;
  }

  /** Called for every log append: schedule its delivery to this informer (FIFO per component). */
  /** Whether entries about objects of this kind ('' for inputs) reach the informer (fixed by the component). */
  interestedIn(kind: string): boolean {
    return kind === '' ? this.def.watchInputs === true : this.def.watches.includes(kind as never);
  }

  offer(e: Envelope): void {
    const isObject = isObjectEntry(e);
    if (isObject) { if (!this.informer.watches(e.object.kind as string)) return; }
    else if (!this.def.watchInputs) return;
    this.offerWatched(e, isObject);
  }

  /** `offer` of an entry the informer watches (the simulation routes entries by kind). */
  offerWatched(e: Envelope, isObject: boolean): void {
    const now = this.sim.now;
    const f = this.faults;
    if (isObject && now < f.dropUntil) { this.dropped.push(e); return; }
    if (isObject && now < f.reorderUntil) { this.offerReordered(e as Envelope & { object: KObject }); return; }
    let t = now + this.sim.draw(this.sim.timing.watchLatencyMs) + (now < f.watchDelayUntil ? f.watchDelayMs : 0);
    t = Math.max(this.lastDelivery, t);
    // Deliveries due at the same instant as the last scheduled, not yet run, batch join it: one queue
    // event per instant, entries still delivered in log order.
    if (t === this.lastDelivery && this.batch !== undefined) { this.batch.push(e); return; }
    this.lastDelivery = t;
    this.inOrderHorizon = t;
    const batch: Envelope[] = [e];
    this.batch = batch;
    this.sim.atTime(t, () => {
      if (this.batch === batch) this.batch = undefined;
      for (let i = 0; i < batch.length; i++) this.deliver(batch[i]!);
    }, this);
  }

  /** One watch per kind, each with its own (wider) latency: kinds overtake each other, each stays in order. */
  private offerReordered(e: Envelope & { object: KObject }): void {
    const kind = e.object.kind as string;
    const t = Math.max(this.lastDeliveryByKind.get(kind) ?? 0, this.inOrderHorizon, this.sim.now + this.sim.draw([0.1, 40]));
    this.lastDeliveryByKind.set(kind, t);
    if (t > this.lastDelivery) { this.lastDelivery = t; this.batch = undefined; }
    this.sim.atTime(t, () => this.deliver(e), this);
  }

  /** Apply a runtime fault addressed to this component. */
  applyFault(f: RuntimeFault): void {
    const now = this.sim.now;
    const st = this.faults;
    switch (f.fault) {
      case 'watch-delay':
        st.watchDelayMs = f.ms; st.watchDelayUntil = now + f.durationMs; break;
      case 'watch-reorder':
        this.ownCache();
        st.reorderUntil = Math.max(st.reorderUntil, now + f.durationMs); break;
      case 'watch-duplicate':
        st.duplicates += f.count; break;
      case 'api-delay':
        st.apiDelayMs = f.ms; st.apiDelayUntil = now + f.durationMs; break;
      case 'api-drop':
        if (f.where === 'request') st.dropRequests += f.count; else st.dropResponses += f.count;
        st.dropTimeoutMs = f.timeoutMs;
        break;
      case 'crash-after-writes':
        st.crashAfterWrites = f.writes; st.restartAfterMs = f.restartAfterMs; break;
      case 'watch-drop': {
        this.ownCache();
        st.dropUntil = Math.max(st.dropUntil, now + f.durationMs);
        // The reflector notices the broken watch when the window ends and relists; everything offered after
        // that waits for the relist (one watch = one ordered stream).
        const at = this.relistTime(st.dropUntil);
        if (this.relistAt === undefined || at > this.relistAt) this.scheduleRelist(at);
        break;
      }
    }
  }

  /**
   * The relist after a broken watch (reflector ListAndWatch + DeltaFIFO Replace): the cache jumps to the
   * current version of every object whose events were lost; handlers fire once per such object.
   */
  private relist(): void {
    this.relistAt = undefined;
    const last = new Map<string, Envelope>();
    for (const e of this.dropped) last.set(keyOf(e.object!), e);
    this.dropped = [];
    const entries = [...last.values()].sort((a, b) => a.seq - b.seq);
    for (const e of entries) this.deliver(e);
  }

  private deliver(e: Envelope): void {
    if (e.seq <= this.floorSeq) return;
    const isObject = isObjectEntry(e);
    const watch = isObject ? (e.object.kind as string) : '';
    if (e.seq <= (this.seenByWatch.get(watch) ?? 0)) return;
    this.seenByWatch.set(watch, e.seq);
    let old: KObject | undefined;
    if (isObject && this.def.writeThrough !== undefined && writesThrough(this.def, watch)) {
      const inf = this.informer;
      const own = this.writeStore();
      old = this.lookup(own, e.object);
      // Write-through caches keep a newer version they stored from their own write's response.
      if (old !== undefined && resourceVersionOf(old) > e.seq) own.seq = e.seq;
      else own.apply(e);
      if (e.type === 'DELETED') this.deletions.note(keyOf(e.object), e.seq);
      if (inf instanceof SplitCache) inf.advance(e.seq);
    } else old = this.informer.applyReturningOld(e);
    if (this.def.observe) this.local = this.def.observe(e, old, this.local, this.config);
    const keys = this.def.keysFor(e, old, this.informer, this.config, { local: this.local, now: this.sim.now });
    for (let i = 0; i < keys.length; i++) this.enqueue(keys[i]!, e.seq);
    if (this.faults.duplicates > 0 && isObject) {
      this.faults.duplicates--;
      const epoch = this.epoch;
      this.sim.at(this.sim.draw(this.sim.timing.watchLatencyMs), () => { if (epoch === this.epoch) this.deliverAgain(e); }, this);
    }
  }

  /**
   * The informer's periodic resync (client-go `resyncPeriod`): every cached object is re-delivered as an
   * update to itself. Handlers that ignore unchanged resourceVersions (pods) do nothing; the others
   * (e.g. the StatefulSet handler) enqueue their key — which is what eventually unsticks a sync that
   * ended without an error and without anything left to wake it.
   */
  private schedulePeriodicResync(): void {
    const epoch = this.epoch;
    this.sim.atBackground(this.sim.drawResync(), () => {
      if (epoch !== this.epoch || !this.running) return;
      for (const kind of this.def.watches) {
        for (const o of [...this.informer.list(kind as never)] as KObject[]) {
          const src = this.sim.log.all()[resourceVersionOf(o) - 1];
          if (src) this.deliverAgain({ ...src, object: o } as Envelope & { object: KObject });
        }
      }
      this.schedulePeriodicResync();
    }, this);
  }

  /** The controller's own full resync (`ComponentDef.fullResyncMs`): its initial keys enqueued again, periodically. */
  private scheduleFullResync(): void {
    const every = this.def.fullResyncMs;
    if (every === undefined) return;
    const epoch = this.epoch;
    this.sim.atBackground(every, () => {
      if (epoch !== this.epoch || !this.running) return;
      const cause = this.informer.seq > 0 ? this.informer.seq : null;
      for (const key of this.def.initialKeys(this.informer, this.config)) this.enqueue(key, cause);
      this.scheduleFullResync();
    }, this);
  }

  /** A duplicate: the cached version of the object reaches the handlers again as an update to itself. */
  private deliverAgain(e: Envelope & { object: KObject }): void {
    const cur = this.lookup(this.informer, e.object);
    if (cur === undefined) return;
    const src = this.sim.log.all()[resourceVersionOf(cur) - 1];
    const again: Envelope = { ...(src ?? e), type: 'MODIFIED', object: cur };
    if (this.def.observe) this.local = this.def.observe(again, cur, this.local, this.config);
    const keys = this.def.keysFor(again, cur, this.informer, this.config, { local: this.local, now: this.sim.now });
    for (const k of keys) this.enqueue(k, again.seq);
  }

  /** Write-through ([storeObjectUpdate]): cache the object a successful write returned, if newer. */
  private storeWriteResult(o: KObject): void {
    const kind = o.kind as string;
    if (!this.informer.watches(kind) || !writesThrough(this.def, kind)) return;
    const rv = resourceVersionOf(o);
    if (this.sim.log.all()[rv - 1]?.type === 'DELETED' || this.deletions.deletedAfter(keyOf(o), rv)) return;
    const own = this.writeStore();
    const cur = this.lookup(own, o);
    if (cur !== undefined && resourceVersionOf(cur) >= rv) return;
    own.put(o);
  }

  private shardFor(key: string): Shard | undefined {
    const n = this.def.shardOf ? this.def.shardOf(key) : this.def.name;
    return this.shards.get(n);
  }

  private shardRunning(s: Shard): boolean {
    return this.running && (s.actor === this.process || s.actor.getSnapshot().value === 'running');
  }

  enqueue(key: string, cause: number | null): void {
    const s = this.shardFor(key);
    if (!s) return;
    if (!this.shardRunning(s)) {
      // A shard (node) still starting up takes the key when it runs; a stopped one drops it.
      const st = s.actor.getSnapshot().value;
      if (this.running && s.actor !== this.process && (st === 'connecting' || st === 'syncing')) {
        const l = this.pendingShardKeys?.get(s.name);
        if (l) l.push(key); else (this.pendingShardKeys ??= new Map()).set(s.name, [key]);
      }
      return;
    }
    if (!s.q.add(key, cause)) return;
    const epoch = this.epoch;
    this.sim.at(this.sim.draw(this.sim.timing.workerDelayMs), () => { if (epoch === this.epoch) this.process1(s, key); }, this);
  }

  /** AddAfter: the earliest pending timer for a key wins. */
  private enqueueAfter(s: Shard, key: string, delayMs: number, cause: number | null): void {
    const time = this.sim.now + delayMs;
    const epoch = this.epoch;
    s.q.after(key, time, (token) => {
      this.sim.atTime(time, () => {
        if (epoch !== this.epoch || !s.q.fired(key, token)) return;
        this.enqueue(key, cause);
      }, this);
      return undefined;
    });
  }

  private process1(s: Shard, key: string): void {
    const cause = s.q.take(key);
    if (cause === undefined) return;
    if (!this.shardRunning(s)) return;
    s.q.begin(key);
    this.stats.reconciles++;
    const result: ReconcileResult<L> = this.def.reconcile({
      snapshot: this.informer, key, now: this.sim.now, config: this.config, local: this.local, seed: this.sim.seed, live: this.sim.api.store,
    });
    if (result.local !== undefined) this.local = result.local;
    const epoch = this.epoch;
    const cost = (result.workUnits ?? 1) * this.sim.timing.costPerWorkUnitMs;
    if (result.plan === undefined && result.finalize === undefined) {
      // Nothing to send: the sync ends when its processing time is over.
      this.sim.at(cost, () => { if (epoch === this.epoch) this.finishSync(s, key, cause, result, NOTHING_SENT); }, this);
      return;
    }
    const port = this.port(s.actorName, cause, epoch);
    const out = newOutcome();
    const alive = (): boolean => epoch === this.epoch;
    this.sim.at(cost, () => {
      if (alive()) runSync(port, result, out, () => this.finishSync(s, key, cause, result, out), alive);
    }, this);
  }

  /** A sync's end: its onDone, failure backoff or requeue timer, and the key again if it changed meanwhile. */
  private finishSync(s: Shard, key: string, cause: number | null, result: ReconcileResult<L>, out: PlanOutcome): void {
    if (result.onDone) this.local = result.onDone(out, this.local);
    const failed = !out.ok || result.error !== undefined;
    if (failed) this.stats.failedSyncs++;
    const backoff = s.q.end(key, failed, this.sim.timing.backoffBaseMs, this.sim.timing.backoffMaxMs);
    if (backoff !== undefined) this.enqueueAfter(s, key, backoff, cause);
    if (result.requeueAfterMs !== undefined) this.enqueueAfter(s, key, result.requeueAfterMs, cause);
    const c = s.q.takeDirty(key);
    if (c !== undefined) this.enqueue(key, c);
  }

  /** One request of a plan: applied after the API latency, answered after the response latency (and faults). */
  private send(actor: string, cause: number | null, epoch: number, w: WriteStep, done: Parameters<ExecutorPort['send']>[1]): void {
    this.stats.writes++;
    const f = this.faults;
    if (f.dropRequests > 0) { f.dropRequests--; this.timeout(epoch, done); return; }
    // Partitioned: the request never leaves the process; the client times out.
    if (f.partitioned) { this.timeout(epoch, done); return; }
    this.sim.at(this.sim.draw(this.sim.timing.apiLatencyMs) + (this.sim.now < f.apiDelayUntil ? f.apiDelayMs : 0), () => {
      const r = this.sim.api.handle(w.req, { actor, cause, time: this.sim.now });
      if (r._tag === 'Left' && r.left.reason === 'Conflict') this.stats.conflicts++;
      if (f.crashAfterWrites > 0 && epoch === this.epoch && --f.crashAfterWrites === 0) {
        const restartAfter = f.restartAfterMs;
        this.sim.crash(this.name, 'crash-after-writes');
        if (restartAfter !== undefined) this.sim.at(restartAfter, () => this.sim.restart(this.name));
        return;
      }
      if (f.dropResponses > 0) { f.dropResponses--; this.timeout(epoch, done); return; }
      this.sim.at(this.sim.draw(this.sim.timing.responseLatencyMs) + (this.sim.now < f.apiDelayUntil ? f.apiDelayMs : 0), () => {
        if (epoch !== this.epoch) return;
        // The answer cannot reach a process partitioned meanwhile: its client times out.
        if (f.partitioned) { this.timeout(epoch, done); return; }
        const answer = (): void => {
          if (epoch !== this.epoch) return;
          if (this.def.writeThrough && r._tag === 'Right') this.storeWriteResult(r.right);
          done(r._tag === 'Right' ? { ok: true, object: r.right } : { ok: false, error: r.left });
        };
        if (this.paused) this.freeze(answer, false); else answer();
      });
    });
  }

  /** A request or response lost by a fault: the client times out. */
  private timeout(epoch: number, done: Parameters<ExecutorPort['send']>[1]): void {
    const f = this.faults;
    this.sim.at(f.dropTimeoutMs, () => {
      if (epoch !== this.epoch) return;
      done({ ok: false, error: newTimeout() });
    }, this);
  }

  private port(actor: string, cause: number | null, epoch: number): ExecutorPort {
    return {
      send: (w: WriteStep, done) => this.send(actor, cause, epoch, w, done),
      recordEvent: (spec: EventSpec, createdName?: string) => {
        const req = this.events.record(spec, actor, this.sim.now, createdName);
        if (req === undefined) return;
        // One broadcaster per process writes its events in the order they were recorded.
        const t = Math.max(this.sim.now + this.sim.draw(this.sim.timing.apiLatencyMs), this.lastEventAt);
        this.lastEventAt = t;
        this.sim.atTime(t, () => {
          // A partitioned process's events are lost (the broadcaster gives up on them).
          if (!this.faults.partitioned) this.sim.api.handle(req, { actor, cause, time: this.sim.now });
        }, this);
      },
    };
  }

  /** Keys waiting or being processed (for idle detection and `describe`). */
  busy(): number {
    let n = 0;
    for (const s of this.shards.values()) n += s.q.size;
    return n;
  }
}

/** The outcome of a sync that sent nothing. */
const NOTHING_SENT: PlanOutcome = newOutcome();


/** `store` with the entries of the log up to and including `seq` folded in. */
const foldUpTo = (entries: readonly Envelope[], seq: number, store: ObjectStore): ObjectStore => {
  for (const e of entries) {
    if (e.seq > seq) break;
    store.apply(e);
  }
  store.seq = seq;
  return store;
};
