import * as E from 'fp-ts/lib/Either.js';
import { DeliverPolicy, DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { AppendRequest, Envelope, LogConflict } from '@kubesim/log';
import { decodeEntry, encodeEntry, subjectOfEntry } from './codec.js';
import { managerOf, type Js } from './connect.js';
import type { Subjects } from './subjects.js';

/** Consumer notifications that happen all the time (not worth a log line). */
const ROUTINE_STATUS = new Set(['heartbeat', 'discard', 'debug', 'next']);

/** A watch with no message and no heartbeat for this long is re-opened. */
const STALL_MS = 6_000;

/** How long one pull request waits (its idle heartbeats come at half of it). */
const PULL_EXPIRES_MS = 2_000;

const dec = new TextDecoder();
/** How long an append waits for JetStream's acknowledgement. */
const APPEND_TIMEOUT_MS = 10_000;

/** JetStream's "wrong last sequence: N" (a stale compare-and-set). */
export const WRONG_LAST_SEQUENCE = 10071;

export interface StreamOptions {
  /** 1 on a single server; 3 on a three-server cluster (the log survives the loss of one). */
  readonly replicas?: number;
}

/**
 * Create the log's stream if it does not exist: file storage, every message kept (no limits, no
 * per-subject limit: it is the history), deletes and purges denied (append-only), a two-minute
 * de-duplication window for `msgID`.
 */
export const ensureStream = async (nc: NatsConnection, s: Subjects, o: StreamOptions = {}): Promise<void> => {
  const jsm = await managerOf(nc);
  try {
    await jsm.streams.info(s.stream);
    return;
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== 10059) throw err;
  }
  await jsm.streams.add({
    name: s.stream,
    subjects: [s.log],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_msgs_per_subject: -1,
    num_replicas: o.replicas ?? 1,
    duplicate_window: 120_000_000_000,
    deny_delete: true,
    deny_purge: true,
    allow_direct: true,
  });
};

export interface AppendResult {
  readonly seq: number;
  /** The message was a retry that JetStream de-duplicated (same msgID): it was stored before. */
  readonly duplicate: boolean;
}

/**
 * Append one entry: on the object's subject with the expected last subject sequence (the object's
 * resourceVersion, 0 for "never written") when `expectSeq` is given; with `msgID` so a retry after a
 * lost acknowledgement is stored once.
 */
export const appendEntry = async (j: Js, s: Subjects, req: Omit<AppendRequest, 'time'> & { time?: number }, msgID: string, subject = subjectOfEntry(s, req)): Promise<E.Either<LogConflict, AppendResult>> => {
  const h = headers();
  h.set('Nats-Msg-Id', msgID);
  if (req.expectSeq !== undefined) h.set('Nats-Expected-Last-Subject-Sequence', String(req.expectSeq));
  // A raw publish to the stream's subject: JetStream answers on the reply subject with its ack (or error).
  const m = await j.mux.request(subject, encodeEntry(req), APPEND_TIMEOUT_MS, h);
  const ack = JSON.parse(dec.decode(m.data)) as { seq?: number; duplicate?: boolean; error?: { err_code?: number; description?: string } };
  if (ack.error) {
    if (ack.error.err_code === WRONG_LAST_SEQUENCE) {
      const actual = Number(/wrong last sequence: (\d+)/.exec(ack.error.description ?? '')?.[1] ?? NaN);
      return E.left({ type: 'LogConflict', key: subject, expected: req.expectSeq ?? -1, actual });
    }
    throw new Error(`JetStream refused the append on ${subject}: ${ack.error.description ?? JSON.stringify(ack.error)}`);
  }
  if (typeof ack.seq !== 'number') throw new Error(`JetStream answered an append on ${subject} without a seq`);
  return E.right({ seq: ack.seq, duplicate: ack.duplicate === true });
};

export interface FollowOptions {
  /** Subject filters (one ordered consumer each: a watch per kind); default: the whole log. */
  readonly filters?: readonly string[];
  /** First seq to read (1: the whole history). */
  readonly fromSeq?: number;
  /** Virtual time of a message from its JetStream store timestamp. */
  readonly timeOf: (wallMs: number) => number;
  readonly onEntry: (e: Envelope) => void;
  /** Called once every filter has delivered what the stream held when it started. */
  readonly onSynced?: () => void;
  /** What the watches' consumers report (missed heartbeats, re-creations), for the process log. */
  readonly onStatus?: (line: string) => void;
}

