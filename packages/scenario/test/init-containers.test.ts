/**
 * Init containers and sidecars end to end ([kuberuntime computePodActions], [status
 * GeneratePodInitializedCondition]): a StatefulSet pod runs its init containers one at a time while
 * Pending (`Init:0/2`, Initialized False), with its sandbox's IP — so Endpoints list it as not ready —
 * then starts its sidecar and containers; OrderedReady waits for all of it.
 */
import { describe, expect, it } from 'vitest';
import { parseTimestamp, type Endpoints, type Event, type Pod } from '@kubesim/api';
import { podStatusText } from '../src/index.js';
import { create, del, dns, entriesOf, eventsFor, f1With, get, list, newCluster, ready, sleep, waitFor } from './harness.js';

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

  it('an init container after a sidecar starts once the kubelet has seen the sidecar running: at its next sync, in a later status write', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 1;
      set.spec.template.spec.initContainers = [
        { name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always' },
        { name: 'migrate', image: 'migrate:4', command: ['migrate', 'up'] },
      ];
    }));
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const writes = entriesOf(sim, 'Pod', 'web-0').filter((e) => e.actor.startsWith('kubelet')).map((e) => e.object as Pod);
    const states = writes.map((p) => (p.status?.initContainerStatuses ?? []).map((x) => (x.state?.running ? 'r' : x.state?.terminated ? 't' : 'w')).join(''));
    expect(states.filter((x, i, a) => i === 0 || a[i - 1] !== x)).toEqual(['ww', 'rw', 'rr', 'rt']);
    expect(writes.map((p) => podStatusText(p)).filter((x, i, a) => i === 0 || a[i - 1] !== x)).toEqual(['Init:0/2', 'Init:1/2', 'PodInitializing', 'Running']);
    const up = get<Pod>(sim, 'Pod', 'web-0')!;
    const [proxy, migrate] = up.status!.initContainerStatuses!;
    expect(parseTimestamp(migrate!.state!.terminated!.startedAt)! - parseTimestamp(proxy!.state!.running!.startedAt)!).toBeGreaterThanOrEqual(0);
    expect(writes.findIndex((p) => p.status?.initContainerStatuses?.[1]?.state?.running !== undefined))
      .toBeGreaterThan(writes.findIndex((p) => p.status?.initContainerStatuses?.[0]?.state?.running !== undefined));
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

type CStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];
const initStatus = (p: Pod | undefined, name: string): CStatus | undefined => p?.status?.initContainerStatuses?.find((s) => s.name === name);
const stateOf = (s: CStatus | undefined): string =>
  (s?.state?.running ? 'running' : s?.state?.terminated ? `terminated:${s.state.terminated.reason}` : `waiting:${s?.state?.waiting?.reason}`);
const ms = (t: string | undefined): number => parseTimestamp(t) ?? Number.NaN;

