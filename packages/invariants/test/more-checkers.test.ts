import { describe, expect, it } from 'vitest';
import type { Envelope } from '@kubesim/log';
import { timestamp, type Pod } from '@kubesim/api';
import { checkLog } from '../src/index.js';
import {
  GC, LogBuilder, REV1, REV2, RS, SS, check, claim, endpointSlice, endpoints, headless, orderedUp, pv, revision, rs, rsPod, settledStatus,
  stsPod, sts,
} from './builder.js';

/** Firing tests, continued: ordered progress, partition, budget, retention, inertness, status, ReplicaSet, DNS, volumes, liveness, the log itself. */

const scaleTo = (b: LogBuilder, set: ReturnType<typeof sts>, replicas: number, generation = 2) => {
  b.input('COMMAND', { command: 'scale' });
  const s = { ...set, metadata: { ...set.metadata, generation }, spec: { ...set.spec!, replicas } };
  b.mod('user', s, { op: 'patch/scale' });
  return s;
};

describe('L3 — ordered progress', () => {
  it('fires when scale-down deletes web-1 while web-2 still exists, not when it goes 2 then 1', () => {
    const run = (first: number) => {
      const b = new LogBuilder();
      const { set } = orderedUp(b, 3);
      const down = scaleTo(b, set, 1);
      const del = b.mod(SS, stsPod(first, 'ready-terminating', { set: down }), { op: 'delete' });
      return { b, del };
    };
    const { b, del } = run(1);
    const vs = check(b, 'L3');
    expect(vs.map((v) => v.message)).toEqual([`L3: pod default/web-1 deleted for scale-down at seq ${del} while the higher ordinal web-2 still existed (since before the cause, seq ${del - 1}): OrderedReady scale-down deletes the highest ordinal first and waits until it is gone`]);
    expect(check(run(2).b, 'L3')).toEqual([]);
  });

  it('does not fire when the higher ordinal appeared after the cause (a snapshot the controller may have planned on lacked it)', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 2);
    const up = scaleTo(b, set, 3);
    const down = scaleTo(b, up, 1, 3);
    const cause = b.last;
    // The sync for the scale-up (planned before the scale-down) creates web-2 …
    b.add(SS, claim('www-web-2'), { cause: cause - 2 });
    b.add(SS, stsPod(2, 'pending', { set: up }), { cause: cause - 2 });
    // … and the sync for the scale-down, on a snapshot at its cause, does not see it yet.
    b.mod(SS, stsPod(1, 'ready-terminating', { set: down }), { op: 'delete', cause });
    expect(check(b, 'L3')).toEqual([]);
    // Planned on a later cause (web-2 already there), the same delete is wrong.
    const b2 = new LogBuilder();
    const o2 = orderedUp(b2, 3);
    const d2 = scaleTo(b2, o2.set, 1);
    b2.mod(SS, stsPod(1, 'ready-terminating', { set: d2 }), { op: 'delete' });
    expect(check(b2, 'L3')).toHaveLength(1);
  });

  it('fires when a pod is created while a lower one (not the predecessor) is unready, and when scale-down starts with an unhealthy in-range pod', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 2);
    const up = scaleTo(b, set, 3);
    b.mod('kubelet:node-a', stsPod(0, 'running', { set: up }), { op: 'update/status' });
    const cause = b.last;
    b.add(SS, claim('www-web-2'), { cause });
    const created = b.add(SS, stsPod(2, 'pending', { set: up }), { cause });
    expect(check(b, 'L3').map((v) => v.message)).toEqual([`L3: pod default/web-2 created at seq ${created} (cause ${cause}) while the lower ordinal web-0 was not Running and Ready since seq ${cause}: OrderedReady creates a pod only after every lower one is Running and Ready`]);
    expect(check(b, 'K1')).toEqual([]); // K1.2 looks at the predecessor only

    const d = new LogBuilder();
    const s3 = orderedUp(d, 3).set;
    d.mod('kubelet:node-a', stsPod(0, 'running', { set: s3 }), { op: 'update/status' });
    const down = scaleTo(d, s3, 2);
    const del = d.mod(SS, stsPod(2, 'ready-terminating', { set: down }), { op: 'delete' });
    expect(check(d, 'L3').map((v) => v.seqs[0])).toEqual([del]);
  });
});

describe('L4 — partition safety', () => {
  it('fires on an update deletion below the partition and on a pod recreated there with the update revision', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3, { partition: 2 });
    b.add(SS, revision(REV1, 1, set));
    b.add(SS, revision(REV2, 2, set));
    b.input('COMMAND', { command: 'patch' });
    const changed = { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, template: { ...set.spec!.template, metadata: { labels: { app: 'nginx', v: '2' } } } } };
    b.mod('user', changed);
    const withStatus = { ...changed, status: { ...settledStatus(3), observedGeneration: 2, updateRevision: REV2, updatedReplicas: 0 } };
    b.mod(SS, withStatus, { op: 'update/status' });
    const del = b.mod(SS, stsPod(0, 'ready-terminating', { set: withStatus }), { op: 'delete' });
    b.del('kubelet:node-a', stsPod(0, 'ready-terminating', { set: withStatus }));
    const add = b.add(SS, stsPod(0, 'pending', { set: withStatus, uid: 'web-0-b', rev: REV2 }));
    expect(check(b, 'L4').map((v) => v.message)).toEqual([
      `L4: pod default/web-0 deleted by the controller at seq ${del} for a rolling update, but its ordinal 0 is below the partition (2) of statefulset default/web`,
      `L4: pod default/web-0 recreated at seq ${add} below the partition (2) of statefulset default/web with revision ${REV2}, not the current revision ${REV1}`,
    ]);
  });
});

describe('L4 — a current revision initialised from a stale copy of the set', () => {
  // Found by the property suite (regression checker-l4-stale-current-revision): the sync after a
  // template change was planned on a copy of the set from before the controller's own first status
  // write, found no status.currentRevision and took the update revision as the current one
  // [SSC getStatefulSetRevisions]; the pod it created below the partition carries it.
  const staleFirstStatus = (plannedBeforeFirstStatus: boolean) => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    const set = sts({ replicas: 1, partition: 1 });
    b.add('user', set);
    b.add(SS, revision(REV1, 1, set));
    b.input('COMMAND', { command: 'patch' });
    const changed = { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, template: { ...set.spec!.template, metadata: { labels: { app: 'nginx', v: '2' } } } } };
    const patched = b.mod('user', changed);
    const first = b.mod(SS, { ...changed, status: { observedGeneration: 1, replicas: 0, currentRevision: REV1, updateRevision: REV1 } }, { op: 'update/status', cause: 2 });
    const cause = plannedBeforeFirstStatus ? patched : first;
    b.add(SS, revision(REV2, 2, changed), { cause });
    b.add(SS, claim('www-web-0'), { cause });
    const add = b.add(SS, stsPod(0, 'pending', { set: changed, rev: REV2 }), { cause });
    return { b, add };
  };

  it('accepts the update revision on a pod created from a snapshot without currentRevision, not from one with it', () => {
    expect(check(staleFirstStatus(true).b, 'L4')).toEqual([]);
    const { b, add } = staleFirstStatus(false);
    expect(check(b, 'L4').map((v) => v.message)).toEqual([
      `L4: pod default/web-0 recreated at seq ${add} below the partition (1) of statefulset default/web with revision ${REV2}, not the current revision ${REV1}`,
    ]);
  });
});

