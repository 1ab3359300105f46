/**
 * ConfigMaps and Secrets as the API server decodes them and as the kubelet reads them.
 *
 * A Secret's `data` holds base64 strings in JSON and YAML (Go `[]byte`); `stringData` is write-only:
 * the v1 → internal conversion [Convert_v1_Secret_To_core_Secret] copies each of its entries into `data`
 * (over an entry of the same key), so the stored object carries only `data`.
 */
import type { ConfigMap, KObject, Secret } from './types.js';
import { byteLength } from './validation/strings.js';

/** base64.StdEncoding.DecodeString's error position for `s`, or undefined when it decodes. Newlines are skipped, as Go does. */
export const base64ErrorAt = (s: string): number | undefined => {
  const isB64 = (c: string): boolean => /[A-Za-z0-9+/]/.test(c);
  let si = 0;
  const skipNewlines = (): void => { while (si < s.length && (s[si] === '\n' || s[si] === '\r')) si++; };
  while (si < s.length) {
    let j = 0;
    for (; j < 4; j++) {
      skipNewlines();
      if (si === s.length) {
        // An incomplete quantum at the end (padding is required).
        return j === 0 ? undefined : si - j;
      }
      const c = s[si]!;
      si++;
      if (c === '=') {
        if (j === 0 || j === 1) return si - 1;
        if (j === 2) {
          skipNewlines();
          if (si === s.length) return s.length;
          if (s[si] !== '=') return si - 1;
          si++;
        }
        skipNewlines();
        return si < s.length ? si : undefined;
      }
      if (!isB64(c)) return si - 1;
    }
  }
  return undefined;
};

/** The number of bytes a valid base64 string decodes to. */
export const base64DecodedLength = (s: string): number => {
  const t = s.replace(/[\r\n]/g, '');
  const pad = t.endsWith('==') ? 2 : t.endsWith('=') ? 1 : 0;
  return (t.length / 4) * 3 - pad;
};

/**
 * The Secret as the API server stores it: `stringData` merged into `data` (base64 of the UTF-8 bytes), or the
 * decoding error of a `data` value that is not base64 (`illegal base64 data at input byte 4`).
 */
export const decodeSecret = (s: Secret): { secret: Secret } | { error: string } => {
  for (const key of Object.keys(s.data ?? {}).sort()) {
    const at = base64ErrorAt(String(s.data![key] ?? ''));
    if (at !== undefined) return { error: `illegal base64 data at input byte ${at}` };
  }
  if (s.stringData === undefined || s.stringData === null) return { secret: s };
  const data: Record<string, string> = { ...(s.data ?? {}) };
  for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
  const { stringData: _dropped, ...rest } = s;
  return { secret: { ...rest, data } };
};

/** `Secret` as the API server refuses an undecodable one (a 400 from the request's decoding). */
export const undecodableSecretMessage = (error: string): string => `Secret in version "v1" cannot be handled as a Secret: ${error}`;

/** The size a ConfigMap counts against its 1 MiB limit: every data value's bytes and every binaryData value's decoded bytes. */
export const configMapSize = (c: ConfigMap): number => {
  let n = 0;
  for (const v of Object.values(c.data ?? {})) n += byteLength(String(v ?? ''));
  for (const v of Object.values(c.binaryData ?? {})) n += base64DecodedLength(String(v ?? ''));
  return n;
};

/** The decoded bytes of a Secret's data. */
export const secretSize = (s: Secret): number => {
  let n = 0;
  for (const v of Object.values(s.data ?? {})) n += base64DecodedLength(String(v ?? ''));
  return n;
};

/** core.MaxSecretSize: the limit of a Secret's and of a ConfigMap's data. */
export const MAX_SECRET_SIZE = 1024 * 1024;

/** The number of entries kubectl's DATA column counts: data and binaryData for a ConfigMap, data for a Secret. */
export const dataCount = (o: KObject): number => {
  if (o.kind === 'ConfigMap') {
    const c = o as ConfigMap;
    return Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length;
  }
  return Object.keys((o as Secret).data ?? {}).length;
};

/** The keys a ConfigMap offers to `configMapKeyRef` and to volume `items` (data and binaryData for a volume). */
export const configMapHasKey = (c: ConfigMap, key: string, binaryToo: boolean): boolean =>
  (c.data ?? {})[key] !== undefined || (binaryToo && (c.binaryData ?? {})[key] !== undefined);
