import type {
  ControllerRevision, EndpointSlice, Endpoints, Event, Kind, KindToType, KObject, Namespace, Node, PersistentVolume, PersistentVolumeClaim,
  Pod, PodDisruptionBudget, ReplicaSet, ResourceQuota, Service, StatefulSet, StorageClass, ConfigMap, Secret, ServiceAccount, IPAddress,
} from '@kubesim/api';
import { dataCount } from '@kubesim/api';
import { ageSince, microAgeSince, virtualMs } from './age.js';
import {
  accessModes, BETA_STORAGE_CLASS_ANNOTATION, compareStrings, containerCells, formatLabels, formatLabelSelector,
  joinHostPort, quantityText,
} from './format.js';
import { readinessGates, summarizePod } from './pod.js';

/** A column as pkg/printers declares it; `wide` is Priority 1 (shown by `-o wide` only). */
export interface Column {
  readonly header: string;
  readonly wide?: boolean;
  /** Format "name": the column `--show-kind` prefixes with `kind/`. */
  readonly isName?: boolean;
}

export type Cell = string | number | boolean;

export interface RowContext {
  readonly nowMs: number;
  readonly wide: boolean;
}

export interface KindPrinter<T> {
  readonly columns: readonly Column[];
  /** Every cell, wide ones included; the table printer drops the wide ones unless `-o wide`. */
  readonly row: (o: T, ctx: RowContext) => readonly Cell[];
}

const NAME: Column = { header: 'NAME', isName: true };
const AGE: Column = { header: 'AGE' };
const w = (header: string): Column => ({ header, wide: true });
const c = (header: string): Column => ({ header });

const nameOf = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '';
const age = (o: { metadata?: { creationTimestamp?: string } }, ctx: RowContext): string =>
  ageSince(o.metadata?.creationTimestamp, ctx.nowMs);

// ---- Pod ---------------------------------------------------------------------------------------
const podPrinter: KindPrinter<Pod> = {
  columns: [NAME, c('READY'), c('STATUS'), c('RESTARTS'), AGE, w('IP'), w('NODE'), w('NOMINATED NODE'), w('READINESS GATES')],
  row: (p, ctx) => {
    const s = summarizePod(p, ctx.nowMs);
    const ip = p.status?.podIPs?.[0]?.ip || p.status?.podIP || '<none>';
    return [
      nameOf(p), s.ready, s.status, s.restarts, age(p, ctx),
      ip, p.spec?.nodeName || '<none>', p.status?.nominatedNodeName || '<none>', readinessGates(p),
    ];
  },
};

// ---- StatefulSet / ReplicaSet --------------------------------------------------------------------
const statefulSetPrinter: KindPrinter<StatefulSet> = {
  columns: [NAME, c('READY'), AGE, w('CONTAINERS'), w('IMAGES')],
  row: (s, ctx) => [
    nameOf(s), `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`, age(s, ctx),
    ...containerCells(s.spec?.template?.spec?.containers),
  ],
};

const replicaSetPrinter: KindPrinter<ReplicaSet> = {
  columns: [NAME, c('DESIRED'), c('CURRENT'), c('READY'), AGE, w('CONTAINERS'), w('IMAGES'), w('SELECTOR')],
  row: (r, ctx) => [
    nameOf(r), r.spec?.replicas ?? 1, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0, age(r, ctx),
    ...containerCells(r.spec?.template?.spec?.containers), formatLabelSelector(r.spec?.selector),
  ],
};

// ---- storage -----------------------------------------------------------------------------------
const pvcPrinter: KindPrinter<PersistentVolumeClaim> = {
  columns: [NAME, c('STATUS'), c('VOLUME'), c('CAPACITY'), c('ACCESS MODES'), c('STORAGECLASS'), c('VOLUMEATTRIBUTESCLASS'), AGE, w('VOLUMEMODE')],
  row: (pvc, ctx) => {
    const phase = pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
    const volumeName = pvc.spec?.volumeName ?? '';
    // Capacity and access modes are only shown once the claim names a volume.
    const capacity = volumeName ? quantityText(pvc.status?.capacity?.['storage']) : '';
    const modes = volumeName ? accessModes(pvc.status?.accessModes) : '';
    const cls = pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? pvc.spec?.storageClassName ?? '';
    return [
      nameOf(pvc), phase, volumeName, capacity, modes, cls, pvc.spec?.volumeAttributesClassName ?? '<unset>',
      age(pvc, ctx), pvc.spec?.volumeMode ?? 'Filesystem',
    ];
  },
};

