import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { KObject } from '@kubesim/api';
import { InMemoryLog, type Envelope } from '@kubesim/log';
import {
  causeChain, describeChange, describeEntry, diffStates, explainObject, formatRef, historySeqs, isEmptyStateDiff, isMetaNoise, LogIndex,
  neededSeqs, similarNames, explainFrom, foldLog,
} from '../src/index.js';

const pod = (name: string, extra: Record<string, unknown> = {}): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [] }, ...extra } as KObject);
const sts = (replicas: number): KObject =>
  ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' }, spec: { replicas } } as KObject);

/**
 * 1 COMMAND scale → 2 user patches the StatefulSet → 3 controller creates web-0 → 4 scheduler binds it →
 * 5 an unrelated FAULT → 6 kubelet: Running → 7 COMMAND delete → 8 web-0 gets a deletionTimestamp →
 * 9 kubelet deletes it → 10 controller re-creates web-0 (cause 9).
 */
const sample = (): InMemoryLog => {
  const log = new InMemoryLog();
  const w = (type: Envelope['type'], actor: string, cause: number | null, rest: Partial<Envelope>) =>
    log.append({ type, actor, cause, time: log.lastSeq() * 100, ...rest });
  w('COMMAND', 'user', null, { data: { command: 'scale', target: 'statefulset/web', replicas: 1 } });
  w('ADDED', 'user', 1, { op: 'create', object: sts(1) });
  w('ADDED', 'statefulset-controller', 2, { op: 'create', object: pod('web-0', { status: { phase: 'Pending' } }) });
  w('MODIFIED', 'scheduler', 3, { op: 'bind', object: pod('web-0', { spec: { containers: [], nodeName: 'node-b' }, status: { phase: 'Pending' } }) });
  w('FAULT', 'system:chaos', null, { data: { fault: 'pod-readiness', name: 'web-0', ready: false } });
  w('MODIFIED', 'kubelet:node-b', 4, { op: 'update/status', object: pod('web-0', { spec: { containers: [], nodeName: 'node-b' }, status: { phase: 'Running' } }) });
  w('COMMAND', 'user', null, { data: { command: 'delete', target: 'pod/web-0' } });
  const deleting = pod('web-0', { spec: { containers: [], nodeName: 'node-b' }, status: { phase: 'Running' } });
  w('MODIFIED', 'user', 7, { op: 'delete', object: { ...deleting, metadata: { ...deleting.metadata, deletionTimestamp: '2026-01-01T00:00:01Z' } } as KObject });
  w('DELETED', 'kubelet:node-b', 8, { op: 'delete', object: deleting });
  w('ADDED', 'statefulset-controller', 9, { op: 'create', object: pod('web-0', { status: { phase: 'Pending' } }) });
  return log;
};

