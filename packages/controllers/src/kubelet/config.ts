import { configMapHasKey, type ConfigMap, type Pod, type Secret } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';

type Container = NonNullable<NonNullable<Pod['spec']>['containers']>[number];
type Volume = NonNullable<NonNullable<Pod['spec']>['volumes']>[number];

/**
 * What a pod reads from ConfigMaps and Secrets, as the kubelet reads it (its watch-based configmap and secret
 * managers: the objects of its informer).
 *
 * Volumes [configmap.go, secret.go, projected.go SetUpAt]: a source that does not exist fails the mount —
 * `configmap "x" not found`, `secret "x" not found` — unless it is optional; a listed item whose key it
 * lacks fails it too — `configmap references non-existent config key: k`, `references non-existent secret
 * key: k` — unless optional.
 *
 * Environment [kubelet_pods.go makeEnvironmentVariables]: envFrom first, then env in order; a missing
 * object is `configmap "x" not found` / `secret "x" not found` unless optional, a missing key `couldn't
 * find key k in ConfigMap ns/x` / `… in Secret ns/x` unless optional.
 */

const cmNotFound = (name: string): string => `configmap "${name}" not found`;
const secretNotFound = (name: string): string => `secret "${name}" not found`;

interface SourceRef {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly name: string;
  readonly optional: boolean;
  readonly items: readonly string[];
}

/** The ConfigMaps and Secrets a volume reads (one for configMap/secret, each of a projected volume's). */
const volumeSources = (v: Volume): SourceRef[] => {
  const out: SourceRef[] = [];
  const keys = (items: readonly { key: string }[] | undefined): string[] => (items ?? []).map((i) => i.key);
  if (v.configMap) out.push({ kind: 'ConfigMap', name: v.configMap.name ?? '', optional: v.configMap.optional === true, items: keys(v.configMap.items) });
  if (v.secret) out.push({ kind: 'Secret', name: v.secret.secretName ?? '', optional: v.secret.optional === true, items: keys(v.secret.items) });
  for (const s of v.projected?.sources ?? []) {
    if (s.configMap) out.push({ kind: 'ConfigMap', name: s.configMap.name ?? '', optional: s.configMap.optional === true, items: keys(s.configMap.items) });
    if (s.secret) out.push({ kind: 'Secret', name: s.secret.name ?? '', optional: s.secret.optional === true, items: keys(s.secret.items) });
  }
  return out;
};

const sourceError = (snap: Snapshot, ns: string, ref: SourceRef): string | undefined => {
  if (ref.kind === 'ConfigMap') {
    const cm = snap.get('ConfigMap', ns, ref.name) as ConfigMap | undefined;
    if (!cm) return ref.optional ? undefined : cmNotFound(ref.name);
    for (const k of ref.items) if (!configMapHasKey(cm, k, true) && !ref.optional) return `configmap references non-existent config key: ${k}`;
    return undefined;
  }
  const secret = snap.get('Secret', ns, ref.name) as Secret | undefined;
  if (!secret) return ref.optional ? undefined : secretNotFound(ref.name);
  for (const k of ref.items) if ((secret.data ?? {})[k] === undefined && !ref.optional) return `references non-existent secret key: ${k}`;
  return undefined;
};

/** Whether the pod reads any ConfigMap or Secret through a volume (the mount check is skipped otherwise). */
export const readsConfigVolumes = (pod: Pod): boolean =>
  (pod.spec?.volumes ?? []).some((v) => v.configMap !== undefined || v.secret !== undefined || (v.projected?.sources ?? []).some((s) => s.configMap !== undefined || s.secret !== undefined));

/** Each volume whose mount fails now, in the pod's volume order, with the error of its SetUp. */
export const volumeMountErrors = (snap: Snapshot, pod: Pod): { volume: string; message: string }[] => {
  if (!readsConfigVolumes(pod)) return [];
  const ns = pod.metadata?.namespace ?? '';
  const out: { volume: string; message: string }[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    for (const ref of volumeSources(v)) {
      const err = sourceError(snap, ns, ref);
      if (err !== undefined) { out.push({ volume: v.name, message: err }); break; }
    }
  }
  return out;
};

/** `MountVolume.SetUp failed for volume "config" : configmap "db-config" not found` (the FailedMount event). */
export const mountFailedMessage = (volume: string, error: string): string => `MountVolume.SetUp failed for volume "${volume}" : ${error}`;

/** [nestedpendingoperations] exponentialBackoff: 500 ms after the first failure, doubled after each, at most 2m2s. */
export const mountRetryDelayMs = (failures: number): number => Math.min(500 * 2 ** Math.max(0, failures - 1), 122_000);

/** Why the container's environment cannot be made now (CreateContainerConfigError), or undefined. */
export const envConfigError = (snap: Snapshot, pod: Pod, c: Container): string | undefined => {
  if (c.envFrom === undefined && !(c.env ?? []).some((e) => e.valueFrom?.configMapKeyRef !== undefined || e.valueFrom?.secretKeyRef !== undefined)) return undefined;
  const ns = pod.metadata?.namespace ?? '';
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef) {
      const name = f.configMapRef.name ?? '';
      if (!snap.get('ConfigMap', ns, name) && f.configMapRef.optional !== true) return cmNotFound(name);
    } else if (f.secretRef) {
      const name = f.secretRef.name ?? '';
      if (!snap.get('Secret', ns, name) && f.secretRef.optional !== true) return secretNotFound(name);
    }
  }
  for (const e of c.env ?? []) {
    const cmRef = e.valueFrom?.configMapKeyRef;
    if (cmRef) {
      const name = cmRef.name ?? '';
      const cm = snap.get('ConfigMap', ns, name) as ConfigMap | undefined;
      if (!cm) { if (cmRef.optional === true) continue; return cmNotFound(name); }
      if (!configMapHasKey(cm, cmRef.key, false) && cmRef.optional !== true) return `couldn't find key ${cmRef.key} in ConfigMap ${ns}/${name}`;
      continue;
    }
    const sRef = e.valueFrom?.secretKeyRef;
    if (sRef) {
      const name = sRef.name ?? '';
      const secret = snap.get('Secret', ns, name) as Secret | undefined;
      if (!secret) { if (sRef.optional === true) continue; return secretNotFound(name); }
      if ((secret.data ?? {})[sRef.key] === undefined && sRef.optional !== true) return `couldn't find key ${sRef.key} in Secret ${ns}/${name}`;
    }
  }
  return undefined;
};

/** The waiting reason of a container whose environment cannot be made (kubectl STATUS `CreateContainerConfigError`). */
export const CONFIG_ERROR = 'CreateContainerConfigError';
