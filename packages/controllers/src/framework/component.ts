import type { Kind, KObject } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { IndexSpec, Snapshot } from '@kubesim/state';
import type { PlanOutcome, Step } from './plan.js';

export interface ReconcileInput<C, L> {
  readonly snapshot: Snapshot;
  readonly key: string;
  /** Virtual time in milliseconds. */
  readonly now: number;
  readonly config: C;
  /** Component-local state that is not in the log (e.g. ReplicaSet expectations). Lost on a crash. */
  readonly local: L;
  /** The run's seed, for deterministic per-object choices (hash it with a label, never store a generator). */
  readonly seed: number;
  /**
   * The API server's state now, for the few live reads Kubernetes components make instead of trusting
   * their cache (pvc-protection's live pod list before it releases a claim). Hosts that cannot offer
   * one leave it out; readers then fall back to `snapshot`.
   */
  readonly live?: Snapshot;
}

export interface ReconcileResult<L> {
  /** The writes to perform, in order (seq/par). */
  readonly plan?: Step;
  /** Computed after the plan ran (e.g. the status write, which depends on which writes succeeded). */
  readonly finalize?: (o: PlanOutcome) => Step | undefined;
  /** Reconcile this key again after this many virtual ms (timers: readiness delays, minReadySeconds). */
  readonly requeueAfterMs?: number;
  /** The sync failed without a write error (e.g. a stale claim); requeue with backoff. */
  readonly error?: string;
  /** New local state, set before the plan runs. */
  readonly local?: L;
  /**
   * How much the reconcile read (e.g. pods scanned). The host turns it into virtual processing time
   * (`costPerWorkUnitMs`), so a sync of a 10,000-pod set takes longer than one of 3 pods and the work
   * queue coalesces the events that arrive meanwhile, as Kubernetes' queues do under load.
   */
  readonly workUnits?: number;
  /** Adjust local state once the plan is done (e.g. cancel expectations of creates that failed). */
  readonly onDone?: (o: PlanOutcome, local: L) => L;
}

/**
 * What the host knows when it runs a component's event handlers besides the cache: its local state
 * (already updated by `observe` for this entry) and the virtual time of the delivery. Handlers use it
 * for queueing hints that depend on component memory (e.g. the scheduler does not wake a pod that is
 * backing off: its backoff timer is already set).
 */
export interface KeysForContext<L> {
  readonly local: L;
  readonly now: number;
}

/** A log entry about an object, as delivered to informers. */
export type ObjectEntry = Envelope & { readonly object: KObject };

/**
 * A control-plane component: event handlers that map log entries to keys, and a pure reconcile of
 * one key. Shells (xstate machine + transport) run it; nothing here does I/O.
 */
export interface ComponentDef<C = unknown, L = undefined> {
  readonly name: string;
  readonly watches: readonly Kind[];
  readonly indexes?: readonly IndexSpec[];
  /** Receive COMMAND/FAULT entries too (for faults addressed to this component). */
  readonly watchInputs?: boolean;
  /**
   * Kinds the component only looks up (listers, no event handlers: their entries wake nothing). The NATS
   * host keeps them in its informer; the embedded host lets reconciles read them from the API server's
   * state (`ReconcileInput.live`), so they cost no deliveries — readers use `live ?? snapshot`.
   */
  readonly lists?: readonly Kind[];
  /**
   * Event handlers: the keys to enqueue for one log entry. `snap` already includes the entry; `old` is
   * the previous object. `ctx` (local state and time) is passed by hosts; handlers must work without it.
   */
  keysFor(e: Envelope, old: KObject | undefined, snap: Snapshot, config: C, ctx?: KeysForContext<L>): readonly string[];
  /** Keys to reconcile once the cache has synced (the initial list). */
  initialKeys(snap: Snapshot, config: C): Iterable<string>;
  /**
   * The controller's own periodic full resync, if it has one: every `fullResyncMs` the initial keys are
   * enqueued again (the resource quota controller's `resyncPeriod`, 5 minutes: `enqueueAll`). A background
   * timer: it alone does not keep an embedded run busy.
   */
  readonly fullResyncMs?: number;
  reconcile(input: ReconcileInput<C, L>): ReconcileResult<L>;
  initialLocal(): L;
  /** Update local state from a delivered entry (before keysFor). */
  observe?(e: Envelope, old: KObject | undefined, local: L, config: C): L;
  /**
   * The process has synced its cache (local state rebuilt by `observe` over the log) and starts work, at
   * `now`: drop what a real process keeps only in memory and so has forgotten after a restart (e.g. the
   * kubelet's crash-loop back-off). Hosts call it at every start, the first one included.
   */
  onStart?(local: L, now: number): L;
  /** The actor (shard) that owns a key: e.g. the node of a kubelet key. Default: the component itself. */
  shardOf?(key: string): string;
  /**
   * Write-through cache (opt-in): after a successful write the host stores the object the API server
   * returned in this component's cache when it is newer than the cached one, and a later delivery of an
   * older version does not replace it — what the PV controller does with `storeVolumeUpdate` /
   * `storeClaimUpdate`, so its next sync does not read its own stale objects. Keys are still enqueued
   * only by deliveries. `true`: every kind it watches; a list: those kinds (the host can then serve the
   * other kinds from the shared fold of the log).
   */
  readonly writeThrough?: boolean | readonly Kind[];
  /**
   * The reconcile reads `ReconcileInput.live` (a live GET or list in Kubernetes: the GC's isDangling,
   * pvc-protection's pod list). Hosts that cannot read the API server's state synchronously (the NATS
   * host) keep a fold of the whole log in log order for it, at least as new as the entry that woke the key.
   */
  readonly liveReads?: boolean;
}

/** Whether a component keeps its own writes of `kind` in its cache (`ComponentDef.writeThrough`). */
export const writesThrough = (def: Pick<ComponentDef<never, never>, 'writeThrough'>, kind: string): boolean => {
  const w = def.writeThrough;
  return w === true || (Array.isArray(w) && w.includes(kind as Kind));
};

/**
 * The deletions a write-through cache has applied (object key → seq of its DELETED entry). A write's
 * answer can arrive after the watch delivered the object's deletion (the write was decided before); it is
 * then older than the deletion and must not bring the object back into the cache — what the PV
 * controller's lister, which the informer keeps, decides for its own cache [claimWorker → deleteClaim].
 */
export class DeletionMarks {
  private readonly seqs = new Map<string, number>();
  note(key: string, seq: number): void {
    this.seqs.delete(key);
    this.seqs.set(key, seq);
    if (this.seqs.size > 100_000) {
      let drop = 50_000;
      for (const k of this.seqs.keys()) { if (drop-- <= 0) break; this.seqs.delete(k); }
    }
  }
  /** Whether the object was deleted after the version `rv` (as far as this cache has seen). */
  deletedAfter(key: string, rv: number): boolean {
    const s = this.seqs.get(key);
    return s !== undefined && s > rv;
  }
  clear(): void { this.seqs.clear(); }
}