describe('L5 — availability budget', () => {
  const rollout = (web1Ready: boolean) => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3, { maxUnavailable: 1 });
    if (!web1Ready) b.mod('kubelet:node-a', stsPod(1, 'running', { set }), { op: 'update/status' });
    b.input('COMMAND', { command: 'patch' });
    const changed = { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, template: { ...set.spec!.template, metadata: { labels: { app: 'nginx', v: '2' } } } } };
    b.mod('user', changed);
    const del = b.mod(SS, stsPod(2, 'ready-terminating', { set: changed }), { op: 'delete' });
    return { b, del };
  };

  it('fires when an update deletion leaves more pods unavailable than maxUnavailable', () => {
    const { b, del } = rollout(false);
    const vs = check(b, 'L5');
    expect(vs.map((v) => v.message)).toEqual([`L5: pod default/web-2 deleted for a rolling update at seq ${del} (cause ${del - 1}) leaves 2 in-range pods of statefulset default/web unavailable, more than maxUnavailable=1: web-2 (deleted by this sync), web-1 (unavailable)`]);
    expect(check(rollout(true).b, 'L5')).toEqual([]);
  });
});

describe('L6 — retention', () => {
  it('fires when the StatefulSet controller deletes a claim, and when the GC deletes one through a set reference under whenDeleted=Retain', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 2);
    const bySs = b.del(SS, claim('www-web-1', { volume: 'pv-1' }), { op: 'delete' });
    const owned = claim('www-web-0', { volume: 'pv-0', owners: [{ kind: 'StatefulSet', name: 'web', uid: set.metadata!.uid! }] });
    b.mod('user', owned);
    b.input('COMMAND', { command: 'delete' });
    b.del('user', set);
    const byGc = b.mod(GC, { ...owned, metadata: { ...owned.metadata, deletionTimestamp: '2026-01-01T00:02:00Z' } }, { op: 'delete' });
    expect(check(b, 'L6').map((v) => v.message)).toEqual([
      `L6: claim default/www-web-1 (uid claim-ww) deletion at seq ${bySs}: deleted by statefulset-controller; only the garbage collector (through a retention owner reference), the namespace controller (its namespace being deleted) or a user deletes claims`,
      `L6: claim default/www-web-0 (uid claim-ww) deletion at seq ${byGc}: deleted by the garbage collector through its reference to StatefulSet web, whose retention policy never had whenDeleted=Delete`,
    ]);
  });

  it('accepts the GC deleting claims through the references the policy allows, once the owner is gone', () => {
    const b = new LogBuilder();
    const { set, pods } = orderedUp(b, 2, { whenScaled: 'Delete', whenDeleted: 'Delete' });
    const byPod = claim('www-web-1', { volume: 'pv-1', owners: [{ kind: 'Pod', name: 'web-1', uid: pods[1]!.metadata!.uid! }] });
    b.mod(SS, byPod);
    const early = b.mod(GC, { ...byPod, metadata: { ...byPod.metadata, deletionTimestamp: '2026-01-01T00:02:00Z' } }, { op: 'delete' });
    expect(check(b, 'L6').map((v) => v.message)).toEqual([`L6: claim default/www-web-1 (uid claim-ww) deletion at seq ${early}: deleted by the garbage collector while its owner Pod web-1 (uid web-1-a) still exists`]);
    const ok = new LogBuilder();
    orderedUp(ok, 2, { whenScaled: 'Delete', whenDeleted: 'Delete' });
    ok.mod(SS, byPod);
    ok.del('kubelet:node-a', pods[1]!);
    ok.mod(GC, { ...byPod, metadata: { ...byPod.metadata, deletionTimestamp: '2026-01-01T00:02:00Z' } }, { op: 'delete' });
    const bySet = claim('www-web-0', { volume: 'pv-0', owners: [{ kind: 'StatefulSet', name: 'web', uid: set.metadata!.uid! }] });
    ok.mod(SS, bySet);
    ok.del('user', set);
    ok.mod(GC, { ...bySet, metadata: { ...bySet.metadata, deletionTimestamp: '2026-01-01T00:02:00Z' } }, { op: 'delete' });
    expect(check(ok, 'L6')).toEqual([]);
  });
});

describe('L7 — claim freshness', () => {
  it('fires when a pod is created while its claim is still owned by the previous incarnation (whenScaled=Delete)', () => {
    const b = new LogBuilder();
    const { pods } = orderedUp(b, 2, { whenScaled: 'Delete' });
    b.mod(SS, claim('www-web-1', { volume: 'pv-1', owners: [{ kind: 'Pod', name: 'web-1', uid: pods[1]!.metadata!.uid! }] }));
    b.del('kubelet:node-a', pods[1]!);
    const add = b.add(SS, stsPod(1, 'pending', { uid: 'web-1-b', set: sts({ replicas: 2, whenScaled: 'Delete' }) }));
    expect(check(b, 'L7').map((v) => v.message)).toEqual([`L7: pod default/web-1 (uid web-1-b) created at seq ${add} while its claim www-web-1 still carries an owner reference to the previous incarnation (uid web-1-a) and awaits garbage collection (whenScaled=Delete): the new pod would get the old data`]);
  });
});

describe('L8 — a deleting set is inert', () => {
  it('fires when the controller creates a pod after it saw the deletion, not for writes planned before', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 2);
    const planned = b.last;
    b.input('COMMAND', { command: 'delete' });
    const deleting = b.mod('user', { ...set, metadata: { ...set.metadata, deletionTimestamp: '2026-01-01T00:02:00Z' } }, { op: 'delete' });
    b.mod(SS, stsPod(1, 'ready'), { op: 'update', cause: planned });
    b.mod(SS, { ...set, metadata: { ...set.metadata, deletionTimestamp: '2026-01-01T00:02:00Z' } }, { op: 'update/status', cause: deleting });
    const bad = b.add(SS, stsPod(2, 'pending'), { cause: deleting });
    expect(check(b, 'L8').map((v) => v.message)).toEqual([`L8: the StatefulSet controller wrote create Pod default/web-2 at seq ${bad} (cause ${deleting}) for statefulset default/web, which has been deleting since seq ${deleting}: a deleting set only gets status writes`]);
  });
});

