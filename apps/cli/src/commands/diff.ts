import type { KObject } from '@kubesim/api';
import {
  describeEntryDifferences, entryFingerprint, formatPath, formatValue, isScanFailure, renderScanFailure, sameValue, scanLogFile,
  ENTRY_FIELDS, type Envelope, type LogHeader, type ScanDone,
} from '@kubesim/log';
import { describeEntry, diffStates, formatRef, isEmptyStateDiff, ObjectStore, type StateDiff } from '@kubesim/state';
import { describeHeader } from './replay.js';

export interface DiffOptions {
  readonly ignoreMeta?: boolean;
}

const err = (s: string) => process.stderr.write(`${s}\n`);

/** The entry at one seq and its object's previous version, caught while folding. */
interface Caught { entry: Envelope; previous: KObject | undefined }

const HEADER_FIELDS = ['seed', 'mode', 'source', 'scenario', 'versions'] as const;

const headerDifferences = (a: LogHeader, b: LogHeader): string[] =>
  HEADER_FIELDS.filter((f) => !sameValue(a[f], b[f])).map((f) =>
    (f === 'seed' || f === 'mode' || f === 'source' ? `${f} ${formatValue(a[f])} vs ${formatValue(b[f])}` : f));

const MAX_PATHS = 8;
const MAX_OBJECTS = 20;

const renderStateDiff = (d: StateDiff): string[] => {
  const out: string[] = [];
  const list = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    out.push(`  ${title} (${items.length}): ${items.slice(0, MAX_OBJECTS).join(', ')}${items.length > MAX_OBJECTS ? `, … ${items.length - MAX_OBJECTS} more` : ''}`);
  };
  list('only in A', d.onlyInA.map(formatRef));
  list('only in B', d.onlyInB.map(formatRef));
  if (d.changed.length > 0) {
    out.push(`  differ (${d.changed.length}):`);
    for (const { ref, changes } of d.changed.slice(0, MAX_OBJECTS)) {
      out.push(`    ${formatRef(ref)}: ${changes.length} ${changes.length === 1 ? 'field' : 'fields'}`);
      for (const c of changes.slice(0, MAX_PATHS)) {
        const v = (x: unknown) => (x === undefined ? '(absent)' : formatValue(x, 50));
        out.push(`      ${formatPath(c.path)}  A: ${v(c.before)}  B: ${v(c.after)}`);
      }
      if (changes.length > MAX_PATHS) out.push(`      … ${changes.length - MAX_PATHS} more`);
    }
    if (d.changed.length > MAX_OBJECTS) out.push(`    … ${d.changed.length - MAX_OBJECTS} more objects`);
  }
  return out;
};

/**
 * `kubesim diff A.jsonl B.jsonl [--ignore-meta]`: the first seq where two recorded logs differ, and how their
 * final states differ. Exit 0 when the entries are identical, 1 when they differ, 2 when a log is damaged or
 * missing. Three streaming passes: A (entry fingerprints only), B (fold + compare), A again (fold), so
 * neither log's history is held in memory.
 */
export const diffCommand = async (fileA: string, fileB: string, opts: DiffOptions): Promise<number> => {
  const prints: string[] = [];
  const fingerprints: string[] = [];
  const passA1 = await scanLogFile(fileA, (e) => { fingerprints.push(entryFingerprint(e)); });
  if (isScanFailure(passA1)) { err(renderScanFailure(fileA, passA1)); return 2; }
  const storeB = new ObjectStore();
  let divergence = 0;
  let atB: Caught | undefined;
  const passB = await scanLogFile(fileB, (e) => {
    const previous = storeB.applyReturningOld(e);
    if (divergence === 0 && fingerprints[e.seq - 1] !== entryFingerprint(e)) {
      divergence = e.seq;
      atB = { entry: e, previous };
    }
  });
  if (isScanFailure(passB)) { err(renderScanFailure(fileB, passB)); return 2; }
  if (divergence === 0 && passB.entries !== passA1.entries) divergence = Math.min(passA1.entries, passB.entries) + 1;
  prints.push(`A: ${fileA}: ${describeHeader(passA1.header, passA1.entries)}`);
  prints.push(`B: ${fileB}: ${describeHeader(passB.header, passB.entries)}`);
  const headers = headerDifferences(passA1.header, passB.header);
  if (headers.length > 0) prints.push(`headers differ: ${headers.join('; ')}`);
  if (divergence === 0) {
    prints.push(`identical: ${passA1.entries} entries${headers.length > 0 ? ' (the headers differ, the entries do not)' : ''}`);
    process.stdout.write(prints.join('\n') + '\n');
    return 0;
  }
  const storeA = new ObjectStore();
  let atA: Caught | undefined;
  const passA2 = await scanLogFile(fileA, (e) => {
    const previous = storeA.applyReturningOld(e);
    if (e.seq === divergence) atA = { entry: e, previous };
  });
  if (isScanFailure(passA2)) { err(renderScanFailure(fileA, passA2)); return 2; }
  prints.push('');
  prints.push(firstDivergenceLines(divergence, atA, atB, passA1, passB).join('\n'));
  const states = diffStates(storeA.allObjects(), storeB.allObjects(), { ignoreMeta: opts.ignoreMeta === true });
  prints.push('');
  prints.push(`final states (A at seq ${passA1.entries}, B at seq ${passB.entries}${opts.ignoreMeta ? '; uid, resourceVersion and timestamps ignored' : ''}):`);
  if (isEmptyStateDiff(states)) prints.push('  the same objects with the same content');
  else prints.push(...renderStateDiff(states));
  process.stdout.write(prints.join('\n') + '\n');
  return 1;
};

const firstDivergenceLines = (seq: number, a: Caught | undefined, b: Caught | undefined, sa: ScanDone, sb: ScanDone): string[] => {
  if (!a || !b) {
    const [ended, other, o] = !a ? ['A', 'B', b] : ['B', 'A', a];
    const endSeq = !a ? sa.entries : sb.entries;
    return [
      `first divergence at seq ${seq}: ${ended} ends at seq ${endSeq}; ${other} goes on`,
      `  ${other}: ${o ? describeEntry(o.entry, o.previous) : '(nothing)'}`,
    ];
  }
  const fields = ENTRY_FIELDS.filter((f) => !sameValue(a.entry[f], b.entry[f]));
  return [
    `first divergence at seq ${seq} (differing: ${fields.join(', ')}):`,
    `  A: ${describeEntry(a.entry, a.previous)}`,
    `  B: ${describeEntry(b.entry, b.previous)}`,
    '  differences (A→B):',
    ...describeEntryDifferences(a.entry, b.entry).map((l) => `    ${l}`),
  ];
};
