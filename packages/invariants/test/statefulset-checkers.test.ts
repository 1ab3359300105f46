import { describe, expect, it } from 'vitest';
import {
  GC, LogBuilder, REV1, REV2, SS, check, claim, orderedUp, revision, settledStatus, stsPod, sts,
} from './builder.js';

/** Each checker fires on a log that breaks its rule (and stays silent on the same log without the defect). */

const upTo = (ready0: boolean) => {
  const b = new LogBuilder();
  b.input('COMMAND', { command: 'apply' });
  const set = sts({ replicas: 2 });
  b.add('user', set);
  b.add(SS, claim('www-web-0'));
  b.add(SS, stsPod(0, 'pending'), { cause: 2 });
  b.mod('kubelet:node-a', stsPod(0, 'running'), { op: 'update/status' });
  if (ready0) b.mod('kubelet:node-a', stsPod(0, 'ready'), { op: 'update/status' });
  const cause = b.last;
  b.add(SS, claim('www-web-1'), { cause });
  const created = b.add(SS, stsPod(1, 'pending'), { cause });
  return { b, created, cause };
};

/** K3's two messages for a status at `st` counting one pod per revision while web-0 is updated and web-1 is not. */
const web0UpdatedWeb1Old = (st: number): string[] => [
  `K3: status written at seq ${st} for statefulset default/web says currentReplicas=1 (revision ${REV1}), but web-0, pod number 1 by ordinal, carries revision ${REV2}: old revisions must occupy a prefix of the ordinals`,
  `K3: status written at seq ${st} for statefulset default/web says updatedReplicas=1 (revision ${REV2}), but web-1, pod number 1 from the highest ordinal, carries revision ${REV1}: the update revision must occupy a suffix of the ordinals`,
];

describe('K1 — monotonic invariants (OrderedReady)', () => {
  it('fires when ordinal 1 is created while ordinal 0 is Running but not Ready', () => {
    const { b, created, cause } = upTo(false);
    const vs = check(b, 'K1');
    expect(vs).toHaveLength(1);
    expect(vs[0]!.seqs).toEqual([created, cause]);
    expect(vs[0]!.message).toBe(`K1: pod default/web-1 created at seq ${created} (cause ${cause}) while its predecessor web-0 was not Running and Ready (or was terminating) at any point since seq ${cause}: OrderedReady creates ordinal 1 only after 0 is Running and Ready`);
    expect(check(upTo(true).b, 'K1')).toEqual([]);
  });

  it('accepts a predecessor that was Ready in the controller\'s snapshot and went unready afterwards', () => {
    const { b } = upTo(true);
    const late = new LogBuilder();
    // Same history, but web-0 turns unready after the cause and before web-1 is created.
    for (const e of b.entries.slice(0, 6)) late.entries.push(e);
    late.time = b.entries[5]!.time;
    const cause = late.last;
    late.mod('kubelet:node-a', stsPod(0, 'running'), { op: 'update/status' });
    late.add(SS, claim('www-web-1'), { cause });
    late.add(SS, stsPod(1, 'pending'), { cause });
    expect(check(late, 'K1')).toEqual([]);
    // …but not when the cause is after it went unready.
    const strict = new LogBuilder();
    for (const e of late.entries.slice(0, 7)) strict.entries.push(e);
    strict.time = late.entries[6]!.time;
    strict.add(SS, claim('www-web-1'), { cause: 7 });
    strict.add(SS, stsPod(1, 'pending'), { cause: 7 });
    expect(check(strict, 'K1').map((v) => v.checker)).toEqual(['K1']);
  });

  it('fires on a gap: web-2 created while web-1 does not exist', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 1);
    b.input('COMMAND', { command: 'scale' });
    const scaled = { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, replicas: 3 } };
    b.mod('user', scaled, { op: 'patch/scale' });
    b.add(SS, claim('www-web-2'));
    const bad = b.add(SS, stsPod(2, 'pending', { set: scaled }), { cause: b.last - 1 });
    const vs = check(b, 'K1');
    expect(vs.map((v) => v.message)).toEqual([
      `K1: pod default/web-2 created at seq ${bad} (cause ${bad - 2}) while web-1 did not exist: OrderedReady creates ordinals without gaps, lowest first`,
      `K1: pod default/web-2 created at seq ${bad} (cause ${bad - 2}) while its predecessor web-1 did not exist at any point since seq ${bad - 2}: OrderedReady creates ordinal 2 only after 1 is Running and Ready`,
    ]);
  });

  it('fires on a wrong identity label, a storage mismatch and a missing claim', () => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    b.add('user', sts({ replicas: 1 }));
    const p = stsPod(0, 'pending', { labels: { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-7', 'apps.kubernetes.io/pod-index': '0' }, claim: 'www-web-9' });
    const seq = b.add(SS, p);
    const msgs = check(b, 'K1').map((v) => v.message);
    expect(msgs).toHaveLength(3);
    expect(msgs[0]).toMatch(new RegExp(`^K1: pod default/web-0 written by the controller at seq ${seq}: identity does not match statefulset default/web: its label statefulset.kubernetes.io/pod-name is "web-7"`));
    expect(msgs[1]).toMatch(/storage does not match the claim templates of statefulset default\/web: its volume www mounts claim www-web-9 \(want claim www-web-0\)/);
    expect(msgs[2]).toMatch(new RegExp(`created at seq ${seq} \\(cause ${seq - 1}\\) while its claim www-web-0 did not exist`));
  });
});

