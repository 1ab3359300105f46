import { existsSync, readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { parse as parseYaml } from 'yaml';
import { KINDS, kubectlMessage, loadManifests, newNotFound, renderLoadError, resolveKind, type Event, type Kind, type KObject } from '@kubesim/api';
import { LogWriter, LOG_FORMAT_VERSION } from '@kubesim/log';
import { ObjectStore } from '@kubesim/state';
import {
  applyRequests, drainNode, driveAsync, missingStorageClass, parseDuration, parseImageArgs, placeInNamespace, ROLLOUT_VERBS, rolloutHistory, rolloutRestart,
  rolloutPauseResume, rolloutStatus, rolloutUndo, setImage, versionsFor, type RolloutVerb,
} from '@kubesim/scenario';
import { readLog, jsOf, type ProcessState } from '@kubesim/nats';
import { podOrNodeFaultError } from '@kubesim/controllers';
import { control, withSession, type ContextOptions, type Session } from '../distributed/context.js';
import { describeLists, describeObject, type DescribeRelated } from '../printers/index.js';
import { stateRows } from './up.js';
import { followObject } from './wait.js';
import { parseSelection, renderGet, resolveKinds, selectorOptions, selects, type PrintingOptions } from './getmany.js';
import { deletedLine, namedResources, namespaceFor, resourceArgs, resourceName, resourcesAndPairs, type ResourceRef } from './resources.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** A command on a running cluster that works in a namespace (`-n`; default `default`). */
export interface LiveOptions extends ContextOptions {
  readonly namespace?: string;
}

const nsOf = (o: LiveOptions): string => o.namespace ?? 'default';

/** The recorded COMMAND names its namespace when it is not `default` (older logs stay as they were). */
const nsData = (kind: Kind, namespace: string): Record<string, string> => (KINDS[kind].namespaced && namespace !== 'default' ? { namespace } : {});

/** `kind/name` as a command records its target. */
const targetText = (r: ResourceRef): string => `${r.kind.toLowerCase()}/${r.name}`;

/** Manifests read from files (`-f`), each file's documents in order; kubectl's error for a missing or bad one. */
const readManifests = (files: readonly string[]): KObject[] | string => {
  const objects: KObject[] = [];
  for (const f of files) {
    if (!existsSync(f)) return `error: the path "${f}" does not exist`;
    const r = loadManifests(readFileSync(f, 'utf8'), f);
    if (E.isLeft(r)) return renderLoadError(r.left);
    objects.push(...r.right);
  }
  return objects;
};

/** The one object an argument list names (`TYPE NAME` or `TYPE/NAME`), or the error to print. */
const oneResource = (args: readonly string[]): ResourceRef | string => {
  const refs = namedResources(args);
  if (typeof refs === 'string') return `error: ${refs}`;
  if (refs.length !== 1) return 'error: one resource is required (TYPE NAME or TYPE/NAME)';
  return refs[0]!;
};

/** The object KIND NAME as the API server holds it (in `ns` for a namespaced kind), or the line kubectl prints (NotFound). */
const getOne = async (s: Session, kind: Kind, ns: string, name: string): Promise<KObject | string> => {
  const r = await s.api.list(kind, KINDS[kind].namespaced ? ns : undefined, name);
  if (!r.ok) return kubectlMessage(r.error);
  return r.objects[0] ?? kubectlMessage(newNotFound(kind, name));
};

const fetchInto = async (s: Session, store: ObjectStore, kind: Kind, namespace?: string, name?: string): Promise<void> => {
  const r = await s.api.list(kind, namespace, name);
  if (!r.ok) throw new Error(kubectlMessage(r.error));
  for (const o of r.objects) store.put(o);
};

/**
 * `kubesim apply -f FILE [-n NS]`: create, or update with the manifest's labels, annotations and spec — as one
 * user command. `-n` places the namespaced objects without a namespace there and refuses one naming another.
 */
export const applyCommand = (files: readonly string[], o: LiveOptions): Promise<number> => withSession(o, async (s) => {
  const read = readManifests(files);
  if (typeof read === 'string') { err(read); return 1; }
  const placed = o.namespace !== undefined ? placeInNamespace(read, o.namespace) : read;
  if (typeof placed === 'string') { err(`error: ${placed}`); return 1; }
  const objects = placed;
  // What apply needs to know of the cluster: the objects it may update, the storage classes it names.
  const state = new ObjectStore();
  await fetchInto(s, state, 'StorageClass');
  for (const obj of objects) {
    const kind = resolveKind(String(obj.kind));
    if (kind) await fetchInto(s, state, kind, obj.metadata?.namespace || 'default', obj.metadata?.name ?? '');
  }
  const missing = missingStorageClass(state, objects);
  if (missing) { err(missing); return 1; }
  const reqs = applyRequests(state, objects);
  const r = await s.api.command({ command: 'apply', source: files.join(','), objects: objects.map((x) => `${String(x.kind)}/${x.metadata?.name ?? ''}`), ...(o.namespace !== undefined && o.namespace !== 'default' ? { namespace: o.namespace } : {}) }, reqs);
  if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
  reqs.forEach((req, i) => {
    const res = r.results[i]!;
    const unchanged = req.verb === 'update' && res.metadata?.resourceVersion === state.get(res.kind as Kind, res.metadata?.namespace ?? '', res.metadata?.name ?? '')?.metadata?.resourceVersion;
    out(`${resourceName(res)} ${req.verb === 'create' ? 'created' : unchanged ? 'unchanged' : 'configured'}`);
  });
  return 0;
});

export interface LiveGetOptions extends ContextOptions, PrintingOptions {}

/** `kubesim get KIND[,KIND…]|all [NAME]` against a running cluster (the API server's store). */
export const liveGetCommand = (kindArg: string, name: string | undefined, o: LiveGetOptions): Promise<number> => withSession(o, async (s) => {
  const kinds = resolveKinds(kindArg);
  if (typeof kinds === 'string') { err(kinds); return 1; }
  const output = o.output ?? 'table';
  const namespace = o.allNamespaces ? undefined : (o.namespace ?? 'default');
  const listed = new Map<Kind, readonly KObject[]>();
  for (const kind of kinds) {
    const r = await s.api.list(kind, KINDS[kind].namespaced ? namespace : undefined, name);
    if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
    listed.set(kind, r.objects);
  }
  const r = renderGet({ kinds, several: kinds.length > 1 || kindArg.split(',').some((p) => p.toLowerCase() === 'all'), name, output, namespace, nowMs: s.clock.now(), ...selectorOptions(o) }, listed);
  process.stdout.write(r.out);
  process.stderr.write(r.err);
  return r.code;
});

/**
 * `kubesim scale TYPE NAME… | TYPE/NAME… --replicas N [-n NS]`: the scale subresource of each, one user
 * command per object (kubectl sends one request each); `statefulset.apps/web scaled`.
 */
export const scaleCommand = (args: readonly string[], replicas: string, o: LiveOptions): Promise<number> => withSession(o, async (s) => {
  const n = Number(replicas);
  if (!Number.isInteger(n) || n < 0) { err(`error: --replicas must be a non-negative integer, got "${replicas}"`); return 1; }
  const refs = namedResources(args);
  if (typeof refs === 'string') { err(`error: ${refs}`); return 1; }
  const ns = nsOf(o);
  let code = 0;
  for (const t of refs) {
    const r = await s.api.command({ command: 'scale', target: targetText(t), ...nsData(t.kind, ns), replicas: n },
      [{ verb: 'patch', kind: t.kind, namespace: namespaceFor(t.kind, ns), name: t.name, subresource: 'scale', patch: { spec: { replicas: n } } }]);
    if (!r.ok) { err(kubectlMessage(r.error)); code = 1; continue; }
    out(`${resourceName(r.results[0]!)} scaled`);
  }
  return code;
});

/** `kubesim cordon|uncordon NODE`: the node's spec.unschedulable, as kubectl sets it. */
export const cordonCommand = (node: string, cordon: boolean, o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  const n = await getOne(s, 'Node', '', node);
  if (typeof n === 'string') { err(n); return 1; }
  const verb = cordon ? 'cordon' : 'uncordon';
  if (((n as { spec?: { unschedulable?: boolean } }).spec?.unschedulable === true) === cordon) { out(`node/${node} already ${verb}ed`); return 0; }
  const r = await s.api.command({ command: verb, node }, [{ verb: 'patch', kind: 'Node', namespace: '', name: node, patch: { spec: { unschedulable: cordon ? true : null } } }]);
  if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
  out(`node/${node} ${verb}ed`);
  return 0;
});

