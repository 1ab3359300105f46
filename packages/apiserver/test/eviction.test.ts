import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { defaultServiceAccount, Rand, type KObject, type Pod, type PodDisruptionBudget } from '@kubesim/api';
import { InMemoryLog } from '@kubesim/log';
import { ApiServer, type RequestContext } from '../src/index.js';

const user = (time = 0, dryRun = false): RequestContext => ({ actor: 'user', cause: null, time, ...(dryRun ? { dryRun } : {}) });
const system = (time = 0): RequestContext => ({ actor: 'disruption-controller', cause: null, time });

const setup = () => {
  const log = new InMemoryLog();
  const api = new ApiServer(log, new Rand(7));
  api.handle({ verb: 'create', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KObject }, user());
  api.handle({ verb: 'create', object: defaultServiceAccount('default') as KObject }, user());
  return { log, api };
};

/** A Running pod, Ready or not, labelled app=db. */
const runningPod = (api: ApiServer, name: string, ready = true, labels: Record<string, string> = { app: 'db' }): Pod => {
  const created = (api.handle({ verb: 'create', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }], terminationGracePeriodSeconds: 30 } } as KObject }, user()) as E.Right<KObject>).right as Pod;
  api.handle({ verb: 'bind', namespace: 'default', name, nodeName: 'node-a' }, { actor: 'scheduler', cause: null, time: 0 });
  const bound = api.get('Pod', 'default', name) as Pod;
  const status = { ...bound.status, phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  const r = api.handle({ verb: 'update', subresource: 'status', object: { ...bound, status } as KObject }, user());
  expect(E.isRight(r)).toBe(true);
  return { ...created, status } as Pod;
};

/** A budget and the status its controller would have written. */
const budget = (api: ApiServer, name: string, spec: Record<string, unknown>, status: Partial<NonNullable<PodDisruptionBudget['status']>>): PodDisruptionBudget => {
  const created = (api.handle({ verb: 'create', object: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec } as KObject }, user()) as E.Right<KObject>).right as PodDisruptionBudget;
  const full = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0, observedGeneration: 1, ...status };
  const r = api.handle({ verb: 'update', subresource: 'status', object: { ...created, status: full } as KObject }, system());
  expect(E.isRight(r)).toBe(true);
  return (r as E.Right<KObject>).right as PodDisruptionBudget;
};

const evict = (api: ApiServer, name: string, ctx = user(5_000), gracePeriodSeconds?: number) =>
  api.handle({ verb: 'evict', namespace: 'default', name, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}) }, ctx);

const REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

