import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STALLED_BY_DESIGN } from '@kubesim/invariants';
import { parseLogText } from '@kubesim/log';
import { judge } from '../src/index.js';

/**
 * Logs in which a checker once misjudged Kubernetes-faithful behaviour (`checker-*`) or which end in a
 * state Kubernetes cannot leave on its own (`stall-*`), judged as recorded — not re-run, so an engine
 * change that alters the timing cannot take the race away from the test. Each must be judged clean, and
 * each stall noted as stalled by design.
 */
const DIR = fileURLToPath(new URL('../judged-logs', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.jsonl')).sort();

describe('judged logs', () => {
  it('the folder holds logs of both kinds', () => {
    expect(files.filter((f) => f.startsWith('checker-')).length).toBeGreaterThan(0);
    expect(files.filter((f) => f.startsWith('stall-')).length).toBeGreaterThan(0);
  });
  for (const f of files) {
    it(f, () => {
      const parsed = parseLogText(readFileSync(`${DIR}/${f}`, 'utf8'));
      if ('type' in parsed) throw new Error(`${f}:${parsed.line}: ${parsed.reason}`);
      const j = judge(parsed.entries);
      expect(j.violations.map((v) => v.message)).toEqual([]);
      if (f.startsWith('stall-')) expect(j.notes.some((n) => n.includes(STALLED_BY_DESIGN)), `${f}: not noted as stalled by design`).toBe(true);
    });
  }
});