/**
 * `kubesim drain NODE`: kubectl drain on the running cluster — the scenario step's driver, its state
 * read from the API server before every decision, its waits on the cluster's clock.
 */
export const drainCommand = (node: string, o: ContextOptions & { timeout?: string; gracePeriod?: string; force?: boolean; deleteEmptydirData?: boolean }): Promise<number> => withSession(o, async (s) => {
  const timeoutMs = o.timeout === undefined ? 300_000 : parseDuration(o.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) { err(`error: --timeout must be a duration like 5m, got "${o.timeout ?? ''}"`); return 1; }
  const grace = o.gracePeriod === undefined ? undefined : Number(o.gracePeriod);
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) { err(`error: --grace-period must be a non-negative integer, got "${o.gracePeriod}"`); return 1; }
  let state = new ObjectStore();
  const refresh = async (): Promise<void> => {
    const next = new ObjectStore();
    for (const kind of ['Node', 'Pod'] as const) {
      const r = await s.api.list(kind);
      if (!r.ok) throw new Error(kubectlMessage(r.error));
      for (const obj of r.objects) next.put(obj);
    }
    state = next;
  };
  await refresh();
  const d = drainNode({ state: () => state, now: () => s.clock.now(), print: out }, node, {
    timeoutMs, ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}), ...(o.force ? { force: true } : {}), ...(o.deleteEmptydirData ? { deleteEmptyDirData: true } : {}),
  });
  const r = await driveAsync(d, {
    command: async (data, reqs) => { const c = await s.api.command(data, reqs); return c.ok ? { ok: true } : { ok: false, error: c.error }; },
    waitUntil: async (untilMs) => { const wait = s.clock.wallDelay(untilMs - s.clock.now()); if (wait > 0) await new Promise((res) => setTimeout(res, wait)); },
    afterEach: refresh,
  });
  for (const m of r.messages) err(m);
  return r.messages.length > 0 ? 1 : 0;
});

