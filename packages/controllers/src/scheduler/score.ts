/** Node search budget, scoring and host selection ([schedule_one.go], [noderesources least_allocated.go]). */
import { seededBetween } from '@kubesim/api';
import type { NodeRec, NodeUsage } from './cache.js';
import type { PodResources } from './resources.js';

/** minFeasibleNodesToFind / minFeasibleNodesPercentageToFind. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
export const MAX_NODE_SCORE = 100;

/**
 * [numFeasibleNodesToFind]: all nodes below 100; else percentageOfNodesToScore % of them (adaptive
 * when 0: 50 - nodes/125, at least 5 %), but at least 100.
 */
export const numFeasibleNodesToFind = (percentageOfNodesToScore: number, numAllNodes: number): number => {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = Math.trunc(percentageOfNodesToScore);
  if (percentage <= 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
};

/**
 * The default profile's weights of the scores kubesim models ([getDefaultPlugins]): NodeResourcesFit
 * (LeastAllocated) 1, NodeResourcesBalancedAllocation 1, InterPodAffinity 2 (interpodaffinity.ts),
 * NodeAffinity 2, TaintToleration 3.
 */
export const NODE_AFFINITY_WEIGHT = 2;
export const TAINT_TOLERATION_WEIGHT = 3;

/**
 * [helper.DefaultNormalizeScore]: each score scaled to 0–100 by the highest (integer division), or,
 * reversed, 100 minus that; when every score is 0 they stay 0 (reversed: all 100).
 */
export const defaultNormalizeScore = (raw: readonly number[], reverse: boolean): number[] => {
  let max = 0;
  for (const r of raw) if (r > max) max = r;
  if (max === 0) return raw.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return raw.map((r) => {
    const s = Math.trunc((MAX_NODE_SCORE * r) / max);
    return reverse ? MAX_NODE_SCORE - s : s;
  });
};

/** [leastRequestedScore]: (capacity - requested) * 100 / capacity, 0 when over or without capacity. */
const leastRequested = (requested: number, capacity: number): number => {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
};

/** NodeResourcesFit LeastAllocated over cpu and memory (weight 1 each), on non-zero requests. */
export const leastAllocatedScore = (n: NodeRec, usage: NodeUsage, pod: PodResources): number => {
  const cpu = leastRequested(usage.nzMilliCpu + pod.nzMilliCpu, n.alloc.milliCpu);
  const mem = leastRequested(usage.nzMemory + pod.nzMemory, n.alloc.memory);
  return Math.trunc((cpu + mem) / 2);
};

/** [balancedResourceScore]: (1 − std) × 100 of the requested fractions, std = |f_cpu − f_mem| / 2. */
const balanceOf = (cpu: number, allocCpu: number, mem: number, allocMem: number): number => {
  let f0 = -1, f1 = -1;
  if (allocCpu !== 0) f0 = Math.min(1, cpu / allocCpu);
  if (allocMem !== 0) f1 = Math.min(1, mem / allocMem);
  const std = f0 >= 0 && f1 >= 0 ? Math.abs((f0 - f1) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
};

/**
 * NodeResourcesBalancedAllocation [balancedResourceScorer], weight 1: how evenly the node's cpu and memory
 * would be requested with the pod — the fractions requested/allocatable (actual requests, not the
 * non-zero defaults; capped at 1; a resource the node has none of left out), score (1 − std) × 100,
 * std = |f_cpu − f_mem| / 2. From 1.36 (`change`, kubernetes#135573) the change of balance the pod
 * causes: 50 + ⌊(50 + with − without) / 2⌋ — 75 for no change, 50 from perfectly balanced to perfectly
 * unbalanced, 100 the other way. A best-effort pod (no cpu or memory requests) is not scored (PreScore
 * Skip, since 1.32: kubernetes#129138): 0 on every node.
 */
export const balancedAllocationScore = (
  podCpu: number, podMem: number, usedCpu: number, allocCpu: number, usedMem: number, allocMem: number, change = false,
): number => {
  if (podCpu === 0 && podMem === 0) return 0;
  const withPod = balanceOf(usedCpu + podCpu, allocCpu, usedMem + podMem, allocMem);
  if (!change) return withPod;
  const half = MAX_NODE_SCORE / 2;
  return half + Math.trunc((half + withPod - balanceOf(usedCpu, allocCpu, usedMem, allocMem)) / 2);
};

/** The scores that need nothing from the other nodes: LeastAllocated + BalancedAllocation. */
export const resourceScore = (n: NodeRec, usage: NodeUsage, pod: PodResources, balanceChange = false): number =>
  leastAllocatedScore(n, usage, pod)
  + balancedAllocationScore(pod.milliCpu, pod.memory, usage.milliCpu, n.alloc.milliCpu, usage.memory, n.alloc.memory, balanceChange);

/**
 * [prioritizeNodes] + [selectHost], folded into the filter loop: `searchNodes` keeps the best score,
 * among equal scores the fewest pods, and the nodes tied on both here; `select` makes a seeded uniform
 * choice among them keyed by `label` (pod uid and attempt).
 */
let scratch = new Int32Array(1024);

export class HostSelector {
  /** Indexes of the nodes tied for best so far: `ties[0..tieCount)` (a buffer, no allocation per node). */
  readonly ties: Int32Array;
  tieCount = 0;
  bestScore = -1;
  bestPods = Infinity;
  count = 0;

  constructor(capacity: number) {
    // One scratch buffer reused by every cycle (cycles never overlap; contents are reset by tieCount).
    if (scratch.length < capacity) scratch = new Int32Array(Math.max(capacity, scratch.length * 2));
    this.ties = scratch;
  }

  /** The chosen index, or undefined when no node was feasible. */
  select(seed: number, label: string): number | undefined {
    const n = this.tieCount;
    if (n === 0) return undefined;
    if (n === 1) return this.ties[0];
    return this.ties[Math.min(n - 1, Math.floor(seededBetween(seed, label, 0, n)))];
  }
}
