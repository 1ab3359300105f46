import type { KObject, Node, Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { podsByNode, type Snapshot } from '@kubesim/state';
import type { ComponentDef, KeysForContext } from '../framework/component.js';
import { parseKubeletProcessEntry, parseNodeFault, type KubeletProcessEvent } from '../kubelet/local.js';
import { conditionNoExecuteTaint, syncNode, zoneTaintingConcerns } from './core.js';
import { disrupted, excludedFromDisruption, zoneKeyOf } from './disruption.js';
import {
  NODE_LIFECYCLE_NAME, defaultNodeLifecycleConfig, initialNodeLifecycleLocal, noExecuteTaints, readyCondition, taintSeenKey,
  type NodeLifecycleConfig, type NodeLifecycleLocal, type Silence, type Taint,
} from './types.js';

const sameTaints = (a: readonly Taint[] | undefined, b: readonly Taint[] | undefined): boolean => {
  if (a === b) return true;
  const x = a ?? [], y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!, q = y[i]!;
    if (p.key !== q.key || p.value !== q.value || p.effect !== q.effect || p.timeAdded !== q.timeAdded) return false;
  }
  return true;
};

/** A node that needs the controller's attention for its pods: not Ready, or with a NoExecute taint. */
const nodeAffectsPods = (node: Node | undefined): boolean => {
  if (!node) return false;
  const ready = readyCondition(node);
  if (ready !== undefined && ready.status !== 'True') return true;
  const taints = node.spec?.taints;
  if (taints) for (const t of taints) if (t.effect === 'NoExecute') return true;
  return false;
};

/** `first` (if any), then every node whose zone's tainting concerns it, by name. */
const awaitingNodes = (snap: Snapshot, first: string): string[] => {
  const out = first === '' ? [] : [first];
  for (const n of snap.list('Node')) {
    const name = n.metadata?.name ?? '';
    if (name !== first && zoneTaintingConcerns(n)) out.push(name);
  }
  return out;
};

/**
 * Event handlers [node-lifecycle podUpdated / nodeUpdateQueue, tainteviction PodUpdated / NodeUpdated],
 * a node fault, a node whose Ready condition or taints changed → that node; when a node that is (or was)
 * not Ready changes readiness or its NoExecute condition taint, when any node comes, goes, changes zone or
 * enters or leaves the disruption checks, also every node that is not Ready or carries such a taint (the
 * zones' states and tainting queues changed: O(nodes), only then);
 * a pod newly bound to (or whose tolerations changed on) a node that is not Ready or has a NoExecute
 * taint → its node.
 */
export const nodeLifecycleKeysFor = (
  e: Envelope, old: KObject | undefined, snap: Snapshot, _config?: NodeLifecycleConfig, ctx?: KeysForContext<NodeLifecycleLocal>,
): readonly string[] => {
  if (e.type === 'FAULT' || e.type === 'COMPONENT') {
    const f = e.type === 'FAULT' ? parseNodeFault(e.data) : undefined;
    return f ? [f.node] : parseKubeletProcessEntry(e)?.nodes ?? [];
  }
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  if (o.kind === 'Node') {
    const node = o as Node;
    const prev = old as Node | undefined;
    const name = node.metadata?.name ?? '';
    // A node whose readiness, NoExecute condition taint or zone changes, or that comes or goes, may change
    // its zone's state or queue: the nodes waiting on either look again.
    if (e.type === 'DELETED') return awaitingNodes(snap, '');
    // A new Ready node can only ease a disruption: it matters only while there is one.
    if (e.type === 'ADDED' || !prev) return zoneTaintingConcerns(node) || !ctx || disrupted(ctx.local.zones, ctx.local.masterDisruption) ? awaitingNodes(snap, name) : [name];
    const readyChanged = readyCondition(prev)?.status !== readyCondition(node)?.status;
    // Moved to another zone, or in or out of the disruption checks: two zones' counts change.
    const moved = zoneKeyOf(prev) !== zoneKeyOf(node) || excludedFromDisruption(prev) !== excludedFromDisruption(node);
    if (!readyChanged && !moved && sameTaints(prev.spec?.taints, node.spec?.taints)) return [];
    const queueChanged = readyChanged || (conditionNoExecuteTaint(prev) === undefined) !== (conditionNoExecuteTaint(node) === undefined);
    return moved || (queueChanged && (zoneTaintingConcerns(prev) || zoneTaintingConcerns(node))) ? awaitingNodes(snap, name) : [name];
  }
  if (o.kind !== 'Pod') return [];
  const pod = o as Pod;
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return [];
  const prev = old as Pod | undefined;
  if (prev && prev.spec?.nodeName === nodeName && prev.spec?.tolerations === pod.spec?.tolerations) return [];
  return nodeAffectsPods(snap.get('Node', '', nodeName)) ? [nodeName] : [];
};

const withEntry = <V>(m: ReadonlyMap<string, V>, k: string, v: V): ReadonlyMap<string, V> => new Map(m).set(k, v);
const without = <V>(m: ReadonlyMap<string, V>, pred: (k: string) => boolean): ReadonlyMap<string, V> => {
  let n: Map<string, V> | undefined;
  for (const k of m.keys()) if (pred(k)) (n ??= new Map(m)).delete(k);
  return n ?? m;
};

