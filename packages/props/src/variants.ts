import { parentAndOrdinal, type KObject, type PersistentVolumeClaim, type Pod, type StatefulSet } from '@kubesim/api';
import {
  claimsForOrdinal, lastTermination, seq, statefulSetController, write, type ComponentDef, type ReconcileInput, type ReconcileResult, type Step,
} from '@kubesim/controllers';
import { withComponent, type ClusterSpec, type ComponentSetup } from '@kubesim/runtime';
import type { Snapshot } from '@kubesim/state';

/**
 * Deliberately broken StatefulSet controllers (the broken-variant suite, docs/props.md). Each wraps the
 * real controller and plants one bug a StatefulSet must never have; the property suites must catch every
 * one with a shrunk counterexample. A recorded counterexample names its variant in the log header, so
 * `kubesim verify` re-runs it with the same broken controller.
 */
type SsDef = ComponentDef<unknown, undefined>;
const real = statefulSetController as unknown as SsDef;

/** Rewrite every write of a plan (`undefined` keeps it). */
const mapWrites = (s: Step | undefined, fn: (w: Step & { kind: 'write' }) => Step | undefined): Step | undefined => {
  if (!s) return s;
  switch (s.kind) {
    case 'write': return fn(s) ?? s;
    case 'seq': return { kind: 'seq', steps: s.steps.map((c) => mapWrites(c, fn)!) };
    case 'par': return { kind: 'par', steps: s.steps.map((c) => mapWrites(c, fn)!) };
    default: return s;
  }
};

const wrapPlan = (f: (i: ReconcileInput<unknown, undefined>, w: Step & { kind: 'write' }) => Step | undefined): SsDef => ({
  ...real,
  reconcile: (i): ReconcileResult<undefined> => {
    const r = real.reconcile(i);
    return r.plan ? { ...r, plan: mapWrites(r.plan, (w) => f(i, w))! } : r;
  },
});

const setOf = (snap: Snapshot, ns: string, podName: string): StatefulSet | undefined => {
  const { parent } = parentAndOrdinal(podName);
  return snap.get('StatefulSet', ns, parent);
};
const podsOf = (snap: Snapshot, set: StatefulSet): Pod[] =>
  [...snap.list('Pod', set.metadata?.namespace ?? '')].filter((p) => parentAndOrdinal(p.metadata?.name ?? '').parent === set.metadata?.name);

/** Scale-down deletes the lowest condemned ordinal first (instead of the highest). */
const lowestFirst = wrapPlan((i, w) => {
  const r = w.req;
  if (r.verb !== 'delete' || r.kind !== 'Pod') return undefined;
  const set = setOf(i.snapshot, r.namespace, r.name);
  if (!set) return undefined;
  const replicas = set.spec?.replicas ?? 1;
  const start = set.spec?.ordinals?.start ?? 0;
  const condemned = podsOf(i.snapshot, set)
    .filter((p) => !p.metadata?.deletionTimestamp && parentAndOrdinal(p.metadata!.name!).ordinal >= start + replicas)
    .sort((a, b) => parentAndOrdinal(a.metadata!.name!).ordinal - parentAndOrdinal(b.metadata!.name!).ordinal);
  const lowest = condemned[0];
  if (!lowest || parentAndOrdinal(r.name).ordinal < start + replicas) return undefined;
  return { ...w, req: { ...r, name: lowest.metadata!.name! } };
});

/** Deletes the claims of every pod it scales down, whatever the retention policy says. */
const claimDeleter: SsDef = {
  ...real,
  reconcile: (i) => {
    const r = real.reconcile(i);
    const extra: Step[] = [];
    mapWrites(r.plan, (w) => {
      const q = w.req;
      if (q.verb === 'delete' && q.kind === 'Pod') {
        const set = setOf(i.snapshot, q.namespace, q.name);
        const replicas = set?.spec?.replicas ?? 1;
        if (set && parentAndOrdinal(q.name).ordinal >= replicas) {
          for (const t of set.spec?.volumeClaimTemplates ?? []) {
            extra.push(write({ verb: 'delete', kind: 'PersistentVolumeClaim', namespace: q.namespace, name: `${t.metadata?.name ?? ''}-${q.name}` }, { ignore: ['NotFound'] }));
          }
        }
      }
      return undefined;
    });
    return extra.length ? { ...r, plan: seq(r.plan, ...extra) } : r;
  },
};

/** Sees every set as Parallel: the next pod is created before its predecessor is Running and Ready. */
const burstView = (snap: Snapshot): Snapshot => ({
  get seq() { return snap.seq; },
  get: ((kind: string, ns: string, name: string) => {
    const o = snap.get(kind as never, ns, name);
    if (kind !== 'StatefulSet' || !o) return o;
    const s = o as StatefulSet;
    return { ...s, spec: { ...s.spec!, podManagementPolicy: 'Parallel' } };
  }) as Snapshot['get'],
  list: snap.list.bind(snap),
  count: snap.count.bind(snap),
  byIndex: snap.byIndex.bind(snap),
});
const createBeforeReady: SsDef = { ...real, reconcile: (i) => real.reconcile({ ...i, snapshot: burstView(i.snapshot) }) };

/**
 * The real controller's plan, then one more write for each member pod that `extra` picks (given the pod,
 * its ordinal, spec.replicas and the snapshot); a set being deleted gets none.
 */
