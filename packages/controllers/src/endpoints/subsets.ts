import { isPodReady, isTerminal, type Endpoints, type Pod, type Service } from '@kubesim/api';

export type EndpointSubset = NonNullable<Endpoints['subsets']>[number];
export type EndpointAddress = NonNullable<EndpointSubset['addresses']>[number];
export type EndpointPort = NonNullable<EndpointSubset['ports']>[number];
type ServicePort = NonNullable<NonNullable<Service['spec']>['ports']>[number];

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

/** [EPU ShouldPodBeInEndpoints]: not terminal, has an IP, and not terminating unless terminating pods are included. */
export const shouldPodBeInEndpoints = (pod: Pod, includeTerminating: boolean): boolean => {
  if (isTerminal(pod)) return false;
  if (!pod.status?.podIP) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp !== undefined) return false;
  return true;
};

/** [EPU ShouldSetHostname]: the pod names a hostname and its subdomain is this service (same namespace). */
export const shouldSetHostname = (pod: Pod, svc: Service): boolean =>
  !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;

/** [podutil.FindPort]: a named targetPort resolves against the pod's container ports of the same protocol. */
export const findPort = (pod: Pod, sp: ServicePort): number | undefined => {
  const t = sp.targetPort;
  if (typeof t === 'string') {
    const asNumber = /^[0-9]+$/.test(t) ? Number(t) : undefined;
    if (asNumber !== undefined) return asNumber;
    const proto = sp.protocol ?? 'TCP';
    for (const c of pod.spec?.containers ?? []) {
      for (const p of c.ports ?? []) if (p.name === t && (p.protocol ?? 'TCP') === proto) return p.containerPort;
    }
    return undefined;
  }
  return t === undefined || t === 0 ? sp.port : t;
};

const addressOf = (pod: Pod, svc: Service): EndpointAddress => ({
  ip: pod.status?.podIP ?? '',
  ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec!.hostname! } : {}),
  ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
  targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
});

const portKey = (p: EndpointPort): string => `${p.name ?? ''}\u0000${p.port}\u0000${p.protocol ?? ''}\u0000${p.appProtocol ?? ''}`;
const addrKey = (a: EndpointAddress): string => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;

