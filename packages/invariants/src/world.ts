import { isRunningAndReady, parseTimestamp, type KObject, type Pod, type ReplicaSet, type StatefulSet } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { ObjectStore } from '@kubesim/state';
import {
  controllerOf, inRange, isActive, isHealthy, isTerminatingPod, nameOf, nsOf, parseMemberName, podRevision, policyOf,
  replicasOf, startOf, uidOf,
} from './model.js';

/** The runtime's longest per-key backoff (client-go's 1000 s). */
const BACKOFF_MAX_MS = 1_000_000;
/** The disruption controller's DeletionTimeout: an evicted pod is expected gone within 2 minutes. */
const DISRUPTED_POD_TIMEOUT_MS = 120_000;

/** Every kind but Event: events are written often, read by no rule, and never deleted. */
const STORED_KINDS = [
  'Namespace', 'Node', 'Pod', 'Service', 'PersistentVolumeClaim', 'PersistentVolume', 'Endpoints', 'EndpointSlice', 'StorageClass',
  'StatefulSet', 'ReplicaSet', 'ControllerRevision',
] as const;

/**
 * One ordinal of a StatefulSet, across incarnations. The "until" seqs make judgements about what the
 * controller saw sound: a controller write with cause c was planned on a snapshot at some seq in
 * [c, write seq), so "pod k was healthy in that snapshot" holds if it is healthy now or was healthy
 * until a seq ≥ c.
 */
export interface Slot {
  pod: Pod | undefined;
  /** Running, Ready and not terminating (now). */
  healthy: boolean;
  /** The last seq after which this ordinal's pod was healthy (meaningful when not healthy now); -1: never. */
  healthyUntil: number;
  /** The seq of the last DELETED (or release) of this ordinal's pod; -1: never. */
  goneAt: number;
  /** The seq at which the current pod of this ordinal appeared (ADDED or adopted); -1: none. */
  bornAt: number;
}

/** What the checkers need to know about one StatefulSet (by uid), kept up to date entry by entry. */
export class SetModel {
  obj: StatefulSet;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly createdAt: number;
  /** First seq at which the set carried a deletionTimestamp (-1: not terminating). */
  terminatingAt = -1;
  deletedAt = -1;
  /** Virtual time of the DELETED entry (-1: not deleted). */
  deletedTime = -1;
  /** Virtual time of the first entry about this set (its ADDED). */
  createdTime = -1;
  /** Last seq at which spec.replicas or spec.ordinals changed (the range). */
  rangeChangedAt: number;
  /** Last seq at which metadata.generation changed. */
  specChangedAt: number;
  /** status.currentRevision before its last change, and the seq of that change. */
  prevCurrentRevision: string | undefined;
  currentRevisionChangedAt = -1;
  /**
   * The last seq at which status.currentRevision was unset (-1: never). A sync whose snapshot is at or
   * after its cause c found none when this is ≥ c, and then took the update revision as the current one
   * [SSC getStatefulSetRevisions].
   */
  currentRevisionUnsetAt: number;
  everWhenScaledDelete = false;
  everWhenDeletedDelete = false;
  readonly slots = new Map<number, Slot>();
  /** Pods controlled by the set (also those whose name is not `<set>-<k>`). */
  members = 0;
  /** Controlled pods with a valid ordinal, by state. */
  slotted = 0;
  healthy = 0;
  terminating = 0;
  inRangeMembers = 0;
  inRangeHealthy = 0;
  /** Revision label → number of slotted pods carrying it. */
  readonly revCounts = new Map<string, number>();
  /** Last seq at which membership, a revision label or a deletionTimestamp of a member changed. */
  revisionsChangedAt = 0;
  /** Last seq of any entry about a member pod. */
  touchedAt = 0;
  /** Highest ordinal of a live member (-1: none). */
  maxOrdinal = -1;

  constructor(set: StatefulSet, seq: number) {
    this.obj = set;
    this.uid = uidOf(set);
    this.namespace = nsOf(set);
    this.name = nameOf(set);
    this.createdAt = seq;
    this.rangeChangedAt = seq;
    this.specChangedAt = seq;
    this.currentRevisionUnsetAt = set.status?.currentRevision === undefined ? seq : -1;
    this.notePolicy(set);
  }

