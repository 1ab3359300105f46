import { controllerRefOf, type KObject, type Pod } from '@kubesim/api';
import type { IndexSpec } from './store.js';

/** Pods by the uid of their controller ("" for orphans, filed under namespace). */
export const podsByControllerUid: IndexSpec = {
  name: 'controllerUid', kind: 'Pod',
  fn: (o: KObject) => [controllerRefOf(o.metadata)?.uid ?? `orphan:${o.metadata?.namespace ?? ''}`],
};

/** Pods by node name ("" = unscheduled). */
export const podsByNode: IndexSpec = {
  name: 'node', kind: 'Pod',
  fn: (o: KObject) => [(o as Pod).spec?.nodeName ?? ''],
};

/** Pods by the claims they mount (namespace/claim). */
export const podsByClaim: IndexSpec = {
  name: 'claim', kind: 'Pod',
  fn: (o: KObject) => ((o as Pod).spec?.volumes ?? [])
    .flatMap((v) => (v.persistentVolumeClaim ? [`${o.metadata?.namespace ?? ''}/${v.persistentVolumeClaim.claimName}`] : [])),
};

/** Any object by the uids of all its owners. */
export const byOwnerUid = (kind: IndexSpec['kind']): IndexSpec => ({
  name: 'ownerUid', kind,
  fn: (o: KObject) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid),
});
