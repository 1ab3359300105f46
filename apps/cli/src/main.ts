#!/usr/bin/env node
import { Command, Option } from 'commander';
import { runCommand, runDistributedCommand } from './commands/run.js';
import { describeLogCommand, getCommand, rolloutLogCommand } from './commands/get.js';
import { replayCommand } from './commands/replay.js';
import { explainCommand } from './commands/explain.js';
import { diffCommand } from './commands/diff.js';
import { verifyCommand } from './commands/verify.js';
import { checkCommand } from './commands/check.js';
import { upCommand } from './commands/up.js';
import { applyCommand, cordonCommand, createNamespaceCommand, deleteCommand, drainCommand, describeCommand, downCommand, exportCommand, faultCommand, healCommand, labelCommand, lifecycleCommand, liveGetCommand, logsCommand, partitionCommand, patchCommand, pauseCommand, psCommand, rolloutCommand, scaleCommand, setImageCommand, type DeleteOptions, type LabelOptions } from './commands/live.js';
import { VERSIONS } from './version.js';
import { liveWatchCommand, watchLogCommand } from './commands/watch.js';
import { dnsCommand, type DnsOptions } from './commands/dns.js';
import { waitCommand, type WaitOptions } from './commands/wait.js';

const program = new Command();
program
  .name('kubesim')
  .description('A deterministic simulator of the Kubernetes control plane for StatefulSets and ReplicaSets')
  .version(VERSIONS.kubesim)
  .showHelpAfterError();

program.command('run')
  .description('run a scenario file on the embedded engine (deterministic from --seed)')
  .argument('<file>', 'scenario YAML (cluster, manifests, steps)')
  .option('--seed <n>', 'seed of the run (default: the scenario\'s seed, else 1)')
  .option('--log <out.jsonl>', 'write the run\'s event log (JSON lines with a hash chain)')
  .option('-q, --quiet', 'print only the verdict')
  .option('--no-timeline', 'do not print the timeline of what happened')
  .option('--distributed', 'run on real processes: nats-server + one process per component (see docs/distributed.md)')
  .option('--time-scale <x>', 'with --distributed: virtual ms per wall ms (default 10; a high scale compresses real processing into little virtual time)')
  .option('--nats <url>', 'with --distributed: use this NATS server instead of starting one')
  .action(async (file: string, opts: { seed?: string; log?: string; quiet?: boolean; timeline?: boolean; distributed?: boolean; timeScale?: string; nats?: string }) => {
    process.exitCode = opts.distributed ? await runDistributedCommand(file, opts) : runCommand(file, opts);
  });

program.command('get')
  .description('print objects as kubectl does: of a recorded log (--log FILE), or of a running cluster (kubesim up)')
  .argument('<kind>', 'kind or resource (pods, sts, pvc, pv, ...), several joined by commas (sts,pvc), or all')
  .argument('[name]', 'object name')
  .option('--log <file>', 'a recorded log (from kubesim run --log, kubesim log export); without it: the running cluster')
  .option('--at <seq>', 'with --log: the cluster as it was at this log position — a seq, or a virtual time t=12.5s (default: the end)')
  .option('-o, --output <format>', 'output format: json, yaml, wide, name, jsonpath=TEMPLATE (kubectl\'s JSONPath: {.items[*].metadata.name}, {range …}{end}), custom-columns=HEADER:PATH,…')
  .option('-n, --namespace <ns>', 'namespace', 'default')
  .option('-A, --all-namespaces', 'list across all namespaces')
  .option('-l, --selector <selector>', 'only objects whose labels match (app=web,tier!=db, env in (a,b), !canary)')
  .option('--show-labels', 'a last LABELS column')
  .option('-L, --label-columns <keys>', 'a column per label key (comma-separated, or the flag repeated)', (v: string, prev: string[] = []) => [...prev, v])
  .option('--no-headers', 'no header line')
  .option('--sort-by <path>', 'order the objects by this JSONPath (.metadata.creationTimestamp, {.status.podIP}): numbers by value, strings in natural order')
  .option('--field-selector <selector>', 'only objects whose fields match, as the API server selects them (status.phase=Running,spec.nodeName!=node-a; pods, events, nodes, namespaces, services, secrets, replicasets have fields beyond metadata.name/namespace)')
  .option('-w, --watch', 'after listing, print every change as it comes (one type; Ctrl-C ends it) — with --log, the changes of the recorded run after --at (default: its start)')
  .option('--watch-only', 'print the changes without listing first')
  .option('--output-watch-events', 'with --watch: each object as its watch event (an EVENT column: ADDED, MODIFIED, DELETED)')
  .option('--context <name>', 'running cluster (default: $KUBESIM_CONTEXT, else "default")')
  .option('--nats <url>', 'reach a running cluster at this NATS URL instead of a context')
  .option('--cluster <id>', 'with --nats: the cluster id (default "default")')
  .action(async (kind: string, name: string | undefined, given: { log?: string; at?: string; output?: string; namespace?: string; allNamespaces?: boolean; selector?: string; fieldSelector?: string; showLabels?: boolean; labelColumns?: string[]; headers?: boolean; sortBy?: string; watch?: boolean; watchOnly?: boolean; outputWatchEvents?: boolean; context?: string; nats?: string; cluster?: string }) => {
    const { headers, ...rest } = given;
    const opts = { ...rest, ...(headers === false ? { noHeaders: true } : {}) };
    const watching = opts.watch === true || opts.watchOnly === true;
    if (opts.outputWatchEvents && !watching) {
      process.stderr.write('error: --output-watch-events option can only be used with --watch or --watch-only\nSee \'kubesim get -h\' for help and examples\n');
      process.exitCode = 1;
      return;
    }
    if (watching) {
      process.exitCode = opts.log !== undefined ? watchLogCommand(kind, name, { ...opts, log: opts.log }) : await liveWatchCommand(kind, name, opts);
      return;
    }
    if (opts.log === undefined) {
      if (opts.at !== undefined) { process.stderr.write('error: --at needs --log FILE (a running cluster is only at its present)\n'); process.exitCode = 2; return; }
      process.exitCode = await liveGetCommand(kind, name, opts);
      return;
    }
    process.exitCode = getCommand(kind, name, opts);
  });

