import { isLogDamage, readLogFile, renderLogDamage, unreadableLogMessage } from '@kubesim/log';
import { foldLog } from '@kubesim/state';
import { resolveKind, KINDS, type KObject } from '@kubesim/api';
import { printObjects } from '../printers/index.js';
import { parseAt } from './replay.js';

export interface GetOptions {
  readonly log?: string;
  readonly at?: string;
  readonly output?: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
}

/** `kubesim get KIND [NAME] --log FILE [--at SEQ|t=TIME] [-o json|yaml|wide]`: objects as kubectl prints them. */
export const getCommand = (kindArg: string, name: string | undefined, opts: GetOptions): number => {
  if (!opts.log) { process.stderr.write('error: --log FILE is required (the recorded run to read)\n'); return 2; }
  const kind = resolveKind(kindArg);
  if (!kind) { process.stderr.write(`error: the server doesn't have a resource type "${kindArg}"\n`); return 1; }
  const output = opts.output ?? 'table';
  if (!['table', 'wide', 'json', 'yaml'].includes(output)) { process.stderr.write(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: json,yaml,wide\n`); return 2; }
  let parsed: ReturnType<typeof readLogFile>;
  try {
    parsed = readLogFile(opts.log);
  } catch (e) {
    process.stderr.write(`error: ${unreadableLogMessage(opts.log, e)}\n`);
    return 2;
  }
  if (isLogDamage(parsed)) { process.stderr.write(`${renderLogDamage(opts.log, parsed)}\n`); return 2; }
  const last = parsed.entries.length;
  // The same positions as `replay --at`: a seq, or a virtual time (the last entry at or before it).
  const spec = parseAt(opts.at);
  if (typeof spec === 'string') { process.stderr.write(`${spec}\n`); return 2; }
  let at = last;
  if (spec.kind === 'seq') {
    at = spec.seq;
    if (at > last) { process.stderr.write(`error: --at ${at} is past the end of the log (last seq ${last})\n`); return 1; }
  } else if (spec.kind === 'time') {
    at = 0;
    while (at < last && parsed.entries[at]!.time <= spec.ms) at++;
  }
  const store = foldLog(parsed.entries, at);
  // Ages are counted to the moment asked for: the time given, or the time of the entry.
  const nowMs = spec.kind === 'time' ? spec.ms : at === 0 ? 0 : parsed.entries[at - 1]!.time;
  const ns = KINDS[kind].namespaced ? (opts.allNamespaces ? undefined : (opts.namespace ?? 'default')) : '';
  let objects: KObject[] = [...store.list(kind, ns)] as KObject[];
  if (name !== undefined) {
    objects = objects.filter((o) => o.metadata?.name === name);
    if (objects.length === 0) {
      process.stderr.write(`Error from server (NotFound): ${KINDS[kind].plural}${KINDS[kind].group ? `.${KINDS[kind].group}` : ''} "${name}" not found\n`);
      return 1;
    }
  }
  objects.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  if (objects.length === 0 && (output === 'table' || output === 'wide')) {
    process.stderr.write(KINDS[kind].namespaced && ns !== undefined ? `No resources found in ${ns} namespace.\n` : 'No resources found\n');
    return 0;
  }
  process.stdout.write(printObjects(kind, objects, { output: output as 'table', nowMs, single: name !== undefined }));
  return 0;
};
