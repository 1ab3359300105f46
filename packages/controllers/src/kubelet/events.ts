import { hashString, type Pod } from '@kubesim/api';
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
 * kubesim's nodes hold every image: `IfNotPresent` and `Never` find it present; `Always` pulls it again.
 */

type Container = NonNullable<NonNullable<Pod['spec']>['containers']>[number];

/** Where a container is declared: the pod's containers, or its init containers. */
export type ContainerList = 'containers' | 'initContainers';

const containerRef = (pod: Pod, container: string, list: ContainerList): EventSpec['involved'] => ({ ...involvedOf(pod), fieldPath: `spec.${list}{${container}}` });

const normal = (pod: Pod, c: Container, reason: string, message: string, list: ContainerList = 'containers'): EventSpec =>
  ({ type: 'Normal', reason, message, involved: containerRef(pod, c.name, list) });

/** The pull policy after defaulting (`Always` for an untagged or `:latest` image). */
export const pullsAlways = (c: Container): boolean => c.imagePullPolicy === 'Always';

/**
 * The image's size in the `Pulled` message of a pull: kubesim pulls nothing, so it is made up — the same
 * for every pull of one image name, 5–500 MB.
 */
export const simulatedImageSize = (image: string): number => 5_000_000 + (hashString(image) % 495_000_000);

/** `Pulling`: a pull of the image starts (policy `Always`). */
export const pullingEvent = (pod: Pod, c: Container, list: ContainerList = 'containers'): EventSpec => normal(pod, c, 'Pulling', `Pulling image "${c.image ?? ''}"`, list);

/**
 * A container's start: `Pulled` (the image was present, or a pull that took `pullMs` ended), `Created`,
 * `Started` — for a container whose pull started earlier (its `Pulling` event recorded already) or, with
 * `pullingNow`, preceded by its `Pulling`.
 */
export const startEvents = (pod: Pod, c: Container, pullMs: number, pullingNow: boolean, list: ContainerList = 'containers'): EventSpec[] => {
  const image = c.image ?? '';
  const always = pullsAlways(c);
  const d = goDuration(pullMs);
  return [
    ...(always && pullingNow ? [pullingEvent(pod, c, list)] : []),
    always
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

/** `Killing`: the kubelet stops a running container (graceful deletion, eviction). */
export const killingEvent = (pod: Pod, c: Container, list: ContainerList = 'containers'): EventSpec => normal(pod, c, 'Killing', `Stopping container ${c.name}`, list);
