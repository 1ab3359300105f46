/**
 * The EndpointSlice controller (§4.1; [ESC syncService] in pkg/controller/endpointslice and its reconciler
 * in staging/src/k8s.io/endpointslice): for every Service with a selector, the selected pods that are not
 * terminal and have an IP — terminating ones included — as endpoints with `ready`/`serving`/`terminating`
 * conditions, packed into slices of at most `maxEndpointsPerSlice`, grouped by the ports each pod offers.
 */
import {
  isPodReady, isTerminal, newControllerRef, sameStringMap, splitNsName,
  type ApiError, type EndpointSlice, type KObject, type Node, type Pod, type Service,
} from '@kubesim/api';
import { NO_VALUES, memoValues, type IndexSpec, type Snapshot } from '@kubesim/state';
import type { ReconcileResult } from '../framework/component.js';
import { event, seq, write, type EventSpec, type PlanOutcome, type Step } from '../framework/plan.js';
import { involvedOf } from '../framework/recorder.js';
import { selectedPods, serviceSelector } from '../endpoints/core.js';
import { findPort, shouldSetHostname } from '../endpoints/subsets.js';

export const ENDPOINTSLICE_CONTROLLER_NAME = 'endpointslice-controller';
/** The `endpointslice.kubernetes.io/managed-by` value of the slices this controller owns. */
export const ENDPOINTSLICE_MANAGER = 'endpointslice-controller.k8s.io';
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

export interface EndpointSliceControllerConfig {
  /** --max-endpoints-per-slice (default 100). */
  readonly maxEndpointsPerSlice: number;
}
export const defaultEndpointSliceControllerConfig: EndpointSliceControllerConfig = { maxEndpointsPerSlice: 100 };

type Endpoint = EndpointSlice['endpoints'][number];
type EndpointPort = NonNullable<EndpointSlice['ports']>[number];

/** A tracked slice's generation, or DELETION_EXPECTED once the controller deleted it. */
const DELETION_EXPECTED = -1;

/**
 * [EndpointSliceTracker]: per service, the generation of every slice the controller wrote (by uid), so
 * that a sync never works from a cache older than its own writes. `unexpectedDeletion`: the seq of the
 * last delivered deletion of a tracked slice the controller had not deleted itself (its service is
 * synced again).
 */
export interface EndpointSliceLocal {
  readonly tracker: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly unexpectedDeletion: number;
  /**
   * Services woken by a change of one of their slices, with when their sync is due ([ESC
   * queueServiceForEndpointSlice]: `AddAfter(key, endpointSliceChangeMinSyncDelay)`, 1 s).
   */
  readonly sliceDue: ReadonlyMap<string, number>;
}
export const initialEndpointSliceLocal = (): EndpointSliceLocal => ({ tracker: new Map(), unexpectedDeletion: 0, sliceDue: new Map() });

/** [endpointSliceChangeMinSyncDelay]: a slice change syncs its service 1 s later. */
export const SLICE_CHANGE_MIN_SYNC_DELAY_MS = 1_000;

/** The key of a service woken by a change of one of its slices (synced after the delay): `namespace/name#slice`. */
export const SLICE_WAKE = '#slice';

/**
 * A service woken by one of its slices: the first wake sets its sync 1 s later (later wakes within the
 * second keep that time, as the delaying queue keeps a key's earliest time); then the service syncs.
 */
export const syncAfterSliceChange = (
  snap: Snapshot, key: string, config: EndpointSliceControllerConfig, local: EndpointSliceLocal, now: number,
): ReconcileResult<EndpointSliceLocal> => {
  const svc = key.slice(0, -SLICE_WAKE.length);
  const due = local.sliceDue.get(svc);
  if (due === undefined) {
    return { local: { ...local, sliceDue: new Map(local.sliceDue).set(svc, now + SLICE_CHANGE_MIN_SYNC_DELAY_MS) }, requeueAfterMs: SLICE_CHANGE_MIN_SYNC_DELAY_MS, workUnits: 1 };
  }
  if (now < due) return { requeueAfterMs: due - now, workUnits: 1 };
  const sliceDue = new Map(local.sliceDue);
  sliceDue.delete(svc);
  const cleared = { ...local, sliceDue };
  const r = syncEndpointSlices(snap, svc, config, cleared);
  // A failed sync is retried on its back-off, not after another delay: the due time stays until one succeeds.
  if (r.error !== undefined) return r.local ? { ...r, local: { ...r.local, sliceDue: local.sliceDue } } : r;
  return { ...r, local: r.local ?? cleared };
};

