import { CLUSTER_DOMAIN, kubectlMessage } from '@kubesim/api';
import { dnsRecords, resolve, type DnsRecord, type DnsRecordType } from '@kubesim/controllers';
import { foldLog, ObjectStore, type Snapshot } from '@kubesim/state';
import { withSession, type ContextOptions } from '../distributed/context.js';
import { readLogAt } from './get.js';

/** The TTL CoreDNS's kubernetes plugin gives its answers (`ttl`, default 5 s). */
export const DNS_TTL_SECONDS = 5;

const TYPES: readonly (DnsRecordType | 'ANY')[] = ['A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'ANY'];

/**
 * The names a pod's resolver tries for `name` under dnsPolicy ClusterFirst (the kubelet's resolv.conf:
 * `search <ns>.svc.<zone> svc.<zone> <zone>`, `options ndots:5`): a name ending in `.` as it is; one with
 * five dots or more as it is, then with each search domain; a shorter one with each search domain first.
 */
export const searchNames = (name: string, namespace: string, zone = CLUSTER_DOMAIN): string[] => {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const searched = [`${namespace}.svc.${zone}`, `svc.${zone}`, zone].map((d) => `${name}.${d}`);
  return (name.match(/\./g) ?? []).length >= 5 ? [name, ...searched] : [...searched, name];
};

/** The records of the first name tried that has any of `type` (for A/AAAA, a CNAME answers too), and the names tried. */
export const lookup = (records: readonly DnsRecord[], name: string, type: DnsRecordType | 'ANY', namespace: string): { answers: DnsRecord[]; tried: string[] } => {
  const tried: string[] = [];
  for (const n of searchNames(name, namespace)) {
    tried.push(n);
    const all = resolve(records, n);
    const answers = type === 'ANY' ? all : all.filter((r) => r.type === type || ((type === 'A' || type === 'AAAA') && r.type === 'CNAME'));
    if (answers.length > 0) return { answers, tried };
  }
  return { answers: [], tried };
};

/** A record as a zone file line (RFC 1035 master file form): `name. TTL IN TYPE data`, SRV data as `priority weight port target`. */
export const recordLine = (r: DnsRecord): string =>
  `${r.name}.\t${DNS_TTL_SECONDS}\tIN\t${r.type}\t${r.type === 'SRV' ? `${r.priority ?? 0} ${r.weight ?? 0} ${r.port ?? 0} ${r.value}` : r.value}`;

export interface DnsOptions extends ContextOptions {
  readonly namespace?: string;
  readonly log?: string;
  readonly at?: string;
}

/** Answer a query from the cluster's Services and EndpointSlices (as CoreDNS serves them); exit status 1 for NXDOMAIN. */
const answer = (snap: Snapshot, name: string, typeArg: string | undefined, namespace: string): number => {
  const type = (typeArg ?? 'A').toUpperCase() as DnsRecordType | 'ANY';
  if (!TYPES.includes(type)) { process.stderr.write(`error: record type "${typeArg ?? ''}" is not one of ${TYPES.join(', ')}\n`); return 2; }
  const { answers, tried } = lookup(dnsRecords(snap), name, type, namespace);
  if (answers.length === 0) {
    process.stderr.write(`NXDOMAIN: no ${type === 'ANY' ? '' : `${type} `}record for ${name} (tried ${tried.join(', ')})\n`);
    return 1;
  }
  process.stdout.write(answers.map((r) => `${recordLine(r)}\n`).join(''));
  return 0;
};

/**
 * `kubesim dns NAME [TYPE] [-n NS]`: what cluster DNS answers a pod in namespace NS that looks NAME up — on
 * the running cluster, or at a position of a recorded log (`--log FILE [--at POS]`, default its end).
 */
export const dnsCommand = async (name: string, typeArg: string | undefined, o: DnsOptions): Promise<number> => {
  const namespace = o.namespace ?? 'default';
  if (o.log !== undefined) {
    const pos = readLogAt(o.log, o.at);
    if (typeof pos === 'number') return pos;
    return answer(foldLog(pos.entries, pos.at), name, typeArg, namespace);
  }
  if (o.at !== undefined) { process.stderr.write('error: --at needs --log FILE (a running cluster is only at its present)\n'); return 2; }
  return withSession(o, async (s) => {
    const store = new ObjectStore();
    for (const kind of ['Service', 'EndpointSlice'] as const) {
      const r = await s.api.list(kind);
      if (!r.ok) { process.stderr.write(`${kubectlMessage(r.error)}\n`); return 1; }
      for (const obj of r.objects) store.put(obj);
    }
    return answer(store, name, typeArg, namespace);
  });
};
