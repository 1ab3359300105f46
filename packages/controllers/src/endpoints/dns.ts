import { CLUSTER_DOMAIN, type EndpointSlice, type Endpoints, type Service } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';

/**
 * Cluster DNS as the Kubernetes DNS specification defines it (§4.2, [DNSSPEC §2.4]), derived from
 * Services and their EndpointSlices, as CoreDNS serves it. Names are stored lower-case without the trailing dot; record targets
 * are fully qualified (trailing dot), as a resolver prints them.
 */
export type DnsRecordType = 'A' | 'AAAA' | 'SRV' | 'PTR' | 'CNAME';

export interface DnsRecord {
  readonly type: DnsRecordType;
  readonly name: string;
  /** A/AAAA: the address; SRV, PTR, CNAME: the target (fully qualified). */
  readonly value: string;
  /** SRV only. */
  readonly priority?: number;
  readonly weight?: number;
  readonly port?: number;
}

const norm = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** The reverse-lookup name of an IP (`7.1.244.10.in-addr.arpa`, nibbles under `ip6.arpa`). */
export const reverseName = (ip: string): string => {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const nibbles = groups.map((g) => g.padStart(4, '0')).join('').split('');
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
};

/** CoreDNS's identifier for an endpoint without hostname: the dashed IP. */
export const dashedIp = (ip: string): string => ip.replace(/[.:]/g, '-');

const addrType = (ip: string): 'A' | 'AAAA' => (ip.includes(':') ? 'AAAA' : 'A');

const isHeadless = (svc: Service): boolean => svc.spec?.clusterIP === 'None';

/** One endpoint DNS serves: its addresses, its hostname (if any) and the ports of its slice. */
export interface ServedEndpoint {
  readonly addresses: readonly string[];
  readonly hostname?: string;
  readonly ports: readonly { readonly name?: string; readonly port?: number; readonly protocol?: string }[];
}

/** The endpoints of an Endpoints object DNS would serve: the addresses (ready ones) of each subset. */
export const servedFromEndpoints = (ep: Endpoints | undefined): ServedEndpoint[] => {
  const out: ServedEndpoint[] = [];
  for (const subset of ep?.subsets ?? []) {
    for (const a of subset.addresses ?? []) out.push({ addresses: [a.ip], ...(a.hostname ? { hostname: a.hostname } : {}), ports: subset.ports ?? [] });
  }
  return out;
};

/**
 * The endpoints CoreDNS serves from a service's EndpointSlices (`kubernetes.io/service-name`): those whose
 * `ready` condition is not false. An endpoint listed in several slices (during a move) is served once per
 * slice; the records are deduplicated.
 */
export const servedFromSlices = (slices: Iterable<EndpointSlice>): ServedEndpoint[] => {
  const out: ServedEndpoint[] = [];
  for (const s of slices) {
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      out.push({ addresses: e.addresses, ...(e.hostname ? { hostname: e.hostname } : {}), ports: s.ports ?? [] });
    }
  }
  return out;
};