export interface DeleteOptions extends LiveOptions {
  readonly filename?: readonly string[];
  readonly selector?: string;
  readonly fieldSelector?: string;
  readonly gracePeriod?: string;
  readonly force?: boolean;
  readonly now?: boolean;
  readonly cascade?: string;
  readonly ignoreNotFound?: boolean;
  /** Wait until the deleted objects are gone (kubectl's default; `--wait=false` returns at once). */
  readonly wait?: boolean;
  /** With the wait: give up after this long (a duration; default: never). */
  readonly timeout?: string;
}

/**
 * `kubesim delete` as kubectl delete: `TYPE NAME…`, `TYPE/NAME…`, `TYPE -l SELECTOR` or `-f FILE…`, in the
 * namespace of `-n` (a file's objects in their own, or refused when they name another than `-n`'s). Each
 * object is its own request and user command, as kubectl sends them: one that is not found is reported
 * (`Error from server (NotFound)`) and the others are still deleted. kubectl's grace rules: `--grace-period 0`
 * without `--force` is 1 s, `--force` alone is 0 (with its warning), `--now` is 1 s.
 */
export const deleteCommand = (args: readonly string[], o: DeleteOptions): Promise<number> => withSession(o, async (s) => {
  const cascade = o.cascade?.toLowerCase();
  if (cascade !== undefined && !['background', 'foreground', 'orphan'].includes(cascade)) { err(`error: --cascade must be background, foreground or orphan, got "${o.cascade}"`); return 1; }
  let grace = o.gracePeriod === undefined ? -1 : Number(o.gracePeriod);
  if (o.gracePeriod !== undefined && !Number.isInteger(grace)) { err(`error: invalid argument "${o.gracePeriod}" for "--grace-period" flag: strconv.ParseInt: parsing "${o.gracePeriod}": invalid syntax`); return 1; }
  if (o.now) {
    if (grace !== -1) { err('error: --now and --grace-period cannot be specified together'); return 1; }
    grace = 1;
  }
  if (grace === 0 && !o.force) grace = 1;
  if (o.force && grace < 0) grace = 0;
  if (o.force && grace > 0) { err('error: --force and --grace-period greater than 0 cannot be specified together'); return 1; }
  if (o.force && grace === 0) err('warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.');
  const policy = cascade ? (`${cascade[0]!.toUpperCase()}${cascade.slice(1)}` as 'Background' | 'Foreground' | 'Orphan') : undefined;
  const ns = nsOf(o);

  // What to delete: (kind, namespace, name) in the order kubectl visits them.
  const targets: { kind: Kind; namespace: string; name: string }[] = [];
  let ignoreNotFound = o.ignoreNotFound === true;
  if (o.filename !== undefined && o.filename.length > 0) {
    if (args.length > 0) { err('error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well'); return 1; }
    const read = readManifests(o.filename);
    if (typeof read === 'string') { err(read); return 1; }
    const placed = o.namespace !== undefined ? placeInNamespace(read, o.namespace) : read;
    if (typeof placed === 'string') { err(`error: ${placed}`); return 1; }
    for (const obj of placed) {
      const kind = resolveKind(String(obj.kind));
      if (!kind) { err(`error: resource mapping not found for name: "${obj.metadata?.name ?? ''}" namespace: "${obj.metadata?.namespace ?? ''}" from "${o.filename.join(',')}": no matches for kind "${String(obj.kind)}" in version "${String(obj.apiVersion)}"`); return 1; }
      targets.push({ kind, namespace: namespaceFor(kind, obj.metadata?.namespace || 'default'), name: obj.metadata?.name ?? '' });
    }
  } else {
    if (args.length === 0) {
      err(`error: You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'`);
      return 1;
    }
    const r = resourceArgs(args);
    if (typeof r === 'string') { err(`error: ${r}`); return 1; }
    if (o.selector !== undefined || o.fieldSelector !== undefined) {
      if (r.type === undefined) { err('error: name cannot be provided when a selector is specified'); return 1; }
      const sel = parseSelection(r.type, o.selector, o.fieldSelector);
      if (typeof sel === 'string') { err(sel); return 1; }
      const l = await s.api.list(r.type, KINDS[r.type].namespaced ? ns : undefined);
      if (!l.ok) { err(kubectlMessage(l.error)); return 1; }
      for (const obj of l.objects) if (selects(r.type, sel, obj)) targets.push({ kind: r.type, namespace: namespaceFor(r.type, ns), name: obj.metadata?.name ?? '' });
      // kubectl ignores NotFound with a selector unless told otherwise: the object went meanwhile.
      ignoreNotFound = o.ignoreNotFound !== false;
    } else {
      if (r.type !== undefined) { err('error: resource(s) were provided, but no name was specified'); return 1; }
      for (const t of r.refs) targets.push({ kind: t.kind, namespace: namespaceFor(t.kind, ns), name: t.name });
    }
  }
  if (targets.length === 0) { out('No resources found'); return 0; }
  const timeoutMs = o.timeout === undefined || o.timeout === '0' || o.timeout === '0s' ? Infinity : parseDuration(o.timeout);
  if (timeoutMs === undefined) { err(`error: invalid argument "${o.timeout ?? ''}" for "--timeout" flag: time: invalid duration "${o.timeout ?? ''}"`); return 1; }
  let code = 0;
  const deleted: { kind: Kind; namespace: string; name: string; uid: string }[] = [];
  for (const t of targets) {
    const opts = { ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}), ...(policy ? { propagationPolicy: policy } : {}) };
    const r = await s.api.command({ command: 'delete', target: targetText(t), ...nsData(t.kind, t.namespace), ...opts },
      [{ verb: 'delete', kind: t.kind, namespace: t.namespace, name: t.name, ...opts }]);
    if (!r.ok) {
      if (ignoreNotFound && r.error.reason === 'NotFound') continue;
      err(kubectlMessage(r.error)); code = 1; continue;
    }
    out(deletedLine(t.kind, t.name, t.namespace, grace === 0));
    deleted.push({ ...t, uid: r.results[0]?.metadata?.uid ?? '' });
  }
  // kubectl delete waits (--wait, on by default) until every deleted object — that uid — is gone: a pod
  // through its grace period and its kubelet's confirmation, an object held by finalizers until they are done.
  if (o.wait !== false) {
    // Each followed on its own log subject (kubectl's wait watches), not polled.
    const deadline = Date.now() + timeoutMs;
    for (const d of deleted) {
      const l = await s.api.list(d.kind, KINDS[d.kind].namespaced ? d.namespace : undefined, d.name);
      if (!l.ok) { err(kubectlMessage(l.error)); return 1; }
      const gone = await followObject(s, d.kind, d.namespace, d.name, l.objects[0], l.seq, (x) => x === undefined || x.metadata?.uid !== d.uid, deadline);
      if (typeof gone === 'string') { err(gone); return 1; }
      if (!gone) { err(`error: timed out waiting for the condition on ${KINDS[d.kind].plural}/${d.name}`); return 1; }
    }
  }
  return code;
});

