import { conditionGeneration, hashString, normalizeImageName, parseTimestamp, simulatedImageId, timestamp as formatTimestamp, type Container, type Pod } from '@kubesim/api';
import { SANDBOX_WAIT_REASONS } from './images.js';

export type PodStatus = NonNullable<Pod['status']>;
export type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];
export type PodCondition = NonNullable<PodStatus['conditions']>[number];

/** Conditions the kubelet owns [kubetypes.PodConditionsByKubelet]; other conditions are kept as they are. */
const KUBELET_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

let memoMs = Number.NaN;
let memoText = '';
/** `timestamp(ms)`, memoized for the last instant (a reconcile formats the same `now` several times). */
export const timestamp = (ms: number): string => {
  if (ms !== memoMs) { memoMs = ms; memoText = formatTimestamp(ms); }
  return memoText;
};

export const CONTAINER_UNKNOWN_MESSAGE = 'The container could not be located when the pod was terminated';

interface CondSpec { readonly status: 'True' | 'False'; readonly reason?: string; readonly message?: string }

/** A condition whose lastTransitionTime moves only when its status changes, stamped with the pod's generation. */
const condition = (type: string, spec: CondSpec, old: readonly PodCondition[] | undefined, now: number, gen: { observedGeneration?: number }): PodCondition => {
  const prev = old?.find((c) => c.type === type);
  const lastTransitionTime = prev && prev.status === spec.status && prev.lastTransitionTime ? prev.lastTransitionTime : timestamp(now);
  return {
    type, ...gen, status: spec.status, lastTransitionTime,
    ...(spec.reason ? { reason: spec.reason } : {}),
    ...(spec.message ? { message: spec.message } : {}),
  };
};

/** An init container with `restartPolicy: Always` (a sidecar): it keeps running beside the pod's containers. */
export const isRestartableInit = (c: Container): boolean => c.restartPolicy === 'Always';

/**
 * [status GenerateContainersReadyCondition] (terminal phases: reason PodFailed / PodCompleted): the
 * sidecars (restartable init containers), then the containers.
 */
export const containersReadySpec = (pod: Pod, phase: string, statuses: readonly ContainerStatus[], initStatuses: readonly ContainerStatus[] = pod.status?.initContainerStatuses ?? []): CondSpec => {
  if (phase === 'Failed') return { status: 'False', reason: 'PodFailed' };
  if (phase === 'Succeeded') return { status: 'False', reason: 'PodCompleted' };
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    if (!isRestartableInit(c)) continue;
    const s = initStatuses.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  for (const c of pod.spec?.containers ?? []) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  const msgs: string[] = [];
  if (unknown.length > 0) msgs.push(`containers with unknown status: [${unknown.join(' ')}]`);
  if (unready.length > 0) msgs.push(`containers with unready status: [${unready.join(' ')}]`);
  return msgs.length > 0 ? { status: 'False', reason: 'ContainersNotReady', message: msgs.join(', ') } : { status: 'True' };
};

/**
 * [status GeneratePodInitializedCondition]: True once every init container has done its part — a regular
 * one exited 0, a sidecar has started — or once any of the pod's containers has started; else False,
 * `ContainersNotInitialized`, `containers with incomplete status: [a b]`.
 */
export const initializedSpec = (pod: Pod, phase: string, statuses: readonly ContainerStatus[], initStatuses: readonly ContainerStatus[]): CondSpec => {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { status: 'True' };
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = initStatuses.find((x) => x.name === c.name);
    if (!s) { unknown.push(c.name); continue; }
    if (isRestartableInit(c)) { if (s.started !== true) incomplete.push(c.name); continue; }
    if (s.state?.terminated?.exitCode !== 0) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { status: 'True', reason: 'PodCompleted' };
  if (statuses.some((s) => s.started === true || s.state?.running !== undefined || s.state?.terminated !== undefined)) return { status: 'True' };
  const msgs: string[] = [];
  if (unknown.length > 0) msgs.push(`containers with unknown status: [${unknown.join(' ')}]`);
  if (incomplete.length > 0) msgs.push(`containers with incomplete status: [${incomplete.join(' ')}]`);
  return msgs.length > 0 ? { status: 'False', reason: 'ContainersNotInitialized', message: msgs.join(', ') } : { status: 'True' };
};

