import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject, Pod, StatefulSet } from '@kubesim/api';
import type { ClusterSpec } from '@kubesim/runtime';
import { checkLog, distributedCheckOptions } from '@kubesim/invariants';
import { ApiClient, connectNats, launchCluster, LogView, type LaunchOptions, type Launched } from '@kubesim/nats';
import { componentEntry } from '../src/index.js';

export const clusterSpec = (nodes = 3): ClusterSpec => ({
  nodes: Array.from({ length: nodes }, (_, i) => ({ name: `node-${String.fromCharCode(97 + i)}` })),
  storageClasses: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'kubesim.io/hostpath', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' } as KObject],
  namespaces: ['default'],
});

export const headless = (name = 'web'): KObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { clusterIP: 'None', selector: { app: name }, ports: [{ name: 'web', port: 80 }] } }) as KObject;

export const statefulSet = (replicas: number, opts: { name?: string; policy?: 'OrderedReady' | 'Parallel'; graceSeconds?: number } = {}): KObject => {
  const name = opts.name ?? 'web';
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      replicas, serviceName: name, podManagementPolicy: opts.policy ?? 'OrderedReady', selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: opts.graceSeconds ?? 10, containers: [{ name: 'c', image: 'nginx', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } }],
    },
  } as KObject;
};

/** A launched cluster with a user client and a local fold of the log; `close()` stops everything. */
export interface TestCluster {
  readonly c: Launched;
  readonly user: ApiClient;
  readonly view: LogView;
  readonly dir: string;
  close(): Promise<void>;
}

/** The clusters of this test file that are up: a failed wait reports what each was doing. */
const liveClusters = new Set<TestCluster>();

