/**
 * The discrete-event queue of the embedded mode: a binary min-heap on (time, insertion order), so events
 * at the same virtual time run in the order they were scheduled — the run is a pure function of its inputs.
 */
export interface SimEvent {
  readonly time: number;
  readonly order: number;
  readonly run: () => void;
  /** A periodic background event (an informer resync): it alone does not keep a run from being idle. */
  readonly background: boolean;
}

export class EventQueue {
  private heap: SimEvent[] = [];
  private counter = 0;
  /** Events that are not background events. */
  foreground = 0;

  get size(): number { return this.heap.length; }

  push(time: number, run: () => void, background = false): void {
    const e: SimEvent = { time, order: this.counter++, run, background };
    if (!background) this.foreground++;
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, e)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  peekTime(): number | undefined { return this.heap[0]?.time; }

  pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    if (!top.background) this.foreground--;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(h[r]!, h[l]!) ? r : l;
        if (less(last, h[c]!)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  clear(): void { this.heap = []; this.foreground = 0; }
}

const less = (a: SimEvent, b: SimEvent): boolean => a.time < b.time || (a.time === b.time && a.order < b.order);
