import type { Pod } from '@kubesim/api';
import { PHashMap } from '../framework/phashmap.js';
import type { NodeImages } from './images.js';

/** The kubelet component: one actor per node (`kubelet:<node>`), keys `<node>|<namespace>/<name>`. */
export const KUBELET_NAME = 'kubelet';

export interface KubeletConfig {
  /** The nodes this kubelet host runs (one shard each). A node's index here fixes its pod CIDR. */
  readonly nodes: readonly string[];
  /** Containers start this long after the pod's first status (status.startTime), seeded per pod uid. */
  readonly podStartupMs: readonly [number, number];
  /**
   * Exit code of containers still running when a graceful deletion's deadline passes: they are killed
   * (SIGKILL → 137, reason `Error` → phase Failed). 0 models containers that exit cleanly (Succeeded).
   */
  readonly killExitCode: number;
  /**
   * [attach/detach controller maxWaitForUnmountDuration]: a volume still mounted on an unhealthy node (its
   * kubelet cannot unmount it) is force-detached this long after its pod was deleted.
   */
  readonly forceDetachAfterMs: number;
  /**
   * Images no registry has (normal names, e.g. a tag that does not exist): every pull fails with
   * ErrImagePull, and is retried on the image pull back-off (ImagePullBackOff).
   */
  readonly missingImages?: readonly string[];
}

export const defaultKubeletConfig: KubeletConfig = { nodes: [], podStartupMs: [500, 1500], killExitCode: 137, forceDetachAfterMs: 360_000 };

/** A volume left attached (and mounted) on a node whose kubelet is stopped, since its pod's deletion. */
export interface StrandedAttachment {
  readonly node: string;
  /** Virtual time of the pod's deletion (the detach request). */
  readonly since: number;
  /** The kubelet came back or the node was deleted: the volume was detached (kept so that the handlers can wake the waiting pods). */
  readonly released?: boolean;
}

/**
 * FAULT entries the kubelet acts on (`data` of the log entry). A fault targets the pod of that name
 * that exists when the fault is logged (pods created later are not affected).
 */
export type KubeletFault =
  /** Force the pod's readiness (probe result) from now on; the pod stays Running. */
  | { readonly fault: 'pod-readiness'; readonly namespace?: string; readonly name: string; readonly ready: boolean }
  /** The kubelet fails the pod: phase Failed with this reason (default `Evicted`), containers terminated. */
  | { readonly fault: 'pod-fail'; readonly namespace?: string; readonly name: string; readonly reason?: string; readonly message?: string }
  /**
   * A container of the pod exits with `exitCode` (default 1) — now, and again `runMs` (default 1 s) after
   * each restart, `count` times in all (default 1). The pod stays Running (restartPolicy Always): the
   * kubelet restarts the container, the first time at once, then after the crash-loop back-off.
   */
  | {
    readonly fault: 'container-crash'; readonly namespace?: string; readonly name: string; readonly container?: string;
    readonly exitCode?: number; readonly count?: number; readonly runMs?: number;
  }
  /**
   * The node's kubelet stops (§1.13 node unreachable): no status writes, no container starts, no
   * confirmation of deletions, no heartbeats (the node-lifecycle controller reads the same fault).
   */
  | { readonly fault: 'node-down'; readonly node: string }
  /** The node's kubelet is back: it re-syncs every pod of the node and finishes pending deletions. */
  | { readonly fault: 'node-up'; readonly node: string };

export interface ReadinessFault { readonly time: number; readonly ready: boolean }
/** A `probe-failure` fault on a readiness probe: the container's probe fails from `time` until `until`. */
export interface ReadinessProbeFault { readonly time: number; readonly until: number; readonly container?: string }
export interface FailFault { readonly time: number; readonly reason: string; readonly message?: string }
/** A `container-crash` fault: crashes left to happen (each restart of the container crashes again until none is left). */
export interface CrashFault {
  readonly time: number;
  /** The container that crashes (undefined: the pod's first container). */
  readonly container?: string;
  readonly exitCode: number;
  readonly runMs: number;
  readonly count: number;
  readonly remaining: number;
  /**
   * A `probe-failure` fault: the container's liveness or startup probe fails (from the fault, and again
   * after each restart): `Unhealthy` at each period, killed at failureThreshold — instead of exiting after `runMs`.
   */
  readonly probe?: 'liveness' | 'startup';
}
/**
 * [flowcontrol.Backoff] entry of one container (the kubelet's crash-loop back-off, keyed `uid/container`),
 * as of its last crash: the back-off the next crash waits (`ms`), when it was last moved (`lastUpdate`,
 * the crash's finishedAt), when the crashed container restarts (`restartAt`), which instance crashed.
 */
export interface CrashBackoff {
  readonly ms: number;
  readonly lastUpdate: number;
  readonly restartAt: number;
  /** The restartCount of the crashed instance this entry is for (each instance crashes once). */
  readonly instance: number;
}

/**
 * What this kubelet has written but not yet seen in its cache (keyed by pod uid): an admission (the
 * first status), an IP, or simply "a status write based on resourceVersion X is out". Keeps two pods
 * from being admitted onto the same host port or given the same IP while their writes are in flight.
 */
export interface PendingWrite {
  readonly node: string;
  readonly namespace: string;
  readonly name: string;
  /** The first status (admission) is written but startTime is not yet observed. */
  readonly admitted: boolean;
  /** The pod IP written, until status.podIP is observed. */
  readonly ip?: string;
  /** The resourceVersion the last in-flight write was based on. */
  readonly basedOn?: string;
  /** The final delete was sent: nothing more to do until the pod is gone. */
  readonly deleting?: boolean;
}

