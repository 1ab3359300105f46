import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import {
  applyDefaults, canonicalQuantity, newInvalid, parseYamlDocuments, renderFieldError, toObjects, validateCreate, validateStatusUpdate, validateUpdate,
  type FieldError, type Kind, type KObject,
} from '../src/index.js';
import type {
  ControllerRevision, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, ReplicaSet, Service, StatefulSet, StorageClass,
} from '../src/index.js';

// ---- fixtures --------------------------------------------------------------------------------------

/** Fixture F1 of acceptance-scenarios.md (a fresh copy each call). */
const f1 = (): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    serviceName: 'nginx',
    replicas: 3,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: {
        terminationGracePeriodSeconds: 10,
        containers: [{
          name: 'nginx',
          image: 'nginx:1.25',
          ports: [{ name: 'web', containerPort: 80 }],
          volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
        }],
      },
    },
    volumeClaimTemplates: [{
      metadata: { name: 'www' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    }],
  },
});

const F1_SERVICE: Service = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', namespace: 'default' },
  spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }] },
};

/** Apply a change to a fresh F1 (the change may mutate its argument), default it, validate it. */
const stsErrors = (change: (s: StatefulSet) => void = () => undefined): FieldError[] => {
  const s = f1();
  change(s);
  return validateCreate(applyDefaults(s));
};

const message = (kind: Kind, name: string, errs: readonly FieldError[]): string => newInvalid(kind, name, errs).message;
const stsMessage = (errs: readonly FieldError[], name = 'web'): string => message('StatefulSet', name, errs);
const PREFIX = 'StatefulSet.apps "web" is invalid: ';

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec },
});

const rs = (): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'frontend.v1', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { tier: 'frontend' } },
    template: { metadata: { labels: { tier: 'frontend' } }, spec: { containers: [{ name: 'php', image: 'php:8' }] } },
  },
});

const pvc = (spec: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});

const sc = (extra: Partial<StorageClass> = {}): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' },
  provisioner: 'kubesim.io/dynamic', ...extra,
});

const single = (errs: readonly FieldError[]): FieldError => {
  expect(errs).toHaveLength(1);
  return errs[0]!;
};

const expectError = (e: FieldError | undefined, path: string, type: FieldError['type'], detail?: string): void => {
  expect(e).toBeDefined();
  expect(e!.path).toBe(path);
  expect(e!.type).toBe(type);
  if (detail !== undefined) expect(e!.detail).toBe(detail);
};

// ---- S55 ---------------------------------------------------------------------------------------------

