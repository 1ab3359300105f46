import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SEMI_SPACE_MB, benchOneSize, benchSeedScenario, benchSizeInChild } from './engine.js';
import { REPLAY_ENTRIES, benchReplayInChildren, measurePropertyRuns, measureReplay, writeBenchLog } from './replay.js';
import { componentEntry } from '@kubesim/component';
import { benchEnvelopes, measureIdleHop, measureRawCeiling, measureSize, type DistributedSizeResult } from './distributed.js';

const args = process.argv.slice(2);
const which = args[0];
const jsonIdx = args.indexOf('--json');
const jsonOut = jsonIdx >= 0 ? (args[jsonIdx + 1] ?? 'bench-engine.json') : undefined;
const print = (s: string) => process.stdout.write(`${s}\n`);

const engine = () => {
  const nodes = 1000;
  const sizes = [1000, 10000];
  print(`kubesim bench engine — Parallel StatefulSet, one claim template on "fast", ${nodes} nodes (node ${process.version}, each size in a child process with --max-semi-space-size=${SEMI_SPACE_MB})`);
  const results = sizes.map((n) => {
    const r = benchSizeInChild(n, nodes);
    print(`  replicas ${String(n).padStart(6)}: converged=${r.converged} wall ${r.wallMs.toFixed(0)} ms, virtual ${(r.virtualMs / 1000).toFixed(1)} s, ${r.logEvents} log events, ${Math.round(r.eventsPerSec)} events/s, ${Math.round(r.podsRunningPerWallSec)} pods Running/s, peak RSS ${r.peakRssMb.toFixed(0)} MB`);
    print(`    this machine: JSON.parse of the run's entries ${Math.round(r.parseEntriesPerSec).toLocaleString('en-US')} entries/s (the run processed ${(100 * r.eventsPerSec / r.parseEntriesPerSec).toFixed(1)} % of that)`);
    return r;
  });
  const [a, b] = results as [typeof results[0], typeof results[0]];
  const exponent = Math.log(b.wallMs / a.wallMs) / Math.log(b.replicas / a.replicas);
  print(`  growth exponent (wall time, ${a.replicas} → ${b.replicas}): ${exponent.toFixed(3)}`);
  const seedFile = fileURLToPath(new URL('../../../examples/seed-statefulset.yaml', import.meta.url));
  const seed = benchSeedScenario(seedFile);
  print(`  seed scenario: virtual ${(seed.virtualMs / 1000).toFixed(1)} s in ${seed.wallMs.toFixed(2)} ms wall (mean of ${seed.runs} runs after ${seed.warmupRuns} warm-up runs; first cold run ${seed.coldWallMs.toFixed(1)} ms) → ${Math.round(seed.speedup)}× real time (verdict ${seed.passed ? 'PASS' : 'FAIL'})`);
  const targets = {
    converged10kUnder2s: b.converged && b.wallMs < 2000,
    rss10kUnder1GB: b.peakRssMb < 1024,
    growthExponentAtMost1_1: exponent <= 1.1,
    podsRunningPerSecAtLeast5000: b.podsRunningPerWallSec >= 5000,
    seedScenarioAtLeast10000x: seed.speedup >= 10000,
  };
  print(`  targets: ${Object.entries(targets).map(([k, v]) => `${k}=${v ? 'met' : 'MISSED'}`).join(', ')}`);
  const json = { benchmark: 'engine', node: process.version, nodes, sizes: results, growthExponent: exponent, seedScenario: seed, targets };
  if (jsonOut) { writeFileSync(jsonOut, `${JSON.stringify(json, null, 2)}\n`); print(`  wrote ${jsonOut}`); }
};

const replay = () => {
  print(`kubesim bench replay — a ${REPLAY_ENTRIES}-entry log written by the engine (node ${process.version}; each pass reads the file in 16 MB chunks)`);
  const r = benchReplayInChildren(REPLAY_ENTRIES);
  const k = (x: number) => `${Math.round(x).toLocaleString('en-US')} events/s`;
  print(`  log: ${r.entries} entries, ${r.fileMb.toFixed(0)} MB`);
  print(`  JSON.parse ceiling:            ${k(r.parseEventsPerSec)}`);
  print(`  fold (parse + indexed store):  ${k(r.foldEventsPerSec)}  = ${(100 * r.foldVsParse).toFixed(0)} % of the ceiling`);
  print(`  replay (+ hash-chain check):   ${k(r.replayEventsPerSec)}  = ${(100 * r.replayEventsPerSec / r.parseEventsPerSec).toFixed(0)} % of the ceiling`);
  print(`  every checker (parse + check): ${k(r.checkEventsPerSec)}  = ${(100 * r.checkVsParse).toFixed(0)} % of the ceiling (${r.violations} violations)`);
  print(`  generated property runs:       ${r.propertyRunsPerSec.toFixed(0)} runs/s on one core (${r.propertyRuns} runs, after 15 s of warm-up runs at ${(r.coldPropertyRunsPerSec ?? NaN).toFixed(0)}/s while the JIT settled)`);
  const targets = {
    foldAtLeast50PctOfParse: r.foldVsParse >= 0.5,
    checkersAtLeast25PctOfParse: r.checkVsParse >= 0.25,
    propertyRunsAtLeast200PerSec: r.propertyRunsPerSec >= 200,
  };
  print(`  targets: ${Object.entries(targets).map(([t, v]) => `${t}=${v ? 'met' : 'MISSED'}`).join(', ')}`);
  if (jsonOut) { writeFileSync(jsonOut, `${JSON.stringify({ benchmark: 'replay', node: process.version, ...r, targets }, null, 2)}\n`); print(`  wrote ${jsonOut}`); }
};

