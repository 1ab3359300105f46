/** StatefulSet validation (k8s-semantics §1.2: V1–V16, update rules, status rules). */
import { duplicate, forbidden, invalid, required, unsupported } from '../errors.js';
import { compileSelector } from '../selector.js';
import type { PersistentVolumeClaim, StatefulSet } from '../types.js';
import type { StatefulSetSpec, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import {
  invalidJson, invalidSelector, nonnegative, sortedMap, selectorConvertible, semanticEqual, validateLabelSelector, type Errs,
} from './fields.js';
import { statefulSetName, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { validatePersistentVolumeClaimSpec } from './storage.js';
import { atoi, isDNS1123Label, isValidPercent } from './strings.js';

type IntOrString = number | string;

const isPercent = (v: IntOrString): boolean => typeof v === 'string' && isValidPercent(v).length === 0;
/** getIntOrPercentValue. */
const intOrPercentValue = (v: IntOrString): number =>
  typeof v === 'number' ? v : isPercent(v) ? atoi(v.slice(0, -1)) : atoi(v);

/** validateRollingUpdateStatefulSet (V5, V6). */
const validateRollingUpdate = (ru: { partition?: number; maxUnavailable?: IntOrString }, path: string): Errs => {
  const errs: Errs = [...nonnegative(ru.partition ?? 0, `${path}.partition`)];
  const mu = ru.maxUnavailable;
  if (mu === undefined || mu === null) return errs;
  const p = `${path}.maxUnavailable`;
  if (typeof mu === 'string') for (const m of isValidPercent(mu)) errs.push(invalid(p, mu, m));
  else errs.push(...nonnegative(mu, p));
  if (intOrPercentValue(mu) === 0) errs.push(invalid(p, mu, 'cannot be 0'));
  if (isPercent(mu) && intOrPercentValue(mu) > 100) errs.push(invalid(p, mu, 'must not be greater than 100%'));
  return errs;
};

/** The internal apps.RollingUpdateStatefulSetStrategy as json.Marshal renders it. */
const rollingUpdateValue = (ru: { partition?: number; maxUnavailable?: IntOrString } | null | undefined) =>
  ru ? { Partition: ru.partition ?? 0, MaxUnavailable: ru.maxUnavailable ?? null } : null;

/** volumeClaimTemplates validation (PR #132212, ≈1.34). */
export const validateClaimTemplates = (templates: readonly PersistentVolumeClaim[] | undefined, path: string): Errs => {
  const errs: Errs = [];
  const seen = new Set<string>();
  (templates ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const name = t.metadata?.name ?? '';
    if (name === '') {
      errs.push(required(`${p}.metadata.name`));
    } else {
      for (const m of isDNS1123Label(name)) errs.push(invalid(`${p}.metadata.name`, name, m));
      if (seen.has(name)) errs.push(duplicate(`${p}.metadata.name`, name));
      seen.add(name);
    }
    errs.push(...validatePersistentVolumeClaimSpec(t.spec, `${p}.spec`));
  });
  return errs;
};

/** ValidateStatefulSetSpec. `claimTemplates: false` skips the claim-template rules (update ratcheting). */
const validateSpec = (spec: StatefulSetSpec | undefined, claimTemplates: boolean): Errs => {
  const s = spec ?? ({} as StatefulSetSpec);
  const errs: Errs = [];

  // V2
  const pmp = s.podManagementPolicy ?? '';
  if (pmp === '') errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  }

  // V3–V6
  const us = s.updateStrategy ?? {};
  switch (us.type ?? '') {
    case '':
      errs.push(required('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (us.rollingUpdate) {
        errs.push(invalidJson('spec.updateStrategy.rollingUpdate', rollingUpdateValue(us.rollingUpdate),
          "only allowed for updateStrategy 'RollingUpdate'"));
      }
      break;
    case 'RollingUpdate':
      if (us.rollingUpdate) errs.push(...validateRollingUpdate(us.rollingUpdate, 'spec.updateStrategy.rollingUpdate'));
      break;
    default:
      errs.push(invalidJson('spec.updateStrategy', { Type: us.type, RollingUpdate: rollingUpdateValue(us.rollingUpdate) },
        "must be 'RollingUpdate' or 'OnDelete'"));
  }

  // V7
  const rp = s.persistentVolumeClaimRetentionPolicy;
  if (rp) {
    for (const f of ['whenDeleted', 'whenScaled'] as const) {
      const v = rp[f] ?? '';
      if (v !== 'Retain' && v !== 'Delete') {
        errs.push(unsupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ['Retain', 'Delete']));
      }
    }
  }

  // V8–V10
  errs.push(...nonnegative(s.replicas ?? 0, 'spec.replicas'));
  errs.push(...nonnegative(s.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  if (s.ordinals) errs.push(...nonnegative(s.ordinals.start ?? 0, 'spec.ordinals.start'));

  // V11, V12
  const sel = s.selector as StatefulSetSpec['selector'] | undefined | null;
  if (sel === undefined || sel === null) {
    errs.push(required('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
      errs.push(invalidSelector('spec.selector', sel, 'empty selector is invalid for statefulset'));
    }
  }

  // V13, V14 and the pod template (ValidatePodTemplateSpecForStatefulSet)
  const t = s.template as StatefulSetSpec['template'] | undefined;
  if (!selectorConvertible(sel)) {
    errs.push(invalidSelector('spec.selector', sel, ''));
  } else {
    const selector = compileSelector(sel);
    if (!selector.empty && !selector.matches(t?.metadata?.labels)) {
      errs.push(invalidJson('spec.template.metadata.labels', sortedMap(t?.metadata?.labels), '`selector` does not match template `labels`'));
    }
    const extraVolumeNames = new Set<string>();
    for (const ct of s.volumeClaimTemplates ?? []) if (ct.metadata?.name) extraVolumeNames.add(ct.metadata.name);
    errs.push(...validatePodTemplateSpec(t, 'spec.template', { extraVolumeNames }));
  }

  // V15, V16
  const restartPolicy = t?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errs.push(unsupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (t?.spec?.activeDeadlineSeconds !== undefined && t.spec.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }

  if (claimTemplates) errs.push(...validateClaimTemplates(s.volumeClaimTemplates, 'spec.volumeClaimTemplates'));
  return errs;
};

/** ValidateStatefulSet. */
export const validateStatefulSet = (sts: StatefulSet): Errs => [
  ...validateObjectMeta(sts.metadata, true, statefulSetName),
  ...validateSpec(sts.spec, true),
];

const SPEC_UPDATE_MSG = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', " +
  "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/** The spec without the fields an update may change. */
const frozenPart = (s: StatefulSetSpec | undefined) => ({
  ...(s ?? {}),
  replicas: undefined, ordinals: undefined, template: undefined, updateStrategy: undefined,
  persistentVolumeClaimRetentionPolicy: undefined, minReadySeconds: undefined,
});

/**
 * ValidateStatefulSetUpdate: metadata update rules, the spec rules (the name is not re-validated),
 * then immutability. Claim templates are only validated when the stored ones were valid (ratcheting).
 */
export const validateStatefulSetUpdate = (sts: StatefulSet, old: StatefulSet): Errs => {
  const ratchet = validateClaimTemplates(old.spec?.volumeClaimTemplates, 'spec.volumeClaimTemplates').length === 0;
  const errs = [
    ...validateObjectMetaUpdate(sts.metadata, old.metadata),
    ...validateSpec(sts.spec, ratchet),
  ];
  if (!semanticEqual(frozenPart(sts.spec), frozenPart(old.spec))) errs.push(forbidden('spec', SPEC_UPDATE_MSG));
  return errs;
};

/** ValidateStatefulSetStatusUpdate. */
export const validateStatefulSetStatusUpdate = (sts: StatefulSet, old: StatefulSet): Errs => {
  const st: Partial<StatefulSetStatus> = sts.status ?? {};
  const errs: Errs = [];
  const replicas = st.replicas ?? 0;
  const ready = st.readyReplicas ?? 0;
  const current = st.currentReplicas ?? 0;
  const updated = st.updatedReplicas ?? 0;
  const available = st.availableReplicas ?? 0;
  errs.push(...nonnegative(replicas, 'status.replicas'));
  errs.push(...nonnegative(ready, 'status.readyReplicas'));
  errs.push(...nonnegative(current, 'status.currentReplicas'));
  errs.push(...nonnegative(updated, 'status.updatedReplicas'));
  errs.push(...nonnegative(available, 'status.availableReplicas'));
  errs.push(...nonnegative(st.observedGeneration, 'status.observedGeneration'));
  errs.push(...nonnegative(st.collisionCount, 'status.collisionCount'));
  const msg = 'cannot be greater than status.replicas';
  if (ready > replicas) errs.push(invalid('status.readyReplicas', ready, msg));
  if (current > replicas) errs.push(invalid('status.currentReplicas', current, msg));
  if (updated > replicas) errs.push(invalid('status.updatedReplicas', updated, msg));
  if (available > replicas) errs.push(invalid('status.availableReplicas', available, msg));
  if (available > ready) errs.push(invalid('status.availableReplicas', available, 'cannot be greater than status.readyReplicas'));
  errs.push(...validateObjectMetaUpdate(sts.metadata, old.metadata));
  const cc = st.collisionCount;
  const oldCc = old.status?.collisionCount;
  const hasCc = cc !== undefined && cc !== null;
  if (oldCc !== undefined && oldCc !== null && (!hasCc || cc < oldCc)) {
    errs.push(invalid('status.collisionCount', hasCc ? cc : 0, 'cannot be decremented'));
  }
  return errs;
};
