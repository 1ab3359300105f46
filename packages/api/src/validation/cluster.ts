/** Kinds validated on their metadata only: Namespace, Node, Endpoints, Event, plus ControllerRevision. */
import { required } from '../errors.js';
import type { ControllerRevision, Endpoints, Event, Namespace, Node } from '../types.js';
import { immutableJson, nonnegative, type Errs } from './fields.js';
import { nameIsDNSLabel, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

export const validateNamespace = (ns: Namespace): Errs => validateObjectMeta(ns.metadata, false, nameIsDNSLabel);
export const validateNode = (node: Node): Errs => validateObjectMeta(node.metadata, false, nameIsDNSSubdomain);
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
