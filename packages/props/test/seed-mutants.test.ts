import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { statefulSetController, type ComponentDef } from '@kubesim/controllers';
import { checkLog, type CheckResult } from '@kubesim/invariants';
import { withComponent } from '@kubesim/runtime';
import { loadScenarioFile, runScenario, type RunReport } from '@kubesim/scenario';
import { variantNamed, withVariant, type Variant } from '../src/index.js';

/**
 * The broken StatefulSet controllers (src/variants.ts) on the seed scenario: its own checks (the
 * scenario's expectations) and the invariant checkers both catch them, naming the broken guarantee.
 */
const seedScenario = () => {
  const sc = loadScenarioFile(fileURLToPath(new URL('../../../examples/seed-statefulset.yaml', import.meta.url)));
  if (E.isLeft(sc)) throw new Error(sc.left.message);
  return sc.right;
};
const variant = (name: string): Variant => {
  const v = variantNamed(name);
  if (!v) throw new Error(`no variant ${name}`);
  return v;
};
const messages = (r: RunReport) => r.steps.flatMap((s) => s.messages).join('\n');
const firing = (c: CheckResult): string[] => [...new Set(c.violations.map((v) => v.checker))].sort();
const unordered = withVariant(variant('create-before-ready'));
const claimDeleter = withVariant(variant('claim-deleted-on-scale-down'));

type SsDef = ComponentDef<unknown, undefined>;
const ss = statefulSetController as unknown as SsDef;
/** Never writes the set's status. */
const mute: SsDef = { ...ss, reconcile: (i) => ({ ...ss.reconcile(i), finalize: undefined }) };

describe('the scenario checks catch broken controllers', () => {
  it('the real controller passes', () => {
    expect(runScenario(seedScenario()).passed).toBe(true);
  });

  it('a controller that ignores OrderedReady fails the ordering checks', () => {
    const r = runScenario(seedScenario(), { components: unordered });
    expect(r.passed).toBe(false);
    expect(messages(r)).toMatch(/was created while stateful-pvc-\d was not Running and Ready|was deleted while stateful-pvc-\d/);
  });

  it('a controller that deletes claims on scale-down fails the retention checks', () => {
    const r = runScenario(seedScenario(), { components: claimDeleter });
    expect(r.passed).toBe(false);
    expect(messages(r)).toMatch(/missing claims: volume-stateful-pvc-2|claim volume-stateful-pvc-\d was re-created/);
  });
});

describe('the invariant checkers catch broken controllers on real logs', () => {
  it('a controller that ignores OrderedReady breaks K1 and L3', () => {
    const c = checkLog(runScenario(seedScenario(), { components: unordered }).sim.log.all());
    expect(firing(c)).toEqual(expect.arrayContaining(['K1', 'L3']));
    expect(c.violations.find((v) => v.checker === 'K1')!.message).toMatch(/^K1: pod default\/stateful-pvc-\d created at seq \d+ \(cause \d+\) while (its predecessor stateful-pvc-\d was not Running and Ready|stateful-pvc-\d did not exist)/);
  });

  it('a controller that deletes the claims of the pods it deletes breaks L6 and CLAIM', () => {
    const c = checkLog(runScenario(seedScenario(), { components: claimDeleter }).sim.log.all());
    expect(firing(c)).toEqual(expect.arrayContaining(['CLAIM', 'L6']));
    expect(c.violations.find((v) => v.checker === 'L6')!.message).toMatch(/^L6: claim default\/volume-stateful-pvc-2 \(uid [0-9a-f]{8}\) deletion at seq \d+: deleted by statefulset-controller/);
  });

  it('a controller that never writes status breaks liveness', () => {
    const r = runScenario(seedScenario(), { components: withComponent(mute as never) });
    r.sim.run({ quietMs: 120_000, deadlineMs: r.sim.now + 6 * 3_600_000 });
    const c = checkLog(r.sim.log.all(), { endIsQuiescent: true, only: ['LIVE'] });
    expect(firing(c)).toEqual(['LIVE']);
  });
});
