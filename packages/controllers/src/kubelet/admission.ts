import { parseQuantity, type Container, type Node, type Pod } from '@kubesim/api';

/**
 * Kubelet admission [lifecycle/predicate.go Admit → generalFilter → scheduler.AdmissionCheck]: node
 * resources (pods, cpu, memory, ephemeral-storage), NodeAffinity, NodeName, NodePorts, then untolerated
 * NoExecute taints. Only the first failure is reported.
 */
export interface Rejection {
  /** status.reason and the event reason: `NodePorts`, `OutOfpods`, `OutOfcpu`, `NodeAffinity`, ... */
  readonly reason: string;
  /** The predicate message (the pod's status.message is `Pod was rejected: ` + this). */
  readonly message: string;
}

export const REJECTED_PREFIX = 'Pod was rejected: ';

const predicateFailure = (name: string, desc: string): Rejection => ({ reason: name, message: `Predicate ${name} failed: ${desc}` });

const insufficient = (resource: string, requested: number, used: number, capacity: number): Rejection => ({
  reason: `OutOf${resource}`,
  message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
});

interface Requests { cpuMilli: number; memory: number; ephemeral: number }

const containerRequests = (c: Container): Requests => {
  const r = c.resources?.requests ?? {};
  return {
    cpuMilli: Math.ceil((parseQuantity(r.cpu as string | undefined) ?? 0) * 1000),
    memory: Math.ceil(parseQuantity(r.memory as string | undefined) ?? 0),
    ephemeral: Math.ceil(parseQuantity(r['ephemeral-storage'] as string | undefined) ?? 0),
  };
};

/** Pod requests: sum of containers, at least the largest init container [resourcehelper.PodRequests]. */
export const podRequests = (p: Pod): Requests => {
  const sum: Requests = { cpuMilli: 0, memory: 0, ephemeral: 0 };
  for (const c of p.spec?.containers ?? []) {
    const r = containerRequests(c);
    sum.cpuMilli += r.cpuMilli; sum.memory += r.memory; sum.ephemeral += r.ephemeral;
  }
  for (const c of p.spec?.initContainers ?? []) {
    const r = containerRequests(c);
    sum.cpuMilli = Math.max(sum.cpuMilli, r.cpuMilli); sum.memory = Math.max(sum.memory, r.memory); sum.ephemeral = Math.max(sum.ephemeral, r.ephemeral);
  }
  return sum;
};

interface Allocatable { readonly pods?: number; readonly cpu?: number; readonly memory?: number; readonly ephemeral?: number }
const allocatableCache = new WeakMap<Node, Allocatable>();
const NO_NODE: Allocatable = {};

/** The node's allocatable resources (capacity when unset), parsed once per stored Node object. */
const allocatableOf = (node: Node | undefined): Allocatable => {
  if (!node) return NO_NODE;
  let a = allocatableCache.get(node);
  if (!a) {
    const q = (name: string): number | undefined => {
      const v = node.status?.allocatable?.[name] ?? node.status?.capacity?.[name];
      return v === undefined ? undefined : parseQuantity(v as string);
    };
    a = { pods: q('pods'), cpu: q('cpu'), memory: q('memory'), ephemeral: q('ephemeral-storage') };
    allocatableCache.set(node, a);
  }
  return a;
};

/** [noderesources.Fits]: the pod count first, then requested resources against allocatable. */
const fitsResources = (pod: Pod, node: Node | undefined, others: readonly Pod[]): Rejection | undefined => {
  const alloc = allocatableOf(node);
  const maxPods = alloc.pods;
  if (maxPods !== undefined && others.length + 1 > maxPods) return insufficient('pods', 1, others.length, maxPods);
  const want = podRequests(pod);
  if (want.cpuMilli === 0 && want.memory === 0 && want.ephemeral === 0) return undefined;
  const used: Requests = { cpuMilli: 0, memory: 0, ephemeral: 0 };
  for (const o of others) {
    const r = podRequests(o);
    used.cpuMilli += r.cpuMilli; used.memory += r.memory; used.ephemeral += r.ephemeral;
  }
  const cpu = alloc.cpu;
  if (cpu !== undefined && want.cpuMilli > 0 && want.cpuMilli > Math.round(cpu * 1000) - used.cpuMilli) {
    return insufficient('cpu', want.cpuMilli, used.cpuMilli, Math.round(cpu * 1000));
  }
  const mem = alloc.memory;
  if (mem !== undefined && want.memory > 0 && want.memory > mem - used.memory) return insufficient('memory', want.memory, used.memory, mem);
  const eph = alloc.ephemeral;
  if (eph !== undefined && want.ephemeral > 0 && want.ephemeral > eph - used.ephemeral) {
    return insufficient('ephemeral-storage', want.ephemeral, used.ephemeral, eph);
  }
  return undefined;
};

