import { EPOCH_MS, KINDS, groupVersionResourceText, isNamespaced, podDeletionGraceSeconds, timestamp, type Kind, type KObject, type Namespace, type Pod } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import type { ReconcileResult } from '../framework/component.js';
import { par, seq, write, type Step } from '../framework/plan.js';

export const NAMESPACE_CONTROLLER_NAME = 'namespace-controller';

/** The finalizer the namespace controller owns (`spec.finalizers`, v1.FinalizerKubernetes). */
export const NAMESPACE_FINALIZER = 'kubernetes';

/**
 * How long the controller waits after it sees a namespace deleted before it removes its content
 * ([namespace_controller] namespaceDeletionGracePeriod): other API servers' lifecycle admission must see
 * the deletion first, so that nothing new is created behind the controller's back.
 */
export const NAMESPACE_DELETION_GRACE_MS = 5_000;

/** [deletion] finalizerEstimateSeconds: the wait assumed for content held by finalizers. */
export const FINALIZER_ESTIMATE_SECONDS = 15;

/**
 * The namespaced resources the controller deletes, in the order it visits them (Kubernetes visits the
 * discovered group-version-resources in map order; kubesim in this fixed order, so runs are deterministic).
 */
export const NAMESPACED_CONTENT: readonly Kind[] = (Object.keys(KINDS) as Kind[]).filter((k) => isNamespaced(k));

/** The five conditions the controller keeps on a namespace being deleted, in [status_condition_utils] order. */
const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining', 'NamespaceFinalizersRemaining',
] as const;
const OK: Readonly<Record<(typeof CONDITION_TYPES)[number], { reason: string; message: string }>> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
};

interface NsCondition { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }

/** `pods.` / `statefulsets.apps`: a resource as the conditions name it (`gvr.Resource + "." + gvr.Group`). */
const resourceText = (k: Kind): string => `${KINDS[k].plural}.${KINDS[k].group}`;
/** `/v1, Resource=pods`: a GroupVersionResource as Go prints it. */
const gvrText = (k: Kind): string => groupVersionResourceText(KINDS[k].apiVersion, KINDS[k].plural);

/**
 * What remains of a kind after the controller's deletions (Background propagation): objects being deleted
 * that wait for their finalizers, and pods still within their grace period (a scheduled, non-terminal pod is
 * deleted gracefully; the kubelet removes it). Everything else goes at once.
 */
