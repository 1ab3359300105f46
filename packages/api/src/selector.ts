import type { LabelSelector } from './types.js';

export type Labels = Readonly<Record<string, string>>;

/**
 * A compiled label selector. `null` selector (absent) matches nothing, `{}` matches everything,
 * as metav1.LabelSelectorAsSelector does.
 */
export interface Selector {
  readonly matches: (labels: Labels | undefined) => boolean;
  readonly empty: boolean;
  readonly text: string;
}

const NOTHING: Selector = { matches: () => false, empty: false, text: '<none>' };

export const compileSelector = (sel: LabelSelector | null | undefined): Selector => {
  if (sel === null || sel === undefined) return NOTHING;
  const ml = Object.entries(sel.matchLabels ?? {});
  const me = sel.matchExpressions ?? [];
  if (ml.length === 0 && me.length === 0) return { matches: () => true, empty: true, text: '' };
  const parts: string[] = ml.map(([k, v]) => `${k}=${v}`);
  for (const r of me) {
    const vals = [...(r.values ?? [])].sort();
    switch (r.operator) {
      case 'In': parts.push(`${r.key} in (${vals.join(',')})`); break;
      case 'NotIn': parts.push(`${r.key} notin (${vals.join(',')})`); break;
      case 'Exists': parts.push(r.key); break;
      case 'DoesNotExist': parts.push(`!${r.key}`); break;
      default: parts.push(`${r.key} ${r.operator}`);
    }
  }
  const matches = (labels: Labels | undefined): boolean => {
    const l = labels ?? {};
    for (const [k, v] of ml) if (l[k] !== v) return false;
    for (const r of me) {
      const has = Object.hasOwn(l, r.key);
      const val = l[r.key];
      switch (r.operator) {
        case 'In': if (!has || !(r.values ?? []).includes(val as string)) return false; break;
        case 'NotIn': if (has && (r.values ?? []).includes(val as string)) return false; break;
        case 'Exists': if (!has) return false; break;
        case 'DoesNotExist': if (has) return false; break;
        default: return false;
      }
    }
    return true;
  };
  return { matches, empty: false, text: parts.sort().join(',') };
};

/** Validation of selector syntax; returns detail strings for invalid operators. */
export const selectorSyntaxErrors = (sel: LabelSelector): string[] => {
  const out: string[] = [];
  (sel.matchExpressions ?? []).forEach((r, i) => {
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(r.operator)) out.push(`matchExpressions[${i}].operator`);
  });
  return out;
};

/** Match a plain map selector (Service.spec.selector, nodeSelector). Empty/absent matches nothing for services. */
export const mapSelectorMatches = (sel: Labels | undefined, labels: Labels | undefined): boolean => {
  if (!sel) return false;
  const l = labels ?? {};
  for (const k in sel) if (l[k] !== sel[k]) return false;
  return true;
};

/** Equality of two string maps (labels, annotations, selectors); absent equals empty. */
export const sameStringMap = (a: Labels | undefined, b: Labels | undefined): boolean => {
  if (a === b) return true;
  const x = a ?? {}, y = b ?? {};
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  return kx.every((k) => Object.hasOwn(y, k) && x[k] === y[k]);
};