export const STALE_SLICES = 'EndpointSlice informer cache is out of date';

// ---- indexes ------------------------------------------------------------------------------------
export const SLICE_SERVICE_INDEX = 'serviceName';
const sliceServiceValues = memoValues((labels: Readonly<Record<string, string>>, ns: string) => {
  const svc = labels[LABEL_SERVICE_NAME];
  return svc === undefined ? NO_VALUES : [`${ns}/${svc}`];
});
/** EndpointSlices by `namespace/<kubernetes.io/service-name>`. */
export const slicesByService: IndexSpec = {
  name: SLICE_SERVICE_INDEX, kind: 'EndpointSlice',
  fn: (o: KObject) => {
    const labels = o.metadata?.labels;
    return labels ? sliceServiceValues(labels, o.metadata?.namespace ?? '') : NO_VALUES;
  },
};

/** The service key a slice belongs to (`namespace/name`), from its service-name label. */
export const serviceKeyOfSlice = (s: EndpointSlice): string | undefined => {
  const svc = s.metadata?.labels?.[LABEL_SERVICE_NAME];
  return svc ? `${s.metadata?.namespace ?? ''}/${svc}` : undefined;
};

export const managedByController = (s: EndpointSlice | undefined): boolean => s?.metadata?.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_MANAGER;

// ---- tracker ------------------------------------------------------------------------------------
/** [ShouldSync]: the slice is not tracked, or is newer than the version the controller wrote. */
export const shouldSync = (local: EndpointSliceLocal | undefined, s: EndpointSlice): boolean => {
  const key = serviceKeyOfSlice(s);
  const gens = key === undefined ? undefined : local?.tracker.get(key);
  if (gens === undefined) return true;
  const g = gens.get(s.metadata?.uid ?? '');
  return g === undefined || (s.metadata?.generation ?? 0) > g;
};

/**
 * [StaleSlices]: a listed slice is older than the tracked version or its deletion is expected, or a
 * tracked slice is not listed at all.
 */
const staleSlices = (local: EndpointSliceLocal, key: string, slices: readonly EndpointSlice[]): boolean => {
  const gens = local.tracker.get(key);
  if (gens === undefined) return false;
  const listed = new Set<string>();
  for (const s of slices) {
    const uid = s.metadata?.uid ?? '';
    listed.add(uid);
    const g = gens.get(uid);
    if (g !== undefined && (g === DELETION_EXPECTED || g > (s.metadata?.generation ?? 0))) return true;
  }
  for (const [uid, g] of gens) if (g !== DELETION_EXPECTED && !listed.has(uid)) return true;
  return false;
};

const withService = (local: EndpointSliceLocal, key: string, gens: ReadonlyMap<string, number> | undefined): EndpointSliceLocal => {
  const tracker = new Map(local.tracker);
  if (gens === undefined || gens.size === 0) tracker.delete(key); else tracker.set(key, gens);
  return { ...local, tracker };
};

/**
 * [HandleDeletion] on a delivered deletion of a managed slice: a tracked slice leaves the tracker; if its
 * deletion was not expected, `unexpectedDeletion` records the entry so the handler syncs the service.
 */
export const observeSliceDeletion = (local: EndpointSliceLocal, s: EndpointSlice, seq: number): EndpointSliceLocal => {
  const key = serviceKeyOfSlice(s);
  const gens = key === undefined ? undefined : local.tracker.get(key);
  const uid = s.metadata?.uid ?? '';
  if (key === undefined || gens === undefined || !gens.has(uid)) return local;
  const g = gens.get(uid)!;
  const next = new Map(gens);
  next.delete(uid);
  const l = withService(local, key, next);
  return g === DELETION_EXPECTED ? l : { ...l, unexpectedDeletion: seq };
};

