import {
  controllerRefOf, isRunningAndReady, parentAndOrdinal, parseLabelSelectorString, printPod, requirementsMatch, resolveKind,
  type KObject, type Pod, type Requirement, type PersistentVolumeClaim, type PersistentVolume, type Kind,
} from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { Snapshot } from '@kubesim/state';
import type { ClaimsCondition, Condition, PodsCondition } from './types.js';
import { rolloutStatus } from './rollout.js';

/** What conditions are evaluated against: the current state, the log, remembered points, DNS. */
export interface EvalContext {
  readonly state: Snapshot;
  readonly log: readonly Envelope[];
  readonly remembered: ReadonlyMap<string, Remembered>;
  readonly resolve: (name: string) => readonly string[];
  readonly namespace: string;
}

export interface Remembered {
  readonly seq: number;
  readonly pods: ReadonlyMap<string, string>;
  readonly claims: ReadonlyMap<string, { uid: string; volumeName: string }>;
}

/** A failed condition explains itself; an empty list means it holds. */
export type Failures = string[];

export const parseTarget = (t: string): { kind: Kind; name: string } | string => {
  const i = t.indexOf('/');
  if (i < 0) return `target "${t}" must be KIND/NAME`;
  const kind = resolveKind(t.slice(0, i));
  if (!kind) return `unknown kind "${t.slice(0, i)}" in "${t}"`;
  return { kind, name: t.slice(i + 1) };
};

const getPath = (o: unknown, path: string): unknown => {
  let cur: unknown = o;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
};

const eq = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const sinceSeq = (ctx: EvalContext, label: string | undefined): number | string => {
  if (label === undefined) return 0;
  const r = ctx.remembered.get(label);
  return r ? r.seq : `no remembered point "${label}"`;
};

/** kubectl's STATUS column (printPod: `Running`, `Init:0/2`, `CrashLoopBackOff`, `Terminating`, …). */
export const podStatusText = (p: Pod): string => printPod(p).reason;

const evalPods = (ctx: EvalContext, c: PodsCondition): Failures => {
  const f: Failures = [];
  let pods = [...ctx.state.list('Pod', ctx.namespace)] as Pod[];
  const filtered = c.selector !== undefined || c.owner !== undefined || c.namePattern !== undefined;
  if (c.selector !== undefined) { const s = selectorOf(c.selector); pods = pods.filter((p) => requirementsMatch(s, p.metadata?.labels)); }
  if (c.owner !== undefined) {
    const t = parseTarget(c.owner);
    if (typeof t === 'string') return [t];
    const owner = ctx.state.get(t.kind, ctx.namespace, t.name);
    pods = pods.filter((p) => owner !== undefined && controllerRefOf(p.metadata)?.uid === owner.metadata?.uid);
  }
  if (c.namePattern !== undefined) { const re = new RegExp(`^${c.namePattern}$`); pods = pods.filter((p) => re.test(p.metadata!.name!)); }
  if (c.names) {
    if (filtered) {
      const have = pods.map((p) => p.metadata!.name!).sort();
      const want = [...c.names].sort();
      if (!eq(have, want)) f.push(`pods are [${have.join(', ')}], expected [${want.join(', ')}]`);
    } else {
      const byName = new Map(pods.map((p) => [p.metadata!.name!, p]));
      const missing = c.names.filter((n) => !byName.has(n));
      if (missing.length) f.push(`missing pods: ${missing.join(', ')}`);
      pods = c.names.flatMap((n) => (byName.has(n) ? [byName.get(n)!] : []));
    }
  }
  if (c.count !== undefined && pods.length !== c.count) f.push(`${pods.length} pods, expected ${c.count} (${pods.map((p) => p.metadata!.name).join(', ')})`);
  if (c.countsByStatus) {
    const have: Record<string, number> = {};
    for (const p of pods) { const st = podStatusText(p); have[st] = (have[st] ?? 0) + 1; }
    for (const [st, n] of Object.entries(c.countsByStatus)) {
      if ((have[st] ?? 0) !== n) f.push(`${have[st] ?? 0} pods are ${st}, expected ${n} (${JSON.stringify(have)})`);
    }
  }
  for (const p of pods) {
    const n = p.metadata!.name!;
    if (c.phase !== undefined && p.status?.phase !== c.phase) f.push(`pod ${n} is ${p.status?.phase ?? 'without phase'}, expected ${c.phase}`);
    if (c.ready !== undefined && isRunningAndReady(p) !== c.ready) f.push(`pod ${n} is ${isRunningAndReady(p) ? '' : 'not '}Running and Ready`);
    if (c.node !== undefined && p.spec?.nodeName !== c.node) f.push(`pod ${n} is on ${p.spec?.nodeName ?? 'no node'}, expected ${c.node}`);
    if (c.status !== undefined && podStatusText(p) !== c.status) f.push(`pod ${n} status is ${podStatusText(p)}, expected ${c.status}`);
    if (c.uidVs) {
      const r = ctx.remembered.get(c.uidVs.label);
      if (!r) { f.push(`no remembered point "${c.uidVs.label}"`); continue; }
      const before = r.pods.get(n);
      if (before === undefined) f.push(`pod ${n} did not exist at "${c.uidVs.label}"`);
      else if ((before === p.metadata?.uid) !== (c.uidVs.is === 'same')) f.push(`pod ${n} uid ${c.uidVs.is === 'same' ? 'changed' : 'did not change'} since "${c.uidVs.label}"`);
    }
    if (c.claim) {
      for (const [vol, claim] of Object.entries(c.claim)) {
        const v = (p.spec?.volumes ?? []).find((x) => x.name === vol);
        if (v?.persistentVolumeClaim?.claimName !== claim) f.push(`pod ${n} volume ${vol} mounts ${v?.persistentVolumeClaim?.claimName ?? 'nothing'}, expected claim ${claim}`);
      }
    }
  }
  return f;
};