program.command('dns')
  .description('what cluster DNS answers a pod that looks NAME up (its search path: <ns>.svc.cluster.local, svc.cluster.local, cluster.local): of the running cluster, or of a recorded log (--log FILE)')
  .argument('<name>', 'a name as a pod would look it up: web-0.nginx, nginx.default.svc.cluster.local, _web._tcp.nginx')
  .argument('[type]', 'A (default), AAAA, SRV, PTR, CNAME or ANY')
  .option('-n, --namespace <ns>', 'the namespace of the pod asking (its first search domain)', 'default')
  .option('--log <file>', 'a recorded log; without it: the running cluster')
  .option('--at <seq>', 'with --log: the cluster as it was at this log position — a seq, or a virtual time t=12.5s (default: the end)')
  .option('--context <name>', 'running cluster (default: $KUBESIM_CONTEXT, else "default")')
  .option('--nats <url>', 'reach a running cluster at this NATS URL instead of a context')
  .option('--cluster <id>', 'with --nats: the cluster id (default "default")')
  .action(async (name: string, type: string | undefined, opts: DnsOptions) => {
    process.exitCode = await dnsCommand(name, type, opts);
  });

program.command('replay')
  .description('print the cluster as it was at a position of a recorded log (default: the end)')
  .argument('<file>', 'recorded log (from kubesim run --log)')
  .option('--at <seq>', 'log position: a seq (0..last), or a virtual time t=12.5s (the last entry at or before it)')
  .addOption(new Option('-o, --output <format>', 'output format (json/yaml: one List of every object)').choices(['json', 'yaml', 'wide']))
  .addHelpText('after', `
Prints the log position (seq, virtual time), the entry at that seq with what it changed, then every object
grouped by kind as kubectl get prints it. One kind only, as kubectl would:
  kubesim get KIND [NAME] --log FILE --at SEQ|t=TIME [-o json|yaml|wide]
Why an object is as it is: kubesim explain FILE KIND/NAME --at SEQ
A damaged log (hash chain) is reported with its line number (exit 2).`)
  .action(async (file: string, opts: { at?: string; output?: string }) => {
    process.exitCode = await replayCommand(file, opts);
  });

program.command('explain')
  .description('why an object of a recorded log is as it is: the chain of causes back to the command or fault that started it')
  .argument('<file>', 'recorded log (from kubesim run --log)')
  .argument('<kind/name>', 'the object, e.g. pod/web-0, sts/web, pvc/data-web-0, node/node-a')
  .option('--at <seq>', 'explain the object as it was at this log position (a seq, or t=12.5s; default: the end)')
  .option('-n, --namespace <ns>', 'namespace of the object', 'default')
  .option('--history', 'also list every entry of the object (seq, time, actor, op, what changed)')
  .addHelpText('after', `
Starts from the object's last entry at or before --at and follows each entry's cause (the entry its actor
was reacting to) back to an input (a COMMAND, FAULT or COMPONENT entry). Each step shows what it changed,
computed against the previous version of its object in the log.`)
  .action(async (file: string, target: string, opts: { at?: string; namespace?: string; history?: boolean }) => {
    process.exitCode = await explainCommand(file, target, opts);
  });

