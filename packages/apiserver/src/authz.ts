import type { ApiRequest, Kind, KObject, Pod } from '@kubesim/api';
import { requestKind, requestResourceVerb, KINDS } from '@kubesim/api';

/**
 * Which component may write what: kubesim's RBAC. Each rule is `verb resource[/subresource]`
 * (`*` wildcards). Users (actor `user`) may do anything; the runtime's bootstrap actor too.
 */
export const PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'statefulset-controller': [
    'create pods', 'update pods', 'patch pods', 'delete pods',
    // get+create, plus update+delete with StatefulSetAutoDeletePVC (GA 1.32) [controller_policy.go]
    'create persistentvolumeclaims', 'update persistentvolumeclaims', 'patch persistentvolumeclaims', 'delete persistentvolumeclaims',
    '* controllerrevisions', 'update statefulsets/status', 'patch statefulsets', 'update statefulsets',
    'create events', 'update events', 'patch events',
  ],
  'replicaset-controller': [
    'create pods', 'delete pods', 'patch pods', 'update pods', 'update replicasets/status', 'patch replicasets',
    'create events', 'update events', 'patch events',
  ],
  scheduler: [
    'create pods/binding', 'update pods/status', 'patch pods/status', 'update persistentvolumeclaims', 'patch persistentvolumeclaims',
    'update persistentvolumes', 'create events', 'update events', 'patch events',
  ],
  'volume-binder': [
    'create persistentvolumes', 'update persistentvolumes', 'update persistentvolumes/status', 'delete persistentvolumes',
    'patch persistentvolumes', 'update persistentvolumeclaims', 'update persistentvolumeclaims/status', 'patch persistentvolumeclaims',
    'create events', 'update events', 'patch events',
  ],
  kubelet: ['update pods/status', 'patch pods/status', 'delete pods', 'update nodes/status', 'patch nodes/status', 'update nodes', 'update persistentvolumeclaims/status', 'create events', 'update events', 'patch events'],
  'endpoints-controller': ['create endpoints', 'update endpoints', 'delete endpoints', 'create events', 'update events', 'patch events'],
  // system:controller:endpointslice-controller [controller_policy.go]
  'endpointslice-controller': ['create endpointslices', 'update endpointslices', 'delete endpointslices', 'create events', 'update events', 'patch events'],
  'garbage-collector': ['delete *', 'patch *', 'update *'],
  // system:controller:node-controller (node-lifecycle + taint-eviction) [controller_policy.go]
  'node-lifecycle-controller': [
    'update nodes', 'delete nodes', 'patch nodes', 'patch nodes/status', 'update nodes/status',
    'patch pods/status', 'update pods/status', 'delete pods',
    'create events', 'update events', 'patch events',
  ],
  // system:controller:resourcequota-controller [controller_policy.go]
  'resourcequota-controller': ['update resourcequotas/status', 'create events', 'update events', 'patch events'],
  // system:controller:disruption-controller [controller_policy.go]
  'disruption-controller': ['update poddisruptionbudgets/status', 'patch pods/status', 'update pods/status', 'create events', 'update events', 'patch events'],
  // system:controller:service-account-controller and system:controller:root-ca-cert-publisher [controller_policy.go]
  'serviceaccount-controller': ['create serviceaccounts', 'create configmaps', 'update configmaps', 'create events', 'update events', 'patch events'],
  // system:controller:namespace-controller [controller_policy.go]: delete anything, finalize and status of namespaces
  'namespace-controller': ['delete *', 'update namespaces/finalize', 'update namespaces/status'],
  // system:controller:pod-garbage-collector [controller_policy.go]: no events rule
  'pod-garbage-collector': ['delete pods', 'patch pods/status'],
};

const UNRESTRICTED = new Set(['user', 'system:bootstrap', 'system:apiserver']);

/** The RBAC role of an actor (`kubelet:node-a` → `kubelet`). */
export const roleOf = (actor: string): string => {
  const i = actor.indexOf(':');
  return i < 0 ? actor : actor.slice(0, i);
};

const ruleMatches = (rule: string, verb: string, resource: string): boolean => {
  const [rv, rr] = rule.split(' ') as [string, string];
  return (rv === '*' || rv === verb) && (rr === '*' || rr === resource);
};

/** Verdicts of the rule table by role, verb and resource, computed on first use (the table is constant). */
const verdicts = new Map<string, Map<string, Map<string, boolean>>>();
const allowedByRules = (role: string, verb: string, resource: string): boolean => {
  let byVerb = verdicts.get(role);
  if (!byVerb) { byVerb = new Map(); verdicts.set(role, byVerb); }
  let byResource = byVerb.get(verb);
  if (!byResource) { byResource = new Map(); byVerb.set(verb, byResource); }
  let ok = byResource.get(resource);
  if (ok === undefined) {
    ok = (PERMISSIONS[role] ?? []).some((r) => ruleMatches(r, verb, resource));
    byResource.set(resource, ok);
  }
  return ok;
};

/**
 * Returns undefined when allowed, else the reason. `current` is the stored object (NodeRestriction
 * needs the pod's node).
 */
export const authorize = (actor: string, req: ApiRequest, current: KObject | undefined): string | undefined => {
  if (UNRESTRICTED.has(actor)) return undefined;
  const role = roleOf(actor);
  const kind = requestKind(req) as Kind;
  const { verb, subresource } = requestResourceVerb(req);
  const plural = KINDS[kind].plural;
  const resource = subresource ? `${plural}/${subresource}` : plural;
  if (!allowedByRules(role, verb, resource)) {
    // A namespaced object sent without a namespace goes to the request's namespace: `default`.
    const ns = KINDS[kind].namespaced ? ((req.verb === 'create' || req.verb === 'update' ? req.object.metadata?.namespace : req.namespace) || 'default') : undefined;
    const where = ns ? ` in the namespace "${ns}"` : ' at the cluster scope';
    return `User "system:${actor}" cannot ${verb} resource "${resource}" in API group "${KINDS[kind].group}"${where}`;
  }
  // NodeRestriction: a kubelet may only touch its own node and the pods bound to it.
  if (role === 'kubelet') {
    const node = actor.slice(actor.indexOf(':') + 1);
    if (kind === 'Pod' && current !== undefined) { // a missing pod answers NotFound, as Kubernetes does
      const bound = (current as Pod | undefined)?.spec?.nodeName;
      if (bound !== node) return `node "${node}" can only update pods bound to it (pod is on ${bound ? `"${bound}"` : 'no node'})`;
    }
    if (kind === 'Node') {
      const name = req.verb === 'update' ? req.object.metadata?.name : req.verb === 'create' ? req.object.metadata?.name : req.name;
      if (name !== node) return `node "${node}" is not allowed to modify node "${name ?? ''}"`;
    }
  }
  return undefined;
};
