/**
 * Acceptance scenarios, section J — validation and API behaviour (S55, S56, S58), through the API
 * server of the embedded engine (a refused command writes nothing to the log).
 */
import { describe, expect, it } from 'vitest';
import { isRunningAndReady, kubectlMessage, type ApiError, type KObject, type Pod } from '@kubesim/api';
import type { Simulation } from '@kubesim/runtime';
import {
  cmd, converge, create, f1, f1With, get, mustGet, newCluster, objectEntries, refused, seqOf, waitFor, type Json,
} from './harness.js';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A message with `…` placeholders for rendered values (matched as any non-empty text). */
const withValues = (template: string): RegExp => new RegExp(`^${template.split('…').map(esc).join('.+')}$`);

const prefix = (name = 'web') => `The StatefulSet "${name}" is invalid: `;

/** Create F1's StatefulSet with one change (the Service is created first); returns the API error. */
const createRefused = (change: (set: Json) => void): { sim: Simulation; err: ApiError; before: number } => {
  const sim = newCluster();
  const { service, set } = f1();
  create(sim, service);
  change(set);
  const before = sim.log.lastSeq();
  const err = refused(sim, 'create statefulset', [{ verb: 'create', object: set as KObject }]);
  return { sim, err, before };
};

const ROWS: { change: string; apply: (s: Json) => void; name?: string; message: string | RegExp }[] = [
  {
    change: 'metadata.name: Web', name: 'Web', apply: (s) => { s.metadata.name = 'Web'; },
    message: `metadata.name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
  },
  { change: 'metadata.name: web.v1', name: 'web.v1', apply: (s) => { s.metadata.name = 'web.v1'; }, message: 'metadata.name: Invalid value: "web.v1": must not contain dots' },
  {
    change: 'selector removed', apply: (s) => { delete s.spec.selector; },
    message: withValues('[spec.selector: Required value, spec.template.metadata.labels: Invalid value: …: `selector` does not match template `labels`]'),
  },
  { change: 'selector: {}', apply: (s) => { s.spec.selector = {}; }, message: withValues('spec.selector: Invalid value: …: empty selector is invalid for statefulset') },
  {
    change: 'selector.matchLabels: {app: other}', apply: (s) => { s.spec.selector = { matchLabels: { app: 'other' } }; },
    message: withValues('spec.template.metadata.labels: Invalid value: …: `selector` does not match template `labels`'),
  },
  { change: 'replicas: -1', apply: (s) => { s.spec.replicas = -1; }, message: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0' },
  { change: 'minReadySeconds: -5', apply: (s) => { s.spec.minReadySeconds = -5; }, message: 'spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0' },
  { change: 'ordinals: {start: -1}', apply: (s) => { s.spec.ordinals = { start: -1 }; }, message: 'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0' },
  { change: 'podManagementPolicy: Random', apply: (s) => { s.spec.podManagementPolicy = 'Random'; }, message: `spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'` },
  { change: 'updateStrategy: {type: Canary}', apply: (s) => { s.spec.updateStrategy = { type: 'Canary' }; }, message: withValues(`spec.updateStrategy: Invalid value: …: must be 'RollingUpdate' or 'OnDelete'`) },
  {
    change: 'updateStrategy: {type: OnDelete, rollingUpdate: {partition: 1}}', apply: (s) => { s.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 1 } }; },
    message: withValues(`spec.updateStrategy.rollingUpdate: Invalid value: …: only allowed for updateStrategy 'RollingUpdate'`),
  },
  {
    change: 'rollingUpdate.partition: -1', apply: (s) => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -1 } }; },
    message: 'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
  },
  {
    change: 'rollingUpdate.maxUnavailable: 0', apply: (s) => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } }; },
    message: withValues('spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: …: cannot be 0'),
  },
  {
    change: 'rollingUpdate.maxUnavailable: "150%"', apply: (s) => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } }; },
    message: withValues('spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: …: must not be greater than 100%'),
  },
  {
    change: 'persistentVolumeClaimRetentionPolicy.whenScaled: Keep', apply: (s) => { s.spec.persistentVolumeClaimRetentionPolicy = { whenScaled: 'Keep' }; },
    message: 'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": supported values: "Retain", "Delete"',
  },
  {
    change: 'template.spec.restartPolicy: OnFailure', apply: (s) => { s.spec.template.spec.restartPolicy = 'OnFailure'; },
    message: 'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
  },
  {
    change: 'template.spec.activeDeadlineSeconds: 10', apply: (s) => { s.spec.template.spec.activeDeadlineSeconds = 10; },
    message: 'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported',
  },
];

const FORBIDDEN = "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/** PUT of the current object with a change (no resourceVersion precondition). */
const updateSet = (sim: Simulation, change: (s: Json) => void): { verb: 'update'; object: KObject } => {
  const o = structuredClone(mustGet<Json>(sim, 'StatefulSet', 'web'));
  delete o.metadata.resourceVersion;
  delete o.status;
  change(o);
  return { verb: 'update', object: o as KObject };
};

