import { describe, expect, it } from 'vitest';
import {
  timestamp, type ControllerRevision, type Endpoints, type Event, type KObject, type Namespace, type Node,
  type PersistentVolume, type PersistentVolumeClaim, type Pod, type ReplicaSet, type Service, type StatefulSet,
  type StorageClass, type EndpointSlice, type PodDisruptionBudget, type ResourceQuota,
} from '@kubesim/api';
import {
  describeDisruptionBudget, describeEndpoints, describeEndpointSlice, describeEvents, describeNamespace, describeQuota, describeService, describeStorageClass, describeVolume, formatAge, goJson, goYaml, printObjects, printTable, renderTabbed, summarizePod, toList,
} from '../src/printers/index.js';

// ---------------------------------------------------------------------------------------------------
// fixtures: "now" is 10m5s of virtual time

const NOW = 605_000;
const lines = (...ls: string[]): string => `${ls.join('\n')}\n`;
const table = (kind: Parameters<typeof printTable>[0], objs: readonly KObject[], wide = false) =>
  printTable(kind, objs, { wide, nowMs: NOW });

const meta = (name: string, createdMs = 0, extra: Record<string, unknown> = {}) =>
  ({ name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: timestamp(createdMs), ...extra });

const runningReady = (name: string, restartCount = 0) => ({
  name, image: 'nginx:1.27', imageID: '', ready: true, restartCount, started: true,
  state: { running: { startedAt: timestamp(1_000) } },
});

const readyConditions = [
  { type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' },
  { type: 'ContainersReady', status: 'True' }, { type: 'PodScheduled', status: 'True' },
];

const stsPod = (name: string, createdMs: number, over: Partial<Pod> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: meta(name, createdMs, { labels: { app: 'nginx' } }),
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }], nodeName: 'node-1', hostname: name, subdomain: 'web' },
  ...over,
});

const web0: Pod = stsPod('web-0', 0, {
  spec: {
    containers: [{ name: 'nginx', image: 'nginx:1.27' }], nodeName: 'node-1',
    readinessGates: [{ conditionType: 'example.com/lb-registered' }],
  },
  status: {
    phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }],
    conditions: [...readyConditions, { type: 'example.com/lb-registered', status: 'True' }],
    containerStatuses: [runningReady('nginx')],
  },
});

const web1: Pod = stsPod('web-1', 540_000, {
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }], nodeName: 'node-2' },
  status: {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
    containerStatuses: [{
      name: 'nginx', image: 'nginx:1.27', imageID: '', ready: false, restartCount: 0, started: false,
      state: { waiting: { reason: 'ContainerCreating' } },
    }],
  },
});

const web2: Pod = {
  ...stsPod('web-2', 300_000, {
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }], nodeName: 'node-2' },
    status: {
      phase: 'Running', podIP: '10.244.2.3', podIPs: [{ ip: '10.244.2.3' }], conditions: readyConditions,
      containerStatuses: [runningReady('nginx')],
    },
  }),
  metadata: meta('web-2', 300_000, { deletionTimestamp: timestamp(600_000), deletionGracePeriodSeconds: 30 }),
};

const evicted: Pod = {
  apiVersion: 'v1', kind: 'Pod', metadata: meta('evicted-7xk2p'),
  spec: { containers: [{ name: 'app', image: 'app:1' }], nodeName: 'node-1' },
  status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
};

const crashy: Pod = {
  apiVersion: 'v1', kind: 'Pod', metadata: meta('crashy-6d4cf'),
  spec: { containers: [{ name: 'app', image: 'app:1' }], nodeName: 'node-2' },
  status: {
    phase: 'Running', podIP: '10.244.2.7', podIPs: [{ ip: '10.244.2.7' }],
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [{
      name: 'app', image: 'app:1', imageID: '', ready: false, restartCount: 5, started: false,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: timestamp(545_000) } },
    }],
  },
};

// ---------------------------------------------------------------------------------------------------

