import { isQualifiedName, isValidLabelValue } from './validation/strings.js';
import type { Labels } from './selector.js';
import { groupVersionResourceText } from './types.js';

/**
 * The label selector syntax of `kubectl -l` as the API server parses it (apimachinery labels.Parse: its
 * lexer, its recursive-descent parser and NewRequirement's checks), with its error messages:
 * `a=b,c!=d,e in (x,y),f notin (),g,!h,i gt 3`.
 */
export type SelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'gt' | 'lt' | 'exists' | '!';

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

type Tok = 'id' | 'end' | 'comma' | 'open' | 'close' | '!' | '=' | '==' | '!=' | 'in' | 'notin' | 'gt' | 'lt' | 'error';

const KEYWORDS: Readonly<Record<string, Tok>> = {
  ')': 'close', ',': 'comma', '!': '!', '==': '==', '=': '=', '>': 'gt', 'in': 'in', '<': 'lt', '!=': '!=', 'notin': 'notin', '(': 'open',
};
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);

interface Item { readonly tok: Tok; readonly lit: string }

/** The lexer: identifiers and keywords split at whitespace and the special symbols, the longest operator of those. */
const scan = (s: string): Item[] => {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isSpace(s[pos]!)) pos++;
    if (pos >= s.length) { items.push({ tok: 'end', lit: '' }); return items; }
    if (isSpecial(s[pos]!)) {
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        const next = buf + s[pos]!;
        const t = KEYWORDS[next];
        if (t !== undefined) { last = { tok: t, lit: next }; buf = next; pos++; }
        else if (last !== undefined) break;
        else { buf = next; pos++; }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    let buf = '';
    while (pos < s.length && !isSpecial(s[pos]!) && !isSpace(s[pos]!)) buf += s[pos++]!;
    const kw = KEYWORDS[buf];
    items.push({ tok: kw === 'in' || kw === 'notin' ? kw : 'id', lit: buf });
  }
};

const BINARY = 'in, notin, =, ==, !=, gt, lt';

/** A Go `%q`-like rendering of a string (what field errors print). */
const q = (v: string): string => JSON.stringify(v);

/**
 * The requirements of a selector string, sorted by key as labels.Parse leaves them, or its error
 * (`unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt`).
 */
export const parseLabelSelectorString = (s: string): Requirement[] | string => {
  const items = scan(s);
  let i = 0;
  /** In a values context `in` and `notin` are identifiers. */
  const look = (values: boolean): Item => { const it = items[i]!; return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it; };
  const take = (values: boolean): Item => { const it = look(values); i++; return it; };

  const requirement = (): Requirement | string => {
    let negated = false;
    let t = take(true);
    if (t.tok === '!') { negated = true; t = take(true); }
    if (t.tok !== 'id') return `found '${t.lit}', expected: identifier`;
    const key = t.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) return `<nil>: Invalid value: ${q(key)}: ${keyErrs.join('; ')}`;
    const after = look(true).tok;
    if (negated || after === 'end' || after === 'comma') return { key, operator: negated ? '!' : 'exists', values: [] };
    const op = take(false);
    let operator: SelectorOperator;
    switch (op.tok) {
      case 'in': case 'notin': case '=': case '==': case '!=': case 'gt': case 'lt': operator = op.tok; break;
      default: return `found '${op.lit}', expected: ${BINARY}`;
    }
    const values: string[] = [];
    if (operator === 'in' || operator === 'notin') {
      const open = take(true);
      if (open.tok !== 'open') return `found '${open.lit}' expected: '('`;
      const first = look(true);
      if (first.tok === 'close') { take(true); values.push(''); }
      else if (first.tok === 'id' || first.tok === 'comma') {
        const set = new Set<string>();
        for (;;) {
          const v = take(true);
          if (v.tok === 'id') {
            set.add(v.lit);
            const n = look(true);
            if (n.tok === 'comma') continue;
            if (n.tok === 'close') break;
            return `found '${n.lit}', expected: ',' or ')'`;
          }
          if (v.tok === 'comma') {
            if (set.size === 0) set.add('');
            const n = look(true).tok;
            if (n === 'close') { set.add(''); break; }
            if (n === 'comma') set.add('');
            continue;
          }
          return `found '${v.lit}', expected: ',', or identifier`;
        }
        if (take(true).tok !== 'close') return `found '${first.lit}', expected: ')'`;
        values.push(...[...set].sort());
      } else return `found '${first.lit}', expected: ',', ')' or identifier`;
    } else {
      const n = look(true);
      if (n.tok === 'end' || n.tok === 'comma') values.push('');
      else {
        const v = take(true);
        if (v.tok !== 'id') return `found '${v.lit}', expected: identifier`;
        values.push(v.lit);
      }
    }
    // NewRequirement's checks.
    const errs: string[] = [];
    if (operator === 'gt' || operator === 'lt') {
      values.forEach((v, k) => { if (!/^[+-]?\d+$/.test(v)) errs.push(`values[${k}]: Invalid value: ${q(v)}: for 'Gt', 'Lt' operators, the value must be an integer`); });
    }
    values.forEach((v, k) => {
      const ve = isValidLabelValue(v);
      if (ve.length > 0) errs.push(`values[${k}][${key}]: Invalid value: ${q(v)}: ${ve.join('; ')}`);
    });
    if (errs.length > 0) return errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`;
    return { key, operator, values };
  };

  const out: Requirement[] = [];
  for (;;) {
    const t = look(true);
    if (t.tok === 'end') break;
    if (t.tok !== 'id' && t.tok !== '!') return `found '${t.lit}', expected: !, identifier, or 'end of string'`;
    const r = requirement();
    if (typeof r === 'string') return `unable to parse requirement: ${r}`;
    out.push(r);
    const sep = take(true);
    if (sep.tok === 'end') break;
    if (sep.tok !== 'comma') return `found '${sep.lit}', expected: ',' or 'end of string'`;
    const n = look(true).tok;
    if (n !== 'id' && n !== '!') return `found '${look(true).lit}', expected: identifier after ','`;
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};

/** Whether labels satisfy every requirement (labels.Requirement.Matches). */
export const requirementsMatch = (reqs: readonly Requirement[], labels: Labels | undefined): boolean => {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.operator) {
      case 'in': case '=': case '==': if (!has || !r.values.includes(v!)) return false; break;
      case 'notin': case '!=': if (has && r.values.includes(v!)) return false; break;
      case 'exists': if (!has) return false; break;
      case '!': if (has) return false; break;
      case 'gt': case 'lt': {
        if (!has || !/^[+-]?\d+$/.test(v!)) return false;
        const a = Number(v); const b = Number(r.values[0]);
        if (r.operator === 'gt' ? !(a > b) : !(a < b)) return false;
        break;
      }
    }
  }
  return true;
};

/**
 * The API server's answer to a list with a malformed `labelSelector` (kubectl shows it as
 * `Error from server (BadRequest): …`): `Unable to find "/v1, Resource=pods" that match label selector "a b",
 * field selector "": unable to parse requirement: …`.
 */
export const selectorListError = (apiVersion: string, plural: string, selector: string, error: string, fieldSelector = ''): string => {
  return `Unable to find "${groupVersionResourceText(apiVersion, plural)}" that match label selector ${q(selector)}, field selector ${q(fieldSelector)}: ${error}`;
};
