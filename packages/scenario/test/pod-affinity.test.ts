/**
 * Inter-pod affinity and anti-affinity (required terms) end to end ([InterPodAffinity] Filter), and
 * topology spread constraints (DoNotSchedule, [PodTopologySpread] Filter): the
 * database pattern "one replica per node" (anti-affinity on kubernetes.io/hostname) — a replica that finds
 * no node left stays Pending with Kubernetes' reason and is placed once a conflicting pod goes; pods that
 * follow another pod onto its node; an existing pod's anti-affinity keeping others off its node; and the
 * scheduler's assumed pods counting, so back-to-back Parallel pods never share a node.
 */
import { describe, expect, it } from 'vitest';
import type { KObject, Pod } from '@kubesim/api';
import { create, del, eventsFor, f1With, get, list, newCluster, ready, sleep, waitFor, type Json } from './harness.js';

const oneReplicaPerNode = (key = 'app', value = 'nginx'): Json => ({
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { [key]: value } }, topologyKey: 'kubernetes.io/hostname' }] },
});

const barePod = (name: string, labels: Record<string, string>, spec: Json = {}): KObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], terminationGracePeriodSeconds: 0, ...spec },
} as KObject);

const nodesOf = (pods: readonly Pod[]): string[] => pods.map((p) => p.spec?.nodeName ?? '<none>');
const webPods = (sim: ReturnType<typeof newCluster>): Pod[] =>
  list<Pod>(sim, 'Pod', 'default').filter((p) => p.metadata?.name?.startsWith('web-')).sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));

describe('required pod anti-affinity', () => {
  it('one replica per node (Parallel: scheduled back to back, the assumed pods count): three on three nodes, the fourth Pending with FailedScheduling until a conflicting pod goes', () => {
    const sim = newCluster();
    // A bare pod of the same tier already holds node-c.
    create(sim, barePod('legacy', { tier: 'db' }, { nodeSelector: { 'kubernetes.io/hostname': 'node-c' } }));
    create(sim, ...f1With((set) => {
      set.spec.replicas = 3;
      set.spec.podManagementPolicy = 'Parallel';
      set.spec.template.metadata.labels.tier = 'db';
      set.spec.template.spec.affinity = oneReplicaPerNode('tier', 'db');
    }));
    waitFor(sim, 'two replicas Ready', () => webPods(sim).filter((p) => ready(sim, p.metadata!.name!)).length === 2);
    sleep(sim, 30_000);
    const pending = webPods(sim).find((p) => !p.spec?.nodeName)!;
    expect(pending).toBeDefined();
    expect(new Set(nodesOf(webPods(sim).filter((p) => p.spec?.nodeName)))).toEqual(new Set(['node-a', 'node-b']));
    const cond = pending.status?.conditions?.find((c) => c.type === 'PodScheduled');
    // node-a and node-b: the replicas there have the same term, which matches this pod (checked first);
    // node-c: the legacy pod matches this pod's term.
    expect(cond).toMatchObject({
      status: 'False', reason: 'Unschedulable',
      message: "0/3 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 2 node(s) didn't satisfy existing pods anti-affinity rules.",
    });
    expect(eventsFor(sim, 'Pod', pending.metadata!.name!, 'FailedScheduling').filter((e) => e.message === cond!.message)).toEqual([expect.objectContaining({ type: 'Warning' })]);
    // The conflicting pod goes: the parked replica is woken (an assigned pod deleted) and placed on node-c.
    del(sim, 'Pod', 'legacy');
    waitFor(sim, 'all three Ready', () => webPods(sim).every((p) => ready(sim, p.metadata!.name!)) && webPods(sim).length === 3);
    expect(new Set(nodesOf(webPods(sim)))).toEqual(new Set(['node-a', 'node-b', 'node-c']));
  });

  it('an existing pod\'s anti-affinity keeps the set off its node ("didn\'t satisfy existing pods anti-affinity rules")', () => {
    const sim = newCluster();
    create(sim, barePod('loner', { role: 'loner' }, {
      nodeSelector: { 'kubernetes.io/hostname': 'node-a' },
      affinity: oneReplicaPerNode('app', 'nginx'),
    }));
    waitFor(sim, 'loner on node-a', () => get<Pod>(sim, 'Pod', 'loner')?.spec?.nodeName === 'node-a');
    create(sim, ...f1With((set) => { set.spec.replicas = 3; set.spec.podManagementPolicy = 'Parallel'; }));
    waitFor(sim, 'web-0..2 Ready', () => ['web-0', 'web-1', 'web-2'].every((n) => ready(sim, n)));
    expect(nodesOf(webPods(sim))).not.toContain('node-a');
  });
});

