import { parseTimestamp } from '@kubesim/api';

/**
 * k8s.io/apimachinery/pkg/util/duration.HumanDuration for a duration in milliseconds: `0s`, `45s`, `2m3s`,
 * `15m`, `3h20m`, `30h`, `3d4h`, `200d`, `3y10d`, `9y`. Every unit is truncated, never rounded.
 */
export const formatAge = (ms: number): string => {
  if (!Number.isFinite(ms)) return '<invalid>';
  // Go: int(d.Seconds()) truncates toward zero, so -1.9s is still `0s` (tolerated clock skew).
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${Math.trunc(days / 365)}y` : `${Math.trunc(days / 365)}y${dy}d`;
  }
  return `${Math.trunc(days / 365)}y`;
};

/** A timestamp as virtual milliseconds; undefined when absent or unparseable (Go's zero time). */
export const virtualMs = (t: string | undefined | null): number | undefined => {
  if (t === undefined || t === null || t === '') return undefined;
  const v = parseTimestamp(t);
  return v === undefined || Number.isNaN(v) ? undefined : v;
};

/**
 * printers.translateTimestampSince: the age of a metav1.Time, `<unknown>` when unset. metav1.Time is serialized
 * with second precision, so kubectl sees the instant truncated to the second.
 */
export const ageSince = (t: string | undefined | null, nowMs: number): string => ageOf(virtualMs(t), nowMs);

/** ageSince for an instant already in virtual milliseconds (undefined = zero time). */
export const ageOf = (v: number | undefined, nowMs: number): string =>
  v === undefined ? '<unknown>' : formatAge(nowMs - Math.floor(v / 1000) * 1000);

/** translateMicroTimestampSince: as ageSince for a metav1.MicroTime (microsecond precision, not truncated). */
export const microAgeSince = (t: string | undefined | null, nowMs: number): string => {
  const v = virtualMs(t);
  return v === undefined ? '<unknown>' : formatAge(nowMs - v);
};
