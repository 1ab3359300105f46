import {
  DEFAULT_SERVICE_ACCOUNT, defaultServiceAccount, ROOT_CA_CONFIGMAP, rootCaConfigMap, sameStringMap, type ConfigMap, type KObject,
} from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import type { ReconcileResult } from '../framework/component.js';
import { par, write, type Step } from '../framework/plan.js';

export const SERVICE_ACCOUNT_CONTROLLER_NAME = 'serviceaccount-controller';

/**
 * One namespace (the key is its name), as two controllers of kube-controller-manager keep it
 * ([serviceaccounts_controller syncNamespace], [rootcacertpublisher syncNamespace]): an active namespace has
 * its `default` ServiceAccount — created when missing, again when deleted — and its `kube-root-ca.crt`
 * ConfigMap with the cluster's CA bundle — created when missing, its data restored when changed. A
 * namespace being deleted gets neither. An AlreadyExists answer (another writer was first) is success.
 */
export const syncServiceAccounts = (snap: Snapshot, namespace: string): ReconcileResult<undefined> => {
  const ns = snap.get('Namespace', '', namespace);
  if (!ns || ns.metadata?.deletionTimestamp !== undefined || ns.status?.phase === 'Terminating') return {};
  const steps: Step[] = [];
  if (!snap.get('ServiceAccount', namespace, DEFAULT_SERVICE_ACCOUNT)) {
    steps.push(write({ verb: 'create', object: defaultServiceAccount(namespace) as KObject }, { ignore: ['AlreadyExists'] }));
  }
  const want = rootCaConfigMap(namespace);
  const cm = snap.get('ConfigMap', namespace, ROOT_CA_CONFIGMAP) as ConfigMap | undefined;
  if (!cm) steps.push(write({ verb: 'create', object: want as KObject }, { ignore: ['AlreadyExists'] }));
  else if (!sameStringMap(cm.data ?? undefined, want.data ?? undefined) || Object.keys(cm.binaryData ?? {}).length > 0) {
    steps.push(write({ verb: 'update', object: { ...cm, data: want.data, binaryData: undefined } as KObject }, { ignore: ['NotFound'] }));
  }
  if (steps.length === 0) return {};
  return { plan: steps.length === 1 ? steps[0]! : par(...steps), workUnits: 1 };
};
