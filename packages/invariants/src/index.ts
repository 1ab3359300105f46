export type { Violation, Checker, CheckerDef, CheckContext, CheckOptions, ResolvedOptions } from './types.js';
export { World, SetModel, RsModel, type Slot } from './world.js';
export { CHECKERS } from './registry.js';
export {
  createCheckSuite, distributedCheckOptions, checkAll, checkLog, checkerIds, selectCheckers, parseCheckerList,
  DEFAULT_QUIET_MS, DEFAULT_LIVENESS_BOUND_MS, DEFAULT_LIVENESS_SETTLE_MS,
  type CheckSuite, type CheckResult, type CheckerSummary,
} from './suite.js';
export { judgeClaimDeletion, type ClaimDeletionVerdict } from './checkers/claims.js';
export { claimRefProblem, isExclusiveVolume } from './model.js';
export { STALLED_BY_DESIGN } from './checkers/liveness.js';