program.command('diff')
  .description('compare two recorded logs: the first entry where they differ, then how their final states differ')
  .argument('<a>', 'recorded log A')
  .argument('<b>', 'recorded log B')
  .option('--ignore-meta', 'in the final states, ignore uid, resourceVersion and timestamp fields (creationTimestamp, lastTransitionTime, ...)')
  .addHelpText('after', `
Entries are compared field by field (seq, time, type, actor, cause, op, object, data). The headers (seed,
scenario) are reported when they differ but do not count.
Exit status: 0 identical entries, 1 different, 2 a log is damaged or missing.`)
  .action(async (a: string, b: string, opts: { ignoreMeta?: boolean }) => {
    process.exitCode = await diffCommand(a, b, opts);
  });

program.command('verify')
  .description('check a recorded log: its hash chain, then re-run it from its header (seed + scenario) and compare entry for entry')
  .argument('<file>', 'recorded log (from kubesim run --log)')
  .option('--chain-only', 'only check the hash chain (no re-run); the only check possible for a distributed-mode log')
  .addHelpText('after', `
Exit status: 0 verified, 1 the re-run differs (the first differing entry is printed, both versions),
2 the log is damaged (the first damaged line is printed), missing, or cannot be re-run.`)
  .action(async (file: string, opts: { chainOnly?: boolean }) => {
    process.exitCode = await verifyCommand(file, opts);
  });

program.command('check')
  .description('check a recorded log against the invariants (docs/invariants.md), streaming it')
  .argument('<file>', 'recorded log (from kubesim run --log)')
  .option('--only <ids>', 'run only these checkers, comma-separated (e.g. K1,L3,LIVE)')
  .option('--json', 'print the result as JSON')
  .option('--settled', 'the log ends at a quiescent point (the run was settled): judge the end too, liveness must be proven')
  .option('--liveness-bound <duration>', 'the cluster must converge within this virtual time after the last input (default 300s)')
  .addHelpText('after', `
Prints every violation (naming the log seqs involved) and one line per checker.
Exit status: 0 no violation, 1 violations, 2 the log is damaged (its first damaged line is printed),
unreadable, or an option is wrong.`)
  .action(async (file: string, opts: { only?: string; json?: boolean; settled?: boolean; livenessBound?: string }) => {
    process.exitCode = await checkCommand(file, opts);
  });

// ---- the distributed mode: a running cluster ------------------------------------------------------
const ctxOpts = (c: Command): Command => c
  .option('--context <name>', 'running cluster (default: $KUBESIM_CONTEXT, else "default")')
  .option('--nats <url>', 'reach a running cluster at this NATS URL instead of a context (credentials: KUBESIM_NATS_USER/KUBESIM_NATS_PASSWORD)')
  .option('--cluster <id>', 'with --nats: the cluster id (default "default")');
/** kubectl's `-n`: the namespace of the objects a command names (default `default`). */
const nsOpt = (c: Command): Command => c.option('-n, --namespace <ns>', 'namespace (default "default")');

program.command('up')
  .description('start a distributed cluster: nats-server (unless --nats) and every component as its own process; Ctrl-C stops it')
  .option('--nats <url>', 'use this NATS server (JetStream enabled) instead of starting one')
  .option('--nodes <n>', 'number of nodes (default 3)')
  .option('--cluster-file <file>', 'take the cluster (nodes, storage classes) from this scenario file')
  .option('--time-scale <x>', 'virtual ms per wall ms: 100 makes a 10 s grace period take 100 ms (default 1)')
  .option('--name <name>', 'cluster and context name (default "default")')
  .option('--store <dir>', 'JetStream store directory (default: a temporary one, removed on exit)')
  .option('--apiservers <n>', 'API server replicas (default 1)')
  .option('--kubelet-per-node', 'one kubelet process per node (each its own NATS user) instead of one for all nodes')
  .option('--seed <n>', 'seed of the cores\' per-object choices (default 1)')
  .action(async (opts: Parameters<typeof upCommand>[0]) => { process.exitCode = await upCommand(opts); });

