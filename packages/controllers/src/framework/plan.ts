import type { ApiError, ApiErrorReason, ApiRequest, KObject } from '@kubesim/api';

/** An Event object to record (k8s EventRecorder): reason, message and the object it is about. */
export interface EventSpec {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly involved: {
    readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name: string; readonly uid?: string;
    /** The part of the object the event is about: the kubelet's container events name `spec.containers{c}`. */
    readonly fieldPath?: string;
  };
  /**
   * The event's source component when it is not the writer's own Kubernetes name: a component kubesim
   * folds into another (the in-tree expand controller's `volume_expand`, the CSI `external-resizer`).
   */
  readonly source?: string;
}

/** One API request, with the events to record on success/failure. */
export interface WriteStep {
  readonly kind: 'write';
  readonly req: ApiRequest;
  /** Name used by finalize()/onDone() to look up this write's outcome. */
  readonly tag?: string;
  readonly onSuccess?: EventSpec;
  readonly onFailure?: (err: ApiError) => EventSpec | undefined;
  /** Failures with these reasons count as success (e.g. NotFound for a delete). */
  readonly ignore?: readonly ApiErrorReason[];
}

/** Record an event without any write (e.g. WaitForFirstConsumer). */
export interface EventStep { readonly kind: 'event'; readonly event: EventSpec }
/** A failure that needs no request (e.g. `pvc www-web-0 is being deleted`): fails the enclosing seq. */
export interface FailStep { readonly kind: 'fail'; readonly message: string; readonly event?: EventSpec }
/** Run children one after another; stop at the first failure. */
export interface SeqStep { readonly kind: 'seq'; readonly steps: readonly Step[] }
/** Run children concurrently; fails if any child fails (all children still run). */
export interface ParStep { readonly kind: 'par'; readonly steps: readonly Step[] }

export type Step = WriteStep | EventStep | FailStep | SeqStep | ParStep;

export const write = (req: ApiRequest, extra: Omit<WriteStep, 'kind' | 'req'> = {}): WriteStep => ({ kind: 'write', req, ...extra });
export const event = (e: EventSpec): EventStep => ({ kind: 'event', event: e });
export const fail = (message: string, ev?: EventSpec): FailStep => (ev ? { kind: 'fail', message, event: ev } : { kind: 'fail', message });
export const seq = (...steps: (Step | undefined)[]): SeqStep => ({ kind: 'seq', steps: steps.filter((s): s is Step => s !== undefined) });
export const par = (...steps: (Step | undefined)[]): ParStep => ({ kind: 'par', steps: steps.filter((s): s is Step => s !== undefined) });

/**
 * Slow start (controller_utils slowStartBatch): batches of 1, 2, 4, … (capped by what is left and by
 * `maxBatch`), each batch concurrent, later batches skipped after a failing one.
 */
export const slowStart = (steps: readonly Step[], maxBatch = 500): SeqStep => {
  const batches: Step[] = [];
  let size = 1;
  for (let i = 0; i < steps.length;) {
    const n = Math.min(size, maxBatch, steps.length - i);
    batches.push(par(...steps.slice(i, i + n)));
    i += n;
    size *= 2;
  }
  return seq(...batches);
};

/** What happened to a plan: which tagged writes succeeded, failed or never ran. */
export interface PlanOutcome {
  readonly ok: boolean;
  /** The first error, in plan order (an ApiError, or the message of a FailStep). */
  readonly error?: ApiError | { readonly type: 'Fail'; readonly message: string };
  readonly succeeded: ReadonlySet<string>;
  readonly failed: ReadonlySet<string>;
  /** The objects the API server returned for tagged writes that succeeded (e.g. a created object's uid and generation). */
  readonly results?: ReadonlyMap<string, KObject>;
}

export const emptyOutcome: PlanOutcome = { ok: true, succeeded: new Set(), failed: new Set() };

/** Count the writes of a plan (for tests and metrics). */
export const countWrites = (s: Step | undefined): number => {
  if (!s) return 0;
  switch (s.kind) {
    case 'write': return 1;
    case 'event': case 'fail': return 0;
    default: return s.steps.reduce((n, c) => n + countWrites(c), 0);
  }
};

/** Flatten a plan into its writes in plan order (for tests). */
export const writesOf = (s: Step | undefined): ApiRequest[] => {
  if (!s) return [];
  switch (s.kind) {
    case 'write': return [s.req];
    case 'event': case 'fail': return [];
    default: return s.steps.flatMap(writesOf);
  }
};

export const eventsOf = (s: Step | undefined): EventSpec[] => {
  if (!s) return [];
  switch (s.kind) {
    case 'write': return s.onSuccess ? [s.onSuccess] : [];
    case 'event': return [s.event];
    case 'fail': return s.event ? [s.event] : [];
    default: return s.steps.flatMap(eventsOf);
  }
};
