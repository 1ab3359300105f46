/** The scheduler's NodeInfo view: node order, per-node records and usage, derived from the informer cache. */
import { isTerminal, type Node, type Pod, type Selector } from '@kubesim/api';
import { podsByNode, type Snapshot } from '@kubesim/state';
import { nodeAllocatable, podResources, type HostPort, type NodeAllocatable, type PodResources } from './resources.js';
import type { AssumedNode, AssumedPods } from './assumed.js';
import { nodeImageNames, type ImageState } from './imagelocality.js';

type Taint = NonNullable<NonNullable<Node['spec']>['taints']>[number];

/** What the pods on a node use ([NodeInfo] Requested, NonZeroRequested, Pods, UsedPorts). */
export interface NodeUsage {
  readonly pods: number;
  readonly milliCpu: number;
  readonly memory: number;
  readonly nzMilliCpu: number;
  readonly nzMemory: number;
  /** `<protocol>/<port>` → host IPs in use. */
  readonly ports: ReadonlyMap<string, ReadonlySet<string>>;
}

export const EMPTY_USAGE: NodeUsage = { pods: 0, milliCpu: 0, memory: 0, nzMilliCpu: 0, nzMemory: 0, ports: new Map() };

export const portKey = (p: HostPort): string => `${p.protocol}/${p.port}`;

/** Usage plus more pods (assumed ones). */
export const addPods = (u: NodeUsage, pods: readonly PodResources[]): NodeUsage => {
  if (pods.length === 0) return u;
  let ports: Map<string, Set<string>> | undefined;
  let { pods: n, milliCpu, memory, nzMilliCpu, nzMemory } = u;
  for (const r of pods) {
    n++; milliCpu += r.milliCpu; memory += r.memory; nzMilliCpu += r.nzMilliCpu; nzMemory += r.nzMemory;
    for (const hp of r.hostPorts) {
      ports ??= new Map([...u.ports].map(([k, v]) => [k, new Set(v)]));
      const k = portKey(hp);
      let s = ports.get(k);
      if (!s) { s = new Set(); ports.set(k, s); }
      s.add(hp.ip);
    }
  }
  return { pods: n, milliCpu, memory, nzMilliCpu, nzMemory, ports: ports ?? u.ports };
};

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';

/**
 * The taint the node lifecycle controller puts on a node that is not Ready (TaintNodesByCondition):
 * `not-ready` for Ready=False or no Ready condition, `unreachable` for Unknown. kubesim derives it from
 * the condition when the node does not carry it yet.
 */
export const readinessTaint = (node: Node): Taint | undefined => {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  const key = ready?.status === 'Unknown' ? TAINT_UNREACHABLE : TAINT_NOT_READY;
  if ((node.spec?.taints ?? []).some((t) => t.key === key && t.effect === 'NoSchedule')) return undefined;
  return { key, effect: 'NoSchedule' };
};

/** What the filters and the score read from a node, computed once per node object. */
export interface NodeRec {
  readonly node: Node;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly alloc: NodeAllocatable;
  readonly unschedulable: boolean;
  /** NoSchedule/NoExecute taints in filter order: the readiness taint first, then spec.taints. */
  readonly taints: readonly Taint[];
  /** Schedulable, Ready and without NoSchedule/NoExecute taints: only labels and resources can rule it out. */
  readonly clean: boolean;
  /** PreferNoSchedule taints (TaintToleration's score): they rule nothing out. */
  readonly preferNoSchedule: readonly Taint[];
}

export const nodeRecOf = (node: Node): NodeRec => {
  const ready = readinessTaint(node);
  const own = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  const taints = ready ? [ready, ...own] : own;
  const unschedulable = node.spec?.unschedulable === true;
  return {
    node,
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    alloc: nodeAllocatable(node),
    unschedulable,
    taints,
    clean: !unschedulable && taints.length === 0,
    preferNoSchedule: preferNoScheduleTaints(node),
  };
};

/** The node's PreferNoSchedule taints (TaintToleration's score). */
const preferNoScheduleTaints = (node: Node): Taint[] => (node.spec?.taints ?? []).filter((t) => t.effect === 'PreferNoSchedule');
const softTainted = (node: Node): boolean => preferNoScheduleTaints(node).length > 0;

/** The scheduler cache only holds pods that have not finished (its informer filters out Succeeded/Failed). */
const countsOnNode = (p: Pod): boolean => !isTerminal(p);

const REC = 1;
const USAGE = 2;

