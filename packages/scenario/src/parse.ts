import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument, LineCounter, isMap, isSeq, type Node as YNode } from 'yaml';
import * as E from 'fp-ts/lib/Either.js';
import { isDNS1123Label, loadManifests, parseLabelSelectorString, renderLoadError, type KObject } from '@kubesim/api';
import type { ClusterSpec, Condition, NodeSpec, Scenario, ScenarioStep } from './types.js';
import { KNOWN_FEATURE_GATES, KUBERNETES_VERSIONS } from '@kubesim/runtime';
import { podOrNodeFaultError, POD_AND_NODE_FAULTS, NODE_LIFECYCLE_SETTINGS } from '@kubesim/controllers';
import { parseTarget } from './conditions.js';
import { placeInNamespace } from './runner.js';

export interface ScenarioError { readonly type: 'ScenarioError'; readonly message: string }
const err = (message: string): ScenarioError => ({ type: 'ScenarioError', message });

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** `500ms`, `30s`, `2m`, `1h`, `1m30s`. */
export const parseDuration = (v: unknown): number | undefined => {
  if (typeof v !== 'string') return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of v.matchAll(re)) { total += Number(m[1]) * UNITS[m[2]!]!; consumed += m[0].length; }
  return consumed === v.length && consumed > 0 ? total : undefined;
};

const letters = 'abcdefghijklmnopqrstuvwxyz';
/** `nodes: 3` → node-a, node-b, node-c; more than 26 → node-0001… */
export const nodeNames = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => (n <= 26 ? `node-${letters[i]}` : `node-${String(i + 1).padStart(4, '0')}`));

