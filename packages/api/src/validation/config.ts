/**
 * ConfigMap, Secret and ServiceAccount validation (ValidateConfigMap, ValidateSecret, ValidateServiceAccount
 * and their updates, pkg/apis/core/validation). Keys are checked in sorted order (Go walks its maps in a
 * random one).
 */
import { forbidden, invalid, required, tooLong } from '../errors.js';
import { configMapSize, MAX_SECRET_SIZE, secretSize } from '../config.js';
import type { ConfigMap, Secret, ServiceAccount } from '../types.js';
import { semanticEqual, type Errs } from './fields.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { IMMUTABLE_MSG, maxLenError, regexError } from './strings.js';

const CONFIG_KEY_RE = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MSG = regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", '[-._a-zA-Z0-9]+', 'key.name', 'KEY_NAME', 'key-name');

/** validation.IsConfigMapKey: at most 253 characters, `[-._a-zA-Z0-9]+`, not `.` or `..` nor starting with `..`. */
export const isConfigMapKey = (key: string): string[] => {
  const errs: string[] = [];
  if (key.length > 253) errs.push(maxLenError(253));
  if (!CONFIG_KEY_RE.test(key)) errs.push(CONFIG_KEY_MSG);
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
};

const sortedKeys = (m: Readonly<Record<string, unknown>> | null | undefined): string[] => Object.keys(m ?? {}).sort();

const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

/** ValidateConfigMap: metadata, each key of data and binaryData, no key in both, at most 1 MiB (the path `[]`, the whole object). */
export const validateConfigMap = (c: ConfigMap): Errs => {
  const errs: Errs = [...validateObjectMeta(c.metadata, true, nameIsDNSSubdomain)];
  const binary = c.binaryData ?? {};
  for (const key of sortedKeys(c.data)) {
    for (const m of isConfigMapKey(key)) errs.push(invalid(`data[${key}]`, key, m));
    if (binary[key] !== undefined) errs.push(invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
  }
  for (const key of sortedKeys(binary)) for (const m of isConfigMapKey(key)) errs.push(invalid(`binaryData[${key}]`, key, m));
  if (configMapSize(c) > MAX_SECRET_SIZE) errs.push(tooLong('[]', MAX_SECRET_SIZE));
  return errs;
};

/** ValidateConfigMapUpdate: once `immutable` is true, it and the data stay as they are. */
export const validateConfigMapUpdate = (c: ConfigMap, old: ConfigMap): Errs => {
  const errs: Errs = [...validateObjectMetaUpdate(c.metadata, old.metadata)];
  if (old.immutable === true) {
    if (c.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE_WHEN_SET));
    if (!semanticEqual(c.data, old.data)) errs.push(forbidden('data', IMMUTABLE_WHEN_SET));
    if (!semanticEqual(c.binaryData, old.binaryData)) errs.push(forbidden('binaryData', IMMUTABLE_WHEN_SET));
  }
  return [...errs, ...validateConfigMap(c)];
};

/** The keys each built-in Secret type requires [ValidateSecret]. */
const requiredSecretKeys = (s: Secret): Errs => {
  const data = s.data ?? {};
  const has = (k: string): boolean => data[k] !== undefined && data[k] !== null;
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      return s.metadata?.annotations?.['kubernetes.io/service-account.name'] ? [] : [required('metadata.annotations[kubernetes.io/service-account.name]')];
    case 'kubernetes.io/dockercfg':
      return has('.dockercfg') ? [] : [required('data[.dockercfg]')];
    case 'kubernetes.io/dockerconfigjson':
      return has('.dockerconfigjson') ? [] : [required('data[.dockerconfigjson]')];
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [required('data[username]'), required('data[password]')];
    case 'kubernetes.io/ssh-auth':
      return String(data['ssh-privatekey'] ?? '') !== '' ? [] : [required('data[ssh-privatekey]')];
    case 'kubernetes.io/tls':
      return [...(has('tls.crt') ? [] : [required('data[tls.crt]')]), ...(has('tls.key') ? [] : [required('data[tls.key]')])];
    default:
      return [];
  }
};

/** ValidateSecret: metadata, each data key, at most 1 MiB of data, the keys of its type. */
export const validateSecret = (s: Secret): Errs => {
  const errs: Errs = [...validateObjectMeta(s.metadata, true, nameIsDNSSubdomain)];
  for (const key of sortedKeys(s.data)) for (const m of isConfigMapKey(key)) errs.push(invalid(`data[${key}]`, key, m));
  if (secretSize(s) > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  errs.push(...requiredSecretKeys(s));
  return errs;
};

/** ValidateSecretUpdate: the type is immutable; once `immutable` is true, it and the data stay as they are. */
export const validateSecretUpdate = (s: Secret, old: Secret): Errs => {
  const errs: Errs = [...validateObjectMetaUpdate(s.metadata, old.metadata)];
  if ((s.type ?? '') !== (old.type ?? '')) errs.push(invalid('type', s.type ?? '', IMMUTABLE_MSG));
  if (old.immutable === true) {
    if (s.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE_WHEN_SET));
    if (!semanticEqual(s.data, old.data)) errs.push(forbidden('data', IMMUTABLE_WHEN_SET));
  }
  return [...errs, ...validateSecret(s)];
};

/** ValidateServiceAccount: metadata only (the name a DNS subdomain). */
export const validateServiceAccount = (sa: ServiceAccount): Errs => validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain);

export const validateServiceAccountUpdate = (sa: ServiceAccount, old: ServiceAccount): Errs =>
  [...validateObjectMetaUpdate(sa.metadata, old.metadata), ...validateServiceAccount(sa)];
