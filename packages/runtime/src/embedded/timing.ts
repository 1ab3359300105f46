/** Virtual-time model of the embedded mode. Every delay is drawn from the run's seeded generator. */
export interface TimingConfig {
  /** Component → API server: the request is applied this long after it is sent. */
  readonly apiLatencyMs: readonly [number, number];
  /** API server → component: the response arrives this long after the write. */
  readonly responseLatencyMs: readonly [number, number];
  /** Log append → a component's informer sees it (per component FIFO). */
  readonly watchLatencyMs: readonly [number, number];
  /** A key waits this long in the work queue before its reconcile starts. */
  readonly workerDelayMs: readonly [number, number];
  /** Virtual CPU time per work unit a reconcile reports (objects scanned). */
  readonly costPerWorkUnitMs: number;
  /** Time to fill a cache from the log when a component (re)starts. */
  readonly cacheSyncMs: number;
  /** Work-queue rate limiter: per-key exponential backoff after a failed sync (client-go default 5 ms … 1000 s). */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /**
   * Informer resync period, drawn per component (kube-controller-manager: `--min-resync-period` 12 h,
   * each informer factory resyncing every 12–24 h): every cached object is re-delivered as an update.
   */
  readonly resyncMs: readonly [number, number];
}

export const defaultTiming: TimingConfig = {
  apiLatencyMs: [0.2, 1.0],
  responseLatencyMs: [0.2, 1.0],
  watchLatencyMs: [0.1, 1.5],
  workerDelayMs: [0, 0.5],
  costPerWorkUnitMs: 0.01,
  cacheSyncMs: 50,
  backoffBaseMs: 5,
  backoffMaxMs: 1_000_000,
  resyncMs: [43_200_000, 86_400_000],
};