/** The current labels or annotations of an object, as a plain map. */
const metaMap = (o: KObject, field: 'labels' | 'annotations'): Record<string, string> => ({ ...((o.metadata?.[field] ?? {}) as Record<string, string>) });

export interface LabelOptions extends LiveOptions {
  readonly overwrite?: boolean;
  readonly selector?: string;
  readonly fieldSelector?: string;
  readonly all?: boolean;
}

/**
 * `kubesim label|annotate TYPE NAME… KEY=VALUE… KEY-… [--overwrite] [-l SELECTOR | --all] [-n NS]`, as kubectl:
 * each object read, its labels (annotations) changed — an existing key only with `--overwrite` (an
 * annotation only when its value changes) — and sent as a JSON merge patch, one user command each;
 * `pod/web-0 labeled` (`not labeled` when nothing changed, `unlabeled` when only removed), `annotated`.
 */
export const labelCommand = (what: 'label' | 'annotation', args: readonly string[], o: LabelOptions): Promise<number> => withSession(o, async (s) => {
  const parsed = resourcesAndPairs(args, what);
  if (typeof parsed === 'string') { err(`error: ${parsed}`); return 1; }
  if (o.all && o.selector !== undefined) { err('error: cannot set --all and --selector at the same time'); return 1; }
  if (parsed.resources.length === 0) { err('error: one or more resources must be specified as <resource> <name> or <resource>/<name>'); return 1; }
  const r = resourceArgs(parsed.resources);
  if (typeof r === 'string') { err(`error: ${r}`); return 1; }
  const ns = nsOf(o);
  const field = what === 'label' ? 'labels' : 'annotations';
  const objects: KObject[] = [];
  let missing = false;
  if (r.type !== undefined) {
    if (o.selector === undefined && o.fieldSelector === undefined && !o.all) { err('error: resource(s) were provided, but no name was specified'); return 1; }
    const sel = parseSelection(r.type, o.selector, o.fieldSelector);
    if (typeof sel === 'string') { err(sel); return 1; }
    const l = await s.api.list(r.type, KINDS[r.type].namespaced ? ns : undefined);
    if (!l.ok) { err(kubectlMessage(l.error)); return 1; }
    objects.push(...l.objects.filter((x) => selects(r.type, sel, x)));
    if (objects.length === 0) { err(`No resources found in ${ns} namespace.`); return 0; }
  } else {
    if (o.selector !== undefined || o.fieldSelector !== undefined) { err('error: name cannot be provided when a selector is specified'); return 1; }
    for (const t of r.refs) {
      const one = await getOne(s, t.kind, ns, t.name);
      if (typeof one === 'string') { err(one); missing = true; continue; }
      objects.push(one);
    }
  }
  let code = missing ? 1 : 0;
  for (const obj of objects) {
    const cur = metaMap(obj, field);
    if (!o.overwrite) {
      const clashes = [...parsed.set].filter(([k, v]) => k in cur && (what === 'label' || (cur[k] !== v && k !== 'kubernetes.io/change-cause'))).map(([k]) => `'${k}' already has a value (${cur[k]!})`);
      if (clashes.length > 0) {
        err(what === 'label'
          ? `error: ${clashes.length === 1 ? `${clashes[0]!}, and --overwrite is false` : `[${clashes.map((c) => `${c}, and --overwrite is false`).join(', ')}]`}`
          : `error: --overwrite is false but found the following declared annotation(s): ${clashes.join('; ')}`);
        code = 1;
        continue;
      }
    }
    if (what === 'label') for (const k of parsed.remove) if (!(k in cur)) out(`label "${k}" not found.`);
    const next = { ...cur };
    for (const [k, v] of parsed.set) next[k] = v;
    for (const k of parsed.remove) delete next[k];
    const patch: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(next)) if (cur[k] !== v) patch[k] = v;
    for (const k of Object.keys(cur)) if (!(k in next)) patch[k] = null;
    const kind = obj.kind as Kind;
    const name = obj.metadata?.name ?? '';
    const res = await s.api.command({ command: what === 'label' ? 'label' : 'annotate', target: targetText({ kind, name }), ...nsData(kind, ns), changes: args.slice(parsed.resources.length), ...(o.overwrite ? { overwrite: true } : {}) },
      [{ verb: 'patch', kind, namespace: namespaceFor(kind, ns), name, patch: { metadata: { [field]: patch } } }]);
    if (!res.ok) { err(kubectlMessage(res.error)); code = 1; continue; }
    const changed = Object.keys(patch).length > 0;
    const msg = what === 'annotation' ? 'annotated'
      : !changed ? 'not labeled'
        : !o.overwrite && JSON.stringify(next).length < JSON.stringify(cur).length ? 'unlabeled' : 'labeled';
    out(`${resourceName(res.results[0]!)} ${msg}`);
  }
  return code;
});

