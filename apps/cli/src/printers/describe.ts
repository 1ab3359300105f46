import {
  controllerRefOf, describeContainers, describePodTemplate, describeVolumes, formatQuotaAmount, parseQuotaAmount, podQOS, podResources,
  PrefixWriter, rfc1123z, rfc1123zOrZero, writeAnnotations, writeLabels, writeTolerations, writeTopologySpread, type Node,
  canonicalQuantity, type EndpointSlice, type PersistentVolume, type Service, type Endpoints, type PodDisruptionBudget,
  type ResourceQuota, type StorageClass, type Namespace, ANN_BETA_STORAGE_CLASS, claimClass,
  type Event, type KObject, type PersistentVolumeClaim, type Pod, type ReplicaSet, type StatefulSet,
  base64DecodedLength, type ConfigMap, type Secret, type ServiceAccount,
} from '@kubesim/api';
import { ageSince } from './age.js';
import { describeEvents, eventsAbout, eventsTable } from './events.js';
import { accessModes, compareStrings, formatLabels, formatLabelSelector, joinHostPort } from './format.js';
import { goYaml } from './output.js';

/**
 * `kubectl describe statefulset` ([describe.go describeStatefulSet]): the set's fields, the status of the
 * pods it controls (by phase), its pod template, its volume claim templates, and the events about it — laid
 * out by Go's tabwriter as kubectl does.
 */
export const describeStatefulSet = (set: StatefulSet, pods: readonly Pod[], events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  const meta = set.metadata ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(meta.creationTimestamp)}\n`);
  w.write(0, `Selector:\t${formatLabelSelector(set.spec?.selector)}\n`);
  writeLabels(w, 'Labels', meta.labels);
  writeAnnotations(w, 'Annotations', meta.annotations);
  w.write(0, `Replicas:\t${set.spec?.replicas ?? 1} desired | ${set.status?.replicas ?? 0} total\n`);
  const strategy = set.spec?.updateStrategy;
  w.write(0, `Update Strategy:\t${strategy?.type ?? ''}\n`);
  const ru = strategy?.rollingUpdate;
  if (ru?.partition !== undefined) {
    w.write(1, `Partition:\t${ru.partition}\n`);
    if (ru.maxUnavailable !== undefined) w.write(1, `MaxUnavailable:\t${String(ru.maxUnavailable)}\n`);
  }
  w.write(0, `Pods Status:\t${podsStatus(pods, meta.uid)}\n`);
  describePodTemplate(w, set.spec?.template);
  const templates = set.spec?.volumeClaimTemplates ?? [];
  if (templates.length === 0) w.write(0, 'Volume Claims:\t<none>\n');
  else {
    w.write(0, 'Volume Claims:\n');
    for (const c of templates) {
      w.write(1, `Name:\t${c.metadata?.name ?? ''}\n`);
      w.write(1, `StorageClass:\t${claimClass(c)}\n`);
      writeLabels(w, 'Labels', c.metadata?.labels, '  ');
      writeLabels(w, 'Annotations', c.metadata?.annotations, '  ');
      const storage = (c.spec?.resources?.requests as Record<string, unknown> | undefined)?.storage;
      w.write(1, `Capacity:\t${storage === undefined ? '<default>' : String(storage)}\n`);
      w.write(1, `Access Modes:\t[${(c.spec?.accessModes ?? []).join(' ')}]\n`);
    }
  }
  return withEvents(w, set, events, nowMs);
};

/**
 * `kubectl describe replicaset` ([describe.go describeReplicaSet]): fields, `Controlled By`, `Replicas: N
 * current / M desired`, the pods status, the pod template, the conditions, the events.
 */
export const describeReplicaSet = (rs: ReplicaSet, pods: readonly Pod[], events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  const meta = rs.metadata ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  w.write(0, `Selector:\t${formatLabelSelector(rs.spec?.selector)}\n`);
  writeLabels(w, 'Labels', meta.labels);
  writeAnnotations(w, 'Annotations', meta.annotations);
  const owner = controllerRefOf(meta);
  if (owner) w.write(0, `Controlled By:\t${owner.kind}/${owner.name}\n`);
  w.write(0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 1} desired\n`);
  w.write(0, `Pods Status:\t${podsStatus(pods, meta.uid)}\n`);
  describePodTemplate(w, rs.spec?.template);
  const conditions = rs.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of conditions) w.write(1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
  }
  return withEvents(w, rs, events, nowMs);
};

/** getPodStatusForController: the pods the controller owns, by phase. */
const podsStatus = (pods: readonly Pod[], uid: string | undefined): string => {
  const counts = { Running: 0, Pending: 0, Succeeded: 0, Failed: 0 };
  for (const p of pods) {
    if (controllerRefOf(p.metadata)?.uid !== uid) continue;
    const phase = p.status?.phase as keyof typeof counts | undefined;
    if (phase !== undefined && phase in counts) counts[phase]++;
  }
  return `${counts.Running} Running / ${counts.Pending} Waiting / ${counts.Succeeded} Succeeded / ${counts.Failed} Failed`;
};

