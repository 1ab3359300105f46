import { controllerRefOf, nsName, type KObject, type OwnerReference, type Pod, type ReplicaSet, sameStringMap } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { NO_VALUES, memoSingle, podsByControllerUid, type IndexSpec, type Snapshot } from '@kubesim/state';

const rsControllerValues = memoSingle();
import type { ComponentDef } from '../framework/index.js';
import { syncReplicaSet, RS_CONTROLLER_INDEX } from './core.js';
import { creationObserved, deletionObserved, dropExpectations } from './expectations.js';
import { rsSelector } from './pods.js';
import { CONTROLLER_NAME, defaultReplicaSetControllerConfig, type ReplicaSetControllerConfig, type ReplicaSetLocal } from './types.js';

/** ReplicaSets by the uid of their controller (a Deployment): [RS controllerUIDIndex], for rank rule 5. */
export const replicaSetsByControllerUid: IndexSpec = {
  name: RS_CONTROLLER_INDEX, kind: 'ReplicaSet',
  fn: (o: KObject) => {
    const ref = controllerRefOf(o.metadata);
    return ref ? rsControllerValues(ref.uid) : NO_VALUES;
  },
};

const rsKey = (rs: KObject): string => nsName(rs.metadata?.namespace, rs.metadata?.name ?? '');

/** [RS resolveControllerRef]: the ReplicaSet a controller ref names, if it exists with that uid. */
const resolveControllerRef = (snap: Snapshot, namespace: string, ref: OwnerReference): ReplicaSet | undefined => {
  if (ref.kind !== 'ReplicaSet') return undefined;
  const rs = snap.get('ReplicaSet', namespace, ref.name);
  return rs && rs.metadata?.uid === ref.uid ? rs : undefined;
};

/** [RS getPodReplicaSets]: ReplicaSets of the pod's namespace whose (non-empty) selector matches its labels. */
const podReplicaSets = (snap: Snapshot, pod: Pod): string[] => {
  const labels = pod.metadata?.labels;
  if (!labels || Object.keys(labels).length === 0) return [];
  const out: string[] = [];
  for (const rs of snap.list('ReplicaSet', pod.metadata?.namespace ?? '')) {
    const s = rsSelector(rs);
    if (s && !s.empty && s.matches(labels)) out.push(rsKey(rs));
  }
  return out;
};


const sameRef = (a: OwnerReference | undefined, b: OwnerReference | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name
    && a.uid === b.uid && a.controller === b.controller && a.blockOwnerDeletion === b.blockOwnerDeletion);

/** Key of the ReplicaSet a pod's controller ref resolves to (deletePod / the controller-ref branch). */
const ownerKey = (snap: Snapshot, pod: Pod): string[] => {
  const ref = controllerRefOf(pod.metadata);
  if (!ref) return [];
  const rs = resolveControllerRef(snap, pod.metadata?.namespace ?? '', ref);
  return rs ? [rsKey(rs)] : [];
};

/** [RS addPod, updatePod, deletePod, addRS, updateRS, deleteRS] as key mapping. */
export const replicaSetKeysFor = (e: Envelope, old: KObject | undefined, snap: Snapshot): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  if (o.kind === 'ReplicaSet') return [rsKey(o)];
  if (o.kind !== 'Pod') return [];
  const pod = o as Pod;
  if (e.type === 'DELETED') return ownerKey(snap, pod);
  const oldPod = e.type === 'MODIFIED' ? (old as Pod | undefined) : undefined;
  if (!oldPod) {
    // addPod: a pod that is already terminating counts as a deletion.
    if (pod.metadata?.deletionTimestamp !== undefined) return ownerKey(snap, pod);
    if (controllerRefOf(pod.metadata)) return ownerKey(snap, pod);
    return podReplicaSets(snap, pod);
  }
  const labelChanged = !sameStringMap(pod.metadata?.labels, oldPod.metadata?.labels);
  const keys: string[] = [];
  if (pod.metadata?.deletionTimestamp !== undefined) {
    keys.push(...ownerKey(snap, pod));
    if (labelChanged) keys.push(...ownerKey(snap, oldPod));
  } else {
    const curRef = controllerRefOf(pod.metadata);
    const oldRef = controllerRefOf(oldPod.metadata);
    const refChanged = !sameRef(curRef, oldRef);
    if (refChanged && oldRef) {
      const rs = resolveControllerRef(snap, oldPod.metadata?.namespace ?? '', oldRef);
      if (rs) keys.push(rsKey(rs));
    }
    if (curRef) keys.push(...ownerKey(snap, pod));
    else if (labelChanged || refChanged) keys.push(...podReplicaSets(snap, pod));
  }
  return keys.length > 1 ? [...new Set(keys)] : keys;
};

/** The expectation record a pod's controller ref points at: key and uid (kind ReplicaSet only). */
const refKey = (pod: Pod): { key: string; uid: string } | undefined => {
  const ref = controllerRefOf(pod.metadata);
  return ref && ref.kind === 'ReplicaSet' ? { key: nsName(pod.metadata?.namespace, ref.name), uid: ref.uid } : undefined;
};

const observeDeletion = (local: ReplicaSetLocal, pod: Pod): ReplicaSetLocal => {
  const r = refKey(pod);
  return r ? deletionObserved(local, r.key, [nsName(pod.metadata?.namespace, pod.metadata?.name ?? '')], r.uid) : local;
};

/**
 * The expectation side of the informer handlers: pod ADDED lowers `add` (already terminating: a deletion);
 * a pod that gets a deletionTimestamp or is DELETED lowers `del` for its key; a deleted ReplicaSet drops its
 * record. Returns `local` unchanged (no copy) for everything else.
 */
export const observeReplicaSetEntry = (e: Envelope, old: KObject | undefined, local: ReplicaSetLocal): ReplicaSetLocal => {
  if (!isObjectEntry(e)) return local;
  const o = e.object;
  if (o.kind === 'ReplicaSet') {
    if (e.type === 'DELETED' || (old && old.metadata?.uid !== o.metadata?.uid)) return dropExpectations(local, rsKey(o));
    return local;
  }
  if (o.kind !== 'Pod' || local.size === 0) return local;
  const pod = o as Pod;
  if (e.type === 'DELETED') return observeDeletion(local, pod);
  const oldPod = e.type === 'MODIFIED' ? (old as Pod | undefined) : undefined;
  if (!oldPod) {
    if (pod.metadata?.deletionTimestamp !== undefined) return observeDeletion(local, pod);
    const r = refKey(pod);
    return r ? creationObserved(local, r.key, 1, r.uid) : local;
  }
  if (pod.metadata?.deletionTimestamp === undefined) return local;
  let next = observeDeletion(local, pod);
  if (!sameStringMap(pod.metadata?.labels, oldPod.metadata?.labels)) next = observeDeletion(next, oldPod);
  return next;
};

/** The ReplicaSet controller (k8s-semantics §2): keys are `namespace/name` of ReplicaSets. */
export const replicaSetController: ComponentDef<ReplicaSetControllerConfig, ReplicaSetLocal> = {
  name: CONTROLLER_NAME,
  watches: ['ReplicaSet', 'Pod'],
  indexes: [podsByControllerUid, replicaSetsByControllerUid],
  keysFor: (e, old, snap) => replicaSetKeysFor(e, old, snap),
  initialKeys: function* (snap) {
    for (const rs of snap.list('ReplicaSet')) yield rsKey(rs);
  },
  reconcile: syncReplicaSet,
  initialLocal: () => new Map(),
  observe: observeReplicaSetEntry,
};

export { defaultReplicaSetControllerConfig };
