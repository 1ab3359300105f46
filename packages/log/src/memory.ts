import * as E from 'fp-ts/lib/Either.js';
import { keyOf, type KObject } from '@kubesim/api';
import type { AppendRequest, Envelope, LogConflict } from './envelope.js';
import type { LogPort } from './port.js';

/** The in-memory log of the embedded mode. */
export class InMemoryLog implements LogPort {
  private readonly log: Envelope[] = [];
  /** The last seq per object, by kind, namespace and name (no key string built per append). */
  private readonly lastByObject = new Map<string, Map<string, Map<string, number>>>();
  private readonly listeners: ((e: Envelope) => void)[] = [];

  append(req: AppendRequest): E.Either<LogConflict, Envelope> {
    const seq = this.log.length + 1;
    let object: KObject | undefined = req.object;
    let byName: Map<string, number> | undefined;
    let name = '';
    if (object) {
      byName = this.namesOf(object.kind ?? '', object.metadata?.namespace ?? '');
      name = object.metadata?.name ?? '';
      const actual = byName.get(name) ?? 0;
      if (req.expectSeq !== undefined && req.expectSeq !== actual) {
        return E.left({ type: 'LogConflict', key: keyOf(object), expected: req.expectSeq, actual });
      }
      const rv = String(seq);
      // As `{ ...object, metadata: { ...object.metadata, resourceVersion } }`, without copying what the caller handed over.
      if (req.owned === 'metadata' && object.metadata !== undefined) (object.metadata as { resourceVersion?: string }).resourceVersion = rv;
      else if (req.owned !== undefined) (object as { metadata?: object }).metadata = { ...object.metadata, resourceVersion: rv };
      else object = { ...object, metadata: { ...object.metadata, resourceVersion: rv } } as KObject;
    }
    // Fixed field order keeps serialisation byte-stable (assigned one by one: absent fields stay absent).
    const e: { -readonly [K in keyof Envelope]: Envelope[K] } = { seq, time: req.time, type: req.type, actor: req.actor, cause: req.cause };
    if (req.op !== undefined) e.op = req.op;
    if (object !== undefined) e.object = object;
    if (req.data !== undefined) e.data = req.data;
    this.log.push(e);
    if (byName !== undefined) byName.set(name, seq);
    for (const l of this.listeners) l(e);
    return E.right(e);
  }

  lastSeq(): number { return this.log.length; }
  lastSeqOf(key: string): number {
    // `Kind/namespace/name` (neither kind nor namespace contains a '/').
    const i = key.indexOf('/'), j = key.indexOf('/', i + 1);
    if (i < 0 || j < 0) return 0;
    return this.lastSeqOfObject(key.slice(0, i), key.slice(i + 1, j), key.slice(j + 1));
  }

  lastSeqOfObject(kind: string, namespace: string, name: string): number {
    return this.lastByObject.get(kind)?.get(namespace)?.get(name) ?? 0;
  }

  private namesOf(kind: string, namespace: string): Map<string, number> {
    let byNs = this.lastByObject.get(kind);
    if (!byNs) { byNs = new Map(); this.lastByObject.set(kind, byNs); }
    let byName = byNs.get(namespace);
    if (!byName) { byName = new Map(); byNs.set(namespace, byName); }
    return byName;
  }

  *entries(from = 1, to = Infinity): Iterable<Envelope> {
    const end = Math.min(to, this.log.length);
    for (let s = Math.max(1, from); s <= end; s++) yield this.log[s - 1]!;
  }

  /** Direct array access for folds and recorders (read-only). */
  all(): readonly Envelope[] { return this.log; }

  subscribe(listener: (e: Envelope) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