/** [LessEndpointAddress]: by IP (bytewise), then target uid. */
const byAddress = (a: EndpointAddress, b: EndpointAddress): number => {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const x = a.targetRef?.uid ?? '', y = b.targetRef?.uid ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};
const byPort = (a: EndpointPort, b: EndpointPort): number => {
  const x = portKey(a), y = portKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

interface Member { readonly addr: EndpointAddress; readonly ready: boolean }

/**
 * [endpoints controller syncService + RepackSubsets]: every selected pod gives one address per service
 * port it resolves; ports offered by the same addresses (with the same readiness) share a subset.
 * Addresses are sorted by IP, ports and subsets deterministically.
 */
export const buildSubsets = (svc: Service, pods: Iterable<Pod>): EndpointSubset[] => {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const ports = svc.spec?.ports ?? [];
  const headless = svc.spec?.clusterIP === 'None';
  // port key → (port, address key → member)
  const byPortKey = new Map<string, { port: EndpointPort | undefined; members: Map<string, Member> }>();
  const add = (port: EndpointPort | undefined, m: Member): void => {
    const k = port ? portKey(port) : '';
    let e = byPortKey.get(k);
    if (!e) { e = { port, members: new Map() }; byPortKey.set(k, e); }
    const ak = addrKey(m.addr);
    const prev = e.members.get(ak);
    if (!prev || (!prev.ready && m.ready)) e.members.set(ak, m);
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const m: Member = { addr: addressOf(pod, svc), ready: publishNotReady || isPodReady(pod) };
    if (ports.length === 0) {
      if (headless) add(undefined, m);
      continue;
    }
    for (const sp of ports) {
      const n = findPort(pod, sp);
      if (n === undefined) continue;
      add({ ...(sp.name ? { name: sp.name } : {}), port: n, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) }, m);
    }
  }
  // Group ports by identical member sets.
  const groups = new Map<string, { members: Member[]; ports: EndpointPort[] }>();
  for (const { port, members } of byPortKey.values()) {
    const list = [...members.values()].sort((a, b) => byAddress(a.addr, b.addr));
    const sig = list.map((m) => `${addrKey(m.addr)}\u0000${m.ready ? 1 : 0}`).join('\u0001');
    let g = groups.get(sig);
    if (!g) { g = { members: list, ports: [] }; groups.set(sig, g); }
    if (port) g.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready = g.members.filter((m) => m.ready).map((m) => m.addr);
    const notReady = g.members.filter((m) => !m.ready).map((m) => m.addr);
    subsets.push({
      ...(ready.length > 0 ? { addresses: ready } : {}),
      ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
      ...(g.ports.length > 0 ? { ports: g.ports.sort(byPort) } : {}),
    });
  }
  return subsets.sort((a, b) => {
    const x = subsetKey(a), y = subsetKey(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
};

interface Entry { readonly pod: Pod; readonly ip: string; readonly uid: string; readonly ready: boolean }
const byEntry = (a: Entry, b: Entry): number => (a.ip !== b.ip ? (a.ip < b.ip ? -1 : 1) : a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);

/**
 * The Endpoints subsets of a service, truncated to `maxCapacity` addresses. When no service port names
 * its target port, every pod offers the same ports, so all addresses form one subset: the pods are
 * sorted once and address objects are built only for the addresses kept (the common, large case).
 * Otherwise: `buildSubsets` then `truncateSubsets`.
 */
export const endpointSubsetsFor = (svc: Service, pods: Iterable<Pod>, maxCapacity: number): { subsets: EndpointSubset[]; truncated: boolean } => {
  const svcPorts = svc.spec?.ports ?? [];
  if (svcPorts.some((p) => typeof p.targetPort === 'string')) return truncateSubsets(buildSubsets(svc, pods), maxCapacity);
  if (svcPorts.length === 0 && svc.spec?.clusterIP !== 'None') return { subsets: [], truncated: false };
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const ready: Entry[] = [];
  const notReady: Entry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const e: Entry = { pod, ip: pod.status!.podIP!, uid: pod.metadata?.uid ?? '', ready: publishNotReady || isPodReady(pod) };
    (e.ready ? ready : notReady).push(e);
  }
  if (ready.length + notReady.length === 0) return { subsets: [], truncated: false };
  const truncated = ready.length + notReady.length > maxCapacity;
  const keepReady = Math.min(ready.length, maxCapacity);
  const keepNotReady = truncated && ready.length > maxCapacity ? 0 : Math.min(notReady.length, maxCapacity - keepReady);
  ready.sort(byEntry);
  notReady.sort(byEntry);
  const ports = svcPorts.map((sp): EndpointPort => ({
    ...(sp.name ? { name: sp.name } : {}), port: findPort({} as Pod, sp)!, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
  })).sort(byPort);
  const addresses = ready.slice(0, keepReady).map((e) => addressOf(e.pod, svc));
  const notReadyAddresses = notReady.slice(0, keepNotReady).map((e) => addressOf(e.pod, svc));
  const subset: EndpointSubset = {
    ...(addresses.length > 0 ? { addresses } : {}),
    ...(notReadyAddresses.length > 0 ? { notReadyAddresses } : {}),
    ...(ports.length > 0 ? { ports } : {}),
  };
  return { subsets: [subset], truncated };
};

const subsetKey = (s: EndpointSubset): string =>
  `${(s.ports ?? []).map(portKey).join(',')}|${s.addresses?.[0]?.ip ?? s.notReadyAddresses?.[0]?.ip ?? ''}`;

/**
 * [endpoints controller truncateEndpoints]: past `maxCapacity` addresses, ready addresses are kept
 * first; each subset keeps its proportional share (rounded up) until the capacity is used.
 */
export const truncateSubsets = (subsets: readonly EndpointSubset[], maxCapacity: number): { subsets: EndpointSubset[]; truncated: boolean } => {
  let totalReady = 0, totalNotReady = 0;
  for (const s of subsets) { totalReady += s.addresses?.length ?? 0; totalNotReady += s.notReadyAddresses?.length ?? 0; }
  if (totalReady + totalNotReady <= maxCapacity) return { subsets: [...subsets], truncated: false };
  const truncateReady = totalReady > maxCapacity;
  const max = truncateReady ? maxCapacity : maxCapacity - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  const out = subsets.map((s) => {
    const inSubset = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    const toBeAdded = Math.min(Math.ceil((inSubset / numTotal) * max), canBeAdded);
    if (truncateReady) {
      const addresses = (s.addresses ?? []).slice(0, toBeAdded);
      canBeAdded -= addresses.length;
      const { notReadyAddresses: _n, addresses: _a, ...rest } = s;
      return { ...rest, ...(addresses.length > 0 ? { addresses } : {}) };
    }
    const notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, toBeAdded);
    canBeAdded -= notReadyAddresses.length;
    const { notReadyAddresses: _n, ...rest } = s;
    return { ...rest, ...(notReadyAddresses.length > 0 ? { notReadyAddresses } : {}) };
  });
  return { subsets: out, truncated: true };
};

const addrCanon = (a: EndpointAddress): string =>
  `${a.ip};${a.hostname ?? ''};${a.nodeName ?? ''};${a.targetRef?.kind ?? ''};${a.targetRef?.namespace ?? ''};${a.targetRef?.name ?? ''};${a.targetRef?.uid ?? ''}`;

/** A cheap canonical text of subsets (what "changed" means for the write-only-when-changed rule). */
export const canonicalSubsets = (subsets: readonly EndpointSubset[] | undefined): string => {
  if (!subsets || subsets.length === 0) return '';
  const parts: string[] = [];
  for (const s of subsets) {
    parts.push('S', (s.ports ?? []).map(portKey).join(','));
    parts.push('A');
    for (const a of s.addresses ?? []) parts.push(addrCanon(a));
    parts.push('N');
    for (const a of s.notReadyAddresses ?? []) parts.push(addrCanon(a));
  }
  return parts.join('\n');
};
