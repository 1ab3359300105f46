/**
 * The scheduler component: keys are `namespace/name` of pods it must place. Event handlers follow the
 * scheduling queue's: a new or changed unscheduled pod is queued; cluster events (nodes, volumes,
 * freed resources) move back only the pods they could help, found through an index of unschedulable
 * pods (never a scan of all pods).
 */
import { isTerminal, nsName, semanticEqual, type KObject, type Node, type PersistentVolume, type Pod, sameStringMap } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { NO_VALUES, podsByClaim, podsByNode, type IndexSpec, type Snapshot } from '@kubesim/state';
import type { ComponentDef, KeysForContext } from '../framework/index.js';
import { pvByClaimRef, pvUnboundByClass } from '../volume/indexes.js';
import { needsScheduling, podScheduledCondition, schedulePod } from './core.js';
import { podsWithPreferredAffinity, podsWithRequiredAntiAffinity } from './interpodaffinity.js';
import {
  SCHEDULER_NAME, backoffMs, initialSchedulerLocal, type ClusterEvents, type SchedulerConfig, type SchedulerLocal,
} from './types.js';

const UNSCHEDULABLE = 'unschedulable';
/** The part of the pool rejected by InterPodAffinity or PodTopologySpread (woken by pods on nodes). */
const UNSCHEDULABLE_BY_PODS = 'unschedulable:pods';

/** Failure messages a pod appearing on, leaving or relabelled on a node can cure (InterPodAffinity, PodTopologySpread). */
const affinityRelated = (m: string): boolean => m.includes('affinity rules') || m.includes('topology spread constraints');

/**
 * Unscheduled, live pods whose last attempt failed (PodScheduled=False): the unschedulable pool, and
 * apart the pods in it that other pods' placement can help — so that the binding of every pod does not
 * scan a pool of pods waiting for their volumes.
 */
const UNSCHEDULABLE_VALUES: readonly string[] = [UNSCHEDULABLE];
const UNSCHEDULABLE_BY_PODS_VALUES: readonly string[] = [UNSCHEDULABLE, UNSCHEDULABLE_BY_PODS];
export const podsUnschedulable: IndexSpec = {
  name: 'scheduler.unschedulable', kind: 'Pod',
  fn: (o: KObject) => {
    const p = o as Pod;
    if (p.spec?.nodeName || p.metadata?.deletionTimestamp !== undefined) return NO_VALUES;
    const c = podScheduledCondition(p);
    if (c?.status !== 'False') return NO_VALUES;
    return affinityRelated(c.message ?? '') ? UNSCHEDULABLE_BY_PODS_VALUES : UNSCHEDULABLE_VALUES;
  },
};

const podKey = (p: Pod): string => nsName(p.metadata?.namespace, p.metadata?.name ?? '');

/** Failure messages a freed node resource can cure (NodeResourcesFit, NodePorts, VolumeRestrictions). */
const resourceRelated = (m: string): boolean =>
  m.includes('Too many pods') || m.includes('Insufficient ') || m.includes('free ports') || m.includes('ReadWriteOncePod');
/** Failure messages a volume, claim or class change can cure (VolumeBinding). */
const volumeRelated = (m: string): boolean => m.includes('persistent') || m.includes('Persistent') || m.includes('volume');
/** Failures an unclaimed PersistentVolume can cure (static binding, node affinity). */
const staticVolumeRelated = (m: string): boolean => m.includes('available persistent volumes') || m.includes('volume node affinity');

type Ctx = KeysForContext<SchedulerLocal> | undefined;

/**
 * The backoff queue: a pod whose last attempt failed on an error less than its backoff ago is not
 * woken by cluster events — its retry timer is already set ([podBackoffQ]: a pod in backoff is moved
 * to the active queue when its backoff expires, not by events); its reconcile would only re-arm the
 * same timer. A pod a plugin rejected (parked in unschedulablePods) has no such timer: an event that
 * may help it wakes it even during its backoff, and its reconcile moves it to the backoff queue
 * (moveToBackoffQ: no longer parked), where it waits out the rest — later events pass it by.
 */
