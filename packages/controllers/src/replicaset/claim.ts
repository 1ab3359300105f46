import { controllerRefOf, type Pod, type ReplicaSet, type Selector } from '@kubesim/api';
import { write, type WriteStep } from '../framework/index.js';
import { rsControllerRef } from './pods.js';

/**
 * [CRM ClaimPods, ClaimObject, AdoptPod, ReleasePod] by selector only (k8s-semantics §2.2 step 3).
 *
 * Kubernetes sends strategic-merge patches keyed by owner uid; kubesim's API server applies JSON merge
 * patches, which replace the whole `ownerReferences` list. So the patch carries the full new list and the
 * pod's resourceVersion as a precondition (a concurrent change to the pod → Conflict → requeue), and
 * `metadata.uid` as Kubernetes' patch does.
 */
export interface ClaimResult {
  /** Active pods this ReplicaSet owns after the claim (kept + adopted), in candidate order. */
  readonly claimed: readonly Pod[];
  /** Adopt/release patches; tags `adopt:<pod>` / `release:<pod>`. */
  readonly writes: readonly WriteStep[];
}

export const adoptTag = (pod: string): string => `adopt:${pod}`;
export const releaseTag = (pod: string): string => `release:${pod}`;

const patchOwnerRefs = (pod: Pod, refs: NonNullable<Pod['metadata']>['ownerReferences'] | null, tag: string, ignore: WriteStep['ignore']): WriteStep =>
  write({
    verb: 'patch', kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '',
    patch: { metadata: { ownerReferences: refs, uid: pod.metadata?.uid } },
    ...(pod.metadata?.resourceVersion !== undefined ? { resourceVersion: pod.metadata.resourceVersion } : {}),
  }, { tag, ignore });

/** `candidates`: active pods that are either controlled by this ReplicaSet or orphans in its namespace. */
export const claimPods = (rs: ReplicaSet, selector: Selector, candidates: Iterable<Pod>): ClaimResult => {
  const uid = rs.metadata?.uid;
  const ns = rs.metadata?.namespace ?? '';
  const deleting = rs.metadata?.deletionTimestamp !== undefined;
  const claimed: Pod[] = [];
  const writes: WriteStep[] = [];
  for (const pod of candidates) {
    const ref = controllerRefOf(pod.metadata);
    const matches = selector.matches(pod.metadata?.labels);
    if (ref) {
      if (ref.uid !== uid) continue; // owned by someone else
      if (matches) { claimed.push(pod); continue; }
      if (deleting) continue;
      // Release: NotFound (pod gone) and Invalid (no such ref / uid mismatch) are ignored.
      const rest = (pod.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
      writes.push(patchOwnerRefs(pod, rest.length > 0 ? rest : null, releaseTag(pod.metadata?.name ?? ''), ['NotFound', 'Invalid']));
      continue;
    }
    if (deleting || !matches) continue;
    if (pod.metadata?.deletionTimestamp !== undefined) continue;
    if ((pod.metadata?.namespace ?? '') !== ns) continue;
    // Adopt: NotFound is ignored (the pod is then not really claimed; the next sync corrects the count).
    writes.push(patchOwnerRefs(pod, [...(pod.metadata?.ownerReferences ?? []), rsControllerRef(rs)], adoptTag(pod.metadata?.name ?? ''), ['NotFound']));
    claimed.push(pod);
  }
  return { claimed, writes };
};
