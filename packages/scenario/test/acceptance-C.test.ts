/**
 * Acceptance scenarios, section C — ordinals (S28 (a)–(e), and the closing sentence: with
 * volumeClaimTemplates the claims follow the ordinals and the claims of old ordinals remain).
 */
import { describe, expect, it } from 'vitest';
import { isRunningAndReady, type Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import {
  claimNames, create, entriesOf, f1With, firstSeq, get, list, mustGet, newCluster, objectEntries, patch, podNames, ready, seqOf,
  sleep, waitFor, type Json,
} from './harness.js';

/** F1 named `ss` (no volumeClaimTemplates unless `claims`), with `replicas` and, when given, `ordinals.start`. */
const ssObjects = (replicas: number, start?: number, claims = false) => f1With((s) => {
  s.metadata.name = 'ss';
  s.spec.replicas = replicas;
  if (start !== undefined) s.spec.ordinals = { start };
  if (!claims) {
    delete s.spec.volumeClaimTemplates;
    delete s.spec.template.spec.containers[0].volumeMounts;
  }
});

const ssPods = (sim: Simulation): string[] => podNames(sim).filter((n) => /^ss-\d+$/.test(n));
const byOrdinal = (names: readonly string[]): string[] => [...names].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));

/** Wait until exactly the pods `names` exist, all Ready and not terminating, and the status reports them. */
const convergeTo = (sim: Simulation, names: readonly string[], timeoutMs = 300_000): void => {
  const want = byOrdinal(names).join();
  waitFor(sim, `ss converged to ${want}`, () => {
    if (byOrdinal(ssPods(sim)).join() !== want || !names.every((n) => ready(sim, n))) return false;
    const s = get<Json>(sim, 'StatefulSet', 'ss');
    return s?.status?.observedGeneration === s?.metadata?.generation && s?.status?.replicas === names.length && s?.status?.readyReplicas === names.length
      && s?.status?.currentReplicas === names.length && s?.status?.updatedReplicas === names.length;
  }, timeoutMs);
};

/** `[label, seq]` pairs must be strictly ascending in the log. */
const expectLogOrder = (steps: ReadonlyArray<readonly [string, number]>): void => {
  for (let i = 1; i < steps.length; i++) {
    const [pa, sa] = steps[i - 1]!;
    const [pb, sb] = steps[i]!;
    expect(sa, `log order: ${pa} (seq ${sa}) before ${pb} (seq ${sb}); full order: ${steps.map(([l, s]) => `${l}@${s}`).join(', ')}`).toBeLessThan(sb);
  }
};

/** Labelled seqs: ADDED and READY of each created pod in turn (the last one's READY included). */
const creationSteps = (sim: Simulation, names: readonly string[], since: number): Array<[string, number]> =>
  names.flatMap((n) => [[`ADDED ${n}`, seqOf(sim, 'ADDED', 'Pod', n, since)], [`Ready(${n})`, seqOf(sim, 'READY', 'Pod', n, since)]] as Array<[string, number]>);

/** Labelled seqs: deletionTimestamp then Gone of each condemned pod in turn. */
const deletionSteps = (sim: Simulation, names: readonly string[], since: number): Array<[string, number]> =>
  names.flatMap((n) => [[`Terminating(${n})`, seqOf(sim, 'TERMINATING', 'Pod', n, since)], [`Gone(${n})`, seqOf(sim, 'DELETED', 'Pod', n, since)]] as Array<[string, number]>);

/** Every pod of `ss` in the log was created (ADDED) by the statefulset controller and only once per name after `since`. */
const expectCreatedOnce = (sim: Simulation, names: readonly string[], since: number): void => {
  for (const n of names) {
    const adds = entriesOf(sim, 'Pod', n, since).filter((e) => e.type === 'ADDED');
    expect(adds.map((e) => e.actor), `${n} created once, by the statefulset controller`).toEqual(['statefulset-controller']);
  }
};

/** The condemned pods were deleted by the statefulset controller (their first deletionTimestamp). */
const expectDeletedByController = (sim: Simulation, names: readonly string[], since: number): void => {
  for (const n of names) {
    const term = entriesOf(sim, 'Pod', n, since).find((e) => e.type !== 'DELETED' && e.object.metadata?.deletionTimestamp !== undefined);
    expect(term?.actor, `${n} deleted by`).toBe('statefulset-controller');
  }
};

