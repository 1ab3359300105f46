import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyDefaults, type KObject } from '../src/index.js';
import type {
  ControllerRevision, Endpoints, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, ReplicaSet, Service,
  StatefulSet, StorageClass,
} from '../src/index.js';

const deepFreeze = <T>(o: T): T => {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
};

/** Default a deep-frozen copy (any write to the input throws) and check the input is unchanged. */
const defaulted = <T extends KObject>(o: T): T => {
  const before = JSON.stringify(o);
  const input = deepFreeze(structuredClone(o));
  const out = applyDefaults(input) as T;
  expect(out).not.toBe(input);
  expect(JSON.stringify(input)).toBe(before);
  return out;
};

const sts = (spec: Partial<NonNullable<StatefulSet['spec']>> = {}): StatefulSet => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
  spec: {
    serviceName: 'nginx',
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ name: 'web', containerPort: 80 }] }] },
    },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    ...spec,
  },
});

describe('StatefulSet defaults (§1.1)', () => {
  it('F1-like set gets every default', () => {
    const s = defaulted(sts()).spec!;
    expect(s.podManagementPolicy).toBe('OrderedReady');
    expect(s.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } });
    expect(s.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(s.replicas).toBe(1);
    expect(s.revisionHistoryLimit).toBe(10);
    expect(s.volumeClaimTemplates![0]!.spec!.volumeMode).toBe('Filesystem');
    expect(s.minReadySeconds).toBeUndefined();
    expect(s.ordinals).toBeUndefined();
    const pod = s.template.spec!;
    expect(pod.restartPolicy).toBe('Always');
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.dnsPolicy).toBe('ClusterFirst');
    expect(pod.schedulerName).toBe('default-scheduler');
    expect(pod.securityContext).toEqual({});
    expect(pod.containers[0]).toEqual({
      name: 'nginx', image: 'nginx:1.25', ports: [{ name: 'web', containerPort: 80, protocol: 'TCP' }],
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent',
    });
  });

  it('explicit type RollingUpdate without a rollingUpdate block keeps it absent', () => {
    const s = defaulted(sts({ updateStrategy: { type: 'RollingUpdate' } })).spec!;
    expect(s.updateStrategy).toEqual({ type: 'RollingUpdate' });
    expect(s.updateStrategy!.rollingUpdate).toBeUndefined();
  });

  it('rollingUpdate present: partition null → 0, maxUnavailable null → 1; explicit values kept', () => {
    expect(defaulted(sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: {} } })).spec!.updateStrategy)
      .toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } });
    expect(defaulted(sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: '50%' } } })).spec!.updateStrategy)
      .toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: '50%' } });
    expect(defaulted(sts({ updateStrategy: { rollingUpdate: { partition: 2 } } })).spec!.updateStrategy)
      .toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: 1 } });
  });

  it('OnDelete (and unknown types) get no rollingUpdate block', () => {
    expect(defaulted(sts({ updateStrategy: { type: 'OnDelete' } })).spec!.updateStrategy).toEqual({ type: 'OnDelete' });
    expect(defaulted(sts({ updateStrategy: { type: 'OnDelete', rollingUpdate: {} } })).spec!.updateStrategy)
      .toEqual({ type: 'OnDelete', rollingUpdate: {} });
  });

  it('retention policy: null → Retain/Retain, an empty sub-field → Retain', () => {
    expect(defaulted(sts({ persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } })).spec!.persistentVolumeClaimRetentionPolicy)
      .toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
    expect(defaulted(sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: '' } })).spec!.persistentVolumeClaimRetentionPolicy)
      .toEqual({ whenDeleted: 'Delete', whenScaled: 'Retain' });
  });

  it('explicit values are kept (0 is a value)', () => {
    const s = defaulted(sts({ replicas: 0, revisionHistoryLimit: 0, podManagementPolicy: 'Parallel' })).spec!;
    expect([s.replicas, s.revisionHistoryLimit, s.podManagementPolicy]).toEqual([0, 0, 'Parallel']);
    const vm = defaulted(sts({
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Block' } }],
    })).spec!.volumeClaimTemplates![0]!.spec!.volumeMode;
    expect(vm).toBe('Block');
  });

  it('a missing template still gets a defaulted pod spec', () => {
    const raw = sts();
    delete (raw.spec as { template?: unknown }).template;
    expect(defaulted(raw).spec!.template.spec!.restartPolicy).toBe('Always');
  });

  it('does not set metadata.namespace', () => {
    expect(defaulted(sts()).metadata!.namespace).toBeUndefined();
  });

  it('is idempotent and shares already-defaulted sub-trees', () => {
    const once = applyDefaults(sts()) as StatefulSet;
    const twice = applyDefaults(once) as StatefulSet;
    expect(twice).not.toBe(once);
    expect(twice).toEqual(once);
    expect(twice.spec).toBe(once.spec);
  });
});

