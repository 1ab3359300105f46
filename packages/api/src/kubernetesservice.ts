/**
 * The `kubernetes` Service of the `default` namespace — how pods find the API server — as the API server
 * itself keeps it: the kubernetesservice controller [pkg/controlplane/controller/kubernetesservice
 * CreateOrUpdateMasterServiceIfNeeded, createPortAndServiceSpec] writes the selectorless ClusterIP Service
 * on the first address of the service range, and the endpoint reconciler [pkg/controlplane/reconcilers
 * EndpointsAdapter] its Endpoints (labelled skip-mirror, so the mirroring controller leaves them alone) and
 * its EndpointSlice (not managed by the EndpointSlice controller, which skips a Service without selector).
 */
import type { ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice, Endpoints, IPAddress, Service } from './types.js';

/** The service range the API server allocates cluster IPs from (kubeadm's and kind's `--service-cluster-ip-range`). */
export const SERVICE_CIDR = '10.96.0.0/12';

/** A Service's cluster IPs as the registry normalizes them before validation: `clusterIPs`, else `[clusterIP]`. */
export const serviceClusterIps = (s: ServiceSpec | undefined): string[] => s?.clusterIPs ?? (s?.clusterIP ? [s.clusterIP] : []);

export const KUBERNETES_SERVICE = 'kubernetes';
/** The first address of the service range. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
/** How often the API server makes sure its `kubernetes` Service exists (the controller's EndpointInterval, 10 s). */
export const KUBERNETES_SERVICE_INTERVAL_MS = 10_000;
/** Where the (one) API server listens: kubesim's control plane, beside the nodes (172.18.0.2 onward). */
export const API_SERVER_ADDRESS = '172.18.0.1';
export const API_SERVER_PORT = 6443;

/** [createPortAndServiceSpec] port 443 named `https` to the API server's secure port. */
export const kubernetesService = (): Service => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name: KUBERNETES_SERVICE, namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
  spec: {
    ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: API_SERVER_PORT }],
    clusterIP: KUBERNETES_SERVICE_IP, sessionAffinity: 'None', type: 'ClusterIP',
  },
});

const apiServerPorts = () => [{ name: 'https', port: API_SERVER_PORT, protocol: 'TCP' }];

/** [EndpointsAdapter updateEndpoints] one subset: the API servers' addresses and their port. */
export const kubernetesEndpoints = (): Endpoints => ({
  apiVersion: 'v1', kind: 'Endpoints',
  metadata: { name: KUBERNETES_SERVICE, namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
  subsets: [{ addresses: [{ ip: API_SERVER_ADDRESS }], ports: apiServerPorts() }],
});

/** [EndpointsAdapter updateEndpointSlice] named after the Service, every address ready. */
export const kubernetesEndpointSlice = (): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { name: KUBERNETES_SERVICE, namespace: 'default', labels: { 'kubernetes.io/service-name': KUBERNETES_SERVICE } },
  addressType: 'IPv4',
  endpoints: [{ addresses: [API_SERVER_ADDRESS], conditions: { ready: true } }],
  ports: apiServerPorts(),
});

/** The field manager label the Service IP allocator puts on its IPAddress objects [ipallocator ControllerName]. */
export const IP_ALLOCATOR = 'ipallocator.k8s.io';

/**
 * [ipallocator createIPAddress] the IPAddress that records a Service's cluster IP (MultiCIDRServiceAllocator,
 * GA and on by default since 1.33): named by the address, labelled with its family and its allocator,
 * pointing at the Service.
 */
export const serviceIpAddress = (ip: string, namespace: string, name: string): IPAddress => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress',
  metadata: { name: ip, labels: { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': IP_ALLOCATOR } },
  spec: { parentRef: { group: '', resource: 'services', namespace, name } },
});

/** Whether an IPAddress is held by the Service `namespace/name`. */
export const heldByService = (ip: IPAddress, namespace: string, name: string): boolean => {
  const ref = ip.spec?.parentRef;
  return ref !== undefined && (ref.group ?? '') === '' && ref.resource === 'services' && ref.namespace === namespace && ref.name === name;
};
