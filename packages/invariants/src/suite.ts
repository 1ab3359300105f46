import type { Envelope } from '@kubesim/log';
import { CHECKERS } from './registry.js';
import type { CheckContext, Checker, CheckerDef, CheckOptions, ResolvedOptions, Violation } from './types.js';
import { World } from './world.js';

export const DEFAULT_QUIET_MS = 5_000;
export const DEFAULT_LIVENESS_BOUND_MS = 300_000;
export const DEFAULT_LIVENESS_SETTLE_MS = 30_000;

/**
 * Judging a distributed run: its virtual time is the wall clock dilated by `timeScale`, so "nothing
 * written for 5 virtual seconds" can be 50 ms of real time in which processes are still working.
 * Quiet points need two wall seconds of silence — more than a watch whose pull stalled takes to notice
 * (two missed idle heartbeats of 1 s pulls: 1–1.5 s, seen several times per run on a loaded machine) and
 * pull again, so every process has seen the log up to the gap; liveness allows 60 wall seconds (a
 * process restart, a request timeout, a watch re-opened after a server loss — on two cores shared by a
 * dozen processes and a three-server cluster, a converging run once took 38 s) and a settle of 3 — each
 * at least the embedded default.
 */
export const distributedCheckOptions = (timeScale: number): { quietMs: number; livenessBoundMs: number; livenessSettleMs: number } => ({
  quietMs: Math.max(DEFAULT_QUIET_MS, 2_000 * timeScale),
  livenessBoundMs: Math.max(DEFAULT_LIVENESS_BOUND_MS, 60_000 * timeScale),
  livenessSettleMs: Math.max(DEFAULT_LIVENESS_SETTLE_MS, 3_000 * timeScale),
});

/** The ids of every log checker, in report order. */
export const checkerIds = (): string[] => CHECKERS.map((c) => c.id);

/**
 * The checker definitions selected by `only` / `skip` (ids, case-insensitive). Unknown ids are an
 * error (a typo must not silently check nothing).
 */
export const selectCheckers = (only?: readonly string[], skip?: readonly string[]): CheckerDef[] => {
  const known = new Map(CHECKERS.map((c) => [c.id.toUpperCase(), c]));
  const unknown = [...(only ?? []), ...(skip ?? [])].filter((id) => !known.has(id.trim().toUpperCase()));
  if (unknown.length > 0) throw new Error(`unknown checker${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${checkerIds().join(', ')})`);
  const want = only && only.length > 0 ? new Set(only.map((s) => s.trim().toUpperCase())) : undefined;
  const drop = new Set((skip ?? []).map((s) => s.trim().toUpperCase()));
  return CHECKERS.filter((c) => (want === undefined || want.has(c.id.toUpperCase())) && !drop.has(c.id.toUpperCase()));
};

/** `"K1,L3"` → `['K1', 'L3']`. */
export const parseCheckerList = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

export interface CheckerSummary {
  readonly id: string;
  readonly title: string;
  /** Violations found (also those beyond the kept cap). */
  readonly violations: number;
}

export interface CheckResult {
  /** The violations kept, in the order they were found. */
  readonly violations: readonly Violation[];
  readonly summary: readonly CheckerSummary[];
  /** Inconclusive outcomes (not violations). */
  readonly notes: readonly string[];
  readonly entries: number;
  readonly lastSeq: number;
}

/** A streaming check: feed entries in seq order, read violations at any time, finish at the end. */
export interface CheckSuite {
  readonly world: World;
  readonly checkers: readonly Checker[];
  observe(e: Envelope): void;
  /** Violations found so far. */
  violations(): readonly Violation[];
  finish(): CheckResult;
}

const resolve = (o: CheckOptions): ResolvedOptions => ({
  quietMs: o.quietMs ?? DEFAULT_QUIET_MS,
  endIsQuiescent: o.endIsQuiescent ?? false,
  livenessBoundMs: o.livenessBoundMs ?? DEFAULT_LIVENESS_BOUND_MS,
  livenessSettleMs: o.livenessSettleMs ?? DEFAULT_LIVENESS_SETTLE_MS,
});