const backingOff = (p: Pod, config: SchedulerConfig, ctx: Ctx): boolean => {
  if (!ctx || ctx.local.attempts.size === 0) return false;
  const att = ctx.local.attempts.get(p.metadata?.uid ?? '');
  return att !== undefined && !att.parked && ctx.now < att.lastFailureMs + backoffMs(att.count, config);
};

/** A pod to (re)try now: ours to place and not backing off. */
const wake = (p: Pod, config: SchedulerConfig, ctx: Ctx): boolean => needsScheduling(p, config) && !backingOff(p, config, ctx);

/** A pod in unschedulablePods (its last attempt rejected by a plugin). */
const parked = (p: Pod, ctx: Ctx): boolean =>
  ctx !== undefined && ctx.local.attempts.size > 0 && ctx.local.attempts.get(p.metadata?.uid ?? '')?.parked === true;

/**
 * [isPodUpdated]: the pod changed in more than its status, resourceVersion, generation and
 * managedFields — so the scheduler's own PodScheduled=False write does not move a parked pod.
 */
export const isPodUpdated = (old: Pod, cur: Pod): boolean => {
  if (old.spec !== cur.spec && !semanticEqual(old.spec, cur.spec)) return true;
  const a = (old.metadata ?? {}) as Record<string, unknown>, b = (cur.metadata ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(a)) if (!IGNORED_META.has(k) && a[k] !== b[k] && !semanticEqual(a[k], b[k])) return true;
  for (const k of Object.keys(b)) if (!IGNORED_META.has(k) && !(k in a) && !semanticEqual(undefined, b[k])) return true;
  return false;
};
const IGNORED_META: ReadonlySet<string> = new Set(['resourceVersion', 'generation', 'managedFields']);

const unschedulableKeys = (snap: Snapshot, config: SchedulerConfig, ctx: Ctx, hint?: (message: string) => boolean, pool = UNSCHEDULABLE): string[] => {
  const keys: string[] = [];
  for (const p of snap.byIndex('Pod', podsUnschedulable.name, pool)) {
    if (!wake(p, config, ctx)) continue;
    if (hint && !hint(podScheduledCondition(p)?.message ?? '')) continue;
    keys.push(podKey(p));
  }
  return keys;
};


const readyStatus = (n: Node): string | undefined => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;

/** A node change that can alter a filter or score (not heartbeats). */
export const nodeSchedulingChanged = (old: Node | undefined, cur: Node): boolean => {
  if (!old) return true;
  if (!sameStringMap(old.metadata?.labels, cur.metadata?.labels)) return true;
  if (!!old.spec?.unschedulable !== !!cur.spec?.unschedulable) return true;
  if (readyStatus(old) !== readyStatus(cur)) return true;
  const ta = old.spec?.taints ?? [], tb = cur.spec?.taints ?? [];
  if (ta.length !== tb.length || ta.some((t, i) => t.key !== tb[i]!.key || t.value !== tb[i]!.value || t.effect !== tb[i]!.effect)) return true;
  const aa = (old.status?.allocatable ?? {}) as Record<string, string>, ab = (cur.status?.allocatable ?? {}) as Record<string, string>;
  return !sameStringMap(aa, ab);
};

/**
 * The cluster events that move unschedulable pods (beyond a pod's own claim): a node change that can
 * alter a filter, an assigned pod freeing its node ([AssignedPodDelete]), a pod assigned to a node or
 * relabelled there, an unclaimed volume, a StorageClass — one classification for the event handlers and for the in-flight record.
 */