/**
 * Memo of data derived from the informer cache, indexed like the node list. `observe` tells it what
 * changed (nodes added or removed, a node modified, the pods of a node changed); everything else is
 * recomputed on demand. A fresh instance (after a restart) simply recomputes, so it never holds
 * decisions, only their cost. Numeric mirrors of allocatable and usage (typed arrays) serve the
 * scheduler's hot loop.
 */
export class SchedulerCache {
  private names: string[] | undefined;
  private position = new Map<string, number>();
  private recs: (NodeRec | undefined)[] = [];
  private usages: (NodeUsage | undefined)[] = [];
  /** The pods (by uid) whose resources a node's cached usage counts. */
  private members: (Map<string, PodResources> | undefined)[] = [];
  /** Where each counted pod is counted, with the spec its resources came from. */
  private counted = new Map<string, { readonly i: number; readonly spec: object | undefined; readonly res: PodResources }>();
  /** Pods read to recompute usage since the last `takeScanned()`. */
  private scanned = 0;
  /** Names of the nodes with a PreferNoSchedule taint (TaintToleration's score matters only when there is one). */
  private softTaintedNodes = new Set<string>();
  /** Per node: bumped whenever an entry of one of its pods arrives (the spread counts' validity). */
  private podVersion = new Uint32Array(0);
  /** PodTopologySpread: matching pods per node, per `namespace\0selector`, each with the podVersion it was counted at. */
  private spreadMemos = new Map<string, { readonly counts: Int32Array; readonly at: Uint32Array }>();
  /** ImageLocality: each name the nodes list, with its size and the nodes that list it (built on first use, kept in step after). */
  private images: Map<string, ImageState> | undefined;
  /** The names each node listed when `images` last counted it. */
  private imagesOf = new Map<string, readonly [string, number][]>();
  /** Per node: REC | USAGE bits when the record / usage (and their mirrors) are current. */
  state = new Uint8Array(0);
  clean = new Uint8Array(0);
  allocPods = new Float64Array(0);
  allocCpu = new Float64Array(0);
  allocMem = new Float64Array(0);
  usePods = new Float64Array(0);
  useCpu = new Float64Array(0);
  useMem = new Float64Array(0);
  useNzCpu = new Float64Array(0);
  useNzMem = new Float64Array(0);

  /** All node names in the informer's order (nodes in the order they were added). */
  nodeNames(snap: Snapshot): readonly string[] {
    if (!this.names) {
      const out: string[] = [];
      this.softTaintedNodes = new Set();
      for (const n of snap.list('Node')) {
        const name = n.metadata?.name ?? '';
        out.push(name);
        if (softTainted(n as Node)) this.softTaintedNodes.add(name);
      }
      const n = out.length;
      this.names = out;
      this.position = new Map(out.map((name, i) => [name, i]));
      this.recs = new Array<NodeRec | undefined>(n);
      this.usages = new Array<NodeUsage | undefined>(n);
      this.members = new Array<Map<string, PodResources> | undefined>(n);
      this.counted = new Map();
      this.state = new Uint8Array(n);
      this.clean = new Uint8Array(n);
      this.allocPods = new Float64Array(n);
      this.allocCpu = new Float64Array(n);
      this.allocMem = new Float64Array(n);
      this.usePods = new Float64Array(n);
      this.useCpu = new Float64Array(n);
      this.useMem = new Float64Array(n);
      this.useNzCpu = new Float64Array(n);
      this.useNzMem = new Float64Array(n);
      this.podVersion = new Uint32Array(n).fill(1);
      this.spreadMemos = new Map();
    }
    return this.names;
  }

  /** The record of the i-th node of `nodeNames` (undefined if it is gone). */
  recAt(snap: Snapshot, i: number): NodeRec | undefined {
    const hit = this.recs[i];
    if (hit) return hit;
    const node = snap.get('Node', '', this.nodeNames(snap)[i] ?? '');
    if (!node) return undefined;
    const rec = nodeRecOf(node);
    this.recs[i] = rec;
    this.clean[i] = rec.clean ? 1 : 0;
    this.allocPods[i] = rec.alloc.pods;
    this.allocCpu[i] = rec.alloc.milliCpu;
    this.allocMem[i] = rec.alloc.memory;
    this.state[i]! |= REC;
    return rec;
  }

