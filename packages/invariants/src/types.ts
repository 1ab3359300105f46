import type { KObject } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { World } from './world.js';

/** One broken rule: which checker, the log positions involved, and a sentence that explains it. */
export interface Violation {
  readonly checker: string;
  /** The seqs of the entries involved, the judged entry first. */
  readonly seqs: readonly number[];
  /** `<id>: <what happened, naming the seqs>`. */
  readonly message: string;
}

/** Options of a check run. Every duration is virtual milliseconds. */
export interface CheckOptions {
  /** Run only these checkers (ids as in docs/invariants.md, e.g. `K1`, `L3`, `LOG`). */
  readonly only?: readonly string[];
  /** Leave these checkers out. */
  readonly skip?: readonly string[];
  /**
   * A gap of at least this much virtual time between two entries (with no component crashed) is a
   * quiescent point: checkers that need the cluster to have caught up (K4, K5, K7, L11) judge there.
   * Default 5 000 ms.
   */
  readonly quietMs?: number;
  /**
   * The log ends at a quiescent point (the run was settled until nothing was left to happen): the end
   * is judged like a quiet point, and liveness treats an unconverged end as stuck. Default false: a
   * recording that stops right after its last step proves nothing about what would have come next.
   */
  readonly endIsQuiescent?: boolean;
  /** Liveness: the cluster must converge within `boundMs` of the last input (default 300 000). */
  readonly livenessBoundMs?: number;
  /** Liveness: after converging, writes are allowed for this long (trailing events, Endpoints), then none (default 30 000). */
  readonly livenessSettleMs?: number;
  /** Keep at most this many violations per checker (the count goes on). Default 1 000. */
  readonly maxViolationsPerChecker?: number;
  /** Called for every violation as it is found (also for those beyond the cap). */
  readonly onViolation?: (v: Violation) => void;
}

/** What a checker gets: the shared fold of the log, a sink for violations and the run's options. */
export interface CheckContext {
  readonly world: World;
  readonly options: ResolvedOptions;
  report(seqs: readonly number[], message: string): void;
  /** An inconclusive outcome worth printing (not a violation), e.g. "the log ends before the liveness bound". */
  note(message: string): void;
}

export interface ResolvedOptions {
  readonly quietMs: number;
  readonly endIsQuiescent: boolean;
  readonly livenessBoundMs: number;
  readonly livenessSettleMs: number;
}

/**
 * A streaming checker. `observe` is called for every entry of the kinds it declares, in seq order,
 * after the shared world has folded the entry: `ctx.world.store` is the state after `e`, `before` the
 * object as it was before `e` (undefined for ADDED and for inputs). State must stay bounded by the
 * live cluster, never by the length of the log.
 */
export interface Checker {
  readonly id: string;
  readonly title: string;
  observe(e: Envelope, before: KObject | undefined): void;
  /** A quiescent point: nothing was written for `quietMs` after `seq` (and no component is crashed). */
  quiet?(seq: number, time: number): void;
  /** The log ended (after the last entry was observed). */
  finish(): void;
}

/** The static description of a checker (for selection, `kubesim check`, docs). */
export interface CheckerDef {
  readonly id: string;
  readonly title: string;
  /** Object kinds whose entries it observes (`'*'` = every object entry). */
  readonly kinds: readonly string[];
  /** Whether it observes COMMAND / FAULT / COMPONENT entries. */
  readonly inputs: boolean;
  readonly create: (ctx: CheckContext) => Checker;
}
