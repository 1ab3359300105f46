import * as E from 'fp-ts/lib/Either.js';
import { isKind, isNamespaced, kubectlMessage, type ApiError, type ApiRequest, type KObject, type PersistentVolumeClaim, type Pod, type Kind } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import { createCluster, type ClusterSpec, type ComponentSetup, type Simulation } from '@kubesim/runtime';
import { dnsRecords, resolveName, type DnsRecord } from '@kubesim/controllers';
import { conditionHolds, conditionKinds, evaluate, parseTarget, type EvalContext, type Remembered } from './conditions.js';
import type { Condition, Scenario, ScenarioStep } from './types.js';
import { drainNode, driveSync, evictPod, goDuration, type Driver, type DriverPort, type DriverRun } from './drain.js';
import { rolloutRestart, rolloutUndo, setImage } from './rollout.js';

export interface StepResult {
  readonly index: number;
  readonly step: ScenarioStep;
  readonly ok: boolean;
  /** Why it failed (expectation failures, timeout, refused request). */
  readonly messages: readonly string[];
  /** Virtual time when the step finished. */
  readonly timeMs: number;
  /** A refused request or unusable step: the run stops here. */
  readonly fatal: boolean;
  /** What the step printed, as kubectl would (a drain's cordon, evictions, retries). */
  readonly output?: readonly string[];
}

export interface RunReport {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly sim: Simulation;
  readonly steps: readonly StepResult[];
  readonly passed: boolean;
  readonly wallMs: number;
}

export interface RunOptions {
  readonly seed?: number;
  readonly onStep?: (r: StepResult, total: number) => void;
  readonly onStart?: (sim: Simulation) => void;
  /** Replace the component set (tests run deliberately broken controllers to show the checks fail). */
  readonly components?: (spec: ClusterSpec) => ComponentSetup[];
}

export const describeStep = (s: ScenarioStep): string => {
  if (s.title) return s.title;
  switch (s.op) {
    case 'apply': return `apply ${s.source} (${s.objects.map((o) => `${String(o.kind)}/${o.metadata?.name ?? ''}`).join(', ')})`;
    case 'scale': return `scale ${s.target} to ${s.replicas}`;
    case 'delete': return `delete ${s.target}${s.gracePeriodSeconds !== undefined ? ` --grace-period=${s.gracePeriodSeconds}` : ''}${s.propagationPolicy ? ` --cascade=${s.propagationPolicy.toLowerCase()}` : ''}`;
    case 'patch': return `patch ${s.target}${s.patchType ? '' : ' --type=merge'} ${JSON.stringify(s.patch)}`;
    case 'setImage': return `set image ${s.target} ${Object.entries(s.images).map(([c, i]) => `${c}=${i}`).join(' ')}`;
    case 'rollout': return `rollout ${s.action} ${s.target}${s.toRevision !== undefined ? ` --to-revision=${s.toRevision}` : ''}`;
    case 'cordon': case 'uncordon': return `${s.op} ${s.node}`;
    case 'evict': return `evict pod/${s.pod}${s.gracePeriodSeconds !== undefined ? ` --grace-period=${s.gracePeriodSeconds}` : ''}${s.refused ? ' (expect the eviction refused)' : ''}`;
    case 'drain': return `drain ${s.node}${s.force ? ' --force' : ''}${s.deleteEmptyDirData ? ' --delete-emptydir-data' : ''}${s.gracePeriodSeconds !== undefined ? ` --grace-period=${s.gracePeriodSeconds}` : ''} --timeout=${goDuration(s.timeoutMs)}${s.blocked ? ' (expect disruption budgets to block it)' : ''}`;
    case 'fault': return `fault ${JSON.stringify(s.fault)}`;
    case 'crash': case 'restart': case 'pause': case 'resume': case 'partition': case 'heal': return `${s.op} ${s.component}`;
    case 'sleep': return `sleep ${s.durationMs / 1000}s`;
    case 'wait': return `wait until ${conditionText(s.condition)}`;
    case 'settle': return `settle (quiet ${s.quietMs / 1000}s)`;
    case 'expect': return `expect ${conditionText(s.condition)}`;
    case 'remember': return `remember "${s.label}"`;
  }
};

