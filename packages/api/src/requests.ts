import type { Kind, KObject } from './types.js';

/** Requests to the API server (the single writer). Every write names the actor that sends it. */
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export type ApiRequest =
  | { readonly verb: 'create'; readonly object: KObject }
  /**
   * `object.metadata.resourceVersion`, when set, is the optimistic-concurrency precondition. `finalize`: a
   * Namespace's `spec.finalizers` (namespaces/finalize, what the namespace controller writes when it is done).
   */
  | { readonly verb: 'update'; readonly object: KObject; readonly subresource?: 'status' | 'finalize' }
  /**
   * JSON merge patch (RFC 7386), or with `patchType: 'strategic'` a strategic merge patch as kubectl
   * rollout sends (its `$patch: replace` / `$patch: delete` directives on maps; lists are replaced).
   */
  | {
    readonly verb: 'patch'; readonly kind: Kind; readonly namespace: string; readonly name: string;
    readonly patch: Readonly<Record<string, unknown>>; readonly subresource?: 'status' | 'scale';
    readonly resourceVersion?: string; readonly patchType?: 'merge' | 'strategic';
  }
  | {
    readonly verb: 'delete'; readonly kind: Kind; readonly namespace: string; readonly name: string;
    readonly gracePeriodSeconds?: number; readonly propagationPolicy?: PropagationPolicy;
    readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  }
  /** pods/binding */
  | { readonly verb: 'bind'; readonly namespace: string; readonly name: string; readonly nodeName: string; readonly uid?: string }
  /** pods/eviction (a policy/v1 Eviction): a deletion that honours the pod's PodDisruptionBudget. */
  | { readonly verb: 'evict'; readonly namespace: string; readonly name: string; readonly gracePeriodSeconds?: number };

export const requestKind = (r: ApiRequest): Kind =>
  r.verb === 'create' || r.verb === 'update' ? (r.object.kind as Kind) : r.verb === 'bind' || r.verb === 'evict' ? 'Pod' : r.kind;

export const requestName = (r: ApiRequest): string =>
  r.verb === 'create' || r.verb === 'update' ? (r.object.metadata?.name ?? r.object.metadata?.generateName ?? '') : r.name;

export const requestNamespace = (r: ApiRequest): string =>
  r.verb === 'create' || r.verb === 'update' ? (r.object.metadata?.namespace ?? '') : r.namespace;

/** The verb as RBAC names it, with the subresource: `create pods`, `update pods/status`, `create pods/binding`, `create pods/eviction`. */
export const requestResourceVerb = (r: ApiRequest): { verb: string; subresource: string } => {
  switch (r.verb) {
    case 'create': return { verb: 'create', subresource: '' };
    case 'update': return { verb: 'update', subresource: r.subresource ?? '' };
    case 'patch': return { verb: 'patch', subresource: r.subresource ?? '' };
    case 'delete': return { verb: 'delete', subresource: '' };
    case 'bind': return { verb: 'create', subresource: 'binding' };
    case 'evict': return { verb: 'create', subresource: 'eviction' };
  }
};
