import {
  controllerRefOf, describePodTemplate, PrefixWriter, rfc1123z, writeAnnotations, writeLabels,
  type Event, type Pod, type StatefulSet,
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
  // getPodStatusForController: the pods the set controls, by phase.
  const counts = { Running: 0, Pending: 0, Succeeded: 0, Failed: 0 };
  for (const p of pods) {
    if (controllerRefOf(p.metadata)?.uid !== meta.uid) continue;
    const phase = p.status?.phase as keyof typeof counts | undefined;
    if (phase !== undefined && phase in counts) counts[phase]++;
  }
  w.write(0, `Pods Status:\t${counts.Running} Running / ${counts.Pending} Waiting / ${counts.Succeeded} Succeeded / ${counts.Failed} Failed\n`);
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
  // DescribeEvents: `Events:\t<none>` joins the last run of fields; a table is laid out apart, after a blank line.
  const table = describeEvents(set, events, nowMs);
  if (table === 'Events:\n  <none>\n') { w.write(0, 'Events:\t<none>\n'); return w.flush(); }
  return `${w.flush()}\n${table}`;
};