  private notePolicy(set: StatefulSet): void {
    const p = policyOf(set);
    if (p.whenScaled === 'Delete') this.everWhenScaledDelete = true;
    if (p.whenDeleted === 'Delete') this.everWhenDeletedDelete = true;
  }

  update(set: StatefulSet, seq: number, deleted: boolean): void {
    const old = this.obj;
    this.obj = set;
    this.notePolicy(set);
    if ((old.metadata?.generation ?? 0) !== (set.metadata?.generation ?? 0)) this.specChangedAt = seq;
    if (replicasOf(old) !== replicasOf(set) || startOf(old) !== startOf(set)) {
      this.rangeChangedAt = seq;
      this.recountRange();
    }
    if (old.status?.currentRevision !== set.status?.currentRevision) {
      this.prevCurrentRevision = old.status?.currentRevision;
      this.currentRevisionChangedAt = seq;
      if (old.status?.currentRevision === undefined) this.currentRevisionUnsetAt = seq - 1;
    }
    if (set.status?.currentRevision === undefined) this.currentRevisionUnsetAt = seq;
    if (this.terminatingAt < 0 && set.metadata?.deletionTimestamp !== undefined) this.terminatingAt = seq;
    if (deleted) {
      this.deletedAt = seq;
      if (this.terminatingAt < 0) this.terminatingAt = seq;
    }
  }

  private recountRange(): void {
    this.inRangeMembers = 0;
    this.inRangeHealthy = 0;
    for (const [o, s] of this.slots) {
      if (!s.pod || !inRange(this.obj, o)) continue;
      this.inRangeMembers++;
      if (s.healthy) this.inRangeHealthy++;
    }
  }

  slot(ordinal: number): Slot {
    let s = this.slots.get(ordinal);
    if (!s) { s = { pod: undefined, healthy: false, healthyUntil: -1, goneAt: -1, bornAt: -1 }; this.slots.set(ordinal, s); }
    return s;
  }

  /** Was ordinal k's pod healthy in some snapshot at a seq in [cause, now)? */
  healthyInWindow(ordinal: number, cause: number): boolean {
    const s = this.slots.get(ordinal);
    return s !== undefined && (s.healthy || s.healthyUntil >= cause);
  }

  /** Did ordinal k's pod exist in every snapshot at a seq in [cause, now)? */
  existedThroughWindow(ordinal: number, cause: number): boolean {
    const s = this.slots.get(ordinal);
    return s !== undefined && s.pod !== undefined && s.bornAt <= cause;
  }

  /** Did ordinal k's pod exist in some snapshot at a seq in [cause, now)? */
  existedInWindow(ordinal: number, cause: number): boolean {
    const s = this.slots.get(ordinal);
    return s !== undefined && (s.pod !== undefined || s.goneAt > cause);
  }

  private ordinalOf(p: Pod): number {
    const { parent, ordinal } = parseMemberName(nameOf(p));
    return parent === this.name ? ordinal : -1;
  }

  private count(p: Pod, o: number, sign: 1 | -1): void {
    this.members += sign;
    if (isTerminatingPod(p)) this.terminating += sign;
    if (o < 0) return;
    this.slotted += sign;
    const h = isHealthy(p);
    if (h) this.healthy += sign;
    if (inRange(this.obj, o)) {
      this.inRangeMembers += sign;
      if (h) this.inRangeHealthy += sign;
    }
    const r = podRevision(p);
    const n = (this.revCounts.get(r) ?? 0) + sign;
    if (n === 0) this.revCounts.delete(r); else this.revCounts.set(r, n);
  }

  addPod(p: Pod, seq: number): void {
    const o = this.ordinalOf(p);
    this.count(p, o, 1);
    this.revisionsChangedAt = seq;
    this.touchedAt = seq;
    if (o < 0) return;
    const s = this.slot(o);
    s.pod = p;
    s.bornAt = seq;
    s.healthy = isHealthy(p);
    if (o > this.maxOrdinal) this.maxOrdinal = o;
  }

