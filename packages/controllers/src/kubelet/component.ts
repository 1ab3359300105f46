import { isTerminal, podClaimNames, type KObject, type PersistentVolume, type PersistentVolumeClaim, type Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { podsByClaim, podsByNode, type Snapshot } from '@kubesim/state';
import type { ComponentDef, KeysForContext } from '../framework/component.js';
import { syncKubeletPod } from './core.js';
import { kubeletOnStart } from './crash.js';
import { observeKubelet, parseKubeletFault, parseNodeFault } from './local.js';
import { hostedNodes } from './network.js';
import { containersStarted } from './status.js';
import {
  KUBELET_NAME, defaultKubeletConfig, initialKubeletLocal, kubeletKey, kubeletShardOf, nodeStatusKey, type KubeletConfig, type KubeletLocal,
} from './types.js';
import { exclusivePvOf } from './volumes.js';
import { nodeResizePending } from '../volume/resize.js';

const keyOfPod = (p: Pod): string => kubeletKey(p.spec?.nodeName ?? '', p.metadata?.namespace ?? '', p.metadata?.name ?? '');

/**
 * Pods on my nodes that use `namespace/claim`, not terminal, and have not started their containers (the
 * volume stage) — or, with `mounted`, every such pod, the started ones (the volume is mounted) included.
 */
const claimUsersHere = (snap: Snapshot, claimKey: string, nodes: ReadonlySet<string>, exceptUid?: string, mounted = false): string[] => {
  const out: string[] = [];
  for (const p of snap.byIndex('Pod', 'claim', claimKey)) {
    if (p.metadata?.uid === exceptUid || !nodes.has(p.spec?.nodeName ?? '') || isTerminal(p) || (!mounted && containersStarted(p))) continue;
    out.push(keyOfPod(p));
  }
  return out;
};

/** Whether two versions agree on what other pods' attach decision depends on: node, phase, admission, start, termination. */
const sameAttachSignature = (p: Pod, q: Pod | undefined): boolean =>
  q !== undefined
  && (p.spec?.nodeName ?? '') === (q.spec?.nodeName ?? '')
  && (p.status?.phase ?? '') === (q.status?.phase ?? '')
  && (p.status?.startTime ?? '') === (q.status?.startTime ?? '')
  && (p.metadata?.deletionTimestamp ?? '') === (q.metadata?.deletionTimestamp ?? '')
  && containersStarted(p) === containersStarted(q);

/**
 * A pod change that can unblock (or block) a Multi-Attach wait elsewhere: route it to the waiting pods on
 * my nodes that share one of its exclusive (RWO) volumes.
 */
const attachSharers = (snap: Snapshot, pod: Pod, old: Pod | undefined, deleted: boolean, nodes: ReadonlySet<string>): string[] => {
  const claims = podClaimNames(pod);
  if (claims.length === 0) return [];
  if (!deleted && sameAttachSignature(pod, old)) return [];
  const ns = pod.metadata?.namespace ?? '';
  const out: string[] = [];
  for (const c of claims) {
    if (!exclusivePvOf(snap, ns, c)) continue;
    out.push(...claimUsersHere(snap, `${ns}/${c}`, nodes, pod.metadata?.uid));
  }
  return out;
};

/** Pods on my nodes waiting for a volume stranded on `node` (see KubeletLocal.stranded). */
const strandedWaiters = (snap: Snapshot, node: string, nodes: ReadonlySet<string>, ctx: KeysForContext<KubeletLocal> | undefined): string[] => {
  const stranded = ctx?.local.stranded;
  if (stranded === undefined || stranded.size === 0) return [];
  const out: string[] = [];
  for (const [claim, s] of stranded) if (s.node === node) out.push(...claimUsersHere(snap, claim, nodes));
  return out;
};

/** How many of a pod's containers (init containers included) have ever started. */
const startedContainers = (p: Pod | undefined): number => {
  let n = 0;
  for (const s of p?.status?.initContainerStatuses ?? []) if (s.state?.running !== undefined || s.state?.terminated?.startedAt !== undefined || s.lastState?.terminated !== undefined) n++;
  for (const s of p?.status?.containerStatuses ?? []) if (s.state?.running !== undefined || s.state?.terminated?.startedAt !== undefined || s.lastState?.terminated !== undefined) n++;
  return n;
};

/** The pods a kubelet syncs on start (and when its node comes back): not finished, or still to delete — and the node's own status. */
const podsToSync = (snap: Snapshot, node: string): string[] => {
  const out: string[] = [nodeStatusKey(node)];
  for (const p of snap.byIndex('Pod', 'node', node)) {
    if (!isTerminal(p) || p.metadata?.deletionTimestamp !== undefined) out.push(keyOfPod(p));
  }
  return out;
};

/** [kubelet pod config + volume manager] as key mapping: only pods on my nodes, found through indexes. */
export const kubeletKeysFor = (e: Envelope, old: KObject | undefined, snap: Snapshot, config: KubeletConfig, ctx?: KeysForContext<KubeletLocal>): readonly string[] => {
  const nodes = hostedNodes(config);
  if (e.type === 'FAULT') {
    const n = parseNodeFault(e.data);
    // node-up: the restarted kubelet re-syncs every pod of its node (node-down: nothing more happens);
    // what its deleted pods left attached is detached, so pods waiting for those volumes elsewhere retry.
    if (n) {
      if (n.kind !== 'node-up') return [];
      const keys = [...(nodes.has(n.node) ? podsToSync(snap, n.node) : []), ...strandedWaiters(snap, n.node, nodes, ctx)];
      return keys.length > 1 ? [...new Set(keys)] : keys;
    }
    const f = parseKubeletFault(e.data);
    if (!f) return [];
    const pod = snap.get('Pod', f.namespace, f.name);
    return pod && nodes.has(pod.spec?.nodeName ?? '') ? [keyOfPod(pod)] : [];
  }
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  switch (o.kind) {
    case 'Pod': {
      const pod = o as Pod;
      const keys: string[] = [];
      // A deleted pod only when its containers are left to stop here (a force deletion: `orphans`).
      if (nodes.has(pod.spec?.nodeName ?? '') && (e.type !== 'DELETED' || ctx?.local.orphans.has(keyOfPod(pod)) === true)) keys.push(keyOfPod(pod));
      // A container started: its image may be new to the node's status.images.
      if (e.type === 'MODIFIED' && nodes.has(pod.spec?.nodeName ?? '') && startedContainers(pod) > startedContainers(old as Pod | undefined)) keys.push(nodeStatusKey(pod.spec!.nodeName!));
      keys.push(...attachSharers(snap, pod, old as Pod | undefined, e.type === 'DELETED', nodes));
      return keys.length > 1 ? [...new Set(keys)] : keys;
    }
    case 'Node':
      // Deleted, tainted out-of-service or turned unhealthy: a volume stranded there may be detached now.
      return strandedWaiters(snap, o.metadata?.name ?? '', nodes, ctx);
    case 'PersistentVolumeClaim': {
      const claimKey = `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
      // A volume the resizer grew waits for the kubelets of the pods that mount it (node expansion).
      return claimUsersHere(snap, claimKey, nodes, undefined, nodeResizePending(o as PersistentVolumeClaim));
    }
    case 'PersistentVolume': {
      const keys = new Set<string>();
      for (const pv of [o as PersistentVolume, old as PersistentVolume | undefined]) {
        const ref = pv?.spec?.claimRef;
        if (ref?.name) for (const k of claimUsersHere(snap, `${ref.namespace ?? ''}/${ref.name}`, nodes)) keys.add(k);
      }
      return [...keys];
    }
    default:
      return [];
  }
};

/**
 * The kubelet (§1.12, §1.13, §3.5): one actor per node. Pod lifecycle — admission, volumes, first status
 * (ContainerCreating), seeded container start (Running, pod IP), readiness, container restarts with the
 * crash-loop back-off, node expansion of resized volumes, graceful termination (terminal status, then
 * delete with grace 0) — the pod faults `pod-readiness` / `pod-fail` / `container-crash`, and the node faults
 * `node-down` (the node's kubelet stops: it writes nothing for its pods) / `node-up` (it re-syncs them).
 */
export const kubelet: ComponentDef<KubeletConfig, KubeletLocal> = {
  name: KUBELET_NAME,
  // ConfigMaps and Secrets: read by the mounts and the environments of its pods (the watch-based managers);
  // no pod is woken by them, the kubelet tries again on its own timers.
  watches: ['Pod', 'Node', 'PersistentVolumeClaim', 'PersistentVolume', 'ConfigMap', 'Secret'],
  indexes: [podsByNode, podsByClaim],
  watchInputs: true,
  keysFor: kubeletKeysFor,
  initialKeys(snap, config) {
    const out: string[] = [];
    for (const node of config.nodes) out.push(...podsToSync(snap, node));
    return out;
  },
  reconcile: syncKubeletPod,
  initialLocal: initialKubeletLocal,
  observe: observeKubelet,
  onStart: kubeletOnStart,
  shardOf: kubeletShardOf,
};

export { defaultKubeletConfig };
