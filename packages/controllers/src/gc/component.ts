import type { KObject, OwnerReference } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { Snapshot } from '@kubesim/state';
import type { ComponentDef } from '../framework/component.js';
import { syncGarbage } from './core.js';
import {
  FOREGROUND_FINALIZER, GARBAGE_COLLECTOR_NAME, GC_KINDS, ORPHAN_FINALIZER, classifyRef, dependentsOf, gcIndexes, gcKey,
  hasFinalizer, isBeingDeleted, isDeletingDependents, isGcKind, isOrphaning,
} from './graph.js';

/** `enabled` mirrors kube-controller-manager's --enable-garbage-collector. */
export interface GarbageCollectorConfig { readonly enabled: boolean }
export const defaultGarbageCollectorConfig: GarbageCollectorConfig = { enabled: true };

const sameRefs = (a: readonly OwnerReference[] | undefined, b: readonly OwnerReference[] | undefined): boolean => {
  if (a === b) return true;
  const x = a ?? [], y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!, q = y[i]!;
    if (p.uid !== q.uid || p.name !== q.name || p.kind !== q.kind || p.apiVersion !== q.apiVersion
      || p.blockOwnerDeletion !== q.blockOwnerDeletion || p.controller !== q.controller) return false;
  }
  return true;
};

/** An owner state the collector acts on: orphaning or deleting dependents. */
const ownerPhase = (o: KObject | undefined): string =>
  !o || !isBeingDeleted(o) ? '' : `${hasFinalizer(o, ORPHAN_FINALIZER) ? 'o' : ''}${hasFinalizer(o, FOREGROUND_FINALIZER) ? 'f' : ''}`;

/** Owners (by reference) in foreground deletion that may be waiting for this dependent. */
const waitingOwners = (snap: Snapshot, o: KObject, refs: readonly OwnerReference[], out: string[]): void => {
  const ns = o.metadata?.namespace ?? '';
  for (const ref of refs) {
    const c = classifyRef(snap, ns, ref);
    if (c.cls === 'waiting' && c.owner) addKey(out, gcKey(c.owner));
  }
};

/** Keys in first-seen order, each once (the lists are short). */
const addKey = (out: string[], k: string): void => { if (!out.includes(k)) out.push(k); };

/**
 * [GC GraphBuilder processGraphChanges] as key mapping: a new object or changed references → the object
 * itself; an owner that disappears or starts deleting its dependents → each dependent; a dependent that
 * disappears or drops references → owners waiting in foreground deletion; an owner that starts
 * orphaning or deleting dependents → itself.
 */
export const garbageCollectorKeysFor = (e: Envelope, old: KObject | undefined, snap: Snapshot): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  if (!isGcKind(o.kind ?? '')) return [];
  const keys: string[] = [];
  const refs = o.metadata?.ownerReferences ?? [];
  const uid = o.metadata?.uid ?? '';
  if (e.type === 'DELETED') {
    const deps = new Set<string>();
    for (const d of dependentsOf(snap, uid)) deps.add(gcKey(d));
    keys.push(...deps);
    waitingOwners(snap, o, refs, keys);
    return keys;
  }
  const prev = e.type === 'MODIFIED' ? old : undefined;
  const refsChanged = !prev || !sameRefs(prev.metadata?.ownerReferences, refs);
  if (refs.length > 0 && refsChanged) keys.push(gcKey(o));
  if (prev && refsChanged) waitingOwners(snap, o, prev.metadata?.ownerReferences ?? [], keys);
  const phase = ownerPhase(o);
  if (phase !== '' && phase !== ownerPhase(prev)) {
    addKey(keys, gcKey(o));
    // [startsWaitingForDependentsDeleted]: every dependent is attempted.
    if (isDeletingDependents(o) && !(prev && isDeletingDependents(prev))) {
      const deps = new Set(keys);
      for (const d of dependentsOf(snap, uid)) { const k = gcKey(d); if (!deps.has(k)) { deps.add(k); keys.push(k); } }
    }
  }
  return keys;
};

/**
 * The garbage collector (§5): background, foreground and orphan cascading deletion over
 * ownerReferences of StatefulSets, ReplicaSets, Pods, PersistentVolumeClaims, ControllerRevisions, and of
 * Services and their EndpointSlices.
 */
export const garbageCollector: ComponentDef<GarbageCollectorConfig, undefined> = {
  name: GARBAGE_COLLECTOR_NAME,
  watches: GC_KINDS,
  indexes: gcIndexes,
  keysFor: (e, old, snap, config) => (config.enabled ? garbageCollectorKeysFor(e, old, snap) : []),
  initialKeys(snap, config) {
    const out: string[] = [];
    if (!config.enabled) return out;
    for (const k of GC_KINDS) {
      for (const o of snap.list(k) as Iterable<KObject>) {
        if ((o.metadata?.ownerReferences?.length ?? 0) > 0 || isOrphaning(o) || isDeletingDependents(o)) out.push(gcKey(o));
      }
    }
    return out;
  },
  liveReads: true,
  reconcile: ({ snapshot, key, config, live }) => (config.enabled ? syncGarbage(snapshot, key, live) : {}),
  initialLocal: () => undefined,
};
