#!/usr/bin/env node
// `pnpm test:props [--runs N] [--seed S] [--variants]`: the property suites with a larger budget.
// N cases per suite (9 suites: OrderedReady/Parallel × the four retention policies, and ReplicaSets).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import process from 'node:process';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    variants: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`--runs must be a positive integer, got "${values.runs}"\n`);
  process.exit(2);
}
const env = { ...process.env, PROPS_RUNS: String(runs), ...(values.seed ? { PROPS_SEED: values.seed } : {}) };
const files = ['packages/props/test/props.test.ts', ...(values.variants ? ['packages/props/test/variants.test.ts'] : [])];
process.stdout.write(`property suites: ${runs} runs per suite${values.seed ? `, seed ${values.seed}` : ''}\n`);
const r = spawnSync('vitest', ['run', ...files], { stdio: 'inherit', env, shell: process.platform === 'win32' });
process.exit(r.status ?? 1);
