import { describe, expect, it } from 'vitest';
import {
  apiError, timestamp, type ApiError, type ApiRequest, type KObject, type OwnerReference, type Pod, type ReplicaSet,
} from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import {
  eventsOf, writesOf, type EventSpec, type PlanOutcome, type ReconcileResult, type Step,
} from '../src/framework/index.js';
import {
  CREATED_NAME, defaultReplicaSetControllerConfig, observeReplicaSetEntry, replicaSetController, replicaSetKeysFor,
  syncReplicaSet, type ReplicaSetLocal,
} from '../src/replicaset/index.js';
import { makeSnapshot } from './util.js';

// ---------------------------------------------------------------------------------------------------
// fixtures

const RS_UID = 'rs-uid-1';
const ref = (name = 'web-rs', uid = RS_UID): OwnerReference =>
  ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid, controller: true, blockOwnerDeletion: true });

interface RsOpts {
  name?: string; uid?: string; replicas?: number; minReadySeconds?: number; generation?: number;
  status?: ReplicaSet['status']; deleting?: boolean; templateLabels?: Record<string, string> | null; owner?: OwnerReference;
}
const mkRs = (o: RsOpts = {}): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: {
    name: o.name ?? 'web-rs', namespace: 'default', uid: o.uid ?? RS_UID, resourceVersion: '7', generation: o.generation ?? 1,
    ...(o.deleting ? { deletionTimestamp: timestamp(0) } : {}),
    ...(o.owner ? { ownerReferences: [o.owner] } : {}),
  },
  spec: {
    replicas: o.replicas ?? 3,
    ...(o.minReadySeconds !== undefined ? { minReadySeconds: o.minReadySeconds } : {}),
    selector: { matchLabels: { app: 'rs' } },
    template: {
      metadata: {
        ...(o.templateLabels === null ? {} : { labels: o.templateLabels ?? { app: 'rs', tier: 'web' } }),
        annotations: { note: 'copied' },
        finalizers: ['example.com/keep'],
      },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }], terminationGracePeriodSeconds: 30 },
    },
  },
  status: o.status ?? { replicas: 0 },
});

interface PodOpts {
  owner?: OwnerReference | null; labels?: Record<string, string>; phase?: string; node?: string;
  ready?: boolean; readyAt?: number; createdAt?: number; deleting?: boolean; rv?: string; ns?: string;
}
const mkPod = (name: string, o: PodOpts = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: o.ns ?? 'default', uid: `uid-${name}`, resourceVersion: o.rv ?? '3', creationTimestamp: timestamp(o.createdAt ?? 0),
    labels: o.labels ?? { app: 'rs', tier: 'web' },
    ...(o.owner === null ? {} : { ownerReferences: [o.owner ?? ref()] }),
    ...(o.deleting ? { deletionTimestamp: timestamp(30_000), deletionGracePeriodSeconds: 30 } : {}),
  },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }], ...(o.node ? { nodeName: o.node } : {}) },
  status: {
    phase: o.phase ?? 'Running',
    ...(o.ready !== undefined ? { conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: timestamp(o.readyAt ?? 0) }] } : {}),
  },
});

const snap = (objs: readonly KObject[]) => makeSnapshot(objs, replicaSetController.indexes);
const config = defaultReplicaSetControllerConfig;
const NOW = 100_000;

const sync = (objs: readonly KObject[], local: ReplicaSetLocal = new Map(), now = NOW, key = 'default/web-rs') =>
  syncReplicaSet({ snapshot: snap(objs), key, now, config, local, seed: 1 });

// ---------------------------------------------------------------------------------------------------
// a plan runner with the host's semantics (seq stops at the first failure; par runs every child)

type Fail = (req: ApiRequest, tag: string | undefined, n: number) => ApiError | undefined;
interface Ran {
  outcome: PlanOutcome;
  /** Requests in the order they were sent, grouped by concurrent batch (one array per par of writes). */
  requests: ApiRequest[];
  events: EventSpec[];
}
const runPlan = (plan: Step | undefined, fail: Fail = () => undefined): Ran => {
  const succeeded = new Set<string>(), failed = new Set<string>();
  const requests: ApiRequest[] = [];
  const events: EventSpec[] = [];
  let firstError: ApiError | undefined;
  const run = (s: Step): boolean => {
    switch (s.kind) {
      case 'write': {
        requests.push(s.req);
        const err = fail(s.req, s.tag, requests.length);
        if (err && !(s.ignore ?? []).includes(err.reason)) {
          if (s.tag) failed.add(s.tag);
          firstError ??= err;
          const ev = s.onFailure?.(err);
          if (ev) events.push(ev);
          return false;
        }
        if (s.tag) succeeded.add(s.tag);
        if (!err && s.onSuccess) events.push(s.onSuccess);
        return true;
      }
      case 'event': events.push(s.event); return true;
      case 'fail': {
        firstError ??= apiError('InternalError', 500, s.message);
        if (s.event) events.push(s.event);
        return false;
      }
      case 'seq': for (const c of s.steps) if (!run(c)) return false; return true;
      case 'par': { let ok = true; for (const c of s.steps) ok = run(c) && ok; return ok; }
    }
  };
  const ok = plan ? run(plan) : true;
  return { outcome: { ok, ...(firstError ? { error: firstError } : {}), succeeded, failed }, requests, events };
};

