import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLogText } from '@kubesim/log';
import type { Scenario } from '@kubesim/scenario';
import { runGenerated, variantNamed, withVariant } from '../src/index.js';

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
      const variant = header.variant !== undefined ? variantNamed(header.variant) : undefined;
      if (header.variant !== undefined && !variant) throw new Error(`${f}: unknown variant ${header.variant}`);
      const o = runGenerated(header.scenario as Scenario, header.seed, variant ? { components: withVariant(variant) } : {});
      const again = o.report.sim.log.all();
      expect(again.length).toBe(entries.length);
      for (let i = 0; i < entries.length; i++) {
        if (JSON.stringify(again[i]) !== JSON.stringify(entries[i])) throw new Error(`${f}: the re-run differs at seq ${i + 1} (after a deliberate engine change, re-record with pnpm props:repin and check the verdicts it prints)`);
      }
      if (variant) expect(o.violations.length + o.stepFailures.length, `${f}: the planted bug is no longer caught`).toBeGreaterThan(0);
      else expect([...o.violations.map((v) => v.message), ...o.stepFailures]).toEqual([]);
    });
  }
});
