import { describe, expect, it } from 'vitest';
import { timestamp, type ControllerRevision, type KObject, type StatefulSet } from '@kubesim/api';
import { chooseRevisions, listRevisions, newRevision, writesOf, type PlanOutcome, type Step } from '../src/index.js';
import { claimOf, f1, podOf, revisionName, revisionOf, snapOf, sync, type PodState } from './statefulset-fixtures.js';

/**
 * The K-items of acceptance-scenarios.md that are properties of one controller sync, not of a log: K6
 * (revision selection), K8 (error handling) and K9 (Parallel throughput). The log checkers
 * (packages/invariants) cover K1–K5 and K7; K10 (maxUnavailable) is in statefulset.test.ts.
 */

const withRev = (set: StatefulSet) => ({ ...set, status: { ...set.status, replicas: 0, currentRevision: revisionName(set), updateRevision: revisionName(set) } });
const cluster = (set: StatefulSet, states: PodState[]) => [revisionOf(set), ...states.map((s, k) => podOf(set, k, s)), ...states.map((_, k) => claimOf(set, k))];

/** A stored revision of `set`'s current template with this revision number. */
const stored = (set: StatefulSet, n: number): ControllerRevision => {
  const r = newRevision(set, n, 0);
  return { ...r, metadata: { ...r.metadata, uid: `rev-uid-${n}`, resourceVersion: String(n), creationTimestamp: timestamp(n) } };
};
const withImage = (set: StatefulSet, image: string): StatefulSet => ({
  ...set,
  spec: { ...set.spec!, template: { ...set.spec!.template, spec: { ...set.spec!.template.spec!, containers: [{ ...set.spec!.template.spec!.containers[0]!, image }] } } },
});
const choose = (set: StatefulSet, revisions: readonly ControllerRevision[]) => {
  const snap = snapOf([set, ...revisions]);
  return chooseRevisions(set, listRevisions(snap, set), snap);
};

describe('K6 — revision selection (TestStatefulSetControl_getSetRevisions)', () => {
  it('no revisions: one is created, current = update = revision 1', () => {
    const c = choose(f1(), []);
    expect(c.action.kind).toBe('create');
    expect(c.update.revision).toBe(1);
    expect(c.current).toBe(c.update);
  });

  it('a template change: a second revision, current = the old one, update = the new one', () => {
    const old = f1();
    const r1 = stored(old, 1);
    const changed = { ...withImage(old, 'nginx:1.26'), status: { replicas: 3, currentRevision: r1.metadata!.name! } };
    const c = choose(changed, [r1]);
    expect(c.action.kind).toBe('create');
    expect(c.current.metadata?.name).toBe(r1.metadata!.name);
    expect(c.update.revision).toBe(2);
    expect(c.update.metadata?.name).not.toBe(r1.metadata!.name);
  });

  it('a re-sync of the same spec creates nothing: still two revisions', () => {
    const old = f1();
    const r1 = stored(old, 1);
    const changed = { ...withImage(old, 'nginx:1.26'), status: { replicas: 3, currentRevision: r1.metadata!.name! } };
    const r2 = stored(changed, 2);
    const c = choose(changed, [r1, r2]);
    expect(c.action.kind).toBe('none');
    expect(c.update.metadata?.name).toBe(r2.metadata!.name);
    expect(c.current.metadata?.name).toBe(r1.metadata!.name);
  });

  it('returning to an older template with three revisions: still three, update = the older one raised to revision 4', () => {
    const a = f1();
    const b = withImage(a, 'nginx:1.26');
    const c3 = withImage(a, 'nginx:1.27');
    const revs = [stored(a, 1), stored(b, 2), stored(c3, 3)];
    const back = { ...a, status: { replicas: 3, currentRevision: revs[2]!.metadata!.name! } };
    const c = choose(back, revs);
    expect(c.action.kind).toBe('rollback');
    expect(c.update.metadata?.name).toBe(revs[0]!.metadata!.name);
    expect(c.update.revision).toBe(4);
    expect(c.current.metadata?.name).toBe(revs[2]!.metadata!.name);
    if (c.action.kind === 'rollback') expect(c.action.revision.revision).toBe(4);
  });
});

const failed = (...tags: string[]): PlanOutcome => ({ ok: false, error: { type: 'Fail', message: 'injected' }, succeeded: new Set(), failed: new Set(tags) });
const statusWrites = (tail: Step | undefined) => writesOf(tail).filter((w) => w.verb === 'update' && w.subresource === 'status');

