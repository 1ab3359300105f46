import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatefulSet } from '@kubesim/api';
import { isLogDamage, LogWriter, parseLogText, type Envelope } from '@kubesim/log';

/** End-to-end: `kubesim check` on a recorded log, a log whose (re-chained) entries break a rule, a damaged log. */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'kubesim-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const kubesim = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'apps/cli/src/main.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const good = join(tmp, 'seed.jsonl');
const broken = join(tmp, 'broken.jsonl');
const damaged = join(tmp, 'damaged.jsonl');
let statusSeq = 0;

beforeAll(() => {
  const r = kubesim('run', 'examples/seed-statefulset.yaml', '-q', '--log', good);
  expect(r.code, r.err).toBe(0);
  const text = readFileSync(good, 'utf8');
  const parsed = parseLogText(text);
  if (isLogDamage(parsed)) throw new Error(parsed.reason);
  // A valid hash chain over entries that break L9: the first status write claims 7 ready replicas.
  const w = new LogWriter(parsed.header);
  for (const e of parsed.entries) {
    const o = e.object as StatefulSet | undefined;
    if (statusSeq === 0 && o?.kind === 'StatefulSet' && e.op === 'update/status') {
      statusSeq = e.seq;
      w.push({ ...e, object: { ...o, status: { ...o.status!, readyReplicas: 7 } } } as Envelope);
    } else w.push(e);
  }
  w.writeTo(broken);
  const lines = text.split('\n');
  lines[29] = lines[29]!.replace('"time":', '"time": ');
  writeFileSync(damaged, lines.join('\n'));
}, 120_000);

describe('kubesim check', () => {
  it('passes a recorded run: one line per checker, exit 0', () => {
    const r = kubesim('check', good);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^checking .*seed\.jsonl: scenario "seed-statefulset", seed 1, embedded, \d+ entries\n/);
    expect(r.out).toMatch(/^ {2}K1 +ok +monotonic invariants/m);
    expect(r.out).toMatch(/^ {2}LIVE +ok +liveness/m);
    expect(r.out).toMatch(/\nOK: 23 checkers, no violation in \d+ entries\n$/);
  });

  it('prints each violation with its seqs and the failing checker, exit 1; --only selects checkers', () => {
    const r = kubesim('check', broken);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`\nViolations:\n  L9: status of statefulset default/stateful-pvc written at seq ${statusSeq} by statefulset-controller: readyReplicas 7 > replicas 0`);
    expect(r.out).toMatch(/^ {2}L9 +1 violation +status sanity/m);
    expect(r.out).toMatch(/\nFAIL: \d+ violations? \(.*L9.*\)\n$/);
    const only = kubesim('check', broken, '--only', 'K1,L3');
    expect(only.code).toBe(0);
    expect(only.out).toMatch(/\nOK: 2 checkers, no violation/);
  });

  it('--json prints the violations and the summary', () => {
    const r = kubesim('check', broken, '--only', 'L9', '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { ok: boolean; scenario: string; violations: { checker: string; seqs: number[]; message: string }[]; summary: { id: string; violations: number }[] };
    expect(j.ok).toBe(false);
    expect(j.scenario).toBe('seed-statefulset');
    expect(j.violations.map((v) => [v.checker, v.seqs[0]])).toEqual([['L9', statusSeq]]);
    expect(j.summary).toEqual([{ id: 'L9', title: expect.any(String) as unknown as string, violations: 1 }]);
  });

  it('a damaged log is reported with its line number (exit 2); so are a missing file and an unknown checker', () => {
    const r = kubesim('check', damaged);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^error: ${damaged.replace(/[.]/g, '\\.')}:30: damaged log: hash chain mismatch`));
    const missing = kubesim('check', join(tmp, 'nope.jsonl'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.jsonl: no such file/);
    const bad = kubesim('check', good, '--only', 'K6');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: --only: unknown checker K6 \(known: LOG, K1, /);
  });
});
