/** Pod and pod-template validation (core ValidatePodSpec, ValidatePodTemplateSpec, ValidatePodUpdate). */
import { duplicate, forbidden, invalid, notFound, required, unsupported, type FieldError } from '../errors.js';
import type { Container, Pod, PodSpec, PodTemplateSpec, Volume } from '../types.js';
import type { Toleration } from 'kubernetes-types/core/v1.js';
import {
  dns1123Label, invalidJson, labelName, nonnegative, semanticEqual, validateAnnotations, validateLabelSelector, validateLabels, type Errs,
} from './fields.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isConfigMapKey } from './config.js';
import { validateProbes } from './probe.js';
import { canonicalQuantity, isValidQuantity, parseQuantity } from '../quantity.js';
import {
  inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain, isValidLabelValue, isValidPortName, isValidPortNum, NONNEGATIVE_MSG, QUANTITY_MSG,
} from './strings.js';

const MAX_INT32 = 2147483647;
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'] as const;
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

export interface PodSpecOptions {
  /**
   * Volume names that exist besides `spec.volumes` — for a StatefulSet template, one PVC volume per
   * volumeClaimTemplate (the controller adds them when it creates the pod).
   */
  readonly extraVolumeNames?: ReadonlySet<string>;
}

/** field.NotFound renders its bad value (`Not found: "www"`). */
const notFoundWithValue = (path: string, value: string): FieldError => notFound(path, value);

/** An enum field: empty → Required, unknown → Unsupported. */
const oneOf = (value: string | undefined, allowed: readonly string[], path: string): Errs => {
  if (!value) return [required(path)];
  return allowed.includes(value) ? [] : [unsupported(path, value, allowed)];
};

/** validateKeyToPath: a key and a relative path without `..` elements for each item. */
const keyToPaths = (items: readonly { key: string; path: string }[] | undefined, path: string): Errs => {
  const errs: Errs = [];
  (items ?? []).forEach((it, i) => {
    const p = `${path}[${i}]`;
    if (!it.key) errs.push(required(`${p}.key`));
    if (!it.path) errs.push(required(`${p}.path`));
    else if (it.path.startsWith('/')) errs.push(invalid(`${p}.path`, it.path, 'must be a relative path'));
    else if (it.path.split('/').includes('..')) errs.push(invalid(`${p}.path`, it.path, "must not contain '..'"));
  });
  return errs;
};

/**
 * validateEnvFrom and the ConfigMap/Secret references of ValidateEnv ([validateConfigMapKeySelector,
 * validateSecretKeySelector]): a name and a valid key for each reference, one source per envFrom entry.
 */