/** The batch structure of a plan: sizes of the concurrent groups in a top-level seq. */
const batchSizes = (plan: Step | undefined): number[] => {
  if (!plan || plan.kind !== 'seq') return [];
  const last = plan.steps[plan.steps.length - 1]!;
  // With claims: seq(par(claims), slowStart); without: the slowStart seq itself.
  const ss = last.kind === 'seq' ? last : plan;
  return ss.steps.map((b) => {
    expect(b.kind).toBe('par');
    return writesOf(b).length;
  });
};

const creates = (s: Step | undefined) => writesOf(s).filter((r): r is Extract<ApiRequest, { verb: 'create' }> => r.verb === 'create');
const deletes = (s: Step | undefined) => writesOf(s).filter((r): r is Extract<ApiRequest, { verb: 'delete' }> => r.verb === 'delete');
const patches = (s: Step | undefined) => writesOf(s).filter((r): r is Extract<ApiRequest, { verb: 'patch' }> => r.verb === 'patch');
const statusOf = (r: ReconcileResult<ReplicaSetLocal>, o: PlanOutcome = runPlan(r.plan).outcome) => {
  const s = r.finalize?.(o);
  const w = writesOf(s);
  if (w.length === 0) return undefined;
  const req = w[0]!;
  if (req.verb !== 'update') throw new Error('status is an update');
  expect(req.subresource).toBe('status');
  return { req, status: (req.object as ReplicaSet).status! };
};

const quota: ApiError = apiError('Forbidden', 403, 'pods "web-rs-" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=3, limited: pods=3');

// ---------------------------------------------------------------------------------------------------