describe('ReplicaSet defaults', () => {
  it('replicas → 1 and the pod template is defaulted', () => {
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'c' }] } } },
    };
    const out = defaulted(rs).spec!;
    expect(out.replicas).toBe(1);
    expect(out.template!.spec!.restartPolicy).toBe('Always');
    expect(out.template!.spec!.containers[0]!.imagePullPolicy).toBe('Always');
    expect(defaulted({ ...rs, spec: { ...rs.spec!, replicas: 0 } }).spec!.replicas).toBe(0);
  });
});

describe('Pod spec defaults', () => {
  const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  });

  it('every pod-level default', () => {
    const s = defaulted(pod()).spec!;
    expect(s.restartPolicy).toBe('Always');
    expect(s.terminationGracePeriodSeconds).toBe(30);
    expect(s.dnsPolicy).toBe('ClusterFirst');
    expect(s.schedulerName).toBe('default-scheduler');
    expect(s.securityContext).toEqual({});
    expect(s.enableServiceLinks).toBe(true);
    expect(s.containers[0]!.terminationMessagePath).toBe('/dev/termination-log');
    expect(s.containers[0]!.terminationMessagePolicy).toBe('File');
  });

  it('explicit values are kept', () => {
    const s = defaulted(pod({
      restartPolicy: 'Never', terminationGracePeriodSeconds: 0, dnsPolicy: 'Default', schedulerName: 'mine', securityContext: { runAsUser: 1 }, enableServiceLinks: false,
      containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Never', terminationMessagePath: '/tmp/t', terminationMessagePolicy: 'FallbackToLogsOnError', ports: [{ containerPort: 53, protocol: 'UDP' }] }],
    })).spec!;
    expect(s).toEqual({
      restartPolicy: 'Never', terminationGracePeriodSeconds: 0, dnsPolicy: 'Default', schedulerName: 'mine', securityContext: { runAsUser: 1 }, enableServiceLinks: false,
      containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Never', terminationMessagePath: '/tmp/t', terminationMessagePolicy: 'FallbackToLogsOnError', ports: [{ containerPort: 53, protocol: 'UDP' }] }],
    });
  });

  it('imagePullPolicy: Always for `latest` or no tag, else IfNotPresent', () => {
    const cases: [string, string][] = [
      ['nginx', 'Always'], ['nginx:latest', 'Always'], ['library/nginx', 'Always'], ['localhost:5000/nginx', 'Always'],
      ['registry.io:443/team/app:latest', 'Always'], ['nginx:1.25', 'IfNotPresent'], ['localhost:5000/nginx:1.0', 'IfNotPresent'],
      ['mongo-db', 'Always'], ['nginx@sha256:0123456789abcdef', 'IfNotPresent'], ['nginx:1.25@sha256:0123', 'IfNotPresent'],
    ];
    for (const [image, policy] of cases) {
      expect(defaulted(pod({ containers: [{ name: 'c', image }] })).spec!.containers[0]!.imagePullPolicy, image).toBe(policy);
    }
  });

  it('container ports default to TCP; init containers get container defaults', () => {
    const s = defaulted(pod({
      containers: [{ name: 'c', image: 'a:1', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }],
      initContainers: [{ name: 'i', image: 'b' }],
    })).spec!;
    expect(s.containers[0]!.ports!.map((p) => p.protocol)).toEqual(['TCP', 'UDP']);
    expect(s.initContainers![0]!.imagePullPolicy).toBe('Always');
    expect(s.initContainers![0]!.terminationMessagePolicy).toBe('File');
  });

  it('a defaulted spec keeps its identity (the pod-update fast path relies on it)', () => {
    const once = applyDefaults(pod()) as Pod;
    const again = applyDefaults({ ...once, metadata: { ...once.metadata, labels: { x: 'y' } } }) as Pod;
    expect(again.spec).toBe(once.spec);
  });

  it('property: defaulting never mutates its input and is idempotent', () => {
    const container = fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      image: fc.constantFrom('nginx', 'nginx:1.25', 'nginx:latest', 'r.io:5000/x', 'x@sha256:00'),
      imagePullPolicy: fc.option(fc.constantFrom('Always', 'Never', 'IfNotPresent'), { nil: undefined }),
      ports: fc.option(fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }), protocol: fc.option(fc.constantFrom('TCP', 'UDP'), { nil: undefined }) }), { maxLength: 3 }), { nil: undefined }),
    }, { requiredKeys: ['name', 'image'] });
    fc.assert(fc.property(
      fc.array(container, { minLength: 1, maxLength: 3 }),
      fc.option(fc.constantFrom('Always', 'Never'), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      (containers, restartPolicy, grace) => {
        const p = pod({ containers, restartPolicy, terminationGracePeriodSeconds: grace });
        const once = defaulted(p);
        expect(applyDefaults(once)).toEqual(once);
        expect(once.spec!.restartPolicy).toBe(restartPolicy ?? 'Always');
        expect(once.spec!.terminationGracePeriodSeconds).toBe(grace ?? 30);
        for (const c of once.spec!.containers) {
          expect(c.imagePullPolicy).toBeDefined();
          for (const port of c.ports ?? []) expect(port.protocol).toBeDefined();
        }
      },
    ), { seed: 20260101, numRuns: 200 });
  });
});

