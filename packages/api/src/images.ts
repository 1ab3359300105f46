import { hashString } from './rand.js';

/**
 * Container image references as a container runtime reports them ([distribution/reference]
 * ParseNormalizedNamed + TagNameOnly): a name without a registry is Docker Hub's (`docker.io/`), a
 * one-segment Docker Hub name is an official image (`library/`), and a reference with neither tag nor
 * digest is `:latest`. `nginx:1.25` → `docker.io/library/nginx:1.25`, `registry.k8s.io/pause` →
 * `registry.k8s.io/pause:latest`. The pod's `image` and the node's `status.images` name one image when
 * their normal forms are equal.
 */
export const normalizeImageName = (image: string): string => {
  let n = normalCache.get(image);
  if (n === undefined) {
    if (normalCache.size >= MEMO_LIMIT) normalCache.clear();
    n = normalize(image);
    normalCache.set(image, n);
  }
  return n;
};

/** Pure functions of an image reference called on every container start: remembered, a bounded number. */
const MEMO_LIMIT = 4096;
const normalCache = new Map<string, string>();
const idCache = new Map<string, string>();

const normalize = (image: string): string => {
  const at = image.indexOf('@');
  let name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at) : '';
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  // A first segment with a dot or a port, or `localhost`, is a registry.
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) name = `docker.io/${slash >= 0 ? '' : 'library/'}${name}`;
  const colon = name.lastIndexOf(':');
  const tagged = colon > name.lastIndexOf('/');
  return digest !== '' || tagged ? `${name}${digest}` : `${name}:latest`;
};

/** The repository of a normalized reference (`docker.io/library/nginx:1.25` → `docker.io/library/nginx`). */
const repositoryOf = (normalized: string): string => {
  const at = normalized.indexOf('@');
  const ref = at >= 0 ? normalized.slice(0, at) : normalized;
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
};

/**
 * The made-up content digest of an image (kubesim pulls nothing): `sha256:` and 64 hex digits derived
 * from its normal name, the same in every run.
 */
export const simulatedImageDigest = (image: string): string => {
  const n = normalizeImageName(image);
  let hex = '';
  for (let i = 0; hex.length < 64; i++) hex += hashString(n, 0x9e3779b9 + i).toString(16).padStart(8, '0');
  return `sha256:${hex.slice(0, 64)}`;
};

/**
 * The made-up size of an image in bytes (the `Pulled` event's `Image size`, a node's `status.images`):
 * the same for every pull of one image, 5–500 MB.
 */
export const simulatedImageSize = (image: string): number => 5_000_000 + (hashString(normalizeImageName(image)) % 495_000_000);

/**
 * The repo digest a runtime reports for an image (`docker.io/library/nginx@sha256:…`): a container's
 * `imageID`, the first of the image's names in a node's `status.images`.
 */
export const simulatedImageId = (image: string): string => {
  let id = idCache.get(image);
  if (id === undefined) {
    if (idCache.size >= MEMO_LIMIT) idCache.clear();
    const n = normalizeImageName(image);
    id = n.includes('@') ? n : `${repositoryOf(n)}@${simulatedImageDigest(n)}`;
    idCache.set(image, id);
  }
  return id;
};

/** A node's `status.images` entry for an image: its repo digest and its tag ([nodestatus.Images]), and its size. */
export const nodeImageEntry = (image: string): { names: string[]; sizeBytes: number } => {
  const n = normalizeImageName(image);
  return { names: n.includes('@') ? [n] : [simulatedImageId(n), n], sizeBytes: simulatedImageSize(n) };
};

/** [nodestatus.Images] At most this many images in a node's status (--node-status-max-images). */
export const NODE_STATUS_MAX_IMAGES = 50;

type NodeImage = { names: string[]; sizeBytes: number };

/** A node's `status.images` from its entries: largest first (sliceutils.ByImageSize), at most 50. */
export const nodeImageList = (entries: readonly NodeImage[]): NodeImage[] =>
  [...entries].sort((a, b) => b.sizeBytes - a.sizeBytes || (a.names.at(-1)! < b.names.at(-1)! ? -1 : a.names.at(-1)! > b.names.at(-1)! ? 1 : 0))
    .slice(0, NODE_STATUS_MAX_IMAGES);

/** A node's `status.images` for the images it holds: one entry per image (by normal name). */
export const nodeImages = (images: readonly string[]): NodeImage[] =>
  nodeImageList([...new Set(images.map(normalizeImageName))].map(nodeImageEntry));
