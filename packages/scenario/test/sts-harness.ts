/**
 * Helpers shared by the StatefulSet acceptance tests (acceptance-A, -B, -extra-sts): set `web` of fixture
 * F1, its pods and revisions, the controller's writes in the log, and waits on the rollout.
 */
import type { KObject, Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import { expect } from 'vitest';
import { allReady, mustGet, objectEntries, patch, waitFor, type Json, type ObjEntry } from './harness.js';

export const OLD = 'nginx:1.25';
export const NEW = 'nginx:1.26';
export const SS = 'statefulset-controller';
/** A ControllerRevision name of set `web` (§1.8: SafeEncodeString alphabet, at most 10 characters). */
export const REV_NAME = /^web-[456789bcdf]{1,10}$/;

// ---- reading the set and its pods ---------------------------------------------------------------------------

export const theSet = (sim: Simulation): Json => mustGet<Json>(sim, 'StatefulSet', 'web');
export const status = (sim: Simulation): Json => theSet(sim).status;
export const hashOf = (p: Pod | KObject | undefined): string | undefined => p?.metadata?.labels?.['controller-revision-hash'];
export const imageOf = (p: Pod | KObject | undefined): string | undefined => (p as Pod | undefined)?.spec?.containers?.[0]?.image;
export const pod = (sim: Simulation, name: string): Pod => mustGet<Pod>(sim, 'Pod', name);
export const uidOf = (sim: Simulation, name: string): string => pod(sim, name).metadata!.uid!;
/** web-0 … web-(n-1). */
export const names = (n: number): string[] => Array.from({ length: n }, (_, k) => `web-${k}`);

// ---- edits and waits ----------------------------------------------------------------------------------------

/** One edit of the set: the template's image (the merge patch replaces the container list), plus other spec fields. */
export const edit = (sim: Simulation, image: string, spec: Record<string, unknown> = {}): void => {
  const containers = structuredClone(theSet(sim).spec.template.spec.containers);
  containers[0].image = image;
  patch(sim, 'StatefulSet', 'web', { spec: { ...spec, template: { spec: { containers } } } });
};

/** Wait until the controller has observed the set's current generation. */
export const observed = (sim: Simulation): void =>
  waitFor(sim, 'generation observed', () => status(sim)?.observedGeneration === theSet(sim).metadata.generation, 30_000);

/** Wait until `n` pods are Ready and the status shows the rollout complete (partition 0). */
export const rolledOut = (sim: Simulation, n: number): void => waitFor(sim, 'rollout complete', () => {
  const s = theSet(sim);
  return s.status?.observedGeneration === s.metadata.generation && s.status.currentRevision === s.status.updateRevision
    && s.status.updatedReplicas === n && s.status.readyReplicas === n && s.status.replicas === n && allReady(sim, names(n));
}, 600_000);

// ---- the controller's writes --------------------------------------------------------------------------------

/** Entries written by the StatefulSet controller after `since`. */
export const ssWrites = (sim: Simulation, since: number): ObjEntry[] => objectEntries(sim, since).filter((e) => e.actor === SS);
/** Status writes (the end of a sync) by the controller after `since`. */
export const statusWrites = (sim: Simulation, since: number): ObjEntry[] =>
  ssWrites(sim, since).filter((e) => e.object.kind === 'StatefulSet' && e.op === 'update/status');
/** Pod deletions issued by the controller after `since` (entry per pod, in log order). */
export const podDeletes = (sim: Simulation, since: number): ObjEntry[] =>
  ssWrites(sim, since).filter((e) => e.object.kind === 'Pod' && e.op === 'delete');
export const podDeleteNames = (sim: Simulation, since: number): string[] => podDeletes(sim, since).map((e) => e.object.metadata!.name!);

/** Two controller writes belong to one sync: same triggering entry and no sync ended (status write) between them. */
export const sameSync = (sim: Simulation, a: ObjEntry, b: ObjEntry): boolean => {
  const [lo, hi] = [Math.min(a.seq, b.seq), Math.max(a.seq, b.seq)];
  return a.cause === b.cause && statusWrites(sim, lo).every((s) => s.seq > hi);
};

/** The status written at the end of the sync that made `e`. */
export const statusOfSync = (sim: Simulation, e: ObjEntry): Json => {
  const s = statusWrites(sim, e.seq).find((x) => x.cause === e.cause);
  expect(s, `a status write ends the sync of seq ${e.seq}`).toBeDefined();
  return (s!.object as Json).status;
};

/** Replay the set's pods through the log; `check` runs after each pod entry past `since` with the pods at that point. */
export const replayPods = (sim: Simulation, check: (e: ObjEntry, pods: ReadonlyMap<string, Pod>) => void, since = 0): void => {
  const pods = new Map<string, Pod>();
  for (const e of objectEntries(sim)) {
    if (e.object.kind !== 'Pod' || !/^web-\d+$/.test(e.object.metadata?.name ?? '')) continue;
    const n = e.object.metadata!.name!;
    if (e.type === 'DELETED') pods.delete(n); else pods.set(n, e.object as Pod);
    if (e.seq > since) check(e, pods);
  }
};
