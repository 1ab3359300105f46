/** Pod requests and node allocatable as the scheduler's NodeInfo counts them ([framework.Resource], [NodeInfo]). */
import { parseQuantity, type Node, type Pod } from '@kubesim/api';

/** [schedutil.DefaultMilliCPURequest] / [DefaultMemoryRequest]: what a container without requests counts for scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;
/** kubesim convention: a node without `status.allocatable.pods` holds 110 pods (the kubelet's default maxPods). */
export const DEFAULT_MAX_PODS = 110;

export interface HostPort { readonly protocol: string; readonly ip: string; readonly port: number }

export interface PodResources {
  readonly milliCpu: number;
  readonly memory: number;
  /** Requests with the non-zero defaults (for scoring). */
  readonly nzMilliCpu: number;
  readonly nzMemory: number;
  readonly hostPorts: readonly HostPort[];
}

export interface NodeAllocatable { readonly milliCpu: number; readonly memory: number; readonly pods: number }

const NO_PORTS: readonly HostPort[] = [];
const ZERO: PodResources = { milliCpu: 0, memory: 0, nzMilliCpu: 0, nzMemory: 0, hostPorts: NO_PORTS };

type ResourceList = Readonly<Record<string, string | number>> | undefined;

/** Parsed quantity strings (a cluster uses few distinct ones); bounded. */
const parsed = new Map<string, number | undefined>();
const quantity = (q: string | number | undefined): number | undefined => {
  if (q === undefined || typeof q === 'number') return q;
  if (parsed.has(q)) return parsed.get(q);
  const v = parseQuantity(q);
  if (parsed.size >= 4096) parsed.clear();
  parsed.set(q, v);
  return v;
};

/** Quantity.MilliValue / Value round up. */
const milli = (q: string | number | undefined): number | undefined => {
  const v = quantity(q);
  return v === undefined ? undefined : Math.ceil(v * 1000 - 1e-6);
};
const whole = (q: string | number | undefined): number | undefined => {
  const v = quantity(q);
  return v === undefined ? undefined : Math.ceil(v - 1e-6);
};

interface Req { cpu: number; mem: number; nzCpu: number; nzMem: number }

const containerReq = (requests: ResourceList): Req => {
  const cpu = milli(requests?.['cpu']);
  const mem = whole(requests?.['memory']);
  return { cpu: cpu ?? 0, mem: mem ?? 0, nzCpu: cpu ?? DEFAULT_MILLI_CPU_REQUEST, nzMem: mem ?? DEFAULT_MEMORY_REQUEST };
};

/**
 * [resourcehelper.PodRequests]: the sum over containers, at least the largest init container, plus
 * the pod overhead; the non-zero variant counts 100m CPU / 200Mi memory for a container that does not
 * say. Host ports are the containers' ports with a hostPort. Memoized per spec object (a pod's spec is
 * shared, unchanged, by all its status updates).
 */
export const podResources = (pod: Pod): PodResources => {
  const spec = pod.spec;
  if (!spec) return ZERO;
  const hit = bySpec.get(spec);
  if (hit) return hit;
  const out = computePodResources(pod);
  bySpec.set(spec, out);
  return out;
};

const bySpec = new WeakMap<object, PodResources>();

const computePodResources = (pod: Pod): PodResources => {
  const sum: Req = { cpu: 0, mem: 0, nzCpu: 0, nzMem: 0 };
  const hostPorts: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    const r = containerReq(c.resources?.requests as ResourceList);
    sum.cpu += r.cpu; sum.mem += r.mem; sum.nzCpu += r.nzCpu; sum.nzMem += r.nzMem;
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) {
        hostPorts.push({ protocol: p.protocol || 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort });
      }
    }
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerReq(c.resources?.requests as ResourceList);
    sum.cpu = Math.max(sum.cpu, r.cpu); sum.mem = Math.max(sum.mem, r.mem);
    sum.nzCpu = Math.max(sum.nzCpu, r.nzCpu); sum.nzMem = Math.max(sum.nzMem, r.nzMem);
  }
  const overhead = pod.spec?.overhead as ResourceList;
  if (overhead) {
    const oc = milli(overhead['cpu']) ?? 0, om = whole(overhead['memory']) ?? 0;
    sum.cpu += oc; sum.mem += om; sum.nzCpu += oc; sum.nzMem += om;
  }
  return { milliCpu: sum.cpu, memory: sum.mem, nzMilliCpu: sum.nzCpu, nzMemory: sum.nzMem, hostPorts: hostPorts.length > 0 ? hostPorts : NO_PORTS };
};

/** status.allocatable: cpu (milli), memory, pods (110 when absent). */
export const nodeAllocatable = (node: Node): NodeAllocatable => {
  const a = node.status?.allocatable as ResourceList;
  return {
    milliCpu: milli(a?.['cpu']) ?? 0,
    memory: whole(a?.['memory']) ?? 0,
    pods: whole(a?.['pods']) ?? DEFAULT_MAX_PODS,
  };
};
