import { conditionGeneration, isTerminal, merged, normalizeImageName, parseTimestamp, podClaimNames, seededBetween, type Container, type Pod } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import type { ReconcileInput, ReconcileResult } from '../framework/component.js';
import { event, seq, write, type EventSpec, type PlanOutcome, type Step, type WriteStep } from '../framework/plan.js';
import { involvedOf } from '../framework/recorder.js';
import { admitPod, REJECTED_PREFIX } from './admission.js';
import { faultApplies, withoutPod } from './local.js';
import { allocatePodIp, hostIpOf, nodeIndex } from './network.js';
import { backoffAt, crashTarget, goDuration, lastTermination, podFormat, type ContainerTerminated } from './crash.js';
import {
  anyContainerRunning, containerId, containersStarted, isRestartableInit, kubeletConditions, mainContainersStarted, readyAtMs, runningStatus, startedAtMs, startsAtOnce, terminalPhase, terminatedStatus, timestamp,
  statusObservedGeneration, unknownTerminatedStatus, waitingStatus, withObservedGeneration, withStatus, type ContainerStatus, type PodCondition,
} from './status.js';
import { type CrashFault, type KubeletConfig, type KubeletLocal, type PendingWrite, type ReadinessProbeFault, parseKubeletKey } from './types.js';
import { attachBlock, claimsReady } from './volumes.js';
import { CONFIG_ERROR, envConfigError, mountFailedMessage, mountRetryDelayMs, volumeMountErrors } from './config.js';
import { nodeExpanded, nodeResizePending } from '../volume/resize.js';
import {
  backOffEvent, createFailedEvent, killingEvent, probeKillingEvent, neverPullEvent, probeFailureOutput, pullBackoffEvents, pullFailedEvents, pullingEvent, startEvents,
  unhealthyEvent, type ContainerList,
} from './events.js';
import {
  heldAt, SANDBOX_WAIT_REASONS, imageMissing, NEVER_PULL, neverPullMessage, nodeHoldings, nodeImagesReport, PULL_BACKOFF, PULL_FAILED, pullBackoffMessage,
  pullBackoffUntil, pullDecisions, pullErrorMessage, pullFailed, rememberPulls, shouldPull, type NodeHoldings,
} from './images.js';

type Input = ReconcileInput<KubeletConfig, KubeletLocal>;
type Result = ReconcileResult<KubeletLocal>;

export const STATUS_TAG = 'status';
export const DELETE_TAG = 'delete';

const DEFAULT_EVICTION_MESSAGE = 'The node was low on resource: memory. ';

// ---- plan helpers ------------------------------------------------------------------------------

/** The status write: update pods/status of `next` (built from the pod read, so it carries the resourceVersion read). */
const statusWrite = (next: Pod, extra: Pick<WriteStep, 'onSuccess'> = {}): Step =>
  write({ verb: 'update', subresource: 'status', object: withObservedGeneration(next) }, { tag: STATUS_TAG, ...extra });

/** [status_manager syncPod]: the final delete, grace 0, preconditioned on the uid (NodeRestriction). */
const deleteWrite = (pod: Pod): Step => write({
  verb: 'delete', kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '',
  gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? '' },
}, { tag: DELETE_TAG, ignore: ['NotFound'] });

const setPending = (local: KubeletLocal, pod: Pod, node: string, change: Partial<PendingWrite>): KubeletLocal => {
  const uid = pod.metadata?.uid ?? '';
  const prev = local.pending.get(uid);
  const next: PendingWrite = {
    node, namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', admitted: prev?.admitted ?? false,
    ...(prev?.ip ? { ip: prev.ip } : {}), ...change,
  };
  return { ...local, pending: local.pending.set(uid, next) };
};

/** Mark "a write based on this resourceVersion is out"; cleared again if the plan fails. */
const writing = (local: KubeletLocal, pod: Pod, node: string, change: Partial<PendingWrite> = {}): Pick<Result, 'local' | 'onDone'> => {
  const uid = pod.metadata?.uid ?? '';
  return {
    local: setPending(local, pod, node, merged(change, { basedOn: pod.metadata?.resourceVersion ?? '' })),
    onDone: (o: PlanOutcome, l: KubeletLocal) => {
      const w = l.pending.get(uid);
      if (!w || (w.basedOn === undefined && !w.deleting)) return l;
      if (o.ok) {
        // A status write the API server found unchanged appends nothing: no MODIFIED entry will bring the pod
        // back, so the sync must not wait for one.
        if (w.basedOn === undefined || o.results?.get(STATUS_TAG)?.metadata?.resourceVersion !== w.basedOn) return l;
        const { basedOn: _b, ...kept } = w;
        return { ...l, pending: l.pending.set(uid, kept) };
      }
      const { basedOn: _b, deleting: _d, ...rest } = w;
      return { ...l, pending: l.pending.set(uid, rest) };
    },
  };
};

// ---- status computations -----------------------------------------------------------------------

const statusOf = (pod: Pod, name: string): ContainerStatus | undefined => pod.status?.containerStatuses?.find((s) => s.name === name);

/** Final container states of a terminating pod: started containers are killed, the others are lost. */
const terminatedContainers = (pod: Pod, exitCode: number, now: number): ContainerStatus[] =>
  (pod.spec?.containers ?? []).map((c) => {
    const s = statusOf(pod, c.name);
    if (s?.state?.terminated) return s;
    if (s?.state?.running) return terminatedStatus(s, exitCode, now);
    // Waiting in the crash-loop back-off: its last instance's exit is its final state.
    const last = lastTermination(s);
    if (s && last) return { ...s, ready: false, started: false, state: { terminated: last } };
    return unknownTerminatedStatus(c, s);
  });

/**
 * Final states of a terminating pod's init containers: a running one (a sidecar, or one mid-init) is
 * killed, one waiting to be restarted ends as its last instance did; the others stay as they are.
 */
const terminatedInits = (pod: Pod, exitCode: number, now: number): ContainerStatus[] | undefined => {
  const inits = pod.status?.initContainerStatuses;
  return inits === undefined ? undefined : inits.map((s) => {
    if (s.state?.running) return terminatedStatus(s, exitCode, now);
    // Waiting in the crash-loop back-off: its last instance's exit is its final state.
    const last = s.state?.waiting ? lastTermination(s) : undefined;
    return last ? { ...s, ready: false, started: false, state: { terminated: last } } : s;
  });
};

/** The pods admitted on the node (have a first status, or one in flight), not terminal, except `pod`. */
const admittedPods = (snap: Snapshot, pod: Pod, node: string, local: KubeletLocal): { pods: Pod[]; scanned: number } => {
  const uid = pod.metadata?.uid;
  const pods: Pod[] = [];
  let scanned = 0;
  for (const p of snap.byIndex('Pod', 'node', node)) {
    scanned++;
    const u = p.metadata?.uid ?? '';
    if (u === uid || isTerminal(p)) continue;
    if (p.status?.startTime || local.pending.get(u)?.admitted) pods.push(p);
  }
  return { pods, scanned };
};

// ---- the steps of a pod's life on the node -----------------------------------------------------

/** Step 1: admission, volumes, then the first status (ContainerCreating). */
const admitAndCreate = (input: Input, pod: Pod, node: string): Result => {
  const { snapshot: snap, now, local, config } = input;
  const nodeObj = snap.get('Node', '', node);
  const { pods: others, scanned } = admittedPods(snap, pod, node, local);
  const rejection = admitPod(pod, nodeObj, node, others);
  if (rejection) {
    // [kubelet rejectPod]: Failed with reason/message only; kubelet-owned conditions are not kept.
    const keep = (pod.status?.conditions ?? []).filter((c) => !['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers'].includes(c.type));
    const next = withStatus(pod, {
      phase: 'Failed', reason: rejection.reason, message: REJECTED_PREFIX + rejection.message,
      startTime: pod.status?.startTime ?? timestamp(now), conditions: keep.length > 0 ? keep : undefined,
    });
    return {
      plan: statusWrite(next, { onSuccess: { type: 'Warning', reason: rejection.reason, message: rejection.message, involved: involvedOf(pod) } }),
      ...writing(local, pod, node), workUnits: scanned,
    };
  }
  if (!claimsReady(snap, pod)) return { workUnits: scanned };
  const hostIP = hostIpOf(nodeObj, nodeIndex(config, node));
  // With init containers every container waits in PodInitializing [convertToAPIContainerStatuses].
  const inits = pod.spec?.initContainers ?? [];
  const waiting = inits.length > 0 ? 'PodInitializing' : 'ContainerCreating';
  const statuses = (pod.spec?.containers ?? []).map((c) => waitingStatus(c, waiting));
  const initStatuses = inits.length > 0 ? inits.map((c) => waitingStatus(c, waiting)) : undefined;
  const next = withStatus(pod, {
    phase: 'Pending', hostIP, hostIPs: [{ ip: hostIP }], startTime: timestamp(now),
    conditions: kubeletConditions(pod, 'Pending', statuses, now, [], initStatuses ?? []), initContainerStatuses: initStatuses, containerStatuses: statuses,
  });
  // The first container's image pull, if it pulls, starts with the pod's sandbox.
  const first = inits[0] ?? pod.spec?.containers?.[0];
  // Not while a ConfigMap or Secret volume cannot be mounted: the sandbox waits for the volumes.
  const pullsFirst = first !== undefined && firstPulls(input, pod, nodeHoldings(snap, local, node), first) && volumeMountErrors(snap, pod).length === 0;
  const pulling = pullsFirst ? event(pullingEvent(pod, first, inits.length > 0 ? 'initContainers' : 'containers')) : undefined;
  return { plan: pulling ? seq(statusWrite(next), pulling) : statusWrite(next), ...writing(local, pod, node, { admitted: true }), workUnits: scanned };
};

