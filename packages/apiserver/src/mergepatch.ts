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
 * Strategic merge patch ([strategicpatch.StrategicMergePatch]) as far as kubesim's clients use it: maps
 * merge as in a JSON merge patch, except that a map carrying the directive `$patch: replace` replaces the
 * target's map with its other keys (what a ControllerRevision's data does to `spec.template`), and
 * `$patch: delete` removes it. Lists are replaced whole (no merge keys): kubectl rollout's patches carry
 * none.
 */
export const strategicMergePatch = (target: unknown, patch: unknown): unknown => {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const p = patch as Record<string, unknown>;
  const directive = p.$patch;
  if (directive === 'replace') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) if (k !== '$patch' && v !== null) out[k] = stripDirectives(v);
    return out;
  }
  const base: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(p)) {
    if (k === '$patch') continue;
    if (v === null || (isMap(v) && v.$patch === 'delete')) delete base[k];
    else base[k] = strategicMergePatch(base[k], v);
  }
  return base;
};

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A replaced value keeps no directive of its own (nested `$patch` keys mean nothing once replaced). */
const stripDirectives = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isMap(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== '$patch') out[k] = stripDirectives(x);
  return out;
};
