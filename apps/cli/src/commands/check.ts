import { createCheckSuite, distributedCheckOptions, parseCheckerList, selectCheckers, type CheckResult, type CheckSuite, type Violation } from '@kubesim/invariants';
import { isScanFailure, renderScanFailure, scanLogFile, type LogHeader } from '@kubesim/log';
import { parseDuration } from '@kubesim/scenario';

export interface CheckCommandOptions {
  /** Comma-separated checker ids. */
  readonly only?: string;
  readonly json?: boolean;
  /** The log ends at a quiescent point (the run was settled): judge the end, liveness must be proven. */
  readonly settled?: boolean;
  /** Liveness bound, e.g. `300s`, `10m`. */
  readonly livenessBound?: string;
}

export interface CheckIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

const stdio: CheckIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

const headerLine = (file: string, h: LogHeader | undefined, entries: number): string => {
  const sc = h?.scenario as { name?: unknown } | null | undefined;
  const name = sc && typeof sc === 'object' && typeof sc.name === 'string' ? `scenario "${sc.name}", ` : '';
  return `checking ${file}: ${name}${h ? `seed ${h.seed}, ${h.mode}, ` : ''}${entries} entries`;
};

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

const human = (file: string, header: LogHeader | undefined, r: CheckResult, io: CheckIo): void => {
  io.out(`${headerLine(file, header, r.entries)}\n`);
  const byChecker = [...r.violations].sort((a, b) => (a.seqs[0] ?? 0) - (b.seqs[0] ?? 0));
  if (byChecker.length > 0) {
    io.out('\nViolations:\n');
    for (const v of byChecker) io.out(`  ${v.message}\n`);
  }
  io.out('\nCheckers:\n');
  const w = Math.max(...r.summary.map((s) => s.id.length));
  for (const s of r.summary) {
    const verdict = s.violations === 0 ? 'ok' : `${s.violations} violation${s.violations === 1 ? '' : 's'}`;
    io.out(`  ${pad(s.id, w)}  ${pad(verdict, 13)}  ${s.title}\n`);
  }
  for (const n of r.notes) io.out(`note: ${n}\n`);
  const total = r.summary.reduce((n, s) => n + s.violations, 0);
  const failing = r.summary.filter((s) => s.violations > 0).map((s) => s.id);
  io.out(total === 0
    ? `\nOK: ${r.summary.length} checkers, no violation in ${r.entries} entries\n`
    : `\nFAIL: ${total} violation${total === 1 ? '' : 's'} (${failing.join(', ')})${total > r.violations.length ? `, ${r.violations.length} shown` : ''}\n`);
};

const jsonOut = (file: string, header: LogHeader | undefined, r: CheckResult): string => JSON.stringify({
  file,
  ...(header ? { seed: header.seed, mode: header.mode, scenario: (header.scenario as { name?: unknown } | null)?.name ?? null } : {}),
  entries: r.entries,
  ok: r.summary.every((s) => s.violations === 0),
  violations: r.violations.map((v: Violation) => ({ checker: v.checker, seqs: v.seqs, message: v.message })),
  summary: r.summary,
  notes: r.notes,
}, null, 2);

/**
 * `kubesim check FILE [--only K1,L3] [--json] [--settled] [--liveness-bound 5m]`: stream a recorded log
 * through the invariant checkers (docs/invariants.md). Exit 0: no violation; 1: violations; 2: the log is
 * damaged (its first damaged line is named), unreadable, or an option is wrong.
 */
export const checkCommand = async (file: string, opts: CheckCommandOptions, io: CheckIo = stdio): Promise<number> => {
  const only = opts.only !== undefined ? parseCheckerList(opts.only) : undefined;
  try {
    selectCheckers(only);
  } catch (e) {
    io.err(`error: --only: ${(e as Error).message}\n`);
    return 2;
  }
  let boundMs: number | undefined;
  if (opts.livenessBound !== undefined) {
    boundMs = /^\d+(\.\d+)?$/.test(opts.livenessBound) ? Number(opts.livenessBound) * 1000 : parseDuration(opts.livenessBound);
    if (boundMs === undefined) { io.err(`error: --liveness-bound ${opts.livenessBound}: give a virtual duration like 300s or 10m\n`); return 2; }
  }
  // The header comes first: a distributed log (dilated wall clock) is judged with its time scale's quiet points.
  let suite: CheckSuite | undefined;
  let header: LogHeader | undefined;
  const begin = (h: LogHeader | undefined): CheckSuite => createCheckSuite({
    ...(h?.mode === 'distributed' && h.timeScale !== undefined ? distributedCheckOptions(h.timeScale) : {}),
    ...(only ? { only } : {}),
    ...(opts.settled ? { endIsQuiescent: true } : {}),
    ...(boundMs !== undefined ? { livenessBoundMs: boundMs } : {}),
  });
  const scan = await scanLogFile(file, (e) => (suite ??= begin(header)).observe(e), (h) => { header = h; suite = begin(h); });
  if (isScanFailure(scan)) {
    io.err(`${renderScanFailure(file, scan)}\n`);
    return 2;
  }
  suite ??= begin(header);
  const r = suite.finish();
  if (opts.json) io.out(`${jsonOut(file, header, r)}\n`);
  else human(file, header, r, io);
  return r.summary.some((s) => s.violations > 0) ? 1 : 0;
};
