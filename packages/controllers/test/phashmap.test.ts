import { describe, expect, it } from 'vitest';
import { PHashMap } from '../src/framework/index.js';
import { Rand } from '@kubesim/api';

describe('PHashMap', () => {
  it('behaves as a Map under random sets and deletes, and is persistent', () => {
    const r = new Rand(7);
    const a = new Map<string, number>();
    let b = PHashMap.empty<number>();
    const history: PHashMap<number>[] = [];
    for (let i = 0; i < 5000; i++) {
      const key = `default/pod-${r.int(800)}`;
      if (r.int(3) === 0) { a.delete(key); b = b.delete(key); } else { const v = r.int(4); a.set(key, v); b = b.set(key, v); }
      expect(b.size).toBe(a.size);
      expect(b.get(key)).toBe(a.get(key));
      expect(b.has(key)).toBe(a.has(key));
      if (i % 500 === 0) history.push(b);
    }
    expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
    // Earlier versions are unchanged by later updates (persistence).
    for (const h of history) expect(h.size).toBe([...h.entries()].length);
  });

  it('diff reports exactly the keys whose value differs between two versions', () => {
    const r = new Rand(11);
    let prev = PHashMap.empty<number>();
    for (let round = 0; round < 300; round++) {
      let next = prev;
      for (let k = r.int(6); k > 0; k--) {
        const key = `node-${r.int(200)}`;
        next = r.int(3) === 0 ? next.delete(key) : next.set(key, r.int(5));
      }
      const want = new Map<string, number | undefined>();
      const keys = new Set([...[...prev.entries()].map(([k]) => k), ...[...next.entries()].map(([k]) => k)]);
      for (const key of keys) if (prev.get(key) !== next.get(key)) want.set(key, next.get(key));
      const got = new Map<string, number | undefined>();
      next.diff(prev, (key, v) => got.set(key, v));
      expect(got).toEqual(want);
      prev = next;
    }
  });

  it('returns the same instance when nothing changes', () => {
    const m = PHashMap.empty<number>().set('a', 1);
    expect(m.set('a', 1)).toBe(m);
    expect(m.delete('b')).toBe(m);
  });
});
