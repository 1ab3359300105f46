/**
 * ConfigMaps and Secrets as a pod's kubelet reads them (Kubernetes 1.35: [configmap.go, secret.go, projected.go
 * SetUpAt], [nestedpendingoperations] back-off, [kubelet_pods.go makeEnvironmentVariables], [kuberuntime
 * startContainer]): a missing source keeps the pod in ContainerCreating with `FailedMount` retried at 0.5 s
 * doubling; a missing reference in the environment keeps the container waiting in CreateContainerConfigError
 * with `Failed` `Error: …`, retried at each pod-worker retry; optional references are skipped. And the API
 * server's side: `stringData` stored base64 in `data`, `type: Opaque`, data that is not base64 refused.
 */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { parseScenario, runScenario } from '../src/index.js';
import { printPod, type ConfigMap, type Event, type Pod, type Secret } from '@kubesim/api';
import { cmd, create, del, get, list, manifests, newCluster, patch, refused, sleep, waitFor, type Json } from './harness.js';

const pod = (spec: string): Json => manifests(`apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
${spec}`)[0]!;

const configMap = (name: string, data: Record<string, string>): Json => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const secret = (name: string, stringData: Record<string, string>): Json => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData });

/** A container restarted after a crash whose Secret is gone: waiting in CreateContainerConfigError, the crash its lastState, not counted as a restart. */
type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];
const expectConfigErrorAfterCrash = (s: ContainerStatus, secretName: string): void => {
  expect(s.restartCount).toBe(0);
  expect(s.lastState?.terminated?.exitCode).toBe(1);
  expect(s.state).toEqual({ waiting: { reason: 'CreateContainerConfigError', message: `secret "${secretName}" not found` } });
};

const events = (sim: ReturnType<typeof newCluster>, reason: string): Event[] =>
  list<Event>(sim, 'Event', 'default').filter((e) => e.involvedObject?.name === 'app' && e.reason === reason);
const status = (sim: ReturnType<typeof newCluster>): string => printPod(get<Pod>(sim, 'Pod', 'app')!).reason;

describe('ConfigMaps and Secrets: the API server', () => {
  it('a Secret: stringData merged into data as base64 (over a data entry of the same key), type Opaque by default; not base64 is refused with nothing written', () => {
    const sim = newCluster();
    create(sim, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==', b: 'eQ==' }, stringData: { b: 'hunter2', c: 'é' } } as Json);
    const s = get<Secret>(sim, 'Secret', 's')!;
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ a: 'eA==', b: Buffer.from('hunter2').toString('base64'), c: Buffer.from('é').toString('base64') });
    expect(s).not.toHaveProperty('stringData');
    const before = sim.log.lastSeq();
    const err = refused(sim, 'bad base64', [{ verb: 'create', object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 't' }, data: { k: 'abc!' } } as Json }]);
    expect(err).toMatchObject({ reason: 'BadRequest', code: 400, message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3' });
    expect(sim.log.lastSeq()).toBe(before);
    // An update through stringData changes data; the type cannot change.
    patch(sim, 'Secret', 's', { stringData: { a: 'new' } });
    expect(get<Secret>(sim, 'Secret', 's')!.data!.a).toBe(Buffer.from('new').toString('base64'));
    expect(refused(sim, 'type change', [{ verb: 'patch', kind: 'Secret', namespace: 'default', name: 's', patch: { type: 'kubernetes.io/tls' } }]).message)
      .toBe('Secret "s" is invalid: [type: Invalid value: "kubernetes.io/tls": field is immutable, data[tls.crt]: Required value, data[tls.key]: Required value]');
  });

  it('an immutable ConfigMap keeps its data; invalid keys are refused', () => {
    const sim = newCluster();
    create(sim, { ...configMap('c', { 'a.conf': 'x' }), immutable: true });
    expect(refused(sim, 'change', [{ verb: 'patch', kind: 'ConfigMap', namespace: 'default', name: 'c', patch: { data: { 'a.conf': 'y' } } }]).message)
      .toBe('ConfigMap "c" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    expect(refused(sim, 'bad key', [{ verb: 'create', object: configMap('d', { 'a b': 'x' }) }]).message)
      .toBe('ConfigMap "d" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\',  or \'KEY_NAME\',  or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')');
  });
});

