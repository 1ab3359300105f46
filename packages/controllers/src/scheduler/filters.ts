/**
 * Filter plugins of the default profile, in its order: NodeUnschedulable, TaintToleration,
 * NodeAffinity, NodePorts, NodeResourcesFit (VolumeRestrictions and VolumeBinding follow, see
 * volumebinding.ts), with Kubernetes' reason strings. They read a precomputed NodeRec.
 */
import type { Node, Pod } from '@kubesim/api';
import { matchNodeSelectorTerms, type NodeSelectorTerm } from '../volume/storage.js';
import { portKey, type NodeRec, type NodeUsage } from './cache.js';
import { podResources, type PodResources } from './resources.js';

export { readinessTaint, TAINT_NOT_READY, TAINT_UNREACHABLE } from './cache.js';

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_INSUFFICIENT_CPU = 'Insufficient cpu';
export const REASON_INSUFFICIENT_MEMORY = 'Insufficient memory';
export const reasonUntoleratedTaint = (key: string, value: string | undefined): string =>
  `node(s) had untolerated taint {${key}: ${value ?? ''}}`;

export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

type Toleration = NonNullable<NonNullable<Pod['spec']>['tolerations']>[number];
type Taint = NonNullable<NonNullable<Node['spec']>['taints']>[number];

/** What the filters need from a pod, computed once per scheduling cycle. */
export interface PodInfo {
  readonly pod: Pod;
  readonly tolerations: readonly Toleration[];
  readonly nodeSelector: Readonly<Record<string, string>> | undefined;
  readonly requiredTerms: readonly NodeSelectorTerm[] | undefined;
  readonly resources: PodResources;
  readonly toleratesUnschedulable: boolean;
  /** No node selector, no required affinity, no host ports: on a clean node only NodeResourcesFit can fail. */
  readonly simple: boolean;
  /** The preferred node-affinity terms with a weight (NodeAffinity's score; undefined: none, the score is skipped). */
  readonly preferredTerms: readonly PreferredTerm[] | undefined;
  /** The tolerations TaintToleration's score reads: those of effect PreferNoSchedule or of any effect. */
  readonly softTolerations: readonly Toleration[];
}

/** A preferred node-affinity term: a node matching `preference` adds `weight` to its score. */
export interface PreferredTerm { readonly weight: number; readonly preference: NodeSelectorTerm }

/** [Toleration.ToleratesTaint]. */
export const toleratesTaint = (t: Toleration, taint: Taint): boolean => {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '': case 'Equal': return (t.value ?? '') === (taint.value ?? '');
    case 'Exists': return true;
    default: return false;
  }
};

export const podInfoOf = (pod: Pod): PodInfo => {
  const tolerations = pod.spec?.tolerations ?? [];
  const selector = pod.spec?.nodeSelector;
  const nodeSelector = selector && Object.keys(selector).length > 0 ? selector : undefined;
  const requiredTerms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const resources = podResources(pod);
  return {
    pod,
    tolerations,
    nodeSelector,
    requiredTerms,
    resources,
    toleratesUnschedulable: tolerations.some((t) => toleratesTaint(t, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' })),
    simple: !nodeSelector && !requiredTerms && resources.hostPorts.length === 0,
    preferredTerms: preferredTermsOf(pod),
    softTolerations: tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule'),
  };
};

/** [NodeAffinity PreScore]: the pod's preferred terms of non-zero weight (undefined when there are none). */
const preferredTermsOf = (pod: Pod): readonly PreferredTerm[] | undefined => {
  const terms = (pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
    .filter((t) => t.weight !== 0 && t.preference !== undefined) as PreferredTerm[];
  return terms.length > 0 ? terms : undefined;
};

/** [NodeAffinity Score]: the sum of the weights of the pod's preferred terms the node matches (an empty term matches none). */
export const nodeAffinityRawScore = (pi: PodInfo, n: NodeRec): number => {
  let score = 0;
  for (const t of pi.preferredTerms ?? []) if (matchNodeSelectorTerms([t.preference], n.labels, n.name)) score += t.weight;
  return score;
};

/** [TaintToleration Score]: how many of the node's PreferNoSchedule taints the pod does not tolerate. */
export const intolerablePreferNoSchedule = (pi: PodInfo, n: NodeRec): number => {
  let count = 0;
  for (const taint of n.preferNoSchedule) if (!pi.softTolerations.some((t) => toleratesTaint(t, taint))) count++;
  return count;
};

/** [NodeUnschedulable]: a cordoned node, unless the pod tolerates the unschedulable taint. */
export const filterNodeUnschedulable = (pi: PodInfo, n: NodeRec): string | undefined =>
  n.unschedulable && !pi.toleratesUnschedulable ? REASON_UNSCHEDULABLE : undefined;

/** [TaintToleration Filter]: the first NoSchedule/NoExecute taint the pod does not tolerate. */
export const filterTaintToleration = (pi: PodInfo, n: NodeRec): string | undefined => {
  for (const taint of n.taints) {
    if (!pi.tolerations.some((t) => toleratesTaint(t, taint))) return reasonUntoleratedTaint(taint.key, taint.value);
  }
  return undefined;
};

/** [NodeAffinity Filter]: spec.nodeSelector and required node affinity. */
export const filterNodeAffinity = (pi: PodInfo, n: NodeRec): string | undefined => {
  const sel = pi.nodeSelector;
  if (sel) for (const k in sel) if (n.labels[k] !== sel[k]) return REASON_NODE_AFFINITY;
  if (pi.requiredTerms && !matchNodeSelectorTerms(pi.requiredTerms, n.labels, n.name)) return REASON_NODE_AFFINITY;
  return undefined;
};

/** [NodePorts Filter]: a wanted host port clashes with one in use (0.0.0.0 clashes with every IP). */
export const filterNodePorts = (pi: PodInfo, usage: NodeUsage): string | undefined => {
  for (const hp of pi.resources.hostPorts) {
    const ips = usage.ports.get(portKey(hp));
    if (!ips || ips.size === 0) continue;
    if (hp.ip === '0.0.0.0' || ips.has(hp.ip) || ips.has('0.0.0.0')) return REASON_NODE_PORTS;
  }
  return undefined;
};

/**
 * [NodeResourcesFit Filter] ([fitsRequest]): pod count, then cpu and memory against allocatable minus
 * requests. Returns one reason, several, or undefined when the pod fits.
 */
export const filterNodeResourcesFit = (pi: PodInfo, n: NodeRec, usage: NodeUsage): string | string[] | undefined => {
  const a = n.alloc, r = pi.resources;
  const tooMany = usage.pods + 1 > a.pods;
  const any = r.milliCpu !== 0 || r.memory !== 0;
  const cpu = any && r.milliCpu > 0 && r.milliCpu > a.milliCpu - usage.milliCpu;
  const mem = any && r.memory > 0 && r.memory > a.memory - usage.memory;
  if (!tooMany && !cpu && !mem) return undefined;
  const out: string[] = [];
  if (tooMany) out.push(REASON_TOO_MANY_PODS);
  if (cpu) out.push(REASON_INSUFFICIENT_CPU);
  if (mem) out.push(REASON_INSUFFICIENT_MEMORY);
  return out.length === 1 ? out[0] : out;
};
