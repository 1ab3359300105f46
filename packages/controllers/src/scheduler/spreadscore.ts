/**
 * [PodTopologySpread] PreScore + Score + NormalizeScore (1.35), weight 2: the pod's soft constraints
 * (`whenUnsatisfiable: ScheduleAnyway`), or — for a pod without any constraint — the scheduler's system
 * defaults (hostname, maxSkew 3; zone, maxSkew 5) over the pods that the Services selecting the pod and
 * its ReplicaSet or StatefulSet select ([helper.DefaultSelector]). A node's raw score sums, for each
 * constraint whose key it carries, the matching pods in its domain × ln(domains + 2) + (maxSkew − 1),
 * rounded; normalized as 100 × (max + min − s) / max, so the node with the fewest matching pods scores
 * 100. Terminating pods are not counted, pods the scheduler has assumed on a node are. With explicit
 * constraints a node missing one of their keys scores 0 (and takes no part in min/max); with the system
 * defaults a node without a zone label is scored on the hostname alone.
 */
import { compileSelector, type LabelSelector, type Pod, type Selector, type Service } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import type { AssumedNode, AssumedPods } from './assumed.js';
import type { NodeRec, SchedulerCache } from './cache.js';
import { podAffinityMatches, podToleratesNode, selectorOf } from './topologyspread.js';

export const POD_TOPOLOGY_SPREAD_WEIGHT = 2;
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

interface SoftConstraint {
  readonly topologyKey: string;
  readonly maxSkew: number;
  readonly selector: Selector;
  readonly honorAffinity: boolean;
  readonly honorTaints: boolean;
}

export interface SpreadScoreState {
  readonly constraints: readonly SoftConstraint[];
  /** Explicit constraints: a node must carry every key to be scored (system defaults: no). */
  readonly requireAll: boolean;
  readonly pod: Pod;
}

/**
 * [helper.DefaultSelector]: the selectors of the Services of the pod's namespace that select it (a nil
 * selector selects nothing), and of its controller if that is a ReplicaSet or a StatefulSet that exists.
 */
export const defaultSelector = (snap: Snapshot, pod: Pod): LabelSelector | undefined => {
  const ns = pod.metadata?.namespace ?? '';
  const labels = pod.metadata?.labels ?? {};
  const matchLabels: Record<string, string> = {};
  for (const svc of snap.list('Service', ns) as Iterable<Service>) {
    const sel = svc.spec?.selector;
    if (sel === undefined || sel === null) continue;
    let all = true;
    for (const k in sel) if (labels[k] !== sel[k]) { all = false; break; }
    if (all) Object.assign(matchLabels, sel);
  }
  let matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (owner && owner.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
    const ctrl = snap.get(owner.kind, ns, owner.name) as { spec?: { selector?: LabelSelector } } | undefined;
    const sel = ctrl?.spec?.selector;
    if (sel) {
      Object.assign(matchLabels, sel.matchLabels ?? {});
      matchExpressions = [...sel.matchExpressions ?? []];
    }
  }
  if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) return undefined;
  return { matchLabels, ...(matchExpressions.length > 0 ? { matchExpressions } : {}) };
};

/** [PodTopologySpread PreScore]: undefined when the pod has no soft constraint to score (Skip). */
export const spreadPreScore = (snap: Snapshot, pod: Pod): SpreadScoreState | undefined => {
  const explicit = pod.spec?.topologySpreadConstraints ?? [];
  if (explicit.length > 0) {
    const constraints = explicit.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway').map((c) => ({
      topologyKey: c.topologyKey, maxSkew: c.maxSkew, selector: selectorOf(c, pod),
      honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor', honorTaints: c.nodeTaintsPolicy === 'Honor',
    }));
    return constraints.length === 0 ? undefined : { constraints, requireAll: true, pod };
  }
  const sel = defaultSelector(snap, pod);
  if (sel === undefined) return undefined;
  const selector = compileSelector(sel);
  return {
    constraints: [
      { topologyKey: LABEL_HOSTNAME, maxSkew: 3, selector, honorAffinity: true, honorTaints: false },
      { topologyKey: LABEL_ZONE, maxSkew: 5, selector, honorAffinity: true, honorTaints: false },
    ],
    requireAll: false,
    pod,
  };
};

const matchesAssumed = (p: Pod, sel: Selector, ns: string): boolean =>
  p.metadata?.deletionTimestamp === undefined && (p.metadata?.namespace ?? '') === ns && sel.matches(p.metadata?.labels);

/** The pods assumed on a node (not stale) that a selector matches; `key` (interned) names the selector. */
const assumedMatching = (here: AssumedNode | undefined, assumed: AssumedPods, key: string, sel: Selector, ns: string): number => {
  if (here === undefined) return 0;
  const memo = here.spreadMemo;
  if (memo !== undefined && memo.key === key) return memo.n;
  let n = 0;
  for (const [u, a] of here.entries) if (!assumed.isStale(u) && matchesAssumed(a.pod, sel, ns)) n++;
  here.spreadMemo = { key, n };
  return n;
};

/** One string per selector key, so that memo checks compare references. */
const interned = new Map<string, string>();
const intern = (k: string): string => {
  const hit = interned.get(k);
  if (hit !== undefined) return hit;
  if (interned.size >= 1024) interned.clear();
  interned.set(k, k);
  return k;
};

