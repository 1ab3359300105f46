/**
 * Container probes [validation.go validateProbe, validateHandler, validateExecAction, validateHTTPGetAction,
 * validateTCPSocketAction, validateGRPCAction, validateLivenessProbe, validateReadinessProbe,
 * validateStartupProbe], on defaulted probes (SetDefaults_Probe: timeout 1, period 10, thresholds 1 and 3).
 */
import type { Probe } from 'kubernetes-types/core/v1.js';
import { forbidden, invalid, required, unsupported } from '../errors.js';
import type { Container } from '../types.js';
import { nonnegative, portNumOrName, type Errs } from './fields.js';
import { isValidPortNum } from './strings.js';

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;

/** validateHandler: exactly one handler type, each validated as its action. */
const validateHandler = (p: Probe, path: string): Errs => {
  const errs: Errs = [];
  let n = 0;
  for (const h of HANDLERS) {
    if (p[h] === undefined || p[h] === null) continue;
    if (n > 0) { errs.push(forbidden(`${path}.${h}`, 'may not specify more than 1 handler type')); continue; }
    n++;
    const hp = `${path}.${h}`;
    switch (h) {
      case 'exec':
        if ((p.exec?.command?.length ?? 0) === 0) errs.push(required(`${hp}.command`));
        break;
      case 'httpGet': {
        const g = p.httpGet!;
        if (!g.path) errs.push(required(`${hp}.path`));
        errs.push(...portNumOrName(g.port, `${hp}.port`));
        if (g.scheme !== undefined && g.scheme !== 'HTTP' && g.scheme !== 'HTTPS') errs.push(unsupported(`${hp}.scheme`, g.scheme, ['HTTP', 'HTTPS']));
        break;
      }
      case 'tcpSocket':
        errs.push(...portNumOrName(p.tcpSocket!.port, `${hp}.port`));
        break;
      case 'grpc': {
        const port = p.grpc!.port;
        errs.push(...isValidPortNum(port).map((m) => invalid(`${hp}.port`, port, m)));
        break;
      }
    }
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
};

/** validateProbe: the handler, then the non-negative timings and thresholds. */
const validateProbe = (p: Probe, path: string): Errs => [
  ...validateHandler(p, path),
  ...nonnegative(p.initialDelaySeconds, `${path}.initialDelaySeconds`),
  ...nonnegative(p.timeoutSeconds, `${path}.timeoutSeconds`),
  ...nonnegative(p.periodSeconds, `${path}.periodSeconds`),
  ...nonnegative(p.successThreshold, `${path}.successThreshold`),
  ...nonnegative(p.failureThreshold, `${path}.failureThreshold`),
  ...(typeof p.terminationGracePeriodSeconds === 'number' && p.terminationGracePeriodSeconds <= 0
    ? [invalid(`${path}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must be greater than 0')] : []),
];

/** Liveness and startup probes succeed once: successThreshold must be 1. */
const onceProbe = (p: Probe | undefined, path: string): Errs => {
  if (!p) return [];
  const errs = validateProbe(p, path);
  if (p.successThreshold !== 1) errs.push(invalid(`${path}.successThreshold`, p.successThreshold ?? 0, 'must be 1'));
  return errs;
};

/**
 * The probes of a regular container or a sidecar (restartPolicy Always init container); a regular init
 * container may not have any (`may not be set for init containers without restartPolicy=Always`).
 */
export const validateProbes = (c: Container, path: string, regularInit: boolean): Errs => {
  if (regularInit) {
    return (['livenessProbe', 'readinessProbe', 'startupProbe'] as const).filter((k) => c[k] !== undefined && c[k] !== null)
      .map((k) => forbidden(`${path}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
  }
  const errs = onceProbe(c.livenessProbe, `${path}.livenessProbe`);
  if (c.readinessProbe) {
    errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`));
    if (c.readinessProbe.terminationGracePeriodSeconds !== undefined && c.readinessProbe.terminationGracePeriodSeconds !== null) {
      errs.push(invalid(`${path}.readinessProbe.terminationGracePeriodSeconds`, c.readinessProbe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
    }
  }
  errs.push(...onceProbe(c.startupProbe, `${path}.startupProbe`));
  return errs;
};