/** One Service's records, from the endpoints DNS serves for it. */
export const serviceRecords = (svc: Service, served: readonly ServedEndpoint[], zone = CLUSTER_DOMAIN): DnsRecord[] => {
  const ns = svc.metadata?.namespace ?? '';
  const base = norm(`${svc.metadata?.name ?? ''}.${ns}.svc.${zone}`);
  const out: DnsRecord[] = [];
  if (svc.spec?.type === 'ExternalName') {
    if (svc.spec.externalName) out.push({ type: 'CNAME', name: base, value: `${norm(svc.spec.externalName)}.` });
    return out;
  }
  if (!isHeadless(svc)) {
    const ips = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
    for (const ip of ips) {
      if (!ip || ip === 'None') continue;
      out.push({ type: addrType(ip), name: base, value: ip });
      out.push({ type: 'PTR', name: reverseName(ip), value: `${base}.` });
    }
    for (const p of svc.spec?.ports ?? []) {
      if (!p.name) continue;
      out.push({ type: 'SRV', name: `_${norm(p.name)}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`, value: `${base}.`, priority: 0, weight: 100, port: p.port });
    }
    return out;
  }
  // Headless: only ready endpoints have records.
  const srv: { name: string; port: number; target: string }[] = [];
  for (const e of served) {
    for (const ip of e.addresses) {
      const host = norm(`${e.hostname ?? dashedIp(ip)}.${base}`);
      out.push({ type: addrType(ip), name: base, value: ip });
      out.push({ type: addrType(ip), name: host, value: ip });
      out.push({ type: 'PTR', name: reverseName(ip), value: `${host}.` });
      for (const p of e.ports) {
        if (!p.name || p.port === undefined) continue;
        srv.push({ name: `_${norm(p.name)}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`, port: p.port, target: `${host}.` });
      }
    }
  }
  // CoreDNS spreads the weight of one priority class: 100 / (records of that name).
  const unique = new Map<string, { name: string; port: number; target: string }>();
  for (const s of srv) unique.set(`${s.name}\u0000${s.target}\u0000${s.port}`, s);
  const perName = new Map<string, number>();
  for (const s of unique.values()) perName.set(s.name, (perName.get(s.name) ?? 0) + 1);
  for (const s of unique.values()) out.push({ type: 'SRV', name: s.name, value: s.target, priority: 0, weight: Math.floor(100 / perName.get(s.name)!), port: s.port });
  return out;
};

/** The EndpointSlices of a service (any manager: CoreDNS selects them by the service-name label). */
export const slicesOfService = (snap: Snapshot, svc: Service): EndpointSlice[] => {
  const name = svc.metadata?.name ?? '';
  const out: EndpointSlice[] = [];
  for (const s of snap.list('EndpointSlice', svc.metadata?.namespace ?? '')) {
    if (s.metadata?.labels?.['kubernetes.io/service-name'] === name) out.push(s);
  }
  return out;
};

const recordKey = (r: DnsRecord): string => `${r.name}\u0000${r.type}\u0000${r.value}\u0000${r.port ?? ''}`;

/** Every record of the cluster: Services and their EndpointSlices (as CoreDNS serves them), deduplicated and sorted. */
export const dnsRecords = (snap: Snapshot, zone = CLUSTER_DOMAIN): DnsRecord[] => {
  const byKey = new Map<string, DnsRecord>();
  for (const svc of snap.list('Service')) {
    const served = isHeadless(svc) ? servedFromSlices(slicesOfService(snap, svc)) : [];
    for (const r of serviceRecords(svc, served, zone)) {
      const k = recordKey(r);
      if (!byKey.has(k)) byKey.set(k, r);
    }
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
};

/** The records of one name (case-insensitive, trailing dot optional), optionally of one type. Empty = NXDOMAIN. */
export const resolve = (records: readonly DnsRecord[], name: string, type?: DnsRecordType): DnsRecord[] => {
  const n = norm(name);
  return records.filter((r) => r.name === n && (type === undefined || r.type === type));
};

/** What a name resolves to: the values of its records (addresses, targets), sorted. Empty = NXDOMAIN. */
export const resolveName = (records: readonly DnsRecord[], name: string, type?: DnsRecordType): string[] =>
  resolve(records, name, type).map((r) => r.value).sort();

/** The addresses a name resolves to (A and AAAA), sorted. */
export const resolveAddresses = (records: readonly DnsRecord[], name: string): string[] =>
  resolve(records, name).filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => r.value).sort();

/** SRV records of `_<port>._<proto>.<svc>.<ns>.svc.<zone>`. */
export const resolveSrv = (records: readonly DnsRecord[], name: string): DnsRecord[] => resolve(records, name, 'SRV');

/** The PTR targets of an IP. */
export const resolvePtr = (records: readonly DnsRecord[], ip: string): string[] => resolveName(records, reverseName(ip), 'PTR');