describe('L9 — status sanity', () => {
  it('fires on counts above replicas, available above ready, and a collisionCount that goes down', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3);
    b.mod(SS, { ...set, status: { ...settledStatus(3), collisionCount: 2 } }, { op: 'update/status' });
    const bad = b.mod(SS, { ...set, status: { ...settledStatus(3), readyReplicas: 4, availableReplicas: 5, collisionCount: 1 } }, { op: 'update/status' });
    expect(check(b, 'L9').map((v) => v.message)).toEqual([`L9: status of statefulset default/web written at seq ${bad} by statefulset-controller: readyReplicas 4 > replicas 3; availableReplicas 5 > replicas 3; availableReplicas 5 > readyReplicas 4; collisionCount went down from 2 (seq ${bad - 1}) to 1`]);
  });

  it('fires when a converged rolling update keeps two revisions', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 2);
    const bad = b.mod(SS, { ...set, status: { ...settledStatus(2), updateRevision: REV2 } }, { op: 'update/status' });
    expect(check(b, 'L9').map((v) => v.seqs[0])).toEqual([bad]);
  });
});

describe('L10 — ReplicaSet no-overshoot', () => {
  it('fires when the ReplicaSet controller creates a third pod for two replicas', () => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    b.add('user', rs(2));
    const cause = b.last;
    b.add(RS, rsPod('aaaaa'), { cause });
    b.add(RS, rsPod('bbbbb'), { cause });
    const third = b.add(RS, rsPod('ccccc'), { cause });
    expect(check(b, 'L10').map((v) => v.message)).toEqual([`L10: the ReplicaSet controller created pod default/front-ccccc at seq ${third} (cause ${cause}), bringing replicaset default/front to 3 active pods, more than spec.replicas=2`]);
  });

  it('does not count a pod whose create response was lost and that came after the cause (the controller believes it failed)', () => {
    // Found by the property suite (regression checker-l10-lost-create-response): [RS manageReplicas]
    // lowers its expectations for a create that failed — here a timeout whose request did land — and
    // its informer, delayed, had not delivered the pod when the next sync created another one.
    const overshoot = (responseLost: boolean) => {
      const b = new LogBuilder();
      b.input('COMMAND', { command: 'apply' });
      b.add('user', rs(1));
      const cause = b.last;
      if (responseLost) b.input('FAULT', { fault: 'api-drop', component: RS, where: 'response', count: 1, timeoutMs: 1000 }, 0);
      b.add(RS, rsPod('aaaaa'), { cause });
      const second = b.add(RS, rsPod('bbbbb'), { cause });
      return { b, second, cause };
    };
    expect(check(overshoot(true).b, 'L10')).toEqual([]);
    const { b, second, cause } = overshoot(false);
    expect(check(b, 'L10').map((v) => v.message)).toEqual([`L10: the ReplicaSet controller created pod default/front-bbbbb at seq ${second} (cause ${cause}), bringing replicaset default/front to 2 active pods, more than spec.replicas=1`]);
  });

  it('fires when a replacement reuses the name of a pod that still exists', () => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    b.add('user', rs(1));
    b.add(RS, rsPod('aaaaa'));
    const again = b.add(RS, { ...rsPod('aaaaa'), metadata: { ...rsPod('aaaaa').metadata, uid: 'other' } });
    expect(check(b, 'L10').map((v) => v.seqs)).toEqual([[again, 3]]);
  });
});

describe('L11 — DNS', () => {
  it('fires at a quiescent point when a Ready pod has no record, or a record outlives readiness', () => {
    const b = new LogBuilder();
    b.add('user', headless());
    const { pods } = orderedUp(b, 2);
    b.add('endpointslice-controller', endpointSlice('nginx', [pods[0]!]));
    expect(check(b, 'L11')).toEqual([]); // no quiescent point yet
    const vs = check(b, 'L11', { endIsQuiescent: true });
    expect(vs.map((v) => v.message)).toEqual([`L11: DNS of service default/nginx at the quiescent point after seq ${b.last} (its EndpointSlices last written at seq ${b.last}): web-1.nginx.default.svc.cluster.local is missing although pod web-1 is selected, Ready and has an IP`]);
    b.mod('endpointslice-controller', endpointSlice('nginx', pods));
    b.mod('kubelet:node-a', stsPod(0, 'running'), { op: 'update/status' });
    b.sleep(6_000);
    b.mod('user', headless('other'), { op: 'create' });
    expect(check(b, 'L11').map((v) => v.message)).toEqual([expect.stringMatching(/web-0\.nginx\.default\.svc\.cluster\.local exists although pod web-0: it is not Ready$/) as unknown as string]);
  });
});

describe('distributed chaos: a paused or partitioned process', () => {
  // A Ready pod missing from DNS at the end: a violation at a quiescent point, unless a process is cut off.
  const missingRecord = (fault?: Record<string, unknown>, end?: Record<string, unknown>): LogBuilder => {
    const b = new LogBuilder();
    b.add('user', headless());
    const { pods } = orderedUp(b, 2);
    if (fault) b.input('FAULT', fault);
    b.add('endpointslice-controller', endpointSlice('nginx', [pods[0]!]));
    if (end) b.input('FAULT', end);
    return b;
  };

  it('makes no silence a quiescent point (L11 not judged) and suspends liveness until it is resumed or healed', () => {
    expect(check(missingRecord(), 'L11', { endIsQuiescent: true })).toHaveLength(1);
    for (const [cut, back] of [['pause', 'resume'], ['partition', 'heal']] as const) {
      const down = missingRecord({ fault: cut, component: 'endpointslice-controller' });
      expect(check(down, 'L11', { endIsQuiescent: true })).toEqual([]);
      expect(checkLog(down.entries, { only: ['LIVE'], endIsQuiescent: true }).notes).toEqual([
        'LIVE: liveness not judged: process(es) endpointslice-controller paused or partitioned at the end of the log',
      ]);
      // Back again: the silence after its catch-up window is a quiescent point once more.
      const up = missingRecord({ fault: cut, component: 'endpointslice-controller' }, { fault: back, component: 'endpointslice-controller', durationMs: 3_000 });
      expect(check(up, 'L11', { endIsQuiescent: true })).toHaveLength(1);
    }
  });
});