/**
 * Whether the first container of the pod's sandbox pulls its image: decided when the pod is admitted (its
 * startTime), where its `Pulling` is recorded, and read again when it starts.
 */
const firstPulls = (input: Input, pod: Pod, h: NodeHoldings, c: Container): boolean =>
  shouldPull(c, heldAt(h, c.image ?? '', parseTimestamp(pod.status?.startTime) ?? input.now));

/**
 * Container `started` and readiness at `now`: started by the startup probe's first success (at once without
 * one); ready — only once started — forced by a fault (for a running container), else by the readiness
 * probe's first success.
 */
const readiness = (pod: Pod, statuses: readonly ContainerStatus[], now: number, forced: boolean | undefined, down?: ProbeDown, failingStartup?: FailingStartup) => {
  let nextAt: number | undefined;
  const wake = (at: number): void => { if (at > now) nextAt = nextAt === undefined ? at : Math.min(nextAt, at); };
  const started: boolean[] = [];
  const ready = (pod.spec?.containers ?? []).map((c, k) => {
    const s = statuses.find((x) => x.name === c.name);
    // A startup probe that a fault fails never succeeds: the instance is not started, nor ready.
    if (c.name === failingStartup?.name && startupFailureApplies(failingStartup, c, s)) { started[k] = false; return false; }
    const startAt = startedAtMs(c, s);
    if (startAt !== undefined) wake(startAt);
    started[k] = startAt !== undefined && startAt <= now;
    if (forced !== undefined) return forced && started[k]!;
    const at = readyAtMs(c, s);
    if (at === undefined) return false;
    wake(at);
    if (down !== undefined && down.container === c.name && down.from !== undefined) {
      wake(down.from);
      wake(down.until);
      if (now >= down.from && now < down.until) return false;
    }
    return at <= now;
  });
  return { ready, started, requeueAfterMs: nextAt === undefined ? undefined : nextAt - now };
};

/** The statuses with each running container's `started` and readiness as `readiness` computed them (unchanged objects kept). */
const withReady = (pod: Pod, statuses: readonly ContainerStatus[], ready: readonly boolean[], started: readonly boolean[]): ContainerStatus[] =>
  statuses.map((s) => {
    const k = (pod.spec?.containers ?? []).findIndex((c) => c.name === s.name);
    if (k < 0) return s;
    const st = s.state?.running !== undefined ? started[k]! : s.started;
    return s.ready !== ready[k] || s.started !== st ? { ...s, ready: ready[k]!, started: st } : s;
  });

/**
 * The pod's sandbox: once its volumes can be attached (else `FailedAttachVolume`, once per volume) and
 * the seeded startup delay from startTime is over, an IP on the node — or the wait before it.
 */
const sandbox = (input: Input, pod: Pod, node: string): { ip: string; scanned: number } | Result => {
  const { snapshot: snap, now, local, config, seed } = input;
  const uid = pod.metadata?.uid ?? '';
  const block = attachBlock(snap, pod, node, local.stranded, now, config.forceDetachAfterMs);
  if (block) {
    const retry = block.retryAfterMs !== undefined ? { requeueAfterMs: block.retryAfterMs } : {};
    if ((local.warned.get(uid) ?? []).includes(block.pv)) return { workUnits: block.scanned, ...retry };
    return {
      plan: event({ type: 'Warning', reason: 'FailedAttachVolume', message: block.message, involved: involvedOf(pod) }),
      local: { ...local, warned: new Map(local.warned).set(uid, [...(local.warned.get(uid) ?? []), block.pv]) },
      workUnits: block.scanned, ...retry,
    };
  }
  const mount = mountConfigVolumes(input, pod, node);
  if (mount) return mount;
  const [lo, hi] = config.podStartupMs;
  const startAt = sandboxBegan(local, pod, now) + seededBetween(seed, uid, lo, hi);
  if (now < startAt) return { requeueAfterMs: startAt - now, workUnits: 1 };
  const { ip, scanned } = allocatePodIp(snap, pod, node, nodeIndex(config, node), local.pending);
  if (!ip) return { error: `no free pod IP on node ${node}`, workUnits: scanned };
  return { ip, scanned };
};

/**
 * The ConfigMap and Secret volumes' SetUp [configmap.go, secret.go, projected.go]: each volume whose source is
 * missing (not optional) fails, recording `FailedMount` `MountVolume.SetUp failed for volume "config" :
 * configmap "db-config" not found`, and is tried again after its exponential back-off (500 ms doubled per
 * failure, at most 2m2s); the pod waits in ContainerCreating until every one mounts. Undefined once they all do.
 */
const mountConfigVolumes = (input: Input, pod: Pod, node: string): Result | undefined => {
  const { snapshot: snap, now, local, config, seed } = input;
  const failing = volumeMountErrors(snap, pod);
  const uid = pod.metadata?.uid ?? '';
  if (failing.length === 0) {
    const mountFailures = withoutPod(local.mountFailures, uid);
    if (mountFailures === local.mountFailures) return undefined;
    // Mounted after failures: the sandbox, and the first container's pull, begin now.
    const first = pod.spec?.initContainers?.[0] ?? pod.spec?.containers?.[0];
    const pulls = first !== undefined && firstPulls(input, pod, nodeHoldings(snap, local, node), first);
    return {
      ...(pulls ? { plan: event(pullingEvent(pod, first, (pod.spec?.initContainers?.length ?? 0) > 0 ? 'initContainers' : 'containers')) } : {}),
      local: { ...local, mountFailures, mountedAt: new Map(local.mountedAt).set(uid, now) },
      requeueAfterMs: seededBetween(seed, uid, config.podStartupMs[0], config.podStartupMs[1]), workUnits: 1,
    };
  }
  let mountFailures = local.mountFailures;
  const events: EventSpec[] = [];
  let next = Infinity;
  for (const f of failing) {
    const k = `${uid}/${f.volume}`;
    const prev = mountFailures.get(k);
    const due = prev === undefined ? now : prev.at + mountRetryDelayMs(prev.failures);
    if (now < due) { next = Math.min(next, due); continue; }
    const failures = (prev?.failures ?? 0) + 1;
    mountFailures = new Map(mountFailures).set(k, { failures, at: now });
    events.push({ type: 'Warning', reason: 'FailedMount', message: mountFailedMessage(f.volume, f.message), involved: involvedOf(pod) });
    next = Math.min(next, now + mountRetryDelayMs(failures));
  }
  return {
    ...(events.length > 0 ? { plan: seq(...events.map(event)) } : {}),
    ...(mountFailures !== local.mountFailures ? { local: { ...local, mountFailures } } : {}),
    requeueAfterMs: next - now, workUnits: 1,
  };
};

/**
 * When the pod's sandbox began to be made — and its first container's pull, if it pulls: at its admission
 * (startTime), or once its ConfigMap and Secret volumes mounted after failing.
 */
const sandboxBegan = (local: KubeletLocal, pod: Pod, now: number): number =>
  local.mountedAt.get(pod.metadata?.uid ?? '') ?? parseTimestamp(pod.status?.startTime) ?? now;

const isSandbox = (x: { ip: string; scanned: number } | Result): x is { ip: string; scanned: number } => typeof (x as { ip?: unknown }).ip === 'string';

/**
 * The pod's containers started at `now`, one after another: their running statuses with readiness
 * applied, when the next one turns ready, their start events, and the kubelet's state with the images
 * they pulled. With `firstPull`, the first container's pull began with the sandbox (its `Pulling`
 * recorded then, if it pulls) and took that long; every other one that pulls, pulls now.
 */
