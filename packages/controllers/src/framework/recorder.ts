import { timestamp, type Event } from '@kubesim/api';
import type { EventSpec } from './plan.js';

/**
 * The Event object an EventRecorder writes. Names follow the recorder: `<object>.<hex time>` (here the
 * virtual time in nanoseconds plus a per-source counter, so names are unique and deterministic).
 */
/**
 * The event source Kubernetes' component records under (`kubectl describe`'s "From"), where kubesim's
 * component name differs; the taint-eviction controller (1.29+) records its evictions under its own name.
 */
const EVENT_SOURCE: Readonly<Record<string, string>> = {
  scheduler: 'default-scheduler',
  'volume-binder': 'persistentvolume-controller',
  'endpoints-controller': 'endpoint-controller',
  'endpointslice-controller': 'endpoint-slice-controller',
  'garbage-collector': 'garbage-collector-controller',
  'node-lifecycle-controller': 'node-controller',
};
export const eventSourceOf = (component: string, reason: string): string =>
  (reason === 'TaintManagerEviction' ? 'taint-eviction-controller' : EVENT_SOURCE[component] ?? component);

export const buildEvent = (spec: EventSpec, source: string, now: number, counter: number): Event => {
  // Exact in a double below 2^53 ns (104 days of virtual time); BigInt beyond.
  const ns = Math.round(now * 1e6);
  const nanos = ns + counter < Number.MAX_SAFE_INTEGER ? (ns + counter).toString(16) : (BigInt(ns) + BigInt(counter)).toString(16);
  const ts = timestamp(now);
  const inv = spec.involved;
  const involvedObject: Mutable<Event['involvedObject']> = { apiVersion: inv.apiVersion, kind: inv.kind, name: inv.name };
  if (inv.namespace) involvedObject.namespace = inv.namespace;
  if (inv.uid) involvedObject.uid = inv.uid;
  if (inv.fieldPath) involvedObject.fieldPath = inv.fieldPath;
  const colon = spec.source !== undefined ? -1 : source.indexOf(':');
  const component = spec.source ?? eventSourceOf(colon < 0 ? source : source.slice(0, colon), spec.reason);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${inv.name}.${nanos.padStart(16, '0')}`, namespace: inv.namespace ?? 'default' },
    involvedObject,
    reason: spec.reason,
    message: spec.message,
    type: spec.type,
    // `a:b:c`.split(':')[1] is `b`.
    source: colon < 0 ? { component } : { component, host: source.split(':')[1]! },
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
    reportingComponent: component,
  };
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const involvedOf = (o: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string; uid?: string } }): EventSpec['involved'] => ({
  apiVersion: o.apiVersion ?? '', kind: o.kind ?? '', name: o.metadata?.name ?? '',
  ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
  ...(o.metadata?.uid ? { uid: o.metadata.uid } : {}),
});
