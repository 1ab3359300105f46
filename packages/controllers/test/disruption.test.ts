import { describe, expect, it } from 'vitest';
import { timestamp, type ApiRequest, type KObject, type Pod, type PodDisruptionBudget } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { eventsOf, writesOf } from '../src/framework/index.js';
import { disruptionController, disruptionKeysFor, STALE_POD_DISRUPTION_TIMEOUT_MS, staleDisruptionCondition, syncDisruptionBudget, syncStalePodDisruption } from '../src/disruption/index.js';
import { makeSnapshot } from './util.js';

// The disruption controller: the status of each PodDisruptionBudget ([DisruptionController.trySync]).

const pdb = (spec: Record<string, unknown>, status?: Partial<NonNullable<PodDisruptionBudget['status']>>, generation = 1): PodDisruptionBudget => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'default', uid: 'pdb-uid', generation, resourceVersion: '9' },
  spec: { selector: { matchLabels: { app: 'db' } }, ...spec },
  ...(status ? { status: { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0, ...status } } : {}),
} as PodDisruptionBudget);
const sts = (replicas: number, uid = 'sts-uid'): KObject => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default', uid }, spec: { replicas, selector: { matchLabels: { app: 'db' } }, serviceName: 'db', template: {} },
} as KObject);
const pod = (name: string, o: { ready?: boolean; owner?: string | null; deleting?: boolean; labels?: Record<string, string> } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'db' },
    ...(o.owner === null ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: o.owner ?? 'sts-uid', controller: true }] }),
    ...(o.deleting ? { deletionTimestamp: timestamp(0), deletionGracePeriodSeconds: 30 } : {}),
  },
  spec: { containers: [{ name: 'c', image: 'postgres' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});
const sync = (objs: readonly KObject[], now = 60_000) => syncDisruptionBudget(makeSnapshot(objs), 'default/db', now);
const written = (objs: readonly KObject[], now = 60_000): NonNullable<PodDisruptionBudget['status']> | undefined => {
  const w = writesOf(sync(objs, now).plan);
  if (w.length === 0) return undefined;
  const r = w[0] as Extract<ApiRequest, { verb: 'update' }>;
  expect(r.subresource).toBe('status');
  return (r.object as PodDisruptionBudget).status;
};
const events = (objs: readonly KObject[], now = 60_000) => eventsOf(sync(objs, now).plan).map((e) => `${e.type} ${e.reason} ${e.involved.kind}/${e.involved.name}: ${e.message}`);

describe('disruption controller (PodDisruptionBudget status)', () => {
  it('maxUnavailable reads the scale of the pods\' controller: expected 3, desired 2, one Ready pod short → no disruption allowed', () => {
    const objs = [pdb({ maxUnavailable: 1 }), sts(3), pod('db-0'), pod('db-1'), pod('db-2', { ready: false }), pod('other', { labels: { app: 'web' } })];
    expect(written(objs)).toEqual({
      currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0, observedGeneration: 1,
      conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 1, lastTransitionTime: timestamp(60_000) }],
    });
    const all = [pdb({ maxUnavailable: '50%' }), sts(3), pod('db-0'), pod('db-1'), pod('db-2')];
    // 50% of 3 rounds up to 2 unavailable: desired 1, two disruptions allowed.
    expect(written(all)).toMatchObject({ currentHealthy: 3, desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 2, conditions: [{ status: 'True', reason: 'SufficientPods' }] });
  });

  it('an integer minAvailable counts the matching pods; a percentage reads the scale (rounded up); terminating pods are not healthy', () => {
    expect(written([pdb({ minAvailable: 2 }), pod('db-0'), pod('db-1'), pod('db-2', { deleting: true })]))
      .toMatchObject({ currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 });
    expect(written([pdb({ minAvailable: '50%' }), sts(5), pod('db-0'), pod('db-1'), pod('db-2')]))
      .toMatchObject({ currentHealthy: 3, desiredHealthy: 3, expectedPods: 5, disruptionsAllowed: 0 });
  });

  it('writes nothing when the status is current; a new generation is a change (observedGeneration)', () => {
    const status = { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 1, conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: timestamp(0) }] };
    const objs = (gen: number) => [pdb({ maxUnavailable: 1 }, status, gen), sts(3), pod('db-0'), pod('db-1'), pod('db-2')];
    expect(written(objs(1))).toBeUndefined();
    const next = written(objs(2));
    expect(next).toMatchObject({ observedGeneration: 2, conditions: [{ status: 'True', reason: 'SufficientPods', observedGeneration: 2, lastTransitionTime: timestamp(0) }] });
  });

  it('an eviction the API server approved keeps its pod out of the healthy count until it is deleted, for at most 2 minutes (then NotDeleted)', () => {
    const owed = { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0, observedGeneration: 1, disruptedPods: { 'db-1': timestamp(50_000) } };
    const objs = [pdb({ maxUnavailable: 1 }, owed), sts(3), pod('db-0'), pod('db-1'), pod('db-2')];
    const r = sync(objs, 60_000);
    expect(r.requeueAfterMs).toBe(110_000);
    expect(written(objs, 60_000)).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 0, disruptedPods: { 'db-1': timestamp(50_000) } });
    const late = written(objs, 171_000)!;
    expect(late).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 1 });
    expect(late.disruptedPods).toBeUndefined();
    expect(events(objs, 171_000)).toEqual(['Warning NotDeleted Pod/db-1: Pod was expected by PDB default/db to be deleted but it wasn\'t']);
  });

  it('no pods: event NoPods and nothing allowed; pods without a controller under maxUnavailable: UnmanagedPods; a controller that cannot be found: SyncFailed', () => {
    expect(events([pdb({ minAvailable: 1 })])).toEqual(['Normal NoPods PodDisruptionBudget/db: No matching pods found']);
    expect(written([pdb({ minAvailable: 0 })])).toMatchObject({ expectedPods: 0, disruptionsAllowed: 0 });
    const unmanaged = [pdb({ maxUnavailable: 1 }), sts(2), pod('db-0'), pod('db-1'), pod('loose', { owner: null })];
    expect(events(unmanaged)).toEqual([
      'Warning UnmanagedPods PodDisruptionBudget/db: Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: db,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
    ]);
    expect(written(unmanaged)).toMatchObject({ expectedPods: 2, currentHealthy: 3, desiredHealthy: 1, disruptionsAllowed: 2 });
    const orphaned = [pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 1, observedGeneration: 1 }), pod('db-0', { owner: 'gone' })];
    expect(written(orphaned)).toMatchObject({
      disruptionsAllowed: 0, observedGeneration: 1,
      conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "db-0"' }],
    });
    expect(events(orphaned)).toEqual(['Warning CalculateExpectedPodCountFailed PodDisruptionBudget/db: Failed to calculate the number of expected pods: found no controllers for pod "db-0"']);
  });

  it('records a budget-level warning when its condition starts, not at every resync; again once it cleared and came back', () => {
    const none = [pdb({ minAvailable: 1 }, { observedGeneration: 1 })];
    const first = syncDisruptionBudget(makeSnapshot(none), 'default/db', 0);
    expect(eventsOf(first.plan).map((e) => e.reason)).toEqual(['NoPods']);
    const again = syncDisruptionBudget(makeSnapshot(none), 'default/db', 30_000, first.local);
    expect(eventsOf(again.plan)).toEqual([]);
    expect(again.local).toBeUndefined(); // nothing new to remember
    const withPods = syncDisruptionBudget(makeSnapshot([...none, pod('db-0')]), 'default/db', 60_000, first.local);
    expect(eventsOf(withPods.plan)).toEqual([]);
    expect(withPods.local?.has('default/db')).toBe(false);
    const gone = syncDisruptionBudget(makeSnapshot(none), 'default/db', 90_000, withPods.local);
    expect(eventsOf(gone.plan).map((e) => e.reason)).toEqual(['NoPods']);
    // A deleted budget is forgotten.
    expect(syncDisruptionBudget(makeSnapshot([]), 'default/db', 120_000, gone.local).local?.size).toBe(0);
  });

  it('wakes a budget on its own changes and on the changes of pods it covers (an empty selector covers every pod of its namespace)', () => {
    const b = pdb({ maxUnavailable: 1 });
    const all = { ...pdb({ maxUnavailable: 1 }, undefined), metadata: { ...b.metadata, name: 'all' }, spec: { maxUnavailable: 1, selector: {} } } as PodDisruptionBudget;
    const snap = makeSnapshot([b, all, pod('db-0')]);
    const entry = (o: KObject, type: Envelope['type'] = 'MODIFIED'): Envelope => ({ seq: 10, time: 0, type, actor: 'x', cause: null, object: o });
    expect(disruptionKeysFor(entry(pod('db-0')), undefined, snap)).toEqual(['default/db', 'default/all']);
    expect(disruptionKeysFor(entry(pod('w', { labels: { app: 'web' } })), undefined, snap)).toEqual(['default/all']);
    expect(disruptionKeysFor(entry(b), undefined, snap)).toEqual(['default/db']);
    expect(disruptionKeysFor(entry(b, 'DELETED'), undefined, snap)).toEqual([]);
    expect(disruptionKeysFor(entry(sts(3)), undefined, snap)).toEqual([]);
    expect(disruptionKeysFor(entry({ ...pod('x'), metadata: { ...pod('x').metadata, namespace: 'other' } } as Pod), undefined, snap)).toEqual([]);
  });
});

