import { claimRequest, isPodReady, isTerminal, parseQuantity, parseTimestamp, type KObject, type Node, type PersistentVolume, type StorageClass, type PersistentVolumeClaim, type Pod, type ReplicaSet } from '@kubesim/api';
import { ANN_DYNAMICALLY_PROVISIONED, IMAGE_CACHE_REFRESH_MS, lastTermination, mainContainersStarted, NODE_STATUS_UPDATE_MS, parseKubeletFault, startupFailureApplies } from '@kubesim/controllers';

/** A node's image report follows the container start that brought the image within the kubelet's two loops (and a write's latency). */
const IMAGE_REPORT_WITHIN_MS = IMAGE_CACHE_REFRESH_MS + NODE_STATUS_UPDATE_MS + 1_000;
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import {
  containersRunning, fmtTime, inRange, isParallel, isRollingUpdate, isTerminatingPod, nameOf, nsOf, partitionOf, podClaims, replicasOf, uidOf,
} from '../model.js';
import type { RsModel, SetModel, World } from '../world.js';

/**
 * The note LIVE leaves when it did not judge liveness because the cluster is stuck in a state Kubernetes
 * cannot leave on its own either (a user has to act): `stalledByDesign` below.
 */
export const STALLED_BY_DESIGN = 'stalled by design';

/**
 * Kubernetes-faithful stall (a): an OrderedReady scale-down blocked behind a terminal (Failed or
 * Succeeded) condemned pod that is not the first unhealthy one [SSC processCondemned]: with every
 * in-range pod healthy, condemned pods go highest first, and the highest may be deleted unhealthy only if
 * it is the first unavailable pod — the lowest unavailable condemned one. A lower condemned pod that is
 * terminal too stays unavailable for good (the controller deletes terminal pods only in range), so the
 * highest one is never deleted. Kubernetes' docs: a StatefulSet does not scale down while a pod is
 * unhealthy; a user deletes the pod.
 */
const condemnedStall = (m: SetModel): string | undefined => {
  const s = m.obj;
  if (m.terminatingAt >= 0 || isParallel(s)) return undefined;
  const n = replicasOf(s);
  if (m.inRangeHealthy !== n || m.slotted <= m.inRangeMembers) return undefined;
  let high = -1;
  for (let o = m.maxOrdinal; o >= 0; o--) if (m.slots.get(o)?.pod !== undefined && !inRange(s, o)) { high = o; break; }
  const h = m.slots.get(high)?.pod;
  if (h === undefined || isTerminatingPod(h) || !isTerminal(h)) return undefined;
  for (let o = high - 1; o >= 0; o--) {
    const p = m.slots.get(o)?.pod;
    if (p === undefined || inRange(s, o) || isTerminatingPod(p) || !isTerminal(p)) continue;
    return `statefulset ${m.namespace}/${m.name}: its OrderedReady scale-down waits behind the ${String(h.status?.phase)} condemned pod ${nameOf(h)}, which is not the first unhealthy one (${nameOf(p)}, ${String(p.status?.phase)}) — processCondemned never deletes it`;
  }
  return undefined;
};

/**
 * Kubernetes-faithful stall (c): a scheduled pod that has not started while one of its claims is being
 * deleted — the kubelet does not start a pod whose claim is being deleted [volumemanager
 * getPVCExtractPV], the StatefulSet controller only reports `pvc … is being deleted`, and pvc-protection
 * keeps the claim while the scheduled pod exists. (E.g. whenScaled switched from Delete to Retain while a
 * condemned pod's claim carried its reference: the GC deletes the claim under the pod re-created by a
 * scale-up, which the scheduler bound before it saw the deletion.)
 */
/** A claim being deleted and held by pvc-protection (stall (c)). */
const isHeldDeleting = (c: PersistentVolumeClaim): boolean =>
  c.metadata?.deletionTimestamp !== undefined && (c.metadata.finalizers ?? []).includes('kubernetes.io/pvc-protection');

/**
 * An unbound claim of a WaitForFirstConsumer class without a selected node (stall (e)): only the
 * scheduler's VolumeBinding (PreBind) selects a node for it, while scheduling a pod that uses it
 * [pv_controller syncUnboundClaim only emits WaitForFirstConsumer / WaitForPodScheduled events].
 */
const isUnboundWaitingForConsumer = (world: World, c: PersistentVolumeClaim): boolean => {
  if (c.metadata?.deletionTimestamp !== undefined || c.spec?.volumeName || c.status?.phase === 'Bound') return false;
  if (c.metadata?.annotations?.['volume.kubernetes.io/selected-node'] !== undefined) return false;
  const cls = c.spec?.storageClassName;
  const sc = cls ? world.store.get('StorageClass', '', cls) as { volumeBindingMode?: string } | undefined : undefined;
  return sc?.volumeBindingMode === 'WaitForFirstConsumer';
};

