import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { COMPONENT_NAMES, type ClusterSpec } from '@kubesim/runtime';
import type { DistributedCluster } from './cluster.js';
import { connectNats, type Credentials } from './connect.js';
import { ensureStream } from './log.js';
import { natsUser, userNameOf, type NatsUser, type Role } from './permissions.js';
import { freePort, NatsServer } from './server.js';
import { subjectsFor, type Subjects } from './subjects.js';
import { Supervisor, type ProcessEntry, type ProcessSpec } from './supervisor.js';

export interface LaunchOptions {
  readonly spec: ClusterSpec;
  readonly entry: ProcessEntry;
  /** Where logs, the bootstrap file and (unless `storeDir`) nothing else go. */
  readonly dir: string;
  readonly cluster?: string;
  readonly seed?: number;
  /** Virtual ms per wall ms (default 1: real time). */
  readonly timeScale?: number;
  /** Use this NATS server (its operator set up users, or it is open); default: start one. */
  readonly url?: string;
  /** Credentials for every process when `url` is given (an open server needs none). */
  readonly creds?: Credentials;
  /** JetStream store of the started server (default: a temporary one). */
  readonly storeDir?: string;
  readonly apiServers?: number;
  /** One kubelet process per node (each its own NATS user, limited to its node) instead of one for all. */
  readonly kubeletPerNode?: boolean;
  /** Components to start (default: every one). */
  readonly components?: readonly string[];
  readonly streamReplicas?: number;
  /** Start a JetStream cluster of this many nats-servers (3: the log is replicated and survives the loss of one). */
  readonly natsServers?: number;
  /** Relay each process's connections (Supervisor `partitionable`): `partition` can then cut one off. */
  readonly partitionable?: boolean;
  readonly log?: (line: string) => void;
}

/** A running distributed cluster: the nats-server (if started here), the processes, the admin connection. */
export interface Launched extends AsyncDisposable {
  readonly s: Subjects;
  readonly url: string;
  /** The first server started here (undefined with `url`); all of them in `servers`. */
  readonly server: NatsServer | undefined;
  readonly servers: readonly NatsServer[];
  readonly supervisor: Supervisor;
  readonly admin: NatsConnection;
  readonly cluster: DistributedCluster;
  /** Every user with its password (`kubesim up` stores them for the CLI). */
  readonly users: readonly NatsUser[];
  /** Credentials of the CLI's `user`. */
  readonly userCreds: Credentials | undefined;
  /**
   * kill -9 one of the nats-servers started here, recorded first as a `nats-server-kill` fault with the
   * virtual time watches may lag; with `restartAfterMs` it starts again on its port and store.
   */
  killServer(server: NatsServer, restartAfterMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const password = (): string => randomBytes(18).toString('base64url');

/** One nats-server, or a JetStream cluster of `natsServers` on loopback (routes on free ports). */
const startServers = async (o: LaunchOptions, users: NatsUser[]): Promise<NatsServer[]> => {
  const n = o.natsServers ?? 1;
  if (n === 1) return [await NatsServer.start({ users, ...(o.storeDir ? { storeDir: o.storeDir } : {}), logFile: join(o.dir, 'nats-server.log') })];
  const routes: number[] = [];
  for (let i = 0; i < n; i++) routes.push(await freePort());
  const started: NatsServer[] = [];
  try {
    await Promise.all(routes.map(async (port, i) => {
      started.push(await NatsServer.start({
        users, logFile: join(o.dir, `nats-server-${i + 1}.log`),
        ...(o.storeDir ? { storeDir: join(o.storeDir, `s${i + 1}`) } : {}),
        cluster: { name: 'kubesim', serverName: `nats-${i + 1}`, port, routes },
      }));
    }));
  } catch (err) {
    for (const x of started) await x.stop();
    throw err;
  }
  return started.sort((a, b) => routes.indexOf(a.routePort!) - routes.indexOf(b.routePort!));
};

/** A JetStream cluster elects its leaders for a while after it starts: retry what needs one. */
const retrying = async <T>(what: string, f: () => Promise<T>, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 1000)) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
};

/**
 * Start a distributed cluster: a nats-server with a generated configuration (one user per component,
 * each allowed only its own subjects) unless a URL is given, the log's stream, the API server(s),
 * every component as its own process. Virtual time 0 is now.
 */