export const createCheckSuite = (opts: CheckOptions = {}): CheckSuite => {
  const options = resolve(opts);
  const defs = selectCheckers(opts.only, opts.skip);
  const world = new World();
  const cap = opts.maxViolationsPerChecker ?? 1_000;
  const found: Violation[] = [];
  const counts = new Map<string, number>();
  const notes: string[] = [];
  const checkers: Checker[] = [];
  const byKind = new Map<string, Checker[]>();
  const anyKind: Checker[] = [];
  const inputs: Checker[] = [];
  const quiet: Checker[] = [];

  for (const def of defs) {
    counts.set(def.id, 0);
    const ctx: CheckContext = {
      world,
      options,
      report: (seqs, message) => {
        const v: Violation = { checker: def.id, seqs: [...seqs], message: message.startsWith(`${def.id}: `) ? message : `${def.id}: ${message}` };
        const n = (counts.get(def.id) ?? 0) + 1;
        counts.set(def.id, n);
        if (n <= cap) found.push(v);
        opts.onViolation?.(v);
      },
      note: (message) => { notes.push(`${def.id}: ${message}`); },
    };
    const c = def.create(ctx);
    checkers.push(c);
    if (def.inputs) inputs.push(c);
    if (c.quiet) quiet.push(c);
    for (const k of def.kinds) {
      if (k === '*') { anyKind.push(c); continue; }
      let l = byKind.get(k);
      if (!l) { l = []; byKind.set(k, l); }
      l.push(c);
    }
  }
  // A checker observing every kind also gets the kinds others declared, in registry order.
  for (const c of anyKind) for (const l of byKind.values()) if (!l.includes(c)) l.push(c);
  for (const l of byKind.values()) l.sort((a, b) => checkers.indexOf(a) - checkers.indexOf(b));

  const runQuiet = (): void => {
    for (const c of quiet) c.quiet!(world.lastSeq, world.lastTime);
  };

  let finished: CheckResult | undefined;
  return {
    world,
    checkers,
    observe(e: Envelope): void {
      if (finished) throw new Error('observe after finish');
      if (quiet.length > 0 && world.quietBefore(e.time, options.quietMs)) runQuiet();
      const before = world.apply(e);
      const obj = e.object;
      if (obj === undefined) {
        for (let i = 0; i < inputs.length; i++) inputs[i]!.observe(e, before);
        return;
      }
      const l = byKind.get(obj.kind as string) ?? anyKind;
      for (let i = 0; i < l.length; i++) l[i]!.observe(e, before);
    },
    violations: () => found,
    finish(): CheckResult {
      if (finished) return finished;
      // A settled end is quiescent by the producer's word (crashed, paused or partitioned components excepted).
      if (options.endIsQuiescent && world.entries > 0 && world.allUp()) runQuiet();
      for (const c of checkers) c.finish();
      finished = {
        violations: found,
        summary: defs.map((d) => ({ id: d.id, title: d.title, violations: counts.get(d.id) ?? 0 })),
        notes,
        entries: world.entries,
        lastSeq: world.lastSeq,
      };
      return finished;
    },
  };
};

/** Check a whole log (any iterable of entries in seq order, consumed once). */
export const checkAll = (entries: Iterable<Envelope>, opts: CheckOptions = {}): Violation[] => {
  const s = createCheckSuite(opts);
  for (const e of entries) s.observe(e);
  return [...s.finish().violations];
};

/** `checkAll` with the summary and notes. */
export const checkLog = (entries: Iterable<Envelope>, opts: CheckOptions = {}): CheckResult => {
  const s = createCheckSuite(opts);
  for (const e of entries) s.observe(e);
  return s.finish();
};