/** [status GeneratePodReadyCondition]: ContainersReady, then the pod's readiness gates. */
export const readySpec = (pod: Pod, containersReady: CondSpec, conditions: readonly PodCondition[]): CondSpec => {
  if (containersReady.status !== 'True') return containersReady;
  const msgs: string[] = [];
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === g.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  return msgs.length > 0 ? { status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') } : { status: 'True' };
};

/**
 * The pod's conditions after a kubelet status computation [kubelet generateAPIPodStatus]: conditions owned
 * by others first (merged as [status_manager mergePodStatus] does), then PodReadyToStartContainers (True
 * while the pod's sandbox exists with its network — from the start of its containers, the Running write,
 * until they are killed), Initialized, Ready, ContainersReady, PodScheduled; each with the pod's
 * generation as observedGeneration (PodObservedGenerationTracking, on in 1.35).
 */
export const kubeletConditions = (
  pod: Pod, phase: string, statuses: readonly ContainerStatus[], now: number, extra: readonly PodCondition[] = [],
  initStatuses: readonly ContainerStatus[] = pod.status?.initContainerStatuses ?? [],
): PodCondition[] => {
  const old = pod.status?.conditions ?? [];
  const others = old.filter((c) => !KUBELET_CONDITIONS.has(c.type) && !extra.some((e) => e.type === c.type));
  const shared = [...others, ...extra];
  const cr = containersReadySpec(pod, phase, statuses, initStatuses);
  const gen = conditionGeneration(pod);
  // The sandbox exists while the pod is Running, while an init container runs or has run, and while a
  // container started in it or waits there for its image (ErrImageNeverPull, ErrImagePull, ImagePullBackOff).
  const inSandbox = (s: ContainerStatus): boolean => s.state?.running !== undefined || s.state?.terminated !== undefined || SANDBOX_WAIT_REASONS.has(s.state?.waiting?.reason ?? '');
  const sandbox = phase === 'Running' || (phase === 'Pending' && (initStatuses.some(inSandbox) || statuses.some(inSandbox)));
  return [
    ...shared,
    condition('PodReadyToStartContainers', { status: sandbox ? 'True' : 'False' }, old, now, gen),
    condition('Initialized', initializedSpec(pod, phase, statuses, initStatuses), old, now, gen),
    condition('Ready', readySpec(pod, cr, shared), old, now, gen),
    condition('ContainersReady', cr, old, now, gen),
    condition('PodScheduled', { status: 'True' }, old, now, gen),
  ];
};

/** `status.observedGeneration` (1.33+; not in the kubernetes-types release kubesim uses). */
export const statusObservedGeneration = (pod: Pod): number | undefined => (pod.status as { observedGeneration?: number } | undefined)?.observedGeneration;

/** [CalculatePodStatusObservedGeneration]: the status the kubelet writes records the pod generation it acted on. */
export const withObservedGeneration = (pod: Pod): Pod =>
  (pod.metadata?.generation === undefined || statusObservedGeneration(pod) === pod.metadata.generation
    ? pod
    : { ...pod, status: { ...pod.status, observedGeneration: pod.metadata.generation } as PodStatus });

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** A deterministic runtime container id (`containerd://` + 64 hex digits): one hash, then a mulberry32 stream. */
export const containerId = (seed: number, podUid: string, container: string): string => {
  let state = hashString(`${podUid}/${container}`, seed);
  let hex = '';
  for (let i = 0; i < 8; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const v = (t ^ (t >>> 14)) >>> 0;
    hex += HEX[v >>> 24]! + HEX[(v >>> 16) & 255]! + HEX[(v >>> 8) & 255]! + HEX[v & 255]!;
  }
  return `containerd://${hex}`;
};

/** A container not started yet: `ContainerCreating`, or `PodInitializing` in a pod with init containers. */
export const waitingStatus = (c: Container, reason = 'ContainerCreating'): ContainerStatus => ({
  name: c.name, image: c.image ?? '', imageID: '', lastState: {}, restartCount: 0,
  ready: false, started: false, state: { waiting: { reason } },
});

/**
 * A started container, as the runtime reports it ([convertToAPIContainerStatuses]): its image by the
 * runtime's name (`docker.io/library/nginx:1.25`) and repo digest (`imageID`).
 */
export const runningStatus = (c: Container, id: string, startedAt: string, ready: boolean): ContainerStatus => ({
  name: c.name, image: normalizeImageName(c.image ?? ''), imageID: simulatedImageId(c.image ?? ''), lastState: {}, restartCount: 0,
  containerID: id, ready, started: startsAtOnce(c), state: { running: { startedAt } },
});

/** A container without a startup probe counts as started as soon as it runs ([prober_manager UpdatePodStatus]). */
export const startsAtOnce = (c: Container | undefined): boolean => c?.startupProbe === undefined || c.startupProbe === null;

/** A container that had started and is now terminated (killed, or exited). */
export const terminatedStatus = (s: ContainerStatus, exitCode: number, now: number): ContainerStatus => {
  const running = s.state?.running;
  return {
    name: s.name, image: s.image, imageID: s.imageID, lastState: s.lastState ?? {}, restartCount: s.restartCount,
    ...(s.containerID ? { containerID: s.containerID } : {}),
    ready: false, started: false,
    state: {
      terminated: {
        ...(s.containerID ? { containerID: s.containerID } : {}),
        exitCode, reason: exitCode === 0 ? 'Completed' : 'Error',
        ...(running?.startedAt ? { startedAt: running.startedAt } : {}),
        finishedAt: timestamp(now),
      },
    },
  };
};

/** [status_manager TerminatePod]: a container with no terminated state is reported as lost (137). */
export const unknownTerminatedStatus = (c: Container, s: ContainerStatus | undefined): ContainerStatus => ({
  name: c.name, image: c.image ?? '', imageID: '', lastState: s?.lastState ?? {}, restartCount: s?.restartCount ?? 0,
  ready: false, started: false,
  state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: CONTAINER_UNKNOWN_MESSAGE } },
});

