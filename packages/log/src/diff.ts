import { createHash } from 'node:crypto';
import type { Envelope } from './envelope.js';

/**
 * Structural differences between values and between log entries: what `kubesim explain` prints as "what
 * changed", what `kubesim diff` and `kubesim verify` report, and what property suites use to compare runs.
 */

/** A step into a value: a map key, an array index, or an array element matched by its `name`/`type` field. */
export type PathSegment = string | number | { readonly by: string; readonly value: string };
export type FieldPath = readonly PathSegment[];

export interface FieldChange {
  readonly path: FieldPath;
  /** `added`: absent before; `removed`: absent after; `changed`: both present and different. */
  readonly kind: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
}

const isPlainObject = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `status.conditions[type=Ready].status`, `metadata.labels["app.kubernetes.io/name"]`, `spec.containers[0]`. */
export const formatPath = (path: FieldPath): string => {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string') out += IDENT.test(s) ? (out === '' ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
    else out += `[${s.by}=${s.value}]`;
  }
  return out === '' ? '(root)' : out;
};

/** JSON with map keys sorted: equal values give equal strings whatever their key order. */
export const canonicalJson = (v: unknown): string => {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
};

/** Deep equality of JSON values (key order ignored, `undefined` members treated as absent). */
export const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !sameValue(a[k], b[k])) return false;
    return true;
  }
  return Number.isNaN(a) && Number.isNaN(b);
};

/** The field arrays of objects are matched by when every element has a distinct string value for it. */
const MATCH_KEYS = ['name', 'type'] as const;

const matchKeyOf = (a: readonly unknown[], b: readonly unknown[]): string | undefined => {
  if (a.length === 0 && b.length === 0) return undefined;
  for (const key of MATCH_KEYS) {
    const ok = (xs: readonly unknown[]) => {
      const seen = new Set<string>();
      for (const x of xs) {
        if (!isPlainObject(x) || typeof x[key] !== 'string' || seen.has(x[key])) return false;
        seen.add(x[key]);
      }
      return true;
    };
    if (ok(a) && ok(b)) return key;
  }
  return undefined;
};

const isScalarArray = (v: readonly unknown[]): boolean => v.every((x) => !isPlainObject(x) && !Array.isArray(x));

/**
 * Leaves of a value that appeared or disappeared: plain objects under map keys are expanded; arrays, scalars
 * and whole array elements are leaves.
 */
const leaves = (v: unknown, path: PathSegment[], kind: 'added' | 'removed', out: FieldChange[]): void => {
  if (isPlainObject(v) && typeof path[path.length - 1] === 'string' && Object.keys(v).some((k) => v[k] !== undefined)) {
    for (const k of Object.keys(v)) if (v[k] !== undefined) leaves(v[k], [...path, k], kind, out);
    return;
  }
  out.push(kind === 'added' ? { path, kind, after: v } : { path, kind, before: v });
};

const walk = (a: unknown, b: unknown, path: PathSegment[], out: FieldChange[]): void => {
  if (a === undefined && b === undefined) return;
  if (a === undefined) { leaves(b, path, 'added', out); return; }
  if (b === undefined) { leaves(a, path, 'removed', out); return; }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of Object.keys(a)) walk(a[k], b[k], [...path, k], out);
    for (const k of Object.keys(b)) if (!Object.hasOwn(a, k)) walk(undefined, b[k], [...path, k], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (sameValue(a, b)) return;
    if (isScalarArray(a) && isScalarArray(b)) { out.push({ path, kind: 'changed', before: a, after: b }); return; }
    const key = matchKeyOf(a, b);
    if (key !== undefined) {
      const byKey = (xs: readonly unknown[]) => new Map(xs.map((x) => [(x as Record<string, string>)[key]!, x]));
      const ma = byKey(a);
      const mb = byKey(b);
      const before = out.length;
      for (const [k, x] of ma) walk(x, mb.get(k), [...path, { by: key, value: k }], out);
      for (const [k, x] of mb) if (!ma.has(k)) walk(undefined, x, [...path, { by: key, value: k }], out);
      // The same elements in another order: the array itself changed.
      if (out.length === before) out.push({ path, kind: 'changed', before: a, after: b });
      return;
    }
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) walk(a[i], b[i], [...path, i], out);
    return;
  }
  if (!sameValue(a, b)) out.push({ path, kind: 'changed', before: a, after: b });
};

