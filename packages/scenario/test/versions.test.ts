/**
 * Version switches (k8s-semantics §1.17): the MaxUnavailableStatefulSet feature gate (the legacy
 * one-at-a-time rolling update of §1.7 when off), the 1.36 OnDelete completion rule and 1.36's
 * BalancedAllocation score.
 */
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { createCluster, type ClusterSpec, type Simulation } from '@kubesim/runtime';
import { parseScenario } from '../src/index.js';
import { clusterSpec, converge, create, del, f1With, get, mustGet, patch, ready, setReady, sleep, waitFor, writesBy, type Json } from './harness.js';

const revisionOf = (sim: Simulation, name: string): string => mustGet<Pod>(sim, 'Pod', name).metadata!.labels!['controller-revision-hash']!;
const cluster = (extra: Partial<ClusterSpec>): Simulation => createCluster({ ...clusterSpec(), ...extra }, 1);

describe('MaxUnavailableStatefulSet (§1.7, §1.17)', () => {
  /** Parallel F1 with partition 1; web-0 (below the partition) made unready; then a template change. */
  const rollout = (sim: Simulation): string => {
    create(sim, ...f1With((set) => {
      set.spec.podManagementPolicy = 'Parallel';
      set.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } };
    }));
    converge(sim, 'web', 3);
    setReady(sim, 'web-0', false);
    waitFor(sim, 'web-0 unready', () => !ready(sim, 'web-0'), 10_000);
    patch(sim, 'StatefulSet', 'web', { spec: { template: { metadata: { labels: { app: 'nginx', v: '2' } } } } });
    waitFor(sim, 'new revision', () => mustGet<Json>(sim, 'StatefulSet', 'web').status?.updateRevision !== mustGet<Json>(sim, 'StatefulSet', 'web').status?.currentRevision, 10_000);
    sleep(sim, 120_000);
    return mustGet<Json>(sim, 'StatefulSet', 'web').status.updateRevision as string;
  };

  it('on (1.35 default): an unavailable pod below the partition counts, so the rollout waits', () => {
    const sim = cluster({});
    const update = rollout(sim);
    expect([1, 2].map((k) => revisionOf(sim, `web-${k}`))).not.toContain(update);
    expect(writesBy(sim, 'statefulset-controller').filter((e) => e.type === 'MODIFIED' && e.op === 'delete')).toEqual([]);
  });

  it('off: the legacy loop only looks from the top down to the partition, one pod at a time, highest first', () => {
    const sim = cluster({ featureGates: { MaxUnavailableStatefulSet: false } });
    const update = rollout(sim);
    expect([1, 2].map((k) => revisionOf(sim, `web-${k}`))).toEqual([update, update]);
    expect(revisionOf(sim, 'web-0')).not.toBe(update);
    const deletions = writesBy(sim, 'statefulset-controller').filter((e) => e.op === 'delete' && e.object.kind === 'Pod').map((e) => e.object.metadata!.name!);
    expect(deletions).toEqual(['web-2', 'web-1']);
  });

  it('off, with maxUnavailable 2: still one at a time', () => {
    const sim = cluster({ featureGates: { MaxUnavailableStatefulSet: false } });
    create(sim, ...f1With((set) => {
      set.spec.podManagementPolicy = 'Parallel';
      set.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } };
    }));
    converge(sim, 'web', 3);
    patch(sim, 'StatefulSet', 'web', { spec: { template: { metadata: { labels: { app: 'nginx', v: '2' } } } } });
    const status = (): Json => mustGet<Json>(sim, 'StatefulSet', 'web').status;
    waitFor(sim, 'new revision', () => status()?.updateRevision !== status()?.currentRevision, 10_000);
    const terminatingAtOnce = () => ['web-0', 'web-1', 'web-2'].filter((n) => get<Pod>(sim, 'Pod', n)?.metadata?.deletionTimestamp !== undefined).length;
    let most = 0;
    waitFor(sim, 'rolled out', () => { most = Math.max(most, terminatingAtOnce()); return mustGet<Json>(sim, 'StatefulSet', 'web').status?.currentRevision === mustGet<Json>(sim, 'StatefulSet', 'web').status?.updateRevision; }, 600_000);
    expect(most).toBe(1);
  });
});

