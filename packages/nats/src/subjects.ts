import { isNamespaced, type Kind } from '@kubesim/api';
import type { EntryType } from '@kubesim/log';

/**
 * Every NATS name kubesim uses, built by one helper each (house rule 7). One cluster id scopes them all,
 * so several simulated clusters can share a NATS server.
 *
 *   ksim.<cluster>.log.obj.<Kind>.<namespace|_>.<name>   the log: one subject per object (compare-and-set)
 *   ksim.<cluster>.log.in.<TYPE>                          the log: COMMAND / FAULT / COMPONENT entries
 *   ksim.<cluster>.log.in.bootstrap                       the cluster's first entry (written once)
 *   ksim.<cluster>.api.<actor>                            requests to the API server (actor `kubelet:n1` → `kubelet.n1`)
 *   ksim.<cluster>.ctl.<verb>                             requests to the supervisor of `kubesim up` (kill, restart, status)
 *   ksim.<cluster>.status.<component>                     lifecycle state a process announces
 *   _INBOX.<user>.>                                        each user's reply inbox
 */
export const CLUSTER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,30}$/;

/** A NATS subject token for a Kubernetes name: `.` (legal in names, a separator in subjects) becomes `~`. */
export const token = (s: string): string => {
  if (s === '') return '_';
  if (!/^[A-Za-z0-9._:-]+$/.test(s)) throw new Error(`cannot map "${s}" to a NATS subject token`);
  return s.replace(/\./g, '~');
};
export const untoken = (t: string): string => (t === '_' ? '' : t.replace(/~/g, '.'));

export interface Subjects {
  readonly cluster: string;
  /** The JetStream stream holding the log. */
  readonly stream: string;
  /** Every log subject (the stream's subject filter). */
  readonly log: string;
  readonly objects: string;
  readonly inputs: string;
  readonly bootstrap: string;
  object(kind: string, namespace: string, name: string): string;
  /** Filter of one kind's objects (one watch per kind, as Kubernetes' informers). */
  kind(kind: string): string;
  input(type: Exclude<EntryType, 'ADDED' | 'MODIFIED' | 'DELETED'>): string;
  /** Requests of one actor; `apiAll` is what the API servers subscribe to. */
  api(actor: string): string;
  readonly apiAll: string;
  ctl(verb: string): string;
  readonly ctlAll: string;
  status(component: string): string;
  readonly statusAll: string;
}

export const subjectsFor = (cluster: string): Subjects => {
  if (!CLUSTER_ID_PATTERN.test(cluster)) throw new Error(`cluster id "${cluster}" must match ${String(CLUSTER_ID_PATTERN)}`);
  const p = `ksim.${cluster}`;
  return {
    cluster,
    stream: `KUBESIM_${cluster.replace(/-/g, '_')}`,
    log: `${p}.log.>`,
    objects: `${p}.log.obj.>`,
    inputs: `${p}.log.in.>`,
    bootstrap: `${p}.log.in.bootstrap`,
    object: (kind, namespace, name) => `${p}.log.obj.${token(kind)}.${token(isNamespaced(kind as Kind) ? namespace : '')}.${token(name)}`,
    kind: (kind) => `${p}.log.obj.${token(kind)}.>`,
    input: (type) => `${p}.log.in.${type}`,
    api: (actor) => `${p}.api.${actor.split(':').map(token).join('.')}`,
    apiAll: `${p}.api.>`,
    ctl: (verb) => `${p}.ctl.${token(verb)}`,
    ctlAll: `${p}.ctl.>`,
    status: (component) => `${p}.status.${token(component)}`,
    statusAll: `${p}.status.>`,
  };
};

/** The actor a request subject stands for (the API server trusts it: NATS permissions decide who may publish there). */
export const actorOfApiSubject = (s: Subjects, subject: string): string | undefined => {
  const prefix = `ksim.${s.cluster}.api.`;
  if (!subject.startsWith(prefix)) return undefined;
  const parts = subject.slice(prefix.length).split('.').map(untoken);
  return parts.length === 0 || parts.length > 2 ? undefined : parts.join(':');
};

/** Each user's private reply inbox prefix (`connect({ inboxPrefix })`). */
export const inboxPrefixOf = (user: string): string => `_INBOX.${token(user)}`;
