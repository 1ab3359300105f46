import type { KObject } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { ComponentDef } from '../framework/component.js';
import { NAMESPACE_CONTROLLER_NAME, syncNamespace } from './core.js';

/** A namespace added or changed while being deleted → itself ([NamespaceController enqueueNamespace]). */
export const namespaceKeysFor = (e: Envelope, _old: KObject | undefined): readonly string[] => {
  if (!isObjectEntry(e) || e.object.kind !== 'Namespace' || e.type === 'DELETED') return [];
  return e.object.metadata?.deletionTimestamp !== undefined ? [e.object.metadata.name ?? ''] : [];
};

/**
 * The namespace controller (kube-controller-manager's `namespace` controller): it watches namespaces only;
 * the content of one being deleted is listed live from the API server, as its deleter's dynamic client does.
 */
export const namespaceController: ComponentDef<undefined, undefined> = {
  name: NAMESPACE_CONTROLLER_NAME,
  watches: ['Namespace'],
  liveReads: true,
  keysFor: namespaceKeysFor,
  initialKeys: (snap) => [...snap.list('Namespace')].filter((n) => n.metadata?.deletionTimestamp !== undefined).map((n) => n.metadata?.name ?? ''),
  reconcile: ({ snapshot, live, key, now }) => syncNamespace(snapshot, live ?? snapshot, key, now),
  initialLocal: () => undefined,
};
