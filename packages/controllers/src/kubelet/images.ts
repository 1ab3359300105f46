import { nodeImageEntry, nodeImageList, normalizeImageName, parseTimestamp, seededBetween, type Container, type Pod } from '@kubesim/api';
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

/** The normal names a node's `status.images` lists. */
const listedImages = (snap: Snapshot, node: string): Set<string> => {
  const out = new Set<string>();
  for (const entry of snap.get('Node', '', node)?.status?.images ?? []) for (const x of entry.names ?? []) out.add(normalizeImageName(x));
  return out;
};

/**
 * The images the node holds beyond the names in `listed` (its `status.images`), each with since when:
 * this incarnation's pulls and the images of the containers its pods have started.
 */
const heldBeyond = (snap: Snapshot, local: KubeletLocal, node: string, listed: ReadonlySet<string>): Map<string, number> => {
  const out = new Map<string, number>();
  const add = (n: string, at: number): void => {
    if (listed.has(n)) return;
    const prev = out.get(n);
    if (prev === undefined || at < prev) out.set(n, at);
  };
  for (const [n, at] of local.images.get(node) ?? []) add(n, at);
  for (const p of snap.byIndex('Pod', 'node', node)) {
    const started = startedImages(p);
    for (let i = 0; i < started.length; i += 2) add(started[i] as string, started[i + 1] as number);
  }
  return out;
};

/** A pod version's started images, flat (normal name, since when, …): computed once per version. */
const startedByPod = new WeakMap<Pod, readonly (string | number)[]>();
const startedImages = (p: Pod): readonly (string | number)[] => {
  let out = startedByPod.get(p);
  if (out !== undefined) return out;
  const flat: (string | number)[] = [];
  for (const list of [p.status?.initContainerStatuses, p.status?.containerStatuses]) {
    for (const s of list ?? []) {
      const at = s.image === '' ? undefined : startedAt(s);
      if (at !== undefined) flat.push(normalizeImageName(s.image), at);
    }
  }
  out = flat.length === 0 ? NONE : flat;
  startedByPod.set(p, out);
  return out;
};
const NONE: readonly (string | number)[] = [];

/** [kubelet] The image GC manager refreshes its image cache every 30 s; the node status loop reads it every 10 s. */
export const IMAGE_CACHE_REFRESH_MS = 30_000;
export const NODE_STATUS_UPDATE_MS = 10_000;

/** The first tick at or after `t` of a period whose phase is seeded per node (each kubelet's loops started at its own time). */
const nextTick = (seed: number, label: string, periodMs: number, t: number): number => {
  const phase = seededBetween(seed, label, 0, periodMs);
  return phase + Math.max(0, Math.ceil((t - phase) / periodMs)) * periodMs;
};

/** When an image the node holds since `since` shows in its `status.images`: the status sync after the cache refresh after it. */
export const imageReportedAt = (seed: number, node: string, since: number): number =>
  nextTick(seed, `${node}:nodeStatus`, NODE_STATUS_UPDATE_MS, nextTick(seed, `${node}:imageCache`, IMAGE_CACHE_REFRESH_MS, since));

/**
 * The node's images as its status should list them at `now` — what it listed and the images due by now,
 * largest first, at most 50 — or undefined when nothing is due; and when the next one falls due.
 */
export const nodeImagesReport = (snap: Snapshot, local: KubeletLocal, node: string, seed: number, now: number):
  { images?: { names: string[]; sizeBytes: number }[]; nextAt?: number } => {
  const { held } = nodeHoldings(snap, local, node);
  if (held.size === 0) return {};
  const due: string[] = [];
  let nextAt: number | undefined;
  for (const [n, since] of held) {
    const at = imageReportedAt(seed, node, since);
    if (at <= now) due.push(n);
    else nextAt = nextAt === undefined ? at : Math.min(nextAt, at);
  }
  if (due.length === 0) return nextAt === undefined ? {} : { nextAt };
  const current = (snap.get('Node', '', node)?.status?.images ?? []).map((e) => ({ names: [...(e.names ?? [])], sizeBytes: e.sizeBytes ?? 0 }));
  const images = nodeImageList([...current, ...due.map((n) => nodeImageEntry(n))]);
  // A full list (50) that the new images do not make it into is unchanged: nothing to write.
  const changed = images.length !== current.length || images.some((e, k) => e.names.at(-1) !== current[k]!.names.at(-1));
  return { ...(changed ? { images } : {}), ...(nextAt !== undefined ? { nextAt } : {}) };
};

/**
 * What a node holds, read once per sync: the normal names its `status.images` lists (held always), and
 * the other images with since when.
 */
export interface NodeHoldings { readonly listed: ReadonlySet<string>; readonly held: ReadonlyMap<string, number> }

export const nodeHoldings = (snap: Snapshot, local: KubeletLocal, node: string): NodeHoldings => {
  const listed = listedImages(snap, node);
  return { listed, held: heldBeyond(snap, local, node, listed) };
};

