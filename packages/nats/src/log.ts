import * as E from 'fp-ts/lib/Either.js';
import { DeliverPolicy, DiscardPolicy, JetStreamApiError, jetstream, RetentionPolicy, StorageType, type JetStreamClient, type ConsumerMessages, type JetStreamManager, type JsMsg, type MsgRequest, type NextMsgRequest } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { AppendRequest, Envelope, LogConflict } from '@kubesim/log';
import { decodeEntry, encodeEntry, subjectOfEntry } from './codec.js';
import { managerOf, type Js } from './connect.js';
import type { Subjects } from './subjects.js';

/** Consumer notifications that happen all the time (not worth a log line). */
const ROUTINE_STATUS = new Set(['heartbeat', 'discard', 'debug', 'next']);

/** A watch with no message and no heartbeat for this long is re-opened. */
const STALL_MS = 6_000;

/**
 * A watch that delivered nothing for this long while showing signs of life is audited: the stream is
 * asked for its next entry after the watch's cursor; one that is older than `STALL_MS` and was not
 * delivered means the consumer is alive but stuck, and the watch is re-opened.
 */
const AUDIT_MS = 10_000;

/**
 * The JetStream API timeout of a re-open (and of a one-off read): while a clustered stream recovers
 * from the loss of a server, a consumer create can be placed on the dead peer and never be answered;
 * a short timeout tries again sooner (a first open, at a process's start, keeps the 10 s of `jsOf`).
 */
const REOPEN_API_TIMEOUT_MS = 4_000;
const quickClients = new WeakMap<object, JetStreamClient>();
const quickJs = (j: Js): JetStreamClient => {
  let c = quickClients.get(j.nc);
  if (!c) { c = jetstream(j.nc, { timeout: REOPEN_API_TIMEOUT_MS }); quickClients.set(j.nc, c); }
  return c;
};

/** A re-open that has not finished after this long is abandoned and tried again (its two API calls time out at 4 s each). */
const OPEN_TIMEOUT_MS = 15_000;

/** How often the follower looks after its watches. */
const SUPERVISE_MS = 500;

/**
 * A whole-log follower whose reader awaits an entry and that has delivered nothing for this long reads
 * the missing entries from the stream ({@link LogFollower.awaitSeq}).
 */
const GAP_READ_AFTER_MS = 250;

/**
 * How long one pull request waits (its idle heartbeats come at half of it). The shortest the client
 * allows: a pull the server drops or answers with a status the client does not re-pull on leaves the
 * consume silent until two heartbeats are missed (observed: 3 s with 2 s pulls, the whole cluster
 * waiting on the API server's watch), so the heartbeat sets how long such a stall lasts.
 */
const PULL_EXPIRES_MS = 1_000;

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
  /** Tuning (tests): no sign of life for this long re-opens a watch (default 6 s). */
  readonly stallMs?: number;
  /** Tuning (tests): a watch quiet for this long is audited against the stream (default 10 s). */
  readonly auditMs?: number;
}

/**
 * A stored message's RFC 3339 timestamp (nanosecond digits) as the number a consumed message's
 * `info.timestampNanos` holds for it (the same decimal digits, parsed the same way).
 */
export const timestampNanosOf = (rfc3339: string): number => {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(rfc3339);
  if (!m) throw new Error(`not an RFC 3339 timestamp: ${rfc3339}`);
  const secs = Date.parse(`${m[1]!}${m[3]!}`) / 1000;
  return parseInt(`${secs}${(m[2] ?? '').padEnd(9, '0')}`, 10);
};

/** One watch of a {@link LogFollower}: the consumer of one filter and where it is. */
interface Watch {
  readonly filter: string;
  /** The running consume; undefined while (re-)opening or after it ended. */
  messages: ConsumerMessages | undefined;
  /** The last seq this watch delivered. */
  cursor: number;
  /** Wall time of the last message or heartbeat. */
  lastSign: number;
  /** Wall time of the last message delivered (or of the open). */
  lastEntry: number;
  /** Wall time of the last audit; whether one is under way. */
  lastAudit: number;
  auditing: boolean;
  auditFailures: number;
  /** Attempt number: a consume (or an open still under way) of an older attempt ignores itself. */
  gen: number;
  /** Wall time the open under way began. */
  opening: number | undefined;
  /** No new attempt before this wall time (back-off after a failed open). */
  retryAt: number;
  failures: number;
}

