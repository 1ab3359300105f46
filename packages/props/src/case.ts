import fc from 'fast-check';

/**
 * A generated case: a workload, a cluster, and a sequence of operations and faults with gaps of
 * virtual time between them. Everything is plain data so fast-check can shrink it and a case can be
 * turned into a scenario (scenario.ts), run, recorded and replayed.
 */
export type Retention = 'Retain' | 'Delete';
export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export type Workload =
  | {
    readonly kind: 'StatefulSet';
    readonly policy: 'OrderedReady' | 'Parallel';
    readonly whenScaled: Retention;
    readonly whenDeleted: Retention;
    readonly replicas: number;
    readonly gracePeriodSeconds: number;
    readonly bindingMode: 'Immediate' | 'WaitForFirstConsumer';
    /** Init containers of the pods: none, one regular init container, or one and a sidecar (restartPolicy Always). */
    readonly init?: 'none' | 'init' | 'sidecar';
    /** One replica per node: a required pod anti-affinity on kubernetes.io/hostname (replicas capped at the node count). */
    readonly antiAffinity?: boolean;
    /** A PodDisruptionBudget over the pods (evictions and drains honour it). */
    readonly budget?: Budget;
  }
  | { readonly kind: 'ReplicaSet'; readonly replicas: number; readonly gracePeriodSeconds: number; readonly budget?: Budget };

/** A PodDisruptionBudget of the workload: none, `minAvailable: 1`, or `maxUnavailable: 1`. */
export type Budget = 'none' | 'minAvailable' | 'maxUnavailable';

/** Components a runtime fault or a crash can hit. */
export const FAULT_TARGETS = [
  'statefulset-controller', 'replicaset-controller', 'scheduler', 'volume-binder', 'kubelet', 'endpoints-controller',
  'endpointslice-controller', 'garbage-collector',
] as const;
export type FaultTarget = typeof FAULT_TARGETS[number];

export type Op =
  | { readonly op: 'scale'; readonly replicas: number }
  /** Delete the pod at this position (`@web#i`); grace 0 = force. */
  | { readonly op: 'delete-pod'; readonly index: number; readonly force: boolean }
  | { readonly op: 'readiness'; readonly index: number; readonly ready: boolean }
  | { readonly op: 'fail-pod'; readonly index: number }
  /**
   * The pod's container exits `count` times (now, then `runMs` after each restart); the kubelet restarts it
   * with back-off. `container`: the pod's container, or its init container / sidecar when the workload has one (else the container).
   */
  | { readonly op: 'container-crash'; readonly index: number; readonly container: 'main' | 'init' | 'sidecar'; readonly count: number; readonly exitCode: number; readonly runMs: number }
  /**
   * The pod's container fails a probe: liveness (killed after two failures 5 s apart and restarted in place,
   * `count` times), startup (never started, killed after three failures 1 s apart, `count` times — if it has
   * not started yet), readiness (unready from the third failure 2 s apart for `durationMs`).
   */
  | { readonly op: 'probe-failure'; readonly index: number; readonly probe: 'liveness' | 'startup' | 'readiness'; readonly count: number; readonly durationMs: number }
  | { readonly op: 'retention'; readonly whenScaled: Retention; readonly whenDeleted: Retention }
  /** The user asks for more (or less) storage on the claim of the pod at this ordinal (volume expansion; refused while unbound or below the capacity). */
  | { readonly op: 'resize-claim'; readonly index: number; readonly gi: number }
  /** A template change: a new revision, rolled out by the update strategy. */
  | { readonly op: 'update'; readonly revision: number }
  /** kubectl rollout restart, or undo to a revision (0: the previous one) — refused as kubectl refuses. */
  | { readonly op: 'rollout'; readonly action: 'restart' | 'undo'; readonly toRevision: number }
  | { readonly op: 'partition'; readonly partition: number }
  | { readonly op: 'delete-set'; readonly propagation: Propagation }
  /** Apply the workload manifest again (re-creates a deleted set, which adopts orphans). */
  | { readonly op: 'recreate' }
  | { readonly op: 'watch-delay'; readonly component: FaultTarget; readonly ms: number; readonly durationMs: number }
  | { readonly op: 'watch-drop'; readonly component: FaultTarget; readonly durationMs: number }
  | { readonly op: 'watch-duplicate'; readonly component: FaultTarget; readonly count: number }
  | { readonly op: 'watch-reorder'; readonly component: FaultTarget; readonly durationMs: number }
  | { readonly op: 'api-delay'; readonly component: FaultTarget; readonly ms: number; readonly durationMs: number }
  | { readonly op: 'api-drop'; readonly component: FaultTarget; readonly where: 'request' | 'response'; readonly count: number }
  | { readonly op: 'crash'; readonly component: FaultTarget; readonly downMs: number }
  | { readonly op: 'crash-after-writes'; readonly component: FaultTarget; readonly writes: number; readonly restartAfterMs: number }
  /** The component is frozen (SIGSTOP) for `downMs`, then resumed. */
  | { readonly op: 'pause'; readonly component: FaultTarget; readonly downMs: number }
  /** The component is cut off the network for `downMs`, then healed. */
  | { readonly op: 'net-partition'; readonly component: FaultTarget; readonly downMs: number }
  /** A node's kubelet stops for `downMs` (NotReady after 50 s, taint-based eviction after 300 s more), then comes back. */
  | { readonly op: 'node-down'; readonly node: number; readonly downMs: number }
  /** Evict the pod at this position through the eviction API (its budget may refuse). */
  | { readonly op: 'evict-pod'; readonly index: number }
  /** kubectl drain of a node (cordon, evictions a budget may hold back, at most 2 minutes), uncordoned `holdMs` later. */
  | { readonly op: 'drain-node'; readonly node: number; readonly holdMs: number };