describe('K2 — burst invariants (Parallel)', () => {
  it('fires when a pod is created before its claim exists, and on a storage mismatch; K1 ignores Parallel sets', () => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    const set = sts({ replicas: 3, parallel: true });
    b.add('user', set);
    b.add(SS, claim('www-web-0'));
    b.add(SS, stsPod(0, 'pending', { set }));
    const noClaim = b.add(SS, stsPod(1, 'pending', { set }), { cause: 2 });
    b.add(SS, claim('www-web-2'));
    const wrong = b.add(SS, stsPod(2, 'pending', { set, claim: 'www-web-0' }), { cause: 2 });
    const vs = check(b, 'K2');
    expect(vs.map((v) => v.seqs[0])).toEqual([noClaim, wrong]);
    expect(vs[0]!.message).toMatch(/pod default\/web-1 created at seq \d+ \(cause 2\) while its claim www-web-1 did not exist/);
    expect(vs[1]!.message).toMatch(/its volume www mounts claim www-web-0 \(want claim www-web-2\)/);
    expect(check(b, 'K1')).toEqual([]);
  });
});

describe('K3 — update invariant (revision prefix / suffix)', () => {
  const history = (revs: string[], st: { cur: number; upd: number }) => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3);
    revs.forEach((r, k) => b.mod(SS, stsPod(k, 'ready', { rev: r }), { op: 'update' }));
    const status = { ...settledStatus(3), currentRevision: REV1, updateRevision: REV2, currentReplicas: st.cur, updatedReplicas: st.upd };
    const seq = b.mod(SS, { ...set, status }, { op: 'update/status' });
    return { b, seq };
  };

  it('fires when the old revision is not a prefix of the ordinals', () => {
    const { b, seq } = history([REV2, REV1, REV1], { cur: 2, upd: 1 });
    const vs = check(b, 'K3');
    expect(vs.map((v) => v.message)).toEqual([
      `K3: status written at seq ${seq} for statefulset default/web says currentReplicas=2 (revision ${REV1}), but web-0, pod number 1 by ordinal, carries revision ${REV2}: old revisions must occupy a prefix of the ordinals`,
      `K3: status written at seq ${seq} for statefulset default/web says updatedReplicas=1 (revision ${REV2}), but web-2, pod number 1 from the highest ordinal, carries revision ${REV1}: the update revision must occupy a suffix of the ordinals`,
    ]);
    expect(check(history([REV1, REV1, REV2], { cur: 2, upd: 1 }).b, 'K3')).toEqual([]);
  });

  it('does not judge a rollout a user disturbed (a deleted pod comes back at the update revision) until it finishes', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3);
    b.mod(SS, stsPod(2, 'ready', { rev: REV2 }), { op: 'update' });
    b.mod('user', stsPod(0, 'ready-terminating'), { op: 'delete' });
    b.del('kubelet:node-a', stsPod(0, 'ready-terminating'));
    b.add(SS, stsPod(0, 'ready', { rev: REV2, uid: 'web-0-b' }));
    const rolling = { ...settledStatus(3), currentRevision: REV1, updateRevision: REV2, currentReplicas: 1, updatedReplicas: 2 };
    b.mod(SS, { ...set, status: rolling }, { op: 'update/status' });
    expect(check(b, 'K3')).toEqual([]);
    b.mod(SS, stsPod(1, 'ready', { rev: REV2 }), { op: 'update' });
    b.mod(SS, { ...set, status: settledStatus(3, REV2) }, { op: 'update/status' });
    expect(check(b, 'K3')).toEqual([]);
    // The rollout finished: the next one (back to REV1) is judged again — here updating web-0 first.
    b.mod(SS, stsPod(0, 'ready', { rev: REV1, uid: 'web-0-b' }), { op: 'update' });
    const bad = b.mod(SS, { ...set, status: { ...settledStatus(3, REV2), updateRevision: REV1, currentReplicas: 2, updatedReplicas: 1 } }, { op: 'update/status' });
    expect(check(b, 'K3').map((v) => v.seqs[0])).toEqual([bad, bad]);
  });
  // Found by the property suite (regression checker-k3-condemned-before-scale-up): a scale-down
  // (1 → 0) undone by a scale-up (→ 2) before the controller's condemned delete of web-0 lands. In the
  // log the delete hits an in-range pod, but the sync planned it on replicas=0; the pod comes back at the
  // update revision below web-1, which is still at the old one — as in Kubernetes.
  const condemnedThenScaledUp = (plannedOnSmallerRange: boolean) => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 1, { parallel: true });
    b.input('COMMAND', { command: 'scale' });
    const down = b.mod('user', { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, replicas: 0 } }, { op: 'patch/scale' });
    b.input('COMMAND', { command: 'scale' });
    const two = { ...set, metadata: { ...set.metadata, generation: 3 }, spec: { ...set.spec!, replicas: 2 } };
    const up = b.mod('user', two, { op: 'patch/scale' });
    b.mod(SS, stsPod(0, 'ready-terminating', { set: two }), { op: 'delete', cause: plannedOnSmallerRange ? down : up });
    b.del('kubelet:node-a', stsPod(0, 'ready-terminating', { set: two }));
    b.add(SS, claim('www-web-1'));
    b.add(SS, stsPod(1, 'ready', { set: two }));
    b.add(SS, stsPod(0, 'ready', { set: two, rev: REV2, uid: 'web-0-b' }));
    const st = b.mod(SS, { ...two, status: { ...settledStatus(2, REV1, 3), updateRevision: REV2, currentReplicas: 1, updatedReplicas: 1 } }, { op: 'update/status' });
    return { b, st };
  };

  it('treats a controller delete planned on a smaller range (a scale-down undone by a scale-up) as a disturbance', () => {
    expect(check(condemnedThenScaledUp(true).b, 'K3')).toEqual([]);
    // The same delete planned on the current range is an update deletion of the lowest ordinal: judged.
    const { b, st } = condemnedThenScaledUp(false);
    expect(check(b, 'K3').map((v) => v.message)).toEqual(web0UpdatedWeb1Old(st));
  });

  it('stays disturbed through a status that reports the rollout finished while the pods disagree (currentRevision initialised from a stale set)', () => {
    // Found by the property suite (regression checker-k3-stale-current-revision): the controller's sync
    // planned on a copy of the set from before its own first status write finds no currentRevision and
    // initialises it to the update revision [SSC getStatefulSetRevisions]; the next sync, on a copy that
    // has the first write but not the second, writes the old one back.
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3, { parallel: true });
    b.mod('user', stsPod(0, 'ready-terminating'), { op: 'delete' });
    b.del('kubelet:node-a', stsPod(0, 'ready-terminating'));
    b.add(SS, stsPod(0, 'ready', { rev: REV2, uid: 'web-0-b' }));
    const rolling = { ...settledStatus(3), currentRevision: REV1, updateRevision: REV2 };
    b.mod(SS, { ...set, status: { ...rolling, currentRevision: REV2, currentReplicas: 1, updatedReplicas: 1 } }, { op: 'update/status' });
    b.mod(SS, { ...set, status: { ...rolling, currentReplicas: 2, updatedReplicas: 1 } }, { op: 'update/status' });
    expect(check(b, 'K3')).toEqual([]);
    // The pods catch up: the rollout is finished and the next one is judged again.
    b.mod(SS, stsPod(1, 'ready', { rev: REV2 }), { op: 'update' });
    b.mod(SS, stsPod(2, 'ready', { rev: REV2 }), { op: 'update' });
    b.mod(SS, { ...set, status: settledStatus(3, REV2) }, { op: 'update/status' });
    b.mod(SS, stsPod(0, 'ready', { rev: REV1, uid: 'web-0-b' }), { op: 'update' });
    const bad = b.mod(SS, { ...set, status: { ...settledStatus(3, REV2), updateRevision: REV1, currentReplicas: 2, updatedReplicas: 1 } }, { op: 'update/status' });
    expect(check(b, 'K3').map((v) => v.seqs[0])).toEqual([bad, bad]);
  });
});