describe('disruption controller: stale DisruptionTarget conditions ([syncStalePodDisruption])', () => {
  /** A pod an eviction marked at `at` (virtual ms) and did not delete. */
  const marked = (at: number | undefined, o: { reason?: string; phase?: string; deleting?: boolean; status?: string } = {}): Pod => {
    const p = pod('db-0', { deleting: o.deleting ?? false });
    return {
      ...p, metadata: { ...p.metadata, generation: 3, resourceVersion: '41' },
      status: {
        phase: o.phase ?? 'Running',
        conditions: [...p.status!.conditions!, {
          type: 'DisruptionTarget', status: o.status ?? 'True', reason: o.reason ?? 'EvictionByEvictionAPI', message: 'Eviction API: evicting',
          ...(at !== undefined ? { lastTransitionTime: timestamp(at) } : {}), observedGeneration: 2,
        }],
      },
    } as Pod;
  };

  it('is stale 2 minutes after it was set, on a pod that is neither being deleted nor finished; the kubelet\'s own never is', () => {
    expect(STALE_POD_DISRUPTION_TIMEOUT_MS).toBe(120_000);
    expect(staleDisruptionCondition(marked(10_000), 40_000)).toEqual({ cleanAfterMs: 90_000 });
    expect(staleDisruptionCondition(marked(10_000), 200_000)).toEqual({ cleanAfterMs: 0 });
    expect(staleDisruptionCondition(marked(undefined), 40_000)).toEqual({ cleanAfterMs: 0 });
    expect(staleDisruptionCondition(marked(10_000, { deleting: true }), 200_000)).toBeUndefined();
    expect(staleDisruptionCondition(marked(10_000, { phase: 'Failed' }), 200_000)).toBeUndefined();
    expect(staleDisruptionCondition(marked(10_000, { reason: 'TerminationByKubelet' }), 200_000)).toBeUndefined();
    expect(staleDisruptionCondition(marked(10_000, { status: 'False' }), 200_000)).toBeUndefined();
    expect(staleDisruptionCondition(pod('db-1'), 200_000)).toBeUndefined();
  });

  it('comes back when the condition will be stale, then sets it to False: type, status and observedGeneration only, a new transition time', () => {
    const early = syncStalePodDisruption(makeSnapshot([marked(10_000)]), 'pod:default/db-0', 40_000);
    expect(early.plan).toBeUndefined();
    expect(early.requeueAfterMs).toBe(90_000);
    const late = syncStalePodDisruption(makeSnapshot([marked(10_000)]), 'pod:default/db-0', 130_000);
    const w = writesOf(late.plan) as Extract<ApiRequest, { verb: 'update' }>[];
    expect(w).toHaveLength(1);
    expect(w[0]!.subresource).toBe('status');
    expect(w[0]!.object.metadata?.resourceVersion).toBe('41'); // an update of the pod as cached (a conflict is retried)
    expect((w[0]!.object as Pod).status?.conditions).toEqual([
      { type: 'Ready', status: 'True' },
      { type: 'DisruptionTarget', status: 'False', observedGeneration: 3, lastTransitionTime: timestamp(130_000) },
    ]);
    // Gone, deleted meanwhile, or already reset: nothing to do.
    expect(syncStalePodDisruption(makeSnapshot([]), 'pod:default/db-0', 130_000).plan).toBeUndefined();
    expect(syncStalePodDisruption(makeSnapshot([marked(10_000, { deleting: true })]), 'pod:default/db-0', 130_000).plan).toBeUndefined();
    expect(syncStalePodDisruption(makeSnapshot([marked(10_000, { status: 'False' })]), 'pod:default/db-0', 130_000).plan).toBeUndefined();
  });

  it('queues a pod with such a condition (also in a namespace without budgets, and from the initial list), and keeps budget keys apart', () => {
    const snap = makeSnapshot([marked(10_000)]);
    const entry = (o: KObject, type: Envelope['type'] = 'MODIFIED'): Envelope => ({ seq: 10, time: 0, type, actor: 'x', cause: null, object: o });
    const ctx = { local: new Map(), now: 20_000 };
    expect(disruptionKeysFor(entry(marked(10_000)), undefined, snap, ctx)).toEqual(['pod:default/db-0']);
    expect(disruptionKeysFor(entry(marked(10_000), 'DELETED'), undefined, snap, ctx)).toEqual([]);
    expect(disruptionKeysFor(entry(marked(10_000, { deleting: true })), undefined, snap, ctx)).toEqual([]);
    const withBudget = makeSnapshot([marked(10_000), pdb({ maxUnavailable: 1 })]);
    expect(disruptionKeysFor(entry(marked(10_000)), undefined, withBudget, ctx)).toEqual(['default/db', 'pod:default/db-0']);
    expect([...disruptionController.initialKeys(withBudget, undefined)]).toEqual(['default/db', 'pod:default/db-0']);
    // The reconcile dispatches on the key.
    const r = disruptionController.reconcile({ snapshot: snap, key: 'pod:default/db-0', now: 20_000, config: undefined, local: new Map(), seed: 1 } as never);
    expect(r.requeueAfterMs).toBe(110_000);
  });
});
