/**
 * The distributed mode's clock: wall time dilated by the cluster's time scale and measured from the
 * cluster's epoch, the same for every process (both come from the bootstrap entry of the log). With
 * `timeScale` 100, a 10 s grace period takes 100 ms of wall time.
 */
export interface ClusterTime {
  /** Wall-clock milliseconds (Unix) at virtual time 0. */
  readonly epochMs: number;
  /** Virtual milliseconds per wall millisecond. */
  readonly timeScale: number;
}

export class DilatedClock {
  constructor(readonly t: ClusterTime, private readonly wallNow: () => number = () => performance.timeOrigin + performance.now()) {
    if (!(t.timeScale > 0) || !Number.isFinite(t.timeScale)) throw new Error(`time scale must be a positive number, got ${t.timeScale}`);
  }
  /** Virtual milliseconds now. */
  now(): number { return (this.wallNow() - this.t.epochMs) * this.t.timeScale; }
  /** Virtual time of a wall-clock instant (e.g. a JetStream store timestamp). */
  fromWall(wallMs: number): number { return (wallMs - this.t.epochMs) * this.t.timeScale; }
  /** Wall milliseconds a virtual delay takes. */
  wallDelay(virtualMs: number): number { return Math.max(0, virtualMs / this.t.timeScale); }
}
