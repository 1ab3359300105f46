import type { Kind } from '@kubesim/api';

/**
 * The API server's deprecation warnings for the resources it still serves [KEP-4974: v1 Endpoints, 1.33+],
 * which kubectl prints on stderr as `Warning: …` once per invocation, whatever the request.
 */
const DEPRECATED: Partial<Record<Kind, string>> = {
  Endpoints: 'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice',
};

const printed = new Set<string>();

/** Print the deprecation warning of each kind a command reads or writes (once per process). */
export const warnDeprecated = (kinds: Iterable<Kind>): void => {
  for (const k of kinds) {
    const w = DEPRECATED[k];
    if (w === undefined || printed.has(w)) continue;
    printed.add(w);
    process.stderr.write(`Warning: ${w}\n`);
  }
};
