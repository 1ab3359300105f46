// `pnpm props:repin`: re-record every pinned regression (packages/props/regressions/*.jsonl) from its own
// header — scenario, seed, variant — after a deliberate engine change made the saved logs stale.
// The verdict of each case is printed; a pinned case whose verdict changed needs a look, not a re-pin.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LogWriter, parseLogText } from '@kubesim/log';
import { rerunRecorded } from '@kubesim/props';

const dir = fileURLToPath(new URL('../regressions/', import.meta.url));
for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
  const parsed = parseLogText(readFileSync(dir + f, 'utf8'));
  if ('type' in parsed) throw new Error(`${f}:${parsed.line}: ${parsed.reason}`);
  const h = parsed.header;
  const o = rerunRecorded(h);
  const w = new LogWriter(h);
  for (const e of o.report.sim.log.all()) w.push(e);
  w.writeTo(dir + f);
  const caught = o.violations.length + o.stepFailures.length > 0;
  process.stdout.write(`${f}: ${o.report.sim.log.lastSeq()} entries, ${caught ? 'caught' : 'clean'}${h.variant !== undefined ? ` (variant ${h.variant}: expected caught)` : ' (expected clean)'}\n`);
}