ctxOpts(nsOpt(program.command('apply').description('create or update objects from manifests in the running cluster')
  .requiredOption('-f, --filename <file...>', 'manifest file(s), YAML (multi-document)')))
  .action(async (opts: { filename: string[]; namespace?: string; context?: string; nats?: string }) => { process.exitCode = await applyCommand(opts.filename, opts); });

ctxOpts(program.command('create').description('kubectl create, on the running cluster').command('namespace').alias('ns')
  .description('create a namespace (kubectl create namespace NAME)').argument('<name>'))
  .action(async (name: string, opts: { context?: string; nats?: string }) => { process.exitCode = await createNamespaceCommand(name, opts); });

ctxOpts(nsOpt(program.command('scale').description('set the replicas of StatefulSets or ReplicaSets of the running cluster')
  .argument('<resource...>', 'TYPE NAME… or TYPE/NAME…, e.g. statefulset web or statefulset/web').requiredOption('--replicas <n>', 'new replica count')))
  .action(async (args: string[], opts: { replicas: string; namespace?: string; context?: string; nats?: string }) => { process.exitCode = await scaleCommand(args, opts.replicas, opts); });

ctxOpts(nsOpt(program.command('delete').description('delete objects of the running cluster, as kubectl delete: by type and names, by type and label selector, or those of manifest files')
  .argument('[resource...]', 'TYPE NAME…, TYPE/NAME…, or TYPE with -l')
  .option('-f, --filename <file...>', 'delete the objects of these manifests')
  .option('-l, --selector <selector>', 'with TYPE: the objects whose labels match')
  .option('--field-selector <selector>', 'with TYPE: the objects whose fields match (status.phase=Failed)')
  .option('--ignore-not-found', 'treat "resource not found" as a successful delete (the default with -l)')
  .option('--grace-period <s>', 'seconds (pods); 0 means 1 unless --force')
  .option('--force', 'immediate deletion (grace period 0)')
  .option('--now', 'grace period 1 s')
  .option('--cascade <policy>', 'background (default), foreground or orphan')
  .option('--wait [bool]', 'wait until the objects are gone (the default; --wait=false returns at once)', (v: string) => v !== 'false', true)
  .option('--timeout <d>', 'with the wait: give up after this long, e.g. 60s (default: never)')))
  .action(async (args: string[], opts: DeleteOptions) => { process.exitCode = await deleteCommand(args, opts); });

for (const what of ['label', 'annotation'] as const) {
  const name = what === 'label' ? 'label' : 'annotate';
  ctxOpts(nsOpt(program.command(name).description(`${what === 'label' ? 'update the labels' : 'update the annotations'} of objects of the running cluster (kubectl ${name}: KEY=VALUE sets, KEY- removes)`)
    .argument('<args...>', `TYPE NAME… or TYPE/NAME…, then KEY=VALUE… and KEY-…, e.g. ${name} pod web-0 ${what === 'label' ? 'tier=db' : 'note=primary'}`)
    .option('--overwrite', `allow changing ${what === 'label' ? 'labels' : 'annotations'} that already have a value`)
    .option('-l, --selector <selector>', 'with TYPE: the objects whose labels match')
    .option('--field-selector <selector>', 'with TYPE: the objects whose fields match')
    .option('--all', 'with TYPE: every object of the type in the namespace')))
    .action(async (args: string[], opts: LabelOptions) => { process.exitCode = await labelCommand(what, args, opts); });
}

ctxOpts(nsOpt(program.command('patch').description('patch an object of the running cluster, as kubectl patch: a strategic merge patch (containers merge by name, …) unless --type merge')
  .argument('<resource...>', 'TYPE NAME or TYPE/NAME, e.g. statefulset/web').requiredOption('-p, --patch <patch>', 'the patch, JSON or YAML, e.g. \'{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}\'')
  .option('--type <type>', 'strategic (default) or merge (a JSON merge patch, RFC 7386)').option('--subresource <name>', 'status or scale')))
  .action(async (args: string[], opts: { patch: string; type?: string; subresource?: string; namespace?: string; context?: string; nats?: string }) => { process.exitCode = await patchCommand(args, opts); });

ctxOpts(nsOpt(program.command('set').description('kubectl set, on the running cluster').command('image')
  .description('set the image of containers of a StatefulSet, ReplicaSet or pod (kubectl set image: a strategic merge patch; * for every container)')
  .argument('<args...>', 'TYPE NAME or TYPE/NAME, then CONTAINER=IMAGE…, e.g. statefulset/web nginx=nginx:1.26')))
  .action(async (args: string[], opts: { namespace?: string; context?: string; nats?: string }) => { process.exitCode = await setImageCommand(args, opts); });

