#!/usr/bin/env node
import { Command, Option } from 'commander';
import { runCommand } from './commands/run.js';
import { getCommand } from './commands/get.js';
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

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
