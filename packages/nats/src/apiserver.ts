import { randomInt } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Msg, Subscription } from '@nats-io/transport-node';
import {
  apiError, isKind, isNamespaced, keyOf, KUBERNETES_SERVICE_INTERVAL_MS, newForbidden, newTimeout, objectKey, Rand, requestKind,
  type ApiError, type ApiRequest, type Kind, type KObject,
} from '@kubesim/api';
import { ApiCore, conflictFor, createdBefore, STEP_RETRIES, stepFailed, stepRequest, stepsConflicted, type RequestContext, type Step } from '@kubesim/apiserver';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import { bootstrapObjects } from '@kubesim/runtime';
import { ObjectStore } from '@kubesim/state';
import { stampObject } from './codec.js';
import { DilatedClock } from './clock.js';
import { bootstrapData, readCluster, type DistributedCluster } from './cluster.js';
import { connectNats, jsOf, logConnectionChanges, type Credentials, type Js } from './connect.js';
import { appendEntry, ensureStream, LogFollower } from './log.js';
import { actorOfApiSubject, subjectsFor, type Subjects } from './subjects.js';
import { SeqWaiters } from './waiters.js';
import { decodeWire, encodeWire, type WireRequest, type WireResponse } from './wire.js';

export interface NatsApiServerOptions {
  readonly url: string;
  readonly creds?: Credentials;
  readonly cluster: string;
  /** Write the bootstrap entry and objects if the log is empty (several replicas may race: one wins). */
  readonly bootstrap?: DistributedCluster;
  /** Stream replicas when this server creates the stream (an open server; `kubesim up` creates it itself). */
  readonly streamReplicas?: number;
  /** This replica's name (logs, connection name). */
  readonly name?: string;
  /** One line per notable thing (denied requests, retries): the process log. */
  readonly log?: (line: string) => void;
  /** Give up a request whose log write cannot be stored after this long (the answer is a Timeout). */
  readonly writeTimeoutMs?: number;
  /**
   * Requests handled at once (`--max-requests-inflight`, 400 in Kubernetes); beyond it a request is
   * answered 429 at once and the client backs off — which also bounds the server's memory under load.
   */
  readonly maxInFlight?: number;
}

const SYSTEM_RECORDERS = new Set(['system:runtime', 'system:chaos']);
/** Attempts of one request against a store that turned out stale (each waits for the store to catch up). */
const MAX_ATTEMPTS = 20;
const CATCH_UP_TIMEOUT_MS = 5_000;

/** The resourceVersion a request names as its precondition (the store must have seen it to judge). */
const preconditionSeq = (r: ApiRequest): number => {
  const rv = r.verb === 'update' ? r.object.metadata?.resourceVersion
    : r.verb === 'patch' ? r.resourceVersion
      : r.verb === 'delete' ? r.preconditions?.resourceVersion : undefined;
  const n = Number(rv ?? 0);
  return Number.isFinite(n) ? n : 0;
};

/**
 * The API server as a NATS service: the single writer of the log. Every replica folds the whole log
 * into its own store (one ordered consumer) and answers requests from a queue group. A decision is
 * published with the object's expected subject sequence: when two replicas (or two requests) race,
 * JetStream refuses the stale one with "wrong last sequence", the loser waits until its store has
 * seen the winner's entry and decides again — so no update is ever lost, and a request with a
 * resourceVersion precondition gets the Conflict Kubernetes would give.
 */
export class NatsApiServer {
  private readonly core: ApiCore;
  private readonly lastSeqByKey = new Map<string, number>();
  /** Requests waiting for the fold; a stalled watch's gap is read from the stream. */
  private readonly waiters = new SeqWaiters((seq, ms) => this.follower?.awaitSeq(seq, ms));
  /** Serialised request chains (creates in a namespace with ResourceQuotas). */
  private readonly locks = new Map<string, Promise<unknown>>();
  private follower: LogFollower | undefined;
  private sub: Subscription | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private kubernetesServiceTimer: NodeJS.Timeout | undefined;
  private clock: DilatedClock | undefined;
  readonly s: Subjects;
  /** Requests answered, log appends, appends refused as stale (then retried). */
  readonly stats = { requests: 0, appends: 0, staleRetries: 0, denied: 0, throttled: 0 };
  private inFlight = 0;