describe('storage defaults', () => {
  it('PersistentVolumeClaim: volumeMode → Filesystem', () => {
    const c: PersistentVolumeClaim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'] } };
    expect(defaulted(c).spec!.volumeMode).toBe('Filesystem');
    expect(defaulted({ ...c, spec: { ...c.spec, volumeMode: 'Block' } }).spec!.volumeMode).toBe('Block');
  });
  it('PersistentVolume: reclaim policy → Retain, volumeMode → Filesystem', () => {
    const v: PersistentVolume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { capacity: { storage: '1Gi' } } };
    const s = defaulted(v).spec!;
    expect([s.persistentVolumeReclaimPolicy, s.volumeMode]).toEqual(['Retain', 'Filesystem']);
    expect(defaulted({ ...v, spec: { ...v.spec, persistentVolumeReclaimPolicy: 'Delete' } }).spec!.persistentVolumeReclaimPolicy).toBe('Delete');
  });
  it('StorageClass: reclaimPolicy → Delete, volumeBindingMode → Immediate', () => {
    const c: StorageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'p.io/x' };
    const out = defaulted(c);
    expect([out.reclaimPolicy, out.volumeBindingMode]).toEqual(['Delete', 'Immediate']);
    const kept = defaulted({ ...c, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
    expect([kept.reclaimPolicy, kept.volumeBindingMode]).toEqual(['Retain', 'WaitForFirstConsumer']);
  });
});

