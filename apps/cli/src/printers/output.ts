import { isScalar, stringify } from 'yaml';
import type { Kind, KObject } from '@kubesim/api';
import { compareStrings } from './format.js';
import { printTable, sortByKey } from './table.js';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

export interface KubeList {
  readonly apiVersion: 'v1';
  readonly items: readonly KObject[];
  readonly kind: 'List';
  readonly metadata: { readonly resourceVersion: '' };
}

/** The `List` kubectl prints for `-o json|yaml` of zero or several objects. */
export const toList = (objects: readonly KObject[]): KubeList =>
  ({ apiVersion: 'v1', items: [...objects], kind: 'List', metadata: { resourceVersion: '' } });

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's json.Marshal escapes <, > and & (HTML-safe) and U+2028/U+2029. */
const goString = (s: string): string =>
  JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * json.MarshalIndent(obj, "", "    ") of an unstructured object, as kubectl's JSON printer writes it: map keys in
 * byte order (numeric-looking keys included), four-space indent, HTML characters escaped.
 */
export const goJson = (v: unknown, depth = 0): string => {
  const pad = '    '.repeat(depth);
  const inner = '    '.repeat(depth + 1);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + goJson(x, depth + 1)).join(',\n')}\n${pad}]`;
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined && typeof v[k] !== 'function').sort(compareStrings);
    if (keys.length === 0) return '{}';
    return `{\n${keys.map((k) => `${inner}${goString(k)}: ${goJson(v[k], depth + 1)}`).join(',\n')}\n${pad}}`;
  }
  return 'null';
};

/**
 * kubectl's YAML printer (sigs.k8s.io/yaml over go-yaml v2): map keys in byte order, sequences not indented under
 * their key, YAML 1.1 resolution so strings such as `"true"`, `"yes"`, `"y"` and timestamps are quoted, no folding.
 */
export const goYaml = (v: unknown): string =>
  stringify(v, {
    version: '1.1', indentSeq: false, lineWidth: 0,
    sortMapEntries: (a, b) => compareStrings(String(keyOf(a.key)), String(keyOf(b.key))),
  });

const keyOf = (k: unknown): unknown => (isScalar(k) ? k.value : k);

export interface PrintOptions {
  readonly output: OutputFormat;
  readonly nowMs: number;
  /** The user named one object (`get pod web-0`): json/yaml print it as itself rather than in a List. */
  readonly single: boolean;
  readonly showKind?: boolean;
  readonly showNamespace?: boolean;
  readonly showLabels?: boolean;
  readonly labelColumns?: readonly string[];
  readonly noHeaders?: boolean;
  /** `--sort-by`: the objects are in the order to print. */
  readonly presorted?: boolean;
}

/** `kubectl get` output in any of the supported formats; json and yaml end with a newline as kubectl's do. */
export const printObjects = (kind: Kind, objects: readonly KObject[], opts: PrintOptions): string => {
  switch (opts.output) {
    case 'table':
    case 'wide':
      return printTable(kind, objects, {
        wide: opts.output === 'wide', nowMs: opts.nowMs,
        ...(opts.showKind !== undefined ? { showKind: opts.showKind } : {}),
        ...(opts.showNamespace !== undefined ? { showNamespace: opts.showNamespace } : {}),
        ...(opts.showLabels !== undefined ? { showLabels: opts.showLabels } : {}),
        ...(opts.labelColumns !== undefined ? { labelColumns: opts.labelColumns } : {}),
        ...(opts.noHeaders ? { noHeaders: true } : {}),
        ...(opts.presorted ? { presorted: true } : {}),
      });
    case 'json':
    case 'yaml': {
      const sorted = opts.presorted ? objects : sortByKey(objects);
      const doc = opts.single && sorted.length === 1 ? sorted[0] : toList(sorted);
      return opts.output === 'json' ? `${goJson(doc)}\n` : goYaml(doc);
    }
  }
};
