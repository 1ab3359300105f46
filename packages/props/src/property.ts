import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { LogWriter, LOG_FORMAT_VERSION } from '@kubesim/log';
import { KUBESIM_VERSIONS } from '@kubesim/scenario';
import { caseArb, describeCase, type Case, type WorkloadFilter } from './case.js';
import { passed, runCase, type CaseOutcome } from './run.js';
import { caseToScenario } from './scenario.js';
import { withVariant, type Variant } from './variants.js';

export interface SuiteOptions {
  readonly name: string;
  readonly filter: WorkloadFilter;
  readonly numRuns: number;
  /** fast-check's seed (the suite is reproducible from it). */
  readonly seed: number;
  /** Run a broken controller instead of the real one. */
  readonly variant?: Variant;
  /** Where to write the shrunk counterexample's log (default: no file). */
  readonly outDir?: string;
  readonly maxOps?: number;
}

export interface SuiteResult {
  readonly name: string;
  readonly runs: number;
  readonly failed: boolean;
  /** fast-check's report: seed, path, the shrunk case. */
  readonly report: string;
  readonly counterexample?: Case;
  readonly outcome?: CaseOutcome;
  /** The log file of the shrunk counterexample, when `outDir` was given. */
  readonly logFile?: string;
}

/** Why a case failed, one line per violation or failed step. */
export const failureLines = (o: CaseOutcome): string[] => [
  ...o.violations.map((v) => v.message),
  ...o.stepFailures,
];

/**
 * Write a case's run as a recorded log: the header carries the generated scenario and seed (and the
 * variant, if any), so `kubesim replay / explain / verify / check` accept it.
 */
export const writeCaseLog = (file: string, c: Case, o: CaseOutcome, variant?: Variant, source = 'kubesim props'): void => {
  const w = new LogWriter({
    kubesim: 'log', format: LOG_FORMAT_VERSION, seed: c.seed, scenario: caseToScenario(c), source,
    versions: KUBESIM_VERSIONS, mode: 'embedded', ...(variant ? { variant: variant.name } : {}),
  });
  for (const e of o.report.sim.log.all()) w.push(e);
  w.writeTo(file);
};

/**
 * Run one property suite: generate cases, run each on the embedded engine with every checker, and on
 * a failure let fast-check shrink it; the minimal case is re-run and (with `outDir`) written as a log.
 */
export const runSuite = (opts: SuiteOptions): SuiteResult => {
  const components = opts.variant ? withVariant(opts.variant) : undefined;
  const prop = fc.property(caseArb(opts.filter, opts.maxOps !== undefined ? { maxOps: opts.maxOps } : {}), (c) => {
    const o = runCase(c, components ? { components } : {});
    if (!passed(o)) throw new Error(failureLines(o).slice(0, 5).join('\n'));
  });
  const details = fc.check(prop, { numRuns: opts.numRuns, seed: opts.seed, endOnFailure: false });
  if (!details.failed || !details.counterexample) {
    return { name: opts.name, runs: details.numRuns, failed: false, report: `${opts.name}: ${details.numRuns} runs passed (seed ${opts.seed})` };
  }
  const c = details.counterexample[0];
  const outcome = runCase(c, components ? { components } : {});
  let logFile: string | undefined;
  if (opts.outDir) {
    mkdirSync(opts.outDir, { recursive: true });
    logFile = join(opts.outDir, `${opts.name}-seed${opts.seed}-case${c.seed}.jsonl`);
    writeCaseLog(logFile, c, outcome, opts.variant);
  }
  const report = [
    `${opts.name}: property failed after ${details.numRuns} run(s), shrunk ${details.numShrinks} time(s)`,
    `  reproduce: seed ${String(details.seed)}, path "${details.counterexamplePath ?? ''}"`,
    '  minimal case:',
    ...describeCase(c).split('\n').map((l) => `    ${l}`),
    '  why:',
    ...failureLines(outcome).slice(0, 10).map((l) => `    ${l}`),
    ...(logFile ? [`  log: ${logFile}  (kubesim replay/explain/verify/check accept it)`] : []),
  ].join('\n');
  return { name: opts.name, runs: details.numRuns, failed: true, report, counterexample: c, outcome, ...(logFile ? { logFile } : {}) };
};