  private constructor(private readonly j: Js, private readonly o: NatsApiServerOptions) {
    this.s = subjectsFor(o.cluster);
    this.core = new ApiCore({ lastSeqOfObject: (kind, ns, name) => this.lastSeqByKey.get(objectKey(kind as Kind, isNamespaced(kind as Kind) ? ns : '', name)) ?? 0 }, new Rand(randomInt(2 ** 32)), new ObjectStore(), (d) => {
      this.stats.denied++;
      this.log(`denied: ${d.actor}: ${d.message}`);
    });
  }

  static async start(o: NatsApiServerOptions): Promise<NatsApiServer> {
    const nc = await connectNats({ url: o.url, name: `kubesim:${o.name ?? 'apiserver'}`, ...(o.creds ? { creds: o.creds } : {}) });
    const a = new NatsApiServer(jsOf(nc), o);
    // Connection losses in its log, as the components' hosts do (a partition or a server restart shows).
    logConnectionChanges(nc, (l) => a.log(l));
    try {
      await a.begin();
    } catch (err) {
      await nc.close();
      throw err;
    }
    return a;
  }

  private log(line: string): void { this.o.log?.(line); }

  get store(): ApiCore['store'] { return this.core.store; }
  get cluster(): Subjects { return this.s; }

  private async begin(): Promise<void> {
    if (this.o.bootstrap) await this.writeBootstrapEntry(this.o.bootstrap);
    const cluster = await readCluster(this.j, this.s);
    this.clock = new DilatedClock(cluster);
    const clock = this.clock;
    await new Promise<void>((resolve, reject) => {
      this.follower = new LogFollower(this.j, this.s, {
        timeOf: (w) => clock.fromWall(w),
        onEntry: (e) => this.apply(e),
        onSynced: resolve,
        onStatus: (l) => this.log(`watch ${l}`),
      });
      this.follower.start().catch(reject);
    });
    this.log(`synced at seq ${this.core.store.seq}`);
    await this.ensureBootstrapObjects(cluster);
    this.sub = this.j.nc.subscribe(this.s.apiAll, { queue: 'apiserver', callback: (err, msg) => { if (!err) void this.serve(msg); } });
    this.log(`serving ${this.s.apiAll} (queue group apiserver)`);
    this.statusTimer = setInterval(() => this.announce(), 1000);
    this.statusTimer.unref();
    this.kubernetesServiceTimer = setInterval(() => { void this.keepKubernetesService(); }, Math.max(1, clock.wallDelay(KUBERNETES_SERVICE_INTERVAL_MS)));
    this.kubernetesServiceTimer.unref();
    this.announce();
  }

  /**
   * [kubernetesservice controller UpdateKubernetesService]: every 10 s (scaled), the `kubernetes` Service is
   * created again if it is missing, by `system:apiserver` (each replica looks; one create wins).
   */
  private async keepKubernetesService(): Promise<void> {
    const repair = this.core.kubernetesServiceRepair();
    if (repair === undefined) return;
    const r = await this.request(repair, 'system:apiserver', null, `kubernetes-service/${this.o.name ?? 'apiserver'}/${Date.now()}`);
    if (r.ok) this.log('created the kubernetes Service again');
  }

  /** What this replica has done, on `ksim.<cluster>.status.apiserver` (`kubesim ps`, tests). */
  private announce(): void {
    const nc = this.j.nc;
    if (nc.isClosed()) return;
    const st = { component: 'apiserver', user: 'apiserver', name: this.o.name ?? 'apiserver', pid: process.pid, state: 'running', shards: 1, seq: this.core.store.seq, queued: 0, reconciles: this.stats.requests, writes: this.stats.appends, failedWrites: this.stats.staleRetries, ...this.stats };
    try { nc.publish(this.s.status('apiserver'), JSON.stringify(st)); } catch { /* closing */ }
  }

