import { KINDS, resolveKind } from '@kubesim/api';
import { formatChange, isObjectEntry, isScanFailure, renderScanFailure, scanLogFile, type Envelope } from '@kubesim/log';
import {
  causeChain, describeChange, explainSteps, formatRef, formatTime, LogIndex, neededSeqs, refKey, refOf, similarNames,
  type ExplainStep, type ObjectRef,
} from '@kubesim/state';
import { renderTabbed } from '../printers/index.js';
import { AtCursor, parseAt } from './replay.js';

export interface ExplainOptions {
  readonly at?: string;
  readonly namespace?: string;
  readonly history?: boolean;
}

const err = (s: string) => process.stderr.write(`${s}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(3)}s`;

/** `pod/web-0`, `sts/web`, `pvc/data-web-0`, `node/node-a` → a ref (namespace from -n for namespaced kinds). */
const parseTarget = (arg: string, namespace: string): ObjectRef | string => {
  const i = arg.indexOf('/');
  if (i <= 0 || i === arg.length - 1) return `error: give the object as KIND/NAME (e.g. pod/web-0, sts/web, pvc/data-web-0), got "${arg}"`;
  const kind = resolveKind(arg.slice(0, i));
  if (!kind) return `error: the server doesn't have a resource type "${arg.slice(0, i)}"`;
  return { kind, namespace: KINDS[kind].namespaced ? namespace : '', name: arg.slice(i + 1) };
};

const row = (s: ExplainStep): string[] => {
  const e = s.entry;
  return [String(e.seq), secs(e.time), e.actor, isObjectEntry(e) ? (e.op ?? e.type.toLowerCase()) : e.type, isObjectEntry(e) ? formatRef(refOf(e.object)) : '-', s.description];
};

/**
 * `kubesim explain FILE KIND/NAME [--at SEQ] [-n NS] [--history]`: the chain of causes behind an object's
 * state. Two streaming passes: the first indexes causes and object links (no objects kept), the second
 * fetches only the entries on the chain (and the object's history with --history) with their previous versions.
 */
export const explainCommand = async (file: string, targetArg: string, opts: ExplainOptions): Promise<number> => {
  const target = parseTarget(targetArg, opts.namespace ?? 'default');
  if (typeof target === 'string') { err(target); return 2; }
  const spec = parseAt(opts.at);
  if (typeof spec === 'string') { err(spec); return 2; }
  const at = new AtCursor(spec);
  const index = new LogIndex();
  const key = refKey(target);
  const history: number[] = [];
  let firstLater = 0;
  const pass1 = await scanLogFile(file, (e) => {
    const about = isObjectEntry(e) && refKey(refOf(e.object)) === key;
    if (!at.includes(e)) {
      if (about && firstLater === 0) firstLater = e.seq;
      return;
    }
    index.add(e);
    if (about) history.push(e.seq);
  });
  if (isScanFailure(pass1)) { err(renderScanFailure(file, pass1)); return 2; }
  const range = at.outOfRange(pass1.entries);
  if (range) { err(range); return 1; }
  const shown = formatRef(target);
  const last = index.lastSeqOf(target);
  if (last === 0) {
    if (firstLater > 0) {
      err(`error: ${shown} does not exist yet at seq ${at.seq}: its first entry is seq ${firstLater}`);
      return 1;
    }
    const refs = [...index.objects()];
    const sameKind = refs.filter((r) => r.kind === target.kind && r.namespace === target.namespace).map((r) => r.name);
    const similar = similarNames(target.name, sameKind).map((n) => formatRef({ ...target, name: n }));
    const otherKinds = refs.filter((r) => r.name === target.name && r.kind !== target.kind).map(formatRef);
    const elsewhere = refs.filter((r) => r.name === target.name && r.kind === target.kind && r.namespace !== target.namespace).map((r) => `${formatRef(r)} (-n ${r.namespace})`);
    const suggestions = [...new Set([...similar, ...otherKinds, ...elsewhere])];
    const some = suggestions.length > 0 ? suggestions : sameKind.sort().slice(0, 10).map((n) => formatRef({ ...target, name: n }));
    err(`error: ${shown} is not in the log${at.seq < pass1.entries ? ` up to seq ${at.seq}` : ''}${target.namespace && target.namespace !== 'default' ? ` (namespace ${target.namespace})` : ''}`
      + (some.length > 0 ? `; ${suggestions.length > 0 ? 'similar' : `the ${target.kind} objects are`}: ${some.join(', ')}` : `; the log has no ${target.kind} objects${target.namespace ? ` in namespace ${target.namespace}` : ''}`));
    return 1;
  }
  const chain = causeChain(index, last);
  const need = neededSeqs(index, opts.history ? [...chain.seqs, ...history] : chain.seqs);
  const fetched = new Map<number, Envelope>();
  const pass2 = await scanLogFile(file, (e) => { if (need.has(e.seq)) fetched.set(e.seq, e); });
  if (isScanFailure(pass2)) { err(renderScanFailure(file, pass2)); return 2; }
  const lookup = (s: number) => fetched.get(s);
  const steps = explainSteps(index, [...chain.seqs].reverse(), lookup);
  const lastStep = steps[steps.length - 1]!;
  const out: string[] = [];
  const state = index.isDeleted(target) ? 'deleted' : 'last written';
  const asOf = spec.kind === 'time' ? spec.ms : index.timeOf(at.seq);
  out.push(`${shown} as of seq ${at.seq} (${formatTime(asOf)}): ${state} at seq ${last} (${formatTime(lastStep.entry.time)}) by ${lastStep.entry.actor}`);
  out.push('');
  out.push(`Chain of causes, from the input that started it to the object's last entry (${steps.length} ${steps.length === 1 ? 'entry' : 'entries'}):`);
  out.push(renderTabbed([['SEQ', 'TIME', 'ACTOR', 'OP', 'OBJECT', 'CHANGE'], ...steps.map(row)]).trimEnd());
  if (chain.broken) out.push(`(the chain stops at seq ${chain.broken.seq}: its cause ${chain.broken.cause} is not an earlier entry of the log)`);
  const changes = lastStep.changes;
  if (changes.length > 3) {
    out.push('');
    out.push(`All changes at seq ${last}:`);
    for (const c of changes) out.push(`  ${formatChange(c, 80)}`);
  }
  if (opts.history) {
    out.push('');
    out.push(`History of ${shown} (${history.length} ${history.length === 1 ? 'entry' : 'entries'} up to seq ${at.seq}):`);
    const rows = history.map((s) => {
      const e = fetched.get(s)!;
      const p = index.prevOf(s);
      const prev = p > 0 ? fetched.get(p) : undefined;
      const previous = prev && isObjectEntry(prev) ? prev.object : undefined;
      return [String(e.seq), secs(e.time), e.actor, e.op ?? e.type.toLowerCase(), e.type, describeChange(previous, e)];
    });
    out.push(renderTabbed([['SEQ', 'TIME', 'ACTOR', 'OP', 'TYPE', 'CHANGE'], ...rows]).trimEnd());
  }
  process.stdout.write(out.join('\n') + '\n');
  return 0;
};
