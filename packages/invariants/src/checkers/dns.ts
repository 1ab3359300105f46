import { OVER_CAPACITY_ANNOTATION, dashedIp, serviceRecords } from '@kubesim/controllers';
import { CLUSTER_DOMAIN, isPodReady, isTerminal, type KObject, type Pod, type Service } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import { nameOf, nsOf } from '../model.js';

const selects = (sel: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean => {
  for (const k in sel) if (labels?.[k] !== sel[k]) return false;
  return true;
};

/** Why a selected pod should not have a record of a headless service: undefined = it should. */
const exclusion = (pod: Pod, svc: Service): string | undefined => {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  if (isTerminal(pod)) return `it is ${String(pod.status?.phase)}`;
  if (!pod.status?.podIP) return 'it has no IP';
  if (pod.metadata?.deletionTimestamp !== undefined && !publishNotReady) return 'it is terminating';
  if (!publishNotReady && !isPodReady(pod)) return 'it is not Ready';
  if (!offersAPort(pod, svc)) return 'it offers none of the service ports';
  return undefined;
};

/** A named targetPort the pod does not offer gives it no address for that port. */
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
  /** Per-pod A/AAAA record names served now (from `serviceRecords` of the Service and its Endpoints). */
  actual: Set<string>;
  /** The Endpoints are over capacity: DNS is derived from the pods themselves (EndpointSlices), not judged. */
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
 * its Endpoints; they lag the pods by one Endpoints sync, so each record name whose pods, Service or
 * Endpoints changed is judged at the next quiescent point (work per entry stays proportional to the
 * entry).
 */
export const l11Checker: CheckerDef = {
  id: 'L11',
  title: 'DNS: a per-pod record exists iff its headless service selects the pod and it is Ready with an IP',
  kinds: ['Pod', 'Service', 'Endpoints'],
  inputs: false,
  create: (ctx) => {
    const store = ctx.world.store;
    const services = new Map<string, SvcState>();
    /** namespace → its service states. */
    const byNs = new Map<string, Set<SvcState>>();
    const dirtySvcs = new Set<SvcState>();
    const last = new Map<string, string>();

    const stateOf = (ns: string, name: string): SvcState => {
      const key = `${ns}/${name}`;
      let s = services.get(key);
      if (!s) {
        s = { ns, name, base: baseOf(ns, name), actual: new Set(), derived: false, owners: new Map(), podName: new Map(), dirty: new Set() };
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

    /** Recompute the records a service serves (on a Service or Endpoints entry: proportional to that entry). */
    const refreshRecords = (s: SvcState): void => {
      const svc = store.get('Service', s.ns, s.name);
      const ep = store.get('Endpoints', s.ns, s.name);
      const next = new Set<string>();
      s.derived = ep?.metadata?.annotations?.[OVER_CAPACITY_ANNOTATION] !== undefined;
      if (svc !== undefined && !s.derived) {
        for (const r of serviceRecords(svc, ep)) {
          if ((r.type === 'A' || r.type === 'AAAA') && r.name !== s.base && r.name.endsWith(`.${s.base}`)) next.add(r.name);
        }
      }
      for (const r of next) if (!s.actual.has(r)) mark(s, r);
      for (const r of s.actual) if (!next.has(r)) mark(s, r);
      s.actual = next;
    };

    const judge = (s: SvcState, seq: number): void => {
      if (s.derived) { s.dirty.clear(); return; }
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
            const ex = exclusion(pod, svc);
            if (ex === undefined) { owner = nameOf(pod); break; }
            why ??= `pod ${nameOf(pod)}: ${ex}`;
          }
        }
        const has = s.actual.has(rec);
        if (owner !== undefined && !has) problems.push(`${rec} is missing although pod ${owner} is selected, Ready and has an IP`);
        if (owner === undefined && has) {
          problems.push(`${rec} exists although ${why ?? (svc === undefined || !headless ? `service ${s.name} is ${svc === undefined ? 'gone' : 'not headless'}` : 'no selected pod has that name')}`);
        }
      }
      s.dirty.clear();
      const text = problems.sort().join('; ');
      if (problems.length === 0 || last.get(key) === text) { if (problems.length === 0) last.delete(key); return; }
      last.set(key, text);
      const ep = store.get('Endpoints', s.ns, s.name);
      ctx.report([seq, ...(ep ? [Number(ep.metadata?.resourceVersion ?? 0)] : [])], `DNS of service ${key} at the quiescent point after seq ${seq}${ep ? ` (Endpoints last written at seq ${String(ep.metadata?.resourceVersion)})` : ''}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
    };

    return {
      id: 'L11',
      title: l11Checker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        const o = e.object!;
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
        const s = stateOf(ns, nameOf(o));
        if (o.kind === 'Service') {
          const oldSel = (before as Service | undefined)?.spec?.selector;
          const svc = e.type === 'DELETED' ? undefined : o as Service;
          const sel = svc?.spec?.selector;
          if (before === undefined || JSON.stringify(oldSel) !== JSON.stringify(sel)) {
            // A new or changed selector: file every pod of the namespace again.
            for (const pk of [...s.podName.keys()]) filePod(s, pk, undefined, undefined);
            if (svc !== undefined) for (const p of store.list('Pod', ns)) filePod(s, `${ns}/${nameOf(p)}`, p, svc);
          }
          for (const rec of s.owners.keys()) mark(s, rec);
        }
        refreshRecords(s);
      },
      quiet(seq: number): void {
        for (const s of dirtySvcs) judge(s, seq);
        dirtySvcs.clear();
      },
      finish(): void { /* judged at quiet points */ },
    };
  },
};
