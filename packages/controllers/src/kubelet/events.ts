import { simulatedImageSize, type Pod } from '@kubesim/api';
import type { EventSpec } from '../framework/plan.js';
import { involvedOf } from '../framework/recorder.js';
import { goDuration } from './crash.js';

/**
 * The kubelet's container events, as `kubectl describe pod` shows them under "Events" (Kubernetes 1.35):
 * [images EnsureImageExists] `Pulled` (and `Pulling` first when the pull policy is `Always`),
 * [kuberuntime startContainer] `Created` and `Started`, [kuberuntime killContainer] `Killing`. Each is
 * about the pod with `fieldPath: spec.containers{<name>}` (kubecontainer.GenerateContainerRef), so the
 * correlator keeps one event per container and counts repeats (a crash loop's `Pulled (x5)`).
 *
 * Whether a start pulls its image is the caller's decision (images.ts: `Always` pulls every time,
 * `IfNotPresent` when the node does not hold the image).
 */

type Container = NonNullable<NonNullable<Pod['spec']>['containers']>[number];

/** Where a container is declared: the pod's containers, or its init containers. */
export type ContainerList = 'containers' | 'initContainers';

const containerRef = (pod: Pod, container: string, list: ContainerList): EventSpec['involved'] => ({ ...involvedOf(pod), fieldPath: `spec.${list}{${container}}` });

const normal = (pod: Pod, c: Container, reason: string, message: string, list: ContainerList = 'containers'): EventSpec =>
  ({ type: 'Normal', reason, message, involved: containerRef(pod, c.name, list) });

/** `Pulling`: a pull of the image starts. */
export const pullingEvent = (pod: Pod, c: Container, list: ContainerList = 'containers'): EventSpec => normal(pod, c, 'Pulling', `Pulling image "${c.image ?? ''}"`, list);

/**
 * A container's start: `Pulled` (the image was present, or — with `pulls` — a pull that took `pullMs`
 * ended), `Created`, `Started` — for a container whose pull started earlier (its `Pulling` event recorded
 * already) or, with `pullingNow`, preceded by its `Pulling`.
 */
export const startEvents = (pod: Pod, c: Container, pulls: boolean, pullMs: number, pullingNow: boolean, list: ContainerList = 'containers'): EventSpec[] => {
  const image = c.image ?? '';
  const d = goDuration(pullMs);
  return [
    ...(pulls && pullingNow ? [pullingEvent(pod, c, list)] : []),
    pulls
      ? normal(pod, c, 'Pulled', `Successfully pulled image "${image}" in ${d} (${d} including waiting). Image size: ${simulatedImageSize(image)} bytes.`, list)
      : normal(pod, c, 'Pulled', `Container image "${image}" already present on machine and can be accessed by the pod`, list),
    normal(pod, c, 'Created', 'Container created', list),
    normal(pod, c, 'Started', 'Container started', list),
  ];
};

/**
 * `BackOff` (Warning) [kuberuntime doBackOff]: a crashed container waits out its crash-loop back-off —
 * recorded about the container at every pod sync during the back-off.
 */
export const backOffEvent = (pod: Pod, container: string, podText: string, list: ContainerList = 'containers'): EventSpec =>
  ({ type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${container} in pod ${podText}`, involved: containerRef(pod, container, list) });

/** `ErrImageNeverPull` (Warning) [EnsureImageExists]: policy `Never` and the node does not hold the image. */
export const neverPullEvent = (pod: Pod, c: Container, message: string, list: ContainerList = 'containers'): EventSpec =>
  ({ type: 'Warning', reason: 'ErrImageNeverPull', message, involved: containerRef(pod, c.name, list) });

/**
 * A failed pull ([EnsureImageExists], [kuberuntime startContainer]): `Failed` with the runtime's error,
 * then `Failed` `Error: ErrImagePull` — after its `Pulling` when `pullingNow`.
 */
export const pullFailedEvents = (pod: Pod, c: Container, error: string, pullingNow: boolean, list: ContainerList = 'containers'): EventSpec[] => [
  ...(pullingNow ? [pullingEvent(pod, c, list)] : []),
  { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${c.image ?? ''}": ${error}`, involved: containerRef(pod, c.name, list) },
  { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull', involved: containerRef(pod, c.name, list) },
];

/** A pull waiting out its back-off: `BackOff` `Back-off pulling image "x"`, then `Failed` `Error: ImagePullBackOff`. */
export const pullBackoffEvents = (pod: Pod, c: Container, message: string, list: ContainerList = 'containers'): EventSpec[] => [
  normal(pod, c, 'BackOff', message, list),
  { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', involved: containerRef(pod, c.name, list) },
];

/** [kuberuntime startContainer] a container whose config cannot be made: Warning `Failed` `Error: <why>`. */
export const createFailedEvent = (pod: Pod, c: Container, error: string, list: ContainerList = 'containers'): EventSpec =>
  ({ type: 'Warning', reason: 'Failed', message: `Error: ${error}`, involved: containerRef(pod, c.name, list) });

/** `Killing`: the kubelet stops a running container (graceful deletion, eviction). */
export const killingEvent = (pod: Pod, c: Container, list: ContainerList = 'containers'): EventSpec => normal(pod, c, 'Killing', `Stopping container ${c.name}`, list);

type Probe = NonNullable<Container['livenessProbe']>;

/**
 * What a failing probe reports [prober runProbe]: an HTTP GET's status (`HTTP probe failed with statuscode:
 * 500`, http.go), a TCP connect's error (`dial tcp 10.244.1.5:8080: connect: connection refused`), a gRPC
 * health check's status (`service unhealthy (responded with "NOT_SERVING")`), an exec command's output
 * (none here).
 */
export const probeFailureOutput = (probe: Probe, pod: Pod, c: Container): string => {
  const port = (p: string | number | undefined): string => {
    if (typeof p === 'number' || p === undefined) return String(p ?? '');
    const named = c.ports?.find((x) => x.name === p)?.containerPort;
    return named === undefined ? p : String(named);
  };
  if (probe.httpGet) return 'HTTP probe failed with statuscode: 500';
  if (probe.tcpSocket) return `dial tcp ${probe.tcpSocket.host ?? pod.status?.podIP ?? ''}:${port(probe.tcpSocket.port)}: connect: connection refused`;
  if (probe.grpc) return 'service unhealthy (responded with "NOT_SERVING")';
  return '';
};

/** `Unhealthy` (Warning) [prober recordContainerEvent]: `Liveness probe failed: <output>` (or Readiness), once per failed probe. */
export const unhealthyEvent = (pod: Pod, c: Container, probe: 'Liveness' | 'Readiness' | 'Startup', output: string, list: ContainerList = 'containers'): EventSpec =>
  ({ type: 'Warning', reason: 'Unhealthy', message: `${probe} probe failed: ${output}`, involved: containerRef(pod, c.name, list) });

/** `Killing` [kuberuntime computePodActions, killContainer]: a container that failed its liveness or startup probe is stopped and restarted. */
export const probeKillingEvent = (pod: Pod, c: Container, probe: 'liveness' | 'startup', list: ContainerList = 'containers'): EventSpec =>
  normal(pod, c, 'Killing', `Container ${c.name} failed ${probe} probe, will be restarted`, list);