const STEP_KEYS = ['apply', 'scale', 'delete', 'patch', 'setImage', 'rollout', 'cordon', 'uncordon', 'evict', 'drain', 'fault', 'unready', 'ready', 'fail', 'crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'sleep', 'wait', 'settle', 'expect', 'remember'] as const;

interface Ctx { readonly file: string; readonly dir: string; readonly lc: LineCounter }

const lineOf = (ctx: Ctx, node: YNode | null | undefined): number | undefined =>
  node?.range ? ctx.lc.linePos(node.range[0]).line : undefined;

/** Parse a scenario file; every error names the file and line. */
export const loadScenarioFile = (path: string): E.Either<ScenarioError, Scenario> => {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { return E.left(err(`error: cannot read ${path}: ${(e as Error).message}`)); }
  return parseScenario(text, path);
};

export const parseScenario = (text: string, file: string): E.Either<ScenarioError, Scenario> => {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const ctx: Ctx = { file, dir: dirname(resolve(file)), lc };
  const syntax = doc.errors[0];
  if (syntax) return E.left(err(`error: ${file}:${lc.linePos(syntax.pos[0]).line}: ${syntax.message.split('\n')[0]}`));
  const root = doc.toJS() as Record<string, unknown> | null;
  if (!root || typeof root !== 'object' || Array.isArray(root)) return E.left(err(`error: ${file}: a scenario is a YAML map with cluster and steps`));
  const known = ['name', 'description', 'seed', 'cluster', 'steps'];
  for (const k of Object.keys(root)) if (!known.includes(k)) return E.left(err(`error: ${file}: unknown top-level key "${k}" (expected ${known.join(', ')})`));
  const cluster = parseCluster(ctx, root.cluster);
  if (E.isLeft(cluster)) return cluster;
  const stepsNode = doc.get('steps', true) as YNode | undefined;
  if (!isSeq(stepsNode)) return E.left(err(`error: ${file}: "steps" must be a list`));
  const steps: ScenarioStep[] = [];
  for (let i = 0; i < stepsNode.items.length; i++) {
    const node = stepsNode.items[i] as YNode;
    const r = parseStep(ctx, node, i + 1);
    if (E.isLeft(r)) return r;
    steps.push(r.right);
  }
  if (root.seed !== undefined && (typeof root.seed !== 'number' || !Number.isInteger(root.seed) || root.seed < 0)) {
    return E.left(err(`error: ${file}: seed must be a non-negative integer`));
  }
  return E.right({
    name: typeof root.name === 'string' ? root.name : file.replace(/^.*\//, '').replace(/\.ya?ml$/, ''),
    ...(typeof root.description === 'string' ? { description: root.description } : {}),
    ...(typeof root.seed === 'number' ? { seed: root.seed } : {}),
    cluster: cluster.right,
    steps,
  });
};

const parseCluster = (ctx: Ctx, raw: unknown): E.Either<ScenarioError, ClusterSpec> => {
  const c = (raw ?? {}) as Record<string, unknown>;
  let nodes: NodeSpec[];
  if (typeof c.nodes === 'number') nodes = nodeNames(c.nodes).map((name) => ({ name }));
  else if (Array.isArray(c.nodes)) {
    nodes = [];
    for (const n of c.nodes as unknown[]) {
      if (typeof n === 'string') nodes.push({ name: n });
      else if (n && typeof n === 'object' && typeof (n as NodeSpec).name === 'string') nodes.push(n as NodeSpec);
      else return E.left(err(`error: ${ctx.file}: cluster.nodes entries need a name`));
    }
  } else if (c.nodes === undefined) nodes = nodeNames(3).map((name) => ({ name }));
  else return E.left(err(`error: ${ctx.file}: cluster.nodes must be a number or a list`));
  // Images held from the start: `cluster.images` on every node, `nodes[].images` on one.
  const imageList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim() !== '' && !/\s/.test(x));
  if (c.images !== undefined && !imageList(c.images)) return E.left(err(`error: ${ctx.file}: cluster.images must be a list of image names`));
  for (const [i, n] of nodes.entries()) {
    if (n.images !== undefined && !imageList(n.images)) return E.left(err(`error: ${ctx.file}: cluster.nodes[${i}].images must be a list of image names`));
  }
  if (c.images !== undefined) nodes = nodes.map((n) => ({ ...n, images: [...(c.images as string[]), ...(n.images ?? [])] }));
  if (c.missingImages !== undefined && !imageList(c.missingImages)) return E.left(err(`error: ${ctx.file}: cluster.missingImages must be a list of image names`));
  const storageClasses: KObject[] = [];
  for (const sc of (c.storageClasses ?? []) as Record<string, unknown>[]) {
    if (typeof sc.name !== 'string') return E.left(err(`error: ${ctx.file}: every storage class needs a name`));
    const { name, default: isDefault, ...rest } = sc;
    storageClasses.push({
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
      metadata: { name, ...(isDefault === true ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
      provisioner: 'kubesim.io/hostpath',
      ...rest,
    } as KObject);
  }
  if (c.kubernetesVersion !== undefined && !(KUBERNETES_VERSIONS as readonly unknown[]).includes(String(c.kubernetesVersion))) {
    return E.left(err(`error: ${ctx.file}: cluster.kubernetesVersion must be one of ${KUBERNETES_VERSIONS.join(', ')} (got ${String(c.kubernetesVersion)})`));
  }
  if (c.featureGates !== undefined) {
    if (!c.featureGates || typeof c.featureGates !== 'object' || Array.isArray(c.featureGates)) return E.left(err(`error: ${ctx.file}: cluster.featureGates must be a map of gate: true|false`));
    for (const [g, v] of Object.entries(c.featureGates)) {
      if (!(g in KNOWN_FEATURE_GATES)) return E.left(err(`error: ${ctx.file}: cluster.featureGates: unknown feature gate "${g}" (known: ${Object.keys(KNOWN_FEATURE_GATES).join(', ')})`));
      if (typeof v !== 'boolean') return E.left(err(`error: ${ctx.file}: cluster.featureGates.${g} must be true or false`));
    }
  }
  if (c.nodeLifecycle !== undefined) {
    const nl = c.nodeLifecycle;
    if (!nl || typeof nl !== 'object' || Array.isArray(nl)) return E.left(err(`error: ${ctx.file}: cluster.nodeLifecycle must be a map of setting: number`));
    for (const [k, v] of Object.entries(nl)) {
      if (!(NODE_LIFECYCLE_SETTINGS as readonly string[]).includes(k)) return E.left(err(`error: ${ctx.file}: cluster.nodeLifecycle: unknown setting "${k}" (known: ${NODE_LIFECYCLE_SETTINGS.join(', ')})`));
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return E.left(err(`error: ${ctx.file}: cluster.nodeLifecycle.${k} must be a non-negative number`));
    }
  }
  const namespaces = Array.isArray(c.namespaces) ? (c.namespaces as string[]) : ['default'];
  if (!namespaces.includes('default')) namespaces.unshift('default');
  return E.right({
    nodes, storageClasses, namespaces,
    ...(c.timing ? { timing: c.timing as ClusterSpec['timing'] & object } : {}),
    ...(c.kubelet ? { kubelet: c.kubelet as ClusterSpec['kubelet'] & object } : {}),
    ...(c.volumes ? { volumes: c.volumes as ClusterSpec['volumes'] & object } : {}),
    ...(c.nodeLifecycle ? { nodeLifecycle: c.nodeLifecycle as ClusterSpec['nodeLifecycle'] & object } : {}),
    ...(c.podGc ? { podGc: c.podGc as ClusterSpec['podGc'] & object } : {}),
    ...(c.missingImages !== undefined ? { missingImages: c.missingImages as string[] } : {}),
    ...(c.kubernetesVersion !== undefined ? { kubernetesVersion: String(c.kubernetesVersion) as NonNullable<ClusterSpec['kubernetesVersion']> } : {}),
    ...(c.featureGates ? { featureGates: c.featureGates as Record<string, boolean> } : {}),
  });
};

const parseStep = (ctx: Ctx, node: YNode, index: number): E.Either<ScenarioError, ScenarioStep> => {
  const line = lineOf(ctx, node);
  const where = `${ctx.file}:${line ?? '?'}: step ${index}`;
  if (!isMap(node)) return E.left(err(`error: ${where}: a step is a map like "scale: {target: statefulset/web, replicas: 3}"`));
  const v = node.toJSON() as Record<string, unknown>;
  const title = typeof v.title === 'string' ? v.title : undefined;
  // `namespace:` (kubectl's -n) on any step: where its target, its pods and its conditions are looked up.
  const nsArg = v.namespace;
  if (nsArg !== undefined && (typeof nsArg !== 'string' || isDNS1123Label(nsArg).length > 0)) {
    return E.left(err(`error: ${where}: namespace: give a namespace name (a DNS label), not ${JSON.stringify(nsArg)}`));
  }
  const namespace = nsArg as string | undefined;
  const keys = Object.keys(v).filter((k) => k !== 'title' && k !== 'namespace');
  if (keys.length !== 1) return E.left(err(`error: ${where}: expected exactly one of ${STEP_KEYS.join(', ')} (got ${keys.join(', ') || 'nothing'})`));
  const key = keys[0]!;
  const arg = v[key];
  const base = { ...(line !== undefined ? { line } : {}), ...(title ? { title } : {}), ...(namespace !== undefined ? { namespace } : {}) };
  const ok = (s: ScenarioStep): E.Either<ScenarioError, ScenarioStep> => E.right({ ...base, ...s });
  const bad = (m: string) => E.left(err(`error: ${where}: ${key}: ${m}`));
  const podTarget = (t: unknown): string | undefined => (typeof t === 'string' ? (t.includes('/') ? t : `pod/${t}`) : undefined);
  switch (key) {
    case 'apply': {
      const a = (typeof arg === 'string' ? { file: arg } : arg) as { file?: string; inline?: string } | undefined;
      let text: string; let source: string;
      if (a?.file) {
        source = resolve(ctx.dir, a.file);
        try { text = readFileSync(source, 'utf8'); } catch (e) { return bad(`cannot read ${a.file}: ${(e as Error).message}`); }
      } else if (typeof a?.inline === 'string') { text = a.inline; source = `${ctx.file}#step${index}`; }
      else return bad('give {file: manifests.yaml} or {inline: "..."}');
      const objs = loadManifests(text, a?.file ?? source);
      if (E.isLeft(objs)) return E.left(err(renderLoadError(objs.left)));
      if (namespace === undefined) return ok({ op: 'apply', objects: objs.right, source: a?.file ?? 'inline' });
      // kubectl apply -n: namespaced objects without a namespace go there; one naming another is refused.
      const placed = placeInNamespace(objs.right, namespace);
      if (typeof placed === 'string') return bad(placed);
      return ok({ op: 'apply', objects: placed, source: a?.file ?? 'inline' });
    }
    case 'scale': {
      const a = arg as { target?: string; replicas?: unknown };
      if (typeof a?.target !== 'string' || typeof a.replicas !== 'number') return bad('give {target: statefulset/NAME, replicas: N}');
      return ok({ op: 'scale', target: a.target, replicas: a.replicas });
    }
    case 'delete': {
      const a = (typeof arg === 'string' ? { target: arg } : arg) as { target?: string; gracePeriodSeconds?: number; propagationPolicy?: string };
      if (typeof a?.target !== 'string') return bad('give {target: KIND/NAME}');
      if (a.propagationPolicy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(a.propagationPolicy)) return bad('propagationPolicy is Background, Foreground or Orphan');
      return ok({ op: 'delete', target: a.target, ...(a.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: a.gracePeriodSeconds } : {}), ...(a.propagationPolicy ? { propagationPolicy: a.propagationPolicy as 'Orphan' } : {}) });
    }
    case 'patch': {
      const a = arg as { target?: string; patch?: Record<string, unknown>; subresource?: string; type?: unknown };
      if (typeof a?.target !== 'string' || !a.patch || typeof a.patch !== 'object') return bad('give {target: KIND/NAME, patch: {...}}');
      if (a.type !== undefined && a.type !== 'strategic' && a.type !== 'merge') return bad(`type is strategic (the default, as kubectl patch) or merge (a JSON merge patch), not ${JSON.stringify(a.type)}`);
      return ok({
        op: 'patch', target: a.target, patch: a.patch, ...(a.subresource === 'status' ? { subresource: 'status' as const } : {}),
        ...(a.type !== 'merge' ? { patchType: 'strategic' as const } : {}),
      });
    }
    case 'setImage': {
      const a = arg as { target?: unknown; images?: unknown } | undefined;
      const extra = a && typeof a === 'object' ? Object.keys(a).find((k) => k !== 'target' && k !== 'images') : undefined;
      const images = a?.images;
      if (typeof a?.target !== 'string' || typeof parseTarget(a.target) === 'string' || extra !== undefined || !images || typeof images !== 'object' || Array.isArray(images)
        || Object.keys(images).length === 0 || Object.values(images).some((v) => typeof v !== 'string' || v === '')) {
        return bad('give {target: statefulset/NAME, images: {CONTAINER: IMAGE}} (CONTAINER * for every container)');
      }
      return ok({ op: 'setImage', target: a.target, images: images as Record<string, string> });
    }
    case 'rollout': {
      const a = arg as { restart?: unknown; undo?: unknown; toRevision?: unknown } | undefined;
      const actions = a && typeof a === 'object' ? (['restart', 'undo'] as const).filter((k) => k in a) : [];
      const extra = a && typeof a === 'object' ? Object.keys(a).find((k) => !['restart', 'undo', 'toRevision'].includes(k)) : undefined;
      const action = actions[0];
      if (actions.length !== 1 || action === undefined || extra !== undefined) return bad('give {restart: statefulset/NAME} or {undo: statefulset/NAME, toRevision: N}');
      const target = a![action];
      if (typeof target !== 'string' || typeof parseTarget(target) === 'string') return bad(`${action}: give the target as KIND/NAME, e.g. statefulset/web`);
      if (a!.toRevision !== undefined && (action !== 'undo' || typeof a!.toRevision !== 'number' || !Number.isInteger(a!.toRevision))) return bad('toRevision is a whole number, with undo');
      return ok({ op: 'rollout', action, target, ...(typeof a!.toRevision === 'number' ? { toRevision: a!.toRevision } : {}) });
    }
    case 'cordon': case 'uncordon':
      if (typeof arg !== 'string') return bad('give a node name');
      return ok({ op: key, node: arg });
    case 'evict': {
      const a = (typeof arg === 'string' ? { pod: arg } : arg) as { pod?: unknown; gracePeriodSeconds?: unknown; refused?: unknown } | undefined;
      const known = ['pod', 'gracePeriodSeconds', 'refused'];
      const extra = a && typeof a === 'object' ? Object.keys(a).find((k) => !known.includes(k)) : undefined;
      if (typeof a?.pod !== 'string' || a.pod === '' || extra !== undefined) return bad('give a pod name, or {pod: NAME, gracePeriodSeconds: N, refused: true}');
      if (a.gracePeriodSeconds !== undefined && (typeof a.gracePeriodSeconds !== 'number' || !Number.isInteger(a.gracePeriodSeconds) || a.gracePeriodSeconds < 0)) return bad('gracePeriodSeconds is a whole number of seconds, 0 or more');
      if (a.refused !== undefined && typeof a.refused !== 'boolean') return bad('refused is true or false');
      const pod = a.pod.startsWith('pod/') ? a.pod.slice(4) : a.pod;
      return ok({ op: 'evict', pod, ...(a.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: a.gracePeriodSeconds } : {}), ...(a.refused ? { refused: true } : {}) });
    }
    case 'drain': {
      const a = (typeof arg === 'string' ? { node: arg } : arg) as { node?: unknown; timeout?: unknown; gracePeriodSeconds?: unknown; force?: unknown; deleteEmptyDirData?: unknown; blocked?: unknown } | undefined;
      const known = ['node', 'timeout', 'gracePeriodSeconds', 'force', 'deleteEmptyDirData', 'blocked'];
      const extra = a && typeof a === 'object' ? Object.keys(a).find((k) => !known.includes(k)) : undefined;
      if (typeof a?.node !== 'string' || a.node === '' || extra !== undefined) return bad('give a node name, or {node: NAME, timeout: 5m, gracePeriodSeconds: N, force: true, deleteEmptyDirData: true, blocked: true}');
      const timeoutMs = a.timeout === undefined ? 300_000 : parseDuration(a.timeout);
      if (timeoutMs === undefined || timeoutMs <= 0) return bad('give the timeout as a duration like 5m');
      if (a.gracePeriodSeconds !== undefined && (typeof a.gracePeriodSeconds !== 'number' || !Number.isInteger(a.gracePeriodSeconds) || a.gracePeriodSeconds < 0)) return bad('gracePeriodSeconds is a whole number of seconds, 0 or more');
      if ([a.force, a.deleteEmptyDirData, a.blocked].some((b) => b !== undefined && typeof b !== 'boolean')) return bad('force, deleteEmptyDirData and blocked are true or false');
      return ok({
        op: 'drain', node: a.node, timeoutMs, ...(a.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: a.gracePeriodSeconds } : {}),
        ...(a.force ? { force: true } : {}), ...(a.deleteEmptyDirData ? { deleteEmptyDirData: true } : {}), ...(a.blocked ? { blocked: true } : {}),
      });
    }
    case 'fault': {
      if (!arg || typeof arg !== 'object') return bad('give the fault as a map');
      const f = arg as Record<string, unknown>;
      // Node faults (§1.13): the node's kubelet stops / resumes.
      if ((f.fault === 'node-down' || f.fault === 'node-up') && (typeof f.node !== 'string' || f.node === '')) return bad(`give {fault: ${f.fault}, node: NAME}`);
      // Pod faults: checked as `kubesim fault` checks them (runtime faults when the run applies them).
      if ((POD_AND_NODE_FAULTS as readonly unknown[]).includes(f.fault)) {
        const why = podOrNodeFaultError(f);
        if (why) return bad(why);
      }
      return ok({ op: 'fault', fault: f });
    }
    case 'unready': case 'ready': case 'fail': {
      const t = podTarget(arg);
      if (!t) return bad('give a pod name');
      const [, name] = t.split('/') as [string, string];
      const fault = key === 'fail'
        ? { fault: 'pod-fail', namespace: namespace ?? 'default', name, reason: 'Evicted' }
        : { fault: 'pod-readiness', namespace: namespace ?? 'default', name, ready: key === 'ready' };
      return ok({ op: 'fault', fault });
    }
    case 'crash': case 'restart': case 'pause': case 'resume': case 'partition': case 'heal':
      if (typeof arg !== 'string') return bad('give a component name');
      return ok({ op: key, component: arg });
    case 'sleep': {
      const d = parseDuration(arg);
      if (d === undefined) return bad('give a duration like 30s');
      return ok({ op: 'sleep', durationMs: d });
    }
    case 'settle': {
      const a = (arg ?? {}) as { quiet?: string; timeout?: string };
      const quiet = a.quiet === undefined ? 30_000 : parseDuration(a.quiet);
      const timeout = a.timeout === undefined ? 3_600_000 : parseDuration(a.timeout);
      if (quiet === undefined || timeout === undefined) return bad('give {quiet: 30s, timeout: 1h}');
      return ok({ op: 'settle', quietMs: quiet, timeoutMs: timeout });
    }
    case 'wait': {
      const a = arg as { until?: Condition; timeout?: string; title?: unknown };
      if (!a?.until) return bad('give {until: CONDITION, timeout: 5m}');
      const unknownKey = Object.keys(a).find((k) => k !== 'until' && k !== 'timeout' && k !== 'title');
      if (unknownKey !== undefined) return bad(`unknown field "${unknownKey}" (a wait takes until, timeout and title)`);
      const e = conditionErrors(a.until);
      if (e) return bad(e);
      const timeout = a.timeout === undefined ? 600_000 : parseDuration(a.timeout);
      if (timeout === undefined) return bad('timeout must be a duration like 5m');
      return ok({ op: 'wait', condition: a.until, timeoutMs: timeout, ...(typeof a.title === 'string' ? { title: a.title } : {}) });
    }
    case 'expect': {
      if (!arg || typeof arg !== 'object') return bad('give a condition');
      const { title: t, ...cond } = arg as Condition & { title?: string };
      const e = conditionErrors(cond);
      if (e) return bad(e);
      return ok({ op: 'expect', condition: cond, ...(typeof t === 'string' ? { title: t } : {}) });
    }
    case 'remember':
      if (typeof arg !== 'string') return bad('give a label');
      return ok({ op: 'remember', label: arg });
    default:
      return bad(`unknown step (expected one of ${STEP_KEYS.join(', ')})`);
  }
};

