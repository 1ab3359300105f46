/** Field-level validators shared by every kind (apimachinery + core validation helpers). */
import { forbidden, invalid, required, unsupported, type FieldError } from '../errors.js';
import type { LabelSelector } from '../types.js';
import {
  IMMUTABLE_MSG, NONNEGATIVE_MSG, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName, isValidPortNum,
} from './strings.js';

export type Errs = FieldError[];
type StringMap = Readonly<Record<string, string>>;

// ---- value rendering ----------------------------------------------------------------------------

/** A Go map as json.Marshal writes it: keys sorted; nil stays nil. */
export const sortedMap = <V>(m: Readonly<Record<string, V>> | null | undefined): Record<string, V> | null => {
  if (m === undefined || m === null) return null;
  const out: Record<string, V> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k] as V;
  return out;
};

/**
 * Kubernetes 1.31+ renders a bad value that is neither a scalar nor a Stringer with json.Marshal
 * (`{"app":"nginx"}`, `{"Partition":1,"MaxUnavailable":null}`, nil as `null`). Struct fields keep their
 * declaration order, so callers pass maps through `sortedMap`.
 */
export const jsonValue = (v: unknown): string => (v === undefined || v === null ? 'null' : JSON.stringify(v));

/** `Invalid value` whose bad value is a map or struct, rendered as Kubernetes 1.35 does. */
export const invalidJson = (path: string, v: unknown, detail: string): FieldError =>
  ({ ...invalid(path, null, detail), value: jsonValue(v) });

/** `Unsupported value` whose bad value is a map or struct. */
export const unsupportedJson = (path: string, v: unknown, supported: readonly string[]): FieldError =>
  ({ ...unsupported(path, null, supported), value: jsonValue(v) });

/** metav1.LabelSelector as json.Marshal renders it (omitempty fields). */
export const selectorJson = (sel: LabelSelector | null | undefined): string => {
  if (sel === undefined || sel === null) return 'null';
  const out: Record<string, unknown> = {};
  if (sel.matchLabels && Object.keys(sel.matchLabels).length > 0) out.matchLabels = sortedMap(sel.matchLabels);
  if (sel.matchExpressions && sel.matchExpressions.length > 0) {
    out.matchExpressions = sel.matchExpressions.map((r) => ({
      key: r.key, operator: r.operator, ...(r.values && r.values.length > 0 ? { values: r.values } : {}),
    }));
  }
  return JSON.stringify(out);
};

export const invalidSelector = (path: string, sel: LabelSelector | null | undefined, detail: string): FieldError =>
  ({ ...invalid(path, null, detail), value: selectorJson(sel) });

// ---- generic validators -------------------------------------------------------------------------

/**
 * ValidatePortNumOrName (a Service's targetPort, a probe's port): a number in 1–65535 — a missing one is the
 * IntOrString zero value, 0 — or an IANA_SVC_NAME.
 */
export const portNumOrName = (port: number | string | undefined | null, path: string): Errs => {
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  const n = port ?? 0;
  return isValidPortNum(n).map((m) => invalid(path, n, m));
};

/** ValidateNonnegativeField. */
export const nonnegative = (value: number | null | undefined, path: string): Errs =>
  typeof value === 'number' && value < 0 ? [invalid(path, value, NONNEGATIVE_MSG)] : [];

/** ValidateDNS1123Label. */
export const dns1123Label = (value: string, path: string): Errs => isDNS1123Label(value).map((m) => invalid(path, value, m));

/** ValidateDNS1123Subdomain. */
export const dns1123Subdomain = (value: string, path: string): Errs =>
  isDNS1123Subdomain(value).map((m) => invalid(path, value, m));

/** ValidateLabelName. */
export const labelName = (key: string, path: string): Errs => isQualifiedName(key).map((m) => invalid(path, key, m));