// ---- desired endpoints --------------------------------------------------------------------------
/** [getAddressTypesForService]: from spec.ipFamilies, else the ClusterIP's family, else both (headless). */
export const addressTypesOf = (svc: Service): readonly string[] => {
  const fams = svc.spec?.ipFamilies ?? [];
  const out: string[] = [];
  if (fams.includes('IPv4')) out.push('IPv4');
  if (fams.includes('IPv6')) out.push('IPv6');
  if (out.length > 0) return out;
  const ip = svc.spec?.clusterIP;
  if (ip && ip !== 'None') return [ip.includes(':') ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
};

/** isServiceIPSet: a ClusterIP is allocated (not headless, not empty). */
const isServiceIPSet = (svc: Service): boolean => !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None';

/** [ShouldPodBeInEndpoints(pod, includeTerminating=true)]: not terminal and has an IP. */
const shouldPodBeInSlices = (pod: Pod): boolean =>
  !isTerminal(pod) && (!!pod.status?.podIP || (pod.status?.podIPs?.length ?? 0) > 0);

/** [getEndpointPorts]: each service port the pod resolves (a headless service may have none). */
export const endpointPortsOf = (svc: Service, pod: Pod): EndpointPort[] => {
  const out: EndpointPort[] = [];
  const sps = svc.spec?.ports ?? [];
  if (sps.length === 0 && svc.spec?.clusterIP === 'None') return out;
  for (const sp of sps) {
    const n = findPort(pod, sp);
    if (n === undefined) continue;
    out.push({ name: sp.name ?? '', port: n, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol !== undefined ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
};

/** [NewPortMapKey]: the ports as a set (order does not matter). */
export const portMapKey = (ports: readonly EndpointPort[] | undefined): string =>
  (ports ?? []).map((p) => `${p.name ?? ''}\u0000${p.port ?? ''}\u0000${p.protocol ?? ''}\u0000${p.appProtocol ?? ''}`).sort().join('\u0001');

/** [getEndpointAddresses]: the pod's IPs of the address type. */
const addressesOf = (pod: Pod, addressType: string): string[] => {
  const ips = pod.status?.podIPs?.map((i) => i.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  return ips.filter((ip): ip is string => !!ip && (ip.includes(':') ? addressType === 'IPv6' : addressType === 'IPv4'));
};

/** [podToEndpoint]: ready = publishNotReadyAddresses || (serving && !terminating). */
export const podToEndpoint = (pod: Pod, node: Node | undefined, svc: Service, addressType: string): Endpoint => {
  const serving = isPodReady(pod);
  const terminating = pod.metadata?.deletionTimestamp !== undefined;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const zone = node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE];
  return {
    addresses: addressesOf(pod, addressType),
    conditions: { ready, serving, terminating },
    ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec!.hostname! } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
    ...(zone ? { zone } : {}),
  };
};

/** [hashEndpoint]: what identifies an endpoint across versions — addresses, hostname and target. */
const endpointHash = (e: Endpoint): string =>
  `${[...e.addresses].sort().join(',')}\u0000${e.hostname ?? ''}\u0000${e.targetRef?.namespace ?? ''}\u0000${e.targetRef?.name ?? ''}`;

/** [EndpointsEqualBeyondHash]: conditions, zone, node, hints and target uid. */
const equalBeyondHash = (a: Endpoint, b: Endpoint): boolean =>
  a.conditions?.ready === b.conditions?.ready && a.conditions?.serving === b.conditions?.serving
  && a.conditions?.terminating === b.conditions?.terminating && a.zone === b.zone && a.nodeName === b.nodeName
  && a.targetRef?.uid === b.targetRef?.uid && a.targetRef?.kind === b.targetRef?.kind
  && JSON.stringify(a.hints ?? null) === JSON.stringify(b.hints ?? null);

// ---- slices -------------------------------------------------------------------------------------
/** A label map without the keys reserved for slices (service name, manager, headless). */
const unreserved = (labels: Readonly<Record<string, string>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY && k !== LABEL_HEADLESS) out[k] = v;
  }
  return out;
};

/** [setEndpointSliceLabels]: the service's labels (reserved keys aside), the headless label, service name and manager. */
const sliceLabels = (svc: Service): Record<string, string> => {
  const out = unreserved(svc.metadata?.labels);
  if (!isServiceIPSet(svc)) out[LABEL_HEADLESS] = '';
  out[LABEL_SERVICE_NAME] = svc.metadata?.name ?? '';
  out[LABEL_MANAGED_BY] = ENDPOINTSLICE_MANAGER;
  return out;
};

/** Whether the slice's labels other than the reserved ones differ from the service's. */
const labelsChanged = (slice: EndpointSlice, svc: Service): boolean =>
  !sameStringMap(unreserved(slice.metadata?.labels), unreserved(svc.metadata?.labels));

/** [getEndpointSlicePrefix]: `<service>-`, or the bare name if the dash would make it invalid. */
const slicePrefix = (svc: string): string => (`${svc}-`.length <= 253 - 5 ? `${svc}-` : svc);

/** [newEndpointSlice] (no name: the API server generates it). */
const newSlice = (svc: Service, ports: readonly EndpointPort[], addressType: string): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    generateName: slicePrefix(svc.metadata?.name ?? ''),
    namespace: svc.metadata?.namespace ?? '',
    labels: sliceLabels(svc),
    ownerReferences: [newControllerRef({ apiVersion: 'v1', kind: 'Service', metadata: svc.metadata ?? {} })],
  },
  addressType,
  endpoints: [],
  ...(ports.length > 0 ? { ports: [...ports] } : {}),
});

