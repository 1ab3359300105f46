/** PersistentVolumeClaim, PersistentVolume and StorageClass validation (core + storage validation). */
import { forbidden, invalid, required, unsupported } from '../errors.js';
import { canonicalQuantity, isValidQuantity, parseQuantity } from '../quantity.js';
import { merged } from '../objects.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../types.js';
import type { PersistentVolumeClaimSpec, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js';
import {
  immutable, immutableJson, semanticEqual, sortedMap, unsupportedJson, validateLabelSelector, type Errs,
} from './fields.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Subdomain, isQualifiedName, QUANTITY_MSG } from './strings.js';

/** sets.List order (sorted). */
export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
const VOLUME_MODES = ['Block', 'Filesystem'] as const;
const PV_RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'] as const;
const SC_RECLAIM_POLICIES = ['Delete', 'Retain'] as const;
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'] as const;

type Quantity = string | number;

/** Quantity syntax, then ValidatePositiveQuantityValue. */
const positiveQuantity = (q: Quantity, path: string): Errs => {
  if (!isValidQuantity(q)) return [invalid(path, String(q), QUANTITY_MSG)];
  return (parseQuantity(q) ?? 0) <= 0 ? [invalid(path, canonicalQuantity(q), 'must be greater than zero')] : [];
};

/** Access-mode list checks shared by claims and volumes. */
const validateAccessModes = (modes: readonly string[], path: string): Errs => {
  const errs: Errs = [];
  for (const m of modes) {
    if (!(ACCESS_MODES as readonly string[]).includes(m)) errs.push(unsupported(path, m, ACCESS_MODES));
  }
  if (modes.includes('ReadWriteOncePod') && modes.some((m) => m !== 'ReadWriteOncePod' && (ACCESS_MODES as readonly string[]).includes(m))) {
    errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
};

const className = (name: string | undefined | null, path: string): Errs =>
  name ? isDNS1123Subdomain(name).map((m) => invalid(path, name, m)) : [];

const volumeMode = (mode: string | undefined | null, path: string): Errs =>
  mode !== undefined && mode !== null && !(VOLUME_MODES as readonly string[]).includes(mode) ? [unsupported(path, mode, VOLUME_MODES)] : [];

/** ValidatePersistentVolumeClaimSpec (also used for StatefulSet volumeClaimTemplates). */
export const validatePersistentVolumeClaimSpec = (spec: PersistentVolumeClaimSpec | undefined, path: string): Errs => {
  const s = spec ?? {};
  const errs: Errs = [];
  const modes = s.accessModes ?? [];
  if (modes.length === 0) errs.push(required(`${path}.accessModes`, 'at least 1 access mode is required'));
  if (s.selector) errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  errs.push(...validateAccessModes(modes, `${path}.accessModes`));
  const storage = s.resources?.requests?.['storage'] as Quantity | undefined;
  const storagePath = `${path}.resources[storage]`;
  if (storage === undefined || storage === null) errs.push(required(storagePath));
  else errs.push(...positiveQuantity(storage, storagePath));
  errs.push(...className(s.storageClassName, `${path}.storageClassName`));
  errs.push(...volumeMode(s.volumeMode, `${path}.volumeMode`));
  return errs;
};

/** ValidatePersistentVolumeClaim. */
export const validatePersistentVolumeClaim = (pvc: PersistentVolumeClaim): Errs => [
  ...validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain),
  ...validatePersistentVolumeClaimSpec(pvc.spec, 'spec'),
];

const storageOf = (s: PersistentVolumeClaimSpec | undefined): Quantity | undefined =>
  s?.resources?.requests?.['storage'] as Quantity | undefined;

/**
 * ValidatePersistentVolumeClaimUpdate: the spec is immutable except `volumeName` (once, from empty),
 * `storageClassName` (from unset, DefaultStorageClass) and, for a Bound claim, `resources.requests.storage`,
 * which may shrink only while it stays above `status.capacity` (RecoverVolumeExpansionFailure, GA in
 * 1.34: a user may take back an expansion that failed, never go below what the volume has).
 */
export const validatePersistentVolumeClaimUpdate = (pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): Errs => {
  const errs = [...validateObjectMetaUpdate(pvc.metadata, old.metadata), ...validatePersistentVolumeClaim(pvc)];
  const spec: PersistentVolumeClaimSpec = pvc.spec ?? {};
  const oldSpec: PersistentVolumeClaimSpec = old.spec ?? {};
  let newClone: PersistentVolumeClaimSpec = spec;
  let oldClone: PersistentVolumeClaimSpec = oldSpec;
  if (!oldSpec.volumeName) oldClone = merged(oldClone, { volumeName: spec.volumeName });
  if ((oldSpec.storageClassName === undefined || oldSpec.storageClassName === null) && spec.storageClassName !== undefined) {
    newClone = merged(newClone, { storageClassName: undefined });
  }
  const phase = old.status?.phase ?? pvc.status?.phase;
  if (phase === 'Bound' && newClone.resources?.requests) {
    newClone = { ...newClone, resources: { ...newClone.resources, requests: { ...newClone.resources.requests, storage: storageOf(oldSpec) as string } } };
  }
  if (!semanticEqual(newClone, oldClone)) {
    errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  const newSize = parseQuantity(storageOf(spec)) ?? 0;
  const oldSize = parseQuantity(storageOf(oldSpec)) ?? 0;
  const statusSize = parseQuantity(old.status?.capacity?.['storage'] as Quantity | undefined) ?? 0;
  if (newSize < oldSize && newSize <= statusSize) errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  errs.push(...immutable(spec.volumeMode ?? null, oldSpec.volumeMode ?? null, 'volumeMode'));
  return errs;
};

const PV_NON_SOURCE_FIELDS = new Set([
  'accessModes', 'capacity', 'claimRef', 'mountOptions', 'nodeAffinity', 'persistentVolumeReclaimPolicy',
  'storageClassName', 'volumeAttributesClassName', 'volumeMode',
]);

/** The PersistentVolumeSource part of a PV spec (hostPath, local, csi, ...). */
const pvSource = (s: PersistentVolumeSpec): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!PV_NON_SOURCE_FIELDS.has(k)) out[k] = v;
  return out;
};

