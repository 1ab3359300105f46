import { parseQuantity } from './quantity.js';
import type { PodCondition } from 'kubernetes-types/core/v1.js';
import type { Node, OwnerReference, PersistentVolumeClaim, Pod, ObjectMeta } from './types.js';

export const controllerRefOf = (meta: ObjectMeta | undefined): OwnerReference | undefined => {
  const refs = meta?.ownerReferences;
  if (refs) for (let i = 0; i < refs.length; i++) if (refs[i]!.controller === true) return refs[i];
  return undefined;
};

export const isControlledByUid = (meta: ObjectMeta | undefined, uid: string | undefined): boolean =>
  uid !== undefined && controllerRefOf(meta)?.uid === uid;

export const newControllerRef = (owner: { apiVersion: string; kind: string; metadata: ObjectMeta }): OwnerReference => ({
  apiVersion: owner.apiVersion,
  kind: owner.kind,
  name: owner.metadata.name ?? '',
  uid: owner.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
});

/** An object's resourceVersion as the log seq it is (0 when unset). */
export const resourceVersionOf = (o: { metadata?: ObjectMeta }): number => Number(o.metadata?.resourceVersion ?? 0);

export const isTerminating = (o: { metadata?: ObjectMeta }): boolean => o.metadata?.deletionTimestamp !== undefined;

// ---- virtual time <-> RFC 3339 timestamps ------------------------------------------------------
/** Virtual time 0 is this instant; timestamps in objects are derived from virtual milliseconds. */
export const EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0);
/** Kubernetes timestamps have second precision (metav1.Time); we keep milliseconds for a faithful order. */
let lastTsMs = Number.NaN;
let lastTs = '';
export const timestamp = (virtualMs: number): string => {
  // A Date keeps whole milliseconds (the time value is truncated), and many objects are stamped within
  // the same virtual millisecond: remember the last conversion, by millisecond.
  const ms = Math.trunc(EPOCH_MS + virtualMs);
  if (ms !== lastTsMs) { lastTs = new Date(ms).toISOString().replace('.000Z', 'Z'); lastTsMs = ms; }
  return lastTs;
};
/**
 * The `observedGeneration` of a pod condition a component writes ([podutil
 * CalculatePodConditionObservedGeneration] with PodObservedGenerationTracking, on by default in 1.35):
 * the pod's generation, when it has one.
 */
export const conditionGeneration = (pod: { readonly metadata?: { readonly generation?: number } }): { observedGeneration?: number } =>
  (pod.metadata?.generation !== undefined ? { observedGeneration: pod.metadata.generation } : {});

/**
 * [podutil.UpdatePodCondition]: the pod with `cond` replacing the condition of its type (or appended);
 * the transition time moves only when the status changes. Undefined when nothing would change.
 */
export const updatePodCondition = (pod: Pod, cond: PodCondition, now: number): Pod | undefined => {
  const conditions = pod.status?.conditions ?? [];
  const i = conditions.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? conditions[i] : undefined;
  if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return undefined;
  const next: PodCondition = { ...cond, lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : timestamp(now) };
  if (next.lastTransitionTime === undefined) delete (next as { lastTransitionTime?: string }).lastTransitionTime;
  const list = i >= 0 ? conditions.map((c, k) => (k === i ? next : c)) : [...conditions, next];
  return { ...pod, status: { ...pod.status, conditions: list } };
};

export const parseTimestamp = (t: string | undefined): number | undefined => {
  if (t === undefined) return undefined;
  // Components read the same few stamps again and again (conditions, start times): remember them.
  let v = parsedStamps.get(t);
  if (v === undefined) {
    if (parsedStamps.size >= 8192) parsedStamps.clear();
    v = Date.parse(t) - EPOCH_MS;
    parsedStamps.set(t, v);
  }
  return v;
};
const parsedStamps = new Map<string, number>();

// ---- pod predicates (k8s-semantics §0.3) ---------------------------------------------------------
export const podPhase = (p: Pod): string => p.status?.phase ?? '';
export const isCreated = (p: Pod): boolean => podPhase(p) !== '';
export const isPending = (p: Pod): boolean => podPhase(p) === 'Pending';
export const isFailed = (p: Pod): boolean => podPhase(p) === 'Failed';
export const isSucceeded = (p: Pod): boolean => podPhase(p) === 'Succeeded';
export const isTerminal = (p: Pod): boolean => isFailed(p) || isSucceeded(p);

/**
 * The grace period a deletion gives a pod [pod strategy CheckGracefulDelete]: the request's, else the pod's
 * `terminationGracePeriodSeconds` (30 s by default); 0 for a pod never scheduled or already terminal (it goes
 * at once); a negative request is 1.
 */
export const podDeletionGraceSeconds = (p: Pod, requested?: number): number => {
  if (!p.spec?.nodeName || isTerminal(p)) return 0;
  const grace = requested ?? p.spec.terminationGracePeriodSeconds ?? 30;
  return grace < 0 ? 1 : grace;
};

/** [nodeutil.IsNodeReady]: the node's Ready condition is True. */
export const isNodeReady = (n: Node): boolean => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

/** The taint an administrator puts on a node that is known to be down [v1.TaintNodeOutOfService]. */
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';
export const podReadyCondition = (p: Pod) => {
  const cs = p.status?.conditions;
  if (cs) for (let i = 0; i < cs.length; i++) if (cs[i]!.type === 'Ready') return cs[i];
  return undefined;
};
export const isPodReady = (p: Pod): boolean => podReadyCondition(p)?.status === 'True';
export const isRunningAndReady = (p: Pod): boolean => podPhase(p) === 'Running' && isPodReady(p);
/** podutil.IsPodAvailable: Ready and Ready for at least minReadySeconds (phase not checked). */
export const isAvailable = (p: Pod, minReadySeconds: number, nowMs: number): boolean => {
  const c = podReadyCondition(p);
  if (c?.status !== 'True') return false;
  if (minReadySeconds === 0) return true;
  const t = parseTimestamp(c.lastTransitionTime);
  return t !== undefined && t + minReadySeconds * 1000 < nowMs; // Go: lastTransitionTime+minReadySeconds Before(now)
};
/** 1.35 isUnavailable: not available or terminating. */
export const isUnavailable = (p: Pod, minReadySeconds: number, nowMs: number): boolean =>
  !isAvailable(p, minReadySeconds, nowMs) || isTerminating(p);
/** controller_utils IsPodActive (ReplicaSet): not terminal and not terminating. */
export const isPodActive = (p: Pod): boolean => !isTerminal(p) && !isTerminating(p);

/** The claim names a pod mounts. */
export const podClaimNames = (p: Pod): string[] => {
  const out: string[] = [];
  for (const v of p.spec?.volumes ?? []) if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
  return out;
};

// ---- storage classes -----------------------------------------------------------------------------
/** The class a claim or volume names in the annotation that predates `storageClassName` (it wins). */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
/** [GetPersistentVolumeClaimClass]: the beta annotation, else spec.storageClassName, else "". */
export const claimClass = (c: PersistentVolumeClaim): string =>
  c.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? c.spec?.storageClassName ?? '';
/** The storage a claim requests, in bytes (0 when unset). */
export const claimRequest = (c: PersistentVolumeClaim): number =>
  parseQuantity(c.spec?.resources?.requests?.['storage'] as string | number | undefined) ?? 0;