describe('S55 — StatefulSet create-time validation messages (F1 with one change)', () => {
  it('F1 and its Service are valid after defaulting', () => {
    expect(stsErrors()).toEqual([]);
    expect(validateCreate(applyDefaults(F1_SERVICE))).toEqual([]);
  });

  it('metadata.name: Web', () => {
    const errs = stsErrors((s) => { s.metadata!.name = 'Web'; });
    expect(stsMessage(errs, 'Web')).toBe(
      'StatefulSet.apps "Web" is invalid: metadata.name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case ' +
      "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " +
      "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  });

  it('metadata.name: web.v1', () => {
    const errs = stsErrors((s) => { s.metadata!.name = 'web.v1'; });
    expect(stsMessage(errs, 'web.v1')).toBe('StatefulSet.apps "web.v1" is invalid: metadata.name: Invalid value: "web.v1": must not contain dots');
  });

  it('selector removed → the exact two-error message', () => {
    const errs = stsErrors((s) => { delete (s.spec as { selector?: unknown }).selector; });
    expect(errs).toHaveLength(2);
    expect(renderFieldError(errs[0]!)).toBe('spec.selector: Required value');
    expectError(errs[1], 'spec.template.metadata.labels', 'Invalid value', '`selector` does not match template `labels`');
    expect(stsMessage(errs)).toBe(
      `${PREFIX}[spec.selector: Required value, spec.template.metadata.labels: Invalid value: {"app":"nginx"}: \`selector\` does not match template \`labels\`]`);
  });

  it('selector: {}', () => {
    const e = single(stsErrors((s) => { s.spec!.selector = {}; }));
    expectError(e, 'spec.selector', 'Invalid value', 'empty selector is invalid for statefulset');
    expect(stsMessage([e])).toMatch(/^StatefulSet\.apps "web" is invalid: spec\.selector: Invalid value: .+: empty selector is invalid for statefulset$/);
  });

  it('selector.matchLabels: {app: other}', () => {
    const e = single(stsErrors((s) => { s.spec!.selector = { matchLabels: { app: 'other' } }; }));
    expectError(e, 'spec.template.metadata.labels', 'Invalid value', '`selector` does not match template `labels`');
    expect(stsMessage([e])).toMatch(/^StatefulSet\.apps "web" is invalid: spec\.template\.metadata\.labels: Invalid value: .+: `selector` does not match template `labels`$/);
  });

  it('replicas: -1', () => {
    expect(stsMessage(stsErrors((s) => { s.spec!.replicas = -1; })))
      .toBe(`${PREFIX}spec.replicas: Invalid value: -1: must be greater than or equal to 0`);
  });

  it('minReadySeconds: -5', () => {
    expect(stsMessage(stsErrors((s) => { s.spec!.minReadySeconds = -5; })))
      .toBe(`${PREFIX}spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0`);
  });

  it('ordinals: {start: -1}', () => {
    expect(stsMessage(stsErrors((s) => { s.spec!.ordinals = { start: -1 }; })))
      .toBe(`${PREFIX}spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0`);
  });

  it('podManagementPolicy: Random', () => {
    expect(stsMessage(stsErrors((s) => { s.spec!.podManagementPolicy = 'Random'; })))
      .toBe(`${PREFIX}spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`);
  });

  it('updateStrategy: {type: Canary}', () => {
    const e = single(stsErrors((s) => { s.spec!.updateStrategy = { type: 'Canary' }; }));
    expectError(e, 'spec.updateStrategy', 'Invalid value', "must be 'RollingUpdate' or 'OnDelete'");
    expect(stsMessage([e])).toMatch(/^StatefulSet\.apps "web" is invalid: spec\.updateStrategy: Invalid value: .+: must be 'RollingUpdate' or 'OnDelete'$/);
  });

  it('updateStrategy: {type: OnDelete, rollingUpdate: {partition: 1}}', () => {
    const e = single(stsErrors((s) => { s.spec!.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 1 } }; }));
    expectError(e, 'spec.updateStrategy.rollingUpdate', 'Invalid value', "only allowed for updateStrategy 'RollingUpdate'");
    expect(stsMessage([e])).toMatch(/^StatefulSet\.apps "web" is invalid: spec\.updateStrategy\.rollingUpdate: Invalid value: .+: only allowed for updateStrategy 'RollingUpdate'$/);
  });

  it('rollingUpdate.partition: -1', () => {
    expect(stsMessage(stsErrors((s) => { s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -1 } }; })))
      .toBe(`${PREFIX}spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0`);
  });

  it('rollingUpdate.maxUnavailable: 0', () => {
    const e = single(stsErrors((s) => { s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } }; }));
    expectError(e, 'spec.updateStrategy.rollingUpdate.maxUnavailable', 'Invalid value', 'cannot be 0');
    expect(stsMessage([e])).toMatch(/^StatefulSet\.apps "web" is invalid: spec\.updateStrategy\.rollingUpdate\.maxUnavailable: Invalid value: .+: cannot be 0$/);
  });

  it('rollingUpdate.maxUnavailable: "150%"', () => {
    const e = single(stsErrors((s) => { s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } }; }));
    expectError(e, 'spec.updateStrategy.rollingUpdate.maxUnavailable', 'Invalid value', 'must not be greater than 100%');
    expect(stsMessage([e])).toMatch(/^StatefulSet\.apps "web" is invalid: spec\.updateStrategy\.rollingUpdate\.maxUnavailable: Invalid value: .+: must not be greater than 100%$/);
  });

  it('persistentVolumeClaimRetentionPolicy.whenScaled: Keep', () => {
    expect(stsMessage(stsErrors((s) => { s.spec!.persistentVolumeClaimRetentionPolicy = { whenScaled: 'Keep' }; })))
      .toBe(`${PREFIX}spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": supported values: "Retain", "Delete"`);
  });

  it('template.spec.restartPolicy: OnFailure', () => {
    expect(stsMessage(stsErrors((s) => { s.spec!.template.spec!.restartPolicy = 'OnFailure'; })))
      .toBe(`${PREFIX}spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"`);
  });

  it('template.spec.activeDeadlineSeconds: 10', () => {
    expect(stsMessage(stsErrors((s) => { s.spec!.template.spec!.activeDeadlineSeconds = 10; })))
      .toBe(`${PREFIX}spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported`);
  });

  it('template.spec.affinity: an anti-affinity term without topologyKey, a bad namespace, a weight out of range', () => {
    expect(stsMessage(stsErrors((s) => {
      s.spec!.template.spec!.affinity = {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'nginx' } }, namespaces: ['Bad_NS'], topologyKey: '' }],
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { labelSelector: { matchLabels: { app: 'nginx' } }, topologyKey: 'kubernetes.io/hostname' } }],
        },
      };
    }))).toBe(`${PREFIX}[`
      + 'spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].namespace: Invalid value: "Bad_NS": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\'), '
      + 'spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty, '
      + 'spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": name part must be non-empty, '
      + 'spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\'), '
      + 'spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100]');
  });

  it('template.spec.affinity.nodeAffinity: no required term, bad operators and values, a weight out of range, a bad field selector', () => {
    const NA = 'spec.template.spec.affinity.nodeAffinity';
    expect(stsMessage(stsErrors((s) => {
      s.spec!.template.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } };
    }))).toBe(`${PREFIX}${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term`);
    expect(stsMessage(stsErrors((s) => {
      s.spec!.template.spec!.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
            { key: 'disk', operator: 'In', values: [] },
            { key: 'zone', operator: 'Exists', values: ['a'] },
            { key: 'cores', operator: 'Gt', values: ['1', '2'] },
            { key: 'bad key', operator: 'Near' },
          ] }] },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 101, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
            { weight: 5, preference: { matchFields: [{ key: 'metadata.labels', operator: 'Exists' }, { key: 'metadata.name', operator: 'In', values: ['Node_A'] }] } },
          ],
        },
      };
    }))).toBe(`${PREFIX}[`
      + `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn', `
      + `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist', `
      + `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[2].values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt', `
      + `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[3].operator: Invalid value: "Near": not a valid selector operator, `
      + `${NA}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[3].key: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), `
      + `${NA}.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: must be in the range 1-100, `
      + `${NA}.preferredDuringSchedulingIgnoredDuringExecution[1].preference.matchFields[0].operator: Invalid value: "Exists": not a valid selector operator, `
      + `${NA}.preferredDuringSchedulingIgnoredDuringExecution[1].preference.matchFields[0].key: Invalid value: "metadata.labels": not a valid field selector key, `
      + `${NA}.preferredDuringSchedulingIgnoredDuringExecution[1].preference.matchFields[1].values[0]: Invalid value: "Node_A": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')]`);
    expect(stsErrors((s) => {
      s.spec!.template.spec!.affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['hdd'] }] } }] } };
    })).toEqual([]);
  });

  it('template.spec.topologySpreadConstraints: maxSkew 0, a repeated pair, minDomains with ScheduleAnyway, an unknown action', () => {
    expect(stsMessage(stsErrors((s) => {
      s.spec!.template.spec!.topologySpreadConstraints = [
        { maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'nginx' } } },
        { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', minDomains: 2 },
        { maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'Maybe' },
      ];
    }))).toBe(`${PREFIX}[`
      + 'spec.template.spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero, '
      + 'spec.template.spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}", '
      + 'spec.template.spec.topologySpreadConstraints[2].minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway, '
      + 'spec.template.spec.topologySpreadConstraints[3].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"]');
  });

  it('template.spec.tolerations: an empty key without Exists, a bad key, tolerationSeconds without NoExecute, a value with Exists, a bad value, unknown operator and effect', () => {
    const T = 'spec.template.spec.tolerations';
    expect(stsMessage(stsErrors((s) => {
      s.spec!.template.spec!.tolerations = [
        { operator: 'Equal', value: 'x' },
        { key: 'bad key', operator: 'Exists' },
        { key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 },
        { key: 'k', operator: 'Exists', value: 'v' },
        { key: 'k', value: 'not valid!' },
        { key: 'k', operator: 'In', effect: 'Evict' },
      ];
    }))).toBe(`${PREFIX}[`
      + `${T}[0].operator: Invalid value: "Equal": operator must be Exists when \`key\` is empty, which means "match all values and all keys", `
      + `${T}[1].key: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), `
      + `${T}[2].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set, `
      + `${T}[3].operator: Invalid value: {"key":"k","operator":"Exists","value":"v"}: value must be empty when \`operator\` is 'Exists', `
      + `${T}[4].operator: Invalid value: "not valid!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'), `
      + `${T}[5].operator: Unsupported value: "In": supported values: "Equal", "Exists", `
      + `${T}[5].effect: Unsupported value: "Evict": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"]`);
    expect(stsErrors((s) => {
      s.spec!.template.spec!.tolerations = [
        { operator: 'Exists' },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
        { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
      ];
    })).toEqual([]);
  });

  it('template.spec.containers[*].resources: names, quantities, a request above its limit, non-overcommitable resources', () => {
    const C = 'spec.template.spec.containers[0].resources';
    const withResources = (resources: unknown) => stsErrors((s) => { (s.spec!.template.spec!.containers[0] as { resources?: unknown }).resources = resources; });
    expect(stsMessage(withResources({ requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } })))
      .toBe(`${PREFIX}${C}.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`);
    expect(stsMessage(withResources({ requests: { cpu: 'abc', memory: '-1' } }))).toBe(`${PREFIX}[`
      + `${C}.requests[cpu]: Invalid value: "abc": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', `
      + `${C}.requests[memory]: Invalid value: "-1": must be greater than or equal to 0]`);
    expect(stsMessage(withResources({ limits: { gpu: '1' } }))).toBe(`${PREFIX}${C}.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers`);
    expect(stsMessage(withResources({ requests: { 'example.com/gpu': '1' } }))).toBe(`${PREFIX}${C}.limits: Required value: Limit must be set for non overcommitable resources`);
    expect(stsMessage(withResources({ requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } })))
      .toBe(`${PREFIX}${C}.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2`);
    expect(withResources({ requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '1Gi' }, limits: { cpu: '1', memory: '1Gi', 'example.com/gpu': '1' } })).toEqual([]);
    // Quantities print canonicalized, as resource.Quantity.String() does.
    expect(stsMessage(withResources({ requests: { cpu: '2000m', memory: '2048Mi' }, limits: { cpu: 1.5, memory: '1024Mi' } }))).toBe(`${PREFIX}[`
      + `${C}.requests: Invalid value: "2": must be less than or equal to cpu limit of 1500m, `
      + `${C}.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi]`);
    expect(stsMessage(withResources({ requests: { memory: '-1000k' } }))).toBe(`${PREFIX}${C}.requests[memory]: Invalid value: "-1M": must be greater than or equal to 0`);
  });

  it('canonicalQuantity: resource.Quantity.String() of the parsed value, in the format of its suffix', () => {
    const cases: [string | number, string][] = [
      ['2000m', '2'], ['1500m', '1500m'], ['1.5', '1500m'], [1.5, '1500m'], [0.5, '500m'], ['0.1', '100m'], ['100m', '100m'], ['2', '2'], [2, '2'],
      ['1000k', '1M'], ['1200k', '1200k'], ['12e2', '1200'], ['1e3', '1e3'], ['1E3', '1e3'], ['10e3', '10e3'], ['100e-3', '100e-3'], [1e-7, '100e-9'],
      ['0', '0'], ['0Gi', '0'], ['0.000m', '0'], ['-1000k', '-1M'], ['+5', '5'], ['1n', '1n'], ['1000n', '1u'], ['1E', '1E'], ['1000E', '1e21'],
      ['1Gi', '1Gi'], ['2048Mi', '2Gi'], ['1536Mi', '1536Mi'], ['1024', '1024'], ['1Ki', '1Ki'], ['1023Ki', '1023Ki'], ['0.5Gi', '512Mi'],
      ['0.5Ki', '512'], ['1.5Ki', '1536'], ['0.1Ki', '102400m'], ['-2Gi', '-2Gi'],
      ['abc', 'abc'], ['', ''], ['1Gi5', '1Gi5'], ['.', '.'],
    ];
    for (const [q, want] of cases) expect(canonicalQuantity(q), String(q)).toBe(want);
  });

  it('serviceName: "" or naming a missing Service is accepted', () => {
    expect(stsErrors((s) => { s.spec!.serviceName = ''; })).toEqual([]);
    expect(stsErrors((s) => { s.spec!.serviceName = 'no-such-service'; })).toEqual([]);
  });

  it('several invalid fields → one message [e1, e2] in evaluation order', () => {
    const errs = stsErrors((s) => { s.spec!.replicas = -1; s.spec!.podManagementPolicy = 'Random'; s.spec!.minReadySeconds = -5; });
    expect(stsMessage(errs)).toBe(`${PREFIX}[spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel', ` +
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0, ' +
      'spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0]');
  });
});

