import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { ApiClient, connectNats, credsFromEnv, DilatedClock, readCluster, jsOf, subjectsFor, type Credentials, type DistributedCluster, type Subjects } from '@kubesim/nats';

/**
 * How the CLI finds a running cluster: `kubesim up` writes a context file
 * (`$KUBESIM_HOME/contexts/<name>.json`, default `~/.kubesim`) with the NATS URL, the cluster id, the
 * CLI user's credentials and where the process logs are. `--nats URL` (+ KUBESIM_NATS_USER /
 * KUBESIM_NATS_PASSWORD) reaches a cluster without one.
 */
export interface ClusterContext {
  readonly name: string;
  readonly url: string;
  readonly cluster: string;
  readonly user?: Credentials;
  readonly dir?: string;
  readonly logDir?: string;
  /** The `kubesim up` process. */
  readonly pid?: number;
}

export const kubesimHome = (): string => process.env.KUBESIM_HOME ?? join(homedir(), '.kubesim');
export const contextFile = (name: string): string => join(kubesimHome(), 'contexts', `${name}.json`);

export const writeContext = (c: ClusterContext): void => {
  mkdirSync(join(kubesimHome(), 'contexts'), { recursive: true, mode: 0o700 });
  writeFileSync(contextFile(c.name), `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
};

export const removeContext = (name: string): void => rmSync(contextFile(name), { force: true });

export interface ContextOptions {
  readonly context?: string;
  readonly nats?: string;
  readonly cluster?: string;
}

export const resolveContext = (o: ContextOptions): ClusterContext => {
  if (o.nats) {
    const creds = credsFromEnv();
    return { name: o.context ?? 'default', url: o.nats, cluster: o.cluster ?? 'default', ...(creds ? { user: creds } : {}) };
  }
  const name = o.context ?? process.env.KUBESIM_CONTEXT ?? 'default';
  const f = contextFile(name);
  if (!existsSync(f)) throw new Error(`no running cluster "${name}" (${f} not found): start one with \`kubesim up\`, or pass --nats URL`);
  return JSON.parse(readFileSync(f, 'utf8')) as ClusterContext;
};

/** A CLI session against a running cluster: the connection, the API client (actor `user`), the cluster clock. */
export interface Session {
  readonly ctx: ClusterContext;
  readonly nc: NatsConnection;
  readonly s: Subjects;
  readonly api: ApiClient;
  readonly cluster: DistributedCluster;
  readonly clock: DilatedClock;
  close(): Promise<void>;
}

export const openSession = async (o: ContextOptions): Promise<Session> => {
  const ctx = resolveContext(o);
  const nc = await connectNats({ url: ctx.url, name: 'kubesim:cli', timeoutMs: 5_000, ...(ctx.user ? { creds: ctx.user } : {}) }).catch((e: Error) => {
    throw new Error(`cannot reach cluster "${ctx.name}" at ${ctx.url}: ${e.message}`);
  });
  const s = subjectsFor(ctx.cluster);
  const cluster = await readCluster(jsOf(nc), s, 5_000);
  return {
    ctx, nc, s, cluster, clock: new DilatedClock(cluster), api: new ApiClient(nc, s, 'user'),
    close: () => nc.close(),
  };
};

/** Run a CLI action with a session; errors print and give exit status 1. */
export const withSession = async (o: ContextOptions, f: (s: Session) => Promise<number>): Promise<number> => {
  let session: Session | undefined;
  try {
    session = await openSession(o);
    return await f(session);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await session?.close().catch(() => undefined);
  }
};

/** A request to the `kubesim up` supervisor (kill, restart, ps, down). */
export const control = async <T>(s: Session, verb: string, arg = ''): Promise<T> => {
  const m = await s.nc.request(s.s.ctl(verb), arg, { timeout: 30_000 }).catch((e: Error) => {
    throw new Error(/no responders/i.test(e.message) || e.name === 'NoRespondersError' ? `no \`kubesim up\` supervises cluster "${s.ctx.name}"` : e.message);
  });
  const r = JSON.parse(new TextDecoder().decode(m.data)) as { ok: boolean; error?: string } & T;
  if (!r.ok) throw new Error(r.error ?? `${verb} failed`);
  return r;
};