type ClusterEvent = keyof ClusterEvents;
const clusterEventOf = (e: Envelope & { object: KObject }, old: KObject | undefined): ClusterEvent | undefined => {
  const o = e.object;
  switch (o.kind) {
    case 'Node':
      return e.type !== 'DELETED' && nodeSchedulingChanged(e.type === 'ADDED' ? undefined : old as Node | undefined, o as Node) ? 'node' : undefined;
    case 'Pod': {
      const before = (e.type === 'DELETED' ? o : old) as Pod | undefined;
      if (before?.spec?.nodeName && !isTerminal(before) && (e.type === 'DELETED' || isTerminal(o as Pod))) return 'resource';
      // A pod newly on a node, or relabelled there ([InterPodAffinity] AssignedPodAdd / AssignedPodUpdate).
      const p = o as Pod;
      if (e.type === 'DELETED' || !p.spec?.nodeName || isTerminal(p)) return undefined;
      return !before?.spec?.nodeName || !sameStringMap(before.metadata?.labels, p.metadata?.labels) ? 'assignedPod' : undefined;
    }
    case 'PersistentVolume': return e.type !== 'DELETED' && !(o as PersistentVolume).spec?.claimRef ? 'staticVolume' : undefined;
    case 'StorageClass': return e.type !== 'DELETED' ? 'storageClass' : undefined;
    default: return undefined;
  }
};
/** The failure messages each class of cluster event may cure (its queueing hint; a node change may cure any). */
const HINTS: Readonly<Record<ClusterEvent, ((message: string) => boolean) | undefined>> = {
  node: undefined, resource: (m) => resourceRelated(m) || affinityRelated(m), assignedPod: affinityRelated,
  staticVolume: staticVolumeRelated, storageClass: volumeRelated,
};
const EVENT_CLASSES = Object.keys(HINTS) as ClusterEvent[];

/**
 * [determineSchedulingHintForInFlightPod]: the pod's failed attempt read the cache at `att.seq`; a
 * cluster event delivered after that, while the attempt was in flight, woke nobody for it (the pod was
 * not in the unschedulable pool yet). If one of those may help it, it goes to the backoff queue instead
 * of staying parked.
 */
const helpedWhileInFlight = (pod: Pod, ctx: Ctx): boolean => {
  const att = ctx?.local.attempts.get(pod.metadata?.uid ?? '');
  if (!att?.parked) return false;
  const ev = ctx!.local.events;
  const m = podScheduledCondition(pod)?.message ?? '';
  return EVENT_CLASSES.some((c) => ev[c] > att.seq && (HINTS[c]?.(m) ?? true));
};

const podKeys = (e: Envelope & { object: KObject }, pod: Pod, old: Pod | undefined, snap: Snapshot, config: SchedulerConfig, ctx: Ctx): string[] => {
  const keys: string[] = [];
  // A new or changed pod to place; a parked one only when it changed in more than its status ([Update]),
  // or when it has just entered the unschedulable pool and a cluster event came during its attempt.
  if (e.type !== 'DELETED' && wake(pod, config, ctx) && (!old || !parked(pod, ctx) || isPodUpdated(old, pod)
    || (podsUnschedulable.fn(old) === NO_VALUES && podsUnschedulable.fn(pod) !== NO_VALUES && helpedWhileInFlight(pod, ctx)))) keys.push(podKey(pod));
  // An assigned pod that went away or finished frees its node's resources ([AssignedPodDelete]).
  const cls = clusterEventOf(e, old);
  if (cls === 'resource') keys.push(...unschedulableKeys(snap, config, ctx, HINTS.resource));
  else if (cls === 'assignedPod') keys.push(...unschedulableKeys(snap, config, ctx, undefined, UNSCHEDULABLE_BY_PODS));
  return keys;
};

/** Unscheduled pods that mount a claim. */
const claimUsers = (snap: Snapshot, config: SchedulerConfig, ctx: Ctx, namespace: string, claim: string): string[] => {
  const keys: string[] = [];
  for (const p of snap.byIndex('Pod', podsByClaim.name, `${namespace}/${claim}`)) if (wake(p, config, ctx)) keys.push(podKey(p));
  return keys;
};

export const schedulerKeysFor = (
  e: Envelope, old: KObject | undefined, snap: Snapshot, config: SchedulerConfig, ctx?: KeysForContext<SchedulerLocal>,
): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  let keys: string[];
  switch (o.kind) {
    case 'Pod': keys = podKeys(e, o as Pod, old as Pod | undefined, snap, config, ctx); break;
    case 'Node': keys = clusterEventOf(e, old) === 'node' ? unschedulableKeys(snap, config, ctx) : []; break;
    case 'PersistentVolumeClaim':
      keys = claimUsers(snap, config, ctx, o.metadata?.namespace ?? '', o.metadata?.name ?? '');
      break;
    case 'PersistentVolume': {
      // Queueing hint (VolumeBinding): a volume helps the pods of the claim it names; an unclaimed
      // volume can only help pods that failed for want of an available volume to bind.
      const ref = (o as PersistentVolume).spec?.claimRef;
      keys = ref ? claimUsers(snap, config, ctx, ref.namespace ?? '', ref.name ?? '')
        : clusterEventOf(e, old) === 'staticVolume' ? unschedulableKeys(snap, config, ctx, HINTS.staticVolume) : [];
      break;
    }
    case 'StorageClass': keys = clusterEventOf(e, old) === 'storageClass' ? unschedulableKeys(snap, config, ctx, HINTS.storageClass) : []; break;
    default: keys = [];
  }
  return keys.length > 1 ? [...new Set(keys)] : keys;
};

