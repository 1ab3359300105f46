import { canonicalQuantity } from './quantity.js';
import type { Pod, PodTemplateSpec } from './types.js';

/**
 * `kubectl describe`'s layout ([describe.go]): a PrefixWriter writes lines with tabs between cells, two
 * spaces per indent level, into Go's text/tabwriter (minwidth 0, padding 2, ' '), which aligns a column
 * over each run of consecutive lines that have a cell in it — so a line without a tab ends the run.
 */

/** Go's text/tabwriter.Writer over `text` (cells end with '\t'; the text after a line's last tab is not aligned). */
export const goTabwriter = (text: string, minwidth = 0, padding = 2): string => {
  const trailing = text.endsWith('\n');
  const rows = (trailing ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];
  const runes = (s: string): number => Array.from(s).length;
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = rows[i]!;
      let line = '';
      cells.forEach((c, j) => { line += j < widths.length && j < cells.length - 1 ? c + ' '.repeat(Math.max(0, widths[j]! - runes(c))) : c; });
      out.push(line);
    }
  };
  // tabwriter.format: a column block is a run of lines with a cell in this column; each block's width is
  // its widest cell plus the padding, then the columns to its right are formatted within the block.
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= rows[t]!.length - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let width = minwidth;
      for (; t < line1; t++) {
        const cells = rows[t]!;
        if (column >= cells.length - 1) break;
        width = Math.max(width, runes(cells[column]!) + padding);
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
    }
    writeLines(line0, line1);
  };
  format(0, rows.length);
  return out.join('\n') + (trailing ? '\n' : '');
};

/** describe.go's PrefixWriter: `write(level, text)` appends text (with its tabs) after two spaces per level. */
export class PrefixWriter {
  private text = '';
  write(level: number, s: string): void { this.text += '  '.repeat(level) + s; }
  /** The lines so far, laid out by the tabwriter (and forgotten: what follows is laid out apart, as after w.Flush()). */
  flush(): string { const t = goTabwriter(this.text); this.text = ''; return t; }
}

/** RFC 1123 with a numeric zone (Go's time.RFC1123Z), in UTC: `Thu, 01 Jan 2026 00:00:05 +0000`. */
export const rfc1123z = (iso: string | undefined): string => {
  if (iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${day}, ${p(d.getUTCDate())} ${mon} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

/** A metav1.Time as describe prints it: RFC 1123Z, or Go's zero time when unset. */
export const rfc1123zOrZero = (t: string | null | undefined): string => (t ? rfc1123z(t) : 'Mon, 01 Jan 0001 00:00:00 +0000');

const MAX_ANNOTATION_LEN = 140;

/** printLabelsMultilineWithIndent: `Title:\tk=v` then `\tk2=v2`, sorted; `<none>` when empty. */
export const writeLabels = (w: PrefixWriter, title: string, labels: Readonly<Record<string, string>> | undefined, initialIndent = '', sep = '='): void => {
  w.write(0, `${initialIndent}${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) { w.write(0, '<none>\n'); return; }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, `${initialIndent}\t`);
    w.write(0, `${k}${sep}${labels![k]!}\n`);
  });
};

/** printAnnotationsMultiline: as labels with `k: v`; a long or multi-line value on lines of its own. */
export const writeAnnotations = (w: PrefixWriter, title: string, annotations: Readonly<Record<string, string>> | undefined): void => {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {}).sort();
  if (keys.length === 0) { w.write(0, '<none>\n'); return; }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, '\t');
    const value = annotations![k]!.replace(/\n$/, '');
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(0, `${k}:\n`);
      for (const s of value.split('\n')) w.write(0, `\t  ${s.length > MAX_ANNOTATION_LEN - 2 ? `${s.slice(0, MAX_ANNOTATION_LEN - 2)}...` : s}\n`);
    } else w.write(0, `${k}: ${value}\n`);
  });
};

type Spec = NonNullable<PodTemplateSpec['spec']>;
type Container = Spec['containers'][number];

type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];
type ContainerState = NonNullable<ContainerStatus['state']>;

/** describeStatus: a container state (`Running` and its start, `Waiting` and its reason, `Terminated` and its exit). */
const describeState = (w: PrefixWriter, title: string, st: ContainerState | undefined): void => {
  if (st?.running) {
    w.write(2, `${title}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123zOrZero(st.running.startedAt)}\n`);
  } else if (st?.waiting) {
    w.write(2, `${title}:\tWaiting\n`);
    if (st.waiting.reason) w.write(3, `Reason:\t${st.waiting.reason}\n`);
  } else if (st?.terminated) {
    const t = st.terminated;
    w.write(2, `${title}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode}\n`);
    if ((t.signal ?? 0) > 0) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${rfc1123zOrZero(t.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123zOrZero(t.finishedAt)}\n`);
  } else w.write(2, `${title}:\tWaiting\n`);
};