/**
 * Kubernetes-faithful stall (e): a scheduled pod that has not started while one of its claims is unbound
 * with WaitForFirstConsumer binding and no selected node — the pod is already bound, so no scheduler
 * pass selects a node for the claim, and nothing provisions it (kubernetes/kubernetes#89910: the claim
 * was deleted under a pod the scheduler had bound, e.g. in the race of (c) where pvc-protection's live
 * check runs just before the bind lands, and the StatefulSet controller re-created it for the pending
 * pod).
 */
const claimBlocksPod = (world: World, pod: Pod): string | undefined => {
  if (!pod.spec?.nodeName || isTerminatingPod(pod) || isTerminal(pod) || containersRunning(pod)) return undefined;
  for (const { claim } of podClaims(pod)) {
    const c = world.store.get('PersistentVolumeClaim', nsOf(pod), claim) as PersistentVolumeClaim | undefined;
    if (c === undefined) continue;
    if (isHeldDeleting(c)) {
      return `pod ${nsOf(pod)}/${nameOf(pod)}, scheduled, cannot start while its claim ${claim} is being deleted, and pvc-protection keeps the claim while the pod exists`;
    }
    if (isUnboundWaitingForConsumer(world, c)) {
      return `pod ${nsOf(pod)}/${nameOf(pod)}, already scheduled, waits for its claim ${claim}, unbound with WaitForFirstConsumer and no selected node: only scheduling a pod selects one`;
    }
  }
  return undefined;
};

/**
 * Kubernetes-faithful stall (f): an unscheduled pod that mounts a claim that does not exist, with no
 * StatefulSet to create the claim (a pod orphaned by its set's deletion, or one no StatefulSet controls):
 * the scheduler's VolumeBinding PreFilter rejects it (`persistentvolumeclaim "…" not found`), nothing
 * creates the claim, and the scheduler retries it at every flush of its unschedulable queue (5 minutes),
 * recording FailedScheduling each time — the cluster never stays still, and a user has to act.
 */
const claimMissing = (world: World, pod: Pod): string | undefined => {
  if (pod.spec?.nodeName || isTerminatingPod(pod) || isTerminal(pod)) return undefined;
  const m = world.setOf(pod);
  if (m !== undefined && m.deletedAt < 0) return undefined;
  for (const { claim } of podClaims(pod)) {
    if (world.store.get('PersistentVolumeClaim', nsOf(pod), claim) !== undefined) continue;
    return `pod ${nsOf(pod)}/${nameOf(pod)}, unscheduled and controlled by no StatefulSet, mounts claim ${claim}, which does not exist: nothing creates it, and the scheduler retries the pod at every flush of its unschedulable queue`;
  }
  return undefined;
};

/** A pod's own stall: (c), (e) or (f). */
const podStall = (world: World, pod: Pod): string | undefined => claimBlocksPod(world, pod) ?? claimMissing(world, pod);

/**
 * Kubernetes-faithful stall (d): an owner deleted and re-created (same kind and name) while the garbage
 * collector's watch was broken: the relist brings one object for the name, the collector never learns
 * that the old owner is gone, and its pods keep a dangling controller reference that no controller
 * adopts or releases ([World.gcMissedDeletion]).
 */
const missedOwnerDeletion = (world: World, what: string, deletedTime: number, successor: { createdTime: number; uid: string } | undefined, uid: string, members: number): string | undefined => {
  if (members === 0 || successor === undefined || successor.uid === uid) return undefined;
  if (!world.gcMissedDeletion(deletedTime, successor.createdTime)) return undefined;
  return `${what} was deleted and re-created while the garbage collector's watch was broken; its relist saw one object of that name, so the collector never learnt of the deletion and ${members} pod(s) keep a dangling controller reference`;
};

/**
 * Kubernetes-faithful stall (b): a pod deleted in foreground (the GC does so to a dependent that has
 * dependents of its own when its owner is deleted in foreground [GC attemptToDeleteItem]) waits for its
 * claims, which carry a blocking controller reference to it (whenScaled=Delete, condemned pod
 * [SSU updateClaimOwnerRefForSetAndPod, metav1.NewControllerRef]); the GC deletes them, but the
 * pvc-protection controller keeps a claim while a scheduled pod that mounts it exists, whatever its phase
 * [pvc_protection_controller podUsesPVC]. Neither can go first.
 */
const claimCycle = (world: World, pod: Pod): string | undefined => {
  const md = pod.metadata;
  if (md?.deletionTimestamp === undefined || !(md.finalizers ?? []).includes('foregroundDeletion') || !pod.spec?.nodeName) return undefined;
  const uid = uidOf(pod);
  const held: string[] = [];
  for (const { claim } of podClaims(pod)) {
    const c = world.store.get('PersistentVolumeClaim', nsOf(pod), claim) as PersistentVolumeClaim | undefined;
    if (!c?.metadata?.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion === true)) continue;
    if (c.metadata.deletionTimestamp === undefined || !(c.metadata.finalizers ?? []).includes('kubernetes.io/pvc-protection')) return undefined;
    held.push(claim);
  }
  if (held.length === 0) return undefined;
  return `pod ${nsOf(pod)}/${nameOf(pod)}, deleted in foreground, waits for its claim${held.length > 1 ? 's' : ''} ${held.join(', ')}, which pvc-protection keeps while the pod exists`;
};