/**
 * Follows the log: one ordered consumer per filter (JetStream's ordered consumers recreate
 * themselves after a reconnect or a gap, resuming after the last sequence they delivered), each
 * delivering in stream order. "Synced" is known before any reconcile: a consumer is synced when it
 * had nothing pending at creation or has delivered a message with nothing pending after it.
 */
export class LogFollower {
  private readonly watches = new Map<string, { messages: ConsumerMessages | undefined; cursor: number; restarting: boolean; lastSign: number }>();
  private stopped = false;
  private syncedCount = 0;
  /** The highest seq delivered (any filter). */
  lastSeq = 0;
  /** Watches re-opened by the watchdog (a consumer lost with its server). */
  restarts = 0;

  constructor(private readonly j: Js, private readonly s: Subjects, private readonly o: FollowOptions) {}

  async start(): Promise<void> {
    const filters = this.o.filters ?? [this.s.log];
    let notified = false;
    const synced = (): void => {
      if (++this.syncedCount === filters.length && !notified) { notified = true; this.o.onSynced?.(); }
    };
    for (const filter of filters) {
      this.watches.set(filter, { messages: undefined, cursor: (this.o.fromSeq ?? 1) - 1, restarting: false, lastSign: Date.now() });
      await this.open(filter, synced);
    }
  }

  /** One watch: an ordered consumer from the sequence after the last one it delivered. */
  private async open(filter: string, synced?: () => void): Promise<void> {
    const w = this.watches.get(filter)!;
    // A fresh options object per consumer: the client writes into it.
    const consumer = await this.j.js.consumers.get(this.s.stream, {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: w.cursor + 1,
    });
    let filterSynced = synced === undefined || (await consumer.info(true)).num_pending === 0;
    if (filterSynced) synced?.();
    const messages = await consumer.consume({
      max_messages: 1000,
      // Short pulls: after a server restart the client re-checks its consumer (and recreates it at the
      // next sequence) within a pull's expiry, not the default 30 s.
      expires: PULL_EXPIRES_MS,
      callback: (m: JsMsg) => {
        if (this.stopped || w.messages !== messages) return;
        w.lastSign = Date.now();
        if (m.seq <= w.cursor) return; // a re-opened watch never repeats an entry
        w.cursor = m.seq;
        const e = decodeEntry(m.seq, this.o.timeOf(m.info.timestampNanos / 1e6), m.data);
        if (e.seq > this.lastSeq) this.lastSeq = e.seq;
        this.o.onEntry(e);
        if (!filterSynced && m.info.pending === 0) { filterSynced = true; synced?.(); }
      },
    });
    w.messages = messages;
    void this.watchdog(filter, messages);
  }

  /**
   * The client re-creates an ordered consumer it finds gone; but in a clustered stream a consumer whose
   * server died can still be listed while nobody serves it, and the client then waits for it forever
   * (no message, no heartbeat, no new pull). A watch with no sign of life for `STALL_MS` is re-opened
   * from its cursor; a healthy idle watch shows a heartbeat every half pull expiry.
   */
  private async watchdog(filter: string, messages: ConsumerMessages): Promise<void> {
    const w = this.watches.get(filter)!;
    w.lastSign = Date.now();
    const timer = setInterval(() => {
      if (this.stopped || w.messages !== messages) { clearInterval(timer); return; }
      if (Date.now() - w.lastSign < STALL_MS || w.restarting) return;
      clearInterval(timer);
      void this.reopen(filter, messages);
    }, 500);
    timer.unref();
    const signs = messages.status();
    void messages.closed().then(() => clearInterval(timer), () => clearInterval(timer));
    for await (const st of signs) {
      if (this.stopped || w.messages !== messages) break;
      // Alive: a heartbeat (an idle consumer sends one every half pull expiry); missed ones are not.
      if (st.type === 'heartbeat') w.lastSign = Date.now();
      if (!ROUTINE_STATUS.has(st.type)) this.o.onStatus?.(`${filter}: ${st.type}${'count' in st ? ` (${String(st.count)})` : ''}`);
    }
    clearInterval(timer);
  }