describe('ConfigMaps and Secrets: the kubelet', () => {
  it('a missing ConfigMap volume: ContainerCreating, FailedMount retried at 0.5 s doubling (no Pulling yet); once created the sandbox begins and the pod runs', () => {
    const sim = newCluster();
    create(sim, pod(`  containers: [{name: c, image: nginx:1.25, volumeMounts: [{name: cfg, mountPath: /etc/app}]}]
  volumes: [{name: cfg, configMap: {name: app-config}}]`));
    sleep(sim, 20_000);
    expect(status(sim)).toBe('ContainerCreating');
    const failed = events(sim, 'FailedMount');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toBe('MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found');
    // Attempts at 0, 0.5, 1.5, 3.5, 7.5 and 15.5 s after the first (within 20 s of the pod's creation).
    expect(failed[0]!.count).toBe(6);
    expect(events(sim, 'Pulling')).toHaveLength(0);
    create(sim, configMap('app-config', { 'app.conf': 'x=1' }));
    waitFor(sim, 'app Running', () => status(sim) === 'Running', 60_000);
    expect(events(sim, 'Pulling')).toHaveLength(1);
    expect(events(sim, 'FailedMount')[0]!.count).toBe(6);
  });

  it('an optional source, or one that exists, mounts at once; a projected volume reads each of its sources; an item whose key the ConfigMap lacks fails the mount', () => {
    const sim = newCluster();
    create(sim, configMap('present', { a: '1' }));
    create(sim, pod(`  containers: [{name: c, image: nginx:1.25}]
  volumes:
  - {name: opt, configMap: {name: absent, optional: true}}
  - {name: ok, configMap: {name: present}}
  - name: all
    projected: {sources: [{configMap: {name: present}}, {secret: {name: creds}}]}
  - name: item
    configMap: {name: present, items: [{key: missing, path: m}]}`));
    sleep(sim, 5_000);
    expect(status(sim)).toBe('ContainerCreating');
    expect(events(sim, 'FailedMount').map((e) => e.message).sort()).toEqual([
      'MountVolume.SetUp failed for volume "all" : secret "creds" not found',
      'MountVolume.SetUp failed for volume "item" : configmap references non-existent config key: missing',
    ]);
    create(sim, secret('creds', { u: 'x' }));
    patch(sim, 'ConfigMap', 'present', { data: { missing: '2' } });
    waitFor(sim, 'app Running', () => status(sim) === 'Running', 180_000);
  });

  it('the environment: a missing Secret or key keeps the container in CreateContainerConfigError (Warning Failed about it), tried again at the pod-worker retry; optional ones are skipped', () => {
    const sim = newCluster();
    create(sim, configMap('env', { level: 'debug' }));
    create(sim, pod(`  containers:
  - name: c
    image: nginx:1.25
    envFrom: [{configMapRef: {name: env}}, {secretRef: {name: nope, optional: true}}]
    env:
    - {name: LEVEL, valueFrom: {configMapKeyRef: {name: env, key: level}}}
    - {name: OPT, valueFrom: {configMapKeyRef: {name: env, key: absent, optional: true}}}
    - {name: PASS, valueFrom: {secretKeyRef: {name: db, key: password}}}`));
    waitFor(sim, 'CreateContainerConfigError', () => status(sim) === 'CreateContainerConfigError', 60_000);
    const p = get<Pod>(sim, 'Pod', 'app')!;
    expect(p.status!.phase).toBe('Pending');
    expect(p.status!.podIP).toBeDefined();
    expect(p.status!.containerStatuses![0]!.state).toEqual({ waiting: { reason: 'CreateContainerConfigError', message: 'secret "db" not found' } });
    sleep(sim, 30_000);
    const failed = events(sim, 'Failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ type: 'Warning', message: 'Error: secret "db" not found', involvedObject: { fieldPath: 'spec.containers{c}' } });
    // At the first try, then every 10–15 s.
    expect(failed[0]!.count).toBeGreaterThanOrEqual(3);
    expect(failed[0]!.count).toBeLessThanOrEqual(4);
    create(sim, secret('db', { user: 'root' }));
    sleep(sim, 16_000);
    expect(get<Pod>(sim, 'Pod', 'app')!.status!.containerStatuses![0]!.state!.waiting!.message).toBe("couldn't find key password in Secret default/db");
    patch(sim, 'Secret', 'db', { stringData: { password: 'x' } });
    waitFor(sim, 'app Running', () => status(sim) === 'Running', 20_000);
    sleep(sim, 1_000);
    expect(events(sim, 'Started')).toHaveLength(1);
  });

  it('an init container whose environment cannot be made: Init:CreateContainerConfigError until its ConfigMap exists', () => {
    const sim = newCluster();
    create(sim, pod(`  initContainers:
  - name: setup
    image: busybox:1.36
    envFrom: [{configMapRef: {name: setup-env}}]
  containers: [{name: c, image: nginx:1.25}]`));
    waitFor(sim, 'Init:CreateContainerConfigError', () => status(sim) === 'Init:CreateContainerConfigError', 60_000);
    sleep(sim, 1_000);
    expect(events(sim, 'Failed')[0]).toMatchObject({ message: 'Error: configmap "setup-env" not found', involvedObject: { fieldPath: 'spec.initContainers{setup}' } });
    create(sim, configMap('setup-env', { A: '1' }));
    waitFor(sim, 'app Running', () => status(sim) === 'Running', 60_000);
    expect(list<ConfigMap>(sim, 'ConfigMap', 'default').map((c) => c.metadata!.name).sort()).toEqual(['kube-root-ca.crt', 'setup-env']);
  });

  it('owned ConfigMaps and Secrets are collected with their owner; a quota counts configmaps and secrets', () => {
    const sim = newCluster();
    create(sim, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { configmaps: '3', 'count/secrets': '1' } } } as Json);
    sleep(sim, 2_000);
    const [owner] = create(sim, configMap('owner', {}));
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner!.metadata!.uid! };
    create(sim, { ...configMap('child', { a: '1' }), metadata: { name: 'child', ownerReferences: [ref] } });
    create(sim, { ...secret('child-secret', { a: '1' }), metadata: { name: 'child-secret', ownerReferences: [ref] } });
    expect(refused(sim, 'third', [{ verb: 'create', object: configMap('third', {}) }]).message)
      // (kube-root-ca.crt counts too.)
      .toBe('configmaps "third" is forbidden: exceeded quota: q, requested: configmaps=1, used: configmaps=3, limited: configmaps=3');
    expect(refused(sim, 'second secret', [{ verb: 'create', object: secret('s2', {}) }]).message)
      .toBe('secrets "s2" is forbidden: exceeded quota: q, requested: count/secrets=1, used: count/secrets=1, limited: count/secrets=1');
    del(sim, 'ConfigMap', 'owner');
    waitFor(sim, 'dependents collected', () => get(sim, 'ConfigMap', 'child') === undefined && get(sim, 'Secret', 'child-secret') === undefined, 60_000);
  });

  it('a container restarted after a crash makes its environment again: its Secret gone, it waits in CreateContainerConfigError (the pod Running, the crash its lastState); back, it restarts', () => {
    const sim = newCluster();
    create(sim, secret('db', { password: 'x' }));
    create(sim, pod(`  containers:
  - name: c
    image: nginx:1.25
    env: [{name: PASS, valueFrom: {secretKeyRef: {name: db, key: password}}}]`));
    waitFor(sim, 'app Running', () => status(sim) === 'Running', 60_000);
    cmd(sim, 'delete secret', [{ verb: 'delete', kind: 'Secret', namespace: 'default', name: 'db' }]);
    sim.fault({ fault: 'container-crash', namespace: 'default', name: 'app', exitCode: 1 });
    waitFor(sim, 'CreateContainerConfigError', () => status(sim) === 'CreateContainerConfigError', 60_000);
    const p = get<Pod>(sim, 'Pod', 'app')!;
    expect(p.status!.phase).toBe('Running');
    expectConfigErrorAfterCrash(p.status!.containerStatuses![0]!, 'db');
    create(sim, secret('db', { password: 'y' }));
    waitFor(sim, 'restarted', () => get<Pod>(sim, 'Pod', 'app')!.status!.containerStatuses![0]!.state?.running !== undefined, 30_000);
    const after = get<Pod>(sim, 'Pod', 'app')!.status!.containerStatuses![0]!;
    expect(after.restartCount).toBe(1);
    expect(after.lastState?.terminated?.exitCode).toBe(1);
    sleep(sim, 1_000);
    expect(events(sim, 'Failed').map((e) => e.message)).toEqual(['Error: secret "db" not found']);
    expect(events(sim, 'Started')[0]!.count).toBe(2);
  });
});