export const startCluster = async (o: Partial<LaunchOptions> = {}): Promise<TestCluster> => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-test-'));
  const c = await launchCluster({ spec: clusterSpec(), entry: componentEntry(), dir, timeScale: 100, ...o });
  const creds = c.userCreds ? { creds: c.userCreds } : {};
  const userNc = await connectNats({ url: c.url, name: 'test-user', ...creds });
  const view = await LogView.open(c, await connectNats({ url: c.url, name: 'test-view', ...creds }));
  const t: TestCluster = {
    c, user: new ApiClient(userNc, c.s, 'user'), view, dir,
    close: async () => {
      liveClusters.delete(t);
      await view.close();
      await userNc.close();
      await c.stop();
      // KUBESIM_KEEP_LOGS=1 keeps the processes' logs of a failed run for a look.
      if (process.env.KUBESIM_KEEP_LOGS) process.stderr.write(`kept ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  liveClusters.add(t);
  return t;
};

/** The last `n` lines of a file ('' when it does not exist), each cut to 240 characters. */
const tail = (file: string, n: number): string[] => {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  return lines.slice(-n).map((l) => (l.length > 240 ? `${l.slice(0, 240)}…` : l));
};

/**
 * What a cluster was doing when a wait failed — the evidence a CI run keeps in its output, where the
 * temporary directory is gone: the test's view of the log (its last entries; the whole log is written to
 * `<dir>/view-log.jsonl`), every process's state and the tail of its log, and the nats-servers' logs.
 */
export const evidence = (t: TestCluster, lines = 8): string => {
  const out: string[] = [`cluster ${t.c.cluster.id} in ${t.dir}; the test's view at seq ${t.view.seq}, its last entries:`];
  for (const e of t.view.entries.slice(-5)) {
    out.push(`  ${e.seq} ${e.type} ${e.object ? `${e.object.kind}/${e.object.metadata?.name ?? ''}` : JSON.stringify(e.data ?? {}).slice(0, 120)} by ${e.actor} cause ${e.cause ?? '-'} at ${e.time}`);
  }
  writeFileSync(join(t.dir, 'view-log.jsonl'), t.view.entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  for (const p of t.c.supervisor.states()) {
    out.push(`process ${p.name}: ${p.state}${p.exit ? ` (${p.exit})` : ''}, pid ${p.pid ?? '-'}, restarts ${p.restarts}`);
    for (const l of tail(t.c.supervisor.logFile(p.name), lines)) out.push(`  | ${l}`);
  }
  const logDir = t.dir;
  for (const f of readdirSync(logDir).filter((x) => x.startsWith('nats-server') && x.endsWith('.log')).sort()) {
    out.push(`${f}:`);
    for (const l of tail(join(logDir, f), lines)) out.push(`  | ${l}`);
  }
  return out.join('\n');
};

/** Poll a condition on the local fold until it holds (a deadline, no sleeps in the assertions). */
export const until = async (what: string, f: () => boolean, timeoutMs = 60_000, state?: () => string): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > deadline) {
      const seen = [...liveClusters].map((t) => evidence(t)).join('\n');
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state ? `; ${state()}` : ''}${seen ? `\n${seen}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** The pods and claims of a run, one line each (for a failed wait's message). */
export const podStates = (t: TestCluster): string => [
  ...([...t.view.store.list('Pod', 'default')] as Pod[]).map((p) => `${p.metadata!.name} node=${p.spec?.nodeName ?? '-'} ${p.status?.phase ?? '?'} ${(p.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(',')}${p.metadata?.deletionTimestamp ? ' terminating' : ''}`),
  ...[...t.view.store.list('PersistentVolumeClaim', 'default')].map((c) => `${c.metadata!.name} ${c.status?.phase ?? '?'} ${c.spec?.volumeName ?? '-'}`),
  `log at seq ${t.view.seq}`,
].join('; ');

export const setOf = (t: TestCluster, name = 'web'): StatefulSet | undefined => t.view.store.get('StatefulSet', 'default', name) as StatefulSet | undefined;

/** Every invariant checker over the log as the view has it; the violations as sentences. */
export const violations = (t: TestCluster): string[] =>
  checkLog(t.view.entries, { endIsQuiescent: true, ...distributedCheckOptions(t.c.cluster.timeScale) }).violations.map((v) => v.message);

/**
 * A JetStream API call retried while the cluster recovers: after a server is killed the API's
 * requests can time out (or find no responder) until the survivors have elected new leaders, as any
 * client would see; anything else fails at once.
 */
export const retryingJs = async <T>(what: string, f: () => Promise<T>, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      const m = e instanceof Error ? `${e.name} ${e.message}` : String(e);
      if (!/timeout|no responders|503/i.test(m) || Date.now() > deadline) throw new Error(`${what}: ${m}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
};

/**
 * The violations once the cluster has settled: the end of the log is quiescent only when every process
 * has caught up with it, and a process whose watch was on a killed server may take its watchdog's
 * stall time (6 s) to re-open it. Polled until no violation is left or the deadline passes; what is
 * left then is returned (a violation earlier in the log never goes away, so a real one is reported),
 * and the log as the test's view folded it is written to `<dir>/view-log.jsonl`.
 */
export const settledViolations = async (t: TestCluster, timeoutMs = 30_000): Promise<string[]> => {
  const deadline = Date.now() + timeoutMs;
  let v = violations(t);
  while (v.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    v = violations(t);
  }
  // The evidence of a failure: the log as the test saw it, beside the processes' logs (kept with KUBESIM_KEEP_LOGS=1).
  if (v.length > 0) writeFileSync(join(t.dir, 'view-log.jsonl'), t.view.entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return v;
};

export const command = async (t: TestCluster, data: Record<string, unknown>, reqs: Parameters<ApiClient['command']>[1]): Promise<void> => {
  const r = await t.user.command(data, reqs);
  if (!r.ok) throw new Error(r.error.message);
  await t.view.caughtUp(Math.max(r.command, ...r.results.map((x) => Number(x.metadata?.resourceVersion ?? 0))));
};

export const scale = (t: TestCluster, replicas: number, name = 'web'): Promise<void> =>
  command(t, { command: 'scale', target: `statefulset/${name}`, replicas }, [{ verb: 'patch', kind: 'StatefulSet', namespace: 'default', name, subresource: 'scale', patch: { spec: { replicas } } }]);
