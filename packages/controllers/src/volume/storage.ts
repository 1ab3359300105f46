/**
 * Storage helpers shared by the volume binder and the scheduler's VolumeBinding plugin
 * ([component-helpers storage/volume], [storagehelpers], [v1helper node selectors]).
 */
import {
  claimClass, claimRequest, parseQuantity, type ObjectReference, type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import { ANN_BETA_STORAGE_CLASS, ANN_BIND_COMPLETED, ANN_DEFAULT_STORAGE_CLASS, ANN_SELECTED_NODE } from './constants.js';

export type Labels = Readonly<Record<string, string>>;
/** core/v1 NodeSelectorTerm (not re-exported by @kubesim/api). */
export type NodeSelectorTerm = NonNullable<NonNullable<NonNullable<PersistentVolume['spec']>['nodeAffinity']>['required']>['nodeSelectorTerms'][number];

// ---- classes ------------------------------------------------------------------------------------
export { claimClass, claimRequest };

/** [PersistentVolumeClaimHasClass]: the user asked for a class (even ""). */
export const claimHasClass = (c: PersistentVolumeClaim): boolean =>
  c.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined
  || (c.spec?.storageClassName !== undefined && c.spec.storageClassName !== null);

/** [GetPersistentVolumeClass]. */
export const volumeClass = (pv: PersistentVolume): string =>
  pv.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';

export const storageClassOf = (snap: Snapshot, name: string): StorageClass | undefined =>
  name === '' ? undefined : snap.get('StorageClass', '', name);

/** [IsDelayBindingMode]: the claim's class exists and is WaitForFirstConsumer. */
export const isDelayBindingMode = (snap: Snapshot, c: PersistentVolumeClaim): boolean =>
  storageClassOf(snap, claimClass(c))?.volumeBindingMode === 'WaitForFirstConsumer';

/** [util.GetDefaultClass]: the newest class annotated as default (ties: name). */
export const defaultStorageClass = (snap: Snapshot): StorageClass | undefined => {
  let best: StorageClass | undefined;
  for (const sc of snap.list('StorageClass')) {
    if (sc.metadata?.annotations?.[ANN_DEFAULT_STORAGE_CLASS] !== 'true') continue;
    if (!best) { best = sc; continue; }
    const a = sc.metadata?.creationTimestamp ?? '', b = best.metadata?.creationTimestamp ?? '';
    if (a > b || (a === b && (sc.metadata?.name ?? '') < (best.metadata?.name ?? ''))) best = sc;
  }
  return best;
};

// ---- claims and volumes -------------------------------------------------------------------------

export const volumeCapacity = (pv: PersistentVolume): number =>
  parseQuantity(pv.spec?.capacity?.['storage'] as string | number | undefined) ?? 0;

/** [CheckVolumeModeMismatches]: both default to Filesystem. */
export const volumeModeMismatch = (c: PersistentVolumeClaim, pv: PersistentVolume): boolean =>
  (c.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem');

/** [CheckAccessModes]: every mode the claim asks for is offered by the volume. */
export const checkAccessModes = (c: PersistentVolumeClaim, pv: PersistentVolume): boolean => {
  const have = pv.spec?.accessModes ?? [];
  return (c.spec?.accessModes ?? []).every((m) => have.includes(m));
};

/** [IsVolumeBoundToClaim]: claimRef names the claim and its uid is empty or the claim's. */
export const isVolumeBoundToClaim = (pv: PersistentVolume, c: PersistentVolumeClaim): boolean => {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== c.metadata?.name || (ref.namespace ?? '') !== (c.metadata?.namespace ?? '')) return false;
  return !ref.uid || ref.uid === c.metadata?.uid;
};

export const hasAnnotation = (o: { metadata?: { annotations?: Readonly<Record<string, string>> } }, key: string): boolean =>
  o.metadata?.annotations?.[key] !== undefined;

/** A claim the PV controller finished binding (bind-completed annotation). */
export const isBindCompleted = (c: PersistentVolumeClaim): boolean => hasAnnotation(c, ANN_BIND_COMPLETED);

/** [isPVCFullyBound]: volumeName set and bind-completed. */
export const isClaimFullyBound = (c: PersistentVolumeClaim): boolean => !!c.spec?.volumeName && isBindCompleted(c);

export const selectedNodeOf = (c: PersistentVolumeClaim): string | undefined => c.metadata?.annotations?.[ANN_SELECTED_NODE];

/** `namespace/name` of the claim a volume's claimRef points to. */
export const claimRefKey = (ref: ObjectReference): string => `${ref.namespace ?? ''}/${ref.name ?? ''}`;

/** [reference.GetReference] of a claim, as the PV controller writes it into claimRef. */
export const claimReference = (c: PersistentVolumeClaim): ObjectReference => ({
  kind: 'PersistentVolumeClaim',
  namespace: c.metadata?.namespace ?? '',
  name: c.metadata?.name ?? '',
  uid: c.metadata?.uid ?? '',
  apiVersion: 'v1',
  ...(c.metadata?.resourceVersion !== undefined ? { resourceVersion: c.metadata.resourceVersion } : {}),
});

// ---- access-mode groups ([v1helper GetAccessModesAsString], [PVIDX allPossibleMatchingAccessModes]) ----
const MODE_ORDER = [
  ['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP'],
] as const;

/** The canonical key of a set of access modes: `RWO,ROX,RWX,RWOP` order, duplicates and unknown modes dropped. */
export const accessModesKey = (modes: readonly string[] | undefined): string => {
  const m = modes ?? [];
  return MODE_ORDER.filter(([full]) => m.includes(full)).map(([, short]) => short).join(',');
};

interface ModeGroup { readonly key: string; readonly modes: readonly string[] }

/** All 16 mode sets, fewest modes first (ties by key, for determinism). */
const ALL_GROUPS: readonly ModeGroup[] = (() => {
  const out: ModeGroup[] = [];
  for (let bits = 0; bits < 1 << MODE_ORDER.length; bits++) {
    const modes = MODE_ORDER.filter((_, i) => (bits & (1 << i)) !== 0).map(([full]) => full);
    out.push({ key: accessModesKey(modes), modes });
  }
  return out.sort((a, b) => a.modes.length - b.modes.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
})();

/** The mode groups that can serve a claim (superset of its modes), fewest modes first. */
export const matchingModeGroups = (wanted: readonly string[] | undefined): readonly string[] => {
  const w = wanted ?? NO_MODES;
  // Claims share their access-mode lists (a set's claims share their template's): memoized per list.
  let groups = groupsMemo.get(w);
  if (groups === undefined) {
    groups = ALL_GROUPS.filter((g) => w.every((m) => g.modes.includes(m))).map((g) => g.key);
    groupsMemo.set(w, groups);
  }
  return groups;
};
const NO_MODES: readonly string[] = [];
const groupsMemo = new WeakMap<readonly string[], readonly string[]>();

// ---- node selectors ----------------------------------------------------------------------------
interface Requirement { readonly key: string; readonly operator: string; readonly values?: readonly string[] }

const parseIntStrict = (s: string | undefined): number | undefined =>
  s !== undefined && /^[+-]?[0-9]+$/.test(s) ? Number(s) : undefined;

/** One NodeSelectorRequirement against a label map ([labels.Requirement.Matches] via nodeaffinity). */
export const requirementMatches = (r: Requirement, labels: Labels | undefined): boolean => {
  const l = labels ?? {};
  const has = Object.hasOwn(l, r.key);
  const v = l[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return has && values.includes(v as string);
    case 'NotIn': return !has || !values.includes(v as string);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': case 'Lt': {
      const a = parseIntStrict(v), b = parseIntStrict(values[0]);
      if (!has || a === undefined || b === undefined || values.length !== 1) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
};

/** [MatchNodeSelectorTerms]: terms are ORed; a term ANDs its expressions and fields; an empty term matches nothing. */
export const matchNodeSelectorTerms = (
  terms: readonly NodeSelectorTerm[] | undefined, labels: Labels | undefined, nodeName: string,
): boolean => {
  for (const t of terms ?? []) {
    const exprs = t.matchExpressions ?? [];
    const fields = t.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) continue;
    if (!exprs.every((r) => requirementMatches(r, labels))) continue;
    if (!fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, { 'metadata.name': nodeName }))) continue;
    return true;
  }
  return false;
};

/** [CheckNodeAffinity]: a volume without required node affinity fits every node. */
export const volumeFitsNode = (pv: PersistentVolume, labels: Labels | undefined): boolean => {
  const req = pv.spec?.nodeAffinity?.required;
  if (!req) return true;
  return matchNodeSelectorTerms(req.nodeSelectorTerms, labels, '');
};

/** [MatchTopologySelectorTerms]: no terms match everything; else any term whose label requirements all hold. */
export const matchTopologySelectorTerms = (
  terms: StorageClass['allowedTopologies'], labels: Labels | undefined,
): boolean => {
  if (!terms || terms.length === 0) return true;
  const l = labels ?? {};
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => Object.hasOwn(l, e.key) && e.values.includes(l[e.key]!)));
};