describe('formatAge (duration.HumanDuration)', () => {
  const S = 1000;
  const M = 60 * S;
  const H = 60 * M;
  const D = 24 * H;
  it.each([
    [-3 * S, '<invalid>'], [-2 * S, '<invalid>'], [-1999, '0s'], [-500, '0s'], [0, '0s'], [999, '0s'],
    [45 * S, '45s'], [119 * S + 999, '119s'], [2 * M, '2m'], [2 * M + 3 * S, '2m3s'], [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'], [10 * M + 59 * S, '10m'], [3 * H - S, '179m'], [3 * H, '3h'], [3 * H + 20 * M + 59 * S, '3h20m'],
    [7 * H + 59 * M, '7h59m'], [8 * H, '8h'], [47 * H + 59 * M, '47h'], [48 * H, '2d'], [50 * H, '2d2h'],
    [8 * D - H, '7d23h'], [8 * D, '8d'], [729 * D, '729d'], [730 * D, '2y'], [740 * D, '2y10d'],
    [8 * 365 * D - D, '7y364d'], [8 * 365 * D, '8y'], [10 * 365 * D + 100 * D, '10y'],
  ])('%d ms → %s', (ms, want) => {
    expect(formatAge(ms)).toBe(want);
  });
});

describe('tab layout', () => {
  it('pads every cell but the last to max(longest + 3, 6) and trims trailing blanks', () => {
    expect(renderTabbed([['A', 'B', 'C'], ['x', '', '']])).toBe('A     B     C\nx\n');
    expect(renderTabbed([['NAME', 'AGE'], ['a-long-name', '1s']])).toBe('NAME          AGE\na-long-name   1s\n');
  });
});

describe('printTable: Pod', () => {
  const pods = [web2, web1, web0, evicted, crashy];

  it('prints the default columns, sorted by name, with kubectl STATUS/READY/RESTARTS rules', () => {
    expect(table('Pod', pods)).toBe(lines(
      'NAME            READY   STATUS              RESTARTS      AGE',
      'crashy-6d4cf    0/1     CrashLoopBackOff    5 (60s ago)   10m',
      'evicted-7xk2p   0/1     Evicted             0             10m',
      'web-0           1/1     Running             0             10m',
      'web-1           0/1     ContainerCreating   0             65s',
      'web-2           1/1     Terminating         0             5m5s',
    ));
  });

  it('-o wide adds IP, NODE, NOMINATED NODE and READINESS GATES', () => {
    expect(table('Pod', pods, true)).toBe(lines(
      'NAME            READY   STATUS              RESTARTS      AGE    IP           NODE     NOMINATED NODE   READINESS GATES',
      'crashy-6d4cf    0/1     CrashLoopBackOff    5 (60s ago)   10m    10.244.2.7   node-2   <none>           <none>',
      'evicted-7xk2p   0/1     Evicted             0             10m    <none>       node-1   <none>           <none>',
      'web-0           1/1     Running             0             10m    10.244.1.5   node-1   <none>           1/1',
      'web-1           0/1     ContainerCreating   0             65s    <none>       node-2   <none>           <none>',
      'web-2           1/1     Terminating         0             5m5s   10.244.2.3   node-2   <none>           <none>',
    ));
  });

  it('prefixes names with the kind for --show-kind and adds NAMESPACE for -A', () => {
    expect(printTable('Pod', [web0], { wide: false, nowMs: NOW, showKind: true })).toBe(lines(
      'NAME        READY   STATUS    RESTARTS   AGE',
      'pod/web-0   1/1     Running   0          10m',
    ));
    const staging: Pod = { ...web0, metadata: { ...web0.metadata, namespace: 'staging' } };
    expect(printTable('Pod', [staging, web0], { wide: false, nowMs: NOW, showNamespace: true })).toBe(lines(
      'NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE',
      'default     web-0   1/1     Running   0          10m',
      'staging     web-0   1/1     Running   0          10m',
    ));
  });

  it('returns an empty string for no objects (the caller prints "No resources found")', () => {
    expect(table('Pod', [])).toBe('');
    expect(printTable('Pod', [], { wide: true, nowMs: NOW, showKind: true })).toBe('');
  });
});

describe('summarizePod (printPod rules)', () => {
  const base = (status: Pod['status'], spec: Partial<NonNullable<Pod['spec']>> = {}, extraMeta = {}): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: meta('p', 0, extraMeta),
    spec: { containers: [{ name: 'app', image: 'app:1' }], ...spec }, status,
  });
  const init = { initContainers: [{ name: 'init-db', image: 'busybox' }] };

  it('reports init containers', () => {
    expect(summarizePod(base({
      phase: 'Pending',
      initContainerStatuses: [{ name: 'init-db', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { running: {} } }],
    }, init), NOW).status).toBe('Init:0/1');
    expect(summarizePod(base({
      phase: 'Pending',
      initContainerStatuses: [{
        name: 'init-db', image: 'busybox', imageID: '', ready: false, restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
      }],
    }, init), NOW)).toEqual({ ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '3' });
    expect(summarizePod(base({
      phase: 'Pending',
      initContainerStatuses: [{
        name: 'init-db', image: 'busybox', imageID: '', ready: false, restartCount: 0,
        state: { terminated: { exitCode: 1 } },
      }],
    }, init), NOW).status).toBe('Init:ExitCode:1');
  });

  it('counts started sidecars as containers and their restarts with the last restart age', () => {
    const s = summarizePod(base({
      phase: 'Running', conditions: readyConditions,
      initContainerStatuses: [{
        ...runningReady('sidecar', 2), lastState: { terminated: { exitCode: 137, finishedAt: timestamp(NOW - 30_000) } },
      }],
      containerStatuses: [runningReady('app')],
    }, { initContainers: [{ name: 'sidecar', image: 'envoy', restartPolicy: 'Always' }] }), NOW);
    expect(s).toEqual({ ready: '2/2', status: 'Running', restarts: '2 (30s ago)' });
  });

  it('turns Completed back into Running while a container still runs', () => {
    const s = summarizePod(base({
      phase: 'Running', conditions: readyConditions,
      containerStatuses: [
        { name: 'a', image: 'a', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        runningReady('b'),
      ],
    }, { containers: [{ name: 'a' }, { name: 'b' }] }), NOW);
    expect(s).toEqual({ ready: '1/2', status: 'Running', restarts: '0' });
  });

  it('1.35: a container that failed beside one that completed shows its error; a crashed sidecar of a running pod shows as Init:', () => {
    const failed = { name: 'a', image: 'a', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } };
    const completed = { name: 'b', image: 'b', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
    expect(summarizePod(base({ phase: 'Running', containerStatuses: [completed, failed] }, { containers: [{ name: 'b' }, { name: 'a' }] }), NOW).status).toBe('Error');
    const sidecar = {
      name: 'proxy', image: 'envoy', imageID: '', ready: false, started: false, restartCount: 1,
      state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: timestamp(NOW - 5_000) } },
    };
    const s = summarizePod(base({
      phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }], initContainerStatuses: [sidecar], containerStatuses: [runningReady('app')],
    }, { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'app' }] }), NOW);
    expect(s).toEqual({ ready: '1/2', status: 'Init:CrashLoopBackOff', restarts: '1 (5s ago)' });
  });

  it('shows a container termination reason over the pod reason, as kubectl does', () => {
    const s = summarizePod(base({
      phase: 'Failed', reason: 'Evicted',
      containerStatuses: [{
        name: 'app', image: 'app:1', imageID: '', ready: false, restartCount: 0,
        state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' } },
      }],
    }), NOW);
    expect(s.status).toBe('ContainerStatusUnknown');
    expect(summarizePod(base({
      phase: 'Running',
      containerStatuses: [{ name: 'app', image: 'app:1', imageID: '', ready: false, restartCount: 1, state: { terminated: { exitCode: 0, signal: 9 } } }],
    }), NOW).status).toBe('Signal:9');
  });

  it('Terminating only for non-terminal pods; Unknown for NodeLost', () => {
    const deleting = { deletionTimestamp: timestamp(NOW) };
    expect(summarizePod(base({ phase: 'Failed', reason: 'Evicted' }, {}, deleting), NOW).status).toBe('Evicted');
    expect(summarizePod(base({ phase: 'Succeeded' }, {}, deleting), NOW).status).toBe('Succeeded');
    expect(summarizePod(base({ phase: 'Pending' }, {}, deleting), NOW).status).toBe('Terminating');
    expect(summarizePod(base({ phase: 'Running', reason: 'NodeLost' }, {}, deleting), NOW).status).toBe('Unknown');
  });

  it('SchedulingGated from the PodScheduled condition', () => {
    expect(summarizePod(base({
      phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    }), NOW).status).toBe('SchedulingGated');
  });
});

