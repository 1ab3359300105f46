import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { podOrNodeFaultError } from '@kubesim/controllers';
import { ApiClient } from './client.js';
import { isAlive, signalAndWait } from './process.js';
import type { Credentials } from './connect.js';
import type { ComponentStatus } from './host.js';
import type { Subjects } from './subjects.js';
import { PartitionProxy } from './proxy.js';
import { chaosFault } from '@kubesim/runtime';

/** How to start a component process (`@kubesim/component`'s `componentEntry()`). */
export interface ProcessEntry {
  readonly script: string;
  readonly execArgv: readonly string[];
}

/** One supervised process: a component (or an API server replica, or a kubelet for some nodes). */
export interface ProcessSpec {
  /** Unique process name: `apiserver`, `apiserver-2`, `scheduler`, `kubelet`, `kubelet-node-a`. */
  readonly name: string;
  /** What it runs: `apiserver` or a component name. */
  readonly component: string;
  /** Extra arguments (`--nodes`, `--bootstrap`). */
  readonly args?: readonly string[];
  readonly creds?: Credentials;
  /**
   * The nodes a kubelet process runs: added to its lifecycle entries (start, restart, crash, pause,
   * resume, partition, heal), which the node-lifecycle controller reads as those nodes' heartbeats.
   */
  readonly nodes?: readonly string[];
}

export interface SupervisorOptions {
  readonly entry: ProcessEntry;
  readonly url: string;
  readonly s: Subjects;
  readonly logDir: string;
  readonly processes: readonly ProcessSpec[];
  /** The admin connection: records component lifecycle (system:runtime) and kills (system:chaos). */
  readonly nc: NatsConnection;
  readonly log?: (line: string) => void;
  /** Wait this long for a process to report it is running. */
  readonly startTimeoutMs?: number;
  /**
   * Connect each process to the nats-server(s) through relays of its own (PartitionProxy), so that
   * `partition` can cut one process off the network. Off by default (one more hop for every message).
   */
  readonly partitionable?: boolean;
  /**
   * The virtual time a process may lag after it is resumed or its partition healed — recorded with those
   * faults for the checkers (reconnects, consumers re-created, watches caught up).
   */
  readonly catchUpMs?: number;
}

export interface ProcessState {
  readonly name: string;
  readonly component: string;
  readonly pid: number | undefined;
  /** running: reported running; starting; exited (code/signal); killed (by `kill`); stopped (by `stop`); paused (by `pause`: SIGSTOP). */
  readonly state: 'starting' | 'running' | 'exited' | 'killed' | 'stopped' | 'paused';
  /** Cut off the network by `partition` (until `heal`). */
  readonly partitioned?: boolean;
  readonly exit?: string;
  readonly restarts: number;
  readonly status?: ComponentStatus;
}

interface Proc {
  readonly spec: ProcessSpec;
  child: ChildProcess | undefined;
  state: ProcessState['state'];
  exit?: string;
  restarts: number;
  status?: ComponentStatus;
  out: WriteStream;
  /** Its relays to the nats-servers (partitionable supervisors), created at its first start. */
  proxies?: PartitionProxy[];
  /** The timer that heals a partition given a duration. */
  healTimer?: NodeJS.Timeout;
}

/**
 * Starts and watches kubesim's processes (what `kubesim up`, `kubesim run --distributed`, the tests and
 * the distributed benchmark use): one OS process per component, its output in `<logDir>/<name>.log`;
 * `kill` is a kill -9 (recorded in the log as a crash fault), `restart` starts it again (recorded as a
 * restart), `stop` is SIGTERM, `pause`/`resume` are SIGSTOP/SIGCONT, `partition`/`heal` cut the process off
 * the nats-servers and reconnect it (through its relays, with `partitionable`) — every fault recorded in the
 * log. It never restarts a process on its own: chaos decides.
 */
export class Supervisor {
  private readonly procs = new Map<string, Proc>();
  private readonly runtime: ApiClient;
  private readonly chaos: ApiClient;
  private statusSub: Subscription | undefined;
  /** Lifecycle entries are recorded in order, each retried until an API server takes it (the killed process may be the API server). */
  private records: Promise<void> = Promise.resolve();
  private lastRecordedSeq = 0;
  private closing = false;
  private ctlSub: Subscription | undefined;

