import { describe, expect, it } from 'vitest';
import type { KObject, PersistentVolumeClaim } from '@kubesim/api';
import { converge, f1With, get, newCluster, patch, scale, settle, sleep, create } from './harness.js';

/**
 * A stall Kubernetes really has (k8s-semantics §1.10 "stale claim blocks re-creation" + §1.16 "PVC changes
 * do not trigger a sync"), found by the property suite: with whenScaled=Delete, a StatefulSet scaled
 * back up while the condemned pod's claim is still being deleted finds the claim stale and ends its sync
 * without an error — so nothing requeues it. When the claim finally goes, no handler wakes the set; only
 * the informer's periodic resync (12–24 h in kube-controller-manager) does.
 */
describe('stale claim + informer resync', () => {
  it('a scale-up blocked by a stale claim waits for the next resync, then gets a fresh claim', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => { set.spec.persistentVolumeClaimRetentionPolicy = { whenScaled: 'Delete', whenDeleted: 'Retain' }; }));
    converge(sim, 'web', 3);
    const oldUid = get<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', 'www-web-2')!.metadata!.uid;
    // Something else holds the claim for a while (a user finalizer), so its deletion is slow.
    patch(sim, 'PersistentVolumeClaim', 'www-web-2', { metadata: { finalizers: ['kubernetes.io/pvc-protection', 'example.com/hold'] } });
    scale(sim, 'StatefulSet', 'web', 2);
    settle(sim);
    expect(get(sim, 'Pod', 'web-2')).toBeUndefined();
    expect(get<KObject>(sim, 'PersistentVolumeClaim', 'www-web-2')?.metadata?.deletionTimestamp).toBeDefined();
    scale(sim, 'StatefulSet', 'web', 3);
    settle(sim);
    expect(get(sim, 'Pod', 'web-2')).toBeUndefined(); // the claim is stale: no pod this sync
    patch(sim, 'PersistentVolumeClaim', 'www-web-2', { metadata: { finalizers: null } });
    settle(sim);
    expect(get(sim, 'PersistentVolumeClaim', 'www-web-2')).toBeUndefined();
    sleep(sim, 30 * 60_000);
    expect(get(sim, 'Pod', 'web-2')).toBeUndefined(); // still stalled: PVC events do not wake the set
    sleep(sim, sim.timing.resyncMs[1]);
    converge(sim, 'web', 3);
    const fresh = get<PersistentVolumeClaim>(sim, 'PersistentVolumeClaim', 'www-web-2')!;
    expect(fresh.metadata!.uid).not.toBe(oldUid);
    const created = sim.log.all().find((e) => e.type === 'ADDED' && e.object?.kind === 'Pod' && e.object.metadata?.name === 'web-2' && e.object.metadata.uid !== undefined && e.time > 3_600_000);
    expect(created).toBeDefined();
  });
});
