import { isKind, KINDS, type Kind, type KObject } from '@kubesim/api';
import { isScanFailure, renderScanFailure, scanLogFile, type Envelope, type LogHeader } from '@kubesim/log';
import { describeEntry, formatTime, ObjectStore } from '@kubesim/state';
import { parseDuration } from '@kubesim/scenario';
import { goJson, goYaml, printObjects, sortByKey } from '../printers/index.js';

/** Where in a log: the end, a seq, or a virtual time (the last entry at or before it). */
export type AtSpec =
  | { readonly kind: 'end' }
  | { readonly kind: 'seq'; readonly seq: number }
  | { readonly kind: 'time'; readonly ms: number; readonly text: string };

/** `--at 42`, `--at t=12.5s`, `--at t=1m30s`, `--at t=12.5` (seconds). */
export const parseAt = (arg: string | undefined): AtSpec | string => {
  if (arg === undefined) return { kind: 'end' };
  if (arg.startsWith('t=')) {
    const t = arg.slice(2);
    const ms = /^\d+(\.\d+)?$/.test(t) ? Number(t) * 1000 : parseDuration(t);
    if (ms === undefined) return `error: --at ${arg}: give a virtual time like t=12.5s, t=500ms or t=2m`;
    return { kind: 'time', ms, text: t };
  }
  const seq = Number(arg);
  if (arg.trim() === '' || !Number.isInteger(seq) || seq < 0) return `error: --at must be a log seq (0 = before the first entry) or a virtual time t=12.5s, got "${arg}"`;
  return { kind: 'seq', seq };
};

/** Decides, entry by entry in log order, which entries a state "at" includes. */
export class AtCursor {
  private stopped = false;
  /** The last included seq. */
  seq = 0;
  constructor(readonly spec: AtSpec) {}
  includes(e: Envelope): boolean {
    if (this.stopped) return false;
    const ok = this.spec.kind === 'end' || (this.spec.kind === 'seq' ? e.seq <= this.spec.seq : e.time <= this.spec.ms);
    if (!ok) { this.stopped = true; return false; }
    this.seq = e.seq;
    return true;
  }
  /** After the scan: an error message when a seq is past the end. */
  outOfRange(last: number): string | undefined {
    if (this.spec.kind === 'seq' && this.spec.seq > last) return `error: --at ${this.spec.seq} is past the end of the log (entries 1..${last})`;
    return undefined;
  }
}

/** `scenario "x", seed 1, embedded, 156 entries, recorded by kubesim 0.1.0` */
export const describeHeader = (h: LogHeader, entries: number): string => {
  const sc = h.scenario as { name?: unknown } | null;
  const name = sc && typeof sc === 'object' && typeof sc.name === 'string' ? `scenario "${sc.name}", ` : '';
  return `${name}seed ${h.seed}, ${h.mode}, ${entries} entries${h.versions.kubesim ? `, recorded by kubesim ${h.versions.kubesim}` : ''}`;
};

/** Kinds in the order a state is printed: cluster, storage, workloads, pods, networking, events. */
const KIND_ORDER: readonly Kind[] = [
  'Namespace', 'Node', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'StatefulSet', 'ReplicaSet',
  'ControllerRevision', 'Pod', 'Service', 'Endpoints', 'EndpointSlice', 'Event',
];

export interface ReplayOptions {
  readonly at?: string;
  readonly output?: string;
}

const err = (s: string) => process.stderr.write(`${s}\n`);

/** `kubesim replay FILE [--at SEQ|t=TIME] [-o json|yaml|wide]`: the cluster as it was at a position of a recorded log. */
export const replayCommand = async (file: string, opts: ReplayOptions): Promise<number> => {
  const output = opts.output ?? 'table';
  if (!['table', 'wide', 'json', 'yaml'].includes(output)) { err(`error: unknown output format "${output}" (json, yaml, wide)`); return 2; }
  const spec = parseAt(opts.at);
  if (typeof spec === 'string') { err(spec); return 2; }
  const at = new AtCursor(spec);
  const store = new ObjectStore();
  let atEntry: Envelope | undefined;
  let previous: KObject | undefined;
  const r = await scanLogFile(file, (e) => {
    if (!at.includes(e)) return;
    previous = store.applyReturningOld(e);
    atEntry = e;
  });
  if (isScanFailure(r)) { err(renderScanFailure(file, r)); return 2; }
  const range = at.outOfRange(r.entries);
  if (range) { err(range); return 1; }
  const nowMs = spec.kind === 'time' ? spec.ms : (atEntry?.time ?? 0);
  const objects = store.allObjects();
  if (output === 'json' || output === 'yaml') {
    // A List whose resourceVersion is the log position, as the API server's list at that revision would be.
    const list = { apiVersion: 'v1', items: sortByKey(objects).sort((a, b) => kindRank(a) - kindRank(b)), kind: 'List', metadata: { resourceVersion: String(at.seq) } };
    process.stdout.write(output === 'json' ? `${goJson(list)}\n` : goYaml(list));
    return 0;
  }
  const lines: string[] = [];
  lines.push(`replay of ${file}: ${describeHeader(r.header, r.entries)}`);
  const when = spec.kind === 'time' ? ` (the last entry at or before t=${spec.text})` : '';
  lines.push(at.seq === 0
    ? `at seq 0 of ${r.entries} (before the first entry)${when}, ${formatTime(nowMs)}`
    : `at seq ${at.seq} of ${r.entries}${when}, ${formatTime(nowMs)}`);
  if (atEntry) lines.push(`entry ${describeEntry(atEntry, previous)}`);
  lines.push('');
  process.stdout.write(lines.join('\n') + '\n');
  if (objects.length === 0) { process.stdout.write('No resources found\n'); return 0; }
  const byKind = new Map<string, KObject[]>();
  for (const o of objects) {
    const k = String(o.kind);
    byKind.set(k, [...(byKind.get(k) ?? []), o]);
  }
  const namespaces = new Set(objects.filter((o) => o.metadata?.namespace).map((o) => o.metadata?.namespace));
  const kinds = [...byKind.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const blocks: string[] = [];
  for (const kind of kinds) {
    const objs = byKind.get(kind)!;
    if (isKind(kind)) {
      blocks.push(printObjects(kind, objs, { output: output as 'table' | 'wide', nowMs, single: false, showKind: true, showNamespace: KINDS[kind].namespaced && namespaces.size > 1 }));
    } else {
      blocks.push(`${objs.map((o) => `${kind.toLowerCase()}/${o.metadata?.name ?? ''}`).join('\n')}\n`);
    }
  }
  process.stdout.write(blocks.join('\n'));
  return 0;
};

const rank = (kind: string): number => {
  const i = KIND_ORDER.indexOf(kind as Kind);
  return i < 0 ? KIND_ORDER.length : i;
};
const kindRank = (o: KObject): number => rank(String(o.kind));
