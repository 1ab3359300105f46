import { isKind, type Kind, type KindToType, type KObject } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';

/** An index function: the values under which an object is filed (e.g. the owner uid, the node name). */
export type IndexFn = (o: KObject) => readonly string[];

export interface IndexSpec {
  readonly name: string;
  readonly kind: Kind;
  readonly fn: IndexFn;
}

/** Read-only view the pure cores receive. */
export interface Snapshot {
  /** The seq of the last entry folded into this view. */
  readonly seq: number;
  get<K extends Kind>(kind: K, namespace: string, name: string): Readonly<KindToType[K]> | undefined;
  list<K extends Kind>(kind: K, namespace?: string): Iterable<Readonly<KindToType[K]>>;
  count(kind: Kind, namespace?: string): number;
  byIndex<K extends Kind>(kind: K, index: string, value: string): Iterable<Readonly<KindToType[K]>>;
}

const EMPTY: Iterable<never> = [];

interface Index {
  readonly spec: IndexSpec;
  /**
   * value → slots of the objects filed under it (insertion order). A slot is stable while its object
   * exists, so an update that keeps the values touches no map at all.
   */
  readonly map: Map<string, Set<Slot>>;
  /** Position of this index among its kind's indexes (where a slot keeps its values). */
  readonly pos: number;
}

/** One stored object: the current version and the values it is filed under, per index of its kind. */
interface Slot {
  obj: KObject;
  readonly values: (readonly string[])[];
}

/** Iterates the objects of an iterator of slots (one result object, refilled per step). */
class ObjectsOf<T> implements IterableIterator<T> {
  private readonly result: { done: false; value: T } = { done: false, value: undefined as T };
  constructor(private readonly it: Iterator<Slot>) {}
  [Symbol.iterator](): IterableIterator<T> { return this; }
  next(): IteratorResult<T> {
    const r = this.it.next();
    if (r.done) return { done: true, value: undefined };
    this.result.value = r.value.obj as T;
    return this.result;
  }
}
const NO_VALUES: (readonly string[])[] = [];

const sameValues = (a: readonly string[], b: readonly string[]): boolean => {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};
const EMPTY_VALUES: readonly string[] = [];

/**
 * A fold of the log: kind → namespace → name → object, plus declared secondary indexes.
 * Objects are shared, never copied; they are treated as immutable everywhere.
 */
export class ObjectStore implements Snapshot {
  seq = 0;
  private readonly data = new Map<string, Map<string, Map<string, Slot>>>();
  private readonly counts = new Map<string, number>();
  private readonly indexes = new Map<string, Index>();
  /** The indexes of each kind, and by kind then name (no key string built per lookup). */
  private readonly indexesOfKind = new Map<string, Index[]>();
  private readonly indexByName = new Map<string, Map<string, Index>>();
  private readonly kinds: ReadonlySet<string> | undefined;

  /** `kinds` restricts what the store keeps (an informer watches only what its component needs). */
  constructor(kinds?: Iterable<Kind>, indexes: readonly IndexSpec[] = []) {
    this.kinds = kinds ? new Set(kinds) : undefined;
    for (const s of indexes) {
      let list = this.indexesOfKind.get(s.kind);
      if (!list) { list = []; this.indexesOfKind.set(s.kind, list); }
      const ix: Index = { spec: s, map: new Map(), pos: list.length };
      this.indexes.set(`${s.kind}:${s.name}`, ix);
      list.push(ix);
      let byName = this.indexByName.get(s.kind);
      if (!byName) { byName = new Map(); this.indexByName.set(s.kind, byName); }
      byName.set(s.name, ix);
    }
  }

  watches(kind: string): boolean { return this.kinds === undefined || this.kinds.has(kind); }

  /** Fold one log entry. Entries must arrive in seq order. */
  apply(e: Envelope): void {
    this.applyReturningOld(e);
  }

  /** `apply`, returning the object the entry replaced or removed (what a lookup before it would give). */
  applyReturningOld(e: Envelope): KObject | undefined {
    this.seq = e.seq;
    if (!isObjectEntry(e)) return undefined;
    const o = e.object;
    const kind = o.kind as string;
    if (!this.watches(kind)) return undefined;
    return e.type === 'DELETED' ? this.remove(o) : this.put(o);
  }