describe('Service defaults', () => {
  it('type, sessionAffinity, port protocol and targetPort', () => {
    const svc: Service = {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' },
      spec: { clusterIP: 'None', ports: [{ name: 'web', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }, { name: 'x', port: 81, targetPort: 0 }] },
    };
    const s = defaulted(svc).spec!;
    expect(s.type).toBe('ClusterIP');
    expect(s.sessionAffinity).toBe('None');
    expect(s.ports).toEqual([
      { name: 'web', port: 80, protocol: 'TCP', targetPort: 80 },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
      { name: 'x', port: 81, protocol: 'TCP', targetPort: 81 },
    ]);
  });

  it('traffic policies: internal Cluster unless ExternalName (a given one kept), external Cluster only with node ports', () => {
    const svc = (spec: Service['spec']): Service['spec'] => defaulted({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec } as Service).spec!;
    expect(svc({ ports: [{ port: 80 }] })).toMatchObject({ type: 'ClusterIP', internalTrafficPolicy: 'Cluster' });
    expect(svc({ ports: [{ port: 80 }] })?.externalTrafficPolicy).toBeUndefined();
    expect(svc({ type: 'NodePort', ports: [{ port: 80 }] })).toMatchObject({ internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster' });
    expect(svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', ports: [{ port: 80 }] })).toMatchObject({ internalTrafficPolicy: 'Local', externalTrafficPolicy: 'Local' });
    expect(svc({ type: 'ExternalName', externalName: 'db.example.com' })?.internalTrafficPolicy).toBeUndefined();
  });
});

describe('Pod defaults', () => {
  it('SetDefaults_Probe and SetDefaults_HTTPGetAction: timeout 1, period 10, thresholds 1 and 3, path / and scheme HTTP — on pods and templates, containers and sidecars, and hooks', () => {
    const spec = {
      containers: [{
        name: 'a', image: 'nginx:1.25', readinessProbe: { httpGet: { port: 80 } }, livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5, failureThreshold: 6 },
        lifecycle: { preStop: { httpGet: { port: 80, path: '/stop' } } },
      }],
      initContainers: [{ name: 'side', image: 'envoy:1.30', restartPolicy: 'Always', startupProbe: { exec: { command: ['true'] } } }],
    };
    const p = defaulted({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec } as unknown as KObject) as Pod;
    const c = p.spec!.containers[0]!;
    expect(c.readinessProbe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 80 }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 6 });
    expect(c.lifecycle).toEqual({ preStop: { httpGet: { port: 80, path: '/stop', scheme: 'HTTP' } } });
    expect(p.spec!.initContainers![0]!.startupProbe).toEqual({ exec: { command: ['true'] }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    const rs = defaulted({
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec } },
    } as unknown as KObject) as ReplicaSet;
    expect(rs.spec!.template!.spec!.containers[0]!.readinessProbe).toEqual(c.readinessProbe);
  });

  it('SetDefaults_Pod: a container (or init container) with a limit but no request for a resource requests its limit; a template does not', () => {
    const spec = {
      containers: [
        { name: 'a', image: 'nginx:1.25', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '250m' } } },
        { name: 'b', image: 'nginx:1.25' },
      ],
      initContainers: [{ name: 'i', image: 'busybox:1.36', resources: { limits: { memory: '64Mi' } } }],
    };
    const p = defaulted({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec } as unknown as KObject) as Pod;
    expect(p.spec!.containers.map((c) => c.resources)).toEqual([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '250m', memory: '1Gi' } }, undefined]);
    expect(p.spec!.initContainers![0]!.resources).toEqual({ limits: { memory: '64Mi' }, requests: { memory: '64Mi' } });
    const rs = defaulted({
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec } },
    } as unknown as KObject) as ReplicaSet;
    expect(rs.spec!.template!.spec!.containers[0]!.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '250m' } });
  });

  it('SetDefaults_Pod: enableServiceLinks true on a pod (an explicit false kept), not on a template', () => {
    const spec = { containers: [{ name: 'a', image: 'nginx:1.25' }] };
    const p = defaulted({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec } as unknown as KObject) as Pod;
    expect(p.spec!.enableServiceLinks).toBe(true);
    const off = defaulted({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { ...spec, enableServiceLinks: false } } as unknown as KObject) as Pod;
    expect(off.spec!.enableServiceLinks).toBe(false);
    const sts = defaulted({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { a: 'b' } }, serviceName: 'web', template: { metadata: { labels: { a: 'b' } }, spec } },
    } as unknown as KObject) as StatefulSet;
    expect(sts.spec!.template.spec).not.toHaveProperty('enableServiceLinks');
  });
});

describe('kinds without defaults', () => {
  it('Node, Endpoints, Event, ControllerRevision are copied unchanged (and a Namespace already labelled with its name)', () => {
    const objs: KObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels: { 'kubernetes.io/metadata.name': 'ns' } } } satisfies Namespace,
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, spec: {} } satisfies Node,
      { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'nginx' }, subsets: [] } satisfies Endpoints,
      { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: {} } satisfies Event,
      { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'web-1' }, revision: 1, data: {} } satisfies ControllerRevision,
    ];
    for (const o of objs) expect(defaulted(o)).toEqual(o);
  });
});

describe('Namespace defaults', () => {
  it('SetDefaults_Namespace: the label kubernetes.io/metadata.name is the name, whatever the manifest says; other labels kept', () => {
    const ns = (labels?: Record<string, string>) => defaulted({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', ...(labels ? { labels } : {}) } } as KObject).metadata?.labels;
    expect(ns()).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
    expect(ns({ env: 'prod', 'kubernetes.io/metadata.name': 'other' })).toEqual({ env: 'prod', 'kubernetes.io/metadata.name': 'team-a' });
  });
});