describe('K3 — a pod created below older ones outside the rollout', () => {
  // Found by the property suite (regression checker-k3-parallel-batch-cut-short): a Parallel scale-up
  // 1 → 3 whose batch was cut short by a crash (web-2 created, web-1 not), then a template change:
  // web-1 is created at the update revision below web-2, still at the old one — as in Kubernetes.
  const cutShort = (web1VacatedByRollout: boolean) => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3, { parallel: true });
    b.add(SS, revision(REV1, 1, set));
    b.add(SS, revision(REV2, 2, set));
    if (web1VacatedByRollout) {
      // The rollout itself deletes web-1 first, below web-2 at the old revision: a bug.
      b.mod(SS, stsPod(1, 'ready-terminating', { set }), { op: 'delete' });
    } else {
      b.mod('user', stsPod(1, 'ready-terminating', { set }), { op: 'delete' });
    }
    b.del('kubelet:node-a', stsPod(1, 'ready-terminating', { set }));
    b.add(SS, stsPod(1, 'ready', { set, rev: REV2, uid: 'web-1-b' }));
    const st = b.mod(SS, { ...set, status: { ...settledStatus(3), updateRevision: REV2, currentReplicas: 2, updatedReplicas: 1 } }, { op: 'update/status' });
    return { b, st };
  };

  it('does not judge the rollout after a creation it did not vacate, judges its own out-of-order deletion', () => {
    expect(check(cutShort(false).b, 'K3')).toEqual([]);
    const { b, st } = cutShort(true);
    expect(check(b, 'K3').map((v) => v.seqs[0])).toEqual([st, st]);
  });

  it('a first creation below a pod at an older revision disturbs the rollout', () => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    const set = sts({ replicas: 3, parallel: true });
    b.add('user', set);
    b.add(SS, revision(REV1, 1, set));
    for (const k of [0, 2]) { b.add(SS, claim(`www-web-${k}`)); b.add(SS, stsPod(k, 'ready', { set })); }
    b.add(SS, revision(REV2, 2, set));
    b.add(SS, claim('www-web-1'));
    b.add(SS, stsPod(1, 'ready', { set, rev: REV2 }));
    b.mod(SS, { ...set, status: { ...settledStatus(3), updateRevision: REV2, currentReplicas: 2, updatedReplicas: 1 } }, { op: 'update/status' });
    expect(check(b, 'K3')).toEqual([]);
  });
});

