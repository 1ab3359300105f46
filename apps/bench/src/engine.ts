import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import type { KObject, StatefulSet } from '@kubesim/api';
import { createCluster, type ClusterSpec } from '@kubesim/runtime';
import { loadScenarioFile, runScenario } from '@kubesim/scenario';
import { nodeNames } from '@kubesim/scenario';

export interface SizeResult {
  readonly replicas: number;
  readonly nodes: number;
  readonly wallMs: number;
  readonly virtualMs: number;
  readonly logEvents: number;
  readonly eventsPerSec: number;
  readonly podsRunningPerWallSec: number;
  readonly peakRssMb: number;
  readonly converged: boolean;
  /**
   * How fast this machine is: `JSON.parse` of the run's own log entries (as JSON lines), entries per
   * second — figures are comparable between runs whose ceilings match.
   */
  readonly parseEntriesPerSec: number;
}

/** `JSON.parse` throughput over these entries' JSON lines (after one warm-up pass), entries/s. */
export const parseCeiling = (entries: readonly unknown[]): number => {
  const lines = entries.map((e) => JSON.stringify(e));
  for (const l of lines) JSON.parse(l);
  let n = 0;
  const t0 = performance.now();
  do { for (const l of lines) JSON.parse(l); n += lines.length; } while (performance.now() - t0 < 500);
  return n / ((performance.now() - t0) / 1000);
};

/** The benchmark workload: a Parallel StatefulSet with one claim template on `fast`, and its headless Service. */
export const statefulSet = (replicas: number): KObject => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'bench' },
  spec: {
    replicas, podManagementPolicy: 'Parallel', serviceName: 'bench',
    selector: { matchLabels: { app: 'bench' } },
    template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], terminationGracePeriodSeconds: 10 } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast' } }],
  },
} as KObject);

export const service: KObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bench' }, spec: { clusterIP: 'None', selector: { app: 'bench' }, ports: [{ name: 'web', port: 80 }] } } as KObject;

/** One size, in this process: apply a Parallel StatefulSet and run until every replica is Ready. */
/** The benchmark cluster: `nodes` roomy nodes and StorageClass `fast` (Immediate binding). */
export const benchSpec = (nodes: number): ClusterSpec => ({
  nodes: nodeNames(nodes).map((name) => ({ name, capacity: { pods: 110, cpu: '64', memory: '256Gi' } })),
  storageClasses: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'kubesim.io/hostpath', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' } as KObject],
  namespaces: ['default'],
});

export const benchOneSize = (replicas: number, nodes: number, seed = 1): SizeResult => {
  const spec = benchSpec(nodes);
  const sim = createCluster(spec, seed);
  // A warm cluster: every component has synced its cache before the workload arrives.
  sim.run({ until: () => sim.hosts.every((h) => h.running), deadlineMs: 10_000 });
  const r = sim.command({ command: 'apply', objects: ['Service/bench', 'StatefulSet/bench'] }, [{ verb: 'create', object: service }, { verb: 'create', object: statefulSet(replicas) }]);
  if (E.isLeft(r)) throw new Error(r.left.message);
  const startSeq = sim.log.lastSeq();
  const t0 = performance.now();
  let peak = process.memoryUsage().rss;
  let n = 0;
  // The set's status can only change with a log append: look at it again only after one.
  let seenSeq = -1;
  let ready = false;
  const done = () => {
    if ((++n & 4095) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    const seq = sim.log.lastSeq();
    if (seq === seenSeq) return ready;
    seenSeq = seq;
    const s = sim.api.get('StatefulSet', 'default', 'bench') as StatefulSet | undefined;
    ready = (s?.status?.readyReplicas ?? 0) === replicas;
    return ready;
  };
  const stop = sim.run({ until: done, deadlineMs: 3_600_000 });
  const wallMs = performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const events = sim.log.lastSeq() - startSeq;
  if (process.env.KUBESIM_BENCH_STATS) {
    for (const h of sim.hosts) process.stderr.write(`${h.name}: ${JSON.stringify(h.stats)}\n`);
    process.stderr.write(`events processed: ${sim.eventsProcessed}\n`);
    const byWrite = new Map<string, number>();
    for (const e of sim.log.all()) {
      if (e.seq <= startSeq) continue;
      const k = `${e.actor.split(":")[0]} ${e.op ?? e.type} ${e.object?.kind ?? ''}`;
      byWrite.set(k, (byWrite.get(k) ?? 0) + 1);
    }
    for (const [k, v] of [...byWrite].sort((a, b) => b[1] - a[1])) process.stderr.write(`  ${String(v).padStart(7)} ${k}\n`);
  }
  if (process.env.KUBESIM_BENCH_LOGHASH) {
    // Determinism check: a hash of the whole log (same seed ⇒ same hash across engine changes).
    const h = createHash('sha256');
    for (const e of sim.log.all()) h.update(`${JSON.stringify(e)}\n`);
    process.stderr.write(`log hash: ${h.digest('hex')} (${sim.log.lastSeq()} entries)\n`);
  }
  return {
    replicas, nodes, wallMs, virtualMs: sim.now, logEvents: events,
    eventsPerSec: events / (wallMs / 1000), podsRunningPerWallSec: replicas / (wallMs / 1000),
    peakRssMb: peak / (1024 * 1024), converged: stop === 'condition',
    parseEntriesPerSec: parseCeiling(sim.log.all().slice(startSeq)),
  };
};

/**
 * Warm-up runs before the seed scenario is timed: V8 keeps optimizing the engine's code for the first few
 * hundred runs (on one machine the mean of 100 runs went 18.5 → 14.2 → 12.4 → 11.9 ms over the first
 * four hundred, then held at 10–12 ms), so 30 warm-up runs measured the JIT, not the steady state.
 */
export const SEED_WARMUP_RUNS = 400;

/**
 * The seed scenario: virtual time over wall time, in steady state (after the JIT has warmed up, as in
 * any suite that runs scenarios by the hundred), plus the first, cold run for comparison.
 */
export const benchSeedScenario = (file: string): { virtualMs: number; wallMs: number; speedup: number; coldWallMs: number; runs: number; warmupRuns: number; passed: boolean } => {
  const sc = loadScenarioFile(file);
  if (E.isLeft(sc)) throw new Error(sc.left.message);
  const cold = runScenario(sc.right);
  let passed = cold.passed;
  for (let i = 0; i < SEED_WARMUP_RUNS; i++) passed &&= runScenario(sc.right).passed;
  const runs = 100;
  let wall = 0; let virt = 0;
  for (let i = 0; i < runs; i++) {
    const r = runScenario(sc.right);
    wall += r.wallMs; virt += r.sim.now; passed &&= r.passed;
  }
  return { virtualMs: virt / runs, wallMs: wall / runs, speedup: virt / wall, coldWallMs: cold.wallMs, runs, warmupRuns: SEED_WARMUP_RUNS, passed };
};

export const SEMI_SPACE_MB = 64;

/** Each size in its own child process, so peak RSS and JIT state are per size. */
export const benchSizeInChild = (replicas: number, nodes: number): SizeResult => {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  // A 64 MB young generation: the simulation allocates short-lived plans next to long-lived log entries.
  const out = execFileSync(process.execPath, [`--max-semi-space-size=${SEMI_SPACE_MB}`, main, 'engine-size', String(replicas), String(nodes)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = out.trim().split('\n').at(-1)!;
  return JSON.parse(line) as SizeResult;
};
