/**
 * Extra end-to-end scenarios for the scheduler (node readiness, cordon, nodeSelector, capacity, the
 * VolumeBinding and VolumeRestrictions checks of k8s-semantics §3.6/§3.5) and the kubelet (pod phases,
 * graceful termination, ReadWriteOnce attachment moving between nodes, ReadWriteOncePod), beyond
 * acceptance-H (S49), acceptance-I (S50), acceptance-extra-storage-rs and node-failure.
 *
 * FailedScheduling messages are [framework.FitError.Error]: `0/<n> nodes are available: <preFilterMsg>.`
 * or `0/<n> nodes are available: <count> <reason>, ….` (the `<count> <reason>` strings sorted; a node
 * counted once, for the first Filter plugin that rejects it, in the default profile's order
 * NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, VolumeRestrictions,
 * VolumeBinding). kube-scheduler appends the DefaultPreemption PostFilter message
 * (` preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`); kubesim has no
 * preemption, so the suffix is accepted but not required.
 */
import { describe, expect, it } from 'vitest';
import { isRunningAndReady, parseTimestamp, type KObject, type Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import { podStatusText } from '../src/index.js';
import {
  converge, cordon, create, del, entriesOf, eventsFor, f1With, failPod, get, list, manifests, mustGet, newCluster, patch, scale,
  seqOf, sleep, standardClass, waitFor, type Json,
} from './harness.js';

// ---- helpers ------------------------------------------------------------------------------------------

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A FitError message: exactly `text`, optionally followed by the preemption PostFilter message. */
const unschedulableMessage = (text: string): RegExp => new RegExp(`^${esc(text)}( preemption: .*)?$`);

const podSpec = (name: string, opts: {
  claim?: string; nodeSelector?: Record<string, string>; cpu?: string; memory?: string; grace?: number; nodeName?: string; labels?: Record<string, string>;
} = {}): KObject => {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      ...(opts.grace !== undefined ? { terminationGracePeriodSeconds: opts.grace } : {}),
      ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}),
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      containers: [{
        name: 'c', image: 'nginx:1.25',
        ...(Object.keys(requests).length > 0 ? { resources: { requests } } : {}),
        ...(opts.claim ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}),
      }],
      ...(opts.claim ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: opts.claim } }] } : {}),
    },
  } as KObject;
};

const claimObj = (name: string, cls: string | null, mode = 'ReadWriteOnce'): KObject => manifests(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}, namespace: default}
spec:
${cls === null ? '' : `  storageClassName: "${cls}"\n`}  accessModes: [${mode}]
  resources: {requests: {storage: 1Gi}}