type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];
/** The finishedAt (ms) of a container's latest crashed instance: its terminated state, or its last state while it waits to restart. */
const crashedAt = (s: ContainerStatus): number | undefined => parseTimestamp(lastTermination(s)?.finishedAt);

/** A `container-crash` fault on a live pod: crashes it has left, and the last crash counted. */
interface CrashLeft { readonly uid: string; readonly container: string; readonly since: number; remaining: number; lastInstance: number }

/**
 * Whether the kubelet still has to act on a live pod's containers: one crashed and waits to be restarted
 * (restartPolicy Always; a regular init container only after a failure), or a `container-crash` fault has
 * crashes left for a container that has started and not completed.
 */
const restartPending = (pod: Pod, crash: CrashLeft | undefined): boolean => {
  if (isTerminal(pod) || pod.metadata?.deletionTimestamp !== undefined) return false;
  const statuses = podContainerStatuses(pod);
  if (statuses.some((s) => s.state?.running === undefined && !completedInit(pod, s) && crashedAt(s) !== undefined)) return true;
  if (crash === undefined || crash.remaining <= 0) return false;
  const s = statuses.find((x) => x.name === crash.container);
  return s !== undefined && !completedInit(pod, s) && (s.state?.running !== undefined || crashedAt(s) !== undefined);
};

/** A pod's init container statuses, then its container statuses (container names are unique across both). */
const podContainerStatuses = (pod: Pod): readonly ContainerStatus[] => {
  const inits = pod.status?.initContainerStatuses ?? [];
  return inits.length === 0 ? pod.status?.containerStatuses ?? [] : [...inits, ...pod.status?.containerStatuses ?? []];
};

/** A regular (not restartable) init container that exited 0: done, never run again. */
const completedInit = (pod: Pod, s: ContainerStatus): boolean =>
  s.state?.terminated?.exitCode === 0 && (pod.spec?.initContainers ?? []).some((c) => c.name === s.name && c.restartPolicy !== 'Always');

/**
 * Whether a Bound claim still has volume expansion to go through: the resizer's part (its request is above
 * its capacity, the class allows expansion, the volume was provisioned, and the claim is not waiting for
 * a node yet) or a node's (`NodeResizePending` while a started, live pod mounts it).
 */
const resizeLeft = (world: World, c: PersistentVolumeClaim, users: ReadonlySet<string> | undefined): boolean => {
  if (c.status?.phase !== 'Bound' || c.metadata?.deletionTimestamp !== undefined) return false;
  const st = c.status.allocatedResourceStatuses?.['storage'];
  if (st === 'NodeResizePending') {
    for (const key of users ?? []) {
      const i = key.indexOf('/');
      const p = world.store.get('Pod', key.slice(0, i), key.slice(i + 1)) as Pod | undefined;
      if (p !== undefined && !isTerminal(p) && p.metadata?.deletionTimestamp === undefined && mainContainersStarted(p)) return true;
    }
    return false;
  }
  if (st === 'ControllerResizeInProgress') return true;
  if (claimRequest(c) <= (parseQuantity(c.status.capacity?.['storage']) ?? 0)) return false;
  const pv = world.store.get('PersistentVolume', '', c.spec?.volumeName ?? '') as PersistentVolume | undefined;
  const cls = world.store.get('StorageClass', '', c.spec?.storageClassName ?? '') as StorageClass | undefined;
  return pv?.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== undefined && cls?.allowVolumeExpansion === true;
};

const isInputActor = (actor: string): boolean => actor === 'user' || actor.startsWith('system:');

const setReason = (m: SetModel): string | undefined => {
  const what = `statefulset ${m.namespace}/${m.name}`;
  if (m.terminatingAt >= 0) return m.members > 0 ? `${what} is being deleted but still has ${m.members} pods` : undefined;
  const s = m.obj, st = s.status, n = replicasOf(s);
  const gen = s.metadata?.generation ?? 0;
  if ((st?.observedGeneration ?? 0) !== gen) return `${what} has not observed generation ${gen} (observedGeneration ${String(st?.observedGeneration ?? 0)})`;
  const ready = st?.readyReplicas ?? 0, avail = st?.availableReplicas ?? 0, reps = st?.replicas ?? 0;
  if (reps !== n || ready !== n || avail !== n) return `${what} status has replicas/ready/available ${reps}/${ready}/${avail}, spec.replicas ${n}`;
  if (m.members !== n) return `${what} has ${m.members} pods, spec.replicas ${n}`;
  if (m.inRangeHealthy !== n) return `${what} has ${m.inRangeHealthy} of ${n} pods Running and Ready`;
  if (isRollingUpdate(s)) {
    const p = partitionOf(s), upd = st?.updatedReplicas ?? 0;
    if (p === 0 ? upd !== n || st?.currentRevision !== st?.updateRevision : upd < Math.max(0, n - p)) {
      return `${what} has not finished its rolling update (updatedReplicas ${upd}, currentRevision ${String(st?.currentRevision)}, updateRevision ${String(st?.updateRevision)})`;
    }
  }
  return undefined;
};

