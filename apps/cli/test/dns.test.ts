import { describe, expect, it } from 'vitest';
import type { DnsRecord } from '@kubesim/controllers';
import { lookup, recordLine, searchNames } from '../src/commands/dns.js';

describe('kubesim dns: a pod\'s resolver (dnsPolicy ClusterFirst: search <ns>.svc.<zone> svc.<zone> <zone>, ndots:5)', () => {
  it('tries a short name with each search domain first, one with five dots or more as it is first, a rooted one only as it is', () => {
    expect(searchNames('web-0.nginx', 'team')).toEqual(['web-0.nginx.team.svc.cluster.local', 'web-0.nginx.svc.cluster.local', 'web-0.nginx.cluster.local', 'web-0.nginx']);
    expect(searchNames('a.b.c.d.e.f', 'default')[0]).toBe('a.b.c.d.e.f');
    expect(searchNames('web-0.nginx.default.svc.cluster.local.', 'default')).toEqual(['web-0.nginx.default.svc.cluster.local']);
  });

  it('answers with the first name tried that has records of the type (a CNAME answers an address query)', () => {
    const records: DnsRecord[] = [
      { type: 'A', name: 'web.default.svc.cluster.local', value: '10.96.0.7' },
      { type: 'CNAME', name: 'db.default.svc.cluster.local', value: 'db.example.com.' },
      { type: 'SRV', name: '_http._tcp.web.default.svc.cluster.local', value: 'web.default.svc.cluster.local.', priority: 0, weight: 100, port: 80 },
    ];
    expect(lookup(records, 'web', 'A', 'default').answers).toEqual([records[0]]);
    expect(lookup(records, 'db', 'A', 'default').answers).toEqual([records[1]]);
    expect(lookup(records, 'web', 'SRV', 'default')).toEqual({ answers: [], tried: searchNames('web', 'default') });
    expect(recordLine(records[2]!)).toBe('_http._tcp.web.default.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 web.default.svc.cluster.local.');
  });
});
