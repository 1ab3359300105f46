import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { appendEntry, connectNats, ensureStream, jsOf, LogFollower, NatsServer, readLog, subjectsFor, type Js } from '../src/index.js';
import { timestampNanosOf } from '../src/log.js';

const pod = (name: string, extra: Record<string, unknown> = {}): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...extra }, spec: { containers: [] } }) as KObject;

describe('the log on JetStream', () => {
  let server: NatsServer;
  let j: Js;
  const s = subjectsFor('logtest');
  beforeAll(async () => {
    server = await NatsServer.start();
    j = jsOf(await connectNats({ url: server.url, name: 'test' }));
    await ensureStream(j.nc, s);
  });
  afterAll(async () => {
    await j?.nc.close();
    await server?.stop();
  });

  it('appends with per-object compare-and-set: the stream seq is the resourceVersion, a stale write is a conflict', async () => {
    const a = await appendEntry(j, s, { type: 'ADDED', actor: 'user', cause: null, object: pod('a'), expectSeq: 0 }, 'a-1');
    expect(E.isRight(a)).toBe(true);
    const seqA = E.isRight(a) ? a.right.seq : -1;
    const b = await appendEntry(j, s, { type: 'ADDED', actor: 'user', cause: null, object: pod('b'), expectSeq: 0 }, 'b-1');
    expect(E.isRight(b)).toBe(true);
    // A second create of a (expects "never written") conflicts; JetStream reports a's last seq.
    const again = await appendEntry(j, s, { type: 'ADDED', actor: 'user', cause: null, object: pod('a'), expectSeq: 0 }, 'a-2');
    expect(again).toEqual(E.left(expect.objectContaining({ type: 'LogConflict', expected: 0, actual: seqA })));
    const upd = await appendEntry(j, s, { type: 'MODIFIED', actor: 'user', cause: null, object: pod('a', { labels: { x: 'y' } }), expectSeq: seqA }, 'a-3');
    expect(E.isRight(upd)).toBe(true);
    const stale = await appendEntry(j, s, { type: 'MODIFIED', actor: 'user', cause: null, object: pod('a', { labels: { x: 'z' } }), expectSeq: seqA }, 'a-4');
    expect(E.isLeft(stale)).toBe(true);
  });

  it('stores a retried publish once (msgID)', async () => {
    const first = await appendEntry(j, s, { type: 'COMMAND', actor: 'user', cause: null, data: { command: 'x' } }, 'cmd-1');
    const retry = await appendEntry(j, s, { type: 'COMMAND', actor: 'user', cause: null, data: { command: 'x' } }, 'cmd-1');
    expect(E.isRight(first) && E.isRight(retry)).toBe(true);
    if (E.isRight(first) && E.isRight(retry)) {
      expect(retry.right).toEqual({ seq: first.right.seq, duplicate: true });
    }
  });

  it('follows the log per kind in order, knows when it has synced, and stamps seq and resourceVersion', async () => {
    const seen: Envelope[] = [];
    let syncedAt = -1;
    const f = new LogFollower(j, s, { filters: [s.kind('Pod'), s.inputs], timeOf: (w) => w, onEntry: (e) => seen.push(e), onSynced: () => { syncedAt = seen.length; } });
    await f.start();
    await expect.poll(() => syncedAt, { timeout: 5000 }).toBeGreaterThan(0);
    expect(seen.filter((e) => e.object).map((e) => `${e.type} ${e.object!.metadata!.name} rv=${e.object!.metadata!.resourceVersion}`))
      .toEqual(['ADDED a rv=1', 'ADDED b rv=2', 'MODIFIED a rv=3']);
    await appendEntry(j, s, { type: 'DELETED', actor: 'user', cause: 3, object: pod('b'), expectSeq: 2 }, 'b-del');
    await expect.poll(() => seen.at(-1)?.type, { timeout: 5000 }).toBe('DELETED');
    await f.stop();
    const all = await readLog(j, s, (w) => w);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });
  it('re-opens a watch whose consume the client ended by itself, after the last entry it delivered: nothing lost, nothing twice', async () => {
    const t = subjectsFor('logtest-ended');
    await ensureStream(j.nc, t);
    const seen: number[] = [];
    const status: string[] = [];
    let synced = false;
    const f = new LogFollower(j, t, { filters: [t.kind('Pod')], timeOf: (w) => w, onEntry: (e) => seen.push(e.seq), onSynced: () => { synced = true; }, onStatus: (l) => status.push(l) });
    await f.start();
    await expect.poll(() => synced, { timeout: 5000 }).toBe(true);
    for (let i = 0; i < 3; i++) await appendEntry(j, t, { type: 'ADDED', actor: 'user', cause: null, object: pod(`p${i}`) }, `e-p${i}`);
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(3);
    // What the client does on a bad request or a lost subscription: it stops the consume with an error.
    const w = (f as unknown as { watches: { messages: { stop(err?: Error): void } | undefined }[] }).watches[0]!;
    w.messages!.stop(new Error('400 Bad Request'));
    await expect.poll(() => status.some((l) => l.includes('the consumer ended (400 Bad Request); re-opening after seq 3')), { timeout: 5000 }).toBe(true);
    for (let i = 3; i < 6; i++) await appendEntry(j, t, { type: 'ADDED', actor: 'user', cause: null, object: pod(`p${i}`) }, `e-p${i}`);
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(6);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(f.restarts).toBe(1);
    await f.stop();
  });

  it('reports an entry whose delivery throws and goes on with the next ones', async () => {
    const t = subjectsFor('logtest-throw');
    await ensureStream(j.nc, t);
    const seen: number[] = [];
    const status: string[] = [];
    const f = new LogFollower(j, t, {
      filters: [t.kind('Pod')], timeOf: (w) => w, onStatus: (l) => status.push(l),
      onEntry: (e) => { if (e.object?.metadata?.name === 'bad') throw new Error('a component bug'); seen.push(e.seq); },
    });
    await f.start();
    for (const n of ['a', 'bad', 'b']) await appendEntry(j, t, { type: 'ADDED', actor: 'user', cause: null, object: pod(n) }, `t-${n}`);
    await expect.poll(() => seen, { timeout: 5000 }).toEqual([1, 3]);
    expect(status.some((l) => l.includes('delivering seq 2 failed: Error: a component bug'))).toBe(true);
    await f.stop();
  });
  /** A follower on its own stream with fast supervision, and a way to make its one watch deaf (its consume no longer reaches it). */
  const deafened = async (name: string) => {
    const t = subjectsFor(name);
    await ensureStream(j.nc, t);
    const seen: number[] = [];
    const status: string[] = [];
    const f = new LogFollower(j, t, { filters: [t.kind('Pod')], timeOf: (w) => w, onEntry: (e) => seen.push(e.seq), onStatus: (l) => status.push(l), stallMs: 1_000, auditMs: 1_000 });
    await f.start();
    const w = (f as unknown as { watches: { gen: number; lastSign: number }[] }).watches[0]!;
    const add = (n: string) => appendEntry(j, t, { type: 'ADDED', actor: 'user', cause: null, object: pod(n) }, `${name}-${n}`);
    return { f, w, seen, status, add };
  };

  it('re-opens a watch that shows no sign of life (no message, no heartbeat)', async () => {
    const { f, w, seen, status, add } = await deafened('logtest-silent');
    await add('a');
    await expect.poll(() => seen, { timeout: 5000 }).toEqual([1]);
    w.gen++; // its consume's messages and heartbeats no longer reach the watch
    await add('b');
    await expect.poll(() => seen, { timeout: 10_000 }).toEqual([1, 2]);
    expect(status.some((l) => l.includes('no sign of life for 1000 ms; re-opening after seq 1'))).toBe(true);
    await f.stop();
  });

  it('re-opens a watch that answers with heartbeats but does not deliver what the stream has (the audit)', async () => {
    const { f, w, seen, status, add } = await deafened('logtest-stuck');
    await add('a');
    await expect.poll(() => seen, { timeout: 5000 }).toEqual([1]);
    w.gen++;
    const heartbeats = setInterval(() => { w.lastSign = Date.now(); }, 100); // alive, as far as heartbeats tell
    try {
      await add('b');
      await expect.poll(() => seen, { timeout: 10_000 }).toEqual([1, 2]);
      expect(status.some((l) => /seq 2 has been in the log for \d+ ms and was not delivered; re-opening after seq 1/.test(l))).toBe(true);
      expect(status.some((l) => l.includes('no sign of life'))).toBe(false);
    } finally {
      clearInterval(heartbeats);
      await f.stop();
    }
  });

  it('reads an awaited entry from the stream when a whole-log watch stalls, as the watch would have delivered it', async () => {
    const t = subjectsFor('logtest-gap');
    await ensureStream(j.nc, t);
    const seen: Envelope[] = [];
    const status: string[] = [];
    // Stall detection and audits far off: only the gap read can deliver what the deaf watch misses.
    const f = new LogFollower(j, t, { timeOf: (w) => w, onEntry: (e) => seen.push(e), onStatus: (l) => status.push(l), stallMs: 60_000, auditMs: 60_000 });
    await f.start();
    const add = (n: string) => appendEntry(j, t, { type: 'ADDED', actor: 'user', cause: null, object: pod(n) }, `gap-${n}`);
    await add('a');
    await expect.poll(() => seen.map((e) => e.seq), { timeout: 5000 }).toEqual([1]);
    const w = (f as unknown as { watches: { gen: number }[] }).watches[0]!;
    w.gen++; // the pull stalls: nothing more reaches the watch
    await add('b');
    await add('c');
    await new Promise((r) => setTimeout(r, 400));
    expect(seen.map((e) => e.seq)).toEqual([1]);
    const t0 = Date.now();
    f.awaitSeq(3);
    await expect.poll(() => seen.map((e) => e.seq), { timeout: 5000 }).toEqual([1, 2, 3]);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(f.gapReads).toBe(1);
    expect(status.some((l) => /nothing delivered for \d+ ms while seq 3 was awaited; read seq 2\.\.3 from the stream/.test(l))).toBe(true);
    // The same entries, to the nanosecond of their store time, as a consume delivers them.
    expect(seen).toEqual(await readLog(j, t, (w) => w));
    await f.stop();
  });

  it('stops reading for an awaited entry once nobody awaits it any more', async () => {
    const t = subjectsFor('logtest-gap-expiry');
    await ensureStream(j.nc, t);
    const f = new LogFollower(j, t, { timeOf: (w) => w, onEntry: () => undefined });
    await f.start();
    f.awaitSeq(1_000, 600); // never written
    await new Promise((r) => setTimeout(r, 1_200));
    const reads = f.gapReads;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 800));
    expect(f.gapReads).toBe(reads);
    await f.stop();
  });

  it('delivers nothing twice when a gap read and the watch deliver the same entries', async () => {
    const t = subjectsFor('logtest-gap-race');
    await ensureStream(j.nc, t);
    const seen: number[] = [];
    const f = new LogFollower(j, t, { timeOf: (w) => w, onEntry: (e) => seen.push(e.seq) });
    await f.start();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) writes.push(appendEntry(j, t, { type: 'ADDED', actor: 'user', cause: null, object: pod(`p${i}`) }, `race-${i}`));
    await Promise.all(writes);
    await Promise.all([f.fill(20), f.fill(40)]);
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(40);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await f.stop();
  });

  it('turns a stored message\'s RFC 3339 time into the nanoseconds a consumed message carries', () => {
    expect(timestampNanosOf('2026-12-06T16:23:18.070123456Z')).toBe(parseInt('1796574198070123456', 10));
    expect(timestampNanosOf('2026-12-06T16:23:18.07Z')).toBe(parseInt('1796574198070000000', 10));
    expect(timestampNanosOf('2026-12-06T16:23:18Z')).toBe(parseInt('1796574198000000000', 10));
    expect(() => timestampNanosOf('yesterday')).toThrow(/not an RFC 3339 timestamp/);
  });
});