describe('ConfigMaps and Secrets: an init container restarted after a failure', () => {
  it('makes its environment again: its Secret gone, Init:CreateContainerConfigError with the failure as lastState; back, it runs again and the pod starts', () => {
    const sim = newCluster();
    create(sim, secret('setup', { TOKEN: 'x' }));
    create(sim, pod(`  initContainers:
  - name: setup
    image: busybox:1.36
    envFrom: [{secretRef: {name: setup}}]
  containers: [{name: c, image: nginx:1.25}]`));
    waitFor(sim, 'the init container runs', () => get<Pod>(sim, 'Pod', 'app')?.status?.initContainerStatuses?.[0]?.state?.running !== undefined, 60_000);
    cmd(sim, 'delete secret', [{ verb: 'delete', kind: 'Secret', namespace: 'default', name: 'setup' }]);
    sim.fault({ fault: 'container-crash', namespace: 'default', name: 'app', container: 'setup', exitCode: 1 });
    waitFor(sim, 'Init:CreateContainerConfigError', () => status(sim) === 'Init:CreateContainerConfigError', 60_000);
    const p = get<Pod>(sim, 'Pod', 'app')!;
    expect(p.status!.phase).toBe('Pending');
    expectConfigErrorAfterCrash(p.status!.initContainerStatuses![0]!, 'setup');
    sleep(sim, 1_000);
    expect(events(sim, 'Failed')[0]).toMatchObject({ message: 'Error: secret "setup" not found', involvedObject: { fieldPath: 'spec.initContainers{setup}' } });
    create(sim, secret('setup', { TOKEN: 'y' }));
    waitFor(sim, 'app Running', () => status(sim) === 'Running', 60_000);
    expect(get<Pod>(sim, 'Pod', 'app')!.status!.initContainerStatuses![0]!.restartCount).toBe(1);
  });
});