ctxOpts(nsOpt(program.command('wait').description('kubectl wait on the running cluster: until each object meets --for (create, delete, condition=Ready[=false], jsonpath=\'{.status.readyReplicas}\'=3), within --timeout')
  .argument('<resource...>', 'TYPE NAME…, TYPE/NAME…, or TYPE with -l SELECTOR or --all')
  .option('--for <condition>', 'create | delete | condition=NAME[=VALUE] (default value true, case-insensitive) | jsonpath=\'{PATH}\'[=VALUE]')
  .option('--timeout <d>', 'give up after this long (default 30s; 0: look once; negative: a week)')
  .option('-l, --selector <selector>', 'the objects of TYPE whose labels match')
  .option('--field-selector <selector>', 'the objects of TYPE whose fields match')
  .option('--all', 'every object of TYPE in the namespace')))
  .action(async (args: string[], opts: WaitOptions) => { process.exitCode = await waitCommand(args, opts); });

ctxOpts(nsOpt(program.command('rollout').description('kubectl rollout for a StatefulSet: restart (a new template, so a rolling update), undo (back to a revision), status (until the rollout is done), history (its revisions) — of the running cluster, or status/history of a recorded log (--log FILE)')
  .argument('<verb>', 'restart, undo, status or history (pause and resume: kubectl supports them for Deployments only)').argument('<resource...>', 'TYPE NAME or TYPE/NAME, e.g. statefulset/web')
  .option('--to-revision <n>', 'undo: the revision to roll back to (default 0: the previous one)')
  .option('--revision <n>', 'history: the pod template of this revision')
  .option('-w, --watch [bool]', 'status: follow the rollout until it is done (--watch=false: report once)', (v: string) => v !== 'false', true)
  .option('--timeout <d>', 'status: give up after this long, e.g. 5m (default: never)')
  .option('--log <file>', 'status/history of a recorded log (from kubesim run --log, kubesim log export) instead of the running cluster')
  .option('--at <seq>', 'with --log: at this log position — a seq, or a virtual time t=12.5s (default: the end)')))
  .action(async (verb: string, args: string[], opts: { toRevision?: string; revision?: string; watch?: boolean; timeout?: string; log?: string; at?: string; namespace?: string; context?: string; nats?: string }) => {
    if (opts.log !== undefined) {
      const target = args.length === 2 && !args[0]!.includes('/') ? `${args[0]!}/${args[1]!}` : args.join(' ');
      process.exitCode = rolloutLogCommand(verb, target, { log: opts.log, ...(opts.at !== undefined ? { at: opts.at } : {}), ...(opts.revision !== undefined ? { revision: opts.revision } : {}), ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}) });
      return;
    }
    if (opts.at !== undefined) { process.stderr.write('error: --at needs --log FILE (a running cluster is only at its present)\n'); process.exitCode = 2; return; }
    process.exitCode = await rolloutCommand(verb, args, opts);
  });

ctxOpts(program.command('cordon').description('mark a node of the running cluster unschedulable').argument('<node>'))
  .action(async (node: string, opts: { context?: string; nats?: string }) => { process.exitCode = await cordonCommand(node, true, opts); });

ctxOpts(program.command('uncordon').description('mark a node of the running cluster schedulable again').argument('<node>'))
  .action(async (node: string, opts: { context?: string; nats?: string }) => { process.exitCode = await cordonCommand(node, false, opts); });

ctxOpts(program.command('drain').description('cordon a node of the running cluster and evict its pods through the eviction API (disruption budgets are honoured: a refusal is retried every 5 s)')
  .argument('<node>').option('--timeout <d>', 'give up after this long, e.g. 5m (default 5m)').option('--grace-period <s>', 'seconds each pod gets to terminate (default: its own)')
  .option('--force', 'also pods that declare no controller').option('--delete-emptydir-data', 'also pods with emptyDir volumes'))
  .action(async (node: string, opts: { timeout?: string; gracePeriod?: string; force?: boolean; deleteEmptydirData?: boolean; context?: string; nats?: string }) => { process.exitCode = await drainCommand(node, opts); });

