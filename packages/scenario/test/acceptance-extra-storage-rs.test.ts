/**
 * Extra acceptance scenarios (next to sections H, I, J), end to end on the embedded engine:
 * - ReplicaSet scale-down ranking (§2.3): unassigned < Pending < Unknown < Running, not Ready < Ready,
 *   pod-deletion-cost, rank by co-location (only with a controller owner), Ready for less time on log2
 *   buckets with the uid tie-break; several victims in one sync.
 * - ReplicaSet release / adoption / expectations (§2.2, §2.4) and deletion through the GC (§5).
 * - PV reclaim (Retain → Released until claimRef is cleared, Delete), pvc-protection (§3.4); binding
 *   modes and claims that cannot bind (§3.2, §3.3).
 * - API refusals (§1.2, §2.5, S57-like): claim spec immutability, ReplicaSet selector immutability and
 *   create rules, stale resourceVersion, NotFound / AlreadyExists, negative scale.
 * Rank rule 7 (container restarts) is covered by container-crash.test.ts, where crashed containers get
 * restarted.
 */
import { describe, expect, it } from 'vitest';
import { kubectlMessage, parseTimestamp, type ApiError, type ApiRequest, type KObject, type Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import {
  cmd, converge, cordon, create, del, entriesOf, eventCount, eventsFor, f1, f1With, get, list, manifests, mustGet, newCluster, objectEntries, patch, pvNames, refused, scale, setReady, sleep, standardClass, waitFor,
  type Json, type ObjEntry,
} from './harness.js';

const NS = 'default';

const replicaSet = (name: string, app: string, replicas: number, owner?: Json): Json => {
  const rs = manifests(`apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: ${name}, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
`)[0] as Json;
  if (owner) rs.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name: owner.metadata.name, uid: owner.metadata.uid, controller: true }];
  return rs;
};

/** A bare pod with the labels of `web-rs` (an orphan the ReplicaSet will adopt); `spec` is extra YAML under spec. */
const barePod = (name: string, spec = '', app = 'rs'): Json => manifests(`apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, labels: {app: ${app}}}
spec:
  containers:
  - name: nginx
    image: nginx:1.25
${spec}`)[0];

const podsOf = (sim: Simulation, app: string): Pod[] => list<Pod>(sim, 'Pod', NS).filter((p) => p.metadata?.labels?.app === app);
const activePodsOf = (sim: Simulation, app: string): Pod[] => podsOf(sim, app).filter((p) => p.metadata?.deletionTimestamp === undefined);
const readyTime = (p: Pod): number => parseTimestamp(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime) ?? Number.NaN;
const readyCondition = (p: Pod | undefined): boolean => p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const isReady = (p: Pod | undefined): boolean => p?.status?.phase === 'Running' && readyCondition(p);
const goneOrTerminating = (sim: Simulation, name: string): boolean => {
  const p = get<Pod>(sim, 'Pod', name);
  return p === undefined || p.metadata?.deletionTimestamp !== undefined;
};

const seqOfGone = (sim: Simulation, kind: string, name: string, since: number): number =>
  objectEntries(sim, since).find((e) => e.type === 'DELETED' && e.object.kind === kind && e.object.metadata?.name === name)?.seq ?? Number.NaN;

/** Pod deletions sent by the ReplicaSet controller after `since` (the entry that set deletionTimestamp, or removed the pod). */
const rsDeletions = (sim: Simulation, since: number): ObjEntry[] => objectEntries(sim, since).filter((e) =>
  e.actor === 'replicaset-controller' && e.object.kind === 'Pod' && (e.type === 'DELETED' || e.op === 'delete'));

/**
 * Scale `rs` to `replicas` and check that exactly `victims` are deleted, all in one sync (one cause, no
 * wait between them), each with a `SuccessfulDelete` event, and nothing else is touched.
 */
const scaleDownDeletes = (sim: Simulation, rs: string, replicas: number, victims: readonly string[]): void => {
  const since = sim.log.lastSeq();
  scale(sim, 'ReplicaSet', rs, replicas);
  waitFor(sim, `${victims.join(', ')} deleted`, () => victims.every((v) => goneOrTerminating(sim, v)), 10_000);
  sleep(sim, 2_000);
  const dels = rsDeletions(sim, since);
  expect(dels.map((e) => e.object.metadata?.name).sort(), `scale ${rs} to ${replicas}: deleted`).toEqual([...victims].sort());
  expect(new Set(dels.map((e) => e.cause)).size, 'all deletions of one sync').toBe(1);
  for (const v of victims) {
    const evs = eventsFor(sim, 'ReplicaSet', rs, 'SuccessfulDelete').filter((e) => e.message === `Deleted pod: ${v}`);
    expect(evs.map((e) => [e.type, e.count ?? 1]), `SuccessfulDelete for ${v}`).toEqual([['Normal', 1]]);
  }
};