const evalClaims = (ctx: EvalContext, c: ClaimsCondition): Failures => {
  const f: Failures = [];
  let claims = [...ctx.state.list('PersistentVolumeClaim', ctx.namespace)] as PersistentVolumeClaim[];
  if (c.selector !== undefined) { const s = selectorOf(c.selector); claims = claims.filter((x) => requirementsMatch(s, x.metadata?.labels)); }
  if (c.names) {
    const byName = new Map(claims.map((x) => [x.metadata!.name!, x]));
    if (c.selector !== undefined) {
      const have = [...byName.keys()].sort();
      if (!eq(have, [...c.names].sort())) f.push(`claims are [${have.join(', ')}], expected [${[...c.names].sort().join(', ')}]`);
    }
    const missing = c.names.filter((n) => !byName.has(n));
    if (missing.length) f.push(`missing claims: ${missing.join(', ')}`);
    claims = c.names.flatMap((n) => (byName.has(n) ? [byName.get(n)!] : []));
  }
  if (c.count !== undefined && claims.length !== c.count) f.push(`${claims.length} claims, expected ${c.count}`);
  const r = c.sameAs !== undefined ? ctx.remembered.get(c.sameAs) : undefined;
  if (c.sameAs !== undefined && !r) f.push(`no remembered point "${c.sameAs}"`);
  for (const x of claims) {
    const n = x.metadata!.name!;
    if (c.phase !== undefined && x.status?.phase !== c.phase) f.push(`claim ${n} is ${x.status?.phase ?? 'without phase'}, expected ${c.phase}`);
    if (r) {
      const before = r.claims.get(n);
      if (!before) f.push(`claim ${n} did not exist at "${c.sameAs ?? ''}"`);
      else {
        if (before.uid !== x.metadata?.uid) f.push(`claim ${n} was re-created (uid ${before.uid} → ${x.metadata?.uid ?? ''})`);
        if (before.volumeName !== (x.spec?.volumeName ?? '')) f.push(`claim ${n} volume changed (${before.volumeName} → ${x.spec?.volumeName ?? ''})`);
      }
    }
    if (c.ownerRefs !== undefined) {
      const refs = x.metadata?.ownerReferences ?? [];
      const kinds = refs.map((o) => o.kind);
      const ok = c.ownerRefs === 'none' ? refs.length === 0 : c.ownerRefs === 'set' ? eq(kinds, ['StatefulSet']) : eq(kinds, ['Pod']);
      if (!ok) f.push(`claim ${n} owner references are [${kinds.join(', ')}], expected ${c.ownerRefs}`);
    }
  }
  return f;
};