/**
 * The changed leaves between two JSON values, in the order of `a`'s keys then `b`'s new keys. Plain objects
 * are compared member by member; arrays of scalars are compared whole; arrays of objects are matched by a
 * distinct `name` or `type` member when every element has one (a mere reordering is one change of the whole
 * array), else by index. Empty exactly when `sameValue(a, b)`.
 */
export const diffValues = (a: unknown, b: unknown): FieldChange[] => {
  const out: FieldChange[] = [];
  walk(a, b, [], out);
  return out;
};

/** A short rendering of a value for one-line messages. */
export const formatValue = (v: unknown, max = 60): string => {
  const s = typeof v === 'string' ? (v === '' ? '""' : v) : JSON.stringify(v) ?? 'undefined';
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/**
 * `status.phase Pending→Running`, `spec.nodeName set to node-b`, `metadata.finalizers removed (was [...])`,
 * `status.conditions[type=Ready] added {...}`.
 */
export const formatChange = (c: FieldChange, max = 60): string => {
  const p = formatPath(c.path);
  const last = c.path[c.path.length - 1];
  const element = last !== undefined && typeof last !== 'string';
  // An element matched by a member (`[type=Ready]`) is shown without that member.
  const shown = (v: unknown) => (typeof last === 'object' && isPlainObject(v) ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== last.by)) : v);
  switch (c.kind) {
    case 'added': return `${p} ${element ? 'added' : 'set to'} ${formatValue(shown(c.after), max)}`;
    case 'removed': return `${p} removed (was ${formatValue(shown(c.before), max)})`;
    case 'changed': return `${p} ${formatValue(c.before, max)}→${formatValue(c.after, max)}`;
  }
};

// ---- entries -------------------------------------------------------------------------------------

/** The fields of an envelope, in the order they are compared and reported. */
export const ENTRY_FIELDS = ['seq', 'time', 'type', 'actor', 'cause', 'op', 'object', 'data'] as const;
export type EntryField = (typeof ENTRY_FIELDS)[number];

/** Which fields of two entries differ (empty: the entries are equal). */
export const entryDifferences = (a: Envelope, b: Envelope): EntryField[] =>
  ENTRY_FIELDS.filter((f) => !sameValue(a[f], b[f]));

export interface Divergence {
  /** The first seq where the logs differ. */
  readonly seq: number;
  /** The entries at that seq; one is missing when that log ended before. */
  readonly a?: Envelope;
  readonly b?: Envelope;
  /** The differing fields (all of them when one entry is missing). */
  readonly fields: readonly EntryField[];
}

/** The first position where two logs differ, comparing entries in order; undefined when they are identical. */
export const firstDivergence = (a: Iterable<Envelope>, b: Iterable<Envelope>): Divergence | undefined => {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (let i = 1; ; i++) {
    const ra = ia.next();
    const rb = ib.next();
    if (ra.done && rb.done) return undefined;
    if (ra.done || rb.done) {
      return { seq: i, ...(ra.done ? {} : { a: ra.value }), ...(rb.done ? {} : { b: rb.value }), fields: [...ENTRY_FIELDS] };
    }
    const fields = entryDifferences(ra.value, rb.value);
    if (fields.length > 0) return { seq: i, a: ra.value, b: rb.value, fields };
  }
};

/**
 * A fingerprint of an entry's content (128 bits of sha256 over its canonical JSON): two entries with the same
 * fingerprint are equal. Lets a large log be compared with another without holding its entries.
 */
export const entryFingerprint = (e: Envelope): string => {
  const canonical = canonicalJson(Object.fromEntries(ENTRY_FIELDS.map((f) => [f, e[f]])));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
};

/** One line per differing field of two entries at the same position (object fields as paths). */
export const describeEntryDifferences = (a: Envelope, b: Envelope, maxPaths = 8): string[] => {
  const out: string[] = [];
  for (const f of entryDifferences(a, b)) {
    if (f === 'object' || f === 'data') {
      const changes = diffValues(a[f], b[f]);
      const shown = changes.slice(0, maxPaths).map((c) => `${f}.${formatChange(c)}`.replace(`${f}.(root)`, f));
      out.push(...shown);
      if (changes.length > maxPaths) out.push(`${f}: … ${changes.length - maxPaths} more differing fields`);
    } else {
      out.push(`${f} ${formatValue(a[f])}→${formatValue(b[f])}`);
    }
  }
  return out;
};
