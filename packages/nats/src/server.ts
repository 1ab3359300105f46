import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { authorizationBlock, type NatsUser } from './permissions.js';
import { isAlive, signalAndWait } from './process.js';

/** How to get nats-server when it is missing (tests fail with this, never skip). */
export const NATS_SERVER_MISSING =
  'nats-server was not found (looked on PATH and at /usr/sbin/nats-server). Install it: `apt-get install -y nats-server` '
  + '(Debian/Ubuntu; `.ci/run` does this), or download a release from https://github.com/nats-io/nats-server/releases and put it on PATH, '
  + 'or set KUBESIM_NATS_SERVER=/path/to/nats-server.';

/** Where Debian and the release tarballs put nats-server when it is not on PATH. */
export const NATS_SERVER_PLACES = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server'];

/** The nats-server binary: $KUBESIM_NATS_SERVER, PATH, or Debian's /usr/sbin/nats-server. Throws with install instructions. */
export const findNatsServer = (env: NodeJS.ProcessEnv = process.env, places: readonly string[] = NATS_SERVER_PLACES): string => {
  const candidates = [
    ...(env.KUBESIM_NATS_SERVER ? [env.KUBESIM_NATS_SERVER] : []),
    ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'nats-server')),
    ...places,
  ];
  for (const c of candidates) {
    try { accessSync(c, constants.X_OK); return c; } catch { /* next */ }
  }
  throw new Error(NATS_SERVER_MISSING);
};

/** A free TCP port on loopback (for cluster routes, which peers must know before they start). */
export const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const srv = createServer();
  srv.unref();
  srv.on('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const addr = srv.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    srv.close(() => resolve(port));
  });
});

export interface NatsClusterOptions {
  readonly name: string;
  readonly serverName: string;
  /** This server's route port. */
  readonly port: number;
  /** The route ports of every server of the cluster (this one's included is fine). */
  readonly routes: readonly number[];
}

export interface NatsServerOptions {
  /** Client port; default: a free one chosen by the server (`-1`), kept across restarts. */
  readonly port?: number;
  /** JetStream store; default: a temporary directory removed by `stop()`. */
  readonly storeDir?: string;
  /** Users with permissions (no users: an open server, for tests that do not test security). */
  readonly users?: readonly NatsUser[];
  readonly cluster?: NatsClusterOptions;
  /** Where the server logs (default: `<dir>/nats-server.log`). */
  readonly logFile?: string;
  readonly binary?: string;
  /** Wait this long for the server to listen. */
  readonly startTimeoutMs?: number;
}