describe('OnDelete currentRevision (§1.7 version note, §1.17)', () => {
  const onDelete = (sim: Simulation): Json => {
    create(sim, ...f1With((set) => { set.spec.updateStrategy = { type: 'OnDelete' }; }));
    converge(sim, 'web', 3);
    patch(sim, 'StatefulSet', 'web', { spec: { template: { metadata: { labels: { app: 'nginx', v: '2' } } } } });
    sleep(sim, 5_000);
    for (const k of [2, 1, 0]) {
      const uid = mustGet<Pod>(sim, 'Pod', `web-${k}`).metadata!.uid;
      del(sim, 'Pod', `web-${k}`);
      waitFor(sim, `web-${k} replaced and Ready`, () => get<Pod>(sim, 'Pod', `web-${k}`)?.metadata?.uid !== uid && ready(sim, `web-${k}`), 120_000);
    }
    sleep(sim, 10_000);
    return mustGet<Json>(sim, 'StatefulSet', 'web').status;
  };

  it('1.35: never advanced, even when every pod runs the update revision', () => {
    const st = onDelete(cluster({}));
    expect(st.updatedReplicas).toBe(3);
    expect(st.currentRevision).not.toBe(st.updateRevision);
  });

  it('1.36: advanced on completion, as for RollingUpdate', () => {
    const st = onDelete(cluster({ kubernetesVersion: '1.36' }));
    expect(st).toMatchObject({ updatedReplicas: 3, currentReplicas: 3, currentRevision: st.updateRevision });
  });
});

describe('1.36: BalancedAllocation scores the change of balance (kubernetes#135573)', () => {
  it('the scheduler of a 1.36 cluster is configured for it, a 1.35 one is not', () => {
    const schedulerConfig = (sim: Simulation) => sim.hosts.find((h) => h.name === 'scheduler')!.config as { balanceChangeScore: boolean };
    expect(schedulerConfig(cluster({})).balanceChangeScore).toBe(false);
    expect(schedulerConfig(cluster({ kubernetesVersion: '1.36' })).balanceChangeScore).toBe(true);
  });
});

describe('scenario files', () => {
  it('accept kubernetesVersion and featureGates, and refuse unknown ones', () => {
    const ok = parseScenario('cluster: {kubernetesVersion: "1.36", featureGates: {MaxUnavailableStatefulSet: false}}\nsteps: []\n', 'v.yaml');
    expect(ok._tag).toBe('Right');
    if (ok._tag === 'Right') expect(ok.right.cluster).toMatchObject({ kubernetesVersion: '1.36', featureGates: { MaxUnavailableStatefulSet: false } });
    const badGate = parseScenario('cluster: {featureGates: {Nope: true}}\nsteps: []\n', 'v.yaml');
    expect(badGate._tag === 'Left' && badGate.left.message).toBe('error: v.yaml: cluster.featureGates: unknown feature gate "Nope" (known: MaxUnavailableStatefulSet)');
    const badVersion = parseScenario('cluster: {kubernetesVersion: "1.20"}\nsteps: []\n', 'v.yaml');
    expect(badVersion._tag === 'Left' && badVersion.left.message).toBe('error: v.yaml: cluster.kubernetesVersion must be one of 1.35, 1.36 (got 1.20)');
  });

  it('accept the node-lifecycle controller\'s settings, and refuse unknown or invalid ones', () => {
    const ok = parseScenario('cluster: {nodeLifecycle: {nodeMonitorGracePeriodMs: 40000, nodeEvictionRate: 0.5, unhealthyZoneThreshold: 0.6}}\nsteps: []\n', 'v.yaml');
    expect(ok._tag === 'Right' && ok.right.cluster.nodeLifecycle).toEqual({ nodeMonitorGracePeriodMs: 40000, nodeEvictionRate: 0.5, unhealthyZoneThreshold: 0.6 });
    const unknown = parseScenario('cluster: {nodeLifecycle: {evictionRate: 1}}\nsteps: []\n', 'v.yaml');
    expect(unknown._tag === 'Left' && unknown.left.message).toBe('error: v.yaml: cluster.nodeLifecycle: unknown setting "evictionRate" (known: nodeMonitorGracePeriodMs, nodeMonitorPeriodMs, nodeEvictionRate, secondaryNodeEvictionRate, largeClusterSizeThreshold, unhealthyZoneThreshold)');
    const negative = parseScenario('cluster: {nodeLifecycle: {nodeEvictionRate: -1}}\nsteps: []\n', 'v.yaml');
    expect(negative._tag === 'Left' && negative.left.message).toBe('error: v.yaml: cluster.nodeLifecycle.nodeEvictionRate must be a non-negative number');
    const notMap = parseScenario('cluster: {nodeLifecycle: 5}\nsteps: []\n', 'v.yaml');
    expect(notMap._tag === 'Left' && notMap.left.message).toBe('error: v.yaml: cluster.nodeLifecycle must be a map of setting: number');
  });
});
