import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import {
  nodeImageEntry, nodeImages, parseTimestamp, printPod, seededBetween, simulatedImageId, simulatedImageSize, timestamp, type Container, type KObject, type Node, type PersistentVolume,
  type PersistentVolumeClaim, type Pod,
} from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { eventsOf, writesOf, type ReconcileResult } from '../src/framework/index.js';
import {
  CONTAINER_UNKNOWN_MESSAGE, goDuration, imageReportedAt, initialKubeletLocal, kubelet, kubeletKey, kubeletKeysFor, observeKubelet, type KubeletConfig, type KubeletLocal,
} from '../src/kubelet/index.js';
import { makeSnapshot } from './util.js';

// k8s-semantics §1.12, §1.13, §3.5; scenarios S09, S10, S49.

const SEED = 42;
const config: KubeletConfig = { nodes: ['node-a', 'node-b'], podStartupMs: [500, 1500], killExitCode: 137, forceDetachAfterMs: 360_000 };

const node = (name: string, extra: Partial<Node> = {}): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { addresses: [{ type: 'InternalIP', address: name === 'node-a' ? '172.18.0.2' : '172.18.0.3' }] }, ...extra,
});

/** A node that holds `images` from the start (its status.images, as the scenario's `nodes[].images` writes it). */
const holding = (n: Node, images: readonly string[]): Node => ({ ...n, status: { ...n.status, images: images.map((i) => nodeImageEntry(i)) } });
const PRELOADED = ['nginx:1.25', 'busybox:1.36', 'envoy:1.30'];

interface PodOpts {
  node?: string; uid?: string; rv?: string; created?: number; containers?: Container[]; claims?: string[];
  status?: Pod['status']; deletionTimestamp?: string; grace?: number;
}
const pod = (name: string, o: PodOpts = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: 'default', uid: o.uid ?? `uid-${name}`, resourceVersion: o.rv ?? '10', creationTimestamp: timestamp(o.created ?? 0),
    ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp, deletionGracePeriodSeconds: o.grace ?? 10 } : {}),
  },
  spec: {
    containers: o.containers ?? [{ name: 'nginx', image: 'nginx:1.25' }],
    ...(o.node ? { nodeName: o.node } : {}),
    ...(o.claims ? { volumes: o.claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) } : {}),
  },
  status: o.status ?? { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp(0) }] },
});

const pvc = (name: string, volumeName: string | undefined, phase = 'Bound'): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { accessModes: ['ReadWriteOnce'], ...(volumeName ? { volumeName } : {}) }, status: { phase },
});
const pv = (name: string, claim: string, modes = ['ReadWriteOnce']): PersistentVolume => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
  spec: { accessModes: modes, capacity: { storage: '1Gi' }, csi: { driver: 'sim.csi', volumeHandle: name }, claimRef: { namespace: 'default', name: claim } },
  status: { phase: 'Bound' },
});

const snap = (objs: readonly KObject[]) => makeSnapshot(objs, kubelet.indexes);
const run = (objs: readonly KObject[], key: string, now: number, local: KubeletLocal = initialKubeletLocal(), cfg = config): ReconcileResult<KubeletLocal> =>
  kubelet.reconcile({ snapshot: snap(objs), key, now, config: cfg, local, seed: SEED });

const statusOf = (r: ReconcileResult<KubeletLocal>): Pod => {
  const w = writesOf(r.plan)[0];
  if (!w || w.verb !== 'update') throw new Error('expected a status update');
  expect(w.subresource).toBe('status');
  return w.object as Pod;
};
const condOf = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type);

/** Apply a status update to an object as the API server does (status replaced, resourceVersion bumped). */
const applied = (p: Pod, r: ReconcileResult<KubeletLocal>, rv: string): Pod => ({ ...p, metadata: { ...p.metadata, resourceVersion: rv }, status: statusOf(r).status });

const faultEntry = (seq: number, time: number, data: unknown): Envelope => ({ seq, time, type: 'FAULT', actor: 'system:chaos', cause: null, data });

describe('kubelet: pod lifecycle', () => {
  const nodes = [holding(node('node-a'), PRELOADED), holding(node('node-b'), PRELOADED)];

  it('writes the first status (ContainerCreating) with startTime, hostIP and the five conditions (no sandbox yet: PodReadyToStartContainers False)', () => {
    const p = pod('web-0', { node: 'node-a' });
    const r = run([...nodes, p], kubeletKey('node-a', 'default', 'web-0'), 1000);
    const w = writesOf(r.plan);
    expect(w).toHaveLength(1);
    const s = statusOf(r);
    expect(s.metadata?.resourceVersion).toBe('10');
    expect(s.status?.phase).toBe('Pending');
    expect(s.status?.startTime).toBe(timestamp(1000));
    expect(s.status?.hostIP).toBe('172.18.0.2');
    expect(s.status?.qosClass).toBe('BestEffort');
    expect(s.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['PodReadyToStartContainers', 'False', undefined],
      ['Initialized', 'True', undefined],
      ['Ready', 'False', 'ContainersNotReady'],
      ['ContainersReady', 'False', 'ContainersNotReady'],
      ['PodScheduled', 'True', undefined],
    ]);
    expect(condOf(s, 'Ready')?.message).toBe('containers with unready status: [nginx]');
    expect(condOf(s, 'PodScheduled')?.lastTransitionTime).toBe(timestamp(0)); // kept from bind
    expect(s.status?.containerStatuses).toEqual([
      { name: 'nginx', image: 'nginx:1.25', imageID: '', lastState: {}, restartCount: 0, ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } },
    ]);
  });

  it('stamps its status and its conditions with the pod\'s generation (PodObservedGenerationTracking); PodReadyToStartContainers True from the start, False once killed', () => {
    const key = kubeletKey('node-a', 'default', 'web-0');
    const p = pod('web-0', { node: 'node-a' });
    const genOf = (x: Pod) => ({ ...x, metadata: { ...x.metadata, generation: 1 } });
    const r = run([...nodes, genOf(p)], key, 1000);
    const s = statusOf(r) as Pod & { status: { observedGeneration?: number } };
    expect(s.status.observedGeneration).toBe(1);
    expect(s.status.conditions!.every((c) => (c as { observedGeneration?: number }).observedGeneration === 1)).toBe(true);
    const created = genOf(applied(p, r, '11'));
    const now = 1000 + seededBetween(SEED, 'uid-web-0', 500, 1500);
    const started = statusOf(run([...nodes, created], key, now));
    expect(condOf(started, 'PodReadyToStartContainers')).toEqual({ type: 'PodReadyToStartContainers', observedGeneration: 1, status: 'True', lastTransitionTime: timestamp(now) });
    expect(condOf(started, 'Initialized')?.lastTransitionTime).toBe(timestamp(1000)); // unchanged since the first status
    // A new generation (e.g. the deletion's bump) is acknowledged by a status write even when nothing else changed.
    const running: Pod = { ...started, metadata: { ...started.metadata, resourceVersion: '12', generation: 2 } };
    const ack = statusOf(run([...nodes, running], key, now + 10)) as Pod & { status: { observedGeneration?: number } };
    expect(ack.status.observedGeneration).toBe(2);
    expect(condOf(ack, 'Ready')).toMatchObject({ observedGeneration: 2, status: 'True' });
    const settled = { ...ack, metadata: { ...ack.metadata, resourceVersion: '13' } };
    expect(writesOf(run([...nodes, settled], key, now + 20).plan)).toEqual([]);
    // Killed at the end of a graceful deletion: the sandbox is gone.
    const deleting: Pod = { ...settled, metadata: { ...settled.metadata, deletionTimestamp: timestamp(now + 30), deletionGracePeriodSeconds: 0 } };
    const final = (writesOf(run([...nodes, deleting], key, now + 30).plan)[0] as { object: Pod }).object;
    expect(condOf(final, 'PodReadyToStartContainers')).toMatchObject({ status: 'False', lastTransitionTime: timestamp(now + 30) });
  });

  it('ignores pods of other nodes and derives a hostIP when the node has no InternalIP', () => {
    expect(run([pod('x', { node: 'node-a' })], kubeletKey('node-b', 'default', 'x'), 0)).toEqual({});
    const r = run([pod('x', { node: 'node-b' })], kubeletKey('node-b', 'default', 'x'), 0);
    expect(statusOf(r).status?.hostIP).toBe('172.18.0.3');
  });

  it('starts containers after the seeded delay counted from startTime, then Running with a pod IP and Ready', () => {
    const first = pod('web-0', { node: 'node-a' });
    const key = kubeletKey('node-a', 'default', 'web-0');
    const created = applied(first, run([...nodes, first], key, 1000), '11');
    const delay = seededBetween(SEED, 'uid-web-0', 500, 1500);
    const early = run([...nodes, created], key, 1100);
    expect(writesOf(early.plan)).toEqual([]);
    expect(early.requeueAfterMs).toBeCloseTo(1000 + delay - 1100, 6);
    const now = 1000 + delay;
    const r = run([...nodes, created], key, now);
    const s = statusOf(r);
    expect(s.metadata?.resourceVersion).toBe('11');
    expect(s.status?.phase).toBe('Running');
    expect(s.status?.podIP).toBe('10.64.0.2');
    expect(s.status?.podIPs).toEqual([{ ip: '10.64.0.2' }]);
    expect(s.status?.startTime).toBe(timestamp(1000));
    const cs = s.status!.containerStatuses![0]!;
    expect(cs.ready).toBe(true);
    expect(cs.started).toBe(true);
    expect(cs.state?.running?.startedAt).toBe(timestamp(now));
    expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    // As the runtime names the image it runs, with its repo digest.
    expect(cs.image).toBe('docker.io/library/nginx:1.25');
    expect(cs.imageID).toBe(simulatedImageId('nginx:1.25'));
    expect(cs.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(condOf(s, 'Ready')).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: timestamp(now) });
    expect(condOf(s, 'ContainersReady')?.status).toBe('True');
    expect(r.requeueAfterMs).toBeUndefined();
    // Once the status is written: the container events (the image is on the node), about spec.containers{nginx}.
    const ref = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'uid-web-0', fieldPath: 'spec.containers{nginx}' };
    expect(r.plan?.kind === 'seq' && r.plan.steps[0]?.kind).toBe('write');
    expect(eventsOf(r.plan)).toEqual([
      { type: 'Normal', reason: 'Pulled', message: 'Container image "nginx:1.25" already present on machine and can be accessed by the pod', involved: ref },
      { type: 'Normal', reason: 'Created', message: 'Container created', involved: ref },
      { type: 'Normal', reason: 'Started', message: 'Container started', involved: ref },
    ]);
  });

  it('imagePullPolicy Always: Pulling with the sandbox (ContainerCreating), Pulled after the startup delay; a second container pulls when the first has started', () => {
    const containers = [{ name: 'app', image: 'app', imagePullPolicy: 'Always' }, { name: 'side', image: 'side:latest', imagePullPolicy: 'Always' }];
    const first = pod('web-0', { node: 'node-a', containers });
    const key = kubeletKey('node-a', 'default', 'web-0');
    const admit = run([...nodes, first], key, 1000);
    expect(eventsOf(admit.plan).map((e) => [e.reason, e.message, e.involved.fieldPath])).toEqual([['Pulling', 'Pulling image "app"', 'spec.containers{app}']]);
    const created = applied(first, admit, '11');
    const now = 1000 + seededBetween(SEED, 'uid-web-0', 500, 1500);
    const pulled = goDuration(now - 1000).replace('.', '\\.');
    const evs = eventsOf(run([...nodes, created], key, now).plan).map((e) => [e.reason, e.message, e.involved.fieldPath]);
    expect(evs).toEqual([
      ['Pulled', expect.stringMatching(new RegExp(`^Successfully pulled image "app" in ${pulled} \\(${pulled} including waiting\\)\\. Image size: \\d+ bytes\\.$`)), 'spec.containers{app}'],
      ['Created', 'Container created', 'spec.containers{app}'],
      ['Started', 'Container started', 'spec.containers{app}'],
      ['Pulling', 'Pulling image "side:latest"', 'spec.containers{side}'],
      ['Pulled', expect.stringMatching(/^Successfully pulled image "side:latest" in 0s \(0s including waiting\)\. Image size: \d+ bytes\.$/), 'spec.containers{side}'],
      ['Created', 'Container created', 'spec.containers{side}'],
      ['Started', 'Container started', 'spec.containers{side}'],
    ]);
  });

  fcTest.prop([fc.uuid(), fc.integer({ min: 0, max: 2 ** 31 })])('the startup delay stays within podStartupMs', (uid, seed) => {
    const p = pod('w', { node: 'node-a', uid, status: { phase: 'Pending', startTime: timestamp(0), containerStatuses: [] } });
    const r = kubelet.reconcile({ snapshot: snap([node('node-a'), p]), key: kubeletKey('node-a', 'default', 'w'), now: 0, config, local: initialKubeletLocal(), seed });
    expect(r.requeueAfterMs).toBeGreaterThanOrEqual(500);
    expect(r.requeueAfterMs).toBeLessThanOrEqual(1500);
    expect(r.requeueAfterMs).toBeCloseTo(seededBetween(seed, uid, 500, 1500), 9);
  });

  it('allocates the lowest free host number per node, counting in-flight writes', () => {
    const creating = (name: string, n: string) => pod(name, { node: n, status: { phase: 'Pending', startTime: timestamp(0), containerStatuses: [] } });
    const running = pod('old', { node: 'node-a', status: { phase: 'Running', podIP: '10.64.0.2', startTime: timestamp(0) } });
    const gone = pod('done', { node: 'node-a', status: { phase: 'Failed', podIP: '10.64.0.3', startTime: timestamp(0) } });
    const a = creating('a', 'node-a'), b = creating('b', 'node-a'), c = creating('c', 'node-b');
    const objs = [...nodes, running, gone, a, b, c];
    const ra = run(objs, kubeletKey('node-a', 'default', 'a'), 5000);
    expect(statusOf(ra).status?.podIP).toBe('10.64.0.3');
    // b is reconciled before a's write reaches the cache: the reservation in local keeps them apart.
    const rb = run(objs, kubeletKey('node-a', 'default', 'b'), 5000, ra.local);
    expect(statusOf(rb).status?.podIP).toBe('10.64.0.4');
    const rc = run(objs, kubeletKey('node-b', 'default', 'c'), 5000, rb.local);
    expect(statusOf(rc).status?.podIP).toBe('10.64.1.2');
    // Once a's IP is visible the reservation is dropped.
    const seen = observeKubelet({ seq: 20, time: 5001, type: 'MODIFIED', actor: 'kubelet:node-a', cause: null, object: applied(a, ra, '20') }, a, rc.local!);
    expect(seen.pending.has('uid-a')).toBe(false);
    expect(seen.pending.get('uid-b')?.ip).toBe('10.64.0.4');
  });

  it('does not write again while a write based on the same resourceVersion is in flight', () => {
    const p = pod('web-0', { node: 'node-a' });
    const key = kubeletKey('node-a', 'default', 'web-0');
    const r1 = run([...nodes, p], key, 0);
    expect(run([...nodes, p], key, 1, r1.local)).toEqual({});
    // A failed write clears the marker, so the retry writes again.
    const cleared = r1.onDone!({ ok: false, succeeded: new Set(), failed: new Set(['status']) }, r1.local!);
    expect(writesOf(run([...nodes, p], key, 2, cleared).plan)).toHaveLength(1);
  });
});

