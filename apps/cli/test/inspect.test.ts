import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject, Pod } from '@kubesim/api';
import { isLogDamage, isObjectEntry, LogWriter, parseLogText, type Envelope, type LogHeader, type ParsedLog } from '@kubesim/log';
import { AtCursor, parseAt } from '../src/commands/replay.js';
import { scenarioOfHeader } from '../src/commands/verify.js';
import { loadScenarioFile, runScenario, versionsFor } from '@kubesim/scenario';
import { readdirSync } from 'node:fs';

/** End-to-end: record logs with `kubesim run --log`, then inspect them with replay, explain, diff and verify. */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'kubesim-inspect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Result { code: number | null; out: string; err: string }
const kubesim = (...args: string[]): Promise<Result> => new Promise((resolve, reject) => {
  const p = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'apps/cli/src/main.ts'), ...args], { cwd: root });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  p.on('error', reject);
  p.on('close', (code) => resolve({ code, out, err }));
});

const seed1 = join(tmp, 'seed1.jsonl');
const seed1again = join(tmp, 'seed1-again.jsonl');
const seed3 = join(tmp, 'seed3.jsonl');
const damaged = join(tmp, 'damaged.jsonl');
const missing = join(tmp, 'missing.jsonl');
let log: ParsedLog;

const read = (path: string): ParsedLog => {
  const p = parseLogText(readFileSync(path, 'utf8'));
  if (isLogDamage(p)) throw new Error(p.reason);
  return p;
};
/** A log with a valid hash chain whose entries were changed by `edit`. */
const rewrite = (path: string, header: LogHeader, entries: readonly Envelope[]) => {
  const w = new LogWriter(header);
  for (const e of entries) w.push(e);
  w.writeTo(path);
};
const lastSeqOf = (kind: string, name: string): number =>
  log.entries.filter((e) => isObjectEntry(e) && e.object.kind === kind && e.object.metadata?.name === name).at(-1)!.seq;

beforeAll(async () => {
  const runs = await Promise.all([
    kubesim('run', 'examples/seed-statefulset.yaml', '-q', '--log', seed1),
    kubesim('run', 'examples/seed-statefulset.yaml', '-q', '--log', seed1again),
    kubesim('run', 'examples/seed-statefulset.yaml', '-q', '--seed', '3', '--log', seed3),
  ]);
  for (const r of runs) expect(r.code, r.err).toBe(0);
  log = read(seed1);
  const lines = readFileSync(seed1, 'utf8').split('\n');
  lines[41] = lines[41]!.replace('"time":', '"time": ');
  writeFileSync(damaged, lines.join('\n'));
}, 120_000);

describe('damaged and missing logs', () => {
  it('every command reports the damaged line and exits 2', async () => {
    const rs = await Promise.all([
      kubesim('replay', damaged),
      kubesim('get', 'pods', '--log', damaged),
      kubesim('explain', damaged, 'pod/stateful-pvc-0'),
      kubesim('diff', seed1, damaged),
      kubesim('diff', damaged, seed1),
      kubesim('verify', damaged),
      kubesim('verify', damaged, '--chain-only'),
    ]);
    for (const r of rs) {
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`^error: ${damaged.replace(/[.]/g, '\\.')}:42: damaged log: hash chain mismatch`));
      expect(r.out).toBe('');
    }
  });

  it('every command reports a missing file and exits 2', async () => {
    const rs = await Promise.all([
      kubesim('replay', missing), kubesim('explain', missing, 'pod/x'), kubesim('diff', seed1, missing), kubesim('verify', missing),
      kubesim('get', 'pods', '--log', missing),
    ]);
    for (const r of rs) {
      expect(r.code).toBe(2);
      expect(r.err).toBe(`error: ${missing}: no such file\n`);
    }
  });
});