`)[0]!;

const storageClass = (name: string, provisioner: string, mode: 'Immediate' | 'WaitForFirstConsumer', parameters?: Record<string, string>): KObject => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, reclaimPolicy: 'Delete', volumeBindingMode: mode,
  ...(parameters ? { parameters } : {}),
} as KObject);

const pod = (sim: Simulation, name: string): Pod | undefined => get<Pod>(sim, 'Pod', name);
const nodeOf = (sim: Simulation, name: string): string | undefined => pod(sim, name)?.spec?.nodeName;
const isReady = (p: Pod | undefined): boolean => p !== undefined && isRunningAndReady(p) && p.metadata?.deletionTimestamp === undefined;
const scheduledCond = (sim: Simulation, name: string): Json => pod(sim, name)?.status?.conditions?.find((c) => c.type === 'PodScheduled');
const claimPhase = (sim: Simulation, name: string): string | undefined => get<Json>(sim, 'PersistentVolumeClaim', name)?.status?.phase;

/** The seq of the entry that bound `name` to a node (its first version with spec.nodeName), after `since`. */
const bindSeq = (sim: Simulation, name: string, since = 0): number => {
  const e = entriesOf(sim, 'Pod', name, since).find((x) => x.type !== 'DELETED' && (x.object as Pod).spec?.nodeName !== undefined);
  if (!e) throw new Error(`${name} was never bound after seq ${since}`);
  return e.seq;
};

/**
 * The seq at which `name` stopped holding node resources and volumes: its first terminal version
 * (Succeeded/Failed: the kubelet's last status before its final delete; the scheduler's informer drops
 * terminal pods, [scheduler NewInformerFactory] `status.phase!=Succeeded,status.phase!=Failed`, and the
 * attach/detach controller detaches from terminated pods) or its deletion.
 */
const releasedSeq = (sim: Simulation, name: string, since = 0): number => {
  const e = entriesOf(sim, 'Pod', name, since).find((x) => x.type === 'DELETED' || ['Succeeded', 'Failed'].includes((x.object as Pod).status?.phase ?? ''));
  if (!e) throw new Error(`${name} neither terminated nor deleted after seq ${since}`);
  return e.seq;
};

/**
 * The pod waits unscheduled: no node, PodScheduled=False/Unschedulable with a message matching `re`,
 * and a Warning FailedScheduling event with that same message.
 */
const expectUnscheduledWith = (sim: Simulation, name: string, re: RegExp): void => {
  const p = mustGet<Pod>(sim, 'Pod', name);
  expect(p.spec?.nodeName, `${name} has no node`).toBeUndefined();
  expect(p.status?.phase, `${name} phase`).toBe('Pending');
  const c = scheduledCond(sim, name);
  expect(c, `${name} PodScheduled`).toMatchObject({ status: 'False', reason: 'Unschedulable' });
  expect(c.message, `${name} PodScheduled message`).toMatch(re);
  const evs = eventsFor(sim, 'Pod', name, 'FailedScheduling').filter((e: Json) => e.message === c.message);
  expect(evs.length, `a FailedScheduling event "${c.message}"`).toBe(1);
  expect(evs[0].type).toBe('Warning');
};

/** The pod was scheduled with `Successfully assigned default/<pod> to <node>` and runs there. */
const expectScheduledTo = (sim: Simulation, name: string, node: string): void => {
  expect(nodeOf(sim, name)).toBe(node);
  const evs = eventsFor(sim, 'Pod', name, 'Scheduled');
  expect(evs.map((e: Json) => [e.type, e.message])).toEqual([['Normal', `Successfully assigned default/${name} to ${node}`]]);
  expect(scheduledCond(sim, name)).toMatchObject({ status: 'True' });
};

const waitFailedScheduling = (sim: Simulation, name: string, re: RegExp, timeoutMs = 60_000): void =>
  waitFor(sim, `${name}: FailedScheduling ${re}`, () => re.test(scheduledCond(sim, name)?.message ?? ''), timeoutMs);

const NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

// ---- the scheduler: node filters ----------------------------------------------------------------------

describe('scheduler: cordon, nodeSelector, readiness (FailedScheduling, then Scheduled when the cause goes)', () => {
  it('every node cordoned: "3 node(s) were unschedulable"; uncordoning one node places the pod there', () => {
    const sim = newCluster();
    for (const n of ['node-a', 'node-b', 'node-c']) cordon(sim, n);
    create(sim, podSpec('solo'));
    waitFailedScheduling(sim, 'solo', /./);
    sleep(sim, 20_000);
    expectUnscheduledWith(sim, 'solo', unschedulableMessage('0/3 nodes are available: 3 node(s) were unschedulable.'));
    expect(eventsFor(sim, 'Pod', 'solo', 'Scheduled')).toEqual([]);
    // A cordoned node that also fails the selector counts once, as unschedulable (the first Filter plugin).
    create(sim, podSpec('picky', { nodeSelector: { disk: 'ssd' } }));
    sleep(sim, 20_000);
    expectUnscheduledWith(sim, 'picky', unschedulableMessage('0/3 nodes are available: 3 node(s) were unschedulable.'));
    cordon(sim, 'node-a', false);
    // Both are woken by the node change: solo goes to the only schedulable node, picky fails on its selector there.
    waitFor(sim, 'solo Ready', () => isReady(pod(sim, 'solo')), 60_000);
    expectScheduledTo(sim, 'solo', 'node-a');
    waitFailedScheduling(sim, 'picky', /node affinity/, 30_000);
    expectUnscheduledWith(sim, 'picky', unschedulableMessage(`0/3 nodes are available: 1 ${NODE_AFFINITY}, 2 node(s) were unschedulable.`));
    expect(mustGet<Pod>(sim, 'Pod', 'picky').spec?.nodeName).toBeUndefined();
  });

  it('a node uncordoned while the pod\'s first scheduling attempt is in flight: the event is not lost, the pod is retried after its backoff', () => {
    // [scheduling_queue AddUnschedulableIfNotPresent → determineSchedulingHintForInFlightPod]: events
    // received while a pod is being scheduled are checked against its rejector plugins' queueing hints;
    // a NodeUnschedulable rejection and a node update that makes the node schedulable give Queue, so the
    // pod goes to backoffQ (1 s), not to unschedulablePods (which only the 5-minute flush would empty).
    const sim = newCluster();
    for (const n of ['node-a', 'node-b', 'node-c']) cordon(sim, n);
    create(sim, podSpec('racer'));
    cordon(sim, 'node-c', false);
    waitFor(sim, 'racer Ready', () => isReady(pod(sim, 'racer')), 30_000);
    expectScheduledTo(sim, 'racer', 'node-c');
  });

  it('a node uncordoned while a second pod\'s first attempt is in flight: that pod is retried too (its message changes within seconds, not after the 5-minute flush)', () => {
    const sim = newCluster();
    for (const n of ['node-a', 'node-b', 'node-c']) cordon(sim, n);
    create(sim, podSpec('solo'));
    sleep(sim, 20_000);
    create(sim, podSpec('picky', { nodeSelector: { disk: 'ssd' } }));
    cordon(sim, 'node-a', false);
    waitFor(sim, 'solo Ready', () => isReady(pod(sim, 'solo')), 60_000);
    waitFailedScheduling(sim, 'picky', /node affinity/, 30_000);
    // Well before the 5-minute flush: the retry came from the backoff queue (1 s).
    expect(sim.now, 'retried within seconds').toBeLessThan(20_000 + 30_000);
    sleep(sim, 1_000); // the FailedScheduling event is recorded after the status write
    expectUnscheduledWith(sim, 'picky', unschedulableMessage(`0/3 nodes are available: 1 ${NODE_AFFINITY}, 2 node(s) were unschedulable.`));
  });

  it('nodeSelector matching no node: "3 node(s) didn\'t match Pod\'s node affinity/selector"; a node labelled later gets the pod', () => {
    const sim = newCluster();
    create(sim, podSpec('ssd-only', { nodeSelector: { disk: 'ssd' } }));
    waitFailedScheduling(sim, 'ssd-only', /./);
    sleep(sim, 30_000);
    expectUnscheduledWith(sim, 'ssd-only', unschedulableMessage(`0/3 nodes are available: 3 ${NODE_AFFINITY}.`));
    // A label with another value does not help.
    patch(sim, 'Node', 'node-b', { metadata: { labels: { disk: 'hdd' } } }, '');
    sleep(sim, 20_000);
    expect(nodeOf(sim, 'ssd-only')).toBeUndefined();
    patch(sim, 'Node', 'node-c', { metadata: { labels: { disk: 'ssd' } } }, '');
    waitFor(sim, 'ssd-only Ready', () => isReady(pod(sim, 'ssd-only')), 60_000);
    expectScheduledTo(sim, 'ssd-only', 'node-c');
    const p = mustGet<Pod>(sim, 'Pod', 'ssd-only');
    expect(p.status?.phase).toBe('Running');
  });

  it('a NotReady node (kubelet down, tainted unreachable) is never chosen; its pods wait with "untolerated taint"; back up, it is used again', () => {
    const sim = newCluster();
    sim.fault({ fault: 'node-down', node: 'node-c' });
    waitFor(sim, 'node-c tainted unreachable', () =>
      (mustGet<Json>(sim, 'Node', 'node-c', '').spec?.taints ?? []).some((t: Json) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule'), 120_000);
    create(sim, podSpec('on-c', { nodeSelector: { 'kubernetes.io/hostname': 'node-c' } }));
    create(sim, ...f1With((s) => { s.spec.replicas = 4; }));
    converge(sim, 'web', 4);
    for (let k = 0; k < 4; k++) expect(['node-a', 'node-b'], `web-${k}`).toContain(nodeOf(sim, `web-${k}`));
    expectUnscheduledWith(sim, 'on-c', unschedulableMessage(`0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 ${NODE_AFFINITY}.`));
    sim.fault({ fault: 'node-up', node: 'node-c' });
    waitFor(sim, 'on-c Ready', () => isReady(pod(sim, 'on-c')), 120_000);
    expectScheduledTo(sim, 'on-c', 'node-c');
  });
});

// ---- the scheduler: capacity --------------------------------------------------------------------------

describe('scheduler: node capacity (NodeResourcesFit)', () => {
  it('a StatefulSet with a nodeSelector scaled past the pods capacity of its nodes: "Too many pods" next to the selector mismatch; a node labelled later takes the rest', () => {
    const sim = newCluster({
      nodes: [
        { name: 'node-a', labels: { zone: 'x' }, capacity: { pods: 2 } },
        { name: 'node-b', labels: { zone: 'x' }, capacity: { pods: 2 } },
        { name: 'node-c', labels: { zone: 'y' }, capacity: { pods: 2 } },
      ],
    });
    create(sim, ...f1With((s) => { s.spec.template.spec.nodeSelector = { zone: 'x' }; }));
    converge(sim, 'web', 3);
    scale(sim, 'StatefulSet', 'web', 5);
    waitFor(sim, 'web-4 exists', () => pod(sim, 'web-4') !== undefined, 120_000);
    waitFailedScheduling(sim, 'web-4', /Too many pods/);
    sleep(sim, 30_000);
    for (let k = 0; k < 4; k++) expect(['node-a', 'node-b'], `web-${k}`).toContain(nodeOf(sim, `web-${k}`));
    expect(list<Pod>(sim, 'Pod', 'default').filter((p) => p.spec?.nodeName === 'node-a')).toHaveLength(2);
    expect(list<Pod>(sim, 'Pod', 'default').filter((p) => p.spec?.nodeName === 'node-b')).toHaveLength(2);
    expectUnscheduledWith(sim, 'web-4', unschedulableMessage(`0/3 nodes are available: 1 ${NODE_AFFINITY}, 2 Too many pods.`));
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status).toMatchObject({ replicas: 5, readyReplicas: 4 });
    patch(sim, 'Node', 'node-c', { metadata: { labels: { zone: 'x' } } }, '');
    converge(sim, 'web', 5);
    expectScheduledTo(sim, 'web-4', 'node-c');
  });

  it('cpu and memory requests: "Insufficient cpu" / "Insufficient memory"; a pod waits until a deleted pod is gone (not merely terminating)', () => {
    const sim = newCluster({ nodes: ['node-a', 'node-b', 'node-c'].map((name) => ({ name, capacity: { cpu: '1', memory: '1Gi' } })) });
    for (let k = 0; k < 3; k++) create(sim, podSpec(`big-${k}`, { cpu: '600m', grace: 20 }));
    waitFor(sim, 'three big pods Ready', () => [0, 1, 2].every((k) => isReady(pod(sim, `big-${k}`))), 60_000);
    expect(new Set([0, 1, 2].map((k) => nodeOf(sim, `big-${k}`))).size, 'one per node').toBe(3);
    create(sim, podSpec('big-3', { cpu: '600m' }), podSpec('huge', { cpu: '2', memory: '2Gi' }), podSpec('fat', { memory: '600Mi', cpu: '100m' }));
    waitFailedScheduling(sim, 'big-3', /Insufficient/);
    waitFailedScheduling(sim, 'huge', /Insufficient/);
    sleep(sim, 10_000);
    expectUnscheduledWith(sim, 'big-3', unschedulableMessage('0/3 nodes are available: 3 Insufficient cpu.'));
    expectUnscheduledWith(sim, 'huge', unschedulableMessage('0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory.'));
    // Memory is free: a pod asking for 100m cpu fits on a node with 600m used.
    waitFor(sim, 'fat Ready', () => isReady(pod(sim, 'fat')), 60_000);
    const freed = nodeOf(sim, 'big-1')!;
    const since = sim.log.lastSeq();
    del(sim, 'Pod', 'big-1');
    sleep(sim, 15_000);
    expect(pod(sim, 'big-1')?.metadata?.deletionTimestamp, 'still terminating').toBeDefined();
    expect(nodeOf(sim, 'big-3'), 'a terminating pod still holds its requests').toBeUndefined();
    waitFor(sim, 'big-3 Ready', () => isReady(pod(sim, 'big-3')), 60_000);
    expect(bindSeq(sim, 'big-3', since)).toBeGreaterThan(releasedSeq(sim, 'big-1', since));
    expect(releasedSeq(sim, 'big-1', since)).toBeGreaterThan(seqOf(sim, 'TERMINATING', 'Pod', 'big-1', since));
    // fat took 100m somewhere; big-3 (600m) can only fit where big-1 was (unless fat is there too).
    expect(nodeOf(sim, 'big-3')).toBe(freed);
    expectScheduledTo(sim, 'big-3', freed);
    sleep(sim, 30_000);
    expectUnscheduledWith(sim, 'huge', unschedulableMessage('0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory.'));
  });
});

// ---- the scheduler: volumes ---------------------------------------------------------------------------

describe('scheduler: VolumeBinding and VolumeRestrictions (§3.6, §3.5)', () => {
  it('a claim of an Immediate class not yet bound: "pod has unbound immediate PersistentVolumeClaims"; bound to a new PV, the pod is scheduled', () => {
    // [pv_controller provisionClaim]: a class without a usable plugin (kubernetes.io/no-provisioner, the
    // usual local-volume class) records ProvisioningFailed and returns nil ("controller will retry the
    // provisioning in every syncUnboundClaim() call"); [pv_controller_base resync] re-queues every claim
    // every 15 s, so a matching PV created later is bound at the next resync.
    const sim = newCluster({ storageClasses: [standardClass(), storageClass('manual', 'kubernetes.io/no-provisioner', 'Immediate')] });
    create(sim, claimObj('data', 'manual'));
    create(sim, podSpec('user', { claim: 'data' }));
    waitFailedScheduling(sim, 'user', /./);
    sleep(sim, 30_000);
    expect(claimPhase(sim, 'data')).toBe('Pending');
    expectUnscheduledWith(sim, 'user', unschedulableMessage('0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.'));
    create(sim, manifests(`apiVersion: v1