/** DescribeEvents: `Events:\t<none>` joins the last run of fields; a table is laid out apart, after a blank line. */
const withEvents = (w: PrefixWriter, obj: KObject, events: readonly Event[], nowMs: number): string => {
  const mine = eventsAbout(obj, events);
  if (mine.length === 0) { w.write(0, 'Events:\t<none>\n'); return w.flush(); }
  return `${w.flush()}\n${eventsTable(mine, nowMs)}`;
};

/**
 * `kubectl describe pvc` ([describe.go describePersistentVolumeClaim, printPersistentVolumeClaim]): class,
 * status (`Terminating (lasts 5s)` while deleted), volume, labels, annotations, finalizers, the bound
 * capacity and access modes, volume mode, the pods that use it (`Used By`), conditions, events.
 */
export const describeClaim = (pvc: PersistentVolumeClaim, pods: readonly Pod[], events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  const meta = pvc.metadata ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  w.write(0, `StorageClass:\t${claimClass(pvc)}\n`);
  w.write(0, meta.deletionTimestamp !== undefined ? `Status:\tTerminating (lasts ${ageSince(meta.deletionTimestamp, nowMs)})\n` : `Status:\t${pvc.status?.phase ?? ''}\n`);
  w.write(0, `Volume:\t${pvc.spec?.volumeName ?? ''}\n`);
  writeLabels(w, 'Labels', meta.labels);
  writeAnnotations(w, 'Annotations', meta.annotations);
  w.write(0, `Finalizers:\t[${(meta.finalizers ?? []).join(' ')}]\n`);
  const bound = (pvc.spec?.volumeName ?? '') !== '';
  const capacity = bound ? (pvc.status?.capacity as Record<string, unknown> | undefined)?.storage : undefined;
  w.write(0, `Capacity:\t${capacity === undefined ? '' : String(capacity)}\n`);
  w.write(0, `Access Modes:\t${bound ? accessModes(pvc.status?.accessModes) : ''}\n`);
  if (pvc.spec?.volumeMode !== undefined) w.write(0, `VolumeMode:\t${pvc.spec.volumeMode}\n`);
  // getPodsForPVC: the namespace's pods whose volumes name the claim, by name.
  const users = pods.filter((p) => p.metadata?.namespace === meta.namespace && (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === meta.name))
    .map((p) => p.metadata?.name ?? '').sort();
  w.write(0, 'Used By:\t');
  if (users.length === 0) w.write(0, '<none>\n');
  users.forEach((u, i) => w.write(0, `${i === 0 ? '' : '\t'}${u}\n`));
  const conditions = pvc.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n');
    w.write(1, 'Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conditions) {
      w.write(1, `${c.type} \t${c.status} \t${rfc1123zOrZero(c.lastProbeTime)} \t${rfc1123zOrZero(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`);
    }
  }
  return withEvents(w, pvc, events, nowMs);
};

/**
 * `kubectl describe pod` ([describe.go describePod]): priority, node and host IP, start time, labels,
 * annotations, status (`Terminating (lasts 5s)` and the grace period while deleted), reason and message, IPs,
 * `Controlled By`, the init containers and containers with their states (`Running`, `Waiting` with its reason,
 * `Terminated` with its exit, `Last State`, Ready, Restart Count), the conditions, volumes, QoS class, node
 * selectors, tolerations, topology spread constraints, the events.
 */