/** Never more than one pod of ss not Ready (OrderedReady) while replaying the log after `since`. */
const expectOneAtATime = (sim: Simulation, since: number): void => {
  const pods = new Map<string, Pod>();
  for (const e of objectEntries(sim)) {
    if (e.object.kind !== 'Pod' || !/^ss-\d+$/.test(e.object.metadata?.name ?? '')) continue;
    const n = e.object.metadata!.name!;
    if (e.type === 'DELETED') pods.delete(n); else pods.set(n, e.object as Pod);
    if (e.seq <= since) continue;
    const unsettled = [...pods.values()].filter((p) => !isRunningAndReady(p) || p.metadata?.deletionTimestamp !== undefined).map((p) => p.metadata!.name);
    expect(unsettled.length, `seq ${e.seq}: more than one pod of ss in transition: ${unsettled.join(', ')}`).toBeLessThanOrEqual(1);
  }
};

/** The final pods carry their own ordinal: name, pod-name and pod-index labels, hostname, one controller ref to ss. */
const expectIdentity = (sim: Simulation, names: readonly string[]): void => {
  const set = mustGet<Json>(sim, 'StatefulSet', 'ss');
  for (const n of names) {
    const p = mustGet<Pod>(sim, 'Pod', n);
    expect(p.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], `${n} pod-name label`).toBe(n);
    expect(p.metadata?.labels?.['apps.kubernetes.io/pod-index'], `${n} pod-index label`).toBe(n.slice(3));
    expect(p.spec?.hostname, `${n} hostname`).toBe(n);
    expect(p.spec?.subdomain).toBe('nginx');
    expect(p.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'ss', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }
};

/** Names of pods of ss that ever existed in the log (after `since`). */
const everCreated = (sim: Simulation, since = 0): string[] =>
  byOrdinal([...new Set(objectEntries(sim, since).filter((e) => e.object.kind === 'Pod' && e.type === 'ADDED' && /^ss-\d+$/.test(e.object.metadata?.name ?? '')).map((e) => e.object.metadata!.name!))]);

/** A snapshot of a running pod that a restart or a recreation would change. */
const incarnation = (p: Pod) => ({
  uid: p.metadata?.uid,
  containerID: p.status?.containerStatuses?.[0]?.containerID,
  startedAt: p.status?.containerStatuses?.[0]?.state?.running?.startedAt,
  restartCount: p.status?.containerStatuses?.[0]?.restartCount,
});

