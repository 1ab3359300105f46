import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { KObject, StatefulSet } from '@kubesim/api';
import { createCluster } from '@kubesim/runtime';
import { benchSpec, service, statefulSet } from './engine.js';
import {
  ApiClient, connectNats, ensureStream, encodeEntry, jsOf, launchCluster, LogFollower, managerOf, NatsServer, readLog, subjectsFor,
  type Launched, type ProcessEntry,
} from '@kubesim/nats';

const percentile = (xs: readonly number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

/**
 * The envelopes of a real run, as the log stores them: an embedded run of the same workload
 * (1,000 replicas) gives the mix of pods, claims, volumes, events and statuses, encoded as published.
 */
export const benchEnvelopes = (replicas = 1000, nodes = 1000): { subject: string; data: Uint8Array }[] => {
  const sim = createCluster(benchSpec(nodes), 1);
  sim.run({ until: () => sim.hosts.every((h) => h.running), deadlineMs: 10_000 });
  const r = sim.command({ command: 'apply' }, [{ verb: 'create', object: service }, { verb: 'create', object: statefulSet(replicas) }]);
  if (E.isLeft(r)) throw new Error(r.left.message);
  sim.run({ until: () => (sim.api.get('StatefulSet', 'default', 'bench') as StatefulSet | undefined)?.status?.readyReplicas === replicas, deadlineMs: 3_600_000 });
  const s = subjectsFor('raw');
  return sim.log.all().map((e) => ({
    subject: e.object ? s.object(String(e.object.kind), e.object.metadata?.namespace ?? '', e.object.metadata?.name ?? '') : s.input(e.type as 'COMMAND'),
    data: encodeEntry(e),
  }));
};

export interface RawCeiling {
  readonly messages: number;
  readonly inFlight: number;
  readonly publishesPerSec: number;
  readonly meanBytes: number;
}

/**
 * The raw JetStream publish ceiling of this machine: the same envelopes, published to a stream like
 * kubesim's (file storage) by one client with `inFlight` publishes outstanding, no compare-and-set.
 */
export const measureRawCeiling = async (envelopes: readonly { subject: string; data: Uint8Array }[], messages = 60_000, inFlight = 256): Promise<RawCeiling> => {
  await using server = await NatsServer.start();
  const nc = await connectNats({ url: server.url, name: 'bench-raw' });
  try {
    const s = subjectsFor('raw');
    await ensureStream(nc, s);
    const j = jsOf(nc);
    // Warm up the connection and the stream.
    await Promise.all(envelopes.slice(0, 1000).map((e) => j.js.publish(e.subject, e.data)));
    let next = 0;
    let bytes = 0;
    const t0 = performance.now();
    const lane = async (): Promise<void> => {
      for (let i = next++; i < messages; i = next++) {
        const e = envelopes[i % envelopes.length]!;
        bytes += e.data.length;
        await j.js.publish(e.subject, e.data);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
    const sec = (performance.now() - t0) / 1000;
    return { messages, inFlight, publishesPerSec: messages / sec, meanBytes: bytes / messages };
  } finally {
    await nc.close();
  }
};

export interface ProcessUsage {
  readonly name: string;
  readonly pid: number;
  readonly cpuSec: number;
  readonly peakRssMb: number;
}

const CLK_TCK = 100;
/** CPU seconds (user + system) and peak RSS of a process, from /proc (Linux). */
export const usageOf = (name: string, pid: number | undefined): ProcessUsage | undefined => {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSec = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { name, pid, cpuSec, peakRssMb: hwm ? Number(hwm[1]) / 1024 : NaN };
  } catch {
    return undefined;
  }
};

export interface HopLatency {
  readonly samples: number;
  readonly watchers: number;
  /** A write request sent to the API server → the entry at every watcher (the API server's queue included). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The entry stored in the log (its JetStream timestamp) → at every watcher: the log's own hop. */
  readonly logP50Ms: number;
  readonly logP99Ms: number;
}

/** Wall milliseconds with sub-millisecond precision (comparable with JetStream store timestamps on this machine). */
const wallNow = (): number => performance.timeOrigin + performance.now();

/**
 * One hop: a write sent to the API server → the entry seen by every watcher (ordered consumers of the
 * written kind, each on its own connection, as components watch). Probes are sequential.
 */
export const measureHops = async (c: Launched, samples: number, watchers = 8, during?: () => boolean): Promise<HopLatency> => {
  const creds = c.userCreds ? { creds: c.userCreds } : {};
  const conns = await Promise.all(Array.from({ length: watchers + 1 }, (_, i) => connectNats({ url: c.url, name: `bench-hop-${i}`, ...creds })));
  const api = new ApiClient(conns[0]!, c.s, 'user');
  const probe = { apiVersion: 'v1', kind: 'Service', metadata: { name: `probe-${Date.now()}` }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } } as KObject;
  const created = await api.request({ verb: 'create', object: probe }, null);
  if (!created.ok) throw new Error(created.error.message);
  const seenBy = new Map<number, number>();
  /** The last arrival at a watcher minus the store time, per seq. */
  const logHop = new Map<number, number>();
  const waiting = new Map<number, () => void>();
  const followers = await Promise.all(conns.slice(1).map(async (nc) => {
    let synced!: () => void;
    const ready = new Promise<void>((r) => { synced = r; });
    const f = new LogFollower(jsOf(nc), c.s, {
      filters: [c.s.object('Service', 'default', probe.metadata!.name!)],
      fromSeq: Number(created.object.metadata!.resourceVersion),
      timeOf: (w) => w,
      onEntry: (e) => {
        const n = (seenBy.get(e.seq) ?? 0) + 1;
        seenBy.set(e.seq, n);
        logHop.set(e.seq, Math.max(logHop.get(e.seq) ?? 0, wallNow() - e.time));
        if (n === watchers) waiting.get(e.seq)?.();
      },
      onSynced: () => synced(),
    });
    await f.start();
    await ready;
    return f;
  }));
  const lat: number[] = [];
  const logLat: number[] = [];
  try {
    for (let i = 0; i < samples && (during === undefined || during()); i++) {
      const t0 = performance.now();
      const r = await api.request({ verb: 'patch', kind: 'Service', namespace: 'default', name: probe.metadata!.name!, patch: { metadata: { annotations: { probe: String(i) } } } }, null);
      if (!r.ok) continue;
      const seq = Number(r.object.metadata!.resourceVersion);
      if ((seenBy.get(seq) ?? 0) < watchers) await new Promise<void>((res) => waiting.set(seq, res));
      waiting.delete(seq);
      lat.push(performance.now() - t0);
      logLat.push(logHop.get(seq) ?? NaN);
      if (during !== undefined) await new Promise((res) => setTimeout(res, 5));
    }
  } finally {
    for (const f of followers) await f.stop();
    for (const nc of conns) await nc.close();
  }
  return {
    samples: lat.length, watchers, p50Ms: percentile(lat, 0.5), p99Ms: percentile(lat, 0.99),
    logP50Ms: percentile(logLat, 0.5), logP99Ms: percentile(logLat, 0.99),
  };
};

export interface DistributedSizeResult {
  readonly replicas: number;
  readonly nodes: number;
  readonly converged: boolean;
  readonly wallMs: number;
  readonly committedWrites: number;
  readonly committedWritesPerSec: number;
  readonly podsRunningPerWallSec: number;
  readonly hopUnderLoad: HopLatency;
  readonly processes: readonly ProcessUsage[];
}

/** One size: a fresh cluster (its own nats-server, every component a process), a Parallel StatefulSet, until every replica is Ready. */
export const measureSize = async (entry: ProcessEntry, replicas: number, nodes: number, timeScale: number, onLine: (s: string) => void): Promise<DistributedSizeResult> => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-bench-'));
  const c = await launchCluster({ spec: benchSpec(nodes), entry, dir, timeScale });
  try {
    const nc = await connectNats({ url: c.url, name: 'bench', ...(c.userCreds ? { creds: c.userCreds } : {}) });
    const api = new ApiClient(nc, c.s, 'user', 30_000);
    const jsm = await managerOf(c.admin);
    const startSeq = (await jsm.streams.info(c.s.stream)).state.last_seq;
    const t0 = performance.now();
    const r = await api.command({ command: 'apply' }, [{ verb: 'create', object: service }, { verb: 'create', object: statefulSet(replicas) }]);
    if (!r.ok) throw new Error(r.error.message);
    let ready = false;
    const hops = measureHops(c, 100_000, 8, () => !ready);
    const deadline = Date.now() + 30 * 60_000;
    let last = -1;
    while (!ready && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      const l = await api.list('StatefulSet', 'default', 'bench');
      // A list refused under load (429, or a timeout) says nothing about readiness: ask again.
      if (!l.ok) continue;
      const n = (l.objects[0] as StatefulSet | undefined)?.status?.readyReplicas ?? 0;
      if (n !== last && Math.floor(n / Math.max(1, replicas / 10)) !== Math.floor(last / Math.max(1, replicas / 10))) onLine(`    ${n}/${replicas} Ready after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      last = n;
      ready = n === replicas;
    }
    const wallMs = performance.now() - t0;
    const committed = (await jsm.streams.info(c.s.stream)).state.last_seq - startSeq;
    // KUBESIM_BENCH_STATS=1: the committed writes by writer, verb and kind, with their JSON size (as bench engine).
    if (process.env.KUBESIM_BENCH_STATS) {
      const entries = await readLog(jsOf(c.admin), c.s, (w) => w, startSeq + 1);
      const byWrite = new Map<string, { n: number; bytes: number }>();
      for (const e of entries) {
        const k = `${e.actor.split(':')[0]!} ${e.op ?? e.type} ${e.object?.kind ?? ''}`;
        const r = byWrite.get(k) ?? { n: 0, bytes: 0 };
        r.n++; r.bytes += JSON.stringify(e).length;
        byWrite.set(k, r);
      }
      for (const [k, v] of [...byWrite].sort((a, b) => b[1].bytes - a[1].bytes)) process.stderr.write(`  ${String(v.n).padStart(7)} ${String(Math.round(v.bytes / 1024)).padStart(8)} KB  ${k}\n`);
      // Each component's reconciles and writes, from its last status announcement.
      for (const p of c.supervisor.states()) if (p.status) process.stderr.write(`  ${p.name}: ${p.status.reconciles} reconciles, ${p.status.writes} writes\n`);
    }
    const hopUnderLoad = await hops;
    const processes = [
      ...c.supervisor.states().map((p) => usageOf(p.name, p.pid)),
      ...c.servers.map((x) => usageOf('nats-server', x.pid)),
    ].filter((x): x is ProcessUsage => x !== undefined);
    await nc.close();
    return {
      replicas, nodes, converged: ready, wallMs, committedWrites: committed, committedWritesPerSec: committed / (wallMs / 1000),
      podsRunningPerWallSec: replicas / (wallMs / 1000), hopUnderLoad, processes,
    };
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** The idle hop: a small cluster with nothing else to do. */
export const measureIdleHop = async (entry: ProcessEntry, samples: number): Promise<HopLatency> => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-bench-'));
  const c = await launchCluster({ spec: benchSpec(3), entry, dir, timeScale: 1 });
  try {
    return await measureHops(c, samples);
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