  removePod(p: Pod, seq: number): void {
    const o = this.ordinalOf(p);
    this.count(p, o, -1);
    this.revisionsChangedAt = seq;
    this.touchedAt = seq;
    if (o < 0) return;
    const s = this.slot(o);
    if (s.healthy) s.healthyUntil = seq - 1;
    s.healthy = false;
    s.pod = undefined;
    s.bornAt = -1;
    s.goneAt = seq;
    if (o === this.maxOrdinal) {
      let m = o - 1;
      while (m >= 0 && this.slots.get(m)?.pod === undefined) m--;
      this.maxOrdinal = this.slotted === 0 ? -1 : m;
    }
  }

  updatePod(before: Pod, after: Pod, seq: number): void {
    const o = this.ordinalOf(after);
    this.touchedAt = seq;
    if (podRevision(before) !== podRevision(after) || isTerminatingPod(before) !== isTerminatingPod(after)) this.revisionsChangedAt = seq;
    this.count(before, o, -1);
    this.count(after, o, 1);
    if (o < 0) return;
    const s = this.slot(o);
    const h = isHealthy(after);
    if (s.healthy && !h) s.healthyUntil = seq - 1;
    s.healthy = h;
    s.pod = after;
  }
}

/** What the checkers need to know about one ReplicaSet. */
export class RsModel {
  obj: ReplicaSet;
  readonly uid: string;
  deletedAt = -1;
  /** Virtual times of the first entry about this ReplicaSet and of its DELETED (-1: not deleted). */
  createdTime = -1;
  deletedTime = -1;
  members = 0;
  /** Controlled pods that are active (not terminal, not terminating). */
  active = 0;
  activeReady = 0;
  terminating = 0;
  /** The last changes of spec.replicas: the seq of each change and the value before it (oldest first). */
  readonly replicasChanges: { readonly seq: number; readonly before: number }[] = [];

  constructor(rs: ReplicaSet, seq: number) {
    this.obj = rs;
    this.uid = uidOf(rs);
    this.replicasChanges.push({ seq, before: rs.spec?.replicas ?? 1 });
  }

  update(rs: ReplicaSet, seq: number, deleted: boolean): void {
    const was = this.obj.spec?.replicas ?? 1;
    if (was !== (rs.spec?.replicas ?? 1)) {
      this.replicasChanges.push({ seq, before: was });
      if (this.replicasChanges.length > 32) this.replicasChanges.shift();
    }
    this.obj = rs;
    if (deleted) this.deletedAt = seq;
  }

  /**
   * The largest spec.replicas the controller can have seen in a snapshot at a seq ≥ `cause`
   * (undefined when the changes since then are no longer all known).
   */
  maxReplicasSince(cause: number): number | undefined {
    let max = this.obj.spec?.replicas ?? 1;
    const ch = this.replicasChanges;
    if (ch.length === 32 && ch[0]!.seq > cause) return undefined;
    for (let i = ch.length - 1; i >= 0 && ch[i]!.seq > cause; i--) max = Math.max(max, ch[i]!.before);
    return max;
  }

  count(p: Pod, sign: 1 | -1): void {
    this.members += sign;
    if (isTerminatingPod(p)) this.terminating += sign;
    if (isActive(p)) {
      this.active += sign;
      if (isRunningAndReady(p)) this.activeReady += sign;
    }
  }
}

/**
 * The shared fold of the log the checkers read: the object store (every kind but Event), a model per
 * StatefulSet and ReplicaSet (pods by ordinal, counts, the seqs of recent changes), the crashed
 * components and recently deleted claims. Updated once per entry, before any checker sees it.
 */
export class World {
  readonly store = new ObjectStore(STORED_KINDS);
  readonly sets = new Map<string, SetModel>();
  /** namespace/name → the newest set of that name (also after it was deleted). */
  readonly setsByName = new Map<string, SetModel>();
  readonly replicaSets = new Map<string, RsModel>();
  /** namespace/name → the newest ReplicaSet of that name (also after it was deleted). */
  readonly replicaSetsByName = new Map<string, RsModel>();
  /**
   * Per component, the windows in which its watch was broken (`watch-drop` faults; `partition` until
   * `heal`, open meanwhile): the most recent ones. Events inside one are merged by the relist at its end.
   */
  readonly watchBreaks = new Map<string, { from: number; until: number }[]>();
  /** Per component, when it last (re)started: a restarted process has rebuilt its cache. */
  readonly startedAt = new Map<string, number>();

