import { dashedIp, dnsRecords } from '@kubesim/controllers';
import { CLUSTER_DOMAIN, isPodReady, isTerminal, type KObject, type Kind, type Pod, type Service } from '@kubesim/api';
import type { Snapshot } from '@kubesim/state';
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import { nameOf, nsOf } from '../model.js';

const selects = (sel: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean => {
  for (const k in sel) if (labels?.[k] !== sel[k]) return false;
  return true;
};

/** A view of the store that shows one Service only: `dnsRecords` over it gives that service's records. */
const oneService = (store: Snapshot, svc: Service): Snapshot => ({
  seq: store.seq,
  get: store.get.bind(store),
  list: (<K extends Kind>(kind: K, namespace?: string) => (kind === 'Service' ? [svc] : store.list(kind, namespace))) as Snapshot['list'],
  count: store.count.bind(store),
  byIndex: store.byIndex.bind(store),
});

/** Why a pod should (or should not) have a record of a headless service: undefined = it should. */
const exclusion = (pod: Pod, publishNotReady: boolean): string | undefined => {
  if (isTerminal(pod)) return `it is ${String(pod.status?.phase)}`;
  if (!pod.status?.podIP) return 'it has no IP';
  if (pod.metadata?.deletionTimestamp !== undefined && !publishNotReady) return 'it is terminating';
  if (!publishNotReady && !isPodReady(pod)) return 'it is not Ready';
  return undefined;
};

/** A named targetPort the pod does not offer gives it no address for that port. */
const offersAPort = (pod: Pod, svc: Service): boolean => {
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0 || !ports.some((p) => typeof p.targetPort === 'string' && !/^[0-9]+$/.test(p.targetPort))) return true;
  return ports.some((sp) => typeof sp.targetPort !== 'string' || /^[0-9]+$/.test(sp.targetPort)
    || (pod.spec?.containers ?? []).some((c) => (c.ports ?? []).some((cp) => cp.name === sp.targetPort && (cp.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'))));
};

/**
 * L11 — DNS: a per-pod record `<hostname>.<svc>.<ns>.svc.cluster.local` exists iff the headless Service
 * `<svc>` (the pod's subdomain) selects the pod, the pod has an IP, is not terminal or terminating and is
 * Ready (or the Service publishes not-ready addresses). Pods without that hostname get the dashed-IP
 * name under the same rule. The records are what `dnsRecords` derives from the Services and Endpoints
 * in the log; they lag the pods by one Endpoints sync, so they are judged at quiescent points, for the
 * services whose pods, Service or Endpoints changed since the last one.
 */
export const l11Checker: CheckerDef = {
  id: 'L11',
  title: 'DNS: a per-pod record exists iff its headless service selects the pod and it is Ready with an IP',
  kinds: ['Pod', 'Service', 'Endpoints'],
  inputs: false,
  create: (ctx) => {
    const store = ctx.world.store;
    const dirty = new Set<string>();
    /** namespace → names of its Services. */
    const services = new Map<string, Set<string>>();
    const last = new Map<string, string>();
    const judge = (ns: string, name: string, seq: number): void => {
      const svc = store.get('Service', ns, name);
      const base = `${name}.${ns}.svc.${CLUSTER_DOMAIN}`.toLowerCase();
      const actual = new Set<string>();
      if (svc !== undefined) {
        for (const r of dnsRecords(oneService(store, svc))) {
          if ((r.type === 'A' || r.type === 'AAAA') && r.name !== base && r.name.endsWith(`.${base}`)) actual.add(r.name);
        }
      }
      const sel = svc?.spec?.selector;
      const headless = svc?.spec?.clusterIP === 'None';
      const expected = new Map<string, string>();
      const excluded = new Map<string, string>();
      if (svc !== undefined && headless && sel !== undefined && Object.keys(sel).length > 0) {
        const publish = svc.spec?.publishNotReadyAddresses === true;
        for (const pod of store.list('Pod', ns)) {
          if (!selects(sel, pod.metadata?.labels)) continue;
          const hostnamed = !!pod.spec?.hostname && pod.spec.subdomain === name;
          const ip = pod.status?.podIP;
          const rec = hostnamed ? `${pod.spec!.hostname!}.${base}`.toLowerCase() : ip ? `${dashedIp(ip)}.${base}` : undefined;
          if (rec === undefined) continue;
          const why = exclusion(pod, publish) ?? (offersAPort(pod, svc) ? undefined : 'it offers none of the service ports');
          if (why === undefined) expected.set(rec, nameOf(pod)); else excluded.set(rec, `pod ${nameOf(pod)}: ${why}`);
        }
      }
      const problems: string[] = [];
      for (const [rec, pod] of expected) if (!actual.has(rec)) problems.push(`${rec} is missing although pod ${pod} is selected, Ready and has an IP`);
      for (const rec of actual) {
        if (expected.has(rec)) continue;
        const why = excluded.get(rec);
        problems.push(`${rec} exists although ${why ?? (svc === undefined || !headless ? `service ${name} is ${svc === undefined ? 'gone' : 'not headless'}` : 'no selected pod has that name')}`);
      }
      const key = `${ns}/${name}`;
      const text = problems.sort().join('; ');
      if (problems.length === 0) { last.delete(key); return; }
      if (last.get(key) === text) return;
      last.set(key, text);
      const ep = store.get('Endpoints', ns, name);
      ctx.report([seq, ...(ep ? [Number(ep.metadata?.resourceVersion ?? 0)] : [])], `DNS of service ${key} at the quiescent point after seq ${seq}${ep ? ` (Endpoints last written at seq ${String(ep.metadata?.resourceVersion)})` : ''}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
    };
    const markPod = (p: Pod | undefined): void => {
      if (p === undefined) return;
      const ns = nsOf(p);
      for (const name of services.get(ns) ?? []) {
        const sel = store.get('Service', ns, name)?.spec?.selector;
        if (sel !== undefined && selects(sel, p.metadata?.labels)) dirty.add(`${ns}/${name}`);
      }
    };
    return {
      id: 'L11',
      title: l11Checker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        const o = e.object!;
        const ns = nsOf(o);
        if (o.kind === 'Pod') {
          markPod(before as Pod | undefined);
          if (e.type !== 'DELETED') markPod(o as Pod);
          return;
        }
        dirty.add(`${ns}/${nameOf(o)}`);
        if (o.kind !== 'Service') return;
        let s = services.get(ns);
        if (!s) { s = new Set(); services.set(ns, s); }
        if (e.type === 'DELETED') s.delete(nameOf(o)); else s.add(nameOf(o));
      },
      quiet(seq: number): void {
        for (const key of dirty) {
          const i = key.indexOf('/');
          judge(key.slice(0, i), key.slice(i + 1), seq);
        }
        dirty.clear();
      },
      finish(): void { /* judged at quiet points */ },
    };
  },
};
