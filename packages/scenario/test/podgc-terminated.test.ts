/**
 * PodGC [gcTerminated]: past --terminated-pod-gc-threshold terminated pods, the oldest are deleted
 * (k8s-semantics §1.13). A ReplicaSet leaves its failed pods behind (they are not active) and replaces them.
 */
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { createCluster } from '@kubesim/runtime';
import { clusterSpec, create, failPod, list, manifests, ready, sleep, waitFor, writesBy } from './harness.js';

const RS = `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: front}
spec:
  replicas: 2
  selector: {matchLabels: {app: front}}
  template:
    metadata: {labels: {app: front}}
    spec: {containers: [{name: c, image: nginx:1.25}]}
`;

const pods = (sim: ReturnType<typeof createCluster>, phase?: string): string[] =>
  list<Pod>(sim, 'Pod').filter((p) => phase === undefined || p.status?.phase === phase).map((p) => p.metadata!.name!).sort();

describe('PodGC: terminated pods past the threshold', () => {
  it('keeps at most terminatedPodGcThreshold terminated pods, deleting the oldest; the ReplicaSet keeps its replicas', () => {
    const sim = createCluster({ ...clusterSpec(), podGc: { terminatedPodGcThreshold: 2 } }, 1);
    create(sim, ...manifests(RS));
    const running = () => list<Pod>(sim, 'Pod').filter((p) => p.status?.phase === 'Running' && ready(sim, p.metadata!.name!));
    waitFor(sim, '2 ready pods', () => running().length === 2);
    const failed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const victim = running().map((p) => p.metadata!.name!).sort()[0]!;
      failPod(sim, victim, 'Error');
      failed.push(victim);
      waitFor(sim, `${victim} Failed and replaced`, () => pods(sim, 'Failed').includes(victim) && running().length === 2);
      sleep(sim, 5_000);
      if (i < 2) expect(pods(sim, 'Failed'), 'at or below the threshold nothing is collected').toEqual([...failed].sort());
    }
    // The third failure takes the count past 2: the oldest failed pod goes, deleted by PodGC with grace 0 — the
    // oldest by creationTimestamp, then name [byEvictionAndCreationTimestamp] (the first two victims are the
    // ReplicaSet's first two pods, created in the same instant or nearly).
    const created = new Map(sim.log.all().filter((e) => e.type === 'ADDED' && e.object?.kind === 'Pod').map((e) => [e.object!.metadata!.name!, e.object!.metadata!.creationTimestamp!]));
    const [oldest, ...kept] = [...failed].sort((a, b) => created.get(a)!.localeCompare(created.get(b)!) || a.localeCompare(b));
    waitFor(sim, 'the oldest failed pod collected', () => !pods(sim).includes(oldest!), 30_000);
    expect(pods(sim, 'Failed')).toEqual(kept.sort());
    const gc = writesBy(sim, 'pod-garbage-collector');
    expect(gc.map((e) => `${e.type} ${e.object.metadata!.name!}`)).toEqual([`DELETED ${oldest!}`]);
    expect(running()).toHaveLength(2);
  });
});