ctxOpts(program.command('describe').description('an object and the events about it (as kubectl describe prints it; a revision or an event as YAML): of a recorded log (--log FILE), or of the running cluster')
  .argument('<resource...>', 'TYPE NAME or TYPE/NAME, e.g. pod/web-0')
  .option('--log <file>', 'a recorded log (from kubesim run --log, kubesim log export); without it: the running cluster')
  .option('--at <seq>', 'with --log: the object as it was at this log position — a seq, or a virtual time t=12.5s (default: the end)')
  .option('-n, --namespace <ns>', 'namespace (default "default")'))
  .action(async (args: string[], opts: { log?: string; at?: string; namespace?: string; context?: string; nats?: string }) => {
    if (opts.log === undefined) {
      if (opts.at !== undefined) { process.stderr.write('error: --at needs --log FILE (a running cluster is only at its present)\n'); process.exitCode = 2; return; }
      process.exitCode = await describeCommand(args, opts);
      return;
    }
    const target = args.length === 2 && !args[0]!.includes('/') ? `${args[0]!}/${args[1]!}` : args.join(' ');
    process.exitCode = describeLogCommand(target, { log: opts.log, ...(opts.at !== undefined ? { at: opts.at } : {}), namespace: opts.namespace ?? 'default' });
  });

ctxOpts(program.command('ps').description('the processes of the running cluster and their state'))
  .action(async (opts: { context?: string; nats?: string }) => { process.exitCode = await psCommand(opts); });

ctxOpts(program.command('logs').description('the output of one process of the running cluster').argument('<component>').option('--tail <n>', 'only the last n lines'))
  .action(async (component: string, opts: { tail?: string; context?: string; nats?: string }) => { process.exitCode = await logsCommand(component, opts); });

for (const verb of ['kill', 'restart'] as const) {
  ctxOpts(program.command(verb).description(verb === 'kill' ? 'kill -9 a component\'s process (recorded in the log as a crash fault)' : 'start a component\'s process again (recorded in the log)').argument('<component>'))
    .action(async (component: string, opts: { context?: string; nats?: string }) => { process.exitCode = await lifecycleCommand(verb, component, opts); });
}

for (const verb of ['pause', 'resume'] as const) {
  ctxOpts(program.command(verb).description(verb === 'pause' ? 'freeze a component\'s process (SIGSTOP; recorded in the log as a fault)' : 'continue a paused process (SIGCONT; recorded in the log)').argument('<component>'))
    .action(async (component: string, opts: { context?: string; nats?: string }) => { process.exitCode = await pauseCommand(verb, component, opts); });
}

ctxOpts(program.command('partition').description('cut a component\'s process off the nats-server(s): its connections reset, reconnects refused (recorded in the log as a fault)')
  .argument('<component>').option('--for <d>', 'heal by itself after this long, e.g. 10s'))
  .action(async (component: string, opts: { for?: string; context?: string; nats?: string }) => { process.exitCode = await partitionCommand(component, opts); });

ctxOpts(program.command('heal').description('end the partition of a component\'s process (recorded in the log)').argument('<component>'))
  .action(async (component: string, opts: { context?: string; nats?: string }) => { process.exitCode = await healCommand(component, opts); });

ctxOpts(program.command('fault').description('inject a pod or node fault into the running cluster, recorded in its log (docs/faults.md): container-crash, probe-failure, pod-readiness, pod-fail, node-down, node-up — e.g. kubesim fault probe-failure name=web-0 probe=liveness count=2')
  .argument('<type>').argument('[fields...]', 'KEY=VALUE (name=web-0, container=c, probe=liveness|readiness|startup, count=2, durationMs=30000, ready=false, node=node-a, …)')
  .option('-n, --namespace <ns>', 'the namespace of the pod (default: default)'))
  .action(async (type: string, fields: string[], opts: { namespace?: string; context?: string; nats?: string }) => { process.exitCode = await faultCommand(type, fields, opts); });

ctxOpts(program.command('down').description('stop the running cluster (what Ctrl-C does to kubesim up)'))
  .action(async (opts: { context?: string; nats?: string }) => { process.exitCode = await downCommand(opts); });

const logCmd = program.command('log').description('the event log of the running cluster');
ctxOpts(logCmd.command('export').description('write the cluster\'s log as a recording (hash chain), e.g. kubesim log export > run.jsonl')
  .option('-o, --output <file>', 'write to this file instead of stdout'))
  .action(async (opts: { output?: string; context?: string; nats?: string }) => { process.exitCode = await exportCommand(opts); });

// `kubesim replay FILE | head`: a reader that stops early ends the output quietly instead of an EPIPE trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit();
});

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
