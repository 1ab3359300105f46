/** networking.k8s.io/v1 IPAddress [ValidateIPAddress, validateIPAddressParentReference, ValidateIPAddressUpdate]. */
import { isIP } from 'node:net';
import { invalid, required } from '../errors.js';
import type { IPAddress } from '../types.js';
import { immutableJson, type Errs } from './fields.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

/** IsValidPathSegmentName: what may name a resource, a namespace or an object in a URL path. */
const pathSegmentErrors = (name: string): string[] => {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const out: string[] = [];
  if (name.includes('/')) out.push("may not contain '/'");
  if (name.includes('%')) out.push("may not contain '%'");
  return out;
};

/** ValidateIPAddressName: the name is the address (IsValidIP); no generateName. */
const ipAddressName = (name: string): string[] => (isIP(name) === 0 ? ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] : []);

export const validateIPAddress = (ip: IPAddress): Errs => {
  const errs = validateObjectMeta(ip.metadata, false, ipAddressName);
  const ref = ip.spec?.parentRef;
  if (!ref) return [...errs, required('spec.parentRef')];
  // The core group (Services) is the empty value, so a group is only checked when given.
  if (ref.group) for (const m of nameIsDNSSubdomain(ref.group, false)) errs.push(invalid('spec.parentRef.group', ref.group, m));
  for (const [field, value, needed] of [['resource', ref.resource, true], ['name', ref.name, true], ['namespace', ref.namespace, false]] as const) {
    if (!value) { if (needed) errs.push(required(`spec.parentRef.${field}`)); continue; }
    for (const m of pathSegmentErrors(value)) errs.push(invalid(`spec.parentRef.${field}`, value, m));
  }
  return errs;
};

export const validateIPAddressUpdate = (ip: IPAddress, old: IPAddress): Errs => [
  ...validateObjectMetaUpdate(ip.metadata, old.metadata),
  ...immutableJson(ip.spec?.parentRef, old.spec?.parentRef, 'spec.parentRef'),
];