export const describePod = (pod: Pod, events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  const meta = pod.metadata ?? {};
  const spec = pod.spec;
  const st = pod.status;
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  if (spec?.priority !== undefined) w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec?.priorityClassName) w.write(0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (spec?.runtimeClassName) w.write(0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
  if (spec?.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(0, spec?.nodeName ? `Node:\t${spec.nodeName}/${st?.hostIP ?? ''}\n` : 'Node:\t<none>\n');
  if (st?.startTime) w.write(0, `Start Time:\t${rfc1123z(st.startTime)}\n`);
  writeLabels(w, 'Labels', meta.labels);
  writeAnnotations(w, 'Annotations', meta.annotations);
  const phase = st?.phase ?? '';
  if (meta.deletionTimestamp && phase !== 'Failed' && phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${ageSince(meta.deletionTimestamp, nowMs)})\n`);
    w.write(0, `Termination Grace Period:\t${meta.deletionGracePeriodSeconds ?? 0}s\n`);
  } else w.write(0, `Status:\t${phase}\n`);
  if (st?.reason) w.write(0, `Reason:\t${st.reason}\n`);
  if (st?.message) w.write(0, `Message:\t${st.message}\n`);
  const seccomp = spec?.securityContext?.seccompProfile;
  if (seccomp) {
    w.write(0, `SeccompProfile:\t${seccomp.type}\n`);
    if (seccomp.type === 'Localhost') w.write(0, `LocalhostProfile:\t${seccomp.localhostProfile ?? ''}\n`);
  }
  w.write(0, `IP:\t${st?.podIP ?? ''}\n`);
  if (!st?.podIPs?.length) w.write(0, 'IPs:\t<none>\n');
  else {
    w.write(0, 'IPs:\n');
    for (const ip of st.podIPs) w.write(1, `IP:\t${ip.ip ?? ''}\n`);
  }
  const owner = controllerRefOf(meta);
  if (owner) w.write(0, `Controlled By:\t${owner.kind}/${owner.name}\n`);
  if (st?.nominatedNodeName) w.write(0, `NominatedNodeName:\t${st.nominatedNodeName}\n`);
  if (spec?.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, '', st?.initContainerStatuses ?? []);
  describeContainers(w, 'Containers', spec?.containers ?? [], '', st?.containerStatuses ?? []);
  const conditions = st?.conditions ?? [];
  if (spec?.readinessGates?.length) {
    w.write(0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const g of spec.readinessGates) w.write(1, `${g.conditionType} \t${conditions.find((c) => c.type === g.conditionType)?.status ?? '<none>'} \n`);
  }
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conditions) w.write(1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(w, spec?.volumes, '');
  // qos.GetPodQOS: the class the API server stored, computed when it is missing.
  w.write(0, `QoS Class:\t${st?.qosClass || podQOS(pod)}\n`);
  writeLabels(w, 'Node-Selectors', spec?.nodeSelector);
  writeTolerations(w, 'Tolerations', spec?.tolerations);
  writeTopologySpread(w, spec?.topologySpreadConstraints, '');
  return withEvents(w, pod, events, nowMs);
};

/** findNodeRoles: `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label, sorted. */
const nodeRoles = (labels: Readonly<Record<string, string>> | undefined): string[] => {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return [...roles].sort();
};

/** A resource amount and its share of the allocatable amount, as kubectl prints it (`100m (2%)`, the share truncated). */
const share = (resource: string, used: number, allocatable: number | undefined): string =>
  `${formatQuotaAmount(resource, used)} (${allocatable ? Math.trunc((used / allocatable) * 100) : 0}%)`;

/**
 * `kubectl describe node` ([describe.go describeNode, describeNodeResource]): roles, labels, annotations,
 * creation, taints (by effect and key), Unschedulable, the conditions with their heartbeat and transition
 * times, addresses, capacity, allocatable, system info, pod CIDRs, the node's non-terminated pods with their
 * cpu and memory requests and limits (share of allocatable, truncated), the allocated totals, the events.
 */
export const describeNode = (node: Node, pods: readonly Pod[], events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  const meta = node.metadata ?? {};
  const name = meta.name ?? '';
  w.write(0, `Name:\t${name}\n`);
  const roles = nodeRoles(meta.labels);
  w.write(0, `Roles:\t${roles.length ? roles.join(',') : '<none>'}\n`);
  writeLabels(w, 'Labels', meta.labels);
  writeAnnotations(w, 'Annotations', meta.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(meta.creationTimestamp)}\n`);
  // printNodeTaintsMultiline: sorted by effect, then key; `key=value:effect`.
  const taints = [...(node.spec?.taints ?? [])].sort((a, b) => compareStrings(`${a.effect},${a.key}`, `${b.effect},${b.key}`));
  w.write(0, 'Taints:\t');
  if (taints.length === 0) w.write(0, '<none>\n');
  taints.forEach((t, i) => w.write(0, `${i === 0 ? '' : '\t'}${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}\n`));
  w.write(0, `Unschedulable:\t${node.spec?.unschedulable === true}\n`);
  const conditions = node.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conditions) {
      w.write(1, `${c.type} \t${c.status} \t${rfc1123zOrZero(c.lastHeartbeatTime)} \t${rfc1123zOrZero(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`);
    }
  }
  w.write(0, 'Addresses:\n');
  for (const a of node.status?.addresses ?? []) w.write(1, `${a.type}:\t${a.address}\n`);
  const resourceList = (title: string, list: Readonly<Record<string, unknown>> | undefined): void => {
    const names = Object.keys(list ?? {}).sort();
    if (names.length === 0) return;
    w.write(0, `${title}:\n`);
    for (const r of names) w.write(0, `  ${r}:\t${canonicalQuantity(list![r] as string | number)}\n`);
  };
  resourceList('Capacity', node.status?.capacity);
  resourceList('Allocatable', node.status?.allocatable);
  const info = node.status?.nodeInfo;
  w.write(0, 'System Info:\n');
  for (const [title, v] of [['Machine ID', info?.machineID], ['System UUID', info?.systemUUID], ['Boot ID', info?.bootID], ['Kernel Version', info?.kernelVersion],
    ['OS Image', info?.osImage], ['Operating System', info?.operatingSystem], ['Architecture', info?.architecture],
    ['Container Runtime Version', info?.containerRuntimeVersion], ['Kubelet Version', info?.kubeletVersion]] as const) w.write(0, `  ${title}:\t${v ?? ''}\n`);
  if (node.spec?.podCIDR) w.write(0, `PodCIDR:\t${node.spec.podCIDR}\n`);
  if (node.spec?.podCIDRs?.length) w.write(0, `PodCIDRs:\t${node.spec.podCIDRs.join(',')}\n`);
  if (node.spec?.providerID) w.write(0, `ProviderID:\t${node.spec.providerID}\n`);
  // describeNodeResource: the pods bound to the node and not finished, every namespace, in the API's order.
  const onNode = pods.filter((p) => p.spec?.nodeName === name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .sort((a, b) => compareStrings(`${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`, `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`));
  const allocatable = (node.status?.allocatable && Object.keys(node.status.allocatable).length > 0 ? node.status.allocatable : node.status?.capacity) as Readonly<Record<string, string | number>> | undefined;
  const cpuAlloc = parseQuotaAmount('cpu', allocatable?.cpu);
  const memAlloc = parseQuotaAmount('memory', allocatable?.memory);
  const storageAlloc = parseQuotaAmount('ephemeral-storage', allocatable?.['ephemeral-storage']);
  w.write(0, `Non-terminated Pods:\t(${onNode.length} in total)\n`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const total = { requests: new Map<string, number>(), limits: new Map<string, number>() };
  for (const p of onNode) {
    const req = podResources(p, 'requests');
    const lim = podResources(p, 'limits');
    for (const [m, into] of [[req, total.requests], [lim, total.limits]] as const) for (const [r, v] of m) into.set(r, (into.get(r) ?? 0) + v);
    w.write(1, `${p.metadata?.namespace ?? ''}\t${p.metadata?.name ?? ''}\t\t${share('cpu', req.get('cpu') ?? 0, cpuAlloc)}\t${share('cpu', lim.get('cpu') ?? 0, cpuAlloc)}\t`
      + `${share('memory', req.get('memory') ?? 0, memAlloc)}\t${share('memory', lim.get('memory') ?? 0, memAlloc)}\t${ageSince(p.metadata?.creationTimestamp, nowMs)}\n`);
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  for (const [r, alloc] of [['cpu', cpuAlloc], ['memory', memAlloc], ['ephemeral-storage', storageAlloc]] as const) {
    w.write(1, `${r}\t${share(r, total.requests.get(r) ?? 0, alloc)}\t${share(r, total.limits.get(r) ?? 0, alloc)}\n`);
  }
  return withEvents(w, node, events, nowMs);
};

/**
 * `kubectl describe pv` ([describe.go describePersistentVolume, printVolumeNodeAffinity]): labels,
 * annotations, finalizers, class, status (`Terminating (lasts …)` while deleted), `Claim: ns/name`, reclaim
 * policy, access modes, volume mode, capacity, node affinity, message, source, events.
 */
export const describeVolume = (pv: PersistentVolume, events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  const meta = pv.metadata ?? {};
  const spec = pv.spec ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  writeLabels(w, 'Labels', meta.labels);
  writeAnnotations(w, 'Annotations', meta.annotations);
  w.write(0, `Finalizers:\t[${(meta.finalizers ?? []).join(' ')}]\n`);
  w.write(0, `StorageClass:\t${meta.annotations?.[ANN_BETA_STORAGE_CLASS] ?? spec.storageClassName ?? ''}\n`);
  w.write(0, meta.deletionTimestamp !== undefined ? `Status:\tTerminating (lasts ${ageSince(meta.deletionTimestamp, nowMs)})\n` : `Status:\t${pv.status?.phase ?? ''}\n`);
  w.write(0, `Claim:\t${spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : ''}\n`);
  w.write(0, `Reclaim Policy:\t${spec.persistentVolumeReclaimPolicy ?? ''}\n`);
  w.write(0, `Access Modes:\t${accessModes(spec.accessModes)}\n`);
  if (spec.volumeMode !== undefined) w.write(0, `VolumeMode:\t${spec.volumeMode}\n`);
  const storage = (spec.capacity as Record<string, string | number> | undefined)?.storage;
  w.write(0, `Capacity:\t${storage === undefined ? '0' : canonicalQuantity(storage)}\n`);
  const required = spec.nodeAffinity?.required;
  w.write(0, 'Node Affinity:\t');
  if (!required) w.write(0, '<none>\n');
  else {
    w.write(0, '\n');
    w.write(1, 'Required Terms:\t');
    if (required.nodeSelectorTerms.length === 0) w.write(0, '<none>\n');
    else {
      w.write(0, '\n');
      writeTerms(w, 2, required.nodeSelectorTerms.map((t) => (t.matchExpressions ?? []).map((r) => ({ key: r.key, op: r.operator.toLowerCase(), values: r.values }))));
    }
  }
  w.write(0, `Message:\t${pv.status?.message ?? ''}\n`);
  w.write(0, 'Source:\n');
  if (spec.hostPath) w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${spec.hostPath.path}\n    HostPathType:\t${spec.hostPath.type ?? '<none>'}\n`);
  else if (spec.local) w.write(2, `Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t${spec.local.path}\n`);
  else if (spec.csi) {
    w.write(2, `Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t${spec.csi.driver}\n    FSType:\t${spec.csi.fsType ?? ''}\n    VolumeHandle:\t${spec.csi.volumeHandle}\n    ReadOnly:\t${spec.csi.readOnly === true}\n`);
    const attrs = Object.keys(spec.csi.volumeAttributes ?? {}).sort();
    w.write(2, 'VolumeAttributes:\t');
    if (attrs.length === 0) w.write(0, '<none>\n');
    attrs.forEach((k, i) => { if (i !== 0) w.write(2, '\t'); w.write(2, `${k}=${spec.csi!.volumeAttributes![k]!}\n`); });
  } else w.write(1, '<unknown>\n');
  return withEvents(w, pv, events, nowMs);
};

/**
 * formatEndpointSlices: the ready endpoints of the service's slices for one port name — `ip:port` (`ip`
 * alone for slices without ports), at most three, then `+ N more...`; `<none>` without slices.
 */
const formatEndpointSlices = (slices: readonly EndpointSlice[], portName: string): string => {
  if (slices.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  const visit = (ep: EndpointSlice['endpoints'][number], port?: number): void => {
    if (list.length === max) more = true;
    if (ep.conditions?.ready === false) return;
    if (!more) list.push(port === undefined ? ep.addresses[0]! : joinHostPort(ep.addresses[0]!, port));
    count++;
  };
  for (const s of slices) {
    if (!s.ports?.length) { for (const ep of s.endpoints ?? []) visit(ep); continue; }
    for (const p of s.ports) if ((p.name ?? '') === portName) for (const ep of s.endpoints ?? []) visit(ep, p.port);
  }
  return more ? `${list.join(',')} + ${count - max} more...` : list.join(',');
};

/**
 * `kubectl describe service` ([describe.go describeService]): labels, annotations, selector, type, IP
 * families, cluster IPs, each port with its target port and endpoints (from its EndpointSlices), session
 * affinity, traffic policies, events.
 */
export const describeService = (svc: Service, slices: readonly EndpointSlice[], events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  const meta = svc.metadata ?? {};
  const spec = svc.spec ?? {};
  writeNamedHeader(w, meta);
  w.write(0, `Selector:\t${formatLabels(spec.selector)}\n`);
  w.write(0, `Type:\t${spec.type ?? ''}\n`);
  if (spec.ipFamilyPolicy !== undefined) w.write(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  w.write(0, `IP Families:\t${spec.ipFamilies?.length ? spec.ipFamilies.join(',') : '<none>'}\n`);
  w.write(0, `IP:\t${spec.clusterIP ?? ''}\n`);
  w.write(0, `IPs:\t${spec.clusterIPs?.length ? spec.clusterIPs.join(',') : '<none>'}\n`);
  if (spec.externalIPs?.length) w.write(0, `External IPs:\t${spec.externalIPs.join(',')}\n`);
  if (spec.externalName) w.write(0, `External Name:\t${spec.externalName}\n`);
  const own = slices.filter((s) => s.metadata?.namespace === meta.namespace && s.metadata?.labels?.['kubernetes.io/service-name'] === meta.name);
  for (const p of spec.ports ?? []) {
    const name = p.name || '<unset>';
    const protocol = p.protocol ?? 'TCP';
    w.write(0, `Port:\t${name}\t${p.port}/${protocol}\n`);
    w.write(0, `TargetPort:\t${String(p.targetPort ?? p.port)}/${protocol}\n`);
    if (p.appProtocol) w.write(0, `AppProtocol:\t${p.appProtocol}\n`);
    if (p.nodePort) w.write(0, `NodePort:\t${name}\t${p.nodePort}/${protocol}\n`);
    w.write(0, `Endpoints:\t${formatEndpointSlices(own, p.name ?? '')}\n`);
  }
  w.write(0, `Session Affinity:\t${spec.sessionAffinity ?? ''}\n`);
  if (spec.externalTrafficPolicy) w.write(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  return withEvents(w, svc, events, nowMs);
};

/**
 * printNodeSelectorTermsMultilineWithIndent / printTopologySelectorTermsMultilineWithIndent: `Term N:` then each
 * requirement (`key in [a, b]`) on a line of its own, `<none>` for an empty term.
 */
const writeTerms = (w: PrefixWriter, level: number, terms: readonly (readonly { key: string; op: string; values?: readonly string[] | undefined }[])[]): void => {
  terms.forEach((reqs, i) => {
    w.write(level, `Term ${i}:\t`);
    if (reqs.length === 0) w.write(0, '<none>\n');
    reqs.forEach((r, j) => {
      if (j !== 0) w.write(level, '\t');
      w.write(0, `${r.key} ${r.op}${r.values?.length ? ` [${r.values.join(', ')}]` : ''}\n`);
    });
  });
};

/** The header most describers start with: Name, Namespace, Labels, Annotations. */
const writeNamedHeader = (w: PrefixWriter, meta: KObject['metadata']): void => {
  w.write(0, `Name:\t${meta?.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta?.namespace ?? ''}\n`);
  writeLabels(w, 'Labels', meta?.labels);
  writeAnnotations(w, 'Annotations', meta?.annotations);
};

/** A quota's `resource  used  hard` rows over the hard limits its status reports, by name (used 0 when unreported). */
const quotaRows = (q: ResourceQuota): string[] => {
  const hard = (q.status?.hard ?? {}) as Record<string, string | number>;
  const used = (q.status?.used ?? {}) as Record<string, string | number>;
  return Object.keys(hard).sort().map((r) => `${r}\t${used[r] === undefined ? '0' : canonicalQuantity(used[r])}\t${canonicalQuantity(hard[r]!)}\n`);
};

/**
 * `kubectl describe endpointslice` ([describe.go describeEndpointSliceV1]): address type, the ports table,
 * each endpoint with its addresses, Ready condition, hostname, target, node and zone.
 */
export const describeEndpointSlice = (eps: EndpointSlice, events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  writeNamedHeader(w, eps.metadata);
  w.write(0, `AddressType:\t${eps.addressType}\n`);
  if (!eps.ports?.length) w.write(0, 'Ports: <unset>\n');
  else {
    w.write(0, 'Ports:\n');
    w.write(1, 'Name\tPort\tProtocol\n');
    w.write(1, '----\t----\t--------\n');
    for (const p of eps.ports) w.write(1, `${p.name || '<unset>'}\t${p.port === undefined ? '<unset>' : p.port}\t${p.protocol ?? 'TCP'}\n`);
  }
  if (!eps.endpoints?.length) w.write(0, 'Endpoints: <none>\n');
  else {
    w.write(0, 'Endpoints:\n');
    for (const ep of eps.endpoints) {
      w.write(1, `- Addresses:\t${ep.addresses.length ? ep.addresses.join(', ') : '<none>'}\n`);
      w.write(2, 'Conditions:\n');
      w.write(3, `Ready:\t${ep.conditions?.ready === undefined ? '<unset>' : String(ep.conditions.ready)}\n`);
      w.write(2, `Hostname:\t${ep.hostname ?? '<unset>'}\n`);
      if (ep.targetRef) w.write(2, `TargetRef:\t${ep.targetRef.kind ?? ''}/${ep.targetRef.name ?? ''}\n`);
      w.write(2, `NodeName:\t${ep.nodeName ?? '<unset>'}\n`);
      w.write(2, `Zone:\t${ep.zone ?? '<unset>'}\n`);
    }
  }
  return withEvents(w, eps, events, nowMs);
};

/** `kubectl describe endpoints` ([describe.go describeEndpoints]): each subset's ready and not-ready addresses and its ports. */
export const describeEndpoints = (ep: Endpoints, events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  writeNamedHeader(w, ep.metadata);
  w.write(0, 'Subsets:\n');
  for (const subset of ep.subsets ?? []) {
    w.write(1, `Addresses:\t${(subset.addresses ?? []).map((a) => a.ip).join(',') || '<none>'}\n`);
    w.write(1, `NotReadyAddresses:\t${(subset.notReadyAddresses ?? []).map((a) => a.ip).join(',') || '<none>'}\n`);
    if (subset.ports?.length) {
      w.write(1, 'Ports:\n');
      w.write(2, 'Name\tPort\tProtocol\n');
      w.write(2, '----\t----\t--------\n');
      for (const p of subset.ports) w.write(2, `${p.name || '<unset>'}\t${p.port}\t${p.protocol ?? 'TCP'}\n`);
    }
    w.write(0, '\n');
  }
  return withEvents(w, ep, events, nowMs);
};

/**
 * `kubectl describe configmap` ([describe.go describeConfigMap]): each data entry under its key and a `----`
 * rule, each binaryData entry's size, the events. Keys sorted (Go walks the maps in a random order).
 */
export const describeConfigMap = (cm: ConfigMap, events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  writeNamedHeader(w, cm.metadata);
  w.write(0, '\nData\n====\n');
  for (const k of Object.keys(cm.data ?? {}).sort(compareStrings)) {
    w.write(0, `${k}:\n----\n`);
    w.write(0, `${cm.data![k] ?? ''}\n`);
  }
  w.write(0, '\nBinaryData\n====\n');
  for (const k of Object.keys(cm.binaryData ?? {}).sort(compareStrings)) w.write(0, `${k}: ${base64DecodedLength(cm.binaryData![k] ?? '')} bytes\n`);
  w.write(0, '\n');
  return withEvents(w, cm as KObject, events, nowMs);
};

/**
 * `kubectl describe secret` ([describe.go describeSecret]): the type and each data entry's size in bytes —
 * never its value (but a service account token's) — and no events.
 */
export const describeSecret = (s: Secret): string => {
  const w = new PrefixWriter();
  writeNamedHeader(w, s.metadata);
  w.write(0, `\nType:\t${s.type ?? ''}\n`);
  w.write(0, '\nData\n====\n');
  for (const k of Object.keys(s.data ?? {}).sort(compareStrings)) {
    const v = s.data![k] ?? '';
    if (k === 'token' && s.type === 'kubernetes.io/service-account-token') w.write(0, `${k}:\t${Buffer.from(v, 'base64').toString('utf8')}\n`);
    else w.write(0, `${k}:\t${base64DecodedLength(v)} bytes\n`);
  }
  return w.flush();
};

/**
 * `kubectl describe serviceaccount` ([describe.go describeServiceAccount]): its image pull secrets, mountable
 * secrets (`(not found)` when missing) and tokens (the service-account-token Secrets among the mountable
 * ones), each header once then its names, `<none>` when empty; the events.
 */
export const describeServiceAccount = (sa: ServiceAccount, secrets: readonly Secret[], events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  writeNamedHeader(w, sa.metadata);
  const byName = new Map(secrets.map((s) => [s.metadata?.name ?? '', s]));
  const pull = (sa.imagePullSecrets ?? []).map((r) => r.name ?? '');
  const mountable: string[] = [];
  const tokens: string[] = [];
  for (const r of sa.secrets ?? []) {
    const name = r.name ?? '';
    if (byName.get(name)?.type === 'kubernetes.io/service-account-token') tokens.push(name);
    else mountable.push(name);
  }
  const missing = (n: string): boolean => !byName.has(n);
  for (const [header, names] of [['Image pull secrets:', pull], ['Mountable secrets: ', mountable], ['Tokens:            ', tokens]] as const) {
    if (names.length === 0) { w.write(0, `${header}\t<none>\n`); continue; }
    names.forEach((n, i) => w.write(0, `${i === 0 ? header : '                   '}\t${n}${missing(n) ? ' (not found)' : ''}\n`));
  }
  return withEvents(w, sa as KObject, events, nowMs);
};

/** `kubectl describe pdb` ([describe.go describePodDisruptionBudgetV1]): min available or max unavailable, selector, status counts. */
export const describeDisruptionBudget = (pdb: PodDisruptionBudget, events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  const meta = pdb.metadata ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  w.write(0, `Namespace:\t${meta.namespace ?? ''}\n`);
  if (pdb.spec?.minAvailable !== undefined) w.write(0, `Min available:\t${String(pdb.spec.minAvailable)}\n`);
  else if (pdb.spec?.maxUnavailable !== undefined) w.write(0, `Max unavailable:\t${String(pdb.spec.maxUnavailable)}\n`);
  w.write(0, `Selector:\t${pdb.spec?.selector ? formatLabelSelector(pdb.spec.selector) : '<unset>'}\n`);
  w.write(0, 'Status:\n');
  w.write(2, `Allowed disruptions:\t${pdb.status?.disruptionsAllowed ?? 0}\n`);
  w.write(2, `Current:\t${pdb.status?.currentHealthy ?? 0}\n`);
  w.write(2, `Desired:\t${pdb.status?.desiredHealthy ?? 0}\n`);
  w.write(2, `Total:\t${pdb.status?.expectedPods ?? 0}\n`);
  return withEvents(w, pdb, events, nowMs);
};

/**
 * `kubectl describe quota` ([describe.go describeQuota]): the `Resource  Used  Hard` table over the hard
 * limits the status reports, by name; no events (kubectl's quota describer shows none).
 */
export const describeQuota = (q: ResourceQuota): string => {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${q.metadata?.name ?? ''}\n`);
  w.write(0, `Namespace:\t${q.metadata?.namespace ?? ''}\n`);
  w.write(0, 'Resource\tUsed\tHard\n');
  w.write(0, '--------\t----\t----\n');
  for (const row of quotaRows(q)) w.write(0, row);
  return w.flush();
};

/** `kubectl describe storageclass` ([describe.go describeStorageClass]). */
export const describeStorageClass = (sc: StorageClass, events: readonly Event[], nowMs: number): string => {
  const w = new PrefixWriter();
  const ann = sc.metadata?.annotations ?? {};
  w.write(0, `Name:\t${sc.metadata?.name ?? ''}\n`);
  // storageutil.IsDefaultAnnotationText: the class's default annotation (or its beta form) "true".
  const isDefault = ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
  w.write(0, `IsDefaultClass:\t${isDefault ? 'Yes' : 'No'}\n`);
  w.write(0, `Annotations:\t${formatLabels(sc.metadata?.annotations)}\n`);
  w.write(0, `Provisioner:\t${sc.provisioner}\n`);
  w.write(0, `Parameters:\t${formatLabels(sc.parameters)}\n`);
  w.write(0, `AllowVolumeExpansion:\t${sc.allowVolumeExpansion === undefined ? '<unset>' : sc.allowVolumeExpansion ? 'True' : 'False'}\n`);
  if (!sc.mountOptions?.length) w.write(0, 'MountOptions:\t<none>\n');
  else { w.write(0, 'MountOptions:\n'); for (const o of sc.mountOptions) w.write(1, `${o}\n`); }
  if (sc.reclaimPolicy) w.write(0, `ReclaimPolicy:\t${sc.reclaimPolicy}\n`);
  if (sc.volumeBindingMode) w.write(0, `VolumeBindingMode:\t${sc.volumeBindingMode}\n`);
  if (sc.allowedTopologies) {
    w.write(0, 'AllowedTopologies:\t');
    if (sc.allowedTopologies.length === 0) w.write(0, '<none>\n');
    else {
      w.write(0, '\n');
      writeTerms(w, 1, sc.allowedTopologies.map((t) => (t.matchLabelExpressions ?? []).map((r) => ({ key: r.key, op: 'in', values: r.values }))));
    }
  }
  return withEvents(w, sc, events, nowMs);
};

/**
 * `kubectl describe namespace` ([describe.go describeNamespace, DescribeResourceQuotas, DescribeLimitRanges]):
 * labels, annotations, status, then the namespace's quotas (`No resource quota.` without any) and its limit
 * ranges (kubesim has none: `No LimitRange resource.`); no events.
 */
export const describeNamespace = (ns: Namespace, quotas: readonly ResourceQuota[]): string => {
  const w = new PrefixWriter();
  const meta = ns.metadata ?? {};
  w.write(0, `Name:\t${meta.name ?? ''}\n`);
  writeLabels(w, 'Labels', meta.labels);
  writeAnnotations(w, 'Annotations', meta.annotations);
  w.write(0, `Status:\t${ns.status?.phase ?? ''}\n`);
  const conditions = ns.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n');
    w.write(1, 'Type\tStatus\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t------------------\t------\t-------\n');
    for (const c of conditions) w.write(1, `${c.type}\t${c.status}\t${rfc1123zOrZero(c.lastTransitionTime)}\t${c.reason ?? ''}\t${c.message ?? ''}\n`);
  }
  w.write(0, '\n');
  const own = quotas.filter((q) => q.metadata?.namespace === meta.name).sort((a, b) => compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  if (own.length === 0) w.write(0, 'No resource quota.\n');
  else {
    w.write(0, 'Resource Quotas\n');
    for (const q of own) {
      w.write(1, `Name:\t${q.metadata?.name ?? ''}\n`);
      w.write(1, 'Resource\tUsed\tHard\n');
      w.write(1, '--------\t---\t---\n');
      for (const row of quotaRows(q)) w.write(1, row);
    }
  }
  w.write(0, '\n');
  w.write(0, 'No LimitRange resource.\n');
  return w.flush();
};

/** What a description reads besides the object and the events: the pods, EndpointSlices and quotas it was given. */
export interface DescribeRelated {
  readonly Pod?: readonly Pod[];
  readonly EndpointSlice?: readonly EndpointSlice[];
  readonly ResourceQuota?: readonly ResourceQuota[];
  readonly Secret?: readonly Secret[];
}

/**
 * The lists `describe` needs for this object, each a kind and the namespace to list it in (undefined: every
 * namespace) — the pods of a controller's or claim's namespace, every pod for a node, a Service's slices,
 * a namespace's quotas; nothing for the other kinds.
 */
export const describeLists = (obj: KObject): readonly (readonly [keyof DescribeRelated, string | undefined])[] => {
  const ns = obj.metadata?.namespace || 'default';
  switch (obj.kind) {
    case 'StatefulSet': case 'ReplicaSet': case 'PersistentVolumeClaim': return [['Pod', ns]];
    case 'Node': return [['Pod', undefined]];
    case 'Service': return [['EndpointSlice', ns]];
    case 'Namespace': return [['ResourceQuota', obj.metadata?.name ?? '']];
    case 'ServiceAccount': return [['Secret', ns]];
    default: return [];
  }
};

/**
 * `kubectl describe` of one object: in kubectl's layout for every kind it has a describer for here, else (a
 * ControllerRevision, an Event) the object as YAML and the events about it. `related` holds the lists
 * {@link describeLists} names.
 */
export const describeObject = (obj: KObject, related: DescribeRelated, events: readonly Event[], nowMs: number): string => {
  const pods = related.Pod ?? [];
  switch (obj.kind) {
    case 'StatefulSet': return describeStatefulSet(obj as StatefulSet, pods, events, nowMs);
    case 'ReplicaSet': return describeReplicaSet(obj as ReplicaSet, pods, events, nowMs);
    case 'PersistentVolumeClaim': return describeClaim(obj as PersistentVolumeClaim, pods, events, nowMs);
    case 'Pod': return describePod(obj as Pod, events, nowMs);
    case 'Node': return describeNode(obj as Node, pods, events, nowMs);
    case 'PersistentVolume': return describeVolume(obj as PersistentVolume, events, nowMs);
    case 'Service': return describeService(obj as Service, related.EndpointSlice ?? [], events, nowMs);
    case 'EndpointSlice': return describeEndpointSlice(obj as EndpointSlice, events, nowMs);
    case 'Endpoints': return describeEndpoints(obj as Endpoints, events, nowMs);
    case 'PodDisruptionBudget': return describeDisruptionBudget(obj as PodDisruptionBudget, events, nowMs);
    case 'ResourceQuota': return describeQuota(obj as ResourceQuota);
    case 'StorageClass': return describeStorageClass(obj as StorageClass, events, nowMs);
    case 'Namespace': return describeNamespace(obj as Namespace, related.ResourceQuota ?? []);
    case 'ConfigMap': return describeConfigMap(obj as ConfigMap, events, nowMs);
    case 'Secret': return describeSecret(obj as Secret);
    case 'ServiceAccount': return describeServiceAccount(obj as ServiceAccount, related.Secret ?? [], events, nowMs);
    default: return goYaml(obj) + describeEvents(obj, events, nowMs);
  }
};