describe('kubelet: images on the node (EnsureImageExists, shouldPullImage)', () => {
  const key = kubeletKey('node-a', 'default', 'web-0');
  const events = (r: ReconcileResult<KubeletLocal>) => eventsOf(r.plan).map((e) => [e.reason, e.message]);
  /** Admit the pod at `at` and start it after its delay: the two results and the running pod. */
  const admitAndStart = (objs: readonly KObject[], p: Pod, local = initialKubeletLocal(), at = 1000) => {
    const k = kubeletKey(p.spec!.nodeName!, 'default', p.metadata!.name!);
    const admit = run([...objs, p], k, at, local);
    const created = applied(p, admit, '11');
    const now = at + seededBetween(SEED, p.metadata!.uid!, 500, 1500);
    const start = run([...objs, created], k, now, admit.local ?? local);
    return { admit, start, now, running: applied(created, start, '12') };
  };

  it('IfNotPresent on a node without the image: Pulling with the sandbox, then pulled in the startup delay; remembered for the node', () => {
    const { admit, start, now } = admitAndStart([node('node-a'), node('node-b')], pod('web-0', { node: 'node-a' }));
    expect(events(admit)).toEqual([['Pulling', 'Pulling image "nginx:1.25"']]);
    const d = goDuration(now - 1000);
    expect(events(start)[0]).toEqual(['Pulled', `Successfully pulled image "nginx:1.25" in ${d} (${d} including waiting). Image size: ${simulatedImageSize('nginx:1.25')} bytes.`]);
    expect(start.local?.images.get('node-a')?.get('docker.io/library/nginx:1.25')).toBe(now);
    expect(start.local?.images.get('node-b')).toBeUndefined();
  });

  it('a second pod on the node finds the image present — after the first pod is gone too; a pod on another node pulls', () => {
    const nodes = [node('node-a'), node('node-b')];
    const first = admitAndStart(nodes, pod('web-0', { node: 'node-a' }));
    const again = admitAndStart([...nodes, first.running], pod('web-1', { node: 'node-a', uid: 'uid-web-1' }), first.start.local, 5000);
    expect(events(again.admit)).toEqual([]);
    expect(events(again.start)[0]).toEqual(['Pulled', 'Container image "nginx:1.25" already present on machine and can be accessed by the pod']);
    // The first pod deleted since: this kubelet still remembers the pull.
    const later = admitAndStart(nodes, pod('web-2', { node: 'node-a', uid: 'uid-web-2' }), first.start.local, 5000);
    expect(events(later.admit)).toEqual([]);
    const elsewhere = admitAndStart(nodes, pod('web-3', { node: 'node-b', uid: 'uid-web-3' }), first.start.local, 5000);
    expect(events(elsewhere.admit)).toEqual([['Pulling', 'Pulling image "nginx:1.25"']]);
  });

  it('a restarted kubelet learns the node\'s images from the started containers of its pods and from the node\'s status.images', () => {
    const nodes = [node('node-a'), node('node-b')];
    const first = admitAndStart(nodes, pod('web-0', { node: 'node-a' }));
    // A fresh incarnation: the running pod shows the image is on node-a.
    const next = admitAndStart([...nodes, first.running], pod('web-1', { node: 'node-a', uid: 'uid-web-1' }), initialKubeletLocal(), 5000);
    expect(events(next.admit)).toEqual([]);
    // Preloaded, named as the runtime names it (docker.io/library/…, with its digest).
    const preloaded = admitAndStart([holding(node('node-a'), ['nginx:1.25']), node('node-b')], pod('web-2', { node: 'node-a', uid: 'uid-web-2' }));
    expect(events(preloaded.admit)).toEqual([]);
    expect(events(preloaded.start)[0]?.[1]).toBe('Container image "nginx:1.25" already present on machine and can be accessed by the pod');
    // A pod started after this one was admitted does not count for its pull, which began at admission.
    const racing = admitAndStart(nodes, pod('web-3', { node: 'node-a', uid: 'uid-web-3' }));
    const created = applied(pod('web-3', { node: 'node-a', uid: 'uid-web-3' }), racing.admit, '11');
    const laterStart: Pod = { ...first.running, metadata: { ...first.running.metadata, name: 'web-9', uid: 'uid-web-9' } };
    const shifted = { ...laterStart, status: { ...laterStart.status, containerStatuses: laterStart.status!.containerStatuses!.map((c) => ({ ...c, state: { running: { startedAt: timestamp(1001) } } })) } };
    const r = run([...nodes, shifted, created], kubeletKey('node-a', 'default', 'web-3'), racing.now);
    expect(events(r)[0]?.[1]).toMatch(/^Successfully pulled image "nginx:1.25" in /);
  });

  it('containers of one pod: a second container of an image the first pulled finds it present; Always pulls each time; Never does not pull', () => {
    const containers: Container[] = [
      { name: 'a', image: 'redis:7', imagePullPolicy: 'IfNotPresent' }, { name: 'b', image: 'docker.io/library/redis:7', imagePullPolicy: 'IfNotPresent' },
      { name: 'c', image: 'redis:7', imagePullPolicy: 'Always' }, { name: 'd', image: 'busybox:1.36', imagePullPolicy: 'Never' },
    ];
    const { admit, start } = admitAndStart([holding(node('node-a'), ['busybox:1.36']), node('node-b')], pod('web-0', { node: 'node-a', containers }));
    expect(events(admit)).toEqual([['Pulling', 'Pulling image "redis:7"']]);
    expect(events(start).filter(([r]) => r === 'Pulling' || r === 'Pulled').map(([r, m]) => `${r}: ${m!.replace(/ in .*/, ' in …')}`)).toEqual([
      'Pulled: Successfully pulled image "redis:7" in …',
      'Pulled: Container image "docker.io/library/redis:7" already present on machine and can be accessed by the pod',
      'Pulling: Pulling image "redis:7"',
      'Pulled: Successfully pulled image "redis:7" in …',
      'Pulled: Container image "busybox:1.36" already present on machine and can be accessed by the pod',
    ]);
  });

  it('the node\'s status.images: a started container wakes the node\'s key; the image shows after the next image-cache refresh (30 s) and node status sync (10 s), with what the node listed, largest first', () => {
    const nodes = [holding(node('node-a'), ['busybox:1.36']), node('node-b')];
    const first = admitAndStart(nodes, pod('web-0', { node: 'node-a' }));
    const e: Envelope = { seq: 12, time: first.now, type: 'MODIFIED', actor: 'kubelet:node-a', cause: 11, object: first.running };
    const created = applied(pod('web-0', { node: 'node-a' }), first.admit, '11');
    expect(kubeletKeysFor(e, created, snap([...nodes, first.running]), config)).toEqual([key, 'node-a|/']);
    // A status write that starts nothing does not.
    expect(kubeletKeysFor({ ...e, seq: 13 }, first.running, snap([...nodes, first.running]), config)).toEqual([key]);
    const due = imageReportedAt(SEED, 'node-a', first.now);
    expect(due - first.now).toBeGreaterThanOrEqual(0);
    expect(due - first.now).toBeLessThan(40_000);
    const early = run([...nodes, first.running], 'node-a|/', first.now, first.start.local);
    expect(writesOf(early.plan)).toEqual([]);
    if (due > first.now) expect(early.requeueAfterMs).toBeCloseTo(due - first.now, 6);
    const r = run([...nodes, first.running], 'node-a|/', due, first.start.local);
    expect(writesOf(r.plan)).toEqual([{
      verb: 'patch', kind: 'Node', namespace: '', name: 'node-a', subresource: 'status',
      patch: { status: { images: nodeImages(['busybox:1.36', 'nginx:1.25']) } },
    }]);
    // Listed: nothing more to write — also for a restarted kubelet (its pods show the same images).
    const reported = holding(node('node-a'), ['busybox:1.36', 'nginx:1.25']);
    expect(writesOf(run([reported, node('node-b'), first.running], 'node-a|/', due + 1, first.start.local).plan)).toEqual([]);
    expect(writesOf(run([reported, node('node-b'), first.running], 'node-a|/', due + 1).plan)).toEqual([]);
    // A node the kubelet does not find, or one that holds nothing new, is left alone.
    expect(run([node('node-b')], 'node-a|/', due).plan).toBeUndefined();
    // A full list (50 images, all larger) that the new image does not make it into is not written again.
    const full: Node = { ...node('node-a'), status: { ...node('node-a').status, images: Array.from({ length: 50 }, (_, i) => ({ names: [`docker.io/library/big${i}:1`], sizeBytes: 2e9 - i })) } };
    expect(writesOf(run([full, node('node-b'), first.running], 'node-a|/', due, first.start.local).plan)).toEqual([]);
  });

  it('an image no registry has: ErrImagePull, then the image pull back-off (10 s doubling) — BackOff and ImagePullBackOff in between, another failed pull past it', () => {
    const nodes = [node('node-a'), node('node-b')];
    const cfg = { ...config, missingImages: ['docker.io/library/nginx:9.9-bad'] };
    const bad = pod('web-0', { node: 'node-a', containers: [{ name: 'nginx', image: 'nginx:9.9-bad', imagePullPolicy: 'IfNotPresent' }] });
    const admit = run([...nodes, bad], key, 1000, initialKubeletLocal(), cfg);
    expect(events(admit)).toEqual([['Pulling', 'Pulling image "nginx:9.9-bad"']]);
    const created = applied(bad, admit, '11');
    const t0 = 1000 + seededBetween(SEED, 'uid-web-0', 500, 1500);
    const start = run([...nodes, created], key, t0, admit.local, cfg);
    const error = 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:9.9-bad": failed to resolve reference "docker.io/library/nginx:9.9-bad": docker.io/library/nginx:9.9-bad: not found';
    expect(eventsOf(start.plan).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Warning', 'Failed', `Failed to pull image "nginx:9.9-bad": ${error}`], ['Warning', 'Failed', 'Error: ErrImagePull'],
    ]);
    let p = applied(created, start, '12');
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.podIP).toBe('10.64.0.2');
    expect(p.status?.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'ErrImagePull', message: error } });
    expect(printPod(p).reason).toBe('ErrImagePull');
    expect(condOf(p, 'PodReadyToStartContainers')?.status).toBe('True'); // the sandbox is up
    expect(start.local?.images.get('node-a')).toBeUndefined(); // nothing was pulled
    // Woken in between (its own status write): nothing.
    expect(run([...nodes, p], key, t0 + 1, start.local, cfg).plan).toBeUndefined();
    // Past the first back-off (10 s): another pull, another failure; the back-off doubles.
    const t1 = t0 + 11_000;
    const second = run([...nodes, p], key, t1, start.local, cfg);
    expect(writesOf(second.plan)).toEqual([]);
    expect(events(second)).toEqual([['Pulling', 'Pulling image "nginx:9.9-bad"'], ['Failed', `Failed to pull image "nginx:9.9-bad": ${error}`], ['Failed', 'Error: ErrImagePull']]);
    expect(second.local?.pullBackoff.get('uid-web-0/docker.io/library/nginx:9.9-bad')).toEqual({ at: t1, periodMs: 20_000 });
    // Within it (12 s < 20 s): ImagePullBackOff.
    const third = run([...nodes, p], key, t1 + 12_000, second.local, cfg);
    p = applied(p, third, '13');
    expect(p.status?.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:9.9-bad"' } });
    expect(printPod(p).reason).toBe('ImagePullBackOff');
    expect(condOf(p, 'PodReadyToStartContainers')?.status).toBe('True');
    expect(eventsOf(third.plan).map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'BackOff', 'Back-off pulling image "nginx:9.9-bad"'], ['Warning', 'Failed', 'Error: ImagePullBackOff'],
    ]);
    expect(third.requeueAfterMs).toBeGreaterThanOrEqual(10_000);
    // Past it: ErrImagePull again, back-off 40 s.
    const fourth = run([...nodes, p], key, t1 + 24_000, third.local, cfg);
    expect(statusOf(fourth).status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ErrImagePull');
    expect(fourth.local?.pullBackoff.get('uid-web-0/docker.io/library/nginx:9.9-bad')?.periodMs).toBe(40_000);
  });

  it('two containers of one missing image: the first one\'s failed pull starts the pod\'s back-off for the image, which the second meets (ImagePullBackOff)', () => {
    const nodes = [node('node-a'), node('node-b')];
    const cfg = { ...config, missingImages: ['docker.io/library/app:0-bad'] };
    const containers: Container[] = [{ name: 'a', image: 'app:0-bad', imagePullPolicy: 'IfNotPresent' }, { name: 'b', image: 'docker.io/library/app:0-bad', imagePullPolicy: 'IfNotPresent' }];
    const bad = pod('web-0', { node: 'node-a', containers });
    const admit = run([...nodes, bad], key, 1000, initialKubeletLocal(), cfg);
    const t0 = 1000 + seededBetween(SEED, 'uid-web-0', 500, 1500);
    const start = run([...nodes, applied(bad, admit, '11')], key, t0, admit.local, cfg);
    expect(statusOf(start).status?.containerStatuses?.map((c) => c.state?.waiting?.reason)).toEqual(['ErrImagePull', 'ImagePullBackOff']);
    expect(eventsOf(start.plan).map((e) => `${e.reason} ${e.involved.fieldPath} ${e.message.replace(/: rpc error.*/, ': …')}`)).toEqual([
      'Failed spec.containers{a} Failed to pull image "app:0-bad": …', 'Failed spec.containers{a} Error: ErrImagePull',
      'BackOff spec.containers{b} Back-off pulling image "docker.io/library/app:0-bad"', 'Failed spec.containers{b} Error: ImagePullBackOff',
    ]);
    expect(start.local?.pullBackoff.get('uid-web-0/docker.io/library/app:0-bad')).toEqual({ at: t0, periodMs: 10_000 });
  });

  it('Never with the image absent: the container waits in ErrImageNeverPull (Warning at each pod-worker retry), the pod Pending with its sandbox; it starts once the node holds the image', () => {
    const nodes = [node('node-a'), node('node-b')];
    const containers: Container[] = [{ name: 'app', image: 'app:1', imagePullPolicy: 'Never' }, { name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' }];
    const { admit, start, now, running } = admitAndStart(nodes, pod('web-0', { node: 'node-a', containers }));
    expect(events(admit)).toEqual([]); // the first container does not pull
    const message = 'Container image "app:1" is not present with pull policy of Never';
    expect(events(start)).toEqual([
      ['ErrImageNeverPull', message],
      ['Pulling', 'Pulling image "nginx:1.25"'], ['Pulled', expect.stringMatching(/^Successfully pulled image "nginx:1.25" in 0s/)], ['Created', 'Container created'], ['Started', 'Container started'],
    ]);
    expect(eventsOf(start.plan)[0]).toMatchObject({ type: 'Warning', involved: { fieldPath: 'spec.containers{app}' } });
    const s = running;
    expect(s.status?.phase).toBe('Pending');
    expect(s.status?.podIP).toBe('10.64.0.2');
    expect(s.status?.containerStatuses?.[0]).toMatchObject({ name: 'app', ready: false, started: false, state: { waiting: { reason: 'ErrImageNeverPull', message } } });
    expect(s.status?.containerStatuses?.[1]?.state?.running).toBeDefined();
    expect(condOf(s, 'PodReadyToStartContainers')?.status).toBe('True');
    expect(condOf(s, 'ContainersReady')).toMatchObject({ status: 'False', message: 'containers with unready status: [app]' });
    expect(printPod(s).reason).toBe('ErrImageNeverPull');
    // The pod worker tries again 10–15 s later: the Warning again, nothing else written.
    expect(start.requeueAfterMs).toBeGreaterThanOrEqual(10_000);
    expect(start.requeueAfterMs).toBeLessThanOrEqual(15_000);
    const retry = run([...nodes, s], key, now + start.requeueAfterMs!, start.local);
    expect(writesOf(retry.plan)).toEqual([]);
    expect(events(retry)).toEqual([['ErrImageNeverPull', message]]);
    expect(retry.requeueAfterMs).toBeGreaterThanOrEqual(10_000);
    // A wake-up in between records nothing (one try per backOffPeriod).
    expect(events(run([...nodes, s], key, now + 1, start.local))).toEqual([]);
    // Another pod pulled app:1 on the node: the next try starts the container, the pod is Running.
    const pulledHere = { ...retry.local!, images: new Map([['node-a', new Map([['docker.io/library/app:1', now + 2]])]]) };
    const up = run([...nodes, s], key, now + 20_000, pulledHere);
    const u = statusOf(up);
    expect(u.status?.phase).toBe('Running');
    expect(u.status?.containerStatuses?.[0]?.state?.running?.startedAt).toBe(timestamp(now + 20_000));
    expect(events(up)).toEqual([
      ['Pulled', 'Container image "app:1" already present on machine and can be accessed by the pod'], ['Created', 'Container created'], ['Started', 'Container started'],
    ]);
  });
});

