import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { COMPONENT_NAMES } from '@kubesim/runtime';
import { command, headless, setOf, startCluster, statefulSet, until, type TestCluster } from './helpers.js';

describe('every component its own process', () => {
  let t: TestCluster;
  beforeAll(async () => { t = await startCluster(); }, 120_000);
  afterAll(async () => { await t?.close(); });

  it('runs an OrderedReady StatefulSet to three Ready pods, each with its own claim', async () => {
    // The API server and thirteen controllers (kubelet for every node in one process).
    expect(t.c.supervisor.states().map((p) => p.name)).toEqual(['apiserver', ...COMPONENT_NAMES]);
    expect(t.c.supervisor.states().map((p) => p.state)).toEqual(Array(15).fill('running'));
    await command(t, { command: 'apply' }, [{ verb: 'create', object: headless() }, { verb: 'create', object: statefulSet(3) }]);
    await until('3 Ready replicas', () => setOf(t)?.status?.readyReplicas === 3);
    expect(([...t.view.store.list('Pod', 'default')] as Pod[]).map((p) => [p.metadata!.name, p.spec!.volumes![0]!.persistentVolumeClaim!.claimName])).toEqual([
      ['web-0', 'data-web-0'], ['web-1', 'data-web-1'], ['web-2', 'data-web-2'],
    ]);
    // The EndpointSlice controller, its own process, publishes the three pods as ready endpoints.
    const readyEndpoints = (): string[] => [...t.view.store.list('EndpointSlice', 'default')]
      .filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'web')
      .flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).map((e) => e.hostname ?? '')).sort();
    await until('the EndpointSlice lists 3 ready pods', () => readyEndpoints().length === 3);
    expect(readyEndpoints()).toEqual(['web-0', 'web-1', 'web-2']);
  }, 60_000);
});
