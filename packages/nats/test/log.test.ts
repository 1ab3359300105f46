import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { appendEntry, connectNats, ensureStream, jsOf, LogFollower, NatsServer, readLog, subjectsFor, type Js } from '../src/index.js';

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
});
