import { nsName, type KObject, type Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { Snapshot } from '@kubesim/state';
import type { ComponentDef } from '../framework/component.js';
import { budgetsCoveringPod, DISRUPTION_CONTROLLER_NAME, initialDisruptionLocal, syncDisruptionBudget, type DisruptionLocal } from './core.js';

/**
 * [DisruptionController addDb/updateDb/removeDb, addPod/updatePod/deletePod]: a budget → itself; a pod
 * → the budgets covering it (its new labels; on deletion, the deleted pod's). StatefulSets and
 * ReplicaSets only feed the cache (their scale), as in Kubernetes. O(1) in a namespace without budgets.
 */
export const disruptionKeysFor = (e: Envelope, _old: KObject | undefined, snap: Snapshot): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  if (o.kind === 'PodDisruptionBudget') return e.type === 'DELETED' ? [] : [nsName(o.metadata?.namespace, o.metadata?.name ?? '')];
  if (o.kind !== 'Pod' || snap.count('PodDisruptionBudget', o.metadata?.namespace ?? '') === 0) return [];
  return budgetsCoveringPod(snap, o as Pod).map((b) => nsName(b.metadata?.namespace, b.metadata?.name ?? ''));
};

/** The disruption controller: the status of PodDisruptionBudgets, which the eviction subresource reads. */
export const disruptionController: ComponentDef<undefined, DisruptionLocal> = {
  name: DISRUPTION_CONTROLLER_NAME,
  watches: ['PodDisruptionBudget', 'Pod', 'StatefulSet', 'ReplicaSet'],
  keysFor: disruptionKeysFor,
  initialKeys(snap) {
    const out: string[] = [];
    for (const b of snap.list('PodDisruptionBudget')) out.push(nsName(b.metadata?.namespace, b.metadata?.name ?? ''));
    return out;
  },
  reconcile: ({ snapshot, key, now, local }) => syncDisruptionBudget(snapshot, key, now, local),
  initialLocal: initialDisruptionLocal,
};