/** `kubesim create namespace NAME`: kubectl create namespace. */
export const createNamespaceCommand = (name: string, o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  const r = await s.api.command({ command: 'create namespace', name }, [{ verb: 'create', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KObject }]);
  if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
  out(`namespace/${name} created`);
  return 0;
});

/** `kubesim describe TYPE NAME | TYPE/NAME [-n NS]`: the object as kubectl describe prints it ({@link describeObject}), with what that needs listed from the cluster. */
export const describeCommand = (args: readonly string[], o: LiveOptions): Promise<number> => withSession(o, async (s) => {
  const t = oneResource(args);
  if (typeof t === 'string') { err(t); return 1; }
  const obj = await getOne(s, t.kind, nsOf(o), t.name);
  if (typeof obj === 'string') { err(obj); return 1; }
  const evs = await s.api.list('Event', obj.metadata?.namespace || 'default');
  if (!evs.ok) { err(kubectlMessage(evs.error)); return 1; }
  const related: Record<string, readonly KObject[]> = {};
  for (const [kind, namespace] of describeLists(obj)) {
    const l = await s.api.list(kind, namespace);
    if (!l.ok) { err(kubectlMessage(l.error)); return 1; }
    related[kind] = l.objects;
  }
  process.stdout.write(describeObject(obj, related as DescribeRelated, evs.objects as Event[], s.clock.now()));
  return 0;
});

