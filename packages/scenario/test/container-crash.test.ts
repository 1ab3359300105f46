/**
 * Container crashes (`container-crash` fault) end to end: the kubelet restarts a crashed container
 * (restartPolicy Always) — at once after a first crash, then after the crash-loop back-off (10 s doubled
 * up to 5 min, [kuberuntime doBackOff]) — with restartCount + 1, the crash as lastState, a new container
 * id; the pod stays Running, is not Ready meanwhile, and is never re-created. What that does to a
 * StatefulSet (OrderedReady waits), Endpoints, a ReplicaSet's scale-down ranking (rule 7: more restarts
 * first) and a graceful deletion (nothing left to kill).
 */
import { describe, expect, it } from 'vitest';
import { parseTimestamp, type Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import { parseScenario } from '../src/index.js';
import {
  create, del, eventsFor, setReady, f1With, get, list, mustGet, newCluster, objectEntries, ready, replicaSetRs, scale, sleep, waitFor, writesBy,
  type Json, type ObjEntry,
} from './harness.js';

type CStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

const crash = (sim: Simulation, name: string, extra: Record<string, unknown> = {}) =>
  sim.fault({ fault: 'container-crash', namespace: 'default', name, ...extra });

const cstatus = (p: Pod | undefined): CStatus | undefined => p?.status?.containerStatuses?.[0];
const podEntries = (sim: Simulation, name: string, since = 0): ObjEntry[] =>
  objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.object.metadata?.name === name);
const ms = (t: string | undefined): number => parseTimestamp(t) ?? Number.NaN;

/** A StatefulSet `web` (F1) with `n` replicas; optionally a readiness probe (ready `periodSeconds` after each start). */
const statefulSet = (sim: Simulation, n: number, probePeriod?: number): void => {
  create(sim, ...f1With((set) => {
    set.spec.replicas = n;
    if (probePeriod !== undefined) set.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: '/', port: 80 }, periodSeconds: probePeriod };
  }));
};

/** Every kubelet write of the pod's container state after `since`: [time, state, restartCount, ready]. */
const containerHistory = (sim: Simulation, name: string, since: number) =>
  podEntries(sim, name, since).filter((e) => e.actor.startsWith('kubelet')).map((e) => {
    const s = cstatus(e.object as Pod)!;
    const state = s.state?.running ? 'running' : s.state?.terminated ? `terminated:${s.state.terminated.reason}` : `waiting:${s.state?.waiting?.reason}`;
    return { seq: e.seq, time: e.time, state, restarts: s.restartCount, ready: s.ready, status: s, pod: e.object as Pod };
  });

