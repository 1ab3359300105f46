import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { loadScenarioFile, parseScenario, runScenario, type RunReport } from '@kubesim/scenario';
import type { Pod } from '@kubesim/api';
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

/** The apply step of a StatefulSet `db` behind a headless Service, with this pod spec (YAML flow lines). */
const applyDb = (replicas: number, podSpec: readonly string[]): string => `  - apply:
      inline: |
        apiVersion: v1
        kind: Service
        metadata: {name: db}
        spec: {clusterIP: None, selector: {app: db}, ports: [{name: db, port: 5432}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          serviceName: db
          replicas: ${replicas}
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
${podSpec.map((l) => `              ${l}`).join('\n')}
`;

describe('LIVE: a sidecar with crashes left is work the kubelet still owes', () => {
  const scenario = `
name: sidecar-crash-later
cluster: {nodes: 1}
steps:
${applyDb(1, ['initContainers: [{name: metrics, image: exporter:1, restartPolicy: Always}]', 'containers: [{name: db, image: postgres:16}]'])}  - wait: {until: {pods: {names: [db-0], ready: true}}, timeout: 2m}
  - fault: {fault: container-crash, name: db-0, container: metrics, count: 3, runMs: 90000}
  - wait: {until: {object: {target: pod/db-0, fields: {status.initContainerStatuses.0.restartCount: 1}}}, timeout: 1m}
`;
  it('the pod is Ready again after its sidecar\'s first crash, but the fault has crashes left: not converged; its later crashes are no violation', () => {
    const sc = parseScenario(scenario, 'sidecar-crash-later.yaml');
    if (E.isLeft(sc)) throw new Error(sc.left.message);
    const r = runScenario(sc.right, { seed: 5 });
    expect(r.passed).toBe(true);
    // Restarted once, Ready again and the set's status up to date: LIVE knows the kubelet still owes the sidecar two crashes.
    r.sim.advance(20_000);
    const midway = checkLog(r.sim.log.all(), { livenessBoundMs: 60_000 });
    expect(shown(midway)).toEqual([]);
    expect(midway.notes.join('\n')).toContain('with the cluster not yet converged (1 pod(s) with a container to restart or crash (default/db-0))');
    expect(settle(r)).toBe('quiet');
    const pod = r.sim.api.store.get('Pod', 'default', 'db-0') as Pod;
    const side = pod.status!.initContainerStatuses![0]!;
    expect(side.restartCount).toBe(3);
    // The second crash came long after the pod was Ready again (past the 30 s settle window).
    const crashedAt = Date.parse(side.lastState!.terminated!.finishedAt!) - Date.parse(side.lastState!.terminated!.startedAt!);
    expect(crashedAt).toBeGreaterThanOrEqual(90_000);
    const settled = checkLog(r.sim.log.all(), { endIsQuiescent: true });
    expect(shown(settled)).toEqual([]);
  });
});

describe('LIVE: a readiness probe failed by a fault holds its pod unready until the failure ends', () => {
  const scenario = `
name: readiness-failure
cluster: {nodes: 2}
steps:
${applyDb(2, ['containers: [{name: db, image: postgres:16, readinessProbe: {tcpSocket: {port: 5432}, periodSeconds: 10}}]'])}  - wait: {until: {pods: {names: [db-0, db-1], ready: true}}, timeout: 2m}
  - fault: {fault: probe-failure, name: db-1, probe: readiness, durationMs: 400000}
  - wait: {until: {pods: {names: [db-1], ready: false}}, timeout: 1m}
`;
  it('unready for longer than the bound is no violation (noted while it lasts); after the failure ends the set converges and stays still', () => {
    const sc = parseScenario(scenario, 'readiness-failure.yaml');
    if (E.isLeft(sc)) throw new Error(sc.left.message);
    const r = runScenario(sc.right, { seed: 3 });
    expect(r.passed).toBe(true);
    r.sim.advance(350_000);
    const midway = checkLog(r.sim.log.all(), { livenessBoundMs: 300_000 });
    expect(shown(midway)).toEqual([]);
    expect(midway.notes.join('\n')).toContain('liveness not judged: pod(s) default/db-1 held unready by a fault');
    expect(settle(r)).toBe('quiet');
    expect((r.sim.api.store.get('Pod', 'default', 'db-1') as Pod).status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const settled = checkLog(r.sim.log.all(), { endIsQuiescent: true });
    expect(shown(settled)).toEqual([]);
    expect(settled.notes).toEqual([]);
  });
});
