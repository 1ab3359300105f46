/**
 * API-server validation of defaulted objects, per kind, in Kubernetes' evaluation order (k8s-semantics
 * §1.2, §2.5, §3, §4; apimachinery rules for metadata). Each function returns the field errors;
 * empty = valid. Render them with `newInvalid(kind, name, errs)`.
 */
import type { FieldError } from '../errors.js';
import type {
  ConfigMap, ControllerRevision, EndpointSlice, Endpoints, Event, KObject, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod,
  PodDisruptionBudget, ReplicaSet, ResourceQuota, Secret, Service, ServiceAccount, StatefulSet, StorageClass, IPAddress,
} from '../types.js';
import { validateIPAddress, validateIPAddressUpdate } from './networking.js';
import {
  validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate, validateServiceAccount, validateServiceAccountUpdate,
} from './config.js';
import { validatePodDisruptionBudget, validatePodDisruptionBudgetStatusUpdate, validatePodDisruptionBudgetUpdate } from './pdb.js';
import { validateResourceQuota, validateResourceQuotaUpdate } from './quota.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './discovery.js';
import {
  validateControllerRevision, validateControllerRevisionUpdate, validateEndpoints, validateEvent, validateNamespace, validateNode, validateNodeUpdate,
} from './cluster.js';
import { validateObjectMetaUpdate } from './meta.js';
import { validatePod, validatePodUpdate } from './pod.js';
import { validateReplicaSet, validateReplicaSetStatusUpdate, validateReplicaSetUpdate } from './replicaset.js';
import { validateService, validateServiceUpdate } from './service.js';
import { validateStatefulSet, validateStatefulSetStatusUpdate, validateStatefulSetUpdate } from './statefulset.js';
import {
  validatePersistentVolume, validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate, validatePersistentVolumeUpdate,
  validateStorageClass, validateStorageClassUpdate,
} from './storage.js';

/** Create-time validation of a defaulted object whose namespace is already set (namespaced kinds). */
export const validateCreate = (obj: KObject): FieldError[] => {
  switch (obj.kind) {
    case 'StatefulSet': return validateStatefulSet(obj as StatefulSet);
    case 'ReplicaSet': return validateReplicaSet(obj as ReplicaSet);
    case 'Pod': return validatePod(obj as Pod);
    case 'PersistentVolumeClaim': return validatePersistentVolumeClaim(obj as PersistentVolumeClaim);
    case 'PersistentVolume': return validatePersistentVolume(obj as PersistentVolume);
    case 'StorageClass': return validateStorageClass(obj as StorageClass);
    case 'Service': return validateService(obj as Service);
    case 'Namespace': return validateNamespace(obj as Namespace);
    case 'Node': return validateNode(obj as Node);
    case 'Endpoints': return validateEndpoints(obj as Endpoints);
    case 'EndpointSlice': return validateEndpointSlice(obj as EndpointSlice);
    case 'Event': return validateEvent(obj as Event);
    case 'ControllerRevision': return validateControllerRevision(obj as ControllerRevision);
    case 'ResourceQuota': return validateResourceQuota(obj as ResourceQuota);
    case 'PodDisruptionBudget': return validatePodDisruptionBudget(obj as PodDisruptionBudget);
    case 'ConfigMap': return validateConfigMap(obj as ConfigMap);
    case 'Secret': return validateSecret(obj as Secret);
    case 'ServiceAccount': return validateServiceAccount(obj as ServiceAccount);
    case 'IPAddress': return validateIPAddress(obj as IPAddress);
    default: return [];
  }
};

/** Update validation (immutable fields etc.) of a defaulted object against the stored one. */
export const validateUpdate = (obj: KObject, old: KObject): FieldError[] => {
  switch (obj.kind) {
    case 'StatefulSet': return validateStatefulSetUpdate(obj as StatefulSet, old as StatefulSet);
    case 'ReplicaSet': return validateReplicaSetUpdate(obj as ReplicaSet, old as ReplicaSet);
    case 'Pod': return validatePodUpdate(obj as Pod, old as Pod);
    case 'PersistentVolumeClaim': return validatePersistentVolumeClaimUpdate(obj as PersistentVolumeClaim, old as PersistentVolumeClaim);
    case 'PersistentVolume': return validatePersistentVolumeUpdate(obj as PersistentVolume, old as PersistentVolume);
    case 'StorageClass': return validateStorageClassUpdate(obj as StorageClass, old as StorageClass);
    case 'Service': return validateServiceUpdate(obj as Service, old as Service);
    case 'ControllerRevision': return validateControllerRevisionUpdate(obj as ControllerRevision, old as ControllerRevision);
    case 'Node': return validateNodeUpdate(obj as Node, old as Node);
    case 'ResourceQuota': return validateResourceQuotaUpdate(obj as ResourceQuota, old as ResourceQuota);
    case 'EndpointSlice': return validateEndpointSliceUpdate(obj as EndpointSlice, old as EndpointSlice);
    case 'PodDisruptionBudget': return validatePodDisruptionBudgetUpdate(obj as PodDisruptionBudget, old as PodDisruptionBudget);
    case 'ConfigMap': return validateConfigMapUpdate(obj as ConfigMap, old as ConfigMap);
    case 'Secret': return validateSecretUpdate(obj as Secret, old as Secret);
    case 'ServiceAccount': return validateServiceAccountUpdate(obj as ServiceAccount, old as ServiceAccount);
    case 'IPAddress': return validateIPAddressUpdate(obj as IPAddress, old as IPAddress);
    default: return validateObjectMetaUpdate(obj.metadata, old.metadata);
  }
};

/** Status-subresource validation (StatefulSet and ReplicaSet counters; metadata rules for every kind). */
export const validateStatusUpdate = (obj: KObject, old: KObject): FieldError[] => {
  switch (obj.kind) {
    case 'StatefulSet': return validateStatefulSetStatusUpdate(obj as StatefulSet, old as StatefulSet);
    case 'ReplicaSet': return validateReplicaSetStatusUpdate(obj as ReplicaSet, old as ReplicaSet);
    case 'PodDisruptionBudget': return validatePodDisruptionBudgetStatusUpdate(obj as PodDisruptionBudget, old as PodDisruptionBudget);
    default: return validateObjectMetaUpdate(obj.metadata, old.metadata);
  }
};

export { semanticEqual } from './fields.js';
export { isConfigMapKey } from './config.js';
export { isDNS1123Label } from './strings.js';
