import { controllerRefOf, type KObject, type OwnerReference, type Pod } from '@kubesim/api';
import type { IndexSpec } from './store.js';

/**
 * An index function's values memoized by the part of the object they depend on — immutable, and
 * shared by the versions of an object that did not change it — and the namespace. Equal inputs give
 * the same array, so re-filing an unchanged object costs one reference comparison, and no strings are
 * rebuilt per version. The arrays are shared: never modify them.
 */
export const memoValues = <P extends object>(compute: (part: P, namespace: string) => readonly string[]): ((part: P, namespace: string) => readonly string[]) => {
  const memo = new WeakMap<P, { readonly namespace: string; readonly values: readonly string[] }>();
  return (part, namespace) => {
    const m = memo.get(part);
    if (m !== undefined && m.namespace === namespace) return m.values;
    const values = compute(part, namespace);
    memo.set(part, { namespace, values });
    return values;
  };
};

/** One shared single-value array per string (bounded; for values from a small set: node names, classes). */
export const memoSingle = (): ((value: string) => readonly string[]) => {
  const memo = new Map<string, readonly string[]>();
  return (value) => {
    let v = memo.get(value);
    if (v === undefined) {
      if (memo.size >= 100_000) memo.clear();
      v = [value];
      memo.set(value, v);
    }
    return v;
  };
};

export const NO_VALUES: readonly string[] = [];

const orphanOf = memoSingle();
const controllerUids = memoValues((refs: readonly OwnerReference[], namespace: string) =>
  [controllerRefOf({ ownerReferences: refs as OwnerReference[] })?.uid ?? `orphan:${namespace}`]);

/** Pods by the uid of their controller ("" for orphans, filed under namespace). */
export const podsByControllerUid: IndexSpec = {
  name: 'controllerUid', kind: 'Pod',
  fn: (o: KObject) => {
    const refs = o.metadata?.ownerReferences;
    const ns = o.metadata?.namespace ?? '';
    return refs === undefined ? orphanOf(`orphan:${ns}`) : controllerUids(refs, ns);
  },
};

const nodeValue = memoSingle();
/** Pods by node name ("" = unscheduled). */
export const podsByNode: IndexSpec = {
  name: 'node', kind: 'Pod',
  fn: (o: KObject) => nodeValue((o as Pod).spec?.nodeName ?? ''),
};

const claimValues = memoValues((volumes: NonNullable<NonNullable<Pod['spec']>['volumes']>, namespace: string) =>
  volumes.flatMap((v) => (v.persistentVolumeClaim ? [`${namespace}/${v.persistentVolumeClaim.claimName}`] : [])));
/** Pods by the claims they mount (namespace/claim). */
export const podsByClaim: IndexSpec = {
  name: 'claim', kind: 'Pod',
  fn: (o: KObject) => {
    const volumes = (o as Pod).spec?.volumes;
    return volumes === undefined ? NO_VALUES : claimValues(volumes, o.metadata?.namespace ?? '');
  },
};

const ownerUids = memoValues((refs: readonly OwnerReference[]) => refs.map((r) => r.uid));
/** Any object by the uids of all its owners. */
export const byOwnerUid = (kind: IndexSpec['kind']): IndexSpec => ({
  name: 'ownerUid', kind,
  fn: (o: KObject) => {
    const refs = o.metadata?.ownerReferences;
    return refs === undefined ? NO_VALUES : ownerUids(refs, '');
  },
});