const rsReason = (r: RsModel): string | undefined => {
  const rs: ReplicaSet = r.obj;
  const what = `replicaset ${nsOf(rs)}/${nameOf(rs)}`;
  if (r.deletedAt >= 0 || rs.metadata?.deletionTimestamp !== undefined) return r.members > 0 ? `${what} is being deleted but still has ${r.members} pods` : undefined;
  const n = rs.spec?.replicas ?? 1, st = rs.status, gen = rs.metadata?.generation ?? 0;
  if ((st?.observedGeneration ?? 0) !== gen) return `${what} has not observed generation ${gen} (observedGeneration ${String(st?.observedGeneration ?? 0)})`;
  const ready = st?.readyReplicas ?? 0, avail = st?.availableReplicas ?? 0, reps = st?.replicas ?? 0;
  if (reps !== n || ready !== n || avail !== n) return `${what} status has replicas/ready/available ${reps}/${ready}/${avail}, spec.replicas ${n}`;
  if (r.active !== n || r.activeReady !== n) return `${what} has ${r.active} active pods, ${r.activeReady} Ready, spec.replicas ${n}`;
  return undefined;
};

/**
 * LIVE — liveness: after the last input (COMMAND, FAULT or COMPONENT entry) the cluster reaches its
 * desired state within `livenessBoundMs` of virtual time — every StatefulSet and ReplicaSet has observed
 * its generation and has spec.replicas pods, all Running, Ready and available (a RollingUpdate
 * finished), every deleting one has no pods left, no pod is terminating, no live pod has a crashed container
 * waiting for its restart or crashes left from a `container-crash` fault, and no Bound claim has volume
 * expansion left (the resizer's part, or the node's while a started pod mounts it) — and then stays still: no
 * object is written later than `livenessSettleMs` after convergence. The objects a user command writes count as part of that input. Judging is suspended while
 * a component is crashed, paused or partitioned (until `resume` / `heal`), a node is down (`node-down` fault, until `node-up` or the Node is deleted) or
 * a `pod-readiness ready=false` fault holds a live pod down: the desired state is then unreachable by
 * design.
 */
