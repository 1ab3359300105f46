import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { parseScenario, runScenario } from '../src/index.js';

const cluster = `cluster:
  nodes: 1
  storageClasses:
    - {name: fast, provisioner: kubesim.io/hostpath}
`;
const sts = (patch: (s: string) => string = (s) => s) => patch(`apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  replicas: 1
  serviceName: nginx
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
      storageClassName: fast
`);
const scenarioWith = (manifest: string) => `${cluster}steps:
  - apply:
      inline: |
${manifest.split('\n').map((l) => `        ${l}`).join('\n')}
  - sleep: 10s
`;

/** Run the scenario; the apply must be refused with `message` and nothing but the bootstrap may be in the log. */
const refused = (manifest: string) => {
  const sc = parseScenario(scenarioWith(manifest), 'inline.yaml');
  if (E.isLeft(sc)) return { parseError: sc.left.message, message: '', written: 0 };
  const r = runScenario(sc.right);
  const bootstrapEnd = r.sim.log.all().filter((e) => e.actor === 'system:bootstrap' || e.actor === 'system:runtime').length;
  return { parseError: '', message: r.steps[0]!.messages.join('\n'), written: r.sim.log.lastSeq() - bootstrapEnd, fatal: r.steps[0]!.fatal, passed: r.passed };
};

describe('invalid manifests get Kubernetes-format errors and write nothing', () => {
  it.each([
    ['no selector', (s: string) => s.replace(/ {2}selector:\n {4}matchLabels:\n {6}app: nginx\n/, ''),
      'The StatefulSet "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`]'],
    ['selector not matching the template labels', (s: string) => s.replace('      app: nginx\n  template', '      app: other\n  template'),
      'The StatefulSet "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`'],
    ['negative replicas', (s: string) => s.replace('replicas: 1', 'replicas: -1'),
      'The StatefulSet "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ['an uppercase name', (s: string) => s.replace('name: web', 'name: Web'),
      'The StatefulSet "Web" is invalid: metadata.name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')'],
    ['a name with dots', (s: string) => s.replace('name: web', 'name: web.v1'),
      'The StatefulSet "web.v1" is invalid: metadata.name: Invalid value: "web.v1": must not contain dots'],
    ['an unknown StorageClass', (s: string) => s.replace('storageClassName: fast', 'storageClassName: slow'),
      'The StatefulSet "web" is invalid: spec.volumeClaimTemplates[0].spec.storageClassName: Not found: "slow": storageclasses.storage.k8s.io "slow" not found'],
  ])('%s', (_name, patch, message) => {
    const r = refused(sts(patch));
    expect(r.parseError).toBe('');
    expect(r.message).toBe(message);
    expect(r.fatal).toBe(true);
    expect(r.passed).toBe(false);
    expect(r.written).toBe(0);
  });

  it('a wrong apiVersion is refused when the scenario loads', () => {
    const r = refused(sts((s) => s.replace('apps/v1', 'apps/v2')));
    expect(r.parseError).toBe('error: resource mapping not found for name: "web" namespace: "" from "inline.yaml#step1": no matches for kind "StatefulSet" in version "apps/v2"');
  });

  it('a YAML syntax error is reported with its line', () => {
    const sc = parseScenario(`${cluster}steps:\n  - apply:\n      inline: |\n        kind: [unclosed\n`, 'bad.yaml');
    expect(E.isLeft(sc) && sc.left.message).toMatch(/^error: bad\.yaml#step1:\d+:\d+: error converting YAML to JSON: yaml: line \d+: /);
    const sc2 = parseScenario('steps: [\n', 'broken.yaml');
    expect(E.isLeft(sc2) && sc2.left.message).toMatch(/^error: broken\.yaml:\d+: /);
  });

  it('an unknown step or condition is refused with the file and line', () => {
    const sc = parseScenario(`${cluster}steps:\n  - scal: {target: statefulset/web, replicas: 3}\n`, 's.yaml');
    expect(E.isLeft(sc) && sc.left.message).toBe('error: s.yaml:6: step 1: scal: unknown step (expected one of apply, scale, delete, patch, setImage, rollout, cordon, uncordon, evict, drain, fault, unready, ready, fail, crash, restart, pause, resume, partition, heal, sleep, wait, settle, expect, remember)');
    const sc2 = parseScenario(`${cluster}steps:\n  - expect: {podz: {count: 1}}\n`, 's.yaml');
    expect(E.isLeft(sc2) && sc2.left.message).toMatch(/unknown condition "podz"/);
    const sc3 = parseScenario(`${cluster}steps:\n  - patch: {target: statefulset/web, type: json, patch: {spec: {}}}\n`, 's.yaml');
    expect(E.isLeft(sc3) && sc3.left.message).toBe('error: s.yaml:6: step 1: patch: type is strategic (the default, as kubectl patch) or merge (a JSON merge patch), not "json"');
    // A malformed label selector is refused as the API server refuses it (it must not select something else).
    const sc4 = parseScenario(`${cluster}steps:\n  - wait: {until: {all: [{pods: {selector: "app in (web", count: 1}}]}}\n`, 's.yaml');
    expect(E.isLeft(sc4) && sc4.left.message).toBe('error: s.yaml:6: step 1: wait: pods.selector "app in (web": unable to parse requirement: found \'\', expected: \',\' or \')\'');
  });

  it('images held from the start (cluster.images on every node, nodes[].images on one) and images no registry has (cluster.missingImages); anything but a list of image names is refused', () => {
    const ok = parseScenario('cluster:\n  images: [nginx:1.25]\n  nodes: [{name: a, images: [redis:7]}, b]\nsteps: []\n', 's.yaml');
    expect(E.isRight(ok) && ok.right.cluster.nodes).toEqual([{ name: 'a', images: ['nginx:1.25', 'redis:7'] }, { name: 'b', images: ['nginx:1.25'] }]);
    const notList = parseScenario('cluster: {images: nginx}\nsteps: []\n', 's.yaml');
    expect(E.isLeft(notList) && notList.left.message).toBe('error: s.yaml: cluster.images must be a list of image names');
    const blank = parseScenario('cluster: {nodes: [{name: a, images: ["nginx 1.25"]}]}\nsteps: []\n', 's.yaml');
    expect(E.isLeft(blank) && blank.left.message).toBe('error: s.yaml: cluster.nodes[0].images must be a list of image names');
    const missing = parseScenario('cluster: {missingImages: [nginx:9.9-bad]}\nsteps: []\n', 's.yaml');
    expect(E.isRight(missing) && missing.right.cluster.missingImages).toEqual(['nginx:9.9-bad']);
    const badMissing = parseScenario('cluster: {missingImages: [1]}\nsteps: []\n', 's.yaml');
    expect(E.isLeft(badMissing) && badMissing.left.message).toBe('error: s.yaml: cluster.missingImages must be a list of image names');
  });

  it('a wait refuses fields it does not know; its title names the step', () => {
    const bad = parseScenario(`${cluster}steps:\n  - wait: {until: {pods: {count: 0}}, timout: 1m}\n`, 's.yaml');
    expect(E.isLeft(bad) && bad.left.message).toBe('error: s.yaml:6: step 1: wait: unknown field "timout" (a wait takes until, timeout and title)');
    const good = parseScenario(`${cluster}steps:\n  - wait: {until: {pods: {count: 0}}, timeout: 1m, title: nothing yet}\n`, 's.yaml');
    expect(E.isRight(good) && good.right.steps[0]).toMatchObject({ op: 'wait', timeoutMs: 60_000, title: 'nothing yet' });
  });
});
