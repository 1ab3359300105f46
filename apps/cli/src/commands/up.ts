import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { loadScenarioFile, parseScenario, type ClusterSpec } from '@kubesim/scenario';
import { credsFromEnv, launchCluster, type Launched, type ProcessState } from '@kubesim/nats';
import { componentEntry } from '@kubesim/component';
import { kubesimHome, removeContext, writeContext } from '../distributed/context.js';
import { renderTabbed } from '../printers/index.js';

export interface UpOptions {
  readonly nats?: string;
  readonly nodes?: string;
  readonly clusterFile?: string;
  readonly timeScale?: string;
  readonly name?: string;
  readonly store?: string;
  readonly apiservers?: string;
  readonly kubeletPerNode?: boolean;
  readonly seed?: string;
}

const out = (s: string) => process.stdout.write(`${s}\n`);

/** The cluster `kubesim up` starts without --cluster-file: N nodes, StorageClasses `standard` (default) and `fast`. */
export const defaultUpCluster = (nodes: number): ClusterSpec => {
  const r = parseScenario(`cluster:
  nodes: ${nodes}
  storageClasses:
    - {name: standard, default: true, reclaimPolicy: Delete, volumeBindingMode: WaitForFirstConsumer}
    - {name: fast, reclaimPolicy: Delete, volumeBindingMode: Immediate}
steps: []
`, 'kubesim up');
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.cluster;
};

const positive = (v: string | undefined, what: string, dflt: number, integer = true): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new Error(`${what} must be a positive ${integer ? 'integer' : 'number'}, got "${v}"`);
  return n;
};

export const stateRows = (ps: readonly ProcessState[]): string =>
  renderTabbed([['COMPONENT', 'STATE', 'PID', 'RESTARTS', 'SEQ', 'QUEUE', 'RECONCILES', 'WRITES'], ...ps.map((p) => [
    p.name, `${p.status && p.state === 'running' ? p.status.state : `${p.state}${p.exit ? ` (${p.exit})` : ''}`}${p.partitioned ? ' (partitioned)' : ''}`, String(p.pid ?? '-'), String(p.restarts),
    String(p.status?.seq ?? '-'), String(p.status?.queued ?? '-'), String(p.status?.reconciles ?? '-'), String(p.status?.writes ?? '-'),
  ])]);

/**
 * `kubesim up`: start nats-server (unless --nats) and every component as its own process, write the
 * context the other commands use, show the processes' state, stop everything on Ctrl-C / SIGTERM or
 * `kubesim down`.
 */
export const upCommand = async (opts: UpOptions): Promise<number> => {
  let spec: ClusterSpec;
  let timeScale: number;
  let apiServers: number;
  let seed: number;
  try {
    timeScale = positive(opts.timeScale, '--time-scale', 1, false);
    apiServers = positive(opts.apiservers, '--apiservers', 1);
    seed = opts.seed === undefined ? 1 : Number(opts.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got "${opts.seed}"`);
    if (opts.clusterFile) {
      const sc = loadScenarioFile(opts.clusterFile);
      if (E.isLeft(sc)) throw new Error(sc.left.message);
      spec = sc.right.cluster;
    } else spec = defaultUpCluster(positive(opts.nodes, '--nodes', 3));
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  const name = opts.name ?? 'default';
  const dir = mkdtempSync(join(tmpdir(), `kubesim-${name}-`));
  out(`kubesim up: cluster "${name}", ${spec.nodes.length} nodes, time scale ${timeScale}×, ${opts.nats ? `NATS ${opts.nats}` : 'starting nats-server'} (logs in ${dir})`);
  let c: Launched;
  try {
    const creds = credsFromEnv();
    c = await launchCluster({
      spec, entry: componentEntry(), dir, cluster: name, seed, timeScale, apiServers,
      ...(opts.kubeletPerNode ? { kubeletPerNode: true } : {}),
      ...(opts.nats ? { url: opts.nats } : {}), ...(creds ? { creds } : {}),
      ...(opts.store ? { storeDir: opts.store } : {}),
      // Every process through relays of its own, so that `kubesim partition` can cut one off.
      partitionable: true,
      log: (l) => out(`  ${l}`),
    });
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
  writeContext({ name, url: c.url, cluster: name, ...(c.userCreds ? { user: c.userCreds } : {}), dir, logDir: join(dir, 'logs'), pid: process.pid });
  out('');
  out(stateRows(c.supervisor.states()).trimEnd());
  out('');
  out(`ready: NATS ${c.url}, stream ${c.s.stream}; context "${name}" in ${kubesimHome()}/contexts`);
  out(`  try: kubesim apply -f examples/manifests/stateful-pvc.yaml; kubesim get pods; kubesim ps; kubesim down (or Ctrl-C)`);
  c.supervisor.serveControl(() => void shutdown('kubesim down'));
  let stopping = false;
  let done!: (code: number) => void;
  const finished = new Promise<number>((r) => { done = r; });
  const shutdown = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    out(`${why}: stopping every component${c.server ? ' and nats-server' : ''}`);
    removeContext(name);
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
    out('stopped');
    done(0);
  };
  process.on('SIGINT', () => void shutdown('interrupted'));
  process.on('SIGTERM', () => void shutdown('terminated'));
  // Show what changes: one line per process whose state changed.
  let last = new Map(c.supervisor.states().map((p) => [p.name, p.state]));
  const watch = setInterval(() => {
    const now = c.supervisor.states();
    for (const p of now) {
      if (last.get(p.name) !== p.state) out(`${new Date().toISOString()} ${p.name}: ${p.state}${p.exit ? ` (${p.exit})` : ''}`);
    }
    last = new Map(now.map((p) => [p.name, p.state]));
  }, 250);
  const code = await finished;
  clearInterval(watch);
  return code;
};