/**
 * Follows the log: one ordered consumer per filter (JetStream's ordered consumers recreate
 * themselves after a reconnect or a gap, resuming after the last sequence they delivered), each
 * delivering in stream order. "Synced" is known before any reconcile: a consumer is synced when it
 * had nothing pending at creation or has delivered a message with nothing pending after it.
 *
 * A watch must never go quiet for good, whatever happens to its consumer: one supervisor re-opens,
 * from the watch's cursor, a consume that shows no sign of life for `STALL_MS`, one that ended by
 * itself (the client gives up on some server answers), one that is alive but does not deliver an
 * entry the stream has (the audit, `AUDIT_MS`), and an open that failed (after a back-off) or hangs
 * for `OPEN_TIMEOUT_MS`.
 */
export class LogFollower {
  private readonly watches: Watch[] = [];
  private stopped = false;
  private syncedCount = 0;
  private supervisor: NodeJS.Timeout | undefined;
  private jsm: Promise<JetStreamManager> | undefined;
  private readonly stallMs: number;
  private readonly auditMs: number;
  /** The highest seq delivered (any filter). */
  lastSeq = 0;
  /** Watches re-opened after a stall, an ended consume or a failed or hung open. */
  restarts = 0;
  /** Wall time of the last entry delivered (any watch, any path). */
  lastDelivery = Date.now();
  /** The highest seq {@link fill} was asked for, and its read under way. */
  private fillTo = 0;
  private filling: Promise<void> = Promise.resolve();
  /** The highest seq a reader awaits ({@link awaitSeq}) and the timer that reads it if the watch does not deliver it. */
  private awaited = 0;
  private gapTimer: NodeJS.Timeout | undefined;
  /** Until this wall time someone awaits `awaited`. */
  private awaitedUntil = 0;
  /** Gap reads started because the watch had stalled, and those that failed. */
  gapReads = 0;
  private gapReadFailures = 0;

  constructor(private readonly j: Js, private readonly s: Subjects, private readonly o: FollowOptions) {
    this.stallMs = o.stallMs ?? STALL_MS;
    this.auditMs = o.auditMs ?? AUDIT_MS;
  }

  async start(): Promise<void> {
    const filters = this.o.filters ?? [this.s.log];
    let notified = false;
    const synced = (): void => {
      if (++this.syncedCount === filters.length && !notified) { notified = true; this.o.onSynced?.(); }
    };
    for (const filter of filters) {
      const w: Watch = { filter, messages: undefined, cursor: (this.o.fromSeq ?? 1) - 1, lastSign: Date.now(), lastEntry: Date.now(), lastAudit: 0, auditing: false, auditFailures: 0, gen: 0, opening: undefined, retryAt: 0, failures: 0 };
      this.watches.push(w);
      await this.open(w, synced);
    }
    this.supervisor = setInterval(() => this.supervise(), SUPERVISE_MS);
    this.supervisor.unref();
  }

  /** One watch: an ordered consumer from the sequence after the last one it delivered. */
  private async open(w: Watch, synced?: () => void): Promise<void> {
    const gen = ++w.gen;
    const current = (): boolean => !this.stopped && w.gen === gen;
    w.opening = Date.now();
    try {
      // A fresh options object per consumer: the client writes into it.
      const consumer = await (synced === undefined ? quickJs(this.j) : this.j.js).consumers.get(this.s.stream, {
        filter_subjects: w.filter,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: w.cursor + 1,
      });
      if (!current()) return;
      let filterSynced = synced === undefined || (await consumer.info(true)).num_pending === 0;
      if (filterSynced) synced?.();
      const messages = await consumer.consume({
        max_messages: 1000,
        // Short pulls: after a server restart the client re-checks its consumer (and recreates it at the
        // next sequence) within a pull's expiry, not the default 30 s.
        expires: PULL_EXPIRES_MS,
        callback: (m: JsMsg) => {
          if (!current()) return;
          w.lastSign = Date.now();
          this.deliver(w, m.seq, m.info.timestampNanos, m.data);
          if (!filterSynced && m.info.pending === 0) { filterSynced = true; synced?.(); }
        },
      });
      if (!current()) { void messages.close().catch(() => undefined); return; }
      w.messages = messages;
      w.opening = undefined;
      if (synced === undefined) this.o.onStatus?.(`${w.filter}: re-opened after seq ${w.cursor}`);
      w.failures = 0;
      w.lastSign = w.lastEntry = Date.now();
      void this.follow(w, gen, messages);
    } catch (err) {
      if (!current()) return;
      w.opening = undefined;
      w.failures++;
      w.retryAt = Date.now() + Math.min(100 * 2 ** (w.failures - 1), 2_000);
      if (synced) throw err; // the first open: the caller (a process syncing) fails and is restarted
      this.o.onStatus?.(`${w.filter}: re-opening after seq ${w.cursor} failed (${(err as Error).message}); trying again`);
    }
  }

