import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describeStep, loadScenarioFile, runScenario, type RunReport } from '../src/index.js';

const dir = fileURLToPath(new URL('../../../examples/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

export const failures = (r: RunReport): string =>
  r.steps.filter((s) => !s.ok).map((s) => `step ${s.index} (${describeStep(s.step)}): ${s.messages.join('; ')}`).join('\n');

describe('examples/ (the seed manifests and one scenario per row of the seed tables)', () => {
  it('has the seed scenarios, the six table rows, anti-affinity, broken-rollout, config-and-secrets, crashloop, drain, init-containers, kubelet-outage, liveness-probe, namespace-deletion, node-failure, process-chaos, replicaset-quota, rollout and topology-spread', () => {
    expect(files).toEqual([
      'anti-affinity.yaml', 'broken-rollout.yaml', 'config-and-secrets.yaml', 'crashloop.yaml', 'drain.yaml', 'init-containers.yaml', 'kubelet-outage.yaml', 'liveness-probe.yaml', 'namespace-deletion.yaml', 'node-failure.yaml',
      'pods-replicas-0.yaml', 'pods-replicas-1.yaml', 'pods-replicas-3.yaml', 'process-chaos.yaml',
      'pvc-replicas-0.yaml', 'pvc-replicas-1.yaml', 'pvc-replicas-3.yaml',
      'replicaset-quota.yaml', 'rollout.yaml', 'seed-replicaset.yaml', 'seed-statefulset.yaml', 'topology-spread.yaml',
    ]);
  });

  for (const f of files) {
    it.each([1, 2, 3, 42])(`${f} passes with seed %i`, (seed) => {
      const sc = loadScenarioFile(join(dir, f));
      if (E.isLeft(sc)) throw new Error(sc.left.message);
      const r = runScenario(sc.right, { seed });
      expect(failures(r)).toBe('');
      expect(r.passed).toBe(true);
      expect(r.steps.filter((s) => s.step.op === 'expect').length).toBeGreaterThan(0);
    });
  }
});

describe('describeStep (the step lines of progress and the verdict)', () => {
  it('prints a condition whole, or cut at 160 characters and marked with …', () => {
    const sc = loadScenarioFile(join(dir, 'seed-statefulset.yaml'));
    if (E.isLeft(sc)) throw new Error(sc.left.message);
    const waits = sc.right.steps.filter((s) => s.op === 'wait').map((s) => describeStep(s).slice('wait until '.length));
    const long = waits.find((w) => w.endsWith('…'));
    expect(long?.length).toBe(160);
    expect(waits.some((w) => !w.endsWith('…') && w.length <= 160 && w.startsWith('{'))).toBe(true);
  });
});
