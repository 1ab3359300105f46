/**
 * The kubelet's container events end to end, as `kubectl describe pod` lists them (Kubernetes 1.35,
 * [images EnsureImageExists], [kuberuntime startContainer, killContainer]): after the scheduler's
 * `Scheduled`, `Pulled` — the image already on the node (`IfNotPresent`), or `Pulling` then `Pulled` with
 * the pull's duration (`Always`, or an image the node does not hold yet) — `Created` and `Started`, each
 * about `spec.containers{<name>}`;
 * `Killing` when a graceful deletion begins, none for a pod whose containers never ran.
 */
import { describe, expect, it } from 'vitest';
import { nodeImages, parseTimestamp, simulatedImageSize, type Event, type Node, type Pod } from '@kubesim/api';
import { goDuration } from '@kubesim/controllers';
import { converge, cordon, create, del, entriesOf, f1With, get, list, newCluster, NODES, patch, objectEntries, ready, setReady, sleep, waitFor, type Json } from './harness.js';

describe('kubelet container events', () => {
  it('a StatefulSet pod\'s life: Scheduled, Pulling (the node lacks the image), Pulled, Created, Started from the kubelet of its node; Killing once its deletion begins; its successor on the node finds the image present', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => { set.spec.replicas = 1; }));
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    sleep(sim, 5_000);
    const pod = get<Pod>(sim, 'Pod', 'web-0')!;
    const about = (): Event[] => list<Event>(sim, 'Event', 'default').filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name === 'web-0');
    const seqOf = (e: Event): number => Number(e.metadata?.resourceVersion);
    // (A FailedScheduling may come first: the claim is not bound yet when the scheduler first tries.)
    const life = about().filter((e) => e.reason !== 'FailedScheduling').sort((a, b) => seqOf(a) - seqOf(b));
    const took = parseTimestamp(pod.status!.containerStatuses![0]!.state!.running!.startedAt)! - parseTimestamp(pod.status!.startTime)!;
    const d = goDuration(took);
    expect(life.map((e) => [e.type, e.reason, e.source?.component, e.message])).toEqual([
      ['Normal', 'Scheduled', 'default-scheduler', `Successfully assigned default/web-0 to ${pod.spec!.nodeName}`],
      ['Normal', 'Pulling', 'kubelet', 'Pulling image "nginx:1.25"'],
      ['Normal', 'Pulled', 'kubelet', `Successfully pulled image "nginx:1.25" in ${d} (${d} including waiting). Image size: ${simulatedImageSize('nginx:1.25')} bytes.`],
      ['Normal', 'Created', 'kubelet', 'Container created'],
      ['Normal', 'Started', 'kubelet', 'Container started'],
    ]);
    for (const e of life.slice(1)) {
      expect(e.source?.host).toBe(pod.spec!.nodeName);
      expect(e.involvedObject).toMatchObject({ uid: pod.metadata!.uid, fieldPath: 'spec.containers{nginx}' });
    }
    // Pulling goes with the pod's first status (ContainerCreating); the start events follow the Running
    // status they go with (kubesim records them once it is written).
    const podEntries = objectEntries(sim).filter((x) => x.object.kind === 'Pod' && x.object.metadata?.uid === pod.metadata!.uid);
    const creating = podEntries.find((x) => (x.object as Pod).status?.startTime !== undefined)!;
    const running = podEntries.find((x) => (x.object as Pod).status?.phase === 'Running')!;
    expect(seqOf(life[1]!)).toBeGreaterThan(creating.seq);
    expect(seqOf(life[1]!)).toBeLessThan(running.seq);
    expect(seqOf(life[2]!)).toBeGreaterThan(running.seq);

    // The other nodes cordoned: the re-created web-0 comes back to this node (its hostPath volume has no node affinity).
    for (const n of NODES) if (n !== pod.spec!.nodeName) cordon(sim, n);
    const since = sim.log.lastSeq();
    del(sim, 'Pod', 'web-0');
    waitFor(sim, 'web-0 re-created', () => get<Pod>(sim, 'Pod', 'web-0')?.metadata?.uid !== pod.metadata!.uid);
    const killing = list<Event>(sim, 'Event', 'default').filter((e) => e.reason === 'Killing');
    expect(killing).toHaveLength(1);
    expect(killing[0]).toMatchObject({
      type: 'Normal', message: 'Stopping container nginx', count: 1, source: { component: 'kubelet', host: pod.spec!.nodeName },
      involvedObject: { name: 'web-0', uid: pod.metadata!.uid, fieldPath: 'spec.containers{nginx}' },
    });
    // Recorded when the deletion begins, long before the grace period (10 s) ends and the pod is gone.
    const entries = objectEntries(sim, since).filter((x) => x.object.kind === 'Pod' && x.object.metadata?.uid === pod.metadata!.uid);
    const marked = entries.find((x) => x.object.metadata?.deletionTimestamp !== undefined)!;
    const gone = entries.find((x) => x.type === 'DELETED')!;
    const killedAt = objectEntries(sim, since).find((x) => x.object.kind === 'Event' && (x.object as Json).reason === 'Killing')!;
    expect(killedAt.seq).toBeGreaterThan(marked.seq);
    expect(killedAt.time - marked.time).toBeLessThan(1_000);
    expect(gone.time - killedAt.time).toBeGreaterThan(9_000);
    // The re-created web-0, back on the node, finds the image there now.
    waitFor(sim, 'web-0 Ready again', () => ready(sim, 'web-0'));
    sleep(sim, 5_000);
    const successor = get<Pod>(sim, 'Pod', 'web-0')!;
    expect(successor.spec!.nodeName).toBe(pod.spec!.nodeName);
    const pulls = list<Event>(sim, 'Event', 'default').filter((e) => e.involvedObject?.uid === successor.metadata!.uid && (e.reason === 'Pulled' || e.reason === 'Pulling'));
    expect(pulls.map((e) => [e.reason, e.message])).toEqual([['Pulled', 'Container image "nginx:1.25" already present on machine and can be accessed by the pod']]);
  });

  it('imagePullPolicy Always (an untagged image): Pulling when the pod is created on its node, Pulled with the pull\'s duration once it starts', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 1;
      set.spec.template.spec.containers[0].image = 'nginx';
    }));
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    sleep(sim, 5_000);
    const pod = get<Pod>(sim, 'Pod', 'web-0')!;
    expect(pod.spec!.containers[0]!.imagePullPolicy).toBe('Always');
    const kubelet = list<Event>(sim, 'Event', 'default').filter((e) => e.involvedObject?.name === 'web-0' && e.source?.component === 'kubelet')
      .sort((a, b) => Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion));
    expect(kubelet.map((e) => e.reason)).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
    expect(kubelet[0]!.message).toBe('Pulling image "nginx"');
    // The pull took the time between the pod's first status (startTime) and the container's start.
    const took = parseTimestamp(pod.status!.containerStatuses![0]!.state!.running!.startedAt)! - parseTimestamp(pod.status!.startTime)!;
    expect(took).toBeGreaterThanOrEqual(500); // the startup delay (podStartupMs)
    const d = goDuration(took);
    expect(kubelet[1]!.message).toBe(`Successfully pulled image "nginx" in ${d} (${d} including waiting). Image size: ${simulatedImageSize('nginx')} bytes.`);
    expect(d).toMatch(/^(\d+ms|\d+(\.\d+)?s)$/);
  });

  it('imagePullPolicy Never: on nodes without the image web-0 waits in ErrImageNeverPull and OrderedReady goes no further; on nodes that hold it the set runs, pulling nothing', () => {
    const never = f1With((set) => { set.spec.replicas = 2; set.spec.template.spec.containers[0].imagePullPolicy = 'Never'; });
    const bare = newCluster();
    create(bare, ...never);
    sleep(bare, 120_000);
    const pod = get<Pod>(bare, 'Pod', 'web-0')!;
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting).toEqual({ reason: 'ErrImageNeverPull', message: 'Container image "nginx:1.25" is not present with pull policy of Never' });
    expect(get<Pod>(bare, 'Pod', 'web-1')).toBeUndefined();
    const warned = list<Event>(bare, 'Event', 'default').filter((e) => e.reason === 'ErrImageNeverPull');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ type: 'Warning', involvedObject: { name: 'web-0', fieldPath: 'spec.containers{nginx}' }, source: { component: 'kubelet' } });
    // Tried again at every pod-worker retry (10–15 s) for two minutes.
    expect(warned[0]!.count).toBeGreaterThanOrEqual(7);
    expect(warned[0]!.count).toBeLessThanOrEqual(12);

    const held = newCluster({ nodes: NODES.map((name) => ({ name, images: ['docker.io/library/nginx:1.25'] })) });
    create(held, ...never);
    waitFor(held, 'web-1 Ready', () => ready(held, 'web-1'));
    sleep(held, 5_000);
    const pulls = list<Event>(held, 'Event', 'default').filter((e) => e.reason === 'Pulled' || e.reason === 'Pulling' || e.reason === 'ErrImageNeverPull');
    expect(pulls.map((e) => [e.involvedObject?.name, e.message])).toEqual([
      ['web-0', 'Container image "nginx:1.25" already present on machine and can be accessed by the pod'],
      ['web-1', 'Container image "nginx:1.25" already present on machine and can be accessed by the pod'],
    ]);
    const nodeImages = get<Node>(held, 'Node', 'node-a')!.status!.images!;
    expect(nodeImages).toEqual([{ names: [expect.stringMatching(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/), 'docker.io/library/nginx:1.25'], sizeBytes: simulatedImageSize('nginx:1.25') }]);
  });

  it('the node\'s status.images: each node\'s kubelet patches in the images its pods pulled within 40 s (image cache, then node status sync); preloaded ones stay listed', () => {
    const sim = newCluster({ nodes: NODES.map((name) => ({ name, images: ['busybox:1.36'] })) });
    create(sim, ...f1With((set) => { set.spec.replicas = 3; set.spec.podManagementPolicy = 'Parallel'; }));
    waitFor(sim, 'all Ready', () => ['web-0', 'web-1', 'web-2'].every((n) => ready(sim, n)));
    sleep(sim, 45_000);
    for (const name of new Set(['web-0', 'web-1', 'web-2'].map((p) => get<Pod>(sim, 'Pod', p)!.spec!.nodeName!))) {
      const started = Math.min(...['web-0', 'web-1', 'web-2'].map((p) => get<Pod>(sim, 'Pod', p)!).filter((p) => p.spec!.nodeName === name)
        .map((p) => parseTimestamp(p.status!.containerStatuses![0]!.state!.running!.startedAt)!));
      expect(get<Node>(sim, 'Node', name)!.status!.images).toEqual(nodeImages(['busybox:1.36', 'nginx:1.25']));
      const patches = entriesOf(sim, 'Node', name).filter((e) => e.actor === `kubelet:${name}`);
      expect(patches).toHaveLength(1);
      expect(patches[0]!.time - started).toBeGreaterThanOrEqual(0);
      expect(patches[0]!.time - started).toBeLessThan(41_000);
    }
    // Nodes whose pods pulled nothing are not written.
    const idle = NODES.filter((n) => !['web-0', 'web-1', 'web-2'].some((p) => get<Pod>(sim, 'Pod', p)!.spec!.nodeName === n));
    for (const n of idle) expect(entriesOf(sim, 'Node', n).filter((e) => e.actor.startsWith('kubelet'))).toEqual([]);
  });

  it('a rolling update to an image no registry has stops at the highest ordinal (ErrImagePull / ImagePullBackOff); reverting the template does not free it — the forced rollback needs the pod deleted', () => {
    const sim = newCluster({ missingImages: ['nginx:9.9-bad'] });
    create(sim, ...f1With(() => undefined));
    converge(sim, 'web', 3);
    const before = new Map(['web-0', 'web-1'].map((n) => [n, get<Pod>(sim, 'Pod', n)!.metadata!.uid!]));
    const image = (img: string) => ({ spec: { template: { spec: { containers: [{ name: 'nginx', image: img, ports: [{ name: 'web', containerPort: 80 }], volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] } } } });
    patch(sim, 'StatefulSet', 'web', image('nginx:9.9-bad'));
    sleep(sim, 180_000);
    const stuck = get<Pod>(sim, 'Pod', 'web-2')!;
    expect(stuck.spec!.containers[0]!.image).toBe('nginx:9.9-bad');
    expect(stuck.status?.phase).toBe('Pending');
    expect(['ErrImagePull', 'ImagePullBackOff']).toContain(stuck.status?.containerStatuses?.[0]?.state?.waiting?.reason);
    // The lower ordinals were not touched: the rollout waits for web-2.
    for (const [n, uid] of before) expect(get<Pod>(sim, 'Pod', n)!.metadata!.uid).toBe(uid);
    const failed = list<Event>(sim, 'Event', 'default').filter((e) => e.involvedObject?.uid === stuck.metadata!.uid && e.reason === 'Failed');
    expect(failed.map((e) => e.message).sort()).toEqual([
      'Error: ErrImagePull', 'Error: ImagePullBackOff',
      'Failed to pull image "nginx:9.9-bad": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:9.9-bad": failed to resolve reference "docker.io/library/nginx:9.9-bad": docker.io/library/nginx:9.9-bad: not found',
    ]);
    // Three minutes: pulls at 0, ~10, ~30, ~70 and ~150 s (the back-off doubling) — about five.
    const pulls = failed.find((e) => e.message === 'Error: ErrImagePull')!.count as number;
    expect(pulls).toBeGreaterThanOrEqual(4);
    expect(pulls).toBeLessThanOrEqual(6);
    // Reverted: web-2 still runs the bad revision and is never Ready, and the controller waits for it.
    patch(sim, 'StatefulSet', 'web', image('nginx:1.25'));
    sleep(sim, 180_000);
    expect(get<Pod>(sim, 'Pod', 'web-2')!.metadata!.uid).toBe(stuck.metadata!.uid);
    expect(ready(sim, 'web-2')).toBe(false);
    // The forced rollback: delete it; it comes back from the reverted template and the set converges.
    del(sim, 'Pod', 'web-2');
    converge(sim, 'web', 3);
    expect(get<Pod>(sim, 'Pod', 'web-2')!.spec!.containers[0]!.image).toBe('nginx:1.25');
    for (const [n, uid] of before) expect(get<Pod>(sim, 'Pod', n)!.metadata!.uid).toBe(uid);
  });

  it('a pod deleted before its containers started: no Killing (nothing runs)', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => {
      set.spec.replicas = 1;
      set.spec.template.spec.nodeSelector = { missing: 'label' };
    }));
    waitFor(sim, 'web-0 created', () => get<Pod>(sim, 'Pod', 'web-0') !== undefined);
    del(sim, 'Pod', 'web-0');
    sleep(sim, 30_000);
    expect(list<Event>(sim, 'Event', 'default').filter((e) => e.reason === 'Killing' || e.source?.component === 'kubelet')).toEqual([]);
  });

  it('a force-deleted pod (grace 0) is gone from the API at once, and the kubelet still stops its running containers: Killing about the deleted pod, once; the new web-0 starts normally', () => {
    // One node: the new web-0 comes back to the same kubelet (same key).
    const sim = newCluster({ nodes: [{ name: 'node-a' }] });
    create(sim, ...f1With((set) => {
      set.spec.replicas = 1;
      set.spec.template.spec.initContainers = [{ name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always' }];
    }));
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const old = get<Pod>(sim, 'Pod', 'web-0')!;
    del(sim, 'Pod', 'web-0', { gracePeriodSeconds: 0 });
    waitFor(sim, 'the new web-0 Ready', () => ready(sim, 'web-0') && get<Pod>(sim, 'Pod', 'web-0')!.metadata!.uid !== old.metadata!.uid);
    // A kubelet restarted later does not stop the long-gone pod again (its fold of the log lists it).
    sim.crash('kubelet');
    sleep(sim, 1_000);
    sim.restart('kubelet');
    setReady(sim, 'web-0', false);
    sleep(sim, 30_000);
    const killing = list<Event>(sim, 'Event', 'default').filter((e) => e.reason === 'Killing');
    expect(killing.map((e) => [e.involvedObject?.uid, e.involvedObject?.fieldPath, e.message, e.count, e.source?.component, e.source?.host])).toEqual([
      [old.metadata!.uid, 'spec.containers{nginx}', 'Stopping container nginx', 1, 'kubelet', old.spec!.nodeName],
      [old.metadata!.uid, 'spec.initContainers{proxy}', 'Stopping container proxy', 1, 'kubelet', old.spec!.nodeName],
    ]);
  });

  it('a pod force-deleted while its node\'s kubelet is down: no Killing (nothing on the node acts)', () => {
    const sim = newCluster();
    create(sim, ...f1With((set) => { set.spec.replicas = 1; }));
    waitFor(sim, 'web-0 Ready', () => ready(sim, 'web-0'));
    const node = get<Pod>(sim, 'Pod', 'web-0')!.spec!.nodeName!;
    sim.fault({ fault: 'node-down', node });
    del(sim, 'Pod', 'web-0', { gracePeriodSeconds: 0 });
    sleep(sim, 30_000);
    expect(list<Event>(sim, 'Event', 'default').filter((e) => e.reason === 'Killing')).toEqual([]);
  });
});