  /** Usage of the non-terminal pods of the i-th node. */
  usageAt(snap: Snapshot, i: number): NodeUsage {
    const hit = this.usages[i];
    if (hit) return hit;
    const members = new Map<string, PodResources>();
    for (const p of snap.byIndex('Pod', podsByNode.name, this.nodeNames(snap)[i] ?? '')) {
      this.scanned++;
      if (!countsOnNode(p)) continue;
      const uid = p.metadata?.uid ?? '';
      const res = podResources(p);
      members.set(uid, res);
      this.counted.set(uid, { i, spec: p.spec, res });
    }
    this.members[i] = members;
    return this.setUsage(i, addPods(EMPTY_USAGE, [...members.values()]));
  }

  private setUsage(i: number, usage: NodeUsage): NodeUsage {
    this.usages[i] = usage;
    this.usePods[i] = usage.pods;
    this.useCpu[i] = usage.milliCpu;
    this.useMem[i] = usage.memory;
    this.useNzCpu[i] = usage.nzMilliCpu;
    this.useNzMem[i] = usage.nzMemory;
    this.state[i]! |= USAGE;
    return usage;
  }

  /** Record and usage of the i-th node are current (recomputing them if needed); false if the node is gone. */
  ensure(snap: Snapshot, i: number): boolean {
    if (this.state[i] === (REC | USAGE)) return true;
    if (!this.recAt(snap, i)) return false;
    this.usageAt(snap, i);
    return true;
  }

  /** The assumed pods of each node of `nodeNames`, as of `assumedOf` (kept in step by `syncAssumed`). */
  private assumedNodes: (AssumedNode | undefined)[] = [];
  private assumedOf: AssumedPods | undefined;

  /**
   * The assumed pods of the i-th node in `assumed` — an array read instead of a lookup by name for every
   * node a cycle examines. Following the persistent map from one cycle's version to the next costs the
   * nodes that changed.
   */
  assumedAt(snap: Snapshot, assumed: AssumedPods): readonly (AssumedNode | undefined)[] {
    if (this.assumedOf === assumed && this.names) return this.assumedNodes;
    const names = this.nodeNames(snap);
    const prev = this.assumedOf;
    this.assumedOf = assumed;
    if (prev === undefined || this.assumedNodes.length !== names.length) {
      this.assumedNodes = new Array<AssumedNode | undefined>(names.length);
      assumed.eachNode((name, node) => { const i = this.position.get(name); if (i !== undefined) this.assumedNodes[i] = node; });
    } else {
      assumed.diffNodes(prev, (name, node) => { const i = this.position.get(name); if (i !== undefined) this.assumedNodes[i] = node; });
    }
    return this.assumedNodes;
  }

  /** Position of a node in `nodeNames`, if known. */
  indexOf(snap: Snapshot, name: string): number | undefined {
    this.nodeNames(snap);
    return this.position.get(name);
  }

  takeScanned(): number {
    const s = this.scanned;
    this.scanned = 0;
    return s;
  }

  /** A node was added or removed. */
  nodesChanged(): void { this.names = undefined; this.assumedOf = undefined; this.images = undefined; }

  /** ImageLocality's view of the nodes' images ([cache addNodeImageStates]). */
  imageStates(snap: Snapshot): ReadonlyMap<string, ImageState> {
    if (!this.images) {
      this.images = new Map();
      this.imagesOf = new Map();
      for (const n of snap.list('Node')) this.countImages(n.metadata?.name ?? '', nodeImageNames(n as Node));
    }
    return this.images;
  }

  private countImages(node: string, names: readonly [string, number][]): void {
    const images = this.images!;
    for (const [name] of this.imagesOf.get(node) ?? []) {
      const s = images.get(name);
      if (s) { s.nodes.delete(node); if (s.nodes.size === 0) images.delete(name); }
    }
    if (names.length === 0) { this.imagesOf.delete(node); return; }
    this.imagesOf.set(node, names);
    for (const [name, size] of names) {
      const s = images.get(name);
      if (s) s.nodes.add(node);
      else images.set(name, { size, nodes: new Set([node]) });
    }
  }

  /** Whether some node carries a PreferNoSchedule taint. */
  anySoftTaint(snap: Snapshot): boolean {
    this.nodeNames(snap);
    return this.softTaintedNodes.size > 0;
  }