describe('K3 — terminating pods are outside the walk', () => {
  // Found by the property suite (regression checker-k3-terminating-condemned): the rollout deleted web-1,
  // a scale-down to 1 then condemned it while it terminated at the old revision; web-0, updated, sits
  // below it. The counts leave terminating pods out, and Kubernetes' harness never has them.
  const updatedBelowCondemned = (web1Terminating: boolean) => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 2, { parallel: true });
    b.add(SS, revision(REV1, 1, set));
    b.add(SS, revision(REV2, 2, set));
    if (web1Terminating) b.mod(SS, stsPod(1, 'ready-terminating', { set }), { op: 'delete' });
    b.input('COMMAND', { command: 'scale' });
    const one = { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, replicas: 1 } };
    b.mod('user', one, { op: 'patch/scale' });
    b.mod(SS, stsPod(0, 'ready-terminating', { set: one }), { op: 'delete' });
    b.del('kubelet:node-a', stsPod(0, 'ready-terminating', { set: one }));
    b.add(SS, stsPod(0, 'ready', { set: one, rev: REV2, uid: 'web-0-b' }));
    const st = b.mod(SS, { ...one, status: { ...settledStatus(2, REV1, 2), updateRevision: REV2, currentReplicas: web1Terminating ? 0 : 1, updatedReplicas: 1 } }, { op: 'update/status' });
    return { b, st };
  };

  it('does not count a terminating condemned pod at the old revision above the updated ones; a live one is counted', () => {
    expect(check(updatedBelowCondemned(true).b, 'K3')).toEqual([]);
    const { b, st } = updatedBelowCondemned(false);
    expect(check(b, 'K3').map((v) => v.message)).toEqual(web0UpdatedWeb1Old(st));
  });
});

