import type * as E from 'fp-ts/lib/Either.js';
import type { AppendRequest, Envelope, LogConflict } from './envelope.js';

/**
 * The log port: an append-only, totally ordered log with per-object compare-and-set.
 * The embedded implementation is synchronous; the NATS adapter implements the same operations
 * over JetStream (expected-last-subject-sequence).
 */
export interface LogPort {
  /** Append one entry; the log assigns `seq` and stamps it as the object's resourceVersion. */
  append(req: AppendRequest): E.Either<LogConflict, Envelope>;
  /** The last seq of the log (0 when empty). */
  lastSeq(): number;
  /** The seq of the last entry about this object key (0 when never written). */
  lastSeqOf(key: string): number;
  /** `lastSeqOf` by kind, namespace ('' for cluster-scoped) and name. */
  lastSeqOfObject(kind: string, namespace: string, name: string): number;
  /** Entries with from <= seq <= to, in order. */
  entries(from?: number, to?: number): Iterable<Envelope>;
  /** Listener called synchronously after every append, in order. Returns an unsubscribe function. */
  subscribe(listener: (e: Envelope) => void): () => void;
}
