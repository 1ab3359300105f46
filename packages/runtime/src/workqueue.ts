/**
 * The work queue of one worker pool, with client-go's workqueue semantics, shared by the embedded and
 * the distributed hosts (which differ only in how they run a sync and arm a timer):
 *
 * * a key is queued at most once — adding a queued key keeps one entry, with the newest cause;
 * * a key added while its sync runs is marked dirty and queued again when that sync ends;
 * * AddAfter keeps the earliest pending time per key (a later one is dropped, an earlier one replaces
 *   it);
 * * failed syncs back off per key (`base × 2^(failures-1)`, capped), and a success forgets the failures.
 *
 * A cause is the seq of the log entry that led to the key (null for none); the newest one is kept.
 */
const maxCause = (a: number | null | undefined, b: number | null): number | null =>
  a === undefined || a === null ? b : b === null ? a : Math.max(a, b);

export class WorkQueue<H = undefined> {
  /** Queued keys and the cause each was queued for, in insertion order. */
  readonly queued = new Map<string, number | null>();
  readonly inFlight = new Set<string>();
  private readonly dirty = new Map<string, number | null>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { readonly time: number; readonly token: number; readonly handle: H }>();
  private token = 0;

  /** Queued or being processed: the keys the queue holds (a status figure). */
  get size(): number { return this.queued.size + this.inFlight.size; }

  /** Add a key: true when it was newly queued (the caller then arranges for it to be processed). */
  add(key: string, cause: number | null): boolean {
    if (this.inFlight.has(key)) {
      this.dirty.set(key, maxCause(this.dirty.get(key), cause));
      return false;
    }
    const queued = this.queued.get(key);
    if (queued !== undefined || this.queued.has(key)) {
      this.queued.set(key, maxCause(queued, cause));
      return false;
    }
    this.queued.set(key, cause);
    return true;
  }

  /** Take a queued key out of the queue: its cause, or undefined when it is not queued (any more). */
  take(key: string): number | null | undefined {
    const cause = this.queued.get(key);
    if (cause === undefined && !this.queued.has(key)) return undefined;
    this.queued.delete(key);
    return cause ?? null;
  }

  /** A sync of the key begins. */
  begin(key: string): void { this.inFlight.add(key); }

  /**
   * A sync of the key ended: on failure, the delay to retry it after (its failures counted, backoff
   * doubling from `baseMs` up to `maxMs`); on success, undefined (its failures forgotten).
   */
  end(key: string, failed: boolean, baseMs: number, maxMs: number): number | undefined {
    this.inFlight.delete(key);
    if (!failed) { this.failures.delete(key); return undefined; }
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    return Math.min(baseMs * 2 ** (n - 1), maxMs);
  }

  /** After a sync ended: the cause the key was marked dirty with while it ran (then it is no longer dirty). */
  takeDirty(key: string): number | null | undefined {
    const c = this.dirty.get(key);
    if (c === undefined && !this.dirty.has(key)) return undefined;
    this.dirty.delete(key);
    return c ?? null;
  }

  /**
   * AddAfter at `time`: unless a timer at that time or earlier is pending for the key, `arm` sets one
   * (it gets a token to pass to `fired`) and `disarm` cancels the one it replaces.
   */
  after(key: string, time: number, arm: (token: number) => H, disarm?: (handle: H) => void): void {
    const existing = this.timers.get(key);
    if (existing && existing.time <= time) return;
    if (existing && disarm) disarm(existing.handle);
    const token = ++this.token;
    this.timers.set(key, { time, token, handle: arm(token) });
  }

  /** A timer went off: whether it is still the key's pending one (which is then forgotten). */
  fired(key: string, token: number): boolean {
    if (this.timers.get(key)?.token !== token) return false;
    this.timers.delete(key);
    return true;
  }

  /** The pending timers' handles (to cancel them on shutdown). */
  handles(): IterableIterator<{ readonly handle: H }> { return this.timers.values(); }

  /** Forget everything (a crashed process). */
  clear(): void {
    this.queued.clear(); this.inFlight.clear(); this.dirty.clear(); this.failures.clear(); this.timers.clear();
  }
}
