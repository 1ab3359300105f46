import { newControllerRef, type Pod, type StatefulSet, type Volume, type OwnerReference, merged } from '@kubesim/api';
import {
  POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL, claimName, claimNamesForOrdinal, hasIdentityName, ordinalOfPod, podName, setName, setNamespace,
  startOrdinal,
} from './helpers.js';

const setRef = (set: StatefulSet): OwnerReference =>
  newControllerRef({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata ?? {} });

/** [SSU updateStorage]: one volume per claim template; template volumes with those names are replaced. */
export const podVolumes = (set: StatefulSet, ordinal: number, current: readonly Volume[] | undefined): Volume[] => {
  const templates = set.spec?.volumeClaimTemplates ?? [];
  if (templates.length === 0) return [...(current ?? [])];
  const names = new Set(templates.map((t) => t.metadata?.name ?? ''));
  const kept = (current ?? []).filter((v) => !names.has(v.name));
  return [
    ...kept,
    ...templates.map((t) => ({
      name: t.metadata?.name ?? '',
      // [SSU updateStorage] sets ReadOnly: false, which the API's JSON omits (omitempty).
      persistentVolumeClaim: { claimName: claimName(t.metadata?.name ?? '', setName(set), ordinal) },
    })),
  ];
};

/** [SSU newStatefulSetPod]: GetPodFromTemplate + initIdentity + updateStorage. */
export const newStatefulSetPod = (set: StatefulSet, ordinal: number, revisionName: string): Pod => {
  const tpl = set.spec?.template;
  const name = podName(setName(set), ordinal);
  const labels = merged(tpl?.metadata?.labels, {
    [POD_NAME_LABEL]: name,
    [POD_INDEX_LABEL]: String(ordinal),
    [REVISION_LABEL]: revisionName,
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${setName(set)}-`,
      namespace: setNamespace(set),
      labels,
      ...(tpl?.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
      ...(tpl?.metadata?.finalizers ? { finalizers: [...tpl.metadata.finalizers] } : {}),
      ownerReferences: [setRef(set)],
    },
    spec: merged(tpl?.spec ?? { containers: [] }, {
      hostname: name,
      subdomain: set.spec?.serviceName ?? '',
      volumes: podVolumes(set, ordinal, tpl?.spec?.volumes),
    }),
  };
};

/** [SSU newVersionedStatefulSetPod]: which revision a (re)created pod gets (§1.7). */
export const newVersionedStatefulSetPod = (
  currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number,
): Pod => {
  const strategy = currentSet.spec?.updateStrategy;
  const ru = strategy?.rollingUpdate;
  const useCurrent =
    (strategy?.type === 'RollingUpdate' && ru === undefined && ordinal < startOrdinal(currentSet) + (currentSet.status?.currentReplicas ?? 0))
    || (ru !== undefined && ordinal < startOrdinal(currentSet) + (ru.partition ?? 0));
  return useCurrent
    ? newStatefulSetPod(currentSet, ordinal, currentRevision)
    : newStatefulSetPod(updateSet, ordinal, updateRevision);
};

/** [SSU identityMatches] */
export const identityMatches = (set: StatefulSet, p: Pod): boolean => {
  // ordinal ≥ 0 and name === podName(setName(set), ordinal), from the memoized parse of the name.
  return hasIdentityName(p, setName(set))
    && (p.metadata?.namespace ?? '') === setNamespace(set)
    && p.metadata?.labels?.[POD_NAME_LABEL] === p.metadata?.name;
};

/**
 * [SSU storageMatches]. `names`: the pod's claim names (`claimNamesForOrdinal(set, ordinal)`), when the
 * caller has them.
 */
export const storageMatches = (set: StatefulSet, p: Pod, names?: readonly string[], ordinal = ordinalOfPod(p)): boolean => {
  if (ordinal < 0) return false;
  const tpls = set.spec?.volumeClaimTemplates;
  if (!tpls || tpls.length === 0) return true;
  const vols = p.spec?.volumes ?? [];
  names ??= claimNamesForOrdinal(set, ordinal);
  for (let i = 0; i < tpls.length; i++) {
    const tname = tpls[i]!.metadata?.name;
    let v: (typeof vols)[number] | undefined;
    for (let j = 0; j < vols.length; j++) if (vols[j]!.name === tname) { v = vols[j]; break; }
    if (!v || v.persistentVolumeClaim?.claimName !== names[i]) return false;
  }
  return true;
};

/** [SSU updateIdentity + updateStorage] applied to an existing pod (labels and volumes). */
export const repairedPod = (set: StatefulSet, p: Pod): Pod => {
  const ordinal = ordinalOfPod(p);
  const name = p.metadata?.name ?? '';
  return {
    ...p,
    metadata: {
      ...p.metadata,
      labels: { ...(p.metadata?.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
    },
    spec: storageMatches(set, p) ? p.spec! : { ...p.spec!, volumes: podVolumes(set, ordinal, p.spec?.volumes) },
  };
};