  /** Close a stalled watch and open it again after the last entry it delivered. */
  private async reopen(filter: string, messages: ConsumerMessages): Promise<void> {
    const w = this.watches.get(filter)!;
    w.restarting = true;
    this.o.onStatus?.(`${filter}: no sign of life for ${STALL_MS} ms; re-opening after seq ${w.cursor}`);
    try {
      void messages.close().catch(() => undefined);
      this.restarts++;
      for (let wait = 100; !this.stopped; wait = Math.min(wait * 2, 2000)) {
        try { await this.open(filter); break; } catch { await new Promise((r) => setTimeout(r, wait)); }
      }
    } finally {
      w.restarting = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.watches.values()].map((w) => w.messages?.close()));
  }
}

/**
 * Read the log once, from `fromSeq` to the stream's last seq at the time of the call (export, `get`,
 * tests). While a clustered stream recovers from the loss of a server, JetStream's API can time out and
 * a fresh consumer can stay silent: a failed or stalled read is resumed after the last entry it got,
 * until `deadlineMs` has passed.
 */
export const readLog = async (j: Js, s: Subjects, timeOf: (wallMs: number) => number, fromSeq = 1, deadlineMs = 60_000): Promise<Envelope[]> => {
  const deadline = Date.now() + deadlineMs;
  const out: Envelope[] = [];
  let last: number | undefined;
  for (let wait = 250; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      last ??= (await (await managerOf(j.nc)).streams.info(s.stream)).state.last_seq;
      const next = out.length > 0 ? out[out.length - 1]!.seq + 1 : fromSeq;
      if (next <= last) await readRange(j, s, timeOf, next, last, out);
      return out;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`reading the log of ${s.stream}: ${(err as Error).message} (at seq ${out.at(-1)?.seq ?? fromSeq - 1} of ${String(last ?? '?')})`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
};

/** Append the entries `from`..`to` to `out`; fails when the consumer cannot be made or stays silent for `STALL_MS`. */
const readRange = async (j: Js, s: Subjects, timeOf: (wallMs: number) => number, from: number, to: number, out: Envelope[]): Promise<void> => {
  const consumer = await j.js.consumers.get(s.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from });
  let messages: ConsumerMessages | undefined;
  let lastSign = Date.now();
  let stall: NodeJS.Timeout | undefined;
  let finished = false;
  try {
    await new Promise<void>((resolve, reject) => {
      stall = setInterval(() => { if (Date.now() - lastSign > STALL_MS) reject(new Error(`no message for ${STALL_MS} ms`)); }, 500);
      consumer.consume({
        max_messages: 1000,
        expires: PULL_EXPIRES_MS,
        callback: (m: JsMsg) => {
          lastSign = Date.now();
          if (out.length > 0 && m.seq <= out[out.length - 1]!.seq) return;
          out.push(decodeEntry(m.seq, timeOf(m.info.timestampNanos / 1e6), m.data));
          if (m.seq >= to) resolve();
        },
      }).then((ms) => {
        messages = ms;
        if (finished) void ms.close();
        else if (out.length > 0 && out[out.length - 1]!.seq >= to) resolve();
      }, reject);
    });
  } finally {
    finished = true;
    clearInterval(stall);
    void messages?.close();
  }
};

/** The stream's first message (the cluster's bootstrap entry), waiting for it to be written. */
export const readFirstEntry = async (j: Js, s: Subjects, timeoutMs = 30_000): Promise<{ data: Uint8Array; wallMs: number }> => {
  const jsm = await managerOf(j.nc);
  const deadline = Date.now() + timeoutMs;
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    try {
      const m = await jsm.streams.getMessage(s.stream, { seq: 1 });
      if (m) return { data: m.data, wallMs: m.time.getTime() };
    } catch (err) {
      // No stream or no message yet: the API server (or `kubesim up`) has not bootstrapped the cluster.
      if (!(err instanceof JetStreamApiError) || (err.code !== 10037 && err.code !== 10059)) throw err;
    }
    if (Date.now() > deadline) throw new Error(`no cluster bootstrap entry in stream ${s.stream} after ${timeoutMs} ms (is the API server running?)`);
    await new Promise((r) => setTimeout(r, wait));
  }
};
