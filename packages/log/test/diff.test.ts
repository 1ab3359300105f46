import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { KObject } from '@kubesim/api';
import {
  canonicalJson, describeEntryDifferences, diffValues, entryDifferences, entryFingerprint, firstDivergence, formatChange, formatPath,
  InMemoryLog, isScanFailure, sameValue, scanLogFile, serializeLog, type Envelope, type LogHeader,
} from '../src/index.js';

const paths = (a: unknown, b: unknown) => diffValues(a, b).map((c) => formatPath(c.path));
const lines = (a: unknown, b: unknown) => diffValues(a, b).map((c) => formatChange(c));

describe('diffValues', () => {
  it('reports changed, added and removed leaves with their paths', () => {
    const a = { spec: { nodeName: undefined, replicas: 1 }, status: { phase: 'Pending' }, metadata: { labels: { 'app.kubernetes.io/name': 'x' } } };
    const b = { spec: { nodeName: 'node-b', replicas: 1 }, status: { phase: 'Running' }, metadata: { labels: {} } };
    expect(lines(a, b)).toEqual([
      'spec.nodeName set to node-b',
      'status.phase Pending→Running',
      'metadata.labels["app.kubernetes.io/name"] removed (was x)',
    ]);
  });

  it('expands an object that appeared into its leaves, but keeps arrays and array elements whole', () => {
    expect(lines({}, { status: { capacity: { storage: '1G' }, accessModes: ['ReadWriteOnce'] } })).toEqual([
      'status.capacity.storage set to 1G',
      'status.accessModes set to ["ReadWriteOnce"]',
    ]);
    expect(lines({ spec: { finalizers: ['a', 'b'] } }, { spec: { finalizers: ['a'] } })).toEqual(['spec.finalizers ["a","b"]→["a"]']);
  });

  it('matches array elements by a distinct name or type, else by index', () => {
    const before = { conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'NotReady' }] };
    const after = { conditions: [{ type: 'Initialized', status: 'True' }, { type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] };
    expect(lines(before, after)).toEqual([
      'conditions[type=Ready].status False→True',
      'conditions[type=Ready].reason removed (was NotReady)',
      'conditions[type=Initialized] added {"status":"True"}',
    ]);
    expect(paths({ xs: [{ a: 1 }, { a: 2 }] }, { xs: [{ a: 1 }, { a: 3 }, { a: 4 }] })).toEqual(['xs[1].a', 'xs[2]']);
    // a reordering alone is a change of the array
    expect(paths({ c: [{ name: 'x' }, { name: 'y' }] }, { c: [{ name: 'y' }, { name: 'x' }] })).toEqual(['c']);
  });

  it('ignores member order and undefined members', () => {
    expect(diffValues({ a: 1, b: { c: 2, d: undefined } }, { b: { c: 2 }, a: 1 })).toEqual([]);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: undefined }] })).toBe('{"a":[{"d":1}],"b":1}');
  });

  const json = fc.jsonValue({ maxDepth: 4 });
  test.prop([json, json])('is empty exactly when the values are equal, and canonical JSON agrees', (a, b) => {
    const equal = sameValue(a, b);
    expect(diffValues(a, b).length === 0).toBe(equal);
    expect(canonicalJson(a) === canonicalJson(b)).toBe(equal);
    expect(diffValues(a, structuredClone(a))).toEqual([]);
  });

  test.prop([fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 5 }), fc.string({ maxLength: 4 }), json])(
    'a single changed member is reported under its key', (obj, key, value) => {
      const changed = { ...obj, [key]: value };
      const ds = diffValues(obj, changed);
      for (const d of ds) expect(d.path[0]).toBe(key);
      expect(ds.length === 0).toBe(sameValue(obj[key], value));
    });
});

const entry = (seq: number, over: Partial<Envelope> = {}): Envelope => ({
  seq, time: seq * 10, type: 'ADDED', actor: 'user', cause: null, op: 'create',
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${seq}`, namespace: 'default' }, spec: { nodeName: 'node-a' } } as KObject,
  ...over,
});

describe('entries', () => {
  it('names the differing fields and the differing object paths', () => {
    const a = entry(3);
    const b = entry(3, { time: 31, object: { ...a.object!, spec: { nodeName: 'node-b' } } as KObject });
    expect(entryDifferences(a, a)).toEqual([]);
    expect(entryDifferences(a, b)).toEqual(['time', 'object']);
    expect(describeEntryDifferences(a, b)).toEqual(['time 30→31', 'object.spec.nodeName node-a→node-b']);
    expect(entryFingerprint(a)).toBe(entryFingerprint(structuredClone(a)));
    expect(entryFingerprint(a)).not.toBe(entryFingerprint(b));
    expect(entryFingerprint(a)).not.toBe(entryFingerprint({ ...a, cause: 1 }));
  });

  it('finds the first divergence, or the end of the shorter log', () => {
    const xs = [entry(1), entry(2), entry(3)];
    expect(firstDivergence(xs, xs.map((e) => structuredClone(e)))).toBeUndefined();
    const d = firstDivergence(xs, [entry(1), entry(2, { actor: 'scheduler' }), entry(3)]);
    expect(d?.seq).toBe(2);
    expect(d?.fields).toEqual(['actor']);
    const short = firstDivergence(xs, xs.slice(0, 2));
    expect(short?.seq).toBe(3);
    expect(short?.a?.seq).toBe(3);
    expect(short?.b).toBeUndefined();
  });
});

describe('scanLogFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-scan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const header: LogHeader = { kubesim: 'log', format: 1, seed: 3, scenario: { name: 't' }, versions: { kubesim: '0' }, mode: 'embedded' };
  const text = () => {
    const log = new InMemoryLog();
    for (let i = 0; i < 4; i++) log.append({ type: 'ADDED', actor: 'user', cause: null, time: i, object: entry(i + 1).object! });
    return serializeLog(header, log.all());
  };

  it('delivers the header and every entry, and counts them', async () => {
    const path = join(dir, 'ok.jsonl');
    writeFileSync(path, text());
    const seen: number[] = [];
    let seed = -1;
    const r = await scanLogFile(path, (e) => seen.push(e.seq), (h) => { seed = h.seed; });
    expect(r).toMatchObject({ type: 'ScanDone', entries: 4 });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(seed).toBe(3);
  });

  it('returns the damaged line, and a missing file as unreadable', async () => {
    const path = join(dir, 'bad.jsonl');
    const ls = text().split('\n');
    ls[3] = ls[3]!.replace('"p3"', '"pX"');
    writeFileSync(path, ls.join('\n'));
    const seen: number[] = [];
    const r = await scanLogFile(path, (e) => seen.push(e.seq));
    expect(r).toMatchObject({ type: 'LogDamage', line: 4 });
    expect(seen).toEqual([1, 2]);
    const missing = await scanLogFile(join(dir, 'nope.jsonl'));
    expect(isScanFailure(missing) && missing.type).toBe('LogUnreadable');
    expect(missing).toMatchObject({ message: expect.stringContaining('no such file') as unknown });
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect(await scanLogFile(empty)).toMatchObject({ type: 'LogDamage', line: 1 });
  });

  it('rethrows an exception of the caller\'s callback instead of calling the file unreadable', async () => {
    const path = join(dir, 'ok2.jsonl');
    writeFileSync(path, text());
    await expect(scanLogFile(path, () => { throw new Error('boom'); })).rejects.toThrow('boom');
  });
});
