import { nsName, type KObject, type Node, type Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { podsByNode, type Snapshot } from '@kubesim/state';
import type { ComponentDef, KeysForContext } from '../framework/component.js';
import { syncPodGc } from './core.js';
import {
  POD_GC_NAME, TERMINATED_KEY, defaultPodGcConfig, initialPodGcLocal, isOutOfService, isPodTerminated, nodeKey, type PodGcConfig, type PodGcLocal,
} from './types.js';

const podKey = (p: Pod): string => nsName(p.metadata?.namespace, p.metadata?.name ?? '');

/** The key a pod entry concerns, if any: its node is gone or out of service, or it is terminating unscheduled. */
const podKeys = (pod: Pod, snap: Snapshot): readonly string[] => {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return pod.metadata?.deletionTimestamp !== undefined ? [podKey(pod)] : [];
  const node = snap.get('Node', '', nodeName);
  if (!node) return [nodeKey(nodeName)];
  return pod.metadata?.deletionTimestamp !== undefined && isOutOfService(node) ? [nodeKey(nodeName)] : [];
};

/**
 * Event handlers, O(1) per entry (a node lookup): a deleted node, a node that became out-of-service
 * (NotReady + taint), a pod bound to a missing node or terminating on an out-of-service node → that
 * node; an unscheduled terminating pod → the pod.
 */
export const podGcKeysFor = (
  e: Envelope, old: KObject | undefined, snap: Snapshot, config: PodGcConfig = defaultPodGcConfig, ctx?: KeysForContext<PodGcLocal>,
): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  // [gcTerminated]: a pod that just terminated takes the count past the threshold.
  if (e.object.kind === 'Pod' && config.terminatedPodThreshold > 0 && ctx !== undefined && ctx.local.terminated > config.terminatedPodThreshold
    && e.type !== 'DELETED' && isPodTerminated(e.object as Pod) && !isPodTerminated(old as Pod | undefined)) {
    return [...podKeysOf(e, old, snap), TERMINATED_KEY];
  }
  return podKeysOf(e, old, snap);
};

const podKeysOf = (e: Envelope & { object: KObject }, old: KObject | undefined, snap: Snapshot): readonly string[] => {
  const o = e.object;
  if (o.kind === 'Node') {
    const node = o as Node;
    const name = node.metadata?.name ?? '';
    if (e.type === 'DELETED') return [nodeKey(name)];
    if (!isOutOfService(node)) return [];
    const prev = old as Node | undefined;
    return prev && isOutOfService(prev) ? [] : [nodeKey(name)];
  }
  if (o.kind !== 'Pod' || e.type === 'DELETED') return [];
  return podKeys(o as Pod, snap);
};

/** `observe`: a node that (re)appears leaves quarantine; a force-deleted pod that is gone is forgotten. */
export const observePodGc = (e: Envelope, old: KObject | undefined, local: PodGcLocal): PodGcLocal => {
  if (!isObjectEntry(e)) return local;
  const o = e.object;
  if (o.kind === 'Pod') {
    const delta = (e.type !== 'DELETED' && isPodTerminated(o as Pod) ? 1 : 0) - (isPodTerminated(old as Pod | undefined) ? 1 : 0);
    if (delta !== 0) local = { ...local, terminated: local.terminated + delta };
  }
  if (o.kind === 'Node' && e.type === 'ADDED' && local.missing.has(o.metadata?.name ?? '')) {
    const missing = new Map(local.missing);
    missing.delete(o.metadata?.name ?? '');
    return { ...local, missing };
  }
  if (o.kind === 'Pod' && e.type === 'DELETED' && local.deleting.size > 0 && local.deleting.has(o.metadata?.uid ?? '')) {
    return { ...local, deleting: local.deleting.delete(o.metadata?.uid ?? '') };
  }
  return local;
};

/**
 * The pod garbage collector (§1.13): [gcOrphaned] pods bound to a node that no longer exists are marked
 * Failed (DisruptionTarget, DeletionByPodGC) and force-deleted after a 40 s quarantine; [gcTerminating]
 * terminating pods on a NotReady node tainted `node.kubernetes.io/out-of-service` and
 * [gcUnscheduledTerminating] terminating pods never scheduled are force-deleted; [gcTerminated] past
 * --terminated-pod-gc-threshold (12500) terminated pods, the oldest (evicted first) are deleted.
 * Event-driven with timers instead of a 20 s loop: the handlers keep a count of terminated pods (O(1)
 * per entry) and the list is read only when the count passes the threshold.
 */
export const podGarbageCollector: ComponentDef<PodGcConfig, PodGcLocal> = {
  name: POD_GC_NAME,
  watches: ['Pod', 'Node'],
  indexes: [podsByNode],
  keysFor: podGcKeysFor,
  initialKeys(snap, config) {
    const keys = new Set<string>();
    for (const n of snap.list('Node')) if (isOutOfService(n)) keys.add(nodeKey(n.metadata?.name ?? ''));
    let terminated = 0;
    for (const p of snap.list('Pod')) {
      for (const k of podKeys(p, snap)) keys.add(k);
      if (isPodTerminated(p)) terminated++;
    }
    if (config.terminatedPodThreshold > 0 && terminated > config.terminatedPodThreshold) keys.add(TERMINATED_KEY);
    return keys;
  },
  reconcile: syncPodGc,
  initialLocal: initialPodGcLocal,
  observe: observePodGc,
};

export { defaultPodGcConfig };