const validateEnvRefs = (c: Container, path: string): Errs => {
  const errs: Errs = [];
  (c.envFrom ?? []).forEach((f, i) => {
    const p = `${path}.envFrom[${i}]`;
    if (f.configMapRef && f.secretRef) errs.push(invalid(p, '', 'may not have more than one field specified at a time'));
    else if (f.configMapRef) { if (!f.configMapRef.name) errs.push(required(`${p}.configMapRef.name`)); }
    else if (f.secretRef) { if (!f.secretRef.name) errs.push(required(`${p}.secretRef.name`)); }
    else errs.push(invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
  });
  (c.env ?? []).forEach((e, i) => {
    const p = `${path}.env[${i}].valueFrom`;
    for (const [field, ref] of [['configMapKeyRef', e.valueFrom?.configMapKeyRef], ['secretKeyRef', e.valueFrom?.secretKeyRef]] as const) {
      if (!ref) continue;
      if (!ref.name) errs.push(required(`${p}.${field}.name`));
      if (!ref.key) errs.push(required(`${p}.${field}.key`));
      else for (const m of isConfigMapKey(ref.key)) errs.push(invalid(`${p}.${field}.key`, ref.key, m));
    }
  });
  return errs;
};

/** ValidateVolumes: returns the names usable by mounts (invalid volumes are left out, as in Kubernetes). */
const validateVolumes = (volumes: readonly Volume[] | undefined, path: string): { names: Set<string>; errs: Errs } => {
  const names = new Set<string>();
  const errs: Errs = [];
  (volumes ?? []).forEach((vol, i) => {
    const p = `${path}[${i}]`;
    const el: Errs = [];
    if (vol.persistentVolumeClaim && !vol.persistentVolumeClaim.claimName) {
      el.push(required(`${p}.persistentVolumeClaim.claimName`));
    }
    if (vol.hostPath && !vol.hostPath.path) el.push(required(`${p}.hostPath.path`));
    // validateConfigMapVolumeSource, validateSecretVolumeSource, validateKeyToPath.
    if (vol.configMap) {
      if (!vol.configMap.name) el.push(required(`${p}.configMap.name`));
      el.push(...keyToPaths(vol.configMap.items, `${p}.configMap.items`));
    }
    if (vol.secret) {
      if (!vol.secret.secretName) el.push(required(`${p}.secret.secretName`));
      el.push(...keyToPaths(vol.secret.items, `${p}.secret.items`));
    }
    const name = vol.name ?? '';
    if (name === '') el.push(required(`${p}.name`));
    else el.push(...dns1123Label(name, `${p}.name`));
    if (names.has(name)) el.push(duplicate(`${p}.name`, name));
    if (el.length === 0) names.add(name);
    else errs.push(...el);
  });
  return { names, errs };
};

/** validateContainerPorts. */
const validateContainerPorts = (ports: Container['ports'], path: string): Errs => {
  const errs: Errs = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length > 0) for (const m of msgs) errs.push(invalid(`${p}.name`, port.name, m));
      else if (names.has(port.name)) errs.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(`${p}.containerPort`));
    else for (const m of isValidPortNum(port.containerPort)) errs.push(invalid(`${p}.containerPort`, port.containerPort, m));
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(invalid(`${p}.hostPort`, port.hostPort, m));
    errs.push(...oneOf(port.protocol, PORT_PROTOCOLS, `${p}.protocol`));
  });
  return errs;
};

/** ValidateVolumeMounts. */
const validateVolumeMounts = (c: Container, volumes: ReadonlySet<string>, path: string): Errs => {
  const errs: Errs = [];
  const mountPoints = new Set<string>();
  (c.volumeMounts ?? []).forEach((mnt, i) => {
    const p = `${path}[${i}]`;
    const name = mnt.name ?? '';
    if (name === '') errs.push(required(`${p}.name`));
    if (!volumes.has(name)) errs.push(notFoundWithValue(`${p}.name`, name));
    const mountPath = mnt.mountPath ?? '';
    if (mountPath === '') errs.push(required(`${p}.mountPath`));
    if (mountPoints.has(mountPath)) errs.push(invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    mountPoints.add(mountPath);
  });
  return errs;
};

/** validateContainerCommon. */
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const isHugePages = (name: string): boolean => name.startsWith('hugepages-');
/** IsNativeResource: no domain, or a `kubernetes.io/` one. */
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');
/** IsOvercommitAllowed: native resources other than huge pages may request less than their limit. */
const overcommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);

/** validateContainerResourceName: a qualified name; without a domain, a standard container resource. */
const validateContainerResourceName = (name: string, path: string): Errs => {
  const errs = labelName(name, path);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && name.startsWith('requests.')) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
};

/** ValidateResourceQuantityValue: the quantity's syntax (kubesim's decode check), then ≥ 0. */
const validateResourceQuantity = (q: unknown, path: string): Errs => {
  if (!isValidQuantity(q)) return [invalid(path, String(q), QUANTITY_MSG)];
  return (parseQuantity(q as string | number) ?? 0) < 0 ? [invalid(path, canonicalQuantity(q as string | number), NONNEGATIVE_MSG)] : [];
};

/**
 * ValidateContainerResourceRequirements: resource names and quantities of the limits, then of the
 * requests; a request above its limit (`must be less than or equal to cpu limit of 1`); a resource that
 * cannot be overcommitted (huge pages, extended resources) needs a limit equal to its request.
 */