const startMain = (input: Input, pod: Pod, node: string, forced: boolean | undefined, firstPull: number | undefined) => {
  const { now, seed, snapshot, local, config } = input;
  const uid = pod.metadata?.uid ?? '';
  const startedAt = timestamp(now);
  const containers = pod.spec?.containers ?? [];
  const pulledFirst = firstPull !== undefined;
  const h = nodeHoldings(snapshot, local, node);
  const first = pulledFirst && containers[0] ? firstPulls(input, pod, h, containers[0]) : undefined;
  const d = pullDecisions(h, containers, now, first, config.missingImages);
  // A pull of an image no registry has fails (ErrImagePull) and starts the image pull back-off, which a
  // later container of the same image then meets ([IsInBackOffSinceUpdate], keyed by pod and image).
  const failed = containers.map((c, k) => d.pulls[k]! && imageMissing(config.missingImages, c.image ?? ''));
  const firstFailure = new Map<string, number>();
  for (const [k, c] of containers.entries()) if (failed[k] && !firstFailure.has(normalizeImageName(c.image ?? ''))) firstFailure.set(normalizeImageName(c.image ?? ''), k);
  const backingOff = containers.map((c, k) => failed[k]! && firstFailure.get(normalizeImageName(c.image ?? '')) !== k);
  // With its image there, a container whose environment cannot be made waits in CreateContainerConfigError.
  const configError = containers.map((c, k) => (d.blocked[k] || failed[k] ? undefined : envConfigError(snapshot, pod, c)));
  const provisional = containers.map((c, k) => (d.blocked[k] ? neverPullStatus(c) : backingOff[k] ? pullBackoffStatus(c) : failed[k] ? pullFailedStatus(c)
    : configError[k] !== undefined ? configErrorStatus(c, configError[k]!)
      : runningStatus(c, containerId(seed, uid, c.name), startedAt, false)));
  const r = readiness(pod, provisional, now, forced, undefined, startupFailing(input, pod));
  // A container that cannot start is reported, and retried at the pod worker's next sync; the others start.
  let next = rememberPulls(local, node, d.pulled, now);
  for (const [k, c] of containers.entries()) if (failed[k] && !backingOff[k]) next = pullFailed(next, uid, c.image ?? '', now);
  const waiting = containers.filter((_, k) => d.blocked[k] || failed[k] || configError[k] !== undefined);
  if (waiting.length > 0) next = imageTried(next, uid, waiting, now);
  return {
    statuses: withReady(pod, provisional, r.ready, r.started),
    requeueAfterMs: waiting.length > 0 ? Math.min(r.requeueAfterMs ?? Infinity, podWorkerRetryMs(seed, uid, now)) : r.requeueAfterMs,
    events: containers.flatMap((c, k) => {
      const pullingNow = !(k === 0 && pulledFirst);
      if (d.blocked[k]) return [neverPullEvent(pod, c, neverPullMessage(c.image ?? ''))];
      if (backingOff[k]) return pullBackoffEvents(pod, c, pullBackoffMessage(c.image ?? ''));
      if (failed[k]) return pullFailedEvents(pod, c, pullErrorMessage(c.image ?? ''), pullingNow);
      const start = startEvents(pod, c, d.pulls[k]!, k === 0 && pulledFirst ? firstPull : 0, pullingNow);
      return configError[k] !== undefined ? configErrorEvents(start, pod, c, configError[k]!) : start;
    }),
    local: next,
    blocked: waiting.length > 0,
  };
};

/** A container whose environment cannot be made (kubectl: CreateContainerConfigError). */
const configErrorStatus = (c: Container, message: string): ContainerStatus => imageWaitStatus(c, CONFIG_ERROR, message);

/**
 * [kuberuntime startContainer]: the image is ensured first (its `Pulling`/`Pulled`, from `start`), then the
 * container's config fails: Warning `Failed` `Error: configmap "x" not found` about the container.
 */
const configErrorEvents = (start: readonly EventSpec[], pod: Pod, c: Container, message: string, list: ContainerList = 'containers'): EventSpec[] => [
  ...start.filter((e) => e.reason === 'Pulling' || e.reason === 'Pulled'), createFailedEvent(pod, c, message, list),
];

/** A container waiting for its image, with the reason and message kubectl shows. */
const imageWaitStatus = (c: Container, reason: string, message: string): ContainerStatus =>
  ({ ...waitingStatus(c, reason), state: { waiting: { reason, message } } });

/** A container whose pull failed (kubectl: ErrImagePull). */
const pullFailedStatus = (c: Container): ContainerStatus => imageWaitStatus(c, PULL_FAILED, pullErrorMessage(c.image ?? ''));

/** A container whose pull waits out its back-off (kubectl: ImagePullBackOff). */
const pullBackoffStatus = (c: Container): ContainerStatus => imageWaitStatus(c, PULL_BACKOFF, pullBackoffMessage(c.image ?? ''));

/** A container waiting because its image is absent under policy `Never` (kubectl: ErrImageNeverPull). */
const neverPullStatus = (c: Container): ContainerStatus => imageWaitStatus(c, NEVER_PULL, neverPullMessage(c.image ?? ''));

/**
 * When these containers last tried for their image (ErrImageNeverPull, a failed pull, its back-off): the
 * next try waits for the pod worker's retry (10 s at least), as BackOff's events do.
 */
const imageTried = (local: KubeletLocal, uid: string, containers: readonly Container[], now: number): KubeletLocal => {
  const backoffEvents = new Map(local.backoffEvents);
  for (const c of containers) backoffEvents.set(`${uid}/${c.name}`, now);
  return { ...local, backoffEvents };
};

/** [podWorkers completeWork]: a pod whose sync failed is synced again after backOffPeriod, jittered by half. */
const podWorkerRetryMs = (seed: number, uid: string, now: number): number =>
  seededBetween(seed, `${uid}:backoff:${Math.floor(now)}`, BACKOFF_RESYNC_MS[0], BACKOFF_RESYNC_MS[1]);

/**
 * Step 2n: containers waiting for their image are tried again at each pod sync — the pod worker retries
 * a failed sync after 10–15 s; a wake-up in between does nothing. ErrImageNeverPull: started once the node
 * holds the image (another pod pulled it), else the Warning again. ErrImagePull / ImagePullBackOff: within
 * the image pull back-off (10 s doubling to 300 s from the last failure) `BackOff` and `Error:
 * ImagePullBackOff`; past it, another pull — which fails again for an image no registry has. Until then
 * the pod stays Pending; the readiness of the containers that did start goes on meanwhile.
 */
const retryWaiting = (input: Input, pod: Pod, node: string, forced: boolean | undefined): Result => {
  const { now, local, seed, snapshot } = input;
  const uid = pod.metadata?.uid ?? '';
  const containers = pod.spec?.containers ?? [];
  const events: EventSpec[] = [];
  const tried: Container[] = [];
  let held = local;
  let startedNow = false;
  let h: NodeHoldings | undefined;
  const current = pod.status?.containerStatuses ?? [];
  const next = current.map((s) => {
    const c = containers.find((x) => x.name === s.name);
    const reason = s.state?.waiting?.reason;
    if (!c || reason === undefined || !SANDBOX_WAIT_REASONS.has(reason)) return s;
    const image = c.image ?? '';
    const last = local.backoffEvents.get(`${uid}/${c.name}`);
    const due = last === undefined || now - last >= BACKOFF_RESYNC_MS[0];
    if (reason === CONFIG_ERROR) {
      if (!due) return s;
      tried.push(c);
      // The image is there (it was ensured before); the config is made again.
      const error = envConfigError(snapshot, pod, c);
      const start = startEvents(pod, c, false, 0, true);
      if (error !== undefined) { events.push(...configErrorEvents(start, pod, c, error)); return error === s.state?.waiting?.message ? s : configErrorStatus(c, error); }
      startedNow = true;
      events.push(...start);
      // A container that ran before (a crash) is restarted: restartCount + 1, the crash kept as lastState.
      const crashed = s.lastState?.terminated;
      return crashed !== undefined ? restartedStatus(s, crashed, seed, uid, '', timestamp(now), startsAtOnce(c)) : runningStatus(c, containerId(seed, uid, c.name), timestamp(now), false);
    }
    if (reason === NEVER_PULL) {
      h ??= nodeHoldings(snapshot, local, node);
      if (heldAt(h, image, now)) {
        startedNow = true;
        events.push(...startEvents(pod, c, false, 0, true));
        return runningStatus(c, containerId(seed, uid, c.name), timestamp(now), false);
      }
      if (due) { events.push(neverPullEvent(pod, c, neverPullMessage(image))); tried.push(c); }
      return s;
    }
    if (!due) return s;
    tried.push(c);
    const step = retryPull(input, pod, node, c, s, held, 'containers');
    events.push(...step.events);
    held = step.local;
    if (step.status.state?.running !== undefined) startedNow = true;
    return step.status;
  });
  const stillBlocked = next.some((x) => SANDBOX_WAIT_REASONS.has(x.state?.waiting?.reason ?? ''));
  // [getPhase]: a waiting container that has run before counts as stopped (restartPolicy Always: Running).
  const neverStarted = next.some((x) => SANDBOX_WAIT_REASONS.has(x.state?.waiting?.reason ?? '') && x.lastState?.terminated === undefined);
  const r = readiness(pod, next, now, forced, undefined, startupFailing(input, pod));
  const statuses = withReady(pod, next, r.ready, r.started);
  const changed = startedNow || statuses.some((x, i) => x !== current[i]);
  if (tried.length > 0) held = imageTried(held, uid, tried, now);
  const after = [r.requeueAfterMs, stillBlocked ? podWorkerRetryMs(seed, uid, now) : undefined].filter((x): x is number => x !== undefined);
  const requeue = after.length > 0 ? { requeueAfterMs: Math.min(...after) } : {};
  if (!changed) return { ...(events.length > 0 ? { plan: seq(...events.map(event)) } : {}), ...(held !== local ? { local: held } : {}), ...requeue, workUnits: 1 };
  const phase = neverStarted ? 'Pending' : 'Running';
  const updated = withStatus(pod, { phase, containerStatuses: statuses, conditions: kubeletConditions(pod, phase, statuses, now) });
  return { plan: seq(statusWrite(updated), ...events.map(event)), ...writing(held, pod, node), ...requeue, workUnits: 1 };
};