describe('L11 — DNS of a log recorded before EndpointSlices', () => {
  it('is judged on the Endpoints when the log has no EndpointSlice controller and no slice', () => {
    const b = new LogBuilder();
    b.add('user', headless());
    const { pods } = orderedUp(b, 2);
    b.add('endpoints-controller', endpoints('nginx', [pods[0]!]));
    const vs = check(b, 'L11', { endIsQuiescent: true });
    expect(vs.map((v) => v.message)).toEqual([`L11: DNS of service default/nginx at the quiescent point after seq ${b.last} (Endpoints last written at seq ${b.last}): web-1.nginx.default.svc.cluster.local is missing although pod web-1 is selected, Ready and has an IP`]);
    b.mod('endpoints-controller', endpoints('nginx', pods));
    expect(check(b, 'L11', { endIsQuiescent: true })).toEqual([]); // fixed before any quiescent point
    // Once the log shows a slice, the slices serve DNS (here: none for web-1 yet).
    b.add('endpointslice-controller', endpointSlice('nginx', [pods[0]!]));
    expect(check(b, 'L11', { endIsQuiescent: true }).at(-1)?.message).toContain('(its EndpointSlices last written at seq');
  });
});

describe('CLAIM — an identity keeps its claim', () => {
  it('fires when a recreated pod runs on a new claim after its old one was deleted by the controller', () => {
    const b = new LogBuilder();
    const { pods } = orderedUp(b, 2);
    b.del('kubelet:node-a', pods[1]!);
    const gone = b.del(SS, claim('www-web-1', { volume: 'pv-1' }), { op: 'delete' });
    b.add(SS, claim('www-web-1', { uid: 'claim-new', volume: 'pv-9' }));
    b.add(SS, stsPod(1, 'pending', { uid: 'web-1-b' }));
    const runs = b.mod('kubelet:node-a', stsPod(1, 'running', { uid: 'web-1-b' }), { op: 'update/status' });
    const vs = check(b, 'CLAIM');
    expect(vs.map((v) => v.message)).toEqual([`CLAIM: pod default/web-1 runs at seq ${runs} on a new claim default/www-web-1 (uid claim-ne), but its previous incarnation ran on claim uid claim-ww (at seq 13), which was deleted at seq ${gone} (deleted by statefulset-controller; only the garbage collector (through a retention owner reference), the namespace controller (its namespace being deleted) or a user deletes claims): the identity lost its data`]);
  });

  it('accepts a new claim after a user deleted the old one, and fires when a pod mounts another ordinal\'s claim', () => {
    const b = new LogBuilder();
    const { pods } = orderedUp(b, 2);
    b.del('kubelet:node-a', pods[1]!);
    b.del('user', claim('www-web-1', { volume: 'pv-1' }), { op: 'delete' });
    b.add(SS, claim('www-web-1', { uid: 'claim-new', volume: 'pv-9' }));
    b.add(SS, stsPod(1, 'pending', { uid: 'web-1-b' }));
    b.mod('kubelet:node-a', stsPod(1, 'running', { uid: 'web-1-b' }), { op: 'update/status' });
    expect(check(b, 'CLAIM')).toEqual([]);
    const bad = b.add(SS, stsPod(2, 'pending', { claim: 'www-web-0' }));
    expect(check(b, 'CLAIM').map((v) => v.message)).toEqual([`CLAIM: pod default/web-2 (ordinal 2) mounts claim www-web-0 of ordinal 0 at seq ${bad}: a pod mounts only its own claims`]);
  });
});

describe('BIND — one claim per volume, pointing at each other', () => {
  it('fires when two Bound claims name one volume, and when a volume\'s claimRef names another claim', () => {
    const b = new LogBuilder();
    b.add('volume-binder', pv('pv-x', { name: 'a', uid: 'claim-a' }));
    b.add('user', claim('a', { volume: 'pv-x' }));
    const second = b.add('user', claim('b', { volume: 'pv-x' }));
    const vs = check(b, 'BIND');
    expect(vs.map((v) => v.message)).toEqual([
      `BIND: claims default/a and default/b are both Bound to volume pv-x at seq ${second}: a volume binds one claim`,
      `BIND: claim default/b (uid claim-b) and volume pv-x are both Bound at seq ${second}, the claim's volumeName names the volume, but the volume's claimRef names default/a (uid claim-a)`,
    ]);
  });
});

describe('RWO — one node at a time', () => {
  it('fires when pods on two nodes run on one ReadWriteOnce volume, not when they share a node', () => {
    const run = (node: string) => {
      const b = new LogBuilder();
      orderedUp(b, 1);
      const other = { ...rsPod('zzzzz'), spec: { ...rsPod('zzzzz').spec!, nodeName: node, volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'www-web-0' } }] }, status: { ...stsPod(0).status! } };
      const seq = b.add(RS, other);
      return { b, seq };
    };
    const { b, seq } = run('node-b');
    expect(check(b, 'RWO').map((v) => v.message)).toEqual([`RWO: default/front-zzzzz runs on node-b at seq ${seq} using volume pv-0 (claim www-web-0, ReadWriteOnce), which pod default/web-0 is still using on node-a: an exclusive volume is attached to one node at a time`]);
    expect(check(run('node-a').b, 'RWO')).toEqual([]);
  });
});

describe('LIVE — liveness', () => {
  it('fires when the cluster has not converged within the bound after the last input', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 1);
    const cmd = b.input('COMMAND', { command: 'scale' });
    b.mod('user', { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, replicas: 2 } }, { op: 'patch/scale' });
    b.sleep(400_000);
    const late = b.add('scheduler', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'default' } } as never);
    const vs = check(b, 'LIVE');
    // The user's write of the command is part of the input.
    expect(vs.map((v) => v.message)).toEqual([`LIVE: the cluster has not converged 300s after the last input (seq ${cmd + 1}, t=0.011s); at seq ${late}: statefulset default/web has not observed generation 2 (observedGeneration 1)`]);
  });

  it('fires when a converged cluster keeps writing, and when a quiescent log ends unconverged', () => {
    // A late write reacting to an entry from before convergence (a resync, a retry) is allowed once per
    // object; a second one is not.
    const b = new LogBuilder();
    const { set } = orderedUp(b, 1);
    b.sleep(60_000);
    b.mod(SS, { ...set, status: settledStatus(1) }, { op: 'update/status', cause: 5 });
    expect(check(b, 'LIVE')).toEqual([]);
    const w = b.mod(SS, { ...set, status: settledStatus(1) }, { op: 'update/status', cause: 5 });
    expect(check(b, 'LIVE').map((v) => v.message)).toEqual([expect.stringMatching(new RegExp(`^LIVE: statefulset-controller wrote update/status StatefulSet default/web at seq ${w} \\(t=60\\.\\d+s, cause 5\\), 60\\.0s after the cluster converged at seq 9 with no input since: a converged cluster stays still$`)) as unknown as string]);

    // Leaving the desired state without an input: right after converging it is the tail of the reaction
    // to the input (not judged); later, a write reacting to something after convergence is a cluster
    // that does not stay still.
    const s = new LogBuilder();
    const up = orderedUp(s, 1);
    s.mod('kubelet:node-a', stsPod(0, 'running', { set: up.set }), { op: 'update/status' });
    expect(check(s, 'LIVE')).toEqual([]);
    s.sleep(60_000);
    s.mod('kubelet:node-a', stsPod(0, 'ready', { set: up.set }), { op: 'update/status' });
    s.mod(SS, { ...up.set, status: settledStatus(1) }, { op: 'update/status' });
    s.sleep(60_000);
    s.mod('kubelet:node-a', stsPod(0, 'running', { set: up.set }), { op: 'update/status' });
    expect(check(s, 'LIVE').map((v) => v.message)).toEqual([expect.stringMatching(/^LIVE: kubelet:node-a wrote update\/status Pod default\/web-0 at seq 13 \(t=120\.\d+s, cause 12\), .*after the cluster converged at seq 11 with no input since/) as unknown as string]);
    const r = new LogBuilder();
    r.input('COMMAND', { command: 'apply' });
    r.add('user', sts({ replicas: 1 }));
    expect(check(r, 'LIVE')).toEqual([]);
    expect(check(r, 'LIVE', { endIsQuiescent: true }).map((v) => v.message)).toEqual([expect.stringMatching(/^LIVE: the log ends quiescent at seq 2 .* not at its desired state .*statefulset default\/web has not observed generation 1/) as unknown as string]);
  });
});