describe('K4 — claim owner references', () => {
  it('fires at a quiescent point when a settled Retain/Retain set\'s claim carries a set reference', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 2);
    const refSeq = b.mod('user', claim('www-web-1', { volume: 'pv-1', owners: [{ kind: 'StatefulSet', name: 'web', uid: set.metadata!.uid! }] }));
    b.sleep(10_000);
    b.mod('user', { ...set, metadata: { ...set.metadata, labels: { touched: 'yes' } } });
    const vs = check(b, 'K4');
    expect(vs).toHaveLength(1);
    expect(vs[0]!.seqs).toEqual([refSeq, refSeq]);
    expect(vs[0]!.message).toBe(`K4: claim default/www-web-1 of the Running and Ready pod default/web-1 has owner references [StatefulSet/web (controller)], but policy whenScaled=Retain/whenDeleted=Retain for an in-range pod wants no reference to StatefulSet web and no reference to Pod web-1 (statefulset default/web settled, quiescent point after seq ${refSeq}, claim last written at seq ${refSeq})`);
  });

  it('fires when a whenDeleted=Delete set\'s claim lacks its set reference (judged at the end of a quiescent log)', () => {
    const b = new LogBuilder();
    orderedUp(b, 2, { whenDeleted: 'Delete' });
    expect(check(b, 'K4')).toEqual([]); // not quiescent: not judged
    const vs = check(b, 'K4', { endIsQuiescent: true });
    expect(vs.map((v) => v.message.replace(/ \(statefulset.*$/, ''))).toEqual([
      'K4: claim default/www-web-0 of the Running and Ready pod default/web-0 has no owner references, but policy whenScaled=Retain/whenDeleted=Delete for an in-range pod wants a reference to StatefulSet web and no reference to Pod web-0',
      'K4: claim default/www-web-1 of the Running and Ready pod default/web-1 has no owner references, but policy whenScaled=Retain/whenDeleted=Delete for an in-range pod wants a reference to StatefulSet web and no reference to Pod web-1',
    ]);
  });

  it('fires when a condemned pod is deleted before its claim carries the pod reference (whenScaled=Delete)', () => {
    const scaleDown = (withRef: boolean) => {
      const b = new LogBuilder();
      const { set, pods } = orderedUp(b, 3, { whenScaled: 'Delete' });
      b.input('COMMAND', { command: 'scale' });
      const down = { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, replicas: 2 } };
      b.mod('user', down, { op: 'patch/scale' });
      const cause = b.last;
      if (withRef) b.mod(SS, claim('www-web-2', { volume: 'pv-2', owners: [{ kind: 'Pod', name: 'web-2', uid: pods[2]!.metadata!.uid! }] }), { cause });
      const del = b.mod(SS, stsPod(2, 'ready-terminating', { set: down }), { op: 'delete', cause });
      return { b, del };
    };
    const { b, del } = scaleDown(false);
    const vs = check(b, 'K4');
    expect(vs).toHaveLength(1);
    expect(vs[0]!.seqs[0]).toBe(del);
    expect(vs[0]!.message).toMatch(new RegExp(`^K4: claim default/www-web-2 of the condemned pod default/web-2, deleted by the controller at seq ${del}, has no owner references, but policy whenScaled=Delete/whenDeleted=Retain for an out-of-range pod wants no reference to StatefulSet web and a reference to Pod web-2`));
    expect(check(scaleDown(true).b, 'K4')).toEqual([]);
  });
});

