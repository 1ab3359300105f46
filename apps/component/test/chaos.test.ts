import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { COMPONENT_NAMES } from '@kubesim/runtime';
import { command, headless, scale, setOf, startCluster, statefulSet, until, settledViolations, type TestCluster } from './helpers.js';

const REPLICAS = 4;

/**
 * kill -9 of each process in turn in the middle of a scale-up, then a restart: the restarted process
 * rebuilds its cache from the stream and the cluster converges as if it had never died — with every
 * invariant checker holding over the whole log.
 */
describe('kill -9 of each component in the middle of a scale-up', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startCluster({ timeScale: 10 });
    await command(t, { command: 'apply' }, [{ verb: 'create', object: headless() }, { verb: 'create', object: statefulSet(0, { graceSeconds: 2 }) }]);
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  const pods = () => [...t.view.store.list('Pod', 'default')] as Pod[];

  it('converges after every kill with every invariant holding', async () => {
    for (const component of ['apiserver', ...COMPONENT_NAMES]) {
      await scale(t, REPLICAS);
      // The middle of the scale-up: some pods exist, not all are Ready.
      await until(`a first pod before killing ${component}`, () => pods().length >= 1);
      await t.c.supervisor.kill(component);
      await new Promise((r) => setTimeout(r, 100));
      await t.c.supervisor.restart(component);
      await until(`${REPLICAS} Ready replicas after killing ${component}`, () => setOf(t)?.status?.readyReplicas === REPLICAS && pods().length === REPLICAS);
      await scale(t, 0);
      await until(`scale-down to 0 after killing ${component}`, () => pods().length === 0 && setOf(t)?.status?.replicas === 0);
    }
    // Each kill and restart is in the log (the API server's own kill once it is back).
    await t.c.supervisor.recorded();
    await new Promise((r) => setTimeout(r, 200));
    const faults = t.view.entries.filter((e) => e.type === 'FAULT').map((e) => (e.data as { component: string }).component);
    expect(faults).toEqual(['apiserver', ...COMPONENT_NAMES]);
    // The claims of the scaled-down pods stay (Retain), one per ordinal, never replaced.
    const claims = [...t.view.store.list('PersistentVolumeClaim', 'default')].map((c) => c.metadata!.name).sort();
    expect(claims).toEqual(Array.from({ length: REPLICAS }, (_, i) => `data-web-${i}`));
    expect(await settledViolations(t)).toEqual([]);
    // A cluster started without partition relays cannot partition a process (kubesim up starts them).
    await expect(t.c.supervisor.partition('scheduler')).rejects.toThrow('this cluster was started without partition relays');
  }, 600_000);
});
