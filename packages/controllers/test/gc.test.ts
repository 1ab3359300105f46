import { describe, expect, it } from 'vitest';
import {
  keyOf, newControllerRef, requestKind, timestamp, type ApiRequest, type ControllerRevision, type KObject, type OwnerReference,
  type PersistentVolumeClaim, type Pod, type StatefulSet,
} from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { writesOf, type Step } from '../src/framework/index.js';
import { garbageCollector, syncGarbage } from '../src/gc/index.js';
import { makeSnapshot } from './util.js';

// k8s-semantics §5; scenarios S32, S33, S35, S44.

const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
const config = { enabled: true };

const sts = (extra: Partial<StatefulSet['metadata']> = {}): StatefulSet => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'uid-set', resourceVersion: '5', ...extra },
  spec: { serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
});
const setRef = (s: StatefulSet = sts()): OwnerReference => newControllerRef(s as StatefulSet & { apiVersion: string; kind: string; metadata: { name: string } });
const pod = (k: number, refs: OwnerReference[] = [setRef()]): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: `web-${k}`, namespace: 'default', uid: `uid-web-${k}`, resourceVersion: `${10 + k}`, ownerReferences: refs },
  spec: { containers: [{ name: 'nginx', image: 'nginx' }], volumes: [{ name: 'www', persistentVolumeClaim: { claimName: `www-web-${k}` } }] },
});
const claim = (k: number, refs?: OwnerReference[], finalizers = [PVC_PROTECTION]): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: { name: `www-web-${k}`, namespace: 'default', uid: `uid-www-${k}`, resourceVersion: `${20 + k}`, finalizers, ...(refs ? { ownerReferences: refs } : {}) },
  spec: { accessModes: ['ReadWriteOnce'] }, status: { phase: 'Bound' },
});
const revision = (): ControllerRevision => ({
  apiVersion: 'apps/v1', kind: 'ControllerRevision',
  metadata: { name: 'web-6b7c4d9f5', namespace: 'default', uid: 'uid-rev', resourceVersion: '30', ownerReferences: [setRef()] }, revision: 1,
});
const podRef = (k: number): OwnerReference => ({ apiVersion: 'v1', kind: 'Pod', name: `web-${k}`, uid: `uid-web-${k}`, controller: false, blockOwnerDeletion: true });

