import { compareStrings } from './format.js';

/**
 * kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath: its parser and FindResults/PrintResults), for
 * `-o jsonpath=…` and `-o custom-columns=…`: text outside `{…}` printed as it is; inside, `.field` (a `\.` in a
 * name is a dot), `..field` (recursive descent), `.*`, `['key']`, `[n]`, `[-1]`, `[*]`, `[a:b:c]`, unions
 * `[0,2]`, filters `[?(@.type=="Ready")]` (==, !=, <, >, <=, >=, or a path that must exist), string, number
 * and bool literals, `range …` / `end` blocks (paths inside them relative to each element), `$`/`@`. Missing
 * keys give nothing (kubectl get's `--allow-missing-template-keys` default); an index out of bounds is an error.
 */

type Value = unknown;

type PathNode =
  | { readonly t: 'field'; readonly name: string }
  | { readonly t: 'wildcard' }
  | { readonly t: 'recursive' }
  | { readonly t: 'array'; readonly start?: number; readonly end?: number; readonly derivedEnd: boolean; readonly step?: number }
  | { readonly t: 'union'; readonly parts: readonly Action[] }
  | { readonly t: 'filter'; readonly left: Action; readonly right: Action; readonly op: string }
  | { readonly t: 'literal'; readonly value: Value }
  | { readonly t: 'ident'; readonly name: string };

type Action = readonly PathNode[];
type TopNode = { readonly t: 'text'; readonly text: string } | { readonly t: 'action'; readonly nodes: Action };

export class JsonPathError extends Error {}

const isTerminator = (c: string | undefined): boolean => c === undefined || ' \t\r\n.,[]$@{}'.includes(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/** Go's strconv.Unquote for "…" and '…' (the escapes templates use). */
const unquote = (s: string): string => {
  const body = s.slice(1, -1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'u': case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      default: return e;
    }
  });
};

/** The index of the first `stop` at or after `from` outside a quoted literal (`text.length` if none). */
const unquotedIndex = (text: string, from: number, stop: string): number => {
  let quote: string | undefined;
  for (let j = from; j < text.length; j++) {
    const d = text[j]!;
    if (quote !== undefined) { if (d === quote && text[j - 1] !== '\\') quote = undefined; continue; }
    if (d === '"' || d === '\'') quote = d;
    else if (d === stop) return j;
  }
  return text.length;
};

/** Parse the inside of one `{…}` (without the braces). */
const parseAction = (text: string): Action => {
  const nodes: PathNode[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (text.startsWith('[?(', i)) {
      // The filter runs to the first ')' outside a quoted literal, then ']'.
      const j = unquotedIndex(text, i + 3, ')');
      if (j >= text.length) throw new JsonPathError('unterminated filter');
      if (text[j + 1] !== ']') throw new JsonPathError('unclosed array expect ]');
      const inner = text.slice(i + 3, j);
      const m = /^([^!<>=]+)([!<>=]+)(.+?)$/.exec(inner);
      nodes.push(m ? { t: 'filter', left: parseAction(m[1]!), right: parseAction(m[3]!), op: m[2]! } : { t: 'filter', left: parseAction(inner), right: [], op: 'exists' });
      i = j + 2;
    } else if (text.startsWith('..', i)) {
      if (nodes.at(-1)?.t === 'recursive') throw new JsonPathError('invalid multiple recursive descent');
      nodes.push({ t: 'recursive' });
      i += 2;
      if (isAlnum(text[i])) i = parseField(text, i, nodes);
    } else if (c === ' ' || c === '@' || c === '$') {
      i++;
    } else if (c === '\r' || c === '\n') {
      throw new JsonPathError('unclosed action');
    } else if (c === '[') {
      const j = text.indexOf(']', i);
      if (j < 0) throw new JsonPathError('unterminated array');
      nodes.push(...parseArray(text.slice(i + 1, j)));
      i = j + 1;
    } else if (c === '"' || c === '\'') {
      let j = i + 1;
      while (j < text.length && !(text[j] === c && text[j - 1] !== '\\')) j++;
      if (j >= text.length) throw new JsonPathError('unterminated quoted string');
      nodes.push({ t: 'literal', value: unquote(text.slice(i, j + 1)) });
      i = j + 1;
    } else if (c === '.') {
      i = parseField(text, i + 1, nodes);
    } else if (c === '+' || c === '-' || isDigit(c)) {
      let j = i + 1;
      while (j < text.length && (text[j] === '.' || isDigit(text[j]))) j++;
      const v = Number(text.slice(i, j));
      if (Number.isNaN(v)) throw new JsonPathError(`cannot parse number ${text.slice(i, j)}`);
      nodes.push({ t: 'literal', value: v });
      i = j;
    } else if (isAlnum(c)) {
      let j = i;
      while (!isTerminator(text[j])) j++;
      const word = text.slice(i, j);
      nodes.push(word === 'true' || word === 'false' ? { t: 'literal', value: word === 'true' } : { t: 'ident', name: word });
      i = j;
    } else {
      throw new JsonPathError(`unrecognized character in action: U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${c}'`);
    }
  }
  return nodes;
};

