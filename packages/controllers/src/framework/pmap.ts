import { hashString } from '@kubesim/api';

const BITS = 8;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Buckets<V> = readonly (ReadonlyMap<string, V> | undefined)[];

/**
 * A small persistent (immutable) string-keyed map: 256 copy-on-write buckets. `set`/`delete` copy
 * the bucket array and one bucket, so an update costs O(256 + n/256) instead of O(n) — used for
 * component-local state that can hold one entry per claim or pod (house rule 4: local state changes
 * only by returning new values). Operations that change nothing return the same instance.
 */
export class PMap<V> {
  private static readonly EMPTY = new PMap<never>(new Array<undefined>(WIDTH).fill(undefined), 0);

  static empty<V>(): PMap<V> { return PMap.EMPTY as PMap<V>; }

  static of<V>(entries: Iterable<readonly [string, V]>): PMap<V> {
    let m = PMap.empty<V>();
    for (const [k, v] of entries) m = m.set(k, v);
    return m;
  }

  private constructor(private readonly buckets: Buckets<V>, readonly size: number) {}

  private static slot(key: string): number { return hashString(key) & MASK; }

  get(key: string): V | undefined { return this.buckets[PMap.slot(key)]?.get(key); }

  has(key: string): boolean { return this.buckets[PMap.slot(key)]?.has(key) ?? false; }

  set(key: string, value: V): PMap<V> {
    const i = PMap.slot(key);
    const bucket = this.buckets[i];
    const had = bucket?.has(key) ?? false;
    if (had && bucket!.get(key) === value) return this;
    const next = new Map(bucket ?? []);
    next.set(key, value);
    const buckets = this.buckets.slice();
    buckets[i] = next;
    return new PMap(buckets, this.size + (had ? 0 : 1));
  }

  delete(key: string): PMap<V> {
    const i = PMap.slot(key);
    const bucket = this.buckets[i];
    if (!bucket?.has(key)) return this;
    const buckets = this.buckets.slice();
    if (bucket.size === 1) buckets[i] = undefined;
    else {
      const next = new Map(bucket);
      next.delete(key);
      buckets[i] = next;
    }
    return new PMap(buckets, this.size - 1);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const b of this.buckets) if (b) yield* b.entries();
  }
}
