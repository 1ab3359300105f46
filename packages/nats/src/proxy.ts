import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay on loopback between one kubesim process and one nats-server, so that chaos can cut that
 * process off the network without touching the others: `cut()` resets every connection it relays and
 * refuses new ones (the client sees its connection drop and its reconnects fail, as across a network
 * partition) until `heal()`. Bytes are relayed unchanged; nothing is buffered while cut.
 */
export class PartitionProxy {
  private readonly pairs = new Set<readonly [Socket, Socket]>();
  private cutOff = false;

  private constructor(private readonly server: Server, readonly port: number, readonly target: { readonly host: string; readonly port: number }) {}

  /** Listen on a free loopback port, relaying to `target` (a `nats://host:port` URL). */
  static async start(target: string): Promise<PartitionProxy> {
    const u = new URL(target);
    const to = { host: u.hostname, port: Number(u.port || 4222) };
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    const port = (server.address() as { port: number }).port;
    const proxy = new PartitionProxy(server, port, to);
    server.on('connection', (client) => proxy.relay(client));
    return proxy;
  }

  /** The URL a process connects to instead of the server's. */
  get url(): string { return `nats://127.0.0.1:${this.port}`; }

  /** Whether the process is cut off. */
  get isCut(): boolean { return this.cutOff; }

  /** Connections relayed now. */
  get connections(): number { return this.pairs.size; }

  private relay(client: Socket): void {
    if (this.cutOff) { client.resetAndDestroy(); return; }
    const upstream = connect(this.target.port, this.target.host);
    const pair = [client, upstream] as const;
    this.pairs.add(pair);
    const close = (): void => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair) {
      s.setNoDelay(true);
      s.on('error', close);
      s.on('close', close);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Partition: reset every relayed connection and refuse new ones. */
  cut(): void {
    this.cutOff = true;
    for (const pair of [...this.pairs]) {
      this.pairs.delete(pair);
      pair[0].resetAndDestroy();
      pair[1].destroy();
    }
  }

  /** End the partition: new connections are relayed again. */
  heal(): void { this.cutOff = false; }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
