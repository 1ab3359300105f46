import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The property suites' counterexample logs are ordinary recordings: verify re-runs them (with their variant), check judges them. */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const kubesim = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'apps/cli/src/main.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const pinned = (f: string) => join(root, 'packages/props/regressions', f);

describe('counterexample logs from the property suites', () => {
  it('verify re-runs a broken variant\'s counterexample with that variant; check reports the planted bug', () => {
    const f = pinned('variant-scale-down-lowest-first-seed4242-case1.jsonl');
    const v = kubesim('verify', f);
    expect(v.err).toBe('');
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^verified: \d+ entries identical/m);
    const c = kubesim('check', f, '--settled');
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/L3: pod default\/web-\d deleted for scale-down/);
  });

  it('a case that once exposed an engine bug verifies and checks clean', () => {
    const f = pinned('engine-kubelet-restart-shards.jsonl');
    expect(kubesim('verify', f).code).toBe(0);
    const c = kubesim('check', f, '--settled');
    expect(c.err).toBe('');
    expect(c.code).toBe(0);
  });
});
