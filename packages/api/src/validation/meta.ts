/** ObjectMeta validation (apimachinery ValidateObjectMeta / ValidateObjectMetaUpdate). */
import { invalid, required, forbidden, type FieldError } from '../errors.js';
import { nameIsDnsLabelErrors } from '../naming.js';
import type { ObjectMeta, OwnerReference } from '../types.js';
import { immutable, invalidJson, nonnegative, validateAnnotations, validateLabels, type Errs } from './fields.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from './strings.js';

/** A ValidateNameFunc: detail messages for a name (`prefix` = it is a generateName). */
export type NameFn = (name: string, prefix: boolean) => string[];

/** maskTrailingDash: a generateName may end in '-'. */
const maskTrailingDash = (name: string): string =>
  name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;

export const nameIsDNSSubdomain: NameFn = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel: NameFn = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label: NameFn = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);
/** ValidateStatefulSetName (§1.2 V1). */
export const statefulSetName: NameFn = (n, prefix) => nameIsDnsLabelErrors(prefix ? maskTrailingDash(n) : n);

/** ValidateOwnerReferences (paths are not indexed, as in Kubernetes). */
/** Owner-reference and finalizer lists found valid (objects are immutable; versions share their lists). */
const validOwnerRefLists = new WeakSet<object>();
const validFinalizerLists = new WeakSet<object>();

const validateOwnerReferences = (refs: readonly OwnerReference[] | undefined, path: string): Errs => {
  if (refs !== undefined && validOwnerRefLists.has(refs)) return [];
  const errs = ownerReferenceErrors(refs, path);
  if (refs !== undefined && errs.length === 0) validOwnerRefLists.add(refs);
  return errs;
};

const ownerReferenceErrors = (refs: readonly OwnerReference[] | undefined, path: string): Errs => {
  const errs: Errs = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const parts = (ref.apiVersion ?? '').split('/');
    const version = parts.length === 1 ? (parts[0] ?? '') : parts.length === 2 ? (parts[1] ?? '') : '';
    const group = parts.length === 2 ? (parts[0] ?? '') : '';
    if (version === '') errs.push(invalid(`${path}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(`${path}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(invalid(`${path}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(invalid(`${path}.uid`, ref.uid ?? '', 'uid must not be empty'));
    if (group === '' && version === 'v1' && ref.kind === 'Event') {
      errs.push(invalidJson(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController !== '') {
        errs.push(invalidJson(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
};

/** ValidateFinalizers. */
const validateFinalizers = (finalizers: readonly string[] | undefined, path: string): Errs => {
  const errs: Errs = [];
  if (finalizers !== undefined && validFinalizerLists.has(finalizers)) return errs;
  const list = finalizers ?? [];
  for (const f of list) for (const m of isQualifiedName(f)) errs.push(invalid(path, f, m));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalidJson(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  if (finalizers !== undefined && errs.length === 0) validFinalizerLists.add(finalizers);
  return errs;
};

/** ValidateObjectMeta as run on create. */
export const validateObjectMeta = (
  meta: ObjectMeta | undefined, requiresNamespace: boolean, nameFn: NameFn, path = 'metadata',
): Errs => {
  const m = meta ?? {};
  const errs: Errs = [];
  if (m.generateName) for (const msg of nameFn(m.generateName, true)) errs.push(invalid(`${path}.generateName`, m.generateName, msg));
  if (!m.name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of nameFn(m.name, false)) errs.push(invalid(`${path}.name`, m.name, msg));
  if (requiresNamespace) {
    if (!m.namespace) errs.push(required(`${path}.namespace`));
    else for (const msg of namespaceNameErrors(m.namespace)) errs.push(invalid(`${path}.namespace`, m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) errs.push(...nonnegative(m.generation, `${path}.generation`));
  if (m.labels) pushAll(errs, validateLabels(m.labels, `${path}.labels`));
  if (m.annotations) pushAll(errs, validateAnnotations(m.annotations, `${path}.annotations`));
  if (m.ownerReferences) pushAll(errs, validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  if (m.finalizers) pushAll(errs, validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
};

const pushAll = (errs: Errs, more: Errs): void => { for (const e of more) errs.push(e); };

/** The namespace of an object is one of a few names: their checks are remembered (bounded). */
const namespaceChecks = new Map<string, string[]>();
const namespaceNameErrors = (ns: string): string[] => {
  let r = namespaceChecks.get(ns);
  if (r === undefined) {
    if (namespaceChecks.size >= 1000) namespaceChecks.clear();
    r = nameIsDNSLabel(ns, false);
    namespaceChecks.set(ns, r);
  }
  return r;
};

/** `%q` of a []string: `["a" "b"]`. */
const goQuotedList = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/**
 * ValidateObjectMetaUpdate. name, namespace and uid are immutable (an empty new uid counts as unchanged:
 * the registry copies the stored uid before validating); no finalizer may be added once deleting.
 */
export const validateObjectMetaUpdate = (meta: ObjectMeta | undefined, old: ObjectMeta | undefined, path = 'metadata'): Errs => {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const oldSet = new Set(o.finalizers ?? []);
    const extra = [...new Set((m.finalizers ?? []).filter((f) => !oldSet.has(f)))].sort();
    if (extra.length > 0) {
      errs.push(forbidden(`${path}.finalizers`,
        `no new finalizers can be added if the object is being deleted, found new finalizers ${goQuotedList(extra)}`));
    }
  }
  errs.push(...immutable(m.name ?? '', o.name ?? '', `${path}.name`));
  errs.push(...immutable(m.namespace ?? '', o.namespace ?? '', `${path}.namespace`));
  if (m.uid) errs.push(...immutable(m.uid, o.uid ?? '', `${path}.uid`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
};
