/**
 * The Filter + Score phase over the node list ([findNodesThatPassFilters], [prioritizeNodes]): from a
 * start index, run the filter plugins on each node until `numToFind` feasible nodes are found, scoring
 * feasible nodes as they come. This is the scheduler's hottest code: a pod without selectors, ports
 * or volumes on a clean node (schedulable, Ready, untainted) only needs NodeResourcesFit, which is
 * checked, with LeastAllocated, on the cache's numeric mirrors.
 */
import type { Snapshot } from '@kubesim/state';
import { portKey, type NodeRec, type NodeUsage, type SchedulerCache } from './cache.js';
import type { AssumedPods, AssumedUsage } from './assumed.js';
import {
  filterNodeAffinity, filterNodePorts, filterNodeResourcesFit, filterNodeUnschedulable, filterTaintToleration,
  intolerablePreferNoSchedule, nodeAffinityRawScore, type PodInfo,
} from './filters.js';
import type { ReasonHistogram } from './fiterror.js';
import { balancedAllocationScore, defaultNormalizeScore, resourceScore, NODE_AFFINITY_WEIGHT, TAINT_TOLERATION_WEIGHT, type HostSelector } from './score.js';
import { REASON_RWOP_CONFLICT, volumeFilter, type NodeVolumes, type PodClaims } from './volumebinding.js';
import {
  filterInterPodAffinity, INTER_POD_AFFINITY_WEIGHT, interPodAffinityRawScore, normalizeInterPodAffinity, type InterPodAffinityScore, type InterPodAffinityState,
} from './interpodaffinity.js';
import { filterTopologySpread, type TopologySpreadState } from './topologyspread.js';
import { POD_TOPOLOGY_SPREAD_WEIGHT, spreadScores, type SpreadScoreState } from './spreadscore.js';
import { IMAGE_LOCALITY_WEIGHT, imageLocalityScore, type PodImages } from './imagelocality.js';

/** What a cycle's filters share: the pod, its claims, the RWOP verdict, assumed pods' usage. */
export interface FilterCtx {
  readonly snap: Snapshot;
  readonly cache: SchedulerCache;
  readonly pi: PodInfo;
  readonly claims: PodClaims;
  readonly rwop: boolean;
  /** Resources of pods assumed on a node but not yet bound in the informer, by node name. */
  readonly extra: AssumedExtra;
  /** PodTopologySpread's PreFilter state (undefined: the pod has no DoNotSchedule constraint). */
  readonly spread?: TopologySpreadState;
  /** InterPodAffinity's PreFilter state (undefined: no required pod (anti-)affinity can rule a node out). */
  readonly affinity?: InterPodAffinityState;
  /** InterPodAffinity's PreScore state (undefined: no preferred term involved; LeastAllocated alone scores). */
  readonly preferred?: InterPodAffinityScore;
  /** PodTopologySpread's PreScore state, soft or system-default constraints (undefined: Skip), and the assumed pods it counts. */
  readonly softSpread?: { readonly state: SpreadScoreState; readonly assumed: AssumedPods };
  /** Work done (objects read), for workUnits. */
  work: number;
  /** BalancedAllocation scores the change of balance (1.36). */
  readonly balanceChange: boolean;
  /** ImageLocality's PreScore: the pod's images some node lists (undefined: it adds the same 0 to every node). */
  readonly images?: PodImages;
}

/** What the assumed pods of a node request, together. */
export type AssumedExtraUsage = AssumedUsage;

/** Resources of assumed pods by node name: undefined for a node without any (`empty`: no node has any). */
export interface AssumedExtra {
  readonly empty: boolean;
  get(node: string): AssumedExtraUsage | undefined;
  /** `get` for the i-th node of the cache's node list. */
  getAt(i: number, node: string): AssumedExtraUsage | undefined;
}

/** Usage plus the assumed pods' requests (as addPods would add them one by one). */
export const addAssumed = (u: NodeUsage, m: AssumedExtraUsage): NodeUsage => {
  let ports: Map<string, Set<string>> | undefined;
  for (const hp of m.hostPorts) {
    ports ??= new Map([...u.ports].map(([k, v]) => [k, new Set(v)]));
    const k = portKey(hp);
    let s = ports.get(k);
    if (!s) { s = new Set(); ports.set(k, s); }
    s.add(hp.ip);
  }
  return {
    pods: u.pods + m.pods, milliCpu: u.milliCpu + m.milliCpu, memory: u.memory + m.memory,
    nzMilliCpu: u.nzMilliCpu + m.nzMilliCpu, nzMemory: u.nzMemory + m.nzMemory, ports: ports ?? u.ports,
  };
};

export interface Feasible { readonly rec: NodeRec; readonly volumes: NodeVolumes }

/** Usage of the i-th node including pods assumed there. */
export const usageWithAssumed = (f: FilterCtx, i: number, rec: NodeRec): NodeUsage => {
  const base = f.cache.usageAt(f.snap, i);
  if (f.extra.empty) return base;
  const more = f.extra.get(rec.name);
  return more ? addAssumed(base, more) : base;
};