/** `kubesim ps`: the supervised processes and what each reports. */
export const psCommand = (o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  const r = await control<{ processes: ProcessState[] }>(s, 'ps');
  process.stdout.write(stateRows(r.processes));
  return 0;
});

/** `kubesim kill COMPONENT` (kill -9) / `kubesim restart COMPONENT`. */
export const lifecycleCommand = (verb: 'kill' | 'restart' | 'stop', component: string, o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  await control(s, verb, component);
  out(`${component} ${verb === 'kill' ? 'killed' : verb === 'restart' ? 'restarted' : 'stopped'}`);
  return 0;
});

/** `kubesim pause COMPONENT` (SIGSTOP) / `kubesim resume COMPONENT` (SIGCONT), each recorded as a fault. */
export const pauseCommand = (verb: 'pause' | 'resume', component: string, o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  await control(s, verb, component);
  out(`${component} ${verb === 'pause' ? 'paused' : 'resumed'}`);
  return 0;
});

/** `kubesim partition COMPONENT [--for 10s]`: cut the process off the nats-server(s); `kubesim heal COMPONENT` ends it. */
export const partitionCommand = (component: string, o: ContextOptions & { for?: string }): Promise<number> => withSession(o, async (s) => {
  const ms = o.for === undefined ? undefined : parseDuration(o.for);
  if (o.for !== undefined && (ms === undefined || ms <= 0)) { err(`error: --for must be a duration like 10s, got "${o.for}"`); return 1; }
  await control(s, 'partition', ms === undefined ? component : `${component} ${ms}`);
  out(`${component} partitioned${o.for !== undefined ? ` for ${o.for}` : ' (kubesim heal ends it)'}`);
  return 0;
});

export const healCommand = (component: string, o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  await control(s, 'heal', component);
  out(`${component} healed`);
  return 0;
});

/**
 * `kubesim fault TYPE [KEY=VALUE…] [-n NS]`: a pod or node fault on the running cluster, recorded in its log
 * as a scenario's `fault` step is (docs/faults.md): `kubesim fault probe-failure name=web-0 probe=liveness
 * count=2`, `kubesim fault node-down node=node-a`. Values are read as YAML scalars (numbers, true/false).
 */
export const faultCommand = async (type: string, fields: readonly string[], o: ContextOptions & { namespace?: string }): Promise<number> => {
  const data: Record<string, unknown> = { fault: type };
  for (const f of fields) {
    const eq = f.indexOf('=');
    if (eq <= 0) { err(`error: expected KEY=VALUE, got "${f}"`); return 1; }
    data[f.slice(0, eq)] = parseYaml(f.slice(eq + 1)) as unknown;
  }
  if (o.namespace !== undefined && type !== 'node-down' && type !== 'node-up') data.namespace = o.namespace;
  const why = podOrNodeFaultError(data);
  if (why !== undefined) { err(`error: ${why}`); return 1; }
  return withSession(o, async (s) => {
    await control(s, 'fault', JSON.stringify(data));
    out(`fault ${type} recorded`);
    return 0;
  });
};

/** `kubesim down`: ask `kubesim up` to stop everything. */
export const downCommand = (o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  await control(s, 'down');
  out(`cluster "${s.ctx.name}" stopping`);
  return 0;
});

