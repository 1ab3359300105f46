import { existsSync, readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { parse as parseYaml } from 'yaml';
import { KINDS, kubectlMessage, loadManifests, newNotFound, qualifiedKind, renderLoadError, resolveKind, type Event, type Kind, type KObject } from '@kubesim/api';
import { LogWriter, LOG_FORMAT_VERSION } from '@kubesim/log';
import { ObjectStore } from '@kubesim/state';
import {
  applyRequests, drainNode, driveAsync, missingStorageClass, parseDuration, parseImageArgs, parseTarget, ROLLOUT_VERBS, rolloutHistory, rolloutRestart,
  rolloutPauseResume, rolloutStatus, rolloutUndo, setImage, versionsFor, type RolloutVerb,
} from '@kubesim/scenario';
import { readLog, jsOf, type ProcessState } from '@kubesim/nats';
import { control, withSession, type ContextOptions, type Session } from '../distributed/context.js';
import { describeLists, describeObject, type DescribeRelated } from '../printers/index.js';
import { stateRows } from './up.js';
import { renderGet, resolveKinds, selectorOptions } from './getmany.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** `kind.group/name` as kubectl names an object in its messages (`statefulset.apps/web`). */
const resourceName = (o: KObject): string => {
  const k = KINDS[o.kind as Kind];
  return `${k ? qualifiedKind(o.kind as Kind).toLowerCase() : String(o.kind).toLowerCase()}/${o.metadata?.name ?? ''}`;
};

const fetchInto = async (s: Session, store: ObjectStore, kind: Kind, namespace?: string, name?: string): Promise<void> => {
  const r = await s.api.list(kind, namespace, name);
  if (!r.ok) throw new Error(kubectlMessage(r.error));
  for (const o of r.objects) store.put(o);
};

/** `kubesim apply -f FILE`: create, or update with the manifest's labels, annotations and spec — as one user command. */
export const applyCommand = (files: readonly string[], o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  const objects: KObject[] = [];
  for (const f of files) {
    if (!existsSync(f)) { err(`error: the path "${f}" does not exist`); return 1; }
    const r = loadManifests(readFileSync(f, 'utf8'), f);
    if (E.isLeft(r)) { err(renderLoadError(r.left)); return 1; }
    objects.push(...r.right);
  }
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
  const r = await s.api.command({ command: 'apply', source: files.join(','), objects: objects.map((x) => `${String(x.kind)}/${x.metadata?.name ?? ''}`) }, reqs);
  if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
  reqs.forEach((req, i) => {
    const res = r.results[i]!;
    const unchanged = req.verb === 'update' && res.metadata?.resourceVersion === state.get(res.kind as Kind, res.metadata?.namespace ?? '', res.metadata?.name ?? '')?.metadata?.resourceVersion;
    out(`${resourceName(res)} ${req.verb === 'create' ? 'created' : unchanged ? 'unchanged' : 'configured'}`);
  });
  return 0;
});

export interface LiveGetOptions extends ContextOptions {
  readonly output?: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly selector?: string;
  readonly showLabels?: boolean;
}

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
  const r = renderGet({ kinds, several: kinds.length > 1 || kindArg.split(',').some((p) => p.toLowerCase() === 'all'), name, output: output as 'table', namespace, nowMs: s.clock.now(), ...selectorOptions(o) }, listed);
  process.stdout.write(r.out);
  process.stderr.write(r.err);
  return r.code;
});

const targetOf = (t: string): { kind: Kind; name: string } => {
  const r = parseTarget(t);
  if (typeof r === 'string') throw new Error(r);
  return r;
};

/** `kubesim scale KIND/NAME --replicas N`. */
export const scaleCommand = (target: string, replicas: string, o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  const n = Number(replicas);
  if (!Number.isInteger(n) || n < 0) { err(`error: --replicas must be a non-negative integer, got "${replicas}"`); return 1; }
  const t = targetOf(target);
  const r = await s.api.command({ command: 'scale', target, replicas: n },
    [{ verb: 'patch', kind: t.kind, namespace: 'default', name: t.name, subresource: 'scale', patch: { spec: { replicas: n } } }]);
  if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
  out(`${resourceName(r.results[0]!)} scaled`);
  return 0;
});

