/**
 * `evict` and `drain` steps (kubectl drain): cordon, the pod filters (no controller → --force, emptyDir →
 * --delete-emptydir-data), evictions through the API server's eviction subresource (a budget's 429
 * retried every 5 s), waiting for each pod to be gone; and what the steps refuse.
 */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { Node, Pod, PodDisruptionBudget } from '@kubesim/api';
import { parseScenario, runScenario, type RunReport } from '../src/index.js';

const scenario = (steps: string, nodes = 2): string => `
name: drain-test
seed: 1
cluster:
  nodes: ${nodes}
steps:
${steps}`;

const run = (steps: string, nodes = 2): RunReport => {
  const sc = parseScenario(scenario(steps, nodes), 'drain-test.yaml');
  if (E.isLeft(sc)) throw new Error(sc.left.message);
  return runScenario(sc.right);
};

const loosePod = (name: string, node: string, extra = ''): string => `
  - apply:
      inline: |
        apiVersion: v1
        kind: Pod
        metadata: {name: ${name}, labels: {app: loose}}
        spec:
          nodeName: ${node}
          containers: [{name: c, image: nginx}]${extra}
  - wait: {until: {pods: {names: [${name}], ready: true}}, timeout: 1m}`;

const rsWithBudget = (minAvailable: number): string => `
  - apply:
      inline: |
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: c, image: nginx}], terminationGracePeriodSeconds: 5}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec: {minAvailable: ${minAvailable}, selector: {matchLabels: {app: web}}}
  - wait: {until: {pods: {owner: replicaset/web, count: 2, ready: true}, object: {target: poddisruptionbudget/web, fields: {status.expectedPods: 2, status.currentHealthy: 2}}}, timeout: 1m}`;

const stepOf = (r: RunReport, op: string) => r.steps.find((s) => s.step.op === op)!;

describe('drain', () => {
  it('refuses, before any eviction, pods without a controller and pods with emptyDir data; --force and --delete-emptydir-data let them go', () => {
    const blocked = run(`${loosePod('loose', 'node-a', '\n          volumes: [{name: scratch, emptyDir: {}}]')}
  - drain: node-a`);
    const d = stepOf(blocked, 'drain');
    expect(d.ok).toBe(false);
    expect(d.messages).toEqual(['error: unable to drain node "node-a" due to error: cannot delete Pods with local storage (use --delete-emptydir-data to override): default/loose, cannot delete Pods that declare no controller (use --force to override): default/loose, continuing command...']);
    expect(d.output).toEqual(['node/node-a cordoned']);
    expect(blocked.sim.log.all().some((e) => e.type === 'COMMAND' && (e.data as { command?: string }).command === 'evict')).toBe(false);
    expect((blocked.sim.api.store.get('Pod', 'default', 'loose') as Pod).metadata?.deletionTimestamp).toBeUndefined();

    const forced = run(`${loosePod('loose', 'node-a', '\n          volumes: [{name: scratch, emptyDir: {}}]')}
  - drain: {node: node-a, force: true, deleteEmptyDirData: true, gracePeriodSeconds: 0}`);
    const f = stepOf(forced, 'drain');
    expect(f.messages).toEqual([]);
    expect(f.output).toEqual([
      'node/node-a cordoned', 'Warning: deleting Pods that declare no controller: default/loose', 'evicting pod default/loose', 'pod/loose evicted', 'node/node-a drained',
    ]);
    expect(forced.sim.api.store.get('Pod', 'default', 'loose')).toBeUndefined();
    expect((forced.sim.api.store.get('Node', '', 'node-a') as Node).spec?.unschedulable).toBe(true);
  });

  it('retries a budget\'s refusal every 5 s and finishes once the budget allows it; a drained node stays cordoned', () => {
    // Both pods on node-a (node-b cordoned while they are placed); minAvailable 1 of 2: the second eviction
    // is refused until the first pod's replacement, on node-b, is Ready.
    const r = run(`  - cordon: node-b
${rsWithBudget(1)}
  - uncordon: node-b
  - drain: {node: node-a, timeout: 5m}
  - expect: {pods: {owner: replicaset/web, count: 2, ready: true, node: node-b}, object: {target: node/node-a, fields: {spec.unschedulable: true}}}`);
    const d = stepOf(r, 'drain');
    expect(d.messages).toEqual([]);
    const out = (d.output ?? []).map((l) => l.replace(/web-\w{5}/g, 'web-X'));
    expect(out).toEqual([
      'node/node-a cordoned',
      'evicting pod default/web-X',
      'evicting pod default/web-X',
      'error when evicting pods/"web-X" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.',
      // At the retry the first pod is still terminating (grace 5 s) but its replacement is Ready: allowed.
      'evicting pod default/web-X',
      'pod/web-X evicted',
      'pod/web-X evicted',
      'node/node-a drained',
    ]);
    expect(r.passed).toBe(true);
  });

  it('blocked: passes when every eviction is refused until the timeout, fails when the drain completes', () => {
    const r = run(`${rsWithBudget(2)}
  - drain: {node: node-a, timeout: 12s, blocked: true}`, 1);
    const d = stepOf(r, 'drain');
    expect(d.ok).toBe(true);
    const refusals = (d.output ?? []).filter((l) => l.includes("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."));
    // Two pods, refused at 0 s, 5 s and 10 s each; the timeout comes at 12 s.
    expect(refusals.length).toBe(6);
    expect(d.output?.at(-1)).toMatch(/^error: unable to drain node "node-a" due to error: \[error when evicting pods\/"web-\w+" -n "default": global timeout reached: 12s, error when evicting pods\/"web-\w+" -n "default": global timeout reached: 12s\], continuing command\.\.\.$/);
    expect((r.sim.api.store.get('PodDisruptionBudget', 'default', 'web') as PodDisruptionBudget).status?.disruptionsAllowed).toBe(0);

    const free = run(`${rsWithBudget(0)}
  - drain: {node: node-a, timeout: 1m, blocked: true}`, 1);
    expect(stepOf(free, 'drain').messages).toEqual(['node/node-a drained; expected disruption budgets to block the drain']);
  });
});

