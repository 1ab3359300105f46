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
  readonly map: Map<string, Map<string, KObject>>;
  /** The values each object key is filed under now (so a replace does not recompute the old object's). */
  readonly valuesOf: Map<string, readonly string[]>;
}

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
  private readonly data = new Map<string, Map<string, Map<string, KObject>>>();
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
      const ix: Index = { spec: s, map: new Map(), valuesOf: new Map() };
      this.indexes.set(`${s.kind}:${s.name}`, ix);
      let list = this.indexesOfKind.get(s.kind);
      if (!list) { list = []; this.indexesOfKind.set(s.kind, list); }
      list.push(ix);
      let byName = this.indexByName.get(s.kind);
      if (!byName) { byName = new Map(); this.indexByName.set(s.kind, byName); }
      byName.set(s.name, ix);
    }
  }

  watches(kind: string): boolean { return this.kinds === undefined || this.kinds.has(kind); }

  /** Fold one log entry. Entries must arrive in seq order. */
  apply(e: Envelope): void {
    this.seq = e.seq;
    if (!isObjectEntry(e)) return;
    const o = e.object;
    const kind = o.kind as string;
    if (!this.watches(kind)) return;
    if (e.type === 'DELETED') this.remove(o); else this.put(o);
  }

  put(o: KObject): void {
    const kind = o.kind as string;
    const ns = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    let byNs = this.data.get(kind);
    if (!byNs) { byNs = new Map(); this.data.set(kind, byNs); }
    let byName = byNs.get(ns);
    if (!byName) { byName = new Map(); byNs.set(ns, byName); }
    const old = byName.get(name);
    byName.set(name, o);
    if (!old) this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    const list = this.indexesOfKind.get(kind);
    if (list) this.reindex(list, `${ns}/${name}`, o);
  }

  remove(o: KObject): void {
    const kind = o.kind as string;
    const ns = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    const byName = this.data.get(kind)?.get(ns);
    const old = byName?.get(name);
    if (!old || !byName) return;
    byName.delete(name);
    this.counts.set(kind, (this.counts.get(kind) ?? 1) - 1);
    const list = this.indexesOfKind.get(kind);
    if (list) this.reindex(list, `${ns}/${name}`, undefined);
  }

  private reindex(list: readonly Index[], key: string, neu: KObject | undefined): void {
    for (const { spec, map, valuesOf } of list) {
      const before = valuesOf.get(key) ?? EMPTY_VALUES;
      const after = neu ? spec.fn(neu) : EMPTY_VALUES;
      // Common case: the object stays under the same values; only its reference changes.
      if (neu && sameValues(before, after)) {
        for (let i = 0; i < after.length; i++) map.get(after[i]!)?.set(key, neu);
        continue;
      }
      for (const v of before) {
        const m = map.get(v);
        if (m) { m.delete(key); if (m.size === 0) map.delete(v); }
      }
      for (const v of after) {
        let m = map.get(v);
        if (!m) { m = new Map(); map.set(v, m); }
        m.set(key, neu!);
      }
      if (after.length === 0) valuesOf.delete(key); else valuesOf.set(key, after);
    }
  }

  get<K extends Kind>(kind: K, namespace: string, name: string): KindToType[K] | undefined {
    return this.data.get(kind)?.get(namespace)?.get(name) as KindToType[K] | undefined;
  }

  list<K extends Kind>(kind: K, namespace?: string): Iterable<KindToType[K]> {
    const byNs = this.data.get(kind);
    if (!byNs) return EMPTY;
    if (namespace !== undefined) return (byNs.get(namespace)?.values() ?? EMPTY) as Iterable<KindToType[K]>;
    return (function* () { for (const m of byNs.values()) yield* m.values(); })() as Iterable<KindToType[K]>;
  }

  count(kind: Kind, namespace?: string): number {
    if (namespace === undefined) return this.counts.get(kind) ?? 0;
    return this.data.get(kind)?.get(namespace)?.size ?? 0;
  }

  byIndex<K extends Kind>(kind: K, index: string, value: string): Iterable<KindToType[K]> {
    const ix = this.indexByName.get(kind)?.get(index);
    if (!ix) throw new Error(`no index ${index} on ${kind}`);
    return (ix.map.get(value)?.values() ?? EMPTY) as Iterable<KindToType[K]>;
  }

  /** Every object, kinds in a fixed order then namespace then name (for printing and diffs). */
  allObjects(): KObject[] {
    const out: KObject[] = [];
    for (const kind of [...this.data.keys()].sort()) {
      const byNs = this.data.get(kind)!;
      for (const ns of [...byNs.keys()].sort()) {
        const byName = byNs.get(ns)!;
        for (const name of [...byName.keys()].sort()) out.push(byName.get(name)!);
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