describe('ReplicaSet scale-down: which pods go first (§2.3)', () => {
  it('unassigned, Pending, Unknown, not Ready, Ready for less time (log2 buckets, uid tie-break) — newest-first would choose otherwise', () => {
    const sim = newCluster();
    // t=0: seven orphans with the ReplicaSet's labels, placed by hand.
    create(sim,
      barePod('unsched', '  nodeSelector: {kubernetes.io/hostname: nowhere}\n'),
      barePod('pending', '  nodeName: node-b\n  volumes: [{name: d, persistentVolumeClaim: {claimName: missing}}]\n'),
      barePod('lost', '  nodeName: node-c\n'),
      barePod('notready', '  nodeName: node-a\n'),
      barePod('flap', '  nodeName: node-a\n'),
      barePod('old-a', '  nodeName: node-a\n'),
      barePod('old-b', '  nodeName: node-b\n'));
    waitFor(sim, 'the running orphans Ready', () => ['lost', 'notready', 'flap', 'old-a', 'old-b'].every((n) => isReady(get<Pod>(sim, 'Pod', n))), 30_000);
    setReady(sim, 'notready', false);
    // The old pod with the larger uid becomes Ready again 30 s later: both stay in one log2 bucket at scale-down time.
    const [lowUid, highUid] = ['old-a', 'old-b'].sort((a, b) => (mustGet<Pod>(sim, 'Pod', a).metadata!.uid! < mustGet<Pod>(sim, 'Pod', b).metadata!.uid! ? -1 : 1)) as [string, string];
    sleep(sim, 25_000);
    setReady(sim, highUid, false);
    sleep(sim, 5_000);
    setReady(sim, highUid, true);

    // t=100: the ReplicaSet adopts all seven and creates one more (the newest pod).
    sleep(sim, 70_000);
    const since = sim.log.lastSeq();
    create(sim, replicaSet('web-rs', 'rs', 8));
    waitFor(sim, '8 pods owned', () => activePodsOf(sim, 'rs').length === 8 && activePodsOf(sim, 'rs').every((p) => (p.metadata?.ownerReferences ?? []).length === 1), 30_000);
    const adds = objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.type === 'ADDED');
    expect(adds.length, 'one pod created, seven adopted').toBe(1);
    const fresh = adds[0]!.object.metadata!.name!;
    waitFor(sim, `${fresh} Ready`, () => isReady(get<Pod>(sim, 'Pod', fresh)), 30_000);
    const rs = mustGet<Json>(sim, 'ReplicaSet', 'web-rs');
    for (const p of activePodsOf(sim, 'rs')) {
      expect(p.metadata?.ownerReferences, p.metadata?.name).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    const adoptions = objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.op === 'patch' && e.actor === 'replicaset-controller');
    expect(adoptions.map((e) => e.object.metadata?.name).sort()).toEqual(['flap', 'lost', 'notready', 'old-a', 'old-b', 'pending', 'unsched']);

    // t=150..175: flap is Ready again, recently.
    sleep(sim, 48_000);
    setReady(sim, 'flap', false);
    sleep(sim, 25_000);
    setReady(sim, 'flap', true);
    // t=180: node-c's kubelet stops; `lost` is reported in phase Unknown (its Ready condition still True).
    sleep(sim, 5_000);
    sim.fault({ fault: 'node-down', node: 'node-c' });
    cmd(sim, 'pod lost: phase Unknown', [{ verb: 'patch', kind: 'Pod', namespace: NS, name: 'lost', subresource: 'status', patch: { status: { phase: 'Unknown' } } }]);
    sleep(sim, 15_000);

    const state = Object.fromEntries(podsOf(sim, 'rs').map((p) => [p.metadata!.name!, [p.spec?.nodeName ?? '', p.status?.phase, readyCondition(p)]]));
    expect(state, 'the states set up').toEqual({
      unsched: ['', 'Pending', false], pending: ['node-b', 'Pending', false], lost: ['node-c', 'Unknown', true], notready: ['node-a', 'Running', false],
      flap: ['node-a', 'Running', true], 'old-a': ['node-a', 'Running', true], 'old-b': ['node-b', 'Running', true], [fresh]: [expect.any(String), 'Running', true],
    });
    // Ready ages at scale-down: flap ≈ 30 s (bucket 34), fresh ≈ 100 s (36), old-a/old-b ≈ 170–200 s (both 37).
    const ages = Object.fromEntries(activePodsOf(sim, 'rs').filter(isReady).map((p) => [p.metadata!.name!, Math.floor(Math.log2((sim.now - readyTime(p)) * 1e6))]));
    expect(ages).toEqual({ flap: 34, [fresh]: 36, 'old-a': 37, 'old-b': 37 });

    scaleDownDeletes(sim, 'web-rs', 7, ['unsched']); // 1. unassigned first
    scaleDownDeletes(sim, 'web-rs', 6, ['pending']); // 2. Pending < Unknown < Running
    scaleDownDeletes(sim, 'web-rs', 5, ['lost']); //    Unknown before Running, even Ready
    scaleDownDeletes(sim, 'web-rs', 4, ['notready']); // 3. not Ready before Ready
    scaleDownDeletes(sim, 'web-rs', 3, ['flap']); // 6. Ready for less time, though created first
    // Two at once: the newest pod, and of the two old ones (same log2 bucket) the lower uid — not the one
    // Ready for less time.
    scaleDownDeletes(sim, 'web-rs', 1, [fresh, lowUid]);
    expect(activePodsOf(sim, 'rs').map((p) => p.metadata?.name)).toEqual([highUid]);
    waitFor(sim, 'status.replicas 1', () => mustGet<Json>(sim, 'ReplicaSet', 'web-rs').status?.replicas === 1, 10_000);
  });

  /**
   * Rank (rule 5) counts the active pods of every ReplicaSet controlled by the same owner on a pod's node
   * [RS getPodsRankedByRelatedPodsOnSameNode, getIndirectlyRelatedPods]; a ReplicaSet without a controller
   * owner has no related pods, so rank never decides for it.
   */
  const coLocation = (owned: boolean): void => {
    const sim = newCluster();
    const [owner] = create(sim, manifests(`apiVersion: v1
kind: Service
metadata: {name: owner, namespace: default}
spec: {ports: [{port: 80}]}`)[0]!);
    const ownerObj = owned ? owner as Json : undefined;
    // a1 (rs-a) and b1, b2 (rs-b) on node-a, long ago.
    cordon(sim, 'node-b'); cordon(sim, 'node-c');
    create(sim, replicaSet('rs-a', 'a', 1, ownerObj), replicaSet('rs-b', 'b', 2, ownerObj));
    waitFor(sim, 'a1, b1, b2 Ready', () => activePodsOf(sim, 'a').length === 1 && podsOf(sim, 'b').length === 2 && [...podsOf(sim, 'a'), ...podsOf(sim, 'b')].every(isReady), 30_000);
    const a1 = podsOf(sim, 'a')[0]!.metadata!.name!;
    for (const p of [...podsOf(sim, 'a'), ...podsOf(sim, 'b')]) expect(p.spec?.nodeName).toBe('node-a');
    sleep(sim, 150_000);
    // a2, a3 on node-c, recently.
    cordon(sim, 'node-a'); cordon(sim, 'node-c', false);
    scale(sim, 'ReplicaSet', 'rs-a', 3);
    waitFor(sim, 'a2, a3 Ready', () => activePodsOf(sim, 'a').length === 3 && activePodsOf(sim, 'a').every(isReady), 30_000);
    sleep(sim, 5_000);
    const [a2, a3] = activePodsOf(sim, 'a').filter((p) => p.metadata?.name !== a1)
      .sort((x, y) => (x.metadata!.uid! < y.metadata!.uid! ? -1 : 1)).map((p) => p.metadata!.name!) as [string, string];
    expect(mustGet<Pod>(sim, 'Pod', a2).spec?.nodeName).toBe('node-c');
    expect(mustGet<Pod>(sim, 'Pod', a3).spec?.nodeName).toBe('node-c');
    if (owned) {
      // a1: 3 related pods on node-a (a1, b1, b2); a2, a3: 2 on node-c. Rank beats Ready-for-longer.
      scaleDownDeletes(sim, 'rs-a', 2, [a1]);
      // 4. pod-deletion-cost beats the uid tie-break (a2, a3: same node, same log2 bucket).
      patch(sim, 'Pod', a3, { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-5' } } });
      scaleDownDeletes(sim, 'rs-a', 1, [a3]);
      expect(activePodsOf(sim, 'a').map((p) => p.metadata?.name)).toEqual([a2]);
    } else {
      // No owner: every rank is 0, the pods Ready for less time go first (lower uid in one bucket).
      scaleDownDeletes(sim, 'rs-a', 2, [a2]);
      // 4. a higher pod-deletion-cost protects a3; a1 (cost 0) goes although Ready for much longer.
      patch(sim, 'Pod', a3, { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '10' } } });
      scaleDownDeletes(sim, 'rs-a', 1, [a1]);
      expect(activePodsOf(sim, 'a').map((p) => p.metadata?.name)).toEqual([a3]);
    }
    expect(podsOf(sim, 'b').filter((p) => p.metadata?.deletionTimestamp !== undefined), 'rs-b untouched').toEqual([]);
  };
  it('rank: more pods of the same owner\'s ReplicaSets on the node go first; then pod-deletion-cost', () => coLocation(true));
  it('rank never decides for a ReplicaSet without a controller owner; pod-deletion-cost does', () => coLocation(false));
});

