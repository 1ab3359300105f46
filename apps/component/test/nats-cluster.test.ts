import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject, Pod } from '@kubesim/api';
import { DilatedClock, jsOf, managerOf, readLog } from '@kubesim/nats';
import { command, headless, podStates, scale, setOf, startCluster, statefulSet, until, retryingJs, settledViolations, type TestCluster } from './helpers.js';

const service = (name: string): KObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { clusterIP: 'None', selector: { app: name }, ports: [{ port: 80 }] } }) as KObject;

/**
 * Beyond one machine: a JetStream cluster of three nats-servers on loopback, the log a stream with
 * three replicas. Killing the stream's leader in the middle of a run loses nothing: the other two
 * elect a new leader, every process reconnects to a surviving server, every acknowledged write is in
 * the log and the cluster converges.
 */
describe('a three-server NATS cluster', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startCluster({ timeScale: 10, natsServers: 3 });
    await command(t, { command: 'apply' }, [{ verb: 'create', object: headless() }, { verb: 'create', object: statefulSet(0, { graceSeconds: 2, policy: 'Parallel' }) }]);
  }, 180_000);
  afterAll(async () => { await t?.close(); });

  it('replicates the log three times and survives the loss of the stream leader', async () => {
    const jsm = await managerOf(t.c.admin);
    const info = await jsm.streams.info(t.c.s.stream);
    expect(info.config.num_replicas).toBe(3);
    const leader = t.c.servers.find((x) => x.name === info.cluster?.leader);
    expect(leader).toBeDefined();

    await scale(t, 6);
    await until('the scale-up under way', () => [...t.view.store.list('Pod', 'default')].length >= 1);
    const acked = new Map<number, string>();
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const r = await t.user.request({ verb: 'create', object: service(`svc-${i}`) }, null);
        if (r.ok) acked.set(Number(r.object.metadata!.resourceVersion), `svc-${i}`);
      }
    })();
    await until('some acknowledged writes', () => acked.size >= 20);
    await t.c.killServer(leader!);
    const before = acked.size;
    await until('acknowledged writes after the leader died', () => acked.size >= before + 20, 60_000);
    stop = true;
    await writer;
    await until('6 Ready replicas', () => setOf(t)?.status?.readyReplicas === 6 && ([...t.view.store.list('Pod', 'default')] as Pod[]).length === 6, 60_000, () => podStates(t));

    const after = await retryingJs('stream info after the leader died', () => jsm.streams.info(t.c.s.stream));
    expect(after.cluster?.leader).not.toBe(leader!.name);
    // readLog resumes a read that a recovering cluster interrupts (timeouts, a silent consumer).
    const log = await readLog(jsOf(t.c.admin), t.c.s, (w) => new DilatedClock(t.c.cluster).fromWall(w));
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    for (const [seq, name] of acked) expect({ seq, name: log[seq - 1]?.object?.metadata?.name }).toEqual({ seq, name });
    await t.view.caughtUp(await t.c.supervisor.recorded());
    expect(await settledViolations(t)).toEqual([]);
  }, 300_000);
});