/** `kubesim cordon|uncordon NODE`: the node's spec.unschedulable, as kubectl sets it. */
export const cordonCommand = (node: string, cordon: boolean, o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  const cur = await s.api.list('Node', undefined, node);
  if (!cur.ok) { err(kubectlMessage(cur.error)); return 1; }
  const n = cur.objects[0];
  if (!n) { err(kubectlMessage(newNotFound('Node', node))); return 1; }
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

/** `kubesim delete KIND/NAME [--grace-period N] [--cascade background|foreground|orphan]`. */
export const deleteCommand = (target: string, o: ContextOptions & { gracePeriod?: string; cascade?: string }): Promise<number> => withSession(o, async (s) => {
  const t = targetOf(target);
  const cascade = o.cascade?.toLowerCase();
  if (cascade !== undefined && !['background', 'foreground', 'orphan'].includes(cascade)) { err(`error: --cascade must be background, foreground or orphan, got "${o.cascade}"`); return 1; }
  const grace = o.gracePeriod === undefined ? undefined : Number(o.gracePeriod);
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) { err(`error: --grace-period must be a non-negative integer, got "${o.gracePeriod}"`); return 1; }
  const policy = cascade ? (`${cascade[0]!.toUpperCase()}${cascade.slice(1)}` as 'Background' | 'Foreground' | 'Orphan') : undefined;
  const r = await s.api.command({ command: 'delete', target: `${t.kind.toLowerCase()}/${t.name}`, ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}), ...(policy ? { propagationPolicy: policy } : {}) },
    [{ verb: 'delete', kind: t.kind, namespace: 'default', name: t.name, ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}), ...(policy ? { propagationPolicy: policy } : {}) }]);
  if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
  out(`${resourceName(r.results[0]!)} deleted`);
  return 0;
});