const plusPerPod = (extra: (p: Pod, ordinal: number, replicas: number, snap: Snapshot) => Step | undefined): SsDef => ({
  ...real,
  reconcile: (i) => {
    const r = real.reconcile(i);
    const set = i.snapshot.get('StatefulSet', i.key.split('/')[0] ?? '', i.key.split('/')[1] ?? '');
    if (!set || set.metadata?.deletionTimestamp) return r;
    const replicas = set.spec?.replicas ?? 1;
    const steps: Step[] = [];
    for (const p of podsOf(i.snapshot, set)) {
      const s = extra(p, parentAndOrdinal(p.metadata!.name!).ordinal, replicas, i.snapshot);
      if (s) steps.push(s);
    }
    return steps.length ? { ...r, plan: seq(r.plan, ...steps) } : r;
  },
});

/**
 * Treats a Terminating pod as gone: starts a second pod for the same identity (same ordinal labels and
 * claim, a different object name since the first still holds the name) while the first is Terminating.
 */
const secondWhileTerminating = plusPerPod((p, ordinal, replicas, snap) => {
  if (!p.metadata?.deletionTimestamp || ordinal >= replicas) return undefined;
  const twin = `${p.metadata.name!}-twin`;
  if (snap.get('Pod', p.metadata.namespace ?? '', twin)) return undefined;
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, deletionTimestamp: _d, deletionGracePeriodSeconds: _g, ...meta } = p.metadata;
  const spec = { ...p.spec!, nodeName: undefined, hostname: p.metadata.name! };
  delete spec.nodeName;
  return write({ verb: 'create', object: { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, name: twin, finalizers: undefined }, spec } as KObject }, { ignore: ['AlreadyExists'] });
});

/** Gives a re-created pod a new claim: deletes the existing claim of the ordinal and makes a fresh one first. */
const newClaimOnRecreate = wrapPlan((i, w) => {
  const r = w.req;
  if (r.verb !== 'create' || r.object.kind !== 'Pod') return undefined;
  const name = r.object.metadata?.name ?? '';
  const ns = r.object.metadata?.namespace ?? 'default';
  const set = setOf(i.snapshot, ns, name);
  if (!set) return undefined;
  const { ordinal } = parentAndOrdinal(name);
  const fresh = claimsForOrdinal(set, ordinal);
  const existing = fresh.filter((c) => i.snapshot.get('PersistentVolumeClaim', ns, c.metadata!.name!) as PersistentVolumeClaim | undefined);
  if (existing.length === 0) return undefined;
  return seq(
    ...existing.map((c) => write({ verb: 'delete', kind: 'PersistentVolumeClaim', namespace: ns, name: c.metadata!.name! }, { ignore: ['NotFound'] })),
    ...existing.map((c) => write({ verb: 'create', object: c as KObject }, { ignore: ['AlreadyExists'] })),
    w,
  );
});

/**
 * Treats a container crash as a failed pod: deletes (to re-create) an in-range pod whose container exited
 * and waits for the kubelet to restart it, though the pod is Running (restartPolicy Always).
 */
const replaceCrashed = plusPerPod((p, ordinal, replicas) => {
  if (p.metadata?.deletionTimestamp || ordinal >= replicas || p.status?.phase !== 'Running') return undefined;
  const crashed = (p.status?.containerStatuses ?? []).some((c) => c.state?.running === undefined && lastTermination(c) !== undefined);
  return crashed ? write({ verb: 'delete', kind: 'Pod', namespace: p.metadata?.namespace ?? '', name: p.metadata!.name! }, { ignore: ['NotFound'] }) : undefined;
});

export interface Variant {
  readonly name: string;
  readonly description: string;
  /** The planted bug only shows with these workloads. */
  readonly applies: { readonly policy?: 'OrderedReady' | 'Parallel'; readonly whenScaled?: 'Retain' | 'Delete' };
  readonly controller: ComponentDef<unknown, undefined>;
}

export const VARIANTS: readonly Variant[] = [
  { name: 'scale-down-lowest-first', description: 'scale-down deletes the lowest condemned ordinal first', applies: { policy: 'OrderedReady' }, controller: lowestFirst },
  { name: 'claim-deleted-on-scale-down', description: 'the claims of a scaled-down pod are deleted under whenScaled=Retain', applies: { whenScaled: 'Retain' }, controller: claimDeleter },
  { name: 'create-before-ready', description: 'the next pod is created before its predecessor is Running and Ready', applies: { policy: 'OrderedReady' }, controller: createBeforeReady },
  { name: 'second-pod-while-terminating', description: 'a second pod for an identity while the first is Terminating', applies: {}, controller: secondWhileTerminating },
  { name: 'new-claim-on-recreate', description: 'a re-created pod is given a new claim', applies: {}, controller: newClaimOnRecreate },
  { name: 'replace-crashed-pod', description: 'a pod whose container crashed is deleted and re-created instead of restarted in place', applies: {}, controller: replaceCrashed },
];

export const variantNamed = (name: string): Variant | undefined => VARIANTS.find((v) => v.name === name);

/** The component set of a cluster with the StatefulSet controller replaced by a variant. */
export const withVariant = (v: Variant): ((spec: ClusterSpec) => ComponentSetup[]) => withComponent(v.controller as never);