/**
 * Another try for a container whose pull failed (ErrImagePull / ImagePullBackOff), at a pod-worker retry:
 * within the image pull back-off `BackOff` and `Error: ImagePullBackOff`; past it, another pull — which
 * fails again for an image no registry has (not otherwise reachable while a run's missing images are
 * fixed: then it is pulled and started, so the state machine stays total).
 */
const retryPull = (input: Input, pod: Pod, node: string, c: Container, s: ContainerStatus, local: KubeletLocal, list: ContainerList) => {
  const { now, seed, config } = input;
  const uid = pod.metadata?.uid ?? '';
  const image = c.image ?? '';
  const reason = s.state?.waiting?.reason;
  if (pullBackoffUntil(local, uid, image, now) !== undefined) {
    return { status: reason === PULL_BACKOFF ? s : pullBackoffStatus(c), events: pullBackoffEvents(pod, c, pullBackoffMessage(image), list), local };
  }
  if (imageMissing(config.missingImages, image)) {
    return { status: reason === PULL_FAILED ? s : pullFailedStatus(c), events: pullFailedEvents(pod, c, pullErrorMessage(image), true, list), local: pullFailed(local, uid, image, now) };
  }
  const id = list === 'containers' ? c.name : `init/${c.name}`;
  return { status: runningStatus(c, containerId(seed, uid, id), timestamp(now), false), events: startEvents(pod, c, true, 0, true, list), local: rememberPulls(local, node, [image], now) };
};

/** Step 2: the attach check, the seeded startup delay, then Running with an IP. */
const startContainers = (input: Input, pod: Pod, node: string, forced: boolean | undefined): Result => {
  const { now } = input;
  const box = sandbox(input, pod, node);
  if (!isSandbox(box)) return box;
  const { ip, scanned } = box;
  // The first container's pull (if any) took the startup delay.
  const started = startMain(input, pod, node, forced, now - sandboxBegan(input.local, pod, now));
  // [getPhase]: a container that has never run (ErrImageNeverPull, ErrImagePull) keeps the pod Pending.
  const phase = started.blocked ? 'Pending' : 'Running';
  const next = withStatus(pod, {
    phase, podIP: ip, podIPs: [{ ip }], containerStatuses: started.statuses,
    conditions: kubeletConditions(pod, phase, started.statuses, now),
  });
  return {
    plan: seq(statusWrite(next), ...started.events.map(event)), ...writing(started.local, pod, node, { ip }), workUnits: scanned,
    ...(started.requeueAfterMs !== undefined ? { requeueAfterMs: started.requeueAfterMs } : {}),
  };
};

/**
 * Sidecar readiness: a running restartable init container is ready once its readiness probe has passed
 * (probe delay from its start); when the next one is due.
 */
const sidecarReadiness = (pod: Pod, initStatuses: readonly ContainerStatus[], now: number, failingStartup?: FailingStartup): { statuses: ContainerStatus[]; nextAt: number | undefined } => {
  let nextAt: number | undefined;
  const wake = (at: number): void => { if (at > now) nextAt = nextAt === undefined ? at : Math.min(nextAt, at); };
  const statuses = initStatuses.map((s) => {
    const c = (pod.spec?.initContainers ?? []).find((x) => x.name === s.name);
    if (!c || !isRestartableInit(c) || s.state?.running === undefined) return s;
    // A startup probe that a fault fails: never started, so the steps after the sidecar wait.
    if (c.name === failingStartup?.name && startupFailureApplies(failingStartup, c, s)) return s.ready === false && s.started === false ? s : { ...s, ready: false, started: false };
    const startAt = startedAtMs(c, s)!;
    const at = readyAtMs(c, s)!;
    wake(startAt);
    wake(at);
    const started = startAt <= now;
    const ready = started && at <= now;
    return s.ready === ready && s.started === started ? s : { ...s, ready, started };
  });
  return { statuses, nextAt };
};

/**
 * Whether an init container has done its part: a regular one exited 0, a sidecar has started — running, and
 * its startup probe (if any) has succeeded ([computeInitContainerActions] waits for `started`).
 */
const initFinished = (c: Container, s: ContainerStatus | undefined): boolean =>
  (isRestartableInit(c) ? s?.state?.running !== undefined && s.started === true : s?.state?.terminated?.exitCode === 0);

/**
 * Step 2-init [kuberuntime computePodActions]: a pod with init containers gets its sandbox (IP, the
 * startup delay, attach check), then runs its init containers one at a time — each regular one for a
 * seeded time within podStartupMs, then `terminated: Completed` (exit 0, ready); a sidecar
 * (`restartPolicy: Always`) is started and keeps running — and then, at the next sync, starts its
 * containers (phase Running). Until then the pod is Pending, its containers waiting in `PodInitializing`, Initialized
 * False (`containers with incomplete status: [...]`). Each start records Pulled, Created, Started
 * about `spec.initContainers{name}`.
 */