describe('ReplicaSet: release, adoption, expectations (§2.2, §2.4)', () => {
  const rsRef = (sim: Simulation): Json => {
    const rs = mustGet<Json>(sim, 'ReplicaSet', 'web-rs');
    return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true };
  };
  const podCreates = (sim: Simulation, since: number): string[] => objectEntries(sim, since)
    .filter((e) => e.object.kind === 'Pod' && e.type === 'ADDED' && e.actor === 'replicaset-controller').map((e) => e.object.metadata!.name!);

  it('a relabelled pod is released and replaced; relabelled back it is adopted and the surplus deleted; a stray orphan is adopted and deleted', () => {
    const sim = newCluster();
    create(sim, replicaSet('web-rs', 'rs', 3));
    waitFor(sim, '3 Ready', () => activePodsOf(sim, 'rs').length === 3 && activePodsOf(sim, 'rs').every(isReady), 30_000);
    sleep(sim, 60_000);
    const original = activePodsOf(sim, 'rs').map((p) => p.metadata!.name!).sort();
    const x = original[0]!;
    const xUid = mustGet<Pod>(sim, 'Pod', x).metadata!.uid;

    // 1) Labels no longer match: the controller removes its ownerReference and creates a replacement.
    let since = sim.log.lastSeq();
    patch(sim, 'Pod', x, { metadata: { labels: { app: 'gone' } } });
    waitFor(sim, 'a replacement Ready', () => activePodsOf(sim, 'rs').length === 3 && activePodsOf(sim, 'rs').every(isReady), 30_000);
    const released = objectEntries(sim, since).find((e) => e.object.kind === 'Pod' && e.object.metadata?.name === x && e.actor === 'replicaset-controller');
    expect(released, `${x} released`).toBeDefined();
    expect(released!.object.metadata?.ownerReferences).toBeUndefined();
    const created = podCreates(sim, since);
    expect(created.length, 'one replacement').toBe(1);
    const replacement = created[0]!;
    expect(original).not.toContain(replacement);
    expect(objectEntries(sim, since).find((e) => e.object.metadata?.name === replacement && e.type === 'ADDED')!.seq).toBeGreaterThan(released!.seq);
    const xNow = mustGet<Pod>(sim, 'Pod', x);
    expect(xNow.metadata?.uid, 'the released pod is left running').toBe(xUid);
    expect(xNow.metadata?.deletionTimestamp).toBeUndefined();
    expect(isReady(xNow)).toBe(true);
    waitFor(sim, 'status.replicas 3 without the released pod', () => mustGet<Json>(sim, 'ReplicaSet', 'web-rs').status?.readyReplicas === 3, 10_000);
    expect(mustGet<Json>(sim, 'ReplicaSet', 'web-rs').status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3 });
    sleep(sim, 3_000);

    // 2) Labels restored: adopted (same uid, controller ref) and, now four, the pod Ready for the least time — the replacement — goes.
    since = sim.log.lastSeq();
    patch(sim, 'Pod', x, { metadata: { labels: { app: 'rs' } } });
    waitFor(sim, 'back to 3', () => goneOrTerminating(sim, replacement), 10_000);
    sleep(sim, 2_000);
    const adopted = objectEntries(sim, since).find((e) => e.object.kind === 'Pod' && e.object.metadata?.name === x && e.actor === 'replicaset-controller')!;
    expect(adopted.object.metadata?.ownerReferences).toEqual([rsRef(sim)]);
    const dels = rsDeletions(sim, since);
    expect(dels.map((e) => e.object.metadata?.name)).toEqual([replacement]);
    expect(dels[0]!.seq).toBeGreaterThan(adopted.seq);
    expect(mustGet<Pod>(sim, 'Pod', x).metadata?.uid).toBe(xUid);
    expect(podCreates(sim, since)).toEqual([]);

    // 3) Owner reference removed by hand: re-adopted, nothing created or deleted.
    since = sim.log.lastSeq();
    const y = original[1]!;
    patch(sim, 'Pod', y, { metadata: { ownerReferences: null } });
    waitFor(sim, `${y} adopted again`, () => (mustGet<Pod>(sim, 'Pod', y).metadata?.ownerReferences ?? []).length === 1, 10_000);
    sleep(sim, 5_000);
    expect(mustGet<Pod>(sim, 'Pod', y).metadata?.ownerReferences).toEqual([rsRef(sim)]);
    expect(podCreates(sim, since)).toEqual([]);
    expect(rsDeletions(sim, since)).toEqual([]);

    // 4) A stray pod with matching labels: adopted, then — unscheduled, so first in line — deleted in the same sync.
    since = sim.log.lastSeq();
    create(sim, barePod('stray'));
    waitFor(sim, 'stray deleted', () => goneOrTerminating(sim, 'stray'), 10_000);
    sleep(sim, 5_000);
    const strayWrites = objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.object.metadata?.name === 'stray' && e.actor === 'replicaset-controller');
    expect(strayWrites[0]!.op, 'adopted first').toBe('patch');
    expect(strayWrites[0]!.object.metadata?.ownerReferences).toEqual([rsRef(sim)]);
    expect(rsDeletions(sim, since).map((e) => e.object.metadata?.name)).toEqual(['stray']);
    expect(new Set(strayWrites.map((e) => e.cause)).size, 'adopt and delete in one sync').toBe(1);
    expect(eventsFor(sim, 'ReplicaSet', 'web-rs', 'SuccessfulDelete').map((e) => e.message).sort()).toEqual([`Deleted pod: ${replacement}`, 'Deleted pod: stray'].sort());
    expect(podCreates(sim, since)).toEqual([]);
    expect(activePodsOf(sim, 'rs').map((p) => p.metadata?.name).sort()).toEqual(original);
  });

  it('expectations: while its pod watch lags, a sync does not create again the pods it has not seen yet', () => {
    const sim = newCluster();
    create(sim, replicaSet('web-rs', 'rs', 3));
    waitFor(sim, '3 Ready', () => activePodsOf(sim, 'rs').length === 3 && activePodsOf(sim, 'rs').every(isReady), 30_000);
    sleep(sim, 5_000);
    const [p1] = activePodsOf(sim, 'rs').map((p) => p.metadata!.name!);
    const controller = sim.host('replicaset-controller')!;
    sim.fault({ fault: 'watch-delay', component: 'replicaset-controller', ms: 5_000, durationMs: 20_000 });
    const since = sim.log.lastSeq();
    const t0 = sim.now;
    scale(sim, 'ReplicaSet', 'web-rs', 6);
    // The controller sees the scale at +5 s and creates 3 pods, which it sees only at +10 s. A deletion at
    // +1 s (seen at +6 s) makes it sync in between, with a cache holding 2 active pods and none of the new ones.
    sleep(sim, 1_000);
    del(sim, 'Pod', p1!);
    waitFor(sim, 'the first creations', () => podCreates(sim, since).length === 3, 10_000);
    const firstBatch = podCreates(sim, since);
    expect(sim.now - t0).toBeLessThan(6_000);
    const syncsBefore = controller.stats.reconciles;
    sleep(sim, t0 + 9_000 - sim.now);
    expect(controller.stats.reconciles, 'the controller synced with the stale cache').toBeGreaterThan(syncsBefore);
    expect(podCreates(sim, since), 'nothing created while the 3 creations are unobserved').toEqual(firstBatch);
    waitFor(sim, '6 Ready', () => activePodsOf(sim, 'rs').length === 6 && activePodsOf(sim, 'rs').every(isReady), 60_000);
    sleep(sim, 30_000);
    // 3 for the scale, 1 for the deleted pod — never more, so nothing to delete afterwards.
    expect(podCreates(sim, since).length).toBe(4);
    expect(rsDeletions(sim, since)).toEqual([]);
    expect(eventsFor(sim, 'ReplicaSet', 'web-rs', 'SuccessfulDelete')).toEqual([]);
    expect(activePodsOf(sim, 'rs').length).toBe(6);
  });
});