  private noteWatchBreak(component: string, from: number, until: number): void {
    let ws = this.watchBreaks.get(component);
    if (ws === undefined) { ws = []; this.watchBreaks.set(component, ws); }
    const last = ws[ws.length - 1];
    if (last !== undefined && from <= last.until) last.until = Math.max(last.until, until);
    else { ws.push({ from, until }); if (ws.length > 64) ws.shift(); }
  }

  /** Whether `component`'s watch was broken from before `from` until after `to` (one relist merged what happened between). */
  watchBrokenAcross(component: string, from: number, to: number): boolean {
    return (this.watchBreaks.get(component) ?? []).some((w) => w.from <= from && to < w.until);
  }
  /** Components crashed by a FAULT and not restarted since. */
  readonly crashed = new Set<string>();
  /** Processes paused or partitioned by a FAULT (distributed chaos) and not resumed or healed since. */
  readonly cutOff = new Set<string>();
  /** Every component runs and reaches the log: none crashed, paused or partitioned. */
  allUp(): boolean { return this.crashed.size === 0 && this.cutOff.size === 0; }
  /** Nodes whose kubelet a `node-down` fault stopped (until `node-up` or the Node is deleted). */
  readonly nodesDown = new Set<string>();
  /**
   * Component → virtual time until which its informer may see kinds out of log order (`watch-reorder`
   * fault, plus slack): its snapshots are then no prefix of the log, so judgements that rely on "the
   * controller saw at least the entries up to the cause" are suspended for its writes.
   */
  readonly staleViewUntil = new Map<string, number>();
  /**
   * Until this virtual time some component's view or requests lag (watch-delay/-drop/-reorder,
   * api-delay faults): a quiet gap only counts after it.
   */
  disturbedUntil = 0;
  /**
   * Until when a controller timer set by an input may still fire: the disruption controller looks at a
   * budget again when an entry of its `disruptedPods` falls due (2 minutes after the eviction) and, if a
   * pod of that name is still there (a StatefulSet re-created it), records `NotDeleted` and drops the
   * entry [DisruptionController buildDisruptedPodMap] — the eviction's delayed effect, not a cluster that
   * fails to stay still.
   */
  timersUntil = 0;
  /**
   * Until this virtual time a component may still be retrying a sync that failed during a runtime
   * fault: client-go's per-key backoff doubles up to 1000 s (the runtime's backoffMaxMs), and a
   * component whose cache lagged its own writes fails every retry until it catches up. Quiet gaps
   * before this time prove nothing; the end of a settled log still does.
   */
  backoffUntil = 0;
  /**
   * Extra quiet time a gap needs after an `api-drop` fault: a dropped request leaves no entry and its
   * retry comes a timeout later, so a gap shorter than quietMs + that timeout proves nothing.
   */
  extraQuietMs = 0;
  /** namespace/name of a claim → seq of its last DELETED (recent ones only). */
  readonly claimGoneAt = new Map<string, number>();
  lastSeq = 0;
  lastTime = 0;
  entries = 0;

