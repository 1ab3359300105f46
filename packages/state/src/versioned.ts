import type { Kind, KindToType, KObject } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { IndexSpec, Snapshot } from './store.js';

/**
 * One fold of the log shared by every reader that sees a prefix of it: the API server reads the head,
 * each informer a view at the seq of the last entry delivered to it (`StoreView`). What a view returns —
 * objects, and the order of `list` and `byIndex` — is exactly what an `ObjectStore` fed the same prefix
 * (restricted to the view's kinds) would return, so a component cannot tell the difference; the log is
 * folded once instead of once per informer.
 *
 * How: every incarnation of an object (ADDED … DELETED) is a record with its versions; index membership
 * is a record too, open from the seq of the version that entered the value to the seq of the one that
 * left it. A view at seq v sees what was open at v, in creation order — the order of an ObjectStore's
 * maps and sets, where a re-added object or a re-filed index entry goes last. Versions, records and
 * memberships that every view has moved past are dropped (`prune`), so a view costs memory only for
 * the entries it has not been delivered yet.
 */

/** One incarnation of an object (from its ADDED entry to its DELETED entry). */
class Rec {
  /** Seq of the entry that created it. */
  readonly from: number;
  /** Seq of the entry that deleted it (Infinity while it exists). */
  to = Infinity;
  head: KObject;
  headSeq: number;
  /** Earlier versions some view may still see, oldest first. */
  older: { readonly seq: number; readonly obj: KObject }[] | undefined;
  /** The incarnation of the same name before this one, while some view may still see it. */
  prev: Rec | undefined;
  /** The incarnation after this one (to unlink this one when it is pruned). */
  next: Rec | undefined;
  /** Per index of the kind: the values of the head version and their open memberships. */
  values: (readonly string[])[];
  open: (Member[] | undefined)[];
  readonly ns: Ns;
  readonly name: string;
  /** Pruned: no reader can see it any more. */
  dropped = false;

  constructor(ns: Ns, name: string, obj: KObject, seq: number, nIndexes: number) {
    this.ns = ns;
    this.name = name;
    this.from = seq;
    this.head = obj;
    this.headSeq = seq;
    this.older = undefined;
    this.prev = undefined;
    this.next = undefined;
    // Kinds without indexes (events) share one empty list (replaced if an index is added later).
    this.values = nIndexes === 0 ? NO_INDEX_VALUES : new Array<readonly string[]>(nIndexes).fill(EMPTY_VALUES);
    this.open = nIndexes === 0 ? NO_OPEN : new Array<Member[] | undefined>(nIndexes).fill(undefined);
  }

  /** The version a reader at seq `v` sees (the record is visible at v). */
  at(v: number): KObject {
    if (this.headSeq <= v) return this.head;
    const o = this.older!;
    for (let i = o.length - 1; i > 0; i--) if (o[i]!.seq <= v) return o[i]!.obj;
    return o[0]!.obj;
  }
}

/** A record filed under one index value from `from` to `to`. */
interface Member {
  readonly rec: Rec;
  readonly from: number;
  to: number;
  /** Pruned: no reader can see it any more. */
  dropped?: boolean;
  /** Where it is filed (to remove it when pruned). */
  readonly ix: SIndex;
  readonly list: Ordered<Member>;
  readonly value: string;
}

/**
 * An insertion-ordered list from which items are dropped (what a Set gives, without a Set's iterator
 * allocations): dropped items stay in `items` — they are invisible to every reader by then — until
 * more than half are dropped, when a compacted copy replaces the array (an iteration in progress keeps
 * the old one).
 */
interface Ordered<T> {
  items: T[];
  dropped: number;
}

const dropFrom = <T>(o: Ordered<T>, item: T, isDropped: (x: T) => boolean): void => {
  o.dropped++;
  if (o.dropped > 16 && o.dropped * 2 > o.items.length) {
    o.items = o.items.filter((x) => x !== item && !isDropped(x));
    o.dropped = 0;
  }
};

/** The objects of one kind in one namespace. */
interface Ns {
  /** Every record some reader may see, in creation order. */
  readonly recs: Ordered<Rec>;
  /** Name → newest incarnation. */
  readonly names: Map<string, Rec>;
  /** Records that exist at the head. */
  live: number;
}

