import type { Kind, KObject } from './types.js';

/**
 * Field selectors as the API server takes them on a list or watch (`fieldSelector=status.phase=Running`):
 * apimachinery fields.ParseSelector, each kind's field label conversion (pkg/apis/core/v1 conversion.go,
 * apps/v1) and the fields its registry makes selectable (ToSelectableFields / GetAttrs).
 */
export interface FieldRequirement {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are the escapes; an unescaped `,` or `=` is refused. */
const unescapeValue = (s: string): string | { error: string } => {
  let v = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === undefined) return { error: 'invalid field selector: invalid escape sequence: \\' };
      if (n !== '\\' && n !== ',' && n !== '=') return { error: `invalid field selector: invalid escape sequence: \\${n}` };
      v += n;
      i++;
    } else if (c === ',' || c === '=') {
      return { error: `invalid field selector: unescaped character in value: ${c.codePointAt(0)!}` };
    } else v += c;
  }
  return v;
};

/**
 * fields.ParseSelector: terms split on unescaped `,`, each split at its first operator (`!=`, `==`, `=`, tried
 * in that order at each position); the value unescaped. The error as the API server words it.
 */
export const parseFieldSelector = (text: string): FieldRequirement[] | string => {
  const out: FieldRequirement[] = [];
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) { cur += c + text[i + 1]!; i++; continue; }
    if (c === ',') { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  for (const part of parts) {
    if (part === '') continue;
    let split: { lhs: string; op: string; rhs: string } | undefined;
    for (let i = 0; i < part.length && split === undefined; i++) {
      for (const op of ['!=', '==', '=']) {
        if (part.startsWith(op, i)) { split = { lhs: part.slice(0, i), op, rhs: part.slice(i + op.length) }; break; }
      }
    }
    if (split === undefined) return `invalid selector: '${text}'; can't understand '${part}'`;
    const value = unescapeValue(split.rhs);
    if (typeof value !== 'string') return value.error;
    out.push({ field: split.lhs, op: split.op === '!=' ? '!=' : '=', value });
  }
  return out;
};

type FieldsOf = (o: KObject) => Readonly<Record<string, string>>;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const at = (o: KObject, path: readonly string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

/** The fields each kind's registry makes selectable, beyond metadata.name and metadata.namespace. */
const SELECTABLE: Partial<Record<Kind, FieldsOf>> = {
  Pod: (o) => {
    const ips = at(o, ['status', 'podIPs']) as readonly { ip?: string }[] | undefined;
    const first = ips?.[0]?.ip ?? str(at(o, ['status', 'podIP']));
    return {
      'spec.nodeName': str(at(o, ['spec', 'nodeName'])), 'spec.restartPolicy': str(at(o, ['spec', 'restartPolicy'])),
      'spec.schedulerName': str(at(o, ['spec', 'schedulerName'])), 'spec.serviceAccountName': str(at(o, ['spec', 'serviceAccountName'])),
      'spec.hostNetwork': String(at(o, ['spec', 'hostNetwork']) === true), 'status.phase': str(at(o, ['status', 'phase'])),
      'status.podIP': first, 'status.podIPs': first, 'status.nominatedNodeName': str(at(o, ['status', 'nominatedNodeName'])),
    };
  },
  Node: (o) => ({ 'spec.unschedulable': String(at(o, ['spec', 'unschedulable']) === true) }),
  Namespace: (o) => ({ 'status.phase': str(at(o, ['status', 'phase'])) }),
  Secret: (o) => ({ type: str(at(o, ['type'])) }),
  Service: (o) => ({ 'spec.clusterIP': str(at(o, ['spec', 'clusterIP'])), 'spec.type': str(at(o, ['spec', 'type'])) }),
  ReplicaSet: (o) => ({ 'status.replicas': String(at(o, ['status', 'replicas']) ?? 0) }),
  Event: (o) => ({
    'involvedObject.kind': str(at(o, ['involvedObject', 'kind'])), 'involvedObject.namespace': str(at(o, ['involvedObject', 'namespace'])),
    'involvedObject.name': str(at(o, ['involvedObject', 'name'])), 'involvedObject.uid': str(at(o, ['involvedObject', 'uid'])),
    'involvedObject.apiVersion': str(at(o, ['involvedObject', 'apiVersion'])), 'involvedObject.resourceVersion': str(at(o, ['involvedObject', 'resourceVersion'])),
    'involvedObject.fieldPath': str(at(o, ['involvedObject', 'fieldPath'])), reason: str(at(o, ['reason'])),
    reportingComponent: str(at(o, ['reportingComponent'])), source: str(at(o, ['source', 'component'])), type: str(at(o, ['type'])),
  }),
};

/** Old clients' `spec.host` is the pod's `spec.nodeName` (the conversion renames it). */
const renamed = (kind: Kind, field: string): string => (kind === 'Pod' && field === 'spec.host' ? 'spec.nodeName' : field);

/** The API server's refusal of a field this kind does not support, if any. */
export const fieldSelectorError = (kind: Kind, reqs: readonly FieldRequirement[]): string | undefined => {
  const specific = SELECTABLE[kind];
  for (const r of reqs) {
    const f = renamed(kind, r.field);
    if (f === 'metadata.name' || f === 'metadata.namespace') continue;
    if (specific === undefined) return `"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
    // The kinds with a conversion function list their fields; a probe object tells which they are.
    if (!(f in specific({ apiVersion: 'v1', kind } as KObject))) return `field label not supported: ${r.field}`;
  }
  return undefined;
};

/** Whether an object's selectable fields satisfy every requirement. */
export const fieldsMatch = (kind: Kind, reqs: readonly FieldRequirement[], o: KObject): boolean => {
  if (reqs.length === 0) return true;
  const fields: Record<string, string> = { 'metadata.name': o.metadata?.name ?? '', 'metadata.namespace': o.metadata?.namespace ?? '', ...SELECTABLE[kind]?.(o) };
  return reqs.every((r) => (fields[renamed(kind, r.field)] === r.value) === (r.op === '='));
};
