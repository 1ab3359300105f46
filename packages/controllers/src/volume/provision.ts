/**
 * Dynamic provisioning (§3.3): the PV controller's provisionClaimOperationExternal (claim annotated
 * with the provisioner, `ExternalProvisioning`) and an in-process "external provisioner" that creates
 * the volume `pvc-<claim uid>` after a seeded delay.
 */
import {
  parseTimestamp, seededBetween, type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from '@kubesim/api';
import { event, involvedOf, seq, write } from '../framework/index.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BOUND_BY_CONTROLLER, ANN_DYNAMICALLY_PROVISIONED, ANN_STORAGE_PROVISIONER, HOSTNAME_LABEL,
  NOT_SUPPORTED_PROVISIONER, TOPOLOGY_PARAMETER, msgClassNotFound, msgExternalProvisioning, msgNoPlugin, msgProvisioning,
  msgProvisioningSucceeded,
} from './constants.js';
import { recordOnce } from './once.js';
import { claimClass, selectedNodeOf, storageClassOf } from './storage.js';
import { resyncOf, type SyncInput, type SyncOutput } from './sync.js';
import { updateReq, withAnnotations } from './writes.js';

/** The name of the volume provisioned for a claim. */
export const provisionedVolumeName = (claim: PersistentVolumeClaim): string => `pvc-${claim.metadata?.uid ?? ''}`;

/**
 * kubesim convention: a WaitForFirstConsumer class with `allowedTopologies` or `parameters.topology:
 * node` provisions node-local volumes (like local-path / hostPath provisioners).
 */
export const isNodeLocalClass = (sc: StorageClass): boolean =>
  sc.volumeBindingMode === 'WaitForFirstConsumer'
  && ((sc.allowedTopologies?.length ?? 0) > 0 || sc.parameters?.[TOPOLOGY_PARAMETER] === 'node');

/** The PV the provisioner creates for a claim. */
export const provisionedVolume = (claim: PersistentVolumeClaim, sc: StorageClass): PersistentVolume => {
  const node = selectedNodeOf(claim);
  const spec: NonNullable<PersistentVolume['spec']> = {
    capacity: { storage: claim.spec?.resources?.requests?.['storage'] ?? '0' },
    accessModes: [...(claim.spec?.accessModes ?? [])],
    volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
    persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
    storageClassName: claimClass(claim),
    claimRef: {
      kind: 'PersistentVolumeClaim', namespace: claim.metadata?.namespace ?? '', name: claim.metadata?.name ?? '',
      uid: claim.metadata?.uid ?? '', apiVersion: 'v1',
    },
    ...(sc.mountOptions ? { mountOptions: [...sc.mountOptions] } : {}),
    ...(node !== undefined && isNodeLocalClass(sc)
      ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [node] }] }] } } }
      : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: provisionedVolumeName(claim),
      annotations: { [ANN_DYNAMICALLY_PROVISIONED]: sc.provisioner, [ANN_BOUND_BY_CONTROLLER]: 'yes' },
    },
    spec,
  };
};

/** [provisionClaim] for a claim that found no volume and names a class. */
export const provisionClaim = (input: SyncInput, claim: PersistentVolumeClaim): SyncOutput => {
  const { snap, now, config, seed } = input;
  const className = claimClass(claim);
  const sc = storageClassOf(snap, className);
  const resync = resyncOf(config);
  if (!sc) {
    const r = recordOnce(input.local, claim, 'Warning', 'ProvisioningFailed', msgClassNotFound(className));
    return { plan: r.step, local: r.local, workUnits: 1, ...resync };
  }
  const provisioner = sc.provisioner ?? '';
  if (provisioner === NOT_SUPPORTED_PROVISIONER || provisioner === '') {
    // "the controller will retry the provisioning in every syncUnboundClaim() call": the periodic sync
    // looks again (a matching volume created meanwhile is bound then).
    const r = recordOnce(input.local, claim, 'Warning', 'ProvisioningFailed', msgNoPlugin(provisioner));
    return { plan: r.step, local: r.local, workUnits: 1, ...resync };
  }
  const ann = claim.metadata?.annotations ?? {};
  if (ann[ANN_STORAGE_PROVISIONER] !== provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
    // [setClaimProvisioner] then the ExternalProvisioning event; the provisioner reacts to the annotation.
    const annotated = withAnnotations(claim, { [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner });
    const involved = involvedOf(claim);
    return {
      plan: seq(
        write(updateReq(annotated, claim.metadata?.resourceVersion), {
          onSuccess: { type: 'Normal', reason: 'ExternalProvisioning', message: msgExternalProvisioning(provisioner), involved },
        }),
        event({ type: 'Normal', reason: 'Provisioning', message: msgProvisioning(claim.metadata?.namespace ?? '', claim.metadata?.name ?? ''), involved }),
      ),
      local: input.local,
      workUnits: 1,
    };
  }
  const pvName = provisionedVolumeName(claim);
  if (snap.get('PersistentVolume', '', pvName)) return { local: input.local, workUnits: 1 };
  const created = parseTimestamp(claim.metadata?.creationTimestamp) ?? now;
  const due = created + seededBetween(seed, claim.metadata?.uid ?? '', config.provisionMsMin, config.provisionMsMax);
  if (now < due) return { local: input.local, requeueAfterMs: Math.ceil(due - now), workUnits: 1 };
  const pv = provisionedVolume(claim, sc);
  return {
    plan: write({ verb: 'create', object: pv }, {
      onSuccess: { type: 'Normal', reason: 'ProvisioningSucceeded', message: msgProvisioningSucceeded(pvName), involved: involvedOf(claim) },
      ignore: ['AlreadyExists'],
    }),
    local: input.local,
    workUnits: 1,
  };
};
