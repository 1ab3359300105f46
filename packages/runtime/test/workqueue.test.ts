import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../src/index.js';

describe('WorkQueue (client-go workqueue semantics, shared by both hosts)', () => {
  it('queues a key once, with its newest cause', () => {
    const q = new WorkQueue();
    expect(q.add('a', 3)).toBe(true);
    expect(q.add('a', 7)).toBe(false);
    expect(q.add('a', 5)).toBe(false);
    expect(q.add('a', null)).toBe(false);
    expect(q.size).toBe(1);
    expect(q.take('a')).toBe(7);
    expect(q.take('a')).toBeUndefined();
    // A null cause is a cause too: the key is queued.
    expect(q.add('b', null)).toBe(true);
    expect(q.take('b')).toBeNull();
  });

  it('a key added while its sync runs is dirty, and comes back once that sync ends', () => {
    const q = new WorkQueue();
    q.add('a', 1);
    q.take('a');
    q.begin('a');
    expect(q.add('a', 4)).toBe(false);
    expect(q.add('a', 2)).toBe(false);
    expect(q.queued.size).toBe(0);
    expect(q.size).toBe(1);
    expect(q.end('a', false, 5, 1000)).toBeUndefined();
    expect(q.takeDirty('a')).toBe(4);
    expect(q.takeDirty('a')).toBeUndefined();
    expect(q.size).toBe(0);
  });

  it('failed syncs back off per key, doubling up to the cap; a success resets the count', () => {
    const q = new WorkQueue();
    const fail = (): number | undefined => { q.begin('a'); return q.end('a', true, 5, 30); };
    expect([fail(), fail(), fail(), fail(), fail()]).toEqual([5, 10, 20, 30, 30]);
    q.begin('b');
    expect(q.end('b', true, 5, 30)).toBe(5); // per key
    q.begin('a');
    expect(q.end('a', false, 5, 30)).toBeUndefined();
    expect(fail()).toBe(5);
  });

  it('AddAfter keeps the earliest pending time: a later one is dropped, an earlier one replaces it', () => {
    const q = new WorkQueue<string>();
    const armed: number[] = [];
    const disarmed: string[] = [];
    const arm = (token: number): string => { armed.push(token); return `h${token}`; };
    q.after('a', 100, arm, (h) => disarmed.push(h));
    q.after('a', 200, arm, (h) => disarmed.push(h));
    expect(armed).toEqual([1]);
    q.after('a', 50, arm, (h) => disarmed.push(h));
    expect(armed).toEqual([1, 2]);
    expect(disarmed).toEqual(['h1']);
    expect(q.fired('a', 1)).toBe(false); // replaced
    expect([...q.handles()].map((t) => t.handle)).toEqual(['h2']);
    expect(q.fired('a', 2)).toBe(true);
    expect(q.fired('a', 2)).toBe(false); // forgotten once fired
    q.after('a', 300, arm);
    expect(armed).toEqual([1, 2, 3]);
  });

  it('clear forgets everything (a crash)', () => {
    const q = new WorkQueue();
    q.add('a', 1); q.add('b', 2); q.take('b'); q.begin('b'); q.add('b', 3);
    q.after('c', 10, () => undefined);
    q.clear();
    expect(q.size).toBe(0);
    expect(q.takeDirty('b')).toBeUndefined();
    expect(q.fired('c', 1)).toBe(false);
    expect(q.add('a', 5)).toBe(true);
  });
});
