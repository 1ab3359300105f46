import type {
  Node, Pod, Service, PersistentVolumeClaim, PersistentVolume, Endpoints, Event, Namespace, ResourceQuota,
  PodTemplateSpec, PodSpec, Container, Volume, ObjectReference, ConfigMap, Secret, ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import type { StatefulSet, ReplicaSet, ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { IPAddress as IPAddressV1alpha1 } from 'kubernetes-types/networking/v1alpha1.js';
import type { ObjectMeta, OwnerReference, LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';

export type {
  Node, Pod, Service, PersistentVolumeClaim, PersistentVolume, Endpoints, Event, Namespace, ResourceQuota,
  PodTemplateSpec, PodSpec, Container, Volume, ObjectReference, ConfigMap, Secret, ServiceAccount,
  StatefulSet, ReplicaSet, ControllerRevision, StorageClass, EndpointSlice, PodDisruptionBudget,
  ObjectMeta, OwnerReference, LabelSelector, LabelSelectorRequirement,
};

/**
 * networking.k8s.io/v1 IPAddress (GA in 1.33; kubernetes-types 1.30 has only v1alpha1, whose fields are
 * the same): one per allocated Service cluster IP, named by the address, pointing at its Service.
 */
export type IPAddress = Omit<IPAddressV1alpha1, 'apiVersion'> & { apiVersion?: 'networking.k8s.io/v1' };

/** Every kind kubesim stores, with its apiVersion and whether it is namespaced. */
export const KINDS = {
  Namespace: { apiVersion: 'v1', group: '', plural: 'namespaces', namespaced: false, short: ['ns'] },
  Node: { apiVersion: 'v1', group: '', plural: 'nodes', namespaced: false, short: ['no'] },
  Pod: { apiVersion: 'v1', group: '', plural: 'pods', namespaced: true, short: ['po'] },
  Service: { apiVersion: 'v1', group: '', plural: 'services', namespaced: true, short: ['svc'] },
  PersistentVolumeClaim: { apiVersion: 'v1', group: '', plural: 'persistentvolumeclaims', namespaced: true, short: ['pvc'] },
  PersistentVolume: { apiVersion: 'v1', group: '', plural: 'persistentvolumes', namespaced: false, short: ['pv'] },
  Endpoints: { apiVersion: 'v1', group: '', plural: 'endpoints', namespaced: true, short: ['ep'] },
  EndpointSlice: { apiVersion: 'discovery.k8s.io/v1', group: 'discovery.k8s.io', plural: 'endpointslices', namespaced: true, short: [] as string[] },
  Event: { apiVersion: 'v1', group: '', plural: 'events', namespaced: true, short: ['ev'] },
  ResourceQuota: { apiVersion: 'v1', group: '', plural: 'resourcequotas', namespaced: true, short: ['quota'] },
  ConfigMap: { apiVersion: 'v1', group: '', plural: 'configmaps', namespaced: true, short: ['cm'] },
  Secret: { apiVersion: 'v1', group: '', plural: 'secrets', namespaced: true, short: [] as string[] },
  ServiceAccount: { apiVersion: 'v1', group: '', plural: 'serviceaccounts', namespaced: true, short: ['sa'] },
  StorageClass: { apiVersion: 'storage.k8s.io/v1', group: 'storage.k8s.io', plural: 'storageclasses', namespaced: false, short: ['sc'] },
  StatefulSet: { apiVersion: 'apps/v1', group: 'apps', plural: 'statefulsets', namespaced: true, short: ['sts'] },
  ReplicaSet: { apiVersion: 'apps/v1', group: 'apps', plural: 'replicasets', namespaced: true, short: ['rs'] },
  ControllerRevision: { apiVersion: 'apps/v1', group: 'apps', plural: 'controllerrevisions', namespaced: true, short: [] as string[] },
  PodDisruptionBudget: { apiVersion: 'policy/v1', group: 'policy', plural: 'poddisruptionbudgets', namespaced: true, short: ['pdb'] },
  IPAddress: { apiVersion: 'networking.k8s.io/v1', group: 'networking.k8s.io', plural: 'ipaddresses', namespaced: false, short: ['ip'] },
} as const;

export type Kind = keyof typeof KINDS;

export interface KindToType {
  Namespace: Namespace;
  Node: Node;
  Pod: Pod;
  Service: Service;
  PersistentVolumeClaim: PersistentVolumeClaim;
  PersistentVolume: PersistentVolume;
  Endpoints: Endpoints;
  EndpointSlice: EndpointSlice;
  Event: Event;
  ResourceQuota: ResourceQuota;
  ConfigMap: ConfigMap;
  Secret: Secret;
  ServiceAccount: ServiceAccount;
  StorageClass: StorageClass;
  StatefulSet: StatefulSet;
  ReplicaSet: ReplicaSet;
  ControllerRevision: ControllerRevision;
  PodDisruptionBudget: PodDisruptionBudget;
  IPAddress: IPAddress;
}

/** Any object kubesim stores. `kind` and `metadata` are always present once stored. */
export type KObject = KindToType[Kind];
export type Stored<T> = T & { readonly kind: string; readonly apiVersion: string; readonly metadata: ObjectMeta & { name: string } };

export const isKind = (k: unknown): k is Kind => typeof k === 'string' && Object.hasOwn(KINDS, k);

export const isNamespaced = (kind: Kind): boolean => KINDS[kind].namespaced;

/** A GroupVersionResource as Go prints it (`/v1, Resource=pods`, `apps/v1, Resource=statefulsets`). */
export const groupVersionResourceText = (apiVersion: string, plural: string): string =>
  `${apiVersion.includes('/') ? apiVersion : `/${apiVersion}`}, Resource=${plural}`;

/** `Pod.` / `StatefulSet.apps` — the qualified kind used in API error messages. */
export const qualifiedKind = (kind: Kind): string => {
  const g = KINDS[kind].group;
  return g === '' ? kind : `${kind}.${g}`;
};

/** Resolve what a user typed (`sts`, `statefulsets`, `StatefulSet`, `pods`) to a kind. */
let kindNames: Map<string, Kind> | undefined;
export const resolveKind = (typed: string): Kind | undefined => {
  if (!kindNames) {
    // Kind names first, then plurals, then short names: an earlier spelling wins, as in the scan it replaces.
    const m = new Map<string, Kind>();
    const entries = Object.entries(KINDS);
    for (const [k, v] of entries) {
      for (const n of [k.toLowerCase(), v.plural, ...(v.short as readonly string[])]) if (!m.has(n)) m.set(n, k as Kind);
    }
    kindNames = m;
  }
  return kindNames.get(typed.toLowerCase().split('.')[0] ?? '');
};

/** The identity of an object in the log: one helper builds it everywhere. */
export const objectKey = (kind: string, namespace: string | undefined, name: string): string =>
  `${kind}/${namespace ?? ''}/${name}`;

export const keyOf = (o: { kind?: string; metadata?: ObjectMeta }): string =>
  objectKey(o.kind ?? '', o.metadata?.namespace, o.metadata?.name ?? '');

/** namespace/name, the key controllers reconcile. */
export const nsName = (namespace: string | undefined, name: string): string =>
  namespace ? `${namespace}/${name}` : name;

export const splitNsName = (key: string): { namespace: string; name: string } => {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
};