/** v1validation.ValidateLabels: keys are qualified names, values label values; all at `path`. */
export const validateLabels = (labels: StringMap | null | undefined, path: string): Errs => {
  const errs: Errs = [];
  if (!labels) return errs;
  // Objects are immutable: a label map found valid once (any path) stays valid; versions share it.
  if (validLabelMaps.has(labels)) return errs;
  for (const k in labels) {
    if (!Object.hasOwn(labels, k)) continue;
    for (const m of qualifiedNameErrors(k)) errs.push(invalid(path, k, m));
    const v = labels[k];
    const value = typeof v === 'string' ? v : String(v);
    for (const m of isValidLabelValue(value)) errs.push(invalid(path, value, m));
  }
  if (errs.length === 0) validLabelMaps.add(labels);
  return errs;
};

/**
 * isQualifiedName of a label or annotation key, remembered per key (objects of a kind carry the same
 * few keys; bounded).
 */
const qualifiedNameChecks = new Map<string, string[]>();
const qualifiedNameErrors = (key: string): readonly string[] => {
  let r = qualifiedNameChecks.get(key);
  if (r === undefined) {
    if (qualifiedNameChecks.size >= 10_000) qualifiedNameChecks.clear();
    r = isQualifiedName(key);
    qualifiedNameChecks.set(key, r);
  }
  return r;
};
const validLabelMaps = new WeakSet<object>();
const validAnnotationMaps = new WeakSet<object>();

/** ValidateAnnotations (keys only; the 256 KiB total-size limit is not modelled). */
export const validateAnnotations = (annotations: StringMap | null | undefined, path: string): Errs => {
  const errs: Errs = [];
  if (!annotations) return errs;
  if (validAnnotationMaps.has(annotations)) return errs;
  for (const k of Object.keys(annotations)) {
    for (const m of qualifiedNameErrors(k.toLowerCase())) errs.push(invalid(path, k, m));
  }
  if (errs.length === 0) validAnnotationMaps.add(annotations);
  return errs;
};

/** unversionedvalidation.ValidateLabelSelector (strict label values). */
export const validateLabelSelector = (sel: LabelSelector | null | undefined, path: string): Errs => {
  const errs: Errs = [];
  if (!sel) return errs;
  errs.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, r.operator, 'not a valid selector operator'));
    }
    errs.push(...labelName(r.key ?? '', `${p}.key`));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid(`${p}.values[${j}]`, v, m));
    });
  });
  return errs;
};

/** metav1.LabelSelectorAsSelector succeeds exactly when the selector passes ValidateLabelSelector. */
export const selectorConvertible = (sel: LabelSelector | null | undefined): boolean => validateLabelSelector(sel, '').length === 0;

/** ValidateImmutableField for scalar values. */
export const immutable = (value: unknown, old: unknown, path: string): Errs =>
  semanticEqual(value, old) ? [] : [invalid(path, value ?? null, IMMUTABLE_MSG)];

/** ValidateImmutableField for maps/structs. */
export const immutableJson = (value: unknown, old: unknown, path: string): Errs =>
  semanticEqual(value, old) ? [] : [invalidJson(path, value, IMMUTABLE_MSG)];

// ---- semantic equality ---------------------------------------------------------------------------

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Absent in the Go sense: nil pointer/slice/map, or an empty slice/map (apiequality treats those as equal). */
const isAbsent = (v: unknown): boolean =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);

/**
 * apiequality.Semantic.DeepEqual over JSON-shaped values: a missing key, `null`, `[]` and `{}` are all
 * "absent" and equal to each other. Reference-equal values short-circuit, so comparing mostly shared
 * structures is cheap.
 */
export const semanticEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  const aAbsent = isAbsent(a);
  const bAbsent = isAbsent(b);
  if (aAbsent || bAbsent) return aAbsent && bAbsent;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!semanticEqual(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    for (const k of Object.keys(a)) if (!semanticEqual(a[k], b[k])) return false;
    for (const k of Object.keys(b)) if (!(k in a) && !isAbsent(b[k])) return false;
    return true;
  }
  return false;
};