  /** Runtime faults between the log and a component (packages/runtime/src/embedded/faults.ts). */
  private runtimeFault(time: number, component: string, d: Record<string, unknown>): void {
    const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
    const disturb = (until: number): void => {
      this.disturbedUntil = Math.max(this.disturbedUntil, until);
      this.backoffUntil = Math.max(this.backoffUntil, until + BACKOFF_MAX_MS);
    };
    switch (d.fault) {
      case 'watch-reorder': {
        // Deliveries lag by up to 40 ms per kind; a reconcile planned in the window may write a little later.
        const until = time + num(d.durationMs) + 5_000;
        this.staleViewUntil.set(component, Math.max(until, this.staleViewUntil.get(component) ?? 0));
        disturb(time + 2 * num(d.durationMs) + 5_000);
        break;
      }
      // A component whose syncs failed during the window retries with a doubling backoff, so its tail
      // after the window can be about as long again as the window itself.
      case 'watch-delay': disturb(time + 2 * (num(d.durationMs) + num(d.ms)) + 1_000); break;
      case 'watch-drop':
        disturb(time + 2 * num(d.durationMs) + 2_000);
        this.noteWatchBreak(component, time, time + num(d.durationMs));
        break;
      // A partition breaks every watch of the component until it is healed (the window stays open meanwhile).
      case 'partition': this.noteWatchBreak(component, time, Number.POSITIVE_INFINITY); break;
      case 'api-delay': disturb(time + 2 * (num(d.durationMs) + 2 * num(d.ms)) + 1_000); break;
      case 'api-drop':
        this.extraQuietMs = Math.max(this.extraQuietMs, num(d.timeoutMs) + 2_000);
        disturb(time + num(d.timeoutMs) * Math.max(1, num(d.count)) + 2_000);
        break;
      // Distributed mode: a nats-server killed (and restarted, or failed over in a cluster). Every
      // watch and request may lag while clients reconnect and re-open their consumers; the recorder
      // states how long (in virtual time) that can take.
      case 'nats-server-kill': disturb(time + num(d.durationMs)); break;
      // A process resumed after SIGSTOP, or reconnected after a partition: it may lag while its
      // connection, consumers and watches recover; the recorder states how long.
      case 'resume': disturb(time + num(d.durationMs)); break;
      case 'heal': {
        disturb(time + num(d.durationMs));
        // The relist follows within a second.
        const open = this.watchBreaks.get(component)?.at(-1);
        if (open !== undefined && open.until === Number.POSITIVE_INFINITY) open.until = time + 1_000;
        break;
      }
      default: break;
    }
  }

  /** Whether the gap from the last entry to `time` is a quiescent point (nothing crashed or cut off, nothing lagging). */
  quietBefore(time: number, quietMs: number): boolean {
    if (this.entries === 0 || !this.allUp()) return false;
    return time - Math.max(this.lastTime, this.backoffUntil) >= quietMs + this.extraQuietMs;
  }

  /** Fold one entry; returns the object as it was before the entry. */
  apply(e: Envelope): KObject | undefined {
    const before = this.store.applyReturningOld(e);
    this.lastSeq = e.seq;
    this.lastTime = e.time;
    if ((++this.entries & 4095) === 0) this.sweep();
    if (!isObjectEntry(e)) {
      this.input(e);
      return before;
    }
    const o = e.object;
    const deleted = e.type === 'DELETED';
    switch (o.kind) {
      case 'Pod': this.pod(before as Pod | undefined, deleted ? undefined : o as Pod, e.seq); break;
      case 'StatefulSet': this.statefulSet(o as StatefulSet, e.seq, deleted); break;
      case 'ReplicaSet': this.replicaSet(o as ReplicaSet, e.seq, deleted); break;
      case 'Node':
        if (deleted) this.nodesDown.delete(nameOf(o));
        break;
      case 'PodDisruptionBudget':
        if (!deleted) {
          const disrupted = (o as { status?: { disruptedPods?: Record<string, string> } }).status?.disruptedPods ?? {};
          for (const at of Object.values(disrupted)) {
            const t = parseTimestamp(at);
            if (t !== undefined) this.timersUntil = Math.max(this.timersUntil, t + DISRUPTED_POD_TIMEOUT_MS + 5_000);
          }
        }
        break;
      case 'PersistentVolumeClaim':
        if (deleted) {
          const k = `${nsOf(o)}/${nameOf(o)}`;
          this.claimGoneAt.delete(k);
          this.claimGoneAt.set(k, e.seq);
          if (this.claimGoneAt.size > 20_000) {
            let drop = 10_000;
            for (const key of this.claimGoneAt.keys()) { if (drop-- <= 0) break; this.claimGoneAt.delete(key); }
          }
        }
        break;
      default: break;
    }
    return before;
  }

  /**
   * Forget the ordinals of sets deleted long ago whose pods are gone: late controller writes planned
   * before a deletion are judged against them, and those come within seconds, not minutes.
   */
  private sweep(): void {
    for (const m of this.sets.values()) {
      if (m.deletedTime >= 0 && m.members === 0 && m.slots.size > 0 && this.lastTime - m.deletedTime > 600_000) m.slots.clear();
    }
  }

  /** Whether `component`'s writes at `time` may come from a snapshot that is no prefix of the log. */
  staleView(component: string, time: number): boolean {
    const until = this.staleViewUntil.get(component);
    return until !== undefined && time <= until;
  }

