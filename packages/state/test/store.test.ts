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