  /** Store (or replace) an object; returns the one it replaced. */
  put(o: KObject): KObject | undefined {
    const kind = o.kind as string;
    const ns = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    let byNs = this.data.get(kind);
    if (!byNs) { byNs = new Map(); this.data.set(kind, byNs); }
    let byName = byNs.get(ns);
    if (!byName) { byName = new Map(); byNs.set(ns, byName); }
    const list = this.indexesOfKind.get(kind);
    let slot = byName.get(name);
    let old: KObject | undefined;
    if (slot) {
      old = slot.obj;
      slot.obj = o;
    } else {
      slot = { obj: o, values: list ? list.map(() => EMPTY_VALUES) : NO_VALUES };
      byName.set(name, slot);
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    }
    if (list) this.reindex(list, slot, o);
    return old;
  }

  /** Remove an object; returns the one removed. */
  remove(o: KObject): KObject | undefined {
    const kind = o.kind as string;
    const ns = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    const byName = this.data.get(kind)?.get(ns);
    const slot = byName?.get(name);
    if (!slot || !byName) return undefined;
    byName.delete(name);
    this.counts.set(kind, (this.counts.get(kind) ?? 1) - 1);
    const list = this.indexesOfKind.get(kind);
    if (list) this.reindex(list, slot, undefined);
    return slot.obj;
  }

  private reindex(list: readonly Index[], slot: Slot, neu: KObject | undefined): void {
    const values = slot.values;
    for (let j = 0; j < list.length; j++) {
      const { spec, map, pos } = list[j]!;
      const before = values[pos]!;
      const after = neu ? spec.fn(neu) : EMPTY_VALUES;
      // Common case: the object stays under the same values; the slot already holds the new version.
      if (neu && sameValues(before, after)) continue;
      for (const v of before) {
        const m = map.get(v);
        if (m) { m.delete(slot); if (m.size === 0) map.delete(v); }
      }
      for (const v of after) {
        let m = map.get(v);
        if (!m) { m = new Set(); map.set(v, m); }
        m.add(slot);
      }
      values[pos] = after.length === 0 ? EMPTY_VALUES : after;
    }
  }

  get<K extends Kind>(kind: K, namespace: string, name: string): KindToType[K] | undefined {
    return this.data.get(kind)?.get(namespace)?.get(name)?.obj as KindToType[K] | undefined;
  }

  list<K extends Kind>(kind: K, namespace?: string): Iterable<KindToType[K]> {
    const byNs = this.data.get(kind);
    if (!byNs) return EMPTY;
    if (namespace !== undefined) {
      const byName = byNs.get(namespace);
      return byName ? new ObjectsOf<KindToType[K]>(byName.values()) : EMPTY;
    }
    return (function* () { for (const m of byNs.values()) for (const s of m.values()) yield s.obj as KindToType[K]; })();
  }

  count(kind: Kind, namespace?: string): number {
    if (namespace === undefined) return this.counts.get(kind) ?? 0;
    return this.data.get(kind)?.get(namespace)?.size ?? 0;
  }

  byIndex<K extends Kind>(kind: K, index: string, value: string): Iterable<KindToType[K]> {
    const ix = this.indexByName.get(kind)?.get(index);
    if (!ix) throw new Error(`no index ${index} on ${kind}`);
    const m = ix.map.get(value);
    return m ? new ObjectsOf<KindToType[K]>(m.values()) : EMPTY;
  }

  /** Every object, kinds in a fixed order then namespace then name (for printing and diffs). */
  allObjects(): KObject[] {
    const out: KObject[] = [];
    for (const kind of [...this.data.keys()].sort()) {
      const byNs = this.data.get(kind)!;
      for (const ns of [...byNs.keys()].sort()) {
        const byName = byNs.get(ns)!;
        for (const name of [...byName.keys()].sort()) out.push(byName.get(name)!.obj);
      }
    }
    return out;
  }
}

/** Snapshot at any seq: a fold of the entries up to and including `seq`. */
export const foldLog = (entries: Iterable<Envelope>, uptoSeq = Infinity, store = new ObjectStore()): ObjectStore => {
  for (const e of entries) {
    if (e.seq > uptoSeq) break;
    store.apply(e);
  }
  return store;
};

export const knownKind = isKind;
