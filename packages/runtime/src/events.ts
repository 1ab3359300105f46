import { timestamp, type ApiRequest, type KObject } from '@kubesim/api';
import { buildEvent, type EventSpec } from '@kubesim/controllers';

const BURST = 25;
const REFILL_MS = 300_000;

/** Per involved object: the spam filter's token bucket, and the events recorded so far by type|reason then message. */
interface ObjectEvents {
  tokens: number;
  at: number;
  readonly seen: Map<string, Map<string, { name: string; namespace: string; count: number }>>;
}

/**
 * client-go's event pipeline for one component process: the EventCorrelator's spam filter (a token
 * bucket per source and object: burst 25, one more every 5 minutes) and the EventLogger's aggregation
 * (an identical event bumps the count of the one recorded before). Returns the request to send, if any.
 * State is kept per source, then per object (no long concatenated keys on the hot path).
 */
export class EventCorrelator {
  private counter = 0;
  private readonly bySource = new Map<string, Map<string, ObjectEvents>>();

  record(spec: EventSpec, actor: string, now: number, createdName?: string): ApiRequest | undefined {
    const s = createdName !== undefined && spec.message.includes('{{name}}') ? { ...spec, message: spec.message.replace('{{name}}', createdName) } : spec;
    const inv = s.involved;
    let objects = this.bySource.get(actor);
    if (!objects) { objects = new Map(); this.bySource.set(actor, objects); }
    const objId = inv.uid ?? `${inv.kind}/${inv.namespace ?? ''}/${inv.name}`;
    let bucket = objects.get(objId);
    if (!bucket) { bucket = { tokens: BURST, at: now, seen: new Map() }; objects.set(objId, bucket); }
    bucket.tokens = Math.min(BURST, bucket.tokens + (now - bucket.at) / REFILL_MS);
    bucket.at = now;
    if (bucket.tokens < 1) return undefined;
    bucket.tokens -= 1;
    const kindKey = `${s.type}|${s.reason}`;
    let byMessage = bucket.seen.get(kindKey);
    if (!byMessage) { byMessage = new Map(); bucket.seen.set(kindKey, byMessage); }
    const seen = byMessage.get(s.message);
    if (seen) {
      seen.count++;
      return { verb: 'patch', kind: 'Event', namespace: seen.namespace, name: seen.name, patch: { count: seen.count, lastTimestamp: timestamp(now) } };
    }
    const ev = buildEvent(s, actor, now, this.counter++);
    byMessage.set(s.message, { name: ev.metadata!.name!, namespace: ev.metadata!.namespace!, count: 1 });
    return { verb: 'create', object: ev as KObject };
  }

  /** A crashed process forgets its events. */
  clear(): void {
    this.bySource.clear();
  }
}
