import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'kubesim-home-'));
const env = { ...process.env, KUBESIM_HOME: home };
const cli = ['--conditions=source', '--import', 'tsx', join(root, 'apps/cli/src/main.ts')];

const kubesim = (...args: string[]) => {
  const r = spawnSync(process.execPath, [...cli, ...args], { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** Poll a CLI command until its output matches (the cluster runs in real time, dilated). */
const eventually = async (args: string[], re: RegExp, timeoutMs = 30_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = kubesim(...args);
    if (re.test(r.out)) return r.out;
    if (Date.now() > deadline) throw new Error(`kubesim ${args.join(' ')} never printed ${String(re)}; last: ${r.out}${r.err}`);
    await new Promise((res) => setTimeout(res, 300));
  }
};

/**
 * The README's distributed quick start, end to end through the CLI: `kubesim up` in the background,
 * then apply -f the seed's manifests, get, scale, kill/restart a component, logs, describe, ps, a
 * disruption budget and drain/cordon/uncordon, rollout status/restart/history/undo, patch, set image, log export (checked
 * and verified), down.
 */
describe('kubesim up and the commands against a running cluster', () => {
  let up: ChildProcess;
  let upOut = '';
  beforeAll(async () => {
    up = spawn(process.execPath, [...cli, 'up', '--time-scale', '50'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    up.stdout!.on('data', (d: Buffer) => { upOut += d.toString(); });
    up.stderr!.on('data', (d: Buffer) => { upOut += d.toString(); });
    const deadline = Date.now() + 90_000;
    while (!upOut.includes('ready: NATS')) {
      if (up.exitCode !== null || Date.now() > deadline) throw new Error(`kubesim up did not come up:\n${upOut}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);
  afterAll(async () => {
    if (up && up.exitCode === null) { up.kill('SIGINT'); await new Promise((r) => up.once('exit', r)); }
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('runs the seed StatefulSet, survives a component kill, exports a log that checks and verifies, and goes down', async () => {
    expect(upOut).toMatch(/statefulset-controller\s+running/);
    const applied = kubesim('apply', '-f', 'examples/manifests/stateful-headless.yaml', '-f', 'examples/manifests/stateful-pvc.yaml');
    expect(applied.err).toBe('');
    expect(applied.out).toBe('service/stateful-headless created\nstatefulset.apps/stateful-pvc created\n');
    await eventually(['get', 'pods'], /stateful-pvc-0\s+1\/1\s+Running/);
    expect(kubesim('get', 'pvc').out).toMatch(/volume-stateful-pvc-0\s+Bound\s+pvc-/);
    expect(kubesim('apply', '-f', 'examples/manifests/stateful-pvc.yaml').out).toBe('statefulset.apps/stateful-pvc unchanged\n');

    // `get pods -w` follows the scale-up as it is committed: stateful-pvc-2 only after stateful-pvc-1 is Running and Ready.
    const watcher = spawn(process.execPath, [...cli, 'get', 'pods', '-w'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let watched = '';
    watcher.stdout!.on('data', (d: Buffer) => { watched += d.toString(); });
    watcher.stderr!.on('data', (d: Buffer) => { watched += d.toString(); });
    const watcherExit = new Promise<number | null>((r) => watcher.once('exit', (code) => r(code)));
    for (const deadline = Date.now() + 30_000; !watched.includes('stateful-pvc-0');) {
      if (Date.now() > deadline) throw new Error(`get pods -w printed no list: ${watched}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // kubectl wait --for=create, started before the scale-up creates stateful-pvc-2.
    expect(kubesim('get', 'pod', 'stateful-pvc-2').err).toBe('Error from server (NotFound): pods "stateful-pvc-2" not found\n');
    const creation = spawn(process.execPath, [...cli, 'wait', '--for=create', 'pod/stateful-pvc-2', '--timeout', '60s'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let created = '';
    creation.stdout!.on('data', (d: Buffer) => { created += d.toString(); });
    creation.stderr!.on('data', (d: Buffer) => { created += d.toString(); });
    const creationExit = new Promise<number | null>((r) => creation.once('exit', (code) => r(code)));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(kubesim('scale', 'statefulset/stateful-pvc', '--replicas', '3').out).toBe('statefulset.apps/stateful-pvc scaled\n');
    expect([await creationExit, created]).toEqual([0, 'pod/stateful-pvc-2 condition met\n']);
    expect(kubesim('wait', '--for=create', 'pod/stateful-pvc-9', '--timeout', '1s')).toMatchObject({ code: 1, err: 'error: timed out waiting for the condition\n' });
    // kubectl wait: the set's status by JSONPath, then each pod's Ready condition; a condition that never comes times out.
    expect(kubesim('wait', 'sts/stateful-pvc', '--for=jsonpath={.status.readyReplicas}=3', '--timeout', '60s')).toMatchObject({ code: 0, out: 'statefulset.apps/stateful-pvc condition met\n' });
    expect(kubesim('wait', 'pods', '-l', 'type=db2', '--for', 'condition=Ready', '--timeout', '30s').out).toBe(['0', '1', '2'].map((i) => `pod/stateful-pvc-${i} condition met\n`).join(''));
    expect(kubesim('wait', 'pod/stateful-pvc-0', '--for=condition=Ready=false', '--timeout', '1s')).toMatchObject({ code: 1, err: 'error: timed out waiting for the condition on pods/stateful-pvc-0\n' });
    expect(kubesim('wait', 'pods', '-l', 'type=none', '--for=delete')).toMatchObject({ code: 0, out: '' });
    expect(kubesim('wait', 'pods', '-l', 'type=none', '--for=condition=Ready')).toMatchObject({ code: 1, err: 'error: no matching resources found\n' });
    await eventually(['get', 'pods'], /stateful-pvc-2\s+1\/1\s+Running/);
    for (const deadline = Date.now() + 30_000; !/stateful-pvc-2 +1\/1 +Running/.test(watched);) {
      if (Date.now() > deadline) throw new Error(`get pods -w did not follow the scale-up: ${watched}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Its stable DNS name, as a pod looking it up would get it: the pod's IP.
    const ip2 = kubesim('get', 'pod', 'stateful-pvc-2', '-o', 'jsonpath={.status.podIP}').out;
    expect(ip2).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(kubesim('dns', 'stateful-pvc-2.stateful-headless').out).toBe(`stateful-pvc-2.stateful-headless.default.svc.cluster.local.\t5\tIN\tA\t${ip2}\n`);
    watcher.kill('SIGINT');
    expect(await watcherExit).toBe(1);
    const rows = watched.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE$/);
    expect(rows[1]).toMatch(/^stateful-pvc-0 +1\/1 +Running +0 +(\d+[smh])+$/);
    const firstRow = (re: RegExp): number => rows.findIndex((l) => re.test(l));
    expect(firstRow(/^stateful-pvc-1 /)).toBeGreaterThan(1);
    expect(firstRow(/^stateful-pvc-1 +1\/1 +Running/)).toBeLessThan(firstRow(/^stateful-pvc-2 /));
    // Each change's row lines up under the header (the columns remember their widths).
    expect(new Set(rows.map((l) => l.indexOf(l.split(/ +/)[1]!)))).toEqual(new Set([rows[0]!.indexOf('READY')]));

    // kill -9 the StatefulSet controller, delete a pod meanwhile, restart it: the pod comes back with its claim.
    expect(kubesim('kill', 'statefulset-controller').out).toBe('statefulset-controller killed\n');
    expect(kubesim('ps').out).toMatch(/statefulset-controller\s+killed/);
    expect(kubesim('delete', 'pod/stateful-pvc-1').out).toBe('pod "stateful-pvc-1" deleted from default namespace\n');
    expect(kubesim('restart', 'statefulset-controller').out).toBe('statefulset-controller restarted\n');
    await eventually(['get', 'pods'], /stateful-pvc-1\s+1\/1\s+Running/);
    expect(kubesim('describe', 'pod/stateful-pvc-1').out).toMatch(/\nStatus: +Running\n[\s\S]*ClaimName: +volume-stateful-pvc-1\n[\s\S]*Events:[\s\S]*Scheduled/);
    expect(kubesim('logs', 'statefulset-controller').out).toMatch(/SIGKILL|running \(pid \d+\)[\s\S]*running \(pid \d+\)/);

    // Freeze the scheduler and cut the kubelet off NATS while a pod is replaced; both come back.
    expect(kubesim('pause', 'scheduler').out).toBe('scheduler paused\n');
    expect(kubesim('ps').out).toMatch(/^scheduler\s+paused\s/m);
    expect(kubesim('partition', 'kubelet').out).toBe('kubelet partitioned (kubesim heal ends it)\n');
    expect(kubesim('ps').out).toMatch(/^kubelet\s+\S+ \(partitioned\)\s/m);
    expect(kubesim('partition', 'kubelet').err).toBe('error: kubelet is already partitioned\n');
    expect(kubesim('partition', 'scheduler', '--for', 'soon').err).toBe('error: --for must be a duration like 10s, got "soon"\n');
    // kubectl delete waits for the pod to be gone, which its cut-off kubelet cannot confirm: the wait times out.
    const cutOff = kubesim('delete', 'pod', 'stateful-pvc-2', '--timeout', '2s');
    expect([cutOff.code, cutOff.out, cutOff.err]).toEqual([1, 'pod "stateful-pvc-2" deleted from default namespace\n', 'error: timed out waiting for the condition on pods/stateful-pvc-2\n']);
    expect(kubesim('resume', 'scheduler').out).toBe('scheduler resumed\n');
    expect(kubesim('heal', 'kubelet').out).toBe('kubelet healed\n');
    expect(kubesim('resume', 'scheduler').err).toBe('error: scheduler is not paused\n');
    await eventually(['get', 'pods'], /stateful-pvc-2\s+1\/1\s+Running/);
    expect(kubesim('logs', 'kubelet').out).toMatch(/nats disconnect[\s\S]*nats reconnect/);

    // A disruption budget, then node maintenance: drain evicts node-a's pods one at a time, honouring it.
    const pdb = join(home, 'pdb.yaml');
    writeFileSync(pdb, 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: stateful-pvc}\nspec: {minAvailable: 2, selector: {matchLabels: {type: db2}}}\n');
    expect(kubesim('apply', '-f', pdb).out).toBe('poddisruptionbudget.policy/stateful-pvc created\n');
    await eventually(['get', 'pdb'], /^stateful-pvc\s+2\s+N\/A\s+1\s+/m);
    const drained = kubesim('drain', 'node-a', '--timeout', '10m');
    expect(drained.err).toBe('');
    expect(drained.code).toBe(0);
    const lines0 = drained.out.trim().split('\n');
    expect(lines0[0]).toBe('node/node-a cordoned');
    expect(lines0.at(-1)).toBe('node/node-a drained');
    for (const l of lines0.slice(1, -1)) expect(l).toMatch(/^(evicting pod default\/stateful-pvc-\d|pod\/stateful-pvc-\d evicted|error when evicting pods\/"stateful-pvc-\d" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\.)$/);
    expect(kubesim('cordon', 'node-a').out).toBe('node/node-a already cordoned\n');
    await eventually(['get', 'pdb'], /^stateful-pvc\s+2\s+N\/A\s+1\s+/m, 60_000);
    expect(kubesim('get', 'pods', '-o', 'wide').out).not.toMatch(/node-a/);
    expect(kubesim('uncordon', 'node-a').out).toBe('node/node-a uncordoned\n');

    // kubectl rollout: status follows the set, restart makes a new revision and a rolling update, undo goes back.
    const settled = kubesim('rollout', 'status', 'statefulset/stateful-pvc', '--timeout', '2m');
    expect(settled.code, settled.err).toBe(0);
    expect(settled.out.trim().split('\n').at(-1)).toBe('partitioned roll out complete: 3 new pods have been updated...');
    expect(kubesim('rollout', 'restart', 'statefulset/stateful-pvc').out).toBe('statefulset.apps/stateful-pvc restarted\n');
    const restarted = kubesim('rollout', 'status', 'statefulset/stateful-pvc', '--timeout', '2m');
    expect(restarted.code, restarted.err).toBe(0);
    expect(restarted.out.trim().split('\n').at(-1)).toBe('partitioned roll out complete: 3 new pods have been updated...');
    expect(kubesim('rollout', 'history', 'statefulset/stateful-pvc').out).toBe('statefulset.apps/stateful-pvc \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n');
    expect(kubesim('rollout', 'history', 'statefulset/stateful-pvc', '--revision', '2').out).toMatch(/^statefulset\.apps\/stateful-pvc with revision #2\nPod Template:\n[\s\S]*kubectl\.kubernetes\.io\/restartedAt: \d{4}-/);
    const missing = kubesim('rollout', 'undo', 'statefulset/stateful-pvc', '--to-revision', '9');
    expect([missing.code, missing.err]).toEqual([1, 'error: unable to find specified revision 9 in history\n']);
    expect(kubesim('rollout', 'restart', 'replicaset/nothing').err).toBe('Error from server (NotFound): replicasets.apps "nothing" not found\n');
    expect(kubesim('rollout', 'pause', 'statefulset/stateful-pvc').err).toBe('error: statefulsets.apps "stateful-pvc" pausing is not supported\n');
    expect(kubesim('rollout', 'undo', 'statefulset/stateful-pvc').out).toBe('statefulset.apps/stateful-pvc rolled back\n');
    await eventually(['rollout', 'status', 'statefulset/stateful-pvc', '--watch=false'], /^partitioned roll out complete: 3 new pods have been updated\.\.\.$/m, 120_000);
    expect(kubesim('rollout', 'undo', 'statefulset/stateful-pvc', '--to-revision', '3').out).toBe('statefulset.apps/stateful-pvc skipped rollback (current template already matches revision 3)\n');
    // kubectl patch: a strategic merge patch — the container merged by name keeps its volume mount.
    const image = '{"spec":{"template":{"spec":{"containers":[{"name":"container","image":"mongo-db:2"}]}}}}';
    expect(kubesim('patch', 'statefulset/stateful-pvc', '-p', image).out).toBe('statefulset.apps/stateful-pvc patched\n');
    // `(no change)` compares the object before and after (kubectl's DeepEqual): only once the rolling update the
    // first patch started has settled does no status write slip in between.
    await eventually(['rollout', 'status', 'statefulset/stateful-pvc', '--watch=false'], /^partitioned roll out complete: 3 new pods have been updated\.\.\.$/m, 120_000);
    expect(kubesim('patch', 'statefulset/stateful-pvc', '-p', image).out).toBe('statefulset.apps/stateful-pvc patched (no change)\n');
    expect(kubesim('patch', 'statefulset/stateful-pvc', '-p', image, '--type', 'json').err).toBe('error: --type json (a JSON patch, RFC 6902) is not supported by kubesim: use strategic (the default) or merge\n');
    expect(kubesim('patch', 'statefulset/stateful-pvc', '-p', image, '--type', 'apply').err).toBe('error: --type must be one of [json merge strategic], not "apply"\n');
    const patched = kubesim('get', 'statefulset', 'stateful-pvc', '-o', 'json');
    const tplSpec = (JSON.parse(patched.out) as { spec: { template: { spec: { containers: { image: string; volumeMounts: { mountPath: string }[] }[] } } } }).spec.template.spec;
    expect(tplSpec.containers.map((c) => [c.image, c.volumeMounts.map((m) => m.mountPath)])).toEqual([['mongo-db:2', ['/applog']]]);
    await eventually(['rollout', 'status', 'statefulset/stateful-pvc', '--watch=false'], /^partitioned roll out complete: 3 new pods have been updated\.\.\.$/m, 120_000);
    // kubectl set image: the same strategic merge of the container by name.
    expect(kubesim('set', 'image', 'statefulset/stateful-pvc', 'container=mongo-db:3').out).toBe('statefulset.apps/stateful-pvc image updated\n');
    const unknownContainer = kubesim('set', 'image', 'statefulset/stateful-pvc', 'nope=mongo-db:3');
    expect([unknownContainer.code, unknownContainer.out, unknownContainer.err]).toEqual([1, '', 'error: unable to find container named "nope"\n']);
    await eventually(['rollout', 'status', 'statefulset/stateful-pvc', '--watch=false'], /^partitioned roll out complete: 3 new pods have been updated\.\.\.$/m, 120_000);

    // kubectl habits: namespaces (-n), TYPE NAME, label and annotate, delete's lines, a namespace deleted with its content.
    const web = join(home, 'web.yaml');
    writeFileSync(web, ['apiVersion: v1', 'kind: Service', 'metadata: {name: web}', 'spec: {clusterIP: None, selector: {app: web}, ports: [{port: 80, name: http}]}', '---',
      'apiVersion: apps/v1', 'kind: StatefulSet', 'metadata: {name: web}', 'spec:', '  serviceName: web', '  replicas: 1', '  selector: {matchLabels: {app: web}}',
      '  template:', '    metadata: {labels: {app: web}}', '    spec: {terminationGracePeriodSeconds: 5, containers: [{name: nginx, image: nginx:1.25}]}', ''].join('\n'));
    expect(kubesim('create', 'namespace', 'team').out).toBe('namespace/team created\n');
    expect(kubesim('apply', '-f', web, '-n', 'team').out).toBe('service/web created\nstatefulset.apps/web created\n');
    const elsewhere = join(home, 'elsewhere.yaml');
    writeFileSync(elsewhere, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: elsewhere}\ndata: {}\n');
    expect(kubesim('apply', '-f', elsewhere, '-n', 'team').err).toBe('error: the namespace from the provided object "elsewhere" does not match the namespace "team". You must pass \'--namespace=elsewhere\' to perform this operation.\n');
    expect(kubesim('scale', 'sts', 'web', '--replicas', '2', '-n', 'team').out).toBe('statefulset.apps/web scaled\n');
    expect(kubesim('scale', 'sts', '--replicas', '2', '-n', 'team').err).toBe('error: resource(s) were provided, but no name was specified\n');
    expect(kubesim('scale', 'sts', 'web', '--replicas', '2').err).toBe('Error from server (NotFound): statefulsets.apps "web" not found\n');
    await eventually(['get', 'pods', '-n', 'team'], /web-1\s+1\/1\s+Running/);
    // kubesim fault: a pod fault recorded in the log and carried out by the kubelet process; bad ones refused before anything is sent.
    expect(kubesim('fault', 'container-crash', 'name=web-1', 'count=1', '-n', 'team').out).toBe('fault container-crash recorded\n');
    await eventually(['get', 'pod', 'web-1', '-n', 'team', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'], /^1$/, 60_000);
    expect(kubesim('fault', 'probe-failure', 'name=web-1', 'probe=readiness', '-n', 'team')).toMatchObject({ code: 1, err: 'error: fault probe-failure: a readiness probe needs "durationMs", how long it fails (a positive number)\n' });
    expect(kubesim('fault', 'watch-delay', 'component=kubelet').err).toBe('error: unknown fault "watch-delay": one of container-crash, probe-failure, pod-readiness, pod-fail, node-down, node-up\n');
    expect(kubesim('label', 'pod', 'web-0', 'tier=db', '-n', 'team').out).toBe('pod/web-0 labeled\n');
    const clash = kubesim('label', 'pod/web-0', 'tier=cache', '-n', 'team');
    expect([clash.code, clash.err]).toEqual([1, 'error: \'tier\' already has a value (db), and --overwrite is false\n']);
    expect(kubesim('label', 'pod/web-0', 'tier=cache', '--overwrite', '-n', 'team').out).toBe('pod/web-0 labeled\n');
    expect(kubesim('label', 'pods', '-l', 'app=web', 'owner=me', '-n', 'team').out).toBe('pod/web-0 labeled\npod/web-1 labeled\n');
    expect(kubesim('get', 'pods', '-n', 'team', '-l', 'tier=cache,owner=me').out).toMatch(/^NAME[^\n]*\nweb-0 [^\n]*\n$/);
    expect(kubesim('label', 'pod/web-0', 'tier-', '-n', 'team').out).toBe('pod/web-0 unlabeled\n');
    expect(kubesim('annotate', 'sts', 'web', 'note=primary', '-n', 'team').out).toBe('statefulset.apps/web annotated\n');
    expect(kubesim('annotate', 'sts', 'web', 'note=other', '-n', 'team').err).toBe('error: --overwrite is false but found the following declared annotation(s): \'note\' already has a value (primary)\n');
    expect(kubesim('describe', 'sts', 'web', '-n', 'team').out).toMatch(/^Name: +web\nNamespace: +team\n/);
    const partly = kubesim('delete', 'pod', 'web-1', 'nope', '-n', 'team');
    expect([partly.code, partly.out, partly.err]).toEqual([1, 'pod "web-1" deleted from team namespace\n', 'Error from server (NotFound): pods "nope" not found\n']);
    expect(kubesim('delete', 'pods', '-l', 'app=none', '-n', 'team').out).toBe('No resources found\n');
    // --field-selector on label and delete: the fields the API server selects, refused as it refuses them.
    expect(kubesim('label', 'pods', '--field-selector', 'metadata.name=web-0', 'picked=yes', '-n', 'team').out).toBe('pod/web-0 labeled\n');
    expect(kubesim('delete', 'pods', '--field-selector', 'status.phase=Failed', '-n', 'team').out).toBe('No resources found\n');
    expect(kubesim('delete', 'pods', '--field-selector', 'spec.foo=x', '-n', 'team')).toMatchObject({ code: 1, err: 'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=x": field label not supported: spec.foo\n' });
    expect(kubesim('delete', 'ns', 'default').err).toBe('Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted\n');
    // The namespace goes with its content: the namespace controller deletes the set, its pods and the Service, then finalizes it.
    // kubectl delete waits until the namespace is gone (--wait, the default).
    const nsDeleted = kubesim('delete', 'namespace', 'team', '--timeout', '50s');
    expect([nsDeleted.code, nsDeleted.out, nsDeleted.err]).toEqual([0, 'namespace "team" deleted\n', '']);
    expect(kubesim('get', 'namespace', 'team').err).toBe('Error from server (NotFound): namespaces "team" not found\n');
    expect(kubesim('get', 'all', '-n', 'team').out).toBe('');

    const file = join(home, 'run.jsonl');
    expect(kubesim('log', 'export', '-o', file).code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ kubesim: 'log', mode: 'distributed', timeScale: 50 });
    expect(lines.some((l) => l.includes('"fault":"crash","component":"statefulset-controller"'))).toBe(true);
    for (const f of ['"fault":"pause","component":"scheduler"', '"fault":"resume","component":"scheduler"', '"fault":"partition","component":"kubelet"', '"fault":"heal","component":"kubelet"']) {
      expect(lines.some((l) => l.includes(f)), f).toBe(true);
    }
    const verified = kubesim('verify', file, '--chain-only');
    expect(verified.out).toMatch(/hash chain intact/);
    const checked = kubesim('check', file);
    expect(checked.out, checked.out.split('\n').filter((l) => /FAIL|violation|^ {2}[A-Z]+[0-9]* .*(seq|at)/.test(l)).join('\n')).toMatch(/OK: \d+ checkers, no violation/);
    expect(kubesim('get', 'pods', '--log', file).out).toMatch(/stateful-pvc-1/);
    // Revision 1 came back as revision 3 (its ControllerRevision reused); the patch made revision 4, set image 5.
    expect(kubesim('rollout', 'history', 'statefulset/stateful-pvc', '--log', file).out).toBe('statefulset.apps/stateful-pvc \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n4         <none>\n5         <none>\n');

    expect(kubesim('down').out).toMatch(/stopping/);
    await new Promise((r) => up.once('exit', r));
    expect(up.exitCode).toBe(0);
    expect(existsSync(join(home, 'contexts', 'default.json'))).toBe(false);
    expect(kubesim('get', 'pods').err).toMatch(/no running cluster "default"/);
  }, 240_000);
});