/** A condition as one line: its JSON without quotes, cut at 160 characters (marked with …). */
const conditionText = (c: Condition): string => {
  const text = JSON.stringify(c).replace(/"/g, '');
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
};

/** The API's GET on a state (cluster-scoped kinds have no namespace). */
const getObject = (state: Snapshot, kind: Kind, namespace: string, name: string): KObject | undefined =>
  state.get(kind, isNamespaced(kind) ? namespace : '', name) as KObject | undefined;

/**
 * kubectl's `-n NAMESPACE` for objects read from manifests (resource.Builder FilenameParam with an enforced
 * namespace): a namespaced object without a namespace goes there; one naming another namespace is refused
 * with kubectl's message. Cluster-scoped objects are left as they are.
 */
export const placeInNamespace = (objs: readonly KObject[], namespace: string): KObject[] | string => {
  const placed: KObject[] = [];
  for (const o of objs) {
    if (!isKind(o.kind) || !isNamespaced(o.kind)) { placed.push(o); continue; }
    const own = o.metadata?.namespace;
    if (own && own !== namespace) return `the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`;
    placed.push(own ? o : { ...o, metadata: { ...o.metadata, namespace } } as KObject);
  }
  return placed;
};

/** Apply = create, or update the existing object with the manifest's labels, annotations and spec (status is kept). */
export const applyRequests = (state: Snapshot, objs: readonly KObject[]): ApiRequest[] => objs.map((o) => {
  const kind = o.kind as Kind;
  const existing = isKind(kind) ? getObject(state, kind, o.metadata?.namespace || 'default', o.metadata?.name ?? '') : undefined;
  if (!existing) return { verb: 'create', object: o };
  const merged = { ...existing, ...o, metadata: { ...existing.metadata, labels: o.metadata?.labels, annotations: o.metadata?.annotations } } as KObject;
  delete (merged.metadata as { resourceVersion?: string }).resourceVersion;
  if ((existing as { status?: unknown }).status !== undefined) (merged as { status?: unknown }).status = (existing as { status?: unknown }).status;
  return { verb: 'update', object: merged };
});

/** The cluster's DNS records, recomputed only when they can have changed: they are a function of the Services and EndpointSlices. */
class DnsView {
  private sourceSeq = 0;
  private computedAt = -1;
  private records: DnsRecord[] = [];

  constructor(private readonly sim: Simulation) {
    sim.log.subscribe((e) => {
      const kind = e.object?.kind;
      if (kind === 'Service' || kind === 'EndpointSlice') this.sourceSeq = e.seq;
    });
  }

  get(): readonly DnsRecord[] {
    if (this.computedAt !== this.sourceSeq) {
      this.records = dnsRecords(this.sim.api.store);
      this.computedAt = this.sourceSeq;
    }
    return this.records;
  }
}

const dnsViews = new WeakMap<Simulation, DnsView>();
const dnsOf = (sim: Simulation): DnsView => {
  let v = dnsViews.get(sim);
  if (!v) { v = new DnsView(sim); dnsViews.set(sim, v); }
  return v;
};

export const evalContext = (sim: Simulation, remembered: ReadonlyMap<string, Remembered>, namespace = 'default'): EvalContext => ({
  state: sim.api.store,
  log: sim.log.all(),
  remembered,
  resolve: (name) => resolveName(dnsOf(sim).get(), name),
  namespace,
});

/** A remembered point of a run: the log position and the uids of the pods and claims then. */
export const rememberState = (state: Snapshot, seq: number): Remembered => ({
  seq,
  pods: new Map([...state.list('Pod')].map((p: Pod) => [p.metadata!.name!, p.metadata!.uid!])),
  claims: new Map([...state.list('PersistentVolumeClaim')].map((c: PersistentVolumeClaim) => [c.metadata!.name!, { uid: c.metadata!.uid!, volumeName: c.spec?.volumeName ?? '' }])),
});
const remember = (sim: Simulation): Remembered => rememberState(sim.api.store, sim.log.lastSeq());

/** Run a scenario on the embedded engine. Deterministic for a given seed. */
export const runScenario = (scenario: Scenario, opts: RunOptions = {}): RunReport => {
  const t0 = performance.now();
  const seed = opts.seed ?? scenario.seed ?? 1;
  const sim = createCluster(scenario.cluster, seed, opts.components);
  dnsOf(sim);
  opts.onStart?.(sim);
  const remembered = new Map<string, Remembered>();
  const results: StepResult[] = [];
  const total = scenario.steps.length;
  for (let i = 0; i < total; i++) {
    const step = scenario.steps[i]!;
    const r = runStep(sim, step, remembered);
    const res: StepResult = { index: i + 1, step, ok: r.messages.length === 0, messages: r.messages, timeMs: sim.now, fatal: r.fatal, ...(r.output?.length ? { output: r.output } : {}) };
    results.push(res);
    opts.onStep?.(res, total);
    if (r.fatal) break;
  }
  return { scenario, seed, sim, steps: results, passed: results.every((r) => r.ok) && results.length === total, wallMs: performance.now() - t0 };
};

/**
 * A pod named by position: `@OWNER#I` is the I-th (modulo their number) of the pods controlled by the
 * StatefulSet or ReplicaSet OWNER, sorted by name — how a scenario names "some pod" of a ReplicaSet,
 * whose pod names are random. `undefined` when there is no such pod.
 */
export const resolvePodRef = (state: Snapshot, namespace: string, ref: string): string | undefined => {
  const m = /^@([^#]+)#(\d+)$/.exec(ref);
  if (!m) return undefined;
  const owner = m[1]!;
  const names = [...state.list('Pod', namespace)]
    .filter((p: Pod) => (p.metadata?.ownerReferences ?? []).some((r) => r.controller === true && r.name === owner))
    .map((p) => p.metadata!.name!)
    .sort();
  return names.length === 0 ? undefined : names[Number(m[2]) % names.length];
};

const fatal = (m: string) => ({ messages: [m], fatal: true });
const OK = { messages: [] as string[], fatal: false };

/** What a step asks of the API server: a user command (its COMMAND data and requests), a fault to record, or nothing. */
export type StepAction =
  | { readonly type: 'command'; readonly data: Record<string, unknown>; readonly reqs: ApiRequest[]; readonly optional: boolean; readonly refusable?: boolean; readonly output?: readonly string[] }
  | { readonly type: 'fault'; readonly fault: Readonly<Record<string, unknown>> }
  | { readonly type: 'done'; readonly output?: readonly string[] }
  | { readonly type: 'fatal'; readonly message: string };

const done: StepAction = { type: 'done' };
const refuse = (message: string): StepAction => ({ type: 'fatal', message });

/**
 * The request side of a step, decided on the current state (shared by the embedded and the distributed
 * runner): apply/scale/delete/patch/rollout/cordon/uncordon become a user command (rollout decided on the
 * state and the cluster's clock `nowMs`, as kubectl decides it), a fault is resolved (pod references,
 * existence). `undefined` for the other steps.
 */
export const stepAction = (state: Snapshot, step: ScenarioStep, nowMs = 0): StepAction | undefined => {
  const ns = step.namespace ?? 'default';
  const command = (data: Record<string, unknown>, reqs: ApiRequest[]): StepAction => ({ type: 'command', data, reqs, optional: step.optional === true, ...(step.refusable ? { refusable: true } : {}) });
  switch (step.op) {
    case 'apply': {
      const missing = missingStorageClass(state, step.objects);
      if (missing) return refuse(missing);
      return command({ command: 'apply', source: step.source, objects: step.objects.map((o) => `${String(o.kind)}/${o.metadata?.name ?? ''}`) }, applyRequests(state, step.objects));
    }
    case 'scale': {
      const t = parseTarget(step.target);
      if (typeof t === 'string') return refuse(t);
      return command({ command: 'scale', target: step.target, replicas: step.replicas },
        [{ verb: 'patch', kind: t.kind, namespace: ns, name: t.name, subresource: 'scale', patch: { spec: { replicas: step.replicas } } }]);
    }
    case 'delete': {
      const parsed = parseTarget(step.target);
      if (typeof parsed === 'string') return refuse(parsed);
      let t = parsed;
      if (t.kind === 'Pod' && t.name.startsWith('@')) {
        const name = resolvePodRef(state, ns, t.name);
        if (name === undefined) return step.optional ? done : refuse(`Error from server (NotFound): no pod matches "${t.name}"`);
        t = { kind: 'Pod', name };
      }
      return command({ command: 'delete', target: `${t.kind.toLowerCase()}/${t.name}`, ...(step.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: step.gracePeriodSeconds } : {}), ...(step.propagationPolicy ? { propagationPolicy: step.propagationPolicy } : {}) },
        [{ verb: 'delete', kind: t.kind, namespace: ns, name: t.name,
          ...(step.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: step.gracePeriodSeconds } : {}),
          ...(step.propagationPolicy ? { propagationPolicy: step.propagationPolicy } : {}) }]);
    }
    case 'patch': {
      const t = parseTarget(step.target);
      if (typeof t === 'string') return refuse(t);
      return command({ command: 'patch', target: step.target, patch: step.patch, ...(step.patchType ? { type: step.patchType } : {}) },
        [{ verb: 'patch', kind: t.kind, namespace: ns, name: t.name, patch: step.patch, ...(step.subresource ? { subresource: step.subresource } : {}), ...(step.patchType ? { patchType: step.patchType } : {}) }]);
    }
    case 'setImage': {
      const t = parseTarget(step.target);
      if (typeof t === 'string') return refuse(t);
      const plan = setImage(state, t.kind, ns, t.name, step.images);
      if (plan.errors.length > 0 && !(step.optional && plan.errors[0]!.startsWith('Error from server (NotFound)'))) {
        if (!step.refusable) return refuse(plan.errors.join('\n'));
      }
      if (plan.request === undefined) return { type: 'done', output: plan.errors };
      return {
        type: 'command', data: { command: 'set image', target: step.target, images: step.images }, reqs: [plan.request],
        optional: step.optional === true, ...(step.refusable ? { refusable: true } : {}), output: [plan.done!, ...plan.errors],
      };
    }
    case 'rollout': {
      const t = parseTarget(step.target);
      if (typeof t === 'string') return refuse(t);
      const plan = step.action === 'restart'
        ? rolloutRestart(state, t.kind, ns, t.name, nowMs)
        : rolloutUndo(state, t.kind, ns, t.name, step.toRevision ?? 0);
      // kubectl refuses before sending anything: an optional step on a missing set, or a refusable one, goes on.
      if (plan.type === 'error') {
        if (step.optional && plan.message.startsWith('Error from server (NotFound)')) return done;
        return step.refusable ? { type: 'done', output: [plan.message] } : refuse(plan.message);
      }
      if (plan.type === 'print') return { type: 'done', output: [plan.text] };
      return {
        type: 'command', data: { command: `rollout ${step.action}`, target: step.target, ...(step.toRevision !== undefined ? { toRevision: step.toRevision } : {}) },
        reqs: [plan.request], optional: step.optional === true, ...(step.refusable ? { refusable: true } : {}), output: [plan.done],
      };
    }
    case 'cordon': case 'uncordon':
      return command({ command: step.op, node: step.node },
        [{ verb: 'patch', kind: 'Node', namespace: '', name: step.node, patch: { spec: { unschedulable: step.op === 'cordon' ? true : null } } }]);
    case 'fault': {
      let f = step.fault;
      if (typeof f.name === 'string' && f.name.startsWith('@')) {
        const name = resolvePodRef(state, typeof f.namespace === 'string' ? f.namespace : ns, f.name);
        if (name === undefined) return step.optional ? done : refuse(`Error from server (NotFound): no pod matches "${f.name}"`);
        f = { ...f, name };
      }
      if (typeof f.name === 'string' && typeof f.fault === 'string' && f.fault.startsWith('pod-')) {
        if (!getObject(state, 'Pod', typeof f.namespace === 'string' ? f.namespace : ns, f.name)) {
          return step.optional ? done : refuse(`Error from server (NotFound): pods "${f.name}" not found`);
        }
      }
      return { type: 'fault', fault: f };
    }
    default:
      return undefined;
  }
};

/**
 * The steps that take time and several requests (evict, drain): a driver both runners run — `undefined`
 * for the other steps. A step naming a pod that does not exist is refused before anything is written.
 */
export const stepDriver = (port: DriverPort, step: ScenarioStep): Driver | { fatal: string } | { done: true } | undefined => {
  const ns = step.namespace ?? 'default';
  switch (step.op) {
    case 'evict': {
      const name = step.pod.startsWith('@') ? resolvePodRef(port.state(), ns, step.pod) : step.pod;
      if (name === undefined) return step.optional ? { done: true } : { fatal: `Error from server (NotFound): no pod matches "${step.pod}"` };
      if (step.optional && !port.state().get('Pod', ns, name)) return { done: true };
      return evictPod(ns, name, { ...(step.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: step.gracePeriodSeconds } : {}), ...(step.refused ? { refused: true } : {}) });
    }
    case 'drain':
      return drainNode(port, step.node, {
        timeoutMs: step.timeoutMs, ...(step.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: step.gracePeriodSeconds } : {}),
        ...(step.force ? { force: true } : {}), ...(step.deleteEmptyDirData ? { deleteEmptyDirData: true } : {}), ...(step.blocked ? { blocked: true } : {}),
      });
    default:
      return undefined;
  }
};