describe('StatefulSet: other create rules', () => {
  it('bad names: uppercase, dots, too long', () => {
    const long = 'a'.repeat(64);
    const e = single(stsErrors((s) => { s.metadata!.name = long; }));
    expect(renderFieldError(e)).toBe(`metadata.name: Invalid value: "${long}": must be no more than 63 characters`);
    expect(stsErrors((s) => { s.metadata!.name = 'a'.repeat(63); })).toEqual([]);
    expectError(single(stsErrors((s) => { s.metadata!.name = 'Web'; })), 'metadata.name', 'Invalid value');
    expectError(single(stsErrors((s) => { s.metadata!.name = 'web.v1'; })), 'metadata.name', 'Invalid value', 'must not contain dots');
    expect(renderFieldError(single(stsErrors((s) => { s.metadata!.name = ''; }))))
      .toBe('metadata.name: Required value: name or generateName is required');
  });

  it('namespace is required for namespaced kinds', () => {
    expect(renderFieldError(single(stsErrors((s) => { delete s.metadata!.namespace; })))).toBe('metadata.namespace: Required value');
  });

  it('empty podManagementPolicy / update strategy type (not defaulted) are Required', () => {
    const s = applyDefaults(f1()) as StatefulSet;
    const raw: StatefulSet = { ...s, spec: { ...s.spec!, podManagementPolicy: '', updateStrategy: {} } };
    expect(validateCreate(raw).map(renderFieldError)).toEqual(['spec.podManagementPolicy: Required value', 'spec.updateStrategy: Required value']);
  });

  it('maxUnavailable accepts ints and percents', () => {
    for (const mu of [1, 2, '1%', '50%', '100%']) {
      expect(stsErrors((s) => { s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: mu } }; })).toEqual([]);
    }
    const neg = single(stsErrors((s) => { s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: -1 } }; }));
    expect(renderFieldError(neg)).toBe('spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0');
    const zeroPct = single(stsErrors((s) => { s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0%' } }; }));
    expectError(zeroPct, 'spec.updateStrategy.rollingUpdate.maxUnavailable', 'Invalid value', 'cannot be 0');
    const bad = stsErrors((s) => { s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 'abc' } }; });
    expect(bad.map((e) => e.detail)).toEqual([
      "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'cannot be 0',
    ]);
  });

  it('whenDeleted: Foo', () => {
    expect(renderFieldError(single(stsErrors((s) => { s.spec!.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Foo' }; }))))
      .toBe('spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Foo": supported values: "Retain", "Delete"');
  });

  it('selector syntax errors are reported and skip the template check', () => {
    const errs = stsErrors((s) => { s.spec!.selector = { matchExpressions: [{ key: 'app', operator: 'Near', values: ['x'] }] }; });
    expect(errs.map((e) => e.path)).toEqual(['spec.selector.matchExpressions[0].operator', 'spec.selector']);
    expect(renderFieldError(errs[0]!)).toBe('spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator');
  });

  it('matchExpressions selectors match template labels', () => {
    expect(stsErrors((s) => { s.spec!.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['nginx', 'x'] }] }; })).toEqual([]);
  });

  it('template labels are validated under spec.template.labels', () => {
    const e = single(stsErrors((s) => {
      s.spec!.template.metadata!.labels = { app: 'nginx', bad: 'a b' };
    }));
    expectError(e, 'spec.template.labels', 'Invalid value');
    expect(e.value).toBe('"a b"');
  });

  it('pod template spec is validated like a pod spec', () => {
    const errs = stsErrors((s) => {
      const c = s.spec!.template.spec!.containers[0]!;
      s.spec!.template.spec!.containers.push({ ...c, image: '' });
    });
    expect(errs.map(renderFieldError)).toEqual([
      'spec.template.spec.containers[1].image: Required value',
      'spec.template.spec.containers[1].name: Duplicate value: "nginx"',
    ]);
  });

  it('mounts may name a volumeClaimTemplate, but not an unknown volume', () => {
    const e = single(stsErrors((s) => { s.spec!.template.spec!.containers[0]!.volumeMounts![0]!.name = 'data'; }));
    expect(renderFieldError(e)).toBe('spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"');
  });

  it('volumeClaimTemplates are validated (PR #132212)', () => {
    expect(renderFieldError(single(stsErrors((s) => { s.spec!.volumeClaimTemplates![0]!.spec!.accessModes = []; }))))
      .toBe('spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required');
    expect(renderFieldError(single(stsErrors((s) => { s.spec!.volumeClaimTemplates![0]!.spec!.resources = {}; }))))
      .toBe('spec.volumeClaimTemplates[0].spec.resources[storage]: Required value');
    expect(renderFieldError(single(stsErrors((s) => { s.spec!.volumeClaimTemplates![0]!.spec!.accessModes = ['ReadWriteSometimes']; }))))
      .toBe('spec.volumeClaimTemplates[0].spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: ' +
        '"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"');
    expect(renderFieldError(single(stsErrors((s) => { s.spec!.volumeClaimTemplates![0]!.spec!.resources = { requests: { storage: '0' } }; }))))
      .toBe('spec.volumeClaimTemplates[0].spec.resources[storage]: Invalid value: "0": must be greater than zero');
    const noName = stsErrors((s) => {
      s.spec!.volumeClaimTemplates![0]!.metadata = {};
      s.spec!.template.spec!.containers[0]!.volumeMounts = [];
    });
    expect(renderFieldError(single(noName))).toBe('spec.volumeClaimTemplates[0].metadata.name: Required value');
  });

  it('a 53-character name validates (the pod label trap happens later)', () => {
    expect(stsErrors((s) => { s.metadata!.name = 'a'.repeat(53); })).toEqual([]);
  });
});

// ---- S56 ---------------------------------------------------------------------------------------------