describe('ServiceAccounts: the serviceaccount controller and the admission plugin', () => {
  it('a namespace created later gets its default ServiceAccount and kube-root-ca.crt; a deleted account is re-created, a changed CA restored; pods there get the token volume', () => {
    const sim = newCluster();
    expect(get(sim, 'ServiceAccount', 'default')).toBeDefined();
    expect(get<ConfigMap>(sim, 'ConfigMap', 'kube-root-ca.crt')!.data!['ca.crt']).toContain('BEGIN CERTIFICATE');
    create(sim, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } as Json);
    waitFor(sim, 'shop set up', () => get(sim, 'ServiceAccount', 'default', 'shop') !== undefined && get(sim, 'ConfigMap', 'kube-root-ca.crt', 'shop') !== undefined, 10_000);
    expect(list<Json>(sim, 'ServiceAccount', 'shop')[0]!.metadata.annotations).toBeUndefined();
    cmd(sim, 'delete sa', [{ verb: 'delete', kind: 'ServiceAccount', namespace: 'shop', name: 'default' }]);
    patch(sim, 'ConfigMap', 'kube-root-ca.crt', { data: { 'ca.crt': 'tampered' } }, 'shop');
    waitFor(sim, 'repaired', () => get(sim, 'ServiceAccount', 'default', 'shop') !== undefined
      && get<ConfigMap>(sim, 'ConfigMap', 'kube-root-ca.crt', 'shop')!.data!['ca.crt']!.includes('BEGIN CERTIFICATE'), 10_000);
    create(sim, { ...pod('  containers: [{name: c, image: nginx:1.25}]'), metadata: { name: 'app', namespace: 'shop' } });
    waitFor(sim, 'app Running', () => get<Pod>(sim, 'Pod', 'app', 'shop')?.status?.phase === 'Running', 60_000);
    const p = get<Pod>(sim, 'Pod', 'app', 'shop')!;
    expect(p.spec!.serviceAccountName).toBe('default');
    expect(p.spec!.containers[0]!.volumeMounts![0]!.mountPath).toBe('/var/run/secrets/kubernetes.io/serviceaccount');
  });

  it('a StatefulSet whose pods name a missing account: FailedCreate with the admission\'s message, retried; created once the account exists', () => {
    const sim = newCluster();
    create(sim, ...manifests(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: db
      containers: [{name: c, image: nginx:1.25}]`));
    sleep(sim, 5_000);
    expect(get(sim, 'Pod', 'web-0')).toBeUndefined();
    const failed = list<Event>(sim, 'Event', 'default').filter((e) => e.reason === 'FailedCreate');
    expect(failed[0]!.message).toBe('create Pod web-0 in StatefulSet web failed error: pods "web-0" is forbidden: error looking up service account default/db: serviceaccount "db" not found');
    create(sim, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'db' } } as Json);
    waitFor(sim, 'web-0 Running', () => get<Pod>(sim, 'Pod', 'web-0')?.status?.phase === 'Running', 120_000);
    expect(get<Pod>(sim, 'Pod', 'web-0')!.spec!.serviceAccount).toBe('db');
  });
});

describe('namespaces in scenarios', () => {
  const scenario = `name: ns3
seed: 1
cluster:
  nodes: 2
  storageClasses:
    - {name: fast, provisioner: kubesim.io/hostpath, reclaimPolicy: Delete, volumeBindingMode: Immediate}
steps:
  - apply:
      inline: |
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
  - namespace: shop
    apply:
      inline: |
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {clusterIP: None, selector: {app: web}, ports: [{port: 80}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: web}
        spec:
          serviceName: web
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: c, image: nginx:1.25}]
          volumeClaimTemplates:
          - metadata: {name: data}
            spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}}
  - namespace: shop
    wait: {until: {pods: {owner: statefulset/web, names: [web-0, web-1], ready: true}, dns: {resolves: [web-1.web.shop.svc.cluster.local]}}, timeout: 1m}
  - namespace: shop
    scale: {target: statefulset/web, replicas: 1}
  - namespace: shop
    wait: {until: {pods: {owner: statefulset/web, names: [web-0]}}, timeout: 1m}
  - namespace: shop
    expect: {claims: {names: [data-web-0, data-web-1], phase: Bound}}
  - expect: {pods: {count: 0}}
`;

  it('a step\'s `namespace:` (kubectl -n) places the applied objects there and finds its target, pods and claims there; a Namespace and its objects apply in one step', () => {
    const sc = parseScenario(scenario, 'ns.yaml');
    if (E.isLeft(sc)) throw new Error(sc.left.message);
    const r = runScenario(sc.right);
    expect(r.passed, JSON.stringify(r.steps.filter((x) => x.messages.length > 0))).toBe(true);
    expect([...r.sim.api.store.list('PersistentVolumeClaim', 'shop')].map((c) => c.metadata!.name).sort()).toEqual(['data-web-0', 'data-web-1']);
    // A Namespace, a ServiceAccount in it and a pod naming that account, in one manifest.
    const both = parseScenario(['cluster: {nodes: 1}', 'steps:', '  - apply:', '      inline: |',
      '        {apiVersion: v1, kind: Namespace, metadata: {name: a}}', '        ---', '        {apiVersion: v1, kind: ServiceAccount, metadata: {name: db, namespace: a}}', '        ---',
      '        {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: a}, spec: {serviceAccountName: db, containers: [{name: c, image: "nginx:1.25"}]}}',
      '  - namespace: a', '    wait: {until: {pods: {names: [p], ready: true}}, timeout: 1m}', ''].join('\n'), 'both.yaml');
    if (E.isLeft(both)) throw new Error(both.left.message);
    const run = runScenario(both.right);
    expect(run.passed, JSON.stringify(run.steps.filter((x) => x.messages.length > 0))).toBe(true);
    expect(run.sim.api.store.get('Pod', 'a', 'p')!.spec!.serviceAccountName).toBe('db');
  });

  it('an object naming another namespace than the step\'s is refused as kubectl refuses it; a namespace that is not a DNS label too', () => {
    const mismatch = parseScenario('cluster: {nodes: 1}\nsteps:\n  - namespace: b\n    apply:\n      inline: |\n        apiVersion: v1\n        kind: ConfigMap\n        metadata: {name: c, namespace: a}\n', 'm.yaml');
    expect(E.isLeft(mismatch) && mismatch.left.message).toContain('apply: the namespace from the provided object "a" does not match the namespace "b". You must pass \'--namespace=a\' to perform this operation.');
    const bad = parseScenario('cluster: {nodes: 1}\nsteps:\n  - namespace: Shop\n    sleep: 1s\n', 'n.yaml');
    expect(E.isLeft(bad) && bad.left.message).toContain('namespace: give a namespace name (a DNS label), not "Shop"');
  });
});