describe('LIVE — the kubelet\'s report of a node\'s images', () => {
  const node = (images?: { names: string[]; sizeBytes: number }[], labels: Record<string, string> = {}) =>
    ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a', ...labels } }, status: { ...(images ? { images } : {}) } }) as never;
  const nginx = [{ names: ['docker.io/library/nginx@sha256:00', 'docker.io/library/nginx:1.25'], sizeBytes: 1000 }];
  const up = (): LogBuilder => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'bootstrap' });
    b.add('system:bootstrap', node());
    orderedUp(b, 1); // web-0's container started at t=1s on node-a
    return b;
  };

  it('within 40 s of the container start that brought the image it is not a cluster failing to stay still', () => {
    const b = up();
    b.sleep(35_000);
    b.mod('kubelet:node-a', node(nginx), { op: 'patch/status', cause: null });
    expect(check(b, 'LIVE')).toEqual([]);
  });

  it('later than that, or changing more than the images, it is judged as any write', () => {
    const late = up();
    late.sleep(45_000);
    const w = late.mod('kubelet:node-a', node(nginx), { op: 'patch/status', cause: null });
    expect(check(late, 'LIVE').map((v) => v.message)).toEqual([expect.stringMatching(new RegExp(`^LIVE: kubelet:node-a wrote patch/status Node node-a at seq ${w} .*a converged cluster stays still$`)) as unknown as string]);
    const more = up();
    more.sleep(35_000);
    more.mod('kubelet:node-a', node(nginx, { extra: 'x' }), { op: 'patch/status', cause: null });
    expect(check(more, 'LIVE')).toHaveLength(1);
  });
});

describe('LIVE — states Kubernetes cannot leave on its own (stalled by design)', () => {
  const notesOf = (b: LogBuilder): readonly string[] => checkLog(b.entries, { only: ['LIVE'], endIsQuiescent: true }).notes;

  // (a) [SSC processCondemned]: condemned pods go highest first; an unhealthy one is deleted only if it is
  // the first unavailable pod — the lowest unavailable condemned one.
  const scaleDownBehindFailed = (web1: 'failed' | 'ready') => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3);
    b.input('COMMAND', { command: 'scale' });
    const down = { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, replicas: 1 } };
    b.mod('user', down, { op: 'patch/scale' });
    b.input('FAULT', { fault: 'pod-fail', name: 'web-2' });
    b.mod('kubelet:node-a', stsPod(2, 'failed', { set: down }), { op: 'update/status' });
    if (web1 === 'failed') {
      b.input('FAULT', { fault: 'pod-fail', name: 'web-1' });
      b.mod('kubelet:node-a', stsPod(1, 'failed', { set: down }), { op: 'update/status' });
    }
    const ready = web1 === 'failed' ? 1 : 2;
    b.mod(SS, { ...down, status: { ...settledStatus(3, REV1, 2), readyReplicas: ready, availableReplicas: ready } }, { op: 'update/status' });
    return b;
  };

  it('an OrderedReady scale-down behind a Failed condemned pod that is not the first unhealthy one is noted, not a violation', () => {
    const stuck = scaleDownBehindFailed('failed');
    expect(check(stuck, 'LIVE', { endIsQuiescent: true })).toEqual([]);
    expect(notesOf(stuck)).toEqual([expect.stringMatching(/^LIVE: liveness not judged: stalled by design .*statefulset default\/web: its OrderedReady scale-down waits behind the Failed condemned pod web-2, which is not the first unhealthy one \(web-1, Failed\)/) as unknown as string]);
    // With web-1 healthy, web-2 is the first unhealthy pod and the controller deletes it: stuck there is a bug.
    expect(check(scaleDownBehindFailed('ready'), 'LIVE', { endIsQuiescent: true }).map((v) => v.message)).toEqual([
      expect.stringMatching(/^LIVE: the log ends quiescent .* not at its desired state .*statefulset default\/web status has replicas\/ready\/available 3\/2\/2, spec.replicas 1/) as unknown as string,
    ]);
  });

  // (b) [GC attemptToDeleteItem, processDeletingDependentsItem; pvc_protection_controller podUsesPVC]: a
  // condemned pod's claim carries a blocking controller ref to it (whenScaled=Delete); the set is deleted
  // in foreground before the pod is: the GC deletes the pod in foreground, then the claim, which
  // pvc-protection keeps while the pod exists.
  const foregroundCycle = (blocking: boolean) => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 2, { whenScaled: 'Delete' });
    b.input('COMMAND', { command: 'scale' });
    const down = { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, replicas: 1 } };
    b.mod('user', down, { op: 'patch/scale' });
    const ref = (c: ReturnType<typeof claim>) => ({ ...c, metadata: { ...c.metadata, ownerReferences: c.metadata!.ownerReferences!.map((r) => ({ ...r, blockOwnerDeletion: blocking })) } });
    b.mod(SS, ref(claim('www-web-1', { volume: 'pv-1', owners: [{ kind: 'Pod', name: 'web-1', uid: 'web-1-a' }] })));
    b.input('COMMAND', { command: 'delete', propagationPolicy: 'Foreground' });
    const deleting = { ...down, metadata: { ...down.metadata, deletionTimestamp: '2026-01-01T00:01:00Z', finalizers: ['foregroundDeletion'] } };
    b.mod('user', deleting, { op: 'delete' });
    b.mod(GC, stsPod(0, 'ready-terminating', { set: deleting }), { op: 'delete' });
    const fg = (p: ReturnType<typeof stsPod>) => ({ ...p, metadata: { ...p.metadata, finalizers: ['foregroundDeletion'] } });
    b.mod(GC, fg(stsPod(1, 'ready-terminating', { set: deleting })), { op: 'delete' });
    b.mod(GC, ref(claim('www-web-1', { volume: 'pv-1', owners: [{ kind: 'Pod', name: 'web-1', uid: 'web-1-a' }], deleting: true })), { op: 'delete' });
    b.del('kubelet:node-a', stsPod(0, 'ready-terminating', { set: deleting }));
    b.mod('kubelet:node-a', fg(stsPod(1, 'failed', { set: deleting })), { op: 'update/status' });
    b.mod('kubelet:node-a', { ...fg(stsPod(1, 'failed', { set: deleting })), metadata: { ...fg(stsPod(1, 'failed', { set: deleting })).metadata, deletionTimestamp: '2026-01-01T00:01:30Z', deletionGracePeriodSeconds: 0 } }, { op: 'delete' });
    return b;
  };

  it('a pod deleted in foreground and its claim held by pvc-protection waiting on each other are noted, not a violation', () => {
    const stuck = foregroundCycle(true);
    expect(check(stuck, 'LIVE', { endIsQuiescent: true })).toEqual([]);
    expect(notesOf(stuck)).toEqual([expect.stringMatching(/^LIVE: liveness not judged: stalled by design .*pod default\/web-1, deleted in foreground, waits for its claim www-web-1, which pvc-protection keeps while the pod exists/) as unknown as string]);
    // A claim whose reference to the pod does not block: the GC should have let the pod go — stuck is a bug.
    expect(check(foregroundCycle(false), 'LIVE', { endIsQuiescent: true }).map((v) => v.message)).toEqual([
      expect.stringMatching(/^LIVE: the log ends quiescent .* not at its desired state .*statefulset default\/web is being deleted but still has 1 pods; 1 pod\(s\) terminating \(default\/web-1\)/) as unknown as string,
    ]);
  });
});