describe('kubesim replay', () => {
  it('prints the position, the entry there and every object grouped by kind, at the end by default', async () => {
    const r = await kubesim('replay', seed1);
    expect(r.code).toBe(0);
    const n = log.entries.length;
    expect(r.out).toContain(`replay of ${seed1}: scenario "seed-statefulset", seed 1, embedded, ${n} entries`);
    expect(r.out).toMatch(new RegExp(`^at seq ${n} of ${n}, t=\\d+\\.\\d{3}s$`, 'm'));
    expect(r.out).toMatch(new RegExp(`^entry seq ${n} t=`, 'm'));
    expect(r.out).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npod\/stateful-pvc-0\s+1\/1\s+Running\s+0\s+\S+\npod\/stateful-pvc-1\s+1\/1\s+Running/m);
    expect(r.out).toMatch(/^statefulset\.apps\/stateful-pvc\s+/m);
    expect(r.out).toMatch(/^persistentvolumeclaim\/volume-stateful-pvc-2\s+Bound/m);
    // kinds in a fixed order: nodes before claims before pods
    expect(r.out.indexOf('node/node-a')).toBeLessThan(r.out.indexOf('persistentvolumeclaim/'));
    expect(r.out.indexOf('persistentvolumeclaim/')).toBeLessThan(r.out.indexOf('pod/stateful-pvc-0'));
  });

  it('shows the cluster at any seq, with the entry at that seq explained', async () => {
    const bind = log.entries.find((e) => e.op === 'bind')!;
    const r = await kubesim('replay', seed1, '--at', String(bind.seq));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^entry seq ${bind.seq} t=\\S+ scheduler bind pod/${bind.object!.metadata!.name!}: spec\\.nodeName set to node-[abc]`, 'm'));
    // Right after the first claim was created, before its volume was provisioned.
    const claimAdded = log.entries.find((e) => e.type === 'ADDED' && e.object?.kind === 'PersistentVolumeClaim')!.seq;
    const early = await kubesim('replay', seed1, '--at', String(claimAdded));
    expect(early.out).toMatch(/^persistentvolumeclaim\/volume-stateful-pvc-0\s+Pending/m);
    expect(early.out).not.toContain('stateful-pvc-1');
    const zero = await kubesim('replay', seed1, '--at', '0');
    expect(zero.out).toContain('at seq 0 of');
    expect(zero.out).toContain('No resources found');
  });

  it('takes a virtual time: the last entry at or before it', async () => {
    const t = 2000;
    const expected = log.entries.filter((e) => e.time <= t).at(-1)!.seq;
    const r = await kubesim('replay', seed1, '--at', 't=2s');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`at seq ${expected} of ${log.entries.length} (the last entry at or before t=2s), t=2.000s`);
  });

  it('prints one List as json or yaml, with the log position as its resourceVersion', async () => {
    const r = await kubesim('replay', seed1, '--at', '60', '-o', 'json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as { kind: string; metadata: { resourceVersion: string }; items: KObject[] };
    expect(list.kind).toBe('List');
    expect(list.metadata.resourceVersion).toBe('60');
    expect(list.items.every((o) => Number(o.metadata!.resourceVersion) <= 60)).toBe(true);
    expect(list.items.map((o) => o.kind)).toContain('StatefulSet');
    const y = await kubesim('replay', seed1, '--at', '60', '-o', 'yaml');
    expect(y.out).toMatch(/^kind: List$/m);
  });

  it('refuses an out-of-range or malformed position', async () => {
    const past = await kubesim('replay', seed1, '--at', '100000');
    expect(past.code).toBe(1);
    expect(past.err).toBe(`error: --at 100000 is past the end of the log (entries 1..${log.entries.length})\n`);
    const bad = await kubesim('replay', seed1, '--at', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--at must be a log seq/);
    const badTime = await kubesim('replay', seed1, '--at', 't=soon');
    expect(badTime.code).toBe(2);
  });

  it('its help points to kubesim get for one kind at a seq', async () => {
    const r = await kubesim('replay', '--help');
    expect(r.out).toContain('kubesim get KIND [NAME] --log FILE --at SEQ');
  });

  it('parseAt and AtCursor: seqs, times and the end', () => {
    expect(parseAt(undefined)).toEqual({ kind: 'end' });
    expect(parseAt('7')).toEqual({ kind: 'seq', seq: 7 });
    expect(parseAt('t=1.5')).toMatchObject({ kind: 'time', ms: 1500 });
    expect(parseAt('t=1m30s')).toMatchObject({ kind: 'time', ms: 90_000 });
    expect(typeof parseAt('-1')).toBe('string');
    expect(typeof parseAt('')).toBe('string');
    const e = (seq: number, time: number): Envelope => ({ seq, time, type: 'COMMAND', actor: 'u', cause: null });
    const c = new AtCursor({ kind: 'time', ms: 10, text: '10ms' });
    expect([e(1, 0), e(2, 10), e(3, 11), e(4, 5)].map((x) => c.includes(x))).toEqual([true, true, false, false]);
    expect(c.seq).toBe(2);
    expect(new AtCursor({ kind: 'seq', seq: 9 }).outOfRange(8)).toMatch(/past the end/);
    expect(new AtCursor({ kind: 'seq', seq: 8 }).outOfRange(8)).toBeUndefined();
  });
});

interface Row { seq: number; op: string; object: string; change: string }
const chainRows = (out: string): Row[] => {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => /^SEQ\s+TIME\s+ACTOR\s+OP\s+OBJECT\s+CHANGE$/.test(l));
  const rows: Row[] = [];
  for (const l of lines.slice(start + 1)) {
    const m = /^(\d+)\s+\S+\s+\S+\s+(\S+)\s+(\S+)\s+(.*)$/.exec(l);
    if (!m) break;
    rows.push({ seq: Number(m[1]), op: m[2]!, object: m[3]!, change: m[4]! });
  }
  return rows;
};

describe('kubesim explain', () => {
  it('follows the causes from the object back to the command that started it', async () => {
    const r = await kubesim('explain', seed1, 'pod/stateful-pvc-1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rows = chainRows(r.out);
    expect(rows.length).toBeGreaterThan(2);
    const last = lastSeqOf('Pod', 'stateful-pvc-1');
    expect(rows.at(-1)!.seq).toBe(last);
    expect(rows.at(-1)!.object).toBe('pod/stateful-pvc-1');
    expect(r.out).toMatch(new RegExp(`^pod/stateful-pvc-1 as of seq ${log.entries.length} \\(t=\\S+\\): last written at seq ${last}`));
    // the root is an input; every other step's cause is the step before it
    expect(rows[0]!.op).toBe('COMMAND');
    expect(log.entries[rows[0]!.seq - 1]!.cause).toBeNull();
    for (let i = 1; i < rows.length; i++) expect(log.entries[rows[i]!.seq - 1]!.cause).toBe(rows[i - 1]!.seq);
    // the last command of the run was "delete pod/stateful-pvc-1"
    expect(rows[0]!.change).toBe('delete target=pod/stateful-pvc-1');
    expect(r.out).toMatch(/^\d+\s+\S+\s+user\s+delete\s+pod\/stateful-pvc-1\s+metadata\.generation 1→2, metadata\.deletionTimestamp set to 2026-/m);
    expect(r.out).toMatch(/^\d+\s+\S+\s+scheduler\s+bind\s+pod\/stateful-pvc-1\s+spec\.nodeName set to node-[abc]/m);
    expect(r.out).toMatch(/status\.phase Pending→Running/);
  });

  it('explains the object as it was at an earlier seq, and lists its history', async () => {
    const scale = log.entries.find((e) => e.type === 'COMMAND' && (e.data as { command?: string }).command === 'scale')!;
    const at = scale.seq + 1; // the patch of the StatefulSet by the scale command
    const r = await kubesim('explain', seed1, 'sts/stateful-pvc', '--at', String(at), '--history');
    expect(r.code).toBe(0);
    const rows = chainRows(r.out);
    expect(rows.map((x) => x.seq)).toEqual([scale.seq, at]);
    expect(rows[0]!.change).toBe('scale target=statefulset/stateful-pvc replicas=3');
    expect(rows[1]!.change).toMatch(/spec\.replicas 1→3/);
    const history = log.entries.filter((e) => e.seq <= at && isObjectEntry(e) && e.object.kind === 'StatefulSet').map((e) => e.seq);
    expect(r.out).toContain(`History of statefulset/stateful-pvc (${history.length} entries up to seq ${at}):`);
    const historyLines = r.out.split('\n').slice(r.out.split('\n').findIndex((l) => l.startsWith('History of')) + 2).filter((l) => l !== '');
    expect(historyLines.map((l) => Number(l.split(/\s+/)[0]))).toEqual(history);
    expect(historyLines[0]).toMatch(/\screate\s+ADDED\s+created$/);
  });

  it('an unknown object is an error that lists similar names', async () => {
    const r = await kubesim('explain', seed1, 'pod/stateful-pvc');
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: pod/stateful-pvc is not in the log; similar: pod/stateful-pvc-0, pod/stateful-pvc-1, pod/stateful-pvc-2, statefulset/stateful-pvc\n');
    const later = await kubesim('explain', seed1, 'pod/stateful-pvc-2', '--at', '30');
    expect(later.code).toBe(1);
    expect(later.err).toMatch(/^error: pod\/stateful-pvc-2 does not exist yet at seq 30: its first entry is seq \d+\n$/);
    const kind = await kubesim('explain', seed1, 'widget/x');
    expect(kind.code).toBe(2);
    expect(kind.err).toContain('resource type "widget"');
    const shape = await kubesim('explain', seed1, 'stateful-pvc-0');
    expect(shape.code).toBe(2);
    expect(shape.err).toContain('KIND/NAME');
  });
});

describe('kubesim diff', () => {
  it('two runs with the same seed are identical (exit 0)', async () => {
    const r = await kubesim('diff', seed1, seed1again);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^identical: ${log.entries.length} entries$`, 'm'));
  });

  it('two seeds: the first divergence with both entries and the differing fields, then the final states (exit 1)', async () => {
    const b = read(seed3);
    const first = log.entries.findIndex((e, i) => JSON.stringify(e) !== JSON.stringify(b.entries[i])) + 1;
    const r = await kubesim('diff', seed1, seed3);
    expect(r.code).toBe(1);
    expect(r.out).toContain('headers differ: seed 1 vs 3');
    expect(r.out).toContain(`first divergence at seq ${first} (differing: object):`);
    expect(r.out).toMatch(new RegExp(`^  A: seq ${first} t=`, 'm'));
    expect(r.out).toMatch(new RegExp(`^  B: seq ${first} t=`, 'm'));
    expect(r.out).toMatch(/^ {4}object\.metadata\.uid \S+→\S+$/m);
    expect(r.out).toMatch(/^final states \(A at seq \d+, B at seq \d+\):$/m);
    expect(r.out).toMatch(/^ {4}pod\/stateful-pvc-0: \d+ fields$/m);
    expect(r.out).toMatch(/^ {6}metadata\.uid {2}A: \S+ {2}B: \S+$/m);
    const quiet = await kubesim('diff', seed1, seed3, '--ignore-meta');
    expect(quiet.code).toBe(1);
    const finalPart = quiet.out.slice(quiet.out.indexOf('final states'));
    expect(finalPart).toContain('uid, resourceVersion and timestamps ignored');
    expect(finalPart).not.toMatch(/metadata\.uid|resourceVersion {2}A:|creationTimestamp/);
    expect(finalPart).toMatch(/spec\.nodeName {2}A: node-[abc] {2}B: node-[abc]/);
  });

  it('a log that is a prefix of the other differs where it ends', async () => {
    const prefix = join(tmp, 'prefix.jsonl');
    rewrite(prefix, log.header, log.entries.slice(0, 100));
    const r = await kubesim('diff', prefix, seed1);
    expect(r.code).toBe(1);
    expect(r.out).toContain('first divergence at seq 101: A ends at seq 100; B goes on');
    expect(r.out).toMatch(/^ {2}B: seq 101 /m);
  });
});

