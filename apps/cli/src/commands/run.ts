import { LogWriter, LOG_FORMAT_VERSION } from '@kubesim/log';
import { loadScenarioFile, runScenario, timeline, finalState, verdictLines, describeStep, type RunReport } from '@kubesim/scenario';
import { VERSIONS } from '../version.js';

export interface RunCommandOptions {
  readonly seed?: string;
  readonly log?: string;
  readonly quiet?: boolean;
  readonly timeline?: boolean;
}

const out = (s: string) => process.stdout.write(`${s}\n`);

/** `kubesim run FILE`: embedded, deterministic; prints progress, what happened, and a verdict. */
export const runCommand = (file: string, opts: RunCommandOptions): number => {
  const sc = loadScenarioFile(file);
  if (sc._tag === 'Left') { process.stderr.write(`${sc.left.message}\n`); return 2; }
  const scenario = sc.right;
  let seed: number | undefined;
  if (opts.seed !== undefined) {
    seed = Number(opts.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) { process.stderr.write(`error: --seed must be an integer in [0, 4294967295], got "${opts.seed}"\n`); return 2; }
  }
  const effectiveSeed = seed ?? scenario.seed ?? 1;
  out(`kubesim run ${file}  (scenario "${scenario.name}", seed ${effectiveSeed}, embedded)`);
  if (scenario.description && !opts.quiet) out(scenario.description.trimEnd().split('\n').map((l) => `  ${l}`).join('\n'));
  const report: RunReport = runScenario(scenario, {
    seed: effectiveSeed,
    onStep: (r, total) => {
      if (opts.quiet) return;
      const mark = r.ok ? 'ok ' : r.fatal ? 'ERR' : 'FAIL';
      out(`  [${String(r.index).padStart(2)}/${total}] t=${(r.timeMs / 1000).toFixed(3)}s ${mark} ${describeStep(r.step)}`);
      for (const m of r.messages) out(`         ${m}`);
    },
  });
  const sim = report.sim;
  if (!opts.quiet) {
    if (opts.timeline !== false) {
      out('');
      out('What happened:');
      for (const l of timeline(sim.log.all())) out(`  ${l}`);
    }
    out('');
    out(`Final state (t=${(sim.now / 1000).toFixed(3)}s, ${sim.log.lastSeq()} log entries):`);
    for (const l of finalState(sim.api.store)) out(l);
  }
  if (opts.log) {
    const w = new LogWriter({ kubesim: 'log', format: LOG_FORMAT_VERSION, seed: effectiveSeed, scenario, source: file, versions: VERSIONS, mode: 'embedded' });
    for (const e of sim.log.all()) w.push(e);
    w.writeTo(opts.log);
    out(`\nlog written to ${opts.log} (${sim.log.lastSeq()} entries)`);
  }
  out('');
  out(`Verdict (virtual ${(sim.now / 1000).toFixed(1)}s in ${report.wallMs.toFixed(0)} ms wall):`);
  for (const l of verdictLines(report)) out(l);
  return report.passed ? 0 : 1;
};