describe('K4 — a condemned pod\'s claim changed by someone else after the controller\'s snapshot', () => {
  // Found by the property suite (regression checker-k4-orphaned-claim): a scale-down to 0 and an orphaning
  // delete of the set at once; the GC removed the set's reference from the claims while the controller,
  // planning on the claims as they were, deleted the condemned pods.
  const orphanedDuringScaleDown = (by: string) => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 1, { whenDeleted: 'Delete' });
    b.mod(SS, claim('www-web-0', { volume: 'pv-0', owners: [{ kind: 'StatefulSet', name: 'web', uid: set.metadata!.uid! }] }));
    b.input('COMMAND', { command: 'scale' });
    const down = { ...set, metadata: { ...set.metadata, generation: 2 }, spec: { ...set.spec!, replicas: 0 } };
    const cause = b.mod('user', down, { op: 'patch/scale' });
    b.mod(by, claim('www-web-0', { volume: 'pv-0' }), { op: 'patch' });
    const del = b.mod(SS, stsPod(0, 'ready-terminating', { set: down }), { op: 'delete', cause });
    return { b, del };
  };

  it('does not judge the claim against refs the controller could not have seen; judges its own writes', () => {
    expect(check(orphanedDuringScaleDown(GC).b, 'K4')).toEqual([]);
    const { b, del } = orphanedDuringScaleDown(SS);
    expect(check(b, 'K4').map((v) => v.seqs[0])).toEqual([del]);
  });
});

describe('K5 — revision bound', () => {
  it('fires when a set keeps more than revisionHistoryLimit + 2 revisions', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 1, { revisionHistoryLimit: 1 });
    for (let i = 1; i <= 4; i++) b.add(SS, revision(`web-r${i}`, i, set));
    b.mod(SS, { ...set, status: { ...settledStatus(1), readyReplicas: 0 } }, { op: 'update/status' });
    expect(check(b, 'K5')).toEqual([]); // the revisions created by this sync are truncated after its status write
    const second = b.mod(SS, { ...set, status: settledStatus(1) }, { op: 'update/status' });
    const vs = check(b, 'K5');
    expect(vs.map((v) => v.message)).toEqual([`K5: statefulset default/web has 4 ControllerRevisions at its status write at seq ${second}, more than revisionHistoryLimit 1 + 2`]);
  });

  it('fires at a quiescent point', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 1, { revisionHistoryLimit: 0 });
    for (let i = 1; i <= 3; i++) b.add(SS, revision(`web-r${i}`, i, set));
    const vs = check(b, 'K5', { endIsQuiescent: true });
    expect(vs.map((v) => v.message)).toEqual([`K5: statefulset default/web has 3 ControllerRevisions at the quiescent point after seq ${b.last}, more than revisionHistoryLimit 0 + 2`]);
  });
});

