import { randomBytes } from 'node:crypto';
import { PermissionViolationError, type MsgHdrs, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** Why a request got no answer: nobody subscribes to its subject, it timed out, or the connection closed. */
export class RequestFailure extends Error {
  constructor(readonly kind: 'no-responders' | 'timeout' | 'closed' | 'forbidden', subject: string) {
    super(kind === 'no-responders' ? `no responders on ${subject}` : kind === 'timeout' ? `request on ${subject} timed out`
      : kind === 'forbidden' ? `Permissions Violation for Publish to "${subject}"` : 'connection closed');
  }
}

interface Pending {
  readonly subject: string;
  readonly deadline: number;
  resolve(m: Msg): void;
  reject(e: Error): void;
}

/**
 * Request/reply over one shared reply subscription (`<inbox>.<id>.*`): what kubesim sends by the
 * thousand — API requests, and the API server's JetStream appends. nats.js's own `request()` and
 * `js.publish()` build an Error object per call for stack traces and per failed publish; at tens of
 * thousands of requests a second that allocation dominated the API server's profile. Timeouts are
 * swept by one timer.
 */
export class RequestMux {
  private readonly prefix: string;
  private readonly pending = new Map<string, Pending>();
  private readonly sub: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private next = 0;

  constructor(private readonly nc: NatsConnection, inboxPrefix: string) {
    this.prefix = `${inboxPrefix}.${randomBytes(6).toString('hex')}`;
    this.sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (err, m) => {
        if (err) return;
        const token = m.subject.slice(this.prefix.length + 1);
        const p = this.pending.get(token);
        if (!p) return; // answered after its timeout
        this.pending.delete(token);
        // No subscriber: the server answers at once with a 503 status (no_responders).
        if (m.headers?.code === 503 && m.data.length === 0) p.reject(new RequestFailure('no-responders', p.subject));
        else p.resolve(m);
      },
    });
    this.sweeper = setInterval(() => this.sweep(), 50);
    this.sweeper.unref();
    void nc.closed().then(() => this.close());
    void this.watchPermissions();
  }

  /** A publish the server refused fails its requests at once (instead of at their timeout). */
  private async watchPermissions(): Promise<void> {
    for await (const st of this.nc.status()) {
      if (st.type !== 'error' || !(st.error instanceof PermissionViolationError) || st.error.operation !== 'publish') continue;
      const subject = st.error.subject;
      for (const [token, p] of this.pending) {
        if (p.subject === subject) { this.pending.delete(token); p.reject(new RequestFailure('forbidden', subject)); }
      }
    }
  }

  private sweep(): void {
    if (this.pending.size === 0) return;
    const now = Date.now();
    for (const [token, p] of this.pending) {
      if (p.deadline <= now) { this.pending.delete(token); p.reject(new RequestFailure('timeout', p.subject)); }
    }
  }

  request(subject: string, data: Uint8Array, timeoutMs: number, headers?: MsgHdrs): Promise<Msg> {
    if (this.nc.isClosed()) return Promise.reject(new RequestFailure('closed', subject));
    const token = (this.next++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      this.pending.set(token, { subject, deadline: Date.now() + timeoutMs, resolve, reject });
      try {
        this.nc.publish(subject, data, { reply: `${this.prefix}.${token}`, ...(headers ? { headers } : {}) });
      } catch (err) {
        this.pending.delete(token);
        reject(err as Error);
      }
    });
  }

  /** Requests waiting for an answer. */
  get inFlight(): number { return this.pending.size; }

  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const [, p] of this.pending) p.reject(new RequestFailure('closed', p.subject));
    this.pending.clear();
  }
}