describe('required pod affinity', () => {
  it('pods follow a pod they select onto its node; with no such pod they stay Pending ("didn\'t match pod affinity rules")', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 2;
      set.spec.podManagementPolicy = 'Parallel';
      set.spec.template.spec.affinity = {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' }] },
      };
    }));
    sleep(sim, 30_000);
    expect(nodesOf(webPods(sim))).toEqual(['<none>', '<none>']);
    expect(webPods(sim)[0]!.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message).toBe("0/3 nodes are available: 3 node(s) didn't match pod affinity rules.");
    // The cache pod arrives on node-b (newly assigned: the parked pods are woken) and the replicas follow it.
    create(sim, barePod('cache', { app: 'cache' }, { nodeSelector: { 'kubernetes.io/hostname': 'node-b' } }));
    waitFor(sim, 'web-0 and web-1 Ready', () => ready(sim, 'web-0') && ready(sim, 'web-1'));
    expect(nodesOf(webPods(sim))).toEqual(['node-b', 'node-b']);
  });

  it('the first pod of a group with affinity to itself may go anywhere; the rest join it', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 3;
      set.spec.template.spec.affinity = {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'nginx' } }, topologyKey: 'kubernetes.io/hostname' }] },
      };
    }));
    waitFor(sim, 'web-0..2 Ready', () => ['web-0', 'web-1', 'web-2'].every((n) => ready(sim, n)));
    expect(new Set(nodesOf(webPods(sim))).size).toBe(1);
  });
});

describe('topology spread constraints (DoNotSchedule)', () => {
  const zones = [
    { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'zone-1' } },
    { name: 'node-b', labels: { 'topology.kubernetes.io/zone': 'zone-1' } },
    { name: 'node-c', labels: { 'topology.kubernetes.io/zone': 'zone-2' } },
    { name: 'node-d' },
  ];
  const spread = (maxSkew: number): Json => [{
    maxSkew, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'nginx' } },
  }];

  it('maxSkew 1 over two zones: replicas alternate between the zones, never on the node without a zone label; one more than the skew allows waits', () => {
    const sim = newCluster({ nodes: zones });
    create(sim, ...f1With((set) => {
      set.spec.replicas = 4;
      set.spec.template.spec.topologySpreadConstraints = spread(1);
    }));
    waitFor(sim, 'four Ready', () => ['web-0', 'web-1', 'web-2', 'web-3'].every((n) => ready(sim, n)), 300_000);
    const zoneOf = (node: string | undefined): string => zones.find((z) => z.name === node)?.labels?.['topology.kubernetes.io/zone'] ?? '<none>';
    const perZone = (pods: readonly Pod[]) => pods.reduce<Record<string, number>>((m, p) => ({ ...m, [zoneOf(p.spec?.nodeName)]: (m[zoneOf(p.spec?.nodeName)] ?? 0) + 1 }), {});
    expect(perZone(webPods(sim))).toEqual({ 'zone-1': 2, 'zone-2': 2 });
    expect(nodesOf(webPods(sim))).not.toContain('node-d');
    // zone-2 has one node; cordon it: a fifth replica would make the skew 2 in zone-1 → it waits.
    create(sim, barePod('filler', { app: 'nginx' }, { nodeSelector: { 'kubernetes.io/hostname': 'node-a' } }));
    waitFor(sim, 'filler on node-a', () => get<Pod>(sim, 'Pod', 'filler')?.spec?.nodeName === 'node-a');
    sim.command({ command: 'cordon node-c' }, [{ verb: 'patch', kind: 'Node', namespace: '', name: 'node-c', patch: { spec: { unschedulable: true } } }]);
    sleep(sim, 5_000);
    create(sim, barePod('extra', { app: 'nginx' }, { topologySpreadConstraints: spread(1) }));
    sleep(sim, 30_000);
    const extra = get<Pod>(sim, 'Pod', 'extra')!;
    expect(extra.spec?.nodeName).toBeUndefined();
    expect(extra.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message).toBe(
      "0/4 nodes are available: 1 node(s) didn't match pod topology spread constraints (missing required label), 1 node(s) were unschedulable, 2 node(s) didn't match pod topology spread constraints.",
    );
  });
});