const waitFor = async <T>(what: string, timeoutMs: number, probe: () => T | undefined, proc?: ChildProcess): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (proc && proc.exitCode !== null) throw new Error(`${what}: nats-server exited with code ${proc.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${what}: timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/**
 * A nats-server with JetStream started by kubesim (tests, `kubesim up`): loopback only, a free port, a
 * generated configuration (users and permissions), a temporary or named store. `stop()` (or
 * `await using`) ends it; `kill()` is a kill -9; `start()` again restarts it on the same port and store.
 */
export class NatsServer implements AsyncDisposable {
  private proc: ChildProcess | undefined;
  private readonly dir: string;
  readonly storeDir: string;
  readonly configFile: string;
  readonly logFile: string;
  private portNow: number | undefined;

  private constructor(private readonly opts: NatsServerOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'kubesim-nats-'));
    this.storeDir = opts.storeDir ?? join(this.dir, 'store');
    mkdirSync(this.storeDir, { recursive: true });
    this.configFile = join(this.dir, 'nats-server.conf');
    this.logFile = opts.logFile ?? join(this.dir, 'nats-server.log');
    this.portNow = opts.port;
  }

  static async start(opts: NatsServerOptions = {}): Promise<NatsServer> {
    const s = new NatsServer(opts);
    await s.start();
    return s;
  }

  get port(): number {
    if (this.portNow === undefined) throw new Error('nats-server has not started');
    return this.portNow;
  }
  get url(): string { return `nats://127.0.0.1:${this.port}`; }
  get pid(): number | undefined { return this.proc?.pid; }
  /** The cluster route port, for a clustered server. */
  get routePort(): number | undefined { return this.opts.cluster?.port; }
  /** The server name (clustered servers: the name JetStream reports as a stream's leader). */
  get name(): string | undefined { return this.opts.cluster?.serverName; }
  get running(): boolean { return isAlive(this.proc); }

  private config(): string {
    const o = this.opts;
    const lines = [
      `listen: "127.0.0.1:${this.portNow ?? -1}"`,
      `ports_file_dir: ${JSON.stringify(this.dir)}`,
      `jetstream { store_dir: ${JSON.stringify(this.storeDir)} }`,
      // Permission violations are logged (the security tests read them).
      'logtime: true',
      `log_file: ${JSON.stringify(this.logFile)}`,
    ];
    if (o.cluster) {
      const c = o.cluster;
      lines.push(`server_name: ${JSON.stringify(c.serverName)}`);
      // no_advertise: clients use only the URLs they are given (kubesim gives every process the whole list,
      // or its partition relays — which a discovered server URL would bypass).
      lines.push(`cluster { name: ${JSON.stringify(c.name)}, listen: "127.0.0.1:${c.port}", no_advertise: true, routes: [${c.routes.filter((p) => p !== c.port).map((p) => `"nats-route://127.0.0.1:${p}"`).join(', ')}] }`);
    }
    let text = `${lines.join('\n')}\n`;
    if (o.users && o.users.length > 0) text += authorizationBlock(o.users);
    return text;
  }

  /** Start (or restart after stop/kill) with the same configuration, port and store. */
  async start(): Promise<void> {
    if (this.running) return;
    for (const f of readdirSync(this.dir)) if (f.endsWith('.ports')) rmSync(join(this.dir, f), { force: true });
    writeFileSync(this.configFile, this.config(), { mode: 0o600 }); // it holds every user's password
    const bin = this.opts.binary ?? findNatsServer();
    const proc = spawn(bin, ['-c', this.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    this.proc = proc;
    const spawnError = new Promise<never>((_, reject) => proc.once('error', (e) => reject(new Error(`cannot start ${bin}: ${e.message}`))));
    const portsFile = `nats-server_${proc.pid ?? 0}.ports`;
    const listening = waitFor('nats-server start', this.opts.startTimeoutMs ?? 15_000, () => {
      const f = join(this.dir, portsFile);
      if (!existsSync(f)) return undefined;
      try {
        const ports = JSON.parse(readFileSync(f, 'utf8')) as { nats?: string[] };
        const url = ports.nats?.[0];
        return url ? Number(new URL(url).port) : undefined;
      } catch { return undefined; }
    }, proc).catch((e: Error) => { throw new Error(`${e.message}${stderr ? `\n${stderr}` : ''}\n(log: ${this.logFile})`); });
    this.portNow = await Promise.race([listening, spawnError]);
  }

  /** kill -9: no clean shutdown (JetStream must recover its store on the next start). */
  async kill(): Promise<void> { await this.signal('SIGKILL'); }

  /** Clean shutdown (SIGTERM). */
  async shutdown(): Promise<void> { await this.signal('SIGTERM'); }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    if (this.proc) await signalAndWait(this.proc, sig);
  }

  /** Stop the server and remove its temporary files (the store too, unless it was named). */
  async stop(): Promise<void> {
    await this.shutdown();
    rmSync(this.dir, { recursive: true, force: true }); // config, ports file, log, and the store when it is ours
  }

  async [Symbol.asyncDispose](): Promise<void> { await this.stop(); }

  /** The server's log so far (permission violations, JetStream recovery). */
  log(): string {
    try { return readFileSync(this.logFile, 'utf8'); } catch { return ''; }
  }
}
