import { describe, expect, it } from 'vitest';
import { timestamp, type Pod } from '@kubesim/api';
import {
  logarithmicRank, podDeletionCost, podsToDelete, ranksByRelatedPodsOnSameNode, sortForDeletion,
} from '../src/replicaset/index.js';

// k8s-semantics §2.3: which pods a ReplicaSet deletes first.

const NOW = 1_000_000;
const opts = { nowMs: NOW, podDeletionCost: true, logarithmicScaleDown: true };

interface P {
  name: string; node?: string; phase?: string; ready?: boolean; readyAt?: number; createdAt?: number;
  cost?: string; restarts?: number; uid?: string;
}
const pod = (p: P): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: p.name, namespace: 'default', uid: p.uid ?? `uid-${p.name}`, creationTimestamp: timestamp(p.createdAt ?? 0),
    ...(p.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': p.cost } } : {}),
  },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...(p.node !== undefined ? { nodeName: p.node } : {}) },
  status: {
    phase: p.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False', lastTransitionTime: timestamp(p.readyAt ?? 0) }],
    containerStatuses: [{ name: 'c', image: 'nginx', imageID: '', ready: !!p.ready, restartCount: p.restarts ?? 0 }],
  },
});
const names = (ps: readonly Pod[]): string[] => ps.map((p) => p.metadata!.name!);

// Ages at NOW (in ns): 1 s → log2(1e9) = 29.9 → bucket 29; 1.5 s and 2 s → bucket 30; 1000 s → bucket 39.
const MIX: P[] = [
  { name: 'r-old', node: 'a', ready: true, readyAt: 0, createdAt: 0 },
  { name: 'r-restarts', node: 'a', ready: true, readyAt: 0, createdAt: 0, restarts: 3 },
  { name: 'r-tie-b', node: 'a', ready: true, readyAt: 998_500, uid: 'uid-b' },
  { name: 'r-tie-a', node: 'a', ready: true, readyAt: 998_000, uid: 'uid-a' },
  { name: 'r-recent', node: 'a', ready: true, readyAt: 999_000 },
  { name: 'r-cheap', node: 'a', ready: true, readyAt: 0, cost: '-1' },
  { name: 'p-notready-cost', node: 'a', cost: '100', createdAt: 999_000 },
  { name: 'p-notready-old', node: 'a', createdAt: 0 },
  { name: 'p-notready-new', node: 'a', createdAt: 999_000 },
  { name: 'p-unknown', node: 'a', phase: 'Unknown' },
  { name: 'p-pending', node: 'a', phase: 'Pending' },
  { name: 'p-unsched', phase: 'Pending', createdAt: 0 },
];
const EXPECTED = [
  'p-unsched', // 1. not scheduled
  'p-pending', // 2. Pending < Unknown < Running
  'p-unknown',
  'p-notready-new', // 3. not ready; 4. cost 0 before 100; 8. newer first
  'p-notready-old',
  'p-notready-cost',
  'r-cheap', // 4. cost -1 before 0 even though ready longest
  'r-recent', // 6. ready 1 s (bucket 29)
  'r-tie-a', // 6. 2 s and 1.5 s share bucket 30 → uid ascending, not the more recent one
  'r-tie-b',
  'r-restarts', // 6. equal ready times → 7. more restarts first
  'r-old',
];

