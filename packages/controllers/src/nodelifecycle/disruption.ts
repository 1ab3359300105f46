/**
 * Zone disruption and the rate of NoExecute tainting [node_lifecycle_controller handleDisruption,
 * ComputeZoneState, setLimiterInZone, ReducedQPSFunc, HealthyQPSFunc; scheduler.RateLimitedTimedQueue
 * SwapLimiter]: the controller groups nodes by zone (region + zone labels), judges each zone by how many
 * of its nodes are not Ready, and adds the `unreachable` / `not-ready` NoExecute taints through one
 * rate-limited queue per zone (token bucket, burst 1): 0.1 nodes/s in a healthy zone, 0.01 (clusters over
 * 50 nodes) or none at all in a zone where at least 55 % of the nodes (and more than two) are not Ready,
 * and none anywhere when no node of any zone is Ready — then the controller assumes the control plane,
 * not the nodes, is cut off ("master disruption mode"), removes the NoExecute taints it added and evicts
 * nothing until a node is Ready again.
 */
import type { Node } from '@kubesim/api';
import { readyCondition, type NodeLifecycleConfig, type ZoneState, type ZoneTainter } from './types.js';

/** [nodetopology.GetZoneKey]: `region:\0:zone` from the topology labels (or their beta forms); '' without either. */
export const zoneKeyOf = (node: Node): string => {
  const l = node.metadata?.labels;
  if (!l) return '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
};

/** [isNodeExcludedFromDisruptionChecks]: nodes labelled `node.kubernetes.io/exclude-disruption` do not count. */
export const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';
export const excludedFromDisruption = (node: Node): boolean => node.metadata?.labels?.[LABEL_EXCLUDE_DISRUPTION] !== undefined;

export interface ZoneCount { ready: number; notReady: number }

/** Ready and not-Ready nodes per zone (a node without a Ready condition counts as not Ready). */
export const zoneCounts = (nodes: Iterable<Node>): Map<string, ZoneCount> => {
  const m = new Map<string, ZoneCount>();
  for (const n of nodes) {
    if (excludedFromDisruption(n)) continue;
    const k = zoneKeyOf(n);
    let c = m.get(k);
    if (!c) { c = { ready: 0, notReady: 0 }; m.set(k, c); }
    if (readyCondition(n)?.status === 'True') c.ready++; else c.notReady++;
  }
  return m;
};

/** [ComputeZoneState]. */
export const zoneState = (c: ZoneCount, config: NodeLifecycleConfig): ZoneState => {
  if (c.ready === 0 && c.notReady > 0) return 'FullDisruption';
  if (c.notReady > 2 && c.notReady / (c.notReady + c.ready) >= config.unhealthyZoneThreshold) return 'PartialDisruption';
  return 'Normal';
};

/** [setLimiterInZone]: the tainting rate (nodes per second) of a zone in a state (0: none). */
export const zoneQps = (state: ZoneState, zoneSize: number, config: NodeLifecycleConfig): number => {
  switch (state) {
    case 'PartialDisruption': return zoneSize > config.largeClusterSizeThreshold ? config.secondaryNodeEvictionRate : 0;
    default: return config.nodeEvictionRate;
  }
};

/** A zone's tainter as [addPodEvictorForNewZone] makes it: state Initial, a full bucket at the normal rate. */
export const newTainter = (now: number, config: NodeLifecycleConfig): ZoneTainter =>
  ({ state: 'Initial', qps: config.nodeEvictionRate, tokens: 1, at: now });

/** Tokens in the bucket at `now` (burst 1). */
export const tokensAt = (t: ZoneTainter, now: number): number =>
  t.qps <= 0 ? 0 : Math.min(1, t.tokens + ((now - t.at) / 1000) * t.qps);

/** TryAccept: the tainter with one token taken, or undefined when none is available. */
export const tryAccept = (t: ZoneTainter, now: number): ZoneTainter | undefined => {
  const tokens = tokensAt(t, now);
  return tokens >= 1 ? { ...t, tokens: tokens - 1, at: now } : undefined;
};

