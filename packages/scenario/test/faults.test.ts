import { describe, expect, it } from 'vitest';
import type { KObject, Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { createCluster, defaultComponents, type ClusterSpec, type ComponentSetup, type Simulation } from '@kubesim/runtime';
import type { ComponentDef } from '@kubesim/controllers';
import { clusterSpec, converge, create, del, f1, patch, scale, SEED } from './harness.js';

/**
 * The faults between the log and a component (packages/runtime/src/embedded/faults.ts): each one has the
 * effect a real client would see, is recorded in the log, and the cluster still converges after it.
 */

type AnyDef = ComponentDef<unknown, unknown>;

/** A cluster whose `name` component reports every delivery its handlers see. */
const spied = (name: string, seen: Envelope[], seed = SEED): Simulation => {
  const components = (spec: ClusterSpec): ComponentSetup[] => defaultComponents(spec).map((c) => {
    if (c.def.name !== name) return c;
    const def = c.def as unknown as AnyDef;
    const wrapped: AnyDef = { ...def, keysFor: (e, old, snap, cfg, ctx) => { seen.push(e); return def.keysFor(e, old, snap, cfg, ctx); } };
    return { ...c, def: wrapped as never };
  });
  const sim = createCluster(clusterSpec(), seed, components);
  sim.run({ until: () => sim.hosts.every((h) => h.running), deadlineMs: 10_000 });
  return sim;
};

const startF1 = (sim: Simulation, replicas = 3): void => {
  const { service, set } = f1();
  set.spec.replicas = replicas;
  create(sim, service as KObject, set as KObject);
};

const podsOf = (sim: Simulation): Pod[] => [...sim.api.store.list('Pod', 'default')];
const faultEntries = (sim: Simulation, fault: string): Envelope[] =>
  sim.log.all().filter((e) => e.type === 'FAULT' && (e.data as { fault?: string }).fault === fault);

describe('runtime faults', () => {
  it('are refused when malformed, and nothing is written', () => {
    const sim = createCluster(clusterSpec(), SEED);
    const before = sim.log.lastSeq();
    expect(() => sim.fault({ fault: 'watch-delay', component: 'scheduler', ms: -1, durationMs: 10 })).toThrow(/"ms" must be a non-negative number/);
    expect(() => sim.fault({ fault: 'watch-drop', component: 'nobody', durationMs: 10 })).toThrow(/no component "nobody"/);
    expect(() => sim.fault({ fault: 'api-drop', component: 'scheduler', where: 'sideways' })).toThrow(/where/);
    expect(sim.log.lastSeq()).toBe(before);
  });

  it('watch-delay (a stale view): the component sees each entry at least `ms` late', () => {
    const seen: Envelope[] = [];
    const sim = spied('statefulset-controller', seen);
    sim.fault({ fault: 'watch-delay', component: 'statefulset-controller', ms: 5_000, durationMs: 20_000 });
    const n0 = seen.length;
    startF1(sim);
    sim.advance(4_900);
    expect(seen.length).toBe(n0); // nothing reached the controller yet
    expect(podsOf(sim)).toHaveLength(0);
    converge(sim, 'web', 3);
    const setEntry = sim.log.all().find((e) => isObjectEntry(e) && e.object.kind === 'StatefulSet' && e.type === 'ADDED')!;
    const firstPod = sim.log.all().find((e) => isObjectEntry(e) && e.object.kind === 'Pod' && e.type === 'ADDED')!;
    expect(firstPod.time - setEntry.time).toBeGreaterThanOrEqual(5_000);
  });

  it('watch-drop: events of the window are lost, the relist brings the latest version of each object once', () => {
    const seen: Envelope[] = [];
    const sim = spied('endpoints-controller', seen);
    startF1(sim, 2);
    converge(sim, 'web', 2);
    sim.advance(1_000); // entries already on their way to the controller arrive before the fault
    const n0 = seen.length;
    const from = sim.log.lastSeq();
    sim.fault({ fault: 'watch-drop', component: 'endpoints-controller', durationMs: 30_000 });
    scale(sim, 'StatefulSet', 'web', 3);
    sim.advance(29_000);
    expect(seen.length).toBe(n0); // the watch is broken
    const logged = sim.log.all().filter((e) => e.seq > from && isObjectEntry(e) && e.object.kind === 'Pod').length;
    converge(sim, 'web', 3);
    sim.advance(60_000);
    const podDeliveries = seen.slice(n0).filter((e) => isObjectEntry(e) && e.object.kind === 'Pod');
    // Several versions of web-2 were written in the window; the handlers saw fewer entries than the log holds.
    expect(logged).toBeGreaterThan(2);
    expect(podDeliveries.length).toBeLessThan(sim.log.all().filter((e) => e.seq > from && isObjectEntry(e) && e.object.kind === 'Pod').length);
    // ... and the Endpoints caught up: web-2 is published.
    const ep = sim.api.store.get('Endpoints', 'default', 'nginx');
    expect(JSON.stringify(ep?.subsets)).toContain('web-2');
  });

  it('watch-duplicate: the next objects reach the handlers twice; the controllers do nothing more', () => {
    const seen: Envelope[] = [];
    const sim = spied('statefulset-controller', seen);
    sim.fault({ fault: 'watch-duplicate', component: 'statefulset-controller', count: 5 });
    startF1(sim);
    converge(sim, 'web', 3);
    const counts = new Map<number, number>();
    for (const e of seen) counts.set(e.seq, (counts.get(e.seq) ?? 0) + 1);
    // Five extra deliveries. A duplicate re-delivers the cached version, which a later write may already have
    // replaced: two duplicates can then land on the same, newer seq.
    expect([...counts.values()].reduce((extra, n) => extra + n - 1, 0)).toBe(5);
    // Idempotent handlers: exactly 3 pods were ever created.
    expect(sim.log.all().filter((e) => isObjectEntry(e) && e.object.kind === 'Pod' && e.type === 'ADDED')).toHaveLength(3);
  });

  it('watch-reorder: kinds overtake each other, each kind stays in log order', () => {
    const seen: Envelope[] = [];
    const sim = spied('statefulset-controller', seen);
    sim.fault({ fault: 'watch-reorder', component: 'statefulset-controller', durationMs: 60_000 });
    startF1(sim);
    converge(sim, 'web', 3);
    const objects = seen.filter(isObjectEntry);
    let inversions = 0;
    for (let i = 1; i < objects.length; i++) if (objects[i]!.seq < objects[i - 1]!.seq) inversions++;
    expect(inversions).toBeGreaterThan(0);
    const byKind = new Map<string, number>();
    for (const e of objects) {
      const k = e.object.kind as string;
      expect(e.seq).toBeGreaterThan(byKind.get(k) ?? 0);
      byKind.set(k, e.seq);
    }
  });

  /** What a component's informer holds of a kind, by name and resourceVersion, against the API server's store. */
  const cacheAgrees = (sim: Simulation, component: string, kinds: readonly string[]): void => {
    const informer = sim.host(component)!.informer;
    for (const kind of kinds) {
      const want = [...sim.api.store.list(kind as never)].map((o) => `${(o as KObject).metadata?.name}@${(o as KObject).metadata?.resourceVersion}`).sort();
      const got = [...informer.list(kind as never)].map((o) => `${(o as KObject).metadata?.name}@${(o as KObject).metadata?.resourceVersion}`).sort();
      expect(got, `${component}'s cache of ${kind}`).toEqual(want);
    }
  };

  it('watch-reorder never lets an event overtake one of its kind still on its way in order (found by the property suite)', () => {
    // Events offered during a watch-delay are due 5 s later; a reorder window opening meanwhile delivers
    // newer events of the same kinds within 40 ms. Were they to arrive first, the watch would skip the
    // older ones for good (one watch per kind delivers in order): the kubelet never saw a volume and its
    // pod never started.
    const sim = spied('statefulset-controller', []);
    sim.fault({ fault: 'watch-delay', component: 'statefulset-controller', ms: 5_000, durationMs: 20_000 });
    startF1(sim);
    sim.advance(1_000);
    sim.fault({ fault: 'watch-reorder', component: 'statefulset-controller', durationMs: 60_000 });
    // A second set, created while the first one's ADDED is still on its way.
    const { set } = f1();
    set.metadata.name = 'db';
    set.spec.replicas = 1;
    set.spec.selector = { matchLabels: { app: 'db' } };
    set.spec.template.metadata.labels = { app: 'db' };
    create(sim, set as KObject);
    converge(sim, 'web', 3);
    converge(sim, 'db', 1);
    sim.advance(60_000);
    cacheAgrees(sim, 'statefulset-controller', ['StatefulSet', 'Pod', 'PersistentVolumeClaim', 'ControllerRevision']);
  });

  it('watch-reorder: events after a broken watch wait for its relist, whatever their kind (found by the property suite)', () => {
    const sim = spied('statefulset-controller', []);
    sim.fault({ fault: 'watch-reorder', component: 'statefulset-controller', durationMs: 120_000 });
    startF1(sim);
    converge(sim, 'web', 3);
    sim.fault({ fault: 'watch-drop', component: 'statefulset-controller', durationMs: 5_000 });
    sim.fault({ fault: 'pod-readiness', name: 'web-0', ready: false });
    sim.advance(5_050);
    // Past the broken window, before the relist (100–800 ms later): a newer pod event must not reach the
    // cache first.
    sim.fault({ fault: 'pod-readiness', name: 'web-1', ready: false });
    sim.advance(120_000);
    cacheAgrees(sim, 'statefulset-controller', ['Pod']);
    expect(sim.api.store.get('StatefulSet', 'default', 'web')?.status?.readyReplicas).toBe(1);
  });

  it('api-delay: the component\'s writes land at least `ms` after the request', () => {
    const sim = spied('scheduler', []);
    sim.fault({ fault: 'api-delay', component: 'scheduler', ms: 2_000, durationMs: 60_000 });
    startF1(sim, 1);
    converge(sim, 'web', 1);
    const pod = sim.log.all().find((e) => isObjectEntry(e) && e.object.kind === 'Pod' && e.type === 'ADDED')!;
    const bind = sim.log.all().find((e) => e.actor === 'scheduler' && e.op === 'bind')!;
    expect(bind.time - pod.time).toBeGreaterThanOrEqual(2_000);
  });

  it('api-drop request: the write never happens, the sync fails and is retried', () => {
    const sim = spied('statefulset-controller', []);
    sim.fault({ fault: 'api-drop', component: 'statefulset-controller', where: 'request', count: 1, timeoutMs: 3_000 });
    startF1(sim, 1);
    converge(sim, 'web', 1);
    const host = sim.host('statefulset-controller')!;
    expect(host.stats.failedSyncs).toBeGreaterThan(0);
    // The first request (the claim) was lost: the first controller write comes after the timeout.
    const setAdded = sim.log.all().find((e) => isObjectEntry(e) && e.object.kind === 'StatefulSet')!;
    const first = sim.log.all().find((e) => e.actor === 'statefulset-controller' && isObjectEntry(e) && e.object.kind !== 'Event')!;
    expect(first.time - setAdded.time).toBeGreaterThanOrEqual(3_000);
  });

  it('api-drop response: the write happens, the client sees a timeout, and the retry finds it done', () => {
    const sim = spied('statefulset-controller', []);
    sim.fault({ fault: 'api-drop', component: 'statefulset-controller', where: 'response', count: 2, timeoutMs: 3_000 });
    startF1(sim, 2);
    converge(sim, 'web', 2);
    expect(sim.host('statefulset-controller')!.stats.failedSyncs).toBeGreaterThan(0);
    expect(sim.log.all().filter((e) => isObjectEntry(e) && e.object.kind === 'Pod' && e.type === 'ADDED')).toHaveLength(2);
    expect(sim.log.all().filter((e) => isObjectEntry(e) && e.object.kind === 'PersistentVolumeClaim' && e.type === 'ADDED')).toHaveLength(2);
  });

  it('crash-after-writes: the process dies right after its n-th write (between two writes of one sync) and restarts', () => {
    const sim = spied('statefulset-controller', []);
    sim.fault({ fault: 'crash-after-writes', component: 'statefulset-controller', writes: 2, restartAfterMs: 5_000 });
    startF1(sim, 1);
    converge(sim, 'web', 1);
    const crash = faultEntries(sim, 'crash')[0]!;
    expect(crash).toBeDefined();
    // The sync writes the revision, the claim, then the pod: it died after the claim, before the pod.
    const before = sim.log.all()[crash.seq - 2]!;
    expect(before.actor).toBe('statefulset-controller');
    expect(before.object?.kind).toBe('PersistentVolumeClaim');
    const restart = sim.log.all().find((e) => e.type === 'COMPONENT' && (e.data as { event?: string }).event === 'restart')!;
    expect(restart.time - crash.time).toBeCloseTo(5_000, 0);
    expect(sim.log.all().filter((e) => isObjectEntry(e) && e.object.kind === 'PersistentVolumeClaim' && e.type === 'ADDED')).toHaveLength(1);
  });

  it('a restarted kubelet takes up every node\'s pods, including those bound while it was down (found by the property suite)', () => {
    const sim = spied('kubelet', []);
    startF1(sim, 3);
    converge(sim, 'web', 3);
    sim.crash('kubelet');
    del(sim, 'Pod', 'web-1', { gracePeriodSeconds: 0 });
    sim.advance(20_000);
    sim.restart('kubelet');
    converge(sim, 'web', 3, 60_000);
  });

  it('a crash ends a broken watch: the restarted component opens a new one and misses nothing (found by the property suite)', () => {
    const sim = spied('kubelet', []);
    startF1(sim, 1);
    converge(sim, 'web', 1);
    sim.fault({ fault: 'watch-drop', component: 'kubelet', durationMs: 60_000 });
    sim.crash('kubelet');
    sim.advance(100);
    sim.restart('kubelet');
    sim.advance(1_000);
    scale(sim, 'StatefulSet', 'web', 3);
    converge(sim, 'web', 3, 30_000);
  });

  it('periodic informer resync re-delivers every cached object; a run with only resyncs pending is idle', () => {
    const seen: Envelope[] = [];
    const sim = spied('statefulset-controller', seen);
    startF1(sim, 1);
    converge(sim, 'web', 1);
    expect(sim.run({})).toBe('idle');
    const n0 = seen.length;
    const cached = sim.host('statefulset-controller')!.informer.count('Pod') + sim.host('statefulset-controller')!.informer.count('StatefulSet');
    sim.advance(sim.timing.resyncMs[1] + 1);
    const again = seen.slice(n0).filter((e) => isObjectEntry(e) && (e.object.kind === 'Pod' || e.object.kind === 'StatefulSet'));
    expect(again.length).toBeGreaterThanOrEqual(cached);
    // Nothing changed, so nothing was written.
    expect(sim.log.all().filter((e) => e.time > sim.now - sim.timing.resyncMs[1] && isObjectEntry(e) && e.object.kind !== 'Event')).toHaveLength(0);
  });

  it('faulted runs are deterministic: same seed and faults, same log', () => {
    const run = () => {
      const sim = spied('statefulset-controller', [], 7);
      sim.fault({ fault: 'watch-reorder', component: 'statefulset-controller', durationMs: 30_000 });
      sim.fault({ fault: 'watch-drop', component: 'kubelet', durationMs: 5_000 });
      sim.fault({ fault: 'api-drop', component: 'scheduler', where: 'response', count: 1, timeoutMs: 1_000 });
      startF1(sim);
      converge(sim, 'web', 3);
      return JSON.stringify(sim.log.all());
    };
    expect(run()).toBe(run());
  });
});

describe('process chaos on the embedded engine (pause / resume, partition / heal)', () => {
  it('a paused component sees and does nothing; resumed, it handles what it missed in log order; a kill ends the pause', () => {
    const seen: Envelope[] = [];
    const sim = spied('statefulset-controller', seen);
    startF1(sim, 1);
    sim.run({ until: () => podsOf(sim).length === 1, deadlineMs: 60_000 });
    expect(sim.chaos('pause', 'statefulset-controller')).toBeUndefined();
    expect(sim.chaos('pause', 'statefulset-controller')).toBe('statefulset-controller is already paused');
    const before = seen.length;
    scale(sim, 'StatefulSet', 'web', 3);
    sim.advance(30_000);
    expect(seen.length).toBe(before);
    expect(podsOf(sim).map((p) => p.metadata!.name)).toEqual(['web-0']);
    expect(sim.chaos('resume', 'statefulset-controller')).toBeUndefined();
    expect(sim.chaos('resume', 'statefulset-controller')).toBe('statefulset-controller is not paused');
    sim.advance(1_000);
    const caughtUp = seen.slice(before).map((e) => e.seq);
    expect(caughtUp.length).toBeGreaterThan(0);
    expect(caughtUp).toEqual([...caughtUp].sort((a, b) => a - b));
    sim.run({ until: () => podsOf(sim).length === 3, deadlineMs: sim.now + 120_000 });
    expect(podsOf(sim).map((p) => p.metadata!.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);
    // Killed while paused, restarted: it is no longer paused and reconciles again.
    expect(sim.chaos('pause', 'statefulset-controller')).toBeUndefined();
    sim.crash('statefulset-controller');
    sim.restart('statefulset-controller');
    expect(sim.host('statefulset-controller')!.isPaused).toBe(false);
    scale(sim, 'StatefulSet', 'web', 2);
    sim.run({ until: () => podsOf(sim).length === 2, deadlineMs: sim.now + 120_000 });
    expect(podsOf(sim).length).toBe(2);
    expect([...faultEntries(sim, 'pause'), ...faultEntries(sim, 'resume')].map((e) => e.data)).toEqual([
      { component: 'statefulset-controller', fault: 'pause', signal: 'SIGSTOP' },
      { component: 'statefulset-controller', fault: 'pause', signal: 'SIGSTOP' },
      { component: 'statefulset-controller', fault: 'resume', signal: 'SIGCONT', durationMs: 10_000 },
    ]);
  });

  it('a partitioned component gets no watch events and its writes time out; healed, it relists and converges', () => {
    const seen: Envelope[] = [];
    const sim = spied('statefulset-controller', seen);
    startF1(sim, 1);
    sim.run({ until: () => podsOf(sim).length === 1, deadlineMs: 60_000 });
    const h = sim.host('statefulset-controller')!;
    const synced = h.stats.reconciles, failed = h.stats.failedSyncs;
    scale(sim, 'StatefulSet', 'web', 2);
    // Cut off between the sync's decision and its writes: they time out.
    sim.run({ until: () => h.stats.reconciles > synced, deadlineMs: sim.now + 10_000 });
    expect(sim.chaos('partition', 'statefulset-controller')).toBeUndefined();
    expect(sim.chaos('heal', 'scheduler')).toBe('scheduler is not partitioned');
    const writes = sim.log.all().filter((e) => e.actor === 'statefulset-controller').length;
    // What was already on its way (delivered to the process before the cut) still arrives; nothing after.
    sim.advance(1_000);
    const before = seen.filter(isObjectEntry).length;
    patch(sim, 'StatefulSet', 'web', { metadata: { labels: { tier: 'db' } } });
    sim.advance(30_000);
    expect(seen.filter(isObjectEntry).length).toBe(before);
    expect(sim.log.all().filter((e) => e.actor === 'statefulset-controller').length).toBe(writes);
    expect(h.stats.failedSyncs).toBeGreaterThan(failed);
    expect(podsOf(sim).length).toBe(1);
    expect(sim.chaos('heal', 'statefulset-controller')).toBeUndefined();
    sim.run({ until: () => podsOf(sim).length === 2, deadlineMs: sim.now + 120_000 });
    expect(podsOf(sim).map((p) => p.metadata!.name).sort()).toEqual(['web-0', 'web-1']);
    expect(faultEntries(sim, 'heal').map((e) => e.data)).toEqual([{ component: 'statefulset-controller', fault: 'heal', durationMs: 10_000 }]);
    expect(sim.chaos('pause', 'no-such')).toBe('no component "no-such"');
  });
});
