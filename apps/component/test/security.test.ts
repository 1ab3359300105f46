import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject, Pod } from '@kubesim/api';
import { ApiClient, connectNats, encodeEntry, encodeWire, jsOf, managerOf } from '@kubesim/nats';

type NatsConnection = Awaited<ReturnType<typeof connectNats>>;
import { command, headless, startCluster, statefulSet, until, type TestCluster } from './helpers.js';

/**
 * Every component connects as its own NATS user and may publish only its own requests; only the API
 * server publishes to the log; the API server authorizes each request as Kubernetes' RBAC and
 * NodeRestriction do. A forbidden publish and a forbidden write are refused, logged, and write nothing.
 */
describe('security: NATS permissions and API authorization', () => {
  let t: TestCluster;
  const conns: NatsConnection[] = [];
  const as = async (user: string): Promise<NatsConnection> => {
    const u = t.c.users.find((x) => x.user === user);
    if (!u) throw new Error(`no user ${user} (users: ${t.c.users.map((x) => x.user).join(', ')})`);
    const nc = await connectNats({ url: t.c.url, name: `test-${user}`, creds: { user: u.user, password: u.password } });
    conns.push(nc);
    return nc;
  };
  /** Nothing in the log came from this actor, or about this object (read after the view caught up with the stream). */
  const entriesBy = async (pred: (e: (typeof t.view.entries)[number]) => boolean) => {
    await t.view.caughtUp((await (await managerOf(t.c.admin)).streams.info(t.c.s.stream)).state.last_seq);
    return t.view.entries.filter(pred);
  };
  const apiserverLog = () => readFileSync(t.c.supervisor.logFile('apiserver'), 'utf8');

  beforeAll(async () => {
    t = await startCluster({ kubeletPerNode: true });
    await command(t, { command: 'apply' }, [{ verb: 'create', object: headless() }, { verb: 'create', object: statefulSet(3, { policy: 'Parallel' }) }]);
    await until('3 pods on nodes', () => ([...t.view.store.list('Pod', 'default')] as Pod[]).filter((p) => p.spec?.nodeName).length === 3);
  }, 120_000);
  afterAll(async () => {
    for (const nc of conns) await nc.close().catch(() => undefined);
    await t?.close();
  });

  it('refuses a publish to the log by anyone but the API server, logs it, and stores nothing', async () => {
    const subject = t.c.s.object('Pod', 'default', 'evil');
    for (const user of ['scheduler', 'user', 'statefulset-controller']) {
      const nc = await as(user);
      await expect(jsOf(nc).js.publish(subject, encodeEntry({ type: 'ADDED', actor: user, cause: null, object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evil', namespace: 'default' } } as KObject })))
        .rejects.toThrow(/permission/i);
    }
    await until('the server logged the violations', () => (t.c.server!.log().match(/Publish Violation - User "[a-z-]+", Subject "ksim\.default\.log\.obj\.Pod\.default\.evil"/g) ?? []).length >= 3, 10_000);
    expect(await entriesBy((e) => e.object?.metadata?.name === 'evil')).toEqual([]);
    expect(await (await managerOf(t.c.admin)).streams.getMessage(t.c.s.stream, { last_by_subj: subject })).toBeNull();
  });

  it('refuses a component sending requests as another one', async () => {
    const nc = await as('scheduler');
    const violations: string[] = [];
    void (async () => { for await (const s of nc.status()) if (s.type === 'error') violations.push(String((s as { error?: Error }).error?.message ?? s.type)); })();
    const reply = nc.request(t.c.s.api('statefulset-controller'), encodeWire({ op: 'request', id: 'x', cause: null, req: { verb: 'delete', kind: 'Pod', namespace: 'default', name: 'web-0' } }), { timeout: 1500 });
    await expect(reply).rejects.toThrow();
    await until('the server logged the violation', () => /Publish Violation - User "scheduler", Subject "ksim\.default\.api\.statefulset-controller"/.test(t.c.server!.log()), 10_000);
    expect(t.view.store.get('Pod', 'default', 'web-0')?.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('refuses a write the component is not allowed (RBAC), logs it in the API server, and writes nothing', async () => {
    const scheduler = new ApiClient(await as('scheduler'), t.c.s, 'scheduler');
    const r = await scheduler.request({ verb: 'create', object: statefulSet(1, { name: 'rogue' }) }, null);
    expect(r.ok ? 'written' : r.error.message).toBe('statefulsets.apps "rogue" is forbidden: User "system:scheduler" cannot create resource "statefulsets" in API group "apps" in the namespace "default"');
    const rec = await new ApiClient(await as('scheduler'), t.c.s, 'scheduler').record('FAULT', { fault: 'crash', component: 'kubelet' });
    expect(rec.ok ? 'recorded' : rec.error.reason).toBe('Forbidden');
    await until('the API server logged the denials', () => /denied: scheduler: User "system:scheduler" cannot create resource "statefulsets"/.test(apiserverLog()) && /denied: scheduler: only the runtime may record FAULT/.test(apiserverLog()), 10_000);
    expect(await entriesBy((e) => e.object?.metadata?.name === 'rogue' || (e.type === 'FAULT' && e.actor === 'scheduler'))).toEqual([]);
  });

  it('lets a kubelet touch only the pods bound to its node (NodeRestriction), on its own subject only', async () => {
    const pods = [...t.view.store.list('Pod', 'default')] as Pod[];
    const pod = pods[0]!;
    const other = t.c.cluster.spec.nodes.map((n) => n.name).find((n) => n !== pod.spec!.nodeName)!;
    const kubelet = new ApiClient(await as(`kubelet-${other}`), t.c.s, `kubelet:${other}`);
    const r = await kubelet.request({ verb: 'patch', kind: 'Pod', namespace: 'default', name: pod.metadata!.name!, subresource: 'status', patch: { status: { phase: 'Failed' } } }, null);
    expect(r.ok ? 'written' : r.error.message).toContain(`node "${other}" can only update pods bound to it`);
    // Its NATS user cannot even send as the pod's own node.
    const sneaky = kubelet.request({ verb: 'patch', kind: 'Pod', namespace: 'default', name: pod.metadata!.name!, subresource: 'status', patch: { status: { phase: 'Failed' } } }, null, `kubelet:${pod.spec!.nodeName!}`);
    expect((await sneaky).ok).toBe(false);
    await until('the server logged the violation', () => t.c.server!.log().includes(`Publish Violation - User "kubelet-${other}", Subject "ksim.default.api.kubelet.${pod.spec!.nodeName!}"`), 10_000);
    expect(await entriesBy((e) => e.object?.metadata?.uid === pod.metadata!.uid && e.actor.startsWith('kubelet:') && e.actor !== `kubelet:${pod.spec!.nodeName!}`)).toEqual([]);
  });
});