const everStarted = (s: ContainerStatus): boolean => s.started === true || s.state?.running !== undefined || (s.state?.terminated !== undefined && s.state.terminated.startedAt !== undefined);

/** Whether the pod's containers — or its first init container — have been started (its volume/attach stage is over). */
export const containersStarted = (p: Pod): boolean => {
  if (p.status?.phase === 'Running') return true;
  return (p.status?.containerStatuses ?? []).some(everStarted) || (p.status?.initContainerStatuses ?? []).some(everStarted);
};

/** Whether the pod's own containers (not its init containers) have been started. */
export const mainContainersStarted = (p: Pod): boolean => p.status?.phase === 'Running' || (p.status?.containerStatuses ?? []).some(everStarted);

/** Whether any container — init containers included — is running (IsPodTerminated = deletionTimestamp and none running). */
export const anyContainerRunning = (p: Pod): boolean =>
  (p.status?.containerStatuses ?? []).some((s) => s.state?.running !== undefined) || (p.status?.initContainerStatuses ?? []).some((s) => s.state?.running !== undefined);

/**
 * Startup-probe delay of a container: its first success, initialDelaySeconds (0) + one periodSeconds (10)
 * after the start; 0 without a startup probe ([prober_manager UpdatePodStatus]: started at once).
 */
export const startupDelayMs = (c: Container): number => {
  const p = c.startupProbe;
  return p ? ((p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10)) * 1000 : 0;
};

/**
 * Readiness delay of a container: without a readiness probe, ready once started; with one, its first success
 * one periodSeconds after both its initialDelaySeconds and the startup probe's success ([worker doProbe]:
 * the other probes wait until the container has started).
 */
export const probeDelayMs = (c: Container): number => {
  const p = c.readinessProbe;
  if (!p) return startupDelayMs(c);
  return Math.max((p.initialDelaySeconds ?? 0) * 1000, startupDelayMs(c)) + (p.periodSeconds ?? 10) * 1000;
};

/** When each container becomes ready (ms), from its startedAt; undefined when it is not running. */
export const readyAtMs = (c: Container, s: ContainerStatus | undefined): number | undefined => {
  const started = parseTimestamp(s?.state?.running?.startedAt);
  return started === undefined ? undefined : started + probeDelayMs(c);
};

/** When a running container counts as started (`started: true`): its startup probe's first success. */
export const startedAtMs = (c: Container, s: ContainerStatus | undefined): number | undefined => {
  const started = parseTimestamp(s?.state?.running?.startedAt);
  return started === undefined ? undefined : started + startupDelayMs(c);
};

/** [kubelet getPhase] for a pod the kubelet has terminated: all containers stopped → Succeeded iff all exited 0. */
export const terminalPhase = (statuses: readonly ContainerStatus[]): 'Succeeded' | 'Failed' =>
  statuses.length > 0 && statuses.every((s) => s.state?.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';

/** A new pod whose status is the old one with these fields replaced (undefined, or listed in `remove`, drops a field). */
export const withStatus = (pod: Pod, patch: Partial<PodStatus>, remove: readonly (keyof PodStatus)[] = []): Pod => {
  const status: Record<string, unknown> = {};
  const old = (pod.status ?? {}) as Record<string, unknown>;
  const p = patch as Record<string, unknown>;
  for (const k in old) if (!(k in p) && !remove.includes(k as keyof PodStatus)) status[k] = old[k];
  for (const k in p) if (p[k] !== undefined) status[k] = p[k];
  return { ...pod, status: status as PodStatus };
};
