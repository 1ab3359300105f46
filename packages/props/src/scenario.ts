import type { KObject } from '@kubesim/api';
import { nodeNames, type Scenario, type ScenarioStep } from '@kubesim/scenario';
import type { Budget, Case, Op, Workload } from './case.js';

/** The workload's name, its Service's name, and its pods' app label. */
export const WORKLOAD = 'web';

const service = (): KObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: WORKLOAD, namespace: 'default' },
  spec: { clusterIP: 'None', selector: { app: WORKLOAD }, ports: [{ name: 'web', port: 80 }] },
} as KObject);

/** Whether the workload's pods have a regular init container (`init`) or a sidecar (`sidecar`). */
const hasInit = (w: Workload, which: 'init' | 'sidecar'): boolean =>
  w.kind === 'StatefulSet' && (which === 'init' ? w.init === 'init' || w.init === 'sidecar' : w.init === 'sidecar');

/** The workload manifest of a case. */
export const workloadManifest = (w: Workload): KObject => {
  const init = w.kind === 'StatefulSet' && w.init !== undefined && w.init !== 'none'
    ? [
      { name: 'init', image: 'busybox:1.36', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      ...(w.init === 'sidecar' ? [{ name: 'side', image: 'envoy:1.30', restartPolicy: 'Always' }] : []),
    ]
    : undefined;
  const podSpec = {
    terminationGracePeriodSeconds: w.gracePeriodSeconds,
    ...(w.kind === 'StatefulSet' && w.antiAffinity ? {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: WORKLOAD } }, topologyKey: 'kubernetes.io/hostname' }] } },
    } : {}),
    ...(init ? { initContainers: init } : {}),
    containers: [{
      name: 'c', image: 'nginx:1.25',
      // Probed: a `probe-failure` operation makes one of them fail (liveness, startup: killed and restarted
      // in place; readiness: unready for a while).
      livenessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5, failureThreshold: 2 },
      readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 2 },
      startupProbe: { tcpSocket: { port: 80 }, periodSeconds: 1, failureThreshold: 3 },
      ...(w.kind === 'StatefulSet' ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}),
    }],
  };
  const template = { metadata: { labels: { app: WORKLOAD } }, spec: podSpec };
  if (w.kind === 'ReplicaSet') {
    return {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: WORKLOAD, namespace: 'default' },
      spec: { replicas: w.replicas, selector: { matchLabels: { app: WORKLOAD } }, template },
    } as KObject;
  }
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: WORKLOAD, namespace: 'default' },
    spec: {
      replicas: w.replicas, serviceName: WORKLOAD, podManagementPolicy: w.policy,
      persistentVolumeClaimRetentionPolicy: { whenScaled: w.whenScaled, whenDeleted: w.whenDeleted },
      selector: { matchLabels: { app: WORKLOAD } },
      template,
      volumeClaimTemplates: [{
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast' },
      }],
    },
  } as KObject;
};

/** The workload's PodDisruptionBudget. */
const budgetManifest = (b: Exclude<Budget, 'none'>): KObject => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: WORKLOAD, namespace: 'default' },
  spec: { [b]: 1, selector: { matchLabels: { app: WORKLOAD } } },
} as KObject);

const targetOf = (w: Workload): string => `${w.kind.toLowerCase()}/${WORKLOAD}`;
const podRef = (i: number): string => `@${WORKLOAD}#${i}`;

