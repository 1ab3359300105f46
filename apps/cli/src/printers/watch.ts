import type { Kind, KObject } from '@kubesim/api';
import { customColumnCell, type JsonPath } from './jsonpath.js';
import { goJson, goYaml } from './output.js';
import { kindPrefix, tableLines } from './table.js';
import { TabWriter } from './tabwriter.js';

/** A watch event as the API server sends it (metav1.WatchEvent's types that reach kubectl get). */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** The printers a watch uses (a parsed `-o`). */
export type WatchOutput =
  | { readonly kind: 'table' | 'wide' | 'json' | 'yaml' | 'name' }
  | { readonly kind: 'jsonpath'; readonly path: JsonPath }
  | { readonly kind: 'custom-columns'; readonly columns: readonly { readonly header: string; readonly path: JsonPath }[] };

export interface WatchPrintOptions {
  readonly output: WatchOutput;
  /** `-A`: a leading NAMESPACE column. */
  readonly showNamespace?: boolean;
  /** `--show-labels`: a last LABELS column. */
  readonly showLabels?: boolean;
  /** `--output-watch-events`: each object as the watch event that carried it (an EVENT column in tables). */
  readonly watchEvents?: boolean;
  /** `--no-headers`. */
  readonly noHeaders?: boolean;
  /** `-L`: label columns. */
  readonly labelColumns?: readonly string[];
}

/**
 * What `kubectl get -w` prints ([get.go watch], cli-runtime's table, JSON and YAML printers): the listed
 * objects, then each change as it comes. A table's header is printed with the first rows, once, and every
 * flush keeps the columns as wide as they ever were (liggitt/tabwriter `RememberWidths`), so the rows of
 * later changes line up under it; an empty list prints nothing (the header then comes with the first
 * change). With `--output-watch-events` the table gains a first column EVENT (`ADDED` for the listed
 * objects), and JSON/YAML print `{type, object}` events. JSON documents follow one another; YAML ones are
 * separated by `---`.
 */
export class WatchPrinter {
  private readonly tab = new TabWriter();
  private printedHeader = false;
  private printed = 0;

  constructor(private readonly kind: Kind, private readonly o: WatchPrintOptions) {}

  /** Print objects (the list, in list order, or one change), each as an event of `type`, AGE at `nowMs`. */
  print(type: WatchEventType, objects: readonly KObject[], nowMs: number): string {
    if (objects.length === 0) return '';
    const o = this.o;
    const out = o.output;
    if (out.kind === 'json' || out.kind === 'yaml') {
      let text = '';
      for (const obj of objects) {
        if (out.kind === 'json') text += `${o.watchEvents ? watchEventJson(type, obj) : goJson(obj)}\n`;
        else text += `${this.printed > 0 ? '---\n' : ''}${goYaml(o.watchEvents ? { type, object: obj } : obj)}`;
        this.printed++;
      }
      return text;
    }
    // The name and JSONPath printers print each object (JSONPath: the template, with no separator).
    if (out.kind === 'name') return objects.map((obj) => `${kindPrefix(this.kind)}${obj.metadata?.name ?? ''}\n`).join('');
    if (out.kind === 'jsonpath') return objects.map((obj) => out.path.execute(obj)).join('');
    if (out.kind === 'custom-columns') {
      const rows = objects.map((obj) => out.columns.map((c) => customColumnCell(c.path, obj)));
      const lines = this.printedHeader || o.noHeaders ? rows : [out.columns.map((c) => c.header), ...rows];
      this.printedHeader = true;
      return this.tab.write(lines);
    }
    const t = tableLines(this.kind, objects, {
      wide: out.kind === 'wide', nowMs,
      ...(o.showNamespace ? { showNamespace: true } : {}),
      ...(o.showLabels ? { showLabels: true } : {}),
      ...(o.labelColumns ? { labelColumns: o.labelColumns } : {}),
    });
    const rows = o.watchEvents ? t.rows.map((r) => [type, ...r]) : t.rows;
    const lines = this.printedHeader || o.noHeaders ? rows : [o.watchEvents ? ['EVENT', ...t.header] : t.header, ...rows];
    this.printedHeader = true;
    this.printed += objects.length;
    return this.tab.write(lines);
  }
}

/** json.MarshalIndent of a metav1.WatchEvent: its struct fields in declaration order (type, object), the object's keys sorted. */
const watchEventJson = (type: WatchEventType, obj: KObject): string =>
  `{\n    "type": ${JSON.stringify(type)},\n    "object": ${goJson(obj, 1)}\n}`;
