/** Service validation (core ValidateService, the subset kubesim models). */
import { duplicate, invalid, required, unsupported } from '../errors.js';
import type { Service } from '../types.js';
import type { ServiceSpec } from 'kubernetes-types/core/v1.js';
import { dns1123Label, validateLabels, type Errs } from './fields.js';
import { nameIsDNS1035Label, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { PORT_PROTOCOLS } from './pod.js';
import { isValidPortName, isValidPortNum } from './strings.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const SESSION_AFFINITIES = ['ClientIP', 'None'] as const;

/** ValidatePortNumOrName (targetPort). */
const portNumOrName = (port: number | string, path: string): Errs =>
  typeof port === 'number'
    ? isValidPortNum(port).map((m) => invalid(path, port, m))
    : isValidPortName(port).map((m) => invalid(path, port, m));

/** ValidateService. `clusterIP` is not checked beyond what kubesim needs ("None", "" or an address). */
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
  return errs;
};

/** ValidateServiceUpdate (metadata rules, then the create rules). */
export const validateServiceUpdate = (svc: Service, old: Service): Errs =>
  [...validateObjectMetaUpdate(svc.metadata, old.metadata), ...validateService(svc)];