describe('C. Ordinals', () => {
  it('S28 (a) — start 2, replicas 3: pods ss-2, ss-3, ss-4 created in that order', () => {
    const sim = newCluster();
    create(sim, ...ssObjects(3, 2));
    convergeTo(sim, ['ss-2', 'ss-3', 'ss-4']);
    sleep(sim, 5_000);
    expect(byOrdinal(ssPods(sim))).toEqual(['ss-2', 'ss-3', 'ss-4']);
    expect(everCreated(sim), 'no pod outside ss-2..ss-4 ever existed').toEqual(['ss-2', 'ss-3', 'ss-4']);
    expectLogOrder(creationSteps(sim, ['ss-2', 'ss-3', 'ss-4'], 0));
    expectCreatedOnce(sim, ['ss-2', 'ss-3', 'ss-4'], 0);
    expectOneAtATime(sim, 0);
    expectIdentity(sim, ['ss-2', 'ss-3', 'ss-4']);
    expect(mustGet<Json>(sim, 'StatefulSet', 'ss').spec.ordinals).toEqual({ start: 2 });
    expect(mustGet<Json>(sim, 'StatefulSet', 'ss').status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3 });
  });

  it('S28 (b) — start unset, replicas 2 → replicas 3 + start 2: ss-2, ss-3, ss-4 created ascending, then ss-1, then ss-0 deleted', () => {
    const sim = newCluster();
    create(sim, ...ssObjects(2));
    convergeTo(sim, ['ss-0', 'ss-1']);
    const since = sim.log.lastSeq();
    patch(sim, 'StatefulSet', 'ss', { spec: { replicas: 3, ordinals: { start: 2 } } });
    convergeTo(sim, ['ss-2', 'ss-3', 'ss-4']);
    sleep(sim, 5_000);
    expect(byOrdinal(ssPods(sim))).toEqual(['ss-2', 'ss-3', 'ss-4']);
    // ss-2, ss-3, ss-4 created ascending, each after the previous is Ready; then ss-1 deleted; once it is gone, ss-0.
    expectLogOrder([...creationSteps(sim, ['ss-2', 'ss-3', 'ss-4'], since), ...deletionSteps(sim, ['ss-1', 'ss-0'], since)]);
    expectCreatedOnce(sim, ['ss-2', 'ss-3', 'ss-4'], since);
    expectDeletedByController(sim, ['ss-1', 'ss-0'], since);
    expect(everCreated(sim, since), 'only the new range is created').toEqual(['ss-2', 'ss-3', 'ss-4']);
    expectOneAtATime(sim, since);
    expectIdentity(sim, ['ss-2', 'ss-3', 'ss-4']);
  });

  it('S28 (c) — start 2, replicas 2 → start 4: ss-4, ss-5 created, then ss-3, then ss-2 deleted', () => {
    const sim = newCluster();
    create(sim, ...ssObjects(2, 2));
    convergeTo(sim, ['ss-2', 'ss-3']);
    expect(everCreated(sim)).toEqual(['ss-2', 'ss-3']);
    const since = sim.log.lastSeq();
    patch(sim, 'StatefulSet', 'ss', { spec: { ordinals: { start: 4 } } });
    convergeTo(sim, ['ss-4', 'ss-5']);
    sleep(sim, 5_000);
    expect(byOrdinal(ssPods(sim))).toEqual(['ss-4', 'ss-5']);
    expectLogOrder([...creationSteps(sim, ['ss-4', 'ss-5'], since), ...deletionSteps(sim, ['ss-3', 'ss-2'], since)]);
    expectCreatedOnce(sim, ['ss-4', 'ss-5'], since);
    expectDeletedByController(sim, ['ss-3', 'ss-2'], since);
    expect(everCreated(sim, since)).toEqual(['ss-4', 'ss-5']);
    expectOneAtATime(sim, since);
    expectIdentity(sim, ['ss-4', 'ss-5']);
  });

  it('S28 (d) — start 3, replicas 2 → start 2: ss-3 kept (same UID, not restarted), ss-2 created, then ss-4 deleted', () => {
    const sim = newCluster();
    create(sim, ...ssObjects(2, 3));
    convergeTo(sim, ['ss-3', 'ss-4']);
    const kept = incarnation(mustGet<Pod>(sim, 'Pod', 'ss-3'));
    expect(kept.containerID).toBeDefined();
    const since = sim.log.lastSeq();
    patch(sim, 'StatefulSet', 'ss', { spec: { ordinals: { start: 2 } } });
    convergeTo(sim, ['ss-2', 'ss-3']);
    sleep(sim, 5_000);
    expect(byOrdinal(ssPods(sim))).toEqual(['ss-2', 'ss-3']);
    // ss-3 is the same object, never terminating, never restarted, Ready throughout.
    expect(incarnation(mustGet<Pod>(sim, 'Pod', 'ss-3')), 'ss-3 kept as is').toEqual(kept);
    for (const e of entriesOf(sim, 'Pod', 'ss-3', since)) {
      expect(e.type, `ss-3 entry seq ${e.seq}`).toBe('MODIFIED');
      expect(e.object.metadata?.uid).toBe(kept.uid);
      expect(e.object.metadata?.deletionTimestamp, `ss-3 terminating at seq ${e.seq}`).toBeUndefined();
      expect(isRunningAndReady(e.object as Pod), `ss-3 not Ready at seq ${e.seq}`).toBe(true);
    }
    expectLogOrder([...creationSteps(sim, ['ss-2'], since), ...deletionSteps(sim, ['ss-4'], since)]);
    expectCreatedOnce(sim, ['ss-2'], since);
    expectDeletedByController(sim, ['ss-4'], since);
    expect(everCreated(sim, since)).toEqual(['ss-2']);
    expectOneAtATime(sim, since);
    expectIdentity(sim, ['ss-2', 'ss-3']);
  });

  it('S28 (e) — start 3 → ordinals removed: final ss-0, ss-1 (created ascending, then ss-4, then ss-3 deleted)', () => {
    const sim = newCluster();
    create(sim, ...ssObjects(2, 3));
    convergeTo(sim, ['ss-3', 'ss-4']);
    const since = sim.log.lastSeq();
    patch(sim, 'StatefulSet', 'ss', { spec: { ordinals: null } });
    expect(mustGet<Json>(sim, 'StatefulSet', 'ss').spec.ordinals).toBeUndefined();
    convergeTo(sim, ['ss-0', 'ss-1']);
    sleep(sim, 5_000);
    expect(byOrdinal(ssPods(sim))).toEqual(['ss-0', 'ss-1']);
    // §1.6: when the range moves, new-range pods are created first (ascending), then out-of-range pods deleted (descending).
    expectLogOrder([...creationSteps(sim, ['ss-0', 'ss-1'], since), ...deletionSteps(sim, ['ss-4', 'ss-3'], since)]);
    expectCreatedOnce(sim, ['ss-0', 'ss-1'], since);
    expectDeletedByController(sim, ['ss-4', 'ss-3'], since);
    expect(everCreated(sim, since)).toEqual(['ss-0', 'ss-1']);
    expectOneAtATime(sim, since);
    expectIdentity(sim, ['ss-0', 'ss-1']);
  });

  it('S28 — with volumeClaimTemplates the claims follow the ordinals (www-ss-2 …); claims of old ordinals remain (Retain)', () => {
    const sim = newCluster();
    create(sim, ...ssObjects(2, undefined, true));
    convergeTo(sim, ['ss-0', 'ss-1']);
    expect(claimNames(sim)).toEqual(['www-ss-0', 'www-ss-1']);
    const old = ['www-ss-0', 'www-ss-1'].map((c) => structuredClone(mustGet<Json>(sim, 'PersistentVolumeClaim', c)));
    const since = sim.log.lastSeq();
    patch(sim, 'StatefulSet', 'ss', { spec: { replicas: 3, ordinals: { start: 2 } } });
    convergeTo(sim, ['ss-2', 'ss-3', 'ss-4']);
    waitFor(sim, 'the new claims Bound', () => ['www-ss-2', 'www-ss-3', 'www-ss-4'].every((c) => get<Json>(sim, 'PersistentVolumeClaim', c)?.status?.phase === 'Bound'), 60_000);
    sleep(sim, 10_000);
    // Claims follow the ordinals: www-ss-k created for ss-k, just before it, by the controller.
    expect(claimNames(sim)).toEqual(['www-ss-0', 'www-ss-1', 'www-ss-2', 'www-ss-3', 'www-ss-4']);
    const steps: Array<[string, number]> = [];
    for (const n of ['ss-2', 'ss-3', 'ss-4']) {
      const add = entriesOf(sim, 'PersistentVolumeClaim', `www-${n}`, since).filter((e) => e.type === 'ADDED');
      expect(add.map((e) => e.actor), `www-${n} created once by the controller`).toEqual(['statefulset-controller']);
      steps.push([`ADDED www-${n}`, add[0]!.seq], [`ADDED ${n}`, seqOf(sim, 'ADDED', 'Pod', n, since)], [`Ready(${n})`, seqOf(sim, 'READY', 'Pod', n, since)]);
      const p = mustGet<Pod>(sim, 'Pod', n);
      expect(p.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName, `${n} mounts`).toBe(`www-${n}`);
      const c = mustGet<Json>(sim, 'PersistentVolumeClaim', `www-${n}`);
      expect(c.metadata.labels).toEqual({ app: 'nginx' });
      expect(c.metadata.ownerReferences ?? []).toEqual([]);
    }
    expectLogOrder([...steps, ...deletionSteps(sim, ['ss-1', 'ss-0'], since)]);
    // No claim for another ordinal was ever created.
    expect(objectEntries(sim, since).filter((e) => e.object.kind === 'PersistentVolumeClaim' && e.type === 'ADDED').map((e) => e.object.metadata!.name).sort())
      .toEqual(['www-ss-2', 'www-ss-3', 'www-ss-4']);
    // The claims of the old ordinals remain: same objects, Bound to the same volumes, never deleted, no owner references.
    for (const o of old) {
      const name: string = o.metadata.name;
      const c = mustGet<Json>(sim, 'PersistentVolumeClaim', name);
      expect(c.metadata.uid, `${name} uid`).toBe(o.metadata.uid);
      expect(c.spec.volumeName).toBe(o.spec.volumeName);
      expect(c.status.phase).toBe('Bound');
      expect(c.metadata.ownerReferences ?? []).toEqual([]);
      expect(entriesOf(sim, 'PersistentVolumeClaim', name, since).filter((e) => e.type === 'DELETED' || e.object.metadata?.deletionTimestamp !== undefined), `${name} deleted`).toEqual([]);
      expect(mustGet<Json>(sim, 'PersistentVolume', o.spec.volumeName, '').status.phase).toBe('Bound');
    }
    expect(list<Json>(sim, 'PersistentVolume').length).toBe(5);
    expect(firstSeq(sim, 'ADDED', 'Pod', 'ss-0', since), 'ss-0 not recreated').toBeUndefined();
  });
});
