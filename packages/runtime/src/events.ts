import { timestamp, type ApiRequest, type KObject } from '@kubesim/api';
import { buildEvent, type EventSpec } from '@kubesim/controllers';

const BURST = 25;
const REFILL_MS = 300_000;

/**
 * client-go's event pipeline for one component process: the EventCorrelator's spam filter (a token
 * bucket per source and object: burst 25, one more every 5 minutes) and the EventLogger's aggregation
 * (an identical event bumps the count of the one recorded before). Returns the request to send, if any.
 */
export class EventCorrelator {
  private counter = 0;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();

  record(spec: EventSpec, actor: string, now: number, createdName?: string): ApiRequest | undefined {
    const s = createdName ? { ...spec, message: spec.message.replace('{{name}}', createdName) } : spec;
    const inv = s.involved;
    const objKey = `${actor}|${inv.uid ?? `${inv.kind}/${inv.namespace ?? ''}/${inv.name}`}`;
    const bucket = this.buckets.get(objKey) ?? { tokens: BURST, at: now };
    bucket.tokens = Math.min(BURST, bucket.tokens + (now - bucket.at) / REFILL_MS);
    bucket.at = now;
    this.buckets.set(objKey, bucket);
    if (bucket.tokens < 1) return undefined;
    bucket.tokens -= 1;
    const key = `${objKey}|${s.type}|${s.reason}|${s.message}`;
    const seen = this.seen.get(key);
    if (seen) {
      seen.count++;
      return { verb: 'patch', kind: 'Event', namespace: seen.namespace, name: seen.name, patch: { count: seen.count, lastTimestamp: timestamp(now) } };
    }
    const ev = buildEvent(s, actor, now, this.counter++);
    this.seen.set(key, { name: ev.metadata!.name!, namespace: ev.metadata!.namespace!, count: 1 });
    return { verb: 'create', object: ev as KObject };
  }

  /** A crashed process forgets its events. */
  clear(): void {
    this.buckets.clear();
    this.seen.clear();
  }
}
