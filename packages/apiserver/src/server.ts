import { isIPv4 } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import {
  applyDefaults, conditionGeneration, hasDefaults, merged, validateCreate, validateUpdate, validateStatusUpdate, newInvalid, newConflict, newAlreadyExists,
  newNotFound, newForbidden, newBadRequest, apiError, generateName, uuidFrom, timestamp, isKind, isNamespaced, KINDS,
  objectKey, required, invalid, newInvalidScale, type ApiError, type ApiRequest, type Kind, type KObject, type Pod, type PersistentVolumeClaim,
  type StorageClass, type Rand, type ObjectMeta, type Service, type EndpointSlice, type PodDisruptionBudget,
  compileSelector, isPodReady, podQOS, updatePodCondition, requestKind, requestName, withDisruptionAllowed, type PdbStatus,
  decodeSecret, undecodableSecretMessage, podDeletionGraceSeconds, type Secret, admitServiceAccount, defaultServiceAccount, podServiceAccountName, tokenVolumeName,
  SERVICE_CIDR, serviceClusterIps, serviceIpAddress, heldByService, type IPAddress, type ResourceQuota,
  KUBERNETES_SERVICE, kubernetesService, type Namespace,
} from '@kubesim/api';
import type { AppendRequest, LogPort, Envelope } from '@kubesim/log';
import { VersionedStore, type ObjectStore, type Snapshot } from '@kubesim/state';
import { authorize } from './authz.js';
import { mergePatch, strategicMergePatch } from './mergepatch.js';
import { quotaAdmission } from './quota.js';
import { resizeRefusal } from './resize.js';

export interface RequestContext {
  /** Who sends the request: `user`, `statefulset-controller`, `kubelet:node-a`, ... */
  readonly actor: string;
  /** The seq of the log entry the actor is reacting to (null for user input). */
  readonly cause: number | null;
  /** Virtual time of the write, in milliseconds. */
  readonly time: number;
  /** Validate and authorize only; write nothing. */
  readonly dryRun?: boolean;
  /**
   * With `dryRun`: the objects (`objectKey`s) that requests before this one in the same command create — a
   * command's requests are all validated before any is applied, and a manifest may hold a Namespace and the
   * objects in it, or a ServiceAccount and the pod that names it.
   */
  readonly pending?: { readonly has: (key: string) => boolean };
  /** A write the API server makes itself while serving an authorized request (an eviction's): not authorized again. */
  readonly internal?: boolean;
}

export type ApiResult = E.Either<ApiError, KObject>;

/**
 * The objects a command's requests create (`objectKey`s), as each request's dry run sees them: those created by
 * the requests before it. One index of first creations, O(requests), however long the command (a bootstrap).
 */
export const createdBefore = (reqs: readonly ApiRequest[]): { readonly has: (key: string) => boolean }[] => {
  const firstAt = new Map<string, number>();
  reqs.forEach((r, i) => {
    if (r.verb !== 'create' || !isKind(r.object.kind) || !r.object.metadata?.name) return;
    const kind = r.object.kind;
    const key = objectKey(kind, isNamespaced(kind) ? r.object.metadata.namespace || 'default' : '', r.object.metadata.name);
    if (!firstAt.has(key)) firstAt.set(key, i);
  });
  return reqs.map((_, i) => ({ has: (key: string) => (firstAt.get(key) ?? Infinity) < i }));
};

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';
export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

/** Namespaces the NamespaceLifecycle admission plugin never lets go. */
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/** Kinds whose spec changes bump metadata.generation. */
const GENERATION_KINDS = new Set<string>(['StatefulSet', 'ReplicaSet', 'Pod', 'EndpointSlice', 'PodDisruptionBudget']);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The object entry a request decided to append: the log checks `expectSeq` (compare-and-set). */
export type ObjectAppend = Omit<AppendRequest, 'object' | 'expectSeq' | 'type'> & {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: KObject;
  readonly expectSeq: number;
};

/**
 * One write of a request that makes several, in order (the eviction subresource: the budget's status,
 * the pod's DisruptionTarget condition, the deletion), each decided when its turn comes.
 */
export interface Step {
  readonly req: ApiRequest;
  /** What takes this step's write back when a later step fails (the Service IP allocator's release). */
  readonly undo?: ApiRequest;
  /** A delete that takes the resourceVersion the previous step wrote as its precondition. */
  readonly afterPrevious?: true;
  /** What a Conflict on this step means: decide the whole request again, or this answer. */
  readonly onConflict?: 'retry' | ApiError;
}

/**
 * What a request decided: an entry to append (and the API server's own requests to send once it is written,
 * whose failures change nothing: a deleted Service's IPAddress released), an answer without a write (dry
 * run, no-op update), or steps.
 */
export type Decision =
  | { readonly append: ObjectAppend; readonly then?: readonly ApiRequest[] }
  | { readonly done: KObject }
  | { readonly steps: readonly Step[] };

/** The steps that write charged quotas' status (a lost compare-and-set decides the request again). */
const quotaCharges = (charged: readonly ResourceQuota[]): Step[] =>
  charged.map((q) => ({ req: { verb: 'update', subresource: 'status', object: q as KObject }, onConflict: 'retry' }));

/** How often a host decides a request with steps again after a conflict (EvictionsRetry: 20 steps). */
export const STEP_RETRIES = 20;

/** The request a step sends, given what the previous step wrote. */
export const stepRequest = (step: Step, previous: KObject | undefined): ApiRequest => {
  if (!step.afterPrevious || step.req.verb !== 'delete' || previous?.metadata?.resourceVersion === undefined) return step.req;
  return { ...step.req, preconditions: { ...step.req.preconditions, resourceVersion: previous.metadata.resourceVersion } };
};

/**
 * A step that failed: the request is decided again (a Conflict on a step marked `retry`), or answered
 * with the step's own error for a Conflict, else with the failure itself.
 */
export const stepFailed = (step: Step, error: ApiError): { readonly retry: Step } | ApiError => {
  // A create that finds its object made meanwhile lost the same race as a stale compare-and-set.
  const lostRace = error.reason === 'Conflict' || (error.reason === 'AlreadyExists' && step.req.verb === 'create');
  if (!lostRace || step.onConflict === undefined) return error;
  return step.onConflict === 'retry' ? { retry: step } : step.onConflict;
};

/**
 * What a request with steps answers once `STEP_RETRIES` decisions all lost a compare-and-set on the
 * same step: EvictionREST's `couldn't update PodDisruptionBudget "x" due to conflicts` (a Timeout, 504),
 * naming the object of the step that conflicted.
 */
export const stepsConflicted = (step: Step): ApiError =>
  apiError('Timeout', 504, `couldn't update ${requestKind(step.req)} "${requestName(step.req)}" due to conflicts`);

