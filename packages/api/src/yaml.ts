import { parseAllDocuments, LineCounter, stringify } from 'yaml';
import * as E from 'fp-ts/lib/Either.js';
import { KINDS, isKind, type KObject } from './types.js';

export interface LoadError {
  readonly type: 'LoadError';
  readonly source: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

const loadError = (source: string, message: string, line?: number, column?: number): LoadError =>
  ({ type: 'LoadError', source, message, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) });

export const renderLoadError = (e: LoadError): string =>
  e.line !== undefined ? `error: ${e.source}:${e.line}:${e.column ?? 1}: ${e.message}` : `error: ${e.message}`;

/** Parse a multi-document YAML text into raw values, reporting syntax errors with line numbers. */
export const parseYamlDocuments = (text: string, source: string): E.Either<LoadError, unknown[]> => {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs)) {
    return E.left(loadError(source, 'unexpected YAML stream'));
  }
  const out: unknown[] = [];
  for (const d of docs) {
    const err = d.errors[0];
    if (err) {
      const pos = lc.linePos(err.pos[0]);
      return E.left(loadError(source, `error converting YAML to JSON: yaml: line ${pos.line}: ${err.message.split('\n')[0]}`, pos.line, pos.col));
    }
    const v = d.toJS({ maxAliasCount: 100 });
    if (v === null || v === undefined) continue; // empty document
    out.push(v);
  }
  return E.right(out);
};

/**
 * Turn raw documents into Kubernetes objects, refusing unknown kinds and apiVersions the way kubectl's
 * REST mapping does. `List` documents are flattened.
 */
export const toObjects = (docs: readonly unknown[], source: string): E.Either<LoadError, KObject[]> => {
  const out: KObject[] = [];
  for (const d of docs) {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) {
      return E.left(loadError(source, `error validating "${source}": error validating data: invalid object: expected a map, got ${Array.isArray(d) ? 'a list' : typeof d}`));
    }
    const o = d as Record<string, unknown>;
    if (o.kind === 'List' && Array.isArray(o.items)) {
      const r = toObjects(o.items, source);
      if (E.isLeft(r)) return r;
      out.push(...r.right);
      continue;
    }
    const name = (o.metadata as { name?: unknown } | undefined)?.name;
    if (typeof o.apiVersion !== 'string' || o.apiVersion === '') {
      return E.left(loadError(source, `error validating "${source}": error validating data: apiVersion not set`));
    }
    if (typeof o.kind !== 'string' || o.kind === '') {
      return E.left(loadError(source, `error validating "${source}": error validating data: kind not set`));
    }
    if (!isKind(o.kind) || KINDS[o.kind].apiVersion !== o.apiVersion) {
      const ns = (o.metadata as { namespace?: unknown } | undefined)?.namespace ?? '';
      return E.left(loadError(source,
        `resource mapping not found for name: ${JSON.stringify(name ?? '')} namespace: ${JSON.stringify(ns)} from ${JSON.stringify(source)}: no matches for kind ${JSON.stringify(o.kind)} in version ${JSON.stringify(o.apiVersion)}`));
    }
    out.push(o as unknown as KObject);
  }
  return E.right(out);
};

export const loadManifests = (text: string, source: string): E.Either<LoadError, KObject[]> =>
  E.chain((docs: unknown[]) => toObjects(docs, source))(parseYamlDocuments(text, source));

export const toYaml = (v: unknown): string => stringify(v, { lineWidth: 0 });
