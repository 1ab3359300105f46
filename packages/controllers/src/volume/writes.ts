/** Request builders for the binder's writes (updates carry the resourceVersion they expect, when known). */
import { parseQuantity, timestamp, type ApiRequest, type KObject, type ObjectMeta, type PersistentVolume, type PersistentVolumeClaim, merged } from '@kubesim/api';

/**
 * The object with `metadata.resourceVersion` set to `rv`, or without one when `rv` is undefined (the
 * second write to the same object in one plan cannot know the version the first one produced).
 */
export const withResourceVersion = <T extends KObject>(o: T, rv: string | undefined): T => {
  // The other fields in their order, then resourceVersion last (copied field by field: no rest spread).
  const src = (o.metadata ?? {}) as Record<string, unknown>;
  const metadata: Record<string, unknown> = {};
  for (const k in src) if (k !== 'resourceVersion') metadata[k] = src[k];
  if (rv !== undefined) metadata['resourceVersion'] = rv;
  return { ...o, metadata: metadata as ObjectMeta } as T;
};

export const updateReq = (o: KObject, rv: string | undefined): ApiRequest =>
  ({ verb: 'update', object: withResourceVersion(o, rv) });

export const updateStatusReq = (o: KObject, rv: string | undefined): ApiRequest =>
  ({ verb: 'update', object: withResourceVersion(o, rv), subresource: 'status' });

export const withAnnotations = <T extends KObject>(o: T, add: Readonly<Record<string, string>>): T =>
  merged(o, { metadata: merged(o.metadata, { annotations: merged(o.metadata?.annotations, add) }) }) as T;

export const withoutFinalizer = <T extends KObject>(o: T, finalizer: string): T => {
  const rest = (o.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
  const { finalizers: _, ...meta } = o.metadata ?? {};
  return { ...o, metadata: rest.length > 0 ? { ...meta, finalizers: rest } : meta } as T;
};

export const withFinalizer = <T extends KObject>(o: T, finalizer: string): T =>
  merged(o, { metadata: merged(o.metadata, { finalizers: [...(o.metadata?.finalizers ?? []), finalizer] }) }) as T;

/** [updateVolumePhase]: the volume with a new phase (and lastPhaseTransitionTime, GA in 1.31). */
export const volumeWithPhase = (pv: PersistentVolume, phase: string, now: number): PersistentVolume => {
  // The status without `message`, then phase and lastPhaseTransitionTime (copied field by field).
  const src = (pv.status ?? {}) as Record<string, unknown>;
  const status: Record<string, unknown> = {};
  for (const k in src) if (k !== 'message') status[k] = src[k];
  status['phase'] = phase;
  status['lastPhaseTransitionTime'] = timestamp(now);
  return merged(pv, { status: status as PersistentVolume['status'] });
};

/** Drop the keys whose value is undefined (so absent fields stay absent in written objects). */
export const compact = <T extends object>(o: T): T => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
};

/** [updateClaimStatus]: a claim with `phase`; a volume sets accessModes (and capacity when the phase changes), none clears them. */
export const claimWithStatus = (
  claim: PersistentVolumeClaim, phase: string, volume: PersistentVolume | undefined,
): { claim: PersistentVolumeClaim; dirty: boolean } => {
  const old = claim.status ?? {};
  let dirty = old.phase !== phase;
  const status = merged(old, { phase }) as unknown as Record<string, unknown>;
  if (!volume) {
    if (old.accessModes !== undefined) { delete status['accessModes']; dirty = true; }
    if (old.capacity !== undefined) { delete status['capacity']; dirty = true; }
  } else {
    const modes = volume.spec?.accessModes;
    if (JSON.stringify(old.accessModes) !== JSON.stringify(modes)) {
      if (modes === undefined) delete status['accessModes']; else status['accessModes'] = modes;
      dirty = true;
    }
    if (old.phase !== phase) {
      const cap = volume.spec?.capacity?.['storage'];
      if (cap !== undefined && parseQuantity(old.capacity?.['storage'] as string | undefined) !== parseQuantity(cap as string)) {
        status['capacity'] = volume.spec?.capacity;
        dirty = true;
      }
    }
  }
  return { claim: merged(claim, { status: status as PersistentVolumeClaim['status'] }), dirty };
};
