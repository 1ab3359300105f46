import { isFailed, isSucceeded, type KObject, type Pod, type StatefulSet } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import {
  SS_ACTOR, claimNameFor, inRange, isTerminatingPod, nameOf, nsOf, parseMemberName, templateNames,
} from '../model.js';
import type { SetModel, World } from '../world.js';

/** What a StatefulSet controller write to a pod is, in terms of §1.5. */
export type PodWriteKind = 'create' | 'condemned-delete' | 'update-delete' | 'failed-delete' | 'update' | 'other';

export interface PodWrite {
  readonly kind: PodWriteKind;
  readonly set: SetModel;
  readonly pod: Pod;
  readonly before: Pod | undefined;
  /** The pod's ordinal in its set (-1 when its name is not `<set>-<k>`). */
  readonly ordinal: number;
  /**
   * The seq the controller reacted to: its snapshot was at a seq in [cause, e.seq). -1 while its view
   * may be out of log order (watch-reorder): every window check then passes if the condition held at
   * any time.
   */
  readonly cause: number;
}

/** Classify a statefulset-controller write to a pod; undefined for other actors or pods of no known set. */
export const podWriteOf = (world: World, e: Envelope, before: KObject | undefined): PodWrite | undefined => {
  if (e.actor !== SS_ACTOR || e.object === undefined) return undefined;
  // A snapshot that is no prefix of the log (watch-reorder): "the controller saw the cause" means nothing.
  const stale = world.staleView(SS_ACTOR, e.time);
  const pod = e.object as Pod;
  const prev = before as Pod | undefined;
  const set = world.setOf(pod) ?? world.setOf(prev) ?? world.setByPodName(nsOf(pod), nameOf(pod));
  if (set === undefined) return undefined;
  const { parent, ordinal: o } = parseMemberName(nameOf(pod));
  const ordinal = parent === set.name ? o : -1;
  const cause = stale ? -1 : e.cause ?? 0;
  let kind: PodWriteKind = 'other';
  if (e.type === 'ADDED') kind = 'create';
  else if (e.op === 'delete' && prev !== undefined && !isTerminatingPod(prev)) {
    if (ordinal >= 0 && !inRange(set.obj, ordinal)) kind = 'condemned-delete';
    else if (isFailed(prev) || isSucceeded(prev)) kind = 'failed-delete';
    else kind = 'update-delete';
  } else if (e.op === 'update') kind = 'update';
  return { kind, set, pod, before: prev, ordinal, cause };
};

/** The claims a member of `set` at `ordinal` must mount, in template order. */
export const claimsOfOrdinal = (set: StatefulSet, ordinal: number): { template: string; claim: string }[] =>
  templateNames(set).map((t) => ({ template: t, claim: claimNameFor(t, nameOf(set), ordinal) }));

/** K1.5 [SSU identityMatches]: what is wrong with the pod's identity, if anything. */
export const identityProblem = (set: StatefulSet, pod: Pod, ordinal: number): string | undefined => {
  if (ordinal < 0) return `its name ${nameOf(pod)} is not ${nameOf(set)}-<ordinal>`;
  if (nsOf(pod) !== nsOf(set)) return `it is in namespace ${nsOf(pod)}, the set in ${nsOf(set)}`;
  const label = pod.metadata?.labels?.['statefulset.kubernetes.io/pod-name'];
  if (label !== nameOf(pod)) return `its label statefulset.kubernetes.io/pod-name is ${label === undefined ? 'missing' : `"${label}"`}`;
  return undefined;
};

/** K1.3 [SSU storageMatches]: each claim template's volume names `<template>-<set>-<ordinal>`. */
export const storageProblem = (set: StatefulSet, pod: Pod, ordinal: number): string | undefined => {
  if (ordinal < 0) return undefined;
  const vols = pod.spec?.volumes ?? [];
  for (const { template, claim } of claimsOfOrdinal(set, ordinal)) {
    const v = vols.find((x) => x.name === template);
    const got = v?.persistentVolumeClaim?.claimName;
    if (got !== claim) return `its volume ${template} ${v === undefined ? 'is missing' : got === undefined ? 'is not a claim' : `mounts claim ${got}`} (want claim ${claim})`;
  }
  return undefined;
};

export const setLabel = (m: SetModel): string => `statefulset ${m.namespace}/${m.name}`;
export const podLabel = (p: Pod): string => `pod ${nsOf(p)}/${nameOf(p)}`;

/**
 * The writes of one StatefulSet sync: the controller's writes for a set that share a cause, up to the
 * set's next status write (each sync writes its status at most once, at its end).
 */
export class SyncTracker {
  private readonly bySet = new Map<string, { cause: number; creates: number; condemned: number; updates: number[] }>();

  /** The current sync's counters for a write of `set` with `cause`. */
  of(setUid: string, cause: number): { creates: number; condemned: number; updates: number[] } {
    let s = this.bySet.get(setUid);
    if (s === undefined || s.cause !== cause) {
      s = { cause, creates: 0, condemned: 0, updates: [] };
      this.bySet.set(setUid, s);
    }
    return s;
  }

  /** Call for every entry: a status write of a set by the controller ends its sync. */
  observe(e: Envelope): void {
    const o = e.object;
    if (o?.kind === 'StatefulSet' && e.actor === SS_ACTOR && e.op === 'update/status') this.bySet.delete(o.metadata?.uid ?? '');
    else if (o?.kind === 'StatefulSet' && e.type === 'DELETED') this.bySet.delete(o.metadata?.uid ?? '');
  }
}

/**
 * The cause of a controller write as a lower bound of its snapshot's seq; -1 while the writer's view may
 * be out of log order (watch-reorder fault), which makes every "since the cause" judgement lenient.
 */
export const causeOf = (world: World, e: Envelope): number => (world.staleView(e.actor, e.time) ? -1 : e.cause ?? 0);
