/** Seeded pseudo-random numbers (no Math.random anywhere in the simulation). */

/** A 32-bit hash of a string (FNV-1a), used to derive independent seeds. */
export const hashString = (s: string, seed = 0x811c9dc5): number => {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
};

/** sfc32-like small fast generator state over a mulberry32 core. */
export class Rand {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An int in [0, n). */
  int(n: number): number { return Math.floor(this.next() * n); }
  /** A float in [lo, hi]. */
  between(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }
  byte(): number { return this.int(256); }
  /** A child generator whose stream depends only on this one's seed and the label. */
  fork(label: string): Rand { return new Rand(hashString(label, this.s ^ 0x9e3779b9)); }
}

/** A deterministic value in [lo, hi] for (seed, label): how pure cores get "random" delays. */
export const seededBetween = (seed: number, label: string, lo: number, hi: number): number =>
  lo + (hi - lo) * (hashString(label, seed ^ 0x85ebca6b) / 4294967296);