export function* schedulerInitialKeys(snap: Snapshot, config: SchedulerConfig): Iterable<string> {
  for (const p of snap.byIndex('Pod', podsByNode.name, '')) if (needsScheduling(p, config)) yield podKey(p);
}

/**
 * Keep local state in step with the informer: the node list changes with nodes added or removed, a
 * node's usage with its pods; an assumed pod is forgotten once the informer shows it bound or gone,
 * and so are its failed attempts.
 */
export const schedulerObserve = (e: Envelope, old: KObject | undefined, local: SchedulerLocal): SchedulerLocal => {
  if (!isObjectEntry(e)) return local;
  const o = e.object;
  const cls = clusterEventOf(e, old);
  if (cls !== undefined) local = { ...local, events: { ...local.events, [cls]: e.seq } };
  if (o.kind === 'Node') {
    if (e.type === 'MODIFIED') local.cache.nodeChanged(o.metadata?.name ?? '', o as Node);
    else local.cache.nodesChanged();
    return local;
  }
  if (o.kind !== 'Pod') return local;
  const pod = o as Pod;
  const prev = old as Pod | undefined;
  const prevUid = prev?.metadata?.uid ?? '';
  if (prev !== undefined && prevUid !== (pod.metadata?.uid ?? '')) {
    // A new pod under the name of one whose deletion the informer never delivered (a relist after a broken
    // watch brings one object per name). An assigned old pod leaves the cache (the assigned-pod handler
    // sees an update to an unassigned pod: OnDelete); one the scheduler holds in PreBind is gone, so its
    // binding cycle ends as a failed bind does (ForgetPod). One whose bind succeeded but never showed up
    // stays assumed, as in kube-scheduler (assumed pods do not expire once bound).
    local.cache.podChanged(prevUid, undefined);
    const a = local.assumed.get(prevUid);
    if (a !== undefined && !a.binding) local = { ...local, assumed: local.assumed.delete(prevUid), attempts: local.attempts.delete(prevUid) };
  }
  local.cache.podChanged(pod.metadata?.uid ?? '', e.type === 'DELETED' ? undefined : pod);
  if (e.type !== 'DELETED' && !pod.spec?.nodeName) {
    // An assumed pod the informer shows finished no longer counts on its node.
    const u = pod.metadata?.uid ?? '';
    if (!local.assumed.has(u)) return local;
    const assumed = local.assumed.markStale(u, isTerminal(pod));
    return assumed === local.assumed ? local : { ...local, assumed };
  }
  const uid = pod.metadata?.uid ?? '';
  const attempts = local.attempts.delete(uid);
  if (!local.assumed.has(uid) && attempts === local.attempts) return local;
  return { ...local, attempts, assumed: local.assumed.delete(uid) };
};

export const scheduler: ComponentDef<SchedulerConfig, SchedulerLocal> = {
  name: SCHEDULER_NAME,
  watches: ['Pod', 'Node', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass'],
  // PodTopologySpread's default selector: the Services, ReplicaSets and StatefulSets selecting a pod.
  lists: ['Service', 'ReplicaSet', 'StatefulSet'],
  indexes: [podsByNode, podsByClaim, podsUnschedulable, podsWithRequiredAntiAffinity, podsWithPreferredAffinity, pvByClaimRef, pvUnboundByClass],
  keysFor: schedulerKeysFor,
  initialKeys: schedulerInitialKeys,
  reconcile: schedulePod,
  initialLocal: initialSchedulerLocal,
  observe: schedulerObserve,
};