const distributed = async () => {
  const nodes = 1000;
  const timeScale = Number(args[args.indexOf("--time-scale") + 1] ?? 10) || 10;
  const sizesArg = args.indexOf('--sizes');
  const sizes = sizesArg >= 0 ? (args[sizesArg + 1] ?? '').split(',').map(Number).filter((n) => n > 0) : args.includes('--quick') ? [1000] : [1000, 10000];
  print(`kubesim bench distributed — every component its own process over a nats-server started here (JetStream, file store); Parallel StatefulSet, one claim template on "fast", ${nodes} nodes, time scale ${timeScale}× (node ${process.version})`);
  const envelopes = benchEnvelopes();
  const raw = await measureRawCeiling(envelopes);
  print(`  raw JetStream publish ceiling: ${Math.round(raw.publishesPerSec).toLocaleString('en-US')} publishes/s (${raw.messages} envelopes of a 1,000-replica run, mean ${raw.meanBytes.toFixed(0)} B, ${raw.inFlight} in flight, one client)`);
  const idle = await measureIdleHop(componentEntry(), 500);
  print(`  hop, idle cluster (${idle.samples} probes, ${idle.watchers} watchers): entry stored → all watchers have it p50 ${idle.logP50Ms.toFixed(2)} ms, p99 ${idle.logP99Ms.toFixed(2)} ms; write request → all watchers p50 ${idle.p50Ms.toFixed(2)} ms, p99 ${idle.p99Ms.toFixed(2)} ms`);
  const results: DistributedSizeResult[] = [];
  for (const n of sizes) {
    print(`  replicas ${n}:`);
    const r = await measureSize(componentEntry(), n, nodes, timeScale, print);
    results.push(r);
    print(`  replicas ${String(n).padStart(6)}: converged=${r.converged} wall ${r.wallMs.toFixed(0)} ms, ${r.committedWrites} committed writes, ${Math.round(r.committedWritesPerSec)} writes/s (${(100 * r.committedWritesPerSec / raw.publishesPerSec).toFixed(0)} % of the raw ceiling), ${Math.round(r.podsRunningPerWallSec)} pods Running/s`);
    const h = r.hopUnderLoad;
    print(`    hop under load (${h.samples} probes): entry stored → all watchers p50 ${h.logP50Ms.toFixed(2)} ms, p99 ${h.logP99Ms.toFixed(2)} ms; write request → all watchers p50 ${h.p50Ms.toFixed(2)} ms, p99 ${h.p99Ms.toFixed(2)} ms (the API server's queue)`);
    print(`    processes (CPU s, peak RSS MB): ${r.processes.map((p) => `${p.name} ${p.cpuSec.toFixed(1)}/${p.peakRssMb.toFixed(0)}`).join(', ')}`);
  }
  const big = results[results.length - 1]!;
  const targets = {
    writesAtLeast50PctOfRaw: big.committedWritesPerSec >= 0.5 * raw.publishesPerSec,
    podsRunningPerSecAtLeast2000: big.podsRunningPerWallSec >= 2000,
    // One hop of the log: an entry written → every watcher sees it, idle and under the load of the run.
    logHopP99Under10ms: big.hopUnderLoad.logP99Ms < 10 && idle.logP99Ms < 10,
  };
  print(`  targets (at ${big.replicas} replicas): ${Object.entries(targets).map(([k, v]) => `${k}=${v ? 'met' : 'MISSED'}`).join(', ')}`);
  if (jsonOut) {
    writeFileSync(jsonOut, `${JSON.stringify({ benchmark: 'distributed', node: process.version, nodes, timeScale, rawCeiling: raw, idleHop: idle, sizes: results, targets }, null, 2)}\n`);
    print(`  wrote ${jsonOut}`);
  }
};

switch (which) {
  case 'distributed': await distributed(); break;
  case 'engine': engine(); break;
  case 'replay': replay(); break;
  case 'replay-write': writeBenchLog(args[2]!, Number(args[1])); break;
  case 'replay-measure': print(JSON.stringify(measureReplay(args[1]!))); break;
  case 'replay-props': print(JSON.stringify(measurePropertyRuns())); break;
  case 'engine-size': {
    const r = benchOneSize(Number(args[1]), Number(args[2]));
    print(JSON.stringify(r));
    break;
  }
  default:
    process.stderr.write('usage: pnpm bench engine|replay|distributed [--json OUT.json]\n');
    process.exitCode = 2;
}