const validateResources = (r: Container['resources'], path: string): Errs => {
  if (!r) return [];
  const errs: Errs = [];
  const limits = (r.limits ?? {}) as Record<string, unknown>;
  const requests = (r.requests ?? {}) as Record<string, unknown>;
  for (const [name, q] of Object.entries(limits)) {
    errs.push(...validateContainerResourceName(name, `${path}.limits[${name}]`), ...validateResourceQuantity(q, `${path}.limits[${name}]`));
  }
  for (const [name, q] of Object.entries(requests)) {
    const p = `${path}.requests[${name}]`;
    const named = validateContainerResourceName(name, p);
    const valued = validateResourceQuantity(q, p);
    errs.push(...named, ...valued);
    if (valued.length > 0) continue;
    const limit = limits[name];
    if (limit !== undefined && isValidQuantity(limit)) {
      const req = parseQuantity(q as string | number)!, lim = parseQuantity(limit as string | number)!;
      // Quantities print in their canonical form (resource.Quantity.String()): `2000m` as `2`.
      const shown = canonicalQuantity(q as string | number), limitShown = canonicalQuantity(limit as string | number);
      if (req !== lim && !overcommitAllowed(name)) errs.push(invalid(`${path}.requests`, shown, `must be equal to ${name} limit of ${limitShown}`));
      else if (req > lim) errs.push(invalid(`${path}.requests`, shown, `must be less than or equal to ${name} limit of ${limitShown}`));
    } else if (limit === undefined && !overcommitAllowed(name)) errs.push(required(`${path}.limits`, 'Limit must be set for non overcommitable resources'));
  }
  return errs;
};

const validateContainer = (c: Container, volumes: ReadonlySet<string>, path: string): Errs => {
  const errs: Errs = [];
  if (!c.name) errs.push(required(`${path}.name`));
  else errs.push(...dns1123Label(c.name, `${path}.name`));
  if (!c.image) errs.push(required(`${path}.image`));
  errs.push(...oneOf(c.terminationMessagePolicy, MESSAGE_POLICIES, `${path}.terminationMessagePolicy`));
  errs.push(...validateContainerPorts(c.ports, `${path}.ports`));
  if (c.env !== undefined || c.envFrom !== undefined) errs.push(...validateEnvRefs(c, path));
  errs.push(...validateVolumeMounts(c, volumes, `${path}.volumeMounts`));
  errs.push(...oneOf(c.imagePullPolicy, PULL_POLICIES, `${path}.imagePullPolicy`));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  return errs;
};

/** AccumulateUniqueHostPorts over one container list. */
const uniqueHostPorts = (containers: readonly Container[], path: string, seen: Set<string>): Errs => {
  const errs: Errs = [];
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((port, pi) => {
      if (!port.hostPort) return;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(`${path}[${ci}].ports[${pi}].hostPort`, key));
      else seen.add(key);
    });
  });
  return errs;
};

type Affinity = NonNullable<PodSpec['affinity']>;
type PodAffinityTerm = NonNullable<NonNullable<Affinity['podAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']>[number];
type WeightedPodAffinityTerm = NonNullable<NonNullable<Affinity['podAffinity']>['preferredDuringSchedulingIgnoredDuringExecution']>[number];

/** validatePodAffinityTerm: the selectors, the namespaces (at `.namespace`, sic), a non-empty, valid topologyKey. */
const validatePodAffinityTerm = (t: PodAffinityTerm, path: string): Errs => {
  const errs: Errs = [
    ...validateLabelSelector(t.labelSelector, `${path}.labelSelector`),
    ...validateLabelSelector(t.namespaceSelector, `${path}.namespaceSelector`),
  ];
  for (const ns of t.namespaces ?? []) for (const m of isDNS1123Label(ns)) errs.push(invalid(`${path}.namespace`, ns, m));
  const key = t.topologyKey ?? '';
  if (key === '') errs.push(required(`${path}.topologyKey`, 'can not be empty'));
  errs.push(...labelName(key, `${path}.topologyKey`));
  return errs;
};

