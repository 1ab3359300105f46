import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import type { KObject, StatefulSet } from '@kubesim/api';
import { createCheckSuite } from '@kubesim/invariants';
import { chainLine, checkLine, LOG_FORMAT_VERSION, type Envelope } from '@kubesim/log';
import { caseArb, runCase } from '@kubesim/props';
import { createCluster, type ClusterSpec } from '@kubesim/runtime';
import { KUBESIM_VERSIONS, nodeNames } from '@kubesim/scenario';
import { ObjectStore } from '@kubesim/state';

/**
 * `pnpm bench replay`: how fast a recorded log is folded, replayed and checked, next to the ceiling of
 * merely parsing the same lines, on a log of 1,000,000 entries written by the engine; and how many
 * generated property runs one core does per second.
 */
export const REPLAY_ENTRIES = 1_000_000;

const GENESIS = '0000000000000000';

/**
 * The benchmark log: a Parallel StatefulSet (whenScaled=Delete, so claims and volumes are made anew each
 * time) scaled up to 5,000 and back to 0 until the log holds `entries` entries. Written once and kept
 * (bench-results/), keyed by the engine version and size.
 */
export const benchLogFile = (entries: number): string => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return `${root}bench-results/replay-${entries}-v${KUBESIM_VERSIONS.kubesim}.jsonl`;
};

const stsManifest = (replicas: number): KObject => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' },
  spec: {
    replicas, serviceName: 'db', podManagementPolicy: 'Parallel',
    persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete', whenDeleted: 'Delete' },
    selector: { matchLabels: { app: 'db' } },
    template: { metadata: { labels: { app: 'db' } }, spec: { terminationGracePeriodSeconds: 5, containers: [{ name: 'c', image: 'postgres:16', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast' } }],
  },
} as KObject);

/** Write the benchmark log (in this process). */
export const writeBenchLog = (file: string, entries: number): void => {
  const spec: ClusterSpec = {
    nodes: nodeNames(100).map((name) => ({ name, capacity: { pods: 110, cpu: '64', memory: '256Gi' } })),
    storageClasses: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'kubesim.io/hostpath', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' } as KObject],
    namespaces: ['default'],
  };
  const sim = createCluster(spec, 1);
  sim.run({ until: () => sim.hosts.every((h) => h.running), deadlineMs: 10_000 });
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] } } as KObject;
  const r = sim.command({ command: 'apply' }, [{ verb: 'create', object: service }, { verb: 'create', object: stsManifest(0) }]);
  if (E.isLeft(r)) throw new Error(r.left.message);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  let prev = GENESIS;
  const put = (v: object): void => { const { line, h } = chainLine(prev, v); prev = h; writeSync(fd, `${line}\n`); };
  put({ kubesim: 'log', format: LOG_FORMAT_VERSION, seed: 1, scenario: { name: 'bench-replay', cluster: spec, steps: [] }, source: 'pnpm bench replay', versions: KUBESIM_VERSIONS, mode: 'embedded' });
  let written = 0;
  const flush = (): void => {
    const all = sim.log.all();
    for (; written < all.length && written < entries; written++) put(all[written]!);
  };
  const set = () => sim.api.get('StatefulSet', 'default', 'db') as StatefulSet | undefined;
  let up = true;
  while (sim.log.lastSeq() < entries) {
    const target = up ? 5_000 : 0;
    const c = sim.command({ command: 'scale', replicas: target }, [{ verb: 'patch', kind: 'StatefulSet', namespace: 'default', name: 'db', subresource: 'scale', patch: { spec: { replicas: target } } }]);
    if (E.isLeft(c)) throw new Error(c.left.message);
    const stop = sim.run({
      until: () => sim.log.lastSeq() >= entries || (up ? (set()?.status?.readyReplicas ?? 0) === target : sim.api.store.count('Pod', 'default') === 0),
      deadlineMs: sim.now + 3_600_000,
    });
    // Then let the cycle finish (claims and volumes of a scale-down go after their pods).
    if (stop === 'condition' && sim.log.lastSeq() < entries) sim.run({ quietMs: 5_000, deadlineMs: sim.now + 600_000 });
    if (process.env.KUBESIM_BENCH_STATS) process.stderr.write(`cycle to ${target}: ${stop}, ${sim.log.lastSeq()} entries, t=${(sim.now / 1000).toFixed(1)}s\n`);
    flush();
    up = !up;
  }
  flush();
  closeSync(fd);
  renameSync(tmp, file);
};