/**
 * All filter plugins for one node, in the default profile's order: the first failing plugin's
 * reason(s), or undefined when the node fits. The volume filter is the last and most expensive.
 */
export const filterNode = (f: FilterCtx, rec: NodeRec, usage: NodeUsage): string | readonly string[] | undefined => {
  const { pi } = f;
  const one = filterNodeUnschedulable(pi, rec) ?? filterTaintToleration(pi, rec) ?? filterNodeAffinity(pi, rec)
    ?? filterNodePorts(pi, usage) ?? filterNodeResourcesFit(pi, rec, usage);
  if (one !== undefined) return one;
  if (f.rwop) return REASON_RWOP_CONFLICT;
  if (f.claims.bound.length > 0 || f.claims.delayed.length > 0) {
    const volumes = volumeFilter(f.snap, f.claims, rec.node);
    f.work += volumes.scanned;
    if (volumes.reasons.length > 0) return volumes.reasons;
  }
  // PodTopologySpread, then InterPodAffinity, last in the default profile.
  return filterTopologySpread(f.spread, rec) ?? filterInterPodAffinity(f.affinity, rec);
};

/** The node's volume decisions (for Reserve), once it is chosen. */
export const feasibleOn = (f: FilterCtx, rec: NodeRec): Feasible => ({ rec, volumes: volumeFilter(f.snap, f.claims, rec.node) });

/** The volumes scanned by VolumeBinding's Filter on any node when it passes on all (-1: it depends on the node). */
const nodeIndependentBoundClaims = (f: FilterCtx): number => {
  const bound = f.claims.bound;
  for (const c of bound) {
    const pv = f.snap.get('PersistentVolume', '', c.spec?.volumeName ?? '');
    if (!pv || pv.spec?.nodeAffinity?.required) return -1;
  }
  return bound.length;
};

/**
 * The feasible nodes of a cycle whose scores are normalized over all of them: positions in the cache's
 * node list, resource scores and pod counts, and their records — scratch arrays reused by every cycle
 * (cycles never overlap), so that a cycle allocates nothing per feasible node.
 */
let colI = new Int32Array(1024);
let colScore = new Float64Array(1024);
let colPods = new Float64Array(1024);
const colRecs: NodeRec[] = [];

/**
 * Examine nodes from `start` (wrapping) until `numToFind` feasible ones are found or all were seen;
 * failures go to `failed`, feasible nodes to `hosts`. Returns how many nodes were examined.
 */