describe('ReplicaSet deletion and the garbage collector (§5)', () => {
  it('orphan: pods keep running without owner; a new ReplicaSet adopts them and deletes the surplus; foreground: the set waits for its pods', () => {
    const sim = newCluster();
    create(sim, replicaSet('web-rs', 'rs', 3));
    waitFor(sim, '3 Ready', () => activePodsOf(sim, 'rs').length === 3 && activePodsOf(sim, 'rs').every(isReady), 30_000);
    const uids = Object.fromEntries(activePodsOf(sim, 'rs').map((p) => [p.metadata!.name!, p.metadata!.uid!]));
    const oldUid = mustGet<Json>(sim, 'ReplicaSet', 'web-rs').metadata.uid;

    // 1) --cascade=orphan.
    let since = sim.log.lastSeq();
    del(sim, 'ReplicaSet', 'web-rs', { propagationPolicy: 'Orphan' });
    waitFor(sim, 'the set gone', () => get(sim, 'ReplicaSet', 'web-rs') === undefined, 30_000);
    const marked = objectEntries(sim, since).find((e) => e.object.kind === 'ReplicaSet' && e.object.metadata?.deletionTimestamp !== undefined)!;
    expect(marked.object.metadata?.finalizers).toEqual(['orphan']);
    sleep(sim, 10_000);
    for (const [n, uid] of Object.entries(uids)) {
      const p = mustGet<Pod>(sim, 'Pod', n);
      expect(p.metadata?.uid, `${n} kept`).toBe(uid);
      expect(p.metadata?.ownerReferences, `${n} orphaned`).toBeUndefined();
      expect(isReady(p)).toBe(true);
    }
    const unrefs = objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.op !== 'update/status');
    expect(unrefs.map((e) => [e.object.metadata?.name, e.actor]).sort()).toEqual(Object.keys(uids).sort().map((n) => [n, 'garbage-collector']));
    expect(seqOfGone(sim, 'ReplicaSet', 'web-rs', since)).toBeGreaterThan(Math.max(...unrefs.map((e) => e.seq)));

    // 2) A new set with the same selector and replicas 2: adopts the three, deletes one, creates none.
    sleep(sim, 40_000); // Ready ages ≈ 50 s: one log2 bucket, the lowest uid goes
    since = sim.log.lastSeq();
    create(sim, replicaSet('web-rs', 'rs', 2));
    const rs = mustGet<Json>(sim, 'ReplicaSet', 'web-rs');
    expect(rs.metadata.uid).not.toBe(oldUid);
    waitFor(sim, 'one deleted', () => activePodsOf(sim, 'rs').length === 2, 10_000);
    sleep(sim, 5_000);
    const lowest = Object.entries(uids).sort(([, a], [, b]) => (a < b ? -1 : 1))[0]![0];
    expect(rsDeletions(sim, since).map((e) => e.object.metadata?.name)).toEqual([lowest]);
    expect(objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.type === 'ADDED')).toEqual([]);
    for (const p of activePodsOf(sim, 'rs')) {
      expect(p.metadata?.uid).toBe(uids[p.metadata!.name!]);
      expect(p.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }

    // 3) Foreground: the set stays, Terminating with foregroundDeletion, until its pods are gone; nothing is re-created.
    waitFor(sim, 'the victim gone', () => get(sim, 'Pod', lowest) === undefined, 60_000);
    const left = activePodsOf(sim, 'rs').map((p) => p.metadata!.name!);
    since = sim.log.lastSeq();
    del(sim, 'ReplicaSet', 'web-rs', { propagationPolicy: 'Foreground' });
    const deleting = mustGet<Json>(sim, 'ReplicaSet', 'web-rs');
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(deleting.metadata.finalizers).toEqual(['foregroundDeletion']);
    waitFor(sim, 'the set gone', () => get(sim, 'ReplicaSet', 'web-rs') === undefined, 120_000);
    const setGone = seqOfGone(sim, 'ReplicaSet', 'web-rs', since);
    for (const n of left) {
      expect(seqOfGone(sim, 'Pod', n, since), `${n} gone before the set`).toBeLessThan(setGone);
      const term = objectEntries(sim, since).find((e) => e.object.metadata?.name === n && e.op === 'delete')!;
      expect(term.actor, `${n} deleted by`).toBe('garbage-collector');
    }
    expect(objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.type === 'ADDED'), 'nothing re-created').toEqual([]);
    expect(podsOf(sim, 'rs')).toEqual([]);
  });
});

// ---- storage ------------------------------------------------------------------------------------------

const storageClass = (name: string, provisioner: string, reclaimPolicy: 'Delete' | 'Retain', mode: 'Immediate' | 'WaitForFirstConsumer'): KObject => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, reclaimPolicy, volumeBindingMode: mode,
} as KObject);