/**
 * What a driven step amounts to: a `refusable` step (generated cases) may be refused or not finish —
 * what went wrong is only printed.
 */
export const driverOutcome = (step: ScenarioStep, r: DriverRun): DriverRun =>
  step.refusable && r.messages.length > 0 ? { messages: [], fatal: false, output: [...r.output, ...r.messages] } : r;

/** Run a driver on the embedded engine: commands at once, waits in virtual time. */
const runDriver = (sim: Simulation, d: Driver): DriverRun => driveSync(d, {
  command: (data, reqs) => { const r = sim.command(data, reqs); return E.isRight(r) ? { ok: true } : { ok: false, error: r.left }; },
  waitUntil: (untilMs) => { if (untilMs > sim.now) sim.advance(untilMs - sim.now); },
});

/** A step's result with the lines it prints (kubectl's `statefulset.apps/web restarted`). */
export const withOutput = (r: { messages: string[]; fatal: boolean }, output: readonly string[] | undefined): { messages: string[]; fatal: boolean; output?: string[] } =>
  (output?.length ? { ...r, output: [...output] } : r);

/** A refused command writes nothing: an optional step on a missing object, or a refusable one, is a no-op. */
export const commandRefusal = (action: Extract<StepAction, { type: 'command' }>, err: ApiError): { messages: string[]; fatal: boolean } =>
  (action.optional && err.reason === 'NotFound') || action.refusable === true ? OK : fatal(kubectlMessage(err));

