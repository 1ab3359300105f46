/**
 * Defaulting as the API server applies it on create and update (k8s-semantics §1.1, §2.5, §3, §4;
 * `SetDefaults_*` of core/v1, apps/v1, storage/v1).
 *
 * Pure: the input is never mutated. The result is always a new top-level object; nested objects are
 * copied only where a default is written, so an already-defaulted sub-tree keeps its identity (the
 * pod-update fast path compares `spec` by reference). `metadata.namespace` is left to the API server.
 */
import type {
  Container, KObject, PersistentVolume, PersistentVolumeClaim, Pod, PodSpec, PodTemplateSpec, ReplicaSet, Secret, Service,
  StatefulSet, StorageClass,
} from './types.js';
import type { ContainerPort, HTTPGetAction, PersistentVolumeClaimSpec, Probe, ServicePort } from 'kubernetes-types/core/v1.js';
import type { StatefulSetSpec, StatefulSetUpdateStrategy } from 'kubernetes-types/apps/v1.js';
import { merged } from './objects.js';

const isUnset = (v: unknown): v is undefined | null => v === undefined || v === null;

/** `o` itself when there is nothing to write, else a shallow copy with `updates`. */
const withUpdates = <T extends object>(o: T, updates: Partial<T>): T =>
  Object.keys(updates).length === 0 ? o : merged(o, updates);

/** Array map that returns the input array when no element changed. */
const mapSame = <T>(xs: readonly T[], f: (x: T) => T): T[] => {
  let out: T[] | undefined;
  xs.forEach((x, i) => {
    const y = f(x);
    if (y !== x) {
      out ??= [...xs];
      out[i] = y;
    }
  });
  return out ?? (xs as T[]);
};

/**
 * parsers.ParseImageName: the tag after the last ':' of the last path segment; with neither tag nor
 * digest the tag is `latest`.
 */
const imageTag = (image: string): string => {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const hasDigest = at >= 0;
  const colon = ref.lastIndexOf(':');
  const tag = colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : '';
  return tag === '' && !hasDigest ? 'latest' : tag;
};

const defaultContainerPort = (p: ContainerPort): ContainerPort => (p.protocol ? p : merged(p, { protocol: 'TCP' }));

/** SetDefaults_HTTPGetAction: path `/`, scheme HTTP. */
const defaultHttpGet = <T extends { httpGet?: HTTPGetAction | undefined }>(h: T): T =>
  (h.httpGet && (!h.httpGet.path || !h.httpGet.scheme) ? { ...h, httpGet: { ...h.httpGet, path: h.httpGet.path || '/', scheme: h.httpGet.scheme || 'HTTP' } } : h);

/** SetDefaults_Probe: timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3 (and its HTTPGetAction's). */
const defaultProbe = (p: Probe): Probe => {
  const u: Partial<Probe> = {};
  if (!p.timeoutSeconds) u.timeoutSeconds = 1;
  if (!p.periodSeconds) u.periodSeconds = 10;
  if (!p.successThreshold) u.successThreshold = 1;
  if (!p.failureThreshold) u.failureThreshold = 3;
  return defaultHttpGet(withUpdates(p, u));
};

/** SetDefaults_Container (+ SetDefaults_ContainerPort, SetDefaults_Probe, SetDefaults_HTTPGetAction of probes and hooks). */
const defaultContainer = (c: Container): Container => {
  const u: Partial<Container> = {};
  for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const p = c[k];
    if (p) { const d = defaultProbe(p); if (d !== p) u[k] = d; }
  }
  if (c.lifecycle) {
    const post = c.lifecycle.postStart ? defaultHttpGet(c.lifecycle.postStart) : undefined;
    const pre = c.lifecycle.preStop ? defaultHttpGet(c.lifecycle.preStop) : undefined;
    if (post !== c.lifecycle.postStart || pre !== c.lifecycle.preStop) u.lifecycle = { ...c.lifecycle, ...(post ? { postStart: post } : {}), ...(pre ? { preStop: pre } : {}) };
  }
  if (!c.terminationMessagePath) u.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) u.terminationMessagePolicy = 'File';
  if (!c.imagePullPolicy) u.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  if (c.ports) {
    const ports = mapSame(c.ports, defaultContainerPort);
    if (ports !== c.ports) u.ports = ports;
  }
  return withUpdates(c, u);
};

