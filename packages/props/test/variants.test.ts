import { describe, expect, it } from 'vitest';
import { VARIANTS, runSuite, type WorkloadFilter } from '../src/index.js';

/**
 * The checkers must catch bugs: each deliberately broken StatefulSet controller is run through the
 * property suite and must be caught, with a shrunk counterexample that still fails.
 */
const RUNS = Number(process.env.PROPS_VARIANT_RUNS ?? 300);

describe('broken variants are caught', () => {
  for (const [i, v] of VARIANTS.entries()) {
    it(`${v.name}: ${v.description}`, () => {
      const filter: WorkloadFilter = { kind: 'StatefulSet', ...v.applies };
      const r = runSuite({ name: `variant-${v.name}`, filter, numRuns: RUNS, seed: 4242 + i, variant: v });
      expect(r.failed, `${v.name} was not caught in ${RUNS} runs`).toBe(true);
      const c = r.counterexample!;
      // Shrunk: a handful of operations, and the minimal case still fails when re-run.
      expect(c.ops.length).toBeLessThanOrEqual(4);
      expect(r.outcome!.violations.length + r.outcome!.stepFailures.length).toBeGreaterThan(0);
      expect(r.report).toMatch(/minimal case/);
    }, 600_000);
  }
});