const runStep = (sim: Simulation, step: ScenarioStep, remembered: Map<string, Remembered>): { messages: string[]; fatal: boolean; output?: string[] } => {
  const driver = stepDriver({ state: () => sim.api.store, now: () => sim.now }, step);
  if (driver !== undefined) return 'fatal' in driver ? fatal(driver.fatal) : 'done' in driver ? OK : driverOutcome(step, runDriver(sim, driver));
  const action = stepAction(sim.api.store, step, sim.now);
  if (action !== undefined) {
    switch (action.type) {
      case 'done': return withOutput(OK, action.output);
      case 'fatal': return fatal(action.message);
      case 'command': {
        const r = sim.command(action.data, action.reqs);
        return E.isRight(r) ? withOutput(OK, action.output) : commandRefusal(action, r.left);
      }
      case 'fault':
        try {
          sim.fault(action.fault);
        } catch (err) {
          return fatal((err as Error).message);
        }
        return OK;
    }
  }
  switch (step.op) {
    case 'crash':
      return sim.crash(step.component) ? OK : fatal(`no component "${step.component}"`);
    case 'restart':
      return sim.restart(step.component) ? OK : fatal(`no component "${step.component}"`);
    case 'pause': case 'resume': case 'partition': case 'heal': {
      const error = sim.chaos(step.op, step.component);
      return error === undefined ? OK : fatal(error);
    }
    case 'sleep':
      sim.advance(step.durationMs);
      return OK;
    case 'settle': {
      const stop = sim.run({ quietMs: step.quietMs, deadlineMs: sim.now + step.timeoutMs });
      return stop === 'deadline' ? { messages: [`did not settle within ${step.timeoutMs / 1000}s`], fatal: false } : OK;
    }
    case 'wait': {
      const deadline = sim.now + step.timeoutMs;
      // Conditions read only the log and the state folded from it: re-evaluate only when the log grew by
      // an entry of a kind the condition reads (checked once first, before anything runs).
      let checkedSeq = -1;
      const kinds = conditionKinds(step.condition);
      const log = sim.log.all();
      const holdsNow = conditionHolds(step.condition);
      const holds = () => holdsNow(evalContext(sim, remembered, step.namespace));
      const relevant = (from: number, to: number): boolean => {
        if (from < 0 || kinds === undefined) return true;
        for (let s = from + 1; s <= to; s++) { const k = log[s - 1]?.object?.kind; if (k !== undefined && kinds.has(k)) return true; }
        return false;
      };
      const stop = sim.run({ deadlineMs: deadline, until: () => {
        const n = sim.log.lastSeq();
        if (n === checkedSeq) return false;
        const from = checkedSeq;
        checkedSeq = n;
        return relevant(from, n) && holds();
      } });
      if (stop === 'condition' || holds()) return OK;
      const why = evaluate(evalContext(sim, remembered, step.namespace), step.condition);
      const what = stop === 'idle' ? `nothing left to happen at t=${(sim.now / 1000).toFixed(3)}s`
        : sim.pendingForeground() === 0 ? `timed out after ${step.timeoutMs / 1000}s with nothing left to happen but periodic informer resyncs`
          : `timed out after ${step.timeoutMs / 1000}s`;
      return { messages: [`${what}: ${why.join('; ')}`], fatal: false };
    }
    case 'expect':
      return { messages: evaluate(evalContext(sim, remembered, step.namespace), step.condition), fatal: false };
    case 'remember':
      remembered.set(step.label, remember(sim));
      return OK;
    default:
      return OK; // request steps are handled above
  }
};

