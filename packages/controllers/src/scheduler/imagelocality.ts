import type { Node, Pod } from '@kubesim/api';

/**
 * ImageLocality ([imagelocality.ImageLocality], weight 1 in the default profile, no normalization): a
 * node scores by the sizes of the pod's images it already lists in `status.images`, each scaled by the
 * share of nodes that list it (the "node heating" guard), between 23 MB and 1000 MB per container:
 * 100 × (sum − 23 MB) / (1000 MB × containers − 23 MB).
 *
 * Names are matched as the scheduler matches them ([normalizedImageName]: `:latest` added to an untagged
 * name, nothing else): a pod's `nginx:1.25` does not match a runtime's `docker.io/library/nginx:1.25`,
 * so, as in Kubernetes with containerd, only fully qualified images in pod specs score.
 */

const MB = 1024 * 1024;
export const IMAGE_MIN_THRESHOLD = 23 * MB;
export const IMAGE_MAX_CONTAINER_THRESHOLD = 1000 * MB;
export const IMAGE_LOCALITY_WEIGHT = 1;

/** [normalizedImageName]: `:latest` appended when the last path segment has no tag. */
export const schedulerImageName = (name: string): string => (name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name);

/** An image as the scheduler's cache sums it over nodes ([ImageStateSummary]): size, and the nodes that list it. */
export interface ImageState { readonly size: number; readonly nodes: Set<string> }

/** The names a node lists, with each image's size. */
export const nodeImageNames = (node: Node): [string, number][] => {
  const out: [string, number][] = [];
  for (const img of node.status?.images ?? []) for (const n of img.names ?? []) out.push([n, img.sizeBytes ?? 0]);
  return out;
};

/** The pod's images that some node lists (per container, init containers first), or undefined when none does: the plugin adds nothing. */
export interface PodImages { readonly states: readonly ImageState[]; readonly containers: number; readonly totalNodes: number }

export const podImages = (pod: Pod, states: ReadonlyMap<string, ImageState>, totalNodes: number): PodImages | undefined => {
  if (states.size === 0) return undefined;
  const found: ImageState[] = [];
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    const s = states.get(schedulerImageName(c.image ?? ''));
    if (s !== undefined && s.nodes.size > 0) found.push(s);
  }
  return found.length === 0 ? undefined : { states: found, containers: containers.length, totalNodes };
};

/** [sumImageScores, scaledImageScore, calculatePriority] for one node. */
export const imageLocalityScore = (img: PodImages, node: string): number => {
  let sum = 0;
  for (const s of img.states) if (s.nodes.has(node)) sum += Math.trunc(s.size * (s.nodes.size / img.totalNodes));
  const max = IMAGE_MAX_CONTAINER_THRESHOLD * img.containers;
  const clamped = Math.min(Math.max(sum, IMAGE_MIN_THRESHOLD), max);
  return Math.floor((100 * (clamped - IMAGE_MIN_THRESHOLD)) / (max - IMAGE_MIN_THRESHOLD));
};
