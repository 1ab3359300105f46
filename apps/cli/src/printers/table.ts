import { qualifiedKind, type Event, type Kind, type KObject } from '@kubesim/api';
import { eventLastSeenTime, printerFor, type Cell } from './columns.js';
import { compareStrings, formatLabels } from './format.js';
import { renderTabbed } from './tabwriter.js';

export interface TableOptions {
  /** `-o wide`: the Priority 1 columns too. */
  readonly wide: boolean;
  /** Virtual now, for AGE and LAST SEEN. */
  readonly nowMs: number;
  /** Prefix names with `kind/` (`pod/web-0`, `statefulset.apps/web`), as `kubectl get all` does. */
  readonly showKind?: boolean;
  /** A leading NAMESPACE column, as `kubectl get -A` prints. */
  readonly showNamespace?: boolean;
  /** A last LABELS column, as `kubectl get --show-labels` prints. */
  readonly showLabels?: boolean;
  /** `-L KEY,…`: a column per label key (header: the key's last `/` segment in capitals), before LABELS. */
  readonly labelColumns?: readonly string[];
  /** `--no-headers`. */
  readonly noHeaders?: boolean;
  /** The objects are in the order to print (`--sort-by`), not to be put in the API's. */
  readonly presorted?: boolean;
}

const nsOf = (o: KObject): string => o.metadata?.namespace ?? '';
const nameOf = (o: KObject): string => o.metadata?.name ?? '';

const byKey = (a: KObject, b: KObject): number =>
  compareStrings(nsOf(a), nsOf(b)) || compareStrings(nameOf(a), nameOf(b));

/** The API server's list order: namespace then name (etcd key order). */
export const sortByKey = (objects: readonly KObject[]): KObject[] => [...objects].sort(byKey);

/** Table order: the API's, except events, by LAST SEEN then name. */
export const sortForKind = (kind: Kind, objects: readonly KObject[]): KObject[] => {
  if (kind !== 'Event') return sortByKey(objects);
  return [...objects].sort((a, b) => {
    const ta = eventLastSeenTime(a as Event);
    const tb = eventLastSeenTime(b as Event);
    if (ta !== tb) return ta < tb ? -1 : 1;
    return compareStrings(nameOf(a), nameOf(b)) || compareStrings(nsOf(a), nsOf(b));
  });
};

/** How the table printer writes a cell: strings cut at the first line break (then `...`), the rest via fmt.Print. */
const cellText = (cell: Cell): string => {
  if (typeof cell !== 'string') return String(cell);
  const i = cell.search(/[\n\r\f]/);
  return i < 0 ? cell : `${cell.slice(0, i)}...`;
};

/** `kind/` as kubectl prefixes names: the lower-cased GroupKind. */
export const kindPrefix = (kind: Kind): string => `${qualifiedKind(kind).toLowerCase()}/`;

/** A table's header and its rows' cells, in the order of `objects`, before layout. */
export interface TableLines {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The cells `kubectl get <kind>` prints for these objects (in this order), and the header above them. */
export const tableLines = (kind: Kind, objects: readonly KObject[], opts: TableOptions): TableLines => {
  const printer = printerFor(kind);
  const shown = printer.columns.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || !c.wide);
  const nameIndex = opts.showKind ? printer.columns.findIndex((c) => c.isName === true) : -1;
  const labelColumns = opts.labelColumns ?? [];
  const header = [...shown.map(({ c }) => c.header), ...labelColumns.map((k) => k.split('/').at(-1)!.toUpperCase()), ...(opts.showLabels ? ['LABELS'] : [])];
  const rows: string[][] = [];
  for (const o of objects) {
    const cells = printer.row(o, { nowMs: opts.nowMs, wide: opts.wide });
    const line = shown.map(({ i }) => {
      const text = cellText(cells[i] ?? '');
      return i === nameIndex ? kindPrefix(kind) + text : text;
    });
    for (const k of labelColumns) line.push(o.metadata?.labels?.[k] ?? '');
    if (opts.showLabels) line.push(formatLabels(o.metadata?.labels));
    rows.push(opts.showNamespace ? [nsOf(o), ...line] : line);
  }
  return { header: opts.showNamespace ? ['NAMESPACE', ...header] : header, rows };
};

/**
 * `kubectl get <kind>` as a table: header and one line per object, each ending in '\n'. An empty list gives ''
 * (the caller prints `No resources found in <ns> namespace.`).
 */
export const printTable = (kind: Kind, objects: readonly KObject[], opts: TableOptions): string => {
  if (objects.length === 0) return '';
  const t = tableLines(kind, opts.presorted ? objects : sortForKind(kind, objects), opts);
  return renderTabbed(opts.noHeaders ? t.rows : [t.header, ...t.rows]);
};
