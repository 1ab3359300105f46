/** Service validation (core ValidateService, the subset kubesim models). */
import { duplicate, invalid, required, unsupported } from '../errors.js';
import { serviceClusterIps } from '../kubernetesservice.js';
import type { Service } from '../types.js';
import { isIP } from 'node:net';
import type { ServiceSpec } from 'kubernetes-types/core/v1.js';
import { dns1123Label, portNumOrName, validateLabels, type Errs } from './fields.js';
import { nameIsDNS1035Label, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { PORT_PROTOCOLS } from './pod.js';
import { isValidPortNum } from './strings.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const SESSION_AFFINITIES = ['ClientIP', 'None'] as const;

/**
 * [ValidateServiceClusterIPsRelatedFields] each cluster IP an address, `None` only first and alone, at most
 * two (one per family; this cluster has one).
 */
const validateClusterIps = (s: ServiceSpec): Errs => {
  if (s.type === 'ExternalName') return [];
  const ips = serviceClusterIps(s);
  const errs: Errs = [];
  if (s.clusterIP && s.clusterIPs?.length && s.clusterIPs[0] !== s.clusterIP) {
    errs.push(invalid('spec.clusterIPs', s.clusterIPs, 'first value must match `clusterIP`'));
  }
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) errs.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      return;
    }
    if (isIP(ip) === 0) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  if (ips.length > 2) errs.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  return errs;
};

/** ValidateService (the subset kubesim models). */
export const validateService = (svc: Service): Errs => {
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  const s: ServiceSpec = svc.spec ?? {};
  const headless = s.clusterIP === 'None';
  const ports = s.ports ?? [];
  if (ports.length === 0 && !headless && s.type !== 'ExternalName') errs.push(required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((sp, i) => {
    const p = `spec.ports[${i}]`;
    if (ports.length > 1 && !sp.name) {
      errs.push(required(`${p}.name`));
    } else if (sp.name) {
      errs.push(...dns1123Label(sp.name, `${p}.name`));
      if (names.has(sp.name)) errs.push(duplicate(`${p}.name`, sp.name));
      else names.add(sp.name);
    }
    const port = sp.port ?? 0;
    for (const m of isValidPortNum(port)) errs.push(invalid(`${p}.port`, port, m));
    if (!sp.protocol) errs.push(required(`${p}.protocol`));
    else if (!(PORT_PROTOCOLS as readonly string[]).includes(sp.protocol)) errs.push(unsupported(`${p}.protocol`, sp.protocol, PORT_PROTOCOLS));
    if (sp.targetPort !== undefined && sp.targetPort !== null) errs.push(...portNumOrName(sp.targetPort, `${p}.targetPort`));
  });
  if (s.selector) errs.push(...validateLabels(s.selector, 'spec.selector'));
  if (!s.sessionAffinity) errs.push(required('spec.sessionAffinity'));
  else if (!(SESSION_AFFINITIES as readonly string[]).includes(s.sessionAffinity)) {
    errs.push(unsupported('spec.sessionAffinity', s.sessionAffinity, SESSION_AFFINITIES));
  }
  if (!s.type) errs.push(required('spec.type'));
  else if (!(SERVICE_TYPES as readonly string[]).includes(s.type)) errs.push(unsupported('spec.type', s.type, SERVICE_TYPES));
  errs.push(...validateClusterIps(s));
  return errs;
};

/**
 * [validateUpgradeDowngradeClusterIPs, single stack] a Service keeps its cluster IP: changing it (or unsetting
 * it) is refused — except from, to or as an ExternalName Service, or headless to headless.
 */
const validateClusterIpsUpdate = (svc: Service, old: Service): Errs => {
  const n = svc.spec ?? {}, o = old.spec ?? {};
  if (n.type === 'ExternalName' || o.type === 'ExternalName') return [];
  const next = serviceClusterIps(n), prev = serviceClusterIps(o);
  if (prev.length === 1 && prev[0] === 'None' && next.length === 1 && next[0] === 'None') return [];
  if (next.length === 0 && prev.length > 0) return [invalid('spec.clusterIPs[0]', next, 'primary clusterIP can not be unset')];
  const errs: Errs = [];
  prev.forEach((ip, i) => { if (i < next.length && next[i] !== ip) errs.push(invalid(`spec.clusterIPs[${i}]`, next, 'may not change once set')); });
  return errs;
};

/** ValidateServiceUpdate (metadata rules, the cluster IPs kept, then the create rules). */
export const validateServiceUpdate = (svc: Service, old: Service): Errs =>
  [...validateObjectMetaUpdate(svc.metadata, old.metadata), ...validateClusterIpsUpdate(svc, old), ...validateService(svc)];