/** [ownedBy]: the slice names this service (by uid) as an owner. */
const ownedBy = (s: EndpointSlice, svc: Service): boolean =>
  (s.metadata?.ownerReferences ?? []).some((o) => o.uid === svc.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1');

/** A slice being built: the stored one it replaces (if any) and its endpoints. */
interface Draft { slice: EndpointSlice; endpoints: Endpoint[]; readonly stored?: EndpointSlice }
const draftOf = (s: EndpointSlice, endpoints: Endpoint[] = [...s.endpoints ?? []], labels?: Record<string, string>): Draft =>
  ({ slice: labels ? { ...s, metadata: { ...s.metadata, labels } } : s, endpoints, stored: s });

interface Changes { create: Draft[]; update: Draft[]; remove: EndpointSlice[] }

/** [getSliceToFill]: the slice that is closest to full once `n` endpoints are added. */
const sliceToFill = (drafts: readonly Draft[], n: number, max: number): Draft | undefined => {
  let closest = max;
  let best: Draft | undefined;
  for (const d of drafts) {
    const diff = max - (n + d.endpoints.length);
    if (diff >= 0 && diff < closest) {
      closest = diff;
      best = d;
      if (diff === 0) return best;
    }
  }
  return best;
};

/**
 * [reconcileByPortMapping]: 1. keep the existing slices' endpoints that are still desired (updated in place
 * when they changed), 2. fill the slices being updated anyway, fullest first, 3. put what is left in the
 * unchanged slice that ends closest to full, or in new slices. Endpoints are taken in pod order.
 */
const reconcileByPortMapping = (
  svc: Service, existing: readonly EndpointSlice[], desired: Map<string, Endpoint>, ports: readonly EndpointPort[], addressType: string, max: number,
): Changes => {
  const update: Draft[] = [];
  const unchanged: Draft[] = [];
  const remove: EndpointSlice[] = [];
  for (const s of existing) {
    const kept: Endpoint[] = [];
    let changed = false;
    for (const e of s.endpoints ?? []) {
      const h = endpointHash(e);
      const want = desired.get(h);
      if (want === undefined) continue;
      kept.push(want);
      if (!equalBeyondHash(want, e)) changed = true;
      desired.delete(h);
    }
    const relabel = labelsChanged(s, svc);
    if (changed || kept.length !== (s.endpoints ?? []).length) {
      if (kept.length === 0) remove.push(s);
      else update.push(draftOf(s, kept, sliceLabels(svc)));
    } else if (relabel) update.push(draftOf(s, kept, sliceLabels(svc)));
    else unchanged.push(draftOf(s));
  }
  const pending = desired.values();
  let left = desired.size;
  const take = (d: Draft): void => {
    while (left > 0 && d.endpoints.length < max) { d.endpoints.push(pending.next().value as Endpoint); left--; }
  };
  if (left > 0 && update.length > 0) {
    // Fullest first; equal lengths keep list order (a stable sort).
    for (const d of [...update].sort((a, b) => b.endpoints.length - a.endpoints.length)) take(d);
  }
  const create: Draft[] = [];
  while (left > 0) {
    let d = left < max && unchanged.length > 0 ? sliceToFill(unchanged, left, max) : undefined;
    if (d === undefined) {
      d = { slice: newSlice(svc, ports, addressType), endpoints: [] };
      create.push(d);
    } else {
      unchanged.splice(unchanged.indexOf(d), 1);
      d.endpoints = [...d.endpoints];
      update.push(d);
    }
    take(d);
  }
  return { create, update, remove };
};

/** [placeholderSliceCompare]: a stored slice equal to the placeholder (namespace, labels, owners; no endpoints or ports). */
const isPlaceholder = (s: EndpointSlice, placeholder: EndpointSlice): boolean => {
  if ((s.endpoints ?? []).length > 0 || (s.ports ?? []).length > 0 || s.addressType !== placeholder.addressType) return false;
  if (!sameStringMap(s.metadata?.labels, placeholder.metadata?.labels)) return false;
  return JSON.stringify(s.metadata?.ownerReferences ?? []) === JSON.stringify(placeholder.metadata?.ownerReferences ?? []);
};

/** [reconcileByAddressType] for one address type: the slices to create, update and delete. */
const reconcileByAddressType = (
  snap: Snapshot, svc: Service, pods: readonly Pod[], existing: readonly EndpointSlice[], addressType: string, max: number, errors: string[],
): Changes => {
  const ns = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const remove: EndpointSlice[] = [];
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) { remove.push(s); continue; }
    const k = portMapKey(s.ports);
    const l = existingByPorts.get(k);
    if (l) l.push(s); else existingByPorts.set(k, [s]);
  }
  const desired = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>();
  for (const pod of pods) {
    if (!shouldPodBeInSlices(pod)) continue;
    const ports = endpointPortsOf(svc, pod);
    const k = portMapKey(ports);
    let d = desired.get(k);
    if (!d) { d = { ports, endpoints: new Map() }; desired.set(k, d); }
    const node = snap.get('Node', '', pod.spec?.nodeName ?? '') as Node | undefined;
    if (node === undefined && svc.spec?.publishNotReadyAddresses !== true) {
      errors.push(`skipping Pod ${pod.metadata?.name ?? ''} for Service ${ns}/${name}: Node ${pod.spec?.nodeName ?? ''} Not Found`);
      continue;
    }
    const e = podToEndpoint(pod, node, svc, addressType);
    if (e.addresses.length > 0) d.endpoints.set(endpointHash(e), e);
  }
  const out: Changes = { create: [], update: [], remove };
  for (const [k, d] of desired) {
    const c = reconcileByPortMapping(svc, existingByPorts.get(k) ?? [], d.endpoints, d.ports, addressType, max);
    out.create.push(...c.create);
    out.update.push(...c.update);
    out.remove.push(...c.remove);
  }
  for (const [k, l] of existingByPorts) if (!desired.has(k)) out.remove.push(...l);
  if (existing.length === out.remove.length && out.create.length === 0) {
    const placeholder = newSlice(svc, [], addressType);
    if (out.remove.length === 1 && isPlaceholder(out.remove[0]!, placeholder)) out.remove.length = 0;
    else out.create.push({ slice: placeholder, endpoints: [] });
  }
  // [finalize]: a slice to create takes the place of one to delete (same address type, owned by the service).
  for (let i = 0; i < out.remove.length && out.create.length > 0;) {
    const victim = out.remove[i]!;
    if (victim.addressType === addressType && ownedBy(victim, svc)) {
      const d = out.create.pop()!;
      // The new slice under the old one's name, unconditionally (no resourceVersion), as Kubernetes sends it.
      out.update.push({ slice: { ...d.slice, metadata: { ...d.slice.metadata, name: victim.metadata?.name ?? '' } }, endpoints: d.endpoints, stored: victim });
      out.remove.splice(i, 1);
    } else i++;
  }
  return out;
};

