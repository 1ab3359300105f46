import { timestamp, type Event } from '@kubesim/api';
import type { EventSpec } from './plan.js';

/**
 * The Event object an EventRecorder writes. Names follow the recorder: `<object>.<hex time>` (here the
 * virtual time in nanoseconds plus a per-source counter, so names are unique and deterministic).
 */
export const buildEvent = (spec: EventSpec, source: string, now: number, counter: number): Event => {
  const nanos = BigInt(Math.round(now * 1e6)) + BigInt(counter);
  const ts = timestamp(now);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${spec.involved.name}.${nanos.toString(16).padStart(16, '0')}`, namespace: spec.involved.namespace ?? 'default' },
    involvedObject: {
      apiVersion: spec.involved.apiVersion, kind: spec.involved.kind, name: spec.involved.name,
      ...(spec.involved.namespace ? { namespace: spec.involved.namespace } : {}),
      ...(spec.involved.uid ? { uid: spec.involved.uid } : {}),
    },
    reason: spec.reason,
    message: spec.message,
    type: spec.type,
    source: { component: source.split(':')[0] ?? source, ...(source.includes(':') ? { host: source.split(':')[1] } : {}) },
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
    reportingComponent: source.split(':')[0] ?? source,
  };
};

export const involvedOf = (o: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string; uid?: string } }): EventSpec['involved'] => ({
  apiVersion: o.apiVersion ?? '', kind: o.kind ?? '', name: o.metadata?.name ?? '',
  ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
  ...(o.metadata?.uid ? { uid: o.metadata.uid } : {}),
});
