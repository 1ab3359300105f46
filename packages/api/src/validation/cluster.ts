/** Kinds validated on their metadata only: Namespace, Node, Endpoints, Event, plus ControllerRevision. */
import { fieldError, invalid, required, unsupported } from '../errors.js';
import type { ControllerRevision, Endpoints, Event, Namespace, Node } from '../types.js';
import { immutableJson, labelName, nonnegative, type Errs } from './fields.js';
import { isValidLabelValue } from './strings.js';
import { TAINT_EFFECTS } from './pod.js';
import { nameIsDNSLabel, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

export const validateNamespace = (ns: Namespace): Errs => validateObjectMeta(ns.metadata, false, nameIsDNSLabel);

/**
 * validateNodeTaints: a qualified key, a label value, one of the three effects (required), and each
 * {key, effect} pair once (`Duplicate value: <taint>: taints must be unique by key and effect pair`).
 */
const validateNodeTaints = (taints: NonNullable<Node['spec']>['taints'], path: string): Errs => {
  const errs: Errs = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    errs.push(...labelName(t.key ?? '', `${p}.key`));
    const ms = isValidLabelValue(t.value ?? '');
    if (ms.length > 0) errs.push(invalid(`${p}.value`, t.value ?? '', ms.join(';')));
    if (!t.effect) errs.push(required(`${p}.effect`));
    else if (!(TAINT_EFFECTS as readonly string[]).includes(t.effect)) errs.push(unsupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
    const pair = `${t.effect ?? ''}\u0000${t.key ?? ''}`;
    if (seen.has(pair)) errs.push(fieldError(p, 'Duplicate value', t, 'taints must be unique by key and effect pair'));
    seen.add(pair);
  });
  return errs;
};

/** ValidateNode: the metadata and the taints. */
export const validateNode = (node: Node): Errs => [
  ...validateObjectMeta(node.metadata, false, nameIsDNSSubdomain),
  ...validateNodeTaints(node.spec?.taints, 'spec.taints'),
];
/** The node strategy's update validation: ValidateNode, then ValidateNodeUpdate (the metadata rules). */
export const validateNodeUpdate = (node: Node, old: Node): Errs => [
  ...validateNode(node),
  ...validateObjectMetaUpdate(node.metadata, old.metadata),
];
export const validateEndpoints = (ep: Endpoints): Errs => validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
export const validateEvent = (ev: Event): Errs => validateObjectMeta(ev.metadata, true, nameIsDNSSubdomain);

const validateRevisionBody = (cr: ControllerRevision): Errs => [
  ...(cr.data === undefined || cr.data === null ? [required('data', 'data is mandatory')] : []),
  ...nonnegative(cr.revision ?? 0, 'revision'),
];

/** ValidateControllerRevision. */
export const validateControllerRevision = (cr: ControllerRevision): Errs => [
  ...validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain),
  ...validateRevisionBody(cr),
];

/** ValidateControllerRevisionUpdate: `data` is immutable, `revision` may change. */
export const validateControllerRevisionUpdate = (cr: ControllerRevision, old: ControllerRevision): Errs => [
  ...validateObjectMetaUpdate(cr.metadata, old.metadata),
  ...validateRevisionBody(cr),
  ...immutableJson(cr.data, old.data, 'data'),
];