/** A claim; `cls` null leaves storageClassName unset (the default class is filled in). */
const storageClassObj = (name: string): KObject => storageClass(name, 'kubesim.io/hostpath', 'Delete', 'WaitForFirstConsumer');

const claim = (name: string, cls: string | null, size = '1Gi', mode = 'ReadWriteOnce'): KObject => manifests(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}, namespace: default}
spec:
${cls === null ? '' : `  storageClassName: "${cls}"\n`}  accessModes: [${mode}]
  resources: {requests: {storage: ${size}}}
`)[0]!;

/** A static PV without a reclaim policy (defaulted) and without a class. */
const staticPv = (name: string, size: string, mode = 'ReadWriteOnce'): KObject => manifests(`apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  capacity: {storage: ${size}}
  accessModes: [${mode}]
  storageClassName: ""
`)[0]!;

const podUsing = (name: string, claimName: string): KObject => manifests(`apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  containers:
  - name: c
    image: nginx:1.25
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: ${claimName}}
`)[0]!;

const pvc = (sim: Simulation, name: string): Json => get<Json>(sim, 'PersistentVolumeClaim', name);
const pv = (sim: Simulation, name: string): Json => get<Json>(sim, 'PersistentVolume', name, '');
const claimPhase = (sim: Simulation, name: string): string | undefined => pvc(sim, name)?.status?.phase;
const volumePhase = (sim: Simulation, name: string): string | undefined => pv(sim, name)?.status?.phase;

describe('PV reclaim and claim protection (§3.4)', () => {
  it('Retain: a claim used by a pod stays Terminating until the pod is gone; the volume is Released, not bound again until the admin clears claimRef', () => {
    const sim = newCluster();
    create(sim, staticPv('golden', '5Gi'));
    expect(pv(sim, 'golden').spec.persistentVolumeReclaimPolicy, 'a PV defaults to Retain').toBe('Retain');
    create(sim, claim('data', ''));
    waitFor(sim, 'data Bound to golden', () => claimPhase(sim, 'data') === 'Bound' && volumePhase(sim, 'golden') === 'Bound', 30_000);
    const first = pvc(sim, 'data');
    expect(first.spec.volumeName).toBe('golden');
    expect(first.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    create(sim, podUsing('user', 'data'));
    waitFor(sim, 'user Ready', () => isReady(get<Pod>(sim, 'Pod', 'user')), 60_000);

    // 1) Delete the claim while the pod runs: Terminating, still Bound, kept by pvc-protection.
    let since = sim.log.lastSeq();
    del(sim, 'PersistentVolumeClaim', 'data');
    sleep(sim, 60_000);
    const held = pvc(sim, 'data');
    expect(held, 'the claim is still there').toBeDefined();
    expect(held.metadata.uid).toBe(first.metadata.uid);
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    expect(held.status.phase).toBe('Bound');
    expect(volumePhase(sim, 'golden')).toBe('Bound');
    expect(isReady(get<Pod>(sim, 'Pod', 'user')), 'the pod keeps running').toBe(true);

    // 2) Delete the pod: the claim goes only after the pod is gone; the Retain volume is Released and keeps its claimRef.
    del(sim, 'Pod', 'user');
    waitFor(sim, 'data gone', () => pvc(sim, 'data') === undefined, 120_000);
    expect(seqOfGone(sim, 'PersistentVolumeClaim', 'data', since)).toBeGreaterThan(seqOfGone(sim, 'Pod', 'user', since));
    waitFor(sim, 'golden Released', () => volumePhase(sim, 'golden') === 'Released', 30_000);
    sleep(sim, 30_000);
    expect(volumePhase(sim, 'golden')).toBe('Released');
    expect(pv(sim, 'golden').spec.claimRef).toMatchObject({ namespace: 'default', name: 'data', uid: first.metadata.uid });

    // 3) A new claim with the same name is not bound to the Released volume.
    create(sim, claim('data', ''));
    const second = pvc(sim, 'data');
    const failedBinding = (): Json[] => eventsFor(sim, 'PersistentVolumeClaim', 'data', 'FailedBinding').filter((e) => e.involvedObject.uid === second.metadata.uid);
    waitFor(sim, 'FailedBinding', () => failedBinding().length > 0, 30_000);
    sleep(sim, 45_000);
    expect(claimPhase(sim, 'data')).toBe('Pending');
    expect(pvc(sim, 'data').spec.volumeName).toBeUndefined();
    expect(volumePhase(sim, 'golden')).toBe('Released');
    expect(pv(sim, 'golden').spec.claimRef.uid).toBe(first.metadata.uid);
    expect(failedBinding().map((e) => [e.type, e.message]))
      .toEqual([['Normal', 'no persistent volumes available for this claim and no storage class is set']]);

    // 4) The admin clears claimRef: Available, then bound to the waiting claim (at its next periodic sync).
    since = sim.log.lastSeq();
    patch(sim, 'PersistentVolume', 'golden', { spec: { claimRef: null } }, '');
    waitFor(sim, 'golden Available', () => volumePhase(sim, 'golden') === 'Available' || volumePhase(sim, 'golden') === 'Bound', 30_000);
    waitFor(sim, 'data Bound to golden', () => claimPhase(sim, 'data') === 'Bound', 60_000);
    expect(entriesOf(sim, 'PersistentVolume', 'golden', since).some((e) => (e.object as Json).status?.phase === 'Available'), 'Available first').toBe(true);
    expect(pvc(sim, 'data').spec.volumeName).toBe('golden');
    expect(pv(sim, 'golden').spec.claimRef).toMatchObject({ name: 'data', uid: second.metadata.uid });
    expect(volumePhase(sim, 'golden')).toBe('Bound');
  });

  it('dynamic volumes follow the class reclaimPolicy: Delete removes the volume, Retain keeps it Released and a new claim gets a new volume', () => {
    const sim = newCluster({ storageClasses: [standardClass(), storageClass('keep', 'kubesim.io/hostpath', 'Retain', 'Immediate')] });
    create(sim, claim('scratch', null), claim('kept', 'keep'));
    // Immediate: bound before any pod exists.
    waitFor(sim, 'both Bound', () => claimPhase(sim, 'scratch') === 'Bound' && claimPhase(sim, 'kept') === 'Bound', 30_000);
    expect(list(sim, 'Pod')).toEqual([]);
    const scratch = pvc(sim, 'scratch'), kept = pvc(sim, 'kept');
    expect(scratch.spec.storageClassName, 'the default class').toBe('standard');
    expect(scratch.spec.volumeName).toBe(`pvc-${scratch.metadata.uid}`);
    expect(kept.spec.volumeName).toBe(`pvc-${kept.metadata.uid}`);
    expect(pv(sim, scratch.spec.volumeName).spec.persistentVolumeReclaimPolicy).toBe('Delete');
    expect(pv(sim, kept.spec.volumeName).spec.persistentVolumeReclaimPolicy).toBe('Retain');
    const since = sim.log.lastSeq();
    del(sim, 'PersistentVolumeClaim', 'scratch');
    del(sim, 'PersistentVolumeClaim', 'kept');
    waitFor(sim, 'the Delete volume gone', () => pv(sim, scratch.spec.volumeName) === undefined, 60_000);
    expect(entriesOf(sim, 'PersistentVolume', scratch.spec.volumeName, since).find((e) => e.type === 'DELETED')!.actor).toBe('volume-binder');
    waitFor(sim, 'the Retain volume Released', () => volumePhase(sim, kept.spec.volumeName) === 'Released', 30_000);
    sleep(sim, 30_000);
    expect(volumePhase(sim, kept.spec.volumeName)).toBe('Released');
    expect(pv(sim, kept.spec.volumeName).spec.claimRef.uid).toBe(kept.metadata.uid);
    // The same claim again: a new volume is provisioned; the Released one is left alone.
    create(sim, claim('kept', 'keep'));
    waitFor(sim, 'kept Bound again', () => claimPhase(sim, 'kept') === 'Bound', 30_000);
    const again = pvc(sim, 'kept');
    expect(again.spec.volumeName).toBe(`pvc-${again.metadata.uid}`);
    expect(again.spec.volumeName).not.toBe(kept.spec.volumeName);
    expect(volumePhase(sim, kept.spec.volumeName)).toBe('Released');
    expect(pvNames(sim)).toEqual([kept.spec.volumeName, again.spec.volumeName].sort());
  });
});

describe('binding modes and claims that cannot bind (§3.2, §3.3)', () => {
  const classes = (): KObject[] => [
    standardClass(),
    storageClass('wffc', 'kubesim.io/hostpath', 'Delete', 'WaitForFirstConsumer'),
    storageClass('local', 'kubernetes.io/no-provisioner', 'Delete', 'Immediate'),
  ];
  /** Claims that never bind, next to an Available static RWO volume; run 90 s. */
  const waiting = (): Simulation => {
    const sim = newCluster({ storageClasses: classes() });
    create(sim, staticPv('pv10', '10Gi'));
    waitFor(sim, 'pv10 Available', () => volumePhase(sim, 'pv10') === 'Available', 30_000);
    create(sim, claim('later', 'wffc'), claim('loc', 'local'), claim('ghost', 'nope'), claim('shared', '', '1Gi', 'ReadWriteMany'));
    sleep(sim, 90_000);
    return sim;
  };
  const PROVISIONER_ANNOTATIONS = ['volume.kubernetes.io/storage-provisioner', 'volume.beta.kubernetes.io/storage-provisioner', 'volume.kubernetes.io/selected-node'];

  it('a WaitForFirstConsumer claim nobody uses, a class without provisioner, a missing class, an access mode no volume offers: Pending, with the events Kubernetes records', () => {
    const sim = waiting();
    for (const c of ['later', 'loc', 'ghost', 'shared']) {
      expect(claimPhase(sim, c), c).toBe('Pending');
      expect(pvc(sim, c).spec.volumeName, c).toBeUndefined();
      for (const a of PROVISIONER_ANNOTATIONS) expect(pvc(sim, c).metadata.annotations?.[a], `${c} ${a}`).toBeUndefined();
    }
    expect(pvNames(sim), 'nothing provisioned').toEqual(['pv10']);
    expect(volumePhase(sim, 'pv10'), 'the RWO volume is not given to the RWX claim').toBe('Available');
    const evs = (c: string): string[][] => eventsFor(sim, 'PersistentVolumeClaim', c).map((e) => [e.type, e.reason, e.message]);
    expect(evs('later')).toEqual([['Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding']]);
    expect(evs('loc')).toEqual([['Warning', 'ProvisioningFailed', 'no volume plugin matched name: kubernetes.io/no-provisioner']]);
    expect(evs('ghost')).toEqual([['Warning', 'ProvisioningFailed', 'storageclass.storage.k8s.io "nope" not found']]);
    expect(evs('shared')).toEqual([['Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set']]);
    // The volume was free all along: an RWO claim that fits takes it.
    create(sim, claim('fits', '', '2Gi'));
    waitFor(sim, 'fits Bound to pv10', () => claimPhase(sim, 'fits') === 'Bound', 30_000);
    expect(pvc(sim, 'fits').spec.volumeName).toBe('pv10');
    expect(claimPhase(sim, 'shared')).toBe('Pending');
  });

  it('kubesim records those events once per claim (docs/semantics.md, "deliberately differs"): a waiting claim writes nothing more', () => {
    // Kubernetes: [pv_controller syncUnboundClaim] records the event at every sync of an unbound claim and
    // [pv_controller_base resync] queues every claim every 15 s, so the Event's count grows ("(x7 over
    // 90s)"). kubesim syncs waiting claims every 15 s too but records each reason once per claim, so
    // that a cluster with a claim nobody will ever bind still goes quiet (the liveness checker's "stays still").
    const sim = waiting();
    const since = sim.log.lastSeq();
    sleep(sim, 120_000);
    for (const [c, reason] of [['later', 'WaitForFirstConsumer'], ['loc', 'ProvisioningFailed'], ['ghost', 'ProvisioningFailed'], ['shared', 'FailedBinding']] as const) {
      expect(eventCount(eventsFor(sim, 'PersistentVolumeClaim', c, reason)), `${c} ${reason} recorded once`).toBe(1);
    }
    expect(objectEntries(sim, since), 'nothing written while the claims wait').toEqual([]);
  });

  it('a WaitForFirstConsumer claim whose pod cannot be scheduled: WaitForPodScheduled, then bound on the node the pod gets', () => {
    // [pv_controller emitEventForUnboundDelayBindingClaim]: with unscheduled pods using the claim the
    // event is WaitForPodScheduled "waiting for pod <name> to be scheduled".
    const sim = newCluster({ storageClasses: classes() });
    for (const n of ['node-a', 'node-b', 'node-c']) cordon(sim, n);
    create(sim, claim('data', 'wffc'));
    sleep(sim, 2_000);
    create(sim, podUsing('consumer', 'data'));
    sleep(sim, 60_000);
    expect(mustGet<Pod>(sim, 'Pod', 'consumer').spec?.nodeName).toBeUndefined();
    expect(claimPhase(sim, 'data')).toBe('Pending');
    expect(pvNames(sim)).toEqual([]);
    const waitingFor = eventsFor(sim, 'PersistentVolumeClaim', 'data', 'WaitForPodScheduled');
    expect(waitingFor.map((e) => [e.type, e.message])).toEqual([['Normal', 'waiting for pod consumer to be scheduled']]);
    cordon(sim, 'node-b', false);
    waitFor(sim, 'consumer Ready', () => isReady(get<Pod>(sim, 'Pod', 'consumer')), 120_000);
    expect(mustGet<Pod>(sim, 'Pod', 'consumer').spec?.nodeName).toBe('node-b');
    expect(pvc(sim, 'data').metadata.annotations['volume.kubernetes.io/selected-node']).toBe('node-b');
    expect(claimPhase(sim, 'data')).toBe('Bound');
  });
});

describe('Immediate binding and node-local volumes (§3.3, §3.6)', () => {
  it('a claim bound at once to a volume pinned to node-a: its pods can only run on node-a', () => {
    const sim = newCluster();
    create(sim, manifests(`apiVersion: v1