/**
 * kubesim refuses a manifest whose claims name a StorageClass that neither exists nor is applied with
 * it. (Kubernetes accepts it and the claims stay Pending with ProvisioningFailed; see docs/semantics.md.)
 */
export const missingStorageClass = (state: Snapshot, objs: readonly KObject[]): string | undefined => {
  const applied = new Set(objs.filter((o) => o.kind === 'StorageClass').map((o) => o.metadata?.name ?? ''));
  const exists = (name: string) => applied.has(name) || state.get('StorageClass', '', name) !== undefined;
  for (const o of objs) {
    const claims: { path: string; cls: string | null | undefined }[] = [];
    if (o.kind === 'PersistentVolumeClaim') claims.push({ path: 'spec.storageClassName', cls: (o as PersistentVolumeClaim).spec?.storageClassName });
    if (o.kind === 'StatefulSet') {
      ((o as { spec?: { volumeClaimTemplates?: PersistentVolumeClaim[] } }).spec?.volumeClaimTemplates ?? [])
        .forEach((t, i) => claims.push({ path: `spec.volumeClaimTemplates[${i}].spec.storageClassName`, cls: t.spec?.storageClassName }));
    }
    for (const c of claims) {
      if (c.cls && !exists(c.cls)) {
        const k = o.kind === 'StatefulSet' ? 'StatefulSet' : 'PersistentVolumeClaim';
        return `The ${k} "${o.metadata?.name ?? ''}" is invalid: ${c.path}: Not found: "${c.cls}": storageclasses.storage.k8s.io "${c.cls}" not found`;
      }
    }
  }
  return undefined;
};