/** A ConfigMap (uid `uid-cm`): an owner of another kind the collector tracks. */
const configMapObj = (name: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', uid: 'uid-cm', resourceVersion: '3' } }) as KObject;

const snap = (objs: readonly KObject[]) => makeSnapshot(objs, garbageCollector.indexes);
const sync = (objs: readonly KObject[], o: KObject) => syncGarbage(snap(objs), keyOf(o));

/**
 * A tiny API server for multi-step runs: deletes with propagation and finalizers (pods have no grace
 * here: the kubelet is assumed to confirm at once), merge patches of metadata, finalizer updates, uid and
 * resourceVersion preconditions; plus the pvc-protection controller (a claim's finalizer goes once no
 * pod mounts it). The GC reconciles every key each round until nothing is written.
 */
class MiniCluster {
  readonly objects = new Map<string, KObject>();
  readonly log: string[] = [];
  readonly requests: ApiRequest[] = [];
  private rv = 100;
  constructor(objs: readonly KObject[]) { for (const o of objs) this.objects.set(keyOf(o), o); }

  private put(o: KObject, why: string): void {
    const m = o.metadata!;
    if (m.deletionTimestamp !== undefined && (m.finalizers?.length ?? 0) === 0) { this.objects.delete(keyOf(o)); this.log.push(`gone ${keyOf(o)}`); return; }
    this.objects.set(keyOf(o), { ...o, metadata: { ...m, resourceVersion: String(++this.rv) } } as KObject);
    this.log.push(`${why} ${keyOf(o)}`);
  }

  apply(r: ApiRequest): boolean {
    this.requests.push(r);
    const key = r.verb === 'update' || r.verb === 'create' ? keyOf(r.object) : `${requestKind(r)}/${r.namespace}/${r.name}`;
    const cur = this.objects.get(key);
    if (!cur) return false;
    const m = cur.metadata!;
    switch (r.verb) {
      case 'delete': {
        if (r.preconditions?.uid !== undefined && r.preconditions.uid !== m.uid) return false;
        if (m.deletionTimestamp !== undefined) return true;
        const fin = [...(m.finalizers ?? [])];
        if (r.propagationPolicy === 'Foreground') fin.push('foregroundDeletion');
        if (r.propagationPolicy === 'Orphan') fin.push('orphan');
        this.put({ ...cur, metadata: { ...m, finalizers: fin, deletionTimestamp: timestamp(0) } } as KObject, 'deleting');
        return true;
      }
      case 'patch': {
        if (r.resourceVersion !== undefined && r.resourceVersion !== m.resourceVersion) return false;
        const pm = (r.patch as { metadata: Record<string, unknown> }).metadata;
        const meta: Record<string, unknown> = { ...m };
        for (const [k, v] of Object.entries(pm)) { if (v === null) delete meta[k]; else meta[k] = v; }
        this.put({ ...cur, metadata: meta } as KObject, 'patched');
        return true;
      }
      case 'update': {
        if (r.object.metadata?.resourceVersion !== m.resourceVersion) return false;
        this.put({ ...cur, metadata: { ...m, finalizers: r.object.metadata?.finalizers } } as KObject, 'updated');
        return true;
      }
      default: return false;
    }
  }

  protectClaims(): void {
    for (const o of [...this.objects.values()]) {
      if (o.kind !== 'PersistentVolumeClaim' || o.metadata?.deletionTimestamp === undefined || !o.metadata.finalizers?.includes(PVC_PROTECTION)) continue;
      const used = [...this.objects.values()].some((p) => p.kind === 'Pod' && (p as Pod).spec?.volumes?.some((v) => v.persistentVolumeClaim?.claimName === o.metadata?.name));
      if (!used) this.put({ ...o, metadata: { ...o.metadata, finalizers: o.metadata.finalizers.filter((f) => f !== PVC_PROTECTION) } } as KObject, 'unprotected');
    }
  }

  /** GC rounds to a fixed point. */
  run(maxRounds = 20): void {
    for (let i = 0; i < maxRounds; i++) {
      const s = snap([...this.objects.values()]);
      const writes: ApiRequest[] = [];
      for (const key of garbageCollector.initialKeys(s, config)) {
        const plan: Step | undefined = garbageCollector.reconcile({ snapshot: s, key, now: 0, config, local: undefined, seed: 1 }).plan;
        writes.push(...writesOf(plan));
      }
      const before = this.log.length;
      for (const w of writes) this.apply(w);
      this.protectClaims();
      if (this.log.length === before) return;
    }
    throw new Error('no fixed point');
  }

  has(kind: string, name: string): boolean { return this.objects.has(`${kind}/${kind === 'PersistentVolume' ? '' : 'default'}/${name}`); }
  get(kind: string, name: string): KObject | undefined { return this.objects.get(`${kind}/default/${name}`); }
  goneIndex(key: string): number { return this.log.indexOf(`gone ${key}`); }
}

describe('garbage collector: classification (§5)', () => {
  it('keeps a dependent whose owner exists with the same uid', () => {
    expect(sync([sts(), pod(0)], pod(0)).plan).toBeUndefined();
  });

  it('deletes a dependent whose only owner is gone or has another uid, in background with a uid precondition (and the version judged: the real GC decides on a live GET, never on a stale cache)', () => {
    const expected = [{ verb: 'delete', kind: 'Pod', namespace: 'default', name: 'web-0', propagationPolicy: 'Background', preconditions: { uid: 'uid-web-0', resourceVersion: pod(0).metadata!.resourceVersion } }];
    expect(writesOf(sync([pod(0)], pod(0)).plan)).toEqual(expected);
    expect(writesOf(sync([sts({ uid: 'uid-new-set' }), pod(0)], pod(0)).plan)).toEqual(expected);
  });

  it('asks the API server whether an owner exists: a set its cache has not seen yet keeps its claim [GC isDangling: a live GET]', () => {
    // Found by the property suite: with its watch reordered the collector saw a claim's new reference to
    // a re-created set before the set itself, and deleted the claim as dangling.
    const recreated = sts({ uid: 'uid-set-2' });
    const c = claim(0, [setRef(recreated)]);
    expect(syncGarbage(snap([c]), keyOf(c), snap([recreated, c])).plan).toBeUndefined();
    // The live state agrees the owner is gone: deleted.
    expect(writesOf(syncGarbage(snap([c]), keyOf(c), snap([c])).plan).map((r) => r.verb)).toEqual(['delete']);
  });

  it('S35: a claim whose only owner never existed is deleted as soon as it is seen; a claim with a live foreign owner only loses the dangling ref', () => {
    const stale: OwnerReference = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'unknown', uid: '9d86d7cc-fd8a-4b4b-a2a5-0d2b8f2d0b1c', controller: true, blockOwnerDeletion: true };
    const www3 = claim(3, [stale], [PVC_PROTECTION, 'keep-with/stale-ref']);
    expect(writesOf(sync([www3], www3).plan)).toEqual([
      { verb: 'delete', kind: 'PersistentVolumeClaim', namespace: 'default', name: 'www-web-3', propagationPolicy: 'Background', preconditions: { uid: 'uid-www-3', resourceVersion: www3.metadata!.resourceVersion } },
    ]);
    const cm: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'random-owner', uid: 'uid-cm' };
    const www1 = claim(1, [cm, setRef()]);
    // The set is gone (deleted in background): the ConfigMap still owns the claim.
    expect(writesOf(sync([www1, configMapObj('random-owner')], www1).plan)).toEqual([
      { verb: 'patch', kind: 'PersistentVolumeClaim', namespace: 'default', name: 'www-web-1', patch: { metadata: { ownerReferences: [cm] } }, resourceVersion: '21' },
    ]);
    // Once terminating, a dependent is left alone.
    const terminating = { ...www3, metadata: { ...www3.metadata, deletionTimestamp: timestamp(1) } } as PersistentVolumeClaim;
    expect(sync([terminating], terminating).plan).toBeUndefined();
  });

  it('honours the dependent\'s own orphan/foreground finalizer when deleting it', () => {
    const p = { ...pod(0), metadata: { ...pod(0).metadata, finalizers: ['orphan'] } } as Pod;
    expect(writesOf(sync([p], p).plan)[0]).toMatchObject({ verb: 'delete', propagationPolicy: 'Orphan' });
  });

  it('deletes a dependent with dependents of its own in foreground when its owner waits for dependents', () => {
    const fg = sts({ deletionTimestamp: timestamp(1), finalizers: ['foregroundDeletion'] });
    const objs = [fg, pod(0), claim(0, [podRef(0)])];
    expect(writesOf(sync(objs, pod(0)).plan)).toEqual([
      { verb: 'delete', kind: 'Pod', namespace: 'default', name: 'web-0', propagationPolicy: 'Foreground', preconditions: { uid: 'uid-web-0', resourceVersion: '10' } },
    ]);
    // Without own dependents: background.
    expect(writesOf(sync([fg, pod(1)], pod(1)).plan)[0]).toMatchObject({ propagationPolicy: 'Background' });
  });

  it('removes a reference to an owner waiting for dependents when another owner is solid', () => {
    const fg = sts({ deletionTimestamp: timestamp(1), finalizers: ['foregroundDeletion'] });
    const other: OwnerReference = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'uid-rs' };
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'default', uid: 'uid-rs' }, spec: { selector: {} } } as KObject;
    const p = pod(0, [setRef(), other]);
    expect(writesOf(sync([fg, rs, p], p).plan)).toEqual([
      { verb: 'patch', kind: 'Pod', namespace: 'default', name: 'web-0', patch: { metadata: { ownerReferences: [other] } }, resourceVersion: '10' },
    ]);
  });
});

