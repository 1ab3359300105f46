/**
 * The discrete-event queue of the embedded mode: a binary min-heap on (time, insertion order), so events
 * at the same virtual time run in the order they were scheduled — the run is a pure function of its inputs.
 *
 * The heap is kept as parallel arrays (times and orders in typed arrays, callbacks beside them): no
 * object per event, and the comparisons of a sift read two dense arrays instead of chasing pointers.
 */
export interface SimEvent {
  readonly time: number;
  readonly order: number;
  readonly run: () => void;
  /** A periodic background event (an informer resync): it alone does not keep a run from being idle. */
  readonly background: boolean;
}

/**
 * The process an event belongs to: while it is paused (SIGSTOP) its due events are handed to `freeze`
 * instead of run — what a paused process would have done waits, in order, until it is resumed.
 */
export interface EventOwner {
  readonly isPaused: boolean;
  freeze(run: () => void, background: boolean): void;
}

export class EventQueue {
  private times = new Float64Array(1024);
  private orders = new Float64Array(1024);
  private bg = new Uint8Array(1024);
  private fns: (() => void)[] = [];
  private owners: (EventOwner | undefined)[] = [];
  private n = 0;
  private counter = 0;
  /** Events that are not background events. */
  foreground = 0;
  /** The time of the event `next()` returned last. */
  lastTime = 0;
  /** The owner of the event `next()` returned last (undefined: the simulation's own). */
  lastOwner: EventOwner | undefined = undefined;
  /** Whether the event `next()` returned last is a background event. */
  lastBackground = false;

  get size(): number { return this.n; }

  push(time: number, run: () => void, background = false, owner?: EventOwner): void {
    const order = this.counter++;
    if (!background) this.foreground++;
    if (this.n === this.times.length) this.grow();
    const { times, orders, bg, fns, owners } = this;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = times[p]!;
      if (tp < time || (tp === time && orders[p]! < order)) break;
      times[i] = tp; orders[i] = orders[p]!; bg[i] = bg[p]!; fns[i] = fns[p]!; owners[i] = owners[p];
      i = p;
    }
    times[i] = time; orders[i] = order; bg[i] = background ? 1 : 0; fns[i] = run; owners[i] = owner;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap); t.set(this.times); this.times = t;
    const o = new Float64Array(cap); o.set(this.orders); this.orders = o;
    const b = new Uint8Array(cap); b.set(this.bg); this.bg = b;
  }

  peekTime(): number | undefined { return this.n > 0 ? this.times[0] : undefined; }

  /** Remove the earliest event and return its callback (its time in `lastTime`). */
  next(): (() => void) | undefined {
    const n = this.n;
    if (n === 0) return undefined;
    const { times, orders, bg, fns, owners } = this;
    const run = fns[0]!;
    this.lastTime = times[0]!;
    this.lastOwner = owners[0];
    this.lastBackground = bg[0] === 1;
    if (bg[0] === 0) this.foreground--;
    const last = n - 1;
    this.n = last;
    if (last > 0) {
      const lt = times[last]!, lo = orders[last]!, lb = bg[last]!, lf = fns[last]!, lw = owners[last];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        let c = l;
        if (r < last && (times[r]! < times[l]! || (times[r] === times[l] && orders[r]! < orders[l]!))) c = r;
        const tc = times[c]!;
        if (lt < tc || (lt === tc && lo < orders[c]!)) break;
        times[i] = tc; orders[i] = orders[c]!; bg[i] = bg[c]!; fns[i] = fns[c]!; owners[i] = owners[c];
        i = c;
      }
      times[i] = lt; orders[i] = lo; bg[i] = lb; fns[i] = lf; owners[i] = lw;
    }
    fns[last] = undefined as unknown as () => void;
    owners[last] = undefined;
    return run;
  }

  /** `next()` as an event object (tests and tools; the simulation loop uses `next`). */
  pop(): SimEvent | undefined {
    if (this.n === 0) return undefined;
    const order = this.orders[0]!, background = this.bg[0] === 1;
    const run = this.next()!;
    return { time: this.lastTime, order, run, background };
  }

  clear(): void {
    this.fns = [];
    this.owners = [];
    this.n = 0;
    this.foreground = 0;
  }
}