const remainsAfterDelete = (o: KObject): boolean => {
  if ((o.metadata?.finalizers?.length ?? 0) > 0) return true;
  if (o.kind !== 'Pod') return false;
  const p = o as Pod;
  if (p.metadata?.deletionTimestamp !== undefined) return (p.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  return podDeletionGraceSeconds(p) > 0;
};

/** The conditions as [updateConditions] leaves them: each type's new value, its transition time kept when its status did not change. */
const nextConditions = (old: readonly NsCondition[], fresh: ReadonlyMap<string, { status: string; reason: string; message: string }>, now: number): NsCondition[] | undefined => {
  const out = old.map((c) => ({ ...c }));
  let changed = false;
  for (const type of CONDITION_TYPES) {
    const want = fresh.get(type) ?? { status: 'False', ...OK[type] };
    const cur = out.find((c) => c.type === type);
    if (!cur) { out.push({ type, status: want.status, lastTransitionTime: timestamp(now), reason: want.reason, message: want.message }); changed = true; continue; }
    if (cur.status !== want.status || cur.reason !== want.reason || cur.message !== want.message) {
      if (cur.status !== want.status) cur.lastTransitionTime = timestamp(now);
      cur.status = want.status; cur.reason = want.reason; cur.message = want.message;
      changed = true;
    }
  }
  return changed ? out : undefined;
};

/**
 * One namespace (the key is its name), as kube-controller-manager's namespace controller deletes it
 * ([namespacedResourcesDeleter.Delete, deleteAllContent]): nothing to do unless it is being deleted; its
 * phase made Terminating if it is not; then every namespaced resource in it is deleted (Background
 * propagation, objects already being deleted left to finish), and what remains is counted — pods within
 * their grace period, objects held by finalizers — into the namespace's conditions (`NamespaceContentRemaining`:
 * `Some resources are remaining: pods. has 3 resource instances`, `NamespaceFinalizersRemaining`:
 * `Some finalizers are remaining: kubernetes.io/pvc-protection in 3 resource instances`). While content
 * remains the namespace is looked at again after half the estimate plus a second (the pods' longest grace
 * period, while the namespace's deletion is younger than it; 15 s for finalizers); content that should have
 * gone but has not is an error (`NamespaceDeletionContentFailure`), retried with backoff. Once nothing
 * remains, its `kubernetes` finalizer is removed (namespaces/finalize) and the API server deletes it.
 */
export const syncNamespace = (snap: Snapshot, live: Snapshot, name: string, now: number): ReconcileResult<undefined> => {
  const ns = snap.get('Namespace', '', name) as Namespace | undefined;
  if (!ns || ns.metadata?.deletionTimestamp === undefined) return {};
  const specFinalizers = ns.spec?.finalizers ?? [];
  if (!specFinalizers.includes(NAMESPACE_FINALIZER)) return {}; // finalized by us already
  const deletedAt = Date.parse(ns.metadata.deletionTimestamp) - EPOCH_MS;
  // The controller takes a deleted namespace up only after namespaceDeletionGracePeriod.
  if (now < deletedAt + NAMESPACE_DELETION_GRACE_MS) return { requeueAfterMs: deletedAt + NAMESPACE_DELETION_GRACE_MS - now };

  // estimateGracefulTermination: the longest grace period of the namespace's non-terminal pods, unless the
  // namespace has been deleted for longer than that.
  let podEstimate = 0;
  for (const p of live.list('Pod', name) as Iterable<Pod>) {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    podEstimate = Math.max(podEstimate, p.spec?.terminationGracePeriodSeconds ?? 30);
  }
  if (now - deletedAt >= podEstimate * 1000) podEstimate = 0;

  const deletes: Step[] = [];
  const remaining = new Map<Kind, number>();
  const finalizers = new Map<string, number>();
  const errors: string[] = [];
  let estimate = 0;
  let work = 1;
  for (const kind of NAMESPACED_CONTENT) {
    let left = 0;
    let held = false;
    for (const o of live.list(kind, name) as Iterable<KObject>) {
      work++;
      if (o.metadata?.deletionTimestamp === undefined) {
        deletes.push(write({ verb: 'delete', kind, namespace: name, name: o.metadata?.name ?? '', propagationPolicy: 'Background' }, { ignore: ['NotFound'] }));
      }
      if (!remainsAfterDelete(o)) continue;
      left++;
      for (const f of o.metadata?.finalizers ?? []) { finalizers.set(f, (finalizers.get(f) ?? 0) + 1); held = true; }
    }
    if (left === 0) continue;
    remaining.set(kind, left);
    const kindEstimate = kind === 'Pod' ? podEstimate : 0;
    if (kindEstimate > 0) estimate = Math.max(estimate, kindEstimate);
    else if (held) estimate = Math.max(estimate, FINALIZER_ESTIMATE_SECONDS);
    else errors.push(`unexpected items still remain in namespace: ${name} for gvr: ${gvrText(kind)}`);
  }

  const fresh = new Map<string, { status: string; reason: string; message: string }>();
  if (remaining.size > 0) {
    const parts = [...remaining].map(([k, n]) => `${resourceText(k)} has ${n} resource instances`).sort();
    fresh.set('NamespaceContentRemaining', { status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${parts.join(', ')}` });
  }
  if (finalizers.size > 0) {
    const parts = [...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort();
    fresh.set('NamespaceFinalizersRemaining', { status: 'True', reason: 'SomeFinalizerRemain', message: `Some finalizers are remaining: ${parts.join(', ')}` });
  }
  if (errors.length > 0) {
    fresh.set('NamespaceDeletionContentFailure', { status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${errors.length} remaining: ${[...errors].sort().join(', ')}` });
  }
  const conditions = nextConditions((ns.status?.conditions ?? []) as NsCondition[], fresh, now);
  const status: Step | undefined = conditions
    ? write({ verb: 'update', subresource: 'status', object: { ...ns, status: { ...ns.status, phase: 'Terminating', conditions } } as KObject }, { ignore: ['NotFound'] })
    : ns.status?.phase !== 'Terminating'
      ? write({ verb: 'update', subresource: 'status', object: { ...ns, status: { ...ns.status, phase: 'Terminating' } } as KObject }, { ignore: ['NotFound'] })
      : undefined;
  const deleting = deletes.length > 0 ? par(...deletes) : undefined;

  if (errors.length > 0) return { plan: seq(deleting, status), error: errors.join('; '), workUnits: work };
  if (remaining.size > 0) {
    // ResourcesRemainingError: looked at again after estimate/2 + 1 seconds.
    return { plan: seq(deleting, status), requeueAfterMs: (Math.floor(estimate / 2) + 1) * 1000, workUnits: work };
  }
  // Nothing remains: mark it finalized by us (on the namespace as the status write left it: no resourceVersion
  // precondition); the API server deletes it once no finalizer is left.
  const { resourceVersion: _rv, ...meta } = ns.metadata;
  const finalize = write({
    verb: 'update', subresource: 'finalize',
    object: { ...ns, metadata: meta, spec: { ...ns.spec, finalizers: specFinalizers.filter((f) => f !== NAMESPACE_FINALIZER) } } as KObject,
  }, { ignore: ['NotFound'] });
  return { plan: seq(deleting, status, finalize), workUnits: work };
};