  /**
   * Deliver one entry of a watch unless it already has (a re-opened watch, or one whose gap {@link fill}
   * read, never repeats an entry). `timestampNanos`: the store time as JetStream gives it.
   */
  private deliver(w: Watch, seq: number, timestampNanos: number, data: Uint8Array): void {
    if (seq <= w.cursor) return;
    w.cursor = seq;
    w.lastEntry = Date.now();
    this.lastDelivery = w.lastEntry;
    if (seq > this.lastSeq) this.lastSeq = seq;
    try {
      this.o.onEntry(decodeEntry(seq, this.o.timeOf(timestampNanos / 1e6), data));
    } catch (err) {
      // A throw here would end the consume; the entry is reported and the watch goes on.
      this.o.onStatus?.(`${w.filter}: delivering seq ${seq} failed: ${(err as Error).stack ?? String(err)}`);
    }
  }

  /**
   * Read what the watches have not delivered up to `seq` straight from the stream (its leader's
   * STREAM.MSG.GET, the next entry of each watch's filter after its cursor) and deliver it in order, as
   * the watch would have. For a reader that must not wait for a watch whose pull has stalled (a consume
   * notices a lost pull only when two idle heartbeats are missed, seconds later): the API server waits
   * for the entries its decisions depend on. What the consume delivers meanwhile is not delivered twice.
   * Reads run one after another; one that finds nothing missing asks the stream nothing.
   */
  fill(seq: number): Promise<void> {
    if (seq > this.fillTo) this.fillTo = seq;
    const run = this.filling.then(() => this.readGaps());
    this.filling = run.catch(() => undefined);
    return run;
  }

  /**
   * A reader waits for the entry at `seq`, for at most `forMs` (a whole-log follower: its seqs come
   * without gaps): unless the watch delivers it, or keeps delivering, the entries up to it are read from
   * the stream ({@link fill}) once the watch has delivered nothing for `GAP_READ_AFTER_MS` — again every
   * `GAP_READ_AFTER_MS` while it is still missing (not yet stored, the stream's leader unreachable) and
   * awaited.
   */
  awaitSeq(seq: number, forMs = 5_000): void {
    if (seq <= this.lastSeq || this.stopped) return;
    if (seq > this.awaited) this.awaited = seq;
    this.awaitedUntil = Math.max(this.awaitedUntil, Date.now() + forMs);
    this.gapTimer ??= setTimeout(() => this.checkGap(), GAP_READ_AFTER_MS);
  }

  private checkGap(): void {
    this.gapTimer = undefined;
    if (this.stopped || this.lastSeq >= this.awaited) return;
    const now = Date.now();
    if (now > this.awaitedUntil) { this.awaited = 0; return; } // nobody waits any more
    const idle = now - this.lastDelivery;
    if (idle < GAP_READ_AFTER_MS) { this.gapTimer = setTimeout(() => this.checkGap(), GAP_READ_AFTER_MS - idle); return; }
    const want = this.awaited;
    const from = this.lastSeq + 1;
    this.gapReads++;
    const again = (): void => { if (this.lastSeq < this.awaited) this.gapTimer ??= setTimeout(() => this.checkGap(), GAP_READ_AFTER_MS); };
    this.fill(want).then(
      () => {
        if (this.lastSeq >= from) this.o.onStatus?.(`nothing delivered for ${idle} ms while seq ${want} was awaited; read seq ${from}..${this.lastSeq} from the stream`);
        again();
      },
      (err: unknown) => {
        if (++this.gapReadFailures === 1 || this.gapReadFailures % 10 === 0) {
          this.o.onStatus?.(`reading seq ${from}..${want} from the stream failed (${this.gapReadFailures}×): ${(err as Error).message}`);
        }
        again();
      },
    );
  }

  /** The JetStream manager of gap reads and audits (made again after a failure). */
  private manager(): Promise<JetStreamManager> {
    this.jsm ??= managerOf(this.j.nc);
    return this.jsm.catch((err: unknown) => { this.jsm = undefined; throw err; });
  }

  private async readGaps(): Promise<void> {
    if (this.watches.every((w) => w.cursor >= this.fillTo)) return;
    const jsm = await this.manager();
    for (const w of this.watches) {
      while (!this.stopped && w.cursor < this.fillTo) {
        const next: NextMsgRequest = { seq: w.cursor + 1, next_by_subj: w.filter };
        const m = await jsm.streams.getMessage(this.s.stream, next as unknown as MsgRequest);
        if (!m || m.seq > this.fillTo) break;
        this.deliver(w, m.seq, timestampNanosOf(m.timestamp), m.data);
      }
    }
  }

