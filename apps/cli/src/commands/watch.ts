import { KINDS, kubectlMessage, newNotFound, type Kind, type KObject } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { foldLog } from '@kubesim/state';
import { jsOf, LogFollower } from '@kubesim/nats';
import { withSession, type ContextOptions } from '../distributed/context.js';
import { sortForKind } from '../printers/index.js';
import { JsonPathError } from '../printers/jsonpath.js';
import { WatchPrinter, type WatchEventType } from '../printers/watch.js';
import { readLogAt } from './get.js';
import { labelColumnsOption, parseOutput, parseSelection, resolveKinds, selects, type PrintingOptions, type Selection } from './getmany.js';

export interface WatchOptions extends PrintingOptions {
  /** `--watch-only`: the changes without the list first. */
  readonly watchOnly?: boolean;
  /** `--output-watch-events`. */
  readonly outputWatchEvents?: boolean;
  readonly log?: string;
  readonly at?: string;
}

/** What one watch asks for: one kind, in one namespace or all, one name or all, a label selector. */
export interface WatchScope {
  readonly kind: Kind;
  /** Undefined: every namespace (`-A`), and always for cluster-scoped kinds. */
  readonly namespace: string | undefined;
  readonly name?: string;
  /** `-l` and `--field-selector`. */
  readonly selection?: Selection;
}

const inScope = (w: WatchScope, o: KObject): boolean =>
  (w.namespace === undefined || (o.metadata?.namespace ?? '') === w.namespace)
  && (w.name === undefined || o.metadata?.name === w.name)
  && (w.selection === undefined || selects(w.kind, w.selection, o));

/**
 * The event a watch with this scope receives for a log entry about an object of its kind (the API server's
 * cacheWatcher.convertToWatchEvent), given the object's previous version: ADDED when the object comes into
 * the scope (created, or its labels now match), MODIFIED while it stays, DELETED when it is deleted or
 * leaves the scope (with its previous content) — nothing for an object outside the scope before and after.
 */
export const watchEventOf = (w: WatchScope, prev: KObject | undefined, e: Envelope & { object: KObject }): { type: WatchEventType; object: KObject } | undefined => {
  const curPasses = e.type !== 'DELETED' && inScope(w, e.object);
  const oldPasses = prev !== undefined && inScope(w, prev);
  if (curPasses) return { type: oldPasses ? 'MODIFIED' : 'ADDED', object: e.object };
  if (!oldPasses) return undefined;
  return { type: 'DELETED', object: e.type === 'DELETED' ? e.object : prev! };
};

