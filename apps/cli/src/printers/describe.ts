import {
  controllerRefOf, describePodTemplate, PrefixWriter, rfc1123z, writeAnnotations, writeLabels,
  type Event, type KObject, type Pod, type ReplicaSet, type StatefulSet,
} from '@kubesim/api';
import { describeEvents } from './events.js';
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
  const table = describeEvents(obj, events, nowMs);
  if (table === 'Events:\n  <none>\n') { w.write(0, 'Events:\t<none>\n'); return w.flush(); }
  return `${w.flush()}\n${table}`;
};
