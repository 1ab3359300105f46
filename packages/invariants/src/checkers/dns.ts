import { OVER_CAPACITY_ANNOTATION, dashedIp, serviceRecords, servedFromEndpoints, servedFromSlices } from '@kubesim/controllers';
import { CLUSTER_DOMAIN, isPodReady, isTerminal, type EndpointSlice, type KObject, type Pod, type Service } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import { nameOf, nsOf } from '../model.js';

const selects = (sel: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean => {
  for (const k in sel) if (labels?.[k] !== sel[k]) return false;
  return true;
};

/** Why a selected pod should not have a record of a headless service: undefined = it should. */
const exclusion = (pod: Pod, svc: Service, fromSlices: boolean): string | undefined => {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  if (isTerminal(pod)) return `it is ${String(pod.status?.phase)}`;
  if (!pod.status?.podIP) return 'it has no IP';
  if (pod.metadata?.deletionTimestamp !== undefined && !publishNotReady) return 'it is terminating';
  if (!publishNotReady && !isPodReady(pod)) return 'it is not Ready';
  // Endpoints list a pod under the ports it resolves only; a slice without ports still serves it.
  if (!fromSlices && !offersAPort(pod, svc)) return 'it offers none of the service ports';
  return undefined;
};

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller';

/** A named targetPort the pod does not offer gives it no address for that port (Endpoints). */
const offersAPort = (pod: Pod, svc: Service): boolean => {
  const ports = svc.spec?.ports ?? [];
  const named = (t: unknown): t is string => typeof t === 'string' && !/^[0-9]+$/.test(t);
  if (ports.length === 0 || !ports.some((p) => named(p.targetPort))) return true;
  return ports.some((sp) => !named(sp.targetPort)
    || (pod.spec?.containers ?? []).some((c) => (c.ports ?? []).some((cp) => cp.name === sp.targetPort && (cp.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'))));
};

const baseOf = (ns: string, svc: string): string => `${svc}.${ns}.svc.${CLUSTER_DOMAIN}`.toLowerCase();

/** The per-pod record name a pod gets under a service: its hostname when its subdomain is the service, else its dashed IP. */
const recordName = (pod: Pod, svc: string, base: string): string | undefined => {
  if (pod.spec?.hostname && pod.spec.subdomain === svc) return `${pod.spec.hostname}.${base}`.toLowerCase();
  const ip = pod.status?.podIP;
  return ip ? `${dashedIp(ip)}.${base}` : undefined;
};

interface SvcState {
  readonly ns: string;
  readonly name: string;
  readonly base: string;
  /** Per-pod A/AAAA record names served now, with how many slice endpoints serve each. */
  readonly actual: Map<string, number>;
  /** Slice key → the per-pod record names that slice serves. */
  readonly bySlice: Map<string, Set<string>>;
  /** Logs recorded before EndpointSlices: the per-pod names served from the Service's Endpoints. */
  fromEndpoints: Set<string>;
  /** Those Endpoints are over capacity: DNS came from the pods themselves, not judged. */
  derived: boolean;
  /** Record name → the selected pods (namespace/name) that would own it. */
  readonly owners: Map<string, Set<string>>;
  /** Pod → the record name it is filed under. */
  readonly podName: Map<string, string>;
  /** Record names to judge at the next quiescent point. */
  readonly dirty: Set<string>;
}

/**
 * L11 — DNS: a per-pod record `<hostname>.<svc>.<ns>.svc.cluster.local` exists iff the headless Service
 * `<svc>` (the pod's subdomain) selects the pod, the pod has an IP, is not terminal or terminating and is
 * Ready (or the Service publishes not-ready addresses). Pods without that hostname get the dashed-IP
 * name under the same rule. The records are what `serviceRecords` (dns.ts) serves from the Service and
 * its EndpointSlices (as CoreDNS does); they lag the pods by one EndpointSlice sync, so each record name
 * whose pods, Service or slices changed is judged at the next quiescent point (work per entry stays
 * proportional to the entry: a slice entry recomputes that slice's records only). A log recorded before
 * kubesim had an EndpointSlice controller (no such COMPONENT start, no slice) is judged on the DNS its
 * Endpoints served then.
 */
export const l11Checker: CheckerDef = {
  id: 'L11',
  title: 'DNS: a per-pod record exists iff its headless service selects the pod and it is Ready with an IP',
  kinds: ['Pod', 'Service', 'Endpoints', 'EndpointSlice'],
  inputs: true,
  create: (ctx) => {
    const store = ctx.world.store;
    const services = new Map<string, SvcState>();
    /** namespace → its service states. */
    const byNs = new Map<string, Set<SvcState>>();
    const dirtySvcs = new Set<SvcState>();
    const last = new Map<string, string>();
    /** The last seq that wrote a slice of each service (named in reports). */
    const sliceSeq = new Map<string, number>();

    const stateOf = (ns: string, name: string): SvcState => {
      const key = `${ns}/${name}`;
      let s = services.get(key);
      if (!s) {
        s = {
          ns, name, base: baseOf(ns, name), actual: new Map(), bySlice: new Map(), fromEndpoints: new Set(), derived: false,
          owners: new Map(), podName: new Map(), dirty: new Set(),
        };
        services.set(key, s);
        let l = byNs.get(ns);
        if (!l) { l = new Set(); byNs.set(ns, l); }
        l.add(s);
      }
      return s;
    };
    const mark = (s: SvcState, rec: string): void => { s.dirty.add(rec); dirtySvcs.add(s); };

    /** File (or unfile) one pod under a service. */
    const filePod = (s: SvcState, podKey: string, pod: Pod | undefined, svc: Service | undefined): void => {
      const old = s.podName.get(podKey);
      const sel = svc?.spec?.selector;
      const rec = pod !== undefined && sel !== undefined && Object.keys(sel).length > 0 && selects(sel, pod.metadata?.labels)
        ? recordName(pod, s.name, s.base) : undefined;
      if (old !== undefined) mark(s, old);
      if (rec !== undefined) mark(s, rec);
      if (old === rec) return;
      if (old !== undefined) {
        const o = s.owners.get(old);
        o?.delete(podKey);
        if (o?.size === 0) s.owners.delete(old);
        s.podName.delete(podKey);
      }
      if (rec !== undefined) {
        let o = s.owners.get(rec);
        if (!o) { o = new Set(); s.owners.set(rec, o); }
        o.add(podKey);
        s.podName.set(podKey, rec);
      }
    };

    /** Replace the records one slice serves (undefined: the slice is gone or no longer the service's). */
    const refreshSlice = (s: SvcState, sliceKey: string, slice: EndpointSlice | undefined, svc: Service | undefined): void => {
      const next = new Set<string>();
      if (slice !== undefined && svc !== undefined) {
        for (const r of serviceRecords(svc, servedFromSlices([slice]))) {
          if ((r.type === 'A' || r.type === 'AAAA') && r.name !== s.base && r.name.endsWith(`.${s.base}`)) next.add(r.name);
        }
      }
      const prev = s.bySlice.get(sliceKey) ?? new Set<string>();
      for (const r of next) if (!prev.has(r)) { s.actual.set(r, (s.actual.get(r) ?? 0) + 1); mark(s, r); }
      for (const r of prev) {
        if (next.has(r)) continue;
        const n = (s.actual.get(r) ?? 0) - 1;
        if (n <= 0) s.actual.delete(r); else s.actual.set(r, n);
        mark(s, r);
      }
      if (next.size > 0) s.bySlice.set(sliceKey, next); else s.bySlice.delete(sliceKey);
    };

    /**
     * Logs recorded before kubesim had an EndpointSlice controller serve DNS from Endpoints. A log is judged
     * on its slices once its EndpointSlice controller started (a COMPONENT entry) or a slice was written.
     */
    let fromSlices = false;
    const useSlices = (): void => {
      if (fromSlices) return;
      fromSlices = true;
      for (const s of services.values()) { for (const r of s.owners.keys()) mark(s, r); for (const r of s.fromEndpoints) mark(s, r); }
    };

    /** The names served from a Service's Endpoints (logs without slices): recomputed on each Service or Endpoints entry. */
    const refreshEndpoints = (s: SvcState): void => {
      const svc = store.get('Service', s.ns, s.name);
      const ep = store.get('Endpoints', s.ns, s.name);
      const next = new Set<string>();
      s.derived = ep?.metadata?.annotations?.[OVER_CAPACITY_ANNOTATION] !== undefined;
      if (svc !== undefined && !s.derived) {
        for (const r of serviceRecords(svc, servedFromEndpoints(ep))) {
          if ((r.type === 'A' || r.type === 'AAAA') && r.name !== s.base && r.name.endsWith(`.${s.base}`)) next.add(r.name);
        }
      }
      if (!fromSlices) {
        for (const r of next) if (!s.fromEndpoints.has(r)) mark(s, r);
        for (const r of s.fromEndpoints) if (!next.has(r)) mark(s, r);
      }
      s.fromEndpoints = next;
    };

    const judge = (s: SvcState, seq: number): void => {
      if (!fromSlices && s.derived) { s.dirty.clear(); return; }
      const svc = store.get('Service', s.ns, s.name);
      const headless = svc?.spec?.clusterIP === 'None';
      const key = `${s.ns}/${s.name}`;
      const problems: string[] = [];
      for (const rec of s.dirty) {
        let owner: string | undefined;
        let why: string | undefined;
        if (svc !== undefined && headless) {
          for (const pk of s.owners.get(rec) ?? []) {
            const i = pk.indexOf('/');
            const pod = store.get('Pod', pk.slice(0, i), pk.slice(i + 1));
            if (pod === undefined) continue;
            const ex = exclusion(pod, svc, fromSlices);
            if (ex === undefined) { owner = nameOf(pod); break; }
            why ??= `pod ${nameOf(pod)}: ${ex}`;
          }
        }
        const has = fromSlices ? s.actual.has(rec) : s.fromEndpoints.has(rec);
        if (owner !== undefined && !has) problems.push(`${rec} is missing although pod ${owner} is selected, Ready and has an IP`);
        if (owner === undefined && has) {
          problems.push(`${rec} exists although ${why ?? (svc === undefined || !headless ? `service ${s.name} is ${svc === undefined ? 'gone' : 'not headless'}` : 'no selected pod has that name')}`);
        }
      }
      s.dirty.clear();
      const text = problems.sort().join('; ');
      if (problems.length === 0 || last.get(key) === text) { if (problems.length === 0) last.delete(key); return; }
      last.set(key, text);
      const ep = fromSlices ? undefined : store.get('Endpoints', s.ns, s.name);
      const written = fromSlices ? sliceSeq.get(key) : ep ? Number(ep.metadata?.resourceVersion ?? 0) : undefined;
      const source = fromSlices ? 'its EndpointSlices' : 'Endpoints';
      ctx.report([seq, ...(written !== undefined ? [written] : [])], `DNS of service ${key} at the quiescent point after seq ${seq}${written !== undefined ? ` (${source} last written at seq ${written})` : ''}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
    };

    return {
      id: 'L11',
      title: l11Checker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        if (e.type === 'COMPONENT') {
          const d = e.data as { component?: unknown; event?: unknown } | undefined;
          if (d?.component === ENDPOINTSLICE_CONTROLLER && (d.event === 'start' || d.event === 'restart')) useSlices();
          return;
        }
        const o = e.object;
        if (o === undefined) return;
        const ns = nsOf(o);
        if (o.kind === 'Pod') {
          const l = byNs.get(ns);
          if (l === undefined) return;
          const podKey = `${ns}/${nameOf(o)}`;
          const pod = e.type === 'DELETED' ? undefined : o as Pod;
          for (const s of l) {
            if (!s.podName.has(podKey) && pod === undefined) continue;
            filePod(s, podKey, pod, store.get('Service', ns, s.name));
          }
          return;
        }
        if (o.kind === 'Endpoints') { refreshEndpoints(stateOf(ns, nameOf(o))); return; }
        if (o.kind === 'EndpointSlice') {
          useSlices();
          const sliceKey = `${ns}/${nameOf(o)}`;
          const svcOf = (x: KObject | undefined): string | undefined => x?.metadata?.labels?.[SERVICE_NAME_LABEL];
          const prevSvc = svcOf(before);
          const svcName = e.type === 'DELETED' ? undefined : svcOf(o);
          if (prevSvc !== undefined && prevSvc !== svcName) refreshSlice(stateOf(ns, prevSvc), sliceKey, undefined, undefined);
          if (svcName !== undefined) {
            const s = stateOf(ns, svcName);
            sliceSeq.set(`${ns}/${svcName}`, e.seq);
            refreshSlice(s, sliceKey, o as EndpointSlice, store.get('Service', ns, svcName));
          } else if (prevSvc !== undefined) sliceSeq.set(`${ns}/${prevSvc}`, e.seq);
          return;
        }
        // Service
        const s = stateOf(ns, nameOf(o));
        const oldSel = (before as Service | undefined)?.spec?.selector;
        const svc = e.type === 'DELETED' ? undefined : o as Service;
        const sel = svc?.spec?.selector;
        if (before === undefined || JSON.stringify(oldSel) !== JSON.stringify(sel)) {
          // A new or changed selector: file every pod of the namespace again.
          for (const pk of [...s.podName.keys()]) filePod(s, pk, undefined, undefined);
          if (svc !== undefined) for (const p of store.list('Pod', ns)) filePod(s, `${ns}/${nameOf(p)}`, p, svc);
        }
        for (const rec of s.owners.keys()) mark(s, rec);
        refreshEndpoints(s);
        // The records of every slice of the service (headless or not, gone or not): rare, proportional to the service.
        for (const sk of [...s.bySlice.keys()]) refreshSlice(s, sk, undefined, undefined);
        if (svc !== undefined) {
          for (const sl of store.list('EndpointSlice', ns)) {
            if (sl.metadata?.labels?.[SERVICE_NAME_LABEL] === s.name) refreshSlice(s, `${ns}/${nameOf(sl)}`, sl, svc);
          }
        }
      },
      quiet(seq: number): void {
        for (const s of dirtySvcs) judge(s, seq);
        dirtySvcs.clear();
      },
      finish(): void { /* judged at quiet points */ },
    };
  },
};
