/**
 * ResourceQuota on compute resources end to end (pkg/quota/v1/evaluator/core pods.go, the ResourceQuota
 * admission plugin): a StatefulSet's pods charge their cpu and memory requests; the pod that would go past
 * the quota is refused (FailedCreate on the set, OrderedReady waits), the quota's status shows the usage,
 * and raising the quota lets the set finish. A pod template without the resource a quota limits is refused
 * with `failed quota: … must specify …`.
 */
import { describe, expect, it } from 'vitest';
import type { KObject, Pod, ResourceQuota } from '@kubesim/api';
import { create, eventsFor, f1With, get, list, newCluster, patch, ready, sleep, waitFor } from './harness.js';

const quota = (hard: Record<string, string>): KObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: 'default' }, spec: { hard } } as KObject);

describe('ResourceQuota on cpu and memory (a StatefulSet)', () => {
  it('web-0 and web-1 fit 1 cpu at 400m each, web-2 is refused until the quota is raised; status.used shows cpu and memory', () => {
    const sim = newCluster();
    create(sim, quota({ 'requests.cpu': '1', 'limits.memory': '2Gi' }));
    create(sim, ...f1With((set) => {
      set.spec.replicas = 3;
      set.spec.template.spec.containers[0].resources = { requests: { cpu: '400m' }, limits: { memory: '512Mi' } };
    }));
    waitFor(sim, 'web-0 and web-1 Ready', () => ready(sim, 'web-0') && ready(sim, 'web-1'));
    sleep(sim, 30_000);
    expect(get<Pod>(sim, 'Pod', 'web-2')).toBeUndefined();
    const refused = eventsFor(sim, 'StatefulSet', 'web', 'FailedCreate');
    expect(refused[0]).toMatchObject({
      type: 'Warning',
      message: 'create Pod web-2 in StatefulSet web failed error: pods "web-2" is forbidden: exceeded quota: compute, requested: requests.cpu=400m, used: requests.cpu=800m, limited: requests.cpu=1',
    });
    waitFor(sim, 'quota status', () => get<ResourceQuota>(sim, 'ResourceQuota', 'compute')?.status?.used?.['requests.cpu'] === '800m');
    expect(get<ResourceQuota>(sim, 'ResourceQuota', 'compute')!.status).toEqual({
      hard: { 'requests.cpu': '1', 'limits.memory': '2Gi' }, used: { 'requests.cpu': '800m', 'limits.memory': '1Gi' },
    });
    patch(sim, 'ResourceQuota', 'compute', { spec: { hard: { 'requests.cpu': '2', 'limits.memory': '2Gi' } } });
    waitFor(sim, 'web-2 Ready', () => ready(sim, 'web-2'), 600_000);
    waitFor(sim, 'quota status 1200m', () => get<ResourceQuota>(sim, 'ResourceQuota', 'compute')?.status?.used?.['requests.cpu'] === '1200m');
    expect(get<ResourceQuota>(sim, 'ResourceQuota', 'compute')!.status!.used).toEqual({ 'requests.cpu': '1200m', 'limits.memory': '1536Mi' });
  });

  it('a template without a memory limit under a limits.memory quota: every pod refused with failed quota, none created', () => {
    const sim = newCluster();
    create(sim, quota({ 'limits.memory': '2Gi' }));
    create(sim, ...f1With((set) => { set.spec.replicas = 1; }));
    sleep(sim, 30_000);
    expect(list<Pod>(sim, 'Pod', 'default')).toEqual([]);
    expect(eventsFor(sim, 'StatefulSet', 'web', 'FailedCreate')[0]).toMatchObject({
      message: 'create Pod web-0 in StatefulSet web failed error: pods "web-0" is forbidden: failed quota: compute: must specify limits.memory for: nginx',
    });
  });
});

describe('the quota controller recounts every quota every 5 minutes (--resource-quota-sync-period)', () => {
  it('a usage counted too high (a charge whose object was never written) holds creates back until the next full recount', () => {
    const sim = newCluster();
    create(sim, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: 'default' }, spec: { hard: { pods: '2' } } } as KObject);
    waitFor(sim, 'the quota synced', () => get<ResourceQuota>(sim, 'ResourceQuota', 'pods')?.status?.hard !== undefined);
    // What a charge left behind by a failed create looks like: status.used above what exists.
    const q = get<ResourceQuota>(sim, 'ResourceQuota', 'pods')!;
    const leaked = sim.request({ verb: 'update', subresource: 'status', object: { ...q, status: { hard: { pods: '2' }, used: { pods: '2' } } } as KObject }, 'resourcequota-controller');
    expect(leaked._tag).toBe('Right');
    const pod = (name: string): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as KObject);
    const first = sim.request({ verb: 'create', object: pod('a') });
    expect(first._tag === 'Left' && first.left.message).toBe('pods "a" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2');
    const leakedAt = sim.now;
    waitFor(sim, 'the recount', () => get<ResourceQuota>(sim, 'ResourceQuota', 'pods')?.status?.used?.pods === '0', 400_000);
    // At most one period after the last sync of that quota.
    expect(sim.now - leakedAt).toBeLessThanOrEqual(300_000 + 1_000);
    expect(sim.request({ verb: 'create', object: pod('a') })._tag).toBe('Right');
    expect(get<ResourceQuota>(sim, 'ResourceQuota', 'pods')?.status?.used).toEqual({ pods: '1' });
  });
});