const advanceInit = (input: Input, pod: Pod, node: string, forced: boolean | undefined, crashInMs?: number): Result => {
  const { now, local, config, seed } = input;
  const uid = pod.metadata?.uid ?? '';
  const inits = pod.spec?.initContainers ?? [];
  let scanned = 1;
  let newIp: string | undefined;
  if (!pod.status?.podIP) {
    const box = sandbox(input, pod, node);
    if (!isSandbox(box)) return box;
    newIp = box.ip;
    scanned = box.scanned;
  }
  const startedAt = timestamp(now);
  /** How long a regular init container runs: seeded per pod and container, within podStartupMs. */
  const runFor = (c: Container): number => seededBetween(seed, `${uid}/${c.name}`, config.podStartupMs[0], config.podStartupMs[1]);
  const pulledIn = newIp !== undefined ? now - sandboxBegan(local, pod, now) : 0;
  let held = local;
  let h: NodeHoldings | undefined;
  /** What the node holds, read once (before this sync's own pulls, as each start decides on it). */
  const holdings = (): NodeHoldings => (h ??= nodeHoldings(input.snapshot, local, node));
  const current = pod.status?.initContainerStatuses ?? [];
  const states: ContainerStatus[] = inits.map((c) => current.find((x) => x.name === c.name) ?? waitingStatus(c, 'PodInitializing'));
  const events: EventSpec[] = [];
  let changed = newIp !== undefined;
  let waitUntil: number | undefined;
  let k = 0;
  for (; k < inits.length; k++) {
    const c = inits[k]!;
    const st = states[k]!;
    if (initFinished(c, st)) continue;
    // A sidecar running but not started yet: the next step waits for its startup probe (sidecarReadiness
    // writes `started` when it succeeds, and that write wakes the next sync).
    if (st.state?.running !== undefined && isRestartableInit(c)) break;
    if (st.state?.running !== undefined) {
      // A regular init container runs for its seeded time, then completes.
      const doneAt = (parseTimestamp(st.state.running.startedAt) ?? now) + runFor(c);
      if (now < doneAt) { waitUntil = doneAt; break; }
      states[k] = { ...terminatedStatus(st, 0, now), ready: true };
      changed = true;
      continue;
    }
    // `Never` and the node lacks the image: it waits in ErrImageNeverPull (kubectl Init:ErrImageNeverPull),
    // tried again at each pod-worker retry, the Warning at most once per backOffPeriod.
    if (c.imagePullPolicy === 'Never' && !heldAt(holdings(), c.image ?? '', now)) {
      if (st.state?.waiting?.reason !== NEVER_PULL) { states[k] = neverPullStatus(c); changed = true; }
      const last = held.backoffEvents.get(`${uid}/${c.name}`);
      if (last === undefined || now - last >= BACKOFF_RESYNC_MS[0]) {
        events.push(neverPullEvent(pod, c, neverPullMessage(c.image ?? ''), 'initContainers'));
        held = imageTried(held, uid, [c], now);
      }
      waitUntil = now + podWorkerRetryMs(seed, uid, now);
      break;
    }
    // A failed pull: tried again at each pod-worker retry (kubectl Init:ErrImagePull, Init:ImagePullBackOff).
    const waitingFor = st.state?.waiting?.reason;
    if (waitingFor === PULL_FAILED || waitingFor === PULL_BACKOFF) {
      const last = held.backoffEvents.get(`${uid}/${c.name}`);
      if (last !== undefined && now - last < BACKOFF_RESYNC_MS[0]) { waitUntil = last + BACKOFF_RESYNC_MS[0]; break; }
      const step = retryPull(input, pod, node, c, st, held, 'initContainers');
      events.push(...step.events);
      held = imageTried(step.local, uid, [c], now);
      if (step.status !== st) { states[k] = step.status; changed = true; }
      if (step.status.state?.running === undefined) { waitUntil = now + podWorkerRetryMs(seed, uid, now); break; }
      if (!isRestartableInit(c)) waitUntil = now + runFor(c);
      break;
    }
    // Its environment could not be made: tried again at the pod worker's next retry.
    if (waitingFor === CONFIG_ERROR) {
      const last = held.backoffEvents.get(`${uid}/${c.name}`);
      if (last !== undefined && now - last < BACKOFF_RESYNC_MS[0]) { waitUntil = last + BACKOFF_RESYNC_MS[0]; break; }
    }
    // Not started yet: start it — the sandbox's first container's pull (if it pulls) began with the
    // sandbox and took the startup delay; any other one's pulls now. A pull of an image no registry has fails.
    const withSandbox = events.length === 0 && newIp !== undefined;
    const pulls = withSandbox ? firstPulls(input, pod, holdings(), c) : shouldPull(c, heldAt(holdings(), c.image ?? '', now));
    if (pulls && imageMissing(config.missingImages, c.image ?? '')) {
      states[k] = pullFailedStatus(c);
      events.push(...pullFailedEvents(pod, c, pullErrorMessage(c.image ?? ''), !withSandbox, 'initContainers'));
      held = imageTried(pullFailed(held, uid, c.image ?? '', now), uid, [c], now);
      changed = true;
      waitUntil = now + podWorkerRetryMs(seed, uid, now);
      break;
    }
    const configError = envConfigError(input.snapshot, pod, c);
    if (configError !== undefined) {
      if (waitingFor !== CONFIG_ERROR || st.state?.waiting?.message !== configError) { states[k] = configErrorStatus(c, configError); changed = true; }
      events.push(...configErrorEvents(startEvents(pod, c, pulls, withSandbox ? pulledIn : 0, !withSandbox, 'initContainers'), pod, c, configError, 'initContainers'));
      if (pulls) held = rememberPulls(held, node, [c.image ?? ''], now);
      held = imageTried(held, uid, [c], now);
      waitUntil = now + podWorkerRetryMs(seed, uid, now);
      break;
    }
    states[k] = runningStatus(c, containerId(seed, uid, `init/${c.name}`), startedAt, false);
    if (pulls) held = rememberPulls(held, node, [c.image ?? ''], now);
    events.push(...startEvents(pod, c, pulls, withSandbox ? pulledIn : 0, !withSandbox, 'initContainers'));
    changed = true;
    // [computeInitContainerActions] starts the step after a sidecar only once it sees the sidecar running:
    // at the next sync (this write wakes it); a regular init container runs for its time first.
    if (!isRestartableInit(c)) waitUntil = now + runFor(c);
    break;
  }
  const side = sidecarReadiness(pod, states, now, startupFailing(input, pod));
  const sideChanged = side.statuses.some((x, i) => x !== states[i]);
  const done = k === inits.length;
  let phase = 'Pending';
  let statuses = pod.status?.containerStatuses ?? (pod.spec?.containers ?? []).map((c) => waitingStatus(c, 'PodInitializing'));
  let readyNext: number | undefined;
  // Every init container has done its part: the pod's containers start — at the next sync, so the
  // status that reports the last init step shows them still waiting (kubectl: PodInitializing), as the
  // kubelet's status is computed before its sync starts them.
  if (done && !changed) {
    const started = startMain(input, pod, node, forced, undefined);
    held = started.local;
    statuses = started.statuses;
    events.push(...started.events);
    readyNext = started.requeueAfterMs === undefined ? undefined : now + started.requeueAfterMs;
    phase = started.blocked ? 'Pending' : 'Running';
    changed = true;
  }
  const after = [waitUntil, side.nextAt, readyNext, crashInMs === undefined ? undefined : now + crashInMs].filter((x): x is number => x !== undefined);
  const requeue = after.length > 0 ? { requeueAfterMs: Math.min(...after) - now } : {};
  if (!changed && !sideChanged) {
    return { ...(events.length > 0 ? { plan: seq(...events.map(event)) } : {}), ...(held !== local ? { local: held } : {}), ...requeue, workUnits: 1 };
  }
  const next = withStatus(pod, {
    phase, ...(newIp !== undefined ? { podIP: newIp, podIPs: [{ ip: newIp }] } : {}),
    initContainerStatuses: side.statuses, containerStatuses: statuses,
    conditions: kubeletConditions(pod, phase, statuses, now, [], side.statuses),
  });
  return {
    plan: seq(statusWrite(next), ...events.map(event)), ...writing(held, pod, node, newIp !== undefined ? { ip: newIp } : {}),
    workUnits: scanned, ...requeue,
  };
};

/** Step 2b: readiness of a Running pod (probe delays, readiness faults). */
const syncReadiness = (input: Input, pod: Pod, node: string, forced: boolean | undefined, crashInMs?: number, down?: ProbeDown): Result => {
  const { now, local } = input;
  const statuses = pod.status?.containerStatuses ?? [];
  const failingStartup = startupFailing(input, pod);
  const r = readiness(pod, statuses, now, forced, down, failingStartup);
  const nextStatuses = withReady(pod, statuses, r.ready, r.started);
  const changed = nextStatuses.some((x, i) => x !== statuses[i]);
  const afters = [r.requeueAfterMs, crashInMs, down?.nextFailureAt === undefined ? undefined : down.nextFailureAt - now].filter((x): x is number => x !== undefined);
  // Sidecars (restartable init containers) turn ready by their own probes.
  const side = sidecarReadiness(pod, pod.status?.initContainerStatuses ?? [], now, failingStartup);
  const sideAfter = side.nextAt === undefined ? undefined : side.nextAt - now;
  const conditions = kubeletConditions(pod, 'Running', nextStatuses, now, [], side.statuses);
  const cur = pod.status?.conditions ?? [];
  const condChanged = conditions.length !== cur.length || conditions.some((c) => {
    const o = cur.find((x) => x.type === c.type);
    return !o || o.status !== c.status || o.reason !== c.reason || o.message !== c.message;
  });
  // A spec change (a new generation) is acknowledged by a status write too (status.observedGeneration).
  const genChanged = pod.metadata?.generation !== undefined && statusObservedGeneration(pod) !== pod.metadata.generation;
  const sideChanged = side.statuses.some((x, i) => x !== (pod.status?.initContainerStatuses ?? [])[i]);
  if (sideAfter !== undefined) afters.push(sideAfter);
  const requeue = afters.length > 0 ? { requeueAfterMs: Math.min(...afters) } : {};
  if (!changed && !condChanged && !genChanged && !sideChanged) return { ...requeue, workUnits: 1 };
  const next = withStatus(pod, sideChanged ? { initContainerStatuses: side.statuses, containerStatuses: nextStatuses, conditions } : { containerStatuses: nextStatuses, conditions });
  return { plan: statusWrite(next), ...writing(local, pod, node), ...requeue, workUnits: 1 };
};

/** A container started again after `last` (a crash): restartCount + 1, a new container id, the crash as lastState. */
const restartedStatus = (s: ContainerStatus, last: ContainerTerminated, seed: number, uid: string, idPrefix: string, startedAt: string, started: boolean): ContainerStatus => {
  const n = (s.restartCount ?? 0) + 1;
  return {
    name: s.name, image: s.image, imageID: s.imageID, containerID: containerId(seed, uid, `${idPrefix}${s.name}/${n}`), restartCount: n,
    lastState: { terminated: last }, ready: false, started, state: { running: { startedAt } },
  } as ContainerStatus;
};

/**
 * The last exit of a container that waits to be restarted (restartPolicy Always: the pod's containers and
 * its sidecars, whatever their exit code; a regular init container only after a failure — one that
 * exited 0 has done its part), or undefined.
 */
const awaitingRestart = (s: ContainerStatus, regularInit: boolean): ContainerTerminated | undefined => {
  if (s.state?.running !== undefined) return undefined;
  if (regularInit && s.state?.terminated?.exitCode === 0) return undefined;
  return lastTermination(s);
};

/**
 * Step 2c [kuberuntime computePodActions + doBackOff]: a crashed container is restarted — at once after a
 * first crash, after the crash-loop back-off after the next ones — with restartCount + 1, a new container
 * id and the crash as its lastState; the restarted container is ready as any started one (probe delay,
 * readiness faults). The same for the pod's init containers: a sidecar that exited, a regular init
 * container that failed (the pod stays Pending, kubectl `Init:Error`, then `Init:CrashLoopBackOff`; the
 * restarted one runs again for its time). `undefined` when no container is waiting to restart.
 */
