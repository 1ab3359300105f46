import {
  controllerRefOf, describeContainers, describePodTemplate, describeVolumes, podQOS, PrefixWriter, rfc1123z, rfc1123zOrZero,
  writeAnnotations, writeLabels, writeTolerations, writeTopologySpread,
  type Event, type KObject, type PersistentVolumeClaim, type Pod, type ReplicaSet, type StatefulSet,
} from '@kubesim/api';
import { ageSince } from './age.js';
import { describeEvents, eventsAbout } from './events.js';
import { formatLabelSelector } from './format.js';

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
      w.write(1, `StorageClass:\t${c.spec?.storageClassName ?? c.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? ''}\n`);
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
  if (eventsAbout(obj, events).length === 0) { w.write(0, 'Events:\t<none>\n'); return w.flush(); }
  return `${w.flush()}\n${describeEvents(obj, events, nowMs)}`;
};

const ACCESS_MODE_SHORT: Readonly<Record<string, string>> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

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
  w.write(0, `StorageClass:\t${pvc.spec?.storageClassName ?? meta.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? ''}\n`);
  w.write(0, meta.deletionTimestamp !== undefined ? `Status:\tTerminating (lasts ${ageSince(meta.deletionTimestamp, nowMs)})\n` : `Status:\t${pvc.status?.phase ?? ''}\n`);
  w.write(0, `Volume:\t${pvc.spec?.volumeName ?? ''}\n`);
  writeLabels(w, 'Labels', meta.labels);
  writeAnnotations(w, 'Annotations', meta.annotations);
  w.write(0, `Finalizers:\t[${(meta.finalizers ?? []).join(' ')}]\n`);
  const bound = (pvc.spec?.volumeName ?? '') !== '';
  const capacity = bound ? (pvc.status?.capacity as Record<string, unknown> | undefined)?.storage : undefined;
  w.write(0, `Capacity:\t${capacity === undefined ? '' : String(capacity)}\n`);
  w.write(0, `Access Modes:\t${bound ? (pvc.status?.accessModes ?? []).map((m) => ACCESS_MODE_SHORT[m] ?? m).join(',') : ''}\n`);
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

/** The kinds described in kubectl's layout (StatefulSet, ReplicaSet, PersistentVolumeClaim, Pod). */
export const kubectlDescribe = (obj: KObject, pods: readonly Pod[], events: readonly Event[], nowMs: number): string => {
  switch (obj.kind) {
    case 'StatefulSet': return describeStatefulSet(obj as StatefulSet, pods, events, nowMs);
    case 'ReplicaSet': return describeReplicaSet(obj as ReplicaSet, pods, events, nowMs);
    case 'PersistentVolumeClaim': return describeClaim(obj as PersistentVolumeClaim, pods, events, nowMs);
    case 'Pod': return describePod(obj as Pod, events, nowMs);
    default: throw new Error(`no kubectl describer for ${String(obj.kind)}`);
  }
};
