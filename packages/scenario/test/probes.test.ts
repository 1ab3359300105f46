/**
 * Startup probes end to end ([prober_manager UpdatePodStatus], [worker doProbe]): a container is `started`
 * only at its startup probe's first success, and not ready before it — so OrderedReady scaling waits for it.
 */
import { describe, expect, it } from 'vitest';
import { parseTimestamp, type Pod } from '@kubesim/api';
import { converge, create, entriesOf, eventsFor, f1With, get, mustGet, newCluster, objectEntries, ready, seqOf, sleep, waitFor, type Json } from './harness.js';

describe('startup probes', () => {
  it('OrderedReady waits for each pod\'s startup probe: web-1 is created only once web-0 has started and turned ready', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 2;
      set.spec.template.spec.containers[0].startupProbe = { tcpSocket: { port: 80 }, initialDelaySeconds: 30, periodSeconds: 10 };
    }));
    converge(sim, 'web', 2);
    // The probe is stored defaulted.
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').spec?.containers[0]?.startupProbe).toEqual({
      tcpSocket: { port: 80 }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3,
    });
    const states = entriesOf(sim, 'Pod', 'web-0').map((e) => ({ e, s: (e.object as Pod).status?.containerStatuses?.[0] }));
    const running = states.find(({ s }) => s?.state?.running !== undefined);
    const started = states.find(({ s }) => s?.started === true);
    expect(running?.s).toMatchObject({ started: false, ready: false });
    expect(started?.s).toMatchObject({ started: true, ready: true });
    // initialDelaySeconds + one periodSeconds after the container started.
    const startedAt = Date.parse(running!.s!.state!.running!.startedAt!);
    expect(Date.parse((started!.e.object as Pod).status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime!) - startedAt).toBe(40_000);
    expect(seqOf(sim, 'ADDED', 'Pod', 'web-1')).toBeGreaterThan(started!.e.seq);
    expect(seqOf(sim, 'READY', 'Pod', 'web-0')).toBe(started!.e.seq);
  });
});