/** A field name after `.`, up to an unescaped terminator; `\` escapes are dropped. */
const parseField = (text: string, from: number, nodes: PathNode[]): number => {
  let j = from;
  while (j < text.length) {
    if (text[j] === '\\') { j += 2; continue; }
    if (isTerminator(text[j])) break;
    j++;
  }
  const name = text.slice(from, j);
  nodes.push(name === '*' ? { t: 'wildcard' } : { t: 'field', name: name.replace(/\\/g, '') });
  return j;
};

const parseArray = (inner: string): PathNode[] => {
  const text = inner === '*' ? ':' : inner;
  const parts = text.split(',');
  if (parts.length > 1) return [{ t: 'union', parts: parts.map((p) => parseArray(p.trim())) }];
  const key = /^'([^']*)'$/.exec(text);
  if (key) return [...parseAction(`.${key[1]!}`)];
  const m = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(text);
  if (!m) throw new JsonPathError(`invalid array index ${text}`);
  const num = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : Number(s));
  const start = num(m[1]);
  const end = m[2] === undefined ? (start ?? 0) + 1 : num(m[2].slice(1));
  return [{
    t: 'array', ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}),
    derivedEnd: m[2] === undefined, ...(m[3] !== undefined && m[3] !== ':' ? { step: Number(m[3].slice(1)) } : {}),
  }];
};

/** Split a template into text and `{…}` actions. */
const parseTemplate = (template: string): TopNode[] => {
  const out: TopNode[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) { out.push({ t: 'text', text: template.slice(i) }); break; }
    if (open > i) out.push({ t: 'text', text: template.slice(i, open) });
    // The action ends at the first '}' outside a quoted literal, on its line.
    const j = unquotedIndex(template, open + 1, '}');
    if (j < template.length && /[\r\n]/.test(template.slice(open + 1, j))) throw new JsonPathError('unclosed action');
    if (j >= template.length) {
      // The parser reads the action as it goes: an unterminated array or string inside is what it reports.
      parseAction(template.slice(open + 1).replace(/[\r\n][\s\S]*$/, ''));
      throw new JsonPathError('unclosed action');
    }
    out.push({ t: 'action', nodes: parseAction(template.slice(open + 1, j)) });
    i = j + 1;
  }
  return out;
};

const isMap = (v: Value): v is Record<string, Value> => typeof v === 'object' && v !== null && !Array.isArray(v);

const descendants = (v: Value, out: Value[]): void => {
  out.push(v);
  if (Array.isArray(v)) for (const x of v) descendants(x, out);
  else if (isMap(v)) for (const x of Object.values(v)) descendants(x, out);
};

const compare = (op: string, a: Value, b: Value): boolean => {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return (a as number) < (b as number);
    case '>': return (a as number) > (b as number);
    case '<=': return (a as number) <= (b as number);
    case '>=': return (a as number) >= (b as number);
    default: throw new JsonPathError(`unrecognized filter operator ${op}`);
  }
};