kind: PersistentVolume
metadata: {name: local-a}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  local: {path: /mnt/disks/a}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-a]}]
`)[0]!);
    create(sim, claim('pinned', ''));
    waitFor(sim, 'pinned Bound', () => claimPhase(sim, 'pinned') === 'Bound', 30_000);
    expect(pvc(sim, 'pinned').spec.volumeName).toBe('local-a');
    expect(list(sim, 'Pod'), 'bound before any pod exists').toEqual([]);
    // A pod that must run on node-b cannot use it.
    const far = podUsing('far', 'pinned') as Json;
    far.spec.nodeSelector = { 'kubernetes.io/hostname': 'node-b' };
    create(sim, far);
    waitFor(sim, 'FailedScheduling', () => eventsFor(sim, 'Pod', 'far', 'FailedScheduling').length > 0, 30_000);
    sleep(sim, 20_000);
    expect(mustGet<Pod>(sim, 'Pod', 'far').spec?.nodeName).toBeUndefined();
    const fs = eventsFor(sim, 'Pod', 'far', 'FailedScheduling');
    expect(fs[0].type).toBe('Warning');
    // (kube-scheduler appends " preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
    expect(fs[0].message).toMatch(/^0\/3 nodes are available: 1 node\(s\) had volume node affinity conflict, 2 node\(s\) didn't match Pod's node affinity\/selector\.( preemption: .*)?$/);
    // A pod free to go anywhere lands on node-a.
    del(sim, 'Pod', 'far');
    create(sim, podUsing('near', 'pinned'));
    waitFor(sim, 'near Ready', () => isReady(get<Pod>(sim, 'Pod', 'near')), 60_000);
    expect(mustGet<Pod>(sim, 'Pod', 'near').spec?.nodeName).toBe('node-a');
  });
});

// ---- API refusals -------------------------------------------------------------------------------------

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A message with `…` placeholders for rendered values (matched as any non-empty text). */
const withValues = (template: string): RegExp => new RegExp(`^${template.split('…').map(esc).join('.+')}$`);

/** Send a refused request; checks that nothing was written and returns the error. */
const refusedQuietly = (sim: Simulation, what: string, reqs: ApiRequest[]): ApiError => {
  const before = sim.log.lastSeq();
  const err = refused(sim, what, reqs);
  expect(sim.log.lastSeq(), `${what}: a refusal writes nothing`).toBe(before);
  return err;
};

/** PUT of the current object with a change; `keepVersion` keeps its resourceVersion as the precondition. */
const updateOf = (sim: Simulation, kind: 'StatefulSet' | 'ReplicaSet' | 'PersistentVolumeClaim', name: string, change: (o: Json) => void, keepVersion = false): ApiRequest => {
  const o = structuredClone(mustGet<Json>(sim, kind, name));
  if (!keepVersion) delete o.metadata.resourceVersion;
  delete o.status;
  change(o);
  return { verb: 'update', object: o as KObject };
};

describe('API refusals (§1.2, §2.5, S57-like)', () => {
  /** F1 converged with one replica, the ReplicaSet web-rs (1 replica) and the claim data Bound. */
  const apiCluster = (): Simulation => {
    const sim = newCluster();
    create(sim, ...f1With((s) => { s.spec.replicas = 1; }), replicaSet('web-rs', 'rs', 1), claim('data', null));
    converge(sim, 'web', 1);
    waitFor(sim, 'data Bound, web-rs Ready', () => claimPhase(sim, 'data') === 'Bound' && activePodsOf(sim, 'rs').every(isReady) && activePodsOf(sim, 'rs').length === 1, 30_000);
    return sim;
  };

  it('a Bound claim: only resources.requests may change; a Pending claim cannot even be resized', () => {
    const sim = apiCluster();
    const FORBIDDEN = 'The PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';
    const changes: [string, (c: Json) => void][] = [
      ['accessModes', (c) => { c.spec.accessModes = ['ReadWriteMany']; }],
      ['storageClassName', (c) => { c.spec.storageClassName = 'other'; }],
      ['volumeName', (c) => { c.spec.volumeName = 'elsewhere'; }],
      ['selector', (c) => { c.spec.selector = { matchLabels: { tier: 'db' } }; }],
    ];
    const gen = mustGet<Json>(sim, 'PersistentVolumeClaim', 'data').metadata.resourceVersion;
    for (const [field, change] of changes) {
      const err = refusedQuietly(sim, `update claim ${field}`, [updateOf(sim, 'PersistentVolumeClaim', 'data', change)]);
      expect([err.code, err.reason], field).toEqual([422, 'Invalid']);
      // Kubernetes appends a diff of the two specs after a newline (cmp.Diff, not stable text): the first line is the contract.
      expect(kubectlMessage(err).split('\n')[0], field).toBe(FORBIDDEN);
    }
    expect(mustGet<Json>(sim, 'PersistentVolumeClaim', 'data').metadata.resourceVersion).toBe(gen);

    // A Pending claim may not change resources either.
    create(sim, storageClassObj('slow-wffc'), claim('later', 'slow-wffc'));
    waitFor(sim, 'later Pending', () => claimPhase(sim, 'later') === 'Pending', 30_000);
    const err = refusedQuietly(sim, 'resize a Pending claim', [{ verb: 'patch', kind: 'PersistentVolumeClaim', namespace: NS, name: 'later', patch: { spec: { resources: { requests: { storage: '2Gi' } } } } }]);
    expect(kubectlMessage(err).split('\n')[0]).toBe(FORBIDDEN.replace('"data"', '"later"'));
  });

  it('a Bound claim shrunk to its capacity: refused against status.capacity (RecoverVolumeExpansionFailure, GA 1.34)', () => {
    // [core validation ValidatePersistentVolumeClaimUpdate] with EnableRecoverFromExpansionFailure: a
    // smaller request is allowed down to (excluding) status.capacity.
    const sim = apiCluster();
    const err = refusedQuietly(sim, 'shrink', [{ verb: 'patch', kind: 'PersistentVolumeClaim', namespace: NS, name: 'data', patch: { spec: { resources: { requests: { storage: '500Mi' } } } } }]);
    expect(kubectlMessage(err)).toBe('The PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity');
  });

  it('a Bound claim of a class without allowVolumeExpansion cannot grow (PersistentVolumeClaimResize admission)', () => {
    // [plugin/pkg/admission/storage/persistentvolume/resize]: only dynamically provisioned claims of a class
    // with allowVolumeExpansion: true may grow; `standard` does not set it.
    const sim = apiCluster();
    const err = refusedQuietly(sim, 'grow', [{ verb: 'patch', kind: 'PersistentVolumeClaim', namespace: NS, name: 'data', patch: { spec: { resources: { requests: { storage: '2Gi' } } } } }]);
    expect([err.code, err.reason]).toEqual([403, 'Forbidden']);
    expect(kubectlMessage(err)).toBe('Error from server (Forbidden): persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
  });

  it('ReplicaSet: the selector is immutable in apps/v1; create-time rules of ValidateReplicaSet', () => {
    const sim = apiCluster();
    const gen = mustGet<Json>(sim, 'ReplicaSet', 'web-rs').metadata.generation;
    const err = refusedQuietly(sim, 'update selector', [updateOf(sim, 'ReplicaSet', 'web-rs', (r) => {
      r.spec.selector = { matchLabels: { app: 'rs', tier: 'web' } };
      r.spec.template.metadata.labels = { app: 'rs', tier: 'web' };
    })]);
    expect([err.code, err.reason]).toEqual([422, 'Invalid']);
    expect(kubectlMessage(err)).toMatch(withValues('The ReplicaSet "web-rs" is invalid: spec.selector: Invalid value: …: field is immutable'));
    const neg = refusedQuietly(sim, 'update replicas -1', [updateOf(sim, 'ReplicaSet', 'web-rs', (r) => { r.spec.replicas = -1; })]);
    expect(kubectlMessage(neg)).toBe('The ReplicaSet "web-rs" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(mustGet<Json>(sim, 'ReplicaSet', 'web-rs').metadata.generation).toBe(gen);

    const createRs = (change: (r: Json) => void): ApiError => {
      const r = replicaSet('other-rs', 'other', 1);
      change(r);
      return refusedQuietly(sim, 'create rs', [{ verb: 'create', object: r as KObject }]);
    };
    expect(kubectlMessage(createRs((r) => { r.spec.selector = {}; }))).toMatch(withValues('The ReplicaSet "other-rs" is invalid: spec.selector: Invalid value: …: empty selector is invalid for deployment'));
    expect(kubectlMessage(createRs((r) => { r.spec.template.spec.activeDeadlineSeconds = 10; })))
      .toBe('The ReplicaSet "other-rs" is invalid: spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported');
    expect(kubectlMessage(createRs((r) => { r.spec.minReadySeconds = -1; })))
      .toBe('The ReplicaSet "other-rs" is invalid: spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0');
    // A DNS subdomain name (dots) is fine for a ReplicaSet, unlike a StatefulSet.
    const dotted = replicaSet('web.v1', 'dotted', 0);
    cmd(sim, 'create web.v1', [{ verb: 'create', object: dotted as KObject }]);
    expect(mustGet<Json>(sim, 'ReplicaSet', 'web.v1').metadata.generation).toBe(1);
  });

  it('stale resourceVersion, missing and duplicate objects', () => {
    const sim = apiCluster();
    // An update carrying an old resourceVersion.
    const stale = updateOf(sim, 'StatefulSet', 'web', (s) => { s.spec.replicas = 2; }, true);
    cmd(sim, 'scale to 2', [{ verb: 'patch', kind: 'StatefulSet', namespace: NS, name: 'web', subresource: 'scale', patch: { spec: { replicas: 2 } } }]);
    const conflict = refusedQuietly(sim, 'stale update', [stale]);
    expect([conflict.code, conflict.reason]).toEqual([409, 'Conflict']);
    expect(conflict.message).toBe('Operation cannot be fulfilled on statefulsets.apps "web": the object has been modified; please apply your changes to the latest version and try again');
    expect(kubectlMessage(conflict)).toBe(`Error from server (Conflict): ${conflict.message}`);
    const staleRs = updateOf(sim, 'ReplicaSet', 'web-rs', (r) => { r.metadata.labels = { x: 'y' }; }, true);
    cmd(sim, 'label web-rs', [{ verb: 'patch', kind: 'ReplicaSet', namespace: NS, name: 'web-rs', patch: { metadata: { annotations: { touched: 'yes' } } } }]);
    expect(refusedQuietly(sim, 'stale rs update', [staleRs]).message)
      .toBe('Operation cannot be fulfilled on replicasets.apps "web-rs": the object has been modified; please apply your changes to the latest version and try again');

    for (const [kind, ns, text] of [
      ['StatefulSet', NS, 'statefulsets.apps "nope" not found'],
      ['ReplicaSet', NS, 'replicasets.apps "nope" not found'],
      ['PersistentVolumeClaim', NS, 'persistentvolumeclaims "nope" not found'],
      ['PersistentVolume', '', 'persistentvolumes "nope" not found'],
    ] as const) {
      const err = refusedQuietly(sim, `delete ${kind}/nope`, [{ verb: 'delete', kind, namespace: ns, name: 'nope' }]);
      expect([err.code, err.reason, err.message]).toEqual([404, 'NotFound', text]);
      expect(kubectlMessage(err)).toBe(`Error from server (NotFound): ${text}`);
    }
    const dup = refusedQuietly(sim, 'create web again', [{ verb: 'create', object: f1().set as KObject }]);
    expect([dup.code, dup.reason, dup.message]).toEqual([409, 'AlreadyExists', 'statefulsets.apps "web" already exists']);
  });

  it('negative replicas through the scale subresource: refused as an invalid Scale', () => {
    // [registry apps statefulset/replicaset storage scaleUpdatedObjectInfo]: ValidateScale, then
    // errors.NewInvalid(autoscaling.Kind("Scale"), name, errs) — kubectl: The Scale "web" is invalid: …
    const sim = apiCluster();
    for (const [kind, name] of [['StatefulSet', 'web'], ['ReplicaSet', 'web-rs']] as const) {
      const gen = mustGet<Json>(sim, kind, name).metadata.generation;
      const err = refusedQuietly(sim, `scale ${kind} -1`, [{ verb: 'patch', kind, namespace: NS, name, subresource: 'scale', patch: { spec: { replicas: -1 } } }]);
      expect([err.code, err.reason], kind).toEqual([422, 'Invalid']);
      expect(err.message, kind).toBe(`Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`);
      expect(kubectlMessage(err), kind).toBe(`The Scale "${name}" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`);
      expect(mustGet<Json>(sim, kind, name).metadata.generation).toBe(gen);
    }
  });
});