/** `kubesim logs COMPONENT [--tail N]`: the process's output (from the files `kubesim up` writes). */
export const logsCommand = (component: string, o: ContextOptions & { tail?: string }): Promise<number> => withSession(o, async (s) => {
  const r = await control<{ file: string }>(s, 'logfile', component);
  if (!existsSync(r.file)) { err(`error: no log for ${component} (${r.file})`); return 1; }
  let lines = readFileSync(r.file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (o.tail !== undefined) lines = lines.slice(-Math.max(0, Number(o.tail)));
  for (const l of lines) out(l);
  return 0;
});

/**
 * `kubesim log export [-o FILE]`: the cluster's log as a recording (the format of `kubesim run --log`,
 * hash chain included), readable by replay/explain/diff/check and `verify --chain-only`.
 */
export const exportCommand = (o: ContextOptions & { output?: string }): Promise<number> => withSession(o, async (s) => {
  const entries = await readLog(jsOf(s.nc), s.s, (w) => s.clock.fromWall(w));
  const w = new LogWriter({
    kubesim: 'log', format: LOG_FORMAT_VERSION, seed: s.cluster.seed,
    scenario: { name: `distributed cluster "${s.cluster.id}"`, cluster: s.cluster.spec, steps: [] },
    versions: versionsFor(s.cluster.spec), mode: 'distributed', timeScale: s.cluster.timeScale,
  });
  // Times come from the server's store timestamps; a leader change in a clustered stream may step back a hair.
  let t = 0;
  for (const e of entries) { t = Math.max(t, e.time); w.push(e.time === t ? e : { ...e, time: t }); }
  if (o.output) { w.writeTo(o.output); err(`${entries.length} entries written to ${o.output}`); } else process.stdout.write(w.text());
  return 0;
});

/** The set and its revisions as the API server holds them: what kubectl rollout reads. */
const rolloutState = async (s: Session, kind: Kind, ns: string, name: string): Promise<ObjectStore> => {
  const state = new ObjectStore();
  await fetchInto(s, state, kind, ns, name);
  await fetchInto(s, state, 'ControllerRevision', ns);
  return state;
};

export interface RolloutOptions extends LiveOptions {
  readonly toRevision?: string;
  readonly revision?: string;
  readonly watch?: boolean;
  readonly timeout?: string;
}

const wholeNumber = (flag: string, v: string | undefined): number | string => {
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : `error: invalid argument "${v}" for "${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`;
};

/**
 * `kubesim rollout restart|undo|status|history KIND/NAME` on the running cluster, as kubectl rollout:
 * restart and undo are one user command each (a strategic merge patch of the set); status follows the
 * set until the rollout is done (`--watch=false`: once), printing kubectl's message at each change.
 */
export const rolloutCommand = (verb: string, args: readonly string[], o: RolloutOptions): Promise<number> => withSession(o, async (s) => {
  if (!(ROLLOUT_VERBS as readonly string[]).includes(verb)) { err(`error: unknown command "${verb}" for "kubesim rollout" (restart, undo, status, history, pause, resume)`); return 2; }
  const t = oneResource(args);
  if (typeof t === 'string') { err(t); return 2; }
  const ns = nsOf(o);
  const target = targetText(t);
  switch (verb as RolloutVerb) {
    case 'pause': case 'resume': {
      const state = new ObjectStore();
      if (t.kind === 'StatefulSet' || t.kind === 'ReplicaSet') await fetchInto(s, state, t.kind, ns, t.name);
      err(rolloutPauseResume(state, verb as 'pause' | 'resume', t.kind, ns, t.name));
      return 1;
    }
    case 'restart': case 'undo': {
      const to = wholeNumber('--to-revision', o.toRevision);
      if (typeof to === 'string') { err(to); return 2; }
      const state = await rolloutState(s, t.kind, ns, t.name);
      const plan = verb === 'restart'
        ? rolloutRestart(state, t.kind, ns, t.name, s.clock.now())
        : rolloutUndo(state, t.kind, ns, t.name, to);
      if (plan.type === 'error') { err(plan.message); return 1; }
      if (plan.type === 'print') { out(plan.text); return 0; }
      const r = await s.api.command({ command: `rollout ${verb}`, target, ...nsData(t.kind, ns), ...(verb === 'undo' && to !== 0 ? { toRevision: to } : {}) }, [plan.request]);
      if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
      out(plan.done);
      return 0;
    }
    case 'history': {
      const rev = wholeNumber('--revision', o.revision);
      if (typeof rev === 'string') { err(rev); return 2; }
      const h = rolloutHistory(await rolloutState(s, t.kind, ns, t.name), t.kind, ns, t.name, rev);
      if ('error' in h) { err(h.error); return 1; }
      out(h.text);
      return 0;
    }
    case 'status': {
      const timeoutMs = o.timeout === undefined ? Infinity : parseDuration(o.timeout);
      if (timeoutMs === undefined) { err(`error: invalid argument "${o.timeout ?? ''}" for "--timeout" flag`); return 2; }
      const deadline = Date.now() + timeoutMs;
      const l = await s.api.list(t.kind, KINDS[t.kind].namespaced ? ns : undefined, t.name);
      if (!l.ok) { err(kubectlMessage(l.error)); return 1; }
      // kubectl rollout status watches the set and prints its status at each event: the first listing, then
      // every version of it the log commits (followed on the set's own subject).
      const judge = (x: KObject | undefined): boolean | string => {
        const state = new ObjectStore();
        if (x !== undefined) state.put(x);
        else if (l.objects[0] !== undefined) return 'error: object has been deleted';
        const st = rolloutStatus(state, t.kind, ns, t.name);
        if ('error' in st) return st.error;
        out(st.message);
        return st.done || o.watch === false;
      };
      const r = await followObject(s, t.kind, namespaceFor(t.kind, ns), t.name, l.objects[0], l.seq, judge, deadline);
      if (typeof r === 'string') { err(r); return 1; }
      if (!r) { err('error: timed out waiting for the condition'); return 1; }
      return 0;
    }
  }
});

/**
 * `kubesim patch KIND/NAME -p PATCH [--type strategic|merge] [--subresource status|scale]`: kubectl patch
 * on the running cluster — a strategic merge patch by default — as one user command;
 * `statefulset.apps/web patched`, or `patched (no change)` when nothing was written.
 */
export const patchCommand = (args: readonly string[], o: LiveOptions & { patch: string; type?: string; subresource?: string }): Promise<number> => withSession(o, async (s) => {
  const t = oneResource(args);
  if (typeof t === 'string') { err(t); return 2; }
  const ns = namespaceFor(t.kind, nsOf(o));
  const target = targetText(t);
  const type = o.type ?? 'strategic';
  if (type === 'json') { err('error: --type json (a JSON patch, RFC 6902) is not supported by kubesim: use strategic (the default) or merge'); return 2; }
  if (type !== 'strategic' && type !== 'merge') { err(`error: --type must be one of [json merge strategic], not "${type}"`); return 2; }
  if (o.subresource !== undefined && o.subresource !== 'status' && o.subresource !== 'scale') { err(`error: invalid subresource value: "${o.subresource}". Must be one of [status scale]`); return 2; }
  let patch: unknown;
  try { patch = parseYaml(o.patch); } catch (e) { err(`error: unable to parse "${o.patch}": ${(e as Error).message}`); return 1; }
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) { err(`error: unable to parse "${o.patch}": a patch is a map`); return 1; }
  const old = await getOne(s, t.kind, ns, t.name);
  if (typeof old === 'string') { err(old); return 1; }
  const r = await s.api.command({ command: 'patch', target, ...nsData(t.kind, ns), patch, ...(type === 'strategic' ? { type } : {}) }, [{
    verb: 'patch', kind: t.kind, namespace: ns, name: t.name, patch: patch as Record<string, unknown>,
    ...(type === 'strategic' ? { patchType: 'strategic' as const } : {}), ...(o.subresource ? { subresource: o.subresource as 'status' } : {}),
  }]);
  if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
  const res = r.results[0]!;
  out(`${resourceName(res)} patched${res.metadata?.resourceVersion === old.metadata?.resourceVersion ? ' (no change)' : ''}`);
  return 0;
});

/** `kubesim set image KIND/NAME CONTAINER=IMAGE…`: kubectl set image on the running cluster, one user command. */
export const setImageCommand = (args: readonly string[], o: LiveOptions): Promise<number> => withSession(o, async (s) => {
  // kubectl set image TYPE NAME C=I… or TYPE/NAME C=I…: the resource arguments come before the first pair.
  const split = args.findIndex((a) => a.includes('='));
  const t = oneResource(split < 0 ? args : args.slice(0, split));
  if (typeof t === 'string') { err(t); return 2; }
  const ns = nsOf(o);
  const target = targetText(t);
  const images = parseImageArgs(split < 0 ? [] : args.slice(split));
  if (typeof images === 'string') { err(images); return 2; }
  const state = new ObjectStore();
  await fetchInto(s, state, t.kind, KINDS[t.kind].namespaced ? ns : undefined, t.name);
  const plan = setImage(state, t.kind, ns, t.name, images);
  if (plan.request !== undefined) {
    const r = await s.api.command({ command: 'set image', target, ...nsData(t.kind, ns), images }, [plan.request]);
    if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
    out(plan.done!);
  }
  for (const e of plan.errors) err(e);
  return plan.errors.length > 0 ? 1 : 0;
});