describe('LIVE — more states Kubernetes cannot leave on its own', () => {
  const notesOf = (b: LogBuilder): readonly string[] => checkLog(b.entries, { only: ['LIVE'], endIsQuiescent: true }).notes;

  // (c) [volumemanager getPVCExtractPV; pvc_protection_controller podUsesPVC]: the kubelet does not start
  // a pod whose claim is being deleted; pvc-protection keeps the claim while the scheduled pod exists.
  const scheduledOnDeletingClaim = (claimDeleting: boolean) => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    const set = sts({ replicas: 1 });
    b.add('user', set);
    b.add(SS, claim('www-web-0', { volume: 'pv-0' }));
    b.add(SS, stsPod(0, 'pending', { set }));
    if (claimDeleting) b.mod(GC, claim('www-web-0', { volume: 'pv-0', deleting: true }), { op: 'delete' });
    b.mod('scheduler', { ...stsPod(0, 'pending', { set }), spec: { ...stsPod(0, 'pending', { set }).spec!, nodeName: 'node-a' } } as Pod, { op: 'bind' });
    b.mod(SS, { ...set, status: { replicas: 1, readyReplicas: 0, observedGeneration: 1 } }, { op: 'update/status' });
    return b;
  };

  it('a scheduled pod whose claim is being deleted is noted, not a violation; a pod pending for no such reason is one', () => {
    const stuck = scheduledOnDeletingClaim(true);
    expect(check(stuck, 'LIVE', { endIsQuiescent: true })).toEqual([]);
    expect(notesOf(stuck)).toEqual([expect.stringMatching(/stalled by design .*pod default\/web-0, scheduled, cannot start while its claim www-web-0 is being deleted/) as unknown as string]);
    expect(check(scheduledOnDeletingClaim(false), 'LIVE', { endIsQuiescent: true }).map((v) => v.checker)).toEqual(['LIVE']);
  });

  // (e) [pv_controller syncUnboundClaim; kubernetes/kubernetes#89910]: a WaitForFirstConsumer claim gets
  // its node only when the scheduler schedules a pod that uses it; a pod already bound waits for good.
  const boundPodUnboundClaim = (mode: 'WaitForFirstConsumer' | 'Immediate') => {
    const b = new LogBuilder();
    b.add('system:bootstrap', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kubesim.io/hostpath', volumeBindingMode: mode } as never);
    b.input('COMMAND', { command: 'apply' });
    const set = sts({ replicas: 1 });
    b.add('user', set);
    const c = claim('www-web-0', { bound: false });
    b.add(SS, { ...c, spec: { ...c.spec, storageClassName: 'local' } });
    const p = stsPod(0, 'pending', { set });
    b.add(SS, p);
    b.mod('scheduler', { ...p, spec: { ...p.spec!, nodeName: 'node-a' } } as Pod, { op: 'bind' });
    b.mod(SS, { ...set, status: { replicas: 1, readyReplicas: 0, observedGeneration: 1 } }, { op: 'update/status' });
    return b;
  };

  it('a bound pod whose WaitForFirstConsumer claim has no selected node is noted, not a violation; with Immediate binding it is one', () => {
    const stuck = boundPodUnboundClaim('WaitForFirstConsumer');
    expect(check(stuck, 'LIVE', { endIsQuiescent: true })).toEqual([]);
    expect(notesOf(stuck)).toEqual([expect.stringMatching(/stalled by design .*pod default\/web-0, already scheduled, waits for its claim www-web-0, unbound with WaitForFirstConsumer/) as unknown as string]);
    expect(check(boundPodUnboundClaim('Immediate'), 'LIVE', { endIsQuiescent: true }).map((v) => v.checker)).toEqual(['LIVE']);
  });

  // (f) [VolumeBinding PreFilter; scheduling queue flushUnschedulablePodsLeftover]: an unscheduled pod
  // whose claim does not exist, with no StatefulSet to create it, is retried at every flush for good.
  const pendingOrphan = (claimExists: boolean, owned: boolean) => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    const set = sts({ replicas: 1 });
    if (owned) b.add('user', set);
    if (claimExists) b.add('user', claim('www-web-0', { bound: false }));
    const p = stsPod(0, 'pending', { set });
    const pod = owned ? p : { ...p, metadata: { ...p.metadata, ownerReferences: [] } };
    b.add(owned ? SS : 'user', pod);
    const ev = (count: number) => ({
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-0.1', namespace: 'default' }, reason: 'FailedScheduling', count,
      message: '0/1 nodes are available: persistentvolumeclaim "www-web-0" not found.', involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0' },
    }) as never;
    b.add('scheduler', ev(1));
    // The flush retries it every 5 minutes, long after the cluster went quiet.
    for (let i = 2; i <= 4; i++) { b.sleep(300_000); b.mod('scheduler', ev(i), { op: 'patch' }); }
    return b;
  };

  it('an unscheduled pod whose claim does not exist and that no StatefulSet controls is noted, not a violation; with its claim there it is one', () => {
    const stuck = pendingOrphan(false, false);
    expect(check(stuck, 'LIVE', { endIsQuiescent: true })).toEqual([]);
    expect(notesOf(stuck)).toEqual([expect.stringMatching(/stalled by design .*pod default\/web-0, unscheduled and controlled by no StatefulSet, mounts claim www-web-0, which does not exist/) as unknown as string]);
    // The claim exists: the pod should schedule, and the scheduler writing again and again is not still.
    expect(check(pendingOrphan(true, false), 'LIVE', { endIsQuiescent: true }).map((v) => v.checker)).toEqual(['LIVE']);
    // A StatefulSet controls it: its controller re-creates the claim, so waiting is a bug.
    expect(notesOf(pendingOrphan(false, true)).some((n) => n.includes('stalled by design'))).toBe(false);
    expect(check(pendingOrphan(false, true), 'LIVE', { endIsQuiescent: true }).map((v) => v.checker)).toEqual(['LIVE']);
  });

  // (d) [GC GraphBuilder processGraphChanges; client-go DeltaFIFO Replace]: an owner deleted and re-created
  // while the collector's watch was broken; the relist keys by name, the graph by uid.
  const recreatedDuringBrokenWatch = (broken: boolean) => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    b.add('user', rs(1));
    b.add(RS, rsPod('a1'));
    if (broken) b.input('FAULT', { fault: 'watch-drop', component: 'garbage-collector', durationMs: 100 }, 0);
    b.input('COMMAND', { command: 'delete' });
    b.del('user', rs(1));
    b.input('COMMAND', { command: 'apply' });
    const again = rs(1);
    b.add('user', { ...again, metadata: { ...again.metadata, uid: 'rs-front-2' } });
    const b2 = { ...rsPod('b1'), metadata: { ...rsPod('b1').metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'front', uid: 'rs-front-2', controller: true, blockOwnerDeletion: true }] } };
    b.add(RS, b2);
    b.mod(RS, { ...again, metadata: { ...again.metadata, uid: 'rs-front-2' }, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 } }, { op: 'update/status' });
    return b;
  };

  it('the pods of an owner deleted and re-created while the GC watch was broken are noted, not a violation; otherwise they are one', () => {
    const leaked = recreatedDuringBrokenWatch(true);
    expect(check(leaked, 'LIVE', { endIsQuiescent: true })).toEqual([]);
    expect(notesOf(leaked)).toEqual([expect.stringMatching(/stalled by design .*replicaset default\/front was deleted and re-created while the garbage collector's watch was broken/) as unknown as string]);
    expect(check(recreatedDuringBrokenWatch(false), 'LIVE', { endIsQuiescent: true }).map((v) => v.message)).toEqual([
      expect.stringMatching(/replicaset default\/front is being deleted but still has 1 pods/) as unknown as string,
    ]);
  });
});

describe('LIVE — the disruption controller\'s delayed NotDeleted', () => {
  // [DisruptionController buildDisruptedPodMap]: disruptedPods is keyed by pod name; a pod evicted and re-created
  // at once under its name (a StatefulSet's) is still there when its entry falls due 2 minutes later.
  const afterEviction = (evicted: boolean) => {
    const b = new LogBuilder();
    const { pods } = orderedUp(b, 1);
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default', uid: 'pdb-1', generation: 1 }, spec: { minAvailable: 0, selector: { matchLabels: { app: 'nginx' } } } };
    b.input('COMMAND', { command: 'apply' });
    b.add('user', pdb as never);
    const at = timestamp(b.time);
    b.mod('disruption-controller', { ...pdb, status: { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1, ...(evicted ? { disruptedPods: { 'web-0': at } } : {}) } } as never, { op: 'update/status' });
    b.sleep(120_500);
    b.add('disruption-controller', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-0.1', namespace: 'default' }, reason: 'NotDeleted', involvedObject: { kind: 'Pod', name: pods[0]!.metadata!.name } } as never);
    b.mod('disruption-controller', { ...pdb, status: { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 } } as never, { op: 'update/status' });
    b.add('disruption-controller', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-0.2', namespace: 'default' }, reason: 'NotDeleted', involvedObject: { kind: 'Pod', name: pods[0]!.metadata!.name } } as never);
    return b;
  };

  it('is the eviction\'s effect when an entry of disruptedPods falls due; the same writes with no entry due are a cluster that does not stay still', () => {
    expect(check(afterEviction(true), 'LIVE', { endIsQuiescent: true })).toEqual([]);
    expect(check(afterEviction(false), 'LIVE', { endIsQuiescent: true }).map((v) => v.message)).toEqual([expect.stringMatching(/^LIVE: disruption-controller wrote create Event default\/web-0\.1 .*a converged cluster stays still$/) as unknown as string]);
  });
});

describe('LIVE — a pod the scheduler assumed and never saw go (stall g)', () => {
  // [kube-scheduler cache finishBinding: durationToExpireAssumedPod 0; client-go DeltaFIFO Replace]: web-0
  // bound, deleted and re-created while the scheduler's watch was broken; the relist brings one pod of that
  // name, so the bound one stays in the scheduler's cache, and the new web-0 (one replica per node) stays Pending.
  const ghost = (broken: boolean, restarted = false) => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    const set = sts({ replicas: 1 });
    b.add('user', set);
    b.add(SS, stsPod(0, 'pending', { set }));
    if (broken) b.input('FAULT', { fault: 'watch-drop', component: 'scheduler', durationMs: 100 }, 0);
    const p0 = stsPod(0, 'pending', { set });
    const bound: Pod = { ...p0, spec: { ...p0.spec!, nodeName: 'node-a' } };
    b.mod('scheduler', bound, { op: 'bind' });
    b.input('COMMAND', { command: 'delete' });
    b.del('user', bound);
    b.add(SS, stsPod(0, 'pending', { set, uid: 'web-0-b' }));
    if (restarted) b.input('COMPONENT', { component: 'scheduler', event: 'restart' });
    return b;
  };

  it('is noted, not a violation; without the broken watch, or once the scheduler restarts, it is one', () => {
    expect(check(ghost(true), 'LIVE', { endIsQuiescent: true })).toEqual([]);
    expect(checkLog(ghost(true).entries, { only: ['LIVE'], endIsQuiescent: true }).notes).toEqual([
      expect.stringMatching(/^LIVE: liveness not judged: stalled by design .*pod default\/web-0 was bound to node-a, deleted and re-created while the scheduler's watch was broken/) as unknown as string,
    ]);
    for (const b of [ghost(false), ghost(true, true)]) {
      expect(check(b, 'LIVE', { endIsQuiescent: true }).map((v) => v.message)).toEqual([expect.stringMatching(/^LIVE: the log ends quiescent .*statefulset default\/web/) as unknown as string]);
    }
  });
});

describe('LOG — well-formedness', () => {
  it('fires on a seq gap, time going back, a forward cause, a wrong resourceVersion and ADDED/MODIFIED that disagree with what exists', () => {
    const b = new LogBuilder();
    orderedUp(b, 1);
    const es: Envelope[] = b.entries.map((e) => ({ ...e }));
    es[3] = { ...es[3]!, time: 0 };
    es[4] = { ...es[4]!, cause: 9 };
    es[5] = { ...es[5]!, object: { ...es[5]!.object!, metadata: { ...es[5]!.object!.metadata, resourceVersion: '99' } } as never };
    es.push({ ...es[3]!, seq: 10, time: 100, type: 'ADDED', object: { ...es[3]!.object!, metadata: { ...es[3]!.object!.metadata, resourceVersion: '10' } } as never });
    es.push({ ...es[2]!, seq: 12, time: 100, type: 'MODIFIED', object: { ...claim('nope'), metadata: { ...claim('nope').metadata, resourceVersion: '12' } } });
    const msgs = check(es, 'LOG').map((v) => v.message);
    expect(msgs).toEqual([
      'LOG: seq 4 has time 0 ms, before the 3 ms of seq 3; virtual time never goes back',
      'LOG: seq 5 names cause 9, which is not an earlier entry of the log',
      'LOG: seq 6 (MODIFIED PersistentVolumeClaim default/www-web-0) carries resourceVersion 99; the log stamps the seq into the object',
      'LOG: seq 10 ADDED Pod default/web-0 (uid web-0-a) while it already exists (uid web-0-a, last written at seq 8) and was never DELETED',
      'LOG: entry seq 12 follows seq 10; seqs must be gap-free and increasing',
      'LOG: seq 12 is MODIFIED of PersistentVolumeClaim default/nope, which does not exist at that point of the log',
    ]);
  });
});

describe('L12 — the StatefulSet controller deletes only condemned, terminal or outdated pods', () => {
  /** web-1 of a healthy set of 3 whose container crashed and waits in CrashLoopBackOff (phase Running, not Ready). */
  const crashLooping = (o: { onDelete?: boolean } = {}) => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3);
    const s = o.onDelete ? { ...set, spec: { ...set.spec!, updateStrategy: { type: 'OnDelete' as const } } } : set;
    if (o.onDelete) b.mod('user', s);
    b.add(SS, revision(REV1, 1, s));
    b.mod(SS, { ...s, status: settledStatus(3) }, { op: 'update/status' });
    const p = stsPod(1, 'running', { set: s });
    const crashed: Pod = {
      ...p,
      status: {
        ...p.status!,
        containerStatuses: [{
          name: 'nginx', image: 'nginx:1.25', imageID: '', ready: false, started: false, restartCount: 1,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=nginx pod=web-1_default(web-1-a)' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T00:00:40Z' } },
        }],
      },
    };
    b.mod('kubelet:node-a', crashed, { op: 'update/status' });
    return { b, set: s, crashed };
  };

  it('fires when an in-range pod at the update revision is deleted because its container crashed', () => {
    const { b, set, crashed } = crashLooping();
    const del = b.mod(SS, { ...crashed, metadata: { ...crashed.metadata, deletionTimestamp: '2026-01-01T00:00:50Z' } }, { op: 'delete' });
    expect(check(b, 'L12').map((v) => v.message)).toEqual([
      `L12: pod default/web-1 (in range, Running, container nginx CrashLoopBackOff) deleted by the controller at seq ${del} though it is at the update revision ${REV1} of statefulset default/web: the controller deletes only condemned, terminal (Failed/Succeeded) or outdated pods`,
    ]);
    expect(set.spec?.updateStrategy?.type).toBe('RollingUpdate');
  });

  it('fires on any such deletion under OnDelete', () => {
    const { b, crashed } = crashLooping({ onDelete: true });
    const del = b.mod(SS, { ...crashed, metadata: { ...crashed.metadata, deletionTimestamp: '2026-01-01T00:00:50Z' } }, { op: 'delete' });
    expect(check(b, 'L12').map((v) => v.message)).toEqual([
      `L12: pod default/web-1 (in range, Running) deleted by the controller at seq ${del}, but statefulset default/web uses the OnDelete strategy: only terminal or condemned pods are the controller's to delete`,
    ]);
  });

  it('accepts condemned, failed and outdated pods, and a deletion planned before the set changed', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3);
    b.add(SS, revision(REV1, 1, set));
    // A failed pod is replaced (§1.12).
    b.mod('kubelet:node-a', stsPod(2, 'failed', { set }), { op: 'update/status' });
    b.mod(SS, { ...stsPod(2, 'failed', { set }), metadata: { ...stsPod(2, 'failed', { set }).metadata, deletionTimestamp: '2026-01-01T00:00:50Z' } }, { op: 'delete' });
    b.del('kubelet:node-a', stsPod(2, 'failed', { set }));
    // A rolling update deletes the pods at the old revision.
    b.input('COMMAND', { command: 'patch' });
    const changed = { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, template: { ...set.spec!.template, metadata: { labels: { app: 'nginx', v: '2' } } } } };
    b.mod('user', changed);
    b.add(SS, revision(REV2, 2, changed));
    b.mod(SS, stsPod(1, 'ready-terminating', { set: changed }), { op: 'delete' });
    b.del('kubelet:node-a', stsPod(1, 'ready-terminating', { set: changed }));
    // A scale-down deletes the condemned pod, whatever its revision.
    b.input('COMMAND', { command: 'scale' });
    const one = { ...changed, metadata: { ...changed.metadata, generation: 3 }, spec: { ...changed.spec!, replicas: 1 } };
    b.mod('user', one);
    b.add(SS, stsPod(1, 'ready', { set: one, rev: REV2, uid: 'web-1-b' }), { cause: 1 });
    b.mod(SS, stsPod(1, 'ready-terminating', { set: one, rev: REV2, uid: 'web-1-b' }), { op: 'delete' });
    expect(check(b, 'L12')).toEqual([]);
  });
});
