import * as E from 'fp-ts/lib/Either.js';
import { defaultServiceAccount, kubernetesEndpoints, kubernetesEndpointSlice, kubernetesService, nodeImages, normalizeImageName, rootCaConfigMap, type KObject, type Node } from '@kubesim/api';
import * as C from '@kubesim/controllers';
import { Simulation, type ComponentSetup } from './embedded/simulation.js';
import type { TimingConfig } from './embedded/timing.js';

export interface NodeSpec {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly capacity?: { readonly cpu?: string; readonly memory?: string; readonly pods?: number };
  readonly taints?: readonly { readonly key: string; readonly value?: string; readonly effect: string }[];
  readonly unschedulable?: boolean;
  /** Images the node holds from the start (its `status.images`): pods pull the others on first use. */
  readonly images?: readonly string[];
}

/** The simulated cluster: nodes, storage classes, namespaces and the knobs of the virtual-time model. */
export interface ClusterSpec {
  readonly nodes: readonly NodeSpec[];
  /** StorageClass objects (real Kubernetes objects). */
  readonly storageClasses: readonly KObject[];
  readonly namespaces: readonly string[];
  readonly timing?: Readonly<Partial<TimingConfig>>;
  readonly kubelet?: { readonly podStartupMs?: readonly [number, number] };
  /** Images no registry has (a tag that does not exist): their pulls fail (ErrImagePull, then ImagePullBackOff). */
  readonly missingImages?: readonly string[];
  readonly volumes?: { readonly provisionMs?: readonly [number, number] };
  /**
   * The node-lifecycle controller's flags: --node-monitor-grace-period (50 s), --node-monitor-period (5 s),
   * --node-eviction-rate (0.1), --secondary-node-eviction-rate (0.01), --large-cluster-size-threshold (50),
   * --unhealthy-zone-threshold (0.55).
   */
  readonly nodeLifecycle?: Readonly<Partial<C.NodeLifecycleConfig>>;
  /** --terminated-pod-gc-threshold (default 12500; 0 disables) of the pod garbage collector. */
  readonly podGc?: { readonly terminatedPodGcThreshold?: number };
  /**
   * The Kubernetes release modelled: '1.35' (default) or '1.36' (OnDelete sets complete their update, §1.17;
   * BalancedAllocation scores the change of balance the pod causes).
   */
  readonly kubernetesVersion?: '1.35' | '1.36';
  /** Feature gates (kube-controller-manager `--feature-gates`): `MaxUnavailableStatefulSet` (default true). */
  readonly featureGates?: Readonly<Record<string, boolean>>;
}

/** The feature gates and releases kubesim can switch (§1.17), with their defaults in 1.35. */
/** The settings given (an undefined value keeps the default). */
const definedSettings = <T extends object>(o: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

export const KNOWN_FEATURE_GATES: Readonly<Record<string, boolean>> = { MaxUnavailableStatefulSet: true };
export const KUBERNETES_VERSIONS = ['1.35', '1.36'] as const;

export const COMPONENT_NAMES = [
  'statefulset-controller', 'replicaset-controller', 'scheduler', 'volume-binder', 'kubelet', 'endpoints-controller',
  'endpointslice-controller', 'garbage-collector', 'node-lifecycle-controller', 'pod-garbage-collector', 'resourcequota-controller',
  'disruption-controller', 'serviceaccount-controller', 'namespace-controller',
] as const;

/** The Node object a kubelet registers (kubesim: written at bootstrap). */
export const nodeObject = (n: NodeSpec, index: number): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: n.name,
    labels: {
      'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
      ...(n.labels ?? {}),
    },
  },
  spec: {
    podCIDR: `10.${64 + Math.floor(index / 256)}.${index % 256}.0/24`,
    ...(n.taints ? { taints: n.taints.map((t) => ({ ...t })) } : {}),
    ...(n.unschedulable ? { unschedulable: true } : {}),
  },
  status: {
    capacity: { cpu: n.capacity?.cpu ?? '4', memory: n.capacity?.memory ?? '8Gi', pods: String(n.capacity?.pods ?? 110) },
    allocatable: { cpu: n.capacity?.cpu ?? '4', memory: n.capacity?.memory ?? '8Gi', pods: String(n.capacity?.pods ?? 110) },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: '2026-01-01T00:00:00Z', lastHeartbeatTime: '2026-01-01T00:00:00Z' }],
    addresses: [
      { type: 'InternalIP', address: `172.18.${Math.floor((index + 2) / 256)}.${(index + 2) % 256}` },
      { type: 'Hostname', address: n.name },
    ],
    // [nodestatus.Images]: largest first, each with its repo digest and tag.
    ...(n.images?.length ? { images: nodeImages(n.images) } : {}),
    nodeInfo: {
      kubeletVersion: 'v1.35.0-kubesim', kubeProxyVersion: '', osImage: 'kubesim', kernelVersion: '6.1.0', containerRuntimeVersion: 'kubesim://1.0',
      operatingSystem: 'linux', architecture: 'amd64', machineID: '', systemUUID: '', bootID: '',
    },
  },
});

