/** JSON merge patch (RFC 7386): objects merge recursively, null deletes, anything else replaces. */
export const mergePatch = (target: unknown, patch: unknown): unknown => {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete base[k];
    else base[k] = mergePatch(base[k], v);
  }
  return base;
};

/**
 * Strategic merge patch ([strategicpatch.StrategicMergePatch], kubectl patch's default type): maps merge as
 * in a JSON merge patch (null deletes a key); a list merges by its field's `patchMergeKey` where the API
 * declares one (containers by name, volumeMounts by mountPath, ports by containerPort — a Service's by
 * port —, env by name, conditions by type, …): an item of the patch merges into the item of the same key,
 * a new one is appended, `{key: k, $patch: delete}` removes one, and a primitive list declared `merge`
 * (finalizers) takes the union; other lists are replaced. The directives: `$patch: replace` on a map
 * replaces it with the patch's other keys (a ControllerRevision's data does this to `spec.template`), on a
 * list (an item `{$patch: replace}`) replaces the list; `$patch: delete` on a map removes it.
 * Not modelled: `$retainKeys`, `$setElementOrder`, `$deleteFromPrimitiveList`.
 */
export const strategicMergePatch = (target: unknown, patch: unknown, kind?: string): unknown => smp(target, patch, [], kind ?? '');

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const smp = (target: unknown, patch: unknown, path: readonly string[], kind: string): unknown => {
  if (Array.isArray(patch)) return mergeList(target, patch, path, kind);
  if (!isMap(patch)) return patch;
  if (patch.$patch === 'replace') return stripDirectives(withoutKey(patch, '$patch'));
  const base: Record<string, unknown> = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (v === null || (isMap(v) && v.$patch === 'delete')) delete base[k];
    else base[k] = smp(base[k], v, [...path, k], kind);
  }
  return base;
};

/** The list fields of the API that merge (their `patchStrategy:"merge"`), by the field and what holds it. */
const mergeStrategy = (path: readonly string[], kind: string): { key: string } | 'union' | undefined => {
  // An item of a list adds no segment: a container's ports are at [..., 'containers', 'ports'].
  const field = path[path.length - 1];
  const parent = path[path.length - 2];
  switch (field) {
    case 'containers': case 'initContainers': case 'ephemeralContainers': case 'volumes': case 'env':
    case 'imagePullSecrets': case 'resourceClaims':
      return { key: 'name' };
    case 'volumeMounts': return { key: 'mountPath' };
    case 'volumeDevices': return { key: 'devicePath' };
    case 'hostAliases': return { key: 'ip' };
    case 'topologySpreadConstraints': return { key: 'topologyKey' };
    case 'ownerReferences': return parent === 'metadata' ? { key: 'uid' } : undefined;
    case 'finalizers': return parent === 'metadata' ? 'union' : undefined;
    case 'conditions': return parent === 'status' ? { key: 'type' } : undefined;
    case 'addresses': return parent === 'status' && kind === 'Node' ? { key: 'type' } : undefined;
    case 'ports':
      // A container's ports by containerPort; a Service's (spec.ports) by port.
      if (kind === 'Service' && path.length === 2 && parent === 'spec') return { key: 'port' };
      return /^(init|ephemeral)?[cC]ontainers$/.test(parent ?? '') ? { key: 'containerPort' } : undefined;
    default: return undefined;
  }
};

const mergeList = (target: unknown, patch: readonly unknown[], path: readonly string[], kind: string): unknown => {
  if (patch.some((x) => isMap(x) && x.$patch === 'replace')) return patch.filter((x) => !(isMap(x) && x.$patch === 'replace')).map(stripDirectives);
  const strategy = mergeStrategy(path, kind);
  const original = Array.isArray(target) ? target : [];
  if (strategy === undefined) return patch.map(stripDirectives);
  if (strategy === 'union') {
    const out = [...original];
    for (const x of patch) if (!out.some((y) => JSON.stringify(y) === JSON.stringify(x))) out.push(x);
    return out;
  }
  const { key } = strategy;
  const out: unknown[] = [...original];
  for (const item of patch) {
    if (!isMap(item) || item[key] === undefined) { out.push(stripDirectives(item)); continue; }
    const at = out.findIndex((y) => isMap(y) && y[key] === item[key]);
    if (item.$patch === 'delete') { if (at >= 0) out.splice(at, 1); continue; }
    if (at >= 0) out[at] = smp(out[at], item, path, kind);
    else out.push(smp(undefined, item, path, kind));
  }
  return out;
};

const withoutKey = (m: Record<string, unknown>, key: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) if (k !== key && v !== null) out[k] = v;
  return out;
};

/** A replaced value keeps no directive of its own (nested `$patch` keys mean nothing once replaced). */
const stripDirectives = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isMap(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== '$patch') out[k] = stripDirectives(x);
  return out;
};
