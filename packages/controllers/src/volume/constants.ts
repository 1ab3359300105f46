/** Annotation keys, finalizers and event texts of the PV controller, provisioner and protection controllers (§3). */

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** Legacy class annotation; wins over spec.storageClassName when present ([storagehelpers GetPersistentVolumeClaimClass]). */
export { ANN_BETA_STORAGE_CLASS } from '@kubesim/api';
export const ANN_DEFAULT_STORAGE_CLASS = 'storageclass.kubernetes.io/is-default-class';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** The provisioner name of classes for statically provisioned (local) volumes. */
export const NOT_SUPPORTED_PROVISIONER = 'kubernetes.io/no-provisioner';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
/** kubesim convention: a StorageClass parameter `topology: node` makes provisioned volumes node-local. */
export const TOPOLOGY_PARAMETER = 'topology';

export const MSG_WAIT_FOR_FIRST_CONSUMER = 'waiting for first consumer to be created before binding';
export const MSG_NO_VOLUMES_NO_CLASS = 'no persistent volumes available for this claim and no storage class is set';
export const MSG_CLAIM_LOST_REFERENCE = 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!';
export const MSG_CLAIM_LOST_VOLUME = 'Bound claim has lost its PersistentVolume. Data on the volume is lost!';
export const MSG_CLAIM_MISBOUND = 'Two claims are bound to the same volume, this one is bound incorrectly';
export const MSG_UNKNOWN_RECLAIM_POLICY = 'Volume has unrecognized PersistentVolumeReclaimPolicy';

export const msgExternalProvisioning = (provisioner: string): string =>
  `waiting for a volume to be created, either by external provisioner "${provisioner}" or manually created by system administrator`;
export const msgProvisioning = (namespace: string, name: string): string =>
  `External provisioner is provisioning volume for claim "${namespace}/${name}"`;
export const msgProvisioningSucceeded = (pvName: string): string => `Successfully provisioned volume ${pvName}`;
export const msgClassNotFound = (className: string): string => `storageclass.storage.k8s.io "${className}" not found`;
export const msgNoPlugin = (provisioner: string): string => `no volume plugin matched name: ${provisioner}`;
export const msgVolumeMismatch = (pvName: string, reason: string): string => `Cannot bind to requested volume "${pvName}": ${reason}`;
export const msgBoundToOther = (pvName: string): string => `volume "${pvName}" already bound to a different claim.`;

/** Event reasons this component records once per claim (tracked in local state). */
export const ONCE_REASONS = [
  'WaitForFirstConsumer', 'WaitForPodScheduled', 'FailedBinding', 'ProvisioningFailed', 'VolumeMismatch',
] as const;
