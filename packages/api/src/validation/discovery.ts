/** EndpointSlice validation (pkg/apis/discovery/validation: ValidateEndpointSliceCreate / Update). */
import { isIPv4, isIPv6 } from 'node:net';
import { duplicate, invalid, required, tooMany, unsupported } from '../errors.js';
import type { EndpointSlice } from '../types.js';
import { dns1123Label, immutable, type Errs } from './fields.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Subdomain, isQualifiedName } from './strings.js';

const SUPPORTED_ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'] as const;
const SUPPORTED_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;

/** IsValidIPv4Address / IsValidIPv6Address, then ValidateNonSpecialIP (no unspecified, loopback or link-local address). */
const validateAddress = (addr: string, type: string, path: string): Errs => {
  if (type === 'IPv4' || type === 'IPv6') {
    const ok = type === 'IPv4' ? isIPv4(addr) : isIPv6(addr);
    if (!ok) return [invalid(path, addr, `must be a valid ${type} address`)];
    if (addr === '0.0.0.0' || addr === '::') return [invalid(path, addr, `may not be unspecified (${addr})`)];
    if (type === 'IPv4' && addr.startsWith('127.')) return [invalid(path, addr, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
    if (type === 'IPv6' && addr === '::1') return [invalid(path, addr, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
    if (type === 'IPv4' && addr.startsWith('169.254.')) return [invalid(path, addr, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
    return [];
  }
  if (type === 'FQDN') {
    if (!addr.includes('.')) return [invalid(path, addr, 'should be a domain with at least two segments separated by dots')];
    return isDNS1123Subdomain(addr).map((m) => invalid(path, addr, m));
  }
  return [];
};

const validateEndpoints = (s: EndpointSlice): Errs => {
  const eps = s.endpoints ?? [];
  if (eps.length > MAX_ENDPOINTS) return [tooMany('endpoints', eps.length, MAX_ENDPOINTS)];
  const errs: Errs = [];
  eps.forEach((ep, i) => {
    const path = `endpoints[${i}]`;
    const addrs = ep.addresses ?? [];
    if (addrs.length === 0) errs.push(required(`${path}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > MAX_ADDRESSES) errs.push(tooMany(`${path}.addresses`, addrs.length, MAX_ADDRESSES));
    addrs.forEach((a, j) => errs.push(...validateAddress(a, s.addressType, `${path}.addresses[${j}]`)));
    if (ep.hostname !== undefined) errs.push(...dns1123Label(ep.hostname, `${path}.hostname`));
  });
  return errs;
};

const validatePorts = (s: EndpointSlice): Errs => {
  const ports = s.ports ?? [];
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)];
  const errs: Errs = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = `ports[${i}]`;
    const name = p.name ?? '';
    if (name.length > 0) errs.push(...dns1123Label(name, `${path}.name`));
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name)); else names.add(name);
    if (p.protocol === undefined) errs.push(required(`${path}.protocol`));
    else if (!(SUPPORTED_PROTOCOLS as readonly string[]).includes(p.protocol)) errs.push(unsupported(`${path}.protocol`, p.protocol, SUPPORTED_PROTOCOLS));
    if (p.appProtocol !== undefined) for (const m of isQualifiedName(p.appProtocol)) errs.push(invalid(`${path}.appProtocol`, p.appProtocol, m));
  });
  return errs;
};

const validateAddressType = (t: string | undefined, supported: readonly string[]): Errs => {
  if (!t) return [required('addressType')];
  return supported.includes(t) ? [] : [unsupported('addressType', t, supported)];
};

/** ValidateEndpointSliceCreate: metadata, addressType (IPv4, IPv6 or FQDN), endpoints and their addresses, ports. */
export const validateEndpointSlice = (s: EndpointSlice): Errs => [
  ...validateObjectMeta(s.metadata, true, nameIsDNSSubdomain),
  ...validateAddressType(s.addressType, SUPPORTED_ADDRESS_TYPES),
  ...validateEndpoints(s),
  ...validatePorts(s),
];

/** ValidateEndpointSliceUpdate: as on create (the deprecated `IP` type also accepted), and addressType is immutable. */
export const validateEndpointSliceUpdate = (s: EndpointSlice, old: EndpointSlice): Errs => [
  ...validateObjectMetaUpdate(s.metadata, old.metadata),
  ...validateAddressType(s.addressType, ['FQDN', 'IP', 'IPv4', 'IPv6']),
  ...validateEndpoints(s),
  ...validatePorts(s),
  ...immutable(s.addressType, old.addressType, 'addressType'),
];