describe('kubesim verify', () => {
  it('takes the recorded scenario of every example for a re-run — every kind of step (drain, evict, pause, partition, …) — and the re-run is identical', () => {
    const dir = join(root, 'examples');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
      const sc = loadScenarioFile(join(dir, f));
      if (sc._tag === 'Left') throw new Error(sc.left.message);
      const first = runScenario(sc.right, { seed: 2 });
      // The header as `kubesim run --log` writes it (JSON), read back.
      const header = JSON.parse(JSON.stringify({ kubesim: 'log', format: 1, seed: 2, scenario: first.scenario, source: f, versions: versionsFor(first.scenario.cluster), mode: 'embedded' })) as LogHeader;
      const again = scenarioOfHeader(header);
      expect(typeof again === 'string' ? `${f}: ${again}` : f).toBe(f);
      const rerun = runScenario(again as Exclude<typeof again, string>, { seed: 2 });
      expect(rerun.sim.log.all().map((e) => JSON.stringify(e)), f).toEqual(first.sim.log.all().map((e) => JSON.stringify(e)));
    }
  });

  it('re-runs an untouched log from its header and finds every entry identical', async () => {
    const r = await kubesim('verify', seed1);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^verified: ${log.entries.length} entries identical \\(scenario "seed-statefulset", seed 1`));
    const s2 = await kubesim('verify', seed3);
    expect(s2.code).toBe(0);
  });

  it('finds an altered entry behind a rebuilt hash chain: the first differing seq, both versions, what differs (exit 1)', async () => {
    const bind = log.entries.find((e) => e.op === 'bind')!;
    const node = (bind.object as { spec: { nodeName: string } }).spec.nodeName;
    const other = node === 'node-a' ? 'node-b' : 'node-a';
    const altered = log.entries.map((e) => (e.seq === bind.seq
      ? { ...e, object: { ...e.object!, spec: { ...(e.object as { spec: object }).spec, nodeName: other } } as KObject }
      : e));
    const path = join(tmp, 'altered.jsonl');
    rewrite(path, log.header, altered);
    expect(isLogDamage(parseLogText(readFileSync(path, 'utf8')))).toBe(false);
    const r = await kubesim('verify', path);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`MISMATCH at seq ${bind.seq}: the re-run (seed 1) differs from the recording`);
    expect(r.out).toMatch(new RegExp(`^  recorded: seq ${bind.seq} \\S+ scheduler bind \\S+: spec\\.nodeName set to ${other}`, 'm'));
    expect(r.out).toMatch(new RegExp(`^  re-run: +seq ${bind.seq} \\S+ scheduler bind \\S+: spec\\.nodeName set to ${node}`, 'm'));
    expect(r.out).toContain('differing fields: object (recorded→re-run):');
    expect(r.out).toContain(`object.spec.nodeName ${other}→${node}`);
    expect(r.out).toContain(`entries 1..${bind.seq - 1} are identical`);
  });

  it('finds a recording cut short and one with an extra entry', async () => {
    const short = join(tmp, 'short.jsonl');
    rewrite(short, log.header, log.entries.slice(0, -1));
    const r = await kubesim('verify', short);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`MISMATCH at seq ${log.entries.length}`);
    expect(r.out).toContain(`the recording ends at seq ${log.entries.length - 1}; the re-run goes on to seq ${log.entries.length}`);
    const long = join(tmp, 'long.jsonl');
    const n = log.entries.length;
    rewrite(long, log.header, [...log.entries, { seq: n + 1, time: 1e9, type: 'FAULT', actor: 'system:chaos', cause: null, data: { fault: 'extra' } }]);
    const l = await kubesim('verify', long);
    expect(l.code).toBe(1);
    expect(l.out).toContain(`the re-run ends at seq ${n}; the recording goes on to seq ${n + 1}`);
  });

  it('a recording of another seed than its header says does not verify', async () => {
    const b = read(seed3);
    const path = join(tmp, 'wrong-seed.jsonl');
    rewrite(path, log.header, b.entries);
    const r = await kubesim('verify', path);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^MISMATCH at seq \d+/);
  });

  it('a distributed-mode log is not re-run, but its chain can be checked', async () => {
    const path = join(tmp, 'distributed.jsonl');
    rewrite(path, { ...log.header, mode: 'distributed' }, log.entries);
    const r = await kubesim('verify', path);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/recorded in distributed mode.*cannot be re-run deterministically.*--chain-only/s);
    const c = await kubesim('verify', path, '--chain-only');
    expect(c.code).toBe(0);
    expect(c.out).toMatch(new RegExp(`^hash chain intact: ${log.entries.length} entries`));
  });

  it('a log of a deliberately changed component set (header variant) is not re-run with the default components', async () => {
    const path = join(tmp, 'variant.jsonl');
    const header: LogHeader = Object.assign({}, log.header, { variant: 'broken-ordering' });
    rewrite(path, header, log.entries);
    const r = await kubesim('verify', path);
    expect(r.code).toBe(2);
    expect(r.err).toContain('recorded with the component variant "broken-ordering"');
    expect((await kubesim('verify', path, '--chain-only')).code).toBe(0);
  });

  it('a header without a re-runnable scenario is reported (exit 2)', async () => {
    const path = join(tmp, 'no-scenario.jsonl');
    rewrite(path, { ...log.header, scenario: { name: 'x' } }, log.entries);
    const r = await kubesim('verify', path);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: cannot re-run ${path}: the header's scenario has no cluster.nodes list\n`);
  });
});