describe('init containers that crash (a `container-crash` fault naming one)', () => {
  it('a failing init container: Init:Error, restarted at once, then Init:CrashLoopBackOff with the 10 s, 20 s back-off; the pod stays Pending, nginx never starts until it completes; then Running and Ready', () => {
    const sim = newCluster();
    create(sim, ...withInit(2));
    waitFor(sim, 'web-0 created', () => get<Pod>(sim, 'Pod', 'web-0') !== undefined);
    const uid = get<Pod>(sim, 'Pod', 'web-0')!.metadata!.uid!;
    // Logged before the init container starts: its first run crashes at once, then each run after 200 ms.
    const fault = sim.fault({ fault: 'container-crash', name: 'web-0', container: 'init-perms', count: 3, exitCode: 1, runMs: 200 });
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'), 300_000);
    const writes = entriesOf(sim, 'Pod', 'web-0').filter((e) => e.actor.startsWith('kubelet') && e.object.metadata?.uid === uid).map((e) => e.object as Pod);
    const texts = writes.map((p) => podStatusText(p)).filter((t, i, a) => i === 0 || a[i - 1] !== t);
    expect(texts).toEqual(['Init:0/2', 'Init:Error', 'Init:0/2', 'Init:CrashLoopBackOff', 'Init:0/2', 'Init:CrashLoopBackOff', 'Init:0/2', 'PodInitializing', 'Running']);
    // Every write before the containers start: Pending, Initialized False, nginx waiting.
    for (const p of writes.filter((x) => podStatusText(x).startsWith('Init:'))) {
      expect(p.status?.phase).toBe('Pending');
      expect(p.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('PodInitializing');
      expect(p.status?.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', message: 'containers with incomplete status: [init-perms proxy]' });
    }
    const states = writes.map((p) => `${stateOf(initStatus(p, 'init-perms'))}/${initStatus(p, 'init-perms')?.restartCount}`).filter((t, i, a) => i === 0 || a[i - 1] !== t);
    expect(states).toEqual([
      'waiting:PodInitializing/0', 'running/0', 'terminated:Error/0', 'running/1', 'waiting:CrashLoopBackOff/1', 'running/2', 'waiting:CrashLoopBackOff/2', 'running/3', 'terminated:Completed/3',
    ]);
    const waits = writes.map((p) => initStatus(p, 'init-perms')!).filter((s) => s.state?.waiting?.reason === 'CrashLoopBackOff');
    expect([...new Set(waits.map((s) => s.state!.waiting!.message))]).toEqual(['10s', '20s'].map((d) => `back-off ${d} restarting failed container=init-perms pod=web-0_default(${uid})`));
    // The back-off is waited out from each crash's finishedAt; the runs between last 200 ms.
    const runs = writes.map((p) => initStatus(p, 'init-perms')!).filter((s) => s.state?.running !== undefined);
    const starts = [...new Set(runs.map((s) => ms(s.state!.running!.startedAt)))];
    const crashes = [...new Set(writes.map((p) => ms(initStatus(p, 'init-perms')!.state?.terminated?.finishedAt ?? initStatus(p, 'init-perms')!.lastState?.terminated?.finishedAt)).filter((x) => !Number.isNaN(x) && x >= fault.time))];
    expect(starts.length).toBe(4);
    expect(crashes.length).toBeGreaterThanOrEqual(3);
    expect(crashes[0]! - starts[0]!).toBeLessThan(100);
    expect(starts[1]! - crashes[0]!).toBeLessThan(100);
    for (const [i, wait] of [[1, 10_000], [2, 20_000]] as const) {
      expect(crashes[i]! - starts[i]!).toBeGreaterThanOrEqual(200);
      expect(starts[i + 1]! - crashes[i]!).toBeGreaterThanOrEqual(wait);
      expect(starts[i + 1]! - crashes[i]!).toBeLessThan(wait + 100);
    }
    const up = get<Pod>(sim, 'Pod', 'web-0')!;
    expect(initStatus(up, 'init-perms')).toMatchObject({ restartCount: 3, ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } });
    expect(up.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    // At each crash into a back-off, and at the sync 10–15 s into the 20 s one.
    expect(eventsFor(sim, 'Pod', 'web-0', 'BackOff')).toEqual([expect.objectContaining({
      type: 'Warning', count: 3, message: `Back-off restarting failed container init-perms in pod web-0_default(${uid})`,
      involvedObject: expect.objectContaining({ fieldPath: 'spec.initContainers{init-perms}' }),
    })]);
    const started = list<Event>(sim, 'Event', 'default').filter((e) => e.involvedObject?.uid === uid && e.reason === 'Started' && e.involvedObject?.fieldPath === 'spec.initContainers{init-perms}');
    expect(started.map((e) => e.count)).toEqual([4]);
    // OrderedReady: web-1 waited for all of it; never re-created.
    expect(get<Pod>(sim, 'Pod', 'web-0')!.metadata!.uid).toBe(uid);
    waitFor(sim, 'web-1 Ready', () => ready(sim, 'web-1'));
  });

  it('exit code 0 of a regular init container is its completion: the next init step follows, nothing restarts', () => {
    const sim = newCluster();
    create(sim, ...withInit(1));
    waitFor(sim, 'init-perms running', () => initStatus(get<Pod>(sim, 'Pod', 'web-0'), 'init-perms')?.state?.running !== undefined);
    sim.fault({ fault: 'container-crash', name: 'web-0', container: 'init-perms', count: 5, exitCode: 0 });
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    sleep(sim, 60_000);
    const p = get<Pod>(sim, 'Pod', 'web-0')!;
    expect(initStatus(p, 'init-perms')).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(eventsFor(sim, 'Pod', 'web-0', 'BackOff')).toEqual([]);
  });

  it('a sidecar that crashes beside running containers is restarted (restartPolicy Always) with the back-off; the pod stays Running (kubectl: Init:Error, Init:CrashLoopBackOff), not Ready while the sidecar is down; nginx keeps running', () => {
    const sim = newCluster();
    create(sim, ...withInit(1));
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const before = get<Pod>(sim, 'Pod', 'web-0')!;
    const since = sim.log.lastSeq();
    sim.fault({ fault: 'container-crash', name: 'web-0', container: 'proxy', count: 2, exitCode: 137, runMs: 1_000 });
    waitFor(sim, 'proxy restarted twice and web-0 Ready', () => initStatus(get<Pod>(sim, 'Pod', 'web-0'), 'proxy')?.restartCount === 2 && ready(sim, 'web-0'), 120_000);
    const writes = entriesOf(sim, 'Pod', 'web-0', since).filter((e) => e.actor.startsWith('kubelet')).map((e) => e.object as Pod);
    expect(writes.map((p) => stateOf(initStatus(p, 'proxy'))).filter((t, i, a) => i === 0 || a[i - 1] !== t))
      .toEqual(['terminated:Error', 'running', 'waiting:CrashLoopBackOff', 'running']);
    for (const p of writes) {
      expect(p.status?.phase).toBe('Running');
      expect(p.status?.containerStatuses?.[0]?.state?.running?.startedAt).toBe(before.status!.containerStatuses![0]!.state!.running!.startedAt);
    }
    // kubectl 1.35 shows a running pod's crashed sidecar in its STATUS column (printPod's init loop).
    expect(writes.map((p) => podStatusText(p)).filter((t, i, a) => i === 0 || a[i - 1] !== t))
      .toEqual(['Init:Error', 'Running', 'Init:CrashLoopBackOff', 'Running']);
    const down = writes.find((p) => initStatus(p, 'proxy')?.state?.running === undefined)!;
    expect(down.status?.conditions?.find((c) => c.type === 'ContainersReady')).toMatchObject({ status: 'False', message: 'containers with unready status: [proxy]' });
    expect(down.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(down.status?.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    expect(initStatus(get<Pod>(sim, 'Pod', 'web-0'), 'proxy')?.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(get<Pod>(sim, 'Pod', 'web-0')!.status?.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it('a pod deleted while its init container waits in CrashLoopBackOff has nothing to kill: gone without its grace period, the crash as the init container\'s final state', () => {
    const sim = newCluster();
    create(sim, ...withInit(1));
    waitFor(sim, 'web-0 created', () => get<Pod>(sim, 'Pod', 'web-0') !== undefined);
    const uid = get<Pod>(sim, 'Pod', 'web-0')!.metadata!.uid!;
    sim.fault({ fault: 'container-crash', name: 'web-0', container: 'init-perms', count: 10, exitCode: 3, runMs: 100 });
    waitFor(sim, 'Init:CrashLoopBackOff', () => podStatusText(get<Pod>(sim, 'Pod', 'web-0')!) === 'Init:CrashLoopBackOff', 120_000);
    const t0 = sim.now;
    del(sim, 'Pod', 'web-0');
    waitFor(sim, 'web-0 gone', () => get<Pod>(sim, 'Pod', 'web-0')?.metadata?.uid !== uid, 120_000);
    const gone = entriesOf(sim, 'Pod', 'web-0').find((e) => e.type === 'DELETED' && e.object.metadata?.uid === uid)!;
    expect(gone.time - t0).toBeLessThan(5_000);
    const last = gone.object as Pod;
    expect(last.status?.phase).toBe('Failed');
    expect(initStatus(last, 'init-perms')?.state?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(list<Event>(sim, 'Event', 'default').filter((e) => e.involvedObject?.uid === uid && e.reason === 'Killing')).toEqual([]);
  });
});