describe('creation (§2.1, S46)', () => {
  it('creates pods with generateName, the template content and a controller ref, in slow-start batches', () => {
    const r = sync([mkRs({ replicas: 3 })]);
    const cs = creates(r.plan);
    expect(cs).toHaveLength(3);
    expect(batchSizes(r.plan)).toEqual([1, 2]);
    for (const c of cs) {
      const p = c.object as Pod;
      expect(p.metadata!.name).toBeUndefined();
      expect(p.metadata!.generateName).toBe('web-rs-');
      expect(p.metadata!.namespace).toBe('default');
      expect(p.metadata!.labels).toEqual({ app: 'rs', tier: 'web' });
      expect(p.metadata!.annotations).toEqual({ note: 'copied' });
      expect(p.metadata!.finalizers).toEqual(['example.com/keep']);
      expect(p.metadata!.ownerReferences).toEqual([
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: RS_UID, controller: true, blockOwnerDeletion: true },
      ]);
      expect(p.spec).toEqual({ containers: [{ name: 'nginx', image: 'nginx:1.27' }], terminationGracePeriodSeconds: 30 });
      expect(p.spec!.hostname).toBeUndefined();
    }
    expect(eventsOf(r.plan)).toEqual(Array(3).fill({
      type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${CREATED_NAME}`,
      involved: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', namespace: 'default', uid: RS_UID },
    }));
    expect(CREATED_NAME).toBe('{{name}}');
    expect(r.local!.get('default/web-rs')).toMatchObject({ add: 3, uid: RS_UID, timestampMs: NOW });
  });

  it('slow start for 10 replicas: batches 1, 2, 4, 3', () => {
    const r = sync([mkRs({ replicas: 10 })]);
    expect(batchSizes(r.plan)).toEqual([1, 2, 4, 3]);
  });

  it('caps a sync at burstReplicas (500)', () => {
    const r = sync([mkRs({ replicas: 1200 })]);
    expect(creates(r.plan)).toHaveLength(500);
    expect(batchSizes(r.plan)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 245]);
    expect(r.local!.get('default/web-rs')!.add).toBe(500);
  });

  it('a template without labels cannot create pods', () => {
    const r = sync([mkRs({ replicas: 2, templateLabels: null })]);
    expect(creates(r.plan)).toHaveLength(0);
    expect(r.plan).toEqual({ kind: 'fail', message: 'unable to create pods, no labels' });
    const ran = runPlan(r.plan);
    expect(ran.outcome.ok).toBe(false);
    expect(ran.events).toEqual([]);
    expect(r.local!.get('default/web-rs')!.add).toBe(0); // every expected creation was cancelled
    expect(statusOf(r, ran.outcome)!.status.conditions).toEqual([{
      type: 'ReplicaFailure', status: 'True', lastTransitionTime: timestamp(NOW), reason: 'FailedCreate',
      message: 'unable to create pods, no labels',
    }]);
  });

  it('a pod name prefix is `<rs>-` unless that is too long for generateName', () => {
    const long = 'a'.repeat(253);
    const r = syncReplicaSet({ snapshot: snap([mkRs({ name: long, replicas: 1 })]), key: `default/${long}`, now: NOW, config, local: new Map(), seed: 1 });
    expect((creates(r.plan)[0]!.object as Pod).metadata!.generateName).toBe(long);
  });
});

describe('S48: slow start against a failing create (quota)', () => {
  it('first sync plans batches 1, 2, 4, 3; the third batch fails, the fourth is never sent (7 requests)', () => {
    const r = sync([mkRs({ replicas: 10 })]);
    expect(batchSizes(r.plan)).toEqual([1, 2, 4, 3]);
    const ran = runPlan(r.plan, (req, _t, n) => (req.verb === 'create' && n > 3 ? quota : undefined));
    expect(ran.requests.filter((q) => q.verb === 'create')).toHaveLength(7);
    expect(ran.outcome.succeeded.size).toBe(3);
    expect(ran.outcome.failed.size).toBe(4);
    expect(ran.events.filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(3);
    expect(ran.events.filter((e) => e.reason === 'FailedCreate').map((e) => [e.type, e.message])).toEqual(Array(4).fill(
      ['Warning', `Error creating: ${quota.message}`],
    ));

    // Expectations: 10 expected, 7 will never be observed (4 failed + 3 skipped).
    const after = r.onDone!(ran.outcome, r.local!);
    expect(after.get('default/web-rs')!.add).toBe(3);

    // Status: ReplicaFailure FailedCreate with the API error.
    const st = statusOf(r, ran.outcome)!;
    expect(st.req.object.metadata!.resourceVersion).toBe('7');
    expect(st.status).toEqual({
      replicas: 0, observedGeneration: 1,
      conditions: [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: timestamp(NOW), reason: 'FailedCreate', message: quota.message }],
    });

    // The informer sees the 3 pods: expectations are met, the next sync retries the missing 7.
    const pods = ['a', 'b', 'c'].map((s) => mkPod(`web-rs-${s}`));
    let local = after;
    for (const p of pods) local = observeReplicaSetEntry(added(p), undefined, local);
    const failedStatus = { replicas: 0, observedGeneration: 1, conditions: st.status.conditions };
    const r2 = sync([mkRs({ replicas: 10, status: failedStatus }), ...pods], local, NOW + 10_000);
    expect(batchSizes(r2.plan)).toEqual([1, 2, 4]);
    // Failing again: the existing condition is kept as it is (not re-stamped).
    const ran2 = runPlan(r2.plan, () => quota);
    expect(ran2.requests).toHaveLength(1);
    expect(statusOf(r2, ran2.outcome)!.status.conditions).toEqual(st.status.conditions);

    // Quota raised: all succeed → the condition is removed.
    const r3 = sync([mkRs({ replicas: 10, status: failedStatus }), ...pods], new Map(), NOW + 20_000);
    const s3 = statusOf(r3)!.status;
    expect(s3.conditions).toBeUndefined();
    expect(s3.replicas).toBe(3);
  });

  it('a failure in the first batch cancels every expected creation', () => {
    const r = sync([mkRs({ replicas: 3 })]);
    const ran = runPlan(r.plan, () => quota);
    expect(ran.requests).toHaveLength(1);
    const after = r.onDone!(ran.outcome, r.local!);
    expect(after.get('default/web-rs')!.add).toBe(0);
    expect(sync([mkRs({ replicas: 3 })], after, NOW + 1).plan).toBeDefined();
  });
});

const added = (o: KObject, seq = 10): Envelope => ({ seq, time: NOW, type: 'ADDED', actor: 'x', cause: null, object: o });
const modified = (o: KObject, seq = 11): Envelope => ({ seq, time: NOW, type: 'MODIFIED', actor: 'x', cause: null, object: o });
const deleted = (o: KObject, seq = 12): Envelope => ({ seq, time: NOW, type: 'DELETED', actor: 'x', cause: null, object: o });

describe('expectations (§2.4)', () => {
  it('no double create while the informer has not seen the new pods; status is still computed', () => {
    const r1 = sync([mkRs({ replicas: 3 })]);
    expect(creates(r1.plan)).toHaveLength(3);
    const local = r1.onDone!(runPlan(r1.plan).outcome, r1.local!);
    // Same cache (pods not yet delivered): no creates.
    const r2 = sync([mkRs({ replicas: 3, status: { replicas: 0 } })], local, NOW + 100);
    expect(creates(r2.plan)).toHaveLength(0);
    expect(statusOf(r2)!.status).toEqual({ replicas: 0, observedGeneration: 1 });
    // Two of three observed: still waiting.
    const pods = ['a', 'b', 'c'].map((s) => mkPod(`web-rs-${s}`));
    let l = observeReplicaSetEntry(added(pods[0]!), undefined, local);
    l = observeReplicaSetEntry(added(pods[1]!), undefined, l);
    expect(creates(sync([mkRs({ replicas: 4 }), pods[0]!, pods[1]!], l, NOW + 200).plan)).toHaveLength(0);
    // All observed: satisfied, scale to 4 creates exactly one.
    l = observeReplicaSetEntry(added(pods[2]!), undefined, l);
    expect(l.get('default/web-rs')!.add).toBe(0);
    expect(creates(sync([mkRs({ replicas: 4 }), ...pods], l, NOW + 300).plan)).toHaveLength(1);
  });

  it('expire after 5 minutes of virtual time', () => {
    const r1 = sync([mkRs({ replicas: 3 })]);
    const local = r1.local!;
    expect(creates(sync([mkRs({ replicas: 3 })], local, NOW + 300_000).plan)).toHaveLength(0);
    expect(creates(sync([mkRs({ replicas: 3 })], local, NOW + 300_001).plan)).toHaveLength(3);
  });

  it('deletions are tracked by pod key; other pods going away do not count', () => {
    // Ready for 100 s, 50 s and 1 s: three different log2 buckets.
    const pods = ['a', 'b', 'c'].map((s, i) => mkPod(`web-rs-${s}`, { node: 'n', ready: true, readyAt: [0, 50_000, 99_000][i] }));
    const r = sync([mkRs({ replicas: 2, status: { replicas: 3 } }), ...pods]);
    const victims = deletes(r.plan).map((d) => d.name);
    expect(victims).toEqual(['web-rs-c']); // ready most recently
    const rec = r.local!.get('default/web-rs')!;
    expect([...rec.del]).toEqual(['default/web-rs-c']);
    expect(rec.add).toBe(0);
    // An unrelated pod's deletion does not satisfy the expectation.
    let l = observeReplicaSetEntry(deleted(mkPod('web-rs-zzz')), undefined, r.local!);
    expect(l).toBe(r.local);
    expect(deletes(sync([mkRs({ replicas: 1 }), ...pods], l, NOW + 10).plan)).toHaveLength(0);
    // The victim gaining a deletionTimestamp does.
    const terminating = mkPod('web-rs-c', { deleting: true, node: 'n', ready: true });
    l = observeReplicaSetEntry(modified(terminating), pods[2], l);
    expect(l.get('default/web-rs')!.del.size).toBe(0);
    expect(deletes(sync([mkRs({ replicas: 1 }), pods[0]!, pods[1]!, terminating], l, NOW + 20).plan)).toHaveLength(1);
  });

  it('pod events count only for the ReplicaSet uid of the record; an RS deletion drops the record', () => {
    const local = sync([mkRs({ replicas: 2 })]).local!;
    const foreign = mkPod('web-rs-x', { owner: ref('web-rs', 'old-uid') });
    expect(observeReplicaSetEntry(added(foreign), undefined, local)).toBe(local);
    const stsPod = mkPod('web-0', { owner: { ...ref(), kind: 'StatefulSet', name: 'web-rs' } });
    expect(observeReplicaSetEntry(added(stsPod), undefined, local)).toBe(local);
    // Already terminating when first seen: a deletion, not a creation.
    expect(observeReplicaSetEntry(added(mkPod('web-rs-t', { deleting: true })), undefined, local).get('default/web-rs')!.add).toBe(2);
    expect(observeReplicaSetEntry(added(mkPod('web-rs-y')), undefined, local).get('default/web-rs')!.add).toBe(1);
    expect(observeReplicaSetEntry(deleted(mkRs()), undefined, local).has('default/web-rs')).toBe(false);
  });

  it('a failed delete cancels its expectation; NotFound is ignored (no event) and left to the informer', () => {
    const pods = ['a', 'b', 'c'].map((s) => mkPod(`web-rs-${s}`, { node: 'n', ready: true }));
    const r = sync([mkRs({ replicas: 1, status: { replicas: 3 } }), ...pods]);
    expect(deletes(r.plan).map((d) => d.name)).toEqual(['web-rs-a', 'web-rs-b']);
    const denied = apiError('Forbidden', 403, 'pods "web-rs-a" is forbidden: nope');
    const ran = runPlan(r.plan, (q) => (q.verb === 'delete' && q.name === 'web-rs-a' ? denied
      : q.verb === 'delete' ? apiError('NotFound', 404, 'pods "web-rs-b" not found') : undefined));
    expect(ran.events).toEqual([{
      type: 'Warning', reason: 'FailedDelete', message: `Error deleting: ${denied.message}`,
      involved: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', namespace: 'default', uid: RS_UID },
    }]);
    const after = r.onDone!(ran.outcome, r.local!);
    expect([...after.get('default/web-rs')!.del]).toEqual(['default/web-rs-b']);
    expect(statusOf(r, ran.outcome)!.status.conditions).toEqual([{
      type: 'ReplicaFailure', status: 'True', lastTransitionTime: timestamp(NOW), reason: 'FailedDelete',
      message: `unable to delete pods: ${denied.message}`,
    }]);
  });

  it('the ReplicaSet gone: expectations dropped, no writes', () => {
    const local = sync([mkRs({ replicas: 2 })]).local!;
    const r = sync([mkPod('web-rs-a')], local);
    expect(r.plan).toBeUndefined();
    expect(r.finalize).toBeUndefined();
    expect(r.local!.has('default/web-rs')).toBe(false);
  });
});

describe('scale down (§2.2, §2.3)', () => {
  it('deletes the ranked victims concurrently with events', () => {
    const pods = [
      mkPod('web-rs-ready', { node: 'n1', ready: true, readyAt: 0 }),
      mkPod('web-rs-notready', { node: 'n1', ready: false }),
      mkPod('web-rs-pending', { node: 'n1', phase: 'Pending' }),
      mkPod('web-rs-unsched', { phase: 'Pending' }),
    ];
    const r = sync([mkRs({ replicas: 1, status: { replicas: 4 } }), ...pods]);
    expect(r.plan!.kind).toBe('par');
    expect(deletes(r.plan)).toEqual(['web-rs-unsched', 'web-rs-pending', 'web-rs-notready'].map((name) => ({
      verb: 'delete', kind: 'Pod', namespace: 'default', name,
    })));
    expect(eventsOf(r.plan).map((e) => e.message)).toEqual([
      'Deleted pod: web-rs-unsched', 'Deleted pod: web-rs-pending', 'Deleted pod: web-rs-notready',
    ]);
  });

  it('by pod-deletion-cost among ready pods', () => {
    const pods = ['a', 'b', 'c'].map((s, i) => ({
      ...mkPod(`web-rs-${s}`, { node: 'n1', ready: true, readyAt: 0 }),
      metadata: { ...mkPod(`web-rs-${s}`).metadata!, annotations: { 'controller.kubernetes.io/pod-deletion-cost': String([5, -3, 0][i]) } },
    }));
    const r = sync([mkRs({ replicas: 1, status: { replicas: 3 } }), ...pods]);
    expect(deletes(r.plan).map((d) => d.name)).toEqual(['web-rs-b', 'web-rs-c']);
  });

  it('no manageReplicas while the ReplicaSet is being deleted (status only)', () => {
    const r = sync([mkRs({ replicas: 0, deleting: true, status: { replicas: 0 } }), mkPod('web-rs-a')]);
    expect(writesOf(r.plan)).toHaveLength(0);
    expect(statusOf(r)!.status.replicas).toBe(1);
  });
});

describe('S46: terminating pods are replaced immediately', () => {
  it('a pod with a deletionTimestamp is not active: one replacement in the same sync', () => {
    const pods = [mkPod('web-rs-aaaaa'), mkPod('web-rs-bbbbb'), mkPod('web-rs-ccccc', { deleting: true })];
    const r = sync([mkRs({ replicas: 3, status: { replicas: 3 } }), ...pods]);
    expect(creates(r.plan)).toHaveLength(1);
    expect((creates(r.plan)[0]!.object as Pod).metadata!.generateName).toBe('web-rs-');
    expect(statusOf(r)!.status.replicas).toBe(2);
  });

  it('four pod objects coexist until the old one is gone; status counts 3', () => {
    const sim = new MiniCluster([mkRs({ replicas: 3 })]);
    sim.sync();
    expect(sim.pods()).toHaveLength(3);
    const names1 = sim.pods().map((p) => p.metadata!.name!);
    expect(new Set(names1).size).toBe(3);
    for (const n of names1) expect(n).toMatch(/^web-rs-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(sim.events.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message))
      .toEqual(names1.map((n) => `Created pod: ${n}`));
    sim.sync();
    expect(sim.rs().status!.replicas).toBe(3);

    sim.userDelete(names1[0]!); // graceful: Terminating
    sim.sync();
    const all = sim.pods();
    expect(all).toHaveLength(4);
    expect(all.filter((p) => p.metadata!.deletionTimestamp !== undefined).map((p) => p.metadata!.name)).toEqual([names1[0]]);
    const fresh = all.find((p) => !names1.includes(p.metadata!.name!))!;
    expect(fresh.metadata!.name).toMatch(/^web-rs-/);
    sim.sync();
    expect(sim.rs().status!.replicas).toBe(3);
    expect(creates(sim.last!.plan)).toHaveLength(0);
  });
});

describe('claiming by selector (§2.2 step 3)', () => {
  it('adopts matching orphans, releases owned non-matching pods, ignores pods of other controllers', () => {
    const orphan = mkPod('orphan', { owner: null, rv: '21' });
    const strayed = mkPod('strayed', { labels: { app: 'other' }, rv: '22' });
    const foreign = mkPod('foreign', { owner: ref('other-rs', 'other-uid') });
    const orphanNoMatch = mkPod('loner', { owner: null, labels: { app: 'x' } });
    const otherNs = mkPod('elsewhere', { owner: null, ns: 'kube-system' });
    const r = sync([mkRs({ replicas: 2, status: { replicas: 0 } }), orphan, strayed, foreign, orphanNoMatch, otherNs, mkPod('mine')]);
    const ps = patches(r.plan);
    expect(ps).toEqual([
      { verb: 'patch', kind: 'Pod', namespace: 'default', name: 'strayed', resourceVersion: '22',
        patch: { metadata: { ownerReferences: null, uid: 'uid-strayed' } } },
      { verb: 'patch', kind: 'Pod', namespace: 'default', name: 'orphan', resourceVersion: '21',
        patch: { metadata: { ownerReferences: [ref()], uid: 'uid-orphan' } } },
    ]);
    // mine + adopted orphan = 2 = replicas: nothing to create or delete.
    expect(creates(r.plan)).toHaveLength(0);
    expect(deletes(r.plan)).toHaveLength(0);
    expect(statusOf(r)!.status.replicas).toBe(2);
  });

  it('release keeps other (non-controller) owner references', () => {
    const extra: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' };
    const p = { ...mkPod('strayed', { labels: { app: 'other' } }) };
    const pod = { ...p, metadata: { ...p.metadata!, ownerReferences: [extra, ref()] } };
    const r = sync([mkRs({ replicas: 0 }), pod]);
    expect(patches(r.plan)[0]!.patch).toEqual({ metadata: { ownerReferences: [extra], uid: 'uid-strayed' } });
  });

  it('claims first: a failed adoption stops the sync (no creates, no status) and cancels the expectations', () => {
    const orphan = mkPod('orphan', { owner: null });
    const r = sync([mkRs({ replicas: 3 }), orphan]);
    expect(r.plan!.kind).toBe('seq');
    expect(creates(r.plan)).toHaveLength(2);
    const conflict = apiError('Conflict', 409, 'Operation cannot be fulfilled on pods "orphan": the object has been modified');
    const ran = runPlan(r.plan, (q) => (q.verb === 'patch' ? conflict : undefined));
    expect(ran.requests).toHaveLength(1);
    expect(r.finalize!(ran.outcome)).toBeUndefined();
    expect(r.onDone!(ran.outcome, r.local!).get('default/web-rs')!.add).toBe(0);
  });

  it('no adoption or release while the ReplicaSet is being deleted', () => {
    const r = sync([mkRs({ replicas: 3, deleting: true }), mkPod('orphan', { owner: null }), mkPod('strayed', { labels: { app: 'other' } })]);
    expect(writesOf(r.plan)).toHaveLength(0);
    expect(statusOf(r)!.status.replicas).toBe(0);
  });
});

describe('status (§2.5)', () => {
  const pods = [
    mkPod('web-rs-a', { ready: true, readyAt: 0 }), // available
    mkPod('web-rs-b', { ready: true, readyAt: NOW - 5_000 }), // ready 5 s: not available with minReadySeconds 10
    mkPod('web-rs-c', { ready: false, labels: { app: 'rs' } }), // not fully labeled
    mkPod('web-rs-d', { phase: 'Succeeded' }), // inactive
    mkPod('web-rs-e', { deleting: true, ready: true }), // terminating: not counted
  ];

  it('counts replicas, fullyLabeled, ready and available, and observedGeneration', () => {
    const r = sync([mkRs({ replicas: 3, minReadySeconds: 10, generation: 4 }), ...pods]);
    expect(creates(r.plan)).toHaveLength(0);
    expect(statusOf(r)!.status).toEqual({
      replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4,
    });
    // Pod b turned Ready at NOW-5 s: [RS updatePod] re-syncs minReadySeconds + 1 s after that.
    expect(r.requeueAfterMs).toBe(6_000);
  });

  it('writes nothing when the status is already up to date', () => {
    const status = { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 4 };
    const r = sync([mkRs({ replicas: 3, generation: 4, status }), ...pods]);
    expect(r.finalize!(runPlan(r.plan).outcome)).toBeUndefined();
    // A new generation alone is written.
    expect(statusOf(sync([mkRs({ replicas: 3, generation: 5, status }), ...pods]))!.status.observedGeneration).toBe(5);
  });

  it('all ready but not all available → requeue after minReadySeconds', () => {
    const ps = ['a', 'b'].map((s) => mkPod(`web-rs-${s}`, { ready: true, readyAt: NOW - 20_000 }));
    const r = sync([mkRs({ replicas: 2, minReadySeconds: 30 }), ...ps]);
    expect(statusOf(r)!.status.availableReplicas).toBeUndefined();
    expect(r.requeueAfterMs).toBe(11_000); // earlier than minReadySeconds: the pods' own availability time + 1 s
    const fresh = ['a', 'b'].map((s) => mkPod(`web-rs-${s}`, { ready: true, readyAt: NOW }));
    expect(sync([mkRs({ replicas: 2, minReadySeconds: 30 }), ...fresh]).requeueAfterMs).toBe(30_000);
    expect(sync([mkRs({ replicas: 2 }), ...fresh]).requeueAfterMs).toBeUndefined();
  });

  it('ReplicaFailure is removed once manageReplicas succeeds (or is not needed)', () => {
    const failing = { replicas: 3, observedGeneration: 1, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'x' }] };
    const three = ['a', 'b', 'c'].map((s) => mkPod(`web-rs-${s}`, { labels: { app: 'rs', tier: 'web' } }));
    const s = statusOf(sync([mkRs({ replicas: 3, status: failing }), ...three]))!.status;
    expect(s).toEqual({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
  });
});

describe('purity', () => {
  const deepFreeze = <T>(o: T): T => {
    if (o && typeof o === 'object' && !Object.isFrozen(o)) {
      Object.freeze(o);
      for (const v of Object.values(o)) deepFreeze(v);
    }
    return o;
  };

  it('never mutates what it reads and is deterministic', () => {
    const objs = deepFreeze([
      mkRs({ replicas: 2, status: { replicas: 5, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'm' }] } }),
      mkPod('orphan', { owner: null }), mkPod('strayed', { labels: { app: 'x' } }),
      ...['a', 'b', 'c', 'd'].map((x, i) => mkPod(`web-rs-${x}`, { node: 'n', ready: i % 2 === 0, readyAt: i * 10_000 })),
    ]);
    const local = deepFreeze(new Map());
    const a = sync(objs, local);
    const b = sync(objs, local);
    expect(writesOf(a.plan)).toEqual(writesOf(b.plan));
    const o = runPlan(a.plan).outcome;
    expect(writesOf(a.finalize!(o))).toEqual(writesOf(b.finalize!(o)));
    // 5 claimed (4 owned + the adopted orphan, which is unscheduled) for 2 replicas.
    expect(deletes(a.plan).map((d) => d.name)).toEqual(['orphan', 'web-rs-b', 'web-rs-d']);
    expect(local.size).toBe(0);
  });
});

describe('event handlers (keysFor) and initial keys', () => {
  const rsA = mkRs();
  const rsB = mkRs({ name: 'web-rs-2', uid: 'uid-2' });
  const other = { ...mkRs({ name: 'api', uid: 'uid-3' }), spec: { ...mkRs().spec!, selector: { matchLabels: { app: 'api' } } } };
  const s = snap([rsA, rsB, other]);
  const keys = (e: Envelope, old?: KObject) => [...replicaSetKeysFor(e, old, s)].sort();

  it('ReplicaSet events map to the ReplicaSet itself', () => {
    expect(keys(added(rsA))).toEqual(['default/web-rs']);
    expect(keys(modified(rsA), rsA)).toEqual(['default/web-rs']);
    expect(keys(deleted(rsA))).toEqual(['default/web-rs']);
  });

  it('a pod with a controller ref maps to that ReplicaSet only (if it is one, with that uid)', () => {
    expect(keys(added(mkPod('p')))).toEqual(['default/web-rs']);
    expect(keys(added(mkPod('p', { owner: ref('web-rs', 'stale-uid') })))).toEqual([]);
    expect(keys(added(mkPod('p', { owner: { ...ref(), kind: 'StatefulSet' } })))).toEqual([]);
    expect(keys(deleted(mkPod('p')))).toEqual(['default/web-rs']);
    expect(keys(modified(mkPod('p', { ready: true })), mkPod('p'))).toEqual(['default/web-rs']);
  });

  it('an orphan maps to every ReplicaSet whose selector matches, on add and on label change only', () => {
    const orphan = mkPod('o', { owner: null });
    expect(keys(added(orphan))).toEqual(['default/web-rs', 'default/web-rs-2']);
    expect(keys(modified({ ...orphan, status: { phase: 'Running' } }), orphan)).toEqual([]);
    const relabeled = mkPod('o', { owner: null, labels: { app: 'api' } });
    expect(keys(modified(relabeled), orphan)).toEqual(['default/api']);
    expect(keys(deleted(orphan))).toEqual([]);
    expect(keys(added(mkPod('o', { owner: null, ns: 'other' })))).toEqual([]);
  });

  it('a controller-ref change syncs the old and the new owner; a release syncs the old owner and matching sets', () => {
    const moved = mkPod('p', { owner: ref('web-rs-2', 'uid-2') });
    expect(keys(modified(moved), mkPod('p'))).toEqual(['default/web-rs', 'default/web-rs-2']);
    const released = mkPod('p', { owner: null, labels: { app: 'api' } });
    expect(keys(modified(released), mkPod('p'))).toEqual(['default/api', 'default/web-rs']);
  });

  it('a terminating pod syncs its owner (and the old owner when labels changed too)', () => {
    expect(keys(modified(mkPod('p', { deleting: true })), mkPod('p'))).toEqual(['default/web-rs']);
    expect(keys(added(mkPod('p', { deleting: true, owner: null })))).toEqual([]);
  });

  it('initial keys are all ReplicaSets', () => {
    expect([...replicaSetController.initialKeys(s, config)].sort()).toEqual(['default/api', 'default/web-rs', 'default/web-rs-2']);
    expect(replicaSetController.name).toBe('replicaset-controller');
    expect(replicaSetController.watches).toEqual(['ReplicaSet', 'Pod']);
  });
});

// ---------------------------------------------------------------------------------------------------
// A tiny cluster for multi-step scenarios: applies planned writes the way the API server does
// (generateName with 5 characters of the rand alphabet, graceful deletion), delivers the entries to the
// controller's observe/keysFor, and keeps the controller's local state.

class MiniCluster {
  readonly store;
  local: ReplicaSetLocal = new Map();
  now = NOW;
  seq = 100;
  events: EventSpec[] = [];
  last: ReconcileResult<ReplicaSetLocal> | undefined;
  private rng = 7;

  constructor(objs: KObject[]) { this.store = snap(objs); }

  rs(): ReplicaSet { return this.store.get('ReplicaSet', 'default', 'web-rs')!; }
  pods(): Pod[] { return [...this.store.list('Pod', 'default')]; }

  private deliver(type: Envelope['type'], object: KObject): void {
    const old = this.store.get(object.kind as 'Pod', 'default', object.metadata!.name!) as KObject | undefined;
    const e: Envelope = { seq: ++this.seq, time: this.now, type, actor: 'apiserver', cause: null, object };
    if (type === 'DELETED') this.store.remove(object); else this.store.put(object);
    this.local = observeReplicaSetEntry(e, old, this.local);
  }

  private nextChar(): string {
    this.rng = (this.rng * 1103515245 + 12345) % 2147483648;
    return 'bcdfghjklmnpqrstvwxz2456789'[this.rng % 27]!;
  }

  private apply(req: ApiRequest): string {
    switch (req.verb) {
      case 'create': {
        const m = req.object.metadata!;
        const name = m.name ?? `${m.generateName}${Array.from({ length: 5 }, () => this.nextChar()).join('')}`;
        const o = { ...req.object, metadata: { ...m, name, uid: `uid-${name}`, resourceVersion: String(this.seq + 1), creationTimestamp: timestamp(this.now) },
          status: { phase: 'Pending' } } as KObject;
        this.deliver('ADDED', o);
        return name;
      }
      case 'update': {
        const cur = this.rs();
        this.deliver('MODIFIED', { ...cur, status: (req.object as ReplicaSet).status, metadata: { ...cur.metadata, resourceVersion: String(this.seq + 1) } } as KObject);
        return cur.metadata!.name!;
      }
      case 'delete': { this.userDelete(req.name); return req.name; }
      default: throw new Error(`unexpected ${req.verb}`);
    }
  }

  private execute(s: Step | undefined): void {
    if (!s) return;
    if (s.kind === 'write') {
      const name = this.apply(s.req);
      if (s.onSuccess) this.events.push({ ...s.onSuccess, message: s.onSuccess.message.replace(CREATED_NAME, name) });
    } else if (s.kind === 'event') this.events.push(s.event);
    else if (s.kind === 'seq' || s.kind === 'par') for (const c of s.steps) this.execute(c);
    else throw new Error(s.message);
  }

  userDelete(name: string): void {
    const p = this.store.get('Pod', 'default', name)!;
    this.deliver('MODIFIED', { ...p, metadata: { ...p.metadata, deletionTimestamp: timestamp(this.now + 30_000), deletionGracePeriodSeconds: 30 } });
  }

  sync(): void {
    this.now += 1000;
    const r = syncReplicaSet({ snapshot: this.store, key: 'default/web-rs', now: this.now, config, local: this.local, seed: 1 });
    this.last = r;
    if (r.local) this.local = r.local;
    this.execute(r.plan);
    // Every write succeeded.
    const tags = new Set<string>();
    const collect = (s: Step | undefined): void => {
      if (!s) return;
      if (s.kind === 'write') { if (s.tag) tags.add(s.tag); } else if (s.kind === 'seq' || s.kind === 'par') s.steps.forEach(collect);
    };
    collect(r.plan);
    const outcome: PlanOutcome = { ok: true, succeeded: tags, failed: new Set() };
    this.execute(r.finalize?.(outcome));
    if (r.onDone) this.local = r.onDone(outcome, this.local);
  }
}
