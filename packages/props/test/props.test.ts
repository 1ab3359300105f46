import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caseToScenario, describeCase, runSuite, workloadManifest, type WorkloadFilter } from '../src/index.js';

/**
 * The property suites (docs/props.md): generated operations and faults on the embedded engine, every
 * checker asserted on every run. CI runs PROPS_RUNS cases per suite (default 120: 9 suites ≥ 1,000 runs);
 * `pnpm test:props --runs N` runs more. A failure prints the seed and path, shrinks, and writes the
 * minimal case as a log under packages/props/failures/.
 */
const RUNS = Number(process.env.PROPS_RUNS ?? 120);
const SEED = Number(process.env.PROPS_SEED ?? 20261125);
const OUT = fileURLToPath(new URL('../failures', import.meta.url));

const suites: { name: string; filter: WorkloadFilter }[] = [];
for (const policy of ['OrderedReady', 'Parallel'] as const) {
  for (const whenScaled of ['Retain', 'Delete'] as const) {
    for (const whenDeleted of ['Retain', 'Delete'] as const) {
      suites.push({ name: `sts-${policy}-${whenScaled}-${whenDeleted}`, filter: { kind: 'StatefulSet', policy, whenScaled, whenDeleted } });
    }
  }
}
suites.push({ name: 'rs', filter: { kind: 'ReplicaSet' } });

describe(`property suites (${RUNS} runs each, seed ${SEED})`, () => {
  for (const [i, s] of suites.entries()) {
    it(s.name, () => {
      const r = runSuite({ name: s.name, filter: s.filter, numRuns: RUNS, seed: SEED + i, outDir: OUT });
      if (r.failed) throw new Error(r.report);
      expect(r.runs).toBe(RUNS);
    }, 600_000);
  }
});

describe('generated workloads with init containers', () => {
  const base = { seed: 1, nodes: 1, ops: [] } as const;
  const sts = { kind: 'StatefulSet', policy: 'OrderedReady', whenScaled: 'Retain', whenDeleted: 'Retain', replicas: 1, gracePeriodSeconds: 0, bindingMode: 'Immediate' } as const;
  it('the manifest and the case description carry them', () => {
    const plain = workloadManifest({ ...sts, init: 'none' }) as { spec: { template: { spec: { initContainers?: { name: string; restartPolicy?: string }[] } } } };
    expect(plain.spec.template.spec.initContainers).toBeUndefined();
    const side = workloadManifest({ ...sts, init: 'sidecar' }) as typeof plain;
    expect(side.spec.template.spec.initContainers?.map((c) => [c.name, c.restartPolicy])).toEqual([['init', undefined], ['side', 'Always']]);
    expect(describeCase({ ...base, workload: { ...sts, init: 'sidecar' } })).toContain('Immediate +init container +sidecar');
    expect(describeCase({ ...base, workload: { ...sts, init: 'init' } })).toMatch(/Immediate \+init container$/m);
    expect(describeCase({ ...base, workload: sts })).toMatch(/Immediate$/m);
  });
});

describe('generated workloads with one replica per node', () => {
  const sts = { kind: 'StatefulSet', policy: 'Parallel', whenScaled: 'Retain', whenDeleted: 'Retain', replicas: 4, gracePeriodSeconds: 0, bindingMode: 'WaitForFirstConsumer', antiAffinity: true } as const;
  it('the manifest carries the anti-affinity; replicas, initial and scaled, are capped at the node count', () => {
    const m = workloadManifest(sts) as { spec: { template: { spec: { affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string }[] } } } } } };
    expect(m.spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.map((t) => t.topologyKey)).toEqual(['kubernetes.io/hostname']);
    const sc = caseToScenario({ seed: 1, nodes: 2, workload: sts, ops: [{ op: { op: 'scale', replicas: 5 }, gapMs: 0 }] });
    const applied = sc.steps[0] as unknown as { objects: { spec: { replicas: number } }[] };
    expect(applied.objects[1]!.spec.replicas).toBe(2);
    expect(sc.steps[1]).toMatchObject({ op: 'scale', replicas: 2 });
    expect(describeCase({ seed: 1, nodes: 2, workload: sts, ops: [] })).toContain('+one replica per node (anti-affinity)');
    expect((workloadManifest({ ...sts, antiAffinity: false }) as typeof m).spec.template.spec.affinity).toBeUndefined();
  });
});
