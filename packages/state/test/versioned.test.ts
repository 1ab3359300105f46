import { describe, expect, it } from 'vitest';
import { Rand, type Kind, type KObject } from '@kubesim/api';
import { InMemoryLog, type Envelope } from '@kubesim/log';
import { ObjectStore, VersionedStore, podsByControllerUid, podsByNode, type IndexSpec, type Snapshot } from '../src/index.js';

/** Pods filed under every label value (several values per object, so re-filing order matters). */
const byLabels: IndexSpec = { name: 'labels', kind: 'Pod', fn: (o) => Object.values(o.metadata?.labels ?? {}) };
const INDEXES = [podsByNode, podsByControllerUid, byLabels];
const KINDS: Kind[] = ['Pod', 'Node'];

const pod = (ns: string, name: string, node: string, owner: string, labels: Record<string, string>): KObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: ns, labels, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: owner, controller: true }] } : {}) },
  spec: { containers: [], ...(node ? { nodeName: node } : {}) },
} as KObject);

/** A random history of pods (created, changed, deleted, re-created), nodes and inputs. */
const randomLog = (seed: number, n: number): InMemoryLog => {
  const r = new Rand(seed);
  const log = new InMemoryLog();
  const live = new Set<string>();
  const pick = <T>(xs: readonly T[]): T => xs[r.int(xs.length)]!;
  for (let i = 0; i < n; i++) {
    const x = r.next();
    if (x < 0.05) { log.append({ type: 'COMMAND', actor: 'user', cause: null, time: i, data: { i } }); continue; }
    if (x < 0.1) {
      const name = `node-${r.int(3)}`;
      log.append({ type: 'ADDED', actor: 'user', cause: null, time: i, object: { apiVersion: 'v1', kind: 'Node', metadata: { name } } as KObject });
      continue;
    }
    const ns = pick(['a', 'b']);
    const name = `p${r.int(12)}`;
    const key = `${ns}/${name}`;
    const o = pod(ns, name, pick(['', 'n1', 'n2']), pick(['', 'u1', 'u2']), r.next() < 0.5 ? { x: pick(['1', '2']), y: pick(['1', '2']) } : { y: pick(['1', '3']) });
    if (!live.has(key)) { log.append({ type: 'ADDED', actor: 'user', cause: null, time: i, object: o }); live.add(key); }
    else if (r.next() < 0.25) { log.append({ type: 'DELETED', actor: 'user', cause: null, time: i, object: o }); live.delete(key); }
    else log.append({ type: 'MODIFIED', actor: 'user', cause: null, time: i, object: o });
  }
  return log;
};

const names = (it: Iterable<KObject>): string[] => [...it].map((o) => `${o.metadata?.namespace}/${o.metadata?.name}@${o.metadata?.resourceVersion}`);

/** Everything a reader can observe, in the order it observes it. */
const observe = (s: Snapshot): unknown => ({
  seq: s.seq,
  all: names(s.list('Pod') as Iterable<KObject>),
  perNs: ['a', 'b', 'c'].map((ns) => names(s.list('Pod', ns) as Iterable<KObject>)),
  nodes: names(s.list('Node') as Iterable<KObject>),
  count: [s.count('Pod'), s.count('Pod', 'a'), s.count('Node')],
  gets: ['a', 'b'].flatMap((ns) => Array.from({ length: 12 }, (_, i) => s.get('Pod', ns, `p${i}`)?.metadata?.resourceVersion ?? '-')),
  node: ['', 'n1', 'n2'].map((v) => names(s.byIndex('Pod', 'node', v) as Iterable<KObject>)),
  owner: ['u1', 'u2', 'orphan:a', 'orphan:b'].map((v) => names(s.byIndex('Pod', 'controllerUid', v) as Iterable<KObject>)),
  labels: ['1', '2', '3'].map((v) => names(s.byIndex('Pod', 'labels', v) as Iterable<KObject>)),
});

describe('VersionedStore: one fold, read at any delivered seq', () => {
  const equivalence = (seeds: number, length: number): void => {
    for (let seed = 1; seed <= seeds; seed++) {
      const log = randomLog(seed, length);
      const entries = log.all();
      const shared = new VersionedStore();
      const r = new Rand(seed * 7);
      // Three readers, each delivered the entries in order with its own lag, each checked against a private fold.
      const readers = [0, 1, 2].map(() => ({ view: shared.view(KINDS, INDEXES, 0), own: new ObjectStore(KINDS, INDEXES), next: 0 }));
      for (const e of entries) {
        shared.apply(e);
        for (const rd of readers) {
          // Deliver a random number of the pending entries.
          const upto = Math.min(e.seq, rd.next + r.int(4));
          while (rd.next < upto) {
            const d: Envelope = entries[rd.next++]!;
            const mine = rd.own.applyReturningOld(d);
            const theirs = rd.view.applyReturningOld(d);
            expect(theirs).toBe(mine);
          }
          expect(observe(rd.view)).toEqual(observe(rd.own));
        }
      }
      // The head is the full fold.
      const full = new ObjectStore(undefined, INDEXES);
      for (const e of entries) full.apply(e);
      const a = observe(shared) as Record<string, unknown>, b = observe(full) as Record<string, unknown>;
      for (const k of Object.keys(b)) expect([seed, k, a[k]]).toEqual([seed, k, b[k]]);
      expect(shared.allObjects()).toEqual(full.allObjects());
    }
  };

  it('a view reads exactly what an ObjectStore fed the same prefix holds, in the same order, while views lag differently', () => {
    equivalence(25, 400);
  });

  it('the same over long histories (records and index entries pruned and their lists compacted many times)', () => {
    equivalence(4, 2500);
  });

  it('keeps old versions only while a view may read them', () => {
    const log = randomLog(3, 300);
    const shared = new VersionedStore();
    const v = shared.view(KINDS, INDEXES, 0);
    for (const e of log.all()) { shared.apply(e); v.applyReturningOld(e); }
    const own = new ObjectStore(KINDS, INDEXES);
    for (const e of log.all()) own.apply(e);
    expect(observe(v)).toEqual(observe(own));
    // Once the view has caught up, the next entry of the kind drops what it no longer needs.
    const next = { type: 'ADDED', actor: 'user', cause: null, time: 0, seq: shared.seq + 1, object: pod('a', 'late', '', '', {}) } as Envelope;
    const node = { type: 'ADDED', actor: 'user', cause: null, time: 0, seq: shared.seq + 2, object: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'late' } } } as Envelope;
    expect(shared.retained()).toBeGreaterThan(0);
    for (const e of [next, node]) shared.apply(e);
    expect(shared.retained()).toBe(0);
    for (const e of [next, node]) { v.applyReturningOld(e); own.apply(e); }
    // A view that is closed no longer holds anything back.
    shared.close(v);
    const late = shared.view(KINDS, INDEXES, shared.seq);
    expect(observe(late)).toEqual(observe(own));
  });

  it('a view only sees the kinds it watches and refuses indexes it did not declare', () => {
    const shared = new VersionedStore();
    for (const e of randomLog(5, 100).all()) shared.apply(e);
    const v = shared.view(['Node'], [], shared.seq);
    expect(v.count('Pod')).toBe(0);
    expect([...v.list('Pod')]).toEqual([]);
    expect(v.get('Pod', 'a', 'p1')).toBeUndefined();
    expect(() => v.byIndex('Pod', 'node', 'n1')).toThrow(/no index/);
  });
});