/** SetDefaults_PodSpec (the fields kubesim models) and the containers'. */
const defaultPodSpec = (spec: PodSpec): PodSpec => {
  const u: Partial<PodSpec> = {};
  if (!spec.restartPolicy) u.restartPolicy = 'Always';
  if (isUnset(spec.terminationGracePeriodSeconds)) u.terminationGracePeriodSeconds = 30;
  if (!spec.dnsPolicy) u.dnsPolicy = 'ClusterFirst';
  if (!spec.schedulerName) u.schedulerName = 'default-scheduler';
  if (isUnset(spec.securityContext)) u.securityContext = {};
  // serviceAccount is the deprecated alias of serviceAccountName [Convert_v1_PodSpec_To_core_PodSpec and back]:
  // read when the name is empty, written back as the name.
  const account = spec.serviceAccountName || spec.serviceAccount;
  if (account && (spec.serviceAccountName !== account || spec.serviceAccount !== account)) { u.serviceAccountName = account; u.serviceAccount = account; }
  if (spec.containers) {
    const cs = mapSame(spec.containers, defaultContainer);
    if (cs !== spec.containers) u.containers = cs;
  }
  if (spec.initContainers) {
    const cs = mapSame(spec.initContainers, defaultContainer);
    if (cs !== spec.initContainers) u.initContainers = cs;
  }
  return withUpdates(spec, u);
};

/**
 * SetDefaults_Pod: a container with limits but no request for a resource requests its limit (on pods
 * only, not on templates).
 */
const requestsFromLimits = (spec: PodSpec): PodSpec => {
  const fill = (c: Container): Container => {
    const limits = c.resources?.limits;
    if (!limits) return c;
    const requests = { ...(c.resources?.requests ?? {}) };
    let changed = c.resources?.requests === undefined;
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) { requests[k] = v; changed = true; }
    return changed ? { ...c, resources: { ...c.resources, requests } } : c;
  };
  const containers = spec.containers ? mapSame(spec.containers, fill) : spec.containers;
  const initContainers = spec.initContainers ? mapSame(spec.initContainers, fill) : spec.initContainers;
  return containers === spec.containers && initContainers === spec.initContainers ? spec : { ...spec, containers: containers!, ...(initContainers ? { initContainers } : {}) };
};

/**
 * SetDefaults_Pod: `enableServiceLinks: true` (v1.DefaultEnableServiceLinks) — on pods only, so a pod
 * template (and the revision hash made from it) does not carry it.
 */
const serviceLinks = (spec: PodSpec): PodSpec =>
  isUnset(spec.enableServiceLinks) ? { ...spec, enableServiceLinks: true } : spec;

/** A pod template always has a spec (a struct in Go), so defaults reach it even when it was omitted. */
const defaultTemplate = (t: PodTemplateSpec | undefined | null): PodTemplateSpec => {
  const spec = defaultPodSpec(t?.spec ?? ({} as PodSpec));
  return t && spec === t.spec ? t : merged(t, { spec });
};

const defaultClaimSpec = (s: PersistentVolumeClaimSpec | undefined | null): PersistentVolumeClaimSpec =>
  s && s.volumeMode ? s : merged(s, { volumeMode: 'Filesystem' as const });

/** SetDefaults_StatefulSet (1.35: MaxUnavailableStatefulSet on) + template and claim-template defaults. */
const defaultStatefulSetSpec = (spec: StatefulSetSpec): StatefulSetSpec => {
  const u: Partial<StatefulSetSpec> = {};
  if (!spec.podManagementPolicy) u.podManagementPolicy = 'OrderedReady';

  let us: StatefulSetUpdateStrategy = spec.updateStrategy ?? {};
  if (!us.type) us = { ...us, type: 'RollingUpdate', rollingUpdate: us.rollingUpdate ?? {} };
  if (us.type === 'RollingUpdate' && us.rollingUpdate) {
    const ru = us.rollingUpdate;
    const ruU: Partial<typeof ru> = {};
    if (isUnset(ru.partition)) ruU.partition = 0;
    if (isUnset(ru.maxUnavailable)) ruU.maxUnavailable = 1;
    const ru2 = withUpdates(ru, ruU);
    if (ru2 !== ru) us = { ...us, rollingUpdate: ru2 };
  }
  if (us !== spec.updateStrategy) u.updateStrategy = us;

  const rp = spec.persistentVolumeClaimRetentionPolicy ?? {};
  const rpU: Partial<typeof rp> = {};
  if (!rp.whenDeleted) rpU.whenDeleted = 'Retain';
  if (!rp.whenScaled) rpU.whenScaled = 'Retain';
  const rp2 = withUpdates(rp, rpU);
  if (rp2 !== spec.persistentVolumeClaimRetentionPolicy) u.persistentVolumeClaimRetentionPolicy = rp2;

  if (isUnset(spec.replicas)) u.replicas = 1;
  if (isUnset(spec.revisionHistoryLimit)) u.revisionHistoryLimit = 10;

  const template = defaultTemplate(spec.template);
  if (template !== spec.template) u.template = template;
  if (spec.volumeClaimTemplates) {
    const vcts = mapSame(spec.volumeClaimTemplates, (t) => {
      const s = defaultClaimSpec(t.spec);
      return s === t.spec ? t : { ...t, spec: s };
    });
    if (vcts !== spec.volumeClaimTemplates) u.volumeClaimTemplates = vcts;
  }
  return withUpdates(spec, u);
};