/** The scenario steps of one operation. */
const opSteps = (w: Workload, op: Op, nodes: readonly string[]): ScenarioStep[] => {
  const target = targetOf(w);
  const optional = true;
  switch (op.op) {
    // One replica per node: never more replicas than nodes (a replica that can never be placed is no interesting run).
    case 'scale': return [{ op: 'scale', target, replicas: w.kind === 'StatefulSet' && w.antiAffinity ? Math.min(op.replicas, nodes.length) : op.replicas, optional }];
    case 'delete-pod': return [{ op: 'delete', target: `pod/${podRef(op.index)}`, ...(op.force ? { gracePeriodSeconds: 0 } : {}), optional }];
    case 'readiness': return [{ op: 'fault', fault: { fault: 'pod-readiness', name: podRef(op.index), ready: op.ready }, optional }];
    case 'fail-pod': return [{ op: 'fault', fault: { fault: 'pod-fail', name: podRef(op.index), reason: 'Evicted' }, optional }];
    case 'resize-claim':
      return w.kind === 'StatefulSet'
        ? [{ op: 'patch', target: `persistentvolumeclaim/data-${WORKLOAD}-${op.index}`, patch: { spec: { resources: { requests: { storage: `${op.gi}Gi` } } } }, optional, refusable: true }]
        : [];
    case 'container-crash': {
      const container = op.container === 'init' && hasInit(w, 'init') ? 'init' : op.container === 'sidecar' && hasInit(w, 'sidecar') ? 'side' : undefined;
      return [{ op: 'fault', fault: { fault: 'container-crash', name: podRef(op.index), ...(container ? { container } : {}), count: op.count, exitCode: op.exitCode, runMs: op.runMs }, optional }];
    }
    case 'probe-failure':
      return [{
        op: 'fault',
        fault: { fault: 'probe-failure', name: podRef(op.index), probe: op.probe, ...(op.probe === 'readiness' ? { durationMs: op.durationMs } : { count: op.count }) },
        optional,
      }];
    case 'retention':
      return w.kind === 'StatefulSet'
        ? [{ op: 'patch', target, patch: { spec: { persistentVolumeClaimRetentionPolicy: { whenScaled: op.whenScaled, whenDeleted: op.whenDeleted } } }, optional }]
        : [];
    case 'update':
      return [{ op: 'patch', target, patch: { spec: { template: { metadata: { annotations: { 'kubesim.io/revision': `r${op.revision}` } } } } }, optional }];
    case 'rollout':
      return w.kind === 'StatefulSet'
        ? [{ op: 'rollout', action: op.action, target, ...(op.action === 'undo' ? { toRevision: op.toRevision } : {}), optional, refusable: true }]
        : [];
    case 'partition':
      return w.kind === 'StatefulSet'
        ? [{ op: 'patch', target, patch: { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: op.partition } } } }, optional }]
        : [];
    case 'delete-set': return [{ op: 'delete', target, propagationPolicy: op.propagation, optional }];
    case 'recreate': return [{ op: 'apply', objects: [workloadManifest(w)], source: 'props:recreate' }];
    case 'watch-delay': return [{ op: 'fault', fault: { fault: 'watch-delay', component: op.component, ms: op.ms, durationMs: op.durationMs } }];
    case 'watch-drop': return [{ op: 'fault', fault: { fault: 'watch-drop', component: op.component, durationMs: op.durationMs } }];
    case 'watch-duplicate': return [{ op: 'fault', fault: { fault: 'watch-duplicate', component: op.component, count: op.count } }];
    case 'watch-reorder': return [{ op: 'fault', fault: { fault: 'watch-reorder', component: op.component, durationMs: op.durationMs } }];
    case 'api-delay': return [{ op: 'fault', fault: { fault: 'api-delay', component: op.component, ms: op.ms, durationMs: op.durationMs } }];
    case 'api-drop': return [{ op: 'fault', fault: { fault: 'api-drop', component: op.component, where: op.where, count: op.count, timeoutMs: 1_000 } }];
    case 'crash':
      return [
        { op: 'crash', component: op.component },
        ...(op.downMs > 0 ? [{ op: 'sleep' as const, durationMs: op.downMs }] : []),
        { op: 'restart', component: op.component },
      ];
    case 'pause': case 'net-partition': {
      const [cut, back] = op.op === 'pause' ? ['pause', 'resume'] as const : ['partition', 'heal'] as const;
      return [
        { op: cut, component: op.component },
        ...(op.downMs > 0 ? [{ op: 'sleep' as const, durationMs: op.downMs }] : []),
        { op: back, component: op.component },
      ];
    }
    case 'crash-after-writes':
      return [{ op: 'fault', fault: { fault: 'crash-after-writes', component: op.component, writes: op.writes, restartAfterMs: op.restartAfterMs } }];
    case 'evict-pod': return [{ op: 'evict', pod: podRef(op.index), optional, refusable: true }];
    case 'drain-node': {
      const node = nodes[op.node % nodes.length]!;
      return [
        { op: 'drain', node, timeoutMs: 120_000, force: true, refusable: true },
        ...(op.holdMs > 0 ? [{ op: 'sleep' as const, durationMs: op.holdMs }] : []),
        { op: 'uncordon', node },
      ];
    }
    case 'node-down': {
      const node = nodes[op.node % nodes.length]!;
      return [
        { op: 'fault', fault: { fault: 'node-down', node } },
        ...(op.downMs > 0 ? [{ op: 'sleep' as const, durationMs: op.downMs }] : []),
        { op: 'fault', fault: { fault: 'node-up', node } },
      ];
    }
  }
};