/** The component set of a cluster, each with its configuration. */
export const defaultComponents = (spec: ClusterSpec): ComponentSetup[] => {
  const nodes = spec.nodes.map((n) => n.name);
  return [
    {
      def: C.statefulSetController as never,
      config: {
        ...C.defaultStatefulSetConfig,
        ...(spec.featureGates?.MaxUnavailableStatefulSet === false ? { maxUnavailableStatefulSet: false } : {}),
        ...(spec.kubernetesVersion === '1.36' ? { onDeleteCompletesUpdate: true } : {}),
      },
    },
    { def: C.replicaSetController as never, config: C.defaultReplicaSetControllerConfig },
    { def: C.scheduler as never, config: { ...C.defaultSchedulerConfig, ...(spec.kubernetesVersion === '1.36' ? { balanceChangeScore: true } : {}) } },
    { def: C.volumeBinder as never, config: { ...C.defaultVolumeBinderConfig, ...(spec.volumes?.provisionMs ? { provisionMs: spec.volumes.provisionMs } : {}) } },
    {
      def: C.kubelet as never,
      config: {
        ...C.defaultKubeletConfig, nodes, ...(spec.kubelet?.podStartupMs ? { podStartupMs: spec.kubelet.podStartupMs } : {}),
        ...(spec.missingImages?.length ? { missingImages: spec.missingImages.map(normalizeImageName) } : {}),
      },
      shards: nodes,
    },
    { def: C.endpointsController as never, config: C.defaultEndpointsConfig },
    { def: C.endpointSliceController as never, config: C.defaultEndpointSliceControllerConfig },
    { def: C.garbageCollector as never, config: C.defaultGarbageCollectorConfig },
    {
      def: C.nodeLifecycleController as never,
      config: { ...C.defaultNodeLifecycleConfig, ...definedSettings(spec.nodeLifecycle) },
    },
    {
      def: C.podGarbageCollector as never,
      config: { ...C.defaultPodGcConfig, ...(spec.podGc?.terminatedPodGcThreshold !== undefined ? { terminatedPodThreshold: spec.podGc.terminatedPodGcThreshold } : {}) },
    },
    { def: C.resourceQuotaController as never, config: undefined },
    { def: C.disruptionController as never, config: undefined },
    { def: C.serviceAccountController as never, config: undefined },
    { def: C.namespaceController as never, config: undefined },
  ];
};

/** The default component set with one component replaced by another of the same name (tests, broken variants). */
export const withComponent = (def: ComponentSetup['def']) => (spec: ClusterSpec): ComponentSetup[] =>
  defaultComponents(spec).map((c) => (c.def.name === def.name ? { ...c, def } : c));

/**
 * The objects a cluster starts with (written by `system:bootstrap`): namespaces — each with the `default`
 * ServiceAccount and the `kube-root-ca.crt` ConfigMap its controllers give it (a cluster up long before the
 * scenario; namespaces created later get them from the serviceaccount controller) —, the `kubernetes`
 * Service with its Endpoints and EndpointSlice (the API server's own), nodes, storage classes.
 */
export const bootstrapObjects = (spec: ClusterSpec): KObject[] => [
  ...spec.namespaces.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) as KObject),
  ...spec.namespaces.flatMap((ns) => [defaultServiceAccount(ns) as KObject, rootCaConfigMap(ns) as KObject]),
  kubernetesService() as KObject, kubernetesEndpoints() as KObject, kubernetesEndpointSlice() as KObject,
  ...spec.nodes.map((n, i) => nodeObject(n, i) as KObject),
  ...spec.storageClasses,
];

/** The data of the bootstrap COMMAND entry. */
export const bootstrapCommand = (spec: ClusterSpec): Record<string, unknown> =>
  ({ command: 'bootstrap', nodes: spec.nodes.length, storageClasses: spec.storageClasses.map((s) => s.metadata?.name) });

/**
 * Build an embedded cluster: the bootstrap objects (namespaces, nodes, storage classes) are written by
 * `system:bootstrap` as one COMMAND, then every component starts.
 */
export const createCluster = (spec: ClusterSpec, seed: number, components: (spec: ClusterSpec) => ComponentSetup[] = defaultComponents): Simulation => {
  const sim = new Simulation({ seed, components: components(spec), ...(spec.timing ? { timing: spec.timing } : {}) });
  const r = sim.command(bootstrapCommand(spec), bootstrapObjects(spec).map((object) => ({ verb: 'create', object })), 'system:bootstrap');
  if (E.isLeft(r)) throw new Error(`cluster bootstrap failed: ${r.left.message}`);
  sim.startComponents();
  sim.keepKubernetesService();
  return sim;
};