describe('printTable: workloads', () => {
  const sts: StatefulSet = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('web'),
    spec: {
      replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.8' }] },
      },
    },
    status: { replicas: 3, readyReplicas: 2, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 2 },
  };

  it('StatefulSet', () => {
    expect(table('StatefulSet', [sts])).toBe(lines(
      'NAME   READY   AGE',
      'web    2/3     10m',
    ));
    expect(table('StatefulSet', [sts], true)).toBe(lines(
      'NAME   READY   AGE   CONTAINERS   IMAGES',
      'web    2/3     10m   nginx        registry.k8s.io/nginx-slim:0.8',
    ));
    expect(printTable('StatefulSet', [sts], { wide: false, nowMs: NOW, showKind: true })).toBe(lines(
      'NAME                   READY   AGE',
      'statefulset.apps/web   2/3     10m',
    ));
  });

  it('ReplicaSet', () => {
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('frontend-5d8b9c7f4'),
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { tier: 'frontend' },
          matchExpressions: [{ key: 'app', operator: 'In', values: ['guestbook', 'demo'] }],
        },
        template: { spec: { containers: [{ name: 'php-redis', image: 'gb-frontend:v5' }] } },
      },
      status: { replicas: 3, readyReplicas: 2, availableReplicas: 2 },
    };
    expect(table('ReplicaSet', [rs])).toBe(lines(
      'NAME                 DESIRED   CURRENT   READY   AGE',
      'frontend-5d8b9c7f4   3         3         2       10m',
    ));
    expect(table('ReplicaSet', [rs], true)).toBe(lines(
      'NAME                 DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES           SELECTOR',
      'frontend-5d8b9c7f4   3         3         2       10m   php-redis    gb-frontend:v5   app in (demo,guestbook),tier=frontend',
    ));
  });

  it('ControllerRevision', () => {
    const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true };
    const crs: ControllerRevision[] = [
      { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta('web-7c4d8f9b6', 540_000, { ownerReferences: [owner] }), revision: 2 },
      { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta('web-6b9f7c8d5f', 0, { ownerReferences: [owner] }), revision: 1 },
    ];
    expect(table('ControllerRevision', crs)).toBe(lines(
      'NAME             CONTROLLER             REVISION   AGE',
      'web-6b9f7c8d5f   statefulset.apps/web   1          10m',
      'web-7c4d8f9b6    statefulset.apps/web   2          65s',
    ));
  });
});