export const liveChecker: CheckerDef = {
  id: 'LIVE',
  title: 'liveness: converge within the bound after the last input, then stay still',
  kinds: ['*'],
  inputs: true,
  create: (ctx) => {
    const { world, options } = ctx;
    const bound = options.livenessBoundMs, settle = options.livenessSettleMs;
    const unconverged = new Map<string, string>();
    const terminating = new Map<string, number>();
    /** Pods held unready by a fault: namespace/name → uid. */
    const heldDown = new Map<string, string>();
    /** Pods whose readiness probe a fault fails, until when they may still be unready (then the bound runs from there). */
    const probeHeld = new Map<string, { uid: string; end: number; until: number }>();
    /** The hold of a failed readiness probe ends when its pod is Ready again after the failure, or at the latest recovery time. */
    const releaseProbeHold = (key: string, at: number): void => {
      probeHeld.delete(key);
      if (at > inputTime) { inputTime = at; converging = true; }
    };
    /** Claims (namespace/name) with volume expansion left to do (resizer or kubelet). */
    const resizing = new Set<string>();
    /** Claims (namespace/name) whose status has a resize status: the only ones a pod entry can change the expansion of. */
    const expanding = new Set<string>();
    const noteResize = (ck: string): void => {
      const i = ck.indexOf('/');
      const c = world.store.get('PersistentVolumeClaim', ck.slice(0, i), ck.slice(i + 1)) as PersistentVolumeClaim | undefined;
      if (c !== undefined && resizeLeft(world, c, claimUsers.get(ck))) resizing.add(ck); else resizing.delete(ck);
    };
    /** Pods with a `container-crash` fault (namespace/name), and those whose containers the kubelet still has to restart or crash. */
    const crashes = new Map<string, CrashLeft>();
    const restarting = new Set<string>();
    const noteCrashes = (key: string, pod: Pod | undefined): void => {
      const c = crashes.get(key);
      if (c !== undefined && (pod === undefined || uidOf(pod) !== c.uid || isTerminal(pod) || pod.metadata?.deletionTimestamp !== undefined)) crashes.delete(key);
      else if (c !== undefined) {
        const s = podContainerStatuses(pod!).find((x) => x.name === c.container);
        const at = s === undefined || completedInit(pod!, s) ? undefined : crashedAt(s);
        // finishedAt has millisecond precision, the fault's time may be a fraction later; each instance
        // (restartCount) crashes once.
        if (at !== undefined && at >= Math.floor(c.since) && s!.restartCount > c.lastInstance) { c.remaining--; c.lastInstance = s!.restartCount; }
      }
      if (pod !== undefined && restartPending(pod, crashes.get(key))) restarting.add(key); else restarting.delete(key);
    };
    let inputSeq = 0, inputTime = 0;
    let converging = true;
    let convergedSeq = 0, convergedTime = 0;
    let reportedLate = false, reportedWrite = false;
    /** Objects written once after convergence by a resync or a late retry (allowed once each). */
    const repaired = new Set<string>();
    /** Kubernetes-faithful stalls (set uid or pod key → why): liveness is not judged while one holds. */
    const stalled = new Map<string, string>();
    /** Pod uid → when it was first seen bound to a node; namespace/name → the last deleted pod of that name (for stall (g)). */
    const boundAt = new Map<string, { time: number; node: string }>();
    const goneByName = new Map<string, { uid: string; bound: { time: number; node: string } | undefined }>();
    /** Kind/namespace/name → uid of the owner of that name deleted last (for stall (d) once a successor comes). */
    const deletedByName = new Map<string, string>();
    /** Pods being deleted in foreground: candidates for a claim cycle (namespace/name → pod). */
    const foreground = new Map<string, Pod>();
    /** Claims that can keep a scheduled pod from starting for good (namespace/name): stalls (c), (e). */
    const deletingClaims = new Set<string>();
    /** namespace/claim → the pods (namespace/name) that mount it. */
    const claimUsers = new Map<string, Set<string>>();
    const recomputeCycles = (): void => {
      for (const [key, p] of foreground) {
        const why = claimCycle(world, p);
        if (why === undefined) stalled.delete(key); else stalled.set(key, why);
      }
    };
    const recomputeClaimUsers = (claimKey: string): void => {
      const users = claimUsers.get(claimKey);
      if (users === undefined) return;
      for (const podKey of users) {
        const i = podKey.indexOf('/');
        const p = world.store.get('Pod', podKey.slice(0, i), podKey.slice(i + 1)) as Pod | undefined;
        const why = p === undefined ? undefined : podStall(world, p);
        const k = `claim:${podKey}`;
        if (why === undefined) stalled.delete(k); else stalled.set(k, why);
      }
    };
    const notePodClaims = (key: string, b: Pod | undefined, a: Pod | undefined): void => {
      if (b !== undefined && a === undefined) {
        for (const { claim } of podClaims(b)) {
          const ck = `${nsOf(b)}/${claim}`;
          const u = claimUsers.get(ck);
          if (u?.delete(key) === true && u.size === 0) claimUsers.delete(ck);
        }
        stalled.delete(`claim:${key}`);
      }
      if (a === undefined) return;
      let claims = false;
      for (const { claim } of podClaims(a)) {
        claims = true;
        const ck = `${nsOf(a)}/${claim}`;
        let u = claimUsers.get(ck);
        if (u === undefined) { u = new Set(); claimUsers.set(ck, u); }
        u.add(key);
        if (deletingClaims.has(ck)) recomputeClaimUsers(ck);
      }
      // Stall (f) depends on the pod itself (scheduled, owned) as well as on its claims.
      if (claims) {
        const why = podStall(world, a);
        if (why === undefined) stalled.delete(`claim:${key}`); else stalled.set(`claim:${key}`, why);
      }
    };

    /**
     * Kubernetes-faithful stall (g): a pod bound, deleted and re-created under the same name while the
     * scheduler's watch was broken. Its relist brings one pod of that name, unassigned: the scheduler never
     * saw the old pod bound nor gone, so the pod it assumed stays in its cache — kube-scheduler's assumed
     * pods do not expire once their binding finished (durationToExpireAssumedPod 0) — counted on its node
     * (resources, inter-pod anti-affinity) until the scheduler restarts.
     */
    const noteGhost = (key: string, e: Envelope, p: Pod): void => {
      const uid = uidOf(p);
      if (e.type === 'DELETED') {
        goneByName.set(key, { uid, bound: boundAt.get(uid) });
        boundAt.delete(uid);
        return;
      }
      if (p.spec?.nodeName && !boundAt.has(uid)) boundAt.set(uid, { time: e.time, node: p.spec.nodeName });
      if (e.type !== 'ADDED') return;
      const gone = goneByName.get(key);
      goneByName.delete(key);
      if (gone === undefined || gone.uid === uid || gone.bound === undefined) return;
      const { time, node } = gone.bound;
      if (!world.watchBrokenAcross('scheduler', time, e.time) || (world.startedAt.get('scheduler') ?? -1) > time) return;
      stalled.set(`ghost:${key}`, `pod ${key} was bound to ${node}, deleted and re-created while the scheduler's watch was broken; its relist saw one pod of that name, so the scheduler never learnt that the pod it had assumed is gone, and counts it on ${node} (resources, anti-affinity) until it restarts`);
    };

    const recomputeSet = (m: SetModel | undefined): void => {
      if (m === undefined) return;
      const r = setReason(m);
      if (r === undefined) unconverged.delete(m.uid); else unconverged.set(m.uid, r);
      const stall = r === undefined ? undefined : condemnedStall(m)
        ?? (m.deletedAt >= 0 ? missedOwnerDeletion(world, `statefulset ${m.namespace}/${m.name}`, m.deletedTime, world.setsByName.get(`${m.namespace}/${m.name}`), m.uid, m.members) : undefined);
      if (stall === undefined) stalled.delete(m.uid); else stalled.set(m.uid, stall);
    };
    const recomputeRs = (m: RsModel | undefined): void => {
      if (m === undefined) return;
      const r = rsReason(m);
      if (r === undefined) unconverged.delete(m.uid); else unconverged.set(m.uid, r);
      const rs = m.obj;
      const stall = r === undefined || m.deletedAt < 0 ? undefined
        : missedOwnerDeletion(world, `replicaset ${nsOf(rs)}/${nameOf(rs)}`, m.deletedTime, world.replicaSetsByName.get(`${nsOf(rs)}/${nameOf(rs)}`), m.uid, m.members);
      if (stall === undefined) stalled.delete(m.uid); else stalled.set(m.uid, stall);
    };
    const suspended = (): boolean => !world.allUp() || heldDown.size > 0 || probeHeld.size > 0 || world.nodesDown.size > 0 || stalled.size > 0;
    const isConverged = (): boolean => unconverged.size === 0 && terminating.size === 0 && restarting.size === 0 && resizing.size === 0;
    const why = (): string => {
      const reasons = [...unconverged.values()].slice(0, 4);
      if (terminating.size > 0) reasons.push(`${terminating.size} pod(s) terminating (${[...terminating.keys()].slice(0, 3).join(', ')})`);
      if (resizing.size > 0) reasons.push(`${resizing.size} claim(s) with volume expansion left (${[...resizing].slice(0, 3).join(', ')})`);
      if (restarting.size > 0) reasons.push(`${restarting.size} pod(s) with a container to restart or crash (${[...restarting].slice(0, 3).join(', ')})`);
      return reasons.join('; ');
    };
    const onInput = (e: Envelope): void => {
      // The pod faults as the kubelet reads them (namespace defaulted, counts and containers as it uses them).
      const f = e.type === 'FAULT' ? parseKubeletFault(e.data) : undefined;
      if (f?.kind === 'pod-readiness') {
        const pod = world.store.get('Pod', f.namespace, f.name);
        if (!f.ready && pod !== undefined) heldDown.set(f.key, uidOf(pod)); else heldDown.delete(f.key);
      }
      if (f?.kind === 'readiness-probe') {
        // Held unready until the probe passes again; the bound then runs from the end of the failure.
        const pod = world.store.get('Pod', f.namespace, f.name) as Pod | undefined;
        const name = f.container ?? pod?.spec?.containers?.[0]?.name;
        const probe = pod?.spec?.containers?.find((c) => c.name === name)?.readinessProbe;
        if (pod !== undefined && probe !== undefined) {
          const period = (probe.periodSeconds ?? 10) * 1000;
          probeHeld.set(f.key, { uid: uidOf(pod), end: e.time + f.durationMs, until: e.time + f.durationMs + ((probe.successThreshold ?? 1) + 1) * period + (probe.initialDelaySeconds ?? 0) * 1000 });
        } else probeHeld.delete(f.key);
      }
      if (f?.kind === 'container-crash') {
        // The kubelet crashes the named (or first) container — or init container — of the pod that exists now, `count` times.
        const pod = world.store.get('Pod', f.namespace, f.name) as Pod | undefined;
        const container = f.container ?? pod?.spec?.containers?.[0]?.name;
        // A failing liveness probe kills only a container that has one; a failing startup probe only one that
        // has one and whose running instance has not started yet (or none runs).
        const spec = [...pod?.spec?.containers ?? [], ...pod?.spec?.initContainers ?? []].find((c) => c.name === container);
        const status = [...pod?.status?.containerStatuses ?? [], ...pod?.status?.initContainerStatuses ?? []].find((s) => s.name === container);
        const probed = spec === undefined ? false
          : f.probe === 'liveness' ? spec.livenessProbe !== undefined
            : f.probe === 'startup' ? spec.startupProbe !== undefined && (status?.state?.running === undefined || startupFailureApplies({ time: e.time }, spec, status))
              : true;
        if (pod !== undefined && !isTerminal(pod) && pod.metadata?.deletionTimestamp === undefined && spec !== undefined && probed) {
          crashes.set(f.key, { uid: uidOf(pod), container: spec.name, since: e.time, remaining: f.count, lastInstance: -1 });
        } else crashes.delete(f.key);
        noteCrashes(f.key, pod);
      }
      // A restarted scheduler rebuilt its cache: no ghost of stall (g) is left in it.
      const d = e.data as { component?: unknown; event?: unknown } | undefined;
      if (e.type === 'COMPONENT' && d?.component === 'scheduler') for (const k of [...stalled.keys()]) if (k.startsWith('ghost:')) stalled.delete(k);
      inputSeq = e.seq;
      inputTime = e.time;
      converging = true;
      reportedLate = reportedWrite = false;
    };
    /** The last container start seen on each node (its startedAt): the image report it may cause. */
    const lastStartOn = new Map<string, number>();
    const noteStarts = (p: Pod): void => {
      const node = p.spec?.nodeName;
      if (!node) return;
      for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
        const at = parseTimestamp(s.state?.running?.startedAt);
        if (at !== undefined && at > (lastStartOn.get(node) ?? -1)) lastStartOn.set(node, at);
      }
    };
    /**
     * A node's kubelet adding images to its status ([nodestatus.Images]): the report of a pull, due within
     * 40 s of the container start that brought the image (image cache refresh 30 s, node status sync 10 s)
     * — a delayed effect of that start, not a cluster failing to stay still. Anything else in the write,
     * or a report later than that, is judged as any write.
     */
    const isImageReport = (e: Envelope, o: KObject, before: KObject | undefined): boolean => {
      if (o.kind !== 'Node' || !e.actor.startsWith('kubelet') || before === undefined) return false;
      const last = lastStartOn.get(nameOf(o));
      if (last === undefined || e.time > last + IMAGE_REPORT_WITHIN_MS) return false;
      const strip = (n: KObject): unknown => ({ ...n, metadata: { ...n.metadata, resourceVersion: undefined, generation: undefined }, status: { ...(n as Node).status, images: undefined } });
      return JSON.stringify(strip(o)) === JSON.stringify(strip(before));
    };
    return {
      id: 'LIVE',
      title: liveChecker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        const o = e.object;
        if (probeHeld.size > 0) {
          for (const [k, h] of probeHeld) if (h.until <= e.time) releaseProbeHold(k, h.until);
          const held = o?.kind === 'Pod' ? probeHeld.get(`${nsOf(o)}/${nameOf(o)}`) : undefined;
          if (held !== undefined && e.time >= held.end && e.type !== 'DELETED' && isPodReady(o as Pod)) releaseProbeHold(`${nsOf(o!)}/${nameOf(o!)}`, e.time);
        }
        if (o?.kind === 'Pod' && e.type !== 'DELETED') noteStarts(o as Pod);
        // Inputs: COMMAND / FAULT / COMPONENT entries, and the objects a user command writes.
        if (o === undefined || isInputActor(e.actor)) onInput(e);
        if (o === undefined) return;
        if (o.kind === 'Pod') {
          const key = `${nsOf(o)}/${nameOf(o)}`;
          if (e.type !== 'DELETED' && isTerminatingPod(o as Pod)) terminating.set(key, e.seq); else terminating.delete(key);
          if (crashes.size > 0 || restarting.size > 0) noteCrashes(key, e.type === 'DELETED' ? undefined : o as Pod);
          if (e.type !== 'DELETED' && (o.metadata?.finalizers ?? []).includes('foregroundDeletion')) foreground.set(key, o as Pod);
          else if (foreground.delete(key)) stalled.delete(key);
          if (foreground.size > 0) recomputeCycles();
          notePodClaims(key, before as Pod | undefined, e.type === 'DELETED' ? undefined : o as Pod);
          if (resizing.size > 0 || (expanding.size > 0 && e.type !== 'DELETED')) {
            for (const p of [before as Pod | undefined, e.type === 'DELETED' ? undefined : o as Pod]) {
              if (p !== undefined) for (const { claim } of podClaims(p)) { const ck = `${nsOf(p)}/${claim}`; if (resizing.has(ck) || expanding.has(ck)) noteResize(ck); }
            }
          }
          if (e.type === 'DELETED' && heldDown.get(key) === uidOf(o)) heldDown.delete(key);
          if (e.type === 'DELETED' && probeHeld.get(key)?.uid === uidOf(o)) probeHeld.delete(key);
          noteGhost(key, e, o as Pod);
          const b = before as Pod | undefined, a = e.type === 'DELETED' ? undefined : o as Pod;
          recomputeSet(world.setOf(b));
          recomputeSet(world.setOf(a));
          recomputeRs(world.rsOf(b));
          recomputeRs(world.rsOf(a));
        } else if (o.kind === 'StatefulSet') {
          recomputeSet(world.sets.get(uidOf(o)));
          // A successor of the same name may turn a deleted set's leftover pods into a stall (d).
          const nameKey = `StatefulSet/${nsOf(o)}/${nameOf(o)}`;
          if (e.type === 'DELETED') deletedByName.set(nameKey, uidOf(o));
          else if (e.type === 'ADDED') { const was = deletedByName.get(nameKey); if (was !== undefined) { deletedByName.delete(nameKey); recomputeSet(world.sets.get(was)); } }
        } else if (o.kind === 'ReplicaSet') {
          const m = world.replicaSets.get(uidOf(o));
          if (m === undefined) unconverged.delete(uidOf(o)); else recomputeRs(m);
          const nameKey = `ReplicaSet/${nsOf(o)}/${nameOf(o)}`;
          if (e.type === 'DELETED') deletedByName.set(nameKey, uidOf(o));
          else if (e.type === 'ADDED') { const was = deletedByName.get(nameKey); if (was !== undefined) { deletedByName.delete(nameKey); recomputeRs(world.replicaSets.get(was)); } }
        } else if (o.kind === 'PersistentVolumeClaim') {
          if (foreground.size > 0) recomputeCycles();
          const ck = `${nsOf(o)}/${nameOf(o)}`;
          const c = o as PersistentVolumeClaim;
          if (e.type === 'DELETED') resizing.delete(ck); else noteResize(ck);
          if (e.type !== 'DELETED' && c.status?.allocatedResourceStatuses !== undefined) expanding.add(ck); else expanding.delete(ck);
          const held = e.type !== 'DELETED' && (isHeldDeleting(c) || isUnboundWaitingForConsumer(world, c));
          if (held) deletingClaims.add(ck);
          // A claim created or deleted changes stall (f) of the pods that mount it.
          if (held || deletingClaims.delete(ck) || e.type !== 'MODIFIED') recomputeClaimUsers(ck);
        }
        if (suspended()) return;
        const ok = isConverged();
        if (converging) {
          if (ok) {
            converging = false;
            convergedSeq = e.seq;
            convergedTime = e.time;
            repaired.clear();
            if (e.time - inputTime > bound && !reportedLate) {
              reportedLate = true;
              ctx.report([e.seq, inputSeq], `the cluster converged only at seq ${e.seq} (${fmtTime(e.time)}), ${((e.time - inputTime) / 1000).toFixed(1)}s after the last input (seq ${inputSeq}), more than the bound of ${bound / 1000}s`);
            }
          } else if (!reportedLate && e.time - inputTime > bound) {
            reportedLate = true;
            ctx.report([e.seq, inputSeq], `the cluster has not converged ${bound / 1000}s after the last input (seq ${inputSeq}, ${fmtTime(inputTime)}); at seq ${e.seq}: ${why()}`);
          }
          return;
        }
        // Runtime faults leave components retrying with backoff after their window: the settle window
        // starts after the disturbance (and a dropped request's timeout) too.
        const quietFrom = Math.max(convergedTime, world.disturbedUntil, world.timersUntil) + settle + world.extraQuietMs;
        if (e.time > quietFrom && !reportedWrite && !isImageReport(e, o, before)) {
          // A write reacting to an entry from before convergence is a periodic informer resync or a
          // retry repairing what a fault left stale: allowed once per object. A second one, or one
          // reacting to something newer, is the cluster failing to stay still.
          const key = `${String(o.kind)}/${nsOf(o)}/${nameOf(o)}`;
          if (e.cause !== null && e.cause <= convergedSeq && !repaired.has(key)) repaired.add(key);
          else {
            reportedWrite = true;
            ctx.report([e.seq, convergedSeq], `${e.actor} wrote ${e.op ?? e.type} ${String(o.kind)} ${nsOf(o) ? `${nsOf(o)}/` : ''}${nameOf(o)} at seq ${e.seq} (${fmtTime(e.time)}, cause ${String(e.cause)}), ${((e.time - convergedTime) / 1000).toFixed(1)}s after the cluster converged at seq ${convergedSeq} with no input since: a converged cluster stays still`);
          }
        }
        // Leaving the desired state without an input: within the settle window the tail of the reaction
        // to the last input (a status written from an older snapshot); the bound still runs from the input.
        if (!ok) converging = true;
      },
      finish(): void {
        if (world.entries === 0) return;
        if (suspended()) {
          const why = world.crashed.size > 0 ? `component(s) ${[...world.crashed].join(', ')} crashed and not restarted`
            : world.cutOff.size > 0 ? `process(es) ${[...world.cutOff].join(', ')} paused or partitioned`
            : world.nodesDown.size > 0 ? `node(s) ${[...world.nodesDown].join(', ')} down`
              : heldDown.size > 0 || probeHeld.size > 0 ? `pod(s) ${[...heldDown.keys(), ...probeHeld.keys()].join(', ')} held unready by a fault`
                : `${STALLED_BY_DESIGN} (Kubernetes cannot leave this state on its own either; a user has to act): ${[...stalled.values()].slice(0, 3).join('; ')}`;
          ctx.note(`liveness not judged: ${why} at the end of the log`);
          return;
        }
        if (!converging || isConverged() || reportedLate) return;
        const waited = world.lastTime - inputTime;
        if (waited > bound) {
          ctx.report([world.lastSeq, inputSeq], `the cluster has not converged ${bound / 1000}s after the last input (seq ${inputSeq}); at the end of the log (seq ${world.lastSeq}, ${fmtTime(world.lastTime)}): ${why()}`);
        } else if (options.endIsQuiescent) {
          ctx.report([world.lastSeq, inputSeq], `the log ends quiescent at seq ${world.lastSeq} (${fmtTime(world.lastTime)}), ${(waited / 1000).toFixed(1)}s after the last input (seq ${inputSeq}), with the cluster not at its desired state — nothing left to happen will get it there: ${why()}`);
        } else {
          ctx.note(`liveness inconclusive: the log ends ${(waited / 1000).toFixed(1)}s after the last input (seq ${inputSeq}), before the ${bound / 1000}s bound, with the cluster not yet converged (${why()})`);
        }
      },
    };
  },
};