describe('S56 — immutable StatefulSet fields on update', () => {
  const FORBIDDEN = "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', " +
    "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
  const stored = (): StatefulSet => {
    const s = applyDefaults(f1()) as StatefulSet;
    return { ...s, metadata: { ...s.metadata, uid: 'uid-1', generation: 1, resourceVersion: '5' } };
  };
  const update = (change: (s: StatefulSet) => void): FieldError[] => {
    const old = stored();
    const next = structuredClone(old);
    change(next);
    return validateUpdate(applyDefaults(next), old);
  };

  const forbiddenChanges: Record<string, (s: StatefulSet) => void> = {
    serviceName: (s) => { s.spec!.serviceName = 'other'; },
    selector: (s) => { s.spec!.selector = { matchLabels: { app: 'nginx', tier: 'web' } }; s.spec!.template.metadata!.labels!.tier = 'web'; },
    'volumeClaimTemplates[0].spec.resources.requests.storage': (s) => {
      s.spec!.volumeClaimTemplates![0]!.spec!.resources = { requests: { storage: '2Gi' } };
    },
    podManagementPolicy: (s) => { s.spec!.podManagementPolicy = 'Parallel'; },
    revisionHistoryLimit: (s) => { s.spec!.revisionHistoryLimit = 5; },
  };
  for (const [field, change] of Object.entries(forbiddenChanges)) {
    it(`changing ${field} is forbidden`, () => {
      expect(message('StatefulSet', 'web', update(change))).toBe(`${PREFIX}${FORBIDDEN}`);
    });
  }

  const allowedChanges: Record<string, (s: StatefulSet) => void> = {
    replicas: (s) => { s.spec!.replicas = 5; },
    template: (s) => { s.spec!.template.spec!.containers[0]!.image = 'nginx:1.26'; },
    updateStrategy: (s) => { s.spec!.updateStrategy = { type: 'OnDelete' }; },
    'updateStrategy.rollingUpdate.partition': (s) => { s.spec!.updateStrategy!.rollingUpdate!.partition = 2; },
    minReadySeconds: (s) => { s.spec!.minReadySeconds = 10; },
    ordinals: (s) => { s.spec!.ordinals = { start: 3 }; },
    persistentVolumeClaimRetentionPolicy: (s) => { s.spec!.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' }; },
    'metadata.labels': (s) => { s.metadata!.labels = { team: 'a' }; },
  };
  for (const [field, change] of Object.entries(allowedChanges)) {
    it(`changing ${field} is accepted`, () => {
      expect(update(change)).toEqual([]);
    });
  }

  it('an unchanged object is accepted, and the spec rules still apply on update', () => {
    expect(update(() => undefined)).toEqual([]);
    expect(update((s) => { s.spec!.replicas = -1; }).map(renderFieldError))
      .toEqual(['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('metadata.name, namespace and uid are immutable', () => {
    expect(update((s) => { s.metadata!.name = 'x'; }).map(renderFieldError)).toEqual(['metadata.name: Invalid value: "x": field is immutable']);
    expect(update((s) => { s.metadata!.namespace = 'prod'; }).map(renderFieldError))
      .toEqual(['metadata.namespace: Invalid value: "prod": field is immutable']);
    expect(update((s) => { (s.metadata as { uid?: string }).uid = 'uid-2'; }).map(renderFieldError)).toEqual(['metadata.uid: Invalid value: "uid-2": field is immutable']);
    expect(update((s) => { delete (s.metadata as { uid?: string }).uid; })).toEqual([]);
  });

  it('the name is not re-validated on update', () => {
    const old = { ...stored(), metadata: { ...stored().metadata, name: 'Legacy.Name' } };
    expect(validateUpdate({ ...old, spec: { ...old.spec!, replicas: 1 } }, old)).toEqual([]);
  });

  it('no new finalizers once deleting', () => {
    const old = stored();
    const deleting: StatefulSet = { ...old, metadata: { ...old.metadata, deletionTimestamp: '2026-01-01T00:00:10Z', finalizers: ['a.io/x'] } };
    const next: StatefulSet = { ...deleting, metadata: { ...deleting.metadata, finalizers: ['a.io/x', 'b.io/y'] } };
    expect(validateUpdate(next, deleting).map(renderFieldError))
      .toEqual(['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ["b.io/y"]']);
    expect(validateUpdate({ ...deleting, metadata: { ...deleting.metadata, finalizers: [] } }, deleting)).toEqual([]);
  });
});

describe('StatefulSet status validation', () => {
  const base = (): StatefulSet => {
    const s = applyDefaults(f1()) as StatefulSet;
    return { ...s, metadata: { ...s.metadata, uid: 'u' }, status: { replicas: 3, readyReplicas: 2, availableReplicas: 2, collisionCount: 1 } };
  };
  it('valid counters pass', () => {
    expect(validateStatusUpdate(base(), base())).toEqual([]);
  });
  it('counters are bounded and collisionCount may not decrease', () => {
    const old = base();
    const next: StatefulSet = { ...old, status: { replicas: 3, readyReplicas: 4, currentReplicas: -1, availableReplicas: 3, collisionCount: 0 } };
    expect(validateStatusUpdate(next, old).map(renderFieldError)).toEqual([
      'status.currentReplicas: Invalid value: -1: must be greater than or equal to 0',
      'status.readyReplicas: Invalid value: 4: cannot be greater than status.replicas',
      'status.collisionCount: Invalid value: 0: cannot be decremented',
    ]);
    const unset: StatefulSet = { ...old, status: { replicas: 3, readyReplicas: 3, availableReplicas: 3 } };
    expect(validateStatusUpdate(unset, old).map(renderFieldError)).toEqual(['status.collisionCount: Invalid value: 0: cannot be decremented']);
    const avail: StatefulSet = { ...old, status: { replicas: 3, readyReplicas: 1, availableReplicas: 2, collisionCount: 1 } };
    expect(validateStatusUpdate(avail, old).map(renderFieldError))
      .toEqual(['status.availableReplicas: Invalid value: 2: cannot be greater than status.readyReplicas']);
  });
});

// ---- seed manifest -----------------------------------------------------------------------------------

describe('seed manifest', () => {
  const SEED = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: stateful-pvc
spec:
  replicas: 1
  selector:
    matchLabels:
      type: db2
  serviceName: "stateful-headless"
  template:
    metadata:
      labels:
        type: db2
    spec:
      containers:
      - name: container
        image: mongo-db
        volumeMounts:
        - name: volume
          mountPath: /applog
      terminationGracePeriodSeconds: 10
  volumeClaimTemplates:
  - metadata:
      name: volume
    spec:
      accessModes:
      - ReadWriteOnce
      resources:
        requests:
          storage: 1G
      storageClassName: "fast"
`;
  it('validates cleanly after defaults with namespace default', () => {
    const docs = parseYamlDocuments(SEED, 'seed.yaml');
    if (E.isLeft(docs)) throw new Error(docs.left.message);
    const objs = toObjects(docs.right, 'seed.yaml');
    if (E.isLeft(objs)) throw new Error(objs.left.message);
    const sts = objs.right[0] as StatefulSet;
    const withNs: KObject = { ...sts, metadata: { ...sts.metadata, namespace: 'default' } };
    expect(validateCreate(applyDefaults(withNs))).toEqual([]);
  });
});

// ---- ReplicaSet --------------------------------------------------------------------------------------

describe('ReplicaSet (§2.5)', () => {
  const rsErrors = (change: (r: ReplicaSet) => void = () => undefined): FieldError[] => {
    const r = rs();
    change(r);
    return validateCreate(applyDefaults(r));
  };
  const RS_PREFIX = 'ReplicaSet.apps "frontend.v1" is invalid: ';

  it('a valid ReplicaSet (subdomain name with dots) passes', () => {
    expect(rsErrors()).toEqual([]);
  });
  it('name must be a DNS subdomain', () => {
    expectError(single(rsErrors((r) => { r.metadata!.name = 'Frontend'; })), 'metadata.name', 'Invalid value');
  });
  it('replicas and minReadySeconds ≥ 0', () => {
    expect(message('ReplicaSet', 'frontend.v1', rsErrors((r) => { r.spec!.replicas = -1; r.spec!.minReadySeconds = -2; }))).toBe(
      `${RS_PREFIX}[spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0]`);
  });
  it('selector required (the template check fires too) and non-empty', () => {
    const missing = rsErrors((r) => { delete (r.spec as { selector?: unknown }).selector; });
    expect(missing.map((e) => `${e.path}: ${e.type}`)).toEqual(['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value']);
    const empty = single(rsErrors((r) => { r.spec!.selector = {}; }));
    expectError(empty, 'spec.selector', 'Invalid value', 'empty selector is invalid for deployment');
  });
  it('selector must match the template labels; a template without labels mismatches', () => {
    expectError(single(rsErrors((r) => { r.spec!.selector = { matchLabels: { tier: 'backend' } }; })),
      'spec.template.metadata.labels', 'Invalid value', '`selector` does not match template `labels`');
    const e = single(rsErrors((r) => { delete r.spec!.template!.metadata; }));
    expectError(e, 'spec.template.metadata.labels', 'Invalid value', '`selector` does not match template `labels`');
    expect(e.value).toBe('null');
  });
  it('restartPolicy must be Always; activeDeadlineSeconds is forbidden', () => {
    expect(message('ReplicaSet', 'frontend.v1', rsErrors((r) => { r.spec!.template!.spec!.restartPolicy = 'Never'; })))
      .toBe(`${RS_PREFIX}spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`);
    expect(message('ReplicaSet', 'frontend.v1', rsErrors((r) => { r.spec!.template!.spec!.activeDeadlineSeconds = 30; })))
      .toBe(`${RS_PREFIX}spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported`);
  });
  it('the full pod template is validated', () => {
    expect(rsErrors((r) => { r.spec!.template!.spec!.containers = []; }).map(renderFieldError)).toEqual(['spec.template.spec.containers: Required value']);
  });
  it('selector is immutable on update; replicas and template are not', () => {
    const old = applyDefaults(rs()) as ReplicaSet;
    const next = structuredClone(old);
    next.spec!.selector = { matchLabels: { tier: 'frontend', v: '2' } };
    next.spec!.template!.metadata!.labels!.v = '2';
    const e = single(validateUpdate(applyDefaults(next), old));
    expectError(e, 'spec.selector', 'Invalid value', 'field is immutable');
    const scaled = structuredClone(old);
    scaled.spec!.replicas = 7;
    scaled.spec!.template!.spec!.containers[0]!.image = 'php:9';
    expect(validateUpdate(applyDefaults(scaled), old)).toEqual([]);
  });
  it('status counters', () => {
    const old = applyDefaults(rs()) as ReplicaSet;
    const next: ReplicaSet = { ...old, status: { replicas: 2, fullyLabeledReplicas: 3, readyReplicas: 1, availableReplicas: 2 } };
    expect(validateStatusUpdate(next, old).map(renderFieldError)).toEqual([
      'status.fullyLabeledReplicas: Invalid value: 3: cannot be greater than status.replicas',
      'status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas',
    ]);
  });
});

// ---- Pod ---------------------------------------------------------------------------------------------

describe('Pod', () => {
  const podErrors = (p: Pod): FieldError[] => validateCreate(applyDefaults(p));

  it('a minimal pod is valid', () => {
    expect(podErrors(pod())).toEqual([]);
  });
  it('needs at least one container', () => {
    expect(podErrors(pod({ containers: [] })).map(renderFieldError)).toEqual(['spec.containers: Required value']);
  });
  it('container names: required, DNS label, unique; image required', () => {
    expect(podErrors(pod({ containers: [{ name: 'x', image: 'a' }, { name: 'x', image: 'b' }] })).map(renderFieldError))
      .toEqual(['spec.containers[1].name: Duplicate value: "x"']);
    expect(podErrors(pod({ containers: [{ name: 'c', image: '' }] })).map(renderFieldError)).toEqual(['spec.containers[0].image: Required value']);
    expect(podErrors(pod({ containers: [{ name: '', image: 'a' }] })).map(renderFieldError)).toEqual(['spec.containers[0].name: Required value']);
    expectError(single(podErrors(pod({ containers: [{ name: 'Web_1', image: 'a' }] }))), 'spec.containers[0].name', 'Invalid value');
  });
  it('volume mounts must name a volume; volumes are unique DNS labels; PVC volumes need claimName', () => {
    const mount = { name: 'c', image: 'a', volumeMounts: [{ name: 'www', mountPath: '/data' }] };
    expect(podErrors(pod({ containers: [mount] })).map(renderFieldError)).toEqual(['spec.containers[0].volumeMounts[0].name: Not found: "www"']);
    expect(podErrors(pod({ containers: [mount], volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }] }))).toEqual([]);
    expect(podErrors(pod({ containers: [mount], volumes: [{ name: 'www', persistentVolumeClaim: { claimName: '' } }] })).map(renderFieldError))
      .toEqual(['spec.volumes[0].persistentVolumeClaim.claimName: Required value', 'spec.containers[0].volumeMounts[0].name: Not found: "www"']);
    expect(podErrors(pod({ volumes: [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }] })).map(renderFieldError))
      .toEqual(['spec.volumes[1].name: Duplicate value: "a"']);
    expect(podErrors(pod({ containers: [{ ...mount, volumeMounts: [{ name: 'www', mountPath: '' }] }], volumes: [{ name: 'www', emptyDir: {} }] })).map(renderFieldError))
      .toEqual(['spec.containers[0].volumeMounts[0].mountPath: Required value']);
  });
  it('probes: one handler each (exec command, httpGet/tcpSocket port, grpc port), non-negative timings, liveness and startup succeed once; none on a regular init container', () => {
    const c = (probes: Record<string, unknown>) => ({ name: 'c', image: 'a', ...probes });
    const errs = (probes: Record<string, unknown>) => podErrors(pod({ containers: [c(probes)] as never })).map(renderFieldError);
    expect(errs({ livenessProbe: { httpGet: { port: 8080 } }, readinessProbe: { tcpSocket: { port: 'web' } }, startupProbe: { exec: { command: ['true'] } } })).toEqual([]);
    expect(errs({ readinessProbe: { periodSeconds: 5 } })).toEqual(['spec.containers[0].readinessProbe: Required value: must specify a handler type']);
    expect(errs({ livenessProbe: { exec: { command: ['true'] }, httpGet: { port: 80 } } }))
      .toEqual(['spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type']);
    expect(errs({ startupProbe: { exec: {} } })).toEqual(['spec.containers[0].startupProbe.exec.command: Required value']);
    expect(errs({ readinessProbe: { httpGet: { port: 0 } }, livenessProbe: { tcpSocket: { port: 'Web_1' } } })).toEqual([
      'spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "Web_1": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]);
    expect(errs({ readinessProbe: { tcpSocket: {} }, livenessProbe: { grpc: { port: 70000 } } })).toEqual([
      'spec.containers[0].livenessProbe.grpc.port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]);
    expect(errs({ readinessProbe: { httpGet: { port: 80, scheme: 'FTP' }, initialDelaySeconds: -1 } })).toEqual([
      'spec.containers[0].readinessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
      'spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0',
    ]);
    expect(errs({ livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 }, readinessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }))
      .toEqual(['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']);
    expect(errs({ readinessProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 5 } }))
      .toEqual(['spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes']);
    // A regular init container may have none; a sidecar (restartPolicy Always) may have all three.
    const init = { name: 'i', image: 'a', readinessProbe: { tcpSocket: { port: 80 } }, startupProbe: { tcpSocket: { port: 80 } } };
    expect(podErrors(pod({ initContainers: [init] as never })).map(renderFieldError)).toEqual([
      'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
    ]);
    expect(podErrors(pod({ initContainers: [{ ...init, restartPolicy: 'Always' }] as never }))).toEqual([]);
  });
  it('restartPolicy, terminationGracePeriodSeconds, ports, nodeSelector', () => {
    expect(podErrors(pod({ restartPolicy: 'Sometimes' })).map(renderFieldError))
      .toEqual(['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']);
    expect(podErrors(pod({ terminationGracePeriodSeconds: -1 })).map(renderFieldError))
      .toEqual(['spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0']);
    const ports = [{ containerPort: 70000, hostPort: 70000, protocol: 'HTTP' }];
    expect(podErrors(pod({ containers: [{ name: 'c', image: 'a', ports }] })).map(renderFieldError)).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ]);
    expectError(single(podErrors(pod({ nodeSelector: { 'disk type': 'ssd' } }))), 'spec.nodeSelector', 'Invalid value');
  });
  it('pod names are DNS subdomains; labels are checked', () => {
    const p = pod();
    expect(podErrors({ ...p, metadata: { ...p.metadata, name: 'web-0.x' } })).toEqual([]);
    const long = `web-${'x'.repeat(60)}`;
    expect(podErrors({ ...p, metadata: { ...p.metadata, labels: { 'controller-revision-hash': long } } }).map(renderFieldError))
      .toEqual([`metadata.labels: Invalid value: "${long}": must be no more than 63 characters`]);
    expect(podErrors({ ...p, metadata: { ...p.metadata, labels: { app: 'a b' } } }).map(renderFieldError)).toEqual([
      'metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', ' +
      "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is " +
      "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
    expect(podErrors({ ...p, metadata: { ...p.metadata, labels: { 'example.com/app': 'x', '': 'y' } } }).map((e) => e.detail))
      .toEqual(['name part must be non-empty', expect.stringContaining('name part must consist of alphanumeric characters')]);
  });

  describe('update', () => {
    const FORBIDDEN = 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,' +
      '`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` ' +
      '(allow it to be set to 1 if it was previously negative)';
    const stored = (): Pod => applyDefaults(pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] })) as Pod;

    it('the same spec object is valid without looking at it', () => {
      const old = stored();
      const next: Pod = { ...old, metadata: { ...old.metadata, labels: { a: 'b' } }, status: { phase: 'Running' } };
      expect(validateUpdate(applyDefaults(next), old)).toEqual([]);
      expect((applyDefaults(next) as Pod).spec).toBe(old.spec);
    });
    it('image, activeDeadlineSeconds and toleration additions may change', () => {
      const old = stored();
      const next = structuredClone(old);
      next.spec!.containers[0]!.image = 'busybox:1.37';
      next.spec!.activeDeadlineSeconds = 100;
      next.spec!.tolerations!.push({ key: 'other', operator: 'Exists' });
      next.spec!.tolerations![0]!.tolerationSeconds = 10;
      expect(validateUpdate(next, old)).toEqual([]);
    });
    it('other spec changes (nodeName included) are forbidden', () => {
      const old = stored();
      for (const change of [
        (p: Pod) => { p.spec!.nodeName = 'node-a'; },
        (p: Pod) => { p.spec!.containers[0]!.name = 'd'; },
        (p: Pod) => { p.spec!.terminationGracePeriodSeconds = 5; },
        (p: Pod) => { p.spec!.nodeSelector = { zone: 'a' }; },
      ]) {
        const next = structuredClone(old);
        change(next);
        expect(validateUpdate(next, old).map(renderFieldError)).toEqual([FORBIDDEN]);
      }
    });
    it('containers may not be added or removed; tolerations may not be removed', () => {
      const old = stored();
      const more = structuredClone(old);
      more.spec!.containers.push({ ...more.spec!.containers[0]!, name: 'd' });
      expect(validateUpdate(more, old).map(renderFieldError)).toEqual(['spec.containers: Forbidden: pod updates may not add or remove containers']);
      const fewer = structuredClone(old);
      fewer.spec!.tolerations = [];
      expect(validateUpdate(fewer, old).map(renderFieldError))
        .toEqual(['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
    });
    it('an added toleration is validated; the message names each error once (ValidatePodSpec and validateOnlyAddedTolerations both check it)', () => {
      const old = stored();
      const next = structuredClone(old);
      next.spec!.tolerations!.push({ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 });
      const errs = validateUpdate(next, old);
      const one = "spec.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set";
      expect(errs.map(renderFieldError)).toEqual([one, one]);
      expect(message('Pod', 'p', errs)).toBe(`Pod "p" is invalid: ${one}`);
    });
    it('activeDeadlineSeconds may only decrease', () => {
      const old = applyDefaults(pod({ activeDeadlineSeconds: 100 })) as Pod;
      const up = structuredClone(old);
      up.spec!.activeDeadlineSeconds = 200;
      expect(validateUpdate(up, old).map(renderFieldError))
        .toEqual(['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value']);
    });
    it('metadata.name is immutable', () => {
      const old = stored();
      expect(validateUpdate({ ...old, metadata: { ...old.metadata, name: 'x' } }, old).map(renderFieldError))
        .toEqual(['metadata.name: Invalid value: "x": field is immutable']);
    });
  });
});

// ---- storage -----------------------------------------------------------------------------------------

describe('PersistentVolumeClaim', () => {
  const errs = (p: PersistentVolumeClaim): FieldError[] => validateCreate(applyDefaults(p));
  it('a claim with modes and storage is valid', () => {
    expect(errs(pvc())).toEqual([]);
    expect(errs(pvc({ storageClassName: 'fast', resources: { requests: { storage: '500Mi' } } }))).toEqual([]);
  });
  it('accessModes and storage are required', () => {
    expect(message('PersistentVolumeClaim', 'data', errs(pvc({ accessModes: [], resources: {} }))))
      .toBe('PersistentVolumeClaim "data" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, ' +
        'spec.resources[storage]: Required value]');
  });
  it('unsupported modes, bad and non-positive quantities', () => {
    expect(errs(pvc({ accessModes: ['ReadWriteOnce', 'Sometimes'] })).map(renderFieldError)).toEqual([
      'spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    ]);
    expect(errs(pvc({ resources: { requests: { storage: '-1Gi' } } })).map(renderFieldError))
      .toEqual(['spec.resources[storage]: Invalid value: "-1Gi": must be greater than zero']);
    expectError(single(errs(pvc({ resources: { requests: { storage: 'lots' } } }))), 'spec.resources[storage]', 'Invalid value');
  });

  describe('update', () => {
    const stored = (): PersistentVolumeClaim => applyDefaults(pvc()) as PersistentVolumeClaim;
    const FORBIDDEN = 'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';
    it('volumeName may be set once, storageClassName may go from unset to set', () => {
      const old = stored();
      expect(validateUpdate({ ...old, spec: { ...old.spec!, volumeName: 'pv-1', storageClassName: 'standard' } }, old)).toEqual([]);
      const bound: PersistentVolumeClaim = { ...old, spec: { ...old.spec!, volumeName: 'pv-1', storageClassName: 'standard' } };
      expect(validateUpdate({ ...bound, spec: { ...bound.spec!, volumeName: 'pv-2' } }, bound).map(renderFieldError)).toEqual([FORBIDDEN]);
      expect(validateUpdate({ ...bound, spec: { ...bound.spec!, storageClassName: 'fast' } }, bound).map(renderFieldError)).toEqual([FORBIDDEN]);
    });
    it('other spec changes are forbidden', () => {
      const old = stored();
      expect(validateUpdate({ ...old, spec: { ...old.spec!, accessModes: ['ReadWriteMany'] } }, old).map(renderFieldError)).toEqual([FORBIDDEN]);
    });
    it('a bound claim may grow; it may shrink back only while above status.capacity (RecoverVolumeExpansionFailure, GA 1.34)', () => {
      const old: PersistentVolumeClaim = { ...stored(), status: { phase: 'Bound', capacity: { storage: '1Gi' } } };
      const sized = (c: PersistentVolumeClaim, storage: string): PersistentVolumeClaim => ({ ...c, spec: { ...c.spec!, resources: { requests: { storage } } } });
      expect(validateUpdate(sized(old, '2Gi'), old)).toEqual([]);
      expect(validateUpdate(sized(old, '512Mi'), old).map(renderFieldError))
        .toEqual(['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
      // An expansion to 4Gi that has not happened (capacity still 1Gi) may be taken back to 3Gi, not to 1Gi.
      const grown = sized(old, '4Gi');
      expect(validateUpdate(sized(grown, '3Gi'), grown)).toEqual([]);
      expect(validateUpdate(sized(grown, '1Gi'), grown).map(renderFieldError))
        .toEqual(['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
    });
  });
});

describe('PersistentVolume', () => {
  const pv = (spec: Partial<NonNullable<PersistentVolume['spec']>> = {}): PersistentVolume => ({
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' },
    spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/mnt/data' }, ...spec },
  });
  it('valid with or without a volume source', () => {
    expect(validateCreate(applyDefaults(pv()))).toEqual([]);
    expect(validateCreate(applyDefaults(pv({ hostPath: undefined })))).toEqual([]);
  });
  it('capacity and accessModes are required; reclaim policy is an enum', () => {
    expect(validateCreate(applyDefaults(pv({ capacity: {}, accessModes: [], persistentVolumeReclaimPolicy: 'Keep' }))).map(renderFieldError)).toEqual([
      'spec.accessModes: Required value',
      'spec.capacity: Required value',
      'spec.capacity: Unsupported value: {}: supported values: "storage"',
      'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
    ]);
  });
  it('a PV is cluster-scoped', () => {
    const p = pv();
    expect(validateCreate(applyDefaults({ ...p, metadata: { ...p.metadata, namespace: 'default' } })).map(renderFieldError))
      .toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
  });
  it('the volume source is immutable; claimRef and phase may change', () => {
    const old = applyDefaults(pv()) as PersistentVolume;
    expect(validateUpdate({ ...old, spec: { ...old.spec!, claimRef: { namespace: 'default', name: 'data' } }, status: { phase: 'Bound' } }, old)).toEqual([]);
    expect(validateUpdate({ ...old, spec: { ...old.spec!, hostPath: { path: '/other' } } }, old).map(renderFieldError))
      .toEqual(['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation']);
  });
});

describe('StorageClass', () => {
  it('defaults make a class with a provisioner valid', () => {
    expect(validateCreate(applyDefaults(sc()))).toEqual([]);
  });
  it('provisioner is required; policies are enums', () => {
    expect(validateCreate(applyDefaults(sc({ provisioner: '' }))).map(renderFieldError)).toEqual(['provisioner: Required value']);
    expect(message('StorageClass', 'standard', validateCreate(applyDefaults(sc({ volumeBindingMode: 'X' })))))
      .toBe('StorageClass.storage.k8s.io "standard" is invalid: volumeBindingMode: Unsupported value: "X": supported values: "Immediate", "WaitForFirstConsumer"');
    expect(validateCreate(applyDefaults(sc({ reclaimPolicy: 'Recycle' }))).map(renderFieldError))
      .toEqual(['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"']);
  });
  it('parameters, provisioner, reclaimPolicy and volumeBindingMode are immutable', () => {
    const old = applyDefaults(sc({ parameters: { type: 'ssd' } })) as StorageClass;
    expect(validateUpdate({ ...old, parameters: { type: 'hdd' } }, old).map(renderFieldError)).toEqual(['parameters: Forbidden: updates to parameters are forbidden.']);
    expect(validateUpdate({ ...old, provisioner: 'other.io/p' }, old).map(renderFieldError)).toEqual(['provisioner: Forbidden: updates to provisioner are forbidden.']);
    expect(validateUpdate({ ...old, reclaimPolicy: 'Retain' }, old).map(renderFieldError)).toEqual(['reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.']);
    expect(validateUpdate({ ...old, volumeBindingMode: 'WaitForFirstConsumer' }, old).map(renderFieldError))
      .toEqual(['volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable']);
    expect(validateUpdate({ ...old, metadata: { ...old.metadata, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } }, old)).toEqual([]);
  });
});

// ---- Service and the metadata-only kinds ------------------------------------------------------------

describe('Service', () => {
  const svcErrors = (s: Service): FieldError[] => validateCreate(applyDefaults(s));
  it('names are DNS-1035 labels', () => {
    expect(message('Service', '1nginx', svcErrors({ ...F1_SERVICE, metadata: { name: '1nginx', namespace: 'default' } }))).toBe(
      'Service "1nginx" is invalid: metadata.name: Invalid value: "1nginx": a DNS-1035 label must consist of lower case alphanumeric ' +
      "characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', " +
      "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  });
  it('ports: unique names when several, valid numbers', () => {
    const s: Service = { ...F1_SERVICE, spec: { ...F1_SERVICE.spec, ports: [{ name: 'web', port: 80 }, { name: 'web', port: 0 }, { port: 81 }] } };
    expect(svcErrors(s).map(renderFieldError)).toEqual([
      'spec.ports[1].name: Duplicate value: "web"',
      'spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[1].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[2].name: Required value',
    ]);
  });
  it('a ClusterIP service needs ports; selector labels are checked', () => {
    expect(svcErrors({ ...F1_SERVICE, spec: { selector: { app: 'nginx' } } }).map(renderFieldError)).toEqual(['spec.ports: Required value']);
    expect(svcErrors({ ...F1_SERVICE, spec: { clusterIP: 'None' } })).toEqual([]);
    expectError(single(svcErrors({ ...F1_SERVICE, spec: { ...F1_SERVICE.spec, selector: { app: '-x' } } })), 'spec.selector', 'Invalid value');
    expect(svcErrors({ ...F1_SERVICE, spec: { ...F1_SERVICE.spec, clusterIP: '10.96.0.10' } })).toEqual([]);
  });
});

describe('Namespace, Node, Endpoints, Event, ControllerRevision', () => {
  it('Namespace names are DNS labels; Node names subdomains', () => {
    const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team.a' } };
    expect(validateCreate(applyDefaults(ns)).map(renderFieldError)).toEqual(['metadata.name: Invalid value: "team.a": must not contain dots']);
    expect(validateCreate({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a.zone-1' } })).toEqual([]);
    expectError(single(validateCreate({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'Node_A' } })), 'metadata.name', 'Invalid value');
  });
  it('Node taints (validateNodeTaints, on create and on update): key, value, a required effect, one taint per key and effect', () => {
    const node = (taints: NonNullable<Node['spec']>['taints']): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, spec: { taints } });
    const bad = node([
      { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
      { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
      { key: 'zone', value: 'a b', effect: 'Evict' },
      { key: '', effect: '' } as never,
    ]);
    const expected = [
      'spec.taints[1]: Duplicate value: {"effect":"NoSchedule","key":"dedicated","value":"web"}: taints must be unique by key and effect pair',
      'spec.taints[2].value: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')',
      'spec.taints[2].effect: Unsupported value: "Evict": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'spec.taints[3].key: Invalid value: "": name part must be non-empty',
      'spec.taints[3].key: Invalid value: "": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
      'spec.taints[3].effect: Required value',
    ];
    expect(validateCreate(bad).map(renderFieldError)).toEqual(expected);
    const good = node([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'dedicated', value: 'db', effect: 'NoExecute' }]);
    expect(validateCreate(good)).toEqual([]);
    expect(validateUpdate(good, node([]))).toEqual([]);
    expect(validateUpdate(bad, good).map(renderFieldError)).toEqual(expected);
  });
  it('Endpoints and Events need a namespace', () => {
    expect(validateCreate({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'nginx', namespace: 'default' } })).toEqual([]);
    expect(validateCreate({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.1' } } as KObject).map(renderFieldError))
      .toEqual(['metadata.namespace: Required value']);
  });
  it('ControllerRevision: revision ≥ 0, data immutable', () => {
    const cr: ControllerRevision = {
      apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'web-6b5d8f4c7', namespace: 'default' },
      data: { spec: { template: { metadata: { labels: { app: 'nginx' } } } } }, revision: 1,
    };
    expect(validateCreate(cr)).toEqual([]);
    expect(validateCreate({ ...cr, revision: -1 }).map(renderFieldError)).toEqual(['revision: Invalid value: -1: must be greater than or equal to 0']);
    expect(validateUpdate({ ...cr, revision: 4 }, cr)).toEqual([]);
    const e = single(validateUpdate({ ...cr, data: { spec: {} } }, cr));
    expectError(e, 'data', 'Invalid value', 'field is immutable');
  });
  it('owner references: at most one controller', () => {
    const p = pod();
    const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true };
    const errs = validateCreate(applyDefaults({ ...p, metadata: { ...p.metadata, ownerReferences: [ref, { ...ref, name: 'web2', uid: 'u2' }] } }));
    expectError(single(errs), 'metadata.ownerReferences', 'Invalid value',
      'Only one reference can have Controller set to true. Found "true" in references for StatefulSet/web and StatefulSet/web2');
  });
});

describe('ResourceQuota validation (ValidateResourceQuota)', () => {
  const quota = (hard: Record<string, unknown>): KObject =>
    ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard } }) as unknown as KObject;
  it('standard and qualified resource names with non-negative quantities are valid', () => {
    expect(validateCreate(quota({ pods: '3', 'requests.storage': '10Gi', 'count/statefulsets.apps': 2, 'requests.cpu': '500m' }))).toEqual([]);
  });
  it('an unknown name, a negative value, a fractional count and a malformed quantity are refused with their paths', () => {
    expect(message('ResourceQuota', 'q', validateCreate(quota({ widgets: '1', pods: '-1' })))).toBe(
      'ResourceQuota "q" is invalid: [spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota, spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0]',
    );
    expect(message('ResourceQuota', 'q', validateCreate(quota({ pods: '1500m' })))).toBe('ResourceQuota "q" is invalid: spec.hard[pods]: Invalid value: "1500m": must be an integer');
    expect(validateCreate(quota({ 'requests.storage': 'lots' })).map((e) => e.path)).toEqual(['spec.hard[requests.storage]']);
  });
});

describe('PodDisruptionBudget validation (ValidatePodDisruptionBudget)', () => {
  const pdb = (spec: Record<string, unknown>): KObject =>
    ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'default' }, spec }) as unknown as KObject;
  it('minAvailable or maxUnavailable, as a count or a percentage; a selector; the unhealthy-pod policy', () => {
    expect(validateCreate(pdb({ minAvailable: 2, selector: { matchLabels: { app: 'db' } } }))).toEqual([]);
    expect(validateCreate(pdb({ maxUnavailable: '25%', selector: {}, unhealthyPodEvictionPolicy: 'AlwaysAllow' }))).toEqual([]);
  });
  it('both set, negative, over 100% or not a percentage, a bad selector or policy: refused with Kubernetes\' messages', () => {
    expect(message('PodDisruptionBudget', 'db', validateCreate(pdb({ minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { app: 'db' } } })))).toBe(
      'PodDisruptionBudget.policy "db" is invalid: spec: Invalid value: {"minAvailable":1,"selector":{"matchLabels":{"app":"db"}},"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set');
    expect(message('PodDisruptionBudget', 'db', validateCreate(pdb({ minAvailable: -1 })))).toBe(
      'PodDisruptionBudget.policy "db" is invalid: spec.minAvailable: Invalid value: -1: must be greater than or equal to 0');
    expect(message('PodDisruptionBudget', 'db', validateCreate(pdb({ maxUnavailable: '120%' })))).toBe(
      'PodDisruptionBudget.policy "db" is invalid: spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%');
    expect(message('PodDisruptionBudget', 'db', validateCreate(pdb({ maxUnavailable: 'half' })))).toBe(
      'PodDisruptionBudget.policy "db" is invalid: spec.maxUnavailable: Invalid value: "half": a valid percent string must be a numeric string followed by an ending \'%\' (e.g. \'1%\',  or \'93%\', regex used for validation is \'[0-9]+%\')');
    expect(message('PodDisruptionBudget', 'db', validateCreate(pdb({ minAvailable: 1, unhealthyPodEvictionPolicy: 'Never' })))).toBe(
      'PodDisruptionBudget.policy "db" is invalid: spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"');
    expect(validateCreate(pdb({ minAvailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } })).map((e) => e.path)).toEqual(['spec.selector.matchExpressions[0].values']);
  });
});

describe('EndpointSlice validation (ValidateEndpointSliceCreate / Update)', () => {
  const slice = (extra: Record<string, unknown> = {}): KObject => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abcde', namespace: 'default' },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.64.0.2'], hostname: 'web-0', conditions: { ready: true } }],
    ports: [{ name: 'web', port: 80, protocol: 'TCP' }], ...extra,
  }) as unknown as KObject;
  it('a slice the controller writes is valid; so is a placeholder without endpoints or ports', () => {
    expect(validateCreate(slice())).toEqual([]);
    expect(validateCreate(slice({ endpoints: [], ports: undefined }))).toEqual([]);
  });
  it('addressType is required and one of IPv4, IPv6, FQDN; addresses must fit it', () => {
    expect(message('EndpointSlice', 'web-abcde', validateCreate(slice({ addressType: undefined })))).toBe('EndpointSlice.discovery.k8s.io "web-abcde" is invalid: addressType: Required value');
    expect(message('EndpointSlice', 'web-abcde', validateCreate(slice({ addressType: 'IP' })))).toBe(
      'EndpointSlice.discovery.k8s.io "web-abcde" is invalid: addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"');
    expect(validateCreate(slice({ endpoints: [{ addresses: ['fe80::1'] }] })).map((e) => `${e.path}: ${e.detail ?? ''}`)).toEqual(['endpoints[0].addresses[0]: must be a valid IPv4 address']);
    expect(validateCreate(slice({ endpoints: [{ addresses: ['127.0.0.1'] }] })).map((e) => e.detail)).toEqual(['may not be in the loopback range (127.0.0.0/8, ::1/128)']);
    expect(validateCreate(slice({ endpoints: [{ addresses: [] }] })).map((e) => `${e.path}: ${e.type}: ${e.detail ?? ''}`)).toEqual(['endpoints[0].addresses: Required value: must contain at least 1 address']);
  });
  it('at most 1000 endpoints and 100 ports; port names unique; protocols TCP, UDP, SCTP; hostname a DNS label', () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ addresses: [`10.64.${i >> 8}.${(i & 255) + 1}`] }));
    expect(message('EndpointSlice', 's', validateCreate(slice({ endpoints: many })))).toBe('EndpointSlice.discovery.k8s.io "s" is invalid: endpoints: Too many: 1001: must have at most 1000 items');
    expect(validateCreate(slice({ ports: [{ name: 'web', port: 80, protocol: 'TCP' }, { name: 'web', port: 81, protocol: 'HTTP' }] })).map((e) => `${e.path}: ${e.type}`))
      .toEqual(['ports[1].name: Duplicate value', 'ports[1].protocol: Unsupported value']);
    expect(validateCreate(slice({ endpoints: [{ addresses: ['10.64.0.2'], hostname: 'Web_0' }] })).map((e) => e.path)).toEqual(['endpoints[0].hostname']);
  });
  it('addressType is immutable', () => {
    const old = slice();
    const next = slice({ addressType: 'IPv6', endpoints: [] });
    expect(validateUpdate(next, old).map((e) => `${e.path}: ${e.detail ?? ''}`)).toEqual(['addressType: field is immutable']);
  });
});

describe('ConfigMap, Secret and ServiceAccount validation (ValidateConfigMap, ValidateSecret, ValidateServiceAccount)', () => {
  const cm = (extra: Record<string, unknown>): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, ...extra }) as unknown as KObject;
  const secret = (extra: Record<string, unknown>): KObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'Opaque', ...extra }) as unknown as KObject;
  const keyMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

  it('ConfigMap keys: the config-key pattern, not `.`/`..` nor starting with `..`; no key in both data and binaryData; at most 1 MiB', () => {
    expect(validateCreate(cm({ data: { 'app.conf': 'x', KEY_1: 'y' }, binaryData: { 'b.bin': 'AAE=' } }))).toEqual([]);
    expect(message('ConfigMap', 'c', validateCreate(cm({ data: { 'a b': '1', '..x': '2' }, binaryData: { k: 'AA==' } })))).toBe(
      `ConfigMap "c" is invalid: [data[..x]: Invalid value: "..x": must not start with '..', data[a b]: Invalid value: "a b": ${keyMsg}]`,
    );
    expect(message('ConfigMap', 'c', validateCreate(cm({ data: { k: '1' }, binaryData: { k: 'AA==' } })))).toBe(
      'ConfigMap "c" is invalid: data[k]: Invalid value: "k": duplicate of key present in binaryData',
    );
    expect(message('ConfigMap', 'c', validateCreate(cm({ data: { big: 'x'.repeat(1024 * 1024 + 1) } })))).toBe(
      'ConfigMap "c" is invalid: []: Too long: may not be more than 1048576 bytes',
    );
  });

  it('an immutable ConfigMap or Secret keeps its data and stays immutable', () => {
    const old = cm({ data: { a: '1' }, immutable: true });
    expect(validateUpdate(cm({ data: { a: '1' }, immutable: true, metadata: { name: 'c', namespace: 'default', labels: { x: 'y' } } }), old)).toEqual([]);
    expect(validateUpdate(cm({ data: { a: '2' } }), old).map(renderFieldError)).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set', 'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    const oldSecret = secret({ data: { a: 'eA==' }, immutable: true });
    expect(validateUpdate(secret({ data: { a: 'eQ==' }, immutable: true }), oldSecret).map(renderFieldError)).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
  });

  it('Secret: the keys its type requires, the type immutable, at most 1 MiB of decoded data', () => {
    expect(validateCreate(secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } }))).toEqual([]);
    expect(message('Secret', 's', validateCreate(secret({ type: 'kubernetes.io/tls', data: {} })))).toBe('Secret "s" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]');
    expect(message('Secret', 's', validateCreate(secret({ type: 'kubernetes.io/basic-auth' })))).toBe('Secret "s" is invalid: [data[username]: Required value, data[password]: Required value]');
    expect(validateCreate(secret({ type: 'kubernetes.io/basic-auth', data: { password: '' } }))).toEqual([]);
    expect(message('Secret', 's', validateCreate(secret({ type: 'kubernetes.io/service-account-token' })))).toBe(
      'Secret "s" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value',
    );
    expect(message('Secret', 's', validateCreate(secret({ type: 'kubernetes.io/dockerconfigjson' })))).toBe('Secret "s" is invalid: data[.dockerconfigjson]: Required value');
    expect(validateUpdate(secret({ type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': 'eA==' } }), secret({})).map(renderFieldError)).toEqual([
      'type: Invalid value: "kubernetes.io/ssh-auth": field is immutable',
    ]);
    // 1 MiB of data decoded (base64 of 1,048,577 bytes).
    const big = Buffer.alloc(1024 * 1024 + 1).toString('base64');
    expect(validateCreate(secret({ data: { big } })).map(renderFieldError)).toEqual(['data: Too long: may not be more than 1048576 bytes']);
    expect(validateCreate(secret({ data: { 'bad key': 'eA==' } })).map(renderFieldError)).toEqual([`data[bad key]: Invalid value: "bad key": ${keyMsg}`]);
  });

  it('ServiceAccount: a DNS-subdomain name in a namespace', () => {
    const sa = (name: string): KObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'default' } }) as unknown as KObject;
    expect(validateCreate(sa('db.reader'))).toEqual([]);
    expect(validateCreate(sa('DB')).map((e) => e.path)).toEqual(['metadata.name']);
  });

  it('a pod\'s ConfigMap and Secret references: volume names and items, envFrom and valueFrom names and keys', () => {
    const p = pod();
    p.spec!.volumes = [{ name: 'cfg', configMap: { name: '', items: [{ key: 'k', path: '../x' }] } }, { name: 'sec', secret: {} }];
    p.spec!.containers[0]!.envFrom = [{}, { configMapRef: { name: '' } }];
    p.spec!.containers[0]!.env = [{ name: 'A', valueFrom: { secretKeyRef: { name: 'db', key: 'bad key' } } }, { name: 'B', valueFrom: { configMapKeyRef: { name: '', key: '' } } }];
    expect(validateCreate(applyDefaults(p as KObject)).map(renderFieldError)).toEqual([
      'spec.volumes[0].configMap.name: Required value',
      'spec.volumes[0].configMap.items[0].path: Invalid value: "../x": must not contain \'..\'',
      'spec.volumes[1].secret.secretName: Required value',
      'spec.containers[0].envFrom[0]: Invalid value: "": must specify one of: `configMapRef` or `secretRef`',
      'spec.containers[0].envFrom[1].configMapRef.name: Required value',
      `spec.containers[0].env[0].valueFrom.secretKeyRef.key: Invalid value: "bad key": ${keyMsg}`,
      'spec.containers[0].env[1].valueFrom.configMapKeyRef.name: Required value',
      'spec.containers[0].env[1].valueFrom.configMapKeyRef.key: Required value',
    ]);
  });
});
