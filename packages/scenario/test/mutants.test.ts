import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { StatefulSet } from '@kubesim/api';
import { statefulSetController, writesOf, seq, write, type ComponentDef, type ReconcileInput, type Step } from '@kubesim/controllers';
import { defaultComponents, type ClusterSpec, type ComponentSetup } from '@kubesim/runtime';
import type { Snapshot } from '@kubesim/state';
import { loadScenarioFile, runScenario } from '../src/index.js';

/**
 * The scenario checks must catch a wrong controller. Each mutant replaces the StatefulSet controller with a
 * deliberately broken one; the seed scenarios must then FAIL, naming the broken guarantee.
 */
type SsDef = ComponentDef<unknown, undefined>;
const ss = statefulSetController as unknown as SsDef;

const withController = (def: SsDef) => (spec: ClusterSpec): ComponentSetup[] =>
  defaultComponents(spec).map((c) => (c.def.name === 'statefulset-controller' ? { ...c, def: def as never } : c));

/** Sees every set as podManagementPolicy: Parallel (no ordering, no one-at-a-time). */
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

/** Deletes the claims of the pods it scales down (as if the retention policy were ignored). */
const claimDeleter: SsDef = {
  ...ss,
  reconcile: (i) => {
    const r = ss.reconcile(i);
    const extra: Step[] = [];
    for (const w of writesOf(r.plan)) {
      if (w.verb === 'delete' && w.kind === 'Pod') {
        const set = [...i.snapshot.list('StatefulSet', w.namespace)][0];
        for (const t of set?.spec?.volumeClaimTemplates ?? []) {
          extra.push(write({ verb: 'delete', kind: 'PersistentVolumeClaim', namespace: w.namespace, name: `${t.metadata?.name ?? ''}-${w.name}` }));
        }
      }
    }
    return extra.length ? { ...r, plan: seq(r.plan, ...extra) } : r;
  },
};

const seedScenario = () => {
  const sc = loadScenarioFile(fileURLToPath(new URL('../../../examples/seed-statefulset.yaml', import.meta.url)));
  if (E.isLeft(sc)) throw new Error(sc.left.message);
  return sc.right;
};
const messages = (r: ReturnType<typeof runScenario>) => r.steps.flatMap((s) => s.messages).join('\n');

describe('the checks catch broken controllers', () => {
  it('the real controller passes', () => {
    expect(runScenario(seedScenario()).passed).toBe(true);
  });

  it('a controller that ignores OrderedReady fails the ordering checks', () => {
    const r = runScenario(seedScenario(), { components: withController(unordered) });
    expect(r.passed).toBe(false);
    expect(messages(r)).toMatch(/was created while stateful-pvc-\d was not Running and Ready|was deleted while stateful-pvc-\d/);
  });

  it('a controller that deletes claims on scale-down fails the retention checks', () => {
    const r = runScenario(seedScenario(), { components: withController(claimDeleter as SsDef) });
    expect(r.passed).toBe(false);
    expect(messages(r)).toMatch(/missing claims: volume-stateful-pvc-2|claim volume-stateful-pvc-\d was re-created/);
  });
});
