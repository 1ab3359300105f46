import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { loadScenarioFile, runScenario, type RunReport } from '@kubesim/scenario';
import { checkLog, type CheckResult } from '../src/index.js';

/**
 * Every checker passes on the logs of the real engine: every examples/*.yaml scenario and the scenarios
 * of test/scenarios (rolling updates, Parallel, retention policies, faults), under several seeds — both
 * as recorded (the log stops after the last step) and after running on until nothing is left to happen
 * (then the end is judged as a quiescent point and liveness must be proven, not just not refuted).
 */

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const extra = fileURLToPath(new URL('./scenarios/', import.meta.url));
const yamls = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f));

const run = (file: string, seed: number): RunReport => {
  const sc = loadScenarioFile(file);
  if (E.isLeft(sc)) throw new Error(sc.left.message);
  return runScenario(sc.right, { seed });
};

const settle = (r: RunReport): string => r.sim.run({ quietMs: 120_000, deadlineMs: r.sim.now + 6 * 3_600_000 });

const shown = (c: CheckResult): string[] => c.violations.map((v) => v.message);

describe('the checkers pass on every scenario of the real engine', () => {
  const cases = [...yamls(examples), ...yamls(extra)];
  it('finds the examples and the extra scenarios', () => {
    expect(yamls(examples).length).toBeGreaterThanOrEqual(8);
    expect(yamls(extra).map((f) => f.slice(extra.length))).toEqual(['faults.yaml', 'parallel.yaml', 'retention.yaml', 'rolling-update.yaml']);
  });
  for (const file of cases) {
    const name = file.startsWith(examples) ? `examples/${file.slice(examples.length)}` : `test/scenarios/${file.slice(extra.length)}`;
    it.each([1, 2, 3, 42])(`${name}, seed %i`, (seed) => {
      const r = run(file, seed);
      expect(r.passed).toBe(true);
      const recorded = checkLog(r.sim.log.all());
      expect(shown(recorded)).toEqual([]);
      expect(settle(r)).toBe('quiet');
      const settled = checkLog(r.sim.log.all(), { endIsQuiescent: true });
      expect(shown(settled)).toEqual([]);
      expect(settled.notes).toEqual([]);
      expect(settled.summary.length).toBeGreaterThanOrEqual(20);
    });
  }
});

// The deliberately broken controllers are checked on real logs in packages/props/test/seed-mutants.test.ts.