/** validatePodAffinity / validatePodAntiAffinity: required terms, and weighted terms with a weight of 1–100. */
const validatePodAffinity = (a: Affinity['podAffinity'] | Affinity['podAntiAffinity'], path: string): Errs => {
  if (!a) return [];
  const errs: Errs = [];
  (a.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: PodAffinityTerm, i: number) =>
    errs.push(...validatePodAffinityTerm(t, `${path}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)));
  (a.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((w: WeightedPodAffinityTerm, i: number) => {
    const p = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    if (!(w.weight > 0 && w.weight <= 100)) errs.push(invalid(`${p}.weight`, w.weight, 'must be in the range 1-100'));
    errs.push(...validatePodAffinityTerm(w.podAffinityTerm ?? ({} as PodAffinityTerm), `${p}.podAffinityTerm`));
  });
  return errs;
};

type NodeAffinity = NonNullable<Affinity['nodeAffinity']>;
type NodeSelectorTerm = NonNullable<NodeAffinity['requiredDuringSchedulingIgnoredDuringExecution']>['nodeSelectorTerms'][number];
type NodeSelectorRequirement = NonNullable<NodeSelectorTerm['matchExpressions']>[number];

/** ValidateNodeSelectorRequirement: the operator and its values, a qualified key. */
const validateNodeSelectorRequirement = (r: NodeSelectorRequirement, path: string): Errs => {
  const errs: Errs = [];
  const n = r.values?.length ?? 0;
  switch (r.operator) {
    case 'In': case 'NotIn':
      if (n === 0) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (n > 0) errs.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (n !== 1) errs.push(required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(`${path}.operator`, r.operator, 'not a valid selector operator'));
  }
  errs.push(...labelName(r.key, `${path}.key`));
  return errs;
};

/** ValidateNodeFieldSelectorRequirement: In/NotIn with exactly one value, and only `metadata.name` (a node name). */
const validateNodeFieldSelectorRequirement = (r: NodeSelectorRequirement, path: string): Errs => {
  const errs: Errs = [];
  if (r.operator === 'In' || r.operator === 'NotIn') {
    if ((r.values?.length ?? 0) !== 1) errs.push(required(`${path}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else errs.push(invalid(`${path}.operator`, r.operator, 'not a valid selector operator'));
  if (r.key !== 'metadata.name') errs.push(invalid(`${path}.key`, r.key, 'not a valid field selector key'));
  else (r.values ?? []).forEach((v, i) => { for (const m of isDNS1123Subdomain(v)) errs.push(invalid(`${path}.values[${i}]`, v, m)); });
  return errs;
};

/** ValidateNodeSelectorTerm: each expression, then each field requirement. */
const validateNodeSelectorTerm = (t: NodeSelectorTerm | undefined, path: string): Errs => [
  ...(t?.matchExpressions ?? []).flatMap((r, j) => validateNodeSelectorRequirement(r, `${path}.matchExpressions[${j}]`)),
  ...(t?.matchFields ?? []).flatMap((r, j) => validateNodeFieldSelectorRequirement(r, `${path}.matchFields[${j}]`)),
];

/**
 * validateNodeAffinity: the required node selector (at least one term) and the preferred terms (a
 * weight of 1–100 and a valid preference).
 */
const validateNodeAffinity = (na: NodeAffinity | undefined, path: string): Errs => {
  if (!na) return [];
  const errs: Errs = [];
  const req = na.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) {
    const p = `${path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
    const terms = req.nodeSelectorTerms ?? [];
    if (terms.length === 0) errs.push(required(p, 'must have at least one node selector term'));
    else terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, `${p}[${i}]`)));
  }
  (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
    const p = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    if (!(t.weight > 0 && t.weight <= 100)) errs.push(invalid(`${p}.weight`, t.weight, 'must be in the range 1-100'));
    errs.push(...validateNodeSelectorTerm(t.preference, `${p}.preference`));
  });
  return errs;
};

type SpreadConstraint = NonNullable<PodSpec['topologySpreadConstraints']>[number];
const NOT_POSITIVE = 'must be greater than zero';

/**
 * validateTopologySpreadConstraints: maxSkew > 0, a topologyKey, whenUnsatisfiable DoNotSchedule or
 * ScheduleAnyway, no repeated {topologyKey, whenUnsatisfiable}, minDomains > 0 and only with
 * DoNotSchedule, the label selector.
 */
const validateTopologySpreadConstraints = (cs: readonly SpreadConstraint[] | undefined, path: string): Errs => {
  const errs: Errs = [];
  (cs ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!(c.maxSkew > 0)) errs.push(invalid(`${p}.maxSkew`, c.maxSkew, NOT_POSITIVE));
    if (!c.topologyKey) errs.push(required(`${p}.topologyKey`, 'can not be empty'));
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      errs.push(unsupported(`${p}.whenUnsatisfiable`, c.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    }
    if ((cs ?? []).slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    }
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (c.minDomains <= 0) errs.push(invalid(`${p}.minDomains`, c.minDomains, NOT_POSITIVE));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(invalid(`${p}.minDomains`, c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable ?? ''}`));
      }
    }
    errs.push(...validateLabelSelector(c.labelSelector, `${p}.labelSelector`));
  });
  return errs;
};

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/**
 * ValidateTolerations: a qualified key if any; an empty key only with `Exists`; `tolerationSeconds` only
 * with effect NoExecute; `Equal` (or no operator) with a label value, `Exists` without a value; an effect,
 * if any, of the three taint effects. (Kubernetes reports an Equal toleration's bad value, and an Exists
 * toleration's value, at `.operator`.)
 */