describe('container-crash: the kubelet restarts the container, the pod stays', () => {
  it('a first crash: terminated (Error), restarted at once with restartCount 1, the crash as lastState, a new container id; same pod, never re-created', () => {
    const sim = newCluster();
    statefulSet(sim, 1);
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const before = mustGet<Pod>(sim, 'Pod', 'web-0');
    const since = sim.log.lastSeq();
    const fault = crash(sim, 'web-0');
    waitFor(sim, 'restarted and Ready', () => cstatus(get<Pod>(sim, 'Pod', 'web-0'))?.restartCount === 1 && ready(sim, 'web-0'));
    sleep(sim, 60_000);
    const h = containerHistory(sim, 'web-0', since);
    expect(h.map((x) => `${x.state}/${x.restarts}/${x.ready}`)).toEqual(['terminated:Error/0/false', 'running/1/true']);
    const [crashed, restarted] = h;
    const term = crashed!.status.state!.terminated!;
    expect(term.exitCode).toBe(1);
    expect(term.containerID).toBe(cstatus(before)!.containerID);
    expect(term.startedAt).toBe(cstatus(before)!.state!.running!.startedAt);
    expect(ms(term.finishedAt)).toBeGreaterThanOrEqual(fault.time);
    expect(crashed!.pod.status!.phase).toBe('Running');
    const cond = (p: Pod, t: string) => p.status!.conditions!.find((c) => c.type === t)!;
    expect(cond(crashed!.pod, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [nginx]' });
    expect(cond(crashed!.pod, 'ContainersReady')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    // The first crash is not backed off: the restart follows as soon as the kubelet sees it.
    expect(restarted!.time - crashed!.time).toBeLessThan(100);
    expect(restarted!.status.lastState).toEqual({ terminated: term });
    expect(restarted!.status.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(restarted!.status.containerID).not.toBe(term.containerID);
    expect(ms(restarted!.status.state!.running!.startedAt)).toBeGreaterThanOrEqual(ms(term.finishedAt));
    const after = mustGet<Pod>(sim, 'Pod', 'web-0');
    expect(after.metadata!.uid).toBe(before.metadata!.uid);
    expect(after.status!.podIP).toBe(before.status!.podIP);
    expect(writesBy(sim, 'statefulset-controller', since).filter((e) => e.object.kind === 'Pod')).toEqual([]);
    expect(eventsFor(sim, 'Pod', 'web-0', 'BackOff')).toEqual([]);
  });

  it('a crash loop: CrashLoopBackOff between restarts, the back-off 10 s, 20 s, 40 s, 1m20s (Go durations), BackOff recorded about the container at every sync of the back-off', () => {
    const sim = newCluster();
    statefulSet(sim, 1);
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const uid = mustGet<Pod>(sim, 'Pod', 'web-0').metadata!.uid!;
    const since = sim.log.lastSeq();
    crash(sim, 'web-0', { count: 5, runMs: 3_000, exitCode: 2 });
    waitFor(sim, 'restartCount 5', () => cstatus(get<Pod>(sim, 'Pod', 'web-0'))?.restartCount === 5 && ready(sim, 'web-0'), 600_000);
    sleep(sim, 120_000);
    const h = containerHistory(sim, 'web-0', since);
    expect(h.map((x) => `${x.state}/${x.restarts}`)).toEqual([
      'terminated:Error/0', 'running/1',
      'waiting:CrashLoopBackOff/1', 'running/2',
      'waiting:CrashLoopBackOff/2', 'running/3',
      'waiting:CrashLoopBackOff/3', 'running/4',
      'waiting:CrashLoopBackOff/4', 'running/5',
    ]);
    const waits = h.filter((x) => x.state === 'waiting:CrashLoopBackOff');
    expect(waits.map((x) => x.status.state!.waiting!.message)).toEqual(['10s', '20s', '40s', '1m20s'].map((d) => `back-off ${d} restarting failed container=nginx pod=web-0_default(${uid})`));
    for (const w of waits) expect(w.status.lastState!.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    // Each crash happens runMs after the restart before it; each backed-off restart waits out the back-off from the crash's finishedAt.
    const runs = h.filter((x) => x.state === 'running');
    for (let i = 0; i < waits.length; i++) {
      const started = ms(runs[i]!.status.state!.running!.startedAt);
      const finished = ms(waits[i]!.status.lastState!.terminated!.finishedAt);
      expect(finished - started).toBeGreaterThanOrEqual(3_000);
      expect(finished - started).toBeLessThan(3_100);
      const restartedAt = ms(runs[i + 1]!.status.state!.running!.startedAt);
      expect(restartedAt - finished).toBeGreaterThanOrEqual([10_000, 20_000, 40_000, 80_000][i]!);
      expect(restartedAt - finished).toBeLessThan([10_000, 20_000, 40_000, 80_000][i]! + 100);
    }
    // No more crashes once the count is used up: the last container keeps running.
    expect(h.at(-1)!.state).toBe('running');
    const ev = eventsFor(sim, 'Pod', 'web-0', 'BackOff');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({
      type: 'Warning', message: `Back-off restarting failed container nginx in pod web-0_default(${uid})`, source: { component: 'kubelet' },
      involvedObject: { uid, fieldPath: 'spec.containers{nginx}' },
    });
    // Recorded at the crash and at every pod sync during the back-off (every 10–15 s): more than one per
    // backed-off crash over 10 + 20 + 40 + 80 s — as far as the correlator's spam filter lets them through
    // (25 events per pod and source, then one per 5 minutes).
    expect(ev[0]!.count).toBeGreaterThan(4);
    // Every start of the container (the first and five restarts) is one Pulled, Created, Started — counted
    // on one event each, as `kubectl describe` shows `Started (x6 over …)`; the first start pulled the image
    // (Pulling, then a Pulled of its own message), the restarts find it present. This kubelet's events about
    // the pod share the spam filter's 25 tokens with the BackOff ones: 29 were recorded, 25 got through.
    let total = ev[0]!.count as number;
    const pulling = eventsFor(sim, 'Pod', 'web-0', 'Pulling');
    expect(pulling.map((e) => [e.message, e.count])).toEqual([['Pulling image "nginx:1.25"', 1]]);
    total += 1;
    const pulled = eventsFor(sim, 'Pod', 'web-0', 'Pulled');
    expect(pulled.map((e) => e.message!.replace(/ in .*/, ' in …'))).toEqual([
      'Successfully pulled image "nginx:1.25" in …', 'Container image "nginx:1.25" already present on machine and can be accessed by the pod',
    ]);
    expect(pulled[0]!.count).toBe(1);
    for (const reason of ['Pulled', 'Created', 'Started']) {
      const evs = eventsFor(sim, 'Pod', 'web-0', reason);
      for (const e of evs) expect(e, reason).toMatchObject({ involvedObject: { uid, fieldPath: 'spec.containers{nginx}' } });
      const count = evs.reduce((n, e) => n + (e.count as number), 0);
      expect(count, reason).toBeGreaterThanOrEqual(5);
      expect(count, reason).toBeLessThanOrEqual(6);
      total += count;
    }
    expect(total).toBe(25);
  });

  it('exit code 0: the crashed container shows Completed, and is restarted all the same (restartPolicy Always)', () => {
    const sim = newCluster();
    statefulSet(sim, 1);
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const since = sim.log.lastSeq();
    crash(sim, 'web-0', { exitCode: 0 });
    waitFor(sim, 'restarted', () => cstatus(get<Pod>(sim, 'Pod', 'web-0'))?.restartCount === 1);
    const h = containerHistory(sim, 'web-0', since);
    expect(h[0]!.state).toBe('terminated:Completed');
    expect(h[0]!.status.state!.terminated!.exitCode).toBe(0);
    expect(h[0]!.pod.status!.phase).toBe('Running');
  });

  it('OrderedReady: scaling up waits while web-0 crash-loops (never Ready between crashes), and goes on once it runs again', () => {
    const sim = newCluster();
    // Ready 10 s after each start; each instance crashes 4 s after it starts.
    statefulSet(sim, 1, 10);
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'), 60_000);
    crash(sim, 'web-0', { count: 3, runMs: 4_000 });
    waitFor(sim, 'web-0 not Ready', () => !ready(sim, 'web-0'));
    const since = sim.log.lastSeq();
    scale(sim, 'StatefulSet', 'web', 2);
    waitFor(sim, 'web-1 Ready', () => ready(sim, 'web-1'), 600_000);
    const created = objectEntries(sim, since).find((e) => e.type === 'ADDED' && e.object.kind === 'Pod' && e.object.metadata?.name === 'web-1')!;
    const h = containerHistory(sim, 'web-0', 0);
    const lastRestart = h.find((x) => x.state === 'running' && x.restarts === 3)!;
    expect(lastRestart.restarts).toBe(3);
    const readyAgain = h.find((x) => x.seq > lastRestart.seq && x.ready)!;
    expect(readyAgain, 'web-0 Ready again after its last restart').toBeDefined();
    expect(created.seq).toBeGreaterThan(readyAgain.seq);
    waitFor(sim, 'status: 2 ready', () => mustGet<Json>(sim, 'StatefulSet', 'web').status?.readyReplicas === 2);
  });

  it('Endpoints and EndpointSlices: the crashed pod leaves the ready addresses while it is down and comes back after its restart', () => {
    const sim = newCluster();
    statefulSet(sim, 2, 10);
    waitFor(sim, 'both Ready', () => ready(sim, 'web-0') && ready(sim, 'web-1'), 120_000);
    const ip = mustGet<Pod>(sim, 'Pod', 'web-1').status!.podIP!;
    crash(sim, 'web-1', { count: 2, runMs: 2_000 });
    const endpoints = () => mustGet<Json>(sim, 'Endpoints', 'nginx').subsets?.[0] ?? {};
    waitFor(sim, 'web-1 not ready in Endpoints', () => (endpoints().notReadyAddresses ?? []).some((a: Json) => a.ip === ip));
    const slice = list<Json>(sim, 'EndpointSlice').find((s) => s.metadata.labels['kubernetes.io/service-name'] === 'nginx');
    expect(slice.endpoints.find((e: Json) => e.addresses[0] === ip).conditions).toMatchObject({ ready: false, serving: false, terminating: false });
    waitFor(sim, 'web-1 ready again in Endpoints', () => (endpoints().addresses ?? []).some((a: Json) => a.ip === ip) && cstatus(get<Pod>(sim, 'Pod', 'web-1'))?.restartCount === 2, 300_000);
    expect(mustGet<Pod>(sim, 'Pod', 'web-1').status!.podIP).toBe(ip);
  });

  it('a pod deleted while its container waits in CrashLoopBackOff has nothing to kill: gone without waiting out its grace period, Failed with the crash as final state', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => { set.spec.replicas = 1; set.spec.template.spec.terminationGracePeriodSeconds = 300; }));
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const uid = mustGet<Pod>(sim, 'Pod', 'web-0').metadata!.uid!;
    crash(sim, 'web-0', { count: 3, runMs: 1_000 });
    waitFor(sim, 'CrashLoopBackOff', () => cstatus(get<Pod>(sim, 'Pod', 'web-0'))?.state?.waiting?.reason === 'CrashLoopBackOff', 120_000);
    const t0 = sim.now;
    del(sim, 'Pod', 'web-0');
    waitFor(sim, 'the old web-0 gone', () => get<Pod>(sim, 'Pod', 'web-0')?.metadata?.uid !== uid, 60_000);
    expect(sim.now - t0).toBeLessThan(10_000);
    const final = objectEntries(sim).filter((e) => e.object.kind === 'Pod' && e.object.metadata?.uid === uid && e.type === 'MODIFIED').at(-1)!.object as Pod;
    expect(final.status!.phase).toBe('Failed');
    expect(cstatus(final)!.state!.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    // The new web-0 is a new pod: no restarts, and the fault (for the pod that existed) does not follow it.
    waitFor(sim, 'new web-0 Ready', () => ready(sim, 'web-0'), 120_000);
    sleep(sim, 60_000);
    expect(cstatus(mustGet<Pod>(sim, 'Pod', 'web-0'))!.restartCount).toBe(0);
  });

  it('a kubelet that restarts in the middle of a crash loop has forgotten the back-off (it lives in its memory): the waiting container restarts at once, and the back-off starts anew', () => {
    const run = (restartKubelet: boolean) => {
      const sim = newCluster();
      statefulSet(sim, 1);
      waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
      const since = sim.log.lastSeq();
      crash(sim, 'web-0', { count: 4, runMs: 2_000 });
      waitFor(sim, 'second crash', () => cstatus(get<Pod>(sim, 'Pod', 'web-0'))?.state?.waiting !== undefined, 120_000);
      if (restartKubelet) { sim.crash('kubelet'); sleep(sim, 1_000); sim.restart('kubelet'); }
      waitFor(sim, 'restartCount 4', () => cstatus(get<Pod>(sim, 'Pod', 'web-0'))?.restartCount === 4, 600_000);
      const h = containerHistory(sim, 'web-0', since);
      const runs = h.filter((x) => x.state === 'running').map((x) => ms(x.status.state!.running!.startedAt));
      const crashes = h.filter((x) => x.state !== 'running').map((x) => ms(x.status.state!.terminated?.finishedAt ?? x.status.lastState!.terminated!.finishedAt));
      return runs.map((r, i) => Math.round((r - crashes[i]!) / 1000));
    };
    expect(run(false)).toEqual([0, 10, 20, 40]);
    // Down 1 s in the 10 s back-off of the second crash: restarted as soon as the new kubelet has synced;
    // its next crash is then restarted at once and the one after it waits 10 s again.
    const restarted = run(true);
    expect(restarted[0]).toBe(0);
    expect(restarted[1]).toBeGreaterThanOrEqual(1);
    expect(restarted[1]).toBeLessThan(5);
    expect(restarted.slice(2)).toEqual([0, 10]);
  });
});

describe('container-crash: a ReplicaSet scales down the pod with more restarts first (rule 7)', () => {
  const rs = (): Json => replicaSetRs(2);
  // Rule 7 decides between pods that are both not Ready (for two Ready pods rule 6, their ready times,
  // decides — by uid within one log2 bucket). Both pods are restarted, then made not Ready; the one
  // restarted twice goes, whichever of the pair it is (rule 8 and the uid would pick the same pod both times).
  for (const twice of [0, 1]) {
    it(`the pod restarted twice goes, not the one restarted once (pod ${twice} of the pair)`, () => {
      const sim = newCluster();
      create(sim, rs());
      const pods = () => list<Pod>(sim, 'Pod').filter((p) => p.metadata?.labels?.app === 'rs').map((p) => p.metadata!.name!).sort();
      waitFor(sim, 'two Ready', () => pods().length === 2 && pods().every((n) => ready(sim, n)));
      const [a, b] = pods() as [string, string];
      const [two, one] = twice === 0 ? [a, b] : [b, a];
      crash(sim, two, { count: 2, runMs: 1_000 });
      crash(sim, one, { count: 1 });
      waitFor(sim, 'restarts done', () => cstatus(get<Pod>(sim, 'Pod', two))?.restartCount === 2 && cstatus(get<Pod>(sim, 'Pod', one))?.restartCount === 1
        && ready(sim, two) && ready(sim, one), 120_000);
      setReady(sim, two, false);
      setReady(sim, one, false);
      waitFor(sim, 'both not Ready', () => !ready(sim, two) && !ready(sim, one));
      scale(sim, 'ReplicaSet', 'web-rs', 1);
      waitFor(sim, 'one left', () => list<Pod>(sim, 'Pod').filter((p) => p.metadata?.labels?.app === 'rs' && !p.metadata.deletionTimestamp).length === 1);
      const left = list<Pod>(sim, 'Pod').filter((p) => p.metadata?.labels?.app === 'rs' && !p.metadata?.deletionTimestamp).map((p) => p.metadata!.name);
      expect(left).toEqual([one]);
    });
  }
});

describe('container-crash: a malformed fault is refused and nothing is written', () => {
  it('the engine refuses it before logging', () => {
    const sim = newCluster();
    const n = sim.log.lastSeq();
    expect(() => sim.fault({ fault: 'container-crash' })).toThrow('fault container-crash: "name" (the pod) is required');
    expect(() => sim.fault({ fault: 'container-crash', name: 'web-0', exitCode: 300 })).toThrow('fault container-crash: "exitCode" must be an integer from 0 to 255');
    expect(() => sim.fault({ fault: 'container-crash', name: 'web-0', count: 0 })).toThrow('fault container-crash: "count" must be an integer from 1 to 1000');
    expect(() => sim.fault({ fault: 'container-crash', name: 'web-0', runMs: -1 })).toThrow('fault container-crash: "runMs" must be a non-negative number');
    // The other pod and node faults too.
    expect(() => sim.fault({ fault: 'pod-readiness', name: 'web-0' })).toThrow('fault pod-readiness: "ready" must be true or false');
    expect(() => sim.fault({ fault: 'pod-fail' })).toThrow('fault pod-fail: "name" (the pod) is required');
    expect(() => sim.fault({ fault: 'node-down' })).toThrow('fault node-down: "node" is required');
    expect(sim.log.lastSeq()).toBe(n);
  });

  it('a scenario file with one is refused when it is loaded, with the step named', () => {
    const r = parseScenario(`name: bad
cluster: {nodes: 1}
steps:
  - fault: {fault: container-crash, name: web-0, count: 1.5}
`, 'bad.yaml');
    expect(r._tag).toBe('Left');
    expect(r._tag === 'Left' ? r.left.message : '').toContain('fault container-crash: "count" must be an integer from 1 to 1000');
    const readiness = parseScenario('name: bad\ncluster: {nodes: 1}\nsteps:\n  - fault: {fault: pod-readiness, name: web-0, ready: maybe}\n', 'bad.yaml');
    expect(readiness._tag === 'Left' ? readiness.left.message : '').toContain('fault pod-readiness: "ready" must be true or false');
  });
});
