import { hashString } from '@kubesim/api';

const BITS = 8;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

/**
 * A persistent (immutable) string-keyed map for component-local state that can hold an entry per pod:
 * 256 copy-on-write buckets, so `set`/`delete` copy the bucket array and one bucket — O(256 + n/256)
 * instead of the O(n) of copying a Map. Operations that change nothing return the same instance.
 */
export class PersistentMap<V> {
  private static readonly EMPTY = new PersistentMap<never>(new Array<undefined>(WIDTH).fill(undefined), 0);

  static empty<V>(): PersistentMap<V> { return PersistentMap.EMPTY as PersistentMap<V>; }

  static of<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let m = PersistentMap.empty<V>();
    for (const [k, v] of entries) m = m.set(k, v);
    return m;
  }

  private constructor(private readonly buckets: readonly (ReadonlyMap<string, V> | undefined)[], readonly size: number) {}

  private static slot(key: string): number { return hashString(key) & MASK; }

  get(key: string): V | undefined { return this.buckets[PersistentMap.slot(key)]?.get(key); }

  has(key: string): boolean { return this.buckets[PersistentMap.slot(key)]?.has(key) ?? false; }

  set(key: string, value: V): PersistentMap<V> {
    const i = PersistentMap.slot(key);
    const bucket = this.buckets[i];
    const had = bucket?.has(key) ?? false;
    if (had && bucket!.get(key) === value) return this;
    const next = new Map(bucket ?? []);
    next.set(key, value);
    const buckets = this.buckets.slice();
    buckets[i] = next;
    return new PersistentMap(buckets, this.size + (had ? 0 : 1));
  }

  delete(key: string): PersistentMap<V> {
    const i = PersistentMap.slot(key);
    const bucket = this.buckets[i];
    if (!bucket?.has(key)) return this;
    const buckets = this.buckets.slice();
    if (bucket.size === 1) buckets[i] = undefined;
    else {
      const next = new Map(bucket);
      next.delete(key);
      buckets[i] = next;
    }
    return new PersistentMap(buckets, this.size - 1);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const b of this.buckets) if (b) yield* b.entries();
  }
}
