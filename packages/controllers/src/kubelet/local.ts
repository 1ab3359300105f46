import { isTerminal, parseTimestamp, podClaimNames, type KObject, type Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { kubeletKey, type CrashFault, type FailFault, type KubeletConfig, type KubeletLocal, type PendingWrite, type ReadinessFault, type ReadinessProbeFault, type StrandedAttachment } from './types.js';
import { anyContainerRunning, containersStarted, isRestartableInit } from './status.js';
import { hostedNodes } from './network.js';
import { backoffAt, crashTarget, DEFAULT_CRASH_RUN_MS, LIVENESS_KILL_EXIT_CODE, lastFinishedAt } from './crash.js';

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

/** What happened to a kubelet process, as its FAULT and COMPONENT entries tell it. */
export type KubeletProcessEvent = 'crash' | 'start' | 'pause' | 'resume' | 'partition' | 'heal';

/**
 * A kubelet process's lifecycle entry: a FAULT `crash`/`pause`/`resume`/`partition`/`heal` or a COMPONENT
 * `start`/`restart` whose data names the nodes the process hosts (`nodes`; both runtimes add them for a
 * kubelet). Read by the node-lifecycle controller: a kubelet that is down, frozen or cut off posts no
 * heartbeats for its nodes.
 */
export const parseKubeletProcessEntry = (e: Envelope): { event: KubeletProcessEvent; nodes: readonly string[] } | undefined => {
  if (e.type !== 'FAULT' && e.type !== 'COMPONENT') return undefined;
  const d = e.data as Record<string, unknown> | undefined;
  if (!d || typeof d !== 'object' || !Array.isArray(d.nodes)) return undefined;
  const nodes = (d.nodes as unknown[]).filter((n): n is string => typeof n === 'string' && n !== '');
  if (nodes.length === 0) return undefined;
  if (e.type === 'COMPONENT') return d.event === 'start' || d.event === 'restart' ? { event: 'start', nodes } : undefined;
  switch (d.fault) {
    case 'crash': case 'pause': case 'resume': case 'partition': case 'heal': return { event: d.fault, nodes };
    default: return undefined;
  }
};

/** `v` when it is an integer ≥ `lo`, else `dflt`. */
const intOr = (v: unknown, dflt: number, lo: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= lo ? v : dflt);

/** Parse the `data` of a FAULT entry addressed to the kubelet's pods. */
export const parseKubeletFault = (data: unknown):
  | { kind: 'pod-readiness'; key: string; namespace: string; name: string; ready: boolean }
  | { kind: 'pod-fail'; key: string; namespace: string; name: string; reason: string; message?: string }
  | { kind: 'container-crash'; key: string; namespace: string; name: string; container?: string; exitCode: number; count: number; runMs: number; probe?: 'liveness' | 'startup' }
  | { kind: 'readiness-probe'; key: string; namespace: string; name: string; container?: string; durationMs: number }
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
  if (d.fault === 'container-crash') {
    return {
      kind: 'container-crash', key, namespace, name: d.name,
      ...(typeof d.container === 'string' && d.container !== '' ? { container: d.container } : {}),
      exitCode: intOr(d.exitCode, 1, 0), count: intOr(d.count, 1, 1),
      runMs: typeof d.runMs === 'number' && Number.isFinite(d.runMs) && d.runMs >= 0 ? d.runMs : DEFAULT_CRASH_RUN_MS,
    };
  }
  if (d.fault === 'probe-failure' && d.probe === 'readiness' && typeof d.durationMs === 'number' && d.durationMs > 0) {
    return {
      kind: 'readiness-probe', key, namespace, name: d.name,
      ...(typeof d.container === 'string' && d.container !== '' ? { container: d.container } : {}), durationMs: d.durationMs,
    };
  }
  // A failing liveness or startup probe ends as a crash does (killed, restarted with the crash-loop back-off), at its own times.
  if (d.fault === 'probe-failure' && (d.probe === 'liveness' || d.probe === 'startup')) {
    return {
      kind: 'container-crash', key, namespace, name: d.name,
      ...(typeof d.container === 'string' && d.container !== '' ? { container: d.container } : {}),
      exitCode: intOr(d.exitCode, LIVENESS_KILL_EXIT_CODE, 0), count: intOr(d.count, 1, 1), runMs: 0, probe: d.probe,
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
/** A map keyed `uid/container` without the pod's entries (the same map when it has none). */
/** `m` without the entries keyed `<uid>/…` (the same map when it has none). */
export const withoutPod = <V>(m: ReadonlyMap<string, V>, uid: string): ReadonlyMap<string, V> => {
  let out: Map<string, V> | undefined;
  for (const k of m.keys()) if (k.startsWith(`${uid}/`)) (out ??= new Map(m)).delete(k);
  return out ?? m;
};

/**
 * Crashes the log shows: a container (or init container) of a pod with a crash fault whose latest terminated instance is newer
 * than the back-off entry's (and the pod is neither being deleted nor terminal) crashed — one crash of the
 * fault is used up, and the back-off entry moves ([doBackOff]: restart at once, or after the back-off).
 * Read from the pod's status, so a kubelet that restarts rebuilds the same state from the log.
 */
const observeCrashes = (local: KubeletLocal, pod: Pod): KubeletLocal => {
  const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const f = local.crashes.get(key);
  if (!f || !faultApplies(f, pod) || pod.metadata?.deletionTimestamp !== undefined || isTerminal(pod)) return local;
  const uid = pod.metadata?.uid ?? '';
  const target = crashTarget(pod, f);
  let next = local;
  const inits = pod.status?.initContainerStatuses ?? [];
  const statuses = inits.length === 0 ? pod.status?.containerStatuses ?? [] : [...inits, ...pod.status?.containerStatuses ?? []];
  for (const s of statuses) {
    // A regular init container that exited 0 has completed: nothing to restart.
    if (s.state?.terminated?.exitCode === 0 && inits.includes(s) && !isRestartableInitNamed(pod, s.name)) continue;
    const ts = lastFinishedAt(s);
    // finishedAt has millisecond precision; the fault's time may be a fraction later within that millisecond.
    if (ts === undefined || ts < Math.floor(f.time)) continue;
    // An instance crashes once: its restartCount tells a new crash from one already counted.
    const k = `${uid}/${s.name}`;
    const entry = next.backoff.get(k);
    if (entry !== undefined && s.restartCount <= entry.instance) continue;
    const cur = next.crashes.get(key)!;
    next = {
      ...next,
      backoff: withEntry(next.backoff, k, backoffAt(entry, ts, s.restartCount).next),
      ...(s.name === target ? { crashes: withEntry(next.crashes, key, { ...cur, remaining: Math.max(0, cur.remaining - 1) }) } : {}),
    };
  }
  return next;
};

const isRestartableInitNamed = (pod: Pod, name: string): boolean => pod.spec?.initContainers?.some((c) => c.name === name && isRestartableInit(c)) ?? false;

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
export const observeKubelet = (e: Envelope, _old: KObject | undefined, local: KubeletLocal, config?: KubeletConfig): KubeletLocal => {
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
    if (f.kind === 'readiness-probe') {
      const v: ReadinessProbeFault = { time: e.time, until: e.time + f.durationMs, ...(f.container !== undefined ? { container: f.container } : {}) };
      return { ...local, readinessProbes: withEntry(local.readinessProbes, f.key, v) };
    }
    if (f.kind === 'container-crash') {
      const v: CrashFault = {
        time: e.time, ...(f.container !== undefined ? { container: f.container } : {}),
        exitCode: f.exitCode, runMs: f.runMs, count: f.count, remaining: f.count, ...(f.probe ? { probe: f.probe } : {}),
      };
      return { ...local, crashes: withEntry(local.crashes, f.key, v) };
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
    if (next.readinessProbes.has(key)) next = { ...next, readinessProbes: without(next.readinessProbes, key) };
    if (next.probeFailures.size > 0) {
      // The failed probes counted for the pod's containers go with it.
      const probeFailures = new Map([...next.probeFailures].filter(([k]) => !k.startsWith(`${uid}/`)));
      if (probeFailures.size !== next.probeFailures.size) next = { ...next, probeFailures };
    }
    if (next.failures.has(key)) next = { ...next, failures: without(next.failures, key) };
    if (next.crashes.has(key)) next = { ...next, crashes: without(next.crashes, key) };
    const backoff = withoutPod(next.backoff, uid);
    const backoffEvents = withoutPod(next.backoffEvents, uid);
    if (backoff !== next.backoff || backoffEvents !== next.backoffEvents) next = { ...next, backoff, backoffEvents };
    const mountFailures = withoutPod(next.mountFailures, uid);
    if (mountFailures !== next.mountFailures) next = { ...next, mountFailures };
    if (next.mountedAt.has(uid)) next = { ...next, mountedAt: without(next.mountedAt, uid) };
    if (next.pending.has(uid)) next = { ...next, pending: next.pending.delete(uid) };
    if (next.warned.has(uid)) next = { ...next, warned: without(next.warned, uid) };
    // Deleted at once (grace 0) while its containers ran here, the kubelet up: it still stops them
    // ([kubelet HandlePodRemoves] → killPod), recording Killing. One it had begun to stop already is not killed again.
    if (node !== undefined && config !== undefined && hostedNodes(config).has(node) && !local.down.has(node) && !isTerminal(pod)
      && anyContainerRunning(pod) && !next.killing.has(uid)) {
      next = { ...next, orphans: withEntry(next.orphans, kubeletKey(node, pod.metadata?.namespace ?? '', pod.metadata?.name ?? ''), pod) };
    }
    if (next.killing.has(uid)) next = { ...next, killing: without(next.killing, uid) };
    return next;
  }
  if (next.crashes.size > 0) next = observeCrashes(next, pod);
  const w = next.pending.get(uid);
  if (w) {
    const s = isTerminal(pod) && !w.deleting ? undefined : settle(w, pod);
    if (s === undefined) next = { ...next, pending: next.pending.delete(uid) };
    else if (s !== w) next = { ...next, pending: next.pending.set(uid, s) };
  }
  return next;
};
