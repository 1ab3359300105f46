import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { KObject } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { write, type ComponentDef, type KeysForContext } from '@kubesim/controllers';
import { Simulation } from '../src/index.js';

const ns: KObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KObject;
const pv = (name: string): KObject => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/data/${name}` }, storageClassName: 'fast' },
} as KObject);

interface Seen { readonly delivered: number[]; readonly ctxs: (KeysForContext<number> | undefined)[] }

/** A probe component: records deliveries (in order) and the context its keysFor receives. */
const probe = (seen: Seen, extra: Partial<ComponentDef<unknown, number>> = {}): ComponentDef<unknown, number> => ({
  name: 'probe',
  watches: ['PersistentVolume'],
  keysFor: (e: Envelope, _old, _snap, _config, ctx) => {
    seen.delivered.push(e.seq);
    seen.ctxs.push(ctx);
    return [];
  },
  initialKeys: () => [],
  reconcile: () => ({}),
  initialLocal: () => 0,
  observe: (_e, _old, local) => local + 1,
  ...extra,
});

const boot = (sim: Simulation): void => {
  sim.request({ verb: 'create', object: ns });
  sim.startComponents();
  sim.run({ until: () => sim.hosts.every((h) => h.running), deadlineMs: 10_000 });
};

describe('embedded host: watch delivery', () => {
  it('delivers every entry once, in log order, with local state and time as keysFor context', () => {
    const seen: Seen = { delivered: [], ctxs: [] };
    const sim = new Simulation({ seed: 5, components: [{ def: probe(seen) as never, config: {} }] });
    boot(sim);
    const seqs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const r = sim.request({ verb: 'create', object: pv(`c${i}`) });
      expect(E.isRight(r)).toBe(true);
      seqs.push(sim.log.lastSeq());
      if (i % 7 === 0) sim.advance(0.3);
    }
    sim.run({ deadlineMs: sim.now + 1_000 });
    expect(seen.delivered).toEqual(seqs);
    // observe ran before keysFor: the context carries the updated local state.
    expect(seen.ctxs.map((c) => c?.local)).toEqual(seqs.map((_, i) => i + 1));
    expect(seen.ctxs.every((c) => c !== undefined && c.now >= 0)).toBe(true);
    // Deliveries due at the same instant share one queue event: fewer events than entries.
    expect(sim.eventsProcessed).toBeLessThan(200 + 50);
  });
});

describe('embedded host: write-through cache', () => {
  const writer = (writeThrough: boolean, reads: (string | undefined)[]): ComponentDef<unknown, number> => ({
    name: 'volume-binder',
    watches: ['PersistentVolume'],
    keysFor: (e) => (isObjectEntry(e) && e.actor === 'user' ? ['go'] : []),
    initialKeys: () => [],
    reconcile: ({ snapshot, local }) => {
      const cur = snapshot.get('PersistentVolume', '', 'x');
      if (!cur) return {};
      reads.push(cur.metadata?.resourceVersion);
      if (local > 0) return {};
      // Write once, then look again right after the response (before the watch delivers the write).
      return { plan: write({ verb: 'update', object: { ...cur, metadata: { ...cur.metadata, labels: { written: 'yes' } } } as KObject }), requeueAfterMs: 0, local: 1 };
    },
    initialLocal: () => 0,
    ...(writeThrough ? { writeThrough: true } : {}),
  });

  const run = (writeThrough: boolean): { reads: (string | undefined)[]; written: string } => {
    const reads: (string | undefined)[] = [];
    // Slow watch, fast responses: the response arrives long before the delivery of the write.
    const sim = new Simulation({
      seed: 9, timing: { watchLatencyMs: [50, 50], apiLatencyMs: [0.1, 0.1], responseLatencyMs: [0.1, 0.1], workerDelayMs: [0, 0] },
      components: [{ def: writer(writeThrough, reads) as never, config: {} }],
    });
    boot(sim);
    expect(E.isRight(sim.request({ verb: 'create', object: pv('x') }))).toBe(true);
    sim.run({ deadlineMs: sim.now + 500 });
    const written = sim.log.all().filter((e) => e.actor === 'volume-binder' && e.object?.kind === 'PersistentVolume').map((e) => e.object!.metadata!.resourceVersion!);
    return { reads, written: written[0]! };
  };

  it('a write\'s answer that arrives after the watch delivered the object\'s deletion does not bring it back', () => {
    const def: ComponentDef<unknown, number> = {
      name: 'volume-binder', watches: ['PersistentVolume'], writeThrough: true,
      keysFor: (e) => (isObjectEntry(e) && e.type === 'ADDED' ? ['go'] : []),
      initialKeys: () => [],
      reconcile: ({ snapshot }) => {
        const cur = snapshot.get('PersistentVolume', '', 'x');
        return cur ? { plan: write({ verb: 'update', object: { ...cur, metadata: { ...cur.metadata, labels: { written: 'yes' } } } as KObject }) } : {};
      },
      initialLocal: () => 0,
    };
    // Fast watch, slow answers: the deletion reaches the cache before the answer to the update decided before it.
    const sim = new Simulation({
      seed: 9, timing: { watchLatencyMs: [1, 1], apiLatencyMs: [0.1, 0.1], responseLatencyMs: [300, 300], workerDelayMs: [0, 0] },
      components: [{ def: def as never, config: {} }],
    });
    boot(sim);
    expect(E.isRight(sim.request({ verb: 'create', object: pv('x') }))).toBe(true);
    sim.run({ until: () => sim.log.all().some((e) => e.actor === 'volume-binder'), deadlineMs: sim.now + 100 });
    const written = sim.log.all().find((e) => e.actor === 'volume-binder');
    expect(written?.op).toBe('update');
    // The user deletes it (pv-protection holds it) and removes the finalizer: gone.
    expect(E.isRight(sim.request({ verb: 'delete', kind: 'PersistentVolume', namespace: '', name: 'x' }))).toBe(true);
    expect(E.isRight(sim.request({ verb: 'patch', kind: 'PersistentVolume', namespace: '', name: 'x', patch: { metadata: { finalizers: null } } }))).toBe(true);
    expect(sim.log.all().at(-1)?.type).toBe('DELETED');
    const host = sim.host('volume-binder')!;
    sim.run({ deadlineMs: sim.now + 50 });
    expect(host.informer.get('PersistentVolume', '', 'x')).toBeUndefined();
    sim.run({ deadlineMs: sim.now + 1_000 }); // the answer to the update arrives
    expect(host.informer.get('PersistentVolume', '', 'x')).toBeUndefined();
  });

  it('without it, the requeued sync reads the stale object; with it, the version its write returned', () => {
    const plain = run(false);
    const through = run(true);
    expect(plain.reads).toHaveLength(2);
    expect(through.reads).toHaveLength(2);
    expect(plain.reads[1]).toBe(plain.reads[0]); // stale: the cache has not seen the write yet
    expect(through.reads[1]).toBe(through.written);
    expect(through.reads[0]).not.toBe(through.written);
  });
});