  /** A consume's signs of life (heartbeats), what it reports, and its end when it was not ours. */
  private async follow(w: Watch, gen: number, messages: ConsumerMessages): Promise<void> {
    void messages.closed().then((err) => this.ended(w, gen, err), (err: unknown) => this.ended(w, gen, err));
    for await (const st of messages.status()) {
      if (this.stopped || w.gen !== gen) break;
      // Alive: a heartbeat (an idle consumer sends one every half pull expiry); missed ones are not.
      if (st.type === 'heartbeat') w.lastSign = Date.now();
      if (!ROUTINE_STATUS.has(st.type)) this.o.onStatus?.(`${w.filter}: ${st.type}${'count' in st ? ` (${String(st.count)})` : ''}`);
    }
  }

  /** The client ended a consume by itself (it gives up on some answers: a bad request, a lost subscription). */
  private ended(w: Watch, gen: number, err: unknown): void {
    if (this.stopped || w.gen !== gen) return;
    w.messages = undefined;
    w.retryAt = Date.now();
    this.o.onStatus?.(`${w.filter}: the consumer ended${err instanceof Error ? ` (${err.message})` : ''}; re-opening after seq ${w.cursor}`);
  }

  /** Every `SUPERVISE_MS`: re-open what is stalled, ended, failed or hung. */
  private supervise(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const w of this.watches) {
      if (w.opening !== undefined) {
        if (now - w.opening < OPEN_TIMEOUT_MS) continue;
        this.o.onStatus?.(`${w.filter}: re-opening after seq ${w.cursor} got no answer for ${OPEN_TIMEOUT_MS} ms; trying again`);
        w.gen++; // the hung attempt, if it ever finishes, closes what it made
        w.opening = undefined;
      } else if (w.messages !== undefined) {
        if (now - w.lastSign < this.stallMs) {
          if (!w.auditing && now - w.lastEntry >= this.auditMs && now - w.lastAudit >= this.auditMs) void this.audit(w);
          continue;
        }
        this.o.onStatus?.(`${w.filter}: no sign of life for ${this.stallMs} ms; re-opening after seq ${w.cursor}`);
        this.drop(w);
      } else if (now < w.retryAt) continue;
      this.restarts++;
      void this.open(w);
    }
  }

  /** Close a watch's consume; what it still delivers is ignored. */
  private drop(w: Watch): void {
    void w.messages?.close().catch(() => undefined);
    w.messages = undefined;
    w.gen++;
  }

  /**
   * A quiet watch's check against the stream (its leader answers): the first entry after the cursor
   * that matches the filter. One older than `STALL_MS` that the watch has not delivered means its
   * consumer is stuck although it answers with heartbeats; the watch is re-opened. An audit that fails
   * (a cluster electing a leader) is simply tried again later.
   */
  private async audit(w: Watch): Promise<void> {
    w.auditing = true;
    w.lastAudit = Date.now();
    const gen = w.gen;
    try {
      const jsm = await this.manager();
      // The stream leader's STREAM.MSG.GET takes next_by_subj (nats-server 2.9+; the client's type lists it only for direct gets).
      const next: NextMsgRequest = { seq: w.cursor + 1, next_by_subj: w.filter };
      const m = await jsm.streams.getMessage(this.s.stream, next as unknown as MsgRequest);
      if (!m || this.stopped || w.gen !== gen || w.messages === undefined || m.seq <= w.cursor) return;
      const age = Date.now() - m.time.getTime();
      if (age < this.stallMs) return; // just appended: on its way
      this.o.onStatus?.(`${w.filter}: seq ${m.seq} has been in the log for ${age} ms and was not delivered; re-opening after seq ${w.cursor}`);
      this.drop(w);
      this.restarts++;
      void this.open(w);
    } catch (err) {
      // No answer now (an election, a reconnect): the next audit asks again.
      w.auditFailures++;
      if (w.auditFailures === 1 || w.auditFailures % 10 === 0) this.o.onStatus?.(`${w.filter}: audit failed (${w.auditFailures}×): ${(err as Error).message}`);
    } finally {
      w.auditing = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.supervisor);
    clearTimeout(this.gapTimer);
    await Promise.allSettled(this.watches.map((w) => w.messages?.close()));
  }
}

/**
 * Read the log once, from `fromSeq` to the stream's last seq at the time of the call (export, `get`,
 * tests). While a clustered stream recovers from the loss of a server, JetStream's API can time out and
 * a fresh consumer can stay silent: a failed or stalled read is resumed after the last entry it got,
 * until `deadlineMs` has passed.
 */
export const readLog = async (j: Js, s: Subjects, timeOf: (wallMs: number) => number, fromSeq = 1, deadlineMs = 120_000): Promise<Envelope[]> => {
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
  const consumer = await quickJs(j).consumers.get(s.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from });
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
