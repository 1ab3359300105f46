import { objectKey, type KObject } from '@kubesim/api';
import { diffValues, formatChange, formatValue, isObjectEntry, type Envelope, type FieldChange } from '@kubesim/log';

/**
 * Why an object is as it is: the chain of `cause` links from its last log entry back to the user command or
 * fault that started it, each step with what it changed. Built for logs too large to hold: one pass fills a
 * `LogIndex` (a few numbers per entry, no objects), a second pass fetches only the entries on the chain and
 * their previous versions (`neededSeqs`). For a log in memory, `explainObject` does both at once.
 */

export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export const refOf = (o: KObject): ObjectRef =>
  ({ kind: String(o.kind), namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' });

export const refKey = (r: ObjectRef): string => objectKey(r.kind, r.namespace, r.name);

/** `pod/web-0`, `statefulset/web`, `node/node-a`; a namespace other than `default` is prefixed (`kube-system/pod/x`). */
export const formatRef = (r: ObjectRef): string =>
  `${r.namespace !== '' && r.namespace !== 'default' ? `${r.namespace}/` : ''}${r.kind.toLowerCase()}/${r.name}`;

const NONE = -1;

/** Per-entry causes and per-object links of a log, without the objects. Feed entries in seq order. */
export class LogIndex {
  private causes = new Int32Array(1024);
  private prevs = new Int32Array(1024);
  private times = new Float64Array(1024);
  private readonly last = new Map<string, number>();
  private readonly deleted = new Set<string>();
  /** The seq of the last entry added. */
  seq = 0;

  add(e: Envelope): void {
    const s = e.seq;
    if (s >= this.causes.length) this.grow(s);
    this.seq = s;
    this.causes[s] = e.cause ?? NONE;
    this.times[s] = e.time;
    if (!isObjectEntry(e)) { this.prevs[s] = 0; return; }
    const key = refKey(refOf(e.object));
    // A new incarnation (ADDED) has no previous version, even when the name was used before.
    this.prevs[s] = e.type === 'ADDED' ? 0 : (this.last.get(key) ?? 0);
    this.last.set(key, s);
    if (e.type === 'DELETED') this.deleted.add(key); else this.deleted.delete(key);
  }

  private grow(min: number): void {
    let n = this.causes.length;
    while (n <= min) n *= 2;
    const g = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => { const b = make(n); b.set(a); return b; };
    this.causes = g(this.causes, (k) => new Int32Array(k));
    this.prevs = g(this.prevs, (k) => new Int32Array(k));
    this.times = g(this.times, (k) => new Float64Array(k));
  }

  private check(seq: number): void {
    if (!Number.isInteger(seq) || seq < 1 || seq > this.seq) throw new RangeError(`seq ${seq} is not in the indexed log (1..${this.seq})`);
  }

  /** The cause of an entry (null for inputs). */
  causeOf(seq: number): number | null {
    this.check(seq);
    const c = this.causes[seq]!;
    return c === NONE ? null : c;
  }

  /** The seq of the previous version of the entry's object (0: none, or not an object entry). */
  prevOf(seq: number): number {
    this.check(seq);
    return this.prevs[seq]!;
  }

  timeOf(seq: number): number {
    this.check(seq);
    return this.times[seq]!;
  }

  /** The seq of the object's last entry (0 when it never appeared). */
  lastSeqOf(ref: ObjectRef): number { return this.last.get(refKey(ref)) ?? 0; }

  /** Whether the object's last entry is a DELETED one. */
  isDeleted(ref: ObjectRef): boolean { return this.deleted.has(refKey(ref)); }

  /** Every object that has an entry, as refs. */
  *objects(): IterableIterator<ObjectRef> {
    for (const k of this.last.keys()) {
      const [kind, namespace, ...name] = k.split('/');
      yield { kind: kind ?? '', namespace: namespace ?? '', name: name.join('/') };
    }
  }
}

export interface CauseChain {
  /** Seqs from the object's entry back to the input that started it (newest first). */
  readonly seqs: readonly number[];
  /** Set when a cause link points outside the log or forward (a damaged or hand-made log): the chain stops there. */
  readonly broken?: { readonly seq: number; readonly cause: number };
}

/** Follow `cause` from `start` back to an entry without one (a COMMAND, FAULT or COMPONENT entry). */
export const causeChain = (index: LogIndex, start: number): CauseChain => {
  const seqs = [start];
  let s = start;
  for (;;) {
    const c = index.causeOf(s);
    if (c === null) return { seqs };
    if (!Number.isInteger(c) || c < 1 || c >= s) return { seqs, broken: { seq: s, cause: c } };
    seqs.push(c);
    s = c;
  }
};

/** The entries a second pass must fetch to describe these seqs: themselves and their objects' previous versions. */
export const neededSeqs = (index: LogIndex, seqs: Iterable<number>): Set<number> => {
  const need = new Set<number>();
  for (const s of seqs) {
    need.add(s);
    const p = index.prevOf(s);
    if (p > 0) need.add(p);
  }
  return need;
};

// ---- describing entries --------------------------------------------------------------------------

/** Fields that change on every write: left out of "what changed". */
const ALWAYS_CHANGES = new Set(['metadata.resourceVersion']);
/** Clock fields that change along with the state they date (lastTransitionTime, startedAt, lastTimestamp). */
const isClockField = (c: FieldChange): boolean => {
  const last = c.path[c.path.length - 1];
  return typeof last === 'string' && /(Time|At|Heartbeat)$|^(first|last)Timestamp$/.test(last);
};
/** The order changes are listed in one line: fields set or changed (in object order), then removed ones; clocks last. */
const rankChange = (c: FieldChange): number => (isClockField(c) ? 2 : 0) + (c.kind === 'removed' ? 1 : 0);

/** The changes an entry made to its object, against its previous version (resourceVersion left out). */
export const objectChanges = (previous: KObject | undefined, e: Envelope): FieldChange[] => {
  if (!isObjectEntry(e) || previous === undefined) return [];
  return diffValues(previous, e.object).filter((c) => !ALWAYS_CHANGES.has(c.path.join('.')));
};

/** `scale target=statefulset/web replicas=3`, `pod-readiness namespace=default name=web-1 ready=false`. */
export const describeInput = (e: Envelope): string => {
  const d = e.data;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return d === undefined ? e.type.toLowerCase() : formatValue(d, 200);
  const rec = d as Record<string, unknown>;
  const head = typeof rec.command === 'string' ? 'command' : typeof rec.fault === 'string' ? 'fault' : typeof rec.component === 'string' && typeof rec.event === 'string' ? 'event' : undefined;
  const words: string[] = [];
  if (head) words.push(String(rec[head]));
  for (const [k, v] of Object.entries(rec)) {
    if (k === head || v === undefined) continue;
    words.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return words.join(' ');
};

/**
 * What an entry did, in one line: `created`, `deleted`, the changed fields against the previous version
 * (`spec.nodeName set to node-b, status.phase Pending→Running`; removals after, clocks last, at most
 * `maxChanges`),
 * or for an input its data.
 */
export const describeChange = (previous: KObject | undefined, e: Envelope, maxChanges = 3): string => {
  if (!isObjectEntry(e)) return describeInput(e);
  if (e.type === 'ADDED') {
    if (e.object.kind === 'Event') {
      const ev = e.object as KObject & { reason?: string; message?: string };
      return `created: ${ev.reason ?? ''} "${formatValue(ev.message ?? '', 80)}"`;
    }
    return 'created';
  }
  if (e.type === 'DELETED') return 'deleted';
  if (previous === undefined) return 'modified (previous version not in the log)';
  const changes = objectChanges(previous, e);
  if (changes.length === 0) return 'no change';
  const ordered = changes.map((c, i) => ({ c, i })).sort((x, y) => rankChange(x.c) - rankChange(y.c) || x.i - y.i).map((x) => x.c);
  const shown = ordered.slice(0, maxChanges).map((c) => formatChange(c, 40));
  return `${shown.join(', ')}${ordered.length > maxChanges ? ` (+${ordered.length - maxChanges} more)` : ''}`;
};

/** `t=12.345s` */
export const formatTime = (ms: number): string => `t=${(ms / 1000).toFixed(3)}s`;

/** What an entry is about: `statefulset/web` for an object entry, its type (`COMMAND`) for an input. */
export const entrySubject = (e: Envelope): string => (isObjectEntry(e) ? formatRef(refOf(e.object)) : e.type);

/** One line: `seq 42 t=1.673s user patch/scale statefulset/web: spec.replicas 1→3 (cause 41)`. */
export const describeEntry = (e: Envelope, previous: KObject | undefined): string =>
  `seq ${e.seq} ${formatTime(e.time)} ${e.actor} ${isObjectEntry(e) ? `${e.op ?? e.type.toLowerCase()} ${entrySubject(e)}` : e.type}: ${describeChange(previous, e)}${e.cause !== null ? ` (cause ${e.cause})` : ''}`;

// ---- explaining an object ------------------------------------------------------------------------

export interface ExplainStep {
  readonly entry: Envelope;
  /** The object's version before this entry (undefined for inputs, creations and when unknown). */
  readonly previous?: KObject;
  readonly changes: readonly FieldChange[];
  readonly description: string;
}

export interface Explanation {
  readonly target: ObjectRef;
  /** The object's last entry at or before the requested seq. */
  readonly lastSeq: number;
  readonly deleted: boolean;
  /** From the input that started it (first) to the object's last entry (last). */
  readonly steps: readonly ExplainStep[];
  readonly broken?: { readonly seq: number; readonly cause: number };
}

const stepOf = (entry: Envelope, lookup: (seq: number) => Envelope | undefined, index: LogIndex): ExplainStep => {
  const p = index.prevOf(entry.seq);
  const prevEntry = p > 0 ? lookup(p) : undefined;
  const previous = prevEntry && isObjectEntry(prevEntry) ? prevEntry.object : undefined;
  return {
    entry,
    ...(previous !== undefined ? { previous } : {}),
    changes: objectChanges(previous, entry),
    description: describeChange(previous, entry),
  };
};

/** Steps for these seqs, given a lookup that holds them and their previous versions (see `neededSeqs`). */
export const explainSteps = (index: LogIndex, seqs: readonly number[], lookup: (seq: number) => Envelope | undefined): ExplainStep[] =>
  seqs.map((s) => {
    const e = lookup(s);
    if (!e) throw new Error(`entry ${s} was not fetched (pass neededSeqs to the second pass)`);
    return stepOf(e, lookup, index);
  });

/** Assemble an explanation once the chain's entries are at hand. */
export const explainFrom = (index: LogIndex, target: ObjectRef, lookup: (seq: number) => Envelope | undefined): Explanation | undefined => {
  const last = index.lastSeqOf(target);
  if (last === 0) return undefined;
  const chain = causeChain(index, last);
  return {
    target, lastSeq: last, deleted: index.isDeleted(target),
    steps: explainSteps(index, [...chain.seqs].reverse(), lookup),
    ...(chain.broken ? { broken: chain.broken } : {}),
  };
};

/** The whole explanation for a log in memory (`entries[i].seq === i + 1`), as of `at` (default: the end). */
export const explainObject = (entries: readonly Envelope[], target: ObjectRef, at = Infinity): Explanation | undefined => {
  const index = new LogIndex();
  for (const e of entries) {
    if (e.seq > at) break;
    index.add(e);
  }
  return explainFrom(index, target, (s) => (s >= 1 && s <= index.seq ? entries[s - 1] : undefined));
};

/** The seqs of an object's entries (all incarnations), oldest first. */
export const historySeqs = (entries: Iterable<Envelope>, target: ObjectRef, at = Infinity): number[] => {
  const key = refKey(target);
  const out: number[] = [];
  for (const e of entries) {
    if (e.seq > at) break;
    if (isObjectEntry(e) && refKey(refOf(e.object)) === key) out.push(e.seq);
  }
  return out;
};

/** Names close to `wanted` among `candidates` (substring, shared prefix or small edit distance), best first. */
export const similarNames = (wanted: string, candidates: Iterable<string>, max = 5): string[] => {
  const w = wanted.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const c of new Set(candidates)) {
    const l = c.toLowerCase();
    const d = editDistance(w, l);
    const related = l.includes(w) || w.includes(l) || d <= Math.max(2, Math.floor(w.length / 3));
    if (related) scored.push({ name: c, score: d - (l.includes(w) || w.includes(l) ? w.length : 0) });
  }
  return scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name)).slice(0, max).map((s) => s.name);
};

const editDistance = (a: string, b: string): number => {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
};