const evalAction = (nodes: Action, data: Value): Value[] => {
  let cur: Value[] = [data];
  for (const n of nodes) {
    const next: Value[] = [];
    switch (n.t) {
      case 'literal': next.push(n.value); break;
      case 'ident': throw new JsonPathError(`unrecognized identifier ${n.name}`);
      case 'field':
        for (const v of cur) if (isMap(v) && n.name in v && v[n.name] !== undefined) next.push(v[n.name]);
        break;
      case 'wildcard':
        for (const v of cur) { if (isMap(v)) next.push(...Object.values(v)); else if (Array.isArray(v)) next.push(...v); }
        break;
      case 'recursive':
        for (const v of cur) descendants(v, next);
        break;
      case 'union':
        for (const part of n.parts) next.push(...cur.flatMap((v) => evalAction(part, v)));
        break;
      case 'array':
        for (const v of cur) {
          if (v === null || v === undefined) continue;
          if (!Array.isArray(v)) throw new JsonPathError(`${typeof v === 'object' ? 'map[string]interface {}' : typeof v} is not array or slice`);
          const len = v.length;
          let start = n.start ?? 0;
          if (start < 0) start += len;
          let end = n.end ?? len;
          if (end < 0 || (end === 0 && n.derivedEnd)) end += len;
          if (end === start) continue;
          if (start >= len || start < 0) throw new JsonPathError(`array index out of bounds: index ${start}, length ${len}`);
          if (end > len || end < 0) throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${len}`);
          if (start > end) throw new JsonPathError(`starting index ${start} is greater than ending index ${end}`);
          const step = n.step ?? 1;
          if (step <= 0) throw new JsonPathError('step must be > 0');
          for (let k = start; k < end; k += step) next.push(v[k]);
        }
        break;
      case 'filter':
        for (const v of cur) {
          const items = Array.isArray(v) ? v : isMap(v) ? Object.values(v) : [];
          for (const item of items) {
            const lefts = evalAction(n.left, item);
            if (n.op === 'exists') { if (lefts.length > 0) next.push(item); continue; }
            if (lefts.length === 0) continue;
            if (lefts.length > 1) throw new JsonPathError('can only compare one element at a time');
            const rights = evalAction(n.right, item);
            if (rights.length === 0) continue;
            if (rights.length > 1) throw new JsonPathError('can only compare one element at a time');
            if (compare(n.op, lefts[0], rights[0])) next.push(item);
          }
        }
        break;
    }
    cur = next;
  }
  return cur;
};

/** json.Marshal of unstructured data: compact, map keys sorted. */
const goCompactJson = (v: Value): string => {
  if (Array.isArray(v)) return `[${v.map(goCompactJson).join(',')}]`;
  if (isMap(v)) return `{${Object.keys(v).filter((k) => v[k] !== undefined).sort(compareStrings).map((k) => `${JSON.stringify(k)}:${goCompactJson(v[k])}`).join(',')}}`;
  return v === undefined ? 'null' : JSON.stringify(v);
};

/** PrintResults: strings as they are, numbers and bools as fmt prints them, maps and lists as JSON. */
const valueText = (v: Value): string =>
  typeof v === 'string' ? v : v === null || v === undefined ? '<nil>' : typeof v === 'object' ? goCompactJson(v) : String(v);

/** fmt's %v of unstructured data (custom-columns cells): `map[a:1 b:2]`, `[x y]`. */
export const goFormatV = (v: Value): string => {
  if (Array.isArray(v)) return `[${v.map(goFormatV).join(' ')}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort(compareStrings).map((k) => `${k}:${goFormatV(v[k])}`).join(' ')}]`;
  return v === null || v === undefined ? '<nil>' : String(v);
};

/** A parsed template, ready to run against objects. */
export class JsonPath {
  private readonly nodes: readonly TopNode[];

  /** Throws {@link JsonPathError} with the parser's message. */
  constructor(readonly template: string) {
    this.nodes = parseTemplate(template);
  }

  /** The template's output for `data` (FindResults + PrintResults). */
  execute(data: Value): string {
    return this.run(this.nodes, 0, this.nodes.length, data);
  }

  /** The values of each action, flattened (custom-columns: one cell). */
  values(data: Value): Value[] {
    return this.nodes.flatMap((n) => (n.t === 'text' ? [n.text] : evalAction(n.nodes, data)));
  }

  private run(nodes: readonly TopNode[], from: number, to: number, data: Value): string {
    let out = '';
    for (let i = from; i < to; i++) {
      const n = nodes[i]!;
      if (n.t === 'text') { out += n.text; continue; }
      const head = n.nodes[0];
      if (head?.t === 'ident' && head.name === 'range') {
        const end = this.matchingEnd(nodes, i, to);
        for (const item of evalAction(n.nodes.slice(1), data)) out += this.run(nodes, i + 1, end, item);
        i = end;
        continue;
      }
      if (head?.t === 'ident' && head.name === 'end') throw new JsonPathError('not in range, nothing to end');
      out += evalAction(n.nodes, data).map(valueText).join(' ');
    }
    return out;
  }

  private matchingEnd(nodes: readonly TopNode[], rangeAt: number, to: number): number {
    let depth = 0;
    for (let j = rangeAt + 1; j < to; j++) {
      const head = nodes[j]!.t === 'action' ? (nodes[j] as { nodes: Action }).nodes[0] : undefined;
      if (head?.t !== 'ident') continue;
      if (head.name === 'range') depth++;
      else if (head.name === 'end') { if (depth === 0) return j; depth--; }
    }
    // An unclosed range runs to the end of the template (as FindResults reads it).
    return to;
  }
}

/** printers.RelaxedJSONPathExpression: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`. */
export const relaxedJsonPath = (expr: string): string => {
  if (expr === '') return expr;
  const m = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(expr);
  if (!m) throw new JsonPathError('unexpected path string, expected a \'name1.name2\' or \'.name1.name2\' or \'{name1.name2}\' or \'{.name1.name2}\'');
  return `{.${m[1] ?? m[2]!}}`;
};

/** A custom-columns cell (CustomColumnsPrinter): the path's values as Go's %v, joined by commas; `<none>` for none. */
export const customColumnCell = (path: JsonPath, o: unknown): string => {
  const values = path.values(o);
  return values.length === 0 ? '<none>' : values.map(goFormatV).join(',');
};
