/**
 * Faults between the log and a component (docs/faults.md). Each is injected as a FAULT entry, so a
 * recorded run holds every input and `kubesim verify` re-creates it. The component never learns of a
 * fault directly: it sees what a real client would see — a late or missing watch event (and then a
 * relist), a duplicate, events of different kinds out of order, a slow or lost request or response.
 *
 * `component` names a component (`statefulset-controller`, `kubelet`, …); every fault is bounded in time
 * (`durationMs`) or in count, so a run always has a last fault after which it must converge.
 */
export type RuntimeFault =
  /** Deliveries to the component's informer are late by `ms` (a stale view: its cache lags the log). */
  | { readonly fault: 'watch-delay'; readonly component: string; readonly ms: number; readonly durationMs: number }
  /**
   * The component's watch breaks for `durationMs`: the object events of that window are lost. When it
   * ends the reflector relists: the informer jumps to the current version of every object the window
   * touched, handlers firing once per object (intermediate versions are never seen).
   */
  | { readonly fault: 'watch-drop'; readonly component: string; readonly durationMs: number }
  /** The next `count` object events reach the handlers twice (as a relist or resync re-delivers them). */
  | { readonly fault: 'watch-duplicate'; readonly component: string; readonly count: number }
  /**
   * For `durationMs` each kind's watch has its own, wider latency: events of different kinds arrive out
   * of log order (each kind stays in order, as one watch per resource does).
   */
  | { readonly fault: 'watch-reorder'; readonly component: string; readonly durationMs: number }
  /** The component's requests and responses are late by `ms` each way. */
  | { readonly fault: 'api-delay'; readonly component: string; readonly ms: number; readonly durationMs: number }
  /**
   * The next `count` requests are lost: `request` — never applied; `response` — applied, but the answer
   * is lost. Either way the client sees a timeout after `timeoutMs` and its sync fails (and is retried).
   */
  | { readonly fault: 'api-drop'; readonly component: string; readonly where: 'request' | 'response'; readonly count: number; readonly timeoutMs: number }
  /**
   * The process dies right after its next `writes` writes are applied — possibly between two writes of
   * one reconcile — and, with `restartAfterMs`, is started again that much later.
   */
  | { readonly fault: 'crash-after-writes'; readonly component: string; readonly writes: number; readonly restartAfterMs?: number };

export const RUNTIME_FAULTS: readonly RuntimeFault['fault'][] = [
  'watch-delay', 'watch-drop', 'watch-duplicate', 'watch-reorder', 'api-delay', 'api-drop', 'crash-after-writes',
];

const num = (v: unknown, dflt?: number): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : dflt;

/**
 * The runtime fault a FAULT entry's data describes, `undefined` if it is not one (pod and node faults
 * are handled by the components), or an error message for a malformed one.
 */
export const parseRuntimeFault = (data: unknown): RuntimeFault | string | undefined => {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  const f = d.fault === 'stale-view' ? 'watch-delay' : d.fault;
  if (typeof f !== 'string' || !(RUNTIME_FAULTS as readonly string[]).includes(f)) return undefined;
  const component = d.component;
  if (typeof component !== 'string' || component === '') return `fault ${f}: "component" is required`;
  const need = (field: string, v: number | undefined): number | string => (v === undefined ? `fault ${f}: "${field}" must be a non-negative number` : v);
  const checked = (...vs: (number | string)[]): string | undefined => vs.find((v): v is string => typeof v === 'string');
  switch (f) {
    case 'watch-delay': case 'api-delay': {
      const ms = need('ms', num(d.ms ?? d.lagMs)); const durationMs = need('durationMs', num(d.durationMs));
      return checked(ms, durationMs) ?? { fault: f, component, ms: ms as number, durationMs: durationMs as number };
    }
    case 'watch-drop': case 'watch-reorder': {
      const durationMs = need('durationMs', num(d.durationMs));
      return checked(durationMs) ?? { fault: f, component, durationMs: durationMs as number };
    }
    case 'watch-duplicate': {
      const count = need('count', num(d.count, 1));
      return checked(count) ?? { fault: f, component, count: count as number };
    }
    case 'api-drop': {
      const where = d.where ?? 'request';
      if (where !== 'request' && where !== 'response') return `fault api-drop: "where" must be request or response`;
      const count = need('count', num(d.count, 1)); const timeoutMs = need('timeoutMs', num(d.timeoutMs, 1000));
      return checked(count, timeoutMs) ?? { fault: f, component, where, count: count as number, timeoutMs: timeoutMs as number };
    }
    case 'crash-after-writes': {
      const writes = need('writes', num(d.writes, 1));
      const restart = num(d.restartAfterMs);
      if (d.restartAfterMs !== undefined && restart === undefined) return 'fault crash-after-writes: "restartAfterMs" must be a non-negative number';
      return checked(writes) ?? { fault: f, component, writes: writes as number, ...(restart !== undefined ? { restartAfterMs: restart } : {}) };
    }
    default: return undefined;
  }
};

/** A host's active faults (all bounded: windows end, counts run out). */
export interface HostFaults {
  watchDelayMs: number;
  watchDelayUntil: number;
  dropUntil: number;
  reorderUntil: number;
  duplicates: number;
  apiDelayMs: number;
  apiDelayUntil: number;
  dropRequests: number;
  dropResponses: number;
  dropTimeoutMs: number;
  /** Cut off the network (a `partition` step, until `heal`): no watch, no request, no answer, no event. */
  partitioned: boolean;
  crashAfterWrites: number;
  restartAfterMs: number | undefined;
}

export const noFaults = (): HostFaults => ({
  watchDelayMs: 0, watchDelayUntil: -1, dropUntil: -1, reorderUntil: -1, duplicates: 0,
  apiDelayMs: 0, apiDelayUntil: -1, dropRequests: 0, dropResponses: 0, dropTimeoutMs: 1000, partitioned: false,
  crashAfterWrites: 0, restartAfterMs: undefined,
});

/** The process-chaos steps: SIGSTOP / SIGCONT, and a network partition until it heals. */
export type ChaosOp = 'pause' | 'resume' | 'partition' | 'heal';

/**
 * The FAULT data of a process-chaos step, the same in both modes (embedded and real processes): a pause's
 * or resume's signal; for the end of one (`resume`, `heal`) the time the component may lag afterwards
 * (`catchUpMs`, virtual), which the checkers read.
 */
export const chaosFault = (op: ChaosOp, component: string, catchUpMs: number, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => ({
  fault: op, component,
  ...(op === 'pause' ? { signal: 'SIGSTOP' } : op === 'resume' ? { signal: 'SIGCONT' } : {}),
  ...extra,
  ...(op === 'resume' || op === 'heal' ? { durationMs: catchUpMs } : {}),
});
