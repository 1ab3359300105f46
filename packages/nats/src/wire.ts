import type { ApiError, ApiRequest, Kind, KObject } from '@kubesim/api';

/**
 * Requests to the API server over NATS (request/reply on `ksim.<cluster>.api.<actor>`). The actor is
 * the subject's, never the payload's: NATS permissions decide who may publish on which subject.
 * `id` is the caller's idempotency key: the log entry's msgID is derived from it.
 */
export type WireRequest =
  /**
   * One API request (a component's write). `cause`: the log seq the caller reacted to. `brief`: answer
   * with the object's identity only (kind, name, namespace, uid, resourceVersion, generation) — a plan needs no more
   * unless its component caches what its writes return.
   */
  | { readonly op: 'request'; readonly id: string; readonly req: ApiRequest; readonly cause: number | null; readonly brief?: boolean }
  /** A user command: every request is validated first; if any is refused nothing is written; else a COMMAND entry, then the requests. */
  | { readonly op: 'command'; readonly id: string; readonly data: Readonly<Record<string, unknown>>; readonly reqs: readonly ApiRequest[] }
  /** An input entry (component lifecycle, fault) from the runtime (`system:runtime`, `system:chaos`). */
  | { readonly op: 'record'; readonly id: string; readonly type: 'FAULT' | 'COMPONENT'; readonly data: Readonly<Record<string, unknown>> }
  /** Read objects from the API server's store (kubectl get). */
  | { readonly op: 'list'; readonly kind: Kind; readonly namespace?: string; readonly name?: string };

export type WireResponse =
  | { readonly ok: true; readonly object: KObject }
  | { readonly ok: true; readonly command: number; readonly results: readonly KObject[] }
  | { readonly ok: true; readonly seq: number }
  | { readonly ok: true; readonly objects: readonly KObject[]; readonly seq: number }
  | { readonly ok: false; readonly error: ApiError };

const enc = new TextEncoder();
const dec = new TextDecoder();
export const encodeWire = (v: WireRequest | WireResponse): Uint8Array => enc.encode(JSON.stringify(v));
export const decodeWire = <T extends WireRequest | WireResponse>(data: Uint8Array): T => JSON.parse(dec.decode(data)) as T;
