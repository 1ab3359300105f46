import { fieldSelectorError, fieldsMatch, KINDS, newNotFound, kubectlMessage, parseFieldSelector, parseLabelSelectorString, parseQuantity, requirementsMatch, resolveKind, selectorListError, type FieldRequirement, type Kind, type KObject, type Requirement } from '@kubesim/api';
import { warnDeprecated } from './warnings.js';
import { kindPrefix, printObjects, renderTabbed, sortByKey, toList, goJson, goYaml } from '../printers/index.js';
import { customColumnCell, JsonPath, JsonPathError, relaxedJsonPath } from '../printers/jsonpath.js';

/**
 * `kubectl get` of one or several resource types: `pods`, `sts,pods,pvc`, or `all` (the kinds of kubectl's
 * `all` category that kubesim has: pods, services, replicasets, statefulsets — in that order).
 */
export const ALL_KINDS: readonly Kind[] = ['Pod', 'Service', 'ReplicaSet', 'StatefulSet'];

/** What a list selects: `-l` and `--field-selector`, parsed and checked for the kind. */
export interface Selection {
  readonly labels?: readonly Requirement[];
  readonly fields?: readonly FieldRequirement[];
}

/**
 * `-l` and `--field-selector` as the API server takes them on a list of `kind`, or kubectl's `Error from server
 * (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=x":
 * field label not supported: spec.foo`.
 */
export const parseSelection = (kind: Kind, labelSelector: string | undefined, fieldSelector: string | undefined): Selection | string => {
  const refuse = (e: string): string => `Error from server (BadRequest): ${selectorListError(KINDS[kind].apiVersion, KINDS[kind].plural, labelSelector ?? '', e, fieldSelector ?? '')}`;
  let labels: Requirement[] | undefined;
  if (labelSelector !== undefined) {
    const r = parseLabelSelectorString(labelSelector);
    if (typeof r === 'string') return refuse(r);
    labels = r;
  }
  let fields: FieldRequirement[] | undefined;
  if (fieldSelector !== undefined) {
    const r = parseFieldSelector(fieldSelector);
    if (typeof r === 'string') return refuse(r);
    const unsupported = fieldSelectorError(kind, r);
    if (unsupported !== undefined) return refuse(unsupported);
    fields = r;
  }
  return { ...(labels ? { labels } : {}), ...(fields ? { fields } : {}) };
};

/** Whether an object of `kind` is selected. */
export const selects = (kind: Kind, sel: Selection, o: KObject): boolean =>
  (sel.labels === undefined || requirementsMatch(sel.labels, o.metadata?.labels)) && (sel.fields === undefined || fieldsMatch(kind, sel.fields, o));

/** The kinds a `get` argument names, or kubectl's error for the first it does not know. */
export const resolveKinds = (arg: string): Kind[] | string => {
  const out: Kind[] = [];
  for (const part of arg.split(',')) {
    if (part === '') continue;
    const kinds = part.toLowerCase() === 'all' ? ALL_KINDS : [resolveKind(part)];
    for (const k of kinds) {
      if (k === undefined) return `error: the server doesn't have a resource type "${part}"`;
      if (!out.includes(k)) out.push(k);
    }
  }
  if (out.length === 0) return `error: the server doesn't have a resource type "${arg}"`;
  warnDeprecated(out);
  return out;
};

/** The `-o` formats `kubesim get` prints, as kubectl lists them in its refusal. */
export const OUTPUT_FORMATS = 'custom-columns,json,jsonpath,name,wide,yaml';

/** A parsed `-o`: a printer kubectl has, or kubectl's error line. */
export type OutputSpec =
  | { readonly kind: 'table' | 'wide' | 'json' | 'yaml' | 'name' }
  | { readonly kind: 'jsonpath'; readonly path: JsonPath }
  | { readonly kind: 'custom-columns'; readonly columns: readonly { readonly header: string; readonly path: JsonPath }[] };

export const parseOutput = (output: string | undefined): OutputSpec | string => {
  const o = output ?? 'table';
  if (o === 'table' || o === 'wide' || o === 'json' || o === 'yaml' || o === 'name') return { kind: o };
  const eq = o.indexOf('=');
  const format = eq < 0 ? o : o.slice(0, eq);
  const arg = eq < 0 ? '' : o.slice(eq + 1);
  if (format === 'jsonpath' || format === 'custom-columns') {
    if (arg === '') return format === 'jsonpath' ? 'error: template format specified but no template given' : 'error: custom-columns format specified but no custom columns given';
    try {
      if (format === 'jsonpath') return { kind: 'jsonpath', path: new JsonPath(arg) };
      const columns = arg.split(',').map((spec) => {
        const i = spec.indexOf(':');
        if (i < 0 || spec.indexOf(':', i + 1) >= 0) throw new JsonPathError(`unexpected custom-columns spec: ${spec}, expected <header>:<json-path-expr>`);
        return { header: spec.slice(0, i), path: new JsonPath(relaxedJsonPath(spec.slice(i + 1))) };
      });
      return { kind: 'custom-columns', columns };
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      return format === 'jsonpath' ? `error: error parsing jsonpath ${arg}, ${e.message}` : `error: ${e.message}`;
    }
  }
  return `error: unable to match a printer suitable for the output format "${o}", allowed formats are: ${OUTPUT_FORMATS}`;
};

