import { isTerminal, parseTimestamp, podClaimNames, type KObject, type Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { FailFault, KubeletLocal, PendingWrite, ReadinessFault, StrandedAttachment } from './types.js';
import { containersStarted } from './status.js';

/**
 * Parse a node fault (`{fault: 'node-down' | 'node-up', node}`): the node's kubelet stops or resumes.
 * Read by the kubelet and by the node-lifecycle controller (its heartbeats stop with the kubelet).
 */
export const parseNodeFault = (data: unknown): { kind: 'node-down' | 'node-up'; node: string } | undefined => {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if ((d.fault !== 'node-down' && d.fault !== 'node-up') || typeof d.node !== 'string' || d.node === '') return undefined;
  return { kind: d.fault, node: d.node };
};

/** Parse the `data` of a FAULT entry addressed to the kubelet's pods. */
export const parseKubeletFault = (data: unknown):
  | { kind: 'pod-readiness'; key: string; namespace: string; name: string; ready: boolean }
  | { kind: 'pod-fail'; key: string; namespace: string; name: string; reason: string; message?: string }
  | undefined => {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if (typeof d.name !== 'string') return undefined;
  const namespace = typeof d.namespace === 'string' && d.namespace !== '' ? d.namespace : 'default';
  const key = `${namespace}/${d.name}`;
  if (d.fault === 'pod-readiness' && typeof d.ready === 'boolean') return { kind: 'pod-readiness', key, namespace, name: d.name, ready: d.ready };
  if (d.fault === 'pod-fail') {
    return {
      kind: 'pod-fail', key, namespace, name: d.name,
      reason: typeof d.reason === 'string' && d.reason !== '' ? d.reason : 'Evicted',
      ...(typeof d.message === 'string' ? { message: d.message } : {}),
    };
  }
  return undefined;
};

/** A fault applies to the pod that existed when it was logged (created at or before the fault). */
export const faultApplies = (f: { time: number } | undefined, pod: Pod): boolean => {
  if (!f) return false;
  const created = parseTimestamp(pod.metadata?.creationTimestamp);
  return created === undefined || created <= f.time;
};

/** The stranded attachments of a node released (its kubelet is back, or the node is gone). */
const strandedOff = (local: KubeletLocal, node: string): KubeletLocal => {
  if (local.stranded.size === 0) return local;
  let stranded: Map<string, StrandedAttachment> | undefined;
  for (const [k, v] of local.stranded) if (v.node === node && !v.released) (stranded ??= new Map(local.stranded)).set(k, { ...v, released: true });
  return stranded ? { ...local, stranded } : local;
};

const without = <K, V>(m: ReadonlyMap<K, V>, k: K): ReadonlyMap<K, V> => {
  const n = new Map(m);
  n.delete(k);
  return n;
};
const withEntry = <K, V>(m: ReadonlyMap<K, V>, k: K, v: V): ReadonlyMap<K, V> => new Map(m).set(k, v);

/** The pending record of a pod after its new state is seen: what was written and is now visible is dropped. */
const settle = (w: PendingWrite, pod: Pod): PendingWrite | undefined => {
  const admitted = w.admitted && !pod.status?.startTime;
  const ip = w.ip && pod.status?.podIP !== w.ip ? w.ip : undefined;
  const basedOn = w.basedOn !== undefined && w.basedOn === pod.metadata?.resourceVersion ? w.basedOn : undefined;
  if (!admitted && ip === undefined && basedOn === undefined && !w.deleting) return undefined;
  if (admitted === w.admitted && ip === w.ip && basedOn === w.basedOn) return w;
  return {
    node: w.node, namespace: w.namespace, name: w.name, admitted,
    ...(ip ? { ip } : {}), ...(basedOn !== undefined ? { basedOn } : {}), ...(w.deleting ? { deleting: true } : {}),
  };
};

/**
 * `observe`: keep faults (rebuilt on restart, as the host replays the log): pod faults, and which nodes'
 * kubelets are stopped; drop pending records and warnings of pods whose writes are now visible or that
 * are gone.
 */
export const observeKubelet = (e: Envelope, _old: KObject | undefined, local: KubeletLocal): KubeletLocal => {
  if (e.type === 'FAULT') {
    const n = parseNodeFault(e.data);
    if (n) {
      if (n.kind === 'node-down') return local.down.has(n.node) ? local : { ...local, down: withEntry(local.down, n.node, e.time) };
      // The kubelet is back: it unmounts what its deleted pods left, and the volumes are detached.
      const l = strandedOff(local, n.node);
      return l.down.has(n.node) ? { ...l, down: without(l.down, n.node) } : l;
    }
    const f = parseKubeletFault(e.data);
    if (!f) return local;
    if (f.kind === 'pod-readiness') {
      const v: ReadinessFault = { time: e.time, ready: f.ready };
      return { ...local, readiness: withEntry(local.readiness, f.key, v) };
    }
    const v: FailFault = { time: e.time, reason: f.reason, ...(f.message !== undefined ? { message: f.message } : {}) };
    return { ...local, failures: withEntry(local.failures, f.key, v) };
  }
  if (!isObjectEntry(e)) return local;
  if (e.object.kind === 'Node') return e.type === 'DELETED' ? strandedOff(local, e.object.metadata?.name ?? '') : local;
  if (e.object.kind !== 'Pod') return local;
  const pod = e.object as Pod;
  const uid = pod.metadata?.uid ?? '';
  let next = local;
  if (e.type === 'DELETED') {
    const node = pod.spec?.nodeName;
    // Deleted while its node's kubelet is stopped, after its containers started: its volumes stay mounted there.
    if (node !== undefined && local.down.has(node) && containersStarted(pod) && !isTerminal(pod)) {
      const claims = podClaimNames(pod);
      if (claims.length > 0) {
        const stranded = new Map(next.stranded);
        for (const c of claims) stranded.set(`${pod.metadata?.namespace ?? ''}/${c}`, { node, since: e.time });
        next = { ...next, stranded };
      }
    }
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    if (next.readiness.has(key)) next = { ...next, readiness: without(next.readiness, key) };
    if (next.failures.has(key)) next = { ...next, failures: without(next.failures, key) };
    if (next.pending.has(uid)) next = { ...next, pending: next.pending.delete(uid) };
    if (next.warned.has(uid)) next = { ...next, warned: without(next.warned, uid) };
    return next;
  }
  const w = next.pending.get(uid);
  if (w) {
    const s = isTerminal(pod) && !w.deleting ? undefined : settle(w, pod);
    if (s === undefined) next = { ...next, pending: next.pending.delete(uid) };
    else if (s !== w) next = { ...next, pending: next.pending.set(uid, s) };
  }
  return next;
};
