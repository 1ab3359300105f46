import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LogWriter, LOG_FORMAT_VERSION, type Envelope } from '@kubesim/log';
import type { Snapshot } from '@kubesim/state';
import { credsFromEnv, runScenarioDistributed } from '@kubesim/nats';
import { componentEntry } from '@kubesim/component';
import { loadScenarioFile, runScenario, timeline, finalState, verdictLines, describeStep, versionsFor, type RunReport, type StepResult } from '@kubesim/scenario';

export interface RunCommandOptions {
  readonly seed?: string;
  readonly log?: string;
  readonly quiet?: boolean;
  readonly timeline?: boolean;
}

const out = (s: string) => process.stdout.write(`${s}\n`);

const parseSeed = (v: string | undefined): number | undefined | string => {
  if (v === undefined) return undefined;
  const seed = Number(v);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return `error: --seed must be an integer in [0, 4294967295], got "${v}"`;
  return seed;
};

const progress = (quiet: boolean | undefined) => (r: StepResult, total: number) => {
  if (quiet) return;
  const mark = r.ok ? 'ok ' : r.fatal ? 'ERR' : 'FAIL';
  out(`  [${String(r.index).padStart(2)}/${total}] t=${(r.timeMs / 1000).toFixed(3)}s ${mark} ${describeStep(r.step)}`);
  for (const l of r.output ?? []) out(`         ${l}`);
  for (const m of r.messages) out(`         ${m}`);
};

/** Why `--log FILE` cannot be written (checked before the run, so a long run is not lost to a typo), if it cannot. */
const logTargetError = (path: string | undefined): string | undefined => {
  if (path === undefined) return undefined;
  if (path === '') return 'error: --log needs a file name';
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) return `error: cannot write the log to ${path}: ${dir} is not a directory`;
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return `error: cannot write the log to ${path}: ${code === 'ENOENT' ? `no directory ${dir}` : (e as Error).message}`;
  }
  try {
    if (statSync(path).isDirectory()) return `error: cannot write the log to ${path}: it is a directory`;
  } catch { /* a new file */ }
  return undefined;
};

/** What both modes print after the steps: the timeline, the final state, the log file, the verdict. */
const report = (file: string, opts: RunCommandOptions, r: Pick<RunReport, 'steps' | 'scenario' | 'passed' | 'wallMs' | 'seed'>,
  entries: readonly Envelope[], state: Snapshot, nowMs: number, mode: 'embedded' | 'distributed', timeScale?: number): number => {
  if (!opts.quiet) {
    if (opts.timeline !== false) {
      out('');
      out('What happened:');
      for (const l of timeline(entries)) out(`  ${l}`);
    }
    out('');
    out(`Final state (t=${(nowMs / 1000).toFixed(3)}s, ${entries.length} log entries):`);
    for (const l of finalState(state)) out(l);
  }
  if (opts.log) {
    const w = new LogWriter({ kubesim: 'log', format: LOG_FORMAT_VERSION, seed: r.seed, scenario: r.scenario, source: file, versions: versionsFor(r.scenario.cluster), mode, ...(timeScale !== undefined ? { timeScale } : {}) });
    for (const e of entries) w.push(e);
    try {
      w.writeTo(opts.log);
    } catch (e) {
      process.stderr.write(`error: cannot write the log to ${opts.log}: ${(e as Error).message}\n`);
      return 2;
    }
    out(`\nlog written to ${opts.log} (${entries.length} entries)`);
  }
  out('');
  out(`Verdict (virtual ${(nowMs / 1000).toFixed(1)}s in ${r.wallMs.toFixed(0)} ms wall):`);
  for (const l of verdictLines(r)) out(l);
  return r.passed ? 0 : 1;
};

/** `kubesim run FILE`: embedded, deterministic; prints progress, what happened, and a verdict. */
export const runCommand = (file: string, opts: RunCommandOptions): number => {
  const sc = loadScenarioFile(file);
  if (sc._tag === 'Left') { process.stderr.write(`${sc.left.message}\n`); return 2; }
  const scenario = sc.right;
  const seed = parseSeed(opts.seed);
  if (typeof seed === 'string') { process.stderr.write(`${seed}\n`); return 2; }
  const logError = logTargetError(opts.log);
  if (logError) { process.stderr.write(`${logError}\n`); return 2; }
  const effectiveSeed = seed ?? scenario.seed ?? 1;
  out(`kubesim run ${file}  (scenario "${scenario.name}", seed ${effectiveSeed}, embedded)`);
  if (scenario.description && !opts.quiet) out(scenario.description.trimEnd().split('\n').map((l) => `  ${l}`).join('\n'));
  const r: RunReport = runScenario(scenario, { seed: effectiveSeed, onStep: progress(opts.quiet) });
  return report(file, opts, r, r.sim.log.all(), r.sim.api.store, r.sim.now, 'embedded');
};

/**
 * `kubesim run FILE --distributed`: the same scenario on real processes (nats-server + one process per
 * component, started and stopped here); the same steps, conditions and verdict.
 */
export const runDistributedCommand = async (file: string, opts: RunCommandOptions & { timeScale?: string; nats?: string }): Promise<number> => {
  const sc = loadScenarioFile(file);
  if (sc._tag === 'Left') { process.stderr.write(`${sc.left.message}\n`); return 2; }
  const scenario = sc.right;
  const seed = parseSeed(opts.seed);
  if (typeof seed === 'string') { process.stderr.write(`${seed}\n`); return 2; }
  const logError = logTargetError(opts.log);
  if (logError) { process.stderr.write(`${logError}\n`); return 2; }
  const timeScale = opts.timeScale === undefined ? 10 : Number(opts.timeScale);
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) { process.stderr.write(`error: --time-scale must be a positive number, got "${opts.timeScale}"\n`); return 2; }
  const effectiveSeed = seed ?? scenario.seed ?? 1;
  out(`kubesim run ${file}  (scenario "${scenario.name}", seed ${effectiveSeed}, distributed, time scale ${timeScale}×)`);
  if (scenario.description && !opts.quiet) out(scenario.description.trimEnd().split('\n').map((l) => `  ${l}`).join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-run-'));
  try {
    const creds = credsFromEnv();
    const r = await runScenarioDistributed(scenario, {
      entry: componentEntry(), dir, seed: effectiveSeed, timeScale, onStep: progress(opts.quiet),
      ...(opts.nats ? { url: opts.nats, cluster: `run-${process.pid}` } : {}), ...(creds ? { creds } : {}),
      onStart: (c) => { if (!opts.quiet) out(`  ${c.supervisor.names().length} processes running on ${c.url}`); },
    });
    return report(file, opts, r, r.entries, r.state, r.nowMs, 'distributed', timeScale);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