describe('failing liveness probes (probe-failure fault)', () => {
  const withLiveness = (probe: Record<string, unknown>) => f1With((set) => {
    set.spec.replicas = 1;
    set.spec.template.spec.containers[0].livenessProbe = probe;
  });
  const status = (p: Pod | undefined) => p?.status?.containerStatuses?.[0];
  const ms = (t: string | undefined): number => parseTimestamp(t) ?? Number.NaN;

  it('Unhealthy at each period, Killing at failureThreshold, the container restarted in the same pod (same claim, same name); a second instance fails again', () => {
    const sim = newCluster();
    create(sim, ...withLiveness({ httpGet: { path: '/healthz', port: 80 }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 }));
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    sleep(sim, 30_000);
    const before = mustGet<Pod>(sim, 'Pod', 'web-0');
    const since = sim.log.lastSeq();
    const fault = sim.fault({ fault: 'probe-failure', namespace: 'default', name: 'web-0', probe: 'liveness', count: 2 });
    waitFor(sim, 'two restarts', () => (status(get<Pod>(sim, 'Pod', 'web-0'))?.restartCount ?? 0) >= 2 && ready(sim, 'web-0'), 600_000);
    sleep(sim, 120_000);
    const pod = mustGet<Pod>(sim, 'Pod', 'web-0');
    // The same pod: restarted in place, never re-created, its claim kept.
    expect(pod.metadata?.uid).toBe(before.metadata?.uid);
    expect(status(pod)?.restartCount).toBe(2);
    expect(status(pod)?.lastState?.terminated).toMatchObject({ exitCode: 143, reason: 'Error' });
    expect(objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.actor === 'statefulset-controller')).toEqual([]);
    // Three failures 10 s apart, counted on one event (the correlator); the kill at the third.
    const unhealthy = eventsFor(sim, 'Pod', 'web-0', 'Unhealthy');
    expect(unhealthy.map((e: Json) => [e.type, e.message, e.count, e.involvedObject.fieldPath, e.source.component])).toEqual([
      ['Warning', 'Liveness probe failed: HTTP probe failed with statuscode: 500', 6, 'spec.containers{nginx}', 'kubelet'],
    ]);
    const killing = eventsFor(sim, 'Pod', 'web-0', 'Killing');
    expect(killing.map((e: Json) => [e.message, e.count])).toEqual([['Container nginx failed liveness probe, will be restarted', 2]]);
    const creates = objectEntries(sim, since).filter((e) => e.type === 'ADDED' && e.object.kind === 'Event' && (e.object as Json).reason === 'Unhealthy');
    expect(creates).toHaveLength(1);
    // (written after the kubelet's request reaches the API server: a millisecond or so)
    expect(creates[0]!.time - fault.time).toBeGreaterThanOrEqual(10_000);
    expect(creates[0]!.time - fault.time).toBeLessThan(10_100);
    // The first kill 30 s after the fault (three periods); the instance before it ran from the set's start.
    // (the second within the back-off of the first: it waits in CrashLoopBackOff, the kill as its lastState)
    const kills = entriesOf(sim, 'Pod', 'web-0').filter((e) => e.seq > since
      && (status(e.object as Pod)?.state?.terminated !== undefined || status(e.object as Pod)?.state?.waiting?.reason === 'CrashLoopBackOff'));
    expect(kills).toHaveLength(2);
    expect(kills[0]!.time - fault.time).toBeGreaterThanOrEqual(30_000);
    expect(kills[0]!.time - fault.time).toBeLessThan(30_100);
    const term0 = status(kills[0]!.object as Pod)!.state!.terminated!;
    expect(term0.startedAt).toBe(status(before)!.state!.running!.startedAt);
    // The second instance: probed from initialDelaySeconds after its start, killed three periods later.
    expect(status(kills[1]!.object as Pod)!.state!.waiting!.message).toMatch(/^back-off 10s restarting failed container=nginx pod=web-0_default/);
    const term1 = status(kills[1]!.object as Pod)!.lastState!.terminated!;
    expect(ms(term1.finishedAt) - ms(term1.startedAt)).toBe(5_000 + 30_000);
    // Nothing more after the fault's two kills.
    expect(status(pod)?.state?.running).toBeDefined();
  });

  it('a tcpSocket probe reports the refused connection; a container without a liveness probe is not affected; a malformed fault is refused', () => {
    const sim = newCluster();
    create(sim, ...withLiveness({ tcpSocket: { port: 'web' }, periodSeconds: 5, failureThreshold: 1 }));
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'liveness' });
    waitFor(sim, 'restarted', () => status(get<Pod>(sim, 'Pod', 'web-0'))?.restartCount === 1, 60_000);
    const ip = mustGet<Pod>(sim, 'Pod', 'web-0').status?.podIP;
    expect(eventsFor(sim, 'Pod', 'web-0', 'Unhealthy').map((e: Json) => [e.message, e.count])).toEqual([[`Liveness probe failed: dial tcp ${ip}:80: connect: connection refused`, 1]]);
    expect(() => sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'readiness-gate' })).toThrow('fault probe-failure: "probe" must be liveness, readiness or startup');
    expect(() => sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'liveness', count: 0 })).toThrow('fault probe-failure: "count" must be an integer from 1 to 1000');

    const plain = newCluster();
    create(plain, ...f1With((set) => { set.spec.replicas = 1; }));
    waitFor(plain, 'web-0 Ready', () => ready(plain, 'web-0'));
    const n = plain.log.lastSeq();
    plain.fault({ fault: 'probe-failure', name: 'web-0', probe: 'liveness' });
    sleep(plain, 120_000);
    expect(status(mustGet<Pod>(plain, 'Pod', 'web-0'))?.restartCount).toBe(0);
    expect(objectEntries(plain, n).filter((e) => e.object.kind === 'Pod')).toEqual([]);
  });
});

