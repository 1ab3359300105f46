import {
  controllerRevisionHash, controllerRevisionName, newControllerRef,
  type ControllerRevision, type StatefulSet, type PodTemplateSpec,
} from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import { REVISION_HASH_LABEL, selectorOf, setNamespace, setName, controllerUid } from './helpers.js';

/** Canonical JSON with sorted keys: what Go's map-based marshalling of the revision patch produces. */
export const canonicalJson = (v: unknown): string => {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
};

/** [SSU getPatch]: only the pod template is versioned, as a strategic-merge patch that replaces it. */
const patchMemo = new WeakMap<object, string>();
/** Memoized per template object (objects are immutable): a sync does not re-serialise an unchanged template. */
export const revisionPatch = (set: StatefulSet): string => {
  const tpl = set.spec?.template;
  const hit = tpl ? patchMemo.get(tpl) : undefined;
  if (hit !== undefined) return hit;
  const patch = canonicalJson({ spec: { template: { ...(tpl ?? {}), $patch: 'replace' } } });
  if (tpl) patchMemo.set(tpl, patch);
  return patch;
};

export const revisionData = (cr: ControllerRevision): string => {
  if (typeof cr.data === 'string') return cr.data;
  const d = cr.data as object | undefined;
  const hit = d ? patchMemo.get(d) : undefined;
  if (hit !== undefined) return hit;
  const json = canonicalJson(cr.data ?? null);
  if (d) patchMemo.set(d, json);
  return json;
};

/** [SSU newRevision + HIST NewControllerRevision] */
export const newRevision = (set: StatefulSet, revision: number, collisionCount: number): ControllerRevision => {
  const patch = revisionPatch(set);
  const hash = controllerRevisionHash(patch, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(setName(set), hash),
      namespace: setNamespace(set),
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      annotations: { ...(set.metadata?.annotations ?? {}) },
      ownerReferences: [newControllerRef(set as StatefulSet & { apiVersion: string; kind: string; metadata: object })],
    },
    data: JSON.parse(patch) as ControllerRevision['data'],
    revision,
  };
};

/** [HIST SortControllerRevisions]: by revision, then creation time, then name. */
export const sortRevisions = (rs: ControllerRevision[]): ControllerRevision[] =>
  rs.sort((a, b) => (a.revision - b.revision)
    || (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '')
    || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));

/** [SSC ListRevisions]: revisions in the namespace that match the selector and are ours or orphaned. */
export const listRevisions = (snap: Snapshot, set: StatefulSet): ControllerRevision[] => {
  const sel = selectorOf(set);
  const uid = set.metadata?.uid;
  const out: ControllerRevision[] = [];
  for (const cr of snap.list('ControllerRevision', setNamespace(set))) {
    if (!sel.matches(cr.metadata?.labels)) continue;
    const owner = controllerUid(cr);
    if (owner === undefined || owner === uid) out.push(cr);
  }
  return sortRevisions(out);
};

/** ApplyRevision: the set with the template stored in the revision. */
export const applyRevision = (set: StatefulSet, cr: ControllerRevision): StatefulSet => {
  const data = cr.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined;
  const tpl = { ...(data?.spec?.template ?? {}) };
  delete (tpl as { $patch?: string }).$patch;
  return { ...set, spec: { ...set.spec!, template: tpl } };
};

export type RevisionAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'create'; readonly revision: ControllerRevision }
  | { readonly kind: 'rollback'; readonly revision: ControllerRevision };

export interface RevisionChoice {
  readonly current: ControllerRevision;
  readonly update: ControllerRevision;
  readonly collisionCount: number;
  readonly action: RevisionAction;
}

/** [SSC getStatefulSetRevisions] with collision handling of [HIST CreateControllerRevision]. */
export const chooseRevisions = (set: StatefulSet, revisions: readonly ControllerRevision[], snap: Snapshot): RevisionChoice => {
  let collisionCount = set.status?.collisionCount ?? 0;
  const next = revisions.length === 0 ? 1 : revisions[revisions.length - 1]!.revision + 1;
  const data = revisionPatch(set);
  const equal = revisions.filter((r) => revisionData(r) === data);
  let update: ControllerRevision;
  let action: RevisionAction;
  const last = revisions[revisions.length - 1];
  if (equal.length > 0 && last !== undefined && equal[equal.length - 1] === last) {
    update = last;
    action = { kind: 'none' };
  } else if (equal.length > 0) {
    update = { ...equal[equal.length - 1]!, revision: next };
    action = { kind: 'rollback', revision: update };
  } else {
    // A different revision already holds the name: bump the collision count and rehash.
    let candidate = newRevision(set, next, collisionCount);
    for (let i = 0; i < 100; i++) {
      const existing = snap.get('ControllerRevision', setNamespace(set), candidate.metadata!.name!);
      if (!existing || revisionData(existing) === data) break;
      collisionCount++;
      candidate = newRevision(set, next, collisionCount);
    }
    const existing = snap.get('ControllerRevision', setNamespace(set), candidate.metadata!.name!);
    if (existing && revisionData(existing) === data) {
      update = existing;
      action = { kind: 'none' };
    } else {
      update = candidate;
      action = { kind: 'create', revision: candidate };
    }
  }
  const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount, action };
};