describe('deletion ranking (§2.3)', () => {
  it('orders a mix of unscheduled / pending / not-ready / ready pods by rules 1–8', () => {
    expect(names(sortForDeletion(MIX.map(pod), opts))).toEqual(EXPECTED);
    // Input order does not matter when every pair is decided by a rule.
    expect(names(sortForDeletion([...MIX].reverse().map(pod), opts))).toEqual(EXPECTED);
  });

  it('podsToDelete takes the first n of that order', () => {
    expect(names(podsToDelete(MIX.map(pod), [], 4, opts))).toEqual(EXPECTED.slice(0, 4));
  });

  it('without LogarithmicScaleDown the more recently ready pod goes first (no uid tie-break)', () => {
    const sorted = names(sortForDeletion(MIX.map(pod), { ...opts, logarithmicScaleDown: false }));
    expect(sorted.indexOf('r-tie-b')).toBeLessThan(sorted.indexOf('r-tie-a'));
  });

  it('without PodDeletionCost the cost annotation is ignored', () => {
    const sorted = names(sortForDeletion(MIX.map(pod), { ...opts, podDeletionCost: false }));
    // p-notready-cost and p-notready-new are now equal on every rule (same creation time): input order.
    expect(sorted.slice(3, 6)).toEqual(['p-notready-cost', 'p-notready-new', 'p-notready-old']);
    expect(sorted.indexOf('r-cheap')).toBeGreaterThan(sorted.indexOf('r-restarts'));
  });

  it('pod-deletion-cost: lower first among pods equal on rules 1–3', () => {
    const ps = [pod({ name: 'hi', node: 'a', ready: true, cost: '10' }), pod({ name: 'none', node: 'a', ready: true }),
      pod({ name: 'neg', node: 'a', ready: true, cost: '-2147483648' })];
    expect(names(sortForDeletion(ps, opts))).toEqual(['neg', 'none', 'hi']);
  });

  it('invalid deletion costs count as 0', () => {
    for (const bad of ['+5', '007', '2147483648', 'x', '', '-']) {
      expect(podDeletionCost(pod({ name: 'p', cost: bad }))).toBe(0);
    }
    expect(podDeletionCost(pod({ name: 'p', cost: '0' }))).toBe(0);
    expect(podDeletionCost(pod({ name: 'p', cost: '-05' }))).toBe(-5);
    expect(podDeletionCost(pod({ name: 'p', cost: '2147483647' }))).toBe(2147483647);
  });

  it('rule 8: newer creation first, equal log buckets broken by uid', () => {
    const ps = [
      pod({ name: 'older', node: 'a', createdAt: 998_000, uid: 'b' }), // 2 s → bucket 30
      pod({ name: 'newer', node: 'a', createdAt: 998_500, uid: 'c' }), // 1.5 s → bucket 30
      pod({ name: 'newest', node: 'a', createdAt: 999_500, uid: 'z' }), // 0.5 s → bucket 28
    ];
    expect(names(sortForDeletion(ps, opts))).toEqual(['newest', 'older', 'newer']);
  });

  it('rule 9: otherwise the existing order is kept (stable)', () => {
    const ps = [pod({ name: 'x', node: 'a', uid: 'same' }), pod({ name: 'y', node: 'a', uid: 'same' })];
    expect(names(sortForDeletion(ps, opts))).toEqual(['x', 'y']);
    expect(names(sortForDeletion([...ps].reverse(), opts))).toEqual(['y', 'x']);
  });

  it('rule 5: more related pods on the same node first; a standalone ReplicaSet has no related pods', () => {
    const x = pod({ name: 'x', node: 'node-a', ready: true });
    const y = pod({ name: 'y', node: 'node-b', ready: true });
    const related = [x, y, pod({ name: 'other-rs-1', node: 'node-b' }),
      { ...pod({ name: 'terminating', node: 'node-a' }), metadata: { name: 'terminating', deletionTimestamp: timestamp(1) } } as Pod];
    expect(ranksByRelatedPodsOnSameNode([x, y], related)).toEqual([1, 2]);
    expect(names(podsToDelete([x, y], related, 1, opts))).toEqual(['y']);
    expect(names(podsToDelete([x, y], [], 1, opts))).toEqual(['x']);
  });

  it('logarithmic rank is floor(log2(age in ns)), −1 for a time not in the past', () => {
    expect(logarithmicRank(NOW - 1000, NOW)).toBe(29);
    expect(logarithmicRank(NOW - 2000, NOW)).toBe(30);
    expect(logarithmicRank(NOW - 1_000_000, NOW)).toBe(39);
    expect(logarithmicRank(NOW, NOW)).toBe(-1);
    expect(logarithmicRank(NOW + 5, NOW)).toBe(-1);
    // 2^30 ns = 1073.741824 ms: just below and at the boundary.
    expect(logarithmicRank(0, 1073)).toBe(29);
    expect(logarithmicRank(0, 1074)).toBe(30);
  });
});

describe('deletion ranking properties', () => {
  it('sorted output is a permutation, lexicographic in (scheduled, phase, ready, cost)', async () => {
    const fc = (await import('fast-check')).default;
    const arbPod = fc.record({
      node: fc.constantFrom(undefined, 'a', 'b'),
      phase: fc.constantFrom('Pending', 'Unknown', 'Running', ''),
      ready: fc.boolean(),
      readyAt: fc.integer({ min: 0, max: NOW }),
      createdAt: fc.integer({ min: 0, max: NOW }),
      cost: fc.constantFrom(undefined, '-1', '0', '7'),
      restarts: fc.nat(3),
    });
    fc.assert(fc.property(fc.array(arbPod, { maxLength: 12 }), (ps) => {
      const pods = ps.map((p, i) => pod({ ...p, name: `p${i}`, uid: `u${(i * 7919) % 13}` }));
      const sorted = sortForDeletion(pods, opts);
      expect([...names(sorted)].sort()).toEqual([...names(pods)].sort());
      const key = (p: Pod): number[] => [p.spec?.nodeName ? 1 : 0, { Pending: 0, Unknown: 1, Running: 2 }[p.status?.phase ?? ''] ?? 0,
        p.status?.conditions?.[0]?.status === 'True' ? 1 : 0, podDeletionCost(p)];
      for (let i = 1; i < sorted.length; i++) {
        const a = key(sorted[i - 1]!), b = key(sorted[i]!);
        const cmp = a.findIndex((x, j) => x !== b[j]);
        if (cmp >= 0) expect(a[cmp]!).toBeLessThan(b[cmp]!);
      }
    }), { seed: 42, numRuns: 300 });
  });
});
