import { compileSelector, controllerRefOf, nsName, splitNsName, type Pod, sameStringMap } from '@kubesim/api';
import { isObjectEntry } from '@kubesim/log';
import { podsByControllerUid, type Snapshot } from '@kubesim/state';
import type { ComponentDef } from '../framework/component.js';
import { syncStatefulSet, defaultStatefulSetConfig, type StatefulSetConfig } from './sync.js';

/** The sets in the pod's namespace whose selector matches it [SS getPodStatefulSets]. */
const matchingSets = (snap: Snapshot, pod: Pod): string[] => {
  const out: string[] = [];
  const ns = pod.metadata?.namespace ?? '';
  for (const s of snap.list('StatefulSet', ns)) {
    if (compileSelector(s.spec?.selector).matches(pod.metadata?.labels)) out.push(nsName(ns, s.metadata!.name!));
  }
  return out;
};

/** The set a controller ref points at, if it is a StatefulSet with that uid [SS resolveControllerRef]. */
const resolveRef = (snap: Snapshot, pod: Pod): string | undefined => {
  const ref = controllerRefOf(pod.metadata);
  if (!ref || ref.kind !== 'StatefulSet') return undefined;
  const ns = pod.metadata?.namespace ?? '';
  const s = snap.get('StatefulSet', ns, ref.name);
  return s && s.metadata?.uid === ref.uid ? nsName(ns, ref.name) : undefined;
};


/**
 * The StatefulSet controller (§1): handlers of [SS addPod/updatePod/deletePod] map pod events to the
 * owning set (or, for orphans, every set whose selector matches); the sync is `syncStatefulSet`.
 */
export const statefulSetController: ComponentDef<StatefulSetConfig, undefined> = {
  name: 'statefulset-controller',
  watches: ['StatefulSet', 'Pod', 'PersistentVolumeClaim', 'ControllerRevision'],
  indexes: [podsByControllerUid],
  keysFor(e, old, snap) {
    if (!isObjectEntry(e)) return [];
    const o = e.object;
    if (o.kind === 'StatefulSet') return [nsName(o.metadata?.namespace, o.metadata!.name!)];
    if (o.kind !== 'Pod') return [];
    const pod = o as Pod;
    // The snapshot already holds the new state; a DELETED pod is resolved against its last state.
    const owner = controllerRefOf(pod.metadata);
    if (e.type === 'DELETED') {
      const k = owner ? resolveRef(snap, pod) : undefined;
      return k ? [k] : [];
    }
    const prev = old as Pod | undefined;
    if (prev && prev.metadata?.resourceVersion === pod.metadata?.resourceVersion) return [];
    const keys: string[] = [];
    const add = (k: string | undefined): void => { if (k !== undefined && !keys.includes(k)) keys.push(k); };
    const prevOwner = prev ? controllerRefOf(prev.metadata) : undefined;
    if (prev && prevOwner && prevOwner.uid !== owner?.uid) add(resolveRef(snap, prev));
    if (owner) {
      add(resolveRef(snap, pod));
      return keys;
    }
    const labelChanged = !prev || !sameStringMap(prev.metadata?.labels, pod.metadata?.labels) || prevOwner !== undefined;
    if (labelChanged || e.type === 'ADDED') for (const k of matchingSets(snap, pod)) add(k);
    return keys;
  },
  initialKeys(snap) {
    const out: string[] = [];
    for (const s of snap.list('StatefulSet')) out.push(nsName(s.metadata?.namespace, s.metadata!.name!));
    return out;
  },
  reconcile({ snapshot, key, now, config }) {
    const { namespace, name } = splitNsName(key);
    return syncStatefulSet(snapshot, namespace, name, now, config);
  },
  initialLocal: () => undefined,
};

export { defaultStatefulSetConfig };
export type { StatefulSetConfig };