/** The seq at which each named object first reached a state, after `since`. */
const firstSeqs = (ctx: EvalContext, kind: string, type: string, names: readonly string[], since: number): Map<string, number> => {
  const want = new Set(names);
  const out = new Map<string, number>();
  for (const e of ctx.log) {
    if (e.seq <= since || !isObjectEntry(e) || e.object.kind !== kind) continue;
    const n = e.object.metadata?.name ?? '';
    if (!want.has(n) || out.has(n)) continue;
    const hit = type === 'ADDED' ? e.type === 'ADDED'
      : type === 'DELETED' ? e.type === 'DELETED'
        : type === 'TERMINATING' ? e.object.metadata?.deletionTimestamp !== undefined
          : e.type !== 'DELETED' && isRunningAndReady(e.object as Pod);
    if (hit) out.set(n, e.seq);
  }
  return out;
};

/** Replay pods of one set through the log, checking a rule at each pod event. */
const replaySetPods = (ctx: EvalContext, set: string, since: number, check: (e: Envelope & { object: KObject }, pods: Map<number, Pod>, prev: Pod | undefined) => string | undefined): Failures => {
  const pods = new Map<number, Pod>();
  const f: Failures = [];
  for (const e of ctx.log) {
    if (!isObjectEntry(e) || e.object.kind !== 'Pod' || (e.object.metadata?.namespace ?? '') !== ctx.namespace) continue;
    const { parent, ordinal } = parentAndOrdinal(e.object.metadata?.name ?? '');
    if (parent !== set || ordinal < 0) continue;
    const prev = pods.get(ordinal);
    if (e.seq > since) { const m = check(e, pods, prev); if (m) f.push(m); }
    if (e.type === 'DELETED') pods.delete(ordinal); else pods.set(ordinal, e.object as Pod);
  }
  return f;
};

/** Parsed selectors by their text: a wait re-checks its condition after every relevant entry. */
const parsedSelectors = new Map<string, Requirement[]>();

/** A condition's selector (checked when the scenario was parsed; a malformed one here is a programming error). */
const selectorOf = (s: string): Requirement[] => {
  let r = parsedSelectors.get(s);
  if (r === undefined) {
    const p = parseLabelSelectorString(s);
    if (typeof p === 'string') throw new Error(`selector "${s}": ${p}`);
    r = p;
    parsedSelectors.set(s, r);
  }
  return r;
};

/** Pod entries of the log after `since` whose labels match a selector string. */
function* podEntriesSince(ctx: EvalContext, selector: string, since: number): Iterable<Envelope & { object: KObject }> {
  const sel = selectorOf(selector);
  for (const e of ctx.log) {
    if (e.seq > since && isObjectEntry(e) && e.object.kind === 'Pod' && requirementsMatch(sel, e.object.metadata?.labels)) yield e;
  }
}

