import type { ClusterSpec } from '@kubesim/runtime';
import { bootstrapCommand } from '@kubesim/runtime';
import type { Envelope } from '@kubesim/log';
import { decodeEntry } from './codec.js';
import { readFirstEntry } from './log.js';
import type { Js } from './connect.js';
import type { Subjects } from './subjects.js';
import type { ClusterTime } from './clock.js';

/**
 * A distributed cluster, as its bootstrap entry (seq 1 of the log) records it: everything a process
 * needs besides the NATS URL — the cluster spec (nodes, storage classes, component knobs), the seed of
 * the cores' per-object choices, and the clock (epoch and time scale) every process shares.
 */
export interface DistributedCluster extends ClusterTime {
  readonly id: string;
  readonly spec: ClusterSpec;
  readonly seed: number;
}

/** The data of the bootstrap COMMAND entry: the embedded mode's, plus the distributed cluster. */
export const bootstrapData = (c: DistributedCluster): Record<string, unknown> => ({ ...bootstrapCommand(c.spec), cluster: c });

export const clusterOfEntry = (e: Envelope): DistributedCluster => {
  const c = (e.data as { cluster?: DistributedCluster } | undefined)?.cluster;
  if (e.seq !== 1 || e.type !== 'COMMAND' || !c || typeof c.epochMs !== 'number') {
    throw new Error(`seq ${e.seq} is not a kubesim bootstrap entry`);
  }
  return c;
};

/** Read the cluster from its log (waiting for the API server to bootstrap it). */
export const readCluster = async (j: Js, s: Subjects, timeoutMs?: number): Promise<DistributedCluster> => {
  const first = await readFirstEntry(j, s, timeoutMs);
  return clusterOfEntry(decodeEntry(1, 0, first.data));
};
