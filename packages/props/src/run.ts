import { checkLog, STALLED_BY_DESIGN, type Violation } from '@kubesim/invariants';
import type { Envelope, LogHeader } from '@kubesim/log';
import { runScenario, type RunReport, type Scenario } from '@kubesim/scenario';
import type { ClusterSpec, ComponentSetup } from '@kubesim/runtime';
import type { Case } from './case.js';
import { caseToScenario } from './scenario.js';
import { variantNamed, withVariant } from './variants.js';

export interface CaseOutcome {
  readonly report: RunReport;
  readonly violations: readonly Violation[];
  /** Step failures of the run itself (a step refused, or the cluster never went quiet). */
  readonly stepFailures: readonly string[];
  /** The checkers' notes (inconclusive outcomes, e.g. liveness not judged). */
  readonly notes: readonly string[];
}

export interface RunCaseOptions {
  /** Replace components (the broken-variant suite runs deliberately wrong controllers). */
  readonly components?: (spec: ClusterSpec) => ComponentSetup[];
  /** Checkers to run (default: all). */
  readonly only?: readonly string[];
}

/** The liveness bound of generated runs: converged within this long after the last fault. */
export const LIVENESS_BOUND_MS = 900_000;

/** Judge the log of a generated run (settled at its end) with every checker: violations and notes. */
export const judge = (entries: Iterable<Envelope>, only?: readonly string[]): { violations: readonly Violation[]; notes: readonly string[] } =>
  checkLog(entries, { endIsQuiescent: true, livenessBoundMs: LIVENESS_BOUND_MS, ...(only ? { only } : {}) });

/**
 * Run a generated scenario (a case's, or one read back from a recorded log) and judge it. A run that
 * ends in a state Kubernetes cannot leave on its own (LIVE notes it as stalled by design: docs/props.md)
 * may never settle — a deleting set's controller re-creates at each informer resync the
 * ControllerRevision the GC deletes again — so its final settle timing out is not a failure; every other
 * checker still judges the log.
 */
export const runGenerated = (scenario: Scenario, seed: number, opts: RunCaseOptions = {}): CaseOutcome => {
  const report = runScenario(scenario, { seed, ...(opts.components ? { components: opts.components } : {}) });
  const { violations, notes } = judge(report.sim.log.all(), opts.only);
  const stalled = notes.some((n) => n.includes(STALLED_BY_DESIGN));
  const last = report.steps.length - 1;
  const stepFailures = report.steps.flatMap((s, i) => (stalled && i === last && s.step.op === 'settle' && !s.fatal ? [] : s.messages.map((m) => `step ${s.index}: ${m}`)));
  return { report, violations, stepFailures, notes };
};

/** Run one generated case on the embedded engine and judge its log with every checker. */
export const runCase = (c: Case, opts: RunCaseOptions = {}): CaseOutcome => runGenerated(caseToScenario(c), c.seed, opts);

/** Whether a case passed: no violation and every step ran (a final settle excused by a stall by design counts as run). */
export const passed = (o: CaseOutcome): boolean => o.violations.length === 0 && o.stepFailures.length === 0
  && o.report.steps.length === o.report.scenario.steps.length;

/** Re-run a recorded generated case from its log header (scenario, seed, broken variant if any), judged. */
export const rerunRecorded = (header: LogHeader): CaseOutcome => {
  const v = header.variant !== undefined ? variantNamed(header.variant) : undefined;
  if (header.variant !== undefined && !v) throw new Error(`unknown variant ${header.variant}`);
  return runGenerated(header.scenario as Scenario, header.seed, v ? { components: withVariant(v) } : {});
};
