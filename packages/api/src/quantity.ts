/** Kubernetes resource quantities (`1G`, `1Gi`, `500m`, `2`). Values are returned as numbers in base units. */
const SUFFIX: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};
const RE = /^([+-]?[0-9.]+)(?:[eE]([+-]?[0-9]+))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** Parsed quantities by string (a handful of distinct strings, parsed on every match and fit check). */
const parsed = new Map<string, number | undefined>();

export const parseQuantity = (q: string | number | undefined): number | undefined => {
  if (q === undefined) return undefined;
  if (typeof q === 'number') return q;
  let r = parsed.get(q);
  if (r === undefined && !parsed.has(q)) {
    if (parsed.size >= 10_000) parsed.clear();
    r = parseQuantityString(q);
    parsed.set(q, r);
  }
  return r;
};

const parseQuantityString = (q: string): number | undefined => {
  const m = RE.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (!Number.isFinite(base)) return undefined;
  const exp = m[2] ? 10 ** Number(m[2]) : 1;
  return base * exp * (SUFFIX[m[3] ?? ''] ?? 1);
};

export const isValidQuantity = (q: unknown): boolean =>
  (typeof q === 'number' && Number.isFinite(q)) || (typeof q === 'string' && parseQuantity(q) !== undefined);

/** Render bytes as the largest exact binary unit (kubectl-like): 1073741824 → 1Gi. */
export const formatBytes = (n: number): string => {
  for (const [s, f] of [['Ei', 1024 ** 6], ['Pi', 1024 ** 5], ['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (n >= f && n % f === 0) return `${n / f}${s}`;
  }
  for (const [s, f] of [['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (n >= f && n % f === 0) return `${n / f}${s}`;
  }
  return String(n);
};