  constructor(private readonly o: SupervisorOptions) {
    mkdirSync(o.logDir, { recursive: true });
    for (const spec of o.processes) {
      if (this.procs.has(spec.name)) throw new Error(`two processes named ${spec.name}`);
      this.procs.set(spec.name, { spec, child: undefined, state: 'stopped', restarts: 0, out: createWriteStream(join(o.logDir, `${spec.name}.log`), { flags: 'a' }) });
    }
    this.runtime = new ApiClient(o.nc, o.s, 'system:runtime');
    this.chaos = new ApiClient(o.nc, o.s, 'system:chaos');
    this.statusSub = o.nc.subscribe(o.s.statusAll, {
      callback: (err, m) => {
        if (err) return;
        try {
          const st = JSON.parse(new TextDecoder().decode(m.data)) as ComponentStatus;
          for (const p of this.procs.values()) if (p.child?.pid === st.pid) p.status = st;
        } catch { /* not ours */ }
      },
    });
  }

  private log(line: string): void { this.o.log?.(line); }
  names(): string[] { return [...this.procs.keys()]; }
  logFile(name: string): string { return join(this.o.logDir, `${name}.log`); }

  private get(name: string): Proc {
    const p = this.procs.get(name);
    if (!p) throw new Error(`no process "${name}" (processes: ${this.names().join(', ')})`);
    return p;
  }

