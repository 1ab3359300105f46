import { nsName, type KObject, type Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { Snapshot } from '@kubesim/state';
import type { ComponentDef, KeysForContext } from '../framework/component.js';
import {
  budgetsCoveringPod, disruptionTargetOf, DISRUPTION_CONTROLLER_NAME, initialDisruptionLocal, STALE_POD_KEY_PREFIX, staleDisruptionCondition, syncDisruptionBudget,
  syncStalePodDisruption, type DisruptionLocal,
} from './core.js';

/**
 * [DisruptionController addDb/updateDb/removeDb, addPod/updatePod/deletePod]: a budget → itself; a pod
 * → the budgets covering it (its new labels; on deletion, the deleted pod's), and — when it carries a
 * DisruptionTarget condition that can go stale — its own key in the stale-disruption queue
 * (`pod:<ns>/<name>`). StatefulSets and ReplicaSets only feed the cache (their scale), as in Kubernetes.
 * O(1) in a namespace without budgets.
 */
export const disruptionKeysFor = (e: Envelope, _old: KObject | undefined, snap: Snapshot, ctx?: KeysForContext<DisruptionLocal>): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  if (o.kind === 'PodDisruptionBudget') return e.type === 'DELETED' ? [] : [nsName(o.metadata?.namespace, o.metadata?.name ?? '')];
  if (o.kind !== 'Pod') return [];
  const pod = o as Pod;
  const stale = e.type !== 'DELETED' && ctx !== undefined && staleDisruptionCondition(pod, ctx.now) !== undefined
    ? [`${STALE_POD_KEY_PREFIX}${nsName(pod.metadata?.namespace, pod.metadata?.name ?? '')}`] : [];
  if (snap.count('PodDisruptionBudget', pod.metadata?.namespace ?? '') === 0) return stale;
  return [...budgetsCoveringPod(snap, pod).map((b) => nsName(b.metadata?.namespace, b.metadata?.name ?? '')), ...stale];
};

/** The disruption controller: the status of PodDisruptionBudgets, which the eviction subresource reads. */
export const disruptionController: ComponentDef<undefined, DisruptionLocal> = {
  name: DISRUPTION_CONTROLLER_NAME,
  watches: ['PodDisruptionBudget', 'Pod', 'StatefulSet', 'ReplicaSet'],
  keysFor: (e, old, snap, _config, ctx) => disruptionKeysFor(e, old, snap, ctx),
  initialKeys(snap) {
    const out: string[] = [];
    for (const b of snap.list('PodDisruptionBudget')) out.push(nsName(b.metadata?.namespace, b.metadata?.name ?? ''));
    // The initial list's pods reach addPod: those with a DisruptionTarget condition are checked for staleness.
    for (const p of snap.list('Pod') as Iterable<Pod>) {
      if (disruptionTargetOf(p)) out.push(`${STALE_POD_KEY_PREFIX}${nsName(p.metadata?.namespace, p.metadata?.name ?? '')}`);
    }
    return out;
  },
  reconcile: ({ snapshot, key, now, local }) =>
    (key.startsWith(STALE_POD_KEY_PREFIX) ? syncStalePodDisruption(snapshot, key, now) : syncDisruptionBudget(snapshot, key, now, local)),
  initialLocal: initialDisruptionLocal,
};
