#!/usr/bin/env node
/**
 * One kubesim component as its own OS process over NATS: parse the configuration, connect, run the
 * component's machine, shut down cleanly on SIGTERM/SIGINT. Credentials come from the environment
 * (KUBESIM_NATS_USER / KUBESIM_NATS_PASSWORD), never the command line.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { credsFromEnv, NatsApiServer, NatsComponentHost, type DistributedCluster } from '@kubesim/nats';

const program = new Command('kubesim-component')
  .description('run one kubesim component (apiserver, statefulset-controller, kubelet, ...) as a process over NATS')
  .argument('<component>', 'apiserver, or a controller name: statefulset-controller, replicaset-controller, scheduler, volume-binder, kubelet, endpoints-controller, endpointslice-controller, garbage-collector, node-lifecycle-controller, pod-garbage-collector, resourcequota-controller, disruption-controller, serviceaccount-controller, namespace-controller')
  .requiredOption('--nats <url>', 'NATS server URL(s), comma-separated')
  .option('--cluster <id>', 'cluster id (scopes the stream and subjects)', 'default')
  .option('--nodes <names>', 'kubelet: the nodes this process hosts, comma-separated (default: every node)')
  .option('--bootstrap <file>', 'apiserver: the cluster (JSON) to bootstrap if the log is empty')
  .option('--name <name>', 'process name in logs (default: the component)')
  .option('--workers <n>', 'reconciles in flight per work queue', (v) => Number(v))
  .parse();

const [component] = program.args as [string];
const opts = program.opts<{ nats: string; cluster: string; nodes?: string; bootstrap?: string; name?: string; workers?: number }>();
const name = opts.name ?? component;
const log = (line: string): void => { process.stdout.write(`${new Date().toISOString()} ${name}: ${line}\n`); };
const creds = credsFromEnv();

const main = async (): Promise<{ stop(): Promise<void> }> => {
  if (component === 'apiserver') {
    const bootstrap = opts.bootstrap ? (JSON.parse(readFileSync(opts.bootstrap, 'utf8')) as DistributedCluster) : undefined;
    return NatsApiServer.start({ url: opts.nats, cluster: opts.cluster, name, log, ...(creds ? { creds } : {}), ...(bootstrap ? { bootstrap } : {}) });
  }
  return NatsComponentHost.start({
    url: opts.nats, cluster: opts.cluster, component, log,
    ...(creds ? { creds } : {}),
    ...(opts.nodes ? { nodes: opts.nodes.split(',').filter(Boolean) } : {}),
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
  });
};

main().then((running) => {
  log(`running (pid ${process.pid})`);
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping`);
    running.stop().then(() => { log('stopped'); process.exit(0); }, (err: Error) => { log(`stop failed: ${err.message}`); process.exit(1); });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}, (err: Error) => {
  log(`failed: ${err.message}`);
  process.exit(1);
});