describe('failing readiness probes (probe-failure fault)', () => {
  const readyTimes = (sim: ReturnType<typeof newCluster>, name: string, since: number): Array<[boolean, number]> => {
    const out: Array<[boolean, number]> = [];
    for (const e of entriesOf(sim, 'Pod', name)) {
      if (e.seq <= since) continue;
      const r = (e.object as Pod).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      if (out.length === 0 || out.at(-1)![0] !== r) out.push([r, e.time]);
    }
    return out;
  };

  it('Unhealthy at each failed probe; not Ready from failureThreshold failures until successThreshold successes after the failure ends; nothing restarted or replaced', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 2;
      set.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: '/ready', port: 80 }, periodSeconds: 5, failureThreshold: 3, successThreshold: 2 };
    }));
    converge(sim, 'web', 2);
    sleep(sim, 20_000);
    const before = mustGet<Pod>(sim, 'Pod', 'web-0');
    const since = sim.log.lastSeq();
    const fault = sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'readiness', durationMs: 30_000 });
    waitFor(sim, 'unready', () => !ready(sim, 'web-0'), 60_000);
    waitFor(sim, 'ready again', () => ready(sim, 'web-0'), 120_000);
    sleep(sim, 60_000);
    // Probes every 5 s: those at +5 … +25 s fail (five), the one at +30 s is the first success.
    const unhealthy = eventsFor(sim, 'Pod', 'web-0', 'Unhealthy');
    expect(unhealthy.map((e: Json) => [e.type, e.message, e.count, e.involvedObject.fieldPath])).toEqual([
      ['Warning', 'Readiness probe failed: HTTP probe failed with statuscode: 500', 5, 'spec.containers{nginx}'],
    ]);
    // Not Ready from the third failure (+15 s) until the second success (+35 s).
    const t = readyTimes(sim, 'web-0', since).map(([r, at]) => [r, Math.round((at - fault.time) / 100) / 10]);
    expect(t).toEqual([[false, 15], [true, 35]]);
    const pod = mustGet<Pod>(sim, 'Pod', 'web-0');
    expect(pod.metadata?.uid).toBe(before.metadata?.uid);
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    expect(eventsFor(sim, 'Pod', 'web-0', 'Killing')).toEqual([]);
    // web-1 untouched.
    expect(readyTimes(sim, 'web-1', since)).toEqual([]);
  });

  it('a failure shorter than failureThreshold periods only records Unhealthy; a container without a readiness probe is not affected; malformed faults are refused', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 1;
      set.spec.template.spec.containers[0].readinessProbe = { tcpSocket: { port: 80 }, periodSeconds: 10, failureThreshold: 3 };
    }));
    converge(sim, 'web', 1);
    const since = sim.log.lastSeq();
    sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'readiness', durationMs: 25_000 });
    sleep(sim, 120_000);
    const ip = mustGet<Pod>(sim, 'Pod', 'web-0').status?.podIP;
    expect(eventsFor(sim, 'Pod', 'web-0', 'Unhealthy').map((e: Json) => [e.message, e.count])).toEqual([[`Readiness probe failed: dial tcp ${ip}:80: connect: connection refused`, 2]]);
    expect(readyTimes(sim, 'web-0', since)).toEqual([]);
    expect(() => sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'readiness' })).toThrow('fault probe-failure: a readiness probe needs "durationMs", how long it fails (a positive number)');
    expect(() => sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'readiness', durationMs: 1000, count: 2 })).toThrow('fault probe-failure: "count" and "exitCode" are for a liveness probe');
    expect(() => sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'readiness-gate' })).toThrow('fault probe-failure: "probe" must be liveness, readiness or startup');

    const plain = newCluster();
    create(plain, ...f1With((set) => { set.spec.replicas = 1; }));
    converge(plain, 'web', 1);
    const n = plain.log.lastSeq();
    plain.fault({ fault: 'probe-failure', name: 'web-0', probe: 'readiness', durationMs: 60_000 });
    sleep(plain, 120_000);
    expect(objectEntries(plain, n).filter((e) => e.object.kind === 'Pod' || e.object.kind === 'Event')).toEqual([]);
  });
});