describe('kubelet: init containers and sidecars', () => {
  const nodes = [holding(node('node-a'), PRELOADED), holding(node('node-b'), PRELOADED)];
  const key = kubeletKey('node-a', 'default', 'db-0');
  const withInits = (o: PodOpts = {}): Pod => {
    const p = pod('db-0', { node: 'node-a', ...o });
    return { ...p, spec: { ...p.spec!, initContainers: [{ name: 'init-perms', image: 'busybox:1.36' }, { name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always' }] } };
  };
  const initOf = (p: Pod, name: string) => p.status?.initContainerStatuses?.find((s) => s.name === name);
  const conds = (p: Pod) => p.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message]);

  it('an init container under Never on a node without its image waits in ErrImageNeverPull (Init:ErrImageNeverPull) with the sandbox up; tried again until the node holds it', () => {
    const bare = [node('node-a'), node('node-b')];
    const p0 = withInits();
    const first: Pod = { ...p0, spec: { ...p0.spec!, initContainers: [{ name: 'init-perms', image: 'busybox:1.36', imagePullPolicy: 'Never' }] } };
    const admit = run([...bare, first], key, 1000);
    expect(eventsOf(admit.plan)).toEqual([]);
    let p = applied(first, admit, '11');
    const t2 = 1000 + seededBetween(SEED, 'uid-db-0', 500, 1500);
    const box = run([...bare, p], key, t2);
    const s2 = statusOf(box);
    const message = 'Container image "busybox:1.36" is not present with pull policy of Never';
    expect(s2.status?.phase).toBe('Pending');
    expect(s2.status?.podIP).toBe('10.64.0.2');
    expect(s2.status?.initContainerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'ErrImageNeverPull', message } });
    expect(condOf(s2, 'PodReadyToStartContainers')?.status).toBe('True');
    expect(printPod(s2).reason).toBe('Init:ErrImageNeverPull');
    expect(eventsOf(box.plan).map((e) => [e.type, e.reason, e.message, e.involved.fieldPath])).toEqual([['Warning', 'ErrImageNeverPull', message, 'spec.initContainers{init-perms}']]);
    expect(box.requeueAfterMs).toBeGreaterThanOrEqual(10_000);
    expect(box.requeueAfterMs).toBeLessThanOrEqual(15_000);
    // The retry: the Warning again, no status write; a wake-up in between records nothing.
    p = applied(p, box, '12');
    expect(eventsOf(run([...bare, p], key, t2 + 1, box.local).plan)).toEqual([]);
    const again = run([...bare, p], key, t2 + box.requeueAfterMs!, box.local);
    expect(writesOf(again.plan)).toEqual([]);
    expect(eventsOf(again.plan).map((e) => e.reason)).toEqual(['ErrImageNeverPull']);
    // Once the node holds the image the init container runs.
    const held = [holding(node('node-a'), ['busybox:1.36']), node('node-b')];
    const go = run([...held, p], key, t2 + 30_000, again.local);
    expect(statusOf(go).status?.initContainerStatuses?.[0]?.state?.running).toBeDefined();
    expect(eventsOf(go.plan).map((e) => `${e.reason}: ${e.message}`)[0]).toBe('Pulled: Container image "busybox:1.36" already present on machine and can be accessed by the pod');
  });

  it('an init container whose image no registry has: Init:ErrImagePull, then Init:ImagePullBackOff on the pull back-off; the pod waits behind it', () => {
    const cfg = { ...config, missingImages: ['docker.io/library/busybox:0.0-bad'] };
    const p0 = withInits();
    const first: Pod = { ...p0, spec: { ...p0.spec!, initContainers: [{ name: 'init-perms', image: 'busybox:0.0-bad', imagePullPolicy: 'IfNotPresent' }] } };
    const admit = run([...nodes, first], key, 1000, initialKubeletLocal(), cfg);
    expect(eventsOf(admit.plan).map((e) => e.reason)).toEqual(['Pulling']);
    let p = applied(first, admit, '11');
    const t0 = 1000 + seededBetween(SEED, 'uid-db-0', 500, 1500);
    const box = run([...nodes, p], key, t0, admit.local, cfg);
    const s1 = statusOf(box);
    expect(s1.status?.phase).toBe('Pending');
    expect(s1.status?.podIP).toBe('10.64.0.2');
    expect(s1.status?.initContainerStatuses?.[0]?.state?.waiting?.reason).toBe('ErrImagePull');
    expect(printPod(s1).reason).toBe('Init:ErrImagePull');
    expect(condOf(s1, 'PodReadyToStartContainers')?.status).toBe('True');
    expect(eventsOf(box.plan).map((e) => [e.reason, e.message.replace(/: rpc error.*/, ': …'), e.involved.fieldPath])).toEqual([
      ['Failed', 'Failed to pull image "busybox:0.0-bad": …', 'spec.initContainers{init-perms}'], ['Failed', 'Error: ErrImagePull', 'spec.initContainers{init-perms}'],
    ]);
    p = applied(p, box, '12');
    // Its own write's echo: nothing. Past the first back-off (10 s): another failed pull; within the next: ImagePullBackOff.
    expect(run([...nodes, p], key, t0 + 1, box.local, cfg).plan).toBeUndefined();
    const again = run([...nodes, p], key, t0 + 11_000, box.local, cfg);
    expect(eventsOf(again.plan).map((e) => e.reason)).toEqual(['Pulling', 'Failed', 'Failed']);
    const backoff = run([...nodes, p], key, t0 + 23_000, again.local, cfg);
    const s2 = statusOf(backoff);
    expect(s2.status?.initContainerStatuses?.[0]?.state?.waiting).toEqual({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "busybox:0.0-bad"' });
    expect(printPod(s2).reason).toBe('Init:ImagePullBackOff');
    expect(s2.status?.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(eventsOf(backoff.plan).map((e) => [e.reason, e.message])).toEqual([['BackOff', 'Back-off pulling image "busybox:0.0-bad"'], ['Failed', 'Error: ImagePullBackOff']]);
  });

  it('runs init containers one at a time in a Pending pod, then starts the sidecar and the containers (GeneratePodInitializedCondition)', () => {
    // 1. Admission: every container waits in PodInitializing; Initialized False.
    const first = withInits();
    const admit = run([...nodes, first], key, 1000);
    const s1 = statusOf(admit);
    expect(s1.status?.phase).toBe('Pending');
    expect(s1.status?.initContainerStatuses?.map((s) => s.state)).toEqual([{ waiting: { reason: 'PodInitializing' } }, { waiting: { reason: 'PodInitializing' } }]);
    expect(s1.status?.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(conds(s1)).toEqual([
      ['PodReadyToStartContainers', 'False', undefined, undefined],
      ['Initialized', 'False', 'ContainersNotInitialized', 'containers with incomplete status: [init-perms proxy]'],
      ['Ready', 'False', 'ContainersNotReady', 'containers with unready status: [proxy nginx]'],
      ['ContainersReady', 'False', 'ContainersNotReady', 'containers with unready status: [proxy nginx]'],
      ['PodScheduled', 'True', undefined, undefined],
    ]);
    // 2. After the startup delay: the sandbox (IP) and the first init container, still Pending.
    let p = applied(first, admit, '11');
    const t2 = 1000 + seededBetween(SEED, 'uid-db-0', 500, 1500);
    expect(run([...nodes, p], key, t2 - 1).requeueAfterMs).toBeCloseTo(1, 6);
    const box = run([...nodes, p], key, t2);
    const s2 = statusOf(box);
    expect(s2.status?.phase).toBe('Pending');
    expect(s2.status?.podIP).toBe('10.64.0.2');
    expect(initOf(s2, 'init-perms')).toMatchObject({ ready: false, started: true, state: { running: { startedAt: timestamp(t2) } } });
    expect(initOf(s2, 'proxy')?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(condOf(s2, 'PodReadyToStartContainers')?.status).toBe('True');
    expect(condOf(s2, 'Initialized')?.message).toBe('containers with incomplete status: [init-perms proxy]');
    expect(eventsOf(box.plan).map((e) => [e.reason, e.involved.fieldPath])).toEqual([
      ['Pulled', 'spec.initContainers{init-perms}'], ['Created', 'spec.initContainers{init-perms}'], ['Started', 'spec.initContainers{init-perms}'],
    ]);
    const runFor = seededBetween(SEED, 'uid-db-0/init-perms', 500, 1500);
    expect(box.requeueAfterMs).toBeCloseTo(runFor, 6);
    // 3. The init container completes and the sidecar starts: Initialized, the containers still waiting (PodInitializing).
    p = applied(p, box, '12');
    const t3 = t2 + runFor;
    expect(writesOf(run([...nodes, p], key, t3 - 1).plan)).toEqual([]);
    const inited = run([...nodes, p], key, t3);
    const s3 = statusOf(inited);
    expect(s3.status?.phase).toBe('Pending');
    expect(initOf(s3, 'init-perms')).toMatchObject({ ready: true, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: timestamp(t2), finishedAt: timestamp(t3) } } });
    expect(initOf(s3, 'proxy')).toMatchObject({ ready: true, started: true, state: { running: { startedAt: timestamp(t3) } } });
    expect(s3.status?.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(conds(s3)?.map((c) => [c[0], c[1]])).toEqual([['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'False'], ['ContainersReady', 'False'], ['PodScheduled', 'True']]);
    expect(eventsOf(inited.plan).map((e) => `${e.reason} ${e.involved.fieldPath}`)).toEqual(['Pulled spec.initContainers{proxy}', 'Created spec.initContainers{proxy}', 'Started spec.initContainers{proxy}']);
    // 4. The next sync starts the containers: Running and Ready.
    p = applied(p, inited, '13');
    const up = run([...nodes, p], key, t3 + 1);
    const s4 = statusOf(up);
    expect(s4.status?.phase).toBe('Running');
    expect(s4.status?.containerStatuses?.[0]).toMatchObject({ ready: true, state: { running: { startedAt: timestamp(t3 + 1) } } });
    expect(conds(s4)?.map((c) => [c[0], c[1]])).toEqual([['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True']]);
    expect(eventsOf(up.plan).map((e) => `${e.reason} ${e.involved.fieldPath}`)).toEqual(['Pulled spec.containers{nginx}', 'Created spec.containers{nginx}', 'Started spec.containers{nginx}']);
    // 5. Deleted: the containers, then the sidecar, are stopped; the completed init container stays as it was.
    p = applied(p, up, '14');
    const deleting: Pod = { ...p, metadata: { ...p.metadata, deletionTimestamp: timestamp(t3 + 5000), deletionGracePeriodSeconds: 5 } };
    const kill = run([...nodes, deleting], key, t3 + 1);
    expect(eventsOf(kill.plan).map((e) => `${e.reason} ${e.involved.fieldPath}`)).toEqual(['Killing spec.containers{nginx}', 'Killing spec.initContainers{proxy}']);
    // The grace period runs from the kill (t3 + 1), not from the deletion.
    expect(writesOf(run([...nodes, deleting], key, t3 + 5000, kill.local).plan)).toEqual([]);
    const end = statusOf(run([...nodes, deleting], key, t3 + 5001, kill.local));
    expect(initOf(end, 'proxy')?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(initOf(end, 'init-perms')?.state?.terminated?.reason).toBe('Completed');
    expect(condOf(end, 'PodReadyToStartContainers')?.status).toBe('False');
  });

  it('a sidecar with a startup probe holds the containers after it until the probe succeeds (computeInitContainerActions waits for started)', () => {
    const base = withInits();
    const probed: Pod = { ...base, spec: { ...base.spec!, initContainers: [base.spec!.initContainers![1]!].map((c) => ({ ...c, startupProbe: { tcpSocket: { port: 9901 }, initialDelaySeconds: 5, periodSeconds: 5 } })) } };
    let p = applied(probed, run([...nodes, probed], key, 1000), '11');
    const t2 = 1000 + seededBetween(SEED, 'uid-db-0', 500, 1500);
    const box = run([...nodes, p], key, t2);
    expect(initOf(statusOf(box), 'proxy')).toMatchObject({ started: false, ready: false, state: { running: {} } });
    p = applied(p, box, '12');
    // Running but not started: the next sync leaves the containers waiting (Initialized False) until the probe's first success.
    const early = run([...nodes, p], key, t2 + 1);
    expect(writesOf(early.plan)).toEqual([]);
    const startAt = parseTimestamp(timestamp(t2))! + 10_000;
    expect(early.requeueAfterMs).toBeCloseTo(startAt - (t2 + 1), 6);
    expect(condOf(statusOf(box), 'Initialized')).toMatchObject({ status: 'False', message: 'containers with incomplete status: [proxy]' });
    const started = run([...nodes, p], key, startAt);
    const s = statusOf(started);
    expect(initOf(s, 'proxy')).toMatchObject({ started: true, ready: true });
    expect(s.status?.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(condOf(s, 'Initialized')?.status).toBe('True');
    // The sync after it starts the containers.
    p = applied(p, started, '13');
    const up = statusOf(run([...nodes, p], key, startAt + 1));
    expect(up.status?.phase).toBe('Running');
  });

  it('a sidecar with a readiness probe keeps the pod unready until it passes; a pod deleted mid-init has its init container killed', () => {
    const base = withInits();
    const probed: Pod = { ...base, spec: { ...base.spec!, initContainers: [base.spec!.initContainers![1]!].map((c) => ({ ...c, readinessProbe: { httpGet: { path: '/', port: 9901 }, periodSeconds: 5 } })) } };
    const admit = run([...nodes, probed], key, 1000);
    let p = applied(probed, admit, '11');
    const t2 = 1000 + seededBetween(SEED, 'uid-db-0', 500, 1500);
    const withSidecar = run([...nodes, p], key, t2);
    expect(statusOf(withSidecar).status?.phase).toBe('Pending'); // the sandbox and the sidecar; the container at the next sync
    p = applied(p, withSidecar, '11b');
    const up = run([...nodes, p], key, t2);
    const s = statusOf(up);
    expect(s.status?.phase).toBe('Running');
    expect(initOf(s, 'proxy')).toMatchObject({ ready: false, started: true });
    expect(condOf(s, 'Ready')).toMatchObject({ status: 'False', message: 'containers with unready status: [proxy]' });
    const readyAt = parseTimestamp(timestamp(t2))! + 5000; // startedAt is kept to the millisecond
    expect(up.requeueAfterMs).toBeCloseTo(readyAt - t2, 6);
    p = applied(p, up, '12');
    expect(writesOf(run([...nodes, p], key, readyAt - 1).plan)).toEqual([]);
    const later = statusOf(run([...nodes, p], key, readyAt));
    expect(initOf(later, 'proxy')?.ready).toBe(true);
    expect(condOf(later, 'Ready')?.status).toBe('True');
    // Mid-init deletion: the running init container gets the Killing and its grace period.
    const fresh = applied(withInits(), run([...nodes, withInits()], key, 1000), '11');
    const box = applied(fresh, run([...nodes, fresh], key, t2), '12');
    const deleting: Pod = { ...box, metadata: { ...box.metadata, deletionTimestamp: timestamp(t2 + 3000), deletionGracePeriodSeconds: 3 } };
    const wait = run([...nodes, deleting], key, t2 + 10);
    expect(eventsOf(wait.plan).map((e) => `${e.reason} ${e.involved.fieldPath}`)).toEqual(['Killing spec.initContainers{init-perms}']);
    expect(wait.requeueAfterMs).toBe(3000);
    const end = statusOf(run([...nodes, deleting], key, t2 + 3010, wait.local));
    expect(end.status?.phase).toBe('Failed');
    expect(initOf(end, 'init-perms')?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(end.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe('ContainerStatusUnknown');
  });
});

describe('kubelet: readiness probes', () => {
  const probe: Container = { name: 'nginx', image: 'nginx:1.25', readinessProbe: { initialDelaySeconds: 5, periodSeconds: 10, tcpSocket: { port: 80 } } };

  it('keeps Ready False until initialDelaySeconds + one period after startedAt, then flips it once', () => {
    const starting = pod('web-0', { node: 'node-a', containers: [probe], status: { phase: 'Pending', startTime: timestamp(0), containerStatuses: [] } });
    const key = kubeletKey('node-a', 'default', 'web-0');
    const t0 = 2000;
    const r = run([node('node-a'), starting], key, t0);
    const s = statusOf(r);
    expect(s.status?.phase).toBe('Running');
    expect(s.status?.containerStatuses?.[0]?.ready).toBe(false);
    expect(condOf(s, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [nginx]' });
    expect(r.requeueAfterMs).toBe(15_000);
    const runningPod = applied(starting, r, '12');
    const notYet = run([node('node-a'), runningPod], key, t0 + 14_999);
    expect(writesOf(notYet.plan)).toEqual([]);
    expect(notYet.requeueAfterMs).toBe(1);
    const ready = run([node('node-a'), runningPod], key, t0 + 15_000);
    const rs = statusOf(ready);
    expect(rs.status?.containerStatuses?.[0]?.ready).toBe(true);
    expect(condOf(rs, 'Ready')).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: timestamp(t0 + 15_000) });
    // PodScheduled and Initialized keep their transition times.
    expect(condOf(rs, 'Initialized')?.lastTransitionTime).toBe(timestamp(t0));
    const after = applied(runningPod, ready, '13');
    expect(run([node('node-a'), after], key, t0 + 60_000)).toEqual({ workUnits: 1 });
  });

  it('defaults to a 10 s period and no initial delay; a pod without probes is ready at once', () => {
    const c: Container = { name: 'app', image: 'x', readinessProbe: { httpGet: { path: '/', port: 80 } } };
    const p = pod('p', { node: 'node-a', containers: [c, { name: 'side', image: 'y' }], status: { phase: 'Pending', startTime: timestamp(0), containerStatuses: [] } });
    const r = run([node('node-a'), p], kubeletKey('node-a', 'default', 'p'), 3000);
    const s = statusOf(r);
    expect(s.status?.containerStatuses?.map((x) => [x.name, x.ready])).toEqual([['app', false], ['side', true]]);
    expect(condOf(s, 'ContainersReady')?.message).toBe('containers with unready status: [app]');
    expect(r.requeueAfterMs).toBe(10_000);
  });
});

describe('kubelet: startup probes', () => {
  const key = kubeletKey('node-a', 'default', 'web-0');

  it('a container with a startup probe is started (and may turn ready) only at its first success; readiness probes wait for it', () => {
    const c: Container = {
      name: 'db', image: 'postgres:16', startupProbe: { exec: { command: ['pg_isready'] }, initialDelaySeconds: 20, periodSeconds: 5 },
      readinessProbe: { exec: { command: ['pg_isready'] }, periodSeconds: 10 },
    };
    const starting = pod('web-0', { node: 'node-a', containers: [c, { name: 'plain', image: 'busybox' }], status: { phase: 'Pending', startTime: timestamp(0), containerStatuses: [] } });
    const t0 = 2000;
    const r = run([node('node-a'), starting], key, t0);
    const s = statusOf(r);
    expect(s.status?.phase).toBe('Running');
    expect(s.status?.containerStatuses?.map((x) => [x.name, x.started, x.ready])).toEqual([['db', false, false], ['plain', true, true]]);
    // Its first success: initialDelaySeconds + one periodSeconds after the start.
    expect(r.requeueAfterMs).toBe(25_000);
    const running = applied(starting, r, '12');
    expect(writesOf(run([node('node-a'), running], key, t0 + 24_999).plan)).toEqual([]);
    const started = run([node('node-a'), running], key, t0 + 25_000);
    const s2 = statusOf(started);
    expect(s2.status?.containerStatuses?.[0]).toMatchObject({ started: true, ready: false });
    expect(condOf(s2, 'Ready')?.status).toBe('False');
    // The readiness probe's first success: one of its periods after the startup probe's.
    expect(started.requeueAfterMs).toBe(10_000);
    const afterStart = applied(running, started, '13');
    const ready = statusOf(run([node('node-a'), afterStart], key, t0 + 35_000));
    expect(ready.status?.containerStatuses?.[0]).toMatchObject({ started: true, ready: true });
    expect(condOf(ready, 'Ready')).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: timestamp(t0 + 35_000) });
  });

  it('without a readiness probe the container is ready as soon as its startup probe succeeds; a readiness fault cannot make it ready before', () => {
    const c: Container = { name: 'app', image: 'x', startupProbe: { httpGet: { path: '/', port: 80 } } };
    const starting = pod('web-0', { node: 'node-a', containers: [c], status: { phase: 'Pending', startTime: timestamp(0), containerStatuses: [] } });
    const r = run([node('node-a'), starting], key, 3000);
    expect(statusOf(r).status?.containerStatuses?.[0]).toMatchObject({ started: false, ready: false });
    expect(r.requeueAfterMs).toBe(10_000);
    const running = applied(starting, r, '12');
    expect(statusOf(run([node('node-a'), running], key, 13_000)).status?.containerStatuses?.[0]).toMatchObject({ started: true, ready: true });
  });
});

describe('kubelet: graceful termination', () => {
  const runningPod = (deletionAt: number, extra: PodOpts = {}) => pod('web-1', {
    node: 'node-a', deletionTimestamp: timestamp(deletionAt), ...extra,
    status: {
      phase: 'Running', podIP: '10.64.0.3', startTime: timestamp(0),
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: timestamp(100) }],
      containerStatuses: [{ name: 'nginx', image: 'nginx:1.25', imageID: '', containerID: 'containerd://abc', ready: true, restartCount: 0, started: true, state: { running: { startedAt: timestamp(50) } } }],
    },
  });
  const key = kubeletKey('node-a', 'default', 'web-1');

  it('waits out the deletion grace period from when it begins to stop the containers, then writes the terminal status and deletes with grace 0', () => {
    // Deleted at 10 s with grace 10 s (deletionTimestamp 20 s); the kubelet sees it at 10.002 s.
    const p = runningPod(20_000);
    const early = run([node('node-a'), p], key, 10_002);
    expect(writesOf(early.plan)).toEqual([]);
    expect(early.requeueAfterMs).toBe(10_000);
    expect(early.local?.killing.get('uid-web-1')).toBe(20_002);
    // The stop signal goes at once: one Killing per running container, once per kubelet incarnation.
    expect(eventsOf(early.plan)).toEqual([{
      type: 'Normal', reason: 'Killing', message: 'Stopping container nginx',
      involved: { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'uid-web-1', fieldPath: 'spec.containers{nginx}' },
    }]);
    expect(run([node('node-a'), p], key, 13_002, early.local)).toEqual({ requeueAfterMs: 7000, workUnits: 1 });
    // Past the deletionTimestamp, the containers still have until the kubelet's own deadline.
    expect(run([node('node-a'), p], key, 20_000, early.local)).toEqual({ requeueAfterMs: 2, workUnits: 1 });
    const done = run([node('node-a'), p], key, 20_002, early.local);
    expect(eventsOf(done.plan)).toEqual([]);
    expect(writesOf(done.plan).map((x) => x.verb)).toEqual(['update', 'delete']);
    // A kubelet that restarted meanwhile (no memory of it) kills them again, with the whole grace period
    // ([podWorkers calculateEffectiveGracePeriod]: the grace runs from the kill, not from the deletion).
    const again = run([node('node-a'), p], key, 20_000);
    expect(eventsOf(again.plan).map((e) => e.reason)).toEqual(['Killing']);
    expect(writesOf(again.plan)).toEqual([]);
    expect(again.requeueAfterMs).toBe(10_000);
    const r = run([node('node-a'), p], key, 30_000, again.local);
    const w = writesOf(r.plan);
    expect(w.map((x) => x.verb)).toEqual(['update', 'delete']);
    const s = (w[0] as { object: Pod }).object;
    expect(s.status?.phase).toBe('Failed');
    expect(s.status?.podIP).toBe('10.64.0.3');
    expect(s.status?.containerStatuses?.[0]).toMatchObject({
      ready: false, started: false,
      state: { terminated: { exitCode: 137, reason: 'Error', startedAt: timestamp(50), finishedAt: timestamp(30_000), containerID: 'containerd://abc' } },
    });
    expect(condOf(s, 'Ready')).toMatchObject({ status: 'False', reason: 'PodFailed', lastTransitionTime: timestamp(30_000) });
    expect(w[1]).toEqual({ verb: 'delete', kind: 'Pod', namespace: 'default', name: 'web-1', gracePeriodSeconds: 0, preconditions: { uid: 'uid-web-1' } });
  });

  it('a second deletion with a shorter grace period brings the kill forward; a longer one does not delay it', () => {
    const began = run([node('node-a'), runningPod(20_000)], key, 10_000);
    expect(began.requeueAfterMs).toBe(10_000);
    // Deleted again at 12 s with grace 2 s: killed at 14 s.
    const shorter = run([node('node-a'), runningPod(14_000, { grace: 2 })], key, 12_000, began.local);
    expect(eventsOf(shorter.plan)).toEqual([]);
    expect(shorter.requeueAfterMs).toBe(2000);
    expect(shorter.local?.killing.get('uid-web-1')).toBe(14_000);
    expect(writesOf(run([node('node-a'), runningPod(14_000, { grace: 2 })], key, 14_000, shorter.local).plan).map((x) => x.verb)).toEqual(['update', 'delete']);
    expect(run([node('node-a'), runningPod(20_000, { grace: 30 })], key, 12_000, began.local)).toEqual({ requeueAfterMs: 8000, workUnits: 1 });
  });

  it('sends the final delete once: the terminal status seen before the pod is gone triggers nothing', () => {
    const p = runningPod(20_000);
    const began = run([node('node-a'), p], key, 10_000);
    const r = run([node('node-a'), p], key, 20_000, began.local);
    const failed: Pod = { ...(writesOf(r.plan)[0] as { object: Pod }).object, metadata: { ...p.metadata, resourceVersion: '77' } };
    const seen = observeKubelet({ seq: 77, time: 20_001, type: 'MODIFIED', actor: 'kubelet:node-a', cause: null, object: failed }, p, r.local!);
    expect(run([node('node-a'), failed], key, 20_002, seen)).toEqual({});
    const gone = observeKubelet({ seq: 78, time: 20_003, type: 'DELETED', actor: 'kubelet:node-a', cause: null, object: failed }, failed, seen);
    expect(gone.pending.size).toBe(0);
    expect(gone.killing.size).toBe(0);
    // A failed plan lets the next sync try again.
    const retry = r.onDone!({ ok: false, succeeded: new Set(['status']), failed: new Set(['delete']) }, seen);
    expect(writesOf(run([node('node-a'), failed], key, 20_004, retry).plan).map((x) => x.verb)).toEqual(['delete']);
  });

  it('reports Succeeded when the containers exit 0', () => {
    const cfg = { ...config, killExitCode: 0 };
    const began = run([node('node-a'), runningPod(11_000)], key, 1000, initialKubeletLocal(), cfg);
    const r = run([node('node-a'), runningPod(11_000)], key, 11_000, began.local, cfg);
    const s = (writesOf(r.plan)[0] as { object: Pod }).object;
    expect(s.status?.phase).toBe('Succeeded');
    expect(s.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe('Completed');
    expect(condOf(s, 'Ready')?.reason).toBe('PodCompleted');
  });

  it('deletes a pod it never started at once, and fails a ContainerCreating pod without waiting', () => {
    const never = pod('web-1', { node: 'node-a', deletionTimestamp: timestamp(30_000) });
    expect(writesOf(run([node('node-a'), never], key, 1).plan)).toEqual([
      { verb: 'delete', kind: 'Pod', namespace: 'default', name: 'web-1', gracePeriodSeconds: 0, preconditions: { uid: 'uid-web-1' } },
    ]);
    const creating = pod('web-1', {
      node: 'node-a', deletionTimestamp: timestamp(30_000),
      status: { phase: 'Pending', startTime: timestamp(0), containerStatuses: [{ name: 'nginx', image: 'nginx:1.25', imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ContainerCreating' } } }] },
    });
    const w = writesOf(run([node('node-a'), creating], key, 5).plan);
    expect(w.map((x) => x.verb)).toEqual(['update', 'delete']);
    const s = (w[0] as { object: Pod }).object;
    expect(s.status?.phase).toBe('Failed');
    expect(s.status?.containerStatuses?.[0]?.state?.terminated).toEqual({ exitCode: 137, reason: 'ContainerStatusUnknown', message: CONTAINER_UNKNOWN_MESSAGE });
  });

  it('a terminal pod being deleted is just deleted', () => {
    const p = pod('web-1', { node: 'node-a', deletionTimestamp: timestamp(30_000), status: { phase: 'Failed', startTime: timestamp(0) } });
    expect(writesOf(run([node('node-a'), p], key, 5).plan).map((x) => x.verb)).toEqual(['delete']);
  });
});

describe('kubelet: volumes and Multi-Attach (§3.5, S49)', () => {
  const nodes = [node('node-a'), node('node-b')];
  const holder = pod('web-rs-aaaaa', {
    node: 'node-a', claims: ['shared'],
    status: { phase: 'Running', startTime: timestamp(0), podIP: '10.64.0.2', containerStatuses: [{ name: 'nginx', image: 'nginx:1.25', imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: timestamp(900) } } }] },
  });
  const waiter = pod('web-rs-bbbbb', { node: 'node-b', claims: ['shared'], status: { phase: 'Pending', startTime: timestamp(10), containerStatuses: [] } });
  const key = kubeletKey('node-b', 'default', 'web-rs-bbbbb');

  it('waits without a status while a claim is missing or unbound', () => {
    const fresh = pod('x', { node: 'node-a', claims: ['data'] });
    const k = kubeletKey('node-a', 'default', 'x');
    expect(writesOf(run([...nodes, fresh], k, 0).plan)).toEqual([]);
    expect(writesOf(run([...nodes, fresh, pvc('data', undefined, 'Pending')], k, 0).plan)).toEqual([]);
    expect(writesOf(run([...nodes, fresh, pvc('data', 'pv-d'), pv('pv-d', 'data')], k, 0).plan)).toHaveLength(1);
  });

  it('records FailedAttachVolume once naming the pods using the volume on the other node', () => {
    const objs = [...nodes, holder, waiter, pvc('shared', 'pv-1'), pv('pv-1', 'shared')];
    const r = run(objs, key, 5000);
    expect(writesOf(r.plan)).toEqual([]);
    expect(eventsOf(r.plan)).toEqual([{
      type: 'Warning', reason: 'FailedAttachVolume',
      message: 'Multi-Attach error for volume "pv-1" Volume is already used by pod(s) web-rs-aaaaa',
      involved: { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-rs-bbbbb', uid: 'uid-web-rs-bbbbb' },
    }]);
    expect(r.requeueAfterMs).toBeUndefined();
    const again = run(objs, key, 6000, r.local);
    expect(again.plan).toBeUndefined();
  });

  it('uses the "exclusively attached" message when the holder is terminated but not yet gone', () => {
    const dying: Pod = { ...holder, metadata: { ...holder.metadata, deletionTimestamp: timestamp(9000) }, status: { ...holder.status, phase: 'Running', containerStatuses: [] } };
    const r = run([...nodes, dying, waiter, pvc('shared', 'pv-1'), pv('pv-1', 'shared')], key, 5000);
    expect(eventsOf(r.plan)[0]?.message).toBe('Multi-Attach error for volume "pv-1" Volume is already exclusively attached to one node and can\'t be attached to another');
  });

  it('does not block ReadWriteMany volumes, the same node, or once the other pod is gone', () => {
    const rwx = run([...nodes, holder, waiter, pvc('shared', 'pv-1'), pv('pv-1', 'shared', ['ReadWriteMany'])], key, 5000);
    expect(statusOf(rwx).status?.phase).toBe('Running');
    const sameNode = { ...waiter, spec: { ...waiter.spec!, nodeName: 'node-a' } };
    const same = run([...nodes, holder, sameNode, pvc('shared', 'pv-1'), pv('pv-1', 'shared')], kubeletKey('node-a', 'default', 'web-rs-bbbbb'), 5000);
    expect(statusOf(same).status?.phase).toBe('Running');
    const alone = run([...nodes, waiter, pvc('shared', 'pv-1'), pv('pv-1', 'shared')], key, 5000);
    expect(statusOf(alone).status?.phase).toBe('Running');
    const failedHolder = { ...holder, status: { ...holder.status, phase: 'Failed' } };
    expect(statusOf(run([...nodes, failedHolder, waiter, pvc('shared', 'pv-1'), pv('pv-1', 'shared')], key, 5000)).status?.phase).toBe('Running');
  });

  it('between two pods still creating, the earlier startTime wins the attachment', () => {
    const a = pod('a', { node: 'node-a', claims: ['shared'], status: { phase: 'Pending', startTime: timestamp(5), containerStatuses: [] } });
    const b = pod('b', { node: 'node-b', claims: ['shared'], status: { phase: 'Pending', startTime: timestamp(6), containerStatuses: [] } });
    const objs = [...nodes, a, b, pvc('shared', 'pv-1'), pv('pv-1', 'shared')];
    expect(statusOf(run(objs, kubeletKey('node-a', 'default', 'a'), 5000)).status?.phase).toBe('Running');
    expect(eventsOf(run(objs, kubeletKey('node-b', 'default', 'b'), 5000).plan)[0]?.message).toBe('Multi-Attach error for volume "pv-1" Volume is already used by pod(s) a');
  });

  it('a pod whose containers run holds the attachment even against an earlier-admitted pod', () => {
    const late = { ...holder, status: { ...holder.status, startTime: timestamp(20) } };
    const early = { ...waiter, status: { ...waiter.status, startTime: timestamp(10) } };
    const r = run([...nodes, early, late, pvc('shared', 'pv-1'), pv('pv-1', 'shared')], key, 5000);
    expect(writesOf(r.plan)).toEqual([]);
    expect(eventsOf(r.plan)[0]?.reason).toBe('FailedAttachVolume');
  });

  it('routes a holder change to the waiting pods that share its exclusive volume', () => {
    const objs = [...nodes, holder, waiter, pvc('shared', 'pv-1'), pv('pv-1', 'shared')];
    const s = snap(objs.filter((o) => o !== holder));
    const del: Envelope = { seq: 30, time: 1, type: 'DELETED', actor: 'kubelet:node-a', cause: null, object: holder };
    expect(kubelet.keysFor(del, holder, s, config)).toEqual([key]);
    // A status write of the waiting pod itself that changes nothing relevant to others: only its own key.
    const s2 = snap(objs);
    const mod: Envelope = { seq: 31, time: 1, type: 'MODIFIED', actor: 'x', cause: null, object: holder };
    expect(kubelet.keysFor(mod, holder, s2, config)).toEqual([kubeletKey('node-a', 'default', 'web-rs-aaaaa')]);
    // A claim change wakes the pods waiting on it.
    const claimEv: Envelope = { seq: 32, time: 1, type: 'MODIFIED', actor: 'volume-binder', cause: null, object: pvc('shared', 'pv-1') };
    expect(kubelet.keysFor(claimEv, undefined, s2, config)).toEqual([key]);
  });
});

describe('kubelet: admission (predicate.go)', () => {
  const withPort = (name: string, n: string, status?: Pod['status']) => pod(name, {
    node: n, containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort: 21017 }] }], ...(status ? { status } : {}),
  });

  it('rejects a pod whose host port is taken on the node (NodePorts, S10)', () => {
    const blocker = withPort('test-pod', 'node-a', { phase: 'Running', startTime: timestamp(0) });
    const web = withPort('web-0', 'node-a');
    const r = run([node('node-a'), blocker, web], kubeletKey('node-a', 'default', 'web-0'), 700);
    const s = statusOf(r);
    expect(s.status?.phase).toBe('Failed');
    expect(s.status?.reason).toBe('NodePorts');
    expect(s.status?.message).toBe("Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
    expect(s.status?.startTime).toBe(timestamp(700));
    expect(s.status?.conditions).toBeUndefined();
    expect(eventsOf(r.plan)).toEqual([{
      type: 'Warning', reason: 'NodePorts', message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
      involved: { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'uid-web-0' },
    }]);
  });

  it('admits once the blocker is gone, and counts a same-port pod whose admission is in flight', () => {
    const web = withPort('web-0', 'node-a');
    expect(statusOf(run([node('node-a'), web], kubeletKey('node-a', 'default', 'web-0'), 0)).status?.phase).toBe('Pending');
    const other = withPort('other', 'node-a');
    const r1 = run([node('node-a'), web, other], kubeletKey('node-a', 'default', 'other'), 0);
    expect(statusOf(r1).status?.phase).toBe('Pending');
    const r2 = run([node('node-a'), web, other], kubeletKey('node-a', 'default', 'web-0'), 0, r1.local);
    expect(statusOf(r2).status?.reason).toBe('NodePorts');
    // A different node has its own ports.
    expect(statusOf(run([node('node-b'), withPort('test-pod', 'node-a', { phase: 'Running', startTime: timestamp(0) }), withPort('z', 'node-b')], kubeletKey('node-b', 'default', 'z'), 0)).status?.phase).toBe('Pending');
  });

  it('rejects over the pod capacity with OutOfpods', () => {
    const full = node('node-a', { status: { allocatable: { pods: '1' } } });
    const running = pod('r', { node: 'node-a', status: { phase: 'Running', startTime: timestamp(0) } });
    const s = statusOf(run([full, running, pod('n', { node: 'node-a' })], kubeletKey('node-a', 'default', 'n'), 0));
    expect(s.status?.reason).toBe('OutOfpods');
    expect(s.status?.message).toBe("Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 1, capacity: 1");
  });

  it('rejects a nodeSelector that does not match the node (NodeAffinity)', () => {
    const p: Pod = { ...pod('n', { node: 'node-a' }), spec: { ...pod('n').spec!, nodeName: 'node-a', nodeSelector: { 'kubernetes.io/hostname': 'node-b' } } };
    const s = statusOf(run([node('node-a'), p], kubeletKey('node-a', 'default', 'n'), 0));
    expect(s.status?.reason).toBe('NodeAffinity');
    expect(s.status?.message).toBe("Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector");
  });
});

describe('kubelet: faults', () => {
  const running = pod('web-1', {
    node: 'node-a', created: 0,
    status: {
      phase: 'Running', startTime: timestamp(0), podIP: '10.64.0.3',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: timestamp(0) },
        { type: 'Ready', status: 'True', lastTransitionTime: timestamp(900) },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: timestamp(900) },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp(0) },
      ],
      containerStatuses: [{ name: 'nginx', image: 'nginx:1.25', imageID: '', containerID: 'containerd://c1', ready: true, restartCount: 0, started: true, state: { running: { startedAt: timestamp(900) } } }],
    },
  });
  const key = kubeletKey('node-a', 'default', 'web-1');

  it('pod-readiness forces Ready False (pod stays Running), then back to True', () => {
    let local = observeKubelet(faultEntry(50, 5000, { fault: 'pod-readiness', namespace: 'default', name: 'web-1', ready: false }), undefined, initialKubeletLocal());
    const r = run([node('node-a'), running], key, 5001, local);
    const s = statusOf(r);
    expect(s.status?.phase).toBe('Running');
    expect(s.status?.containerStatuses?.[0]?.ready).toBe(false);
    expect(condOf(s, 'Ready')).toEqual({ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [nginx]', lastTransitionTime: timestamp(5001) });
    const unready = applied(running, r, '60');
    local = observeKubelet(faultEntry(61, 8000, { fault: 'pod-readiness', namespace: 'default', name: 'web-1', ready: true }), undefined, r.local!);
    const back = statusOf(run([node('node-a'), unready], key, 8001, local));
    expect(condOf(back, 'Ready')).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: timestamp(8001) });
  });

  it('pod-fail fails the pod with its reason (eviction) and the fault keys route to the node', () => {
    const e = faultEntry(50, 5000, { fault: 'pod-fail', namespace: 'default', name: 'web-1', reason: 'Evicted' });
    expect(kubelet.keysFor(e, undefined, snap([running]), config)).toEqual([key]);
    const local = observeKubelet(e, undefined, initialKubeletLocal());
    const r = run([node('node-a'), running], key, 5001, local);
    const s = statusOf(r);
    expect(s.status?.phase).toBe('Failed');
    expect(s.status?.reason).toBe('Evicted');
    expect(s.status?.message).toBe('The node was low on resource: memory. ');
    expect(s.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(condOf(s, 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'TerminationByKubelet' });
    expect(condOf(s, 'Ready')).toMatchObject({ status: 'False', reason: 'PodFailed' });
    expect(eventsOf(r.plan).map((x) => [x.type, x.reason, x.message])).toEqual([['Normal', 'Killing', 'Stopping container nginx'], ['Warning', 'Evicted', 'The node was low on resource: memory. ']]);
  });

  it('a fault does not touch a pod created after it, and is forgotten when the pod is deleted', () => {
    const local = observeKubelet(faultEntry(50, 5000, { fault: 'pod-fail', name: 'web-1' }), undefined, initialKubeletLocal());
    expect(local.failures.get('default/web-1')).toEqual({ time: 5000, reason: 'Evicted' });
    const recreated = pod('web-1', { node: 'node-a', uid: 'uid-new', created: 7000 });
    expect(statusOf(run([node('node-a'), recreated], key, 7001, local)).status?.phase).toBe('Pending');
    const after = observeKubelet({ seq: 70, time: 6000, type: 'DELETED', actor: 'kubelet:node-a', cause: null, object: running }, running, local);
    expect(after.failures.size).toBe(0);
  });

  it('the fault-bearing local state is rebuilt by replaying the log into observe', () => {
    const log: Envelope[] = [
      faultEntry(1, 10, { fault: 'pod-readiness', name: 'a', ready: false }),
      faultEntry(2, 20, { fault: 'pod-readiness', name: 'a', ready: true }),
      faultEntry(3, 30, { fault: 'unrelated' }),
    ];
    const local = log.reduce((l, e) => observeKubelet(e, undefined, l), initialKubeletLocal());
    expect([...local.readiness.entries()]).toEqual([['default/a', { time: 20, ready: true }]]);
  });
});

describe('kubelet: component wiring', () => {
  it('shards by node and routes only pods on hosted nodes', () => {
    expect(kubelet.name).toBe('kubelet');
    expect(kubelet.shardOf!('node-b|default/web-0')).toBe('node-b');
    const p = pod('x', { node: 'node-z' });
    const e: Envelope = { seq: 1, time: 0, type: 'ADDED', actor: 'user', cause: null, object: p };
    expect(kubelet.keysFor(e, undefined, snap([p]), config)).toEqual([]);
    const q = pod('y', { node: 'node-a' });
    expect(kubelet.keysFor({ ...e, object: q }, undefined, snap([q]), config)).toEqual(['node-a|default/y']);
    // Each node's own status first (the images it holds), then its pods.
    expect([...kubelet.initialKeys(snap([p, q, pod('z')]), config)]).toEqual(['node-a|/', 'node-a|default/y', 'node-b|/']);
  });

  it('deadline math uses the API server timestamp', () => {
    expect(parseTimestamp(timestamp(12_345))).toBe(12_345);
  });
});

describe('kubelet: container-crash (restartPolicy Always, crash-loop back-off)', () => {
  const key = kubeletKey('node-a', 'default', 'web-0');
  const running = (): Pod => pod('web-0', {
    node: 'node-a', rv: '10',
    status: {
      phase: 'Running', podIP: '10.64.0.2', startTime: timestamp(0),
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: timestamp(100) }],
      containerStatuses: [{ name: 'nginx', image: 'nginx:1.25', imageID: '', containerID: 'containerd://first', ready: true, restartCount: 0, started: true, state: { running: { startedAt: timestamp(50) } } }],
    },
  });
  /** Write `r`'s status as the API server would, and let the kubelet observe its own write. */
  const step = (p: Pod, r: ReconcileResult<KubeletLocal>, rv: number, time: number): [Pod, KubeletLocal] => {
    const next = applied(p, r, String(rv));
    return [next, observeKubelet({ seq: rv, time, type: 'MODIFIED', actor: 'kubelet:node-a', cause: null, object: next }, p, r.local!)];
  };
  const c0 = (p: Pod) => p.status!.containerStatuses![0]!;

  it('backoffAt follows flowcontrol.Backoff: none → restart at once (next 10 s); doubled up to 5 min; forgotten after 10 min', async () => {
    const { backoffAt, goDuration } = await import('../src/kubelet/index.js');
    expect(backoffAt(undefined, 1000)).toEqual({ waitMs: 0, next: { ms: 10_000, lastUpdate: 1000, restartAt: 1000, instance: 0 } });
    expect(backoffAt({ ms: 10_000, lastUpdate: 1000, restartAt: 1000, instance: 0 }, 5000, 1)).toEqual({ waitMs: 10_000, next: { ms: 20_000, lastUpdate: 5000, restartAt: 15_000, instance: 1 } });
    expect(backoffAt({ ms: 160_000, lastUpdate: 0, restartAt: 0, instance: 0 }, 1000).next.ms).toBe(300_000);
    expect(backoffAt({ ms: 300_000, lastUpdate: 0, restartAt: 0, instance: 0 }, 1000)).toMatchObject({ waitMs: 300_000, next: { ms: 300_000 } });
    expect(backoffAt({ ms: 300_000, lastUpdate: 0, restartAt: 0, instance: 0 }, 600_000).waitMs).toBe(300_000);
    expect(backoffAt({ ms: 300_000, lastUpdate: 0, restartAt: 0, instance: 0 }, 600_001)).toEqual({ waitMs: 0, next: { ms: 10_000, lastUpdate: 600_001, restartAt: 600_001, instance: 0 } });
    expect([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 3_600_000].map(goDuration)).toEqual(['10s', '20s', '40s', '1m20s', '2m40s', '5m0s', '1h0m0s']);
    // Below a second and fractions (a pull's duration, truncated to the millisecond).
    expect([0, 0.9, 812.7, 1000, 1500, 1234, 61_050, 3_723_004].map(goDuration)).toEqual(['0s', '0s', '812ms', '1s', '1.5s', '1.234s', '1m1.05s', '1h2m3.004s']);
  });

  it('crash, immediate restart, crash again after runMs into CrashLoopBackOff, restart after 10 s; then no more crashes', () => {
    let p = running();
    let local = observeKubelet(faultEntry(11, 1000, { fault: 'container-crash', name: 'web-0', count: 2, runMs: 3000 }), undefined, initialKubeletLocal());
    // 1. The crash: terminated (Error, exit 1), not ready, the pod still Running.
    let r = run([node('node-a'), p], key, 1000, local);
    let s = statusOf(r);
    expect(s.status?.phase).toBe('Running');
    expect(c0(s)).toMatchObject({
      ready: false, started: false, restartCount: 0, containerID: 'containerd://first',
      state: { terminated: { exitCode: 1, reason: 'Error', containerID: 'containerd://first', startedAt: timestamp(50), finishedAt: timestamp(1000) } },
    });
    expect(condOf(s, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    expect(eventsOf(r.plan)).toEqual([]);
    [p, local] = step(p, r, 12, 1000);
    expect(local.crashes.get('default/web-0')?.remaining).toBe(1);
    // 2. The first restart is immediate: restartCount 1, the crash as lastState, a new id, ready (no probe); the next crash is due in runMs.
    r = run([node('node-a'), p], key, 1000, local);
    s = statusOf(r);
    expect(c0(s)).toMatchObject({ ready: true, started: true, restartCount: 1, state: { running: { startedAt: timestamp(1000) } }, lastState: { terminated: { exitCode: 1, finishedAt: timestamp(1000) } } });
    expect(c0(s).containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(s.status?.podIP).toBe('10.64.0.2');
    expect(r.requeueAfterMs).toBe(3000);
    expect(eventsOf(r.plan).map((e) => `${e.reason}: ${e.message}`)).toEqual([
      'Pulled: Container image "nginx:1.25" already present on machine and can be accessed by the pod', 'Created: Container created', 'Started: Container started',
    ]);
    [p, local] = step(p, r, 13, 1000);
    expect(run([node('node-a'), p], key, 3999, local)).toMatchObject({ requeueAfterMs: 1 });
    // 3. The second crash falls in the back-off of the first: CrashLoopBackOff, a BackOff warning.
    r = run([node('node-a'), p], key, 4000, local);
    s = statusOf(r);
    expect(c0(s)).toMatchObject({
      ready: false, started: false, restartCount: 1,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=nginx pod=web-0_default(uid-web-0)' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: timestamp(1000), finishedAt: timestamp(4000) } },
    });
    expect(eventsOf(r.plan)).toEqual([expect.objectContaining({ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container nginx in pod web-0_default(uid-web-0)' })]);
    [p, local] = step(p, r, 14, 4000);
    expect(local.crashes.get('default/web-0')?.remaining).toBe(0);
    expect(local.backoff.get('uid-web-0/nginx')).toEqual({ ms: 20_000, lastUpdate: 4000, restartAt: 14_000, instance: 1 });
    expect(run([node('node-a'), p], key, 13_999, local)).toEqual({ requeueAfterMs: 1, workUnits: 1 });
    // 4. Restarted when the back-off is over; the fault has no crash left.
    r = run([node('node-a'), p], key, 14_000, local);
    s = statusOf(r);
    expect(c0(s)).toMatchObject({ ready: true, restartCount: 2, state: { running: { startedAt: timestamp(14_000) } }, lastState: { terminated: { finishedAt: timestamp(4000) } } });
    [p, local] = step(p, r, 15, 14_000);
    expect(writesOf(run([node('node-a'), p], key, 600_000, local).plan)).toEqual([]);
  });

  it('runMs 0: a crash in the same millisecond as the one before is still counted and backed off (instances are told apart by restartCount)', () => {
    let p = running();
    let local = observeKubelet(faultEntry(11, 1000, { fault: 'container-crash', name: 'web-0', count: 2, runMs: 0 }), undefined, initialKubeletLocal());
    let r = run([node('node-a'), p], key, 1000, local);
    [p, local] = step(p, r, 12, 1000);
    r = run([node('node-a'), p], key, 1000.3, local);
    expect(c0(statusOf(r))).toMatchObject({ restartCount: 1, state: { running: {} } });
    [p, local] = step(p, r, 13, 1000.3);
    r = run([node('node-a'), p], key, 1000.6, local);
    expect(c0(statusOf(r)).state?.waiting?.reason).toBe('CrashLoopBackOff');
    [p, local] = step(p, r, 14, 1000.6);
    expect(local.crashes.get('default/web-0')?.remaining).toBe(0);
    expect(local.backoff.get('uid-web-0/nginx')).toMatchObject({ restartAt: 11_000, instance: 1 });
  });

  it('exit code 0 shows as Completed; a readiness fault never makes a crashed container ready', () => {
    let local = observeKubelet(faultEntry(11, 500, { fault: 'pod-readiness', name: 'web-0', ready: true }), undefined, initialKubeletLocal());
    local = observeKubelet(faultEntry(12, 1000, { fault: 'container-crash', name: 'web-0', exitCode: 0 }), undefined, local);
    const s = statusOf(run([node('node-a'), running()], key, 1000, local));
    expect(c0(s)).toMatchObject({ ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(condOf(s, 'Ready')?.status).toBe('False');
  });

  it('applies to the pod that existed when the fault was logged, not to a later one of the same name', () => {
    const local = observeKubelet(faultEntry(11, 1000, { fault: 'container-crash', name: 'web-0' }), undefined, initialKubeletLocal());
    const later = { ...running(), metadata: { ...running().metadata, creationTimestamp: timestamp(5000) } };
    const r = run([node('node-a'), later], key, 6000, local);
    // (The pod of the fixture lacks some conditions, so the kubelet may write them; its container keeps running.)
    for (const w of writesOf(r.plan)) expect(c0((w as { object: Pod }).object)).toMatchObject({ restartCount: 0, state: { running: {} } });
  });

  it('a pod deleted while its container waits in CrashLoopBackOff: nothing to kill, terminal status (the crash as final state) and delete at once', () => {
    const base = running();
    const term = { exitCode: 1, reason: 'Error', startedAt: timestamp(1000), finishedAt: timestamp(4000), containerID: 'containerd://x' };
    const waiting: Pod = {
      ...base,
      metadata: { ...base.metadata, deletionTimestamp: timestamp(300_000), deletionGracePeriodSeconds: 300 },
      status: { ...base.status!, containerStatuses: [{ ...c0(base), ready: false, started: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: term } }] },
    };
    const r = run([node('node-a'), waiting], key, 5000);
    const w = writesOf(r.plan);
    expect(w.map((x) => x.verb)).toEqual(['update', 'delete']);
    const s = (w[0] as { object: Pod }).object;
    expect(s.status?.phase).toBe('Failed');
    expect(c0(s).state).toEqual({ terminated: term });
    expect(eventsOf(r.plan)).toEqual([]); // no running container: no Killing
  });
});

describe('kubelet: node expansion of a resized volume', () => {
  const key = kubeletKey('node-a', 'default', 'web-0');
  const runningWithClaim = (): Pod => pod('web-0', {
    node: 'node-a', claims: ['www-web-0'],
    status: {
      phase: 'Running', podIP: '10.64.0.2', startTime: timestamp(0),
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: timestamp(100) }],
      containerStatuses: [{ name: 'nginx', image: 'nginx:1.25', imageID: '', containerID: 'containerd://a', ready: true, restartCount: 0, started: true, state: { running: { startedAt: timestamp(50) } } }],
    },
  });
  const pending = (): PersistentVolumeClaim => ({
    ...pvc('www-web-0', 'pv-a'),
    metadata: { name: 'www-web-0', namespace: 'default', uid: 'uid-www-web-0', resourceVersion: '31' },
    status: {
      phase: 'Bound', capacity: { storage: '1Gi' }, allocatedResources: { storage: '3Gi' }, allocatedResourceStatuses: { storage: 'NodeResizePending' },
      conditions: [{ type: 'FileSystemResizePending', status: 'True', message: 'Waiting for user to (re-)start a pod to finish file system resize of volume on node.' }],
    },
  });

  it('finishes the file-system resize of a claim its running pod mounts: capacity = allocated, resize status and conditions gone, event on the pod', () => {
    const r = run([node('node-a'), runningWithClaim(), pending(), pv('pv-a', 'www-web-0')], key, 5000);
    const w = writesOf(r.plan);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ verb: 'update', subresource: 'status' });
    const c = (w[0] as { object: PersistentVolumeClaim }).object;
    expect(c.metadata?.resourceVersion).toBe('31');
    expect(c.status).toEqual({ phase: 'Bound', capacity: { storage: '3Gi' }, allocatedResources: { storage: '3Gi' } });
    expect(eventsOf(r.plan)).toEqual([expect.objectContaining({ type: 'Normal', reason: 'FileSystemResizeSuccessful', message: 'MountVolume.NodeExpandVolume succeeded for volume "pv-a" node-a', involved: expect.objectContaining({ kind: 'Pod', name: 'web-0' }) })]);
    expect(r.local).toBeUndefined(); // no pod write pending: the pod's own syncs go on
  });

  it('the claim turning NodeResizePending wakes the started pods that mount it on the kubelet\'s nodes', () => {
    const e: Envelope = { seq: 40, time: 5000, type: 'MODIFIED', actor: 'volume-binder', cause: 30, object: pending() };
    const objs = [node('node-a'), runningWithClaim(), pending()];
    expect(kubeletKeysFor(e, undefined, snap(objs), config)).toEqual([key]);
  });
});
