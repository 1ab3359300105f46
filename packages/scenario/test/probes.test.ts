/**
 * Startup probes end to end ([prober_manager UpdatePodStatus], [worker doProbe]): a container is `started`
 * only at its startup probe's first success, and not ready before it — so OrderedReady scaling waits for it.
 */
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kubesim/api';
import { converge, create, entriesOf, f1With, mustGet, newCluster, seqOf } from './harness.js';

describe('startup probes', () => {
  it('OrderedReady waits for each pod\'s startup probe: web-1 is created only once web-0 has started and turned ready', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 2;
      set.spec.template.spec.containers[0].startupProbe = { tcpSocket: { port: 80 }, initialDelaySeconds: 30, periodSeconds: 10 };
    }));
    converge(sim, 'web', 2);
    // The probe is stored defaulted.
    expect(mustGet<Pod>(sim, 'Pod', 'web-0').spec?.containers[0]?.startupProbe).toEqual({
      tcpSocket: { port: 80 }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3,
    });
    const states = entriesOf(sim, 'Pod', 'web-0').map((e) => ({ e, s: (e.object as Pod).status?.containerStatuses?.[0] }));
    const running = states.find(({ s }) => s?.state?.running !== undefined);
    const started = states.find(({ s }) => s?.started === true);
    expect(running?.s).toMatchObject({ started: false, ready: false });
    expect(started?.s).toMatchObject({ started: true, ready: true });
    // initialDelaySeconds + one periodSeconds after the container started.
    const startedAt = Date.parse(running!.s!.state!.running!.startedAt!);
    expect(Date.parse((started!.e.object as Pod).status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime!) - startedAt).toBe(40_000);
    expect(seqOf(sim, 'ADDED', 'Pod', 'web-1')).toBeGreaterThan(started!.e.seq);
    expect(seqOf(sim, 'READY', 'Pod', 'web-0')).toBe(started!.e.seq);
  });
});
