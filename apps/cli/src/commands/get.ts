import { isLogDamage, readLogFile, renderLogDamage, unreadableLogMessage, type Envelope } from '@kubesim/log';
import { foldLog, type ObjectStore } from '@kubesim/state';
import { kubectlMessage, newNotFound, KINDS, type Event, type KObject } from '@kubesim/api';
import { parseOutput, renderGet, resolveKinds, selectorOptions, type PrintingOptions } from './getmany.js';
import { parseTarget, rolloutHistory, rolloutStatus } from '@kubesim/scenario';
import { describeLists, describeObject, type DescribeRelated } from '../printers/index.js';
import { AtCursor, parseAt } from './replay.js';
import { warnDeprecated } from './warnings.js';

export interface GetOptions extends PrintingOptions {
  readonly log?: string;
  readonly at?: string;
}

/** A recorded log folded at `--at`: the objects then, and the moment ages are counted to. */
interface LogState { readonly store: ObjectStore; readonly nowMs: number }

/** A recorded log read whole, and the position `--at` names in it (the last entry it includes, 0 for none). */
export interface LogPosition { readonly entries: readonly Envelope[]; readonly at: number; readonly nowMs: number }

/**
 * Read a recorded log and find `--at` in it (a seq, or a virtual time as `replay --at` takes it: the last
 * entry at or before it; without one, `fallback`). A problem is reported on stderr and returned as the
 * exit code.
 */
export const readLogAt = (file: string, atArg: string | undefined, fallback: 'end' | 'start' = 'end'): LogPosition | number => {
  let parsed: ReturnType<typeof readLogFile>;
  try {
    parsed = readLogFile(file);
  } catch (e) {
    process.stderr.write(`error: ${unreadableLogMessage(file, e)}\n`);
    return 2;
  }
  if (isLogDamage(parsed)) { process.stderr.write(`${renderLogDamage(file, parsed)}\n`); return 2; }
  const last = parsed.entries.length;
  const spec = parseAt(atArg ?? (fallback === 'start' ? '0' : undefined));
  if (typeof spec === 'string') { process.stderr.write(`${spec}\n`); return 2; }
  if (spec.kind === 'seq' && spec.seq > last) { process.stderr.write(`error: --at ${spec.seq} is past the end of the log (last seq ${last})\n`); return 1; }
  // The entries the position includes, decided as replay decides them.
  const cursor = new AtCursor(spec);
  for (const e of parsed.entries) if (!cursor.includes(e)) break;
  const at = cursor.seq;
  // Ages are counted to the moment asked for: the time given, or the time of the entry.
  const nowMs = spec.kind === 'time' ? spec.ms : at === 0 ? 0 : parsed.entries[at - 1]!.time;
  return { entries: parsed.entries, at, nowMs };
};

const logStateAt = (file: string, atArg: string | undefined): LogState | number => {
  const p = readLogAt(file, atArg);
  return typeof p === 'number' ? p : { store: foldLog(p.entries, p.at), nowMs: p.nowMs };
};

/**
 * `kubesim get KIND[,KIND…]|all [NAME] --log FILE [--at SEQ|t=TIME] [-o json|yaml|wide] [-n NS|-A]`: objects as
 * kubectl prints them.
 */
export const getCommand = (kindArg: string, name: string | undefined, opts: GetOptions): number => {
  if (!opts.log) { process.stderr.write('error: --log FILE is required (the recorded run to read)\n'); return 2; }
  const kinds = resolveKinds(kindArg);
  if (typeof kinds === 'string') { process.stderr.write(`${kinds}\n`); return 1; }
  const output = opts.output ?? 'table';
  const spec = parseOutput(output);
  if (typeof spec === 'string') { process.stderr.write(`${spec}\n`); return 2; }
  const state = logStateAt(opts.log, opts.at);
  if (typeof state === 'number') return state;
  const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? 'default');
  const listed = new Map(kinds.map((k) => [k, [...state.store.list(k, KINDS[k].namespaced ? namespace : '')] as KObject[]] as const));
  const r = renderGet({ kinds, several: kinds.length > 1 || kindArg.split(',').some((p) => p.toLowerCase() === 'all'), name, output, namespace, nowMs: state.nowMs, ...selectorOptions(opts) }, listed);
  process.stdout.write(r.out);
  process.stderr.write(r.err);
  return r.code;
};

/**
 * `kubesim describe KIND/NAME --log FILE [--at SEQ|t=TIME] [-n NS]`: the object as it was then, and the
 * events about it, as `describe` prints them for a running cluster.
 */
export const describeLogCommand = (target: string, opts: { readonly log: string; readonly at?: string; readonly namespace?: string }): number => {
  const t = parseTarget(target);
  if (typeof t === 'string') { process.stderr.write(`${t}\n`); return 2; }
  warnDeprecated([t.kind]);
  const state = logStateAt(opts.log, opts.at);
  if (typeof state === 'number') return state;
  const ns = KINDS[t.kind].namespaced ? (opts.namespace ?? 'default') : '';
  const obj = state.store.get(t.kind, ns, t.name) as KObject | undefined;
  if (!obj) { process.stderr.write(`${kubectlMessage(newNotFound(t.kind, t.name))}\n`); return 1; }
  const events = [...state.store.list('Event', obj.metadata?.namespace || 'default')] as Event[];
  const related: Record<string, readonly KObject[]> = {};
  for (const [kind, namespace] of describeLists(obj)) related[kind] = [...state.store.list(kind, namespace)] as KObject[];
  process.stdout.write(describeObject(obj, related as DescribeRelated, events, state.nowMs));
  return 0;
};

/** `kubesim rollout status|history KIND/NAME --log FILE [--at POS]`: what kubectl rollout would have printed then. */
export const rolloutLogCommand = (verb: string, target: string, opts: { readonly log: string; readonly at?: string; readonly revision?: string; readonly namespace?: string }): number => {
  if (verb !== 'status' && verb !== 'history') {
    process.stderr.write(`error: rollout ${verb} ${['restart', 'undo', 'pause', 'resume'].includes(verb) ? 'changes a cluster' : 'is not a rollout command'}; a recorded log can only be read (status, history)\n`);
    return 2;
  }
  const t = parseTarget(target);
  if (typeof t === 'string') { process.stderr.write(`error: ${t}\n`); return 2; }
  const revision = opts.revision === undefined ? 0 : Number(opts.revision);
  if (!Number.isInteger(revision)) { process.stderr.write(`error: invalid argument "${opts.revision ?? ''}" for "--revision" flag\n`); return 2; }
  const state = logStateAt(opts.log, opts.at);
  if (typeof state === 'number') return state;
  if (verb === 'history') {
    const h = rolloutHistory(state.store, t.kind, opts.namespace ?? 'default', t.name, revision);
    if ('error' in h) { process.stderr.write(`${h.error}\n`); return 1; }
    process.stdout.write(`${h.text}\n`);
    return 0;
  }
  const st = rolloutStatus(state.store, t.kind, opts.namespace ?? 'default', t.name);
  if ('error' in st) { process.stderr.write(`${st.error}\n`); return 1; }
  process.stdout.write(`${st.message}\n`);
  // A recorded position cannot move on: an unfinished rollout is reported, not waited for.
  return st.done ? 0 : 1;
};
