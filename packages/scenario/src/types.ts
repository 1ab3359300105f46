import type { KObject } from '@kubesim/api';

/** A scenario file, resolved: every manifest is inlined so the log header can carry it whole (for `verify`). */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly seed?: number;
  readonly cluster: ClusterSpec;
  readonly steps: readonly ScenarioStep[];
}

export type { NodeSpec, ClusterSpec } from '@kubesim/runtime';
import type { ClusterSpec } from '@kubesim/runtime';

export type Duration = number; // virtual milliseconds

/**
 * One step. `line` is the step's line in the scenario file, for error messages. An `optional` step whose
 * target does not exist (NotFound) does nothing instead of stopping the run (generated cases use it). A
 * `refusable` request step may be refused by the API server for any reason (a generated claim resize
 * before the claim is bound, or below its capacity): the refusal writes nothing and the run goes on; a
 * refusable `evict` or `drain` may be refused or not finish (a budget): what went wrong is only printed.
 */
export type ScenarioStep = { readonly line?: number; readonly title?: string; readonly namespace?: string; readonly optional?: boolean; readonly refusable?: boolean } & (
  | { readonly op: 'apply'; readonly objects: readonly KObject[]; readonly source: string }
  | { readonly op: 'scale'; readonly target: string; readonly replicas: number }
  | { readonly op: 'delete'; readonly target: string; readonly gracePeriodSeconds?: number; readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' }
  /** `patchType` strategic (kubectl patch's default; what a scenario's `patch` step sends unless `type: merge`), absent = a JSON merge patch. */
  | { readonly op: 'patch'; readonly target: string; readonly patch: Readonly<Record<string, unknown>>; readonly subresource?: 'status'; readonly patchType?: 'strategic' }
  | { readonly op: 'cordon' | 'uncordon'; readonly node: string }
  /** `kubectl set image KIND/NAME CONTAINER=IMAGE…` (`*`: every container). */
  | { readonly op: 'setImage'; readonly target: string; readonly images: Readonly<Record<string, string>> }
  /** `kubectl rollout restart|undo KIND/NAME` (undo: `--to-revision`, 0 = the previous revision). */
  | { readonly op: 'rollout'; readonly action: 'restart' | 'undo'; readonly target: string; readonly toRevision?: number }
  /** An eviction (pods/eviction) of a pod by name or `@OWNER#I`; `refused`: the step expects a disruption budget to refuse it. */
  | { readonly op: 'evict'; readonly pod: string; readonly gracePeriodSeconds?: number; readonly refused?: boolean }
  /** `kubectl drain NODE` (cordon, evict every pod, wait for them to be gone); `blocked`: the step expects budgets to stop it. */
  | { readonly op: 'drain'; readonly node: string; readonly timeoutMs: Duration; readonly gracePeriodSeconds?: number; readonly force?: boolean; readonly deleteEmptyDirData?: boolean; readonly blocked?: boolean }
  | { readonly op: 'fault'; readonly fault: Readonly<Record<string, unknown>> }
  | { readonly op: 'crash' | 'restart'; readonly component: string }
  /** Process chaos: SIGSTOP / SIGCONT, and a network partition of the component until `heal`. */
  | { readonly op: 'pause' | 'resume' | 'partition' | 'heal'; readonly component: string }
  | { readonly op: 'sleep'; readonly durationMs: Duration }
  | { readonly op: 'wait'; readonly condition: Condition; readonly timeoutMs: Duration }
  | { readonly op: 'settle'; readonly quietMs: Duration; readonly timeoutMs: Duration }
  | { readonly op: 'expect'; readonly condition: Condition }
  | { readonly op: 'remember'; readonly label: string }
);

/** Every `op` of a resolved step (what a recording's header holds; `kubesim verify` re-runs them) — a record, so a new op must be listed. */
const OPS: Readonly<Record<ScenarioStep['op'], true>> = {
  apply: true, scale: true, delete: true, patch: true, setImage: true, rollout: true, cordon: true, uncordon: true, evict: true, drain: true, fault: true,
  crash: true, restart: true, pause: true, resume: true, partition: true, heal: true, sleep: true, wait: true, settle: true,
  expect: true, remember: true,
};
export const STEP_OPS: ReadonlySet<string> = new Set(Object.keys(OPS));

/** Conditions for `wait` and `expect`. Several keys in one condition must all hold. */
export interface Condition {
  readonly pods?: PodsCondition;
  readonly claims?: ClaimsCondition;
  readonly volumes?: { readonly count?: number; readonly phase?: string; readonly names?: readonly string[] };
  readonly object?: { readonly target: string; readonly fields: Readonly<Record<string, unknown>> };
  readonly absent?: readonly string[];
  readonly present?: readonly string[];
  readonly dns?: { readonly resolves?: readonly string[]; readonly nxdomain?: readonly string[] };
  readonly order?: { readonly type: 'ADDED' | 'DELETED' | 'TERMINATING' | 'READY'; readonly kind: string; readonly names: readonly string[]; readonly since?: string };
  /** `TYPE Kind/name` items whose first occurrences (after `since`) are in this order; TYPE is ADDED, DELETED, TERMINATING or READY. */
  readonly sequence?: { readonly events: readonly string[]; readonly since?: string };
  readonly orderedReady?: { readonly set: string; readonly since?: string };
  readonly orderedDeletion?: { readonly set: string; readonly since?: string };
  /** Every matching pod was created before the first of them became Ready (no ordering). */
  readonly createdTogether?: { readonly selector: string; readonly since?: string };
  readonly simultaneousDeletion?: { readonly selector: string; readonly since?: string };
  readonly events?: { readonly target?: string; readonly reason: string; readonly message?: string; readonly count?: number; readonly min?: number };
  /** `kubectl rollout status KIND/NAME` would report the rollout done (its message explains a failure). */
  readonly rollout?: string;
  readonly all?: readonly Condition[];
}

export interface PodsCondition {
  readonly selector?: string;
  readonly owner?: string;
  readonly names?: readonly string[];
  readonly namePattern?: string;
  readonly count?: number;
  readonly phase?: string;
  readonly ready?: boolean;
  readonly node?: string;
  readonly status?: string;
  /** How many of the pods show each kubectl STATUS text, e.g. {Running: 1, ContainerCreating: 2}. */
  readonly countsByStatus?: Readonly<Record<string, number>>;
  /** Compared with a `remember` label: same uid (`same`) or a new incarnation (`new`). */
  readonly uidVs?: { readonly label: string; readonly is: 'same' | 'new' };
  readonly claim?: Readonly<Record<string, string>>;
}

export interface ClaimsCondition {
  readonly names?: readonly string[];
  readonly selector?: string;
  readonly count?: number;
  readonly phase?: string;
  /** Each claim has the same uid and volume as at the remembered point. */
  readonly sameAs?: string;
  readonly ownerRefs?: 'none' | 'set' | 'pod';
}