describe('the eviction subresource', () => {
  it('without a budget: the DisruptionTarget condition (EvictionByEvictionAPI), then a graceful deletion, as two writes', () => {
    const { api, log } = setup();
    runningPod(api, 'db-0');
    const before = log.lastSeq();
    const r = evict(api, 'db-0');
    expect(E.isRight(r)).toBe(true);
    const written = log.all().slice(before);
    expect(written.map((e) => `${e.type} ${e.op ?? ''}`)).toEqual(['MODIFIED update/status', 'MODIFIED delete']);
    const p = api.get('Pod', 'default', 'db-0') as Pod;
    expect(p.metadata?.deletionTimestamp).toBe('2026-01-01T00:00:35Z');
    expect(p.metadata?.deletionGracePeriodSeconds).toBe(30);
    expect(p.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
      status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: '2026-01-01T00:00:05Z', observedGeneration: 1,
    });
    // The deletion was conditioned on the pod as the condition left it (no write came between).
    expect(Number(p.metadata?.resourceVersion)).toBe(log.lastSeq());
  });

  it("honours the eviction's grace period", () => {
    const { api } = setup();
    runningPod(api, 'db-0');
    expect(E.isRight(evict(api, 'db-0', user(), 0))).toBe(true);
    expect(api.get('Pod', 'default', 'db-0')).toBeUndefined();
  });

  it('with a budget that allows it: the budget first (disruptionsAllowed − 1, the pod in disruptedPods, DisruptionAllowed False at 0), then the pod', () => {
    const { api, log } = setup();
    runningPod(api, 'db-0');
    runningPod(api, 'db-1');
    budget(api, 'db', { maxUnavailable: 1, selector: { matchLabels: { app: 'db' } } }, { currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, disruptionsAllowed: 1 });
    const before = log.lastSeq();
    expect(E.isRight(evict(api, 'db-1', user(7_000)))).toBe(true);
    expect(log.all().slice(before).map((e) => `${String(e.object?.kind)} ${e.op ?? ''}`)).toEqual(['PodDisruptionBudget update/status', 'Pod update/status', 'Pod delete']);
    const b = api.get('PodDisruptionBudget', 'default', 'db') as PodDisruptionBudget;
    expect(b.status).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 2, disruptedPods: { 'db-1': '2026-01-01T00:00:07Z' } });
    expect(b.status?.conditions).toEqual([{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:07Z' }]);
  });

  it('gives up after 20 decisions whose budget write all lost a race: a Timeout naming the budget, and nothing written', () => {
    let budgetWrites = 0;
    let racing = false;
    // Another writer of the budget wins every compare-and-set while `racing`.
    class RacedLog extends InMemoryLog {
      override append(req: Parameters<InMemoryLog['append']>[0]): ReturnType<InMemoryLog['append']> {
        if (racing && req.object?.kind === 'PodDisruptionBudget') {
          budgetWrites++;
          return E.left({ type: 'LogConflict', key: 'PodDisruptionBudget/default/db', expected: req.expectSeq ?? 0, actual: this.lastSeq() });
        }
        return super.append(req);
      }
    }
    const log = new RacedLog();
    const api = new ApiServer(log, new Rand(7));
    api.handle({ verb: 'create', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KObject }, user());
  api.handle({ verb: 'create', object: defaultServiceAccount('default') as KObject }, user());
    runningPod(api, 'db-0');
    runningPod(api, 'db-1');
    budget(api, 'db', { maxUnavailable: 1, selector: { matchLabels: { app: 'db' } } }, { currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, disruptionsAllowed: 1 });
    const before = log.lastSeq();
    racing = true;
    const r = evict(api, 'db-1');
    expect(r).toEqual(E.left(expect.objectContaining({ reason: 'Timeout', code: 504, message: 'couldn\'t update PodDisruptionBudget "db" due to conflicts' })));
    expect(budgetWrites).toBe(20);
    expect(log.lastSeq()).toBe(before);
  });

  it('refuses with 429 when the budget allows no disruption, or has not seen its latest generation — and writes nothing', () => {
    const { api, log } = setup();
    runningPod(api, 'db-0');
    const b = budget(api, 'db', { minAvailable: 1, selector: { matchLabels: { app: 'db' } } }, { currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptionsAllowed: 0 });
    const before = log.lastSeq();
    const r = evict(api, 'db-0');
    expect(E.isLeft(r) && { reason: r.left.reason, code: r.left.code, message: r.left.message }).toEqual({ reason: 'TooManyRequests', code: 429, message: REFUSED });
    // A spec change the controller has not processed yet (observedGeneration < generation).
    api.handle({ verb: 'update', subresource: 'status', object: { ...b, status: { ...b.status!, disruptionsAllowed: 1 } } as KObject }, system());
    const cur = api.get('PodDisruptionBudget', 'default', 'db') as PodDisruptionBudget;
    api.handle({ verb: 'update', object: { ...cur, spec: { ...cur.spec, minAvailable: 0 } } as KObject }, user());
    expect((api.get('PodDisruptionBudget', 'default', 'db') as PodDisruptionBudget).metadata?.generation).toBe(2);
    const mid = log.lastSeq();
    const stale = evict(api, 'db-0');
    expect(E.isLeft(stale) && stale.left.message).toBe(REFUSED);
    expect(log.lastSeq()).toBe(mid);
    expect(log.all().slice(before).every((e) => e.object?.kind === 'PodDisruptionBudget')).toBe(true);
    expect((api.get('Pod', 'default', 'db-0') as Pod).metadata?.deletionTimestamp).toBeUndefined();
  });

  it('refuses a pod covered by two budgets (500); a negative disruptionsAllowed cannot be stored', () => {
    const { api } = setup();
    runningPod(api, 'db-0');
    budget(api, 'a', { minAvailable: 0, selector: { matchLabels: { app: 'db' } } }, { disruptionsAllowed: 1 });
    budget(api, 'b', { minAvailable: 0, selector: { matchLabels: { app: 'db' } } }, { disruptionsAllowed: 1 });
    const two = evict(api, 'db-0');
    expect(E.isLeft(two) && { code: two.left.code, message: two.left.message }).toEqual({ code: 500, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' });
    const { api: api2 } = setup();
    runningPod(api2, 'db-0');
    const b = budget(api2, 'a', { minAvailable: 0, selector: { matchLabels: { app: 'db' } } }, { disruptionsAllowed: 1 });
    // Status validation refuses a negative count, so the stored status carries it only through a bug elsewhere.
    const neg = api2.handle({ verb: 'update', subresource: 'status', object: { ...b, status: { ...b.status!, disruptionsAllowed: -1 } } as KObject }, system());
    expect(E.isLeft(neg) && neg.left.message).toBe('PodDisruptionBudget.policy "a" is invalid: status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0');
  });

  it('a Pending, terminal or terminating pod is deleted without asking its budget', () => {
    const { api } = setup();
    api.handle({ verb: 'create', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending', labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as KObject }, user());
    budget(api, 'db', { minAvailable: 5, selector: { matchLabels: { app: 'db' } } }, { disruptionsAllowed: 0 });
    expect(E.isRight(evict(api, 'pending'))).toBe(true);
    expect(api.get('Pod', 'default', 'pending')).toBeUndefined(); // never scheduled: deleted at once
    runningPod(api, 'failed');
    const f = api.get('Pod', 'default', 'failed') as Pod;
    api.handle({ verb: 'update', subresource: 'status', object: { ...f, status: { ...f.status, phase: 'Failed' } } as KObject }, user());
    expect(E.isRight(evict(api, 'failed'))).toBe(true);
    expect(api.get('Pod', 'default', 'failed')).toBeUndefined(); // terminal: no grace period
    runningPod(api, 'going');
    api.handle({ verb: 'delete', kind: 'Pod', namespace: 'default', name: 'going' }, user());
    expect(E.isRight(evict(api, 'going'))).toBe(true); // already terminating: no budget asked
    expect((api.get('PodDisruptionBudget', 'default', 'db') as PodDisruptionBudget).status?.disruptedPods).toBeUndefined();
    expect((api.get('PodDisruptionBudget', 'default', 'db') as PodDisruptionBudget).status?.disruptedPods).toBeUndefined();
  });

  it('a pod that is not Ready: evicted without spending a disruption when the budget is healthy anyway, or under AlwaysAllow; else refused', () => {
    const { api } = setup();
    runningPod(api, 'db-0');
    runningPod(api, 'db-1', false);
    budget(api, 'db', { minAvailable: 1, selector: { matchLabels: { app: 'db' } } }, { currentHealthy: 1, desiredHealthy: 1, expectedPods: 2, disruptionsAllowed: 0 });
    expect(E.isRight(evict(api, 'db-1'))).toBe(true);
    expect((api.get('PodDisruptionBudget', 'default', 'db') as PodDisruptionBudget).status).toMatchObject({ disruptionsAllowed: 0 });
    expect((api.get('Pod', 'default', 'db-1') as Pod).metadata?.deletionTimestamp).toBeDefined();

    const { api: unhealthy } = setup();
    runningPod(unhealthy, 'db-0', false);
    budget(unhealthy, 'db', { minAvailable: 1, selector: { matchLabels: { app: 'db' } } }, { currentHealthy: 0, desiredHealthy: 1, expectedPods: 1, disruptionsAllowed: 0 });
    expect(E.isLeft(evict(unhealthy, 'db-0'))).toBe(true);
    const cur = unhealthy.get('PodDisruptionBudget', 'default', 'db') as PodDisruptionBudget;
    unhealthy.handle({ verb: 'update', object: { ...cur, spec: { ...cur.spec, unhealthyPodEvictionPolicy: 'AlwaysAllow' } } as KObject }, user());
    expect(E.isRight(evict(unhealthy, 'db-0'))).toBe(true);
  });

  it('a budget with an empty selector covers nothing here; a dry run decides without writing; a component needs the pods/eviction right', () => {
    const { api, log } = setup();
    runningPod(api, 'db-0');
    budget(api, 'all', { minAvailable: 10, selector: {} }, { disruptionsAllowed: 0 });
    const before = log.lastSeq();
    expect(E.isRight(evict(api, 'db-0', user(0, true)))).toBe(true);
    expect(log.lastSeq()).toBe(before);
    const denied = evict(api, 'db-0', { actor: 'replicaset-controller', cause: null, time: 0 });
    expect(E.isLeft(denied) && denied.left.message).toBe('pods "db-0" is forbidden: User "system:replicaset-controller" cannot create resource "pods/eviction" in API group "" in the namespace "default"');
    expect(E.isRight(evict(api, 'db-0'))).toBe(true);
    const missing = evict(api, 'nope');
    expect(E.isLeft(missing) && missing.left.message).toBe('pods "nope" not found');
  });
});
