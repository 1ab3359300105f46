/**
 * The scheduler's assumed pods as a persistent (immutable) map by uid with a secondary view by node:
 * `set`/`delete` cost O(48 + a small leaf) (see PHashMap) plus the pods of one node, instead of copying every
 * entry, and a cycle reads per examined node one precomputed sum of the resources its assumed pods
 * request instead of looking at each of them.
 *
 * `stale` marks entries whose pod the informer shows finished (observe keeps it in step with the
 * informer; bound or deleted pods are dropped from the map altogether): they stay assumed (the
 * VolumeRestrictions check reads every entry) but do not count on their node.
 */
import { PHashMap } from '../framework/phashmap.js';
import { podResources, type HostPort } from './resources.js';
import type { AssumedPod } from './types.js';

/** Requests of the counted assumed pods of one node. */
export interface AssumedUsage {
  readonly pods: number;
  readonly milliCpu: number;
  readonly memory: number;
  readonly nzMilliCpu: number;
  readonly nzMemory: number;
  readonly hostPorts: readonly HostPort[];
}

export const NO_PORTS: readonly HostPort[] = [];

export interface AssumedNode {
  readonly entries: ReadonlyMap<string, AssumedPod>;
  /** Sum over entries that are not stale. */
  readonly sum: AssumedUsage;
  /** Some entry requests host ports (cycles then look at each entry). */
  readonly ports: boolean;
  /** The earliest `sinceMs` of an entry whose bind is in flight (Infinity when none). */
  readonly minBindingSince: number;
  /**
   * A memo slot for PodTopologySpread (spreadscore.ts): the matching entries for the last selector key
   * asked. Valid for this object only — a change of the entries or of their staleness builds a new one.
   */
  spreadMemo?: { readonly key: string; readonly n: number };
}

const buildNode = (entries: ReadonlyMap<string, AssumedPod>, stale: PHashMap<true>): AssumedNode => {
  let pods = 0, milliCpu = 0, memory = 0, nzMilliCpu = 0, nzMemory = 0, ports = false, minBindingSince = Infinity;
  for (const [uid, a] of entries) {
    if (a.binding && a.sinceMs < minBindingSince) minBindingSince = a.sinceMs;
    const r = podResources(a.pod);
    if (r.hostPorts.length > 0) ports = true;
    if (stale.size > 0 && stale.has(uid)) continue;
    pods++; milliCpu += r.milliCpu; memory += r.memory; nzMilliCpu += r.nzMilliCpu; nzMemory += r.nzMemory;
  }
  return { entries, sum: { pods, milliCpu, memory, nzMilliCpu, nzMemory, hostPorts: NO_PORTS }, ports, minBindingSince, spreadMemo: undefined };
};

export class AssumedPods {
  private static readonly EMPTY = new AssumedPods(PHashMap.empty(), PHashMap.empty(), PHashMap.empty(), PHashMap.empty(), PHashMap.empty());
  static empty(): AssumedPods { return AssumedPods.EMPTY; }

  private constructor(
    private readonly all: PHashMap<AssumedPod>,
    private readonly nodes: PHashMap<AssumedNode>,
    private readonly staleUids: PHashMap<true>,
    /** Entries whose pod has required anti-affinity terms (InterPodAffinity reads them for every pod). */
    private readonly antiUids: PHashMap<true>,
    /** Entries whose pod has preferred pod (anti-)affinity terms (they score nodes for every pod). */
    private readonly preferredUids: PHashMap<true>,
  ) {}

  get size(): number { return this.all.size; }
  get(uid: string): AssumedPod | undefined { return this.all.get(uid); }
  has(uid: string): boolean { return this.all.has(uid); }
  *values(): IterableIterator<AssumedPod> { for (const [, v] of this.all.entries()) yield v; }
  entries(): IterableIterator<[string, AssumedPod]> { return this.all.entries(); }

  /** The assumed pods of a node (undefined when none). */
  onNode(node: string): AssumedNode | undefined { return this.nodes.get(node); }
  /** Nodes whose assumed pods differ from `prev`'s (`node` undefined: none left there). */
  diffNodes(prev: AssumedPods, cb: (name: string, node: AssumedNode | undefined) => void): void { this.nodes.diff(prev.nodes, cb); }

  /** Every node with assumed pods. */
  eachNode(cb: (name: string, node: AssumedNode) => void): void { for (const [k, v] of this.nodes.entries()) cb(k, v); }

  isStale(uid: string): boolean { return this.staleUids.size > 0 && this.staleUids.has(uid); }

  /** The entries whose pod has preferred pod (anti-)affinity terms. */
  *withPreferredAffinity(): IterableIterator<[string, AssumedPod]> {
    if (this.preferredUids.size === 0) return;
    for (const [uid] of this.preferredUids.entries()) yield [uid, this.all.get(uid)!];
  }

  /** The entries whose pod has required anti-affinity terms. */
  *withAntiAffinity(): IterableIterator<[string, AssumedPod]> {
    if (this.antiUids.size === 0) return;
    for (const [uid] of this.antiUids.entries()) yield [uid, this.all.get(uid)!];
  }

  set(uid: string, a: AssumedPod): AssumedPods {
    const prev = this.all.get(uid);
    if (prev === a) return this;
    const stale = this.staleUids.delete(uid);
    let nodes = this.nodes;
    if (prev) nodes = without(nodes, prev.node, uid, stale);
    const cur = nodes.get(a.node);
    nodes = nodes.set(a.node, buildNode(new Map(cur?.entries ?? []).set(uid, a), stale));
    const anti = hasRequiredAntiAffinity(a.pod) ? this.antiUids.set(uid, true) : this.antiUids.delete(uid);
    const preferred = hasPreferredAffinity(a.pod) ? this.preferredUids.set(uid, true) : this.preferredUids.delete(uid);
    return new AssumedPods(this.all.set(uid, a), nodes, stale, anti, preferred);
  }

  delete(uid: string): AssumedPods {
    const prev = this.all.get(uid);
    if (!prev) return this;
    const stale = this.staleUids.delete(uid);
    return new AssumedPods(this.all.delete(uid), without(this.nodes, prev.node, uid, stale), stale, this.antiUids.delete(uid), this.preferredUids.delete(uid));
  }

  /** Mark (or unmark) an entry whose pod the informer shows finished. */
  markStale(uid: string, value: boolean): AssumedPods {
    const prev = this.all.get(uid);
    if (!prev || this.isStale(uid) === value) return this;
    const stale = value ? this.staleUids.set(uid, true) : this.staleUids.delete(uid);
    const cur = this.nodes.get(prev.node)!;
    return new AssumedPods(this.all, this.nodes.set(prev.node, buildNode(cur.entries, stale)), stale, this.antiUids, this.preferredUids);
  }
}

const hasRequiredAntiAffinity = (p: AssumedPod['pod']): boolean =>
  (p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;

const hasPreferredAffinity = (p: AssumedPod['pod']): boolean =>
  (p.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0
  || (p.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;

const without = (nodes: PHashMap<AssumedNode>, node: string, uid: string, stale: PHashMap<true>): PHashMap<AssumedNode> => {
  const cur = nodes.get(node);
  if (!cur?.entries.has(uid)) return nodes;
  if (cur.entries.size === 1) return nodes.delete(node);
  const next = new Map(cur.entries);
  next.delete(uid);
  return nodes.set(node, buildNode(next, stale));
};

export type { HostPort };
