import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { apiError, newTimeout, type ApiError, type ApiRequest, type Kind, type KObject } from '@kubesim/api';
import type { Subjects } from './subjects.js';
import { muxOf } from './connect.js';
import { RequestFailure } from './mux.js';
import { decodeWire, encodeWire, type WireRequest, type WireResponse } from './wire.js';

export type ApiAnswer = { readonly ok: true; readonly object: KObject } | { readonly ok: false; readonly error: ApiError };


/**
 * A component's (or the CLI's) client of the API server: request/reply on the actor's own subject,
 * with a timeout. A request that times out may still have been applied — as with Kubernetes — and the
 * caller's next reconcile sees the outcome in the log.
 */
export class ApiClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    readonly actor: string,
    private readonly timeoutMs = 5_000,
  ) {}

  private async call(w: WireRequest, actor = this.actor): Promise<WireResponse> {
    try {
      const m = await muxOf(this.nc).request(this.s.api(actor), encodeWire(w), this.timeoutMs);
      return decodeWire<WireResponse>(m.data);
    } catch (err) {
      return { ok: false, error: newTimeout(err instanceof RequestFailure && err.kind === 'no-responders' ? 'no API server is running' : (err as Error).message) };
    }
  }

  /**
   * One write; `actor` defaults to this client's (a kubelet process sends as `kubelet:<node>`). `brief`:
   * the answer carries only the object's identity and resourceVersion.
   */
  async request(req: ApiRequest, cause: number | null, actor = this.actor, brief = false): Promise<ApiAnswer> {
    const r = await this.call({ op: 'request', id: randomUUID(), req, cause, ...(brief ? { brief } : {}) }, actor);
    if (!r.ok) return r;
    return 'object' in r ? r : { ok: false, error: apiError('InternalError', 500, 'unexpected answer') };
  }

  async command(data: Readonly<Record<string, unknown>>, reqs: readonly ApiRequest[]): Promise<{ ok: true; command: number; results: readonly KObject[] } | { ok: false; error: ApiError }> {
    const r = await this.call({ op: 'command', id: randomUUID(), data, reqs });
    if (!r.ok) return r;
    return 'command' in r ? r : { ok: false, error: apiError('InternalError', 500, 'unexpected answer') };
  }

  async record(type: 'FAULT' | 'COMPONENT', data: Readonly<Record<string, unknown>>): Promise<{ ok: true; seq: number } | { ok: false; error: ApiError }> {
    const r = await this.call({ op: 'record', id: randomUUID(), type, data });
    if (!r.ok) return r;
    return 'seq' in r && !('objects' in r) ? { ok: true, seq: r.seq } : { ok: false, error: apiError('InternalError', 500, 'unexpected answer') };
  }

  async list(kind: Kind, namespace?: string, name?: string): Promise<{ ok: true; objects: readonly KObject[]; seq: number } | { ok: false; error: ApiError }> {
    const r = await this.call({ op: 'list', kind, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}) });
    if (!r.ok) return r;
    return 'objects' in r ? r : { ok: false, error: apiError('InternalError', 500, 'unexpected answer') };
  }
}