export const searchNodes = (f: FilterCtx, start: number, numToFind: number, failed: ReasonHistogram, hosts: HostSelector): number => {
  const { snap, cache, pi, images } = f;
  const allNames = cache.nodeNames(snap);
  const n = allNames.length;
  // Bound claims whose volumes exist and have no node affinity pass VolumeBinding on every node,
  // scanning one volume per claim: the fast path then only adds that work per node that fits.
  const volumeWork = f.claims.delayed.length === 0 ? nodeIndependentBoundClaims(f) : -1;
  const fast = pi.simple && !f.rwop && volumeWork >= 0 && f.affinity === undefined && f.spread === undefined && f.preferred === undefined;
  // Scores normalized over all feasible nodes — InterPodAffinity's with preferred pod terms, NodeAffinity's
  // with preferred node terms, TaintToleration's when a node has a PreferNoSchedule taint (otherwise each
  // adds the same to every node): collect the feasible nodes first.
  const scoreNodeAffinity = pi.preferredTerms !== undefined;
  const scoreTaints = cache.anySoftTaint(snap);
  const collect = f.preferred !== undefined || scoreNodeAffinity || scoreTaints || f.softSpread !== undefined;
  if (collect && colI.length < n) {
    const cap = Math.max(n, colI.length * 2);
    colI = new Int32Array(cap); colScore = new Float64Array(cap); colPods = new Float64Array(cap);
  }
  let m = 0;
  const extra = f.extra;
  const names = extra.empty ? undefined : cache.nodeNames(snap);
  const r = pi.resources;
  const reqCpu = r.milliCpu, reqMem = r.memory, nzCpu = r.nzMilliCpu, nzMem = r.nzMemory;
  const anyReq = reqCpu !== 0 || reqMem !== 0;
  const { state, clean, allocPods, allocCpu, allocMem, usePods, useCpu, useMem, useNzCpu, useNzMem } = cache;
  const ties = hosts.ties;
  let tieCount = 0, bestScore = -1, bestPods = Infinity, feasible = 0, examined = 0;
  for (let k = 0; k < n && feasible < numToFind; k++) {
    examined++;
    let i = start + k;
    if (i >= n) i -= n;
    if (state[i] !== 3 && !cache.ensure(snap, i)) continue;
    let score: number, pods: number;
    // The fast path is the slow path's arithmetic on the cache's numeric mirrors plus the node's
    // assumed pods (host ports do not matter to a pod that requests none).
    if (fast && clean[i] === 1) {
      let uPods = usePods[i]!, uCpu = useCpu[i]!, uMem = useMem[i]!, uNzCpu = useNzCpu[i]!, uNzMem = useNzMem[i]!;
      const e = names === undefined ? undefined : extra.getAt(i, names[i]!);
      if (e !== undefined) { uPods += e.pods; uCpu += e.milliCpu; uMem += e.memory; uNzCpu += e.nzMilliCpu; uNzMem += e.nzMemory; }
      pods = uPods;
      const capC = allocCpu[i]!, capM = allocMem[i]!;
      if (pods + 1 > allocPods[i]! || (anyReq && ((reqCpu > 0 && reqCpu > capC - uCpu) || (reqMem > 0 && reqMem > capM - uMem)))) {
        const rec = cache.recAt(snap, i)!;
        failed.add(filterNodeResourcesFit(pi, rec, usageWithAssumed(f, i, rec))!);
        continue;
      }
      // NodeResourcesFit LeastAllocated, as leastAllocatedScore computes it.
      const reqC = uNzCpu + nzCpu, reqM = uNzMem + nzMem;
      const sC = capC === 0 || reqC > capC ? 0 : Math.trunc(((capC - reqC) * 100) / capC);
      const sM = capM === 0 || reqM > capM ? 0 : Math.trunc(((capM - reqM) * 100) / capM);
      score = Math.trunc((sC + sM) / 2);
      // NodeResourcesBalancedAllocation, as balancedAllocationScore computes it (0 for a best-effort pod).
      if (anyReq) score += balancedAllocationScore(reqCpu, reqMem, uCpu, capC, uMem, capM, f.balanceChange);
      if (images !== undefined) score += IMAGE_LOCALITY_WEIGHT * imageLocalityScore(images, allNames[i]!);
      f.work += volumeWork;
    } else {
      const rec = cache.recAt(snap, i)!;
      const usage = usageWithAssumed(f, i, rec);
      const reasons = filterNode(f, rec, usage);
      if (reasons !== undefined) { failed.add(reasons); continue; }
      score = resourceScore(rec, usage, r, f.balanceChange) + (images !== undefined ? IMAGE_LOCALITY_WEIGHT * imageLocalityScore(images, rec.name) : 0);
      pods = usage.pods;
    }
    feasible++;
    if (collect) { colI[m] = i; colScore[m] = score; colPods[m] = pods; m++; continue; }
    if (score > bestScore || (score === bestScore && pods < bestPods)) {
      ties[0] = i; tieCount = 1; bestScore = score; bestPods = pods;
    } else if (score === bestScore && pods === bestPods) ties[tieCount++] = i;
  }
  if (collect) {
    // [prioritizeNodes]: the weighted sum of NodeResourcesFit (1), NodeResourcesBalancedAllocation (1),
    // ImageLocality (1), InterPodAffinity (2), NodeAffinity (2), TaintToleration (3) and PodTopologySpread
    // (2), the last four normalized over the feasible nodes.
    const recs = colRecs;
    recs.length = m;
    for (let k = 0; k < m; k++) recs[k] = cache.recAt(snap, colI[k]!)!;
    const ipa = f.preferred ? normalizeInterPodAffinity(recs.map((rec) => interPodAffinityRawScore(f.preferred!, rec))) : undefined;
    const na = scoreNodeAffinity ? defaultNormalizeScore(recs.map((rec) => nodeAffinityRawScore(pi, rec)), false) : undefined;
    const tt = scoreTaints ? defaultNormalizeScore(recs.map((rec) => intolerablePreferNoSchedule(pi, rec)), true) : undefined;
    const pts = f.softSpread
      ? spreadScores(f.softSpread.state, snap, cache, f.softSpread.assumed, colI, recs)
      : undefined;
    for (let k = 0; k < m; k++) {
      const i = colI[k]!, pods = colPods[k]!;
      const score = colScore[k]! + INTER_POD_AFFINITY_WEIGHT * (ipa?.[k] ?? 0) + NODE_AFFINITY_WEIGHT * (na?.[k] ?? 0)
        + TAINT_TOLERATION_WEIGHT * (tt?.[k] ?? 0) + POD_TOPOLOGY_SPREAD_WEIGHT * (pts?.[k] ?? 0);
      if (score > bestScore || (score === bestScore && pods < bestPods)) {
        ties[0] = i; tieCount = 1; bestScore = score; bestPods = pods;
      } else if (score === bestScore && pods === bestPods) ties[tieCount++] = i;
    }
    // The records are the cache's: not kept past the cycle.
    recs.length = 0;
  }
  hosts.tieCount = tieCount;
  hosts.bestScore = bestScore;
  hosts.bestPods = bestPods;
  hosts.count = feasible;
  return examined;
};