const keyOf = (o: KObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** Follows one watch: the objects of its kind by key (for the previous versions) and the printer. */
class Watch {
  private readonly objects = new Map<string, KObject>();

  constructor(readonly scope: WatchScope, private readonly printer: WatchPrinter) {}

  /** The objects of the kind as listed (every one, in or out of the scope): remembered; those in scope printed unless watch-only. */
  list(objects: Iterable<KObject>, nowMs: number, print: boolean): string {
    const shown: KObject[] = [];
    for (const o of objects) {
      this.objects.set(keyOf(o), o);
      if (inScope(this.scope, o)) shown.push(o);
    }
    return print ? this.printer.print('ADDED', sortForKind(this.scope.kind, shown), nowMs) : '';
  }

  /** An entry of the log: what it changes for this watch, printed. */
  entry(e: Envelope): string {
    if (!isObjectEntry(e) || e.object.kind !== this.scope.kind) return '';
    const k = keyOf(e.object);
    const ev = watchEventOf(this.scope, this.objects.get(k), e);
    if (e.type === 'DELETED') this.objects.delete(k); else this.objects.set(k, e.object);
    return ev ? this.printer.print(ev.type, [ev.object], e.time) : '';
  }
}

/** The scope and printer of a `get -w`, or kubectl's error for the arguments (and the exit status). */
const prepare = (kindArg: string, name: string | undefined, o: WatchOptions): { watch: Watch } | { error: string; code: number } => {
  const kinds = resolveKinds(kindArg);
  if (typeof kinds === 'string') return { error: kinds, code: 1 };
  // resource.Builder SingleResourceType: one type only (`all` is four).
  if (kinds.length > 1) return { error: 'error: you may only specify a single resource type', code: 1 };
  const kind = kinds[0]!;
  const output = parseOutput(o.output);
  if (typeof output === 'string') return { error: output, code: 1 };
  const selection = o.selector !== undefined || o.fieldSelector !== undefined ? parseSelection(kind, o.selector, o.fieldSelector) : undefined;
  if (typeof selection === 'string') return { error: selection, code: 1 };
  const namespace = KINDS[kind].namespaced && !o.allNamespaces ? (o.namespace ?? 'default') : undefined;
  const scope: WatchScope = { kind, namespace, ...(name !== undefined ? { name } : {}), ...(selection ? { selection } : {}) };
  const printer = new WatchPrinter(kind, {
    output,
    ...(o.allNamespaces && KINDS[kind].namespaced ? { showNamespace: true } : {}),
    ...(o.showLabels ? { showLabels: true } : {}),
    ...(o.outputWatchEvents ? { watchEvents: true } : {}),
    ...(o.noHeaders ? { noHeaders: true } : {}),
    ...labelColumnsOption(o.labelColumns),
  });
  // get.go Complete: a watch prints in the order changes come.
  if (o.sortBy !== undefined) process.stderr.write('warning: --watch or --watch-only requested, --sort-by will be ignored\n');
  return { watch: new Watch(scope, printer) };
};

/**
 * `kubesim get KIND [NAME] -w --log FILE [--at POS]`: what `kubectl get -w` would have printed over the recorded
 * run — the objects at `--at` (default: the log's start, so none), then every change after it to the end of
 * the log, each row with its AGE at the moment of the change. A named object need not exist at `--at`: its
 * whole history from there is printed.
 */
export const watchLogCommand = (kindArg: string, name: string | undefined, o: WatchOptions & { readonly log: string }): number => {
  const p = prepare(kindArg, name, o);
  if ('error' in p) { process.stderr.write(`${p.error}\n`); return p.code; }
  const pos = readLogAt(o.log, o.at, 'start');
  if (typeof pos === 'number') return pos;
  const w = p.watch;
  let out = '';
  try {
    out += w.list(foldLog(pos.entries, pos.at).list(w.scope.kind), pos.nowMs, !o.watchOnly);
    for (let i = pos.at; i < pos.entries.length; i++) out += w.entry(pos.entries[i]!);
  } catch (e) {
    // A JSONPath that fails on an object (an index out of bounds) ends the watch as kubectl's printer error does.
    if (!(e instanceof JsonPathError)) throw e;
    process.stdout.write(out);
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
  process.stdout.write(out);
  return 0;
};

/**
 * `kubesim get KIND [NAME] -w` on a running cluster: the list the API server gives (its store at some seq),
 * then the log followed from the next seq — each change printed as it is committed — until Ctrl-C (or
 * SIGTERM), which ends it with status 1 as kubectl's interrupt handler does. A named object must exist
 * (`Error from server (NotFound)`).
 */
export const liveWatchCommand = (kindArg: string, name: string | undefined, o: WatchOptions & ContextOptions): Promise<number> => withSession(o, async (s) => {
  const p = prepare(kindArg, name, o);
  if ('error' in p) { process.stderr.write(`${p.error}\n`); return p.code; }
  const w = p.watch;
  const listed = await s.api.list(w.scope.kind, w.scope.namespace);
  if (!listed.ok) { process.stderr.write(`${kubectlMessage(listed.error)}\n`); return 1; }
  if (name !== undefined && !listed.objects.some((x) => x.metadata?.name === name)) {
    process.stderr.write(`${kubectlMessage(newNotFound(w.scope.kind, name))}\n`);
    return 1;
  }
  let failed: string | undefined;
  let end = (): void => undefined;
  const print = (f: () => string): void => {
    if (failed !== undefined) return;
    try { const text = f(); if (text !== '') process.stdout.write(text); } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      failed = `error: ${e.message}`;
      end();
    }
  };
  print(() => w.list(listed.objects, s.clock.now(), !o.watchOnly));
  const follower = new LogFollower(jsOf(s.nc), s.s, {
    filters: [s.s.kind(w.scope.kind)], fromSeq: listed.seq + 1,
    timeOf: (wall) => s.clock.fromWall(wall),
    onEntry: (e) => print(() => w.entry(e)),
  });
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
    end = stop;
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (failed !== undefined) stop();
  });
  await follower.start();
  await stopped;
  await follower.stop();
  if (failed !== undefined) process.stderr.write(`${failed}\n`);
  return 1;
});