describe('failing startup probes (probe-failure fault)', () => {
  const status = (p: Pod | undefined) => p?.status?.containerStatuses?.[0];

  it('a slow start: never started nor Ready, Unhealthy at each failure, killed at failureThreshold and restarted; OrderedReady waits; it starts once the kills are used up', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 2;
      set.spec.template.spec.containers[0].startupProbe = { exec: { command: ['pg_isready'] }, periodSeconds: 10, failureThreshold: 3 };
    }));
    // The fault before web-0 has started: its first instance fails its startup probe.
    waitFor(sim, 'web-0 created', () => get<Pod>(sim, 'Pod', 'web-0') !== undefined, 60_000);
    const since = sim.log.lastSeq();
    sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'startup', count: 2 });
    waitFor(sim, 'two kills, then started and Ready', () => status(get<Pod>(sim, 'Pod', 'web-0'))?.restartCount === 2 && ready(sim, 'web-0'), 600_000);
    converge(sim, 'web', 2);
    // No write ever showed web-0's container started before its third instance.
    for (const e of entriesOf(sim, 'Pod', 'web-0').filter((x) => x.seq > since)) {
      const st = status(e.object as Pod);
      if ((st?.restartCount ?? 0) < 2) expect(st?.started ?? false, `seq ${e.seq}`).toBe(false);
    }
    expect(eventsFor(sim, 'Pod', 'web-0', 'Unhealthy').map((e: Json) => [e.message, e.count])).toEqual([['Startup probe failed: ', 6]]);
    expect(eventsFor(sim, 'Pod', 'web-0', 'Killing').map((e: Json) => [e.message, e.count])).toEqual([['Container nginx failed startup probe, will be restarted', 2]]);
    // OrderedReady: web-1 only after web-0 was Ready, i.e. after its third instance started.
    const readyAt = entriesOf(sim, 'Pod', 'web-0').find((e) => e.seq > since && (e.object as Pod).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))!;
    expect(seqOf(sim, 'ADDED', 'Pod', 'web-1')).toBeGreaterThan(readyAt.seq);
    expect(status(mustGet<Pod>(sim, 'Pod', 'web-0'))).toMatchObject({ started: true, ready: true, lastState: { terminated: { exitCode: 143, reason: 'Error' } } });
  });

  it('a sidecar failing its startup probe holds the pod\'s containers (Init) until it is killed, restarted and started', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 1;
      set.spec.template.spec.initContainers = [{ name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always', startupProbe: { tcpSocket: { port: 15000 }, periodSeconds: 5, failureThreshold: 2 } }];
    }));
    waitFor(sim, 'web-0 created', () => get<Pod>(sim, 'Pod', 'web-0') !== undefined, 60_000);
    const since = sim.log.lastSeq();
    sim.fault({ fault: 'probe-failure', name: 'web-0', container: 'proxy', probe: 'startup' });
    waitFor(sim, 'killed once, then Ready', () => get<Pod>(sim, 'Pod', 'web-0')?.status?.initContainerStatuses?.[0]?.restartCount === 1 && ready(sim, 'web-0'), 300_000);
    // Until the sidecar's second instance started, the main container never ran.
    for (const e of entriesOf(sim, 'Pod', 'web-0').filter((x) => x.seq > since)) {
      const p = e.object as Pod;
      if ((p.status?.initContainerStatuses?.[0]?.restartCount ?? 0) === 0) {
        expect(p.status?.initContainerStatuses?.[0]?.started ?? false, `seq ${e.seq}`).toBe(false);
        expect(status(p)?.state?.running, `seq ${e.seq}`).toBeUndefined();
      }
    }
    expect(eventsFor(sim, 'Pod', 'web-0', 'Killing').map((e: Json) => [e.message, e.involvedObject.fieldPath])).toEqual([['Container proxy failed startup probe, will be restarted', 'spec.initContainers{proxy}']]);
    expect(eventsFor(sim, 'Pod', 'web-0', 'Unhealthy').map((e: Json) => [e.message, e.count])).toEqual([[`Startup probe failed: dial tcp ${mustGet<Pod>(sim, 'Pod', 'web-0').status?.podIP ?? ''}:15000: connect: connection refused`, 2]]);
  });

  it('a container that has started already is not affected (its startup probe runs no more)', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 1;
      set.spec.template.spec.containers[0].startupProbe = { tcpSocket: { port: 80 }, periodSeconds: 5 };
    }));
    converge(sim, 'web', 1);
    const n = sim.log.lastSeq();
    sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'startup' });
    sleep(sim, 120_000);
    expect(objectEntries(sim, n).filter((e) => e.object.kind === 'Pod' || e.object.kind === 'Event')).toEqual([]);
    expect(() => sim.fault({ fault: 'probe-failure', name: 'web-0', probe: 'startup', durationMs: 5 })).toThrow('fault probe-failure: "durationMs" is for a readiness probe (a startup probe fails until its container is killed, "count" times)');
  });
});
