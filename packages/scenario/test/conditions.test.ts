import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import {
  conditionHolds, conditionKinds, evalContext, evaluate, loadScenarioFile, runScenario, type Condition, type Remembered,
} from '../src/index.js';

const dir = fileURLToPath(new URL('../../../examples/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

/** Every condition a scenario states (waits and expects). */
const conditionsOf = (steps: readonly { op: string; condition?: Condition }[]): Condition[] =>
  steps.flatMap((s) => (s.condition ? [s.condition] : []));

describe('wait conditions are checked only when they can have changed', () => {
  for (const f of files) {
    it(`${f}: conditionHolds agrees with evaluate, and a change of value comes with an entry of a kind conditionKinds names`, () => {
      const sc = loadScenarioFile(join(dir, f));
      if (E.isLeft(sc)) throw new Error(sc.left.message);
      const conds = conditionsOf(sc.right.steps as never);
      expect(conds.length).toBeGreaterThan(0);
      const holds = conds.map((c) => conditionHolds(c));
      const kinds = conds.map((c) => conditionKinds(c));
      // Without remembered points (conditions that name one fail the same way every time).
      const remembered: ReadonlyMap<string, Remembered> = new Map();
      let lastSeq = -1;
      let last: boolean[] | undefined;
      let checks = 0;
      const check = (sim: Parameters<typeof evalContext>[0]): void => {
        const seq = sim.log.lastSeq();
        if (seq === lastSeq) return;
        const ctx = evalContext(sim, remembered);
        const now = conds.map((c, i) => {
          const h = evaluate(ctx, c).length === 0;
          expect(holds[i]!(ctx)).toBe(h);
          return h;
        });
        if (last) {
          for (let i = 0; i < conds.length; i++) {
            if (now[i] === last[i] || kinds[i] === undefined) continue;
            const appended = sim.log.all().slice(lastSeq).map((e): string | undefined => e.object?.kind).filter((k): k is string => k !== undefined);
            expect(appended.some((k) => kinds[i]!.has(k))).toBe(true);
          }
        }
        last = now;
        lastSeq = seq;
        checks++;
      };
      runScenario(sc.right, {
        onStart: (sim) => {
          const orig = sim.run.bind(sim);
          sim.run = (opts = {}) => orig({ ...opts, until: () => { check(sim); return opts.until?.() ?? false; } });
        },
      });
      expect(checks).toBeGreaterThan(10);
    });
  }
});
