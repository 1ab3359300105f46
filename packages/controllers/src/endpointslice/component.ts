import { nsName, type EndpointSlice, type KObject, type Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { Snapshot } from '@kubesim/state';
import type { ComponentDef, KeysForContext } from '../framework/component.js';
import { endpointsKeysFor } from '../endpoints/component.js';
import { podsByLabelPair } from '../endpoints/core.js';
import {
  ENDPOINTSLICE_CONTROLLER_NAME, defaultEndpointSliceControllerConfig, initialEndpointSliceLocal, managedByController,
  observeSliceDeletion, serviceKeyOfSlice, shouldSync, SLICE_WAKE, slicesByService, syncAfterSliceChange, syncEndpointSlices,
  type EndpointSliceControllerConfig, type EndpointSliceLocal,
} from './core.js';

/**
 * [ESC onServiceUpdate/onServiceDelete, addPod/updatePod/deletePod, onEndpointSlice{Add,Update,Delete}]:
 * services and pods as for Endpoints; a managed slice wakes its service — 1 s later (the `#slice` key) —
 * when it is not the version the controller wrote (the tracker), when its managed-by or service-name
 * label changed, or when it was deleted without the controller deleting it. Nodes only feed the cache (zones).
 */
export const endpointSliceKeysFor = (
  e: Envelope, old: KObject | undefined, snap: Snapshot, ctx?: KeysForContext<EndpointSliceLocal>,
): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  switch (o.kind) {
    case 'Service':
      return [nsName(o.metadata?.namespace, o.metadata?.name ?? '')];
    case 'Pod':
      return endpointsKeysFor(e, old as Pod | undefined, snap);
    case 'EndpointSlice': {
      const s = o as EndpointSlice;
      const key = serviceKeyOfSlice(s);
      if (e.type === 'DELETED') return key !== undefined && managedByController(s) && ctx?.local.unexpectedDeletion === e.seq ? [key + SLICE_WAKE] : [];
      const prev = e.type === 'MODIFIED' ? old as EndpointSlice | undefined : undefined;
      const prevKey = prev ? serviceKeyOfSlice(prev) : undefined;
      // [queueServiceForEndpointSlice]: the service syncs endpointSliceChangeMinSyncDelay (1 s) later.
      if (prev && prevKey !== key) return [...new Set([key, prevKey].filter((k): k is string => k !== undefined))].map((k) => k + SLICE_WAKE);
      if (key === undefined) return [];
      const managedChanged = prev !== undefined && managedByController(prev) !== managedByController(s);
      return managedChanged || (managedByController(s) && shouldSync(ctx?.local, s)) ? [key + SLICE_WAKE] : [];
    }
    default: return [];
  }
};

/** The EndpointSlice controller (§4.1): the endpoints of each Service with a selector, in slices of at most 100. */
export const endpointSliceController: ComponentDef<EndpointSliceControllerConfig, EndpointSliceLocal> = {
  name: ENDPOINTSLICE_CONTROLLER_NAME,
  watches: ['Service', 'Pod', 'EndpointSlice', 'Node'],
  indexes: [podsByLabelPair, slicesByService],
  keysFor: (e, old, snap, _config, ctx) => endpointSliceKeysFor(e, old, snap, ctx),
  observe: (e, _old, local) =>
    (e.type === 'DELETED' && e.object?.kind === 'EndpointSlice' ? observeSliceDeletion(local, e.object as EndpointSlice, e.seq) : local),
  initialKeys(snap) {
    const out = new Set<string>();
    for (const s of snap.list('Service')) out.add(nsName(s.metadata?.namespace, s.metadata?.name ?? ''));
    return out;
  },
  reconcile: ({ snapshot, key, config, local, now }) =>
    (key.endsWith(SLICE_WAKE) ? syncAfterSliceChange(snapshot, key, config, local, now) : syncEndpointSlices(snapshot, key, config, local)),
  initialLocal: initialEndpointSliceLocal,
};

export { defaultEndpointSliceControllerConfig };