export const evaluate = (ctx: EvalContext, c: Condition): Failures => {
  const f: Failures = [];
  if (c.pods) f.push(...evalPods(ctx, c.pods));
  if (c.claims) f.push(...evalClaims(ctx, c.claims));
  if (c.volumes) {
    let pvs = [...ctx.state.list('PersistentVolume')] as PersistentVolume[];
    if (c.volumes.names) pvs = pvs.filter((p) => c.volumes!.names!.includes(p.metadata!.name!));
    if (c.volumes.count !== undefined && pvs.length !== c.volumes.count) f.push(`${pvs.length} volumes, expected ${c.volumes.count}`);
    for (const p of pvs) if (c.volumes.phase !== undefined && p.status?.phase !== c.volumes.phase) f.push(`volume ${p.metadata!.name!} is ${p.status?.phase ?? '?'}, expected ${c.volumes.phase}`);
  }
  if (c.object) {
    const t = parseTarget(c.object.target);
    if (typeof t === 'string') f.push(t);
    else {
      const o = ctx.state.get(t.kind, ctx.namespace, t.name) ?? ctx.state.get(t.kind, '', t.name);
      if (!o) f.push(`${c.object.target} not found`);
      else for (const [path, want] of Object.entries(c.object.fields)) {
        const have = getPath(o, path);
        if (!eq(have, want)) f.push(`${c.object.target} ${path} is ${JSON.stringify(have)}, expected ${JSON.stringify(want)}`);
      }
    }
  }
  for (const [list, wantPresent] of [[c.absent, false], [c.present, true]] as const) {
    for (const target of list ?? []) {
      const t = parseTarget(target);
      if (typeof t === 'string') { f.push(t); continue; }
      const o = ctx.state.get(t.kind, ctx.namespace, t.name) ?? ctx.state.get(t.kind, '', t.name);
      if ((o !== undefined) !== wantPresent) f.push(`${target} ${wantPresent ? 'does not exist' : 'still exists'}`);
    }
  }
  if (c.dns) {
    for (const n of c.dns.resolves ?? []) if (ctx.resolve(n).length === 0) f.push(`${n} does not resolve (NXDOMAIN)`);
    for (const n of c.dns.nxdomain ?? []) { const r = ctx.resolve(n); if (r.length > 0) f.push(`${n} resolves to ${r.join(', ')}, expected NXDOMAIN`); }
  }
  if (c.order) {
    const since = sinceSeq(ctx, c.order.since);
    if (typeof since === 'string') f.push(since);
    else {
      const seqs = firstSeqs(ctx, c.order.kind, c.order.type, c.order.names, since);
      const missing = c.order.names.filter((n) => !seqs.has(n));
      if (missing.length) f.push(`no ${c.order.type} of ${missing.join(', ')} in the log`);
      else {
        const actual = [...c.order.names].sort((a, b) => seqs.get(a)! - seqs.get(b)!);
        if (!eq(actual, c.order.names)) f.push(`${c.order.type} order was ${actual.join(' → ')}, expected ${c.order.names.join(' → ')}`);
      }
    }
  }
  if (c.sequence) {
    const since = sinceSeq(ctx, c.sequence.since);
    if (typeof since === 'string') f.push(since);
    else {
      const seqs: number[] = [];
      for (const item of c.sequence.events) {
        const m = /^(ADDED|DELETED|TERMINATING|READY)\s+(\w+)\/(.+)$/.exec(item);
        if (!m) { f.push(`sequence item "${item}" must look like "ADDED Pod/web-0"`); continue; }
        const s1 = firstSeqs(ctx, m[2]!, m[1]!, [m[3]!], since).get(m[3]!);
        if (s1 === undefined) f.push(`no ${m[1]!} of ${m[2]!}/${m[3]!} in the log`);
        seqs.push(s1 ?? -1);
      }
      for (let i = 1; i < seqs.length; i++) {
        if (seqs[i - 1]! >= 0 && seqs[i]! >= 0 && seqs[i - 1]! >= seqs[i]!) f.push(`"${c.sequence.events[i]!}" (seq ${seqs[i]!}) came before "${c.sequence.events[i - 1]!}" (seq ${seqs[i - 1]!})`);
      }
    }
  }
  if (c.orderedReady) {
    const since = sinceSeq(ctx, c.orderedReady.since);
    const t = parseTarget(c.orderedReady.set);
    if (typeof since === 'string') f.push(since);
    else if (typeof t === 'string') f.push(t);
    else f.push(...replaySetPods(ctx, t.name, since, (e, pods) => {
      if (e.type !== 'ADDED') return undefined;
      const k = parentAndOrdinal(e.object.metadata!.name!).ordinal;
      const lower = [...pods.keys()].filter((j) => j < k);
      const notReady = lower.filter((j) => !isRunningAndReady(pods.get(j)!) || pods.get(j)!.metadata?.deletionTimestamp !== undefined);
      const gap = k > 0 && !pods.has(k - 1) && lower.length > 0;
      if (notReady.length) return `seq ${e.seq}: ${e.object.metadata!.name!} was created while ${notReady.map((j) => `${t.name}-${j}`).join(', ')} was not Running and Ready`;
      if (gap) return `seq ${e.seq}: ${e.object.metadata!.name!} was created before ${t.name}-${k - 1} existed`;
      return undefined;
    }));
  }
  if (c.orderedDeletion) {
    const since = sinceSeq(ctx, c.orderedDeletion.since);
    const t = parseTarget(c.orderedDeletion.set);
    if (typeof since === 'string') f.push(since);
    else if (typeof t === 'string') f.push(t);
    else f.push(...replaySetPods(ctx, t.name, since, (e, pods, prev) => {
      const startsTerminating = e.type !== 'DELETED' && e.object.metadata?.deletionTimestamp !== undefined && prev?.metadata?.deletionTimestamp === undefined;
      const goneWithoutGrace = e.type === 'DELETED' && prev !== undefined && prev.metadata?.deletionTimestamp === undefined;
      if (!startsTerminating && !goneWithoutGrace) return undefined;
      const k = parentAndOrdinal(e.object.metadata!.name!).ordinal;
      const higher = [...pods.keys()].filter((j) => j > k);
      const others = [...pods.entries()].filter(([j, p]) => j !== k && p.metadata?.deletionTimestamp !== undefined).map(([j]) => j);
      if (higher.length) return `seq ${e.seq}: ${t.name}-${k} was deleted while ${higher.map((j) => `${t.name}-${j}`).join(', ')} still existed`;
      if (others.length) return `seq ${e.seq}: ${t.name}-${k} was deleted while ${others.map((j) => `${t.name}-${j}`).join(', ')} was still terminating`;
      return undefined;
    }));
  }
  if (c.simultaneousDeletion) {
    const since = sinceSeq(ctx, c.simultaneousDeletion.since);
    if (typeof since === 'string') f.push(since);
    else {
      const term = new Map<string, number>();
      let firstGone = Infinity;
      for (const e of podEntriesSince(ctx, c.simultaneousDeletion.selector, since)) {
        const n = e.object.metadata!.name!;
        if (e.object.metadata?.deletionTimestamp !== undefined && !term.has(n)) term.set(n, e.seq);
        if (e.type === 'DELETED') { firstGone = Math.min(firstGone, e.seq); if (!term.has(n)) term.set(n, e.seq); }
      }
      if (term.size === 0) f.push('no pod was deleted');
      const late = [...term.entries()].filter(([, s]) => s > firstGone);
      if (late.length) f.push(`not deleted at once: ${late.map(([n]) => n).join(', ')} started terminating after another pod was already gone (seq ${firstGone})`);
    }
  }
  if (c.createdTogether) {
    const since = sinceSeq(ctx, c.createdTogether.since);
    if (typeof since === 'string') f.push(since);
    else {
      const added = new Map<string, number>();
      let firstReady = Infinity;
      for (const e of podEntriesSince(ctx, c.createdTogether.selector, since)) {
        if (e.type === 'ADDED') added.set(e.object.metadata!.name!, e.seq);
        else if (e.type === 'MODIFIED' && isRunningAndReady(e.object as Pod)) firstReady = Math.min(firstReady, e.seq);
      }
      if (added.size === 0) f.push('no pod was created');
      const late = [...added.entries()].filter(([, s1]) => s1 > firstReady);
      if (late.length) f.push(`not created together: ${late.map(([n]) => n).join(', ')} created after another pod was already Ready (seq ${firstReady})`);
    }
  }
  if (c.events) {
    const ev = c.events;
    let target: { kind: string; name: string } | undefined;
    if (ev.target) { const t = parseTarget(ev.target); if (typeof t === 'string') return [...f, t]; target = t; }
    const matching = [...ctx.state.list('Event', ctx.namespace)].filter((x) =>
      x.reason === ev.reason && (ev.message === undefined || (x.message ?? '').includes(ev.message))
      && (!target || (x.involvedObject.kind === target.kind && x.involvedObject.name === target.name)));
    const n = matching.reduce((s, x) => s + (x.count ?? 1), 0);
    if (ev.count !== undefined && n !== ev.count) f.push(`${n} ${ev.reason} events${ev.message ? ` matching "${ev.message}"` : ''}, expected ${ev.count}`);
    if (ev.min !== undefined && n < ev.min) f.push(`${n} ${ev.reason} events${ev.message ? ` matching "${ev.message}"` : ''}, expected at least ${ev.min}`);
    if (ev.count === undefined && ev.min === undefined && n === 0) f.push(`no ${ev.reason} event${ev.message ? ` matching "${ev.message}"` : ''}`);
  }
  if (c.rollout !== undefined) {
    const t = parseTarget(c.rollout);
    if (typeof t === 'string') f.push(t);
    else {
      const st = rolloutStatus(ctx.state, t.kind, ctx.namespace, t.name);
      if ('error' in st) f.push(`rollout status ${c.rollout}: ${st.error}`);
      else if (!st.done) f.push(`rollout status ${c.rollout}: ${st.message}`);
    }
  }
  for (const sub of c.all ?? []) f.push(...evaluate(ctx, sub));
  return f;
};