kind: PersistentVolume
metadata: {name: manual-1}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
`)[0]!);
    waitFor(sim, 'data Bound at the next 15 s resync', () => claimPhase(sim, 'data') === 'Bound', 20_000);
    waitFor(sim, 'user Ready', () => isReady(pod(sim, 'user')), 60_000);
    expect(mustGet<Json>(sim, 'PersistentVolumeClaim', 'data').spec.volumeName).toBe('manual-1');
    expect(bindSeq(sim, 'user')).toBeGreaterThan(seqOf(sim, 'ADDED', 'PersistentVolume', 'manual-1'));
    expectScheduledTo(sim, 'user', nodeOf(sim, 'user')!);
  });

  it('a missing claim: "persistentvolumeclaim \\"ghost\\" not found"; created, the pod is scheduled', () => {
    const sim = newCluster();
    create(sim, podSpec('haunted', { claim: 'ghost' }));
    waitFailedScheduling(sim, 'haunted', /./);
    sleep(sim, 20_000);
    expectUnscheduledWith(sim, 'haunted', unschedulableMessage('0/3 nodes are available: persistentvolumeclaim "ghost" not found.'));
    create(sim, claimObj('ghost', null));
    waitFor(sim, 'haunted Ready', () => isReady(pod(sim, 'haunted')), 120_000);
    expect(claimPhase(sim, 'ghost')).toBe('Bound');
  });

  it('a bound PV whose node affinity no node matches: "3 node(s) had volume node affinity conflict" (the §3.6 example); a node labelled to match gets the pod', () => {
    const sim = newCluster();
    create(sim, manifests(`apiVersion: v1
