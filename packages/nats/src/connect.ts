import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { inboxPrefixOf } from './subjects.js';
import { RequestMux } from './mux.js';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export interface ConnectOptions {
  readonly url: string;
  /** No credentials: an open server (tests that do not test security, or `--nats URL` without auth). */
  readonly creds?: Credentials;
  /** Connection name shown by the server (`kubesim:<component>`). */
  readonly name: string;
  /** Give up the first connect after this long (reconnects after that go on forever). */
  readonly timeoutMs?: number;
}

/**
 * Connect as one kubesim user: its own reply inbox (`_INBOX.<user>.>`, the only inbox it may read),
 * reconnecting forever (a nats-server restart is survived), without async stack traces (most of
 * JetStream publish's CPU otherwise goes into building them).
 */
/** The reply inbox prefix each connection was opened with. */
const inboxes = new WeakMap<NatsConnection, string>();
const muxes = new WeakMap<NatsConnection, RequestMux>();

/** The connection's shared request multiplexer (created on first use). */
export const muxOf = (nc: NatsConnection): RequestMux => {
  let m = muxes.get(nc);
  if (!m) { m = new RequestMux(nc, inboxes.get(nc) ?? '_INBOX'); muxes.set(nc, m); }
  return m;
};

export const connectNats = async (o: ConnectOptions): Promise<NatsConnection> => {
  const nc = await connect({
    servers: o.url.split(','),
    name: o.name,
    ...(o.creds ? { user: o.creds.user, pass: o.creds.password, inboxPrefix: inboxPrefixOf(o.creds.user) } : {}),
    noAsyncTraces: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    reconnectJitter: 50,
    timeout: o.timeoutMs ?? 10_000,
    pingInterval: 5_000,
  });
  inboxes.set(nc, o.creds ? inboxPrefixOf(o.creds.user) : '_INBOX');
  return nc;
};

/** Log the connection's losses and recoveries (`nats disconnect` / `nats reconnect`) for as long as it lives. */
export const logConnectionChanges = (nc: NatsConnection, log: (line: string) => void): void => {
  void (async () => {
    for await (const st of nc.status()) if (st.type === 'disconnect' || st.type === 'reconnect') log(`nats ${st.type}`);
  })();
};

export interface Js {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** Raw publishes with a shared reply subscription (the log's appends). */
  readonly mux: RequestMux;
}

export const jsOf = (nc: NatsConnection): Js => ({ nc, js: jetstream(nc, { timeout: 10_000 }), mux: muxOf(nc) });

export const managerOf = (nc: NatsConnection): Promise<JetStreamManager> => jetstreamManager(nc, { timeout: 10_000 });

/** Credentials from the environment of a process started by kubesim (`KUBESIM_NATS_USER`/`KUBESIM_NATS_PASSWORD`). */
export const credsFromEnv = (env: NodeJS.ProcessEnv = process.env): Credentials | undefined =>
  env.KUBESIM_NATS_USER && env.KUBESIM_NATS_PASSWORD ? { user: env.KUBESIM_NATS_USER, password: env.KUBESIM_NATS_PASSWORD } : undefined;