  /** A node object changed (`node`: its new version). */
  nodeChanged(name: string, node?: Node): void {
    if (node !== undefined) {
      if (softTainted(node)) this.softTaintedNodes.add(name);
      else this.softTaintedNodes.delete(name);
      if (this.images) {
        const names = nodeImageNames(node);
        const was = this.imagesOf.get(name) ?? [];
        if (names.length !== was.length || names.some(([n, sz], k) => n !== was[k]![0] || sz !== was[k]![1])) this.countImages(name, names);
      }
    }
    const i = this.position.get(name);
    if (i !== undefined && this.names) { this.recs[i] = undefined; this.state[i]! &= ~REC; }
  }

  /**
   * A counter of the pods on each node that `sel` matches — not terminal, not terminating, in namespace
   * `ns` (countPodsMatchSelector over the scheduler's assigned pods) — which counts a node again only
   * after one of its pods changed. `key` names the selector and namespace.
   */
  spreadCounter(key: string, sel: Selector, ns: string): { on: (snap: Snapshot, i: number) => number } {
    let m = this.spreadMemos.get(key);
    if (m === undefined) {
      if (this.spreadMemos.size >= 32) this.spreadMemos.clear();
      const n = this.podVersion.length;
      m = { counts: new Int32Array(n), at: new Uint32Array(n) };
      this.spreadMemos.set(key, m);
    }
    const { counts, at } = m;
    return {
      on: (snap, i) => {
        // Usage first: the pods it counts are the ones whose entries bump the node's version (podChanged).
        if ((this.state[i]! & USAGE) === 0) this.usageAt(snap, i);
        if (at[i] === this.podVersion[i]) return counts[i]!;
        let c = 0;
        // (Not counted as work: the spread score's lookups add no virtual time.)
        for (const p of snap.byIndex('Pod', podsByNode.name, this.nodeNames(snap)[i] ?? '')) {
          if (!countsOnNode(p) || p.metadata?.deletionTimestamp !== undefined || (p.metadata?.namespace ?? '') !== ns) continue;
          if (sel.matches(p.metadata?.labels)) c++;
        }
        counts[i] = c;
        at[i] = this.podVersion[i]!;
        return c;
      },
    };
  }

  /** The pods on a node changed in a way not tracked by `podChanged`: recompute its usage when next needed. */
  podsChanged(name: string): void {
    const i = this.position.get(name);
    if (i === undefined || !this.names) return;
    this.podVersion[i]!++;
    for (const uid of this.members[i]?.keys() ?? []) this.counted.delete(uid);
    this.usages[i] = undefined;
    this.members[i] = undefined;
    this.state[i]! &= ~USAGE;
  }

  /**
   * A pod entry from the informer (`cur` undefined: deleted): move its resources between the cached
   * usages of the node that counts it and its current node. Keyed by uid, so it needs no previous
   * object and an entry seen twice cannot count twice; a status-only change on the same node is free.
   */
  podChanged(uid: string, cur: Pod | undefined): void {
    if (!this.names) return;
    const prev = this.counted.get(uid);
    // Any change of a pod (labels, deletion, phase) may change the spread counts of its nodes.
    if (prev) this.podVersion[prev.i]!++;
    const on = cur?.spec?.nodeName;
    if (on) { const j = this.position.get(on); if (j !== undefined && j !== prev?.i) this.podVersion[j]!++; }
    const curNode = cur && countsOnNode(cur) ? cur.spec?.nodeName : undefined;
    if (!prev && !curNode) return;
    if (prev && curNode !== undefined && this.names[prev.i] === curNode && prev.spec === cur!.spec) return;
    if (prev) this.removeMember(prev.i, uid, prev.res);
    if (curNode) this.addMember(curNode, uid, cur!);
  }

  private removeMember(i: number, uid: string, r: PodResources): void {
    this.counted.delete(uid);
    const m = this.members[i], u = this.usages[i];
    if (!m || !u || !m.delete(uid)) return;
    if (r.hostPorts.length > 0) { this.podsChanged(this.names![i]!); return; }
    this.setUsage(i, {
      pods: u.pods - 1, milliCpu: u.milliCpu - r.milliCpu, memory: u.memory - r.memory,
      nzMilliCpu: u.nzMilliCpu - r.nzMilliCpu, nzMemory: u.nzMemory - r.nzMemory, ports: u.ports,
    });
  }

  private addMember(node: string, uid: string, pod: Pod): void {
    const i = this.position.get(node);
    if (i === undefined) return;
    const m = this.members[i], u = this.usages[i];
    if (!m || !u || m.has(uid)) return;
    const res = podResources(pod);
    m.set(uid, res);
    this.counted.set(uid, { i, spec: pod.spec, res });
    this.setUsage(i, addPods(u, [res]));
  }
}