/** `-o jsonpath=…` of a document: its output, or kubectl's error (the object it was given not repeated). */
const runJsonPath = (path: JsonPath, doc: unknown): { out: string } | { error: string } => {
  try {
    return { out: path.execute(doc) };
  } catch (e) {
    if (!(e instanceof JsonPathError)) throw e;
    return { error: `error: error executing jsonpath ${JSON.stringify(path.template)}: Error executing template: ${e.message}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t${path.template}\n` };
  }
};

/** `-o custom-columns=…`: a header of the column names, a row per object; a cell with no value `<none>`, several joined by commas. */
const customColumns = (columns: readonly { readonly header: string; readonly path: JsonPath }[], objects: readonly KObject[]): string =>
  renderTabbed([columns.map((c) => c.header), ...objects.map((o) => columns.map((c) => customColumnCell(c.path, o)))]);

export interface GetRequest {
  readonly kinds: readonly Kind[];
  /** Whether the user named several types (`a,b` or `all`): names are then printed as `kind/name`. */
  readonly several: boolean;
  readonly name: string | undefined;
  /** `-o` as given (table when absent). */
  readonly output: string;
  /** The namespace listed (undefined: every namespace, `-A`). */
  readonly namespace: string | undefined;
  readonly nowMs: number;
  /** `-l`: a label selector (`app=web,tier!=db`, `env in (a,b)`, `!canary`). */
  readonly selector?: string;
  /** `--show-labels`: a last LABELS column. */
  readonly showLabels?: boolean;
  /** `--field-selector`: `status.phase=Running,spec.nodeName!=node-a`. */
  readonly fieldSelector?: string;
  /** `-L KEY,…`: label columns. */
  readonly labelColumns?: readonly string[];
  /** `--no-headers`. */
  readonly noHeaders?: boolean;
  /** `--sort-by PATH`: objects in the order of this JSONPath's value. */
  readonly sortBy?: string;
}

/** sortorder.NaturalLess: digit runs compared as numbers, the rest byte-wise. */
export const naturalLess = (a: string, b: string): boolean => {
  const chunks = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    const pd = /^\d/.test(p);
    const qd = /^\d/.test(q);
    if (pd && qd) {
      const d = Number(BigInt(p) - BigInt(q));
      if (d !== 0) return d < 0;
      return p.length < q.length;
    }
    return p < q;
  }
  return x.length < y.length;
};

/** resource.ParseQuantity's acceptance: no surrounding blanks (kubesim's parser trims them). */
const quantityOf = (s: string): number | undefined => (s.trim() === s ? parseQuantity(s) : undefined);

/**
 * get's SortObjects: the objects ordered (stably) by the first value of a relaxed JSONPath — numbers by value,
 * two quantities by size, other strings in natural order, objects without it first; kubectl's error when no
 * object has it.
 */
export const sortObjectsBy = (objects: readonly KObject[], sortBy: string): KObject[] | string => {
  let path: JsonPath;
  try { path = new JsonPath(relaxedJsonPath(sortBy)); } catch (e) {
    if (e instanceof JsonPathError) return `error: ${e.message}`;
    throw e;
  }
  let keyed: { o: KObject; v: unknown }[];
  try { keyed = objects.map((o) => ({ o, v: path.values(o)[0] })); } catch (e) {
    if (e instanceof JsonPathError) return `error: ${e.message}`;
    throw e;
  }
  if (objects.length > 0 && keyed.every((k) => k.v === undefined)) return `error: couldn't find any field with path ${JSON.stringify(path.template)} in the list of objects`;
  const less = (a: unknown, b: unknown): boolean => {
    if (a === undefined) return b !== undefined;
    if (b === undefined) return false;
    if (typeof a === 'number' && typeof b === 'number') return a < b;
    // [sorter isLess] two strings that both parse as quantities compare as quantities (`2Gi` before `10Gi`).
    if (typeof a === 'string' && typeof b === 'string') {
      const qa = quantityOf(a), qb = quantityOf(b);
      if (qa !== undefined && qb !== undefined) return qa < qb;
    }
    return naturalLess(String(a), String(b));
  };
  return keyed.map((k, i) => ({ ...k, i })).sort((a, b) => (less(a.v, b.v) ? -1 : less(b.v, a.v) ? 1 : a.i - b.i)).map((k) => k.o);
};

/**
 * What `kubectl get` prints for the objects of each kind (already listed in the namespace asked, or every
 * namespace): one table per kind that has objects, separated by a blank line, names as `kind/name` when
 * several types were asked, a NAMESPACE column with `-A`; `-o json|yaml` one List of them all (or the object
 * itself when one was named). A named object missing from a kind is `Error from server (NotFound)`.
 */