/** describeContainerPorts / describeContainerHostPorts (kubectl 1.34+: a named port as `80/TCP (web)`, joined by `, `). */
const portList = (c: Container, port: (p: NonNullable<Container['ports']>[number]) => number): string =>
  (c.ports ?? []).map((p) => `${port(p)}/${p.protocol ?? 'TCP'}${p.name ? ` (${p.name})` : ''}`).join(', ');

/**
 * describe.go describeContainers: each container's image, ports, command, its status when the pod has one
 * (container and image ids, state, last state, Ready, Restart Count), resources, probes, environment, mounts.
 */
export const describeContainers = (w: PrefixWriter, label: string, containers: readonly Container[], space: string, statuses?: readonly ContainerStatus[]): void => {
  w.write(0, `${space}${label}:${containers.length === 0 ? ' <none>' : ''}\n`);
  for (const c of containers) {
    const status = statuses?.find((s) => s.name === c.name);
    w.write(1, `${space.length > 0 ? ' ' : ''}${c.name}:\n`);
    if (status) w.write(2, `Container ID:\t${status.containerID ?? ''}\n`);
    w.write(2, `Image:\t${c.image ?? ''}\n`);
    if (status) w.write(2, `Image ID:\t${status.imageID}\n`);
    const ports = portList(c, (p) => p.containerPort);
    w.write(2, ports.includes(',') ? `Ports:\t${ports}\n` : `Port:\t${ports || '<none>'}\n`);
    const hostPorts = portList(c, (p) => p.hostPort ?? 0);
    w.write(2, hostPorts.includes(',') ? `Host Ports:\t${hostPorts}\n` : `Host Port:\t${hostPorts || '<none>'}\n`);
    for (const [title, list] of [['Command', c.command], ['Args', c.args]] as const) {
      if (!list?.length) continue;
      w.write(2, `${title}:\n`);
      for (const x of list) for (const s of x.split('\n')) w.write(3, `${s}\n`);
    }
    if (status) {
      describeState(w, 'State', status.state);
      if (status.lastState?.terminated) describeState(w, 'Last State', status.lastState);
      w.write(2, `Ready:\t${status.ready ? 'True' : 'False'}\n`);
      w.write(2, `Restart Count:\t${status.restartCount}\n`);
    }
    for (const [title, m] of [['Limits', c.resources?.limits], ['Requests', c.resources?.requests]] as const) {
      const names = Object.keys(m ?? {}).sort();
      if (names.length === 0) continue;
      w.write(2, `${title}:\n`);
      for (const n of names) w.write(3, `${n}:\t${canonicalQuantity((m as Record<string, string | number>)[n]!)}\n`);
    }
    for (const [title, probe] of [['Liveness', c.livenessProbe], ['Readiness', c.readinessProbe], ['Startup', c.startupProbe]] as const) {
      if (probe) w.write(2, `${title}:\t${describeProbe(probe)}\n`);
    }
    // describeContainerEnvFrom: only when the container has envFrom entries.
    if (c.envFrom?.length) {
      w.write(2, 'Environment Variables from:\n');
      for (const f of c.envFrom) {
        const [from, ref] = f.configMapRef ? ['ConfigMap', f.configMapRef] as const : f.secretRef ? ['Secret', f.secretRef] as const : ['', undefined] as const;
        w.write(3, `${ref?.name ?? ''}\t${from}${f.prefix ? ` with prefix '${f.prefix}'` : ''}\tOptional: ${ref?.optional === true}\n`);
      }
    }
    w.write(2, `Environment:${c.env?.length ? '' : '\t<none>'}\n`);
    for (const e of c.env ?? []) {
      if (e.valueFrom === undefined) {
        (e.value ?? '').split('\n').forEach((s, i) => w.write(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
      } else if (e.valueFrom.fieldRef) w.write(3, `${e.name}:\t (${e.valueFrom.fieldRef.apiVersion ?? 'v1'}:${e.valueFrom.fieldRef.fieldPath})\n`);
      else if (e.valueFrom.secretKeyRef) w.write(3, `${e.name}:\t<set to the key '${e.valueFrom.secretKeyRef.key}' in secret '${e.valueFrom.secretKeyRef.name ?? ''}'>\tOptional: ${e.valueFrom.secretKeyRef.optional === true}\n`);
      else if (e.valueFrom.configMapKeyRef) w.write(3, `${e.name}:\t<set to the key '${e.valueFrom.configMapKeyRef.key}' of config map '${e.valueFrom.configMapKeyRef.name ?? ''}'>\tOptional: ${e.valueFrom.configMapKeyRef.optional === true}\n`);
    }
    const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
    w.write(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`);
    for (const m of mounts) w.write(3, `${m.mountPath} from ${m.name} (${[m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path="${m.subPath}"`] : [])].join(',')})\n`);
  }
};

/** describe.go DescribeProbe. */
const describeProbe = (p: NonNullable<Container['readinessProbe']>): string => {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) return `http-get ${(p.httpGet.scheme ?? 'HTTP').toLowerCase()}://${p.httpGet.host ?? ''}:${String(p.httpGet.port)}${p.httpGet.path ?? ''} ${attrs}`;
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${String(p.tcpSocket.port)} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
};

export const describeVolumes = (w: PrefixWriter, volumes: Spec['volumes'], space: string): void => {
  if (!volumes?.length) { w.write(0, `${space}Volumes:\t<none>\n`); return; }
  w.write(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(1, `${space.length > 0 ? ' ' : ''}${v.name}:\n`);
    if (v.hostPath) w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path}\n    HostPathType:\t${v.hostPath.type || '<none>'}\n`);
    else if (v.emptyDir) w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${v.emptyDir.medium ?? ''}\n    SizeLimit:\t${v.emptyDir.sizeLimit ?? '<unset>'}\n`);
    else if (v.persistentVolumeClaim) w.write(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${v.persistentVolumeClaim.claimName}\n    ReadOnly:\t${v.persistentVolumeClaim.readOnly === true}\n`);
    else if (v.configMap) w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name ?? ''}\n    Optional:\t${v.configMap.optional === true}\n`);
    else if (v.secret) w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName ?? ''}\n    Optional:\t${v.secret.optional === true}\n`);
    else if (v.projected) {
      // printProjectedVolumeSource: each source's fields (an unset optional is false).
      w.write(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
      for (const src of v.projected.sources ?? []) {
        if (src.secret) w.write(2, `SecretName:\t${src.secret.name ?? ''}\n    Optional:\t${src.secret.optional === true}\n`);
        else if (src.downwardAPI) w.write(2, 'DownwardAPI:\ttrue\n');
        else if (src.configMap) w.write(2, `ConfigMapName:\t${src.configMap.name ?? ''}\n    Optional:\t${src.configMap.optional === true}\n`);
        else if (src.serviceAccountToken) w.write(2, `TokenExpirationSeconds:\t${src.serviceAccountToken.expirationSeconds ?? 3607}\n`);
      }
    } else w.write(1, '<unknown>\n');
  }
};

/** printTolerationsMultilineWithIndent. */
export const writeTolerations = (w: PrefixWriter, title: string, tolerations: Spec['tolerations']): void => {
  w.write(0, `${title}:\t`);
  if (!tolerations?.length) { w.write(0, '<none>\n'); return; }
  [...tolerations].sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0)).forEach((t, i) => {
    if (i !== 0) w.write(0, '\t');
    let s = t.key ?? '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
};

/** describeTopologySpreadConstraints: by topology key; nothing when there are none. */
export const writeTopologySpread = (w: PrefixWriter, constraints: Spec['topologySpreadConstraints'], space: string): void => {
  const tscs = [...(constraints ?? [])].sort((a, b) => (a.topologyKey < b.topologyKey ? -1 : a.topologyKey > b.topologyKey ? 1 : 0));
  tscs.forEach((c, i) => {
    w.write(0, i === 0 ? `${space}Topology Spread Constraints:\t` : `${space}\t`);
    w.write(0, `${c.topologyKey}:${c.whenUnsatisfiable} when max skew ${c.maxSkew} is exceeded\n`);
  });
};

/** describe.go DescribePodTemplate, into `w`. */
export const describePodTemplate = (w: PrefixWriter, t: PodTemplateSpec | undefined): void => {
  w.write(0, 'Pod Template:\n');
  if (!t) { w.write(1, '<unset>'); return; }
  writeLabels(w, '  Labels', t.metadata?.labels);
  if (Object.keys(t.metadata?.annotations ?? {}).length > 0) writeAnnotations(w, '  Annotations', t.metadata?.annotations);
  const spec = t.spec;
  if (spec?.serviceAccountName) w.write(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec?.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, '  ');
  describeContainers(w, 'Containers', spec?.containers ?? [], '  ');
  describeVolumes(w, spec?.volumes, '  ');
  writeTopologySpread(w, spec?.topologySpreadConstraints, '  ');
  if (spec?.priorityClassName) w.write(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  writeLabels(w, '  Node-Selectors', spec?.nodeSelector);
  writeTolerations(w, '  Tolerations', spec?.tolerations);
};

/** `kubectl rollout history --revision N`'s printTemplate: the template alone, laid out. */
export const printPodTemplate = (t: PodTemplateSpec | undefined): string => {
  const w = new PrefixWriter();
  describePodTemplate(w, t);
  return w.flush();
};
