import { TAINT_OUT_OF_SERVICE, isNodeReady, isTerminal, isTerminating, parseTimestamp, podClaimNames, type PersistentVolume, type Pod } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import { anyContainerRunning, containersStarted } from './status.js';
import type { StrandedAttachment } from './types.js';

/**
 * Volume stage of a pod (kubelet volume manager + attach/detach controller, §3.5).
 * 1. Every claim the pod mounts must exist, not be terminating, be Bound, and its PV must exist
 *    [DSW populator getPVCExtractPV]; otherwise the pod waits (no status yet).
 * 2. ReadWriteOnce attach: a volume that cannot be multi-attached is attached to one node; a pod on
 *    another node waits in ContainerCreating with FailedAttachVolume [reconciler reportMultiAttachError].
 */
export const claimsReady = (snap: Snapshot, pod: Pod): boolean => {
  const ns = pod.metadata?.namespace ?? '';
  for (const claim of podClaimNames(pod)) {
    const pvc = snap.get('PersistentVolumeClaim', ns, claim);
    if (!pvc || isTerminating(pvc) || pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) return false;
    if (!snap.get('PersistentVolume', '', pvc.spec.volumeName)) return false;
  }
  return true;
};

/**
 * [util.IsMultiAttachAllowed] negated, for attachable volumes: the PV's access modes are set and none is
 * ReadWriteMany/ReadOnlyMany. hostPath, local and NFS volumes are not attached at all.
 */
export const restrictsMultiAttach = (pv: PersistentVolume): boolean => {
  const s = pv.spec;
  if (!s || s.hostPath || s.local || s.nfs) return false;
  const modes = s.accessModes ?? [];
  if (modes.length === 0) return false;
  return !modes.some((m) => m === 'ReadWriteMany' || m === 'ReadOnlyMany');
};

/** The PV behind a claim, if it is Bound and cannot be multi-attached. */
export const exclusivePvOf = (snap: Snapshot, namespace: string, claim: string): PersistentVolume | undefined => {
  const pvc = snap.get('PersistentVolumeClaim', namespace, claim);
  const name = pvc?.spec?.volumeName;
  if (!name) return undefined;
  const pv = snap.get('PersistentVolume', '', name);
  return pv && restrictsMultiAttach(pv) ? pv : undefined;
};

const byStart = (a: Pod, b: Pod): number => {
  const x = a.status?.startTime ?? '', y = b.status?.startTime ?? '';
  if (x !== y) return x < y ? -1 : 1;
  const n = a.metadata?.name ?? '', m = b.metadata?.name ?? '';
  return n < m ? -1 : n > m ? 1 : 0;
};

export interface AttachBlock {
  readonly pv: string;
  readonly message: string;
  readonly scanned: number;
  /** When the block lifts by itself (a force detach), in ms from now. */
  readonly retryAfterMs?: number;
}

/**
 * A volume stranded on a stopped node still blocks this claim: the node exists, is not tainted
 * out-of-service, and the force detach is not due (it needs `forceDetachAfterMs` since the pod's deletion
 * and an unhealthy node — Ready not True). A claim created after the deletion is another volume.
 * Returns the ms until the block can lift, or undefined when it does not block.
 */
const strandedWait = (snap: Snapshot, namespace: string, claim: string, stranded: StrandedAttachment, now: number, forceDetachAfterMs: number): number | undefined => {
  const node = snap.get('Node', '', stranded.node);
  if (!node || (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE)) return undefined;
  // A node registered again after the deletion is another machine.
  const registered = parseTimestamp(node.metadata?.creationTimestamp);
  if (registered !== undefined && registered > stranded.since) return undefined;
  const created = parseTimestamp(snap.get('PersistentVolumeClaim', namespace, claim)?.metadata?.creationTimestamp);
  if (created !== undefined && created > stranded.since) return undefined;
  const due = stranded.since + forceDetachAfterMs;
  if (now >= due && !isNodeReady(node)) return undefined;
  // Due but the node still looks healthy (its grace period is longer): look again a little later.
  return now >= due ? 10_000 : due - now;
};

/**
 * Which node holds the attachment of a claim's volume, derived from the pods that use it (the
 * attachment follows the pods): among non-terminal pods that passed admission (have a startTime), one
 * whose containers started wins, else the earliest started (startTime, then name).
 */
const attachmentHolder = (users: readonly Pod[]): Pod | undefined => {
  let best: Pod | undefined;
  let bestStarted = false;
  for (const p of users) {
    const started = containersStarted(p);
    if (!best || (started && !bestStarted) || (started === bestStarted && byStart(p, best) < 0)) { best = p; bestStarted = started; }
  }
  return best;
};

/**
 * Multi-Attach: the first exclusive volume of the pod attached to another node — by a pod there, or
 * stranded there by a pod deleted while its kubelet was stopped (`stranded`) — with the event message.
 */
export const attachBlock = (
  snap: Snapshot, pod: Pod, node: string,
  stranded: ReadonlyMap<string, StrandedAttachment> = new Map(), now = 0, forceDetachAfterMs = 360_000,
): AttachBlock | undefined => {
  const ns = pod.metadata?.namespace ?? '';
  let scanned = 0;
  for (const claim of podClaimNames(pod)) {
    const pv = exclusivePvOf(snap, ns, claim);
    if (!pv) continue;
    const left = stranded.size > 0 ? stranded.get(`${ns}/${claim}`) : undefined;
    if (left !== undefined && !left.released && left.node !== node) {
      const wait = strandedWait(snap, ns, claim, left, now, forceDetachAfterMs);
      if (wait !== undefined) {
        const pvName = pv.metadata?.name ?? '';
        return { pv: pvName, message: `Multi-Attach error for volume "${pvName}" Volume is already exclusively attached to one node and can't be attached to another`, scanned: scanned + 1, retryAfterMs: wait };
      }
    }
    const users: Pod[] = [];
    for (const p of snap.byIndex('Pod', 'claim', `${ns}/${claim}`)) {
      scanned++;
      if (p.spec?.nodeName && !isTerminal(p) && p.status?.startTime) users.push(p);
    }
    const holder = attachmentHolder(users);
    const at = holder?.spec?.nodeName;
    if (!at || at === node) continue;
    // Pods on the other node still in the desired state of world: IsPodTerminated pods are not.
    const names = users
      .filter((p) => p.spec?.nodeName === at && !(p.metadata?.deletionTimestamp !== undefined && !anyContainerRunning(p)))
      .map((p) => p.metadata?.name ?? '')
      .sort();
    const pvName = pv.metadata?.name ?? '';
    const why = names.length > 0
      ? `Volume is already used by pod(s) ${names.join(', ')}`
      : "Volume is already exclusively attached to one node and can't be attached to another";
    return { pv: pvName, message: `Multi-Attach error for volume "${pvName}" ${why}`, scanned };
  }
  return undefined;
};