interface Requirement { readonly key: string; readonly operator: string; readonly values?: readonly string[] }

const requirementMatches = (r: Requirement, value: string | undefined): boolean => {
  const has = value !== undefined;
  switch (r.operator) {
    case 'In': return has && (r.values ?? []).includes(value);
    case 'NotIn': return !has || !(r.values ?? []).includes(value);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': case 'Lt': {
      if (!has || (r.values ?? []).length !== 1) return false;
      const a = Number(value), b = Number(r.values![0]);
      if (!Number.isInteger(a) || !Number.isInteger(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
};

/** [corev1nodeaffinity.GetRequiredNodeAffinity(pod).Match]: nodeSelector AND required node affinity terms. */
export const matchesNodeAffinity = (pod: Pod, node: Node | undefined, nodeName: string): boolean => {
  const labels = node?.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined) return true;
  return terms.some((t) => {
    const exprs = t.matchExpressions ?? [];
    const fields = t.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) return false;
    return exprs.every((r) => requirementMatches(r, labels[r.key]))
      && fields.every((r) => requirementMatches(r, r.key === 'metadata.name' ? nodeName : undefined));
  });
};

interface HostPort { readonly ip: string; readonly protocol: string; readonly port: number }

const hostPortsOf = (p: Pod): HostPort[] => {
  const out: HostPort[] = [];
  for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])]) {
    for (const cp of c.ports ?? []) {
      if (cp.hostPort !== undefined && cp.hostPort > 0) out.push({ ip: cp.hostIP || '0.0.0.0', protocol: cp.protocol ?? 'TCP', port: cp.hostPort });
    }
  }
  return out;
};

/** [nodeports.Fits]: a wanted host port conflicts with one in use on the same protocol and an overlapping IP. */
const portsFit = (pod: Pod, others: readonly Pod[]): boolean => {
  const want = hostPortsOf(pod);
  if (want.length === 0) return true;
  for (const o of others) {
    for (const u of hostPortsOf(o)) {
      for (const w of want) {
        if (u.port !== w.port || u.protocol !== w.protocol) continue;
        if (u.ip === '0.0.0.0' || w.ip === '0.0.0.0' || u.ip === w.ip) return false;
      }
    }
  }
  return true;
};

/** [v1.Toleration.ToleratesTaint] */
const tolerates = (t: NonNullable<NonNullable<Pod['spec']>['tolerations']>[number], taint: { key: string; value?: string; effect: string }): boolean => {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Equal': return (t.value ?? '') === (taint.value ?? '');
    case 'Exists': return true;
    default: return false;
  }
};

const untoleratedNoExecute = (pod: Pod, node: Node | undefined): boolean =>
  (node?.spec?.taints ?? []).some((taint) => taint.effect === 'NoExecute' && !(pod.spec?.tolerations ?? []).some((t) => tolerates(t, taint)));

/** The admission decision for `pod` on `nodeName`, given the pods already admitted there. */
export const admitPod = (pod: Pod, node: Node | undefined, nodeName: string, others: readonly Pod[]): Rejection | undefined => {
  const res = fitsResources(pod, node, others);
  if (res) return res;
  if (!matchesNodeAffinity(pod, node, nodeName)) return predicateFailure('NodeAffinity', "node(s) didn't match Pod's node affinity/selector");
  if (pod.spec?.nodeName !== undefined && pod.spec.nodeName !== nodeName) return predicateFailure('NodeName', "node(s) didn't match the requested node name");
  if (!portsFit(pod, others)) return predicateFailure('NodePorts', "node(s) didn't have free ports for the requested pod ports");
  if (untoleratedNoExecute(pod, node)) return predicateFailure('TaintToleration', "node(s) had taints that the pod didn't tolerate");
  return undefined;
};
