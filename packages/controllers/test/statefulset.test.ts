import { describe, expect, it } from 'vitest';
import type { Pod, StatefulSet, PersistentVolumeClaim } from '@kubesim/api';
import { getMaxUnavailable, writesOf } from '../src/index.js';
import { claimOf, f1, podOf, revisionName, revisionOf, sync, type PodState } from './statefulset-fixtures.js';

const withRev = (set: StatefulSet) => ({ ...set, status: { ...set.status, replicas: 0, currentRevision: revisionName(set), updateRevision: revisionName(set) } });
const cluster = (set: StatefulSet, states: PodState[]) => [revisionOf(set), ...states.map((s, k) => podOf(set, k, s)), ...states.map((_, k) => claimOf(set, k))];

describe('StatefulSet sync: OrderedReady creation (§1.5, §1.6, S01)', () => {
  it('first sync creates the revision, then claim www-web-0 before pod web-0, and nothing else', () => {
    const set = f1();
    const { summary, events } = sync(set, []);
    expect(summary).toEqual([`create ControllerRevision/${revisionName(set)}`, 'create PersistentVolumeClaim/www-web-0', 'create Pod/web-0']);
    expect(events.map((e) => e.message)).toEqual([
      'create Claim www-web-0 Pod web-0 in StatefulSet web success',
      'create Pod web-0 in StatefulSet web successful',
    ]);
  });

  it('the pod carries identity, storage, revision label, owner ref (S01.3)', () => {
    const set = f1();
    const pod = sync(set, []).writes.find((w) => w.verb === 'create' && w.object.kind === 'Pod');
    const p = (pod as { object: Pod }).object;
    expect(p.metadata?.labels).toEqual({ app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': revisionName(set) });
    expect(p.spec?.hostname).toBe('web-0');
    expect(p.spec?.subdomain).toBe('nginx');
    expect(p.spec?.volumes).toEqual([{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }]);
    expect(p.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
    expect(revisionName(set)).toMatch(/^web-[456789bcdf]{1,10}$/);
  });

  it('creates web-1 only when web-0 is Running and Ready; one create per sync', () => {
    const set = withRev(f1());
    expect(sync(set, cluster(set, ['running'])).summary).toEqual([]);
    expect(sync(set, cluster(set, ['pending'])).summary).toEqual([]);
    expect(sync(set, cluster(set, ['ready'])).summary).toEqual(['create PersistentVolumeClaim/www-web-1', 'create Pod/web-1']);
    expect(sync(set, cluster(set, ['ready', 'ready'])).summary).toEqual(['create PersistentVolumeClaim/www-web-2', 'create Pod/web-2']);
  });

  it('an existing claim is used as is: no claim create, no claim event (S29, S36)', () => {
    const set = withRev(f1());
    const r = sync(set, [...cluster(set, ['ready']), claimOf(set, 1)]);
    expect(r.summary).toEqual(['create Pod/web-1']);
    expect(r.events.map((e) => e.reason)).toEqual(['SuccessfulCreate']);
  });

  it('a missing in-range pod is recreated even if a higher one is unhealthy (no deadlock)', () => {
    const set = withRev(f1());
    const objs = [revisionOf(set), podOf(set, 0), podOf(set, 2, 'running'), claimOf(set, 0), claimOf(set, 1), claimOf(set, 2)];
    expect(sync(set, objs).summary).toEqual(['create Pod/web-1']);
  });

  it('minReadySeconds: waits until web-0 has been Ready long enough, and requeues (S27)', () => {
    const set = withRev(f1({ minReadySeconds: 30 }));
    const objs = cluster(set, ['ready']);
    expect(sync(set, objs, 20_000).summary).toEqual([]);
    expect(sync(set, objs, 20_000).r.requeueAfterMs).toBe(30_000);
    expect(sync(set, objs, 31_000).summary).toEqual(['create PersistentVolumeClaim/www-web-1', 'create Pod/web-1']);
  });

  it('a claim being deleted blocks the pod with FailedCreate', () => {
    const set = withRev(f1({ replicas: 1 }));
    const r = sync(set, [revisionOf(set), claimOf(set, 0, { deletionTimestamp: '2026-01-01T00:00:01Z' })]);
    expect(r.summary).toEqual([]);
    expect(r.events.map((e) => `${e.reason}: ${e.message}`)).toEqual(['FailedCreate: create Pod web-0 in StatefulSet web failed error: pvc www-web-0 is being deleted']);
  });
});

describe('StatefulSet sync: Parallel (S03, S08, K9)', () => {
  it('creates every pod in slow-start batches {0} {1,2} {3,4}, each claim before its pod', () => {
    const set = withRev(f1({ podManagementPolicy: 'Parallel', replicas: 5 }));
    const r = sync(set, [revisionOf(set)]);
    const plan = r.r.plan as unknown as { steps: { kind: string; steps: { kind: string; steps: unknown[] }[] }[] };
    expect(plan.steps).toHaveLength(1);
    const batches = plan.steps[0]!.steps;
    expect(batches.map((b) => b.kind)).toEqual(['par', 'par', 'par']);
    expect(batches.map((b) => writesOf(b as never).filter((w) => w.verb === 'create' && w.object.kind === 'Pod').map((w) => (w as { object: Pod }).object.metadata!.name))).toEqual([['web-0'], ['web-1', 'web-2'], ['web-3', 'web-4']]);
    expect(r.summary.slice(0, 2)).toEqual(['create PersistentVolumeClaim/www-web-0', 'create Pod/web-0']);
  });

  it('creates missing pods although web-0 is unready, and deletes all condemned at once', () => {
    const set = withRev(f1({ podManagementPolicy: 'Parallel', replicas: 3 }));
    expect(sync(set, cluster(set, ['running'])).summary).toEqual(['create PersistentVolumeClaim/www-web-1', 'create Pod/web-1', 'create PersistentVolumeClaim/www-web-2', 'create Pod/web-2']);
    const down = withRev(f1({ podManagementPolicy: 'Parallel', replicas: 0 }));
    expect(sync(down, cluster(down, ['running', 'running', 'running'])).summary.sort()).toEqual(['delete Pod/web-0', 'delete Pod/web-1', 'delete Pod/web-2']);
  });

  it('0 → 1000 is planned in one sync with batches capped at 500 (K9)', () => {
    const set = withRev(f1({ podManagementPolicy: 'Parallel', replicas: 1000 }));
    const plan = sync(set, [revisionOf(set)]).r.plan as unknown as { steps: { steps: { steps: unknown[] }[] }[] };
    expect(plan.steps[0]!.steps.map((b) => b.steps.length)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 489]);
  });
});

describe('StatefulSet sync: scale-down (S05, S06, S29)', () => {
  it('deletes only the highest ordinal, and waits while it terminates', () => {
    const set = withRev(f1({ replicas: 1 }));
    expect(sync(set, cluster(set, ['ready', 'ready', 'ready'])).summary).toEqual(['delete Pod/web-2']);
    expect(sync(set, cluster(set, ['ready', 'ready', 'ready-terminating'])).summary).toEqual([]);
    expect(sync(set, cluster(set, ['ready', 'ready'])).summary).toEqual(['delete Pod/web-1']);
  });

  it('halts while an in-range pod is unhealthy (S05)', () => {
    const set = withRev(f1({ replicas: 0 }));
    // replicas 0: every pod is condemned; all unready → only the first unavailable (lowest) may go, highest-first blocks
    expect(sync(set, cluster(set, ['running', 'running', 'running'])).summary).toEqual([]);
    const one = withRev(f1({ replicas: 1 }));
    expect(sync(one, cluster(one, ['running', 'ready', 'ready'])).summary).toEqual([]);
  });

  it('an unhealthy highest pod that is the first unavailable is deleted (S06), not when a lower one is unhealthy', () => {
    const set = withRev(f1({ replicas: 1 }));
    expect(sync(set, cluster(set, ['ready', 'ready', 'running'])).summary).toEqual(['delete Pod/web-2']);
    expect(sync(set, cluster(set, ['ready', 'running', 'running'])).summary).toEqual([]);
  });

  it('never deletes a claim under Retain', () => {
    const set = withRev(f1({ replicas: 0 }));
    const r = sync(set, cluster(set, ['ready', 'ready', 'ready']));
    expect(r.writes.filter((w) => w.verb === 'delete' && w.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(r.writes.filter((w) => w.verb === 'update' && w.object.kind === 'PersistentVolumeClaim')).toEqual([]);
  });
});

describe('StatefulSet sync: failed pods and identity (S09, S13)', () => {
  it('a Failed pod is deleted and nothing else happens in that sync', () => {
    const set = withRev(f1());
    expect(sync(set, cluster(set, ['ready', 'failed', 'ready'])).summary).toEqual(['delete Pod/web-1']);
  });

  it('a missing pod-name label is repaired by an update, with SuccessfulUpdate', () => {
    const set = withRev(f1());
    const objs = cluster(set, ['ready', 'ready', 'ready']);
    const p1 = objs[2] as Pod;
    const labels = { ...p1.metadata!.labels };
    delete labels['statefulset.kubernetes.io/pod-name'];
    objs[2] = { ...p1, metadata: { ...p1.metadata, labels } };
    const r = sync(set, objs);
    expect(r.summary).toEqual(['update Pod/web-1']);
    const upd = r.writes[0] as { object: Pod };
    expect(upd.object.metadata?.labels?.['statefulset.kubernetes.io/pod-name']).toBe('web-1');
    expect(upd.object.metadata?.uid).toBe(p1.metadata?.uid);
    expect(r.events.map((e) => e.message)).toEqual(['update Pod web-1 in StatefulSet web successful']);
  });
});

describe('StatefulSet sync: retention policy (§1.10, S30, S32, S33)', () => {
  const refsOf = (w: unknown) => ((w as { object: PersistentVolumeClaim }).object.metadata?.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`);

  it('whenDeleted=Delete: in-range claims get a controller ref to the set', () => {
    const set = withRev(f1({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }));
    const r = sync(set, cluster(set, ['ready', 'ready', 'ready']));
    expect(r.summary).toEqual(['update PersistentVolumeClaim/www-web-0', 'update Pod/web-0', 'update PersistentVolumeClaim/www-web-1', 'update Pod/web-1', 'update PersistentVolumeClaim/www-web-2', 'update Pod/web-2']);
    expect(refsOf(r.writes[0])).toEqual(['StatefulSet/web']);
  });

  it('whenScaled=Delete: the condemned claim gets a pod ref before the pod is deleted', () => {
    const set = withRev(f1({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }));
    const r = sync(set, cluster(set, ['ready', 'ready', 'ready']));
    expect(r.summary).toEqual(['update PersistentVolumeClaim/www-web-2', 'update PersistentVolumeClaim/www-web-1', 'delete Pod/web-2']);
    expect(refsOf(r.writes[0])).toEqual(['Pod/web-2']);
  });

  it('Delete/Delete: a condemned claim has its set ref replaced by a pod ref (S33)', () => {
    const set = withRev(f1({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
    const setRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true };
    const objs = [revisionOf(set), podOf(set, 0), podOf(set, 1), claimOf(set, 0, { ownerReferences: [setRef] }), claimOf(set, 1, { ownerReferences: [setRef] })];
    const r = sync(set, objs);
    expect(r.summary).toEqual(['update PersistentVolumeClaim/www-web-1', 'delete Pod/web-1']);
    expect(refsOf(r.writes[0])).toEqual(['Pod/web-1']);
  });

  it('a non-controller set ref is scrubbed and a controller ref appended after the foreign refs ([SSU updateClaimOwnerRefForSetAndPod])', () => {
    const set = withRev(f1({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }));
    const weak = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid' };
    const foreign = { apiVersion: 'v1', kind: 'ConfigMap', name: 'random-owner', uid: 'cm-uid' };
    const r = sync(set, [revisionOf(set), podOf(set, 0), claimOf(set, 0, { ownerReferences: [weak, foreign] })]);
    expect(r.summary).toEqual(['update PersistentVolumeClaim/www-web-0', 'update Pod/web-0']);
    expect((r.writes[0] as { object: PersistentVolumeClaim }).object.metadata?.ownerReferences).toEqual([
      foreign, { ...weak, controller: true, blockOwnerDeletion: true },
    ]);
  });

  it('a foreign controller on a Pending pod\'s claim: under Retain/Retain nothing to say or do; under another policy a Warning ConflictingController and no ref', () => {
    const foreign = { apiVersion: 'v1', kind: 'Service', name: 'nginx', uid: 'svc-uid', controller: true };
    const retain = withRev(f1({ replicas: 1 }));
    const quiet = sync(retain, [revisionOf(retain), podOf(retain, 0, 'pending'), claimOf(retain, 0, { ownerReferences: [foreign] })]);
    expect(quiet.summary).toEqual([]);
    expect(quiet.events).toEqual([]);
    const del = withRev(f1({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }));
    const warned = sync(del, [revisionOf(del), podOf(del, 0, 'pending'), claimOf(del, 0, { ownerReferences: [foreign] })]);
    expect(warned.summary).toEqual([]);
    expect(warned.events.map((e) => [e.type, e.reason, e.message])).toEqual([['Warning', 'ConflictingController',
      'PersistentVolumeClaim www-web-0 has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim']]);
  });

  it('a stale claim (pod ref of a previous incarnation) blocks re-creation (L7)', () => {
    const set = withRev(f1({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }));
    const stale = claimOf(set, 1, { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'old-uid', controller: true, blockOwnerDeletion: true }] });
    expect(sync(set, [revisionOf(set), podOf(set, 0), claimOf(set, 0), stale]).summary).toEqual([]);
  });
});

describe('StatefulSet sync: status (§1.11)', () => {
  it('counts created pods only; pods created in this sync are not counted', () => {
    const set = withRev(f1());
    const r = sync(set, cluster(set, ['ready']));
    expect(r.status).toMatchObject({ observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, currentReplicas: 1, updatedReplicas: 1, collisionCount: 0 });
  });

  it('is not written when nothing changed', () => {
    const base = withRev(f1());
    const st = { ...base.status, observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, collisionCount: 0 };
    const set = { ...base, status: st };
    expect(sync(set, cluster(set, ['ready', 'ready', 'ready'])).status).toBeUndefined();
  });

  it('a deleting set only updates status (U7, L8)', () => {
    const set = withRev({ ...f1(), metadata: { ...f1().metadata, deletionTimestamp: '2026-01-01T00:00:01Z' } });
    const r = sync(set, cluster(set, ['ready']));
    expect(r.summary).toEqual([]);
    expect(r.status?.replicas).toBe(1);
  });
});

describe('StatefulSet sync: rolling update (§1.7, S14)', () => {
  it('a template change creates revision 2 and deletes the highest pod first, decrementing currentReplicas', () => {
    const old = withRev(f1());
    const oldRev = revisionName(old);
    const next = f1();
    const changed = { ...next, metadata: { ...next.metadata, generation: 2 }, spec: { ...next.spec!, template: { ...next.spec!.template, spec: { ...next.spec!.template.spec!, containers: [{ ...next.spec!.template.spec!.containers[0]!, image: 'nginx:1.26' }] } } }, status: old.status };
    const objs = [revisionOf(old), ...[0, 1, 2].map((k) => podOf(old, k, 'ready', oldRev)), ...[0, 1, 2].map((k) => claimOf(old, k))];
    const r = sync(changed, objs, 100_000, { ok: true, succeeded: new Set(['upd:web-2']), failed: new Set() });
    const newRev = revisionName(changed);
    expect(newRev).not.toBe(oldRev);
    expect(r.summary).toEqual([`create ControllerRevision/${newRev}`, 'delete Pod/web-2']);
    expect(r.status).toMatchObject({ currentRevision: oldRev, updateRevision: newRev, currentReplicas: 2, updatedReplicas: 0, observedGeneration: 2 });
    // a failed update-deletion does not decrement (K8)
    const failed = sync(changed, objs, 100_000, { ok: false, succeeded: new Set(), failed: new Set(['upd:web-2']) });
    expect(failed.status?.currentReplicas).toBe(3);
  });

  it('waits while the recreated pod is not Ready; partition protects low ordinals (S17)', () => {
    const old = withRev(f1());
    const oldRev = revisionName(old);
    const next = f1({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: 1 } } });
    const changed = { ...next, spec: { ...next.spec!, template: { ...next.spec!.template, metadata: { labels: { app: 'nginx', v: '2' } } } }, status: old.status };
    const newRev = revisionName(changed);
    const objs = [revisionOf(old), podOf(old, 0, 'ready', oldRev), podOf(old, 1, 'ready', oldRev), podOf(changed, 2, 'ready', newRev), ...[0, 1, 2].map((k) => claimOf(old, k))];
    expect(sync(changed, objs).summary).toEqual([`create ControllerRevision/${newRev}`]);
  });

  it('OnDelete never deletes for an update', () => {
    const old = withRev(f1({ updateStrategy: { type: 'OnDelete' } }));
    const oldRev = revisionName(old);
    const changed = { ...old, spec: { ...old.spec!, template: { ...old.spec!.template, metadata: { labels: { app: 'nginx', v: '2' } } } } };
    const objs = [revisionOf(old), ...[0, 1, 2].map((k) => podOf(old, k, 'ready', oldRev)), ...[0, 1, 2].map((k) => claimOf(old, k))];
    expect(sync(changed, objs).summary).toEqual([`create ControllerRevision/${revisionName(changed)}`]);
  });
});

describe('maxUnavailable resolution (K10)', () => {
  it.each([
    [undefined, 10, 1], [3, 10, 3], [3, 0, 3], [0, 0, 1], ['10%', 25, 2], ['100%', 5, 5], ['50%', 5, 2], ['10%', 5, 1], ['1%', 0, 1], ['0%', 0, 1],
  ] as const)('%s of %s → %s', (v, n, want) => {
    expect(getMaxUnavailable(v, n)).toBe(want);
  });
});

describe('StatefulSet sync: adoption and release (§1.14, S41)', () => {
  it('adopts a matching orphan named like a member, releases a pod whose labels no longer match', () => {
    const set = withRev(f1({ replicas: 2 }));
    const orphan = podOf(set, 0);
    const o = { ...orphan, metadata: { ...orphan.metadata, ownerReferences: undefined } };
    const r = sync(set, [revisionOf(set), o, podOf(set, 1), claimOf(set, 0), claimOf(set, 1)]);
    expect(r.summary[0]).toBe('patch Pod/web-0');
    const p1 = podOf(set, 1);
    const released = { ...p1, metadata: { ...p1.metadata, labels: { other: 'x' } } };
    const r2 = sync(set, [revisionOf(set), podOf(set, 0), released, claimOf(set, 0), claimOf(set, 1)]);
    expect(r2.summary).toEqual(['patch Pod/web-1', 'create Pod/web-1']);
  });
});