export const renderGet = (req: GetRequest, listed: ReadonlyMap<Kind, readonly KObject[]>): { out: string; err: string; code: number } => {
  let err = '';
  let code = 0;
  const groups: { kind: Kind; objects: KObject[] }[] = [];
  const output = parseOutput(req.output);
  if (typeof output === 'string') return { out: '', err: `${output}\n`, code: 1 };
  for (const kind of req.kinds) {
    // Each type's list is its own request: a selector one type cannot take is that list's error.
    const sel = parseSelection(kind, req.selector, req.fieldSelector);
    if (typeof sel === 'string') {
      if (req.kinds.length === 1) return { out: '', err: `${sel}\n`, code: 1 };
      err += `${sel}\n`; code = 1; continue;
    }
    let objects = [...listed.get(kind) ?? []];
    if (sel.labels || sel.fields) objects = objects.filter((o) => selects(kind, sel, o));
    if (req.name !== undefined) {
      objects = objects.filter((o) => o.metadata?.name === req.name);
      if (objects.length === 0) { err += `${kubectlMessage(newNotFound(kind, req.name))}\n`; code = 1; continue; }
    }
    objects.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    if (req.sortBy !== undefined) {
      const sorted = sortObjectsBy(sortByKey(objects), req.sortBy);
      if (typeof sorted === 'string') return { out: '', err: `${sorted}\n`, code: 1 };
      objects = sorted;
    }
    if (objects.length > 0) groups.push({ kind, objects });
  }
  if (output.kind === 'json' || output.kind === 'yaml' || output.kind === 'jsonpath') {
    const all = groups.flatMap((g) => (req.sortBy !== undefined ? g.objects : sortByKey(g.objects)));
    if (all.length === 0 && code !== 0) return { out: '', err, code };
    const doc = req.name !== undefined && !req.several && all.length === 1 ? all[0] : toList(all);
    if (output.kind !== 'jsonpath') return { out: output.kind === 'json' ? `${goJson(doc)}\n` : goYaml(doc), err, code };
    const r = runJsonPath(output.path, doc);
    return 'error' in r ? { out: '', err: err + r.error, code: 1 } : { out: r.out, err, code };
  }
  if (output.kind === 'name') {
    // printers.NamePrinter: kind.group/name, one per line, whatever the number of types.
    return { out: groups.flatMap((g) => g.objects.map((o) => `${kindPrefix(g.kind)}${o.metadata?.name ?? ''}\n`)).join(''), err, code };
  }
  if (output.kind === 'custom-columns') {
    // printGeneric: the header even for an empty list, no "No resources found".
    const all = groups.flatMap((g) => g.objects);
    try {
      return { out: all.length === 0 && code !== 0 ? '' : customColumns(output.columns, all), err, code };
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      return { out: '', err: `${err}error: ${e.message}\n`, code: 1 };
    }
  }
  if (groups.length === 0) {
    if (code === 0) {
      const namespaced = req.kinds.some((k) => KINDS[k].namespaced);
      err += namespaced && req.namespace !== undefined ? `No resources found in ${req.namespace} namespace.\n` : 'No resources found\n';
    }
    return { out: '', err, code };
  }
  const tables = groups.map((g) => printObjects(g.kind, g.objects, {
    output: output.kind as 'table' | 'wide', nowMs: req.nowMs, single: req.name !== undefined, showKind: req.several,
    showNamespace: req.namespace === undefined && KINDS[g.kind].namespaced, showLabels: req.showLabels === true,
    ...(req.labelColumns !== undefined ? { labelColumns: req.labelColumns } : {}), ...(req.noHeaders ? { noHeaders: true } : {}),
    ...(req.sortBy !== undefined ? { presorted: true } : {}),
  }));
  return { out: tables.join('\n'), err, code };
};

/** The `-l` and `--show-labels` options of a get command, as {@link GetRequest} takes them. */
export const selectorOptions = (o: PrintingOptions): Pick<GetRequest, 'selector' | 'fieldSelector' | 'showLabels' | 'labelColumns' | 'noHeaders' | 'sortBy'> => ({
  ...(o.selector !== undefined ? { selector: o.selector } : {}), ...(o.fieldSelector !== undefined ? { fieldSelector: o.fieldSelector } : {}),
  ...(o.showLabels === true ? { showLabels: true } : {}),
  ...labelColumnsOption(o.labelColumns),
  ...(o.noHeaders === true ? { noHeaders: true } : {}), ...(o.sortBy !== undefined ? { sortBy: o.sortBy } : {}),
});

/** `-L` as given (comma-separated, or the flag repeated) as the label keys, when there are any. */
export const labelColumnsOption = (given: readonly string[] | undefined): { labelColumns?: readonly string[] } => {
  const keys = (given ?? []).flatMap((l) => l.split(',')).filter((l) => l !== '');
  return keys.length > 0 ? { labelColumns: keys } : {};
};

/** The options of `get` that choose and lay out what it prints (a log's, a running cluster's, a watch's). */
export interface PrintingOptions {
  readonly output?: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly selector?: string;
  readonly fieldSelector?: string;
  readonly showLabels?: boolean;
  readonly labelColumns?: readonly string[];
  readonly noHeaders?: boolean;
  readonly sortBy?: string;
}
