/**
 * Promises that resolve once a fold of the whole log has reached a seq. A whole-log follower delivers
 * every seq in order without gaps, so each waiter is filed under the seq it waits for and woken by that
 * entry: O(1) per entry, whatever the number of waiters.
 */
export class SeqWaiters {
  private readonly bySeq = new Map<number, (() => void)[]>();

  /**
   * `onWait(seq, timeoutMs)`: told of every wait for a seq the fold has not reached (the fold's follower
   * then reads the entry from the stream if its watch has stalled: `LogFollower.awaitSeq`).
   */
  constructor(private readonly onWait?: (seq: number, timeoutMs: number) => void) {}

  /** The fold has applied the entry at `seq`: wake who waited for it. */
  reached(seq: number): void {
    const w = this.bySeq.get(seq);
    if (w === undefined) return;
    this.bySeq.delete(seq);
    for (const f of w) f();
  }

  /**
   * Resolves once `reached(seq)` (at once when the fold is already at `current ≥ seq`). After
   * `timeoutMs` the waiter is forgotten and the promise settles anyway: resolved, or rejected with
   * `onTimeout()`'s error when given.
   */
  wait(seq: number, current: number, timeoutMs: number, onTimeout?: () => Error): Promise<void> {
    if (seq <= current) return Promise.resolve();
    this.onWait?.(seq, timeoutMs);
    return new Promise((resolve, reject) => {
      let list = this.bySeq.get(seq);
      if (list === undefined) { list = []; this.bySeq.set(seq, list); }
      const l = list;
      const done = (): void => { clearTimeout(t); resolve(); };
      const t = setTimeout(() => {
        const i = l.indexOf(done);
        if (i >= 0) l.splice(i, 1);
        if (l.length === 0 && this.bySeq.get(seq) === l) this.bySeq.delete(seq);
        if (onTimeout) reject(onTimeout()); else resolve();
      }, timeoutMs);
      l.push(done);
    });
  }
}