/** One operation and the virtual time that passes before the next. */
export interface TimedOp {
  readonly op: Op;
  readonly gapMs: number;
}

export interface Case {
  /** The engine's seed (delivery order and delays). */
  readonly seed: number;
  readonly nodes: number;
  readonly workload: Workload;
  readonly ops: readonly TimedOp[];
}

export type WorkloadFilter =
  | { readonly kind: 'StatefulSet'; readonly policy?: 'OrderedReady' | 'Parallel'; readonly whenScaled?: Retention; readonly whenDeleted?: Retention }
  | { readonly kind: 'ReplicaSet' };

const retention = fc.constantFrom<Retention>('Retain', 'Delete');
const budget = fc.constantFrom<Budget>('none', 'none', 'minAvailable', 'maxUnavailable');
const component = fc.constantFrom(...FAULT_TARGETS);
/**
 * How long a crashed, paused or partitioned component stays so: mostly under half a minute, sometimes
 * minutes (a kubelet then silences its nodes past the 50 s grace period, and past the pods' 300 s
 * toleration of the unreachable taint).
 */
const outageMs = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 30_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 30_000, max: 420_000 }) });
const index = fc.nat({ max: 5 });

const workloadArb = (f: WorkloadFilter): fc.Arbitrary<Workload> => {
  if (f.kind === 'ReplicaSet') {
    return fc.record({ kind: fc.constant('ReplicaSet' as const), replicas: fc.integer({ min: 0, max: 4 }), gracePeriodSeconds: fc.constantFrom(0, 5, 30), budget });
  }
  return fc.record({
    kind: fc.constant('StatefulSet' as const),
    policy: f.policy ? fc.constant(f.policy) : fc.constantFrom<'OrderedReady' | 'Parallel'>('OrderedReady', 'Parallel'),
    whenScaled: f.whenScaled ? fc.constant(f.whenScaled) : retention,
    whenDeleted: f.whenDeleted ? fc.constant(f.whenDeleted) : retention,
    replicas: fc.integer({ min: 0, max: 4 }),
    gracePeriodSeconds: fc.constantFrom(0, 5, 30),
    bindingMode: fc.constantFrom<'Immediate' | 'WaitForFirstConsumer'>('Immediate', 'WaitForFirstConsumer'),
    init: fc.constantFrom<'none' | 'init' | 'sidecar'>('none', 'none', 'init', 'sidecar'),
    antiAffinity: fc.constantFrom(false, false, false, true),
    budget,
  });
};