describe('kubesim rollout (of a recorded log)', () => {
  it('history and status as kubectl would have printed them at the end or at any position; restart/undo need a running cluster', async () => {
    const file = join(tmp, 'rollout.jsonl');
    const run = await kubesim('run', 'examples/rollout.yaml', '--log', file);
    expect(run.code, run.err).toBe(0);
    const history = await kubesim('rollout', 'history', 'statefulset/web', '--log', file);
    expect(history.out).toBe('statefulset.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n4         <none>\n');
    const rev3 = await kubesim('rollout', 'history', 'statefulset/web', '--log', file, '--revision', '3');
    expect(rev3.out).toMatch(/^statefulset\.apps\/web with revision #3\nPod Template:\n {2}Labels: +app=nginx\n {2}Annotations: +kubectl\.kubernetes\.io\/restartedAt: 2026-01-01T00:00:\d\dZ\n/);
    expect(rev3.out).toMatch(/Image: +nginx:1\.26\n[\s\S]*\/usr\/share\/nginx\/html from www \(rw\)/);
    const done = await kubesim('rollout', 'status', 'statefulset/web', '--log', file);
    expect([done.code, done.out]).toEqual([0, 'partitioned roll out complete: 3 new pods have been updated...\n']);
    // Before the first pod was Ready the rollout was not done: reported (exit 1), not waited for.
    const early = await kubesim('rollout', 'status', 'statefulset/web', '--log', file, '--at', 't=2s');
    expect(early.code).toBe(1);
    expect(early.out).toMatch(/^Waiting for [1-3] pods to be ready\.\.\.\n$/);
    const before = await kubesim('rollout', 'history', 'statefulset/web', '--log', file, '--at', 't=3s');
    expect(before.out).toBe('statefulset.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n');
    const undo = await kubesim('rollout', 'undo', 'statefulset/web', '--log', file);
    expect([undo.code, undo.err]).toEqual([2, 'error: rollout undo changes a cluster; a recorded log can only be read (status, history)\n']);
    // describe statefulset as kubectl lays it out (Go's tabwriter: a column per run of tabbed lines).
    const described = await kubesim('describe', 'statefulset/web', '--log', file);
    expect(described.out.split('\n').slice(0, 12)).toEqual([
      'Name:               web', 'Namespace:          default', 'CreationTimestamp:  Thu, 01 Jan 2026 00:00:00 +0000', 'Selector:           app=nginx',
      'Labels:             <none>', 'Annotations:        <none>', 'Replicas:           3 desired | 3 total', 'Update Strategy:    RollingUpdate',
      '  Partition:        0', '  MaxUnavailable:   1', 'Pods Status:        3 Running / 0 Waiting / 0 Succeeded / 0 Failed', 'Pod Template:',
    ]);
    expect(described.out).toContain('Volume Claims:\n  Name:          www\n  StorageClass:  fast\n  Labels:        <none>\n  Annotations:   <none>\n  Capacity:      1Gi\n  Access Modes:  [ReadWriteOnce]\n\nEvents:\n  Type    Reason            Age');
    expect(described.out).toMatch(/ {2}Normal {2}SuccessfulCreate {2}\S+ +statefulset-controller {2}create Claim www-web-0 Pod web-0 in StatefulSet web success\n/);
    // describe pvc: the claim kept through three rollouts, bound, used by the pod of its ordinal.
    const claim = await kubesim('describe', 'pvc/www-web-0', '--log', file);
    const cl = claim.out.split('\n');
    expect(cl.slice(0, 5)).toEqual(['Name:          www-web-0', 'Namespace:     default', 'StorageClass:  fast', 'Status:        Bound', expect.stringMatching(/^Volume: {8}pvc-[0-9a-f-]{36}$/)]);
    expect(cl).toContain('Labels:        app=nginx');
    expect(cl.slice(cl.indexOf('Finalizers:    [kubernetes.io/pvc-protection]'), cl.indexOf('Finalizers:    [kubernetes.io/pvc-protection]') + 5))
      .toEqual(['Finalizers:    [kubernetes.io/pvc-protection]', 'Capacity:      1Gi', 'Access Modes:  RWO', 'VolumeMode:    Filesystem', 'Used By:       web-0']);
    expect(claim.out).toMatch(/\n\nEvents:\n[\s\S]*ProvisioningSucceeded/);
    // As it was created (just before its pod): Pending, no volume yet, so no capacity or access modes, nobody using it.
    const created = read(file).entries.find((e) => e.type === 'ADDED' && e.object?.kind === 'PersistentVolumeClaim' && e.object.metadata?.name === 'www-web-0')!;
    const pending = await kubesim('describe', 'pvc/www-web-0', '--log', file, '--at', String(created.seq));
    expect(pending.out).toMatch(/\nStatus: {8}Pending\nVolume: +\n[\s\S]*\nCapacity: +\nAccess Modes: +\nVolumeMode: {4}Filesystem\nUsed By: {7}<none>\n/);
    const rs = await kubesim('rollout', 'history', 'statefulset/nothing', '--log', file);
    expect([rs.code, rs.err]).toEqual([1, 'Error from server (NotFound): statefulsets.apps "nothing" not found\n']);
  });
});

describe('kubesim describe pod, node, service and pv (kubectl layout)', () => {
  it('a pod in CrashLoopBackOff: node/host IP, IPs, Controlled By, its container\'s state and last state, conditions, claim volume, QoS, tolerations, events; its service\'s endpoints; its volume', async () => {
    const file = join(tmp, 'crashloop.jsonl');
    expect((await kubesim('run', 'examples/crashloop.yaml', '--log', file)).code).toBe(0);
    const log = read(file);
    const backoff = log.entries.find((e) => e.object?.kind === 'Pod' && e.object.metadata?.name === 'web-0'
      && (e.object as Pod).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff')!;
    const pod = backoff.object as Pod;
    const d = await kubesim('describe', 'pod/web-0', '--log', file, '--at', String(backoff.seq));
    expect(d.code, d.err).toBe(0);
    const lines = d.out.split('\n');
    expect(lines.slice(0, 17)).toEqual([
      // Priority admission gave the pod priority 0 (no PriorityClass), ServiceAccount admission the `default` account.
      'Name:             web-0', 'Namespace:        default', 'Priority:         0', 'Service Account:  default', `Node:             ${pod.spec!.nodeName!}/${pod.status!.hostIP!}`,
      expect.stringMatching(/^Start Time: {7}Thu, 01 Jan 2026 00:00:\d\d \+0000$/),
      'Labels:           app=nginx', '                  apps.kubernetes.io/pod-index=0', expect.stringMatching(/^ {18}controller-revision-hash=web-[a-z0-9]+$/),
      '                  statefulset.kubernetes.io/pod-name=web-0', 'Annotations:      <none>', 'Status:           Running', `IP:               ${pod.status!.podIP!}`,
      // IPs: ends the tabwriter's column (a line without a tab), so what follows is aligned apart, as kubectl prints it.
      'IPs:', `  IP:           ${pod.status!.podIP!}`, 'Controlled By:  StatefulSet/web', 'Containers:',
    ]);
    const container = lines.slice(lines.indexOf('  nginx:'), lines.indexOf('Conditions:'));
    expect(container).toEqual([
      '  nginx:', `    Container ID:   ${pod.status!.containerStatuses![0]!.containerID!}`, '    Image:          nginx:1.25',
      expect.stringMatching(/^ {4}Image ID: {7}docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/), '    Port:           <none>', '    Host Port:      <none>',
      '    State:          Waiting', '      Reason:       CrashLoopBackOff', '    Last State:     Terminated', '      Reason:       Error', '      Exit Code:    1',
      expect.stringMatching(/^ {6}Started: {6}Thu, 01 Jan 2026 /), expect.stringMatching(/^ {6}Finished: {5}Thu, 01 Jan 2026 /),
      '    Ready:          False', '    Restart Count:  1', '    Readiness:      http-get http://:80/ delay=0s timeout=1s period=10s #success=1 #failure=3',
      '    Environment:    <none>', '    Mounts:', '      /usr/share/nginx/html from www (rw)',
      expect.stringMatching(/^ {6}\/var\/run\/secrets\/kubernetes\.io\/serviceaccount from kube-api-access-[a-z0-9]{5} \(ro\)$/),
    ]);
    const token = pod.spec!.volumes!.find((v) => v.name.startsWith('kube-api-access-'))!.name;
    expect(d.out).toContain([
      'Conditions:', '  Type                        Status', '  PodReadyToStartContainers   True ', '  Initialized                 True ', '  Ready                       False ',
      '  ContainersReady             False ', '  PodScheduled                True ', 'Volumes:', '  www:',
      '    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)', '    ClaimName:  www-web-0', '    ReadOnly:   false',
      // The token volume, as kubectl 1.35 prints a projected volume; one run of tabbed lines down to the tolerations.
      `  ${token}:`, '    Type:                    Projected (a volume that contains injected data from multiple sources)', '    TokenExpirationSeconds:  3607',
      '    ConfigMapName:           kube-root-ca.crt', '    Optional:                false', '    DownwardAPI:             true',
      'QoS Class:                   BestEffort', 'Node-Selectors:              <none>', 'Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s',
      '                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s', '', 'Events:',
    ].join('\n'));
    expect(d.out).toMatch(/\n {2}Normal {3}Started +\S+ \(x2 over \S+\) +kubelet +spec\.containers\{nginx\}: Container started\n/);
    // At the end: running again after its fourth restart, Ready.
    const end = await kubesim('describe', 'pod/web-0', '--log', file);
    expect(end.out).toMatch(/\n {4}State: {10}Running\n {6}Started: {6}Thu, 01 Jan 2026 [\d:]+ \+0000\n {4}Last State: {5}Terminated\n {6}Reason: {7}Error\n/);
    expect(end.out).toContain('\n    Ready:          True\n    Restart Count:  4\n');
    // describe service: the port's endpoints from its EndpointSlices — none ready during the back-off, both pods at the end.
    const svcThen = await kubesim('describe', 'svc/nginx', '--log', file, '--at', String(backoff.seq));
    expect(svcThen.out).toBe([
      'Name:                     nginx', 'Namespace:                default', 'Labels:                   <none>', 'Annotations:              <none>', 'Selector:                 app=nginx',
      'Type:                     ClusterIP', 'IP Family Policy:         SingleStack', 'IP Families:              IPv4', 'IP:                       None', 'IPs:                      None',
      'Port:                     web  80/TCP', 'TargetPort:               80/TCP', 'Endpoints:                ', 'Session Affinity:         None',
      // The defaulted internal traffic policy (SetDefaults_Service), as every ClusterIP Service shows it.
      'Internal Traffic Policy:  Cluster', '',
    ].join('\n') + svcThen.out.slice(svcThen.out.indexOf('\nEvents:') + 1));
    const pods = log.entries.filter((e) => e.object?.kind === 'Pod').map((e) => e.object as Pod);
    const ipOf = (name: string): string => pods.filter((p) => p.metadata?.name === name && p.status?.podIP).at(-1)!.status!.podIP!;
    const svcEnd = await kubesim('describe', 'svc/nginx', '--log', file);
    expect(svcEnd.out).toContain(`\nEndpoints:                ${ipOf('web-0')}:80,${ipOf('web-1')}:80\n`);
    // describe pv: the volume bound to web-0's claim.
    const claim = log.entries.filter((e) => e.object?.kind === 'PersistentVolumeClaim' && e.object.metadata?.name === 'www-web-0').at(-1)!.object as KObject & { spec?: { volumeName?: string } };
    const pv = await kubesim('describe', `pv/${claim.spec!.volumeName!}`, '--log', file);
    expect(pv.out.split('\n').slice(0, 14)).toEqual([
      `Name:            ${claim.spec!.volumeName!}`, 'Labels:          <none>', 'Annotations:     pv.kubernetes.io/bound-by-controller: yes',
      '                 pv.kubernetes.io/provisioned-by: kubesim.io/hostpath', 'Finalizers:      [kubernetes.io/pv-protection]', 'StorageClass:    standard',
      'Status:          Bound', 'Claim:           default/www-web-0', 'Reclaim Policy:  Delete', 'Access Modes:    RWO', 'VolumeMode:      Filesystem',
      'Capacity:        1Gi', 'Node Affinity:   <none>', 'Message:         ',
    ]);
  });

  it('a pod with cpu and memory requests is Burstable; a deleted pod shows Terminating and its grace period; describe node of its lost node', async () => {
    const file = join(tmp, 'node-failure.jsonl');
    expect((await kubesim('run', 'examples/node-failure.yaml', '--log', file)).code).toBe(0);
    const log = read(file);
    const deleted = log.entries.find((e) => e.object?.kind === 'Pod' && e.object.metadata?.deletionTimestamp !== undefined && (e.object as Pod).status?.phase === 'Running')!;
    const name = deleted.object!.metadata!.name!;
    const d = await kubesim('describe', `pod/${name}`, '--log', file, '--at', String(deleted.seq));
    // The deletionTimestamp is the end of the grace period, still ahead: kubectl's HumanDuration of a negative age.
    expect(d.out).toMatch(/\nStatus: +Terminating \(lasts <invalid>\)\nTermination Grace Period: +10s\n/);
    expect(d.out).toMatch(/\nQoS Class: +Burstable\n/);
    // Requests: ends a column; its amounts align with the lines after them (Environment), as kubectl prints them.
    expect(d.out).toContain('\n    Requests:\n      cpu:        2\n      memory:     1Gi\n    Environment:  <none>\n');
    // describe node: the lost node past its grace period — tainted, Ready Unknown, still holding web-1's requests.
    const node = await kubesim('describe', `node/${(deleted.object as Pod).spec!.nodeName!}`, '--log', file, '--at', String(deleted.seq));
    expect(node.code, node.err).toBe(0);
    const n = node.out.split('\n');
    expect(n.slice(0, 10)).toEqual([
      'Name:               node-b', 'Roles:              <none>', 'Labels:             kubernetes.io/arch=amd64', '                    kubernetes.io/hostname=node-b',
      '                    kubernetes.io/os=linux', 'Annotations:        <none>', 'CreationTimestamp:  Thu, 01 Jan 2026 00:00:00 +0000',
      // printNodeTaintsMultiline: by effect, then key.
      'Taints:             node.kubernetes.io/unreachable:NoExecute', '                    node.kubernetes.io/unreachable:NoSchedule', 'Unschedulable:      false',
    ]);
    expect(node.out).toMatch(/\nConditions:\n {2}Type {4}Status {4}LastHeartbeatTime +LastTransitionTime +Reason +Message\n[ -]+\n {2}Ready {3}Unknown {3}Thu, 01 Jan 2026 [\d:]+ \+0000 +Thu, 01 Jan 2026 [\d:]+ \+0000 +NodeStatusUnknown +Kubelet stopped posting node status\.\n/);
    expect(node.out).toContain('\nCapacity:\n  cpu:     7\n  memory:  8Gi\n  pods:    110\nAllocatable:\n');
    // One run of tabbed lines from System Info to the pods table, as in kubectl's own output.
    expect(node.out).toMatch(/\n {2}Kubelet Version: {12}v1\.35\.0-kubesim\nPodCIDR: {22}10\.64\.1\.0\/24\nNon-terminated Pods: {10}\(1 in total\)\n/);
    // Its age in HumanDuration's minutes (`5m58s`, or `6m` on the minute).
    expect(node.out).toMatch(/\n {2}default +web-1 +2 \(28%\) +0 \(0%\) +1Gi \(12%\) +0 \(0%\) +\d+m(\d+s)?\n/);
    expect(node.out).toContain('\n  cpu                2 (28%)    0 (0%)\n  memory             1Gi (12%)  0 (0%)\n  ephemeral-storage  0 (0%)     0 (0%)\n');
    expect(node.out).toMatch(/\n\nEvents:\n[\s\S]*NodeNotReady +\S+ +node-controller +Node node-b status is now: NodeNotReady\n/);
  });
});

describe('kubesim describe (kubectl layout for StatefulSets and ReplicaSets)', () => {
  it('a ReplicaSet: fields, replicas current / desired, pods status, its template (with its claim volume), its events', async () => {
    const file = join(tmp, 'rs.jsonl');
    expect((await kubesim('run', 'examples/seed-replicaset.yaml', '--log', file)).code).toBe(0);
    const d = await kubesim('describe', 'replicaset/replica-pvc', '--log', file);
    const lines = d.out.split('\n');
    expect(lines.slice(0, 8)).toEqual([
      'Name:         replica-pvc', 'Namespace:    default', 'Selector:     type=db1', 'Labels:       <none>', 'Annotations:  <none>',
      'Replicas:     3 current / 3 desired', expect.stringMatching(/^Pods Status: {2}\d Running \/ \d Waiting \/ 0 Succeeded \/ 0 Failed$/), 'Pod Template:',
    ]);
    expect(d.out).toContain('    ClaimName:     volume-shared\n');
    expect(d.out).toMatch(/\n\nEvents:\n {2}Type {4}Reason {12}Age +From +Message\n/);
    expect(d.out).toMatch(/replicaset-controller {2}Created pod: replica-pvc-[a-z0-9]{5}\n/);
  });
});
