import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { StatefulSet } from '@kubesim/api';
import { statefulSetController, writesOf, seq, write, type ComponentDef, type ReconcileInput, type Step } from '@kubesim/controllers';
import { defaultComponents, type ClusterSpec, type ComponentSetup } from '@kubesim/runtime';
import { loadScenarioFile, runScenario, type RunReport } from '@kubesim/scenario';
import type { Snapshot } from '@kubesim/state';
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

const run = (file: string, seed: number, components?: (spec: ClusterSpec) => ComponentSetup[]): RunReport => {
  const sc = loadScenarioFile(file);
  if (E.isLeft(sc)) throw new Error(sc.left.message);
  return runScenario(sc.right, { seed, ...(components ? { components } : {}) });
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

// ---- deliberately broken controllers: the checkers catch them on real logs ----------------------------------

type SsDef = ComponentDef<unknown, undefined>;
const ss = statefulSetController as unknown as SsDef;
const withController = (def: SsDef) => (spec: ClusterSpec): ComponentSetup[] =>
  defaultComponents(spec).map((c) => (c.def.name === 'statefulset-controller' ? { ...c, def: def as never } : c));

/** Sees every set as Parallel: ignores OrderedReady. */
const burstView = (snap: Snapshot): Snapshot => ({
  get seq() { return snap.seq; },
  get: ((kind: string, ns: string, name: string) => {
    const o = snap.get(kind as never, ns, name);
    if (kind !== 'StatefulSet' || !o) return o;
    const s = o as StatefulSet;
    return { ...s, spec: { ...s.spec!, podManagementPolicy: 'Parallel' } };
  }) as Snapshot['get'],
  list: snap.list.bind(snap),
  count: snap.count.bind(snap),
  byIndex: snap.byIndex.bind(snap),
});
const unordered: SsDef = { ...ss, reconcile: (i: ReconcileInput<unknown, undefined>) => ss.reconcile({ ...i, snapshot: burstView(i.snapshot) }) };

/** Deletes the claims of the pods it deletes (as if the retention policy were ignored). */
const claimDeleter: SsDef = {
  ...ss,
  reconcile: (i) => {
    const r = ss.reconcile(i);
    const more: Step[] = [];
    for (const w of writesOf(r.plan)) {
      if (w.verb !== 'delete' || w.kind !== 'Pod') continue;
      const set = [...i.snapshot.list('StatefulSet', w.namespace)][0];
      for (const t of set?.spec?.volumeClaimTemplates ?? []) {
        more.push(write({ verb: 'delete', kind: 'PersistentVolumeClaim', namespace: w.namespace, name: `${t.metadata?.name ?? ''}-${w.name}` }));
      }
    }
    return more.length ? { ...r, plan: seq(r.plan, ...more) } : r;
  },
};

/** Never writes the set's status. */
const mute: SsDef = {
  ...ss,
  reconcile: (i) => {
    const r = ss.reconcile(i);
    return { ...r, finalize: undefined };
  },
};

const seedStatefulSet = join(examples, 'seed-statefulset.yaml');
const firing = (c: CheckResult): string[] => [...new Set(c.violations.map((v) => v.checker))].sort();

describe('the checkers catch broken controllers on real logs', () => {
  it('a controller that ignores OrderedReady breaks K1 and L3', () => {
    const r = run(seedStatefulSet, 1, withController(unordered));
    const c = checkLog(r.sim.log.all());
    expect(firing(c)).toEqual(expect.arrayContaining(['K1', 'L3']));
    expect(c.violations.find((v) => v.checker === 'K1')!.message).toMatch(/^K1: pod default\/stateful-pvc-\d created at seq \d+ \(cause \d+\) while its predecessor stateful-pvc-\d was not Running and Ready/);
  });

  it('a controller that deletes the claims of the pods it deletes breaks L6 and CLAIM', () => {
    const r = run(seedStatefulSet, 1, withController(claimDeleter));
    const c = checkLog(r.sim.log.all());
    expect(firing(c)).toEqual(expect.arrayContaining(['CLAIM', 'L6']));
    expect(c.violations.find((v) => v.checker === 'L6')!.message).toMatch(/^L6: claim default\/volume-stateful-pvc-2 \(uid [0-9a-f]{8}\) deletion at seq \d+: deleted by statefulset-controller/);
  });

  it('a controller that never writes status breaks liveness', () => {
    const r = run(seedStatefulSet, 1, withController(mute));
    settle(r);
    const c = checkLog(r.sim.log.all(), { endIsQuiescent: true, only: ['LIVE'] });
    expect(firing(c)).toEqual(['LIVE']);
  });
});
