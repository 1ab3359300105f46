import { statSync } from 'node:fs';
import type { Envelope } from './envelope.js';
import { isLogDamage, renderLogDamage, streamLogFile, type LogDamage, type LogHeader } from './file.js';

/**
 * One streaming pass over a recording file, for tools that read logs too large to hold (`kubesim replay`,
 * `explain`, `diff`, `verify`): the hash chain is checked as the entries go by, and a file that cannot be
 * read is a value rather than an exception.
 */
export interface LogUnreadable {
  readonly type: 'LogUnreadable';
  readonly message: string;
}

export interface ScanDone {
  readonly type: 'ScanDone';
  readonly header: LogHeader;
  /** The number of entries (= the last seq). */
  readonly entries: number;
}

export type ScanResult = ScanDone | LogDamage | LogUnreadable;

/** Why a log file cannot be read, as every log command reports it (`FILE: no such file`, `cannot read FILE: …`). */
export const unreadableLogMessage = (path: string, e: unknown): string =>
  (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${path}: no such file` : `cannot read ${path}: ${(e as Error).message}`;

export const isScanFailure = (r: ScanResult): r is LogDamage | LogUnreadable => r.type !== 'ScanDone';

/** The error line for a failed scan: the damaged line (file:line) or why the file cannot be read. */
export const renderScanFailure = (path: string, r: LogDamage | LogUnreadable): string =>
  isLogDamage(r) ? renderLogDamage(path, r) : `error: ${r.message}`;

/**
 * Stream a recording: `onHeader` once (line 1), then `onEntry` for every entry whose line verified, in seq
 * order. Stops at the first damaged line and returns it; entries before it have been delivered (a caller
 * must not trust results built from them alone).
 */
export const scanLogFile = async (
  path: string,
  onEntry: (e: Envelope) => void = () => undefined,
  onHeader: (h: LogHeader) => void = () => undefined,
): Promise<ScanResult> => {
  try {
    if (!statSync(path).isFile()) return { type: 'LogUnreadable', message: `${path} is not a file` };
  } catch (e) {
    return { type: 'LogUnreadable', message: unreadableLogMessage(path, e) };
  }
  let header: LogHeader | undefined;
  let n = 0;
  // An exception from a callback is the caller's, not a read error: it is rethrown as is.
  let thrown: { readonly error: unknown } | undefined;
  const guard = (fn: () => void) => {
    try { fn(); } catch (error) { thrown = { error }; throw error; }
  };
  try {
    const damage = await streamLogFile(path, (h) => guard(() => { header = h; onHeader(h); }), (e) => guard(() => { n = e.seq; onEntry(e); }));
    if (damage) return damage;
  } catch (e) {
    if (thrown) throw thrown.error;
    return { type: 'LogUnreadable', message: `cannot read ${path}: ${(e as Error).message}` };
  }
  if (!header) return { type: 'LogDamage', line: 1, reason: 'empty file: no header line' };
  return { type: 'ScanDone', header, entries: n };
};