const defaultServicePort = (p: ServicePort): ServicePort => {
  const u: Partial<ServicePort> = {};
  if (!p.protocol) u.protocol = 'TCP';
  if (isUnset(p.targetPort) || p.targetPort === 0 || p.targetPort === '') u.targetPort = p.port;
  return withUpdates(p, u);
};

const DEFAULTED_KINDS: ReadonlySet<string> = new Set(['StatefulSet', 'ReplicaSet', 'Pod', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', 'Service', 'Namespace', 'Secret']);
/** Whether `applyDefaults` can change objects of this kind (for the others it only copies). */
export const hasDefaults = (kind: string): boolean => DEFAULTED_KINDS.has(kind);

/** Defaulting as the API server applies it on create and update. Returns a new object. */
export const applyDefaults = (obj: KObject): KObject => {
  switch (obj.kind) {
    case 'StatefulSet': {
      const o = obj as StatefulSet;
      return { ...o, spec: defaultStatefulSetSpec(o.spec ?? ({} as StatefulSetSpec)) };
    }
    case 'ReplicaSet': {
      const o = obj as ReplicaSet;
      const spec = o.spec ?? ({} as NonNullable<ReplicaSet['spec']>);
      const template = defaultTemplate(spec.template);
      const u: Partial<typeof spec> = {};
      if (isUnset(spec.replicas)) u.replicas = 1;
      if (template !== spec.template) u.template = template;
      return { ...o, spec: withUpdates(spec, u) };
    }
    case 'Pod': {
      const o = obj as Pod;
      return { ...o, spec: serviceLinks(requestsFromLimits(defaultPodSpec(o.spec ?? ({} as PodSpec)))) };
    }
    case 'PersistentVolumeClaim': {
      const o = obj as PersistentVolumeClaim;
      return { ...o, spec: defaultClaimSpec(o.spec) };
    }
    case 'PersistentVolume': {
      const o = obj as PersistentVolume;
      const spec = o.spec ?? {};
      const u: Partial<typeof spec> = {};
      if (!spec.persistentVolumeReclaimPolicy) u.persistentVolumeReclaimPolicy = 'Retain';
      if (!spec.volumeMode) u.volumeMode = 'Filesystem';
      return { ...o, spec: withUpdates(spec, u) };
    }
    case 'Secret':
      // SetDefaults_Secret.
      return (obj as Secret).type ? { ...obj } : { ...obj, type: 'Opaque' } as KObject;
    case 'StorageClass': {
      const o = obj as StorageClass;
      return {
        ...o,
        ...(o.reclaimPolicy ? {} : { reclaimPolicy: 'Delete' }),
        ...(o.volumeBindingMode ? {} : { volumeBindingMode: 'Immediate' }),
      };
    }
    case 'Service': {
      const o = obj as Service;
      const spec = o.spec ?? {};
      const u: Partial<typeof spec> = {};
      if (!spec.type) u.type = 'ClusterIP';
      const type = u.type ?? spec.type;
      if (!spec.sessionAffinity) u.sessionAffinity = 'None';
      // SetDefaults_Service: the traffic policies (external only where the Service has node ports).
      if ((type === 'NodePort' || type === 'LoadBalancer') && !spec.externalTrafficPolicy) u.externalTrafficPolicy = 'Cluster';
      if (type !== 'ExternalName' && spec.internalTrafficPolicy === undefined) u.internalTrafficPolicy = 'Cluster';
      if (spec.ports) {
        const ports = mapSame(spec.ports, defaultServicePort);
        if (ports !== spec.ports) u.ports = ports;
      }
      return { ...o, spec: withUpdates(spec, u) };
    }
    case 'Namespace': {
      // SetDefaults_Namespace: the immutable label `kubernetes.io/metadata.name` = the name (on create and update).
      const name = obj.metadata?.name;
      if (!name || obj.metadata?.labels?.['kubernetes.io/metadata.name'] === name) return { ...obj };
      return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata?.labels, 'kubernetes.io/metadata.name': name } } };
    }
    default:
      return { ...obj };
  }
};
