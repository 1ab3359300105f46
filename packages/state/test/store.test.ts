import { describe, expect, it } from 'vitest';
import type { KObject, Pod } from '@kubesim/api';
import { InMemoryLog } from '@kubesim/log';
import { ObjectStore, foldLog, podsByNode, podsByControllerUid } from '../src/index.js';

const pod = (name: string, node?: string, owner?: string): KObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: owner, controller: true }] } : {}) },
  spec: { containers: [], ...(node ? { nodeName: node } : {}) },
} as KObject);

const sample = () => {
  const log = new InMemoryLog();
  const add = (o: KObject, type: 'ADDED' | 'MODIFIED' | 'DELETED' = 'ADDED') => log.append({ type, actor: 'user', cause: null, time: 0, object: o });
  add(pod('a', undefined, 'u1'));
  add(pod('b', 'node-a', 'u1'));
  add(pod('a', 'node-b', 'u1'), 'MODIFIED');
  add(pod('c'));
  add(pod('b', 'node-a', 'u1'), 'DELETED');
  return log;
};

describe('ObjectStore: a fold of the log', () => {
  it('gives the state at any seq', () => {
    const log = sample();
    const names = (s: ObjectStore) => [...s.list('Pod', 'default')].map((p) => p.metadata!.name).sort();
    expect(names(foldLog(log.entries(), 2))).toEqual(['a', 'b']);
    expect(names(foldLog(log.entries(), 4))).toEqual(['a', 'b', 'c']);
    expect(names(foldLog(log.entries()))).toEqual(['a', 'c']);
    expect((foldLog(log.entries(), 2).get('Pod', 'default', 'a') as Pod).spec?.nodeName).toBeUndefined();
    expect((foldLog(log.entries(), 3).get('Pod', 'default', 'a') as Pod).spec?.nodeName).toBe('node-b');
    expect(foldLog(log.entries(), 3).seq).toBe(3);
    expect(foldLog(log.entries()).count('Pod')).toBe(2);
  });

  it('keeps its indexes in step with updates and deletions', () => {
    const s = new ObjectStore(undefined, [podsByNode, podsByControllerUid]);
    for (const e of sample().entries()) s.apply(e);
    const on = (node: string) => [...s.byIndex('Pod', 'node', node)].map((p) => p.metadata!.name).sort();
    expect(on('node-b')).toEqual(['a']);
    expect(on('node-a')).toEqual([]);
    expect(on('')).toEqual(['c']);
    expect([...s.byIndex('Pod', 'controllerUid', 'u1')].map((p) => p.metadata!.name)).toEqual(['a']);
    expect([...s.byIndex('Pod', 'controllerUid', 'orphan:default')].map((p) => p.metadata!.name)).toEqual(['c']);
  });

  it('an informer keeps only the kinds it watches', () => {
    const s = new ObjectStore(['Node']);
    for (const e of sample().entries()) s.apply(e);
    expect(s.count('Pod')).toBe(0);
    expect(s.seq).toBe(5);
  });
});

describe('ObjectStore: index slots', () => {
  it('keeps index order as insertion order: updates keep their place, delete and re-add go last', () => {
    const s = new ObjectStore(undefined, [podsByNode, podsByControllerUid]);
    const names = (node: string) => [...s.byIndex('Pod', 'node', node)].map((p) => p.metadata!.name);
    s.put(pod('a', 'n1', 'u1'));
    s.put(pod('b', 'n1', 'u1'));
    s.put(pod('c', 'n1', 'u1'));
    const a2 = pod('a', 'n1', 'u1');
    expect(s.put(a2)).toBeDefined();
    expect(names('n1')).toEqual(['a', 'b', 'c']);
    expect([...s.byIndex('Pod', 'node', 'n1')][0]).toBe(a2); // the new version, in place
    s.put(pod('b', 'n2', 'u1')); // moves to another value
    expect(names('n1')).toEqual(['a', 'c']);
    expect(names('n2')).toEqual(['b']);
    s.put(pod('b', 'n1', 'u1')); // back: last
    expect(names('n1')).toEqual(['a', 'c', 'b']);
    expect(s.remove(pod('a'))).toBe(a2);
    expect(names('n1')).toEqual(['c', 'b']);
    s.put(pod('a', 'n1', 'u1'));
    expect(names('n1')).toEqual(['c', 'b', 'a']);
    expect([...s.byIndex('Pod', 'controllerUid', 'u1')].map((p) => p.metadata!.name)).toEqual(['b', 'c', 'a']);
    expect(s.count('Pod')).toBe(3);
    expect(names('n2')).toEqual([]);
  });

  it('applyReturningOld returns what a lookup before apply would', () => {
    const log = sample();
    const s = new ObjectStore();
    for (const e of log.all()) {
      const o = e.object!;
      const before = s.get('Pod', 'default', o.metadata!.name!);
      expect(s.applyReturningOld(e)).toBe(before);
    }
  });
});
