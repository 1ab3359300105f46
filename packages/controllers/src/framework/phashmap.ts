import { hashString } from '@kubesim/api';

/**
 * A persistent (immutable) string-keyed map for component-local state (house rule 4) with a fixed,
 * deterministic iteration order (256 logical slots by `hashString(key) & 255`, each in insertion order; re-setting a key keeps
 * its place, deleting and re-adding moves it to the end), but cheaper updates: a slot is a 16×16 trie
 * path and each slot is split into 16 leaves by the next hash bits, so `set`/`delete` copy 3×16
 * pointers and one small leaf instead of a 256-entry array and a whole slot. Operations that change
 * nothing return the same instance.
 */
interface Entry<V> {
  readonly key: string;
  readonly value: V;
  /** Insertion order (kept when a key's value is replaced): orders entries within a slot. */
  readonly order: number;
}

type Leaf<V> = readonly Entry<V>[];
type Level<T> = readonly (T | undefined)[];

const W = 16;
const EMPTY_LEVEL: Level<never> = new Array<undefined>(W).fill(undefined);
let insertions = 0;

const byOrder = (a: Entry<unknown>, b: Entry<unknown>): number => a.order - b.order;

export class PHashMap<V> {
  private static readonly EMPTY = new PHashMap<never>(EMPTY_LEVEL, 0);

  static empty<V>(): PHashMap<V> { return PHashMap.EMPTY as PHashMap<V>; }

  static of<V>(entries: Iterable<readonly [string, V]>): PHashMap<V> {
    let m = PHashMap.empty<V>();
    for (const [k, v] of entries) m = m.set(k, v);
    return m;
  }

  /** root[slot >> 4][slot & 15][(hash >> 8) & 15] = leaf. */
  private constructor(private readonly root: Level<Level<Level<Leaf<V>>>>, readonly size: number) {}

  private leafOf(h: number): Leaf<V> | undefined {
    return this.root[(h >>> 4) & 15]?.[h & 15]?.[(h >>> 8) & 15];
  }

  get(key: string): V | undefined {
    const leaf = this.leafOf(hashString(key));
    if (leaf) for (let i = 0; i < leaf.length; i++) if (leaf[i]!.key === key) return leaf[i]!.value;
    return undefined;
  }

  has(key: string): boolean {
    const leaf = this.leafOf(hashString(key));
    if (leaf) for (let i = 0; i < leaf.length; i++) if (leaf[i]!.key === key) return true;
    return false;
  }

  private with(h: number, leaf: Leaf<V> | undefined, size: number): PHashMap<V> {
    const a = (h >>> 4) & 15, b = h & 15, c = (h >>> 8) & 15;
    const l1 = this.root[a] ?? EMPTY_LEVEL;
    const l2 = l1[b] ?? EMPTY_LEVEL;
    const n2 = l2.slice(); n2[c] = leaf;
    const n1 = l1.slice(); n1[b] = n2;
    const root = this.root.slice(); root[a] = n1;
    return new PHashMap(root, size);
  }

  set(key: string, value: V): PHashMap<V> {
    const h = hashString(key);
    const leaf = this.leafOf(h);
    if (leaf) {
      for (let i = 0; i < leaf.length; i++) {
        const e = leaf[i]!;
        if (e.key !== key) continue;
        if (e.value === value) return this;
        const next = leaf.slice();
        next[i] = { key, value, order: e.order };
        return this.with(h, next, this.size);
      }
    }
    const added: Entry<V> = { key, value, order: ++insertions };
    return this.with(h, leaf ? [...leaf, added] : [added], this.size + 1);
  }

  delete(key: string): PHashMap<V> {
    const h = hashString(key);
    const leaf = this.leafOf(h);
    if (!leaf) return this;
    for (let i = 0; i < leaf.length; i++) {
      if (leaf[i]!.key !== key) continue;
      const next = leaf.length === 1 ? undefined : leaf.filter((_, j) => j !== i);
      return this.with(h, next, this.size - 1);
    }
    return this;
  }

  /**
   * The keys whose value differs between `prev` and this map (added, changed or removed: `value`
   * undefined), found by walking only the parts of the trie they do not share — O(changes), not O(size).
   * Order is unspecified.
   */
  diff(prev: PHashMap<V>, cb: (key: string, value: V | undefined) => void): void {
    if (prev === this) return;
    for (let a = 0; a < W; a++) {
      const x1 = prev.root[a], y1 = this.root[a];
      if (x1 === y1) continue;
      for (let b = 0; b < W; b++) {
        const x2 = x1?.[b], y2 = y1?.[b];
        if (x2 === y2) continue;
        for (let c = 0; c < W; c++) {
          const x3 = x2?.[c], y3 = y2?.[c];
          if (x3 === y3) continue;
          if (y3) for (const e of y3) { const old = x3?.find((o) => o.key === e.key); if (!old || old.value !== e.value) cb(e.key, e.value); }
          if (x3) for (const e of x3) if (!y3?.some((n) => n.key === e.key)) cb(e.key, undefined);
        }
      }
    }
  }

  /** Slots in ascending order, each in insertion order (deterministic). */
  *entries(): IterableIterator<[string, V]> {
    for (let a = 0; a < W; a++) {
      const l1 = this.root[a];
      if (!l1) continue;
      for (let b = 0; b < W; b++) {
        const l2 = l1[b];
        if (!l2) continue;
        const slot: Entry<V>[] = [];
        for (const leaf of l2) if (leaf) slot.push(...leaf);
        if (slot.length > 1) slot.sort(byOrder);
        for (const e of slot) yield [e.key, e.value];
      }
    }
  }
}