const pvPrinter: KindPrinter<PersistentVolume> = {
  columns: [
    NAME, c('CAPACITY'), c('ACCESS MODES'), c('RECLAIM POLICY'), c('STATUS'), c('CLAIM'), c('STORAGECLASS'),
    c('VOLUMEATTRIBUTESCLASS'), c('REASON'), AGE, w('VOLUMEMODE'),
  ],
  row: (pv, ctx) => {
    const ref = pv.spec?.claimRef;
    const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
    const phase = pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
    const cls = pv.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? pv.spec?.storageClassName ?? '';
    return [
      nameOf(pv), quantityText(pv.spec?.capacity?.['storage']), accessModes(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain', phase, claim, cls,
      pv.spec?.volumeAttributesClassName ?? '<unset>', pv.status?.reason ?? '', age(pv, ctx),
      pv.spec?.volumeMode ?? 'Filesystem',
    ];
  },
};

const isDefaultClass = (sc: StorageClass): boolean =>
  sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ||
  sc.metadata?.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';

const storageClassPrinter: KindPrinter<StorageClass> = {
  columns: [NAME, c('PROVISIONER'), c('RECLAIMPOLICY'), c('VOLUMEBINDINGMODE'), c('ALLOWVOLUMEEXPANSION'), AGE],
  row: (sc, ctx) => [
    isDefaultClass(sc) ? `${nameOf(sc)} (default)` : nameOf(sc), sc.provisioner, sc.reclaimPolicy ?? 'Delete',
    sc.volumeBindingMode ?? 'Immediate', sc.allowVolumeExpansion ?? false, age(sc, ctx),
  ],
};

// ---- Node --------------------------------------------------------------------------------------
const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';

const nodeRoles = (n: Node): string => {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort(compareStrings).join(',') || '<none>';
};

const nodeAddress = (n: Node, type: string): string =>
  n.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

export const KUBESIM_KUBELET_VERSION = 'v1.35.0-kubesim';

const nodePrinter: KindPrinter<Node> = {
  columns: [
    NAME, c('STATUS'), c('ROLES'), AGE, c('VERSION'),
    w('INTERNAL-IP'), w('EXTERNAL-IP'), w('OS-IMAGE'), w('KERNEL-VERSION'), w('CONTAINER-RUNTIME'),
  ],
  row: (n, ctx) => {
    // The last Ready condition wins, as the Go map of conditions keeps it.
    const ready = (n.status?.conditions ?? []).filter((x) => x.type === 'Ready').at(-1);
    const status = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
    if (n.spec?.unschedulable) status.push('SchedulingDisabled');
    const info = n.status?.nodeInfo;
    return [
      nameOf(n), status.join(','), nodeRoles(n), age(n, ctx), info?.kubeletVersion || KUBESIM_KUBELET_VERSION,
      nodeAddress(n, 'InternalIP'), nodeAddress(n, 'ExternalIP'), info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>', info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

// ---- Service / Endpoints -----------------------------------------------------------------------
const LOAD_BALANCER_WIDTH = 16;

const loadBalancerIngress = (svc: Service, wide: boolean): string => {
  const set = new Set<string>();
  for (const i of svc.status?.loadBalancer?.ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  let r = [...set].sort(compareStrings).join(',');
  if (!wide && r.length > LOAD_BALANCER_WIDTH) r = `${r.slice(0, LOAD_BALANCER_WIDTH - 3)}...`;
  return r;
};

const serviceExternalIP = (svc: Service, type: string, wide: boolean): string => {
  const external = svc.spec?.externalIPs ?? [];
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc, wide);
      if (external.length > 0) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
};

const servicePorts = (svc: Service): string =>
  (svc.spec?.ports ?? [])
    .map((p) => (p.nodePort && p.nodePort > 0
      ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}`
      : `${p.port}/${p.protocol ?? 'TCP'}`))
    .join(',') || '<none>';

const servicePrinter: KindPrinter<Service> = {
  columns: [NAME, c('TYPE'), c('CLUSTER-IP'), c('EXTERNAL-IP'), c('PORT(S)'), AGE, w('SELECTOR')],
  row: (svc, ctx) => {
    const type = svc.spec?.type ?? 'ClusterIP';
    const clusterIP = svc.spec?.clusterIPs?.[0] ?? (svc.spec?.clusterIP || '<none>');
    return [
      nameOf(svc), type, clusterIP, serviceExternalIP(svc, type, ctx.wide), servicePorts(svc), age(svc, ctx),
      formatLabels(svc.spec?.selector),
    ];
  },
};

const MAX_ENDPOINTS = 3;

/** formatEndpoints: at most three `ip:port`, then ` + N more...`; `<none>` without subsets. */
export const formatEndpoints = (ep: Endpoints): string => {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // headless services may have no ports
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_ENDPOINTS) { more = true; break; }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_ENDPOINTS) { more = true; break; }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - MAX_ENDPOINTS} more...` : ret;
};

const endpointsPrinter: KindPrinter<Endpoints> = {
  columns: [NAME, c('ENDPOINTS'), AGE],
  row: (ep, ctx) => [nameOf(ep), formatEndpoints(ep), age(ep, ctx)],
};

// ---- ControllerRevision ------------------------------------------------------------------------
/** `statefulset.apps/web`: the lower-cased GroupKind of the controller, then its name. */
const controllerName = (cr: ControllerRevision): string => {
  const ref = cr.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const groupKind = group ? `${ref.kind}.${group}` : ref.kind;
  return groupKind ? `${groupKind.toLowerCase()}/${ref.name}` : ref.name;
};

const controllerRevisionPrinter: KindPrinter<ControllerRevision> = {
  columns: [NAME, c('CONTROLLER'), c('REVISION'), AGE],
  row: (cr, ctx) => [nameOf(cr), controllerName(cr), cr.revision, age(cr, ctx)],
};

// ---- Event -------------------------------------------------------------------------------------
const eventLastSeen = (e: Event, nowMs: number): string => {
  if (e.series) return microAgeSince(e.series.lastObservedTime, nowMs);
  if (e.lastTimestamp) return ageSince(e.lastTimestamp, nowMs);
  return eventFirstSeen(e, nowMs);
};

const eventFirstSeen = (e: Event, nowMs: number): string =>
  e.firstTimestamp ? ageSince(e.firstTimestamp, nowMs) : microAgeSince(e.eventTime, nowMs);

const eventSource = (e: Event): string => {
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
};

const eventPrinter: KindPrinter<Event> = {
  columns: [
    c('LAST SEEN'), c('TYPE'), c('REASON'), c('OBJECT'), w('SUBOBJECT'), w('SOURCE'), c('MESSAGE'),
    w('FIRST SEEN'), w('COUNT'), { header: 'NAME', wide: true, isName: true },
  ],
  row: (e, ctx) => {
    const obj = e.involvedObject as Event['involvedObject'] | undefined;
    const kind = (obj?.kind ?? '').toLowerCase();
    const target = obj?.name ? `${kind}/${obj.name}` : kind;
    const count = e.series ? (e.series.count ?? 0) : (e.count || 1);
    return [
      eventLastSeen(e, ctx.nowMs), e.type ?? '', e.reason ?? '', target, obj?.fieldPath ?? '',
      eventSource(e), (e.message ?? '').trim(), eventFirstSeen(e, ctx.nowMs), count, nameOf(e),
    ];
  },
};

// ---- EndpointSlice -------------------------------------------------------------------------------
/** listWithMoreString: at most three items, then ` + N more...`; `<unset>` when empty. */
const listWithMore = (items: readonly string[]): string => {
  const shown = items.slice(0, 3).join(',');
  if (items.length > 3) return `${shown} + ${items.length - 3} more...`;
  return shown === '' ? '<unset>' : shown;
};

/** printEndpointSlice: formatDiscoveryPorts (port number, else name, else `*`) and formatDiscoveryEndpoints (addresses). */
const endpointSlicePrinter: KindPrinter<EndpointSlice> = {
  columns: [NAME, c('ADDRESSTYPE'), c('PORTS'), c('ENDPOINTS'), AGE],
  row: (s, ctx) => [
    nameOf(s), s.addressType,
    listWithMore((s.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name !== undefined ? p.name : '*'))),
    listWithMore((s.endpoints ?? []).flatMap((e) => e.addresses ?? [])),
    age(s, ctx),
  ],
};

// ---- Namespace ---------------------------------------------------------------------------------
const namespacePrinter: KindPrinter<Namespace> = {
  columns: [NAME, c('STATUS'), AGE],
  row: (ns, ctx) => [nameOf(ns), ns.status?.phase ?? 'Active', age(ns, ctx)],
};

// ---- ResourceQuota ------------------------------------------------------------------------------
/** printResourceQuota: `resource: used/hard` from the status, sorted, `limits.*` in their own column. */
const resourceQuotaPrinter: KindPrinter<ResourceQuota> = {
  columns: [NAME, AGE, c('REQUEST'), c('LIMIT')],
  row: (q, ctx) => {
    const hard = (q.status?.hard ?? {}) as Record<string, string>;
    const used = (q.status?.used ?? {}) as Record<string, string>;
    const request: string[] = [], limit: string[] = [];
    for (const r of Object.keys(hard).sort(compareStrings)) {
      (r.split('.')[0] === 'limits' && r.includes('.') ? limit : request).push(`${r}: ${String(used[r] ?? '0')}/${String(hard[r])}`);
    }
    return [nameOf(q), age(q, ctx), request.join(', '), limit.join(', ')];
  },
};

// ---- PodDisruptionBudget ------------------------------------------------------------------------
/** printPodDisruptionBudget: the spec's IntOrString as written, `N/A` when unset; the status's allowed disruptions. */
const pdbPrinter: KindPrinter<PodDisruptionBudget> = {
  columns: [NAME, c('MIN AVAILABLE'), c('MAX UNAVAILABLE'), c('ALLOWED DISRUPTIONS'), AGE],
  row: (p, ctx) => [
    nameOf(p), p.spec?.minAvailable !== undefined ? String(p.spec.minAvailable) : 'N/A',
    p.spec?.maxUnavailable !== undefined ? String(p.spec.maxUnavailable) : 'N/A', p.status?.disruptionsAllowed ?? 0, age(p, ctx),
  ],
};

// ---- ConfigMap, Secret, ServiceAccount -----------------------------------------------------------
/** printConfigMap: DATA counts data and binaryData. */
const configMapPrinter: KindPrinter<ConfigMap> = {
  columns: [NAME, c('DATA'), AGE],
  row: (o, ctx) => [nameOf(o), dataCount(o as KObject), age(o, ctx)],
};

/** printSecret: TYPE, DATA (its data's keys). */
const secretPrinter: KindPrinter<Secret> = {
  columns: [NAME, c('TYPE'), c('DATA'), AGE],
  row: (o, ctx) => [nameOf(o), o.type ?? '', dataCount(o as KObject), age(o, ctx)],
};

/** printServiceAccount: SECRETS counts `secrets`. */
const serviceAccountPrinter: KindPrinter<ServiceAccount> = {
  columns: [NAME, c('SECRETS'), AGE],
  row: (o, ctx) => [nameOf(o), o.secrets?.length ?? 0, age(o, ctx)],
};

/** printIPAddress: PARENTREF is `resource[.group]/[namespace/]name`, lower-cased; no AGE column (its cell is cut). */
const ipAddressPrinter: KindPrinter<IPAddress> = {
  columns: [NAME, c('PARENTREF')],
  row: (o) => {
    const ref = o.spec?.parentRef;
    if (!ref) return [nameOf(o), '<none>'];
    const gr = (ref.group ? `${ref.resource}.${ref.group}` : ref.resource).toLowerCase();
    return [nameOf(o), `${gr}${ref.namespace ? `/${ref.namespace}` : ''}/${ref.name}`];
  },
};

const PRINTERS: { readonly [K in Kind]: KindPrinter<KindToType[K]> } = {
  Pod: podPrinter,
  StatefulSet: statefulSetPrinter,
  ReplicaSet: replicaSetPrinter,
  PersistentVolumeClaim: pvcPrinter,
  PersistentVolume: pvPrinter,
  Node: nodePrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  EndpointSlice: endpointSlicePrinter,
  StorageClass: storageClassPrinter,
  ControllerRevision: controllerRevisionPrinter,
  Event: eventPrinter,
  Namespace: namespacePrinter,
  ResourceQuota: resourceQuotaPrinter,
  PodDisruptionBudget: pdbPrinter,
  ConfigMap: configMapPrinter,
  Secret: secretPrinter,
  ServiceAccount: serviceAccountPrinter,
  IPAddress: ipAddressPrinter,
};

export const printerFor = (kind: Kind): KindPrinter<KObject> => PRINTERS[kind] as unknown as KindPrinter<KObject>;

/** The instant `LAST SEEN` shows, in virtual ms, for ordering events; -Infinity when the event has none. */
export const eventLastSeenTime = (e: Event): number =>
  virtualMs(e.series?.lastObservedTime || e.lastTimestamp || e.firstTimestamp || e.eventTime) ?? -Infinity;