// ---- sync ---------------------------------------------------------------------------------------
/** The slices of a service this controller manages, listed from the cache (those being deleted dropped). */
export const managedSlicesOf = (snap: Snapshot, namespace: string, name: string): EndpointSlice[] => {
  const out: EndpointSlice[] = [];
  for (const s of snap.byIndex('EndpointSlice', SLICE_SERVICE_INDEX, `${namespace}/${name}`)) {
    const slice = s as EndpointSlice;
    if (managedByController(slice) && slice.metadata?.deletionTimestamp === undefined) out.push(slice);
  }
  return out;
};

const materialize = (d: Draft): EndpointSlice => {
  const { ports, ...rest } = d.slice;
  return { ...rest, endpoints: d.endpoints, ...(ports !== undefined && ports.length > 0 ? { ports } : {}) };
};

/**
 * [ESC syncService + Reconciler.Reconcile]: a deleted Service is forgotten (the garbage collector removes
 * its slices); ExternalName Services and Services without selector get none from this controller.
 */
export const syncEndpointSlices = (
  snap: Snapshot, key: string, config: EndpointSliceControllerConfig, local: EndpointSliceLocal = initialEndpointSliceLocal(),
): ReconcileResult<EndpointSliceLocal> => {
  const { namespace, name } = splitNsName(key);
  const svc = snap.get('Service', namespace, name) as Service | undefined;
  if (!svc) return local.tracker.has(key) ? { local: withService(local, key, undefined) } : {};
  if (svc.spec?.type === 'ExternalName') return { workUnits: 1 };
  const sel = serviceSelector(svc);
  if (!sel) return { workUnits: 1 };
  const { pods, scanned } = selectedPods(snap, namespace, sel);
  const slices = managedSlicesOf(snap, namespace, name);
  const workUnits = scanned + slices.length + 1;
  if (staleSlices(local, key, slices)) return { error: STALE_SLICES, workUnits };

  const types = addressTypesOf(svc);
  const errors: string[] = [];
  const create: Draft[] = [];
  const update: Draft[] = [];
  const remove: EndpointSlice[] = [];
  for (const t of types) {
    const c = reconcileByAddressType(snap, svc, pods, slices.filter((s) => s.addressType === t), t, config.maxEndpointsPerSlice, errors);
    create.push(...c.create);
    update.push(...c.update);
    remove.push(...c.remove);
  }
  for (const s of slices) if (!types.includes(s.addressType)) remove.push(s);

  const failure = (what: string) => (err: ApiError): EventSpec => syncFailed(svc, `${what}: ${err.message}`);
  const steps: Step[] = [];
  // Slices are not created for a Service that is being deleted (the garbage collector is removing them).
  if (svc.metadata?.deletionTimestamp === undefined) {
    create.forEach((d, i) => steps.push(write({ verb: 'create', object: materialize(d) as KObject },
      { tag: `create:${i}`, onFailure: failure(`failed to create EndpointSlice for Service ${namespace}/${name}`) })));
  }
  for (const d of update) {
    const s = materialize(d);
    const sliceName = s.metadata?.name ?? '';
    steps.push(write({ verb: 'update', object: s as KObject },
      { tag: `update:${d.stored?.metadata?.uid ?? sliceName}`, onFailure: failure(`failed to update ${sliceName} EndpointSlice for Service ${namespace}/${name}`) }));
  }
  for (const s of remove) {
    steps.push(write({ verb: 'delete', kind: 'EndpointSlice', namespace, name: s.metadata?.name ?? '' },
      { tag: `delete:${s.metadata?.uid ?? ''}`, ignore: ['NotFound'], onFailure: failure(`failed to delete ${s.metadata?.name ?? ''} EndpointSlice for Service ${namespace}/${name}`) }));
  }
  const error = errors.length > 0 ? errors.join(', ') : undefined;
  if (error !== undefined) steps.push(event(syncFailed(svc, errors.length > 1 ? `[${error}]` : error)));
  if (steps.length === 0) return { workUnits };
  return {
    plan: seq(...steps),
    onDone: (o, l) => track(o, key, l),
    ...(error !== undefined ? { error } : {}),
    workUnits,
  };
};

/** `FailedToUpdateEndpointSlices` on the Service. */
const syncFailed = (svc: Service, message: string): EventSpec => ({
  type: 'Warning', reason: 'FailedToUpdateEndpointSlices',
  message: `Error updating Endpoint Slices for Service ${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}: ${message}`,
  involved: involvedOf(svc as KObject),
});

/** [EndpointSliceTracker.Update / ExpectDeletion] for the writes that succeeded. */
const track = (o: PlanOutcome, key: string, local: EndpointSliceLocal): EndpointSliceLocal => {
  if (o.succeeded.size === 0) return local;
  const gens = new Map(local.tracker.get(key) ?? []);
  for (const tag of o.succeeded) {
    if (tag.startsWith('delete:')) { gens.set(tag.slice('delete:'.length), DELETION_EXPECTED); continue; }
    const s = o.results?.get(tag) as EndpointSlice | undefined;
    if (s?.metadata?.uid !== undefined) gens.set(s.metadata.uid, s.metadata.generation ?? 0);
  }
  return withService(local, key, gens);
};