describe('K7 — completion consistency', () => {
  it('fires when the status reports complete while a pod is not Ready', () => {
    const b = new LogBuilder();
    const { set } = orderedUp(b, 3);
    const unready = b.mod('kubelet:node-a', stsPod(2, 'running'), { op: 'update/status' });
    const st = b.mod(SS, { ...set, status: { ...settledStatus(3), collisionCount: 0, availableReplicas: 3 } }, { op: 'update/status', cause: unready });
    const vs = check(b, 'K7');
    expect(vs).toHaveLength(1);
    expect(vs[0]!.seqs).toEqual([st]);
    expect(vs[0]!.message).toBe(`K7: statefulset default/web reports complete (replicas=3, readyReplicas=3, currentRevision=${REV1}, updateRevision=${REV1}, status written at seq ${st}) at seq ${st}, but web-2 is not Running and Ready`);
  });

  it('at a quiescent point, also when the pod changed after the status write\'s cause', () => {
    const b = new LogBuilder();
    orderedUp(b, 3);
    b.mod('kubelet:node-a', stsPod(1, 'running'), { op: 'update/status' });
    expect(check(b, 'K7')).toEqual([]);
    const vs = check(b, 'K7', { endIsQuiescent: true });
    expect(vs.map((v) => v.message)).toEqual([expect.stringMatching(/at the quiescent point after seq 22, but web-1 is not Running and Ready/) as unknown as string]);
  });

  it('with a partition, pods below it at the update revision are not part of the completion claim', () => {
    // Found by the property suite (regression checker-k7-updated-below-partition): updatedReplicas
    // counts every pod at the update revision. With currentRevision initialised to the update revision
    // from a stale copy of the set [SSC getStatefulSetRevisions], web-0 (below partition 1) was recreated
    // at it; while web-1 terminates for its update, updatedReplicas = 2 = replicas − partition although
    // only web-2 of the pods from the partition up is updated.
    const partitioned = (web0: string, cur: string) => {
      const b = new LogBuilder();
      const { set } = orderedUp(b, 3, { parallel: true, partition: 1 });
      b.mod(SS, stsPod(0, 'ready', { rev: web0 }), { op: 'update' });
      b.mod(SS, stsPod(2, 'ready', { rev: REV2 }), { op: 'update' });
      const last = b.mod(SS, stsPod(1, 'ready-terminating'), { op: 'delete' });
      const status = { ...settledStatus(3, cur), updateRevision: REV2, currentReplicas: cur === REV2 ? 2 : 1, updatedReplicas: 2 };
      const st = b.mod(SS, { ...set, status }, { op: 'update/status', cause: last });
      return { b, st };
    };
    expect(check(partitioned(REV2, REV2).b, 'K7')).toEqual([]);
    // web-0 at the current revision: updatedReplicas = 2 over-counts the pods from the partition up.
    const { b, st } = partitioned(REV1, REV1);
    expect(check(b, 'K7').map((v) => v.message)).toEqual([
      `K7: statefulset default/web reports complete (replicas=3, readyReplicas=3, currentRevision=${REV1}, updateRevision=${REV2}, status written at seq ${st}) at seq ${st}, but web-1 carries revision ${REV1}, not ${REV2}`,
    ]);
  });
});

describe('L1 — one live pod per identity', () => {
  it('fires when a new incarnation is ADDED before the previous one is DELETED (Terminating counts)', () => {
    const b = new LogBuilder();
    orderedUp(b, 2);
    b.input('COMMAND', { command: 'delete' });
    b.mod('user', stsPod(1, 'ready-terminating'), { op: 'delete' });
    const added = b.add(SS, stsPod(1, 'pending', { uid: 'web-1-b' }));
    const vs = check(b, 'L1');
    expect(vs.map((v) => v.message)).toEqual([`L1: pod default/web-1 ADDED at seq ${added} (uid web-1-b) while its previous incarnation (uid web-1-a, ADDED at seq 10, Terminating) was not yet DELETED — two live pods for one StatefulSet identity`]);
    expect(vs[0]!.seqs).toEqual([added, 10]);
  });
});

describe('L2 — label consistency', () => {
  it('fires on a wrong hostname, pod-index label and claim volume', () => {
    const b = new LogBuilder();
    b.input('COMMAND', { command: 'apply' });
    b.add('user', sts({ replicas: 1 }));
    b.add(SS, claim('www-web-0'));
    const seq = b.add(SS, stsPod(0, 'pending', { hostname: 'db-0', labels: { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '3' } }));
    expect(check(b, 'L2').map((v) => v.message)).toEqual([
      `L2: pod default/web-0 created by the controller at seq ${seq} for statefulset default/web has label apps.kubernetes.io/pod-index=3 (want 0), hostname db-0 (want web-0)`,
    ]);
  });
});
