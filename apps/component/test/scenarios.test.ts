import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { isRunningAndReady, podClaimNames, type PersistentVolume, type PersistentVolumeClaim, type Pod } from '@kubesim/api';
import { dnsRecords } from '@kubesim/controllers';
import type { Snapshot } from '@kubesim/state';
import { loadScenarioFile, runScenario, verdictLines } from '@kubesim/scenario';
import { runScenarioDistributed } from '@kubesim/nats';
import { componentEntry } from '../src/index.js';

/**
 * What must be the same in both modes: pod names and readiness, each pod's claims, each claim's phase
 * and that its volume is bound back to it, the volumes' phases, the DNS names. (Uids, IPs, nodes and
 * volume names are random per run.)
 */
const summary = (s: Snapshot, randomPodNames: boolean) => {
  const pods = ([...s.list('Pod')] as Pod[]).map((p) => ({
    name: randomPodNames ? p.metadata!.generateName ?? p.metadata!.name! : p.metadata!.name!,
    ready: isRunningAndReady(p), claims: podClaimNames(p),
  })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const pvs = [...s.list('PersistentVolume')] as PersistentVolume[];
  const claims = ([...s.list('PersistentVolumeClaim')] as PersistentVolumeClaim[]).map((c) => {
    const pv = pvs.find((v) => v.metadata!.name === c.spec?.volumeName);
    return { name: c.metadata!.name!, phase: c.status?.phase, volumeBoundBack: pv?.spec?.claimRef?.uid === c.metadata!.uid };
  }).sort((a, b) => a.name.localeCompare(b.name));
  return {
    pods, claims,
    volumes: pvs.map((v) => v.status?.phase).sort(),
    dns: dnsRecords(s).filter((r) => r.type === 'A').map((r) => r.name).sort(),
  };
};

describe('the seed scenarios on real processes give the verdict and final state of the embedded engine', () => {
  // node-failure and replicaset-quota wait out minutes of virtual time (eviction, PodGC's quarantine; the
  // ReplicaSet's backoff): a higher scale keeps them short. replicaset-quota also checks that concurrent
  // creates against one quota are admitted one at a time (the slow-start batch of 4 all refused). crashloop
  // waits out the crash-loop back-off of a container the kubelet process restarts in place; init-containers
  // runs each pod's init container and sidecar before its container; its check of the sidecar's 10 s back-off
  // (after the wait has seen the BackOff event and the DNS name gone) needs the 2 s of wall time that scale 5
  // leaves it on a loaded 2-core machine (scale 10 left 1 s, and a run under the whole suite missed it once).
  // drain evicts through the NATS API server's eviction steps (budget status, DisruptionTarget, deletion) and
  // waits out refusals.
  // process-chaos pauses the StatefulSet controller (SIGSTOP) and cuts the kubelet off NATS (its relay);
  // kubelet-outage cuts it off for minutes: its nodes go Unknown, their pods not ready, nothing is evicted
  // (every node lost: master disruption mode), and it is back.
  // topology-spread needs the scheduler process's listers (Services, StatefulSets) to spread the replicas.
  // broken-rollout: the kubelet process's image pull back-off (minutes of it) keeps a rolling update stuck
  // until the pod is deleted. rollout: kubectl rollout restart and undo as scenario steps (strategic merge
  // patches through the NATS API server), each a rolling update the processes carry out. config-and-secrets:
  // the kubelet process's mount back-off and pod-worker retries wait for a ConfigMap and a Secret.
  // namespace-deletion: the namespace-controller process lists the namespace's content from its fold of the
  // log and finalizes the namespace once the pods' grace periods and pvc-protection are over.
  // liveness-probe: the kubelet process fails a container's liveness probe (a probe-failure fault), kills
  // and restarts it in place, twice.
  for (const [file, randomNames, timeScale] of [
    ['examples/seed-statefulset.yaml', false, 10], ['examples/seed-replicaset.yaml', true, 10], ['examples/node-failure.yaml', false, 50],
    ['examples/replicaset-quota.yaml', true, 50], ['examples/crashloop.yaml', false, 50], ['examples/init-containers.yaml', false, 5],
    ['examples/drain.yaml', false, 20], ['examples/process-chaos.yaml', false, 10], ['examples/kubelet-outage.yaml', false, 50],
    ['examples/topology-spread.yaml', false, 10], ['examples/broken-rollout.yaml', false, 50],
    ['examples/rollout.yaml', false, 20], ['examples/config-and-secrets.yaml', false, 20], ['examples/namespace-deletion.yaml', false, 20],
    ['examples/liveness-probe.yaml', false, 20],
  ] as const) {
    it(file, async () => {
      const sc = loadScenarioFile(file);
      if (E.isLeft(sc)) throw new Error(sc.left.message);
      const embedded = runScenario(sc.right);
      expect(embedded.passed).toBe(true);
      const dir = mkdtempSync(join(tmpdir(), 'kubesim-dist-'));
      try {
        const dist = await runScenarioDistributed(sc.right, { entry: componentEntry(), dir, timeScale });
        expect(verdictLines(dist).join('\n')).toBe(verdictLines(embedded).join('\n'));
        expect(summary(dist.state, randomNames)).toEqual(summary(embedded.sim.api.store, randomNames));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);
  }
});
