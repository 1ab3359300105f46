import { isObjectEntry, isScanFailure, renderScanFailure, scanLogFile, describeEntryDifferences, ENTRY_FIELDS, sameValue, type Envelope, type LogHeader } from '@kubesim/log';
import { describeEntry } from '@kubesim/state';
import { runScenario, STEP_OPS, type Scenario } from '@kubesim/scenario';
import { VARIANTS, variantNamed, withVariant } from '@kubesim/props';
import { keyOf, type KObject } from '@kubesim/api';
import { VERSIONS } from '../version.js';
import { describeHeader } from './replay.js';

export interface VerifyOptions {
  readonly chainOnly?: boolean;
}

const err = (s: string) => process.stderr.write(`${s}\n`);
const out = (s: string) => process.stdout.write(`${s}\n`);


/** The header's scenario, if it is one `runScenario` can take (the shape `kubesim run` records). */
export const scenarioOfHeader = (h: LogHeader): Scenario | string => {
  const s = h.scenario as { name?: unknown; cluster?: { nodes?: unknown }; steps?: unknown } | null | undefined;
  if (!s || typeof s !== 'object') return 'the header has no scenario';
  if (typeof s.name !== 'string') return 'the header\'s scenario has no name';
  if (!s.cluster || typeof s.cluster !== 'object' || !Array.isArray(s.cluster.nodes)) return 'the header\'s scenario has no cluster.nodes list';
  if (!Array.isArray(s.steps)) return 'the header\'s scenario has no steps list';
  for (const [i, step] of (s.steps as unknown[]).entries()) {
    const op = (step as { op?: unknown } | null)?.op;
    if (typeof op !== 'string' || !STEP_OPS.has(op)) return `step ${i + 1} of the header's scenario is not a resolved step (op ${JSON.stringify(op)})`;
  }
  if (!Number.isInteger(h.seed) || h.seed < 0) return `the header's seed ${JSON.stringify(h.seed)} is not a non-negative integer`;
  return s as unknown as Scenario;
};

/** The previous version of `e`'s object in `log` (entries before it), for one-line descriptions. */
const previousIn = (log: readonly Envelope[], e: Envelope): KObject | undefined => {
  if (!isObjectEntry(e) || e.type === 'ADDED') return undefined;
  const key = keyOf(e.object);
  for (let i = e.seq - 2; i >= 0; i--) {
    const p = log[i];
    if (p && isObjectEntry(p) && keyOf(p.object) === key) return p.type === 'DELETED' ? undefined : p.object;
  }
  return undefined;
};

interface Mismatch { readonly seq: number; readonly recorded?: Envelope; readonly rerun?: Envelope }

/**
 * `kubesim verify FILE [--chain-only]`: check the hash chain, then re-run the embedded simulation from the
 * header (seed + resolved scenario) and compare the logs entry for entry. Exit 0 identical, 1 a differing
 * entry, 2 damaged/unreadable log or a log that cannot be re-run.
 */
export const verifyCommand = async (file: string, opts: VerifyOptions): Promise<number> => {
  let rerun: readonly Envelope[] | undefined;
  let cannot: string | undefined;
  let wallMs = 0;
  let mismatch: Mismatch | undefined;
  let n = 0;
  const onHeader = (h: LogHeader) => {
    if (opts.chainOnly) return;
    if (h.mode !== 'embedded') {
      cannot = `${file} was recorded in ${String(h.mode)} mode, where the order of entries depends on real process and network timing: it cannot be re-run deterministically. verify re-runs embedded logs only; use --chain-only to check its hash chain.`;
      return;
    }
    // A property-suite counterexample recorded with a deliberately broken controller is re-run with it.
    const variantName = h.variant;
    const variant = variantName !== undefined ? variantNamed(variantName) : undefined;
    if (variantName !== undefined && !variant) {
      cannot = `${file} was recorded with the component variant ${JSON.stringify(variantName)}, which this kubesim does not know (known: ${VARIANTS.map((v) => v.name).join(', ')}). Use --chain-only to check its hash chain.`;
      return;
    }
    const sc = scenarioOfHeader(h);
    if (typeof sc === 'string') { cannot = `cannot re-run ${file}: ${sc}`; return; }
    const t0 = performance.now();
    try {
      rerun = runScenario(sc, { seed: h.seed, ...(variant ? { components: withVariant(variant) } : {}) }).sim.log.all();
    } catch (e) {
      cannot = `cannot re-run ${file}: the simulation failed: ${(e as Error).message}`;
    }
    wallMs = performance.now() - t0;
  };
  const r = await scanLogFile(file, (e) => {
    n = e.seq;
    if (!rerun || mismatch) return;
    const again = rerun[e.seq - 1];
    // Same key order on both sides (the engine builds envelopes in a fixed order), so text equality is the fast path.
    if (!again) mismatch = { seq: e.seq, recorded: e };
    else if (JSON.stringify(again) !== JSON.stringify(e)) mismatch = { seq: e.seq, recorded: e, rerun: again };
  }, onHeader);
  if (isScanFailure(r)) { err(renderScanFailure(file, r)); return 2; }
  if (opts.chainOnly) { out(`hash chain intact: ${r.entries} entries (${describeHeader(r.header, r.entries)}); not re-run (--chain-only)`); return 0; }
  if (cannot) { err(`error: ${cannot}`); return 2; }
  if (!rerun) { err('error: internal: the log was not re-run'); return 2; }
  const versionNote = r.header.versions.kubesim !== VERSIONS.kubesim ? ` (recorded by kubesim ${r.header.versions.kubesim ?? '?'}, re-run by ${VERSIONS.kubesim})` : '';
  if (!mismatch && rerun.length > n) mismatch = { seq: n + 1, rerun: rerun[n]! };
  if (!mismatch) {
    out(`verified: ${n} entries identical (${describeHeader(r.header, r.entries)}; re-run embedded in ${wallMs.toFixed(0)} ms)${versionNote}`);
    return 0;
  }
  const m = mismatch;
  const lines = [`MISMATCH at seq ${m.seq}: the re-run (seed ${r.header.seed}) differs from the recording${versionNote}`];
  const line = (e: Envelope) => describeEntry(e, previousIn(rerun!, e));
  if (m.recorded && m.rerun) {
    const fields = ENTRY_FIELDS.filter((f) => !sameValue(m.recorded![f], m.rerun![f]));
    lines.push(`  recorded: ${line(m.recorded)}`);
    lines.push(`  re-run:   ${line(m.rerun)}`);
    lines.push(fields.length > 0 ? `  differing fields: ${fields.join(', ')} (recorded→re-run):` : '  same content, different serialisation (member order)');
    lines.push(...describeEntryDifferences(m.recorded, m.rerun).map((l) => `    ${l}`));
  } else if (m.recorded) {
    lines.push(`  the re-run ends at seq ${rerun.length}; the recording goes on to seq ${n}:`);
    lines.push(`  recorded: ${line(m.recorded)}`);
  } else if (m.rerun) {
    lines.push(`  the recording ends at seq ${n}; the re-run goes on to seq ${rerun.length}:`);
    lines.push(`  re-run:   ${line(m.rerun)}`);
  }
  lines.push(`  entries 1..${m.seq - 1} are identical`);
  out(lines.join('\n'));
  return 1;
};