/** Each line of a file, read in large chunks (the same reader for every pass). */
const forEachLine = (file: string, fn: (line: string) => void): number => {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(1 << 24);
  let rest = '';
  let n = 0;
  for (;;) {
    const got = readSync(fd, buf, 0, buf.length, null);
    if (got === 0) break;
    const text = rest + buf.toString('utf8', 0, got);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      fn(text.slice(start, nl));
      n++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  closeSync(fd);
  return n;
};

export interface ReplayResult {
  readonly entries: number;
  readonly fileMb: number;
  /** Lines read and JSON-parsed, nothing else: the ceiling. */
  readonly parseEventsPerSec: number;
  /** Parse + fold into the indexed object store (what `kubesim get/replay --at` do). */
  readonly foldEventsPerSec: number;
  /** Parse + hash-chain check + fold (`kubesim replay` on a file). */
  readonly replayEventsPerSec: number;
  /** Parse + every checker (`kubesim check`). */
  readonly checkEventsPerSec: number;
  readonly violations: number;
  readonly propertyRunsPerSec: number;
  readonly propertyRuns: number;
  /** The rate over the first seconds of a fresh process (the JIT still warming), for comparison. */
  readonly coldPropertyRunsPerSec?: number;
  readonly foldVsParse: number;
  readonly checkVsParse: number;
}

const timed = (fn: () => void): number => { const t0 = performance.now(); fn(); return (performance.now() - t0) / 1000; };

/** The measurements, on an existing log file. */
export const measureReplay = (file: string): ReplayResult => {
  let entries = 0;
  // Warm-up pass: the file is in the page cache and the parser is hot for every measured pass.
  forEachLine(file, (l) => { JSON.parse(l); });
  let sink = 0;
  const parseS = timed(() => { entries = forEachLine(file, (l) => { sink += (JSON.parse(l) as { seq?: number }).seq ?? 0; }) - 1; });
  const foldS = timed(() => {
    const store = new ObjectStore();
    let first = true;
    forEachLine(file, (l) => { const v = JSON.parse(l) as Envelope; if (first) { first = false; return; } store.apply(v); });
  });
  const replayS = timed(() => {
    const store = new ObjectStore();
    let prev = GENESIS; let first = true;
    forEachLine(file, (l) => {
      const r = checkLine(prev, l);
      if (!r.ok) throw new Error(`damaged bench log: ${r.reason}`);
      prev = r.h;
      if (first) { first = false; return; }
      store.apply(r.value as Envelope);
    });
  });
  let violations = 0;
  const checkS = timed(() => {
    const suite = createCheckSuite({});
    let first = true;
    forEachLine(file, (l) => { const v = JSON.parse(l) as Envelope; if (first) { first = false; return; } suite.observe(v); });
    violations = suite.finish().violations.length;
  });
  if (sink < 0) throw new Error('unreachable');
  const parse = entries / parseS;
  return {
    entries, fileMb: statSync(file).size / (1 << 20),
    parseEventsPerSec: parse, foldEventsPerSec: entries / foldS, replayEventsPerSec: entries / replayS, checkEventsPerSec: entries / checkS,
    violations, propertyRunsPerSec: NaN, propertyRuns: 0,
    foldVsParse: entries / foldS / parse, checkVsParse: entries / checkS / parse,
  };
};

/**
 * Generated property runs on one core, the CI suites' mix (StatefulSets, every policy), in a process of its
 * own, as a vitest worker runs them, not in one whose heap the million-entry passes have grown: the first
 * `warmupSeconds` of runs are the cold rate (V8 still optimizing the engine: the same cases ran at 62/s
 * cold and ~104–144/s once warm on one machine), then `propertySeconds` of further cases are the steady rate.
 */
export const measurePropertyRuns = (propertySeconds = 10, warmupSeconds = 15): { propertyRunsPerSec: number; propertyRuns: number; coldPropertyRunsPerSec: number } => {
  const cases = fc.sample(caseArb({ kind: 'StatefulSet' }), { numRuns: 20_000, seed: 7 });
  let next = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < warmupSeconds * 1000 && next < cases.length / 2) runCase(cases[next++]!);
  const cold = next / ((performance.now() - t0) / 1000);
  let runs = 0;
  const t1 = performance.now();
  while (performance.now() - t1 < propertySeconds * 1000 && next < cases.length) { runCase(cases[next++]!); runs++; }
  return { propertyRunsPerSec: runs / ((performance.now() - t1) / 1000), propertyRuns: runs, coldPropertyRunsPerSec: cold };
};

/** Make the log if needed (in a child with room for the simulation), then measure in other children. */
export const benchReplayInChildren = (entries: number): ReplayResult => {
  const file = benchLogFile(entries);
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  if (!existsSync(file)) {
    process.stdout.write(`  writing the ${entries}-entry benchmark log to ${file} (once)…\n`);
    execFileSync(process.execPath, ['--max-old-space-size=8192', '--max-semi-space-size=64', main, 'replay-write', String(entries), file], { stdio: 'inherit' });
  }
  const last = (out: string): unknown => JSON.parse(out.trim().split('\n').at(-1)!);
  const passes = last(execFileSync(process.execPath, ['--max-old-space-size=8192', main, 'replay-measure', file], { encoding: 'utf8', maxBuffer: 1 << 24 })) as ReplayResult;
  const props = last(execFileSync(process.execPath, [main, 'replay-props'], { encoding: 'utf8', maxBuffer: 1 << 24 })) as ReturnType<typeof measurePropertyRuns>;
  return { ...passes, ...props };
};