export const launchCluster = async (o: LaunchOptions): Promise<Launched> => {
  const id = o.cluster ?? 'default';
  const s = subjectsFor(id);
  mkdirSync(o.dir, { recursive: true });
  const nodes = o.spec.nodes.map((n) => n.name);
  const components = (o.components ?? COMPONENT_NAMES).filter((c) => c !== 'apiserver');
  const roles: { name: string; component: string; role: Role; args?: string[] }[] = [];
  const apiServers = o.apiServers ?? 1;
  const bootstrapFile = join(o.dir, 'cluster.json');
  for (let i = 0; i < apiServers; i++) {
    roles.push({ name: i === 0 ? 'apiserver' : `apiserver-${i + 1}`, component: 'apiserver', role: { kind: 'apiserver' }, args: ['--bootstrap', bootstrapFile] });
  }
  for (const c of components) {
    if (c === 'kubelet' && o.kubeletPerNode) {
      for (const n of nodes) roles.push({ name: `kubelet-${n}`, component: 'kubelet', role: { kind: 'kubelet', nodes: [n] }, args: ['--nodes', n] });
    } else roles.push({ name: c, component: c, role: c === 'kubelet' ? { kind: 'kubelet' } : { kind: 'component', name: c } });
  }
  const secure = o.url === undefined;
  const users = new Map<string, NatsUser>();
  if (secure) {
    for (const r of [...roles.map((x) => x.role), { kind: 'user' } as Role, { kind: 'admin' } as Role]) {
      const u = userNameOf(r);
      if (!users.has(u)) users.set(u, natsUser(s, r, password()));
    }
  }
  const credsOf = (u: string): Credentials | undefined => {
    if (!secure) return o.creds;
    const x = users.get(u)!;
    return { user: x.user, password: x.password };
  };
  const servers = secure ? await startServers(o, [...users.values()]) : [];
  const server = servers[0];
  const url = o.url ?? servers.map((x) => x.url).join(',');
  let admin: NatsConnection | undefined;
  let supervisor: Supervisor | undefined;
  try {
    const adminCreds = credsOf('admin');
    admin = await connectNats({ url, name: 'kubesim:supervisor', ...(adminCreds ? { creds: adminCreds } : {}) });
    await retrying('create the stream', () => ensureStream(admin!, s, { replicas: o.streamReplicas ?? (servers.length >= 3 ? 3 : 1) }));
    const cluster: DistributedCluster = { id, spec: o.spec, seed: o.seed ?? 1, epochMs: Date.now(), timeScale: o.timeScale ?? 1 };
    writeFileSync(bootstrapFile, JSON.stringify(cluster));
    const processes: ProcessSpec[] = roles.map((r) => {
      const creds = credsOf(userNameOf(r.role));
      const hosted = r.role.kind === 'kubelet' ? r.role.nodes ?? nodes : undefined;
      return { name: r.name, component: r.component, ...(r.args ? { args: r.args } : {}), ...(creds ? { creds } : {}), ...(hosted ? { nodes: hosted } : {}) };
    });
    // A resumed or healed process may lag while it reconnects and its watches catch up: the same 30 s of
    // wall time as after a nats-server kill.
    supervisor = new Supervisor({
      entry: o.entry, url, s, logDir: join(o.dir, 'logs'), processes, nc: admin, ...(o.log ? { log: o.log } : {}),
      ...(o.partitionable ? { partitionable: true } : {}), catchUpMs: 30_000 * cluster.timeScale,
    });
    const apis = processes.filter((p) => p.component === 'apiserver').map((p) => p.name);
    // The first API server bootstraps the log; the others (and the components) follow it.
    await supervisor.startAll(apis.slice(0, 1));
    await supervisor.startAll(apis.slice(1));
    await supervisor.startAll(processes.filter((p) => p.component !== 'apiserver').map((p) => p.name));
    const runtime = supervisor;
    const stop = async (): Promise<void> => {
      await runtime.stopAll();
      await admin?.drain().catch(() => undefined);
      for (const x of servers) await x.stop();
    };
    const killServer = async (x: NatsServer, restartAfterMs?: number): Promise<void> => {
      // Recorded first, as every fault is: the log shows the disturbance before its effects. The bound
      // covers reconnects, consumer re-creation and the followers' watchdog: 30 s of wall time.
      await runtime.recordFault({ fault: 'nats-server-kill', component: 'nats-server', server: x.name ?? x.url, ...(restartAfterMs !== undefined ? { restartAfterMs } : {}), durationMs: 30_000 * cluster.timeScale });
      await x.kill();
      if (restartAfterMs !== undefined) {
        await new Promise((r) => setTimeout(r, restartAfterMs));
        await x.start();
      }
    };
    return {
      s, url, server, servers, supervisor, killServer, admin, cluster, users: [...users.values()], userCreds: credsOf('user'),
      stop, [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    await supervisor?.stopAll().catch(() => undefined);
    await admin?.close().catch(() => undefined);
    for (const x of servers) await x.stop();
    throw err;
  }
};
