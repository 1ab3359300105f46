import { isNamespaced, qualifiedKind, resolveKind, type Kind, type KObject } from '@kubesim/api';
import { warnDeprecated } from './warnings.js';

/** One object a command names: its kind and name. */
export interface ResourceRef { readonly kind: Kind; readonly name: string }

/**
 * What the arguments of a kubectl command name (resource.Builder ResourceTypeOrNameArgs): `TYPE NAME…`
 * (one type, any number of names) or `TYPE/NAME…` (each its own type), or — where the command accepts a
 * selector or files — `TYPE` alone. Each error is kubectl's, without its `error: ` prefix.
 */
export type ResourceArgs =
  | { readonly refs: readonly ResourceRef[]; readonly type?: undefined }
  | { readonly refs: readonly []; readonly type: Kind };

export const resourceArgs = (args: readonly string[]): ResourceArgs | string => {
  if (args.length === 0) return 'you must specify the type of resource';
  const unknown = (t: string): string => `the server doesn't have a resource type "${t}"`;
  if (args[0]!.includes('/')) {
    const refs: ResourceRef[] = [];
    for (const a of args) {
      const parts = a.split('/');
      if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
        return parts.length === 1
          ? `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`
          : 'arguments in resource/name form must have a single resource and name';
      }
      const kind = resolveKind(parts[0]!);
      if (!kind) return unknown(parts[0]!);
      refs.push({ kind, name: parts[1]! });
    }
    warnDeprecated(refs.map((r) => r.kind));
    return { refs };
  }
  const kind = resolveKind(args[0]!);
  if (!kind) return unknown(args[0]!);
  const names = args.slice(1);
  if (names.some((n) => n.includes('/'))) {
    return `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`;
  }
  warnDeprecated([kind]);
  return names.length === 0 ? { refs: [], type: kind } : { refs: names.map((name) => ({ kind, name })) };
};

/** The objects named, or kubectl's error when only a type was given (the command needs names). */
export const namedResources = (args: readonly string[]): readonly ResourceRef[] | string => {
  const r = resourceArgs(args);
  if (typeof r === 'string') return r;
  return r.type !== undefined ? 'resource(s) were provided, but no name was specified' : r.refs;
};

/** The namespace a request about this kind goes to: '' for cluster-scoped kinds. */
export const namespaceFor = (kind: Kind, namespace: string): string => (isNamespaced(kind) ? namespace : '');

/** `kind.group` as kubectl writes it before a name (`statefulset.apps`, `pod`). */
export const kindString = (kind: Kind): string => qualifiedKind(kind).toLowerCase();

/** `kind.group/name`, kubectl's name printer (`statefulset.apps/web scaled`). */
export const resourceName = (o: KObject): string => `${kindString(o.kind as Kind)}/${o.metadata?.name ?? ''}`;

/**
 * kubectl delete's line for an object (kubectl 1.34+, kubernetes#126619): `pod "web-0" deleted from default
 * namespace`, `force deleted` with grace 0, cluster-scoped kinds without the namespace.
 */
export const deletedLine = (kind: Kind, name: string, namespace: string, force: boolean): string =>
  `${kindString(kind)} "${name}" ${force ? 'force deleted' : 'deleted'}${isNamespaced(kind) ? ` from ${namespace} namespace` : ''}`;

/**
 * kubectl label/annotate's arguments (cmdutil.GetResourcesAndPairs): the resources first, then the changes —
 * `key=value` sets, `key-` removes.
 */
export const resourcesAndPairs = (args: readonly string[], what: 'label' | 'annotation'): { resources: string[]; set: Map<string, string>; remove: string[] } | string => {
  const resources: string[] = [];
  const pairs: string[] = [];
  for (const a of args) {
    const isPair = a.includes('=') || a.endsWith('-');
    if (isPair) pairs.push(a);
    else if (pairs.length > 0) return `all resources must be specified before ${what} changes: ${a}`;
    else resources.push(a);
  }
  const set = new Map<string, string>();
  const remove: string[] = [];
  for (const p of pairs) {
    if (p.includes('=')) {
      const parts = p.split('=');
      if (parts.length !== 2 || parts[0] === '') return `invalid ${what} spec: ${p}`;
      set.set(parts[0]!, parts[1]!);
    } else remove.push(p.slice(0, -1));
  }
  if (set.size === 0 && remove.length === 0) return `at least one ${what} update is required`;
  if (remove.some((k) => set.has(k))) return `can not both modify and remove ${what === 'label' ? 'a label' : 'an annotation'} in the same command`;
  return { resources, set, remove };
};