describe('LogIndex and cause chains', () => {
  it('links each entry to its cause and to the previous version of its object', () => {
    const index = new LogIndex();
    for (const e of sample().all()) index.add(e);
    expect(index.seq).toBe(10);
    expect(index.causeOf(1)).toBeNull();
    expect(index.causeOf(6)).toBe(4);
    expect(index.prevOf(6)).toBe(4);
    expect(index.prevOf(4)).toBe(3);
    expect(index.prevOf(3)).toBe(0);
    expect(index.prevOf(10)).toBe(0); // a new incarnation
    expect(index.timeOf(6)).toBe(500);
    expect(index.lastSeqOf({ kind: 'Pod', namespace: 'default', name: 'web-0' })).toBe(10);
    expect(index.lastSeqOf({ kind: 'Pod', namespace: 'default', name: 'nope' })).toBe(0);
    expect(causeChain(index, 6).seqs).toEqual([6, 4, 3, 2, 1]);
    expect(causeChain(index, 10).seqs).toEqual([10, 9, 8, 7]);
    expect([...neededSeqs(index, [6, 4])].sort((a, b) => a - b)).toEqual([3, 4, 6]);
    expect(() => index.causeOf(11)).toThrow(RangeError);
    expect(formatRef([...index.objects()][1]!)).toBe('pod/web-0');
  });

  it('stops at a cause that does not point back into the log', () => {
    const log = new InMemoryLog();
    log.append({ type: 'ADDED', actor: 'x', cause: null, time: 0, object: pod('a') });
    log.append({ type: 'MODIFIED', actor: 'x', cause: 7, time: 0, object: pod('a', { status: { phase: 'Running' } }) });
    const index = new LogIndex();
    for (const e of log.all()) index.add(e);
    expect(causeChain(index, 2)).toEqual({ seqs: [2], broken: { seq: 2, cause: 7 } });
  });

  const randomLog = fc.array(fc.record({ obj: fc.integer({ min: 0, max: 3 }), causeBack: fc.option(fc.nat(), { nil: null }), type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED') }), { minLength: 1, maxLength: 40 });
  test.prop([randomLog])('a chain strictly descends and ends at an entry without a cause', (spec) => {
    const log = new InMemoryLog();
    spec.forEach((s, i) => log.append({
      type: s.type as Envelope['type'], actor: 'a', time: i, op: 'update', object: pod(`p${s.obj}`),
      cause: s.causeBack === null || i === 0 ? null : i - (s.causeBack % i),
    }));
    const index = new LogIndex();
    for (const e of log.all()) index.add(e);
    for (let s = 1; s <= index.seq; s++) {
      const chain = causeChain(index, s);
      expect(chain.broken).toBeUndefined();
      for (let i = 1; i < chain.seqs.length; i++) expect(chain.seqs[i]!).toBeLessThan(chain.seqs[i - 1]!);
      for (let i = 0; i < chain.seqs.length - 1; i++) expect(index.causeOf(chain.seqs[i]!)).toBe(chain.seqs[i + 1]);
      expect(index.causeOf(chain.seqs[chain.seqs.length - 1]!)).toBeNull();
      const p = index.prevOf(s);
      if (p > 0) expect(formatRef({ kind: 'Pod', namespace: 'default', name: String(log.all()[p - 1]!.object!.metadata!.name) })).toBe(formatRef({ kind: 'Pod', namespace: 'default', name: String(log.all()[s - 1]!.object!.metadata!.name) }));
    }
  });
});

describe('explainObject', () => {
  it('gives the chain from the input to the object, each step with what it changed', () => {
    const log = sample();
    const x = explainObject(log.all(), { kind: 'Pod', namespace: 'default', name: 'web-0' }, 6)!;
    expect(x.lastSeq).toBe(6);
    expect(x.deleted).toBe(false);
    expect(x.steps.map((s) => [s.entry.seq, s.description])).toEqual([
      [1, 'scale target=statefulset/web replicas=1'],
      [2, 'created'],
      [3, 'created'],
      [4, 'spec.nodeName set to node-b'],
      [6, 'status.phase Pending→Running'],
    ]);
    expect(x.steps[4]!.previous).toBe(log.all()[3]!.object);
  });

  it('explains a deletion and a re-creation, at the end of the log by default', () => {
    const log = sample();
    const gone = explainObject(log.all(), { kind: 'Pod', namespace: 'default', name: 'web-0' }, 9)!;
    expect(gone.deleted).toBe(true);
    expect(gone.steps.map((s) => s.description)).toEqual(['delete target=pod/web-0', 'metadata.deletionTimestamp set to 2026-01-01T00:00:01Z', 'deleted']);
    const back = explainObject(log.all(), { kind: 'Pod', namespace: 'default', name: 'web-0' })!;
    expect(back.steps.map((s) => s.entry.seq)).toEqual([7, 8, 9, 10]);
    expect(explainObject(log.all(), { kind: 'Pod', namespace: 'default', name: 'web-0' }, 2)).toBeUndefined();
    expect(historySeqs(log.all(), { kind: 'Pod', namespace: 'default', name: 'web-0' })).toEqual([3, 4, 6, 8, 9, 10]);
    expect(historySeqs(log.all(), { kind: 'Pod', namespace: 'default', name: 'web-0' }, 5)).toEqual([3, 4]);
  });

  it('works from a lookup holding only the needed entries (the two-pass form)', () => {
    const all = sample().all();
    const index = new LogIndex();
    for (const e of all) index.add(e);
    const target = { kind: 'Pod', namespace: 'default', name: 'web-0' };
    const need = neededSeqs(index, causeChain(index, index.lastSeqOf(target)).seqs);
    const kept = new Map(all.filter((e) => need.has(e.seq)).map((e) => [e.seq, e]));
    expect(kept.size).toBeLessThan(all.length);
    const x = explainFrom(index, target, (s) => kept.get(s))!;
    expect(x.steps.map((s) => s.description)).toEqual(explainObject(all, target)!.steps.map((s) => s.description));
  });
});

describe('descriptions', () => {
  it('describe inputs by their data and object entries by their changes', () => {
    const all = sample().all();
    expect(describeChange(undefined, all[4]!)).toBe('pod-readiness name=web-0 ready=false');
    expect(describeEntry(all[3]!, all[2]!.object)).toBe('seq 4 t=0.300s scheduler bind pod/web-0: spec.nodeName set to node-b (cause 3)');
    expect(describeEntry(all[0]!, undefined)).toBe('seq 1 t=0.000s user COMMAND: scale target=statefulset/web replicas=1');
    const many = pod('x', { status: { a: 1, b: 2, c: 3, d: 4, lastProbeTime: 't1' } });
    const e: Envelope = { seq: 2, time: 0, type: 'MODIFIED', actor: 'k', cause: 1, object: pod('x', { status: { a: 2, b: 3, c: 4, d: 5, lastProbeTime: 't2' } }) };
    expect(describeChange(many, e)).toBe('status.a 1→2, status.b 2→3, status.c 3→4 (+2 more)');
    expect(describeChange(many, { ...e, object: many })).toBe('no change');
    expect(describeChange(undefined, e)).toBe('modified (previous version not in the log)');
  });

  it('suggests similar names', () => {
    expect(similarNames('web-O', ['web-0', 'web-1', 'db-0', 'other'])).toEqual(['web-0', 'web-1']);
    expect(similarNames('web', ['web-0', 'zzz'])).toEqual(['web-0']);
    expect(similarNames('qqqqqq', ['web-0'])).toEqual([]);
  });
});

describe('diffStates', () => {
  it('lists objects only in one state and the differing fields of the others', () => {
    const a = [pod('a', { spec: { nodeName: 'n1' } }), pod('b'), sts(1)];
    const b = [pod('a', { spec: { nodeName: 'n2' } }), pod('c'), sts(1)];
    const d = diffStates(a, b);
    expect(d.onlyInA.map(formatRef)).toEqual(['pod/b']);
    expect(d.onlyInB.map(formatRef)).toEqual(['pod/c']);
    expect(d.changed.map((c) => [formatRef(c.ref), c.changes.map((x) => x.path.join('.'))])).toEqual([['pod/a', ['spec.nodeName']]]);
    expect(isEmptyStateDiff(diffStates(a, a))).toBe(true);
  });

  it('ignores uid, resourceVersion and timestamps only when asked', () => {
    const meta = (uid: string, t: string) => ({ ...pod('a'), metadata: { name: 'a', namespace: 'default', uid, resourceVersion: t, creationTimestamp: t }, status: { startTime: t } } as KObject);
    const d = diffStates([meta('u1', '1')], [meta('u2', '2')]);
    expect(d.changed[0]!.changes.map((c) => c.path.join('.'))).toEqual(['metadata.uid', 'metadata.resourceVersion', 'metadata.creationTimestamp', 'status.startTime']);
    expect(d.changed[0]!.changes.every(isMetaNoise)).toBe(true);
    expect(isEmptyStateDiff(diffStates([meta('u1', '1')], [meta('u2', '2')], { ignoreMeta: true }))).toBe(true);
  });

  it('compares folds of two logs', () => {
    const log = sample();
    const early = foldLog(log.all(), 4).allObjects();
    const end = foldLog(log.all()).allObjects();
    const d = diffStates(early, end, { ignoreMeta: true });
    expect(d.onlyInA).toEqual([]);
    expect(d.changed.map((c) => formatRef(c.ref))).toEqual(['pod/web-0']);
  });
});
