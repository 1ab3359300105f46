import { inboxPrefixOf, type Subjects } from './subjects.js';

/** One NATS user of a kubesim cluster and what it may publish and subscribe to. */
export interface NatsUser {
  readonly user: string;
  readonly password: string;
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
  /**
   * nats-server's `allow_responses` (answer only the requests received). kubesim does not use it: the
   * server tracks one reply permission per delivered message with a reply subject — every JetStream
   * message the API server's watch receives — and prunes that map on each delivery (O(n) per message in
   * 2.9). The API server and the supervisor are granted the reply inboxes instead.
   */
  readonly allowResponses?: boolean;
}

/** Every user's reply inbox (`_INBOX.<user>.…`): what the API server and the supervisor answer on. */
export const REPLY_INBOXES = '_INBOX.>';

/** The JetStream API calls needed to follow the log: stream info, ordered consumers, message fetch. */
export const readerGrants = (s: Subjects): string[] => [
  '$JS.API.INFO',
  `$JS.API.STREAM.INFO.${s.stream}`,
  `$JS.API.STREAM.MSG.GET.${s.stream}`,
  `$JS.API.DIRECT.GET.${s.stream}`,
  `$JS.API.DIRECT.GET.${s.stream}.>`,
  `$JS.API.CONSUMER.CREATE.${s.stream}`,
  `$JS.API.CONSUMER.CREATE.${s.stream}.>`,
  `$JS.API.CONSUMER.INFO.${s.stream}.*`,
  `$JS.API.CONSUMER.DELETE.${s.stream}.*`,
  `$JS.API.CONSUMER.MSG.NEXT.${s.stream}.*`,
];

export type Role =
  | { readonly kind: 'apiserver' }
  | { readonly kind: 'component'; readonly name: string }
  /** A kubelet process for some nodes: `nodes` undefined = any node (one process hosting them all). */
  | { readonly kind: 'kubelet'; readonly nodes?: readonly string[] }
  /** The CLI user: user requests, reads the log, asks the supervisor to kill/restart. */
  | { readonly kind: 'user' }
  /** `kubesim up`: creates the stream, records component lifecycle and chaos (system:runtime/system:chaos). */
  | { readonly kind: 'admin' };

/** The NATS user name of a role. */
export const userNameOf = (r: Role): string => {
  switch (r.kind) {
    case 'apiserver': return 'apiserver';
    case 'component': return r.name;
    case 'kubelet': return r.nodes && r.nodes.length === 1 ? `kubelet-${r.nodes[0]!}` : 'kubelet';
    case 'user': return 'user';
    case 'admin': return 'admin';
  }
};

/**
 * The permissions table (docs/distributed.md): only the API server publishes to the log; a component
 * reads the log and publishes only its own requests (a kubelet only for its nodes); nobody but the
 * admin may touch the stream's configuration.
 */
export const grantsOf = (s: Subjects, r: Role): { publish: string[]; subscribe: string[]; allowResponses: boolean } => {
  const user = userNameOf(r);
  const inbox = `${inboxPrefixOf(user)}.>`;
  switch (r.kind) {
    case 'apiserver':
      return { publish: [s.log, s.status('apiserver'), REPLY_INBOXES, ...readerGrants(s)], subscribe: [s.apiAll, inbox], allowResponses: false };
    case 'component':
      return { publish: [s.api(r.name), s.status(r.name), ...readerGrants(s)], subscribe: [inbox], allowResponses: false };
    case 'kubelet': {
      const apis = r.nodes ? r.nodes.map((n) => s.api(`kubelet:${n}`)) : [`ksim.${s.cluster}.api.kubelet.*`];
      return { publish: [...apis, s.status(user), ...readerGrants(s)], subscribe: [inbox], allowResponses: false };
    }
    case 'user':
      return { publish: [s.api('user'), s.ctlAll, ...readerGrants(s)], subscribe: [inbox, s.statusAll], allowResponses: false };
    case 'admin':
      return {
        publish: ['$JS.API.>', `ksim.${s.cluster}.api.system.*`, s.status('supervisor'), REPLY_INBOXES],
        subscribe: [inbox, s.ctlAll, s.statusAll, '$JS.EVENT.>'],
        allowResponses: false,
      };
  }
};

export const natsUser = (s: Subjects, r: Role, password: string): NatsUser => {
  const g = grantsOf(s, r);
  return { user: userNameOf(r), password, publish: g.publish, subscribe: g.subscribe, ...(g.allowResponses ? { allowResponses: true } : {}) };
};

/** The nats-server `authorization { users = [...] }` block for these users. */
export const authorizationBlock = (users: readonly NatsUser[]): string => {
  const list = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  const rows = users.map((u) => `    { user: ${JSON.stringify(u.user)}, password: ${JSON.stringify(u.password)}, permissions: {\n`
    + `        publish: { allow: ${list(u.publish)} }\n`
    + `        subscribe: { allow: ${list(u.subscribe)} }\n`
    + (u.allowResponses ? '        allow_responses: true\n' : '')
    + '    } }');
  return `authorization {\n  users: [\n${rows.join(',\n')}\n  ]\n}\n`;
};