/** `kubesim describe KIND/NAME`: the object as kubectl describe prints it ({@link describeObject}), with what that needs listed from the cluster. */
export const describeCommand = (target: string, o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  const t = targetOf(target);
  const r = await s.api.list(t.kind, 'default', t.name);
  if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
  const obj = r.objects[0];
  if (!obj) { err(kubectlMessage(newNotFound(t.kind, t.name))); return 1; }
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
const rolloutState = async (s: Session, kind: Kind, name: string): Promise<ObjectStore> => {
  const state = new ObjectStore();
  await fetchInto(s, state, kind, 'default', name);
  await fetchInto(s, state, 'ControllerRevision', 'default');
  return state;
};

export interface RolloutOptions extends ContextOptions {
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
export const rolloutCommand = (verb: string, target: string, o: RolloutOptions): Promise<number> => withSession(o, async (s) => {
  if (!(ROLLOUT_VERBS as readonly string[]).includes(verb)) { err(`error: unknown command "${verb}" for "kubesim rollout" (restart, undo, status, history, pause, resume)`); return 2; }
  const t = parseTarget(target);
  if (typeof t === 'string') { err(`error: ${t}`); return 2; }
  switch (verb as RolloutVerb) {
    case 'pause': case 'resume': {
      const state = new ObjectStore();
      if (t.kind === 'StatefulSet' || t.kind === 'ReplicaSet') await fetchInto(s, state, t.kind, 'default', t.name);
      err(rolloutPauseResume(state, verb as 'pause' | 'resume', t.kind, 'default', t.name));
      return 1;
    }
    case 'restart': case 'undo': {
      const to = wholeNumber('--to-revision', o.toRevision);
      if (typeof to === 'string') { err(to); return 2; }
      const state = await rolloutState(s, t.kind, t.name);
      const plan = verb === 'restart'
        ? rolloutRestart(state, t.kind, 'default', t.name, s.clock.now())
        : rolloutUndo(state, t.kind, 'default', t.name, to);
      if (plan.type === 'error') { err(plan.message); return 1; }
      if (plan.type === 'print') { out(plan.text); return 0; }
      const r = await s.api.command({ command: `rollout ${verb}`, target, ...(verb === 'undo' && to !== 0 ? { toRevision: to } : {}) }, [plan.request]);
      if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
      out(plan.done);
      return 0;
    }
    case 'history': {
      const rev = wholeNumber('--revision', o.revision);
      if (typeof rev === 'string') { err(rev); return 2; }
      const h = rolloutHistory(await rolloutState(s, t.kind, t.name), t.kind, 'default', t.name, rev);
      if ('error' in h) { err(h.error); return 1; }
      out(h.text);
      return 0;
    }
    case 'status': {
      const timeoutMs = o.timeout === undefined ? Infinity : parseDuration(o.timeout);
      if (timeoutMs === undefined) { err(`error: invalid argument "${o.timeout ?? ''}" for "--timeout" flag`); return 2; }
      const deadline = Date.now() + timeoutMs;
      let seen: string | undefined;
      for (;;) {
        const state = new ObjectStore();
        await fetchInto(s, state, t.kind, 'default', t.name);
        const st = rolloutStatus(state, t.kind, 'default', t.name);
        if ('error' in st) { err(st.error); return 1; }
        // kubectl prints the status at each watch event of the set: here, at each new resourceVersion.
        const rv = state.get(t.kind, 'default', t.name)?.metadata?.resourceVersion;
        if (rv !== seen) { out(st.message); seen = rv; }
        if (st.done || o.watch === false) return 0;
        if (Date.now() >= deadline) { err('error: timed out waiting for the condition'); return 1; }
        await new Promise((res) => setTimeout(res, 200));
      }
    }
  }
});

/**
 * `kubesim patch KIND/NAME -p PATCH [--type strategic|merge] [--subresource status|scale]`: kubectl patch
 * on the running cluster — a strategic merge patch by default — as one user command;
 * `statefulset.apps/web patched`, or `patched (no change)` when nothing was written.
 */
export const patchCommand = (target: string, o: ContextOptions & { patch: string; type?: string; subresource?: string }): Promise<number> => withSession(o, async (s) => {
  const t = parseTarget(target);
  if (typeof t === 'string') { err(`error: ${t}`); return 2; }
  const type = o.type ?? 'strategic';
  if (type === 'json') { err('error: --type json (a JSON patch, RFC 6902) is not supported by kubesim: use strategic (the default) or merge'); return 2; }
  if (type !== 'strategic' && type !== 'merge') { err(`error: --type must be one of [json merge strategic], not "${type}"`); return 2; }
  if (o.subresource !== undefined && o.subresource !== 'status' && o.subresource !== 'scale') { err(`error: invalid subresource value: "${o.subresource}". Must be one of [status scale]`); return 2; }
  let patch: unknown;
  try { patch = parseYaml(o.patch); } catch (e) { err(`error: unable to parse "${o.patch}": ${(e as Error).message}`); return 1; }
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) { err(`error: unable to parse "${o.patch}": a patch is a map`); return 1; }
  const before = await s.api.list(t.kind, KINDS[t.kind].namespaced ? 'default' : undefined, t.name);
  if (!before.ok) { err(kubectlMessage(before.error)); return 1; }
  const old = before.objects[0];
  if (!old) { err(kubectlMessage(newNotFound(t.kind, t.name))); return 1; }
  const r = await s.api.command({ command: 'patch', target, patch, ...(type === 'strategic' ? { type } : {}) }, [{
    verb: 'patch', kind: t.kind, namespace: KINDS[t.kind].namespaced ? 'default' : '', name: t.name, patch: patch as Record<string, unknown>,
    ...(type === 'strategic' ? { patchType: 'strategic' as const } : {}), ...(o.subresource ? { subresource: o.subresource as 'status' } : {}),
  }]);
  if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
  const res = r.results[0]!;
  out(`${resourceName(res)} patched${res.metadata?.resourceVersion === old.metadata?.resourceVersion ? ' (no change)' : ''}`);
  return 0;
});

/** `kubesim set image KIND/NAME CONTAINER=IMAGE…`: kubectl set image on the running cluster, one user command. */
export const setImageCommand = (target: string, args: readonly string[], o: ContextOptions): Promise<number> => withSession(o, async (s) => {
  const t = parseTarget(target);
  if (typeof t === 'string') { err(`error: ${t}`); return 2; }
  const images = parseImageArgs(args);
  if (typeof images === 'string') { err(images); return 2; }
  const state = new ObjectStore();
  await fetchInto(s, state, t.kind, KINDS[t.kind].namespaced ? 'default' : undefined, t.name);
  const plan = setImage(state, t.kind, 'default', t.name, images);
  if (plan.request !== undefined) {
    const r = await s.api.command({ command: 'set image', target, images }, [plan.request]);
    if (!r.ok) { err(kubectlMessage(r.error)); return 1; }
    out(plan.done!);
  }
  for (const e of plan.errors) err(e);
  return plan.errors.length > 0 ? 1 : 0;
});