const restartCrashed = (input: Input, pod: Pod, node: string, forced: boolean | undefined, crash: CrashFault | undefined): Result | undefined => {
  const { now, local, seed } = input;
  const uid = pod.metadata?.uid ?? '';
  let waitUntil: number | undefined;
  const restarted = new Set<string>();
  const startedAt = timestamp(now);
  const waiting: { name: string; list: ContainerList }[] = [];
  const restart = (s: ContainerStatus, regularInit: boolean, idPrefix: string): ContainerStatus => {
    const last = awaitingRestart(s, regularInit);
    if (last === undefined) return s;
    const at = local.backoff.get(`${uid}/${s.name}`)?.restartAt ?? now;
    if (at > now) {
      waitUntil = waitUntil === undefined ? at : Math.min(waitUntil, at);
      waiting.push({ name: s.name, list: idPrefix === '' ? 'containers' : 'initContainers' });
      return s;
    }
    // [kuberuntime startContainer]: the container's environment is made again at each start (init containers too).
    const spec = (idPrefix === '' ? pod.spec?.containers ?? [] : pod.spec?.initContainers ?? []).find((c) => c.name === s.name);
    const configError = spec !== undefined ? envConfigError(input.snapshot, pod, spec) : undefined;
    if (configError !== undefined) {
      configErrors.set(s.name, configError);
      return { ...s, ready: false, started: false, lastState: { terminated: last }, state: { waiting: { reason: CONFIG_ERROR, message: configError } } } as ContainerStatus;
    }
    restarted.add(s.name);
    return restartedStatus(s, last, seed, uid, idPrefix, startedAt, startsAtOnce(spec));
  };
  const configErrors = new Map<string, string>();
  const initSpecs = pod.spec?.initContainers ?? [];
  const initBefore = pod.status?.initContainerStatuses;
  const inits = initBefore?.map((s) => {
    const c = initSpecs.find((x) => x.name === s.name);
    return c ? restart(s, !isRestartableInit(c), 'init/') : s;
  });
  const next = (pod.status?.containerStatuses ?? []).map((s) => restart(s, false, ''));
  if (restarted.size === 0 && configErrors.size === 0) return waitUntil === undefined ? undefined : backingOff(input, pod, waiting, waitUntil);
  const failingStartup = startupFailing(input, pod);
  const r = readiness(pod, next, now, forced, undefined, failingStartup);
  const statusesNext = withReady(pod, next, r.ready, r.started);
  const side = inits === undefined ? undefined : sidecarReadiness(pod, inits, now, failingStartup);
  // The fault's next crash of the restarted container is due runMs after this start.
  const target = crash !== undefined && crash.remaining > 0 ? crashTarget(pod, crash) : undefined;
  const crashIn = target !== undefined && restarted.has(target) ? crash!.runMs : undefined;
  const retry = configErrors.size > 0 ? podWorkerRetryMs(seed, uid, now) : undefined;
  const after = [r.requeueAfterMs, side?.nextAt === undefined ? undefined : side.nextAt - now, waitUntil === undefined ? undefined : waitUntil - now, crashIn, retry]
    .filter((x): x is number => x !== undefined);
  // The restart starts each container anew: its image (pulled again under Always), Created, Started — or,
  // when its environment cannot be made, the image and `Failed` (CreateContainerConfigError).
  const events = [
    ...initSpecs.flatMap((c) => {
      if (restarted.has(c.name)) return startEvents(pod, c, shouldPull(c, true), 0, true, 'initContainers');
      const error = configErrors.get(c.name);
      return error !== undefined ? configErrorEvents(startEvents(pod, c, shouldPull(c, true), 0, true, 'initContainers'), pod, c, error, 'initContainers') : [];
    }),
    ...(pod.spec?.containers ?? []).flatMap((c) => {
      if (restarted.has(c.name)) return startEvents(pod, c, shouldPull(c, true), 0, true);
      const error = configErrors.get(c.name);
      return error !== undefined ? configErrorEvents(startEvents(pod, c, shouldPull(c, true), 0, true), pod, c, error) : [];
    }),
  ];
  const tried = [...initSpecs, ...(pod.spec?.containers ?? [])].filter((c) => configErrors.has(c.name));
  const held = tried.length > 0 ? imageTried(local, uid, tried, now) : local;
  const phase = pod.status?.phase === 'Running' ? 'Running' : 'Pending';
  const initNext = side?.statuses;
  const status = withStatus(pod, {
    ...(initNext !== undefined ? { initContainerStatuses: initNext } : {}),
    containerStatuses: statusesNext, conditions: kubeletConditions(pod, phase, statusesNext, now, [], initNext ?? []),
  });
  return {
    plan: seq(statusWrite(status), ...events.map(event)),
    ...writing(held, pod, node), workUnits: 1,
    ...(after.length > 0 ? { requeueAfterMs: Math.min(...after) } : {}),
  };
};

/** [podWorkers completeWork]: a pod whose sync failed (a container in back-off) is synced again after backOffPeriod, jittered by half. */
export const BACKOFF_RESYNC_MS: readonly [number, number] = [10_000, 15_000];

/**
 * A sync during the crash-loop back-off of some of the pod's containers: it records `BackOff` about each
 * ([doBackOff] at every sync; the correlator counts them) — once per backOffPeriod at most, whatever else
 * woke the key — and is retried after 10–15 s, or when the first back-off ends.
 */
const backingOff = (input: Input, pod: Pod, waiting: readonly { name: string; list: ContainerList }[], waitUntil: number): Result => {
  const { now, local, seed } = input;
  const uid = pod.metadata?.uid ?? '';
  const events: EventSpec[] = [];
  let backoffEvents = local.backoffEvents;
  for (const w of waiting) {
    const k = `${uid}/${w.name}`;
    const last = backoffEvents.get(k);
    if (last !== undefined && now - last < BACKOFF_RESYNC_MS[0]) continue;
    events.push(backOffEvent(pod, w.name, podFormat(pod), w.list));
    backoffEvents = new Map(backoffEvents).set(k, now);
  }
  const resync = podWorkerRetryMs(seed, uid, now);
  return {
    ...(events.length > 0 ? { plan: seq(...events.map(event)), local: { ...local, backoffEvents } } : {}),
    requeueAfterMs: Math.min(waitUntil - now, resync), workUnits: 1,
  };
};

/**
 * Step 2d: a `container-crash` fault's container exits — at the fault, then `runMs` after each restart
 * while crashes are left. Within the back-off of an earlier crash the container waits in
 * `CrashLoopBackOff` (`back-off 10s restarting failed container=c pod=web-0_default(uid)`, Warning
 * `BackOff`); otherwise it shows as terminated (`Error`, or `Completed` for exit code 0) until its
 * immediate restart. The fault may name an init container: a sidecar crashes as a container does; a
 * regular init container that exits 0 has simply completed. Returns the time until the next crash when it
 * is not due yet.
 */
const crashContainer = (input: Input, pod: Pod, node: string, f: CrashFault): Result | number | undefined => {
  const { now } = input;
  let { local } = input;
  if (f.remaining <= 0) return undefined;
  const target = crashTarget(pod, f);
  const initSpec = pod.spec?.initContainers?.find((c) => c.name === target);
  const statuses = (initSpec ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) ?? [];
  const s = statuses.find((x) => x.name === target);
  const running = s?.state?.running;
  if (!s || !running) return undefined;
  const started = parseTimestamp(running.startedAt) ?? now;
  const uid = pod.metadata?.uid ?? '';
  let killed: EventSpec[] = [];
  if (f.probe !== undefined) {
    const spec = initSpec ?? pod.spec?.containers?.find((c) => c.name === target);
    const probe = f.probe === 'liveness' ? spec?.livenessProbe : spec?.startupProbe;
    if (!spec || !probe) return undefined;
    // A startup probe runs until its first success: an instance started before the fault is not affected,
    // and the fault is void when it came after the running instance's start (Kubernetes probes it no more).
    if (f.probe === 'startup' && !startupFailureApplies(f, spec, s)) {
      if (f.remaining < f.count || started > f.time) return undefined;
      const crashes = new Map(local.crashes);
      crashes.delete(`${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`);
      return { local: { ...local, crashes }, requeueAfterMs: 0, workUnits: 1 };
    }
    const l = failingProbe(input, pod, f, f.probe, spec, probe, s.restartCount, started, initSpec ? 'initContainers' : 'containers');
    if (typeof l === 'number' || !('events' in l)) return l;
    killed = l.events;
    local = l.local;
  } else {
    const at = f.remaining === f.count ? Math.max(f.time, started) : started + f.runMs;
    if (now < at) return at - now;
  }
  const exited = terminatedStatus(s, f.exitCode, now);
  const completed = initSpec !== undefined && !isRestartableInit(initSpec) && f.exitCode === 0;
  const { waitMs } = completed ? { waitMs: 0 } : backoffAt(local.backoff.get(`${uid}/${s.name}`), now);
  const crashed: ContainerStatus = completed
    ? { ...exited, ready: true }
    : waitMs > 0
      ? { ...exited, lastState: { terminated: exited.state!.terminated! }, state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(waitMs)} restarting failed container=${s.name} pod=${podFormat(pod)}` } } }
      : exited;
  const next = statuses.map((x) => (x === s ? crashed : x));
  const phase = pod.status?.phase === 'Running' ? 'Running' : 'Pending';
  const write = initSpec
    ? withStatus(pod, { initContainerStatuses: next, conditions: kubeletConditions(pod, phase, pod.status?.containerStatuses ?? [], now, [], next) })
    : withStatus(pod, { containerStatuses: next, conditions: kubeletConditions(pod, phase, next, now) });
  const backoffEvent = waitMs > 0 ? { onSuccess: backOffEvent(pod, s.name, podFormat(pod), initSpec ? 'initContainers' : 'containers') } : {};
  const l = waitMs > 0 ? { ...local, backoffEvents: new Map(local.backoffEvents).set(`${uid}/${s.name}`, now) } : local;
  const plan = killed.length > 0 ? seq(...killed.map(event), statusWrite(write, backoffEvent)) : statusWrite(write, backoffEvent);
  return { plan, ...writing(l, pod, node), workUnits: 1 };
};

/**
 * [prober worker doProbe, kuberuntime computePodActions]: a container whose liveness (or startup) probe
 * fails — from a `probe-failure` fault on (its first `count` instances), not before `initialDelaySeconds`
 * after the container started — fails it once each `periodSeconds`: Warning `Unhealthy` `Liveness probe
 * failed: HTTP probe failed with statuscode: 500` at each failure (the correlator counts them: `(x3)`); at
 * `failureThreshold` failures in a row the kubelet kills it — Normal `Killing` `Container c failed liveness
 * probe, will be restarted` — and it ends as a crash does (terminated, exit code 143: it ends on the
 * SIGTERM), restarted at once the first time and after the crash-loop back-off later. A container failing
 * its startup probe is never `started` (nor ready) meanwhile. Returns the time until the next failure, the
 * `Unhealthy` events due now (and a sync right after them, for what else is due), or, at the threshold, the
 * events that go with the kill.
 */
const failingProbe = (
  input: Input, pod: Pod, f: CrashFault, kind: 'liveness' | 'startup', spec: Container, probe: NonNullable<Container['livenessProbe']>,
  restartCount: number, started: number, list: ContainerList,
): number | Result | { events: EventSpec[]; local: KubeletLocal } => {
  const { now, local } = input;
  const period = (probe.periodSeconds ?? 10) * 1000;
  const threshold = Math.max(1, probe.failureThreshold ?? 3);
  const probing = started + (probe.initialDelaySeconds ?? 0) * 1000;
  const base = f.remaining === f.count ? Math.max(f.time, probing) : probing;
  const due = Math.min(threshold, Math.floor((now - base) / period));
  if (due <= 0) return base + period - now;
  const { failures, local: next } = unrecordedFailures(local, `${pod.metadata?.uid ?? ''}/${spec.name}#${restartCount}`, due,
    () => unhealthyEvent(pod, spec, kind === 'liveness' ? 'Liveness' : 'Startup', probeFailureOutput(probe, pod, spec), list));
  if (due < threshold) {
    if (failures.length === 0) return base + (due + 1) * period - now;
    return { plan: seq(...failures.map(event)), local: next, requeueAfterMs: 0, workUnits: 1 };
  }
  return { events: [...failures, probeKillingEvent(pod, spec, kind, list)], local: next };
};