export const validateTolerations = (ts: readonly Toleration[] | undefined, path: string): Errs => {
  const errs: Errs = [];
  (ts ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const key = t.key ?? '';
    const operator = t.operator ?? '';
    if (key !== '') errs.push(...labelName(key, `${p}.key`));
    if (key === '' && operator !== 'Exists') {
      errs.push(invalid(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (operator) {
      case 'Equal': case '': {
        const v = t.value ?? '';
        const ms = isValidLabelValue(v);
        if (ms.length > 0) errs.push(invalid(`${p}.operator`, v, ms.join(';')));
        break;
      }
      case 'Exists':
        if ((t.value ?? '') !== '') errs.push(invalidJson(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(unsupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    if (t.effect && !(TAINT_EFFECTS as readonly string[]).includes(t.effect)) errs.push(unsupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
};

/** ValidatePodSpec (the subset kubesim models). `path` is `spec` or `spec.template.spec`. */
export const validatePodSpec = (spec: PodSpec | undefined, path: string, opts: PodSpecOptions = {}): Errs => {
  const s = spec ?? ({} as PodSpec);
  const errs: Errs = [];
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) {
    errs.push(required(`${path}.terminationGracePeriodSeconds`));
  } else {
    errs.push(...nonnegative(s.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`));
  }
  const vols = validateVolumes(s.volumes, `${path}.volumes`);
  errs.push(...vols.errs);
  const volumeNames: ReadonlySet<string> = opts.extraVolumeNames && opts.extraVolumeNames.size > 0
    ? new Set([...vols.names, ...opts.extraVolumeNames]) : vols.names;

  const containers = s.containers ?? [];
  const cPath = `${path}.containers`;
  if (containers.length === 0) errs.push(required(cPath));
  const names = new Set<string>();
  containers.forEach((c, i) => {
    errs.push(...validateContainer(c, volumeNames, `${cPath}[${i}]`));
    const name = c.name ?? '';
    if (names.has(name)) errs.push(duplicate(`${cPath}[${i}].name`, name));
    else names.add(name);
    errs.push(...validateProbes(c, `${cPath}[${i}]`, false));
  });
  const hostPorts = new Set<string>();
  errs.push(...uniqueHostPorts(containers, cPath, hostPorts));

  const initContainers = s.initContainers ?? [];
  const iPath = `${path}.initContainers`;
  initContainers.forEach((c, i) => {
    errs.push(...validateContainer(c, volumeNames, `${iPath}[${i}]`));
    const name = c.name ?? '';
    if (names.has(name)) errs.push(duplicate(`${iPath}[${i}].name`, name));
    else names.add(name);
    errs.push(...validateProbes(c, `${iPath}[${i}]`, c.restartPolicy !== 'Always'));
  });
  errs.push(...uniqueHostPorts(initContainers, iPath, new Set<string>()));

  errs.push(...oneOf(s.restartPolicy, RESTART_POLICIES, `${path}.restartPolicy`));
  errs.push(...oneOf(s.dnsPolicy, DNS_POLICIES, `${path}.dnsPolicy`));
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  if (s.nodeName) for (const m of isDNS1123Subdomain(s.nodeName)) errs.push(invalid(`${path}.nodeName`, s.nodeName, m));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (v < 1 || v > MAX_INT32) errs.push(invalid(`${path}.activeDeadlineSeconds`, v, inclusiveRangeError(1, MAX_INT32)));
  }
  errs.push(...validateNodeAffinity(s.affinity?.nodeAffinity, `${path}.affinity.nodeAffinity`));
  errs.push(...validatePodAffinity(s.affinity?.podAffinity, `${path}.affinity.podAffinity`));
  errs.push(...validatePodAffinity(s.affinity?.podAntiAffinity, `${path}.affinity.podAntiAffinity`));
  errs.push(...validateTopologySpreadConstraints(s.topologySpreadConstraints, `${path}.topologySpreadConstraints`));
  if (s.hostname) errs.push(...dns1123Label(s.hostname, `${path}.hostname`));
  if (s.subdomain) errs.push(...dns1123Label(s.subdomain, `${path}.subdomain`));
  errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  return errs;
};

/** ValidatePodTemplateSpec: labels and annotations (at `<path>.labels` — sic), then the pod spec. */
export const validatePodTemplateSpec = (t: PodTemplateSpec | undefined, path: string, opts: PodSpecOptions = {}): Errs => [
  ...validateLabels(t?.metadata?.labels, `${path}.labels`),
  ...validateAnnotations(t?.metadata?.annotations, `${path}.annotations`),
  ...validatePodSpec(t?.spec, `${path}.spec`, opts),
];

/** ValidatePodCreate. */
export const validatePod = (pod: Pod): Errs => [
  ...validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain),
  ...validatePodSpec(pod.spec, 'spec'),
];

const POD_UPDATE_MSG = 'pod updates may not change fields other than `spec.containers[*].image`,' +
  '`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** validateOnlyAddedTolerations: every old toleration must survive, except for its tolerationSeconds. */
const onlyAddedTolerations = (next: readonly Toleration[] | undefined, old: readonly Toleration[] | undefined, path: string): Errs => {
  for (const o of old ?? []) {
    const found = (next ?? []).some((n) => semanticEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found) return [forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, path);
};

/** ValidateContainerUpdates: containers may not be added or removed. */
const containerCountErrs = (next: readonly Container[] | undefined, old: readonly Container[] | undefined, path: string): Errs =>
  (next ?? []).length !== (old ?? []).length ? [forbidden(path, 'pod updates may not add or remove containers')] : [];

/**
 * ValidatePodUpdate. The spec is compared by reference first: an update that keeps the stored spec
 * object (labels, annotations, owner references, finalizers) costs O(metadata). `spec.nodeName` is
 * part of the immutable spec here; binding goes through the API server's binding path.
 */
export const validatePodUpdate = (pod: Pod, old: Pod): Errs => {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  if (pod.spec === old.spec) return errs;
  const spec = pod.spec ?? ({} as PodSpec);
  const oldSpec = old.spec ?? ({} as PodSpec);
  errs.push(...validatePodSpec(spec, 'spec'));

  const counts = containerCountErrs(spec.containers, oldSpec.containers, 'spec.containers');
  if (counts.length > 0) return [...errs, ...counts];
  const initCounts = containerCountErrs(spec.initContainers, oldSpec.initContainers, 'spec.initContainers');
  if (initCounts.length > 0) return [...errs, ...initCounts];

  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    if (ads < 0 || ads > MAX_INT32) return [...errs, invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, MAX_INT32))];
    if (oldAds !== undefined && oldAds !== null && oldAds < ads) {
      return [...errs, invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
    }
  } else if (oldAds !== undefined && oldAds !== null) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(spec.tolerations, oldSpec.tolerations, 'spec.tolerations'));

  if (semanticEqual(spec, oldSpec)) return errs;
  const withOldImages = (cs: readonly Container[] | undefined, olds: readonly Container[] | undefined): Container[] | undefined =>
    cs?.map((c, i) => ({ ...c, image: olds?.[i]?.image }));
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  const munged: PodSpec = {
    ...spec,
    containers: withOldImages(spec.containers, oldSpec.containers) ?? [],
    initContainers: withOldImages(spec.initContainers, oldSpec.initContainers),
    activeDeadlineSeconds: oldAds,
    tolerations: oldSpec.tolerations,
    terminationGracePeriodSeconds:
      typeof oldGrace === 'number' && oldGrace < 0 && spec.terminationGracePeriodSeconds === 1 ? oldGrace : spec.terminationGracePeriodSeconds,
  };
  if (!semanticEqual(munged, oldSpec)) errs.push(forbidden('spec', POD_UPDATE_MSG));
  return errs;
};