/** The conflict a stale compare-and-set answers with (as Kubernetes' storage layer does). */
export const conflictFor = (object: KObject): ApiError =>
  newConflict(object.kind as Kind, object.metadata?.name ?? '', 'the object has been modified; please apply your changes to the latest version and try again');

/** The last seq of an object, deleted objects included (what a create compares against). */
export interface LastSeqView { lastSeqOfObject(kind: string, namespace: string, name: string): number }

/** An IPv4 address as a 32-bit number. */
const ipv4Number = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
// The service range as a first address and a size, from SERVICE_CIDR.
const [SERVICE_RANGE_BASE, SERVICE_RANGE_SIZE] = ((): [number, number] => {
  const [network, bits] = SERVICE_CIDR.split('/') as [string, string];
  return [ipv4Number(network), 2 ** (32 - Number(bits))];
})();
const serviceRangeAddress = (offset: number): string => {
  const n = SERVICE_RANGE_BASE + offset;
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
};
const ipv4Offset = (ip: string): number | undefined => (isIPv4(ip) ? ipv4Number(ip) - SERVICE_RANGE_BASE : undefined);
/** The first and last addresses a Service may get (not the network's, nor its broadcast address). */
const SERVICE_RANGE_FIRST = 1;
const SERVICE_RANGE_LAST = SERVICE_RANGE_SIZE - 2;
/**
 * [calculateRangeOffset] KEP-3070: the first min(max(16, size/16), 256) addresses are the static band, which
 * dynamic allocation takes only once the rest is full — left for addresses users ask for.
 */
const STATIC_BAND = Math.min(Math.max(16, Math.floor(SERVICE_RANGE_SIZE / 16)), 256);

/**
 * Why a requested cluster IP cannot be allocated [ipallocator Allocate]: outside the range (its network and
 * broadcast addresses included), or held by another Service. Undefined: it can.
 */
