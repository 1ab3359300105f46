import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { command, headless, scale, setOf, startCluster, statefulSet, until, settledViolations, type TestCluster } from './helpers.js';

const REPLICAS = 3;

/**
 * The other two kinds of process chaos: a process frozen (SIGSTOP, then SIGCONT) and a process cut off
 * the nats-server (its relay resets its connections and refuses reconnects, then lets them through) —
 * each in the middle of a scale-up. The cluster converges with every invariant holding, and every fault
 * is in the log.
 */
describe('pause and network partition of processes in the middle of a scale-up', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startCluster({ timeScale: 10, partitionable: true });
    await command(t, { command: 'apply' }, [{ verb: 'create', object: headless() }, { verb: 'create', object: statefulSet(0, { graceSeconds: 2 }) }]);
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  const pods = () => [...t.view.store.list('Pod', 'default')] as Pod[];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('converges after each pause and each partition with every invariant holding', async () => {
    const plan = [
      ['statefulset-controller', 'pause'], ['kubelet', 'partition'], ['apiserver', 'partition'],
      ['scheduler', 'pause'], ['endpointslice-controller', 'partition'], ['apiserver', 'pause'],
    ] as const;
    const sv = t.c.supervisor;
    const cuts = new Map(plan.map(([c]) => [c, 0]));
    for (const [component, how] of plan) {
      await scale(t, REPLICAS);
      await until(`a first pod before the ${how} of ${component}`, () => pods().length >= 1);
      if (how === 'pause') {
        await sv.pause(component);
        expect(sv.states().find((p) => p.name === component)?.state).toBe('paused');
        await sleep(1_500);
        await sv.resume(component);
      } else {
        await sv.partition(component);
        expect(sv.states().find((p) => p.name === component)).toMatchObject({ state: 'running', partitioned: true });
        await sleep(1_500);
        await sv.heal(component);
        expect(sv.states().find((p) => p.name === component)?.partitioned).toBeUndefined();
        // It really was cut off: its connection dropped, and came back once healed.
        const logged = () => readFileSync(sv.logFile(component), 'utf8').split('\n').filter((l) => / nats (disconnect|reconnect)$/.test(l)).length;
        const n = (cuts.get(component) ?? 0) + 1;
        cuts.set(component, n);
        await until(`${component} logged its disconnect and reconnect`, () => logged() >= 2 * n);
      }
      await until(`${REPLICAS} Ready replicas after the ${how} of ${component}`, () => setOf(t)?.status?.readyReplicas === REPLICAS && pods().length === REPLICAS, 90_000);
      await scale(t, 0);
      await until(`scale-down to 0 after the ${how} of ${component}`, () => pods().length === 0 && setOf(t)?.status?.replicas === 0, 90_000);
    }
    // A partition given a duration heals by itself.
    await sv.partition('garbage-collector', 500);
    await until('the garbage collector healed', () => sv.states().find((p) => p.name === 'garbage-collector')?.partitioned === undefined);

    await t.view.caughtUp(await sv.recorded());
    const faults = t.view.entries.filter((e) => e.type === 'FAULT').map((e) => { const d = e.data as { fault: string; component: string }; return `${d.fault} ${d.component}`; });
    expect(faults).toEqual([
      ...plan.flatMap(([c, how]) => (how === 'pause' ? [`pause ${c}`, `resume ${c}`] : [`partition ${c}`, `heal ${c}`])),
      'partition garbage-collector', 'heal garbage-collector',
    ]);
    // A kubelet's entries name the nodes it hosts (the node-lifecycle controller reads them as heartbeats); no other's do.
    const nodesOf = (e: { data?: unknown }) => (e.data as { nodes?: string[] }).nodes;
    const lifecycle = t.view.entries.filter((e) => e.type === 'FAULT' || e.type === 'COMPONENT');
    const kubeletEntries = lifecycle.filter((e) => (e.data as { component: string }).component === 'kubelet');
    expect(kubeletEntries.map((e) => `${e.type} ${JSON.stringify(nodesOf(e))}`)).toEqual(
      kubeletEntries.map((e) => `${e.type} ${JSON.stringify(t.c.cluster.spec.nodes.map((n) => n.name))}`));
    expect(kubeletEntries.filter((e) => e.type === 'FAULT').length).toBe(2);
    expect(lifecycle.filter((e) => (e.data as { component: string }).component !== 'kubelet' && nodesOf(e) !== undefined)).toEqual([]);
    // The claims of the scaled-down pods stay (Retain), one per ordinal, never replaced.
    const claims = [...t.view.store.list('PersistentVolumeClaim', 'default')].map((c) => c.metadata!.name).sort();
    expect(claims).toEqual(Array.from({ length: REPLICAS }, (_, i) => `data-web-${i}`));
    expect(await settledViolations(t)).toEqual([]);
  }, 600_000);

  it('refuses what makes no sense: resuming a running process, healing one not cut off, an unknown process', async () => {
    await expect(t.c.supervisor.resume('scheduler')).rejects.toThrow('scheduler is not paused');
    await expect(t.c.supervisor.heal('scheduler')).rejects.toThrow('scheduler is not partitioned');
    await expect(t.c.supervisor.pause('no-such')).rejects.toThrow('no process "no-such"');
  });
});
