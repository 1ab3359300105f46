/**
 * Node failure (k8s-semantics §1.13, node unreachable) end to end: the `node-down` / `node-up` faults,
 * the node-lifecycle controller (NotReady, taints, taint-based eviction) and PodGC, with a StatefulSet
 * (at most one pod per identity) and a ReplicaSet (replacement at once).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPodReady, isRunningAndReady, parseTimestamp, type Node, type PersistentVolumeClaim, type Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { Simulation } from '@kubesim/runtime';
import { loadScenarioFile, parseScenario, runScenario } from '../src/index.js';
import {
  E, converge, create, del, entriesOf, eventsFor, f1, get, list, manifests, mustGet, newCluster, objectEntries, patch, ready, replicaSetRs, scale,
  sleep, waitFor, writesBy, type Json,
} from './harness.js';

const NLC = 'node-lifecycle-controller';
const PODGC = 'pod-garbage-collector';

const nodeDown = (sim: Simulation, node: string): Envelope => sim.fault({ fault: 'node-down', node });
const nodeUp = (sim: Simulation, node: string): Envelope => sim.fault({ fault: 'node-up', node });
const nodeOf = (sim: Simulation, pod: string): string => mustGet<Pod>(sim, 'Pod', pod).spec!.nodeName!;
const readyOfNode = (sim: Simulation, node: string) => mustGet<Node>(sim, 'Node', node).status?.conditions?.find((c) => c.type === 'Ready');
const terminating = (sim: Simulation, name: string): boolean => get<Pod>(sim, 'Pod', name)?.metadata?.deletionTimestamp !== undefined;
const taintsOf = (sim: Simulation, node: string): string[] => (mustGet<Node>(sim, 'Node', node).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);

/** Every pod name is ADDED and DELETED alternately in the log: never two objects of one identity. */
const expectOnePodPerName = (sim: Simulation): void => {
  const live = new Set<string>();
  for (const e of objectEntries(sim)) {
    if (e.object.kind !== 'Pod') continue;
    const n = e.object.metadata!.name!;
    if (e.type === 'ADDED') { expect(live.has(n), `seq ${e.seq}: a second ${n}`).toBe(false); live.add(n); }
    if (e.type === 'DELETED') live.delete(n);
  }
};

/** F1 (3 replicas, OrderedReady, a claim per pod), converged; returns the node of web-1 and web-1's claim uid. */
const f1Running = (sim: Simulation): { victim: string; podUid: string; claimUid: string } => {
  const { service, set } = f1();
  create(sim, service, set);
  converge(sim, 'web', 3);
  return {
    victim: nodeOf(sim, 'web-1'),
    podUid: mustGet<Pod>(sim, 'Pod', 'web-1').metadata!.uid!,
    claimUid: mustGet<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', 'www-web-1').metadata!.uid!,
  };
};