  private async writeBootstrapEntry(c: DistributedCluster): Promise<void> {
    try {
      await ensureStream(this.j.nc, this.s, { replicas: this.o.streamReplicas ?? 1 });
    } catch (err) {
      // Without the right to create streams (a generated configuration), `kubesim up` has created it.
      this.log(`stream not created by this server (${(err as Error).message}); using the existing one`);
    }
    const r = await this.append(() => appendEntry(this.j, this.s, { type: 'COMMAND', actor: 'system:bootstrap', cause: null, data: bootstrapData(c), expectSeq: 0 }, `bootstrap/${c.id}`, this.s.bootstrap));
    if (r !== undefined && E.isRight(r) && !r.right.duplicate) this.log(`bootstrapped cluster ${c.id} (seq ${r.right.seq})`);
  }

  /** The bootstrap objects that are missing (a replica that died half-way, a restart): created now, by system:bootstrap. */
  private async ensureBootstrapObjects(c: DistributedCluster): Promise<void> {
    for (const object of bootstrapObjects(c.spec)) {
      const kind = object.kind as Kind;
      if (this.core.get(kind, object.metadata?.namespace ?? '', object.metadata?.name ?? '')) continue;
      const res = await this.request({ verb: 'create', object }, 'system:bootstrap', 1, `bootstrap/${keyOf(object)}`);
      if (!res.ok && res.error.reason !== 'AlreadyExists') throw new Error(`bootstrap ${keyOf(object)}: ${res.error.message}`);
    }
  }

  private apply(e: Envelope): void {
    this.core.store.apply(e);
    if (isObjectEntry(e)) {
      const m = e.object.metadata;
      this.lastSeqByKey.set(objectKey(e.object.kind as Kind, m?.namespace ?? '', m?.name ?? ''), e.seq);
    }
    this.waiters.reached(e.seq);
  }

  /** Resolves once the store has folded `seq` (at once if it has); gives up after a timeout. */
  private caughtUp(seq: number): Promise<void> {
    return this.waiters.wait(seq, this.core.store.seq, CATCH_UP_TIMEOUT_MS);
  }

  private ctx(actor: string, cause: number | null, dryRun = false): RequestContext {
    return { actor, cause, time: this.clock!.now(), ...(dryRun ? { dryRun } : {}) };
  }

  /**
   * One request, as Kubernetes' registry does it: decide on the current store, write with the
   * object's expected sequence; a stale decision (another write got there first) is decided again
   * once the store has caught up.
   */
  async request(req: ApiRequest, actor: string, cause: number | null, id: string): Promise<WireResponse> {
    this.stats.requests++;
    await this.caughtUp(Math.max(cause ?? 0, preconditionSeq(req)));
    // ResourceQuota admission charges a create by a compare-and-set on the quota's status, which keeps
    // replicas from admitting past a limit; within one replica, creates in a namespace with quotas are
    // decided one at a time (as Kubernetes' quota evaluator works a namespace's requests in one batch),
    // so they do not lose that compare-and-set to each other and decide again.
    const ns = req.verb === 'create' && isKind(req.object.kind) && isNamespaced(req.object.kind) ? req.object.metadata?.namespace || 'default' : undefined;
    if (ns !== undefined && this.core.store.count('ResourceQuota', ns) > 0) return this.serialized(`quota/${ns}`, () => this.decideAndAppend(req, actor, cause, id));
    return this.decideAndAppend(req, actor, cause, id);
  }