/**
 * The kinds of objects whose log entries a condition reads (its objects, their owners, claims and
 * volumes, DNS sources, events): the condition is a function of the state and the log, so its value can
 * only change when an entry of one of these kinds is appended. Conservative: `undefined` means any.
 */
export const conditionKinds = (c: Condition): ReadonlySet<string> | undefined => {
  const kinds = new Set<string>();
  const target = (t: string): boolean => { const r = parseTarget(t); if (typeof r === 'string') return false; kinds.add(r.kind); return true; };
  const add = (x: Condition): boolean => {
    if (x.pods) {
      kinds.add('Pod').add('PersistentVolumeClaim').add('PersistentVolume');
      if (x.pods.owner !== undefined && !target(x.pods.owner)) return false;
    }
    if (x.claims) kinds.add('PersistentVolumeClaim').add('PersistentVolume').add('Pod');
    if (x.volumes) kinds.add('PersistentVolume');
    if (x.object && !target(x.object.target)) return false;
    for (const t of [...(x.absent ?? []), ...(x.present ?? [])]) if (!target(t)) return false;
    if (x.dns) kinds.add('Service').add('EndpointSlice');
    if (x.order) kinds.add(x.order.kind);
    if (x.sequence) {
      for (const item of x.sequence.events) {
        const m = /^\w+\s+(\w+)\//.exec(item);
        if (!m) return false;
        kinds.add(m[1]!);
      }
    }
    if (x.orderedReady || x.orderedDeletion || x.createdTogether || x.simultaneousDeletion) kinds.add('Pod');
    if (x.events) kinds.add('Event');
    if (x.rollout !== undefined && !target(x.rollout)) return false;
    for (const sub of x.all ?? []) if (!add(sub)) return false;
    return true;
  };
  return add(c) ? kinds : undefined;
};