/** Operations on the workload (those that make sense for its kind) and faults. */
const opArb = (kind: Workload['kind']): fc.Arbitrary<Op> => {
  const common: fc.WeightedArbitrary<Op>[] = [
    { weight: 6, arbitrary: fc.record({ op: fc.constant('scale' as const), replicas: fc.integer({ min: 0, max: 5 }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('delete-pod' as const), index, force: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('readiness' as const), index, ready: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('fail-pod' as const), index }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('container-crash' as const), index, container: fc.constantFrom<'main' | 'init' | 'sidecar'>('main', 'main', 'init', 'sidecar'), count: fc.integer({ min: 1, max: 4 }), exitCode: fc.constantFrom(1, 0, 137), runMs: fc.integer({ min: 0, max: 15_000 }) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('probe-failure' as const), index, probe: fc.constantFrom<'liveness' | 'startup' | 'readiness'>('liveness', 'startup', 'readiness'),
        count: fc.integer({ min: 1, max: 3 }), durationMs: fc.integer({ min: 1_000, max: 60_000 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('delete-set' as const), propagation: fc.constantFrom<Propagation>('Background', 'Foreground', 'Orphan') }) },
    { weight: 1, arbitrary: fc.constant({ op: 'recreate' as const }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('watch-delay' as const), component, ms: fc.integer({ min: 100, max: 10_000 }), durationMs: fc.integer({ min: 1_000, max: 30_000 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('watch-drop' as const), component, durationMs: fc.integer({ min: 100, max: 20_000 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('watch-duplicate' as const), component, count: fc.integer({ min: 1, max: 10 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('watch-reorder' as const), component, durationMs: fc.integer({ min: 1_000, max: 30_000 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('api-delay' as const), component, ms: fc.integer({ min: 100, max: 5_000 }), durationMs: fc.integer({ min: 1_000, max: 30_000 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('api-drop' as const), component, where: fc.constantFrom<'request' | 'response'>('request', 'response'), count: fc.integer({ min: 1, max: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('crash' as const), component, downMs: outageMs }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('crash-after-writes' as const), component, writes: fc.integer({ min: 1, max: 4 }), restartAfterMs: fc.integer({ min: 0, max: 10_000 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('pause' as const), component, downMs: outageMs }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('net-partition' as const), component, downMs: outageMs }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('node-down' as const), node: fc.nat({ max: 2 }), downMs: fc.oneof(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 420_000 })) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('evict-pod' as const), index }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('drain-node' as const), node: fc.nat({ max: 2 }), holdMs: fc.integer({ min: 0, max: 60_000 }) }) },
  ];
  if (kind === 'ReplicaSet') return fc.oneof(...common);
  return fc.oneof(
    ...common,
    { weight: 2, arbitrary: fc.record({ op: fc.constant('retention' as const), whenScaled: retention, whenDeleted: retention }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('update' as const), revision: fc.integer({ min: 1, max: 3 }) }) },
    // undo mostly to the previous revision (0), which exists once the set was updated; a number may be gone (reused revisions are renumbered).
    { weight: 2, arbitrary: fc.record({ op: fc.constant('rollout' as const), action: fc.constantFrom<'restart' | 'undo'>('restart', 'undo'), toRevision: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('partition' as const), partition: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('resize-claim' as const), index, gi: fc.integer({ min: 2, max: 4 }) }) },
  );
};

export interface CaseOptions {
  readonly maxOps?: number;
}

/** Cases for one kind of workload (and, for StatefulSets, optionally one policy and retention). */
export const caseArb = (filter: WorkloadFilter, opts: CaseOptions = {}): fc.Arbitrary<Case> =>
  fc.record({
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    nodes: fc.integer({ min: 1, max: 3 }),
    workload: workloadArb(filter),
    ops: fc.array(
      fc.record({ op: opArb(filter.kind), gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 30_000 })) }),
      { maxLength: opts.maxOps ?? 8 },
    ),
  });

/** A short description of a case, for reports. */
export const describeCase = (c: Case): string => {
  const w = c.workload;
  const head = w.kind === 'StatefulSet'
    ? `StatefulSet ${w.policy} whenScaled=${w.whenScaled} whenDeleted=${w.whenDeleted} replicas=${w.replicas} grace=${w.gracePeriodSeconds}s ${w.bindingMode}`
      + (w.init === 'init' ? ' +init container' : w.init === 'sidecar' ? ' +init container +sidecar' : '')
      + (w.antiAffinity ? ' +one replica per node (anti-affinity)' : '')
      + (w.budget && w.budget !== 'none' ? ` +PodDisruptionBudget ${w.budget}: 1` : '')
    : `ReplicaSet replicas=${w.replicas} grace=${w.gracePeriodSeconds}s${w.budget && w.budget !== 'none' ? ` +PodDisruptionBudget ${w.budget}: 1` : ''}`;
  const ops = c.ops.map((t) => `${JSON.stringify(t.op)} +${t.gapMs}ms`);
  return [`seed ${c.seed}, ${c.nodes} node(s), ${head}`, ...ops.map((o, i) => `  ${i + 1}. ${o}`)].join('\n');
};
