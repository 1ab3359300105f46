import { KINDS, newNotFound, kubectlMessage, parseLabelSelectorString, requirementsMatch, resolveKind, selectorListError, type Kind, type KObject, type Requirement } from '@kubesim/api';
import { printObjects, sortByKey, toList, goJson, goYaml } from '../printers/index.js';

/**
 * `kubectl get` of one or several resource types: `pods`, `sts,pods,pvc`, or `all` (the kinds of kubectl's
 * `all` category that kubesim has: pods, services, replicasets, statefulsets — in that order).
 */
export const ALL_KINDS: readonly Kind[] = ['Pod', 'Service', 'ReplicaSet', 'StatefulSet'];

/**
 * A `-l` selector as the API server parses it for a list of `kind`, or the `Error from server (BadRequest)` line
 * kubectl prints for a malformed one (`… that match label selector "a b", field selector "": unable to parse
 * requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt`).
 */
export const parseSelector = (kind: Kind, selector: string): Requirement[] | string => {
  const r = parseLabelSelectorString(selector);
  return typeof r === 'string' ? `Error from server (BadRequest): ${selectorListError(KINDS[kind].apiVersion, KINDS[kind].plural, selector, r)}` : r;
};

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
  return out.length > 0 ? out : `error: the server doesn't have a resource type "${arg}"`;
};

export interface GetRequest {
  readonly kinds: readonly Kind[];
  /** Whether the user named several types (`a,b` or `all`): names are then printed as `kind/name`. */
  readonly several: boolean;
  readonly name: string | undefined;
  readonly output: 'table' | 'wide' | 'json' | 'yaml';
  /** The namespace listed (undefined: every namespace, `-A`). */
  readonly namespace: string | undefined;
  readonly nowMs: number;
  /** `-l`: a label selector (`app=web,tier!=db`, `env in (a,b)`, `!canary`). */
  readonly selector?: string;
  /** `--show-labels`: a last LABELS column. */
  readonly showLabels?: boolean;
}

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
  const parsed = req.selector !== undefined ? parseSelector(req.kinds[0]!, req.selector) : undefined;
  if (typeof parsed === 'string') return { out: '', err: `${parsed}\n`, code: 1 };
  for (const kind of req.kinds) {
    let objects = [...listed.get(kind) ?? []];
    if (parsed) objects = objects.filter((o) => requirementsMatch(parsed, o.metadata?.labels));
    if (req.name !== undefined) {
      objects = objects.filter((o) => o.metadata?.name === req.name);
      if (objects.length === 0) { err += `${kubectlMessage(newNotFound(kind, req.name))}\n`; code = 1; continue; }
    }
    objects.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    if (objects.length > 0) groups.push({ kind, objects });
  }
  if (req.output === 'json' || req.output === 'yaml') {
    const all = groups.flatMap((g) => sortByKey(g.objects));
    if (all.length === 0 && code !== 0) return { out: '', err, code };
    const doc = req.name !== undefined && !req.several && all.length === 1 ? all[0] : toList(all);
    return { out: req.output === 'json' ? `${goJson(doc)}\n` : goYaml(doc), err, code };
  }
  if (groups.length === 0) {
    if (code === 0) {
      const namespaced = req.kinds.some((k) => KINDS[k].namespaced);
      err += namespaced && req.namespace !== undefined ? `No resources found in ${req.namespace} namespace.\n` : 'No resources found\n';
    }
    return { out: '', err, code };
  }
  const tables = groups.map((g) => printObjects(g.kind, g.objects, {
    output: req.output as 'table', nowMs: req.nowMs, single: req.name !== undefined, showKind: req.several,
    showNamespace: req.namespace === undefined && KINDS[g.kind].namespaced, showLabels: req.showLabels === true,
  }));
  return { out: tables.join('\n'), err, code };
};

/** The `-l` and `--show-labels` options of a get command, as {@link GetRequest} takes them. */
export const selectorOptions = (o: { readonly selector?: string; readonly showLabels?: boolean }): Pick<GetRequest, 'selector' | 'showLabels'> =>
  ({ ...(o.selector !== undefined ? { selector: o.selector } : {}), ...(o.showLabels === true ? { showLabels: true } : {}) });