describe('J. Validation and API behaviour', () => {
  describe('S55 — create-time validation messages (F1 with one change)', () => {
    for (const row of ROWS) {
      it(row.change, () => {
        const { sim, err, before } = createRefused(row.apply);
        expect(err.code).toBe(422);
        expect(err.reason).toBe('Invalid');
        const msg = kubectlMessage(err);
        const p = prefix(row.name);
        expect(msg.startsWith(p), msg).toBe(true);
        const body = msg.slice(p.length);
        if (typeof row.message === 'string') expect(body).toBe(row.message);
        else expect(body).toMatch(row.message);
        expect(sim.log.lastSeq(), 'a refused create writes nothing').toBe(before);
        expect(get(sim, 'StatefulSet', row.name ?? 'web')).toBeUndefined();
      });
    }

    it('several invalid fields give one message [e1, e2]', () => {
      const { err } = createRefused((s) => { s.spec.replicas = -1; s.spec.minReadySeconds = -5; });
      expect(err.code).toBe(422);
      expect(kubectlMessage(err)).toBe(`${prefix()}[spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0]`);
    });

    for (const [what, serviceName] of [['serviceName: ""', ''], ['serviceName naming a missing Service', 'missing']] as const) {
      it(`${what} is accepted`, () => {
        const sim = newCluster();
        create(sim, ...f1With((s) => { s.spec.serviceName = serviceName; s.spec.replicas = 1; }));
        expect(mustGet<Json>(sim, 'StatefulSet', 'web').spec.serviceName).toBe(serviceName);
        converge(sim, 'web', 1);
      });
    }
  });

  it('S56 — immutable fields on update; allowed fields bump the generation; status writes do not', () => {
    const sim = newCluster();
    const { service, set } = f1();
    create(sim, service, set);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').metadata.generation).toBe(1);
    converge(sim, 'web', 3);

    const forbidden: [string, (s: Json) => void][] = [
      ['serviceName', (s) => { s.spec.serviceName = 'other'; }],
      ['selector', (s) => { s.spec.selector = { matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'app', operator: 'Exists' }] }; }],
      ['volumeClaimTemplates[0].spec.resources.requests.storage', (s) => { s.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'; }],
      ['podManagementPolicy', (s) => { s.spec.podManagementPolicy = 'Parallel'; }],
      ['revisionHistoryLimit', (s) => { s.spec.revisionHistoryLimit = 5; }],
    ];
    for (const [field, change] of forbidden) {
      const before = sim.log.lastSeq();
      const err = refused(sim, `update ${field}`, [updateSet(sim, change)]);
      expect(err.code, field).toBe(422);
      expect(kubectlMessage(err), field).toBe(`${prefix()}${FORBIDDEN}`);
      expect(sim.log.lastSeq(), `${field}: nothing written`).toBe(before);
      expect(mustGet<Json>(sim, 'StatefulSet', 'web').metadata.generation).toBe(1);
    }

    const allowed: [string, (s: Json) => void][] = [
      ['replicas', (s) => { s.spec.replicas = 4; }],
      ['template', (s) => { s.spec.template.metadata.annotations = { 'example.com/rev': '2' }; }],
      ['updateStrategy', (s) => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1, maxUnavailable: 1 } }; }],
      ['minReadySeconds', (s) => { s.spec.minReadySeconds = 1; }],
      ['ordinals', (s) => { s.spec.ordinals = { start: 0 }; }],
      ['persistentVolumeClaimRetentionPolicy', (s) => { s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Delete' }; }],
    ];
    let gen = 1;
    for (const [field, change] of allowed) {
      cmd(sim, `update ${field}`, [updateSet(sim, change)]);
      gen++;
      expect(mustGet<Json>(sim, 'StatefulSet', 'web').metadata.generation, `${field} bumps the generation`).toBe(gen);
      waitFor(sim, `observedGeneration ${gen} after ${field}`, () => mustGet<Json>(sim, 'StatefulSet', 'web').status?.observedGeneration === gen, 120_000);
    }

    // A status-subresource write never changes the generation.
    const before = sim.log.lastSeq();
    cmd(sim, 'status write', [{ verb: 'patch', kind: 'StatefulSet', namespace: 'default', name: 'web', subresource: 'status', patch: { status: { collisionCount: 1 } } }]);
    const written = objectEntries(sim, before).filter((e) => e.object.kind === 'StatefulSet');
    expect(written.length, 'the status write was logged').toBe(1);
    expect(written[0]!.object.metadata?.generation).toBe(gen);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').metadata.generation).toBe(gen);
  });

  it('S58 — scale subresource', () => {
    const sim = newCluster();
    create(sim, ...f1With((s) => { s.spec.replicas = 1; }));
    converge(sim, 'web', 1);
    // GET /scale: kubesim has no Scale read; the Scale is built from these two fields.
    const s0 = mustGet<Json>(sim, 'StatefulSet', 'web');
    expect({ spec: s0.spec.replicas, status: s0.status.replicas }).toEqual({ spec: 1, status: 1 });
    // "PUT" scale spec.replicas 2 (kubesim's scale subresource takes a patch), then PATCH to 4.
    const start = sim.log.lastSeq();
    cmd(sim, 'scale 2', [{ verb: 'patch', kind: 'StatefulSet', namespace: 'default', name: 'web', subresource: 'scale', patch: { spec: { replicas: 2 } } }]);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').spec.replicas).toBe(2);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').metadata.generation).toBe(2);
    cmd(sim, 'scale 4', [{ verb: 'patch', kind: 'StatefulSet', namespace: 'default', name: 'web', subresource: 'scale', patch: { spec: { replicas: 4 } } }]);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').spec.replicas).toBe(4);
    converge(sim, 'web', 4);
    // Pods follow, OrderedReady: web-k+1 only after Ready(web-k).
    for (let k = 0; k < 3; k++) {
      expect(seqOf(sim, 'ADDED', 'Pod', `web-${k + 1}`, start)).toBeGreaterThan(seqOf(sim, 'READY', 'Pod', `web-${k}`));
    }
    for (let k = 0; k < 4; k++) expect(isRunningAndReady(mustGet<Pod>(sim, 'Pod', `web-${k}`))).toBe(true);
    expect(mustGet<Json>(sim, 'StatefulSet', 'web').status).toMatchObject({ replicas: 4, readyReplicas: 4 });
  });
});
