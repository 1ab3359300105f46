import type { ApiError, KObject } from '@kubesim/api';
import type { EventSpec, PlanOutcome, ReconcileResult, Step, WriteStep } from '@kubesim/controllers';

/** What the plan interpreter needs from its host: send a request, record an event, check liveness. */
export interface ExecutorPort {
  /** Send a request; `done` is called with the response unless the sender died meanwhile. */
  send(w: WriteStep, done: (r: { ok: true; object: KObject } | { ok: false; error: ApiError }) => void): void;
  recordEvent(e: EventSpec, createdName?: string): void;
}

type PlanError = NonNullable<PlanOutcome['error']>;

export interface MutableOutcome {
  ok: boolean;
  error?: PlanError;
  succeeded: Set<string>;
  failed: Set<string>;
  results?: Map<string, KObject>;
}

/** Shared by outcomes with no tagged result yet: replaced (never added to) on the first one. */
const NO_TAGS: Set<string> = new Set();

export const newOutcome = (): MutableOutcome => ({ ok: true, succeeded: NO_TAGS, failed: NO_TAGS });

const succeeded = (out: MutableOutcome, tag: string): void => {
  if (out.succeeded === NO_TAGS) out.succeeded = new Set([tag]); else out.succeeded.add(tag);
};
const failed = (out: MutableOutcome, tag: string): void => {
  if (out.failed === NO_TAGS) out.failed = new Set([tag]); else out.failed.add(tag);
};

/**
 * Interpret a plan in virtual time: `seq` stops at the first failure, `par` runs every child and fails if
 * any failed. `cb(ok)` is called once when the step is finished.
 */
export const runStep = (port: ExecutorPort, step: Step, out: MutableOutcome, cb: (ok: boolean) => void): void => {
  switch (step.kind) {
    case 'write': {
      port.send(step, (r) => {
        if (r.ok) {
          if (step.tag) {
            succeeded(out, step.tag);
            (out.results ??= new Map()).set(step.tag, r.object);
          }
          if (step.onSuccess) port.recordEvent(step.onSuccess, r.object.metadata?.name);
          cb(true);
          return;
        }
        const ev = step.onFailure?.(r.error);
        if (ev) port.recordEvent(ev);
        if (step.ignore?.includes(r.error.reason)) {
          if (step.tag) succeeded(out, step.tag);
          cb(true);
          return;
        }
        if (step.tag) failed(out, step.tag);
        if (out.ok) { out.ok = false; out.error = r.error; }
        cb(false);
      });
      return;
    }
    case 'event':
      port.recordEvent(step.event);
      cb(true);
      return;
    case 'fail':
      if (step.event) port.recordEvent(step.event);
      if (out.ok) { out.ok = false; out.error = { type: 'Fail', message: step.message }; }
      cb(false);
      return;
    case 'seq': {
      const steps = step.steps;
      let i = 0;
      // Iterative for synchronous children, so long runs of events/fails do not grow the stack.
      const next = (): void => {
        while (i < steps.length) {
          const child = steps[i++]!;
          let sync = true;
          let syncResult: boolean | undefined;
          runStep(port, child, out, (ok) => {
            if (sync) { syncResult = ok; return; }
            if (!ok) { cb(false); return; }
            next();
          });
          sync = false;
          if (syncResult === undefined) return; // completes later
          if (!syncResult) { cb(false); return; }
        }
        cb(true);
      };
      next();
      return;
    }
    case 'par': {
      const n = step.steps.length;
      if (n === 0) { cb(true); return; }
      let pending = n;
      let allOk = true;
      for (const child of step.steps) {
        runStep(port, child, out, (ok) => {
          if (!ok) allOk = false;
          if (--pending === 0) cb(allOk);
        });
      }
      return;
    }
  }
};

/**
 * A sync's effects, as both hosts run them: its plan, then the tail its `finalize` builds from the
 * plan's outcome, then `done` — each stage only while `alive()` (the process has not crashed or stopped).
 */
export const runSync = (
  port: ExecutorPort, result: Pick<ReconcileResult<unknown>, 'plan' | 'finalize'>, out: MutableOutcome, done: () => void, alive: () => boolean,
): void => {
  const afterMain = (): void => {
    if (!alive()) return;
    const tail = result.finalize?.(out);
    if (tail) runStep(port, tail, out, () => { if (alive()) done(); });
    else done();
  };
  if (result.plan) runStep(port, result.plan, out, afterMain);
  else afterMain();
};
