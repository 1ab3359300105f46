import {
  compileSelector, selectorSyntaxErrors, type LabelSelector, type OwnerReference, type Pod, type ReplicaSet, type Selector,
} from '@kubesim/api';

/** [CU GetPodFromTemplate / getPodsPrefix]: `<rs>-`, or the bare name when `<rs>-` is not a valid generateName. */
export const podNamePrefix = (rsName: string): string => (rsName.length + 1 > 253 ? rsName : `${rsName}-`);

/** [metav1.NewControllerRef]: the controller ref every pod of the ReplicaSet carries. */
export const rsControllerRef = (rs: ReplicaSet): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: rs.metadata?.name ?? '',
  uid: rs.metadata?.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
});

/**
 * [CU GetPodFromTemplate] (k8s-semantics §2.1): no name, `generateName`, template labels, annotations,
 * finalizers and spec, one controller ref. The API server picks the name.
 */
export const podFromTemplate = (rs: ReplicaSet): Pod => {
  const t = rs.spec?.template;
  const tm = t?.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: podNamePrefix(rs.metadata?.name ?? ''),
      namespace: rs.metadata?.namespace ?? 'default',
      ...(tm?.labels ? { labels: { ...tm.labels } } : {}),
      ...(tm?.annotations ? { annotations: { ...tm.annotations } } : {}),
      ...(tm?.finalizers ? { finalizers: [...tm.finalizers] } : {}),
      ownerReferences: [rsControllerRef(rs)],
    },
    spec: { ...(t?.spec ?? { containers: [] }) },
  };
};

/** [CU RealPodControl.createPods]: a template without labels cannot create pods. */
export const NO_LABELS_ERROR = 'unable to create pods, no labels';
export const templateHasLabels = (rs: ReplicaSet): boolean => Object.keys(rs.spec?.template?.metadata?.labels ?? {}).length > 0;

const compiled = new WeakMap<LabelSelector, Selector>();

/**
 * [metav1.LabelSelectorAsSelector], memoised per selector object (objects are immutable): undefined
 * when the selector cannot be converted (invalid operator), which stops a sync without retry.
 */
export const rsSelector = (rs: ReplicaSet): Selector | undefined => {
  const sel = rs.spec?.selector;
  if (!sel) return compileSelector(sel);
  let s = compiled.get(sel);
  if (!s) {
    if (selectorSyntaxErrors(sel).length > 0) return undefined;
    s = compileSelector(sel);
    compiled.set(sel, s);
  }
  return s;
};
