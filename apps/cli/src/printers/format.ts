import type { Container, LabelSelector } from '@kubesim/api';

/** Byte-wise string order, as Go compares strings (and etcd orders keys). */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** labels.FormatLabels: `k=v` sorted by key, joined by ','; `<none>` when empty. */
export const formatLabels = (labels: Readonly<Record<string, string>> | undefined | null): string => {
  const keys = Object.keys(labels ?? {}).sort(compareStrings);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels?.[k] ?? ''}`).join(',');
};

/**
 * metav1.FormatLabelSelector: the selector's String() (requirements sorted by key, `k=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`), `<none>` for an absent or empty selector, `<error>` for an invalid operator.
 */
export const formatLabelSelector = (sel: LabelSelector | undefined | null): string => {
  if (!sel) return '<none>';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const r of sel.matchExpressions ?? []) {
    const vals = [...new Set(r.values ?? [])].sort(compareStrings).join(',');
    switch (r.operator) {
      case 'In': reqs.push({ key: r.key, text: `${r.key} in (${vals})` }); break;
      case 'NotIn': reqs.push({ key: r.key, text: `${r.key} notin (${vals})` }); break;
      case 'Exists': reqs.push({ key: r.key, text: r.key }); break;
      case 'DoesNotExist': reqs.push({ key: r.key, text: `!${r.key}` }); break;
      default: return '<error>';
    }
  }
  if (reqs.length === 0) return '<none>';
  return reqs.sort((a, b) => compareStrings(a.key, b.key)).map((r) => r.text).join(',');
};

/** layoutContainerCells: container names and images, each joined by ','. */
export const containerCells = (containers: readonly Container[] | undefined): [string, string] => [
  (containers ?? []).map((c) => c.name).join(','),
  (containers ?? []).map((c) => c.image ?? '').join(','),
];

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that fixed order, joined by ','. */
export const accessModes = (modes: readonly string[] | undefined): string => {
  const m = new Set(modes ?? []);
  const out: string[] = [];
  if (m.has('ReadWriteOnce')) out.push('RWO');
  if (m.has('ReadOnlyMany')) out.push('ROX');
  if (m.has('ReadWriteMany')) out.push('RWX');
  if (m.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
};

/** net.JoinHostPort: IPv6 literals are bracketed. */
export const joinHostPort = (host: string, port: number | string): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** The storage-class annotation that predates spec.storageClassName wins, as in helper.GetPersistentVolumeClass. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export const quantityText = (q: string | number | undefined): string => (q === undefined ? '0' : String(q));