describe('evict', () => {
  it('a refused eviction writes nothing; `refused: true` expects the refusal, and fails when the pod is evicted', () => {
    const r = run(`${rsWithBudget(2)}
  - evict: {pod: "@web#0", refused: true}
  - evict: "@web#1"`, 1);
    expect(stepOf(r, 'evict').ok).toBe(true);
    expect(stepOf(r, 'evict').output?.[0]).toMatch(/^error when evicting pods\/"web-\w+" -n "default": Cannot evict pod as it would violate the pod's disruption budget\.$/);
    const last = r.steps.at(-1)!;
    expect(last.fatal).toBe(true);
    expect(last.messages[0]).toMatch(/^error when evicting pods\/"web-\w+" -n "default": Cannot evict pod as it would violate the pod's disruption budget\.$/);
    expect(r.sim.log.all().filter((e) => e.type === 'COMMAND' && (e.data as { command?: string }).command === 'evict')).toEqual([]);

    const allowed = run(`${rsWithBudget(1)}
  - evict: {pod: "@web#0", refused: true}`, 1);
    expect(stepOf(allowed, 'evict').messages[0]).toMatch(/^pod\/web-\w+ was evicted; expected the eviction to be refused$/);
  });

  it('names a missing pod in a NotFound refusal; bad step arguments are refused with the step\'s line', () => {
    const r = run('  - evict: nope');
    expect(r.steps[0]!.fatal).toBe(true);
    expect(r.steps[0]!.messages).toEqual(['error when evicting pods/"nope" -n "default": pods "nope" not found']);
    for (const [step, why] of [
      ['drain: {}', 'drain: give a node name, or {node: NAME, timeout: 5m, gracePeriodSeconds: N, force: true, deleteEmptyDirData: true, blocked: true}'],
      ['drain: {node: node-a, timeout: soon}', 'drain: give the timeout as a duration like 5m'],
      ['evict: {pod: web-0, wait: true}', 'evict: give a pod name, or {pod: NAME, gracePeriodSeconds: N, refused: true}'],
      ['evict: {pod: web-0, gracePeriodSeconds: -1}', 'evict: gracePeriodSeconds is a whole number of seconds, 0 or more'],
    ] as const) {
      const sc = parseScenario(scenario(`  - ${step}`), 'bad.yaml');
      expect(E.isLeft(sc) && sc.left.message).toBe(`error: bad.yaml:7: step 1: ${why}`);
    }
  });
});

describe('a DisruptionTarget condition that no deletion followed', () => {
  it('is set back to False by the disruption controller 2 minutes after it was set (only type, status and observedGeneration)', () => {
    const r = run(`${loosePod('loose', 'node-a')}
  - patch:
      target: pod/loose
      subresource: status
      type: merge
      patch: {status: {conditions: [{type: DisruptionTarget, status: "True", reason: EvictionByEvictionAPI, message: "Eviction API: evicting", lastTransitionTime: "2026-01-01T00:00:05Z"}]}}
  - expect: {object: {target: pod/loose, fields: {status.conditions.0.status: "True"}}}
  - wait: {until: {object: {target: pod/loose, fields: {status.conditions.0.status: "False"}}}, timeout: 5m}`);
    expect(r.steps.flatMap((s) => s.messages)).toEqual([]);
    const resets = [...r.sim.log.all()].filter((e) => e.actor === 'disruption-controller' && e.object?.kind === 'Pod');
    expect(resets).toHaveLength(1);
    const reset = resets[0]!;
    // Stale 120 s after its transition time (5 s), reset within the controller's reaction time.
    expect(reset.time).toBeGreaterThanOrEqual(125_000);
    expect(reset.time).toBeLessThan(126_000);
    const p = reset.object as Pod;
    expect(p.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toEqual({
      type: 'DisruptionTarget', status: 'False', observedGeneration: 1, // metav1.Time: whole seconds.
      lastTransitionTime: new Date(Date.UTC(2026, 0, 1) + Math.floor(reset.time / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    });
  });
});