export interface KubeletLocal {
  /** Latest readiness fault per `namespace/name`. */
  readonly readiness: ReadonlyMap<string, ReadinessFault>;
  /** Failing readiness probes (`probe-failure` faults), by pod key. */
  readonly readinessProbes: ReadonlyMap<string, ReadinessProbeFault>;
  /** Latest fail fault per `namespace/name`. */
  readonly failures: ReadonlyMap<string, FailFault>;
  /** Latest container-crash fault per `namespace/name`, with the crashes it has left. */
  readonly crashes: ReadonlyMap<string, CrashFault>;
  /**
   * Failed liveness probes recorded per container instance (`uid/container#restartCount`) — the prober
   * worker's failure count, in memory only (a restarted kubelet starts counting again).
   */
  readonly probeFailures: ReadonlyMap<string, number>;
  /** Crash-loop back-off per `uid/container`. */
  readonly backoff: ReadonlyMap<string, CrashBackoff>;
  /**
   * When this kubelet incarnation last recorded `BackOff` for a container (`uid/container`): the pod worker
   * syncs a pod whose sync failed again after 10–15 s ([podWorkers backOffPeriod]), recording it each time.
   */
  readonly backoffEvents: ReadonlyMap<string, number>;
  /** By pod uid; persistent, since it can hold every pod of a mass start or termination. */
  readonly pending: PHashMap<PendingWrite>;
  /** Pods (uid) already warned with FailedAttachVolume, and for which volumes. */
  readonly warned: ReadonlyMap<string, readonly string[]>;
  /**
   * Pods (uid) whose running containers this kubelet incarnation has begun to stop (`Killing` recorded),
   * with the time they are killed: the pod's deletion grace period from when the kubelet began — not from
   * the API server's deletion ([podWorkers calculateEffectiveGracePeriod]: a kubelet that sees the
   * deletion late, cut off or restarted, still gives the containers their whole grace period; a shorter
   * grace from a second deletion brings the time forward). Not rebuilt from the log: a restarted kubelet
   * kills a terminating pod's containers again, as Kubernetes' does.
   */
  readonly killing: ReadonlyMap<string, number>;
  /**
   * Pods deleted from the API server while their containers ran here (a force deletion, grace 0), by
   * kubelet key: the kubelet still stops their containers, recording `Killing` about the deleted pod.
   */
  readonly orphans: ReadonlyMap<string, Pod>;
  /** Nodes whose kubelet is stopped (`node-down` fault, until `node-up`), with the fault's time. */
  readonly down: ReadonlyMap<string, number>;
  /**
   * Claims (`namespace/name`) whose volume stays attached to a stopped node after its pod was deleted
   * there: nothing unmounts it, so the attach/detach controller detaches it only when the kubelet comes
   * back, the node is deleted or tainted out-of-service, or `forceDetachAfterMs` after the deletion.
   */
  readonly stranded: ReadonlyMap<string, StrandedAttachment>;
  /**
   * Images whose pull this incarnation finished, per node, with when (images.ts): the container runtime's
   * store outlives the kubelet, so a restarted kubelet learns it again from the node's status and the
   * started containers of the node's pods.
   */
  readonly images: NodeImages;
  /**
   * The image pull back-off per `uid/image` ([kubelet imageBackOff], flowcontrol.Backoff 10 s doubling to
   * 300 s): the last failed pull and the current period. In memory only: a restarted kubelet pulls at once.
   */
  readonly pullBackoff: ReadonlyMap<string, { readonly at: number; readonly periodMs: number }>;
  /**
   * Failed mounts of ConfigMap and Secret volumes per `uid/volume` ([nestedpendingoperations]): how many, and
   * the last one's time; the next attempt waits 500 ms doubled per failure, at most 2m2s. In memory only.
   */
  readonly mountFailures: ReadonlyMap<string, { readonly failures: number; readonly at: number }>;
  /** Pods (uid) whose ConfigMap and Secret volumes mounted after failing, with when: their sandbox began then. */
  readonly mountedAt: ReadonlyMap<string, number>;
}

export const initialKubeletLocal = (): KubeletLocal => ({
  readiness: new Map(), readinessProbes: new Map(), failures: new Map(), crashes: new Map(), probeFailures: new Map(), backoff: new Map(), backoffEvents: new Map(), pending: PHashMap.empty(), warned: new Map(), killing: new Map(), orphans: new Map(), down: new Map(), stranded: new Map(), images: new Map(), pullBackoff: new Map(), mountFailures: new Map(), mountedAt: new Map(),
});

/** `<node>|<namespace>/<name>` */
export const kubeletKey = (node: string, namespace: string, name: string): string => `${node}|${namespace}/${name}`;

/** The key of a node's own status (the images it holds): `<node>|/` (no pod has an empty name). */
export const nodeStatusKey = (node: string): string => `${node}|/`;

export const parseKubeletKey = (key: string): { node: string; namespace: string; name: string } => {
  const bar = key.indexOf('|');
  const rest = key.slice(bar + 1);
  const slash = rest.indexOf('/');
  return { node: key.slice(0, bar), namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
};

/** The shard (node) of a key. */
export const kubeletShardOf = (key: string): string => key.slice(0, key.indexOf('|'));
