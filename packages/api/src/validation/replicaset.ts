/** ReplicaSet validation (k8s-semantics §2.5: ValidateReplicaSet, ValidatePodTemplateSpecForReplicaSet). */
import { forbidden, invalid, required, unsupported } from '../errors.js';
import { compileSelector } from '../selector.js';
import type { ReplicaSet } from '../types.js';
import type { ReplicaSetSpec } from 'kubernetes-types/apps/v1.js';
import {
  invalidJson, invalidSelector, nonnegative, sortedMap, selectorConvertible, selectorJson, validateLabelSelector, type Errs,
} from './fields.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { IMMUTABLE_MSG } from './strings.js';

/** ValidateReplicaSetSpec. */
const validateSpec = (spec: ReplicaSetSpec | undefined): Errs => {
  const s = spec ?? ({} as ReplicaSetSpec);
  const errs: Errs = [];
  errs.push(...nonnegative(s.replicas ?? 0, 'spec.replicas'));
  errs.push(...nonnegative(s.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  const sel = s.selector as ReplicaSetSpec['selector'] | undefined | null;
  if (sel === undefined || sel === null) {
    errs.push(required('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
      errs.push(invalidSelector('spec.selector', sel, 'empty selector is invalid for deployment'));
    }
  }
  if (!selectorConvertible(sel)) {
    errs.push(invalidSelector('spec.selector', sel, 'invalid label selector'));
    return errs;
  }
  // ValidatePodTemplateSpecForReplicaSet
  const t = s.template;
  const selector = compileSelector(sel);
  if (!selector.empty && !selector.matches(t?.metadata?.labels)) {
    errs.push(invalidJson('spec.template.metadata.labels', sortedMap(t?.metadata?.labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(t, 'spec.template'));
  const restartPolicy = t?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errs.push(unsupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (t?.spec?.activeDeadlineSeconds !== undefined && t.spec.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
};

/** ValidateReplicaSet. */
export const validateReplicaSet = (rs: ReplicaSet): Errs => [
  ...validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain),
  ...validateSpec(rs.spec),
];

/** ValidateReplicaSetUpdate plus the apps/v1 strategy rule: the selector is immutable. */
export const validateReplicaSetUpdate = (rs: ReplicaSet, old: ReplicaSet): Errs => {
  const errs = [...validateObjectMetaUpdate(rs.metadata, old.metadata), ...validateSpec(rs.spec)];
  if (selectorJson(rs.spec?.selector) !== selectorJson(old.spec?.selector)) {
    errs.push({ ...invalid('spec.selector', null, IMMUTABLE_MSG), value: selectorJson(rs.spec?.selector) });
  }
  return errs;
};

/** ValidateReplicaSetStatusUpdate. */
export const validateReplicaSetStatusUpdate = (rs: ReplicaSet, old: ReplicaSet): Errs => {
  const errs = validateObjectMetaUpdate(rs.metadata, old.metadata);
  const st = rs.status ?? { replicas: 0 };
  const replicas = st.replicas ?? 0;
  const fully = st.fullyLabeledReplicas ?? 0;
  const ready = st.readyReplicas ?? 0;
  const available = st.availableReplicas ?? 0;
  errs.push(...nonnegative(replicas, 'status.replicas'));
  errs.push(...nonnegative(fully, 'status.fullyLabeledReplicas'));
  errs.push(...nonnegative(ready, 'status.readyReplicas'));
  errs.push(...nonnegative(available, 'status.availableReplicas'));
  errs.push(...nonnegative(st.observedGeneration ?? 0, 'status.observedGeneration'));
  const msg = 'cannot be greater than status.replicas';
  if (fully > replicas) errs.push(invalid('status.fullyLabeledReplicas', fully, msg));
  if (ready > replicas) errs.push(invalid('status.readyReplicas', ready, msg));
  if (available > replicas) errs.push(invalid('status.availableReplicas', available, msg));
  if (available > ready) errs.push(invalid('status.availableReplicas', available, 'cannot be greater than readyReplicas'));
  const terminating = (st as { terminatingReplicas?: number }).terminatingReplicas;
  errs.push(...nonnegative(terminating, 'status.terminatingReplicas'));
  return errs;
};
