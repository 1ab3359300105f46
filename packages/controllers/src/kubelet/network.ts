import { isTerminal, type Node, type Pod } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import type { PHashMap } from '../framework/phashmap.js';
import type { KubeletConfig, PendingWrite } from './types.js';

const indexCache = new WeakMap<readonly string[], ReadonlyMap<string, number>>();
const setCache = new WeakMap<readonly string[], ReadonlySet<string>>();

/** The node's index in the config list (-1 when not hosted here). */
export const nodeIndex = (config: KubeletConfig, node: string): number => {
  let m = indexCache.get(config.nodes);
  if (!m) {
    m = new Map(config.nodes.map((n, i) => [n, i]));
    indexCache.set(config.nodes, m);
  }
  return m.get(node) ?? -1;
};

export const hostedNodes = (config: KubeletConfig): ReadonlySet<string> => {
  let s = setCache.get(config.nodes);
  if (!s) {
    s = new Set(config.nodes);
    setCache.set(config.nodes, s);
  }
  return s;
};

const prefixes: string[] = [];
const USED = new Uint8Array(256);
/** The node's pod CIDR `10.<64 + ⌊i/256⌋>.<i mod 256>.0/24`, as the prefix `10.x.y.`. */
export const podCidrPrefix = (i: number): string => (prefixes[i] ??= `10.${64 + Math.floor(i / 256)}.${i % 256}.`);

/** The node's InternalIP, or one derived from its index (`172.18.x.y`, as kind numbers its nodes). */
export const hostIpOf = (node: Node | undefined, i: number): string => {
  const internal = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (internal) return internal;
  const n = i + 2;
  return `172.18.${Math.floor(n / 256)}.${n % 256}`;
};

/**
 * The pod's IP: the lowest host number ≥ 2 in the node's /24 not used by another non-terminal pod on
 * the node nor reserved by an in-flight write. A reservation of the pod itself is reused.
 */
export const allocatePodIp = (
  snap: Snapshot, pod: Pod, node: string, i: number, pending: PHashMap<PendingWrite>,
): { ip: string | undefined; scanned: number } => {
  const uid = pod.metadata?.uid ?? '';
  const own = pending.get(uid)?.ip;
  if (own) return { ip: own, scanned: 0 };
  const prefix = podCidrPrefix(i);
  // Host numbers in use (2..254 matter), marked in a reused array, cleared again before returning.
  const used = USED;
  const marked: number[] = [];
  let scanned = 0;
  for (const p of snap.byIndex('Pod', 'node', node)) {
    scanned++;
    const u = p.metadata?.uid ?? '';
    if (u === uid || isTerminal(p)) continue;
    // An IP written but not yet seen is reserved (the pod is on this node, so it is found here).
    const ip = p.status?.podIP ?? (pending.size > 0 ? pending.get(u)?.ip : undefined);
    if (ip && ip.startsWith(prefix)) {
      const h = Number(ip.slice(prefix.length));
      if (h >= 2 && h <= 254 && Number.isInteger(h) && used[h] === 0) { used[h] = 1; marked.push(h); }
    }
  }
  let ip: string | undefined;
  for (let h = 2; h <= 254; h++) if (used[h] === 0) { ip = `${prefix}${h}`; break; }
  for (const h of marked) used[h] = 0;
  return { ip, scanned };
};
