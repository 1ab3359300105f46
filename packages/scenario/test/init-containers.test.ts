/**
 * Init containers and sidecars end to end ([kuberuntime computePodActions], [status
 * GeneratePodInitializedCondition]): a StatefulSet pod runs its init containers one at a time while
 * Pending (`Init:0/2`, Initialized False), with its sandbox's IP — so Endpoints list it as not ready —
 * then starts its sidecar and containers; OrderedReady waits for all of it.
 */
import { describe, expect, it } from 'vitest';
import { parseTimestamp, type Endpoints, type Event, type Pod } from '@kubesim/api';
import { podStatusText } from '../src/index.js';
import { create, del, dns, entriesOf, f1With, get, list, newCluster, ready, waitFor } from './harness.js';

const withInit = (replicas: number) => f1With((set) => {
  set.spec.replicas = replicas;
  set.spec.template.spec.initContainers = [
    { name: 'init-perms', image: 'busybox:1.36', command: ['sh', '-c', 'chown -R 101 /usr/share/nginx/html'], volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] },
    { name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always' },
  ];
});

describe('init containers (a StatefulSet pod)', () => {
  it('Init:0/2 with an IP and Initialized False, the init container Completed and the sidecar started (PodInitializing), then nginx Running; web-1 only once web-0 is Ready', () => {
    const sim = newCluster();
    create(sim, ...withInit(2));
    waitFor(sim, 'web-0 initializing', () => get<Pod>(sim, 'Pod', 'web-0')?.status?.podIP !== undefined);
    const init = get<Pod>(sim, 'Pod', 'web-0')!;
    expect(init.status?.phase).toBe('Pending');
    expect(podStatusText(init)).toBe('Init:0/2');
    expect(init.status?.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init-perms proxy]' });
    expect(init.status?.initContainerStatuses?.[0]?.state?.running).toBeDefined();
    // The pod has an IP while it initializes: listed as a not-ready address, no DNS name yet.
    waitFor(sim, 'endpoints list web-0', () => (get<Endpoints>(sim, 'Endpoints', 'nginx')?.subsets?.[0]?.notReadyAddresses ?? []).some((a) => a.ip === init.status!.podIP));
    expect(dns(sim, 'web-0.nginx.default.svc.cluster.local')).toEqual([]);
    expect(get<Pod>(sim, 'Pod', 'web-1'), 'OrderedReady: web-1 waits').toBeUndefined();

    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const up = get<Pod>(sim, 'Pod', 'web-0')!;
    const [perms, proxy] = up.status!.initContainerStatuses!;
    expect(perms).toMatchObject({ name: 'init-perms', ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(proxy).toMatchObject({ name: 'proxy', ready: true, started: true });
    expect(proxy!.state?.running).toBeDefined();
    // The sidecar starts when the init container ends (which ran for a while after the sandbox), the
    // container at the kubelet's next sync, moments later.
    const finished = parseTimestamp(perms!.state!.terminated!.finishedAt)!;
    expect(finished - parseTimestamp(perms!.state!.terminated!.startedAt)!).toBeGreaterThanOrEqual(500);
    expect(parseTimestamp(proxy!.state!.running!.startedAt)).toBe(finished);
    const mainStarted = parseTimestamp(up.status!.containerStatuses![0]!.state!.running!.startedAt)!;
    expect(mainStarted - finished).toBeGreaterThanOrEqual(0);
    expect(mainStarted - finished).toBeLessThan(100);
    expect(podStatusText(up)).toBe('Running');
    // The kubelet's states of web-0 in log order, as kubectl's STATUS shows them.
    const texts = entriesOf(sim, 'Pod', 'web-0').filter((e) => e.actor.startsWith('kubelet')).map((e) => podStatusText(e.object as Pod));
    expect(texts).toEqual(['Init:0/2', 'Init:0/2', 'PodInitializing', 'Running']);
    waitFor(sim, 'web-1 created', () => get<Pod>(sim, 'Pod', 'web-1') !== undefined);
    const created = entriesOf(sim, 'Pod', 'web-1').find((e) => e.type === 'ADDED')!;
    const readyAt = entriesOf(sim, 'Pod', 'web-0').find((e) => (e.object as Pod).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))!;
    expect(created.seq).toBeGreaterThan(readyAt.seq);
    // Events about the init containers name them by their field path.
    const paths = list<Event>(sim, 'Event', 'default').filter((e) => e.involvedObject?.name === 'web-0' && e.reason === 'Started').map((e) => e.involvedObject?.fieldPath).sort();
    expect(paths).toEqual(['spec.containers{nginx}', 'spec.initContainers{init-perms}', 'spec.initContainers{proxy}']);
  });

  it('deleted while its init container runs: the init container is killed at the end of the grace period; the replacement initializes anew', () => {
    const sim = newCluster();
    create(sim, ...withInit(1));
    waitFor(sim, 'web-0 initializing', () => get<Pod>(sim, 'Pod', 'web-0')?.status?.initContainerStatuses?.[0]?.state?.running !== undefined);
    const uid = get<Pod>(sim, 'Pod', 'web-0')!.metadata!.uid;
    del(sim, 'Pod', 'web-0');
    waitFor(sim, 'web-0 replaced', () => get<Pod>(sim, 'Pod', 'web-0') !== undefined && get<Pod>(sim, 'Pod', 'web-0')!.metadata!.uid !== uid);
    const last = entriesOf(sim, 'Pod', 'web-0').filter((e) => e.object.metadata?.uid === uid && e.type === 'MODIFIED').at(-1)!.object as Pod;
    expect(last.status?.phase).toBe('Failed');
    expect(last.status?.initContainerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 137 });
    expect(list<Event>(sim, 'Event', 'default').filter((e) => e.reason === 'Killing').map((e) => e.involvedObject?.fieldPath)).toEqual(['spec.initContainers{init-perms}']);
    waitFor(sim, 'the new web-0 Ready', () => ready(sim, 'web-0'));
  });
});