/** Cheap checks first: a wait only needs to know whether the whole condition holds. */
const SECTION_ORDER: readonly (keyof Condition)[] = [
  'object', 'rollout', 'absent', 'present', 'pods', 'claims', 'volumes', 'dns', 'events',
  'order', 'sequence', 'orderedReady', 'orderedDeletion', 'createdTogether', 'simultaneousDeletion',
];

/**
 * Whether a condition holds (what `evaluate(ctx, c).length === 0` says), section by section so that a
 * failing section ends the check. Build once per condition, call per check.
 */
export const conditionHolds = (c: Condition): ((ctx: EvalContext) => boolean) => {
  const parts: ((ctx: EvalContext) => boolean)[] = [];
  const known = new Set<string>([...SECTION_ORDER, 'all']);
  if (Object.keys(c).some((k) => !known.has(k))) return (ctx) => evaluate(ctx, c).length === 0;
  for (const k of SECTION_ORDER) {
    if (c[k] === undefined) continue;
    const one = { [k]: c[k] } as Condition;
    parts.push((ctx) => evaluate(ctx, one).length === 0);
  }
  for (const sub of c.all ?? []) parts.push(conditionHolds(sub));
  return (ctx) => {
    for (const p of parts) if (!p(ctx)) return false;
    return true;
  };
};