describe('garbage collector: cascading deletion (S44, S32, S33)', () => {
  const f1 = () => [pod(0), pod(1), pod(2), revision(), claim(0), claim(1), claim(2)];

  it('S44a background: pods and revision deleted, PVCs (Retain) remain', () => {
    const c = new MiniCluster(f1()); // the set is already gone
    c.run();
    expect(c.requests.filter((r) => r.verb === 'delete').map((r) => (r.verb === 'delete' ? `${r.kind}/${r.name}/${r.propagationPolicy}` : '')).sort()).toEqual([
      'ControllerRevision/web-6b7c4d9f5/Background', 'Pod/web-0/Background', 'Pod/web-1/Background', 'Pod/web-2/Background',
    ]);
    expect(['web-0', 'web-1', 'web-2'].some((n) => c.has('Pod', n))).toBe(false);
    expect(c.has('ControllerRevision', 'web-6b7c4d9f5')).toBe(false);
    expect([0, 1, 2].every((k) => c.has('PersistentVolumeClaim', `www-web-${k}`))).toBe(true);
  });

  it('S44b foreground: the set keeps its finalizer until pods and revision are gone, then disappears; PVCs remain', () => {
    const fg = sts({ deletionTimestamp: timestamp(1), finalizers: ['foregroundDeletion'] });
    const first = syncGarbage(snap([fg, ...f1()]), keyOf(fg));
    expect(first.plan).toBeUndefined(); // blocking dependents remain
    const c = new MiniCluster([fg, ...f1()]);
    c.run();
    expect(c.has('StatefulSet', 'web')).toBe(false);
    const setGone = c.goneIndex('StatefulSet/default/web');
    for (const k of ['Pod/default/web-0', 'Pod/default/web-1', 'Pod/default/web-2', 'ControllerRevision/default/web-6b7c4d9f5']) {
      expect(c.goneIndex(k)).toBeGreaterThanOrEqual(0);
      expect(c.goneIndex(k)).toBeLessThan(setGone);
    }
    expect([0, 1, 2].every((k) => c.has('PersistentVolumeClaim', `www-web-${k}`))).toBe(true);
    const fin = c.requests.find((r) => r.verb === 'update');
    expect(fin && fin.verb === 'update' ? fin.object.metadata?.finalizers : 'none').toBeUndefined();
  });

  it('S44c foreground with whenDeleted Delete: the set also waits for its claims, which go after their pods', () => {
    const fg = sts({ deletionTimestamp: timestamp(1), finalizers: ['foregroundDeletion'] });
    const objs = [fg, pod(0), pod(1), revision(), claim(0, [setRef()]), claim(1, [setRef()])];
    const c = new MiniCluster(objs);
    c.run();
    const setGone = c.goneIndex('StatefulSet/default/web');
    expect(setGone).toBeGreaterThan(c.goneIndex('PersistentVolumeClaim/default/www-web-0'));
    expect(c.goneIndex('PersistentVolumeClaim/default/www-web-0')).toBeGreaterThan(c.goneIndex('Pod/default/web-0'));
    expect(c.objects.size).toBe(0);
  });

  it('S32: background deletion of a set whose claims carry the set ref deletes pods and claims (claims after their pods)', () => {
    const c = new MiniCluster([pod(0), pod(1), pod(2), claim(0, [setRef()]), claim(1, [setRef()]), claim(2)]);
    c.run();
    for (const k of [0, 1]) {
      expect(c.goneIndex(`PersistentVolumeClaim/default/www-web-${k}`)).toBeGreaterThan(c.goneIndex(`Pod/default/web-${k}`));
    }
    // The variant: web-2's claim had its refs removed — it is kept.
    expect(c.has('PersistentVolumeClaim', 'www-web-2')).toBe(true);
  });

  it('S33: a claim owned by a condemned pod is collected once the pod is gone', () => {
    const c = new MiniCluster([sts(), pod(0), claim(1, [podRef(1)]), claim(0, [setRef()])]);
    c.run();
    expect(c.has('PersistentVolumeClaim', 'www-web-1')).toBe(false);
    expect(c.has('PersistentVolumeClaim', 'www-web-0')).toBe(true);
    expect(c.has('Pod', 'web-0')).toBe(true);
  });

  it('orphan: every dependent loses the set ref (guarded by its resourceVersion), then the finalizer goes', () => {
    const orphaning = sts({ deletionTimestamp: timestamp(1), finalizers: ['orphan'] });
    const objs = [orphaning, pod(0), pod(1, [setRef(), { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'uid-cm' }]), revision(), claim(0), configMapObj('x')];
    const plan = syncGarbage(snap(objs), keyOf(orphaning)).plan;
    expect(plan?.kind).toBe('seq');
    const w = writesOf(plan);
    expect(w.slice(0, 3)).toEqual([
      { verb: 'patch', kind: 'Pod', namespace: 'default', name: 'web-0', patch: { metadata: { ownerReferences: null } }, resourceVersion: '10' },
      { verb: 'patch', kind: 'Pod', namespace: 'default', name: 'web-1', patch: { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'uid-cm' }] } }, resourceVersion: '11' },
      { verb: 'patch', kind: 'ControllerRevision', namespace: 'default', name: 'web-6b7c4d9f5', patch: { metadata: { ownerReferences: null } }, resourceVersion: '30' },
    ]);
    const last = w[3]!;
    expect(last.verb).toBe('update');
    expect(last.verb === 'update' && last.object.metadata).toMatchObject({ resourceVersion: '5', deletionTimestamp: timestamp(1) });
    expect(last.verb === 'update' && last.object.metadata?.finalizers).toBeUndefined();
    const c = new MiniCluster(objs);
    c.run();
    expect(c.has('StatefulSet', 'web')).toBe(false);
    expect(c.has('Pod', 'web-0') && c.has('Pod', 'web-1') && c.has('ControllerRevision', 'web-6b7c4d9f5')).toBe(true);
    expect(c.get('Pod', 'web-0')?.metadata?.ownerReferences).toBeUndefined();
  });
});

