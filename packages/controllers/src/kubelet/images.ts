import { normalizeImageName, parseTimestamp, type Container, type Pod } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import type { KubeletLocal } from './types.js';

/**
 * The images a node holds ([images EnsureImageExists] asks the container runtime, GetImageRef). The
 * runtime is not the kubelet: what it holds outlives a kubelet restart. kubesim knows it from three
 * sources, each giving the time from which the node holds an image:
 *
 * * the node's `status.images` (a scenario's `nodes[].images`, preloaded: always);
 * * a container of a pod on the node that has started with the image (its start) — what a restarted
 *   kubelet finds in the runtime;
 * * the pulls this kubelet incarnation finished (`local.images`), which also covers pods deleted since.
 *
 * Images are compared in their normal form (`nginx:1.25` is `docker.io/library/nginx:1.25`).
 */

/** Nodes' pulled images this incarnation: node → normal image name → when its pull ended. */
export type NodeImages = ReadonlyMap<string, ReadonlyMap<string, number>>;

type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

/** When a container status shows its image present: the start of its current or last instance. */
const startedAt = (s: ContainerStatus): number | undefined =>
  parseTimestamp(s.state?.running?.startedAt ?? s.state?.terminated?.startedAt ?? s.lastState?.terminated?.startedAt ?? undefined);

/** Since when `node` holds `image` (normal form), or undefined when it does not. */
export const imagePresentSince = (snap: Snapshot, local: KubeletLocal, node: string, image: string): number | undefined => {
  const n = normalizeImageName(image);
  const nodeObj = snap.get('Node', '', node);
  for (const entry of nodeObj?.status?.images ?? []) {
    if ((entry.names ?? []).some((x) => normalizeImageName(x) === n)) return -Infinity;
  }
  let since = local.images.get(node)?.get(n);
  for (const p of snap.byIndex('Pod', 'node', node)) {
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
      if (s.image === '' || normalizeImageName(s.image) !== n) continue;
      const at = startedAt(s);
      if (at !== undefined && (since === undefined || at < since)) since = at;
    }
  }
  return since;
};

/** Whether `node` holds `image` at `t`. */
export const imagePresentAt = (snap: Snapshot, local: KubeletLocal, node: string, image: string, t: number): boolean => {
  const since = imagePresentSince(snap, local, node, image);
  return since !== undefined && since <= t;
};

/** [shouldPullImage]: `Always` pulls, `IfNotPresent` pulls an image the node does not hold, `Never` never pulls. */
export const shouldPull = (c: Container, present: boolean): boolean => {
  switch (c.imagePullPolicy) {
    case 'Always': return true;
    case 'Never': return false;
    default: return !present;
  }
};

/** The images of `containers` pulled at `now` on `node` remembered (unchanged when there is none). */
export const rememberPulls = (local: KubeletLocal, node: string, images: readonly string[], now: number): KubeletLocal => {
  if (images.length === 0) return local;
  const held = new Map(local.images.get(node) ?? []);
  for (const i of images) {
    const n = normalizeImageName(i);
    if (!held.has(n)) held.set(n, now);
  }
  return { ...local, images: new Map(local.images).set(node, held) };
};

/**
 * The pull decisions of containers started one after another at `now`: a container pulls by its policy
 * and whether the node holds its image — counting the images the containers before it pulled. The first
 * container's may be decided by the caller (its pull began with the sandbox). A container whose policy is
 * `Never` and whose image the node does not hold cannot start (`blocked`: ErrImageNeverPull).
 */
export const pullDecisions = (snap: Snapshot, local: KubeletLocal, node: string, containers: readonly Container[], now: number, first?: boolean): { pulls: boolean[]; blocked: boolean[]; pulled: string[] } => {
  const pulled: string[] = [];
  const blocked: boolean[] = [];
  const pulls = containers.map((c, k) => {
    const image = c.image ?? '';
    const held = pulled.some((i) => normalizeImageName(i) === normalizeImageName(image)) || imagePresentAt(snap, local, node, image, now);
    const p = k === 0 && first !== undefined ? first : shouldPull(c, held);
    blocked.push(!p && !held && c.imagePullPolicy === 'Never');
    if (p) pulled.push(image);
    return p;
  });
  return { pulls, blocked, pulled };
};

/** The waiting reason of a container whose image is absent under policy `Never` ([images ErrImageNeverPull]). */
export const NEVER_PULL = 'ErrImageNeverPull';

/** The message of that reason, and of its Warning event. */
export const neverPullMessage = (image: string): string => `Container image "${image}" is not present with pull policy of Never`;