describe('preferred pod (anti-)affinity (InterPodAffinity score, weight 2 over LeastAllocated)', () => {
  // node-a is eight times larger: LeastAllocated alone always prefers it.
  const nodes = [{ name: 'node-a', capacity: { cpu: '32', memory: '64Gi', pods: 110 } }, { name: 'node-b' }];
  const cache = (sim: ReturnType<typeof newCluster>): void => {
    create(sim, barePod('cache', { app: 'cache' }, { nodeSelector: { 'kubernetes.io/hostname': 'node-a' } }));
    waitFor(sim, 'cache on node-a', () => get<Pod>(sim, 'Pod', 'cache')?.spec?.nodeName === 'node-a');
  };
  const term = (weight: number): Json => [{ weight, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' } }];

  it('without preferences the larger node wins; a preferred anti-affinity to the pod there sends the pod to the other node', () => {
    const sim = newCluster({ nodes });
    cache(sim);
    create(sim, barePod('plain', { app: 'x' }));
    create(sim, barePod('shy', { app: 'y' }, { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: term(50) } } }));
    waitFor(sim, 'both placed', () => get<Pod>(sim, 'Pod', 'plain')?.spec?.nodeName !== undefined && get<Pod>(sim, 'Pod', 'shy')?.spec?.nodeName !== undefined);
    expect(get<Pod>(sim, 'Pod', 'plain')!.spec!.nodeName).toBe('node-a');
    expect(get<Pod>(sim, 'Pod', 'shy')!.spec!.nodeName).toBe('node-b');
  });

  it('a preferred affinity pulls a pod to the node of the pod it likes; an existing pod\'s preferred anti-affinity pushes others away', () => {
    const sim = newCluster({ nodes: [{ name: 'node-a' }, { name: 'node-b', capacity: { cpu: '32', memory: '64Gi', pods: 110 } }] });
    cache(sim);
    create(sim, barePod('fan', { app: 'z' }, { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: term(10) } } }));
    waitFor(sim, 'fan placed', () => get<Pod>(sim, 'Pod', 'fan')?.spec?.nodeName !== undefined);
    expect(get<Pod>(sim, 'Pod', 'fan')!.spec!.nodeName).toBe('node-a');
    // A loner on node-b that prefers no app=crowd pod near it (symmetric: scored for the incoming pod).
    create(sim, barePod('loner', { app: 'loner' }, {
      nodeSelector: { 'kubernetes.io/hostname': 'node-b' },
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'crowd' } }, topologyKey: 'kubernetes.io/hostname' } }] } },
    }));
    waitFor(sim, 'loner on node-b', () => get<Pod>(sim, 'Pod', 'loner')?.spec?.nodeName === 'node-b');
    create(sim, barePod('crowd-1', { app: 'crowd' }));
    waitFor(sim, 'crowd-1 placed', () => get<Pod>(sim, 'Pod', 'crowd-1')?.spec?.nodeName !== undefined);
    expect(get<Pod>(sim, 'Pod', 'crowd-1')!.spec!.nodeName).toBe('node-a');
  });
});

describe('preferred node affinity and PreferNoSchedule taints (NodeAffinity score weight 2, TaintToleration score weight 3)', () => {
  const nodes = [{ name: 'node-a', labels: { disk: 'hdd' } }, { name: 'node-b', labels: { disk: 'ssd' } }, { name: 'node-c', labels: { disk: 'hdd' } }];

  it('a StatefulSet that prefers ssd nodes puts every replica on the one ssd node while it fits, though LeastAllocated would spread them', () => {
    const sim = newCluster({ nodes });
    create(sim, ...f1With((set) => {
      set.spec.replicas = 3;
      set.spec.template.spec.affinity = {
        nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] },
      };
    }));
    waitFor(sim, 'web-0..2 Ready', () => ['web-0', 'web-1', 'web-2'].every((n) => ready(sim, n)));
    expect(nodesOf(webPods(sim))).toEqual(['node-b', 'node-b', 'node-b']);
  });

  it('a node tainted PreferNoSchedule (added later, by a node update) gets no new pod while untainted nodes fit; a pod tolerating the taint may go there', () => {
    const sim = newCluster({ nodes });
    // A first pod placed: the scheduler has built its node list before the taints arrive as node updates.
    create(sim, barePod('early', { app: 'e' }, { nodeSelector: { 'kubernetes.io/hostname': 'node-c' } }));
    waitFor(sim, 'early placed', () => get<Pod>(sim, 'Pod', 'early')?.spec?.nodeName === 'node-c');
    sim.command({ command: 'taint node-a' }, [{ verb: 'patch', kind: 'Node', namespace: '', name: 'node-a', patch: { spec: { taints: [{ key: 'maintenance', value: 'soon', effect: 'PreferNoSchedule' }] } } }]);
    sim.command({ command: 'taint node-b' }, [{ verb: 'patch', kind: 'Node', namespace: '', name: 'node-b', patch: { spec: { taints: [{ key: 'maintenance', value: 'soon', effect: 'PreferNoSchedule' }] } } }]);
    sleep(sim, 2_000);
    create(sim, ...f1With((set) => { set.spec.replicas = 3; set.spec.podManagementPolicy = 'Parallel'; }));
    waitFor(sim, 'web-0..2 Ready', () => ['web-0', 'web-1', 'web-2'].every((n) => ready(sim, n)));
    expect(nodesOf(webPods(sim))).toEqual(['node-c', 'node-c', 'node-c']);
    // Tolerating the taint, pods spread by LeastAllocated again (node-c is the fullest now).
    create(sim, barePod('tolerant', { app: 't' }, { tolerations: [{ key: 'maintenance', operator: 'Equal', value: 'soon', effect: 'PreferNoSchedule' }] }));
    waitFor(sim, 'tolerant placed', () => get<Pod>(sim, 'Pod', 'tolerant')?.spec?.nodeName !== undefined);
    expect(['node-a', 'node-b']).toContain(get<Pod>(sim, 'Pod', 'tolerant')!.spec!.nodeName);
  });
});