/**
 * Informer resync of generated runs: 5–10 min instead of kube-controller-manager's 12–24 h, so that a
 * sync that ends with nothing left to wake it (a stale claim, §1.10) is retried within the liveness bound.
 */
export const RESYNC_MS: readonly [number, number] = [300_000, 600_000];
/** How long the cluster must stay without writes at the end before the run is judged (past one resync). */
export const QUIET_MS = 660_000;
/** The bound on convergence after the last fault (the liveness checker uses the same). */
export const SETTLE_TIMEOUT_MS = 1_800_000;

/**
 * The scenario of a case: the cluster, the workload, each operation followed by its gap, then the
 * healing of lasting faults (pods forced unready become ready again) and a settle. The scenario is
 * what the recorded log's header carries, so `kubesim verify` re-runs it.
 */
export const caseToScenario = (c: Case, name = 'generated'): Scenario => {
  const w = c.workload.kind === 'StatefulSet' && c.workload.antiAffinity ? { ...c.workload, replicas: Math.min(c.workload.replicas, c.nodes) } : c.workload;
  const nodes = nodeNames(c.nodes);
  const steps: ScenarioStep[] = [{ op: 'apply', objects: [service(), workloadManifest(w), ...(w.budget && w.budget !== 'none' ? [budgetManifest(w.budget)] : [])], source: 'props' }];
  let forcedUnready = false;
  for (const t of c.ops) {
    steps.push(...opSteps(w, t.op, nodes));
    if (t.op.op === 'readiness' && !t.op.ready) forcedUnready = true;
    if (t.gapMs > 0) steps.push({ op: 'sleep', durationMs: t.gapMs });
  }
  if (forcedUnready) {
    for (let i = 0; i < 6; i++) steps.push({ op: 'fault', fault: { fault: 'pod-readiness', name: podRef(i), ready: true }, optional: true, title: 'heal: ready again' });
  }
  steps.push({ op: 'settle', quietMs: QUIET_MS, timeoutMs: SETTLE_TIMEOUT_MS });
  return {
    name,
    description: `generated case (kubesim props)\n${JSON.stringify(c)}`,
    seed: c.seed,
    cluster: {
      nodes: nodes.map((n) => ({ name: n })),
      storageClasses: [{
        apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' },
        provisioner: 'kubesim.io/hostpath', reclaimPolicy: 'Delete', allowVolumeExpansion: true,
        volumeBindingMode: w.kind === 'StatefulSet' ? w.bindingMode : 'Immediate',
      } as KObject],
      namespaces: ['default'],
      timing: { resyncMs: RESYNC_MS },
    },
    steps,
  };
};