/** NoExecute taints without timeAdded (not added by this controller): remember when each was first seen. */
const observeTaints = (local: NodeLifecycleLocal, e: Envelope, node: Node, deleted: boolean): NodeLifecycleLocal => {
  const name = node.metadata?.name ?? '';
  const untimed = deleted ? [] : noExecuteTaints(node).filter((t) => t.timeAdded === undefined);
  if (untimed.length === 0 && local.taintSeen.size === 0) return local;
  const keep = new Set(untimed.map((t) => taintSeenKey(name, t)));
  const prefix = `${name}\u0000`;
  let seen = without(local.taintSeen, (k) => k.startsWith(prefix) && !keep.has(k));
  for (const k of keep) if (!seen.has(k)) seen = withEntry(seen, k, e.time);
  return seen === local.taintSeen ? local : { ...local, taintSeen: seen };
};

/** The silence of a node's kubelet after one of its process's events (undefined: it posts heartbeats). */
const nextSilence = (s: Silence | undefined, event: KubeletProcessEvent, time: number): Silence | undefined => {
  const was = s ?? { since: time, crashed: false, paused: false, partitioned: false };
  const next = {
    crashed: event === 'crash' ? true : event === 'start' ? false : was.crashed,
    // A killed or restarted process is no longer stopped.
    paused: event === 'pause' ? true : event === 'resume' || event === 'crash' || event === 'start' ? false : was.paused,
    partitioned: event === 'partition' ? true : event === 'heal' ? false : was.partitioned,
  };
  if (!next.crashed && !next.paused && !next.partitioned) return undefined;
  if (s !== undefined && next.crashed === s.crashed && next.paused === s.paused && next.partitioned === s.partitioned) return s;
  return { since: s?.since ?? time, ...next };
};

/**
 * A kubelet process crashed, restarted, was paused or resumed, partitioned or healed: the heartbeats of the
 * nodes it hosts stop as of the first of these that silences it (a Lease no longer renewed) and resume
 * when none holds any more.
 */
const observeKubeletProcess = (local: NodeLifecycleLocal, event: KubeletProcessEvent, nodes: readonly string[], time: number): NodeLifecycleLocal => {
  let silent: Map<string, Silence> | undefined;
  for (const n of nodes) {
    const cur = local.silent.get(n);
    const next = nextSilence(cur, event, time);
    if (next === cur) continue;
    silent ??= new Map(local.silent);
    if (next === undefined) silent.delete(n); else silent.set(n, next);
  }
  return silent === undefined ? local : { ...local, silent };
};

/**
 * `observe`: heartbeats (a `node-down` fault stops them as of its time, `node-up` resumes them, and so do
 * the crash, pause or partition of the kubelet process hosting the node and their end — kubesim derives
 * the last heartbeat from these entries instead of writing Leases), first sightings of untimed
 * NoExecute taints, and evicted pods that are gone.
 */
export const observeNodeLifecycle = (e: Envelope, _old: KObject | undefined, local: NodeLifecycleLocal): NodeLifecycleLocal => {
  if (e.type === 'FAULT' || e.type === 'COMPONENT') {
    const f = e.type === 'FAULT' ? parseNodeFault(e.data) : undefined;
    if (!f) {
      const k = parseKubeletProcessEntry(e);
      return k ? observeKubeletProcess(local, k.event, k.nodes, e.time) : local;
    }
    if (f.kind === 'node-down') return local.down.has(f.node) ? local : { ...local, down: withEntry(local.down, f.node, e.time) };
    return local.down.has(f.node) ? { ...local, down: without(local.down, (k) => k === f.node) } : local;
  }
  if (!isObjectEntry(e)) return local;
  if (e.object.kind === 'Node') return observeTaints(local, e, e.object as Node, e.type === 'DELETED');
  if (e.type === 'DELETED' && e.object.kind === 'Pod' && local.evicted.size > 0) {
    const uid = e.object.metadata?.uid ?? '';
    if (local.evicted.has(uid)) return { ...local, evicted: local.evicted.delete(uid) };
  }
  return local;
};

/**
 * The node-lifecycle controller (§1.13 node unreachable), with the taint-eviction controller folded in:
 * Ready → Unknown after the grace period without heartbeats, `node.kubernetes.io/unreachable` taints
 * (NoSchedule, NoExecute), pods marked not ready, taint-based eviction after tolerationSeconds; the
 * reverse when heartbeats resume. Writes nothing while every node is Ready and untainted.
 */
export const nodeLifecycleController: ComponentDef<NodeLifecycleConfig, NodeLifecycleLocal> = {
  name: NODE_LIFECYCLE_NAME,
  watches: ['Node', 'Pod'],
  indexes: [podsByNode],
  watchInputs: true,
  keysFor: nodeLifecycleKeysFor,
  // [monitorNodeHealth] looks at every node when it starts (a restarted controller also has to resume the
  // grace-period timers of nodes that were already down: their faults are only in its local state).
  initialKeys: (snap) => [...snap.list('Node')].map((n) => n.metadata?.name ?? ''),
  reconcile: syncNode,
  initialLocal: initialNodeLifecycleLocal,
  observe: observeNodeLifecycle,
  // A (re)started controller has fresh tainters and zone states, and times every node's heartbeats from
  // now ([tryUpdateNodeHealth]: "Missing timestamp for Node. Assuming now as a timestamp").
  onStart: (local, now) => ({ ...local, zones: new Map(), masterDisruption: false, probeFloor: now }),
};

export { defaultNodeLifecycleConfig };
