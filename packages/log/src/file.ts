import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Envelope } from './envelope.js';

/**
 * Recording file format (docs/log-format.md): JSON lines. Line 1 is the header, every other line one
 * envelope. Each line ends with `"h":"<16 hex>"`, the first 64 bits of
 * sha256(previous line's h + the line's JSON without the h field): a hash chain, so any change,
 * deletion, insertion or truncation is found at the first damaged line.
 */
export const LOG_FORMAT_VERSION = 1;

export interface LogHeader {
  readonly kubesim: 'log';
  readonly format: number;
  readonly seed: number;
  /** The scenario that produced the log (its parsed content), so `verify` can re-run it. */
  readonly scenario: unknown;
  readonly source?: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly mode: 'embedded' | 'distributed';
  /** Distributed logs: virtual ms per wall ms of the run (times are the dilated wall clock). */
  readonly timeScale?: number;
  /** A broken-controller variant the run used (property-suite counterexamples; `@kubesim/props` VARIANTS). */
  readonly variant?: string;
}

export interface LogDamage {
  readonly type: 'LogDamage';
  readonly line: number;
  readonly reason: string;
}

const GENESIS = '0000000000000000';
const H_FIELD = ',"h":"';

const chainHash = (prev: string, body: string): string =>
  createHash('sha256').update(prev).update(body).digest('hex').slice(0, 16);

/** Serialise one value as a chained line; returns the line (no newline) and its hash. */
export const chainLine = (prev: string, value: object): { line: string; h: string } => {
  const body = JSON.stringify(value);
  const h = chainHash(prev, body);
  return { line: `${body.slice(0, -1)}${H_FIELD}${h}"}`, h };
};

export class LogWriter {
  private prev = GENESIS;
  private readonly lines: string[] = [];
  constructor(header: LogHeader) {
    this.push(header);
  }
  push(value: object): void {
    const { line, h } = chainLine(this.prev, value);
    this.prev = h;
    this.lines.push(line);
  }
  text(): string { return this.lines.join('\n') + '\n'; }
  writeTo(path: string): void { writeFileSync(path, this.text()); }
}

export const serializeLog = (header: LogHeader, entries: Iterable<Envelope>): string => {
  const w = new LogWriter(header);
  for (const e of entries) w.push(e);
  return w.text();
};

/** Check one line against the chain; returns the parsed value and its hash, or a damage reason. */
export const checkLine = (prev: string, line: string): { ok: true; value: unknown; h: string } | { ok: false; reason: string } => {
  const i = line.lastIndexOf(H_FIELD);
  if (i < 0 || !line.endsWith('"}')) return { ok: false, reason: 'missing integrity field "h"' };
  const h = line.slice(i + H_FIELD.length, -2);
  const body = `${line.slice(0, i)}}`;
  if (chainHash(prev, body) !== h) return { ok: false, reason: 'hash chain mismatch (the line was changed, or a line before it was removed or inserted)' };
  try {
    return { ok: true, value: JSON.parse(body), h };
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
};

export interface ParsedLog {
  readonly header: LogHeader;
  readonly entries: Envelope[];
}

const damage = (line: number, reason: string): LogDamage => ({ type: 'LogDamage', line, reason });

/** Validate the header line and each entry's seq continuity. */
class ChainReader {
  prev = GENESIS;
  lineNo = 0;
  header: LogHeader | undefined;
  lastSeq = 0;
  feed(line: string): { entry?: Envelope; damage?: LogDamage } {
    this.lineNo++;
    if (line === '') return { damage: damage(this.lineNo, 'empty line') };
    const r = checkLine(this.prev, line);
    if (!r.ok) return { damage: damage(this.lineNo, r.reason) };
    this.prev = r.h;
    const v = r.value as Record<string, unknown>;
    if (this.lineNo === 1) {
      if (v.kubesim !== 'log') return { damage: damage(1, 'not a kubesim log (header line missing)') };
      if (v.format !== LOG_FORMAT_VERSION) return { damage: damage(1, `unsupported log format ${String(v.format)} (this kubesim reads format ${LOG_FORMAT_VERSION})`) };
      const { h: _h, ...header } = v;
      this.header = header as unknown as LogHeader;
      return {};
    }
    const { h: _h, ...entry } = v;
    const e = entry as unknown as Envelope;
    if (e.seq !== this.lastSeq + 1) return { damage: damage(this.lineNo, `seq ${String(e.seq)} follows ${this.lastSeq} (entries must be gap-free)`) };
    this.lastSeq = e.seq;
    return { entry: e };
  }
}

export const parseLogText = (text: string): ParsedLog | LogDamage => {
  const r = new ChainReader();
  const entries: Envelope[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else if (lines.length > 0) return damage(lines.length, 'truncated: the last line has no newline');
  for (const line of lines) {
    const out = r.feed(line);
    if (out.damage) return out.damage;
    if (out.entry) entries.push(out.entry);
  }
  if (!r.header) return damage(1, 'empty file: no header line');
  return { header: r.header, entries };
};

export const readLogFile = (path: string): ParsedLog | LogDamage => parseLogText(readFileSync(path, 'utf8'));

/** Streaming reader for large logs: calls onEntry for every verified entry; stops at the first damage. */
export const streamLogFile = async (
  path: string,
  onHeader: (h: LogHeader) => void,
  onEntry: (e: Envelope) => void,
): Promise<LogDamage | undefined> => {
  const r = new ChainReader();
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    const out = r.feed(line);
    if (out.damage) { rl.close(); return out.damage; }
    if (r.lineNo === 1 && r.header) onHeader(r.header);
    if (out.entry) onEntry(out.entry);
  }
  if (!r.header) return damage(1, 'empty file: no header line');
  return undefined;
};

export const isLogDamage = (x: unknown): x is LogDamage => (x as LogDamage | undefined)?.type === 'LogDamage';
export const renderLogDamage = (path: string, d: LogDamage): string => `error: ${path}:${d.line}: damaged log: ${d.reason}; nothing from this line on is trusted`;
