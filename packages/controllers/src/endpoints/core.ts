import { mapSelectorMatches, splitNsName, type Endpoints, type KObject, type Pod, type Service, sameStringMap } from '@kubesim/api';
import { NO_VALUES, memoValues, type IndexSpec, type Snapshot } from '@kubesim/state';
import type { ReconcileResult } from '../framework/component.js';
import { write } from '../framework/plan.js';
import { involvedOf } from '../framework/recorder.js';
import {
  HEADLESS_LABEL, OVER_CAPACITY_ANNOTATION, canonicalSubsets, endpointSubsetsFor, type EndpointSubset,
} from './subsets.js';

export const ENDPOINTS_CONTROLLER_NAME = 'endpoints-controller';

export interface EndpointsControllerConfig {
  /** Addresses per Endpoints object before truncation [endpoints controller maxCapacity]. */
  readonly maxCapacity: number;
}

export const defaultEndpointsControllerConfig: EndpointsControllerConfig = { maxCapacity: 1000 };

/**
 * [endpoints controller staleEndpointsTracker]: per Endpoints key, the resourceVersion an update was
 * based on. While the cache still shows that version the sync fails (and is retried) instead of
 * writing from stale data.
 */
export interface EndpointsLocal { readonly stale: ReadonlyMap<string, string> }
export const initialEndpointsLocal = (): EndpointsLocal => ({ stale: new Map() });

const STALE_CACHE = 'endpoints informer cache is out of date';

export const LABEL_INDEX = 'labelPair';

/** Pods by `namespace/key=value` for each of their labels: a service's pods without a namespace scan. */
const labelPairs = memoValues((labels: Readonly<Record<string, string>>, ns: string) => {
  const out: string[] = [];
  for (const k in labels) out.push(`${ns}/${k}=${labels[k]}`);
  return out;
});
export const podsByLabelPair: IndexSpec = {
  name: LABEL_INDEX, kind: 'Pod',
  fn: (o: KObject) => {
    const labels = o.metadata?.labels;
    return labels ? labelPairs(labels, o.metadata?.namespace ?? '') : NO_VALUES;
  },
};

/** A service selects pods only with a non-empty selector (an empty map decodes as none). */
export const serviceSelector = (svc: Service): Readonly<Record<string, string>> | undefined => {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
};

/** The pods a selector matches, through the label index (candidates of its first label). */
export const selectedPods = (snap: Snapshot, namespace: string, sel: Readonly<Record<string, string>>): { pods: Pod[]; scanned: number } => {
  const keys = Object.keys(sel).sort();
  const first = keys[0]!;
  const pods: Pod[] = [];
  let scanned = 0;
  // The index already matched the first pair: with a single-pair selector every candidate is selected.
  const single = keys.length === 1;
  for (const p of snap.byIndex('Pod', LABEL_INDEX, `${namespace}/${first}=${sel[first]}`)) {
    scanned++;
    if (single || mapSelectorMatches(sel, p.metadata?.labels)) pods.push(p);
  }
  return { pods, scanned };
};

const canonCache = new WeakMap<object, string>();
/** Canonical text of a stored Endpoints' subsets (stored objects are immutable: memoized by identity). */
const storedCanon = (ep: Endpoints): string => {
  let c = canonCache.get(ep);
  if (c === undefined) { c = canonicalSubsets(ep.subsets); canonCache.set(ep, c); }
  return c;
};


/** The labels and annotations the controller manages on the Endpoints object. */
const desiredMeta = (svc: Service, current: Endpoints | undefined, truncated: boolean) => {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  else delete annotations[OVER_CAPACITY_ANNOTATION];
  return { labels, annotations };
};

/**
 * [endpoints controller syncService]: the Endpoints of a Service with a selector, written only when its
 * subsets, labels or capacity annotation differ; a deleted Service's Endpoints are deleted; a Service
 * without selector is left alone (its Endpoints are the user's).
 */
export const syncEndpoints = (
  snap: Snapshot, key: string, config: EndpointsControllerConfig, local: EndpointsLocal = initialEndpointsLocal(),
): ReconcileResult<EndpointsLocal> => {
  const { namespace, name } = splitNsName(key);
  const svc = snap.get('Service', namespace, name);
  const current = snap.get('Endpoints', namespace, name);
  if (!svc) {
    const forget = local.stale.has(key) ? { local: { stale: without(local.stale, key) } } : {};
    if (!current) return forget;
    return { plan: write({ verb: 'delete', kind: 'Endpoints', namespace, name }, { ignore: ['NotFound'] }), ...forget, workUnits: 1 };
  }
  if (current && local.stale.get(key) === current.metadata?.resourceVersion) {
    return { error: `${STALE_CACHE}, resource version ${current.metadata?.resourceVersion ?? ''} already processed for endpoints ${key}`, workUnits: 1 };
  }
  const sel = serviceSelector(svc);
  if (!sel) return { workUnits: 1 };
  const { pods, scanned } = selectedPods(snap, namespace, sel);
  const { subsets, truncated } = endpointSubsetsFor(svc, pods, config.maxCapacity);
  const { labels, annotations } = desiredMeta(svc, current, truncated);
  if (current && storedCanon(current) === canonicalSubsets(subsets)
    && sameStringMap(current.metadata?.labels, labels) && sameStringMap(current.metadata?.annotations, annotations)) {
    return { workUnits: scanned + 1 };
  }
  const hasAnnotations = Object.keys(annotations).length > 0;
  const { subsets: _old, ...rest } = current ?? ({} as Partial<Endpoints>);
  const metadata = { ...(current?.metadata ?? { name, namespace }), labels, ...(hasAnnotations ? { annotations } : {}) };
  if (!hasAnnotations) delete metadata.annotations;
  // An update sends `subsets: []` rather than dropping the field, so that emptying is a change.
  const object: Endpoints = {
    ...rest, apiVersion: 'v1', kind: 'Endpoints', metadata,
    ...(subsets.length > 0 || current ? { subsets: subsets as EndpointSubset[] } : {}),
  };
  const failure = (verb: 'create' | 'update') => (err: { message: string }) => ({
    type: 'Warning' as const,
    reason: verb === 'create' ? 'FailedToCreateEndpoint' : 'FailedToUpdateEndpoint',
    message: verb === 'create'
      ? `Failed to create endpoint for service ${namespace}/${name}: ${err.message}`
      : `Failed to update endpoint ${namespace}/${name}: ${err.message}`,
    involved: involvedOf(object),
  });
  if (!current) return { plan: write({ verb: 'create', object: object as KObject }, { onFailure: failure('create') }), workUnits: scanned + 1 };
  const basedOn = current.metadata?.resourceVersion ?? '';
  return {
    plan: write({ verb: 'update', object: object as KObject }, { onFailure: failure('update') }),
    onDone: (o, l) => (o.ok ? { stale: new Map(l.stale).set(key, basedOn) } : l),
    workUnits: scanned + 1,
  };
};

const without = (m: ReadonlyMap<string, string>, k: string): ReadonlyMap<string, string> => {
  const n = new Map(m);
  n.delete(k);
  return n;
};
