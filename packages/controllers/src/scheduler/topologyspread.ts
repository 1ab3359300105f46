/**
 * [PodTopologySpread] PreFilter + Filter for the pod's hard constraints (`whenUnsatisfiable:
 * DoNotSchedule`): pods matching a constraint's selector (its `matchLabelKeys` merged in) in the pod's
 * namespace are counted per topology domain over the eligible nodes — those matching the pod's node
 * selector and required node affinity (`nodeAffinityPolicy: Honor`, the default; taints ignored,
 * `nodeTaintsPolicy: Ignore`) and carrying every constraint's topology key. A node is ruled out when
 * placing the pod there would make its domain's count exceed the smallest domain's by more than
 * `maxSkew` (the smallest counts as 0 while there are fewer domains than `minDomains`). Soft constraints
 * (`ScheduleAnyway`) only score (spreadscore.ts). Terminating pods are not counted;
 * pods the scheduler has assumed on a node are.
 */
import { compileSelector, type LabelSelector, type Node, type Pod, type Selector } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import { matchNodeSelectorTerms } from '../volume/storage.js';
import type { AssumedPods } from './assumed.js';
import type { NodeRec } from './cache.js';
import { eachPlacedPod } from './interpodaffinity.js';

export const REASON_SPREAD_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
export const REASON_SPREAD = "node(s) didn't match pod topology spread constraints";

export type SpreadConstraint = NonNullable<NonNullable<Pod['spec']>['topologySpreadConstraints']>[number];

interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly minDomains: number;
  readonly selector: Selector;
  readonly honorAffinity: boolean;
  readonly honorTaints: boolean;
}

/** The constraint's selector with `matchLabelKeys` merged in (the pod's values of those keys). */
export const selectorOf = (c: SpreadConstraint, pod: Pod): Selector => {
  const keys = c.matchLabelKeys ?? [];
  const labels = pod.metadata?.labels ?? {};
  if (keys.length === 0 || c.labelSelector === undefined || c.labelSelector === null) return compileSelector(c.labelSelector);
  const extra = keys.filter((k) => labels[k] !== undefined).map((k) => ({ key: k, operator: 'In', values: [labels[k]!] }));
  const sel: LabelSelector = { ...c.labelSelector, matchExpressions: [...c.labelSelector.matchExpressions ?? [], ...extra] };
  return compileSelector(sel);
};

/** The pod's DoNotSchedule constraints. */
const hardConstraints = (pod: Pod): Constraint[] =>
  (pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule').map((c) => ({
    maxSkew: c.maxSkew, topologyKey: c.topologyKey, minDomains: c.minDomains ?? 1, selector: selectorOf(c, pod),
    honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor', honorTaints: c.nodeTaintsPolicy === 'Honor',
  }));

export interface TopologySpreadState {
  readonly constraints: readonly Constraint[];
  /** Matching pods per constraint and domain value (eligible domains only, zeros included). */
  readonly counts: readonly ReadonlyMap<string, number>[];
  /** The smallest count per constraint (0 with fewer domains than minDomains). */
  readonly minMatch: readonly number[];
  /** Whether the pod matches each constraint's selector (it counts where it goes). */
  readonly selfMatch: readonly number[];
  readonly scanned: number;
}

type Taint = NonNullable<NonNullable<Node['spec']>['taints']>[number];
type Toleration = NonNullable<NonNullable<Pod['spec']>['tolerations']>[number];
/** A toleration of the pod tolerates the taint (the node-inclusion policy's taint check). */
const tolerates = (tols: readonly Toleration[], taint: Taint): boolean => tols.some((t) =>
  (!t.effect || t.effect === taint.effect) && (!t.key || t.key === taint.key)
  && (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '')));

/** nodeAffinityPolicy Honor: the pod's node selector and required node affinity match the node. */
export const podAffinityMatches = (pod: Pod, n: NodeRec): boolean => {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return Object.entries(pod.spec?.nodeSelector ?? {}).every(([k, v]) => n.labels[k] === v) && (!terms || matchNodeSelectorTerms(terms, n.labels, n.name));
};

/** nodeTaintsPolicy Honor: the pod tolerates the node's NoSchedule and NoExecute taints. */
export const podToleratesNode = (pod: Pod, n: NodeRec): boolean => {
  const tolerations = pod.spec?.tolerations ?? [];
  return !n.taints.some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tolerations, t));
};

/** [PodTopologySpread PreFilter]: undefined when the pod has no DoNotSchedule constraint. */
export const topologySpreadPreFilter = (snap: Snapshot, pod: Pod, assumed: AssumedPods, nodes: readonly NodeRec[]): TopologySpreadState | undefined => {
  const constraints = hardConstraints(pod);
  if (constraints.length === 0) return undefined;
  const ns = pod.metadata?.namespace ?? '';
  const uid = pod.metadata?.uid;
  // The nodes carrying every constraint's key; each constraint counts on those its policies include.
  const withKeys = new Map<string, { rec: NodeRec; included: boolean[] }>();
  for (const n of nodes) {
    if (!constraints.every((c) => n.labels[c.topologyKey] !== undefined)) continue;
    const affinityOk = podAffinityMatches(pod, n);
    const taintsOk = podToleratesNode(pod, n);
    withKeys.set(n.name, { rec: n, included: constraints.map((c) => (!c.honorAffinity || affinityOk) && (!c.honorTaints || taintsOk)) });
  }
  const counts = constraints.map(() => new Map<string, number>());
  for (const { rec, included } of withKeys.values()) {
    constraints.forEach((c, i) => { if (included[i]) { const v = rec.labels[c.topologyKey]!; if (!counts[i]!.has(v)) counts[i]!.set(v, 0); } });
  }
  let scanned = 0;
  const visit = (p: Pod, node: string): void => {
    scanned++;
    const n = withKeys.get(node);
    // Terminating pods are not counted (#87621), nor pods of other namespaces.
    if (n === undefined || p.metadata?.deletionTimestamp !== undefined || (p.metadata?.namespace ?? '') !== ns) return;
    constraints.forEach((c, i) => {
      if (!n.included[i] || !c.selector.matches(p.metadata?.labels)) return;
      const v = n.rec.labels[c.topologyKey]!;
      counts[i]!.set(v, counts[i]!.get(v)! + 1);
    });
  };
  eachPlacedPod(snap.list('Pod', ns) as Iterable<Pod>, assumed.entries(), assumed, uid, visit);
  const minMatch = constraints.map((c, i) => {
    const values = [...counts[i]!.values()];
    return values.length < c.minDomains || values.length === 0 ? 0 : Math.min(...values);
  });
  const selfMatch = constraints.map((c) => (c.selector.matches(pod.metadata?.labels) ? 1 : 0));
  return { constraints, counts, minMatch, selfMatch, scanned };
};

/** [PodTopologySpread Filter]. */
export const filterTopologySpread = (s: TopologySpreadState | undefined, n: NodeRec): string | undefined => {
  if (s === undefined) return undefined;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const v = n.labels[c.topologyKey];
    if (v === undefined) return REASON_SPREAD_LABEL;
    const skew = (s.counts[i]!.get(v) ?? 0) + s.selfMatch[i]! - s.minMatch[i]!;
    if (skew > c.maxSkew) return REASON_SPREAD;
  }
  return undefined;
};