describe('node failure: StatefulSet (at most one pod per identity)', () => {
  it('node loss: NotReady after 50 s, evicted after 300 s more, Terminating for good; deleting the Node lets PodGC force-delete it after 40 s; web-1 returns with its claim', () => {
    const sim = newCluster();
    const { victim, podUid, claimUid } = f1Running(sim);
    const since = sim.log.lastSeq();
    const t0 = nodeDown(sim, victim).time;

    // Within the grace period nothing changes.
    sleep(sim, 49_000);
    expect(ready(sim, 'web-1')).toBe(true);
    expect(readyOfNode(sim, victim)?.status).toBe('True');
    expect(writesBy(sim, NLC, since)).toEqual([]);

    // 1. Ready=Unknown, unreachable taints, web-1 Ready=False, readyReplicas 2.
    waitFor(sim, 'web-1 not ready', () => !isPodReady(mustGet<Pod>(sim, 'Pod', 'web-1')), 5_000);
    expect(sim.now - t0).toBeGreaterThanOrEqual(50_000);
    expect(sim.now - t0).toBeLessThan(51_000);
    expect(readyOfNode(sim, victim)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    waitFor(sim, 'taints and status', () => taintsOf(sim, victim).length === 2 && mustGet<Json>(sim, 'StatefulSet', 'web').status.readyReplicas === 2, 5_000);
    expect(taintsOf(sim, victim)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    const taintedAt = parseTimestamp(mustGet<Node>(sim, 'Node', victim).spec!.taints![1]!.timeAdded)!;
    const web1 = mustGet<Pod>(sim, 'Pod', 'web-1');
    expect(web1.status?.phase).toBe('Running');
    expect(web1.metadata?.deletionTimestamp).toBeUndefined();
    sleep(sim, 1_000); // events are written after the writes they report
    expect(eventsFor(sim, 'Pod', 'web-1', 'NodeNotReady').map((e: Json) => e.message)).toEqual(['Node is not ready']);
    expect(eventsFor(sim, 'Node', victim, 'NodeNotReady').map((e: Json) => e.message)).toEqual([`Node ${victim} status is now: NodeNotReady`]);
    expect(ready(sim, 'web-0') && ready(sim, 'web-2')).toBe(true);

    // OrderedReady freezes after the unready ordinal: a scale-up creates nothing.
    scale(sim, 'StatefulSet', 'web', 4);

    // 2. Evicted when the 300 s toleration (DefaultTolerationSeconds) runs out: Terminating, and it stays so.
    waitFor(sim, 'web-1 terminating', () => terminating(sim, 'web-1'), 310_000);
    expect(sim.now - taintedAt).toBeGreaterThanOrEqual(300_000);
    expect(sim.now - taintedAt).toBeLessThan(301_000);
    const evicted = mustGet<Pod>(sim, 'Pod', 'web-1');
    expect(evicted.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' });
    expect(evicted.metadata?.deletionGracePeriodSeconds).toBe(10);
    sleep(sim, 15 * 60_000);
    expect(eventsFor(sim, 'Pod', 'web-1', 'TaintManagerEviction').map((e: Json) => e.message)).toEqual(['Marking for deletion Pod default/web-1']);
    const still = mustGet<Pod>(sim, 'Pod', 'web-1');
    expect(still.metadata?.uid).toBe(podUid);
    expect(still.metadata?.deletionTimestamp).toBeDefined();
    // 3. No replacement while the old object exists, and nothing after the frozen ordinal.
    expect(entriesOf(sim, 'Pod', 'web-1', since).filter((e) => e.type === 'ADDED')).toEqual([]);
    expect(get(sim, 'Pod', 'web-3')).toBeUndefined();
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status).toMatchObject({ replicas: 3, readyReplicas: 2 });

    // Way out (b): delete the Node; PodGC waits 40 s, marks the pod Failed and force-deletes it.
    const tDel = sim.now;
    del(sim, 'Node', victim);
    sleep(sim, 39_000);
    expect(get<Pod>(sim, 'Pod', 'web-1')?.metadata?.uid).toBe(podUid);
    waitFor(sim, 'web-1 gone', () => get<Pod>(sim, 'Pod', 'web-1')?.metadata?.uid !== podUid, 5_000);
    const gone = entriesOf(sim, 'Pod', 'web-1', since).find((e) => e.type === 'DELETED')!;
    expect(gone.time - tDel).toBeGreaterThanOrEqual(40_000);
    expect(gone.actor).toBe(PODGC);
    expect(gone.op).toBe('delete');
    expect((gone.object as Pod).status?.phase).toBe('Failed');
    expect((gone.object as Pod).status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
    expect(writesBy(sim, PODGC, since).map((e) => `${e.op} ${e.object.metadata!.name!}`)).toEqual(['patch/status web-1', 'delete web-1']);

    // 4. Recreated under the same name with the same claim, on a node that is up; then the scale-up resumes.
    converge(sim, 'web', 4, 120_000);
    const back = mustGet<Pod>(sim, 'Pod', 'web-1');
    expect(back.metadata?.uid).not.toBe(podUid);
    expect(back.spec?.nodeName).not.toBe(victim);
    expect(back.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName).toBe('www-web-1');
    expect(mustGet<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', 'www-web-1').metadata?.uid).toBe(claimUid);
    expect(seqOfAdded(sim, 'web-3', since)).toBeGreaterThan(seqOfReady(sim, 'web-1', since));
    expectOnePodPerName(sim);
  });

  it('way out (a), force delete: web-1 returns at once, but its ReadWriteOnce volume stays attached to the dead node until the 6-minute force detach', () => {
    const sim = newCluster();
    const { victim, claimUid } = f1Running(sim);
    nodeDown(sim, victim);
    waitFor(sim, 'web-1 terminating', () => terminating(sim, 'web-1'), 400_000);
    const tForce = sim.now;
    del(sim, 'Pod', 'web-1', { gracePeriodSeconds: 0 });
    waitFor(sim, 'web-1 recreated and admitted elsewhere', () => {
      const p = get<Pod>(sim, 'Pod', 'web-1');
      return p !== undefined && p.metadata?.deletionTimestamp === undefined && p.status?.startTime !== undefined;
    }, 60_000);
    const back = mustGet<Pod>(sim, 'Pod', 'web-1');
    expect(back.spec?.nodeName).not.toBe(victim);
    expect(mustGet<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', 'www-web-1').metadata?.uid).toBe(claimUid);
    sleep(sim, 5 * 60_000);
    const waiting = mustGet<Pod>(sim, 'Pod', 'web-1');
    expect(waiting.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ContainerCreating');
    const pv = mustGet<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', 'www-web-1').spec!.volumeName!;
    expect(eventsFor(sim, 'Pod', 'web-1', 'FailedAttachVolume').map((e: Json) => e.message))
      .toEqual([`Multi-Attach error for volume "${pv}" Volume is already exclusively attached to one node and can't be attached to another`]);
    waitFor(sim, 'web-1 Ready', () => ready(sim, 'web-1'), 120_000);
    const running = entriesOf(sim, 'Pod', 'web-1').find((e) => e.object.metadata?.uid === back.metadata?.uid && (e.object as Pod).status?.phase === 'Running')!;
    expect(running.time - tForce).toBeGreaterThanOrEqual(360_000);
    expect(running.time - tForce).toBeLessThan(365_000);
    expectOnePodPerName(sim);
  });

  it('way out (a) with the out-of-service taint: the volume is detached at once, no 6-minute wait', () => {
    const sim = newCluster();
    const { victim } = f1Running(sim);
    nodeDown(sim, victim);
    waitFor(sim, 'web-1 terminating', () => terminating(sim, 'web-1'), 400_000);
    const node = mustGet<Node>(sim, 'Node', victim);
    patch(sim, 'Node', victim, { spec: { taints: [...(node.spec?.taints ?? []), { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] } }, '');
    const tTaint = sim.now;
    waitFor(sim, 'web-1 back and Ready', () => ready(sim, 'web-1') && nodeOf(sim, 'web-1') !== victim, 120_000);
    expect(sim.now - tTaint).toBeLessThan(60_000);
  });

  it('node-up after a force delete: the kubelet unmounts what its deleted pod left, and the volume moves at once', () => {
    const sim = newCluster();
    const { victim } = f1Running(sim);
    nodeDown(sim, victim);
    waitFor(sim, 'web-1 terminating', () => terminating(sim, 'web-1'), 400_000);
    del(sim, 'Pod', 'web-1', { gracePeriodSeconds: 0 });
    waitFor(sim, 'web-1 recreated elsewhere', () => get<Pod>(sim, 'Pod', 'web-1')?.status?.startTime !== undefined, 60_000);
    sleep(sim, 60_000);
    expect(ready(sim, 'web-1')).toBe(false);
    const tUp = nodeUp(sim, victim).time;
    waitFor(sim, 'web-1 Ready', () => ready(sim, 'web-1'), 60_000);
    expect(sim.now - tUp).toBeLessThan(10_000);
  });

  it('node-up after the eviction: the kubelet finishes the deletion, the node is Ready again and untainted, the pod comes back', () => {
    const sim = newCluster();
    const { victim, podUid, claimUid } = f1Running(sim);
    const since = sim.log.lastSeq();
    nodeDown(sim, victim);
    waitFor(sim, 'web-1 terminating', () => terminating(sim, 'web-1'), 400_000);
    sleep(sim, 60_000);
    expect(get<Pod>(sim, 'Pod', 'web-1')?.metadata?.uid).toBe(podUid);

    nodeUp(sim, victim);
    const upAt = sim.now;
    waitFor(sim, 'web-1 gone', () => get<Pod>(sim, 'Pod', 'web-1')?.metadata?.uid !== podUid, 20_000);
    // Back, the kubelet stops the containers with the deletion's whole grace period (10 s), from now.
    const grace = (mustGet<Json>(sim, 'StatefulSet', 'web').spec.template.spec.terminationGracePeriodSeconds as number) * 1000;
    expect(sim.now - upAt).toBeGreaterThanOrEqual(grace);
    expect(sim.now - upAt).toBeLessThan(grace + 2000);
    expect(eventsFor(sim, 'Pod', 'web-1', 'Killing').length).toBeGreaterThan(0);
    const [status, gone] = entriesOf(sim, 'Pod', 'web-1', since).slice(-2);
    expect(status!.actor).toBe(`kubelet:${victim}`);
    expect((status!.object as Pod).status?.phase).toBe('Failed');
    expect(gone!.type).toBe('DELETED');
    expect(gone!.actor).toBe(`kubelet:${victim}`);
    waitFor(sim, 'node Ready and untainted', () => readyOfNode(sim, victim)?.status === 'True' && taintsOf(sim, victim).length === 0, 5_000);
    expect(readyOfNode(sim, victim)).toMatchObject({ reason: 'KubeletReady' });
    converge(sim, 'web', 3, 60_000);
    expect(mustGet<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', 'www-web-1').metadata?.uid).toBe(claimUid);
    expect(writesBy(sim, PODGC, since)).toEqual([]);
    expectOnePodPerName(sim);
  });

  it('node-up before the eviction: web-1 is Ready again, the taints go, and no eviction ever comes', () => {
    const sim = newCluster();
    const { victim, podUid } = f1Running(sim);
    const since = sim.log.lastSeq();
    nodeDown(sim, victim);
    waitFor(sim, 'web-1 not ready', () => !isPodReady(mustGet<Pod>(sim, 'Pod', 'web-1')), 60_000);
    sleep(sim, 100_000);
    nodeUp(sim, victim);
    waitFor(sim, 'recovered', () => ready(sim, 'web-1') && taintsOf(sim, victim).length === 0 && readyOfNode(sim, victim)?.status === 'True', 10_000);
    sleep(sim, 600_000);
    expect(mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.uid).toBe(podUid);
    expect(ready(sim, 'web-1')).toBe(true);
    expect(eventsFor(sim, 'Pod', 'web-1', 'TaintManagerEviction')).toEqual([]);
    expect(writesBy(sim, NLC, since).filter((e) => e.object.kind === 'Pod' && e.op === 'delete')).toEqual([]);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status.readyReplicas).toBe(3);
  });

  it('node-up within the grace period: the controller writes nothing; a pod the kubelet had not started starts now', () => {
    const sim = newCluster({ nodes: [{ name: 'node-a' }] });
    const since = sim.log.lastSeq();
    const { service, set } = f1();
    set.spec.replicas = 1;
    create(sim, service, set);
    waitFor(sim, 'web-0 bound', () => get<Pod>(sim, 'Pod', 'web-0')?.spec?.nodeName !== undefined, 60_000);
    nodeDown(sim, 'node-a');
    sleep(sim, 30_000);
    expect(get<Pod>(sim, 'Pod', 'web-0')?.status?.phase).not.toBe('Running');
    nodeUp(sim, 'node-a');
    converge(sim, 'web', 1, 30_000);
    sleep(sim, 60_000);
    expect(writesBy(sim, NLC, since)).toEqual([]);
    expect(readyOfNode(sim, 'node-a')?.status).toBe('True');
  });

  it('way out (c): the out-of-service taint on the NotReady node — eviction at once, PodGC force-deletes, web-1 returns elsewhere', () => {
    const sim = newCluster();
    const { victim, podUid, claimUid } = f1Running(sim);
    const since = sim.log.lastSeq();
    nodeDown(sim, victim);
    waitFor(sim, 'web-1 not ready', () => !isPodReady(mustGet<Pod>(sim, 'Pod', 'web-1')), 60_000);
    waitFor(sim, 'tainted', () => taintsOf(sim, victim).length === 2, 5_000);
    const taints = mustGet<Node>(sim, 'Node', victim).spec!.taints!;
    patch(sim, 'Node', victim, { spec: { taints: [...taints, { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] } }, '');
    const t1 = sim.now;
    waitFor(sim, 'web-1 replaced', () => ready(sim, 'web-1') && mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.uid !== podUid, 60_000);
    const gone = entriesOf(sim, 'Pod', 'web-1', since).find((e) => e.type === 'DELETED')!;
    expect(gone.actor).toBe(PODGC);
    expect(gone.time - t1).toBeLessThan(1_000);
    expect(nodeOf(sim, 'web-1')).not.toBe(victim);
    expect(mustGet<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', 'www-web-1').metadata?.uid).toBe(claimUid);
    expectOnePodPerName(sim);
  });

  it('a node-lifecycle controller restarted during the grace period times the node afresh: Unknown 50 s after it is back, not after the fault', () => {
    const sim = newCluster();
    const { victim } = f1Running(sim);
    nodeDown(sim, victim);
    sleep(sim, 10_000);
    sim.crash(NLC);
    sleep(sim, 5_000);
    sim.restart(NLC);
    const t1 = sim.now;
    waitFor(sim, 'node Unknown', () => readyOfNode(sim, victim)?.status === 'Unknown', 80_000);
    // [tryUpdateNodeHealth]: "Missing timestamp for Node. Assuming now as a timestamp" (plus the cache sync).
    expect(sim.now - t1).toBeGreaterThanOrEqual(50_000);
    expect(sim.now - t1).toBeLessThan(52_000);
  });

  it('every node lost at once (one node): master disruption mode — the NoSchedule taint only, no eviction; the node back, the same pod is ready', () => {
    const sim = newCluster({ nodes: [{ name: 'node-a' }] });
    const { service, set } = f1();
    set.spec.replicas = 1;
    create(sim, service, set);
    converge(sim, 'web', 1, 120_000);
    const uid = mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.uid;
    const since = sim.log.lastSeq();
    nodeDown(sim, 'node-a');
    waitFor(sim, 'web-0 not ready', () => !isPodReady(mustGet<Pod>(sim, 'Pod', 'web-0')), 60_000);
    sleep(sim, 600_000);
    expect(taintsOf(sim, 'node-a')).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.deletionTimestamp).toBeUndefined();
    expect(eventsFor(sim, 'Pod', 'web-0', 'TaintManagerEviction')).toEqual([]);
    nodeUp(sim, 'node-a');
    waitFor(sim, 'back', () => ready(sim, 'web-0') && taintsOf(sim, 'node-a').length === 0, 60_000);
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').metadata?.uid).toBe(uid);
    expect(writesBy(sim, NLC, since).filter((e) => e.object.kind === 'Pod' && e.op === 'delete')).toEqual([]);
  });

  it('two of three nodes lost at once: the zone is not disrupted (two is not more than two), the NoExecute taints come one at a time, 10 s apart', () => {
    const sim = newCluster();
    f1Running(sim);
    const since = sim.log.lastSeq();
    nodeDown(sim, 'node-a');
    nodeDown(sim, 'node-b');
    waitFor(sim, 'both tainted NoExecute', () => ['node-a', 'node-b'].every((n) => taintsOf(sim, n).some((t) => t.endsWith(':NoExecute'))), 120_000);
    const taintedAt = ['node-a', 'node-b'].map((n) => parseTimestamp(mustGet<Node>(sim, 'Node', n).spec!.taints!.find((t) => t.effect === 'NoExecute')!.timeAdded)!).sort((x, y) => x - y);
    expect(taintedAt[1]! - taintedAt[0]!).toBeGreaterThanOrEqual(10_000);
    expect(taintedAt[1]! - taintedAt[0]!).toBeLessThan(11_000);
    // The NoExecute taint a monitor period (5 s) after the Unknown transition at the earliest.
    const unknown = entriesOf(sim, 'Node', 'node-a', since).find((e) => (e.object as Node).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'Unknown'))!;
    const unknownAt = parseTimestamp((unknown.object as Node).status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime)!;
    expect(taintedAt[0]! - unknownAt).toBeGreaterThanOrEqual(5_000);
  });
});

const seqOfAdded = (sim: Simulation, name: string, since: number): number => entriesOf(sim, 'Pod', name, since).find((e) => e.type === 'ADDED')!.seq;
const seqOfReady = (sim: Simulation, name: string, since: number): number =>
  entriesOf(sim, 'Pod', name, since).find((e) => e.type !== 'DELETED' && isRunningAndReady(e.object as Pod))!.seq;

/** ReplicaSet web-rs with an explicit 30 s grace period; `volumes` is YAML under the container, then the pod spec. */
const RS = (replicas: number, volumes = ''): Json => replicaSetRs(replicas, `${volumes}      terminationGracePeriodSeconds: 30\n`);

const rsPods = (sim: Simulation): Pod[] => list<Pod>(sim, 'Pod', 'default').filter((p) => p.metadata?.labels?.app === 'rs');

describe('node failure: ReplicaSet', () => {
  it('a replacement (new name) is created as soon as the eviction starts, on a node that is up; the old pod stays Terminating', () => {
    const sim = newCluster();
    create(sim, RS(3));
    waitFor(sim, '3 pods Ready', () => rsPods(sim).length === 3 && rsPods(sim).every(isRunningAndReady), 60_000);
    const victimPod = rsPods(sim)[0]!;
    const name = victimPod.metadata!.name!;
    const victim = victimPod.spec!.nodeName!;
    const since = sim.log.lastSeq();
    nodeDown(sim, victim);
    waitFor(sim, 'eviction', () => terminating(sim, name), 400_000);
    const evictedAt = sim.now;
    waitFor(sim, 'a replacement', () => rsPods(sim).length === 4, 1_000);
    expect(sim.now - evictedAt).toBeLessThan(100);
    const added = objectEntries(sim, since).find((e) => e.object.kind === 'Pod' && e.type === 'ADDED')!;
    expect(added.object.metadata!.name).not.toBe(name);
    waitFor(sim, 'replacement Ready', () => rsPods(sim).filter(isRunningAndReady).length === 3, 60_000);
    expect(nodeOf(sim, added.object.metadata!.name!)).not.toBe(victim);
    sleep(sim, 600_000);
    expect(terminating(sim, name)).toBe(true);
    expect(rsPods(sim)).toHaveLength(4);
    expect(mustGet<Json>(sim, 'ReplicaSet', 'web-rs').status).toMatchObject({ replicas: 3, readyReplicas: 3 });
  });

  it('a ReadWriteOnce claim still attached to the dead node: the replacement waits with Multi-Attach until PodGC fails and deletes the old pod', () => {
    const sim = newCluster();
    const [claim] = manifests(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`);
    create(sim, claim!, RS(1, `        volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
`));
    waitFor(sim, 'pod Ready', () => rsPods(sim).length === 1 && isRunningAndReady(rsPods(sim)[0]!), 60_000);
    const old = rsPods(sim)[0]!;
    const victim = old.spec!.nodeName!;
    nodeDown(sim, victim);
    waitFor(sim, 'replacement bound', () => rsPods(sim).some((p) => p.metadata?.uid !== old.metadata?.uid && p.spec?.nodeName !== undefined), 400_000);
    const replacement = rsPods(sim).find((p) => p.metadata?.uid !== old.metadata?.uid)!.metadata!.name!;
    sleep(sim, 60_000);
    const waiting = mustGet<Pod>(sim, 'Pod', replacement);
    expect(waiting.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ContainerCreating');
    expect(eventsFor(sim, 'Pod', replacement, 'FailedAttachVolume').map((e: Json) => e.message))
      .toEqual([expect.stringContaining(`Volume is already used by pod(s) ${old.metadata!.name!}`)]);
    const since = sim.log.lastSeq();
    del(sim, 'Node', victim);
    waitFor(sim, 'replacement Running', () => isRunningAndReady(mustGet<Pod>(sim, 'Pod', replacement)), 60_000);
    // The attachment follows the pods: it is released when PodGC marks the old pod Failed (just before its delete).
    const failed = entriesOf(sim, 'Pod', old.metadata!.name!, since).find((e) => (e.object as Pod).status?.phase === 'Failed')!;
    expect(failed.actor).toBe(PODGC);
    const started = entriesOf(sim, 'Pod', replacement, since).find((e) => (e.object as Pod).status?.phase === 'Running')!;
    expect(started.seq).toBeGreaterThan(failed.seq);
    waitFor(sim, 'old pod gone', () => get(sim, 'Pod', old.metadata!.name!) === undefined, 1_000);
  });
});

describe('node failure: a kubelet process down, frozen or cut off posts no heartbeats for its nodes', () => {
  const NODES = ['node-a', 'node-b', 'node-c'];
  const outages: readonly { name: string; down: (sim: Simulation) => void; up: (sim: Simulation) => void }[] = [
    { name: 'crash, restart', down: (sim) => { sim.crash('kubelet'); }, up: (sim) => { sim.restart('kubelet'); } },
    { name: 'pause, resume', down: (sim) => { expect(sim.chaos('pause', 'kubelet')).toBeUndefined(); }, up: (sim) => { expect(sim.chaos('resume', 'kubelet')).toBeUndefined(); } },
    { name: 'partition, heal', down: (sim) => { expect(sim.chaos('partition', 'kubelet')).toBeUndefined(); }, up: (sim) => { expect(sim.chaos('heal', 'kubelet')).toBeUndefined(); } },
  ];

  it.each(outages)('$name: every node it hosts is Unknown after the 50 s grace period, its pods not ready; Ready again when it is back', ({ down, up }) => {
    const sim = newCluster();
    const { podUid } = f1Running(sim);
    const since = sim.log.lastSeq();
    const t0 = sim.now;
    down(sim);
    const fault = sim.log.all().at(-1)!;
    expect((fault.data as { nodes: string[] }).nodes).toEqual(NODES);
    sleep(sim, 49_000);
    expect(writesBy(sim, NLC, since)).toEqual([]);
    waitFor(sim, 'nodes Unknown', () => NODES.every((n) => readyOfNode(sim, n)?.status === 'Unknown'), 5_000);
    expect(sim.now - t0).toBeGreaterThanOrEqual(50_000);
    expect(readyOfNode(sim, 'node-a')).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: expect.any(String) });
    // The last heartbeat is the fault's time (timestamps are kept to the millisecond).
    expect(Math.abs(parseTimestamp(readyOfNode(sim, 'node-a')!.lastHeartbeatTime)! - fault.time)).toBeLessThan(1);
    waitFor(sim, 'pods not ready', () => ['web-0', 'web-1', 'web-2'].every((n) => !isPodReady(mustGet<Pod>(sim, 'Pod', n))), 5_000);
    sleep(sim, 30_000);
    up(sim);
    waitFor(sim, 'nodes Ready and untainted', () => NODES.every((n) => readyOfNode(sim, n)?.status === 'True' && taintsOf(sim, n).length === 0), 10_000);
    expect(readyOfNode(sim, 'node-a')).toMatchObject({ reason: 'KubeletReady' });
    converge(sim, 'web', 3, 60_000);
    // Back within the pods' 300 s toleration: no eviction, the same pods.
    expect(mustGet<Pod>(sim, 'Pod', 'web-1').metadata?.uid).toBe(podUid);
    expect(eventsFor(sim, 'Pod', 'web-1', 'TaintManagerEviction')).toEqual([]);
    expect(eventsFor(sim, 'Node', 'node-a', 'NodeReady').length).toBe(1);
  });

  it('heartbeats resume only when every cause has ended: paused and partitioned, resumed — still silent; healed — Ready', () => {
    const sim = newCluster();
    f1Running(sim);
    expect(sim.chaos('pause', 'kubelet')).toBeUndefined();
    sleep(sim, 10_000);
    expect(sim.chaos('partition', 'kubelet')).toBeUndefined();
    sleep(sim, 20_000);
    expect(sim.chaos('resume', 'kubelet')).toBeUndefined();
    // 50 s after the pause (not the partition), the nodes go Unknown though the process runs again.
    waitFor(sim, 'nodes Unknown', () => readyOfNode(sim, 'node-b')?.status === 'Unknown', 30_000);
    sleep(sim, 30_000);
    expect(readyOfNode(sim, 'node-b')?.status).toBe('Unknown');
    expect(sim.chaos('heal', 'kubelet')).toBeUndefined();
    waitFor(sim, 'Ready', () => readyOfNode(sim, 'node-b')?.status === 'True', 10_000);
  });

  it('an outage shorter than the grace period writes nothing; another component\'s outage does not touch the nodes', () => {
    const sim = newCluster();
    f1Running(sim);
    const since = sim.log.lastSeq();
    expect(sim.chaos('partition', 'kubelet')).toBeUndefined();
    sleep(sim, 40_000);
    expect(sim.chaos('heal', 'kubelet')).toBeUndefined();
    sim.crash('scheduler');
    expect(sim.log.all().at(-1)!.data).toEqual({ fault: 'crash', component: 'scheduler', reason: 'killed' });
    sleep(sim, 120_000);
    sim.restart('scheduler');
    sleep(sim, 60_000);
    expect(writesBy(sim, NLC, since)).toEqual([]);
    expect(NODES.every((n) => readyOfNode(sim, n)?.status === 'True')).toBe(true);
  });
});

describe('node failure: quiet when no node fails', () => {
  const dir = fileURLToPath(new URL('../../../examples/', import.meta.url));
  // node-failure and kubelet-outage stop heartbeats for longer than the grace period (a node fault; a
  // kubelet process cut off the network).
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'node-failure.yaml' && f !== 'kubelet-outage.yaml').sort();
  it.each(files)('%s: the node-lifecycle controller and PodGC write nothing', (f) => {
    const sc = loadScenarioFile(join(dir, f));
    if (E.isLeft(sc)) throw new Error(sc.left.message);
    const r = runScenario(sc.right, { seed: 1 });
    expect(r.passed).toBe(true);
    const started = r.sim.log.all().filter((e) => e.type === 'COMPONENT').map((e) => (e.data as { component: string }).component);
    expect(started).toEqual(expect.arrayContaining([NLC, PODGC]));
    expect(r.sim.log.all().filter((e) => e.actor === NLC || e.actor === PODGC)).toEqual([]);
  });
});

describe('node failure: scenario steps', () => {
  it('a node fault names its node', () => {
    const parse = (step: string) => parseScenario(`cluster: {nodes: 2}\nsteps:\n  - ${step}\n`, 's.yaml');
    const ok = parse('fault: {fault: node-down, node: node-b}');
    expect(E.isRight(ok) && ok.right.steps[0]).toMatchObject({ op: 'fault', fault: { fault: 'node-down', node: 'node-b' } });
    const bad = parse('fault: {fault: node-up}');
    expect(E.isLeft(bad) && bad.left.message).toBe('error: s.yaml:3: step 1: fault: give {fault: node-up, node: NAME}');
  });
});