/**
 * The prober worker's failure count ([worker doProbe]): the `Unhealthy` events of the failures due by now
 * that this kubelet has not recorded yet for the container instance `key`, and the count then recorded.
 */
const unrecordedFailures = (local: KubeletLocal, key: string, due: number, unhealthy: () => EventSpec): { failures: EventSpec[]; local: KubeletLocal } => {
  const recorded = local.probeFailures.get(key) ?? 0;
  if (due <= recorded) return { failures: [], local };
  const e = unhealthy();
  return { failures: Array.from({ length: due - recorded }, () => e), local: { ...local, probeFailures: new Map(local.probeFailures).set(key, due) } };
};

/**
 * Whether a startup-probe failure reaches this instance of the container: one whose startup probe would
 * have first succeeded after the fault (the instance running then, not yet started, and every later one).
 */
export const startupFailureApplies = (f: Pick<CrashFault, 'time'>, spec: Container, s: ContainerStatus | undefined): boolean => {
  const at = startedAtMs(spec, s);
  return at !== undefined && at > f.time;
};

/** A container whose startup probe a fault fails (from `time`, while kills are left). */
interface FailingStartup { readonly name: string; readonly time: number }

/** The container a startup-probe failure keeps from starting (and from being ready) now, if any. */
const startupFailing = (input: Input, pod: Pod): FailingStartup | undefined => {
  const f = input.local.crashes.get(`${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`);
  if (f?.probe !== 'startup' || f.remaining <= 0 || !faultApplies(f, pod)) return undefined;
  const name = crashTarget(pod, f);
  const spec = pod.spec?.containers?.find((c) => c.name === name) ?? pod.spec?.initContainers?.find((c) => c.name === name && isRestartableInit(c));
  return name !== undefined && spec?.startupProbe ? { name, time: f.time } : undefined;
};

/**
 * Step 2e [kubelet volume manager, operation_generator nodeExpandVolume]: a claim the pod mounts whose
 * volume the resizer grew and that waits for the node (`NodeResizePending`) gets its file system resized
 * here: the claim's `status.capacity` becomes the allocated size and its resize conditions go (Normal
 * `FileSystemResizeSuccessful` on the pod). The write carries the claim's resourceVersion: of two kubelets
 * mounting one volume, one wins.
 */
const expandVolumes = (input: Input, pod: Pod, node: string): Result | undefined => {
  const ns = pod.metadata?.namespace ?? '';
  const steps: Step[] = [];
  for (const name of podClaimNames(pod)) {
    const claim = input.snapshot.get('PersistentVolumeClaim', ns, name);
    if (!claim || !nodeResizePending(claim) || !claim.spec?.volumeName) continue;
    steps.push(write({ verb: 'update', subresource: 'status', object: nodeExpanded(claim) }, {
      onSuccess: { type: 'Normal', reason: 'FileSystemResizeSuccessful', message: `MountVolume.NodeExpandVolume succeeded for volume "${claim.spec.volumeName}" ${node}`, involved: involvedOf(pod) },
    }));
  }
  return steps.length === 0 ? undefined : { plan: seq(...steps), workUnits: steps.length };
};

/** The grace period of a pod's deletion (the API server's `deletionGracePeriodSeconds`), in ms. */
const deletionGraceMs = (pod: Pod): number =>
  1000 * (pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);

/**
 * [kuberuntime killContainer]: a Normal `Killing` (`Stopping container c`) for each running container, as
 * the kubelet begins to stop them — once per pod for this kubelet incarnation (`local.killing`, with the
 * time the containers are killed: the deletion's grace period from now, or sooner if a later deletion
 * shortened it). `deadline` is that time (undefined when nothing runs).
 */
const killing = (pod: Pod, local: KubeletLocal, now: number): { steps: Step[]; local: KubeletLocal; deadline?: number } => {
  const uid = pod.metadata?.uid ?? '';
  const grace = now + deletionGraceMs(pod);
  const began = local.killing.get(uid);
  if (began !== undefined) {
    return grace < began ? { steps: [], local: { ...local, killing: new Map(local.killing).set(uid, grace) }, deadline: grace } : { steps: [], local, deadline: began };
  }
  const running = (pod.spec?.containers ?? []).filter((c) => statusOf(pod, c.name)?.state?.running !== undefined);
  // Sidecars (and an init container still running) are stopped after the containers.
  const initRunning = (pod.spec?.initContainers ?? []).filter((c) => pod.status?.initContainerStatuses?.find((x) => x.name === c.name)?.state?.running !== undefined);
  if (running.length === 0 && initRunning.length === 0) return { steps: [], local };
  return {
    steps: [...running.map((c) => event(killingEvent(pod, c))), ...initRunning.map((c) => event(killingEvent(pod, c, 'initContainers')))],
    local: { ...local, killing: new Map(local.killing).set(uid, grace) },
    deadline: grace,
  };
};

/** A fail fault (eviction): containers killed, phase Failed with the reason. */
const failPod = (input: Input, pod: Pod, node: string, reason: string, message: string | undefined): Result => {
  const { now } = input;
  const kill = killing(pod, input.local, now);
  const local = kill.local;
  const msg = message ?? (reason === 'Evicted' ? DEFAULT_EVICTION_MESSAGE : undefined);
  const statuses = terminatedContainers(pod, 137, now);
  const initStatuses = terminatedInits(pod, 137, now);
  const extra: PodCondition[] = reason === 'Evicted'
    ? [{ type: 'DisruptionTarget', ...conditionGeneration(pod), status: 'True', reason: 'TerminationByKubelet', lastTransitionTime: timestamp(now), ...(msg ? { message: msg } : {}) }]
    : [];
  const next = withStatus(pod, {
    phase: 'Failed', reason, message: msg, startTime: pod.status?.startTime ?? timestamp(now),
    initContainerStatuses: initStatuses, containerStatuses: statuses, conditions: kubeletConditions(pod, 'Failed', statuses, now, extra, initStatuses),
  });
  return {
    plan: seq(...kill.steps, statusWrite(next, { onSuccess: { type: 'Warning', reason, message: msg ?? '', involved: involvedOf(pod) } })),
    ...writing(local, pod, node), workUnits: 1,
  };
};

/**
 * Step 3: graceful deletion. Containers are killed when the deletion's grace period, counted from when
 * this kubelet began to stop them, ends; the kubelet then writes the terminal status [status_manager
 * TerminatePod, getPhase(podIsTerminal)] and deletes the pod with grace 0 and a uid precondition. A pod
 * that never got a status goes at once; one whose containers never started has nothing to wait for.
 */
