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

const BINARY_POWERS: Readonly<Record<string, number>> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const DECIMAL_EXPONENTS: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIXES = new Map<number, string>([[0, ''], ...Object.entries(DECIMAL_EXPONENTS).map(([s, e]) => [e, s] as [number, string])]);
/** resource.Quantity's grammar: a signed decimal, then an exponent (`e3`) or a suffix — not both. */
const QUANTITY_GRAMMAR = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/**
 * A quantity as Kubernetes prints it (resource.Quantity.String(), CanonicalizeBytes): the format of its
 * suffix kept — binary (`Ki`…), decimal SI (`m`, `k`…) or exponent (`e3`) —, the mantissa as small as the
 * value allows with a decimal exponent that is a multiple of 3 (`2000m` → `2`, `1.5` → `1500m`,
 * `1000k` → `1M`), binary values by their largest exact power of 1024 (`2048Mi` → `2Gi`), those under
 * 1024 or not whole in decimal SI (`0.5Ki` → `512`). A string that is no quantity is returned as it is.
 */
export const canonicalQuantity = (q: string | number): string => {
  const s = typeof q === 'number' ? String(q).replace('e+', 'e') : q.trim();
  const m = QUANTITY_GRAMMAR.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return String(q);
  const sign = m[1] === '-' ? '-' : '';
  const fraction = m[3] ?? '';
  let mantissa = BigInt(`${m[2] || '0'}${fraction}`);
  let exponent = -fraction.length;
  let format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent' = 'DecimalSI';
  if (m[4] !== undefined) { format = 'DecimalExponent'; exponent += Number(m[4].slice(1)); }
  else if (m[5] !== undefined && m[5] in BINARY_POWERS) { format = 'BinarySI'; mantissa *= 1024n ** BigInt(BINARY_POWERS[m[5]]!); }
  else if (m[5] !== undefined) exponent += DECIMAL_EXPONENTS[m[5]]!;
  if (mantissa === 0n) return '0';
  if (format === 'BinarySI') {
    // Whole values of at least 1024: the largest exact power of 1024; the rest in decimal SI.
    const scale = 10n ** BigInt(Math.abs(exponent));
    const whole = exponent >= 0 ? mantissa * scale : mantissa % scale === 0n ? mantissa / scale : undefined;
    if (whole !== undefined && whole >= 1024n) {
      let v = whole, k = 0;
      while (k < 6 && v % 1024n === 0n) { v /= 1024n; k++; }
      return `${sign}${v}${BINARY_SUFFIXES[k]}`;
    }
    format = 'DecimalSI';
  }
  while (mantissa % 10n === 0n) { mantissa /= 10n; exponent++; }
  const down = ((exponent % 3) + 3) % 3;
  if (down !== 0) { mantissa *= 10n ** BigInt(down); exponent -= down; }
  const suffix = format === 'DecimalExponent' ? (exponent === 0 ? '' : `e${exponent}`) : (DECIMAL_SUFFIXES.get(exponent) ?? `e${exponent}`);
  return `${sign}${mantissa}${suffix}`;
};
