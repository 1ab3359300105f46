/**
 * client-go's EventCorrelator (tools/record/events_cache.go): aggregation by reason, deduplication,
 * the spam filter, bounded caches — and the events.k8s.io recorder of the scheduler.
 */
import { describe, expect, it } from 'vitest';
import type { ApiRequest, Event, KObject, StatefulSet } from '@kubesim/api';
import type { EventSpec } from '@kubesim/controllers';
import { COMBINED_PREFIX, EVENT_CACHE_ENTRIES, EventCorrelator, createCluster, type ClusterSpec } from '../src/index.js';

const SET = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'default', name: 'web', uid: 'u-web' };
const spec = (message: string, reason = 'SuccessfulCreate', involved: EventSpec['involved'] = SET): EventSpec => ({ type: 'Normal', reason, message, involved });

type Create = Extract<ApiRequest, { verb: 'create' }>;
type Patch = Extract<ApiRequest, { verb: 'patch' }>;
const created = (r: ApiRequest | undefined): Event => { expect(r?.verb).toBe('create'); return (r as Create).object as Event; };
const patched = (r: ApiRequest | undefined): Patch => { expect(r?.verb).toBe('patch'); return r as Patch; };

describe('EventCorrelator (legacy core/v1 recorder)', () => {
  it('the 10th distinct message of one reason about one object within 10 minutes is combined; the next ones update that event', () => {
    const c = new EventCorrelator();
    const msg = (k: number) => `create Pod web-${k} in StatefulSet web successful`;
    for (let k = 0; k < 9; k++) expect(created(c.record(spec(msg(k)), 'statefulset-controller', 1000 * k)).message).toBe(msg(k));
    const combined = created(c.record(spec(msg(9)), 'statefulset-controller', 9000));
    expect(combined.message).toBe(`${COMBINED_PREFIX}${msg(9)}`);
    expect(combined.reason).toBe('SuccessfulCreate');
    expect(combined.count).toBe(1);
    const next = patched(c.record(spec(msg(10)), 'statefulset-controller', 10_000));
    expect(next).toMatchObject({ kind: 'Event', name: combined.metadata!.name, patch: { count: 2, message: `${COMBINED_PREFIX}${msg(10)}` } });
    // Another reason about the same object is a group of its own.
    expect(created(c.record(spec('delete Pod web-9 in StatefulSet web successful', 'SuccessfulDelete'), 'statefulset-controller', 11_000)).message)
      .toBe('delete Pod web-9 in StatefulSet web successful');
    // So is the same reason about another object, or from another source.
    expect(created(c.record(spec(msg(11), 'SuccessfulCreate', { ...SET, name: 'db', uid: 'u-db' }), 'statefulset-controller', 12_000)).message).toBe(msg(11));
    expect(created(c.record(spec(msg(12)), 'replicaset-controller', 12_000)).message).toBe(msg(12));
  });

  it('an identical event patches the first one (count + 1, lastTimestamp); a quiet 10 minutes start a new group', () => {
    const c = new EventCorrelator();
    const first = created(c.record(spec('same'), 'statefulset-controller', 0));
    expect(patched(c.record(spec('same'), 'statefulset-controller', 5000))).toMatchObject({ name: first.metadata!.name, patch: { count: 2, message: 'same' } });
    expect(patched(c.record(spec('same'), 'statefulset-controller', 6000)).patch).toMatchObject({ count: 3 });
    for (let k = 0; k < 8; k++) c.record(spec(`m${k}`), 'statefulset-controller', 7000 + k);
    // 9 distinct messages so far; more than 10 minutes later the group starts again: no combining.
    const later = 7008 + 600_001;
    expect(created(c.record(spec('new'), 'statefulset-controller', later)).message).toBe('new');
    // Within the interval, each event restarts it: 9 more distinct ones, then the 10th is combined.
    for (let k = 0; k < 8; k++) c.record(spec(`n${k}`), 'statefulset-controller', later + 500_000 * (k + 1));
    expect(created(c.record(spec('tenth'), 'statefulset-controller', later + 500_000 * 9)).message).toBe(`${COMBINED_PREFIX}tenth`);
  });

  it('the event key includes the involved object\'s fieldPath: one event per container, each counted on its own', () => {
    const c = new EventCorrelator();
    const pod = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u-pod' };
    const started = (container: string) => spec('Container started', 'Started', { ...pod, fieldPath: `spec.containers{${container}}` });
    const app = created(c.record(started('app'), 'kubelet:node-a', 0));
    expect(app.involvedObject).toEqual({ ...pod, fieldPath: 'spec.containers{app}' });
    expect(app.source).toEqual({ component: 'kubelet', host: 'node-a' });
    expect(created(c.record(started('side'), 'kubelet:node-a', 1)).involvedObject?.fieldPath).toBe('spec.containers{side}');
    expect(patched(c.record(started('app'), 'kubelet:node-a', 2))).toMatchObject({ name: app.metadata!.name, patch: { count: 2 } });
  });

  it('spam filter: 25 events about one object, then one more every 5 minutes; dropped ones still count', () => {
    const c = new EventCorrelator();
    const out: (ApiRequest | undefined)[] = [];
    for (let k = 0; k < 30; k++) out.push(c.record(spec('Back-off restarting failed container', 'BackOff'), 'kubelet:node-a', k));
    expect(out.filter((r) => r !== undefined)).toHaveLength(25);
    expect(out.slice(25).every((r) => r === undefined)).toBe(true);
    const again = patched(c.record(spec('Back-off restarting failed container', 'BackOff'), 'kubelet:node-a', 300_030));
    // 30 observed before (5 of them dropped by the filter), so this is the 31st.
    expect(again.patch).toMatchObject({ count: 31 });
    expect(c.record(spec('Back-off restarting failed container', 'BackOff'), 'kubelet:node-a', 300_031)).toBeUndefined();
    // Another object (or another node's kubelet) has its own bucket.
    expect(c.record(spec('x', 'BackOff', { ...SET, name: 'other', uid: 'u-o' }), 'kubelet:node-a', 31)).toBeDefined();
    expect(c.record(spec('Back-off restarting failed container', 'BackOff'), 'kubelet:node-b', 32)).toBeDefined();
  });

  it('each cache is an LRU of 4096 entries', () => {
    const c = new EventCorrelator();
    for (let k = 0; k < 2 * EVENT_CACHE_ENTRIES; k++) {
      c.record(spec('create Pod', 'SuccessfulCreate', { ...SET, name: `web-${k}`, uid: `u${k}` }), 'statefulset-controller', k);
    }
    expect(c.cached()).toBe(3 * EVENT_CACHE_ENTRIES);
    // The oldest object was evicted: its event is new again (a create, not a patch).
    expect(c.record(spec('create Pod', 'SuccessfulCreate', { ...SET, name: 'web-0', uid: 'u0' }), 'statefulset-controller', 1e6)?.verb).toBe('create');
    c.clear();
    expect(c.cached()).toBe(0);
  });

  it('a cache hit makes the entry the newest: the oldest untouched entry is evicted instead', () => {
    const c = new EventCorrelator();
    const about = (k: number) => spec('create Pod', 'SuccessfulCreate', { ...SET, name: `web-${k}`, uid: `u${k}` });
    // Caches full: web-0 is the oldest entry, then seen again (a patch), which makes it the newest.
    for (let k = 0; k < EVENT_CACHE_ENTRIES; k++) c.record(about(k), 'statefulset-controller', k);
    expect(c.record(about(0), 'statefulset-controller', 5000)?.verb).toBe('patch');
    // One more object evicts web-1 (now the oldest), not web-0.
    c.record(about(EVENT_CACHE_ENTRIES), 'statefulset-controller', 5001);
    expect(patched(c.record(about(0), 'statefulset-controller', 5002)).patch).toMatchObject({ count: 3 });
    expect(c.record(about(1), 'statefulset-controller', 5003)?.verb).toBe('create');
    expect(c.cached()).toBe(3 * EVENT_CACHE_ENTRIES);
  });
});

