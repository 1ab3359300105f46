import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { KObject } from '@kubesim/api';
import { serializeLog, streamLogFile, type Envelope, type LogHeader } from '@kubesim/log';
import { createCluster, type ClusterSpec } from '@kubesim/runtime';
import { nodeNames } from '@kubesim/scenario';
import {
  CHECKERS, checkAll, checkLog, checkerIds, createCheckSuite, parseCheckerList, selectCheckers, type Violation,
} from '../src/index.js';
import { LogBuilder, SS, orderedUp, settledStatus } from './builder.js';

const tmp = mkdtempSync(join(tmpdir(), 'kubesim-invariants-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A log with one L9 violation at a known seq in the middle. */
const withViolation = () => {
  const b = new LogBuilder();
  const { set } = orderedUp(b, 2);
  const bad = b.mod(SS, { ...set, status: { ...settledStatus(2), readyReplicas: 3 } }, { op: 'update/status' });
  b.mod(SS, { ...set, status: settledStatus(2) }, { op: 'update/status' });
  return { entries: b.entries, bad };
};

describe('the streaming suite', () => {
  it('reports a violation as soon as its entry is observed, and the same as checkAll at the end', () => {
    const { entries, bad } = withViolation();
    // (LIVE would also object: a status that claims 3 ready pods leaves the desired state without an input.)
    const suite = createCheckSuite({ skip: ['LIVE'] });
    const seen: Violation[] = [];
    for (const e of entries) {
      suite.observe(e);
      if (e.seq === bad - 1) expect(suite.violations()).toEqual([]);
      if (e.seq === bad) seen.push(...suite.violations());
    }
    expect(seen.map((v) => v.checker)).toEqual(['L9']);
    const r = suite.finish();
    expect(r.violations).toEqual(checkAll(entries, { skip: ['LIVE'] }));
    expect(r.entries).toBe(entries.length);
    expect(r.lastSeq).toBe(entries.length);
    expect(r.summary.find((s) => s.id === 'L9')?.violations).toBe(1);
    expect(suite.finish()).toBe(r);
    expect(() => suite.observe(entries[0]!)).toThrow('observe after finish');
  });

  it('checks a recording file entry by entry through streamLogFile', async () => {
    const { entries } = withViolation();
    const header: LogHeader = { kubesim: 'log', format: 1, seed: 1, scenario: null, versions: {}, mode: 'embedded' };
    const file = join(tmp, 'v.jsonl');
    writeFileSync(file, serializeLog(header, entries));
    const suite = createCheckSuite({ only: ['L9', 'LOG'] });
    const damage = await streamLogFile(file, () => undefined, (e) => suite.observe(e));
    expect(damage).toBeUndefined();
    expect(suite.finish().violations.map((v) => v.checker)).toEqual(['L9']);
  });

  it('selects checkers by id (case-insensitive), refuses unknown ids, and caps what it keeps', () => {
    expect(checkerIds()).toEqual(CHECKERS.map((c) => c.id));
    expect(checkerIds()).toEqual(expect.arrayContaining(['LOG', 'K1', 'K2', 'K3', 'K4', 'K5', 'K7', 'L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8', 'L9', 'L10', 'L11', 'CLAIM', 'BIND', 'RWO', 'LIVE']));
    expect(selectCheckers(parseCheckerList('k1, L3 ,')).map((c) => c.id)).toEqual(['K1', 'L3']);
    expect(selectCheckers(undefined, ['LIVE']).map((c) => c.id)).not.toContain('LIVE');
    expect(() => selectCheckers(['K6', 'L3'])).toThrow(/^unknown checker K6 \(known: LOG, K1/);
    const { entries } = withViolation();
    const many = entries.map((e) => (e.object?.kind === 'StatefulSet' && e.op === 'update/status' ? { ...e, object: { ...e.object, status: { replicas: 0, readyReplicas: 9 } } as KObject } : e));
    const found: Violation[] = [];
    const r = checkLog(many, { only: ['L9'], maxViolationsPerChecker: 1, onViolation: (v) => found.push(v) });
    expect(r.violations).toHaveLength(1);
    expect(found.length).toBeGreaterThan(1);
    expect(r.summary).toEqual([{ id: 'L9', title: expect.any(String) as unknown as string, violations: found.length }]);
  });
});

// How fast the checkers are (≥ 25 % of JSON.parse) is `pnpm bench replay`'s figure, not a test's: a timed
// assertion here would fail on a loaded machine and pass on a fast one whatever the code.
describe('a large real log', () => {
  it('every checker passes a large real log (250 Parallel replicas: scale-up, rollout, scale-down), parsed from its JSON lines', () => {
    const spec: ClusterSpec = {
      nodes: nodeNames(10).map((name) => ({ name, capacity: { pods: 110, cpu: '64', memory: '256Gi' } })),
      storageClasses: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'kubesim.io/hostpath', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' } as KObject],
      namespaces: ['default'],
    };
    const sim = createCluster(spec, 7);
    const set = {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'big' },
      spec: {
        replicas: 250, podManagementPolicy: 'Parallel', serviceName: 'big', selector: { matchLabels: { app: 'big' } },
        template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], terminationGracePeriodSeconds: 1 } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast' } }],
      },
    } as KObject;
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'big' }, spec: { clusterIP: 'None', selector: { app: 'big' }, ports: [{ name: 'web', port: 80 }] } } as KObject;
    const steps: Parameters<typeof sim.command>[1][] = [
      [{ verb: 'create', object: svc }, { verb: 'create', object: set }],
      [{ verb: 'patch', kind: 'StatefulSet', namespace: 'default', name: 'big', patch: { spec: { template: { metadata: { labels: { app: 'big', v: '2' } } } } } }],
      [{ verb: 'patch', kind: 'StatefulSet', namespace: 'default', name: 'big', subresource: 'scale', patch: { spec: { replicas: 0 } } }],
    ];
    for (const reqs of steps) {
      const r = sim.command({ command: 'step' }, reqs);
      if (E.isLeft(r)) throw new Error(r.left.message);
      expect(sim.run({ quietMs: 60_000, deadlineMs: sim.now + 100_000_000 })).toBe('quiet');
    }
    const lines = sim.log.all().map((e) => JSON.stringify(e));
    expect(lines.length).toBeGreaterThan(7_000);
    const parsed = lines.map((l) => JSON.parse(l) as Envelope);
    const r = checkLog(parsed, { endIsQuiescent: true, livenessBoundMs: 1e9 });
    expect(r.violations).toEqual([]);
    // Every pod of the set was created, rolled and deleted: the checkers had the whole life cycle to judge.
    const podAdds = parsed.filter((e) => e.type === 'ADDED' && e.object?.kind === 'Pod').length;
    expect(podAdds).toBe(500);
  });
});