kind: PersistentVolume
metadata: {name: fast}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  local: {path: /mnt/fast}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: disk, operator: In, values: [nvme]}]
`)[0]!);
    create(sim, claimObj('fast-claim', ''));
    waitFor(sim, 'fast-claim Bound', () => claimPhase(sim, 'fast-claim') === 'Bound', 30_000);
    create(sim, podSpec('db', { claim: 'fast-claim' }));
    waitFailedScheduling(sim, 'db', /./);
    sleep(sim, 30_000);
    expectUnscheduledWith(sim, 'db', unschedulableMessage('0/3 nodes are available: 3 node(s) had volume node affinity conflict.'));
    patch(sim, 'Node', 'node-b', { metadata: { labels: { disk: 'nvme' } } }, '');
    waitFor(sim, 'db Ready', () => isReady(pod(sim, 'db')), 60_000);
    expectScheduledTo(sim, 'db', 'node-b');
  });

  it('StatefulSet on node-local volumes: every incarnation returns to its volume\'s node — after a delete and after scale 3 → 1 → 3; with that node cordoned, "1 node(s) were unschedulable, 2 node(s) had volume node affinity conflict"', () => {
    const wffc = storageClass('local-wffc', 'kubesim.io/hostpath', 'WaitForFirstConsumer', { topology: 'node' });
    const sim = newCluster({ storageClasses: [{ ...wffc, metadata: { name: 'local-wffc', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } } as KObject] });
    create(sim, ...f1With(() => undefined));
    converge(sim, 'web', 3);
    const home = [0, 1, 2].map((k) => nodeOf(sim, `web-${k}`)!);
    for (let k = 0; k < 3; k++) {
      const pvName = mustGet<Json>(sim, 'PersistentVolumeClaim', `www-web-${k}`).spec.volumeName;
      const terms = mustGet<Json>(sim, 'PersistentVolume', pvName, '').spec.nodeAffinity.required.nodeSelectorTerms;
      expect(JSON.stringify(terms), `PV of web-${k} pinned to its node`).toContain(home[k]);
    }
    // Scale down to 1 and back: web-1 and web-2 come back to their nodes.
    scale(sim, 'StatefulSet', 'web', 1);
    waitFor(sim, 'web-1, web-2 gone', () => pod(sim, 'web-1') === undefined && pod(sim, 'web-2') === undefined, 120_000);
    scale(sim, 'StatefulSet', 'web', 3);
    converge(sim, 'web', 3);
    for (let k = 0; k < 3; k++) expect(nodeOf(sim, `web-${k}`), `web-${k} back home`).toBe(home[k]);
    // Cordon web-1's node and delete web-1: the new web-1 cannot go anywhere.
    const uid = mustGet<Pod>(sim, 'Pod', 'web-1').metadata!.uid;
    cordon(sim, home[1]!);
    del(sim, 'Pod', 'web-1');
    waitFor(sim, 'a new web-1', () => pod(sim, 'web-1') !== undefined && pod(sim, 'web-1')!.metadata?.uid !== uid, 60_000);
    waitFailedScheduling(sim, 'web-1', /unschedulable/);
    sleep(sim, 30_000);
    expectUnscheduledWith(sim, 'web-1', unschedulableMessage('0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) had volume node affinity conflict.'));
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status.readyReplicas).toBe(2);
    cordon(sim, home[1]!, false);
    converge(sim, 'web', 3);
    expect(nodeOf(sim, 'web-1')).toBe(home[1]);
  });

  it('ReadWriteOncePod: a second pod using the claim cannot be scheduled anywhere until the first pod is gone', () => {
    const sim = newCluster();
    create(sim, claimObj('solo', null, 'ReadWriteOncePod'));
    create(sim, podSpec('owner', { claim: 'solo', grace: 15 }));
    waitFor(sim, 'owner Ready', () => isReady(pod(sim, 'owner')), 60_000);
    create(sim, podSpec('intruder', { claim: 'solo' }));
    waitFailedScheduling(sim, 'intruder', /./);
    sleep(sim, 20_000);
    expectUnscheduledWith(sim, 'intruder', unschedulableMessage('0/3 nodes are available: 3 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode.'));
    const since = sim.log.lastSeq();
    const t0 = sim.now;
    del(sim, 'Pod', 'owner');
    sleep(sim, 10_000);
    expect(nodeOf(sim, 'intruder'), 'the terminating owner still holds the claim').toBeUndefined();
    waitFor(sim, 'intruder Ready', () => isReady(pod(sim, 'intruder')), 120_000);
    expect(bindSeq(sim, 'intruder', since)).toBeGreaterThan(releasedSeq(sim, 'owner', since));
    const ownerReleased = entriesOf(sim, 'Pod', 'owner', since).find((e) => e.seq === releasedSeq(sim, 'owner', since))!;
    expect(ownerReleased.time - t0, 'owner released at the end of its 15 s grace').toBeGreaterThanOrEqual(14_000);
  });
});

// ---- the kubelet --------------------------------------------------------------------------------------

describe('kubelet: phases, graceful termination, attachment (§3.5)', () => {
  it('a pod\'s phases: unscheduled Pending → Pending/ContainerCreating on its node (startTime, hostIP, no podIP) → Running and Ready with a podIP', () => {
    const sim = newCluster();
    create(sim, podSpec('life'));
    waitFor(sim, 'life Ready', () => isReady(pod(sim, 'life')), 60_000);
    const versions = entriesOf(sim, 'Pod', 'life').map((e) => e.object as Pod);
    const firstStatus = versions.find((p) => p.status?.startTime !== undefined)!;
    expect(firstStatus.spec?.nodeName, 'the kubelet writes only for a bound pod').toBeDefined();
    expect(firstStatus.status?.phase).toBe('Pending');
    expect(podStatusText(firstStatus)).toBe('ContainerCreating');
    expect(firstStatus.status?.hostIP).toBeDefined();
    expect(firstStatus.status?.podIP).toBeUndefined();
    const phases = versions.map((p) => p.status?.phase);
    expect(phases.indexOf('Running')).toBeGreaterThan(versions.indexOf(firstStatus));
    for (const p of versions.slice(0, versions.indexOf(firstStatus))) expect(p.status?.phase ?? 'Pending').toBe('Pending');
    const now = mustGet<Pod>(sim, 'Pod', 'life');
    expect(now.status?.phase).toBe('Running');
    expect(now.status?.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(now.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    expect(now.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    // The conditions of a 1.35 pod, each stamped with the generation (1), as the status is:
    // PodReadyToStartContainers False while ContainerCreating (no sandbox), True once the containers start.
    type Gen = { observedGeneration?: number };
    expect(now.status?.conditions?.map((c) => [c.type, c.status, (c as Gen).observedGeneration])).toEqual([
      ['PodReadyToStartContainers', 'True', 1], ['Initialized', 'True', 1], ['Ready', 'True', 1], ['ContainersReady', 'True', 1], ['PodScheduled', 'True', 1],
    ]);
    expect((now.status as Gen).observedGeneration).toBe(1);
    expect(firstStatus.status?.conditions?.find((c) => c.type === 'PodReadyToStartContainers')?.status).toBe('False');
    // A graceful deletion bumps the generation; the kubelet's final status acknowledges it.
    del(sim, 'Pod', 'life');
    expect(mustGet<Pod>(sim, 'Pod', 'life').metadata?.generation).toBe(2);
    waitFor(sim, 'life gone', () => pod(sim, 'life') === undefined, 60_000);
    const last = entriesOf(sim, 'Pod', 'life').filter((e) => e.type === 'MODIFIED').at(-1)!.object as Pod;
    expect(last.status?.phase).toBe('Failed');
    expect((last.status as Gen).observedGeneration).toBe(2);
    expect(last.status?.conditions?.find((c) => c.type === 'PodReadyToStartContainers')).toMatchObject({ status: 'False', observedGeneration: 2 });
  });

  it('graceful deletion: deletionTimestamp = now + terminationGracePeriodSeconds (or the request\'s grace), Terminating until then, gone at the deadline', () => {
    const sim = newCluster();
    create(sim, podSpec('slow', { grace: 10 }), podSpec('quick', { grace: 10 }));
    waitFor(sim, 'both Ready', () => isReady(pod(sim, 'slow')) && isReady(pod(sim, 'quick')), 60_000);
    const t0 = sim.now;
    del(sim, 'Pod', 'slow');
    del(sim, 'Pod', 'quick', { gracePeriodSeconds: 3 });
    const slow = mustGet<Pod>(sim, 'Pod', 'slow'), quick = mustGet<Pod>(sim, 'Pod', 'quick');
    expect(slow.metadata?.deletionGracePeriodSeconds).toBe(10);
    expect(quick.metadata?.deletionGracePeriodSeconds).toBe(3);
    const slowDeadline = parseTimestamp(slow.metadata?.deletionTimestamp)!;
    const quickDeadline = parseTimestamp(quick.metadata?.deletionTimestamp)!;
    expect(Math.abs(slowDeadline - (t0 + 10_000))).toBeLessThan(1_000);
    expect(Math.abs(quickDeadline - (t0 + 3_000))).toBeLessThan(1_000);
    sleep(sim, 2_000);
    expect(podStatusText(mustGet<Pod>(sim, 'Pod', 'quick'))).toBe('Terminating');
    waitFor(sim, 'quick gone', () => pod(sim, 'quick') === undefined, 10_000);
    expect(pod(sim, 'slow'), 'slow outlives quick').toBeDefined();
    expect(podStatusText(mustGet<Pod>(sim, 'Pod', 'slow'))).toBe('Terminating');
    waitFor(sim, 'slow gone', () => pod(sim, 'slow') === undefined, 20_000);
    for (const [name, deadline] of [['slow', slowDeadline], ['quick', quickDeadline]] as const) {
      const gone = entriesOf(sim, 'Pod', name).find((e) => e.type === 'DELETED')!;
      expect(gone.time, `${name} gone by its deadline`).toBeLessThanOrEqual(deadline + 1_000);
      expect(gone.time, `${name} not gone before its grace period`).toBeGreaterThanOrEqual(deadline - 1_000);
    }
  });

  it('deletion with grace 0, of an unscheduled pod, of a Failed pod: the object is gone at once', () => {
    const sim = newCluster();
    create(sim, podSpec('now', { grace: 30 }), podSpec('nowhere', { nodeSelector: { disk: 'none' } }), podSpec('dead', { grace: 30 }));
    waitFor(sim, 'now and dead Ready', () => isReady(pod(sim, 'now')) && isReady(pod(sim, 'dead')), 60_000);
    waitFailedScheduling(sim, 'nowhere', /./);
    del(sim, 'Pod', 'now', { gracePeriodSeconds: 0 });
    expect(pod(sim, 'now'), 'grace 0').toBeUndefined();
    del(sim, 'Pod', 'nowhere');
    expect(pod(sim, 'nowhere'), 'never scheduled: deleted at once whatever the grace (pod strategy CheckGracefulDelete)').toBeUndefined();
    failPod(sim, 'dead');
    waitFor(sim, 'dead Failed', () => pod(sim, 'dead')?.status?.phase === 'Failed', 30_000);
    del(sim, 'Pod', 'dead');
    expect(pod(sim, 'dead'), 'terminal: deleted at once').toBeUndefined();
  });

  it('a ReadWriteOnce volume moves to a pod on another node only once the old pod is gone: ContainerCreating with Multi-Attach meanwhile', () => {
    const sim = newCluster();
    create(sim, claimObj('shared', null));
    create(sim, podSpec('first', { claim: 'shared', grace: 20, nodeSelector: { 'kubernetes.io/hostname': 'node-a' } }));
    waitFor(sim, 'first Ready', () => isReady(pod(sim, 'first')), 60_000);
    const pv = mustGet<Json>(sim, 'PersistentVolumeClaim', 'shared').spec.volumeName;
    const since = sim.log.lastSeq();
    const t0 = sim.now;
    del(sim, 'Pod', 'first');
    create(sim, podSpec('second', { claim: 'shared', nodeSelector: { 'kubernetes.io/hostname': 'node-b' } }));
    waitFor(sim, 'second has a status', () => pod(sim, 'second')?.status?.startTime !== undefined, 30_000);
    sleep(sim, 5_000);
    const second = mustGet<Pod>(sim, 'Pod', 'second');
    expect(second.spec?.nodeName, 'the scheduler does not stop it').toBe('node-b');
    expect(second.status?.phase).toBe('Pending');
    expect(podStatusText(second)).toBe('ContainerCreating');
    expect(pod(sim, 'first')?.metadata?.deletionTimestamp, 'first still terminating').toBeDefined();
    const warn = eventsFor(sim, 'Pod', 'second', 'FailedAttachVolume');
    expect(warn.map((e: Json) => [e.type, e.message])).toEqual([['Warning', `Multi-Attach error for volume "${pv}" Volume is already used by pod(s) first`]]);
    waitFor(sim, 'second Ready', () => isReady(pod(sim, 'second')), 120_000);
    const firstGone = releasedSeq(sim, 'first', since);
    const running = entriesOf(sim, 'Pod', 'second', since).find((e) => (e.object as Pod).status?.phase === 'Running')!;
    expect(running.seq, 'containers start only after the old pod has terminated').toBeGreaterThan(firstGone);
    expect(running.time - t0, 'first held the volume for its 20 s grace').toBeGreaterThanOrEqual(19_000);
  });
});