/** ValidatePersistentVolume. A volume source is optional in kubesim (Kubernetes requires exactly one). */
export const validatePersistentVolume = (pv: PersistentVolume): Errs => {
  const errs = validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain);
  const s: PersistentVolumeSpec = pv.spec ?? {};
  const modes = s.accessModes ?? [];
  if (modes.length === 0) errs.push(required('spec.accessModes'));
  errs.push(...validateAccessModes(modes, 'spec.accessModes'));
  const capacity = (s.capacity ?? {}) as Record<string, Quantity>;
  const keys = Object.keys(capacity);
  if (keys.length === 0) errs.push(required('spec.capacity'));
  if (!('storage' in capacity) || keys.length > 1) errs.push(unsupportedJson('spec.capacity', sortedMap(s.capacity), ['storage']));
  for (const k of [...keys].sort()) {
    const q = capacity[k];
    if (q !== undefined) errs.push(...positiveQuantity(q, `spec.capacity[${k}]`));
  }
  const policy = s.persistentVolumeReclaimPolicy;
  if (policy && !(PV_RECLAIM_POLICIES as readonly string[]).includes(policy)) {
    errs.push(unsupported('spec.persistentVolumeReclaimPolicy', policy, PV_RECLAIM_POLICIES));
  }
  if (s.hostPath && !s.hostPath.path) errs.push(required('spec.hostPath.path'));
  if (s.local && !s.local.path) errs.push(required('spec.local.path'));
  if (s.csi && !s.csi.driver) errs.push(required('spec.csi.driver'));
  if (s.hostPath && s.hostPath.path.replace(/\/+$/, '') === '' && s.hostPath.path !== '' && policy === 'Recycle') {
    errs.push(forbidden('spec.persistentVolumeReclaimPolicy', "may not be 'recycle' for a hostPath mount of '/'"));
  }
  errs.push(...className(s.storageClassName, 'spec.storageClassName'));
  errs.push(...volumeMode(s.volumeMode, 'spec.volumeMode'));
  return errs;
};

/** ValidatePersistentVolumeUpdate: the volume source, volumeMode and a set nodeAffinity are immutable. */
export const validatePersistentVolumeUpdate = (pv: PersistentVolume, old: PersistentVolume): Errs => {
  const errs = [...validateObjectMetaUpdate(pv.metadata, old.metadata), ...validatePersistentVolume(pv)];
  const s: PersistentVolumeSpec = pv.spec ?? {};
  const o: PersistentVolumeSpec = old.spec ?? {};
  if (!semanticEqual(pvSource(s), pvSource(o))) {
    errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  }
  errs.push(...immutable(s.volumeMode ?? null, o.volumeMode ?? null, 'volumeMode'));
  if (o.nodeAffinity) errs.push(...immutableJson(s.nodeAffinity, o.nodeAffinity, 'nodeAffinity'));
  return errs;
};

/** ValidateStorageClass. */
export const validateStorageClass = (sc: StorageClass): Errs => {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain);
  const provisioner = sc.provisioner ?? '';
  if (provisioner === '') errs.push(required('provisioner'));
  else for (const m of isQualifiedName(provisioner.toLowerCase())) errs.push(invalid('provisioner', provisioner.toLowerCase(), m));
  for (const k of Object.keys(sc.parameters ?? {})) if (k.length < 1) errs.push(invalid('parameters', k, 'field can not be empty.'));
  const rp = sc.reclaimPolicy;
  if (rp && !(SC_RECLAIM_POLICIES as readonly string[]).includes(rp)) errs.push(unsupported('reclaimPolicy', rp, SC_RECLAIM_POLICIES));
  const mode = sc.volumeBindingMode;
  if (mode === undefined || mode === null) errs.push(required('volumeBindingMode'));
  else if (!(BINDING_MODES as readonly string[]).includes(mode)) errs.push(unsupported('volumeBindingMode', mode, BINDING_MODES));
  return errs;
};

/** ValidateStorageClassUpdate (after the create rules, as the registry strategy runs them). */
export const validateStorageClassUpdate = (sc: StorageClass, old: StorageClass): Errs => {
  const errs = [...validateStorageClass(sc), ...validateObjectMetaUpdate(sc.metadata, old.metadata)];
  if (!semanticEqual(sc.parameters, old.parameters)) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if ((sc.provisioner ?? '') !== (old.provisioner ?? '')) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if ((sc.reclaimPolicy ?? '') !== (old.reclaimPolicy ?? '')) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...immutable(sc.volumeBindingMode ?? null, old.volumeBindingMode ?? null, 'volumeBindingMode'));
  return errs;
};

