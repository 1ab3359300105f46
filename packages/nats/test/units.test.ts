import { describe, expect, it } from 'vitest';
import type { KObject } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import {
  actorOfApiSubject, authorizationBlock, awaitCondition, decodeEntry, DilatedClock, encodeEntry, grantsOf, natsUser, SeqWaiters, subjectsFor, token, untoken, userNameOf,
} from '../src/index.js';

const s = subjectsFor('demo');

describe('subjects', () => {
  it('one subject per object; dots in names become ~, cluster-scoped objects have namespace _', () => {
    expect(s.object('Pod', 'default', 'web-0')).toBe('ksim.demo.log.obj.Pod.default.web-0');
    expect(s.object('Node', 'ignored', 'node.a.example')).toBe('ksim.demo.log.obj.Node._.node~a~example');
    expect(s.object('Event', 'default', 'web-0.17f3a')).toBe('ksim.demo.log.obj.Event.default.web-0~17f3a');
    expect(untoken(token('a.b'))).toBe('a.b');
    expect(() => token('a b')).toThrow(/NATS subject token/);
    expect(() => subjectsFor('Bad.Id')).toThrow(/cluster id/);
  });

  it('the actor of a request is its subject\'s', () => {
    expect(actorOfApiSubject(s, s.api('kubelet:node-a'))).toBe('kubelet:node-a');
    expect(actorOfApiSubject(s, s.api('statefulset-controller'))).toBe('statefulset-controller');
    expect(actorOfApiSubject(s, 'ksim.other.api.user')).toBeUndefined();
  });
});

describe('permissions', () => {
  it('only the API server publishes to the log; a component only its own requests; a per-node kubelet only its node', () => {
    const api = grantsOf(s, { kind: 'apiserver' });
    expect(api.publish).toContain('ksim.demo.log.>');
    for (const role of [{ kind: 'component', name: 'scheduler' }, { kind: 'kubelet' }, { kind: 'user' }, { kind: 'admin' }] as const) {
      expect(grantsOf(s, role).publish.some((p) => p.startsWith('ksim.demo.log'))).toBe(false);
    }
    expect(grantsOf(s, { kind: 'component', name: 'scheduler' }).publish.filter((p) => p.includes('.api.'))).toEqual(['ksim.demo.api.scheduler']);
    expect(grantsOf(s, { kind: 'kubelet', nodes: ['node-a'] }).publish.filter((p) => p.includes('.api.'))).toEqual(['ksim.demo.api.kubelet.node-a']);
    expect(userNameOf({ kind: 'kubelet', nodes: ['node-a'] })).toBe('kubelet-node-a');
    // Every user reads only its own replies.
    expect(grantsOf(s, { kind: 'component', name: 'scheduler' }).subscribe).toEqual(['_INBOX.scheduler.>']);
  });

  it('renders a nats-server authorization block', () => {
    const block = authorizationBlock([natsUser(s, { kind: 'component', name: 'scheduler' }, 'pw')]);
    expect(block).toContain('{ user: "scheduler", password: "pw", permissions: {');
    expect(block).toContain('publish: { allow: ["ksim.demo.api.scheduler"');
  });
});

describe('codec and clock', () => {
  it('a stored entry has neither seq nor resourceVersion nor time; a reader stamps them in', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', resourceVersion: '3' } } as KObject;
    const data = encodeEntry({ type: 'ADDED', actor: 'user', cause: 2, op: 'create', object: pod });
    expect(new TextDecoder().decode(data)).not.toContain('resourceVersion');
    expect(decodeEntry(42, 1500, data)).toEqual({
      seq: 42, time: 1500, type: 'ADDED', actor: 'user', cause: 2, op: 'create',
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', resourceVersion: '42' } },
    });
    // Key order too (hidden classes, and what a log export writes): the stamped resourceVersion comes last in metadata.
    const mid = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', resourceVersion: '7', uid: 'u' }, spec: {} } as KObject;
    expect(JSON.stringify(decodeEntry(43, 0, encodeEntry({ type: 'MODIFIED', actor: 'user', cause: null, object: mid })).object))
      .toBe('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","uid":"u","resourceVersion":"43"},"spec":{}}');
  });

  it('dilates the wall clock from the cluster epoch', () => {
    let wall = 10_000;
    const c = new DilatedClock({ epochMs: 9_000, timeScale: 100 }, () => wall);
    expect(c.now()).toBe(100_000);
    wall = 10_100;
    expect(c.now()).toBe(110_000);
    expect(c.wallDelay(10_000)).toBe(100);
    expect(() => new DilatedClock({ epochMs: 0, timeScale: 0 })).toThrow(/time scale/);
  });
});

describe('SeqWaiters', () => {
  it('resolves at once when the fold is there, else when its seq is reached; a timeout resolves or rejects as asked', async () => {
    const w = new SeqWaiters();
    await w.wait(3, 5, 1_000);
    const order: string[] = [];
    const a = w.wait(7, 5, 1_000).then(() => order.push('a'));
    const b = w.wait(7, 5, 1_000).then(() => order.push('b'));
    w.reached(6);
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    w.reached(7);
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    await w.wait(9, 7, 10); // gives up, resolved
    await expect(w.wait(9, 7, 10, () => new Error('late'))).rejects.toThrow('late');
    w.reached(9); // nobody left waiting
  });

  it('tells its owner of each wait for a seq the fold has not reached (the follower reads a stalled gap)', async () => {
    const told: [number, number][] = [];
    const w = new SeqWaiters((seq, ms) => told.push([seq, ms]));
    await w.wait(3, 5, 1_000);
    const p = w.wait(7, 5, 1_000);
    expect(told).toEqual([[7, 1_000]]);
    w.reached(7);
    await p;
  });
});

describe('a distributed wait (awaitCondition)', () => {
  /** A view that folds entries in bursts, as a watch delivers them after a stall. */
  const burstyView = () => {
    const observers = new Set<(e: Envelope) => void>();
    let state = 0;
    return {
      state: () => state,
      observe: (f: (e: Envelope) => void) => { observers.add(f); return () => { observers.delete(f); }; },
      burst: (...values: number[]) => {
        for (const [i, v] of values.entries()) {
          state = v;
          for (const f of observers) f({ seq: i + 1, time: 0, type: 'MODIFIED', actor: 'kubelet', cause: null, object: { kind: 'Pod', metadata: { name: 'p' } } } as Envelope);
        }
      },
    };
  };

  it('sees a state that held only between two entries of one burst, and ends waiting at the deadline otherwise', async () => {
    const v = burstyView();
    const waiting = awaitCondition(v, () => v.state() === 1, new Set(['Pod']), Date.now() + 5_000);
    setTimeout(() => v.burst(1, 2), 20); // the view's state is 2 by the next poll
    expect(await waiting).toBe(true);
    const missed = awaitCondition(v, () => v.state() === 3, new Set(['Pod']), Date.now() + 100);
    setTimeout(() => v.burst(4, 5), 20);
    expect(await missed).toBe(false);
  });

  it('judges only after entries of the kinds the condition reads', async () => {
    const v = burstyView();
    let judged = 0;
    const waiting = awaitCondition(v, () => { judged++; return false; }, new Set(['Service']), Date.now() + 100);
    setTimeout(() => v.burst(1, 2, 3), 20);
    expect(await waiting).toBe(false);
    expect(judged).toBe(1); // once at the start; Pod entries cannot change it
  });
});
