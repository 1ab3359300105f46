#!/usr/bin/env node
import { Command, Option } from 'commander';
import { runCommand } from './commands/run.js';
import { getCommand } from './commands/get.js';
import { replayCommand } from './commands/replay.js';
import { explainCommand } from './commands/explain.js';
import { diffCommand } from './commands/diff.js';
import { verifyCommand } from './commands/verify.js';
import { checkCommand } from './commands/check.js';
import { VERSIONS } from './version.js';

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
  .action((file: string, opts: { seed?: string; log?: string; quiet?: boolean; timeline?: boolean }) => {
    process.exitCode = runCommand(file, opts);
  });

program.command('get')
  .description('print objects of a recorded log as kubectl does')
  .argument('<kind>', 'kind or resource (pods, sts, pvc, pv, ...)')
  .argument('[name]', 'object name')
  .requiredOption('--log <file>', 'recorded log (from kubesim run --log)')
  .option('--at <seq>', 'the cluster as it was at this log position (default: the end)')
  .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'yaml', 'wide']))
  .option('-n, --namespace <ns>', 'namespace', 'default')
  .option('-A, --all-namespaces', 'list across all namespaces')
  .action((kind: string, name: string | undefined, opts: { log?: string; at?: string; output?: string; namespace?: string; allNamespaces?: boolean }) => {
    process.exitCode = getCommand(kind, name, opts);
  });

program.command('replay')
  .description('print the cluster as it was at a position of a recorded log (default: the end)')
  .argument('<file>', 'recorded log (from kubesim run --log)')
  .option('--at <seq>', 'log position: a seq (0..last), or a virtual time t=12.5s (the last entry at or before it)')
  .addOption(new Option('-o, --output <format>', 'output format (json/yaml: one List of every object)').choices(['json', 'yaml', 'wide']))
  .addHelpText('after', `
Prints the log position (seq, virtual time), the entry at that seq with what it changed, then every object
grouped by kind as kubectl get prints it. One kind only, as kubectl would:
  kubesim get KIND [NAME] --log FILE --at SEQ [-o json|yaml|wide]
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

// `kubesim replay FILE | head`: a reader that stops early ends the output quietly instead of an EPIPE trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit();
});

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
