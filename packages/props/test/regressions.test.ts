import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLogText } from '@kubesim/log';
import { rerunRecorded } from '../src/index.js';

/**
 * Pinned regressions: every saved counterexample is re-run from its header and must give the same log
 * (it still reproduces) and the same verdict — caught, for a broken variant's case; clean, for a case
 * that once exposed an engine bug since fixed.
 */
const DIR = fileURLToPath(new URL('../regressions', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.jsonl')).sort();

describe('pinned regressions', () => {
  it('the folder holds cases', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const f of files) {
    it(f, () => {
      const parsed = parseLogText(readFileSync(`${DIR}/${f}`, 'utf8'));
      if ('type' in parsed) throw new Error(`${f}:${parsed.line}: ${parsed.reason}`);
      const { header, entries } = parsed;
      const o = rerunRecorded(header);
      const again = o.report.sim.log.all();
      expect(again.length).toBe(entries.length);
      for (let i = 0; i < entries.length; i++) {
        if (JSON.stringify(again[i]) !== JSON.stringify(entries[i])) throw new Error(`${f}: the re-run differs at seq ${i + 1} (after a deliberate engine change, re-record with pnpm props:repin and check the verdicts it prints)`);
      }
      if (header.variant !== undefined) expect(o.violations.length + o.stepFailures.length, `${f}: the planted bug is no longer caught`).toBeGreaterThan(0);
      else expect([...o.violations.map((v) => v.message), ...o.stepFailures]).toEqual([]);
    });
  }
});
