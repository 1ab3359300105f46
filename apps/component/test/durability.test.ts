import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject, Pod } from '@kubesim/api';
import { readLog, jsOf, DilatedClock } from '@kubesim/nats';
import { command, headless, podStates, scale, setOf, startCluster, statefulSet, until, settledViolations, type TestCluster } from './helpers.js';

const service = (name: string): KObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { clusterIP: 'None', selector: { app: name }, ports: [{ port: 80 }] } }) as KObject;

/**
 * kill -9 of nats-server in the middle of a scale-up and of a stream of user writes, then a restart on
 * the same port and store: every write that was acknowledged is in the log, at the seq it was
 * acknowledged with; every component reconnects and resumes; the cluster converges.
 */
describe('a nats-server kill -9 and restart', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startCluster({ timeScale: 10 });
    await command(t, { command: 'apply' }, [{ verb: 'create', object: headless() }, { verb: 'create', object: statefulSet(0, { graceSeconds: 2, policy: 'Parallel' }) }]);
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  it('loses no acknowledged write, and the cluster converges', async () => {
    const server = t.c.server!;
    await scale(t, 6);
    await until('the scale-up under way', () => [...t.view.store.list('Pod', 'default')].length >= 1);
    // A stream of user writes across the outage: creates of services svc-0, svc-1, ...
    const acked = new Map<number, string>();
    let failed = 0;
    let acrossOutage = 0;
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const sent = Date.now();
        const r = await t.user.request({ verb: 'create', object: service(`svc-${i}`) }, null);
        if (Date.now() - sent >= 400) acrossOutage++;
        if (r.ok) acked.set(Number(r.object.metadata!.resourceVersion), `svc-${i}`);
        else failed++;
      }
    })();
    await until('some acknowledged writes', () => acked.size >= 20);
    await t.c.killServer(server, 500);
    const before = acked.size;
    await until('acknowledged writes after the restart', () => acked.size >= before + 20, 60_000);
    stop = true;
    await writer;
    // The outage was felt: a write failed or waited it out (the API server retries its publish with the same msgID).
    expect(failed + acrossOutage).toBeGreaterThan(0);
    await until('6 Ready replicas', () => setOf(t)?.status?.readyReplicas === 6 && ([...t.view.store.list('Pod', 'default')] as Pod[]).length === 6, 60_000, () => podStates(t));

    // Read the log afresh from the restarted server: each acknowledged write is there, at its seq.
    const log = await readLog(jsOf(t.c.admin), t.c.s, (w) => new DilatedClock(t.c.cluster).fromWall(w));
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    for (const [seq, name] of acked) {
      const e = log[seq - 1];
      expect({ seq, name: e?.object?.metadata?.name, type: e?.type }).toEqual({ seq, name, type: 'ADDED' });
    }
    // A retried write is never stored twice (msgID de-duplication): one ADDED per service.
    const adds = log.filter((e) => e.type === 'ADDED' && e.object?.kind === 'Service').map((e) => e.object!.metadata!.name);
    expect(new Set(adds).size).toBe(adds.length);
    await t.view.caughtUp(await t.c.supervisor.recorded());
    expect(await settledViolations(t)).toEqual([]);
  }, 300_000);
});
