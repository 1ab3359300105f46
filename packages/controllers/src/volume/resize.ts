/**
 * Volume expansion of a Bound claim whose requested storage grew past its capacity (the API server's
 * PersistentVolumeClaimResize admission let it through: the class allows expansion). In Kubernetes the
 * in-tree expand controller hands a CSI volume to the driver's `external-resizer` sidecar; kubesim's
 * volume binder plays both, for the volumes its provisioners made:
 * [external-resizer controller.go resizePVC, markControllerResizeInProgress, markForNodeExpansion]:
 * the claim's status gets `allocatedResources` and `allocatedResourceStatuses.storage:
 * ControllerResizeInProgress` with a `Resizing` condition, the volume's capacity grows, then the claim
 * waits for the node (`NodeResizePending`, condition `FileSystemResizePending`) — the kubelet of a node
 * where a pod mounts the volume finishes the file-system resize and sets `status.capacity`.
 */
import { claimRequest, parseQuantity, timestamp, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '@kubesim/api';
import { event, involvedOf, seq, write, type Step } from '../framework/index.js';
import { ANN_DYNAMICALLY_PROVISIONED } from './constants.js';
import { updateReq, updateStatusReq } from './writes.js';

export const RESIZING = 'Resizing';
export const FS_RESIZE_PENDING = 'FileSystemResizePending';
export const CONTROLLER_RESIZE_IN_PROGRESS = 'ControllerResizeInProgress';
export const NODE_RESIZE_PENDING = 'NodeResizePending';
/** [external-resizer]: the FileSystemResizePending condition's message. */
export const MSG_FS_RESIZE_PENDING = 'Waiting for user to (re-)start a pod to finish file system resize of volume on node.';

type ClaimStatus = NonNullable<PersistentVolumeClaim['status']>;
type ClaimCondition = NonNullable<ClaimStatus['conditions']>[number];

/** The claim's status with its resize fields set: allocated size, the storage resize status, the resize conditions replaced. */
export const withResizeStatus = (
  claim: PersistentVolumeClaim, allocated: string | undefined, resizeStatus: string | undefined, conditions: readonly ClaimCondition[],
): PersistentVolumeClaim => {
  const old = claim.status ?? {};
  const status: Record<string, unknown> = {};
  for (const k in old) if (k !== 'conditions' && k !== 'allocatedResources' && k !== 'allocatedResourceStatuses') status[k] = (old as Record<string, unknown>)[k];
  const kept = (old.conditions ?? []).filter((c) => c.type !== RESIZING && c.type !== FS_RESIZE_PENDING);
  const all = [...kept, ...conditions];
  if (all.length > 0) status['conditions'] = all;
  const allocatedResources = allocated !== undefined ? { ...(old.allocatedResources ?? {}), storage: allocated } : old.allocatedResources;
  if (allocatedResources !== undefined) status['allocatedResources'] = allocatedResources;
  const statuses: Record<string, string> = { ...(old.allocatedResourceStatuses ?? {}) };
  if (resizeStatus === undefined) delete statuses['storage']; else statuses['storage'] = resizeStatus;
  if (Object.keys(statuses).length > 0) status['allocatedResourceStatuses'] = statuses;
  return { ...claim, status: status as ClaimStatus };
};

/**
 * The expansion a Bound claim needs from the controller side, if any: its request is above its capacity
 * and above what its volume already has, and the volume was dynamically provisioned (only a provisioner's
 * volumes have a resizer). One plan: the in-tree controller's `ExternalExpanding` event, the claim marked
 * in progress (`Resizing`), the volume's capacity, the claim marked for node expansion.
 */
export const resizePlan = (claim: PersistentVolumeClaim, pv: PersistentVolume, cls: StorageClass | undefined, now: number): Step | undefined => {
  const want = claim.spec?.resources?.requests?.['storage'];
  if (want === undefined) return undefined;
  const requested = claimRequest(claim);
  if (requested <= (parseQuantity(claim.status?.capacity?.['storage']) ?? 0)) return undefined;
  const provisioner = pv.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED];
  if (provisioner === undefined || cls?.allowVolumeExpansion !== true) return undefined;
  const t = timestamp(now);
  const pvName = pv.metadata?.name ?? '';
  const involved = involvedOf(claim);
  const resizer = `external-resizer ${provisioner}`;
  const nodePending = withResizeStatus(claim, want, NODE_RESIZE_PENDING, [{ type: FS_RESIZE_PENDING, status: 'True', lastTransitionTime: t, message: MSG_FS_RESIZE_PENDING }]);
  const markForNode = (rv: string | undefined): Step => write(updateStatusReq(nodePending, rv), {
    onSuccess: { type: 'Normal', reason: 'FileSystemResizeRequired', message: 'Require file system resize of volume on node', involved, source: resizer },
  });
  if (requested <= (parseQuantity(pv.spec?.capacity?.['storage']) ?? 0)) {
    // The volume is grown. A resizer that stopped between growing it and marking the claim (a crash, a
    // lost response) finds the claim still in progress, and marks it for the node now.
    const st = claim.status?.allocatedResourceStatuses?.['storage'];
    return st === CONTROLLER_RESIZE_IN_PROGRESS || st === undefined ? markForNode(claim.metadata?.resourceVersion) : undefined;
  }
  const inProgress = withResizeStatus(claim, want, CONTROLLER_RESIZE_IN_PROGRESS, [{ type: RESIZING, status: 'True', lastTransitionTime: t }]);
  const grown: PersistentVolume = { ...pv, spec: { ...pv.spec!, capacity: { ...(pv.spec?.capacity ?? {}), storage: want } } };
  return seq(
    event({ type: 'Normal', reason: 'ExternalExpanding', message: 'waiting for an external controller to expand this PVC', involved, source: 'volume_expand' }),
    write(updateStatusReq(inProgress, claim.metadata?.resourceVersion), {
      onSuccess: { type: 'Normal', reason: 'Resizing', message: `External resizer is resizing volume ${pvName}`, involved, source: resizer },
    }),
    write(updateReq(grown, pv.metadata?.resourceVersion)),
    markForNode(undefined),
  );
};

/**
 * [kubelet operation_generator nodeExpandVolume + MarkFSResizeFinished]: the claim after the node's
 * file-system resize: `status.capacity` = the allocated size, the resize conditions and the storage
 * resize status gone (allocatedResources stays).
 */
export const nodeExpanded = (claim: PersistentVolumeClaim): PersistentVolumeClaim => {
  const allocated = claim.status?.allocatedResources?.['storage'];
  const done = withResizeStatus(claim, undefined, undefined, []);
  return allocated === undefined ? done : { ...done, status: { ...done.status!, capacity: { ...(done.status?.capacity ?? {}), storage: allocated } } };
};

/** Whether the claim waits for a node to finish its expansion. */
export const nodeResizePending = (claim: PersistentVolumeClaim | undefined): boolean =>
  claim?.status?.allocatedResourceStatuses?.['storage'] === NODE_RESIZE_PENDING;