describe('garbage collector: event handlers', () => {
  const ev = (type: Envelope['type'], object: KObject): Envelope => ({ seq: 1, time: 0, type, actor: 'x', cause: null, object });

  it('an owner that disappears enqueues its dependents', () => {
    const s = snap([pod(0), pod(1), revision(), claim(0)]);
    expect([...garbageCollector.keysFor(ev('DELETED', sts()), sts(), s, config)].sort()).toEqual([
      'ControllerRevision/default/web-6b7c4d9f5', 'Pod/default/web-0', 'Pod/default/web-1',
    ]);
  });

  it('a new dependent or changed references enqueue the object itself; a status change does not', () => {
    const p = pod(0);
    expect(garbageCollector.keysFor(ev('ADDED', p), undefined, snap([sts(), p]), config)).toEqual(['Pod/default/web-0']);
    const status = { ...p, status: { phase: 'Running' } } as Pod;
    expect(garbageCollector.keysFor(ev('MODIFIED', status), p, snap([sts(), status]), config)).toEqual([]);
    const released = { ...p, metadata: { ...p.metadata, ownerReferences: [] } } as Pod;
    expect(garbageCollector.keysFor(ev('MODIFIED', released), p, snap([sts(), released]), config)).toEqual([]);
  });

  it('an owner starting foreground deletion enqueues itself and every dependent; a dependent gone re-checks it', () => {
    const fg = sts({ deletionTimestamp: timestamp(1), finalizers: ['foregroundDeletion'] });
    const s = snap([fg, pod(0), revision()]);
    expect([...garbageCollector.keysFor(ev('MODIFIED', fg), sts(), s, config)].sort()).toEqual([
      'ControllerRevision/default/web-6b7c4d9f5', 'Pod/default/web-0', 'StatefulSet/default/web',
    ]);
    expect(garbageCollector.keysFor(ev('DELETED', pod(1)), pod(1), s, config)).toEqual(['StatefulSet/default/web']);
    const orphaning = sts({ deletionTimestamp: timestamp(1), finalizers: ['orphan'] });
    expect(garbageCollector.keysFor(ev('MODIFIED', orphaning), sts(), snap([orphaning, pod(0)]), config)).toEqual(['StatefulSet/default/web']);
  });

  it('lists every owned or finalizing object as initial keys', () => {
    const keys = [...garbageCollector.initialKeys(snap([sts(), pod(0), claim(0)]), config)];
    expect(keys).toEqual(['Pod/default/web-0']);
  });
});