/** Scratch arrays of `spreadScores`, reused by every cycle (cycles never overlap). */
let ignoredScratch = new Uint8Array(1024);
let rawScratch = new Float64Array(1024);
let outScratch = new Float64Array(1024);

/**
 * The normalized scores (0–100) of the feasible nodes (their positions in the cache's node list, and
 * their records — one per position), in order: a scratch array valid until the next call. Bound pods are counted through the cache (per node and selector, again only
 * after the node's pods changed); every node is read only when a non-hostname constraint has a domain
 * among the feasible nodes.
 */
export const spreadScores = (
  s: SpreadScoreState, snap: Snapshot, cache: SchedulerCache, assumed: AssumedPods, positions: ArrayLike<number>, recs: readonly NodeRec[],
): Float64Array => {
  const { constraints, requireAll, pod } = s;
  const ns = pod.metadata?.namespace ?? '';
  const uid = pod.metadata?.uid;
  const nc = constraints.length;
  const m = recs.length;
  if (ignoredScratch.length < m) {
    const cap = Math.max(m, ignoredScratch.length * 2);
    ignoredScratch = new Uint8Array(cap); rawScratch = new Float64Array(cap); outScratch = new Float64Array(cap);
  }
  const assumedNodes = cache.assumedAt(snap, assumed);
  const keys = constraints.map((c) => intern(`${ns}\u0000${c.selector.text}`));
  const counters = constraints.map((c, k) => cache.spreadCounter(keys[k]!, c.selector, ns));
  // The pod itself, if assumed somewhere (a pod held in PreBind), is not one of the pods it spreads from.
  const self = uid === undefined ? undefined : assumed.get(uid);
  const selfAt = self === undefined || assumed.isStale(uid!) ? -1 : cache.indexOf(snap, self.node) ?? -1;
  const onNode = (k: number, i: number): number => {
    const sel = constraints[k]!.selector;
    const n = counters[k]!.on(snap, i) + assumedMatching(assumedNodes[i], assumed, keys[k]!, sel, ns);
    return i === selfAt && matchesAssumed(self!.pod, sel, ns) ? n - 1 : n;
  };
  const ignored = ignoredScratch;
  ignored.fill(0, 0, m);
  let scoredCount = m;
  if (requireAll) {
    for (let j = 0; j < m; j++) {
      const labels = recs[j]!.labels;
      for (let k = 0; k < nc; k++) if (labels[constraints[k]!.topologyKey] === undefined) { ignored[j] = 1; scoredCount--; break; }
    }
  }
  // initPreScoreState: the domains of the scored feasible nodes, and each constraint's weight. Only nodes
  // carrying a key are credited with their domain's count, so the '' domain (nodes without it) is never read.
  const counts: (Map<string, number> | undefined)[] = new Array(nc);
  const weights = new Float64Array(nc);
  let anyDomain = false;
  for (let k = 0; k < nc; k++) {
    const key = constraints[k]!.topologyKey;
    if (key === LABEL_HOSTNAME) { weights[k] = Math.log(scoredCount + 2); continue; }
    let values: Set<string> | undefined;
    let missing = false;
    for (let j = 0; j < m; j++) {
      if (ignored[j] === 1) continue;
      const v = recs[j]!.labels[key];
      if (v === undefined) missing = true; else (values ??= new Set()).add(v);
    }
    if (values === undefined) continue;
    const c = new Map<string, number>();
    for (const v of values) c.set(v, 0);
    counts[k] = c;
    anyDomain = true;
    weights[k] = Math.log(values.size + (missing ? 1 : 0) + 2);
  }
  if (anyDomain) {
    const names = cache.nodeNames(snap);
    for (let i = 0; i < names.length; i++) {
      const n = cache.recAt(snap, i);
      if (!n || (requireAll && !constraints.every((c) => n.labels[c.topologyKey] !== undefined))) continue;
      let affinityOk: boolean | undefined;
      for (let k = 0; k < nc; k++) {
        const c = constraints[k]!;
        const domain = counts[k];
        if (domain === undefined) continue;
        const v = n.labels[c.topologyKey];
        const sum = v === undefined ? undefined : domain.get(v);
        if (sum === undefined) continue;
        if (c.honorAffinity) {
          affinityOk ??= podAffinityMatches(pod, n);
          if (!affinityOk) continue;
        }
        if (c.honorTaints && !podToleratesNode(pod, n)) continue;
        domain.set(v!, sum + onNode(k, i));
      }
    }
  }
  // Score: the raw scores; NormalizeScore over the scored nodes.
  const raw = rawScratch;
  let min = Infinity, max = 0;
  for (let j = 0; j < m; j++) {
    if (ignored[j] === 1) continue;
    const i = positions[j]!, rec = recs[j]!;
    let score = 0;
    for (let k = 0; k < nc; k++) {
      const c = constraints[k]!;
      const v = rec.labels[c.topologyKey];
      if (v === undefined) continue;
      const cnt = c.topologyKey === LABEL_HOSTNAME ? onNode(k, i) : counts[k]?.get(v) ?? 0;
      score += cnt * weights[k]! + (c.maxSkew - 1);
    }
    const r = Math.round(score);
    raw[j] = r;
    if (r < min) min = r;
    if (r > max) max = r;
  }
  const out = outScratch;
  for (let j = 0; j < m; j++) out[j] = ignored[j] === 1 ? 0 : max === 0 ? 100 : Math.trunc((100 * (max + min - raw[j]!)) / max);
  return out;
};