interface SIndex {
  readonly spec: IndexSpec;
  readonly map: Map<string, Ordered<Member>>;
  readonly pos: number;
}

/** Something that a reader has moved past, dropped once every view of its kind has. */
type Retired =
  | { readonly seq: number; readonly what: 'version'; readonly rec: Rec }
  | { readonly seq: number; readonly what: 'record'; readonly rec: Rec }
  | { readonly seq: number; readonly what: 'member'; readonly member: Member };

const EMPTY_VALUES: readonly string[] = [];
const NO_INDEX_VALUES: (readonly string[])[] = [];
const NO_OPEN: (Member[] | undefined)[] = [];
const EMPTY: Iterable<never> = [];

const dropMember = (m: Member): void => {
  if (m.dropped) return;
  m.dropped = true;
  const list = m.list;
  if (list.dropped + 1 === list.items.length) {
    // The last one: the value goes (a later member starts a new list, as a Set is dropped when empty).
    if (m.ix.map.get(m.value) === list) m.ix.map.delete(m.value);
    list.dropped++;
    return;
  }
  dropFrom(list, m, (x) => x.dropped === true);
};

const sameValues = (a: readonly string[], b: readonly string[]): boolean => {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** Per kind: its namespaces, indexes, views and what waits to be pruned. */
interface KindState {
  readonly byNs: Map<string, Ns>;
  readonly indexes: SIndex[];
  readonly views: StoreView[];
  live: number;
  readonly retired: Retired[];
  retiredHead: number;
}

/**
 * The records of a kind visible at seq `v`, in creation order. Each iterator hands out one result
 * object, refilled per step (for-of and spreads read it at once): no allocation per element.
 */
class RecsAt<T> implements IterableIterator<T> {
  private readonly items: readonly Rec[];
  private i = 0;
  private readonly result: { done: false; value: T } = { done: false, value: undefined as T };
  constructor(recs: Ordered<Rec>, private readonly v: number) { this.items = recs.items; }
  [Symbol.iterator](): IterableIterator<T> { return this; }
  next(): IteratorResult<T> {
    const items = this.items, v = this.v;
    while (this.i < items.length) {
      const rec = items[this.i++]!;
      if (rec.from <= v && v < rec.to) { this.result.value = rec.at(v) as T; return this.result; }
    }
    return DONE;
  }
}

/** The members of one index value visible at seq `v`, in the order they were filed (one result object, as RecsAt). */
class MembersAt<T> implements IterableIterator<T> {
  private readonly items: readonly Member[];
  private i = 0;
  private readonly result: { done: false; value: T } = { done: false, value: undefined as T };
  constructor(list: Ordered<Member>, private readonly v: number) { this.items = list.items; }
  [Symbol.iterator](): IterableIterator<T> { return this; }
  next(): IteratorResult<T> {
    const items = this.items, v = this.v;
    while (this.i < items.length) {
      const m = items[this.i++]!;
      if (m.from <= v && v < m.to) { this.result.value = m.rec.at(v) as T; return this.result; }
    }
    return DONE;
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export class VersionedStore implements Snapshot {
  /** The seq of the last entry folded (the head). */
  seq = 0;
  private readonly kinds = new Map<string, KindState>();
  /** By seq: the version of the entry's object that the entry replaced or removed (undefined for a new one). */
  private prevBySeq: (KObject | undefined)[] = [];

  private kindState(kind: string): KindState {
    let k = this.kinds.get(kind);
    if (!k) {
      k = { byNs: new Map(), indexes: [], views: [], live: 0, retired: [], retiredHead: 0 };
      this.kinds.set(kind, k);
    }
    return k;
  }

  /**
   * A view for a reader that is delivered the entries of `kinds` in log order, starting at `seq` (it
   * sees everything up to there). `indexes` are the ones it may query.
   */
  view(kinds: Iterable<Kind>, indexes: readonly IndexSpec[], seq: number): StoreView {
    const byName = new Map<string, Map<string, SIndex>>();
    for (const spec of indexes) {
      const ix = this.index(spec);
      let m = byName.get(spec.kind);
      if (!m) { m = new Map(); byName.set(spec.kind, m); }
      m.set(spec.name, ix);
    }
    const states = new Map<string, KindState>();
    for (const k of kinds) states.set(k, this.kindState(k));
    const v = new StoreView(this, states, byName, seq);
    for (const ks of states.values()) ks.views.push(v);
    return v;
  }

  /** Stop keeping versions for a view (it is no longer read). */
  close(v: StoreView): void {
    for (const k of v.kinds.keys()) {
      const views = this.kindState(k).views;
      const i = views.indexOf(v);
      if (i >= 0) views.splice(i, 1);
    }
  }

  /** The shared index for a spec, filled from the head when it is new. */
  private index(spec: IndexSpec): SIndex {
    const ks = this.kindState(spec.kind);
    const found = ks.indexes.find((ix) => ix.spec === spec);
    if (found) return found;
    const ix: SIndex = { spec, map: new Map(), pos: ks.indexes.length };
    ks.indexes.push(ix);
    for (const ns of ks.byNs.values()) {
      for (const rec of ns.recs.items) {
        if (rec.dropped) continue;
        if (rec.values === NO_INDEX_VALUES) { rec.values = []; rec.open = []; }
        rec.values.push(EMPTY_VALUES);
        rec.open.push(undefined);
        if (rec.to === Infinity) this.file(ix, rec, spec.fn(rec.head), rec.headSeq);
      }
    }
    return ix;
  }

  watches(): boolean { return true; }

  /** Fold one log entry. Entries must arrive in seq order. */
  apply(e: Envelope): void {
    this.applyReturningOld(e);
  }

  applyReturningOld(e: Envelope): KObject | undefined {
    const s = e.seq;
    this.seq = s;
    if (!isObjectEntry(e)) return undefined;
    const o = e.object;
    const ks = this.kindState(o.kind as string);
    const nsName = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    let ns = ks.byNs.get(nsName);
    if (!ns) { ns = { recs: { items: [], dropped: 0 }, names: new Map(), live: 0 }; ks.byNs.set(nsName, ns); }
    const cur = ns.names.get(name);
    const live = cur !== undefined && cur.to === Infinity ? cur : undefined;
    // Something a view may still need is kept until every view of the kind has moved past `s`.
    const keep = this.minSeq(ks) < s;
    let old: KObject | undefined;
    if (e.type === 'DELETED') {
      if (live === undefined) return this.prevAt(s, undefined);
      old = live.head;
      live.to = s;
      ns.live--;
      ks.live--;
      this.refile(ks, live, undefined, s, keep);
      if (keep) ks.retired.push({ seq: s, what: 'record', rec: live });
      else this.dropRecord(live);
    } else if (live !== undefined) {
      old = live.head;
      if (keep) {
        (live.older ??= []).push({ seq: live.headSeq, obj: live.head });
        ks.retired.push({ seq: s, what: 'version', rec: live });
      }
      live.head = o;
      live.headSeq = s;
      this.refile(ks, live, o, s, keep);
    } else {
      const rec = new Rec(ns, name, o, s, ks.indexes.length);
      if (cur !== undefined) {
        if (keep) { rec.prev = cur; cur.next = rec; } else this.dropRecord(cur);
      }
      ns.names.set(name, rec);
      ns.recs.items.push(rec);
      ns.live++;
      ks.live++;
      for (const ix of ks.indexes) this.file(ix, rec, ix.spec.fn(o), s);
    }
    if (ks.retiredHead < ks.retired.length) this.prune(ks);
    return this.prevAt(s, old);
  }

  private prevAt(s: number, old: KObject | undefined): KObject | undefined {
    const p = this.prevBySeq;
    while (p.length < s) p.push(undefined);
    p[s] = old;
    return old;
  }

  /** The version the entry at `seq` replaced or removed (what an informer's lookup before it gave). */
  previous(seq: number): KObject | undefined { return this.prevBySeq[seq]; }

  /** Open memberships of a record for `values` from seq `s`. */
  private file(ix: SIndex, rec: Rec, values: readonly string[], s: number): void {
    rec.values[ix.pos] = values.length === 0 ? EMPTY_VALUES : values;
    if (values.length === 0) { rec.open[ix.pos] = undefined; return; }
    const open: Member[] = [];
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      // A value listed twice is filed once (a set holds an object once).
      if (i > 0 && values.indexOf(value) < i) continue;
      let list = ix.map.get(value);
      if (!list) { list = { items: [], dropped: 0 }; ix.map.set(value, list); }
      const m: Member = { rec, from: s, to: Infinity, ix, list, value };
      list.items.push(m);
      open.push(m);
    }
    rec.open[ix.pos] = open;
  }

  /** A record's new version (or its deletion, `o` undefined): re-file it where its values changed. */
  private refile(ks: KindState, rec: Rec, o: KObject | undefined, s: number, keep: boolean): void {
    const list = ks.indexes;
    for (let j = 0; j < list.length; j++) {
      const ix = list[j]!;
      const before = rec.values[j]!;
      const after = o ? ix.spec.fn(o) : EMPTY_VALUES;
      // As ObjectStore.reindex: an unchanged list keeps its place; any change re-files every value.
      if (o && sameValues(before, after)) continue;
      const open = rec.open[j];
      if (open) {
        for (const m of open) {
          m.to = s;
          if (keep) ks.retired.push({ seq: s, what: 'member', member: m });
          else dropMember(m);
        }
      }
      if (o) this.file(ix, rec, after, s);
      else { rec.values[j] = EMPTY_VALUES; rec.open[j] = undefined; }
    }
  }

  private dropRecord(rec: Rec): void {
    const ns = rec.ns;
    if (rec.dropped) return;
    rec.dropped = true;
    dropFrom(ns.recs, rec, (x) => x.dropped);
    // Older incarnations are dropped before newer ones (they were deleted first).
    if (rec.next !== undefined) rec.next.prev = undefined;
    else if (ns.names.get(rec.name) === rec) ns.names.delete(rec.name);
  }

  /** The lowest seq a view of the kind is at (Infinity when none reads it). */
  private minSeq(ks: KindState): number {
    let min = Infinity;
    const views = ks.views;
    for (let i = 0; i < views.length; i++) { const v = views[i]!.seq; if (v < min) min = v; }
    return min;
  }

  /** Drop what every view of the kind has moved past. */
  private prune(ks: KindState): void {
    const min = this.minSeq(ks);
    const q = ks.retired;
    let i = ks.retiredHead;
    while (i < q.length && q[i]!.seq <= min) {
      const r = q[i++]!;
      switch (r.what) {
        case 'version': r.rec.older!.shift(); if (r.rec.older!.length === 0) r.rec.older = undefined; break;
        case 'record': this.dropRecord(r.rec); break;
        case 'member': dropMember(r.member); break;
      }
    }
    if (i === q.length) { q.length = 0; ks.retiredHead = 0; } else if (i > 4096 && i * 2 > q.length) { q.splice(0, i); ks.retiredHead = 0; } else ks.retiredHead = i;
  }

  /** Versions, records and index entries kept for views that have not moved past them yet (tests). */
  retained(): number {
    let n = 0;
    for (const ks of this.kinds.values()) n += ks.retired.length - ks.retiredHead;
    return n;
  }

  // ---- reads at a seq (views) and at the head (the store itself) -----------------------------------
  /** Reads at seq `v` (a view's) of one kind; `ks` undefined: nothing of the kind. */
  static getAt(ks: KindState | undefined, namespace: string, name: string, v: number): KObject | undefined {
    let r = ks?.byNs.get(namespace)?.names.get(name);
    while (r !== undefined && r.from > v) r = r.prev;
    if (r === undefined || r.to <= v) return undefined;
    return r.headSeq <= v ? r.head : r.at(v);
  }

  static listAt<T>(ks: KindState | undefined, namespace: string | undefined, v: number): Iterable<T> {
    if (!ks) return EMPTY;
    const byNs = ks.byNs;
    if (namespace !== undefined) {
      const ns = byNs.get(namespace);
      return ns ? new RecsAt<T>(ns.recs, v) : EMPTY;
    }
    return (function* () { for (const ns of byNs.values()) yield* new RecsAt<T>(ns.recs, v); })();
  }

  static countAt(ks: KindState | undefined, namespace: string | undefined, v: number, head: number): number {
    if (!ks) return 0;
    if (v >= head) return namespace === undefined ? ks.live : (ks.byNs.get(namespace)?.live ?? 0);
    let n = 0;
    for (const _ of VersionedStore.listAt(ks, namespace, v)) n++;
    return n;
  }

  static byIndexAt<T>(ix: SIndex, value: string, v: number): Iterable<T> {
    const list = ix.map.get(value);
    return list ? new MembersAt<T>(list, v) : EMPTY;
  }

  get<K extends Kind>(kind: K, namespace: string, name: string): KindToType[K] | undefined {
    const r = this.kinds.get(kind)?.byNs.get(namespace)?.names.get(name);
    return r !== undefined && r.to === Infinity ? r.head as KindToType[K] : undefined;
  }

  list<K extends Kind>(kind: K, namespace?: string): Iterable<KindToType[K]> { return VersionedStore.listAt(this.kinds.get(kind), namespace, this.seq); }

  count(kind: Kind, namespace?: string): number { return VersionedStore.countAt(this.kinds.get(kind), namespace, this.seq, this.seq); }

  byIndex<K extends Kind>(kind: K, index: string, value: string): Iterable<KindToType[K]> {
    const ix = this.kinds.get(kind)?.indexes.find((x) => x.spec.name === index);
    if (!ix) throw new Error(`no index ${index} on ${kind}`);
    return VersionedStore.byIndexAt(ix, value, this.seq);
  }

  /** Every object, kinds in a fixed order then namespace then name (for printing and diffs). */
  allObjects(): KObject[] {
    const out: KObject[] = [];
    for (const kind of [...this.kinds.keys()].sort()) {
      const byNs = this.kinds.get(kind)!.byNs;
      for (const ns of [...byNs.keys()].sort()) {
        const live = [...byNs.get(ns)!.names.values()].filter((r) => r.to === Infinity);
        live.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const r of live) out.push(r.head);
      }
    }
    return out;
  }
}

/**
 * What one informer sees of a `VersionedStore`: the prefix of the log up to `seq` (the last entry
 * delivered to it), restricted to the kinds it watches, with the indexes it declared.
 */
export class StoreView implements Snapshot {
  constructor(
    private readonly store: VersionedStore,
    /** The kinds it watches, with the store's state of each. */
    readonly kinds: ReadonlyMap<string, KindState>,
    private readonly indexes: ReadonlyMap<string, ReadonlyMap<string, SIndex>>,
    public seq: number,
  ) {}

  watches(kind: string): boolean { return this.kinds.has(kind); }

  /**
   * The entry was delivered: the view moves to it. Returns what an informer's cache held for the
   * object before (the version the entry replaced or removed).
   */
  applyReturningOld(e: Envelope): KObject | undefined {
    this.seq = e.seq;
    if (!isObjectEntry(e) || !this.kinds.has(e.object.kind as string)) return undefined;
    return this.store.previous(e.seq);
  }

  get<K extends Kind>(kind: K, namespace: string, name: string): KindToType[K] | undefined {
    return VersionedStore.getAt(this.kinds.get(kind), namespace, name, this.seq) as KindToType[K] | undefined;
  }

  list<K extends Kind>(kind: K, namespace?: string): Iterable<KindToType[K]> {
    return VersionedStore.listAt<KindToType[K]>(this.kinds.get(kind), namespace, this.seq);
  }

  count(kind: Kind, namespace?: string): number {
    return VersionedStore.countAt(this.kinds.get(kind), namespace, this.seq, this.store.seq);
  }

  byIndex<K extends Kind>(kind: K, index: string, value: string): Iterable<KindToType[K]> {
    const ix = this.indexes.get(kind)?.get(index);
    if (!ix) throw new Error(`no index ${index} on ${kind}`);
    return VersionedStore.byIndexAt<KindToType[K]>(ix, value, this.seq);
  }
}