describe('the scheduler records through events.k8s.io: no aggregation, no spam filter', () => {
  it('distinct FailedScheduling messages about one pod stay distinct, and none is dropped', () => {
    const c = new EventCorrelator();
    const pod = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'p0' };
    const out: ApiRequest[] = [];
    for (let k = 0; k < 40; k++) {
      const r = c.record({ type: 'Warning', reason: 'FailedScheduling', message: `0/${k} nodes are available`, involved: pod }, 'scheduler', k);
      expect(r).toBeDefined();
      out.push(r!);
    }
    expect(out.every((r) => r.verb === 'create' && !String(((r as Create).object as Event).message).startsWith(COMBINED_PREFIX))).toBe(true);
    // An isomorphic event is counted on the first.
    expect(patched(c.record({ type: 'Warning', reason: 'FailedScheduling', message: '0/0 nodes are available', involved: pod }, 'scheduler', 50)).patch).toMatchObject({ count: 2 });
  });
});

describe('on the engine', () => {
  it('a StatefulSet scaled to 5 with one claim template: its 10th SuccessfulCreate is combined from similar events', () => {
    const cluster: ClusterSpec = {
      nodes: [{ name: 'node-a' }, { name: 'node-b' }, { name: 'node-c' }],
      storageClasses: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'kubesim.io/hostpath' } as KObject],
      namespaces: ['default'],
    };
    const sim = createCluster(cluster, 1);
    const set = {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
      spec: {
        serviceName: 'nginx', replicas: 5, selector: { matchLabels: { app: 'nginx' } },
        template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    } as KObject;
    expect(sim.command({ command: 'create' }, [{ verb: 'create', object: set }])._tag).toBe('Right');
    sim.run({ until: () => (sim.api.get('StatefulSet', 'default', 'web') as StatefulSet | undefined)?.status?.readyReplicas === 5, deadlineMs: 600_000 });
    sim.run({ quietMs: 30_000, deadlineMs: sim.now + 120_000 });
    const events = [...sim.api.store.list('Event', 'default')].filter((e) => e.involvedObject?.name === 'web' && e.reason === 'SuccessfulCreate');
    expect(events.map((e) => e.message)).toEqual([
      'create Claim www-web-0 Pod web-0 in StatefulSet web success', 'create Pod web-0 in StatefulSet web successful',
      'create Claim www-web-1 Pod web-1 in StatefulSet web success', 'create Pod web-1 in StatefulSet web successful',
      'create Claim www-web-2 Pod web-2 in StatefulSet web success', 'create Pod web-2 in StatefulSet web successful',
      'create Claim www-web-3 Pod web-3 in StatefulSet web success', 'create Pod web-3 in StatefulSet web successful',
      'create Claim www-web-4 Pod web-4 in StatefulSet web success', `${COMBINED_PREFIX}create Pod web-4 in StatefulSet web successful`,
    ]);
  });
});
