import { isPodReady, nsName, splitNsName, type KObject, type Pod, sameStringMap } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { Snapshot } from '@kubesim/state';
import type { ComponentDef } from '../framework/component.js';
import {
  ENDPOINTS_CONTROLLER_NAME, defaultEndpointsControllerConfig, initialEndpointsLocal, podsByLabelPair, serviceSelector, syncEndpoints,
  type EndpointsControllerConfig, type EndpointsLocal,
} from './core.js';


/** The pod's IPs (podIPs, then podIP) are the same in both versions. */
const samePodIps = (a: Pod, b: Pod): boolean => {
  if ((a.status?.podIP ?? '') !== (b.status?.podIP ?? '')) return false;
  const x = a.status?.podIPs, y = b.status?.podIPs;
  if (x === y) return true;
  if (x === undefined || y === undefined) return x === y || (x ?? y)!.map((i) => i.ip).join(',') === '';
  // Joined as [EPU podEndpointsChanged] compares them; element by element first, which is what equal lists are.
  if (x.length === y.length) {
    let same = true;
    for (let i = 0; i < x.length && same; i++) same = x[i]!.ip === y[i]!.ip;
    if (same) return true;
  }
  return x.map((i) => i.ip).join(',') === y.map((i) => i.ip).join(',');
};

/**
 * [EPU podEndpointsChanged]: (does the endpoint change, do the memberships change). Terminal phase
 * changes count too (the pod leaves the endpoints).
 */
export const podEndpointsChanged = (oldPod: Pod, newPod: Pod): { changed: boolean; labelsChanged: boolean } => {
  const labelsChanged = !sameStringMap(oldPod.metadata?.labels, newPod.metadata?.labels)
    || oldPod.spec?.hostname !== newPod.spec?.hostname || oldPod.spec?.subdomain !== newPod.spec?.subdomain;
  const changed = oldPod.metadata?.deletionTimestamp !== newPod.metadata?.deletionTimestamp
    || isPodReady(oldPod) !== isPodReady(newPod)
    || !samePodIps(oldPod, newPod)
    || oldPod.status?.phase !== newPod.status?.phase
    || oldPod.spec?.nodeName !== newPod.spec?.nodeName;
  return { changed, labelsChanged };
};

/** [EPU GetPodServiceMemberships]: the services of the pod's namespace whose selector matches it. */
const memberships = (snap: Snapshot, pod: Pod, out: Set<string>): void => {
  const ns = pod.metadata?.namespace ?? '';
  const labels = pod.metadata?.labels;
  if (!labels) return;
  for (const svc of snap.list('Service', ns)) {
    const sel = serviceSelector(svc);
    if (!sel) continue;
    let ok = true;
    for (const k in sel) if (labels[k] !== sel[k]) { ok = false; break; }
    if (ok) out.add(nsName(ns, svc.metadata?.name ?? ''));
  }
};

/** [endpoints controller onServiceUpdate/onServiceDelete, addPod/updatePod/deletePod, onEndpointsDelete]. */
export const endpointsKeysFor = (e: Envelope, old: KObject | undefined, snap: Snapshot): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  const key = nsName(o.metadata?.namespace, o.metadata?.name ?? '');
  switch (o.kind) {
    case 'Service': return [key];
    case 'Endpoints': return e.type === 'DELETED' ? [key] : [];
    case 'Pod': {
      const pod = o as Pod;
      const prev = old as Pod | undefined;
      const out = new Set<string>();
      if (e.type === 'MODIFIED' && prev) {
        const { changed, labelsChanged } = podEndpointsChanged(prev, pod);
        if (!changed && !labelsChanged) return [];
        memberships(snap, pod, out);
        if (labelsChanged) memberships(snap, prev, out);
      } else {
        memberships(snap, pod, out);
      }
      return [...out];
    }
    default: return [];
  }
};

/**
 * The endpoints controller (§4.1): one Endpoints object per Service with a selector — ready pods in
 * `addresses`, the others in `notReadyAddresses`, hostnames only for pods whose subdomain is the service.
 */
export const endpointsController: ComponentDef<EndpointsControllerConfig, EndpointsLocal> = {
  name: ENDPOINTS_CONTROLLER_NAME,
  watches: ['Service', 'Pod', 'Endpoints'],
  indexes: [podsByLabelPair],
  keysFor: endpointsKeysFor,
  initialKeys(snap) {
    const out = new Set<string>();
    for (const s of snap.list('Service')) out.add(nsName(s.metadata?.namespace, s.metadata?.name ?? ''));
    // Endpoints whose Service is gone are deleted.
    for (const ep of snap.list('Endpoints')) {
      const k = nsName(ep.metadata?.namespace, ep.metadata?.name ?? '');
      const { namespace, name } = splitNsName(k);
      if (!snap.get('Service', namespace, name)) out.add(k);
    }
    return out;
  },
  reconcile: ({ snapshot, key, config, local }) => syncEndpoints(snapshot, key, config, local),
  initialLocal: initialEndpointsLocal,
};

export { defaultEndpointsControllerConfig };