describe('K8 — error handling (CreatePodFailure, UpdateSetStatusFailure, ScaleDownDeleteError)', () => {
  it('a failed sync still writes the status exactly once, computed from what the controller saw', () => {
    const set = withRev(f1());
    const objs = cluster(set, ['ready']);
    const ok = sync(set, objs);
    const bad = sync(set, objs, 100_000, failed());
    expect(statusWrites(ok.tail)).toHaveLength(1);
    expect(statusWrites(bad.tail)).toHaveLength(1);
    expect(bad.status).toEqual(ok.status);
  });

  it('a failed pod create is retried by the next sync, which converges to the status of a run without the fault', () => {
    const set = withRev(f1({ replicas: 2 }));
    const first = sync(set, cluster(set, ['ready']), 100_000, failed());
    expect(first.summary).toEqual(['create PersistentVolumeClaim/www-web-1', 'create Pod/web-1']);
    const retry = sync(set, cluster(set, ['ready']));
    expect(retry.summary).toEqual(first.summary);
    const after = sync(set, cluster(set, ['ready', 'ready']));
    const clean = sync(set, cluster(set, ['ready', 'ready']), 100_000);
    expect(after.status).toEqual(clean.status);
    expect(after.status).toMatchObject({ replicas: 2, readyReplicas: 2 });
  });

  it('a failed update-deletion leaves currentReplicas at 3 (current ≠ update revision); a successful one lowers it to 2', () => {
    const old = withRev(f1());
    const oldRev = revisionName(old);
    const changed = { ...withImage(f1(), 'nginx:1.26'), metadata: { ...old.metadata, generation: 2 }, status: old.status };
    const objs = [revisionOf(old), ...[0, 1, 2].map((k) => podOf(old, k, 'ready', oldRev)), ...[0, 1, 2].map((k) => claimOf(old, k))];
    const bad = sync(changed, objs, 100_000, failed('upd:web-2'));
    expect(bad.summary).toContain('delete Pod/web-2');
    expect(bad.status).toMatchObject({ currentReplicas: 3, currentRevision: oldRev });
    expect(bad.status?.updateRevision).not.toBe(oldRev);
    const good = sync(changed, objs, 100_000, { ok: true, succeeded: new Set(['upd:web-2']), failed: new Set() });
    expect(good.status?.currentReplicas).toBe(2);
  });

  it('a failed scale-down delete keeps the pod counted and is planned again by the next sync', () => {
    const set = withRev(f1({ replicas: 2 }));
    const objs = cluster(set, ['ready', 'ready', 'ready']);
    const bad = sync(set, objs, 100_000, failed());
    expect(bad.summary).toEqual(['delete Pod/web-2']);
    expect(bad.status?.replicas).toBe(3);
    expect(sync(set, objs).summary).toEqual(['delete Pod/web-2']);
  });
});

/** The size of the largest concurrent batch of pod writes in a plan. */
const maxConcurrency = (s: Step | undefined): number => {
  if (!s || s.kind === 'write' || s.kind === 'event' || s.kind === 'fail') return s?.kind === 'write' ? 1 : 0;
  const inner = Math.max(0, ...s.steps.map(maxConcurrency));
  return s.kind === 'par' ? Math.max(inner, s.steps.reduce((n, c) => n + (writesOf(c).some((w) => (w.verb === 'create' || w.verb === 'update' ? w.object.kind === 'Pod' : 'kind' in w && w.kind === 'Pod')) ? 1 : 0), 0)) : inner;
};

describe('K9 — Parallel throughput (TestParallelScale)', () => {
  const parallel = (replicas: number) => withRev(f1({ podManagementPolicy: 'Parallel', replicas }));
  const podsOf = (set: StatefulSet, n: number): KObject[] => [revisionOf(set), ...Array.from({ length: n }, (_, k) => podOf(set, k, 'ready') as KObject), ...Array.from({ length: n }, (_, k) => claimOf(set, k) as KObject)];

  it.each([
    [3, 30, 2], [10, 1, 2], [501, 0, 10], [0, 1000, 20],
  ] as const)('%i → %i converges within 2 syncs with at least %i concurrent requests', (from, to, minConcurrent) => {
    const set = parallel(to);
    const first = sync(set, podsOf(set, from));
    const pods = first.writes.filter((w) => (w.verb === 'create' && w.object.kind === 'Pod') || (w.verb === 'delete' && w.kind === 'Pod'));
    expect(pods).toHaveLength(Math.abs(to - from));
    expect(maxConcurrency(first.r.plan)).toBeGreaterThanOrEqual(minConcurrent);
    expect(maxConcurrency(first.r.plan)).toBeLessThanOrEqual(500);
    // The second sync, once the first one's writes are in (created pods, or condemned pods gone), has nothing to do.
    const second = sync(set, podsOf(set, to));
    expect(second.writes.filter((w) => w.verb === 'create' || w.verb === 'delete')).toEqual([]);
  });
});
