import { applyDefaults, controllerRevisionHash, requestKind, timestamp, type KObject, type Pod, type StatefulSet, type PersistentVolumeClaim } from '@kubesim/api';
import { podsByControllerUid } from '@kubesim/state';
import { newStatefulSetPod, chooseRevisions, listRevisions, revisionPatch, syncStatefulSet, defaultStatefulSetConfig, writesOf, eventsOf, type PlanOutcome, type Step } from '../src/index.js';
import { makeSnapshot } from './util.js';

/** Fixture F1 of the acceptance scenarios, defaulted and "stored" (uid, generation). */
export const f1 = (over: Partial<NonNullable<StatefulSet['spec']>> = {}, status: StatefulSet['status'] = { replicas: 0 }): StatefulSet => {
  const raw = {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'set-uid', generation: 1, resourceVersion: '10' },
    spec: {
      serviceName: 'nginx', replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ name: 'web', containerPort: 80 }], volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...over,
    },
    status,
  };
  return applyDefaults(raw as KObject) as StatefulSet;
};

/** The revision name the controller computes for this set's current template. */
export const revisionName = (set: StatefulSet): string => `web-${controllerRevisionHash(revisionPatch(set), set.status?.collisionCount ?? 0)}`;

export const revisionOf = (set: StatefulSet, revision = 1): KObject => {
  const snap = makeSnapshot([]);
  const c = chooseRevisions(set, listRevisions(snap, set), snap);
  return { ...c.update, revision, metadata: { ...c.update.metadata, uid: `rev-${revision}`, resourceVersion: '5', creationTimestamp: timestamp(0) } } as KObject;
};

let uidCounter = 0;
export type PodState = 'pending' | 'running' | 'ready' | 'failed' | 'terminating' | 'ready-terminating';

/** A stored pod of the set at ordinal k in the given state. */
export const podOf = (set: StatefulSet, k: number, state: PodState = 'ready', rev = revisionName(set)): Pod => {
  const p = newStatefulSetPod(set, k, rev);
  const ready = state === 'ready' || state === 'ready-terminating';
  const phase = state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running';
  return {
    ...p,
    metadata: {
      ...p.metadata, uid: `pod-${k}-${uidCounter++}`, resourceVersion: String(100 + k), creationTimestamp: timestamp(0),
      ...(state === 'terminating' || state === 'ready-terminating' ? { deletionTimestamp: timestamp(50_000), deletionGracePeriodSeconds: 10 } : {}),
    },
    spec: { ...p.spec!, nodeName: 'node-a' },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: timestamp(0) }],
    },
  };
};

export const claimOf = (set: StatefulSet, k: number, extra: Partial<NonNullable<PersistentVolumeClaim['metadata']>> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: { name: `www-web-${k}`, namespace: 'default', uid: `claim-${k}`, resourceVersion: String(200 + k), labels: { app: 'nginx' }, ...extra },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: `pvc-claim-${k}` },
  status: { phase: 'Bound' },
});

export const snapOf = (objs: readonly unknown[]) => makeSnapshot(objs as KObject[], [podsByControllerUid]);

export const ok: PlanOutcome = { ok: true, succeeded: new Set(), failed: new Set() };

/** Sync once; the plan's writes, the status write (from finalize with all writes succeeding) and events. */
export const sync = (set: StatefulSet, others: readonly unknown[], now = 100_000, outcome: PlanOutcome = ok) => {
  const snap = snapOf([set, ...others]);
  const r = syncStatefulSet(snap, 'default', 'web', now, defaultStatefulSetConfig);
  const tail: Step | undefined = r.finalize?.(outcome);
  const writes = writesOf(r.plan);
  const status = writesOf(tail).find((w) => w.verb === 'update' && w.subresource === 'status');
  return {
    r, writes, tail, events: eventsOf(r.plan),
    status: status && status.verb === 'update' ? (status.object as StatefulSet).status : undefined,
    summary: writes.map((w) => w.verb === 'create' || w.verb === 'update' ? `${w.verb} ${String(w.object.kind)}/${w.object.metadata?.name ?? ''}` : w.verb === 'bind' ? `bind ${w.name}` : `${w.verb} ${requestKind(w)}/${w.name}`),
  };
};