  /** Run `f` after every earlier call with the same key has finished. */
  private serialized<T>(key: string, f: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(key) ?? Promise.resolve()).then(f);
    const tail = run.then(() => undefined, () => undefined);
    this.locks.set(key, tail);
    void tail.then(() => { if (this.locks.get(key) === tail) this.locks.delete(key); });
    return run;
  }

  private async decideAndAppend(req: ApiRequest, actor: string, cause: number | null, id: string, internal = false): Promise<WireResponse> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const d = this.core.decide(req, { ...this.ctx(actor, cause), ...(internal ? { internal } : {}) });
      if (E.isLeft(d)) return { ok: false, error: d.left };
      if ('done' in d.right) return { ok: true, object: d.right.done };
      if ('steps' in d.right) {
        const r = await this.runSteps(d.right.steps, actor, cause, `${id}/${attempt}`);
        if (!('retry' in r)) return r;
        if (attempt + 1 >= STEP_RETRIES) return { ok: false, error: stepsConflicted(r.retry) };
        continue;
      }
      const append = d.right.append;
      const r = await this.append(() => appendEntry(this.j, this.s, append, `${actor}/${id}/${attempt}`));
      if (r === undefined) return { ok: false, error: newTimeout() };
      if (E.isRight(r)) {
        this.stats.appends++;
        await this.caughtUp(r.right.seq);
        const then = d.right.then ?? [];
        for (const [i, next] of then.entries()) await this.decideAndAppend(next, actor, cause, `${id}/${attempt}/then${i}`, true);
        return { ok: true, object: stampObject(append.object, r.right.seq) };
      }
      this.stats.staleRetries++;
      await this.caughtUp(r.left.actual);
    }
    return { ok: false, error: conflictFor(req.verb === 'create' || req.verb === 'update' ? req.object : ({ kind: requestKind(req), metadata: { name: req.name } } as KObject)) };
  }

  /** A request's steps (an eviction's writes), in order, as the API server's own; the last one's object is the answer. */
  private async runSteps(steps: readonly Step[], actor: string, cause: number | null, id: string): Promise<WireResponse | { readonly retry: Step }> {
    let previous: KObject | undefined;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const r = await this.decideAndAppend(stepRequest(step, previous), actor, cause, `${id}/${i}`, true);
      if (!r.ok) {
        for (let j = i - 1; j >= 0; j--) {
          const undo = steps[j]!.undo;
          if (undo) await this.decideAndAppend(undo, actor, cause, `${id}/${i}/undo${j}`, true);
        }
        const f = stepFailed(step, r.error);
        return 'retry' in f ? f : { ok: false, error: f };
      }
      if (!('object' in r)) return { ok: false, error: apiError('InternalError', 500, 'unexpected answer') };
      previous = r.object;
    }
    return { ok: true, object: previous! };
  }

  /** Publish with retries of the same msgID while the server cannot answer (a restart): stored once. */
  private async append<T>(publish: () => Promise<T>): Promise<T | undefined> {
    const deadline = Date.now() + (this.o.writeTimeoutMs ?? 30_000);
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      try {
        return await publish();
      } catch (err) {
        if (Date.now() > deadline) { this.log(`write failed: ${(err as Error).message}`); return undefined; }
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async record(type: 'COMMAND' | 'FAULT' | 'COMPONENT', data: unknown, actor: string, id: string): Promise<number | undefined> {
    const r = await this.append(() => appendEntry(this.j, this.s, { type, actor, cause: null, data }, `${actor}/${id}`));
    if (r === undefined || E.isLeft(r)) return undefined;
    await this.caughtUp(r.right.seq);
    return r.right.seq;
  }

  /** A user command (Simulation.command): all requests validated first; nothing written if one is refused. */
  async command(data: Readonly<Record<string, unknown>>, reqs: readonly ApiRequest[], actor: string, id: string): Promise<WireResponse> {
    const pending = createdBefore(reqs);
    for (const [i, r] of reqs.entries()) {
      const dry = this.core.decide(r, { ...this.ctx(actor, null, true), pending: pending[i]! });
      if (E.isLeft(dry)) return { ok: false, error: dry.left };
    }
    const cmd = await this.record('COMMAND', data, actor, `${id}/command`);
    if (cmd === undefined) return { ok: false, error: newTimeout() };
    const results: KObject[] = [];
    for (let i = 0; i < reqs.length; i++) {
      const res = await this.request(reqs[i]!, actor, cmd, `${id}/${i}`);
      if (!res.ok) return res;
      if ('object' in res) results.push(res.object);
    }
    return { ok: true, command: cmd, results };
  }

  private list(kind: Kind, namespace: string | undefined, name: string | undefined): WireResponse {
    const store = this.core.store;
    if (name !== undefined) {
      const o = store.get(kind, isNamespaced(kind) ? namespace ?? 'default' : '', name);
      return { ok: true, objects: o ? [o as KObject] : [], seq: store.seq };
    }
    return { ok: true, objects: [...store.list(kind, isNamespaced(kind) ? namespace : undefined)] as KObject[], seq: store.seq };
  }

  private async serve(msg: Msg): Promise<void> {
    let res: WireResponse;
    if (this.inFlight >= (this.o.maxInFlight ?? 400)) {
      this.stats.throttled++;
      if (msg.reply) msg.respond(encodeWire({ ok: false, error: apiError('TooManyRequests', 429, 'Too many requests, please try again later.') }));
      return;
    }
    this.inFlight++;
    try {
      const actor = actorOfApiSubject(this.s, msg.subject);
      const w = decodeWire<WireRequest>(msg.data);
      if (actor === undefined) res = { ok: false, error: apiError('BadRequest', 400, `no actor in subject ${msg.subject}`) };
      else res = await this.dispatch(actor, w);
    } catch (err) {
      res = { ok: false, error: apiError('InternalError', 500, `Internal error occurred: ${(err as Error).message}`) };
    } finally {
      this.inFlight--;
    }
    if (msg.reply) msg.respond(encodeWire(res));
  }

  private async dispatch(actor: string, w: WireRequest): Promise<WireResponse> {
    switch (w.op) {
      case 'request': {
        const r = await this.request(w.req, actor, w.cause, w.id);
        return w.brief && r.ok && 'object' in r ? { ok: true, object: identityOf(r.object) } : r;
      }
      case 'command':
        if (actor !== 'user') return { ok: false, error: this.deny(actor, 'commands are for users') };
        return this.command(w.data, w.reqs, actor, w.id);
      case 'record': {
        if (!SYSTEM_RECORDERS.has(actor)) return { ok: false, error: this.deny(actor, `only the runtime may record ${w.type} entries`) };
        const seq = await this.record(w.type, w.data, actor, w.id);
        return seq === undefined ? { ok: false, error: newTimeout() } : { ok: true, seq };
      }
      case 'list': return this.list(w.kind, w.namespace, w.name);
    }
  }

  private deny(actor: string, why: string): ApiError {
    this.stats.denied++;
    this.log(`denied: ${actor}: ${why}`);
    return newForbidden('Event', '', `User "system:${actor}" cannot record: ${why}`);
  }

  async stop(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.kubernetesServiceTimer) clearInterval(this.kubernetesServiceTimer);
    await this.sub?.drain().catch(() => undefined);
    await this.follower?.stop();
    await this.j.nc.drain().catch(() => undefined);
  }
}

/**
 * What a brief answer carries of the written object: its identity, resourceVersion and generation (the
 * EndpointSlice controller's tracker records the generation of each slice it wrote, as Kubernetes' does
 * from the API's answer, to know when its cache is older than its own writes).
 */
export const identityOf = (o: KObject): KObject => {
  const m = o.metadata ?? {};
  return {
    apiVersion: o.apiVersion, kind: o.kind,
    metadata: {
      name: m.name, ...(m.namespace !== undefined ? { namespace: m.namespace } : {}), uid: m.uid, resourceVersion: m.resourceVersion,
      ...(m.generation !== undefined ? { generation: m.generation } : {}),
    },
  } as KObject;
};
