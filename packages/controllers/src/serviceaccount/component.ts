import { DEFAULT_SERVICE_ACCOUNT, ROOT_CA_CONFIGMAP, type KObject } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { ComponentDef } from '../framework/component.js';
import { SERVICE_ACCOUNT_CONTROLLER_NAME, syncServiceAccounts } from './core.js';

/**
 * A namespace added or changed → itself; its `default` ServiceAccount deleted, or its `kube-root-ca.crt`
 * deleted or changed → its namespace. Other ServiceAccounts and ConfigMaps are none of its business.
 */
export const serviceAccountKeysFor = (e: Envelope, _old: KObject | undefined): readonly string[] => {
  if (!isObjectEntry(e)) return [];
  const o = e.object;
  const name = o.metadata?.name ?? '';
  switch (o.kind) {
    case 'Namespace': return e.type === 'DELETED' ? [] : [name];
    case 'ServiceAccount': return e.type === 'DELETED' && name === DEFAULT_SERVICE_ACCOUNT ? [o.metadata?.namespace ?? ''] : [];
    case 'ConfigMap': return e.type !== 'ADDED' && name === ROOT_CA_CONFIGMAP ? [o.metadata?.namespace ?? ''] : [];
    default: return [];
  }
};

/**
 * The serviceaccount controller (kube-controller-manager's `serviceaccount` and `root-ca-certificate-publisher`
 * controllers, one component here): every active namespace has its `default` ServiceAccount — the one the
 * ServiceAccount admission plugin gives a pod that names none — and the `kube-root-ca.crt` ConfigMap that the
 * pods' token volumes project.
 */
export const serviceAccountController: ComponentDef<undefined, undefined> = {
  name: SERVICE_ACCOUNT_CONTROLLER_NAME,
  watches: ['Namespace', 'ServiceAccount', 'ConfigMap'],
  keysFor: serviceAccountKeysFor,
  initialKeys: (snap) => [...snap.list('Namespace')].map((n) => n.metadata?.name ?? ''),
  reconcile: ({ snapshot, key }) => syncServiceAccounts(snapshot, key),
  initialLocal: () => undefined,
};
