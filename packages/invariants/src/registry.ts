import type { CheckerDef } from './types.js';
import { logChecker } from './checkers/log.js';
import { k1Checker, k2Checker } from './checkers/creation.js';
import { k3Checker, k5Checker, k7Checker, l9Checker } from './checkers/status.js';
import { claimChecker, k4Checker, l6Checker, l7Checker, l8Checker } from './checkers/claims.js';
import { l1Checker, l2Checker } from './checkers/identity.js';
import { l3Checker, l4Checker, l5Checker, l12Checker } from './checkers/progress.js';
import { l10Checker } from './checkers/replicaset.js';
import { l11Checker } from './checkers/dns.js';
import { bindChecker, rwoChecker } from './checkers/volumes.js';
import { liveChecker } from './checkers/liveness.js';

/**
 * Every log checker, in report order (docs/invariants.md). K6, K8, K9 and K10 are properties of one
 * controller sync, covered by unit tests in packages/controllers/test, not by log checkers.
 */
export const CHECKERS: readonly CheckerDef[] = [
  logChecker,
  k1Checker, k2Checker, k3Checker, k4Checker, k5Checker, k7Checker,
  l1Checker, l2Checker, l3Checker, l4Checker, l5Checker, l6Checker, l7Checker, l8Checker, l9Checker, l10Checker, l11Checker, l12Checker,
  claimChecker, bindChecker, rwoChecker,
  liveChecker,
];
