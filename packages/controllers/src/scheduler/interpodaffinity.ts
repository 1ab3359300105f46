/**
 * [InterPodAffinity] PreFilter + Filter, required terms (`requiredDuringSchedulingIgnoredDuringExecution`
 * of `podAffinity` and `podAntiAffinity`): the classic "one replica per node" of a database StatefulSet
 * (`topologyKey: kubernetes.io/hostname`). The PreFilter counts, per topology pair (key, value of the
 * node's label), the existing pods — bound, not finished, or assumed on a node by this scheduler — that
 * match the incoming pod's terms, and those whose own anti-affinity terms match the incoming pod; the
 * Filter then rules a node out by its topology values. Reasons as Kubernetes words them.
 */
import { compileSelector, isTerminal, type Pod, type Selector } from '@kubesim/api';
import type { IndexSpec, Snapshot } from '@kubesim/state';
import { NO_VALUES } from '@kubesim/state';
import type { AssumedPods } from './assumed.js';
import type { AssumedPod } from './types.js';
import type { NodeRec } from './cache.js';

export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

type PodAffinityTerm = NonNullable<NonNullable<NonNullable<NonNullable<Pod['spec']>['affinity']>['podAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']>[number];

/** A compiled affinity term: which pods it selects (namespaces, labels) and the topology it spans. */
export interface AffinityTerm {
  readonly selector: Selector;
  /** The namespaces it looks in ('all' for an empty namespaceSelector). */
  readonly namespaces: ReadonlySet<string> | 'all';
  /** A non-empty namespaceSelector, matched against the namespace's `kubernetes.io/metadata.name` label. */
  readonly namespaceSelector?: Selector;
  readonly topologyKey: string;
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** [newAffinityTerm]: `namespaces` ∪ the namespaceSelector's; neither → the pod's own namespace. */
const compileTerm = (t: PodAffinityTerm, pod: Pod): AffinityTerm => {
  const own = pod.metadata?.namespace ?? '';
  const listed = t.namespaces ?? [];
  const nsSel = t.namespaceSelector;
  if (nsSel !== undefined && nsSel !== null) {
    const s = compileSelector(nsSel);
    if (s.empty) return { selector: compileSelector(t.labelSelector), namespaces: 'all', topologyKey: t.topologyKey };
    return { selector: compileSelector(t.labelSelector), namespaces: new Set(listed), namespaceSelector: s, topologyKey: t.topologyKey };
  }
  return { selector: compileSelector(t.labelSelector), namespaces: new Set(listed.length > 0 ? listed : [own]), topologyKey: t.topologyKey };
};

/** The pod's required affinity and anti-affinity terms, compiled. */
export const requiredTerms = (pod: Pod): { affinity: readonly AffinityTerm[]; anti: readonly AffinityTerm[] } => {
  const a = pod.spec?.affinity;
  return {
    affinity: (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(t, pod)),
    anti: (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(t, pod)),
  };
};

/** [AffinityTerm.Matches]: the pod is in one of the term's namespaces and its labels match the selector. */
export const termMatches = (t: AffinityTerm, pod: Pod): boolean => {
  const ns = pod.metadata?.namespace ?? '';
  const inNs = t.namespaces === 'all' || t.namespaces.has(ns) || (t.namespaceSelector?.matches({ [NAMESPACE_NAME_LABEL]: ns }) ?? false);
  return inNs && t.selector.matches(pod.metadata?.labels);
};

/** Bound pods that have required anti-affinity terms of their own (the only existing pods that can rule a node out for another pod). */
const ANTI = ['anti'];
export const podsWithRequiredAntiAffinity: IndexSpec = {
  name: 'scheduler.requiredAntiAffinity', kind: 'Pod',
  fn: (o) => {
    const p = o as Pod;
    return p.spec?.nodeName && (p.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0 ? ANTI : NO_VALUES;
  },
};

const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

/**
 * The pods already placed, as the scheduler's cache holds them: those of `bound` that have a node and are
 * not finished, then the given assumed pods not yet seen bound (not stale) — never the pod `uid` itself.
 */
export const eachPlacedPod = (
  bound: Iterable<Pod>, assumedEntries: Iterable<[string, AssumedPod]>, assumed: AssumedPods, uid: string | undefined,
  visit: (p: Pod, node: string) => void,
): void => {
  const seen = new Set<string>();
  for (const p of bound) {
    const node = p.spec?.nodeName;
    if (!node || isTerminal(p) || p.metadata?.uid === uid) continue;
    seen.add(p.metadata?.uid ?? '');
    visit(p, node);
  }
  for (const [u, a] of assumedEntries) {
    if (u === uid || seen.has(u) || assumed.isStale(u)) continue;
    visit(a.pod, a.node);
  }
};

/** Node labels by node name, read once per cycle. */
const nodeLabelsOf = (snap: Snapshot): ((node: string) => Readonly<Record<string, string>> | undefined) => {
  const memo = new Map<string, Readonly<Record<string, string>> | undefined>();
  return (node) => {
    if (!memo.has(node)) memo.set(node, snap.get('Node', '', node)?.metadata?.labels ?? undefined);
    return memo.get(node);
  };
};

/** What the Filter needs: counts by topology pair (`key\0value`). */
export interface InterPodAffinityState {
  readonly affinity: readonly AffinityTerm[];
  readonly anti: readonly AffinityTerm[];
  /** Pods matching all of the incoming pod's affinity terms, by each term's pair on their node. */
  readonly affinityCounts: ReadonlyMap<string, number>;
  /** Pods matching one of the incoming pod's anti-affinity terms, by that term's pair on their node. */
  readonly antiAffinityCounts: ReadonlyMap<string, number>;
  /** Existing pods whose anti-affinity terms match the incoming pod, by each such term's pair on their node. */
  readonly existingAntiAffinityCounts: ReadonlyMap<string, number>;
  /** Whether the incoming pod matches all of its own affinity terms (the first pod of a group may go anywhere). */
  readonly selfMatch: boolean;
  /** Pods examined. */
  readonly scanned: number;
}

/**
 * [InterPodAffinity PreFilter]: undefined when nothing can rule a node out (the pod has no required terms
 * and no existing pod has required anti-affinity). Existing pods: bound to a node and not finished, and
 * the pods this scheduler assumed on a node (placed, binding not yet seen).
 */
export const interPodAffinityPreFilter = (snap: Snapshot, pod: Pod, assumed: AssumedPods): InterPodAffinityState | undefined => {
  const { affinity, anti } = requiredTerms(pod);
  const uid = pod.metadata?.uid;
  let anyExistingAnti = false;
  for (const p of snap.byIndex('Pod', podsWithRequiredAntiAffinity.name, 'anti')) { if (p.metadata?.uid !== uid) { anyExistingAnti = true; break; } }
  if (!anyExistingAnti) for (const [u] of assumed.withAntiAffinity()) if (u !== uid) { anyExistingAnti = true; break; }
  if (affinity.length === 0 && anti.length === 0 && !anyExistingAnti) return undefined;
  const affinityCounts = new Map<string, number>();
  const antiAffinityCounts = new Map<string, number>();
  const existingAntiAffinityCounts = new Map<string, number>();
  const add = (m: Map<string, number>, k: string): void => { m.set(k, (m.get(k) ?? 0) + 1); };
  const labelsOf = nodeLabelsOf(snap);
  let scanned = 0;
  const visit = (p: Pod, node: string): void => {
    scanned++;
    const labels = labelsOf(node);
    if (labels === undefined) return;
    if (affinity.length > 0 && affinity.every((t) => termMatches(t, p))) {
      for (const t of affinity) { const v = labels[t.topologyKey]; if (v !== undefined) add(affinityCounts, pairKey(t.topologyKey, v)); }
    }
    for (const t of anti) {
      if (!termMatches(t, p)) continue;
      const v = labels[t.topologyKey];
      if (v !== undefined) add(antiAffinityCounts, pairKey(t.topologyKey, v));
    }
    const theirs = p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (theirs !== undefined && theirs.length > 0) {
      for (const raw of theirs) {
        const t = compileTerm(raw, p);
        if (!termMatches(t, pod)) continue;
        const v = labels[t.topologyKey];
        if (v !== undefined) add(existingAntiAffinityCounts, pairKey(t.topologyKey, v));
      }
    }
  };
  // With terms of its own every placed pod matters; else only those with anti-affinity terms.
  const all = affinity.length > 0 || anti.length > 0;
  eachPlacedPod(
    all ? snap.list('Pod') as Iterable<Pod> : snap.byIndex('Pod', podsWithRequiredAntiAffinity.name, 'anti') as Iterable<Pod>,
    all ? assumed.entries() : assumed.withAntiAffinity(), assumed, uid, visit,
  );
  return {
    affinity, anti, affinityCounts, antiAffinityCounts, existingAntiAffinityCounts,
    selfMatch: affinity.length > 0 && affinity.every((t) => termMatches(t, pod)), scanned,
  };
};

/** [InterPodAffinity Filter]: existing pods' anti-affinity, then the pod's affinity, then its anti-affinity. */
export const filterInterPodAffinity = (s: InterPodAffinityState | undefined, n: NodeRec): string | undefined => {
  if (s === undefined) return undefined;
  const labels = n.labels;
  for (const [k, count] of s.existingAntiAffinityCounts) {
    if (count <= 0) continue;
    const i = k.indexOf('\u0000');
    if (labels[k.slice(0, i)] === k.slice(i + 1)) return REASON_EXISTING_ANTI_AFFINITY;
  }
  if (s.affinity.length > 0) {
    let podsExist = true;
    for (const t of s.affinity) {
      const v = labels[t.topologyKey];
      // Every topology label must exist on the node.
      if (v === undefined) return REASON_AFFINITY;
      if ((s.affinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
    }
    // The first pod of a group with affinity to itself may go where its topologies exist.
    if (!podsExist && !(s.affinityCounts.size === 0 && s.selfMatch)) return REASON_AFFINITY;
  }
  for (const t of s.anti) {
    const v = labels[t.topologyKey];
    if (v !== undefined && (s.antiAffinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return REASON_ANTI_AFFINITY;
  }
  return undefined;
};

// ---- Score: preferred terms ---------------------------------------------------------------------

type WeightedTerm = NonNullable<NonNullable<NonNullable<NonNullable<Pod['spec']>['affinity']>['podAffinity']>['preferredDuringSchedulingIgnoredDuringExecution']>[number];

/** Bound pods with preferred pod (anti-)affinity terms of their own (they score nodes for other pods). */
const PREFERRED = ['preferred'];
const hasPreferred = (p: Pod): boolean =>
  (p.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0
  || (p.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
export const podsWithPreferredAffinity: IndexSpec = {
  name: 'scheduler.preferredAffinity', kind: 'Pod',
  fn: (o) => {
    const p = o as Pod;
    return p.spec?.nodeName && hasPreferred(p) ? PREFERRED : NO_VALUES;
  },
};

const weighted = (terms: readonly WeightedTerm[] | undefined, pod: Pod, sign: 1 | -1): { term: AffinityTerm; weight: number }[] =>
  (terms ?? []).map((w) => ({ term: compileTerm(w.podAffinityTerm, pod), weight: sign * w.weight }));

/** Raw scores by topology pair (`key\0value`): what a node gains from the pods in its domains. */
export interface InterPodAffinityScore {
  readonly topologyScore: ReadonlyMap<string, number>;
  readonly scanned: number;
}

/**
 * [InterPodAffinity PreScore]: for every existing pod (bound and unfinished, or assumed), the weights of
 * the incoming pod's preferred terms it matches (affinity +, anti-affinity −) and of its own preferred
 * terms the incoming pod matches, added to the topology pair of its node. Undefined when no preferred
 * term is involved (the plugin then scores every node alike).
 */
export const interPodAffinityPreScore = (snap: Snapshot, pod: Pod, assumed: AssumedPods): InterPodAffinityScore | undefined => {
  const a = pod.spec?.affinity;
  const own = [
    ...weighted(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, pod, 1),
    ...weighted(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, pod, -1),
  ];
  const uid = pod.metadata?.uid;
  let others = false;
  for (const p of snap.byIndex('Pod', podsWithPreferredAffinity.name, 'preferred')) { if (p.metadata?.uid !== uid) { others = true; break; } }
  if (!others) for (const [u] of assumed.withPreferredAffinity()) if (u !== uid) { others = true; break; }
  if (own.length === 0 && !others) return undefined;
  const topologyScore = new Map<string, number>();
  const labelsOf = nodeLabelsOf(snap);
  const add = (t: AffinityTerm, labels: Readonly<Record<string, string>>, w: number): void => {
    const v = labels[t.topologyKey];
    if (v === undefined) return;
    const k = pairKey(t.topologyKey, v);
    topologyScore.set(k, (topologyScore.get(k) ?? 0) + w);
  };
  let scanned = 0;
  const visit = (p: Pod, node: string): void => {
    scanned++;
    const labels = labelsOf(node);
    if (labels === undefined) return;
    for (const { term, weight } of own) if (termMatches(term, p)) add(term, labels, weight);
    if (!hasPreferred(p)) return;
    const pa = p.spec?.affinity;
    for (const { term, weight } of [
      ...weighted(pa?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, p, 1),
      ...weighted(pa?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, p, -1),
    ]) if (termMatches(term, pod)) add(term, labels, weight);
  };
  eachPlacedPod(
    own.length > 0 ? snap.list('Pod') as Iterable<Pod> : snap.byIndex('Pod', podsWithPreferredAffinity.name, 'preferred') as Iterable<Pod>,
    own.length > 0 ? assumed.entries() : assumed.withPreferredAffinity(), assumed, uid, visit,
  );
  return { topologyScore, scanned };
};

/** [InterPodAffinity Score]: the node's pairs' scores summed. */
export const interPodAffinityRawScore = (s: InterPodAffinityScore, n: NodeRec): number => {
  let score = 0;
  for (const [k, v] of s.topologyScore) {
    const i = k.indexOf('\u0000');
    if (n.labels[k.slice(0, i)] === k.slice(i + 1)) score += v;
  }
  return score;
};

/** [InterPodAffinity NormalizeScore]: min–max to 0–100 (all 0 when every node scores alike). */
export const normalizeInterPodAffinity = (raw: readonly number[]): number[] => {
  if (raw.length === 0) return [];
  let min = raw[0]!, max = raw[0]!;
  for (const r of raw) { if (r < min) min = r; if (r > max) max = r; }
  const diff = max - min;
  return raw.map((r) => (diff > 0 ? Math.trunc(100 * ((r - min) / diff)) : 0));
};

/** The default profile's weight of InterPodAffinity's score (NodeResourcesFit's is 1). */
export const INTER_POD_AFFINITY_WEIGHT = 2;
