import { timestamp, type ApiRequest, type KObject } from '@kubesim/api';
import { buildEvent, type EventSpec } from '@kubesim/controllers';

/** client-go tools/record/events_cache.go: the size of each of the correlator's LRU caches. */
export const EVENT_CACHE_ENTRIES = 4096;
/** The spam filter: a source may burst 25 events about an object, then one more every 5 minutes. */
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;
/** The aggregator: 10 events that differ only by message within 10 minutes are combined. */
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
export const COMBINED_PREFIX = '(combined from similar events): ';

/**
 * Components that record through the events.k8s.io API (`k8s.io/client-go/tools/events`): the
 * scheduler. Its recorder has no by-reason aggregation and no spam filter; it counts isomorphic events.
 */
const NEW_EVENTS_API = new Set(['scheduler']);

/** An entry of an Lru: its key and value, and its neighbours in recency order. */
interface LruNode<V> { readonly key: string; value: V; older: LruNode<V> | undefined; newer: LruNode<V> | undefined }

/**
 * A least-recently-used map (groupcache's lru: Get and Add make an entry the newest; the oldest goes past
 * the limit). The recency order is a doubly linked list beside the map: making an entry the newest and
 * evicting the oldest touch no Map order (re-inserting a key, or finding the first key of a Map whose
 * front is all deleted slots, costs far more).
 */
class Lru<V> {
  private readonly m = new Map<string, LruNode<V>>();
  private oldest: LruNode<V> | undefined;
  private newest: LruNode<V> | undefined;
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const n = this.m.get(k);
    if (n === undefined) return undefined;
    this.touch(n);
    return n.value;
  }
  add(k: string, v: V): void {
    const n = this.m.get(k);
    if (n !== undefined) { n.value = v; this.touch(n); return; }
    const added: LruNode<V> = { key: k, value: v, older: this.newest, newer: undefined };
    if (this.newest !== undefined) this.newest.newer = added; else this.oldest = added;
    this.newest = added;
    this.m.set(k, added);
    if (this.m.size > this.max) {
      const gone = this.oldest!;
      this.unlink(gone);
      this.m.delete(gone.key);
    }
  }
  get size(): number { return this.m.size; }
  clear(): void { this.m.clear(); this.oldest = undefined; this.newest = undefined; }

  /** Make a listed entry the newest. */
  private touch(n: LruNode<V>): void {
    if (n === this.newest) return;
    this.unlink(n);
    n.older = this.newest;
    this.newest!.newer = n;
    this.newest = n;
  }

  private unlink(n: LruNode<V>): void {
    if (n.older !== undefined) n.older.newer = n.newer; else this.oldest = n.newer;
    if (n.newer !== undefined) n.newer.older = n.older; else this.newest = n.older;
    n.older = undefined;
    n.newer = undefined;
  }
}

interface AggregateRecord { readonly localKeys: Set<string>; last: number }
interface Observation { readonly count: number; readonly name: string; readonly namespace: string }
interface Bucket { tokens: number; at: number }

/**
 * client-go's EventCorrelator for one component process (tools/record/events_cache.go), in its order:
 * 1. the **aggregator** — events from one source about one object with the same type and reason that
 *    differ only by message: once 10 distinct messages were seen within 10 minutes (the interval
 *    restarting at each one), the event becomes `(combined from similar events): <message>`, one
 *    event per group whose count and message the next ones update; the group forgets one message
 *    (Go's `PopAny`; here the oldest, so a run stays deterministic) to stay at the limit;
 * 2. the **logger** — an event seen before (same source, object, type, reason and message; or the same
 *    aggregate group) is a patch of the one recorded then: `count` + 1, `lastTimestamp`, `message`;
 * 3. the **spam filter** — a token bucket per source and object (burst 25, one more every 5
 *    minutes): without a token the event is dropped (the logger has counted it already, as in Go).
 * Each cache holds 4096 entries (LRU). Returns the request to send, if any. The scheduler records
 * through the events.k8s.io API instead: only the logger applies to it.
 */
export class EventCorrelator {
  private counter = 0;
  private readonly aggregates = new Lru<AggregateRecord>(EVENT_CACHE_ENTRIES);
  private readonly observed = new Lru<Observation>(EVENT_CACHE_ENTRIES);
  private readonly spam = new Lru<Bucket>(EVENT_CACHE_ENTRIES);

  record(spec: EventSpec, actor: string, now: number, createdName?: string): ApiRequest | undefined {
    const s = createdName !== undefined && spec.message.includes('{{name}}') ? { ...spec, message: spec.message.replace('{{name}}', createdName) } : spec;
    const inv = s.involved;
    const colon = actor.indexOf(':');
    const legacy = !NEW_EVENTS_API.has(colon < 0 ? actor : actor.slice(0, colon));
    // getSpamKey: source (component and host) and involved object.
    const spamKey = `${s.source ?? actor}\u0000${inv.kind}\u0000${inv.namespace ?? ''}\u0000${inv.name}\u0000${inv.uid ?? ''}\u0000${inv.apiVersion}`;
    // EventAggregatorByReasonFunc: … plus type and reason; the local key is the message.
    const aggregateKey = `${spamKey}\u0000${s.type}\u0000${s.reason}`;
    // getEventKey: … plus the involved object's fieldPath (one event per container) and the message.
    let key = `${aggregateKey}\u0000${inv.fieldPath ?? ''}\u0000${s.message}`;
    let message = s.message;
    let combined = false;
    if (legacy) {
      let rec = this.aggregates.get(aggregateKey);
      if (rec === undefined || now - rec.last > AGGREGATE_INTERVAL_MS) rec = { localKeys: new Set(), last: now };
      rec.localKeys.add(s.message);
      rec.last = now;
      this.aggregates.add(aggregateKey, rec);
      if (rec.localKeys.size >= AGGREGATE_MAX_EVENTS) {
        rec.localKeys.delete(rec.localKeys.values().next().value as string);
        key = aggregateKey;
        message = COMBINED_PREFIX + s.message;
        combined = true;
      }
    }
    const seen = this.observed.get(key);
    let req: ApiRequest;
    if (seen !== undefined) {
      this.observed.add(key, { ...seen, count: seen.count + 1 });
      req = { verb: 'patch', kind: 'Event', namespace: seen.namespace, name: seen.name, patch: { count: seen.count + 1, lastTimestamp: timestamp(now), message } };
    } else {
      const ev = buildEvent(combined ? { ...s, message } : s, actor, now, this.counter++);
      this.observed.add(key, { name: ev.metadata!.name!, namespace: ev.metadata!.namespace!, count: 1 });
      req = { verb: 'create', object: ev as KObject };
    }
    if (legacy) {
      let bucket = this.spam.get(spamKey);
      if (bucket === undefined) bucket = { tokens: SPAM_BURST, at: now };
      bucket.tokens = Math.min(SPAM_BURST, bucket.tokens + (now - bucket.at) / SPAM_REFILL_MS);
      bucket.at = now;
      this.spam.add(spamKey, bucket);
      if (bucket.tokens < 1) return undefined;
      bucket.tokens -= 1;
    }
    return req;
  }

  /** Entries held by the three caches (each bounded by EVENT_CACHE_ENTRIES). */
  cached(): number { return this.aggregates.size + this.observed.size + this.spam.size; }

  /** A crashed process forgets its events. */
  clear(): void {
    this.aggregates.clear();
    this.observed.clear();
    this.spam.clear();
  }
}