/** Whether the node holds `image` at `t`. */
export const heldAt = (h: NodeHoldings, image: string, t: number): boolean => {
  const n = normalizeImageName(image);
  if (h.listed.has(n)) return true;
  const since = h.held.get(n);
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
  const prev = local.images.get(node);
  let held: Map<string, number> | undefined;
  for (const i of images) {
    const n = normalizeImageName(i);
    if (prev?.has(n) === true || held?.has(n) === true) continue;
    held ??= new Map(prev ?? []);
    held.set(n, now);
  }
  // Nothing new (the usual case: the node pulled this image before): the same local, no copy.
  return held === undefined ? local : { ...local, images: new Map(local.images).set(node, held) };
};

/**
 * The pull decisions of containers started one after another at `now`: a container pulls by its policy
 * and whether the node holds its image — counting the images the containers before it pulled. The first
 * container's may be decided by the caller (its pull began with the sandbox). A container whose policy is
 * `Never` and whose image the node does not hold cannot start (`blocked`: ErrImageNeverPull).
 */
export const pullDecisions = (
  h: NodeHoldings, containers: readonly Container[], now: number, first?: boolean, missing?: readonly string[],
): { pulls: boolean[]; blocked: boolean[]; pulled: string[] } => {
  const pulled: string[] = [];
  const blocked: boolean[] = [];
  const pulls = containers.map((c, k) => {
    const image = c.image ?? '';
    const held = pulled.some((i) => normalizeImageName(i) === normalizeImageName(image)) || heldAt(h, image, now);
    const p = k === 0 && first !== undefined ? first : shouldPull(c, held);
    blocked.push(!p && !held && c.imagePullPolicy === 'Never');
    // A failed pull (an image no registry has) leaves nothing on the node.
    if (p && !imageMissing(missing, image)) pulled.push(image);
    return p;
  });
  return { pulls, blocked, pulled };
};

/** The waiting reason of a container whose image is absent under policy `Never` ([images ErrImageNeverPull]). */
export const NEVER_PULL = 'ErrImageNeverPull';

/** The message of that reason, and of its Warning event. */
export const neverPullMessage = (image: string): string => `Container image "${image}" is not present with pull policy of Never`;

/** The waiting reasons of a failed pull and of its back-off ([images ErrImagePull, ErrImagePullBackOff]). */
export const PULL_FAILED = 'ErrImagePull';
export const PULL_BACKOFF = 'ImagePullBackOff';

/**
 * The waiting reasons of a container whose sandbox exists but which could not be started: its image is not
 * there, or its environment cannot be made (`CreateContainerConfigError`, config.ts) — tried again at each
 * pod-worker retry.
 */
export const SANDBOX_WAIT_REASONS: ReadonlySet<string> = new Set([NEVER_PULL, PULL_FAILED, PULL_BACKOFF, 'CreateContainerConfigError']);

/** [kubelet imageBackOff] flowcontrol.NewBackOff(backOffPeriod, MaxContainerBackOff): 10 s doubling to 300 s. */
export const IMAGE_BACKOFF_INITIAL_MS = 10_000;
export const IMAGE_BACKOFF_MAX_MS = 300_000;

/** Whether no registry has the image (the scenario's `cluster.missingImages`). */
export const imageMissing = (missing: readonly string[] | undefined, image: string): boolean =>
  missing !== undefined && missing.length > 0 && missing.includes(normalizeImageName(image));

/** The runtime's error for a reference no registry resolves (containerd's NotFound), as the status message and the event show it. */
export const pullErrorMessage = (image: string): string => {
  const n = normalizeImageName(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${n}": failed to resolve reference "${n}": ${n}: not found`;
};

/** The message of ImagePullBackOff (status and `BackOff` event). */
export const pullBackoffMessage = (image: string): string => `Back-off pulling image "${image}"`;

/** [IsInBackOffSinceUpdate]: whether the pod's pulls of the image wait at `now`, and until when. */
export const pullBackoffUntil = (local: KubeletLocal, uid: string, image: string, now: number): number | undefined => {
  const b = local.pullBackoff.get(`${uid}/${normalizeImageName(image)}`);
  return b !== undefined && now - b.at < b.periodMs ? b.at + b.periodMs : undefined;
};

/** [backOff.Next] after a failed pull at `now`: the period doubles (10 s first, 300 s at most). */
export const pullFailed = (local: KubeletLocal, uid: string, image: string, now: number): KubeletLocal => {
  const k = `${uid}/${normalizeImageName(image)}`;
  const prev = local.pullBackoff.get(k);
  const periodMs = prev === undefined ? IMAGE_BACKOFF_INITIAL_MS : Math.min(prev.periodMs * 2, IMAGE_BACKOFF_MAX_MS);
  return { ...local, pullBackoff: new Map(local.pullBackoff).set(k, { at: now, periodMs }) };
};
