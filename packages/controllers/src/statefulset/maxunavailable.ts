/** [SSU getStatefulSetMaxUnavailable] (K10): int or percent of replicas, rounded down, at least 1. */
export const getMaxUnavailable = (v: number | string | undefined, replicas: number): number => {
  if (v === undefined || v === null) return 1;
  let n: number;
  if (typeof v === 'number') n = v;
  else {
    const m = /^(\d+)%$/.exec(v);
    n = m ? Math.floor((Number(m[1]) * replicas) / 100) : Number(v);
  }
  return !Number.isFinite(n) || n < 1 ? 1 : n;
};