const terminate = (input: Input, pod: Pod, node: string): Result => {
  const { now, local, config } = input;
  if (isTerminal(pod) || !pod.status?.startTime) return { plan: deleteWrite(pod), ...writing(local, pod, node, { deleting: true }), workUnits: 1 };
  // Containers still running get the grace period; a pod whose containers all exited (crash-loop
  // back-off) has nothing to kill.
  const started = containersStarted(pod) && anyContainerRunning(pod);
  // The running containers are sent their stop signal at once (Killing); they exit at the deadline.
  const kill = started ? killing(pod, local, now) : { steps: [], local };
  if (started) {
    const deadline = kill.deadline ?? now;
    if (now < deadline) {
      return {
        ...(kill.steps.length > 0 ? { plan: seq(...kill.steps) } : {}),
        ...(kill.local !== local ? { local: kill.local } : {}),
        requeueAfterMs: deadline - now, workUnits: 1,
      };
    }
  }
  const statuses = terminatedContainers(pod, config.killExitCode, now);
  const initStatuses = terminatedInits(pod, config.killExitCode, now);
  const phase = terminalPhase(statuses);
  const next = withStatus(pod, {
    phase, initContainerStatuses: initStatuses, containerStatuses: statuses, conditions: kubeletConditions(pod, phase, statuses, now, [], initStatuses),
  }, ['reason', 'message']);
  return { plan: seq(...kill.steps, statusWrite(next), deleteWrite(pod)), ...writing(kill.local, pod, node, { deleting: true }), workUnits: 1 };
};

/**
 * A pod deleted from the API server while its containers ran here (a force deletion): the kubelet stops
 * them all the same ([kubelet HandlePodRemoves] → killPod → killContainer), recording `Killing` about the
 * deleted pod. A new pod of the same name on this node is synced right after.
 */
const killOrphan = (input: Input, key: string): Result => {
  const { snapshot: snap, local } = input;
  const orphan = local.orphans.get(key)!;
  const { node, namespace, name } = parseKubeletKey(key);
  const orphans = new Map(local.orphans);
  orphans.delete(key);
  const steps = killing(orphan, local, input.now).steps;
  const again = snap.get('Pod', namespace, name)?.spec?.nodeName === node ? { requeueAfterMs: 0 } : {};
  return { ...(steps.length > 0 ? { plan: seq(...steps) } : {}), local: { ...local, orphans }, workUnits: 1, ...again };
};

/**
 * The node's images in its status ([kubelet syncNodeStatus, nodestatus.Images]): the image cache,
 * refreshed every 30 s, is read by the node status loop every 10 s, which patches the status when the
 * list changed — so an image pulled (or found in a started container) shows in `status.images` within
 * 40 s. Preloaded images stay listed; nothing is ever removed (no image garbage collection).
 */
const syncNodeImages = (input: Input, node: string): Result => {
  const { snapshot, local, seed, now } = input;
  if (!snapshot.get('Node', '', node)) return {};
  const r = nodeImagesReport(snapshot, local, node, seed, now);
  const requeue = r.nextAt !== undefined ? { requeueAfterMs: r.nextAt - now } : {};
  if (!r.images) return { ...requeue, workUnits: 1 };
  return {
    plan: write({ verb: 'patch', kind: 'Node', namespace: '', name: node, subresource: 'status', patch: { status: { images: r.images } } }, { ignore: ['NotFound'] }),
    ...requeue, workUnits: 1,
  };
};

/**
 * The kubelet's sync of one pod on one of its nodes. A stopped kubelet (`node-down`) does nothing: no
 * status, no container start, no confirmation of a deletion, no timers; `node-up` requeues every pod.
 */
export const syncKubeletPod = (input: Input): Result => {
  const { snapshot: snap, key, local } = input;
  const { node, namespace, name } = parseKubeletKey(key);
  if (local.down.size > 0 && local.down.has(node)) return {};
  if (local.orphans.size > 0 && local.orphans.has(key)) return killOrphan(input, key);
  if (name === '') return syncNodeImages(input, node);
  const pod = snap.get('Pod', namespace, name);
  if (!pod || pod.spec?.nodeName !== node) return {};
  // A write based on this very version is still out (its MODIFIED entry will bring us back), or the
  // final delete was sent (its DELETED entry ends the story).
  const pending = local.pending.get(pod.metadata?.uid ?? '');
  if (pending && (pending.deleting || (pending.basedOn !== undefined && pending.basedOn === pod.metadata?.resourceVersion))) return {};
  const podKey = `${namespace}/${name}`;
  if (pod.metadata?.deletionTimestamp !== undefined) return terminate(input, pod, node);
  if (isTerminal(pod)) return {};
  const fail = local.failures.get(podKey);
  if (fail && faultApplies(fail, pod)) return failPod(input, pod, node, fail.reason, fail.message);
  if (!pod.status?.startTime) return admitAndCreate(input, pod, node);
  const rf = local.readiness.get(podKey);
  const forced = rf && faultApplies(rf, pod) ? rf.ready : undefined;
  if (pod.status.podIP && pod.status.containerStatuses?.some((s) => SANDBOX_WAIT_REASONS.has(s.state?.waiting?.reason ?? ''))) return retryWaiting(input, pod, node, forced);
  const cf = local.crashes.get(podKey);
  const crash = cf && faultApplies(cf, pod) ? cf : undefined;
  if ((pod.spec?.initContainers?.length ?? 0) > 0 && !mainContainersStarted(pod)) {
    // Initializing: an init container that crashed is restarted (or waits out its back-off) first.
    const restart = restartCrashed(input, pod, node, forced, crash);
    if (restart) return restart;
    const c = crash ? crashContainer(input, pod, node, crash) : undefined;
    if (c !== undefined && typeof c !== 'number') return c;
    return advanceInit(input, pod, node, forced, c);
  }
  if (!containersStarted(pod)) return startContainers(input, pod, node, forced);
  const expand = expandVolumes(input, pod, node);
  if (expand) return expand;
  const restart = restartCrashed(input, pod, node, forced, crash);
  if (restart) return restart;
  const c = crash ? crashContainer(input, pod, node, crash) : undefined;
  if (c !== undefined && typeof c !== 'number') return c;
  const rp = local.readinessProbes.get(podKey);
  const down = rp && faultApplies(rp, pod) ? readinessProbeDown(pod, rp, input.now) : undefined;
  if (down !== undefined) {
    const failed = readinessFailures(input, pod, down);
    if (failed) return failed;
  }
  return syncReadiness(input, pod, node, forced, c, down);
};

/**
 * A container whose readiness probe fails ([prober worker doProbe]; a `probe-failure` fault): probed each
 * `periodSeconds` from `initialDelaySeconds` after its start (or from the fault, if later), it fails until
 * the fault's end — unready from the `failureThreshold`-th failure in a row (`from`; never, when the fault
 * ends before it) until the `successThreshold`-th success after the end (`until`). `failures` — those due
 * by now — and `nextFailureAt` time the Warning `Unhealthy` events.
 */
interface ProbeDown {
  readonly container: string;
  readonly from: number | undefined;
  readonly until: number;
  readonly failures: number;
  readonly nextFailureAt: number | undefined;
  readonly spec: Container;
  readonly probe: NonNullable<Container['readinessProbe']>;
}

const readinessProbeDown = (pod: Pod, f: ReadinessProbeFault, now: number): ProbeDown | undefined => {
  const name = f.container ?? pod.spec?.containers?.[0]?.name;
  const spec = pod.spec?.containers?.find((x) => x.name === name);
  const probe = spec?.readinessProbe;
  const started = parseTimestamp(statusOf(pod, name ?? '')?.state?.running?.startedAt);
  if (!spec || !probe || started === undefined) return undefined;
  const period = (probe.periodSeconds ?? 10) * 1000;
  const base = Math.max(f.time, started + (probe.initialDelaySeconds ?? 0) * 1000);
  // Probes at base + k·period (k ≥ 1); those before the fault's end fail.
  const failing = Math.max(0, Math.ceil((f.until - base) / period) - 1);
  const threshold = Math.max(1, probe.failureThreshold ?? 3);
  const due = Math.min(failing, Math.max(0, Math.floor((now - base) / period)));
  return {
    container: spec.name, spec, probe,
    // A fault from before this instance started: its probe never succeeded, so it is not ready at all.
    from: f.time <= started ? started : failing >= threshold ? base + threshold * period : undefined,
    until: base + (failing + Math.max(1, probe.successThreshold ?? 1)) * period,
    failures: due,
    nextFailureAt: due < failing ? base + (due + 1) * period : undefined,
  };
};

/** The `Unhealthy` events (`Readiness probe failed: …`) of the failures due and not yet recorded, then a sync right away. */
const readinessFailures = (input: Input, pod: Pod, down: ProbeDown): Result | undefined => {
  const { failures, local } = unrecordedFailures(input.local, `${pod.metadata?.uid ?? ''}/${down.container}#${statusOf(pod, down.container)?.restartCount ?? 0}#readiness`,
    down.failures, () => unhealthyEvent(pod, down.spec, 'Readiness', probeFailureOutput(down.probe, pod, down.spec)));
  return failures.length === 0 ? undefined : { plan: seq(...failures.map(event)), local, requeueAfterMs: 0, workUnits: 1 };
};
