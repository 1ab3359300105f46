/** Naming rules shared by every component (k8s-semantics §1.3, §1.4, §1.8, §2.1, §4.2). */

export const podName = (setName: string, ordinal: number): string => `${setName}-${ordinal}`;

/** `<claimTemplate>-<set>-<ordinal>` [SSU getPersistentVolumeClaimName]. */
export const claimName = (templateName: string, setName: string, ordinal: number): string =>
  `${templateName}-${setName}-${ordinal}`;

const PARENT_RE = /^(.*)-([0-9]+)$/;

/** [SSU getParentNameAndOrdinal]: `web-2` → {parent: web, ordinal: 2}; no match or overflow → ordinal -1. */
export const parentAndOrdinal = (name: string): { parent: string; ordinal: number } => {
  const m = PARENT_RE.exec(name);
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n) || n > 2147483647) return { parent: m[1]!, ordinal: -1 };
  return { parent: m[1]!, ordinal: n };
};

export const ordinalOf = (podName: string): number => parentAndOrdinal(podName).ordinal;

/** Alphabet of rand.String and SafeEncodeString [RAND]. */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** [RAND SafeEncodeString]: map each character c to alphabet[c mod 27]. */
export const safeEncodeString = (s: string): string => {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
};

/** 32-bit FNV-1 (not 1a) over UTF-8 bytes. */
export const fnv1_32 = (data: string): number => {
  let h = 0x811c9dc5;
  const bytes = new TextEncoder().encode(data);
  for (let i = 0; i < bytes.length; i++) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ bytes[i]!) >>> 0;
  }
  return h >>> 0;
};

/** [HIST HashControllerRevision]: FNV-1 over the revision data then the collision count; safe-encoded decimal. */
export const controllerRevisionHash = (data: string, collisionCount: number | undefined): string => {
  const h = fnv1_32(data + String(collisionCount ?? 0));
  return safeEncodeString(String(h));
};

/** [HIST ControllerRevisionName]: prefix truncated to 223 bytes. */
export const controllerRevisionName = (prefix: string, hash: string): string =>
  `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;

/** [NAMES SimpleNameGenerator]: base cut to 58 characters then 5 random characters. `pick(n)` returns an int in [0, n). */
export const generateName = (base: string, pick: (n: number) => number): string => {
  const b = base.length > 58 ? base.slice(0, 58) : base;
  let s = '';
  for (let i = 0; i < 5; i++) s += SAFE_ALPHABET[pick(SAFE_ALPHABET.length)];
  return b + s;
};

/** A UUID v4 built from a seeded source: `byte()` returns an int in [0, 256). */
export const uuidFrom = (byte: () => number): string => {
  // One flat string from its 36 character codes (no intermediate arrays of parts).
  const codes = UUID_CODES;
  let j = 0;
  for (let i = 0; i < 16; i++) {
    let v = byte();
    if (i === 6) v = (v & 0x0f) | 0x40;
    else if (i === 8) v = (v & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) codes[j++] = 45; // '-'
    codes[j++] = HEX_CODES[v >> 4]!;
    codes[j++] = HEX_CODES[v & 15]!;
  }
  return String.fromCharCode.apply(null, codes);
};
const HEX_CODES: readonly number[] = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const UUID_CODES: number[] = new Array<number>(36).fill(0);

export const CLUSTER_DOMAIN = 'cluster.local';

/** `<pod>.<svc>.<ns>.svc.cluster.local` */
export const podDnsName = (hostname: string, service: string, namespace: string, zone = CLUSTER_DOMAIN): string =>
  `${hostname}.${service}.${namespace}.svc.${zone}`;
export const serviceDnsName = (service: string, namespace: string, zone = CLUSTER_DOMAIN): string =>
  `${service}.${namespace}.svc.${zone}`;

// DNS-1123 and label syntax (apimachinery validation).
export const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** IsDNS1123Label: list of error details (empty = valid). */
export const dns1123LabelErrors = (v: string): string[] => {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1123_LABEL_RE.test(v)) errs.push(DNS1123_LABEL_MSG);
  return errs;
};

/** NameIsDNSLabel as used for StatefulSet names: a valid subdomain with dots gets "must not contain dots". */
export const nameIsDnsLabelErrors = (v: string): string[] => {
  if (v.length <= 253 && v.includes('.') && DNS1123_SUBDOMAIN_RE.test(v)) return ['must not contain dots'];
  return dns1123LabelErrors(v);
};

export const dns1123SubdomainErrors = (v: string): string[] => {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN_RE.test(v)) errs.push(DNS1123_SUBDOMAIN_MSG);
  return errs;
};