const CONDITION_KEYS = ['pods', 'claims', 'volumes', 'object', 'absent', 'present', 'dns', 'order', 'sequence', 'orderedReady', 'orderedDeletion', 'simultaneousDeletion', 'createdTogether', 'events', 'rollout', 'all'];

/** Unknown condition keys are refused (a typo must not make an expectation vacuous). */
const conditionErrors = (c: unknown): string | undefined => {
  if (!c || typeof c !== 'object' || Array.isArray(c)) return 'a condition is a map';
  const keys = Object.keys(c);
  if (keys.length === 0) return 'an empty condition holds trivially; give at least one of ' + CONDITION_KEYS.join(', ');
  for (const k of keys) {
    if (!CONDITION_KEYS.includes(k)) return `unknown condition "${k}" (expected ${CONDITION_KEYS.join(', ')})`;
  }
  const rollout = (c as { rollout?: unknown }).rollout;
  if (rollout !== undefined && (typeof rollout !== 'string' || typeof parseTarget(rollout) === 'string')) return 'rollout: give the target as KIND/NAME, e.g. statefulset/web';
  // Label selectors are parsed as the API server parses them: a malformed one must not match something else.
  const cc = c as { pods?: { selector?: unknown }; claims?: { selector?: unknown }; simultaneousDeletion?: { selector?: unknown }; createdTogether?: { selector?: unknown } };
  for (const [where, sel] of [['pods', cc.pods?.selector], ['claims', cc.claims?.selector], ['simultaneousDeletion', cc.simultaneousDeletion?.selector], ['createdTogether', cc.createdTogether?.selector]] as const) {
    if (sel === undefined) continue;
    if (typeof sel !== 'string') return `${where}.selector: give a label selector string, e.g. app=web`;
    const r = parseLabelSelectorString(sel);
    if (typeof r === 'string') return `${where}.selector "${sel}": ${r}`;
  }
  for (const sub of ((c as { all?: unknown[] }).all ?? [])) { const e = conditionErrors(sub); if (e) return e; }
  return undefined;
};