/** When the next token is there (ms from now); undefined when the rate is 0. */
export const nextTokenInMs = (t: ZoneTainter, now: number): number | undefined => {
  if (t.qps <= 0) return undefined;
  const missing = 1 - tokensAt(t, now);
  return missing <= 0 ? 0 : Math.ceil((missing / t.qps) * 1000);
};

/**
 * [SwapLimiter]: a new limiter at `qps` (a never-accepting one at 0). The old one is asked for a token
 * first; if it had none — always the case for a never-accepting one — the new bucket starts empty.
 */
export const swapLimiter = (t: ZoneTainter, qps: number, now: number): ZoneTainter => {
  if (t.qps === qps) return t;
  if (qps <= 0) return { ...t, qps: 0, tokens: 0, at: now };
  const drained = tryAccept(t, now) === undefined;
  return { ...t, qps, tokens: drained ? 0 : 1, at: now };
};

/** Master disruption mode, or some zone not in its normal state, at the controller's last pass. */
export const disrupted = (zones: ReadonlyMap<string, ZoneTainter>, masterDisruption: boolean): boolean => {
  if (masterDisruption) return true;
  for (const t of zones.values()) if (t.state !== 'Normal' && t.state !== 'Initial') return true;
  return false;
};

export interface DisruptionPass {
  readonly zones: ReadonlyMap<string, ZoneTainter>;
  readonly masterDisruption: boolean;
  /** The pass left master disruption mode now: the controller takes every node's heartbeat as seen now. */
  readonly exited: boolean;
}

/**
 * [handleDisruption] on the zones' current counts: zone states, their tainting rates, and master
 * disruption mode (entered when every zone is fully disrupted, left when a node is Ready again).
 * Returns the input objects when nothing changed.
 */
export const disruptionPass = (
  counts: ReadonlyMap<string, ZoneCount>, prev: ReadonlyMap<string, ZoneTainter>, wasMaster: boolean, now: number, config: NodeLifecycleConfig,
): DisruptionPass => {
  const newStates = new Map<string, ZoneState>();
  let allAre = true;
  let zones: Map<string, ZoneTainter> | undefined;
  for (const [k, c] of counts) {
    const s = zoneState(c, config);
    if (s !== 'FullDisruption') allAre = false;
    newStates.set(k, s);
    if (!prev.has(k)) (zones ??= new Map(prev)).set(k, newTainter(now, config));
  }
  let allWas = true;
  for (const [k, t] of zones ?? prev) {
    if (!counts.has(k)) { (zones ??= new Map(prev)).delete(k); continue; }
    if (t.state !== 'FullDisruption') { allWas = false; break; }
  }
  const cur = (): Map<string, ZoneTainter> => (zones ??= new Map(prev));
  let master = wasMaster;
  let exited = false;
  if (!allAre || !allWas) {
    if (allAre) {
      // Entering master disruption mode: every tainter stops, every NoExecute condition taint goes.
      for (const [k, t] of cur()) cur().set(k, { ...swapLimiter(t, 0, now), state: 'FullDisruption' });
      master = true;
    } else if (allWas) {
      for (const [k, t] of cur()) {
        const s = newStates.get(k)!;
        const c = counts.get(k)!;
        cur().set(k, { ...swapLimiter(t, zoneQps(s, c.ready + c.notReady, config), now), state: s });
      }
      master = false;
      exited = true;
    } else {
      for (const [k, t] of zones ?? prev) {
        const s = newStates.get(k)!;
        if (t.state === s) continue;
        const c = counts.get(k)!;
        cur().set(k, { ...swapLimiter(t, zoneQps(s, c.ready + c.notReady, config), now), state: s });
      }
      master = false;
    }
  }
  return { zones: zones ?? prev, masterDisruption: master, exited };
};