describe('printTable: storage', () => {
  const bound: PersistentVolumeClaim = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data-web-0'),
    spec: {
      accessModes: ['ReadWriteOnce'], storageClassName: 'fast', volumeName: 'pvc-0a1b2c3d',
      resources: { requests: { storage: '1G' } },
    },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1G' } },
  };
  const pending: PersistentVolumeClaim = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data-web-1', 540_000),
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1G' } } },
    status: { phase: 'Pending' },
  };

  it('PersistentVolumeClaim', () => {
    expect(table('PersistentVolumeClaim', [pending, bound])).toBe(lines(
      'NAME         STATUS    VOLUME         CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE',
      'data-web-0   Bound     pvc-0a1b2c3d   1G         RWO            fast           <unset>                 10m',
      `data-web-1   Pending   ${' '.repeat(41)}fast           <unset>                 65s`,
    ));
    expect(table('PersistentVolumeClaim', [bound], true)).toBe(lines(
      'NAME         STATUS   VOLUME         CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE   VOLUMEMODE',
      'data-web-0   Bound    pvc-0a1b2c3d   1G         RWO            fast           <unset>                 10m   Filesystem',
    ));
  });

  it('PersistentVolume', () => {
    const pvs: PersistentVolume[] = [
      {
        apiVersion: 'v1', kind: 'PersistentVolume',
        metadata: { name: 'pvc-0a1b2c3d', uid: 'uid-pv1', creationTimestamp: timestamp(0) },
        spec: {
          capacity: { storage: '1G' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: 'fast', volumeMode: 'Filesystem',
          claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data-web-0', uid: 'uid-data-web-0' },
        },
        status: { phase: 'Bound' },
      },
      {
        apiVersion: 'v1', kind: 'PersistentVolume',
        metadata: { name: 'pv-archive', uid: 'uid-pv2', creationTimestamp: timestamp(-3 * 24 * 3600_000) },
        spec: {
          capacity: { storage: '5Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: 'slow',
          claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data-old', uid: 'uid-data-old' },
        },
        status: { phase: 'Released' },
      },
    ];
    expect(table('PersistentVolume', pvs)).toBe(lines(
      'NAME           CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS     CLAIM                STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE',
      'pv-archive     5Gi        RWO,RWX        Retain           Released   default/data-old     slow           <unset>                          3d',
      'pvc-0a1b2c3d   1G         RWO            Delete           Bound      default/data-web-0   fast           <unset>                          10m',
    ));
  });

  it('StorageClass', () => {
    const scs: StorageClass[] = [
      {
        apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
        metadata: { name: 'slow', creationTimestamp: timestamp(0) }, provisioner: 'kubesim.io/hostpath', reclaimPolicy: 'Retain',
      },
      {
        apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
        metadata: { name: 'fast', creationTimestamp: timestamp(0), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'kubesim.io/hostpath', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true,
      },
    ];
    expect(table('StorageClass', scs)).toBe(lines(
      'NAME             PROVISIONER           RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE',
      'fast (default)   kubesim.io/hostpath   Delete          WaitForFirstConsumer   true                   10m',
      'slow             kubesim.io/hostpath   Retain          Immediate              false                  10m',
    ));
  });
});

describe('printTable: cluster', () => {
  const node = (name: string, over: Partial<Node> & { labels?: Record<string, string> } = {}): Node => ({
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, uid: `uid-${name}`, creationTimestamp: timestamp(0), labels: { 'kubernetes.io/hostname': name, ...over.labels } },
    ...(over.spec ? { spec: over.spec } : {}),
    ...(over.status ? { status: over.status } : {}),
  });
  const nodes: Node[] = [
    node('node-4'),
    node('node-3', { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] } }),
    node('node-2', {
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '172.18.0.3' }] },
    }),
    node('node-1', {
      labels: { 'node-role.kubernetes.io/control-plane': '' },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '172.18.0.2' }],
        nodeInfo: {
          kubeletVersion: 'v1.35.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.8.0-1015-gcp',
          containerRuntimeVersion: 'containerd://1.7.18', architecture: 'amd64', bootID: '', kubeProxyVersion: '',
          machineID: '', operatingSystem: 'linux', systemUUID: '',
        },
      },
    }),
  ];

  it('Node', () => {
    expect(table('Node', nodes)).toBe(lines(
      'NAME     STATUS                     ROLES           AGE   VERSION',
      'node-1   Ready                      control-plane   10m   v1.35.0',
      'node-2   Ready,SchedulingDisabled   <none>          10m   v1.35.0-kubesim',
      'node-3   NotReady                   <none>          10m   v1.35.0-kubesim',
      'node-4   Unknown                    <none>          10m   v1.35.0-kubesim',
    ));
    expect(table('Node', nodes.slice(2), true)).toBe(lines(
      'NAME     STATUS                     ROLES           AGE   VERSION           INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION   CONTAINER-RUNTIME',
      'node-1   Ready                      control-plane   10m   v1.35.0           172.18.0.2    <none>        Debian GNU/Linux 12 (bookworm)   6.8.0-1015-gcp   containerd://1.7.18',
      'node-2   Ready,SchedulingDisabled   <none>          10m   v1.35.0-kubesim   172.18.0.3    <none>        <unknown>                        <unknown>        <unknown>',
    ));
  });

  it('Namespace', () => {
    const ns = (name: string, createdMs: number, phase?: string): Namespace => ({
      apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-${name}`, creationTimestamp: timestamp(createdMs) },
      ...(phase ? { status: { phase } } : {}),
    });
    expect(table('Namespace', [ns('kube-system', 0, 'Active'), ns('doomed', 540_000, 'Terminating'), ns('default', 0)])).toBe(lines(
      'NAME          STATUS        AGE',
      'default       Active        10m',
      'doomed        Terminating   65s',
      'kube-system   Active        10m',
    ));
  });

  it('ResourceQuota: used/hard from the status, sorted, limits.* in LIMIT', () => {
    const q = (name: string, status?: Record<string, unknown>): KObject => ({
      apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta(name), spec: { hard: { pods: '3' } }, ...(status ? { status } : {}),
    }) as unknown as KObject;
    expect(table('ResourceQuota', [
      q('compute', { hard: { pods: '3', 'limits.cpu': '2', 'requests.storage': '10Gi' }, used: { pods: '1', 'requests.storage': '1Gi' } }),
      q('fresh'),
    ])).toBe(lines(
      'NAME      AGE   REQUEST                                 LIMIT',
      'compute   10m   pods: 1/3, requests.storage: 1Gi/10Gi   limits.cpu: 0/2',
      'fresh     10m',
    ));
  });

  it('EndpointSlice: address type, at most three ports and addresses then "+ N more...", <unset> when empty', () => {
    const sl = (name: string, ports: number[], ips: string[]): KObject => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta(name), addressType: 'IPv4',
      endpoints: ips.map((ip) => ({ addresses: [ip] })), ...(ports.length > 0 ? { ports: ports.map((port) => ({ name: `p${port}`, port, protocol: 'TCP' })) } : {}),
    }) as unknown as KObject;
    expect(table('EndpointSlice', [
      sl('web-abcde', [80], ['10.64.0.2', '10.64.1.2', '10.64.2.2', '10.64.0.3', '10.64.1.3']),
      sl('web-fghij', [80, 443, 8080, 9090], []),
    ])).toBe(lines(
      'NAME        ADDRESSTYPE   PORTS                     ENDPOINTS                                   AGE',
      'web-abcde   IPv4          80                        10.64.0.2,10.64.1.2,10.64.2.2 + 2 more...   10m',
      'web-fghij   IPv4          80,443,8080 + 1 more...   <unset>                                     10m',
    ));
  });
});

describe('printTable: networking', () => {
  const services: Service[] = [
    {
      apiVersion: 'v1', kind: 'Service', metadata: meta('web'),
      spec: { clusterIP: 'None', clusterIPs: ['None'], type: 'ClusterIP', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }] },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: meta('lb'),
      spec: { clusterIP: '10.96.40.1', clusterIPs: ['10.96.40.1'], type: 'LoadBalancer', ports: [{ port: 80, nodePort: 31380, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: meta('frontend'),
      spec: {
        clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'], selector: { app: 'frontend' },
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }],
      },
    },
  ];

  it('Service (headless shows None)', () => {
    expect(table('Service', services)).toBe(lines(
      'NAME       TYPE           CLUSTER-IP    EXTERNAL-IP   PORT(S)          AGE',
      'frontend   ClusterIP      10.96.12.34   <none>        80/TCP,443/TCP   10m',
      'lb         LoadBalancer   10.96.40.1    <pending>     80:31380/TCP     10m',
      'web        ClusterIP      None          <none>        80/TCP           10m',
    ));
    expect(table('Service', services, true)).toBe(lines(
      'NAME       TYPE           CLUSTER-IP    EXTERNAL-IP   PORT(S)          AGE   SELECTOR',
      'frontend   ClusterIP      10.96.12.34   <none>        80/TCP,443/TCP   10m   app=frontend',
      'lb         LoadBalancer   10.96.40.1    <pending>     80:31380/TCP     10m   <none>',
      'web        ClusterIP      None          <none>        80/TCP           10m   app=nginx',
    ));
  });

  it('Endpoints: at most three addresses then "+ N more..."', () => {
    const ips = ['10.244.1.5', '10.244.1.6', '10.244.2.3', '10.244.2.4', '10.244.3.9'];
    const eps: Endpoints[] = [
      {
        apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web'),
        subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }],
      },
      { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('empty') },
      {
        apiVersion: 'v1', kind: 'Endpoints', metadata: meta('two'),
        subsets: [{ addresses: [{ ip: '10.244.1.5' }, { ip: 'fd00::7' }], ports: [{ port: 8080 }] }],
      },
    ];
    expect(table('Endpoints', eps)).toBe(lines(
      'NAME    ENDPOINTS                                               AGE',
      'empty   <none>                                                  10m',
      'two     10.244.1.5:8080,[fd00::7]:8080                          10m',
      'web     10.244.1.5:80,10.244.1.6:80,10.244.2.3:80 + 2 more...   10m',
    ));
  });
});

describe('printTable: Event', () => {
  const ev = (name: string, over: Partial<Event>): Event => ({
    apiVersion: 'v1', kind: 'Event', metadata: meta(name),
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0' }, ...over,
  });
  const scheduling = ev('web-1.17f3b', {
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1' },
    type: 'Warning', reason: 'FailedScheduling', count: 3, source: { component: 'default-scheduler' },
    message: '0/3 nodes are available: 3 Insufficient cpu.\npreemption: 0/3 nodes are available.',
    firstTimestamp: timestamp(305_000), lastTimestamp: timestamp(545_000),
  });
  const events = [
    scheduling,
    ev('web-0.17f3a1b2c3d4e5f6', {
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', fieldPath: 'spec.containers{nginx}' },
      type: 'Normal', reason: 'Pulled', count: 1, source: { component: 'kubelet', host: 'node-1' },
      message: 'Container image "nginx:1.27" already present on machine',
      firstTimestamp: timestamp(545_000), lastTimestamp: timestamp(545_000),
    }),
    ev('web.17f3a0000', {
      involvedObject: { kind: 'StatefulSet', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
      type: 'Normal', reason: 'SuccessfulCreate', count: 1, source: { component: 'statefulset-controller' },
      message: 'create Pod web-0 in StatefulSet web successful',
      firstTimestamp: timestamp(5_000), lastTimestamp: timestamp(5_000),
    }),
  ];

  it('sorts by last seen then name and cuts messages at the first newline', () => {
    expect(table('Event', events)).toBe(lines(
      'LAST SEEN   TYPE      REASON             OBJECT            MESSAGE',
      '10m         Normal    SuccessfulCreate   statefulset/web   create Pod web-0 in StatefulSet web successful',
      '60s         Normal    Pulled             pod/web-0         Container image "nginx:1.27" already present on machine',
      '60s         Warning   FailedScheduling   pod/web-1         0/3 nodes are available: 3 Insufficient cpu....',
    ));
  });

  it('-o wide adds SUBOBJECT, SOURCE, FIRST SEEN, COUNT and NAME (the column --show-kind prefixes)', () => {
    expect(printTable('Event', [scheduling], { wide: true, nowMs: NOW, showKind: true })).toBe(lines(
      `LAST SEEN   TYPE      REASON             OBJECT      SUBOBJECT   SOURCE              MESSAGE${' '.repeat(43)}FIRST SEEN   COUNT   NAME`,
      `60s         Warning   FailedScheduling   pod/web-1               default-scheduler   0/3 nodes are available: 3 Insufficient cpu....   5m           3       event/web-1.17f3b`,
    ));
  });
});

describe('describeEvents (kubectl describe\'s Events section)', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', uid: 'u1' } } as KObject;
  const ev = (name: string, over: Partial<Event>): Event => ({
    apiVersion: 'v1', kind: 'Event', metadata: meta(name),
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u1', fieldPath: 'spec.containers{nginx}' },
    source: { component: 'kubelet', host: 'node-a' }, type: 'Normal', count: 1, ...over,
  });
  it('this incarnation\'s events, oldest first; a repeated one as "<last> (xN over <first>)"; a container\'s fieldPath before its message; the header rule', () => {
    const events = [
      ev('a', { reason: 'Started', message: 'Container started', count: 6, firstTimestamp: timestamp(5_000), lastTimestamp: timestamp(545_000) }),
      ev('b', { reason: 'Scheduled', message: 'Successfully assigned default/web-0 to node-a', source: { component: 'default-scheduler' }, firstTimestamp: timestamp(4_000), lastTimestamp: timestamp(4_000), involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u1' } }),
      ev('c', { reason: 'Killing', message: 'Stopping container nginx', firstTimestamp: timestamp(1_000), lastTimestamp: timestamp(1_000), involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'older' } }),
      ev('d', { reason: 'SuccessfulCreate', message: 'create Pod web-0 in StatefulSet web successful', involvedObject: { kind: 'StatefulSet', namespace: 'default', name: 'web-0' } }),
    ];
    expect(describeEvents(pod, events, NOW)).toBe(lines(
      'Events:',
      '  Type    Reason     Age                From               Message',
      '  ----    ------     ----               ----               -------',
      '  Normal  Scheduled  10m                default-scheduler  Successfully assigned default/web-0 to node-a',
      // kubectl 1.35 (kubernetes#133627): the container the event is about, before its message.
      '  Normal  Started    60s (x6 over 10m)  kubelet            spec.containers{nginx}: Container started',
    ));
    expect(describeEvents(pod, [], NOW)).toBe('Events:\n  <none>\n');
  });
});

describe('toList / printObjects', () => {
  const ns = (name: string): Namespace => ({
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name, uid: `uid-${name}`, creationTimestamp: timestamp(0) },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  });

  it('toList builds a v1 List', () => {
    const a = ns('a');
    const b = ns('b');
    expect(toList([a, b])).toEqual({ apiVersion: 'v1', kind: 'List', items: [a, b], metadata: { resourceVersion: '' } });
    expect(toList([])).toEqual({ apiVersion: 'v1', kind: 'List', items: [], metadata: { resourceVersion: '' } });
  });

  it('json: a single named object prints as itself, keys sorted, 4-space indent', () => {
    expect(printObjects('Namespace', [ns('default')], { output: 'json', nowMs: NOW, single: true })).toBe([
      '{',
      '    "apiVersion": "v1",',
      '    "kind": "Namespace",',
      '    "metadata": {',
      '        "creationTimestamp": "2026-01-01T00:00:00Z",',
      '        "name": "default",',
      '        "uid": "uid-default"',
      '    },',
      '    "spec": {',
      '        "finalizers": [',
      '            "kubernetes"',
      '        ]',
      '    },',
      '    "status": {',
      '        "phase": "Active"',
      '    }',
      '}',
      '',
    ].join('\n'));
  });

  it('json: several objects print as a List sorted by name, escaping HTML as Go does', () => {
    const odd: Namespace = { ...ns('b'), metadata: { ...ns('b').metadata, annotations: { note: '<a&b>' } } };
    const out = printObjects('Namespace', [odd, ns('a')], { output: 'json', nowMs: NOW, single: false });
    expect(out.startsWith('{\n    "apiVersion": "v1",\n    "items": [\n        {\n            "apiVersion": "v1",')).toBe(true);
    expect(out.endsWith('    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')).toBe(true);
    expect(out).toContain('"note": "\\u003ca\\u0026b\\u003e"');
    expect(JSON.parse(out)).toEqual(toList([ns('a'), odd]));
  });

  it('yaml: a List the way kubectl prints it', () => {
    expect(printObjects('Namespace', [ns('b'), ns('a')], { output: 'yaml', nowMs: NOW, single: false })).toBe(lines(
      'apiVersion: v1',
      'items:',
      '- apiVersion: v1',
      '  kind: Namespace',
      '  metadata:',
      '    creationTimestamp: "2026-01-01T00:00:00Z"',
      '    name: a',
      '    uid: uid-a',
      '  spec:',
      '    finalizers:',
      '    - kubernetes',
      '  status:',
      '    phase: Active',
      '- apiVersion: v1',
      '  kind: Namespace',
      '  metadata:',
      '    creationTimestamp: "2026-01-01T00:00:00Z"',
      '    name: b',
      '    uid: uid-b',
      '  spec:',
      '    finalizers:',
      '    - kubernetes',
      '  status:',
      '    phase: Active',
      'kind: List',
      'metadata:',
      '  resourceVersion: ""',
    ));
    expect(printObjects('Namespace', [ns('a')], { output: 'yaml', nowMs: NOW, single: true }).split('\n')[0]).toBe('apiVersion: v1');
    expect(printObjects('Namespace', [ns('a')], { output: 'yaml', nowMs: NOW, single: true })).not.toContain('items');
  });

  it('orders keys as Go does, numeric-looking ones included, and drops undefined', () => {
    const v = { b: 1, 10: [true, null], 9: {}, a: undefined, t: 'true' };
    expect(goJson(v)).toBe('{\n    "10": [\n        true,\n        null\n    ],\n    "9": {},\n    "b": 1,\n    "t": "true"\n}');
    expect(goYaml(v)).toBe(lines('"10":', '- true', '- null', '"9": {}', 'b: 1', 't: "true"'));
  });

  it('table and wide dispatch to printTable', () => {
    expect(printObjects('Pod', [web0], { output: 'table', nowMs: NOW, single: true })).toBe(table('Pod', [web0]));
    expect(printObjects('Pod', [web0], { output: 'wide', nowMs: NOW, single: false })).toBe(table('Pod', [web0], true));
    expect(printObjects('Pod', [], { output: 'table', nowMs: NOW, single: false })).toBe('');
  });
});

describe('describe service: Endpoints from the EndpointSlices (formatEndpointSlices)', () => {
  const svc = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], selector: { app: 'web' }, sessionAffinity: 'None',
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { port: 9090, targetPort: 'metrics', protocol: 'TCP' }] },
  } as Service;
  const slice = (name: string, ips: readonly (readonly [string, boolean])[], ports: EndpointSlice['ports']): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', ports,
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: ips.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
  });
  it('ready endpoints of each port by name, at most three then "+ N more...", a service without slices <none>', () => {
    const slices = [
      slice('web-a', [['10.0.0.1', true], ['10.0.0.2', false], ['10.0.0.3', true]], [{ name: 'http', port: 8080 }, { name: '', port: 9090 }]),
      slice('web-b', [['10.0.0.4', true], ['10.0.0.5', true]], [{ name: 'http', port: 8080 }, { name: '', port: 9090 }]),
      // Another service's slice is not read.
      { ...slice('other', [['10.0.9.9', true]], [{ name: 'http', port: 8080 }]), metadata: { name: 'other', namespace: 'default', labels: { 'kubernetes.io/service-name': 'other' } } },
    ];
    const out = describeService(svc, slices, [], NOW);
    expect(out).toContain(lines(
      'Port:              http  80/TCP', 'TargetPort:        8080/TCP', 'Endpoints:         10.0.0.1:8080,10.0.0.3:8080,10.0.0.4:8080 + 1 more...',
      'Port:              <unset>  9090/TCP', 'TargetPort:        metrics/TCP', 'Endpoints:         10.0.0.1:9090,10.0.0.3:9090,10.0.0.4:9090 + 1 more...',
      'Session Affinity:  None',
    ));
    expect(out).toMatch(/^Name: {14}web\nNamespace: {9}default\n[\s\S]*\nIP Families: {7}<none>\nIP: {16}10\.96\.0\.10\nIPs: {15}10\.96\.0\.10\n/);
    expect(describeService(svc, [], [], NOW)).toContain('\nEndpoints:         <none>\n');
  });
});

describe('describe endpoints, endpointslice, pdb, quota, storageclass (kubectl layouts)', () => {
  const m = (name: string): { name: string; namespace: string } => ({ name, namespace: 'default' });
  it('endpoints: each subset\'s ready and not-ready addresses and its ports, a blank line after each', () => {
    const ep = { apiVersion: 'v1', kind: 'Endpoints', metadata: m('web'), subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], notReadyAddresses: [{ ip: '10.0.0.3' }], ports: [{ port: 80, protocol: 'TCP' }] }] } as Endpoints;
    expect(describeEndpoints(ep, [], NOW)).toBe(lines(
      'Name:         web', 'Namespace:    default', 'Labels:       <none>', 'Annotations:  <none>', 'Subsets:',
      '  Addresses:          10.0.0.1,10.0.0.2', '  NotReadyAddresses:  10.0.0.3', '  Ports:', '    Name     Port  Protocol', '    ----     ----  --------', '    <unset>  80    TCP',
      '', 'Events:  <none>',
    ));
  });
  it('endpointslice: ports table, each endpoint with its conditions, hostname, target, node and zone (<unset> when absent)', () => {
    const eps = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: m('web-abcde'), addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: false }, hostname: 'web-0', targetRef: { kind: 'Pod', name: 'web-0' }, nodeName: 'node-a' }],
    } as EndpointSlice;
    expect(describeEndpointSlice(eps, [], NOW)).toContain(lines(
      'AddressType:  IPv4', 'Ports:', '  Name  Port  Protocol', '  ----  ----  --------', '  http  80    TCP', 'Endpoints:',
      '  - Addresses:  10.0.0.1', '    Conditions:', '      Ready:    false', '    Hostname:   web-0', '    TargetRef:  Pod/web-0', '    NodeName:   node-a', '    Zone:       <unset>',
    ));
    expect(describeEndpointSlice({ ...eps, ports: [], endpoints: [] }, [], NOW)).toContain('\nPorts: <unset>\nEndpoints: <none>\n');
  });
  it('pdb: min available (or max unavailable), selector, status counts', () => {
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: m('db'), spec: { minAvailable: '50%', selector: { matchLabels: { app: 'db' } } }, status: { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 } } as PodDisruptionBudget;
    expect(describeDisruptionBudget(pdb, [], NOW)).toBe(lines(
      'Name:           db', 'Namespace:      default', 'Min available:  50%', 'Selector:       app=db', 'Status:',
      '    Allowed disruptions:  1', '    Current:              3', '    Desired:              2', '    Total:                3', 'Events:                   <none>',
    ));
  });
  it('quota: Resource / Used / Hard by resource name, amounts canonical, no events', () => {
    const q = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: m('q'), status: { hard: { pods: '10', 'requests.memory': '2048Mi' }, used: { pods: '3' } } } as ResourceQuota;
    expect(describeQuota(q)).toBe(lines('Name:            q', 'Namespace:       default', 'Resource         Used  Hard', '--------         ----  ----', 'pods             3     10', 'requests.memory  0     2Gi'));
  });
  it('storageclass: default class, parameters, expansion, allowed topologies', () => {
    const sc = {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'kubesim.io/hostpath',
      parameters: { type: 'ssd' }, allowVolumeExpansion: true, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer',
      allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['a', 'b'] }] }],
    } as StorageClass;
    expect(describeStorageClass(sc, [], NOW)).toBe(lines(
      'Name:                  fast', 'IsDefaultClass:        Yes', 'Annotations:           storageclass.kubernetes.io/is-default-class=true', 'Provisioner:           kubesim.io/hostpath',
      'Parameters:            type=ssd', 'AllowVolumeExpansion:  True', 'MountOptions:          <none>', 'ReclaimPolicy:         Retain', 'VolumeBindingMode:     WaitForFirstConsumer',
      'AllowedTopologies:     ', '  Term 0:              topology.kubernetes.io/zone in [a, b]', 'Events:                <none>',
    ));
  });
  it('namespace: status, its quotas (Used / Hard) or "No resource quota.", then "No LimitRange resource."; no events', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } }, status: { phase: 'Active' } } as Namespace;
    const q = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: m('pods-quota'), status: { hard: { pods: '10' }, used: { pods: '4' } } } as ResourceQuota;
    const other = { ...q, metadata: { name: 'x', namespace: 'other' } } as ResourceQuota;
    expect(describeNamespace(ns, [q, other])).toBe(lines(
      'Name:         default', 'Labels:       kubernetes.io/metadata.name=default', 'Annotations:  <none>', 'Status:       Active', '',
      'Resource Quotas', '  Name:     pods-quota', '  Resource  Used  Hard', '  --------  ---   ---', '  pods      4     10', '', 'No LimitRange resource.',
    ));
    expect(describeNamespace(ns, [other])).toContain('Status:       Active\n\nNo resource quota.\n\nNo LimitRange resource.\n');
  });
  it('namespace being deleted: Status Terminating and the namespace controller\'s conditions table', () => {
    const t = '2026-01-01T00:00:10Z';
    const ns = {
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { 'kubernetes.io/metadata.name': 'team' }, deletionTimestamp: '2026-01-01T00:00:05Z' },
      spec: { finalizers: ['kubernetes'] },
      status: {
        phase: 'Terminating', conditions: [
          { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', lastTransitionTime: t, reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
          { type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: t, reason: 'SomeResourcesRemain', message: 'Some resources are remaining: pods. has 3 resource instances' },
        ],
      },
    } as Namespace;
    expect(describeNamespace(ns, [])).toBe(lines(
      'Name:         team', 'Labels:       kubernetes.io/metadata.name=team', 'Annotations:  <none>', 'Status:       Terminating', 'Conditions:',
      '  Type                               Status  LastTransitionTime               Reason               Message',
      '  ----                               ------  ------------------               ------               -------',
      '  NamespaceDeletionDiscoveryFailure  False   Thu, 01 Jan 2026 00:00:10 +0000  ResourcesDiscovered  All resources successfully discovered',
      '  NamespaceContentRemaining          True    Thu, 01 Jan 2026 00:00:10 +0000  SomeResourcesRemain  Some resources are remaining: pods. has 3 resource instances',
      '', 'No resource quota.', '', 'No LimitRange resource.',
    ));
  });
  it('pv: claim, policy, access modes, capacity, the required node affinity terms, a local source', () => {
    const pv = {
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-a', finalizers: ['kubernetes.io/pv-protection'] },
      spec: {
        storageClassName: 'local', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem',
        claimRef: { namespace: 'default', name: 'data-db-0' }, local: { path: '/mnt/disks/a' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a', 'node-b'] }] }] } },
      },
      status: { phase: 'Bound' },
    } as PersistentVolume;
    // One run of tabbed lines from Name to Message (Required Terms widens it), as kubectl prints a local volume.
    expect(describeVolume(pv, [], NOW)).toBe(lines(
      'Name:              pv-a', 'Labels:            <none>', 'Annotations:       <none>', 'Finalizers:        [kubernetes.io/pv-protection]', 'StorageClass:      local',
      'Status:            Bound', 'Claim:             default/data-db-0', 'Reclaim Policy:    Retain', 'Access Modes:      RWO', 'VolumeMode:        Filesystem', 'Capacity:          10Gi',
      'Node Affinity:     ', '  Required Terms:  ', '    Term 0:        kubernetes.io/hostname in [node-a, node-b]', 'Message:           ', 'Source:',
      '    Type:  LocalVolume (a persistent volume backed by local storage on a node)', '    Path:  /mnt/disks/a', 'Events:    <none>',
    ));
  });
});