  private input(e: Envelope): void {
    const d = e.data as { fault?: unknown; component?: unknown; event?: unknown; node?: unknown; durationMs?: unknown } | undefined;
    if (e.type === 'FAULT' && typeof d?.node === 'string') {
      if (d.fault === 'node-down') this.nodesDown.add(d.node);
      if (d.fault === 'node-up') this.nodesDown.delete(d.node);
    }
    if (typeof d?.component !== 'string') return;
    if (e.type === 'FAULT') this.runtimeFault(e.time, d.component, e.data as Record<string, unknown>);
    if (e.type === 'FAULT' && d.fault === 'crash') this.crashed.add(d.component);
    if (e.type === 'FAULT' && (d.fault === 'pause' || d.fault === 'partition')) this.cutOff.add(d.component);
    if (e.type === 'FAULT' && (d.fault === 'resume' || d.fault === 'heal')) this.cutOff.delete(d.component);
    if (e.type === 'COMPONENT' && (d.event === 'start' || d.event === 'restart')) { this.crashed.delete(d.component); this.startedAt.set(d.component, e.time); }
  }

  private statefulSet(s: StatefulSet, seq: number, deleted: boolean): void {
    const uid = uidOf(s);
    let m = this.sets.get(uid);
    if (!m) {
      m = new SetModel(s, seq);
      m.createdTime = this.lastTime;
      this.sets.set(uid, m);
    }
    m.update(s, seq, deleted);
    if (deleted) m.deletedTime = this.lastTime;
    this.setsByName.set(`${nsOf(s)}/${nameOf(s)}`, m);
  }

  private replicaSet(rs: ReplicaSet, seq: number, deleted: boolean): void {
    const uid = uidOf(rs);
    let m = this.replicaSets.get(uid);
    if (!m) { m = new RsModel(rs, seq); m.createdTime = this.lastTime; this.replicaSets.set(uid, m); }
    m.update(rs, seq, deleted);
    if (deleted) m.deletedTime = this.lastTime;
    this.replicaSetsByName.set(`${nsOf(rs)}/${nameOf(rs)}`, m);
  }

  /**
   * Whether the garbage collector can have missed the deletion of an owner: its DELETED and the creation
   * of a new object of the same kind and name both fell into one window in which the collector's watch
   * was broken. The relist then brings one object for the name (client-go's DeltaFIFO Replace keys by
   * namespace/name, so the collector sees an update to the new object), and its dependency graph, keyed
   * by uid, never learns that the old owner is gone [GC GraphBuilder processGraphChanges].
   */
  gcMissedDeletion(deletedTime: number, successorCreatedTime: number | undefined): boolean {
    if (deletedTime < 0 || successorCreatedTime === undefined || successorCreatedTime < deletedTime) return false;
    return this.watchBrokenAcross('garbage-collector', deletedTime, successorCreatedTime);
  }

  private pod(before: Pod | undefined, after: Pod | undefined, seq: number): void {
    const oldSet = this.setOf(before);
    const newSet = this.setOf(after);
    if (oldSet !== undefined && oldSet === newSet) oldSet.updatePod(before!, after!, seq);
    else {
      if (oldSet) oldSet.removePod(before!, seq);
      if (newSet) newSet.addPod(after!, seq);
    }
    const oldRs = this.rsOf(before);
    const newRs = this.rsOf(after);
    if (oldRs) oldRs.count(before!, -1);
    if (newRs) newRs.count(after!, 1);
  }

  /** The (known) StatefulSet controlling a pod. */
  setOf(p: Pod | undefined): SetModel | undefined {
    const r = controllerOf(p, 'StatefulSet');
    return r === undefined ? undefined : this.sets.get(r.uid);
  }

  rsOf(p: Pod | undefined): RsModel | undefined {
    const r = controllerOf(p, 'ReplicaSet');
    return r === undefined ? undefined : this.replicaSets.get(r.uid);
  }

  /** The set a pod name belongs to by name (`<set>-<k>` in the namespace), if such a set is known. */
  setByPodName(namespace: string, podName: string): SetModel | undefined {
    const { parent, ordinal } = parseMemberName(podName);
    return ordinal < 0 ? undefined : this.setsByName.get(`${namespace}/${parent}`);
  }
}