  /** Spawn a process and wait until it reports that it is running. */
  async start(name: string): Promise<void> {
    const p = this.get(name);
    if (isAlive(p.child)) return;
    const { spec } = p;
    // KUBESIM_CHILD_NODE_ARGS: extra node options for every process (diagnosis: `--cpu-prof --cpu-prof-dir=DIR`).
    const extra = (process.env.KUBESIM_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const url = this.o.partitionable ? (await this.proxiesOf(p)).map((x) => x.url).join(',') : this.o.url;
    const args = [...extra, ...this.o.entry.execArgv, this.o.entry.script, spec.component, '--nats', url, '--cluster', this.o.s.cluster, '--name', spec.name, ...(spec.args ?? [])];
    const env = { ...process.env, ...(spec.creds ? { KUBESIM_NATS_USER: spec.creds.user, KUBESIM_NATS_PASSWORD: spec.creds.password } : {}) };
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.child = child;
    p.state = 'starting';
    delete p.exit;
    delete p.status;
    const running = new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        p.out.write(d);
        if (p.state !== 'starting') return;
        buf += d.toString();
        if (/: running \(pid \d+\)/.test(buf)) { p.state = 'running'; buf = ''; resolve(); }
        else if (buf.length > 65536) buf = buf.slice(-4096);
      });
      child.stderr!.on('data', (d: Buffer) => p.out.write(d));
      child.once('error', (e) => reject(new Error(`${name}: ${e.message}`)));
      child.once('exit', (code, signal) => {
        if (p.child !== child) return;
        if (p.state !== 'killed' && p.state !== 'stopped') p.state = 'exited';
        p.exit = signal ? `signal ${signal}` : `code ${String(code)}`;
        this.log(`${name} exited (${p.exit})`);
        reject(new Error(`${name} exited (${p.exit}) before it was running; see ${this.logFile(name)}`));
      });
    });
    const timeout = this.o.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([running, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeout} ms; see ${this.logFile(name)}`)), timeout); })])
      .finally(() => clearTimeout(timer));
    this.log(`${name} running (pid ${child.pid ?? '?'})`);
  }

  /** Record an input entry in the log, in order with the others, retrying while no API server answers. */
  private record(client: ApiClient, type: 'FAULT' | 'COMPONENT', data: Record<string, unknown>): Promise<void> {
    this.records = this.records.then(async () => {
      for (let wait = 50; !this.closing; wait = Math.min(wait * 2, 1000)) {
        const r = await client.record(type, data);
        if (r.ok) { this.lastRecordedSeq = Math.max(this.lastRecordedSeq, r.seq); return; }
        await new Promise((res) => setTimeout(res, wait));
      }
    });
    return this.records;
  }

  /** `{nodes}` for a kubelet process (its lifecycle entries carry the nodes whose heartbeats it posts). */
  private nodesOf(name: string): Record<string, unknown> {
    const nodes = this.get(name).spec.nodes;
    return nodes && nodes.length > 0 ? { nodes: [...nodes] } : {};
  }

  /** Record a fault (system:chaos) in order with the lifecycle entries; resolves once it is in the log. */
  recordFault(data: Record<string, unknown>): Promise<void> { return this.record(this.chaos, 'FAULT', data); }

  /** Resolves once every lifecycle entry asked for so far is in the log, with the seq of the last one. */
  async recorded(): Promise<number> { await this.records; return this.lastRecordedSeq; }

  /** Start processes and record each start in the log. */
  async startAll(names: readonly string[] = this.names()): Promise<void> {
    await Promise.all(names.map(async (n) => {
      await this.start(n);
      void this.record(this.runtime, 'COMPONENT', { component: n, event: 'start', pid: this.get(n).child?.pid, ...this.nodesOf(n) });
    }));
  }

  /** kill -9, recorded as a crash fault (system:chaos). */
  async kill(name: string): Promise<void> {
    const p = this.get(name);
    const child = p.child;
    if (!isAlive(child)) throw new Error(`${name} is not running`);
    p.state = 'killed';
    await signalAndWait(child, 'SIGKILL');
    void this.record(this.chaos, 'FAULT', { fault: 'crash', component: name, reason: 'killed', signal: 'SIGKILL', ...this.nodesOf(name) });
  }

  /** Start a stopped, killed or exited process again (recorded as a restart). */
  async restart(name: string): Promise<void> {
    const p = this.get(name);
    if (isAlive(p.child)) await this.stop(name);
    p.restarts++;
    await this.start(name);
    void this.record(this.runtime, 'COMPONENT', { component: name, event: 'restart', pid: p.child?.pid, ...this.nodesOf(name) });
  }

  /** SIGTERM (the process shuts down cleanly); kill -9 after a grace period. */
  async stop(name: string, graceMs = 10_000): Promise<void> {
    const p = this.get(name);
    const child = p.child;
    if (!isAlive(child)) return;
    // A paused process cannot act on SIGTERM before it is continued.
    if (p.state === 'paused') child.kill('SIGCONT');
    p.state = 'stopped';
    await signalAndWait(child, 'SIGTERM', graceMs);
  }

  /** The process's relays, one per nats-server URL (created once: a restarted process keeps its network). */
  private async proxiesOf(p: Proc): Promise<PartitionProxy[]> {
    p.proxies ??= await Promise.all(this.o.url.split(',').map((u) => PartitionProxy.start(u)));
    return p.proxies;
  }

  /**
   * SIGSTOP: the process is frozen — no CPU, no I/O, its connections idle until the server drops them
   * for missed pings — recorded first as a `pause` fault (system:chaos).
   */
  async pause(name: string): Promise<void> {
    const p = this.get(name);
    if (!isAlive(p.child) || p.state === 'paused') throw new Error(`${name} is not running`);
    await this.record(this.chaos, 'FAULT', chaosFault('pause', name, this.o.catchUpMs ?? 0, this.nodesOf(name)));
    p.child!.kill('SIGSTOP');
    p.state = 'paused';
  }

  /** SIGCONT a paused process; recorded (once it runs again) as a `resume` fault with its catch-up bound. */
  async resume(name: string): Promise<void> {
    const p = this.get(name);
    if (p.state !== 'paused' || !isAlive(p.child)) throw new Error(`${name} is not paused`);
    p.child!.kill('SIGCONT');
    p.state = 'running';
    await this.record(this.chaos, 'FAULT', chaosFault('resume', name, this.o.catchUpMs ?? 0, this.nodesOf(name)));
  }

  /**
   * Cut the process off every nats-server (its relays reset its connections and refuse new ones),
   * recorded first as a `partition` fault; healed after `forMs` when given.
   */
  async partition(name: string, forMs?: number): Promise<void> {
    const p = this.get(name);
    if (!this.o.partitionable) throw new Error('this cluster was started without partition relays (kubesim up starts them; launch option partitionable)');
    if (p.proxies?.some((x) => x.isCut)) throw new Error(`${name} is already partitioned`);
    await this.record(this.chaos, 'FAULT', chaosFault('partition', name, this.o.catchUpMs ?? 0, { ...(forMs !== undefined ? { forMs } : {}), ...this.nodesOf(name) }));
    for (const x of await this.proxiesOf(p)) x.cut();
    if (forMs !== undefined) p.healTimer = setTimeout(() => { this.heal(name).catch((e: Error) => this.log(`heal ${name}: ${e.message}`)); }, forMs);
  }

  /** End a partition; recorded (once the process can reach the servers again) as a `heal` fault with its catch-up bound. */
  async heal(name: string): Promise<void> {
    const p = this.get(name);
    if (!p.proxies?.some((x) => x.isCut)) throw new Error(`${name} is not partitioned`);
    clearTimeout(p.healTimer);
    for (const x of p.proxies) x.heal();
    await this.record(this.chaos, 'FAULT', chaosFault('heal', name, this.o.catchUpMs ?? 0, this.nodesOf(name)));
  }

  /** Stop every process (components first, API servers last), then forget the subscriptions. */
  async stopAll(): Promise<void> {
    this.closing = true;
    const names = this.names();
    // Partitions end first: a process shuts down cleanly only if it can reach the server.
    for (const p of this.procs.values()) { clearTimeout(p.healTimer); for (const x of p.proxies ?? []) x.heal(); }
    const isApi = (n: string) => this.get(n).spec.component === 'apiserver';
    await Promise.all(names.filter((n) => !isApi(n)).map((n) => this.stop(n)));
    await Promise.all(names.filter(isApi).map((n) => this.stop(n)));
    this.statusSub?.unsubscribe();
    this.ctlSub?.unsubscribe();
    await Promise.all([...this.procs.values()].map((p) => new Promise<void>((r) => p.out.end(r))));
    await Promise.all([...this.procs.values()].flatMap((p) => (p.proxies ?? []).map((x) => x.close())));
  }

  states(): ProcessState[] {
    return [...this.procs.values()].map((p) => ({
      name: p.spec.name, component: p.spec.component, pid: p.child?.pid, state: p.state, restarts: p.restarts,
      ...(p.exit !== undefined ? { exit: p.exit } : {}), ...(p.status ? { status: p.status } : {}),
      ...(p.proxies?.some((x) => x.isCut) ? { partitioned: true } : {}),
    }));
  }

  /** Answer `kubesim kill|restart|ps` requests on `ksim.<cluster>.ctl.*` (the admin user may respond). */
  serveControl(onDown?: () => void): void {
    this.ctlSub = this.o.nc.subscribe(this.o.s.ctlAll, {
      callback: (err, m) => {
        if (err) return;
        const verb = m.subject.slice(m.subject.lastIndexOf('.') + 1);
        const arg = new TextDecoder().decode(m.data);
        const reply = (v: unknown) => { if (m.reply) m.respond(JSON.stringify(v)); };
        const run = async (): Promise<unknown> => {
          switch (verb) {
            case 'ps': return { ok: true, processes: this.states() };
            case 'kill': await this.kill(arg); return { ok: true };
            case 'pause': await this.pause(arg); return { ok: true };
            case 'resume': await this.resume(arg); return { ok: true };
            case 'partition': {
              // `name` or `name <ms>`: healed after that long.
              const [name = '', ms] = arg.split(' ');
              await this.partition(name, ms === undefined ? undefined : Number(ms));
              return { ok: true };
            }
            case 'heal': await this.heal(arg); return { ok: true };
            case 'fault': {
              // `kubesim fault`: a pod or node fault, checked as a scenario's is, recorded by the chaos actor.
              const data = JSON.parse(arg) as Record<string, unknown>;
              const why = podOrNodeFaultError(data);
              if (why !== undefined) throw new Error(why);
              await this.recordFault(data);
              return { ok: true };
            }
            case 'restart': await this.restart(arg); return { ok: true };
            case 'stop': await this.stop(arg); return { ok: true };
            case 'logfile': return { ok: true, file: this.logFile(this.get(arg).spec.name) };
            case 'down': setTimeout(() => onDown?.(), 10); return { ok: true };
            default: throw new Error(`unknown control verb "${verb}"`);
          }
        };
        run().then(reply, (e: Error) => reply({ ok: false, error: e.message }));
      },
    });
  }
}