export const serviceIpRefusal = (ip: string, held: boolean): string | undefined => {
  const off = ipv4Offset(ip);
  if (off === undefined || off < SERVICE_RANGE_FIRST || off > SERVICE_RANGE_LAST) {
    return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`;
  }
  return held ? 'provided IP is already allocated' : undefined;
};

/**
 * The API server's decisions: authorization, defaulting, validation, admission, uid/generation,
 * graceful deletion and finalizers, read from `store` (the fold of the log) — without writing. Hosts
 * commit a decision: the embedded `ApiServer` appends synchronously; the NATS API server publishes it
 * to JetStream with the object's expected subject sequence.
 */
export class ApiCore<S extends Snapshot = ObjectStore> {
  /** The Service IP allocator's draws (a stream of its own: allocating does not move the uids). */
  private readonly ipRand: Rand;
  private readonly denied: { actor: string; message: string; time: number }[] = [];

  constructor(
    private readonly seqs: LastSeqView,
    private readonly rand: Rand,
    /** The server's own view: the fold of the log (kept current by whoever commits or follows the log). */
    readonly store: S,
    /** Told of every denied request (the NATS API server logs them). */
    private readonly onDenied?: (d: { actor: string; message: string; time: number }) => void,
  ) {
    this.ipRand = rand.fork('service-ips');
  }

  /** Denied requests (authorization failures), for `kubesim logs apiserver` and tests. */
  deniedRequests(): readonly { actor: string; message: string; time: number }[] { return this.denied; }

  /** Decide a request against the current store; nothing is written. */
  decide(req: ApiRequest, ctx: RequestContext): E.Either<ApiError, Decision> {
    switch (req.verb) {
      case 'create': return this.create(req.object, ctx);
      case 'update': return this.update(req.object, req.subresource, ctx);
      case 'patch': return this.patch(req, ctx);
      case 'delete': return this.delete(req, ctx);
      case 'bind': return this.bind(req, ctx);
      case 'evict': return this.evict(req, ctx);
    }
  }

  /** Look up an object by kind/namespace/name (the API's GET). */
  get(kind: Kind, namespace: string, name: string): KObject | undefined {
    return this.current(kind, namespace, name);
  }
  keyFor(kind: Kind, namespace: string, name: string): string { return objectKey(kind, isNamespaced(kind) ? namespace : '', name); }

  // ---------------------------------------------------------------------------------------------
  /**
   * [kubernetesservice controller UpdateKubernetesService]: the create that brings the API server's own
   * `kubernetes` Service back when it is missing (and `default` exists, not being deleted), else undefined.
   * Both hosts ask every 10 s and send it as `system:apiserver`.
   */
  kubernetesServiceRepair(): ApiRequest | undefined {
    const ns = this.store.get('Namespace', '', 'default') as Namespace | undefined;
    if (ns === undefined || ns.status?.phase === 'Terminating' || this.store.get('Service', 'default', KUBERNETES_SERVICE) !== undefined) return undefined;
    return { verb: 'create', object: kubernetesService() as KObject };
  }

  private kindOf(o: KObject): E.Either<ApiError, Kind> {
    const k = o.kind;
    if (!isKind(k)) return E.left(newBadRequest(`no kind "${String(k)}" is registered`));
    if (o.apiVersion !== KINDS[k].apiVersion) {
      return E.left(apiError('NotFound', 404, `the server could not find the requested resource (no matches for kind "${k}" in version "${String(o.apiVersion)}")`));
    }
    return E.right(k);
  }

  private authz(req: ApiRequest, kind: Kind, name: string, current: KObject | undefined, ctx: RequestContext): ApiError | undefined {
    if (ctx.internal) return undefined;
    const why = authorize(ctx.actor, req, current);
    if (why === undefined) return undefined;
    const d = { actor: ctx.actor, message: why, time: ctx.time };
    this.denied.push(d);
    this.onDenied?.(d);
    return newForbidden(kind, name, why);
  }

  /** A write to append; `owned`: how much of `object` was built here for this write (see AppendRequest). */
  private write(
    type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KObject, op: string, ctx: RequestContext, expectSeq: number, owned: 'object' | 'metadata',
    release: readonly ApiRequest[] = [],
  ): E.Either<ApiError, Decision> {
    const append: ObjectAppend = { type, actor: ctx.actor, cause: ctx.cause, time: ctx.time, op, object, expectSeq, owned };
    const then = type === 'DELETED' && object.kind === 'Service' ? this.releaseServiceIps(object as Service) : release;
    return E.right(then.length > 0 ? { append, then } : { append });
  }

  /** [ipallocator Release] once a Service is gone: the IPAddress objects it holds are deleted. */
  private releaseServiceIps(s: Service): ApiRequest[] {
    const ns = s.metadata?.namespace ?? '';
    const name = s.metadata?.name ?? '';
    return serviceClusterIps(s.spec).filter((ip) => {
      const held = this.store.get('IPAddress', '', ip) as IPAddress | undefined;
      return held !== undefined && heldByService(held, ns, name);
    }).map((ip) => ({ verb: 'delete', kind: 'IPAddress', namespace: '', name: ip }));
  }

  private current(kind: Kind, namespace: string, name: string): KObject | undefined {
    return this.store.get(kind, isNamespaced(kind) ? namespace : '', name) as KObject | undefined;
  }

  /** The stored object a request acts on: Forbidden when the actor may not act on it, then NotFound. */
  private existing(req: ApiRequest, kind: Kind, namespace: string, name: string, ctx: RequestContext): E.Either<ApiError, KObject> {
    const old = this.current(kind, namespace, name);
    const denied = this.authz(req, kind, name, old, ctx);
    if (denied) return E.left(denied);
    return old ? E.right(old) : E.left(newNotFound(kind, name));
  }

  private create(input: KObject, ctx: RequestContext): E.Either<ApiError, Decision> {
    const kr = this.kindOf(input);
    if (E.isLeft(kr)) return kr;
    const kind = kr.right;
    const meta: Mutable<ObjectMeta> = merged(input.metadata);
    if (isNamespaced(kind)) meta.namespace = meta.namespace || 'default';
    else delete meta.namespace;
    if (!meta.name && meta.generateName) {
      // The API server retries name collisions (the generator is random; collisions are rare).
      for (let i = 0; i < 8; i++) {
        const candidate = generateName(meta.generateName, (n) => this.rand.int(n));
        if (!this.current(kind, meta.namespace ?? '', candidate)) { meta.name = candidate; break; }
      }
    }
    const name = meta.name ?? '';
    const denied = this.authz({ verb: 'create', object: input }, kind, name, undefined, ctx);
    if (denied) return E.left(denied);
    if (!name) return E.left(newInvalid(kind, '', [required('metadata.name', 'name or generateName is required')]));
    if (isNamespaced(kind)) {
      const ns = this.store.get('Namespace', '', meta.namespace ?? '');
      if (!ns && kind !== 'Event' && !(ctx.dryRun && ctx.pending?.has(objectKey('Namespace', '', meta.namespace ?? '')))) {
        return E.left(apiError('NotFound', 404, `namespaces "${meta.namespace ?? ''}" not found`));
      }
      // NamespaceLifecycle admission: nothing new in a namespace being deleted (Events included).
      if (ns?.status?.phase === 'Terminating') {
        return E.left(newForbidden(kind, name, `unable to create new content in namespace ${meta.namespace ?? ''} because it is being terminated`));
      }
    }
    let obj = { ...input, metadata: meta } as KObject;
    if (kind === 'Secret') {
      const d = decodeSecret(obj as Secret);
      if ('error' in d) return E.left(newBadRequest(undecodableSecretMessage(d.error)));
      obj = d.secret as KObject;
    }
    if (hasDefaults(kind)) obj = applyDefaults(obj);
    const errs = validateCreate(obj);
    if (errs.length > 0) return E.left(newInvalid(kind, name, errs));
    if (this.current(kind, meta.namespace ?? '', name)) return E.left(newAlreadyExists(kind, name));
    const admitted = this.admitCreate(kind, obj, ctx);
    if (E.isLeft(admitted)) return admitted;
    obj = admitted.right;
    // ResourceQuota: the last validating admission plugin. A request it charges is written as steps: each
    // charged quota's status (a compare-and-set: another replica's charge in between decides it again),
    // then the object, whose own step is not charged again (an internal request).
    const quota = ctx.internal ? undefined : quotaAdmission(this.store, kind, obj, ctx.time);
    if (quota !== undefined && 'refused' in quota) return E.left(quota.refused);
    if (ctx.dryRun) return E.right({ done: obj });
    const charges = quotaCharges(quota?.charged ?? []);
    if (kind === 'Service') {
      // The address first: a lost race to it is decided again before anything is charged.
      const steps = this.recordClusterIp(input, obj as Service);
      if (steps) return E.right({ steps: [...steps.slice(0, -1), ...charges, steps.at(-1)!] });
    }
    if (charges.length > 0) {
      const named = { ...input, metadata: { ...input.metadata, name, ...(isNamespaced(kind) ? { namespace: meta.namespace } : {}) } } as KObject;
      return E.right({ steps: [...charges, { req: { verb: 'create', object: named } }] });
    }
    // Defaulting and admission copy the object but keep or copy `meta`: the metadata is this request's own.
    const m = obj.metadata as Mutable<ObjectMeta>;
    if (m.resourceVersion !== undefined) delete m.resourceVersion;
    if (m.deletionTimestamp !== undefined) delete m.deletionTimestamp;
    if (m.deletionGracePeriodSeconds !== undefined) delete m.deletionGracePeriodSeconds;
    m.uid = uuidFrom(() => this.rand.byte());
    m.creationTimestamp = timestamp(ctx.time);
    if (GENERATION_KINDS.has(kind)) m.generation = 1;
    return this.write('ADDED', obj, 'create', ctx, this.seqs.lastSeqOfObject(kind, m.namespace ?? '', m.name ?? ''), 'metadata');
  }

  /** Admission plugins and registry PrepareForCreate. */
  private admitCreate(kind: Kind, obj: KObject, ctx: RequestContext): E.Either<ApiError, KObject> {
    switch (kind) {
      case 'Pod': {
        // ServiceAccount admission (before Priority, as in the default plugin order); a dry run also accepts an
        // account an earlier request of its command creates.
        const ns = obj.metadata?.namespace ?? 'default';
        const account = podServiceAccountName((obj as Pod).spec);
        const pendingAccount = ctx.dryRun && ctx.pending?.has(objectKey('ServiceAccount', ns, account)) ? defaultServiceAccount(ns) : undefined;
        const sa = admitServiceAccount(obj as Pod, this.store.get('ServiceAccount', ns, account) ?? pendingAccount, () => tokenVolumeName((n) => this.rand.int(n)));
        if ('error' in sa) return E.left(newForbidden('Pod', obj.metadata?.name ?? '', sa.error));
        const p = sa.pod;
        const tolerations = [...(p.spec?.tolerations ?? [])];
        // Priority admission: the class's value (no PriorityClass objects here but the two built-in system
        // classes), 0 and PreemptLowerPriority without a class (no global default exists).
        const className = p.spec?.priorityClassName ?? '';
        const priority = className === '' ? 0 : SYSTEM_PRIORITY_CLASSES.get(className);
        const podName = p.metadata?.name ?? '';
        if (priority === undefined) return E.left(newForbidden('Pod', podName, `no PriorityClass with name ${className} was found`));
        if (p.spec?.priority !== undefined && p.spec.priority !== priority) {
          return E.left(newForbidden('Pod', podName, `the integer value of priority (${p.spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`));
        }
        if (p.spec?.preemptionPolicy !== undefined && p.spec.preemptionPolicy !== 'PreemptLowerPriority') {
          return E.left(newForbidden('Pod', podName, `the string value of PreemptionPolicy (${p.spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name`));
        }
        // DefaultTolerationSeconds admission.
        for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
          if (!tolerations.some((t) => t.key === key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
        }
        return E.right(merged(p, {
          spec: merged(p.spec!, { tolerations, priority, preemptionPolicy: 'PreemptLowerPriority' }), status: { phase: 'Pending', qosClass: podQOS(p) },
        }) as KObject);
      }
      case 'PersistentVolumeClaim': {
        const c = obj as PersistentVolumeClaim;
        let spec = c.spec ?? {};
        if (spec.storageClassName === undefined) {
          const def = this.defaultStorageClass();
          if (def) spec = merged(spec, { storageClassName: def });
        }
        return E.right(merged(c, { spec, metadata: withFinalizer(c.metadata!, PVC_PROTECTION), status: { phase: 'Pending' } }) as KObject);
      }
      case 'PersistentVolume':
        return E.right(merged(obj, { metadata: withFinalizer(obj.metadata!, PV_PROTECTION), status: { phase: 'Pending' } }) as KObject);
      case 'StatefulSet':
        return E.right(merged(obj, { status: { replicas: 0, availableReplicas: 0 } }) as KObject);
      case 'ReplicaSet':
        return E.right(merged(obj, { status: { replicas: 0 } }) as KObject);
      case 'PodDisruptionBudget':
        // PrepareForCreate: the status starts empty (its counters are not omitted).
        return E.right({ ...obj, status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } } as KObject);
      case 'Namespace':
        return E.right({ ...obj, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } as KObject);
      case 'Service':
        return this.allocateService(obj as Service, ctx.dryRun === true) as E.Either<ApiError, KObject>;
      default:
        return E.right(obj);
    }
  }

  /**
   * [Service REST allocClusterIPs] a Service's IP families (single-stack IPv4) and cluster IP: the requested
   * one if it is in the range and free (or held by this Service: the second step of its own create or update),
   * else a free one of the range; nothing for ExternalName, `None` for a headless Service.
   */
  private allocateService(s: Service, dryRun: boolean): E.Either<ApiError, Service> {
    if (s.spec?.type === 'ExternalName') return E.right({ ...s, spec: { ...s.spec, clusterIPs: undefined } });
    // The IP families of a single-stack IPv4 cluster (Service REST storage): SingleStack, except a
    // headless Service without selector, which requires dual stack "where available".
    const selectorless = s.spec?.selector === undefined || Object.keys(s.spec.selector).length === 0;
    const families = {
      ipFamilyPolicy: s.spec?.ipFamilyPolicy ?? (s.spec?.clusterIP === 'None' && selectorless ? 'RequireDualStack' : 'SingleStack'),
      ipFamilies: s.spec?.ipFamilies ?? ['IPv4'],
    };
    if (s.spec?.clusterIP === 'None') return E.right({ ...s, spec: { ...s.spec, clusterIPs: ['None'], ...families } });
    const requested = serviceClusterIps(s.spec)[0] || undefined;
    if (requested !== undefined) {
      // Held: by another Service (or a hand-made IPAddress); by this one only on the second step of its own write.
      const held = this.store.get('IPAddress', '', requested) as IPAddress | undefined;
      const why = serviceIpRefusal(requested, held !== undefined && !heldByService(held, s.metadata?.namespace ?? '', s.metadata?.name ?? ''));
      if (why !== undefined) {
        return E.left(newInvalid('Service', s.metadata?.name ?? '', [invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: ${why}`)]));
      }
    }
    // A dry run allocates nothing: it answers with the range's network address [allocateNextService dryRun].
    const ip = requested ?? (dryRun ? serviceRangeAddress(0) : this.allocateClusterIp());
    if (ip === undefined) return E.left(apiError('InternalError', 500, 'Internal error occurred: failed to allocate a serviceIP: range is full'));
    return E.right({ ...s, spec: { ...s.spec, clusterIP: ip, clusterIPs: [ip], ...families } });
  }

  /**
   * [allocateNextService] a free address of the dynamic band (above the static one), scanned from a random
   * start, wrapping; once that band is full, the static band the same way. Free = no IPAddress object.
   */
  private allocateClusterIp(): string | undefined {
    const bands: [number, number][] = [[SERVICE_RANGE_FIRST + STATIC_BAND, SERVICE_RANGE_LAST], [SERVICE_RANGE_FIRST, SERVICE_RANGE_FIRST + STATIC_BAND - 1]];
    for (const [first, last] of bands) {
      const size = last - first + 1;
      const start = this.ipRand.int(size);
      for (let i = 0; i < size; i++) {
        const ip = serviceRangeAddress(first + ((start + i) % size));
        if (this.store.get('IPAddress', '', ip) === undefined) return ip;
      }
    }
    return undefined;
  }

  /**
   * A Service create whose cluster IP has no IPAddress yet: the IPAddress first (a lost race to the same
   * address — another API server replica — decides the whole request again), then the Service with its
   * address, whose create finds the IPAddress held by it; the IPAddress is deleted again if that fails.
   */
  private recordClusterIp(input: KObject, s: Service, verb: 'create' | 'update' = 'create'): Step[] | undefined {
    const ip = s.spec?.clusterIP;
    if (ip === undefined || ip === 'None' || ip === '' || s.spec?.type === 'ExternalName') return undefined;
    const ns = s.metadata?.namespace ?? '';
    const name = s.metadata?.name ?? '';
    const held = this.store.get('IPAddress', '', ip) as IPAddress | undefined;
    if (held !== undefined && heldByService(held, ns, name)) return undefined;
    const service = { ...input, metadata: { ...input.metadata, name, namespace: ns }, spec: { ...(input as Service).spec, clusterIP: ip, clusterIPs: [ip] } } as KObject;
    return [
      { req: { verb: 'create', object: serviceIpAddress(ip, ns, name) as KObject }, onConflict: 'retry', undo: { verb: 'delete', kind: 'IPAddress', namespace: '', name: ip } },
      { req: { verb, object: service } },
    ];
  }

  private defaultStorageClass(): string | undefined {
    let best: StorageClass | undefined;
    for (const sc of this.store.list('StorageClass')) {
      if (sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true') {
        // Newest default wins, as in DefaultStorageClass admission (1.26+).
        if (!best || (sc.metadata.creationTimestamp ?? '') >= (best.metadata?.creationTimestamp ?? '')) best = sc;
      }
    }
    return best?.metadata?.name;
  }

  private update(input: KObject, subresource: 'status' | 'finalize' | undefined, ctx: RequestContext): E.Either<ApiError, Decision> {
    const kr = this.kindOf(input);
    if (E.isLeft(kr)) return kr;
    const kind = kr.right;
    const ns = isNamespaced(kind) ? input.metadata?.namespace || 'default' : '';
    const name = input.metadata?.name ?? '';
    const req: ApiRequest = subresource ? { verb: 'update', object: input, subresource } : { verb: 'update', object: input };
    const found = this.existing(req, kind, ns, name, ctx);
    if (E.isLeft(found)) return found;
    const old = found.right;
    const rv = input.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata?.resourceVersion) {
      return E.left(newConflict(kind, name, 'the object has been modified; please apply your changes to the latest version and try again'));
    }
    if (input.metadata?.uid !== undefined && input.metadata.uid !== old.metadata?.uid) {
      return E.left(newConflict(kind, name, `Precondition failed: UID in precondition: ${input.metadata.uid}, UID in object meta: ${old.metadata?.uid ?? ''}`));
    }
    if (subresource === 'finalize') return this.finalizeNamespace(kind, old, input, ctx);
    return this.applyUpdate(kind, old, input, subresource, subresource ? 'update/status' : 'update', ctx, req);
  }

  /**
   * namespaces/finalize [FinalizeREST, namespaceFinalizeStrategy]: only `spec.finalizers` is taken from the
   * request; a namespace being deleted whose finalizers are all gone is removed by this update
   * (ShouldDeleteNamespaceDuringUpdate).
   */
  private finalizeNamespace(kind: Kind, old: KObject, input: KObject, ctx: RequestContext): E.Either<ApiError, Decision> {
    if (kind !== 'Namespace') return E.left(apiError('NotFound', 404, `the server could not find the requested resource (finalize of ${kind})`));
    const finalizers = ((input as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? []).filter((f) => typeof f === 'string');
    const o = old as KObject & { spec?: Record<string, unknown> };
    const next = { ...o, spec: { ...(o.spec ?? {}), finalizers } } as KObject;
    if (ctx.dryRun) return E.right({ done: next });
    if (sameContent(old, next)) return E.right({ done: old });
    const expect = Number(old.metadata?.resourceVersion ?? 0);
    if (this.finalizable(next)) return this.write('DELETED', next, 'update/finalize', ctx, expect, 'object');
    return this.write('MODIFIED', next, 'update/finalize', ctx, expect, 'object');
  }

  private applyUpdate(kind: Kind, old: KObject, input: KObject, subresource: string | undefined, op: string, ctx: RequestContext, req: ApiRequest): E.Either<ApiError, Decision> {
    const name = old.metadata?.name ?? '';
    let next: KObject;
    // How much of `next` this update built (see AppendRequest.owned): the status path keeps the stored metadata.
    let owned: 'object' | 'metadata' = 'object';
    /** The API server's own requests once this update is written (a Service's released IPAddress). */
    let release: readonly ApiRequest[] = [];
    const o = old as KObject & { status?: unknown; spec?: unknown };
    const i = input as KObject & { status?: unknown; spec?: unknown };
    if (subresource === 'status') {
      next = { ...o, status: i.status } as KObject;
      const errs = validateStatusUpdate(next, old);
      if (errs.length > 0) return E.left(newInvalid(kind, name, errs));
    } else {
      // Main resource: status is not writable here (kinds with a status subresource); system metadata is kept.
      const meta: Mutable<ObjectMeta> = merged(input.metadata, {
        namespace: old.metadata?.namespace,
        uid: old.metadata?.uid,
        creationTimestamp: old.metadata?.creationTimestamp,
        resourceVersion: old.metadata?.resourceVersion,
      });
      if (meta.namespace === undefined) delete meta.namespace;
      if (old.metadata?.deletionTimestamp !== undefined) {
        meta.deletionTimestamp = old.metadata.deletionTimestamp;
        meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      } else {
        delete meta.deletionTimestamp;
        delete meta.deletionGracePeriodSeconds;
      }
      if (old.metadata?.generation !== undefined) meta.generation = old.metadata.generation;
      let decoded: KObject = i;
      if (kind === 'Secret') {
        const d = decodeSecret(i as Secret);
        if ('error' in d) return E.left(newBadRequest(undecodableSecretMessage(d.error)));
        decoded = d.secret as KObject;
      }
      next = applyDefaults({ ...decoded, metadata: meta, ...(o.status !== undefined ? { status: o.status } : {}) } as KObject);
      // A namespace's finalizers change only through namespaces/finalize [namespaceStrategy PrepareForUpdate].
      if (kind === 'Namespace') next = { ...next, spec: { ...((next as { spec?: object }).spec ?? {}), finalizers: (o.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] } } as KObject;
      if (kind === 'Service') next = withAllocatedValues(next as Service, old as Service) as KObject;
      owned = 'metadata';
      if (old.metadata?.deletionTimestamp !== undefined && (next.metadata?.finalizers?.length ?? 0) > (old.metadata.finalizers?.length ?? 0)) {
        const added = (next.metadata?.finalizers ?? []).filter((f) => !(old.metadata?.finalizers ?? []).includes(f));
        if (added.length > 0) {
          return E.left(newInvalid(kind, name, [{ path: 'metadata.finalizers', type: 'Forbidden', detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` }]));
        }
      }
      const errs = validateUpdate(next, old);
      if (errs.length > 0) return E.left(newInvalid(kind, name, errs));
      if (kind === 'Service') {
        // [allocateUpdate] a Service that leaves ExternalName gets its families and an address (its IPAddress
        // first, as on create); one that becomes ExternalName releases its address once written.
        const was = old as Service;
        if (was.spec?.type === 'ExternalName' && (next as Service).spec?.type !== 'ExternalName') {
          const a = this.allocateService(next as Service, ctx.dryRun === true);
          if (E.isLeft(a)) return a;
          next = a.right as KObject;
          if (!ctx.dryRun) {
            const steps = this.recordClusterIp(input, a.right, 'update');
            if (steps) return E.right({ steps });
          }
        } else if (was.spec?.type !== 'ExternalName' && (next as Service).spec?.type === 'ExternalName') {
          release = this.releaseServiceIps(was);
        }
      }
      if (kind === 'PersistentVolumeClaim') {
        const refusal = resizeRefusal(next as PersistentVolumeClaim, old as PersistentVolumeClaim, this.store);
        if (refusal) return E.left(refusal);
        // ResourceQuota [pvcEvaluator Handles: Update]: a claim that asks for more storage is charged the
        // difference (SubtractWithNonNegativeResult), as a create is: the quota's status, then the update.
        if (!ctx.internal) {
          const quota = quotaAdmission(this.store, kind, next, ctx.time, old);
          if ('refused' in quota) return E.left(quota.refused);
          if (!ctx.dryRun && quota.charged.length > 0) {
            return E.right({ steps: [...quotaCharges(quota.charged), { req }] });
          }
        }
      }
      // PrepareForUpdate: the generation moves when the spec changed — after defaulting (a re-applied manifest is no change).
      const spec = (next as KObject & { spec?: unknown }).spec;
      if (kind === 'EndpointSlice' ? endpointSliceChanged(next as EndpointSlice, old as EndpointSlice)
        : GENERATION_KINDS.has(kind) && spec !== o.spec && !deepEqual(spec, o.spec)) {
        next = merged(next, { metadata: merged(next.metadata, { generation: (old.metadata?.generation ?? 0) + 1 }) });
      }
    }
    if (ctx.dryRun) return E.right({ done: next });
    if (sameContent(old, next)) return E.right({ done: old });
    if (this.finalizable(next)) {
      return this.write('DELETED', next, op === 'update' ? 'finalize' : op, ctx, Number(old.metadata?.resourceVersion ?? 0), owned);
    }
    return this.write('MODIFIED', next, op, ctx, Number(old.metadata?.resourceVersion ?? 0), owned, release);
  }

  /** An object being deleted with no finalizers left (and, for pods, no grace left) is removed. */
  private finalizable(o: KObject): boolean {
    if (o.metadata?.deletionTimestamp === undefined) return false;
    if ((o.metadata.finalizers?.length ?? 0) > 0) return false;
    if (o.kind === 'Namespace' && ((o as { spec?: { finalizers?: string[] } }).spec?.finalizers?.length ?? 0) > 0) return false;
    return o.kind !== 'Pod' || o.metadata.deletionGracePeriodSeconds === 0;
  }

  private patch(req: Extract<ApiRequest, { verb: 'patch' }>, ctx: RequestContext): E.Either<ApiError, Decision> {
    const kind = req.kind;
    const ns = isNamespaced(kind) ? req.namespace || 'default' : '';
    const found = this.existing(req, kind, ns, req.name, ctx);
    if (E.isLeft(found)) return found;
    const old = found.right;
    if (req.resourceVersion !== undefined && req.resourceVersion !== old.metadata?.resourceVersion) {
      return E.left(newConflict(kind, req.name, 'the object has been modified; please apply your changes to the latest version and try again'));
    }
    if (req.subresource === 'scale') {
      if (kind !== 'StatefulSet' && kind !== 'ReplicaSet') return E.left(apiError('NotFound', 404, `the server could not find the requested resource (scale of ${kind})`));
      const replicas = (req.patch as { spec?: { replicas?: unknown } }).spec?.replicas;
      // ValidateScale, on the Scale object the subresource reads and writes.
      if (typeof replicas === 'number' && replicas < 0) return E.left(newInvalidScale(req.name, [invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]));
      const o = old as KObject & { spec: Record<string, unknown> };
      const input = { ...o, spec: { ...o.spec, replicas } } as KObject;
      return this.applyUpdate(kind, old, input, undefined, 'patch/scale', ctx, req);
    }
    const patched = (req.patchType === 'strategic' ? strategicMergePatch(old, req.patch, kind) : mergePatch(old, req.patch)) as KObject;
    if (req.subresource === 'status') return this.applyUpdate(kind, old, patched, 'status', 'patch/status', ctx, req);
    return this.applyUpdate(kind, old, patched, undefined, 'patch', ctx, req);
  }

  private delete(req: Extract<ApiRequest, { verb: 'delete' }>, ctx: RequestContext): E.Either<ApiError, Decision> {
    const kind = req.kind;
    const ns = isNamespaced(kind) ? req.namespace || 'default' : '';
    const found = this.existing(req, kind, ns, req.name, ctx);
    if (E.isLeft(found)) return found;
    const old = found.right;
    const pre = req.preconditions;
    if (pre?.uid !== undefined && pre.uid !== old.metadata?.uid) {
      return E.left(newConflict(kind, req.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata?.uid ?? ''}`));
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== old.metadata?.resourceVersion) {
      return E.left(newConflict(kind, req.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata?.resourceVersion ?? ''}`));
    }
    if (kind === 'Namespace' && IMMORTAL_NAMESPACES.has(req.name)) return E.left(newForbidden('Namespace', req.name, 'this namespace may not be deleted'));
    if (ctx.dryRun) return E.right({ done: old });
    const expect = Number(old.metadata?.resourceVersion ?? 0);
    const meta: Mutable<ObjectMeta> = merged(old.metadata!);
    if (kind === 'Namespace') {
      // [namespace REST Delete]: the first deletion marks the namespace Terminating (the namespace controller
      // then removes its content and its `kubernetes` finalizer); a later one deletes it only once its
      // spec.finalizers are gone.
      const specFinalizers = (old as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? [];
      // (A propagation policy adds no finalizer here: the controller deletes the content with Background
      // propagation, and no garbage collector of kubesim's watches namespaces.)
      if (meta.deletionTimestamp === undefined) {
        meta.deletionTimestamp = timestamp(ctx.time);
        const st = (old as { status?: Record<string, unknown> }).status ?? {};
        const marked = { ...old, metadata: meta, status: { ...st, phase: 'Terminating' } } as KObject;
        if (specFinalizers.length > 0 || (meta.finalizers?.length ?? 0) > 0) return this.write('MODIFIED', marked, 'delete', ctx, expect, 'metadata');
        return this.write('DELETED', marked, 'delete', ctx, expect, 'metadata');
      }
      if (specFinalizers.length > 0) return E.right({ done: old });
    }
    let finalizers = [...(meta.finalizers ?? [])];
    const policy = req.propagationPolicy;
    const alreadyDeleting = meta.deletionTimestamp !== undefined;
    if (!alreadyDeleting) {
      if (policy === 'Orphan' && !finalizers.includes(ORPHAN)) finalizers.push(ORPHAN);
      if (policy === 'Foreground' && !finalizers.includes(FOREGROUND)) finalizers.push(FOREGROUND);
    } else if (policy === 'Orphan' || policy === 'Foreground') {
      // Changing the propagation of an object already being deleted: replace orphan/foreground.
      finalizers = finalizers.filter((f) => f !== ORPHAN && f !== FOREGROUND);
      finalizers.push(policy === 'Orphan' ? ORPHAN : FOREGROUND);
    }
    if (finalizers.length > 0) meta.finalizers = finalizers; else delete meta.finalizers;

    let grace = 0;
    if (kind === 'Pod') {
      grace = podDeletionGraceSeconds(old as Pod, req.gracePeriodSeconds);
      if (alreadyDeleting && meta.deletionGracePeriodSeconds !== undefined && grace >= meta.deletionGracePeriodSeconds && finalizers.length === (old.metadata?.finalizers?.length ?? 0)) {
        return E.right({ done: old }); // a longer grace period never extends a deletion in progress
      }
    }
    if (grace === 0 && finalizers.length === 0) {
      return this.write('DELETED', { ...old, metadata: meta } as KObject, 'delete', ctx, expect, 'metadata');
    }
    if (!alreadyDeleting || kind === 'Pod') {
      meta.deletionTimestamp = timestamp(ctx.time + grace * 1000);
      meta.deletionGracePeriodSeconds = grace;
    }
    // The first deletionTimestamp bumps the generation of objects that have one [rest BeforeDelete for a
    // graceful deletion, registry store markAsDeleting for finalizers]: its controllers must notice.
    if (!alreadyDeleting && (meta.generation ?? 0) > 0) meta.generation = meta.generation! + 1;
    return this.write('MODIFIED', { ...old, metadata: meta } as KObject, 'delete', ctx, expect, 'metadata');
  }

  /**
   * [EvictionREST.Create]: a pod that can ignore budgets (terminal, Pending, being deleted) is deleted;
   * otherwise its one budget (more than one is refused) must allow a disruption: its status is written
   * first (disruptionsAllowed − 1, the pod in disruptedPods — a compare-and-set, retried on conflict),
   * unless the pod is not Ready and the budget is healthy anyway (or AlwaysAllow); then the pod gets the
   * DisruptionTarget condition and is deleted (gracefully, or with the eviction's grace period).
   */
  private evict(req: Extract<ApiRequest, { verb: 'evict' }>, ctx: RequestContext): E.Either<ApiError, Decision> {
    const ns = req.namespace || 'default';
    const found = this.existing(req, 'Pod', ns, req.name, ctx);
    if (E.isLeft(found)) return found;
    const pod = found.right as Pod;
    const grace = req.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: req.gracePeriodSeconds } : {};
    const uid = pod.metadata?.uid ?? '';
    const enforce = shouldEnforceResourceVersion(pod);
    /** addConditionAndDeletePod: the condition (preconditions checked on the pod as stored), then the deletion. */
    const conditionAndDelete = (onConflict?: 'retry' | ApiError): Step[] => {
      const c = onConflict ? { onConflict } : {};
      const rv = enforce ? { resourceVersion: pod.metadata?.resourceVersion ?? '' } : {};
      const deletion = (preconditions: { uid: string; resourceVersion?: string }): ApiRequest =>
        ({ verb: 'delete', kind: 'Pod', namespace: ns, name: req.name, ...grace, preconditions });
      const marked = updatePodCondition(pod, {
        type: 'DisruptionTarget', ...conditionGeneration(pod), status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting',
      }, ctx.time);
      if (!marked) return [{ req: deletion({ uid, ...rv }), ...c }];
      const { resourceVersion: _stored, ...meta } = pod.metadata ?? {};
      return [
        { req: { verb: 'update', subresource: 'status', object: { ...marked, metadata: { ...meta, ...rv } } as KObject }, ...c },
        { req: deletion({ uid }), ...(enforce ? { afterPrevious: true as const } : {}), ...c },
      ];
    };
    if (canIgnorePDB(pod)) return ctx.dryRun ? E.right({ done: pod }) : E.right({ steps: conditionAndDelete('retry') });
    const pdbs = budgetsOfPod(this.store, pod);
    if (pdbs.length > 1) return E.left(apiError('InternalError', 500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'));
    if (pdbs.length === 0) return ctx.dryRun ? E.right({ done: pod }) : E.right({ steps: conditionAndDelete() });
    const pdb = pdbs[0]!;
    const st: PdbStatus = pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
    const pdbName = pdb.metadata?.name ?? '';
    if (!isPodReady(pod)) {
      // Not-ready pods do not count as healthy: evicting one needs no disruption, when the policy lets it go.
      if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || (st.currentHealthy >= st.desiredHealthy && st.desiredHealthy > 0)) {
        return ctx.dryRun ? E.right({ done: pod }) : E.right({ steps: conditionAndDelete(cannotEvict()) });
      }
    }
    // checkAndDecrement
    if ((st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) return E.left(cannotEvict());
    if (st.disruptionsAllowed < 0) return E.left(newForbidden('PodDisruptionBudget', pdbName, 'pdb disruptions allowed is negative'));
    if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
      return E.left(newForbidden('PodDisruptionBudget', pdbName, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller'));
    }
    if (st.disruptionsAllowed === 0) return E.left(cannotEvict());
    if (ctx.dryRun) return E.right({ done: pod });
    let next: PdbStatus = { ...st, disruptionsAllowed: st.disruptionsAllowed - 1, disruptedPods: { ...(st.disruptedPods ?? {}), [req.name]: timestamp(ctx.time) } };
    if (next.disruptionsAllowed === 0) next = withDisruptionAllowed(next, ctx.time);
    return E.right({
      steps: [
        { req: { verb: 'update', subresource: 'status', object: { ...pdb, status: next } as KObject }, onConflict: 'retry' },
        ...conditionAndDelete(),
      ],
    });
  }

  private bind(req: Extract<ApiRequest, { verb: 'bind' }>, ctx: RequestContext): E.Either<ApiError, Decision> {
    const ns = req.namespace || 'default';
    const found = this.existing(req, 'Pod', ns, req.name, ctx);
    if (E.isLeft(found)) return found;
    const old = found.right as Pod;
    if (req.uid !== undefined && req.uid !== old.metadata?.uid) {
      return E.left(newConflict('Pod', req.name, `Precondition failed: UID in precondition: ${req.uid}, UID in object meta: ${old.metadata?.uid ?? ''}`));
    }
    if (old.metadata?.deletionTimestamp !== undefined) {
      return E.left(newConflict('Pod', req.name, `pod ${req.name} is being deleted, cannot be assigned to a host`));
    }
    if (old.spec?.nodeName) {
      return E.left(apiError('Conflict', 409, `Operation cannot be fulfilled on pods/binding "${req.name}": pod ${req.name} is already assigned to node "${old.spec.nodeName}"`));
    }
    if (ctx.dryRun) return E.right({ done: old });
    const conditions = (old.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', ...conditionGeneration(old), status: 'True', lastTransitionTime: timestamp(ctx.time) });
    const next: Pod = merged(old, { spec: merged(old.spec!, { nodeName: req.nodeName }), status: merged(old.status, { conditions }) });
    return this.write('MODIFIED', next as KObject, 'bind', ctx, Number(old.metadata?.resourceVersion ?? 0), 'object');
  }

}

/**
 * The API server of the embedded mode: the single writer of the in-memory log. Every decision is
 * committed at once (the log's compare-and-set still guards it).
 */
/** The PriorityClasses every cluster has (scheduling/v1 SystemPriorityClasses), by name: their values. */
const SYSTEM_PRIORITY_CLASSES: ReadonlyMap<string, number> = new Map([['system-node-critical', 2000001000], ['system-cluster-critical', 2000000000]]);

export class ApiServer extends ApiCore<VersionedStore> {
  constructor(private readonly log: LogPort, rand: Rand) {
    // The shared fold: informers that see a prefix of the log read views of it (ADR 6).
    super(log, rand, new VersionedStore());
    for (const e of log.entries()) this.store.apply(e);
  }

  /** Append a non-object entry (user command, fault, component lifecycle). */
  record(type: 'COMMAND' | 'FAULT' | 'COMPONENT', data: unknown, ctx: RequestContext): Envelope {
    const r = this.log.append({ type, actor: ctx.actor, cause: ctx.cause, time: ctx.time, data });
    if (E.isLeft(r)) throw new Error('non-object entries cannot conflict');
    this.store.apply(r.right);
    return r.right;
  }

  handle(req: ApiRequest, ctx: RequestContext): ApiResult {
    for (let attempt = 0; ; attempt++) {
      const d = this.decide(req, ctx);
      if (E.isLeft(d)) return d;
      if ('done' in d.right) return E.right(d.right.done);
      if ('steps' in d.right) {
        const r = this.runSteps(d.right.steps, ctx);
        if (!('retry' in r)) return r;
        if (attempt + 1 >= STEP_RETRIES) return E.left(stepsConflicted(r.retry));
        continue;
      }
      const r = this.log.append(d.right.append);
      if (E.isLeft(r)) return E.left(conflictFor(d.right.append.object));
      this.store.apply(r.right);
      for (const next of d.right.then ?? []) this.handle(next, { ...ctx, internal: true });
      return E.right(r.right.object!);
    }
  }

  /** A request's steps, in order, as the API server's own writes; the last one's object is the answer. */
  private runSteps(steps: readonly Step[], ctx: RequestContext): ApiResult | { readonly retry: Step } {
    let previous: KObject | undefined;
    for (const [i, step] of steps.entries()) {
      const r = this.handle(stepRequest(step, previous), { ...ctx, internal: true });
      if (E.isLeft(r)) {
        for (const done of steps.slice(0, i).reverse()) if (done.undo) this.handle(done.undo, { ...ctx, internal: true });
        const f = stepFailed(step, r.left);
        return 'retry' in f ? f : E.left(f);
      }
      previous = r.right;
    }
    return E.right(previous!);
  }
}

// ---- the eviction subresource ([EvictionREST.Create], pkg/registry/core/pod/storage/eviction.go) -----

/** MaxDisruptedPodSize: evictions approved but not yet seen by the disruption controller. */
const MAX_DISRUPTED_POD_SIZE = 2000;

const cannotEvict = (): ApiError => apiError('TooManyRequests', 429, "Cannot evict pod as it would violate the pod's disruption budget.");

/** canIgnorePDB: a terminal or Pending pod, or one already being deleted, is deleted without asking a budget. */
const canIgnorePDB = (p: Pod): boolean =>
  p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' || p.status?.phase === 'Pending' || p.metadata?.deletionTimestamp !== undefined;

/** shouldEnforceResourceVersion: not for terminal pods or pods being deleted. */
const shouldEnforceResourceVersion = (p: Pod): boolean =>
  p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && p.metadata?.deletionTimestamp === undefined;

/**
 * The budgets that cover a pod for the eviction handler: its namespace's, by selector — a nil or empty
 * selector matches nothing here (the disruption controller reads an empty one as "every pod").
 */
export const budgetsOfPod = (store: Snapshot, pod: Pod): PodDisruptionBudget[] => {
  const out: PodDisruptionBudget[] = [];
  for (const pdb of store.list('PodDisruptionBudget', pod.metadata?.namespace ?? '') as Iterable<PodDisruptionBudget>) {
    const sel = compileSelector(pdb.spec?.selector);
    if (!sel.empty && sel.matches(pod.metadata?.labels)) out.push(pdb);
  }
  return out;
};

const withFinalizer = (meta: ObjectMeta, f: string): ObjectMeta =>
  (meta.finalizers ?? []).includes(f) ? meta : merged(meta, { finalizers: [...(meta.finalizers ?? []), f] });

/** Structural equality of JSON-shaped values (no allocation; stops at the first difference). */
const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let nx = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    nx++;
    if (!deepEqual(x[k], y[k])) return false;
  }
  let ny = 0;
  for (const k in y) if (y[k] !== undefined) ny++;
  return nx === ny;
};

/** No-op detection: an update that changes nothing writes nothing (same resourceVersion, no event). */
const sameContent = (a: KObject, b: KObject): boolean => {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  for (const k in y) {
    if (k === 'metadata') continue;
    if (!deepEqual(x[k], y[k])) return false;
  }
  for (const k in x) if (k !== 'metadata' && y[k] === undefined && x[k] !== undefined) return false;
  const ma = a.metadata ?? {};
  const mb = b.metadata ?? {};
  for (const k in mb) if (k !== 'resourceVersion' && !deepEqual((ma as Record<string, unknown>)[k], (mb as Record<string, unknown>)[k])) return false;
  for (const k in ma) if (k !== 'resourceVersion' && (mb as Record<string, unknown>)[k] === undefined && (ma as Record<string, unknown>)[k] !== undefined) return false;
  return true;
};

/**
 * [EndpointSlice PrepareForUpdate]: the generation moves when anything beyond the metadata changed, or the
 * labels did (the EndpointSlice controller's tracker compares generations).
 */
const endpointSliceChanged = (next: EndpointSlice, old: EndpointSlice): boolean =>
  next.addressType !== old.addressType || !deepEqual(next.endpoints, old.endpoints) || !deepEqual(next.ports, old.ports)
  || !deepEqual(next.metadata?.labels ?? {}, old.metadata?.labels ?? {});

/**
 * [Service REST update patchAllocatedValues + IP family defaulting]: an update that leaves out what the
 * API server allocated (clusterIP, clusterIPs) or defaulted (ipFamilies, ipFamilyPolicy) keeps the stored
 * values — a re-applied manifest does not change them.
 */
const withAllocatedValues = (next: Service, old: Service): Service => {
  const n = next.spec ?? {}, o = old.spec ?? {};
  if (n.type === 'ExternalName' || o.type === 'ExternalName') return next;
  const keep: Partial<NonNullable<Service['spec']>> = {};
  // patchAllocatedValues: an empty clusterIP is the stored one too.
  const nextIp = n.clusterIP || undefined;
  if (nextIp === undefined && o.clusterIP !== undefined) keep.clusterIP = o.clusterIP;
  if (n.clusterIPs === undefined && o.clusterIPs !== undefined && (nextIp === undefined || nextIp === o.clusterIP)) keep.clusterIPs = o.clusterIPs;
  // NormalizeClusterIPs: a changed clusterIP with clusterIPs left as they were becomes the new clusterIPs.
  if (nextIp !== undefined && nextIp !== o.clusterIP && n.clusterIPs === undefined) keep.clusterIPs = [nextIp];
  if (n.ipFamilies === undefined && o.ipFamilies !== undefined) keep.ipFamilies = o.ipFamilies;
  if (n.ipFamilyPolicy === undefined && o.ipFamilyPolicy !== undefined) keep.ipFamilyPolicy = o.ipFamilyPolicy;
  return Object.keys(keep).length === 0 ? next : { ...next, spec: { ...n, ...keep } };
};
