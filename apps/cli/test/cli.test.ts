import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'kubesim-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const kubesim = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'apps/cli/src/main.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const log = join(tmp, 'seed.jsonl');

describe('kubesim CLI', () => {
  it('run: prints progress, what happened, the final state and a PASS verdict, and records the log', () => {
    const r = kubesim('run', 'examples/seed-statefulset.yaml', '--log', log);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('What happened:');
    expect(r.out).toMatch(/claim volume-stateful-pvc-0 created \(1G, ReadWriteOnce, class fast\)/);
    expect(r.out).toMatch(/DNS \+ stateful-pvc-0\.stateful-headless\.default\.svc\.cluster\.local → 10\./);
    expect(r.out).toMatch(/\nPASS\n$/);
    const header = JSON.parse(readFileSync(log, 'utf8').split('\n')[0]!) as { kubesim: string; seed: number; scenario: { name: string } };
    expect(header.kubesim).toBe('log');
    expect(header.seed).toBe(1);
    expect(header.scenario.name).toBe('seed-statefulset');
  });

  it('run: a --log that cannot be written is refused before the run (nothing runs, nothing is written)', () => {
    const noDir = join(tmp, 'no-such-dir', 'x.jsonl');
    const r = kubesim('run', 'examples/seed-statefulset.yaml', '--log', noDir);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: cannot write the log to ${noDir}: no directory ${join(tmp, 'no-such-dir')}\n`);
    expect(r.out).toBe('');
    const dir = kubesim('run', 'examples/seed-statefulset.yaml', '--log', tmp);
    expect(dir.code).toBe(2);
    expect(dir.err).toBe(`error: cannot write the log to ${tmp}: it is a directory\n`);
  });

  it('run: the same seed gives the same log file', () => {
    const again = join(tmp, 'again.jsonl');
    expect(kubesim('run', 'examples/seed-statefulset.yaml', '-q', '--log', again).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(log, 'utf8'));
  });

  it('get: prints pods of the recorded run like kubectl, as they were at any seq', () => {
    const r = kubesim('get', 'pods', '--log', log);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'stateful-pvc-0 1/1 Running', 'stateful-pvc-1 1/1 Running', 'stateful-pvc-2 1/1 Running',
    ]);
    // Right after the first claim was created, before its volume was provisioned.
    const claimAdded = readFileSync(log, 'utf8').split('\n').slice(1).filter((l) => l !== '').map((l) => JSON.parse(l) as { seq: number; type: string; object?: { kind?: string } })
      .find((e) => e.type === 'ADDED' && e.object?.kind === 'PersistentVolumeClaim')!.seq;
    const early = kubesim('get', 'pvc', '--log', log, '--at', String(claimAdded));
    expect(early.code).toBe(0);
    expect(early.out).toMatch(/^volume-stateful-pvc-0\s+Pending/m);
    // A virtual time, as replay takes it: the last entry at or before it; ages counted to that time.
    const entries = readFileSync(log, 'utf8').split('\n').slice(1).filter((l) => l !== '').map((l) => JSON.parse(l) as { seq: number; time: number; type: string; object?: { kind?: string } });
    const claimAt = entries.find((e) => e.seq === claimAdded)!.time;
    // (Rounded up to the microsecond: a time printed below the entry's would show the state before it.)
    const byTime = kubesim('get', 'pvc', '--log', log, '--at', `t=${(Math.ceil(claimAt * 1000) / 1e6).toFixed(6)}`);
    expect(byTime.code).toBe(0);
    expect(byTime.out).toMatch(/^volume-stateful-pvc-0\s+Pending/m);
    expect(kubesim('get', 'nodes', '--log', log, '--at', 't=90s').out).toMatch(/^node-a\s+Ready\s+<none>\s+90s\s/m);
    expect(kubesim('get', 'pods', '--log', log, '--at', 't=0').err).toBe('No resources found in default namespace.\n');
    const badTime = kubesim('get', 'pods', '--log', log, '--at', 't=soon');
    expect(badTime.code).toBe(2);
    expect(badTime.err).toBe('error: --at t=soon: give a virtual time like t=12.5s, t=500ms or t=2m\n');
    const json = JSON.parse(kubesim('get', 'sts', '--log', log, '-o', 'json').out) as { kind: string; items: { metadata: { name: string } }[] };
    expect(json.kind).toBe('List');
    expect(json.items.map((i) => i.metadata.name)).toEqual(['stateful-pvc']);
    expect(kubesim('get', 'pod', 'nope', '--log', log).err).toBe('Error from server (NotFound): pods "nope" not found\n');
  });

  it('get: several types (`sts,pvc`, `all`) print a table each, names as kind/name, separated by a blank line; -A adds NAMESPACE', () => {
    const r = kubesim('get', 'sts,pvc', '--log', log);
    expect(r.code).toBe(0);
    const [sets, claims, more] = r.out.split('\n\n');
    expect(more).toBeUndefined();
    // The run ends once the re-created pod is Ready; the set's status may not have counted it yet (2/3 or 3/3).
    expect(sets).toMatch(/^NAME\s+READY\s+AGE\nstatefulset\.apps\/stateful-pvc\s+[23]\/3\s+\S+$/);
    expect(claims!.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
      'persistentvolumeclaim/volume-stateful-pvc-0', 'persistentvolumeclaim/volume-stateful-pvc-1', 'persistentvolumeclaim/volume-stateful-pvc-2',
    ]);
    // `all`: pods, services, replicasets, statefulsets (those with objects) — the API server's own `kubernetes`
    // Service first among the services, as in any cluster.
    const all = kubesim('get', 'all', '--log', log).out.split('\n\n').map((t) => t.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[0]));
    expect(all).toEqual([['pod/stateful-pvc-0', 'pod/stateful-pvc-1', 'pod/stateful-pvc-2'], ['service/kubernetes', 'service/stateful-headless'], ['statefulset.apps/stateful-pvc']]);
    // A name looked up in each type; the missing ones reported.
    const named = kubesim('get', 'pods,sts', 'stateful-pvc', '--log', log);
    expect(named.code).toBe(1);
    expect(named.out).toMatch(/^NAME\s+READY\s+AGE\nstatefulset\.apps\/stateful-pvc\s/);
    expect(named.err).toBe('Error from server (NotFound): pods "stateful-pvc" not found\n');
    expect(kubesim('get', 'pods,widgets', '--log', log).err).toBe('error: the server doesn\'t have a resource type "widgets"\n');
    const json = JSON.parse(kubesim('get', 'sts,svc', '--log', log, '-o', 'json').out) as { kind: string; items: { kind: string; metadata: { name: string } }[] };
    expect(json.items.map((i) => `${i.kind}/${i.metadata.name}`)).toEqual(['StatefulSet/stateful-pvc', 'Service/kubernetes', 'Service/stateful-headless']);
    // v1 Endpoints: the API server's deprecation warning on stderr (once), as kubectl prints it; the kubernetes
    // Service's endpoints are the API server's address.
    const ep = kubesim('get', 'svc,ep', '--log', log);
    expect(ep.err).toBe('Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n');
    expect(ep.out).toMatch(/\nendpoints\/kubernetes +172\.18\.0\.1:6443 +\d+s\n/);
    expect(kubesim('describe', 'endpoints/kubernetes', '--log', log).err).toBe('Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n');
    expect(kubesim('get', 'svc,endpointslices', '--log', log).err).toBe('');
    expect(kubesim('get', 'pods', '-A', '--log', log).out).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\ndefault\s+stateful-pvc-0\s/);
    // -l: a label selector; --show-labels: the labels, sorted, as the last column.
    const selected = kubesim('get', 'pods', '-l', 'statefulset.kubernetes.io/pod-name in (stateful-pvc-0,stateful-pvc-2)', '--show-labels', '--log', log).out.trimEnd().split('\n');
    expect(selected[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS$/);
    expect(selected.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['stateful-pvc-0', 'stateful-pvc-2']);
    expect(selected[1]).toMatch(/\s+apps\.kubernetes\.io\/pod-index=0,controller-revision-hash=stateful-pvc-[0-9a-z]+,statefulset\.kubernetes\.io\/pod-name=stateful-pvc-0,type=db2$/);
    expect(kubesim('get', 'pods', '-l', 'type!=db2', '--log', log).err).toBe('No resources found in default namespace.\n');
    // A malformed selector is refused as the API server refuses the list (labels.Parse), not read leniently.
    const bad = kubesim('get', 'pods', '-l', 'component not in (x)', '--log', log);
    expect([bad.code, bad.out, bad.err]).toEqual([1, '', 'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "component not in (x)", field selector "": unable to parse requirement: found \'not\', expected: in, notin, =, ==, !=, gt, lt\n']);
  });

  it('get -o name, jsonpath=…, custom-columns=…: kubectl\'s other printers', () => {
    expect(kubesim('get', 'sts,pvc', '-o', 'name', '--log', log).out).toBe('statefulset.apps/stateful-pvc\npersistentvolumeclaim/volume-stateful-pvc-0\npersistentvolumeclaim/volume-stateful-pvc-1\npersistentvolumeclaim/volume-stateful-pvc-2\n');
    // A list is a List (items), a named object itself; no newline is added.
    expect(kubesim('get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}', '--log', log).out).toBe('stateful-pvc-0 stateful-pvc-1 stateful-pvc-2');
    const claims = kubesim('get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.volumes[?(@.name=="volume")].persistentVolumeClaim.claimName}{"\\n"}{end}', '--log', log).out;
    expect(claims).toBe('stateful-pvc-0=volume-stateful-pvc-0\nstateful-pvc-1=volume-stateful-pvc-1\nstateful-pvc-2=volume-stateful-pvc-2\n');
    expect(kubesim('get', 'pod', 'stateful-pvc-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}', '--log', log).out).toBe('True');
    const cols = kubesim('get', 'pvc', '-o', 'custom-columns=NAME:.metadata.name,MODES:.spec.accessModes,OWNER:.metadata.ownerReferences[0].name', '--log', log).out.split('\n');
    expect(cols[0]).toMatch(/^NAME +MODES +OWNER$/);
    expect(cols[1]).toMatch(/^volume-stateful-pvc-0 +\[ReadWriteOnce\] +<none>$/);
    expect(kubesim('get', 'pods', '-o', 'jsonpath={.items[7]}', '--log', log).err).toMatch(/^error: error executing jsonpath "\{\.items\[7\]\}": Error executing template: array index out of bounds: index 7, length 3\./);
    expect(kubesim('get', 'pods', '-o', 'jsonpath={.items[', '--log', log).err).toBe('error: error parsing jsonpath {.items[, unterminated array\n');
    // --field-selector: the fields the API server makes selectable, refused as it refuses them.
    const nodeOf1 = kubesim('get', 'pod', 'stateful-pvc-1', '-o', 'jsonpath={.spec.nodeName}', '--log', log).out;
    expect(kubesim('get', 'pods', '--field-selector', `spec.nodeName=${nodeOf1}`, '-o', 'name', '--log', log).out).toMatch(/^(pod\/stateful-pvc-\d\n)*pod\/stateful-pvc-1\n/);
    expect(kubesim('get', 'pods', '--field-selector', `status.phase=Running,spec.nodeName!=${nodeOf1}`, '-o', 'name', '--log', log).out).not.toContain('stateful-pvc-1');
    expect(kubesim('get', 'events', '--field-selector', 'involvedObject.name=stateful-pvc-1,reason=Killing', '-o', 'jsonpath={.items[*].reason}', '--log', log).out).toMatch(/^Killing( Killing)*$/);
    expect(kubesim('get', 'sts', '--field-selector', 'spec.replicas=3', '--log', log)).toMatchObject({ code: 1, out: '', err: 'Error from server (BadRequest): Unable to find "apps/v1, Resource=statefulsets" that match label selector "", field selector "spec.replicas=3": "spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"\n' });
    // -L: label columns (the key's last segment in capitals); --no-headers; --sort-by a JSONPath (natural order).
    const labelled = kubesim('get', 'pods', '-L', 'type,statefulset.kubernetes.io/pod-name', '--no-headers', '--log', log).out.trimEnd().split('\n');
    expect(labelled.map((l) => l.split(/ +/).slice(-2).join(' '))).toEqual(['db2 stateful-pvc-0', 'db2 stateful-pvc-1', 'db2 stateful-pvc-2']);
    expect(kubesim('get', 'pods', '-L', 'type', '--log', log).out.split('\n')[0]).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE +TYPE$/);
    const byIp = kubesim('get', 'pods', '--sort-by', '.status.podIP', '-o', 'jsonpath={.items[*].status.podIP}', '--log', log).out.split(' ');
    expect(byIp).toHaveLength(3);
    expect([...byIp].sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]))).toEqual(byIp);
    expect(kubesim('get', 'pods', '--sort-by', '{.spec.nope}', '--log', log)).toMatchObject({ code: 1, err: 'error: couldn\'t find any field with path "{.spec.nope}" in the list of objects\n' });
    // A path that fails on an object (an index out of bounds) is an error, not a crash — in sort-by, custom-columns and a watch.
    expect(kubesim('get', 'pods', '--sort-by', '.spec.containers[3].name', '--log', log)).toMatchObject({ code: 1, err: 'error: array index out of bounds: index 3, length 1\n' });
    expect(kubesim('get', 'pods', '-o', 'custom-columns=X:.spec.containers[5].name', '--log', log)).toMatchObject({ code: 1, out: '', err: 'error: array index out of bounds: index 5, length 1\n' });
    expect(kubesim('get', 'pods', '-w', '-o', 'jsonpath={.spec.containers[4]}', '--log', log)).toMatchObject({ code: 1, err: 'error: array index out of bounds: index 4, length 1\n' });
    expect(kubesim('get', 'pods', '-o', 'go-template={{.kind}}', '--log', log).err).toBe('error: unable to match a printer suitable for the output format "go-template={{.kind}}", allowed formats are: custom-columns,json,jsonpath,name,wide,yaml\n');
  });

  it('get -w --log: what kubectl get -w would have printed over the run — the list at --at, then every change, aligned under one header', () => {
    const r = kubesim('get', 'pods', '-w', '--log', log);
    expect([r.code, r.err]).toEqual([0, '']);
    const rows = r.out.trimEnd().split('\n');
    // From the log's start nothing exists: the header comes with the first change.
    expect(rows[0]).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE$/);
    const cells = rows.slice(1).map((l) => l.split(/ +/));
    const first = (name: string, status?: string): number => cells.findIndex((c) => c[0] === name && (status === undefined || c[2] === status));
    // OrderedReady: each pod appears only once its predecessor has been Running; a scale-down stops 2, then 1, then 0.
    expect(first('stateful-pvc-0', 'Running')).toBeLessThan(first('stateful-pvc-1'));
    expect(first('stateful-pvc-1', 'Running')).toBeLessThan(first('stateful-pvc-2'));
    expect(first('stateful-pvc-2', 'Terminating')).toBeLessThan(first('stateful-pvc-1', 'Terminating'));
    expect(first('stateful-pvc-1', 'Terminating')).toBeLessThan(first('stateful-pvc-0', 'Terminating'));
    expect(cells[0]).toEqual(['stateful-pvc-0', '0/1', 'Pending', '0', '0s']);
    // liggitt/tabwriter RememberWidths: every row's READY column where the header has it, though STATUS widened.
    expect(new Set(rows.map((l) => l.indexOf(l.split(/ +/)[1]!)))).toEqual(new Set([rows[0]!.indexOf('READY')]));
    expect(rows.some((l) => /^stateful-pvc-\d +1\/1 +Running {13}0 /.test(l))).toBe(true);

    // One pod from the second scale-up on (stateful-pvc-0 created again), as watch events: its deletion, then its return.
    const entries = readFileSync(log, 'utf8').split('\n').slice(1).filter((l) => l !== '').map((l) => JSON.parse(l) as { seq: number; type: string; object?: { kind?: string; metadata?: { name?: string } } });
    const again = String(entries.filter((e) => e.type === 'ADDED' && e.object?.kind === 'Pod' && e.object.metadata?.name === 'stateful-pvc-0').at(-1)!.seq);
    const one = kubesim('get', 'pod', 'stateful-pvc-1', '-w', '--output-watch-events', '--at', again, '--log', log).out.trimEnd().split('\n');
    expect(one[0]).toMatch(/^EVENT +NAME +READY +STATUS +RESTARTS +AGE$/);
    const types = one.slice(1).map((l) => l.split(/ +/)[0]);
    expect(types[0]).toBe('ADDED');
    const deleted = types.indexOf('DELETED');
    expect(deleted).toBeGreaterThan(0);
    expect(types.slice(1, deleted).every((t) => t === 'MODIFIED')).toBe(true);
    expect(types[deleted + 1]).toBe('ADDED');
    expect(one[deleted + 2]).toMatch(/^ADDED +stateful-pvc-1 +0\/1 +Pending +0 +0s$/);

    // -o json: each object as its own document; with --output-watch-events, {type, object} in metav1.WatchEvent's field order.
    const json = kubesim('get', 'pvc', 'volume-stateful-pvc-0', '-w', '-o', 'json', '--output-watch-events', '--log', log).out;
    expect(json.startsWith('{\n    "type": "ADDED",\n    "object": {\n        "apiVersion": "v1",\n')).toBe(true);
    const docs = json.split(/\n(?=\{\n)/).map((d) => JSON.parse(d) as { type: string; object: { status?: { phase?: string } } });
    expect(docs.map((d) => d.type)).toEqual(['ADDED', ...docs.slice(1).map(() => 'MODIFIED')]);
    expect(docs.at(-1)!.object.status?.phase).toBe('Bound');
    // --watch-only: no list first; a watch is of one type only; watch events need a watch.
    const listed = kubesim('get', 'pods', '-w', '--at', again, '--log', log).out.split('\n');
    const changesOnly = kubesim('get', 'pods', '--watch-only', '--at', again, '--log', log).out.split('\n');
    expect(listed[1]).toMatch(/^stateful-pvc-0 +0\/1 +Pending +0 +0s$/);
    expect(changesOnly.slice(1)).toEqual(listed.slice(2));
    expect(kubesim('get', 'sts,pods', '-w', '--log', log)).toMatchObject({ code: 1, out: '', err: 'error: you may only specify a single resource type\n' });
    expect(kubesim('get', 'pods', '--output-watch-events', '--log', log)).toMatchObject({ code: 1, out: '', err: 'error: --output-watch-events option can only be used with --watch or --watch-only\nSee \'kubesim get -h\' for help and examples\n' });
  });

  it('dns --log: what cluster DNS answers a pod looking a name up, through its search path, at any position of the run', () => {
    const entries = readFileSync(log, 'utf8').split('\n').slice(1).filter((l) => l !== '').map((l) => JSON.parse(l) as { seq: number; type: string; object?: { kind?: string; metadata?: { name?: string }; status?: { podIP?: string } } });
    const podIp = (name: string) => entries.filter((e) => e.object?.kind === 'Pod' && e.object.metadata?.name === name && e.type !== 'DELETED').at(-1)!.object!.status!.podIP!;
    const a = kubesim('dns', 'stateful-pvc-0.stateful-headless', '--log', log);
    expect([a.code, a.out, a.err]).toEqual([0, `stateful-pvc-0.stateful-headless.default.svc.cluster.local.\t5\tIN\tA\t${podIp('stateful-pvc-0')}\n`, '']);
    // The headless service's name: every ready pod; its named port: an SRV record per pod (weights shared out of 100).
    expect(kubesim('dns', 'stateful-headless', '--log', log).out.trimEnd().split('\n').map((l) => l.split('\t')[4]).sort())
      .toEqual(['stateful-pvc-0', 'stateful-pvc-1', 'stateful-pvc-2'].map(podIp).sort());
    expect(kubesim('dns', '_mongo._tcp.stateful-headless', 'srv', '--log', log).out.trimEnd().split('\n').map((l) => l.split('\t').slice(3).join(' '))).toEqual(
      [0, 1, 2].map((i) => `SRV 0 33 27017 stateful-pvc-${i}.stateful-headless.default.svc.cluster.local.`));
    expect(kubesim('dns', podIp('stateful-pvc-1').split('.').reverse().join('.') + '.in-addr.arpa', 'PTR', '--log', log).out).toMatch(/\tPTR\tstateful-pvc-1\.stateful-headless\.default\.svc\.cluster\.local\.\n$/);
    // From another namespace the short name is searched there (NXDOMAIN); `name.svc.namespace` is found through svc.cluster.local.
    const other = kubesim('dns', 'stateful-pvc-0.stateful-headless', '-n', 'team', '--log', log);
    expect([other.code, other.out]).toEqual([1, '']);
    expect(other.err).toBe('NXDOMAIN: no A record for stateful-pvc-0.stateful-headless (tried stateful-pvc-0.stateful-headless.team.svc.cluster.local, stateful-pvc-0.stateful-headless.svc.cluster.local, stateful-pvc-0.stateful-headless.cluster.local, stateful-pvc-0.stateful-headless)\n');
    expect(kubesim('dns', 'stateful-pvc-0.stateful-headless.default', '-n', 'team', '--log', log).out).toMatch(/^stateful-pvc-0\.stateful-headless\.default\.svc\.cluster\.local\.\t5\tIN\tA\t/);
    // Before the pod was Ready it had no name; an unknown type is refused.
    const created = entries.find((e) => e.type === 'ADDED' && e.object?.kind === 'Pod' && e.object.metadata?.name === 'stateful-pvc-0')!.seq;
    expect(kubesim('dns', 'stateful-pvc-0.stateful-headless', '--log', log, '--at', String(created)).code).toBe(1);
    expect(kubesim('dns', 'x', 'MX', '--log', log)).toMatchObject({ code: 2, err: 'error: record type "MX" is not one of A, AAAA, SRV, PTR, CNAME, ANY\n' });
  });

  it('describe --log: the object as it was then, in kubectl\'s layout (as YAML for kinds without one), and the events about it', () => {
    const r = kubesim('describe', 'pod/stateful-pvc-0', '--log', log);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Name: +stateful-pvc-0\nNamespace: +default\nPriority: +0\nService Account: +default\nNode: +node-[a-z]+\/172\.18\.0\.\d+\n/);
    expect(r.out).toMatch(/\n {4}ClaimName: +volume-stateful-pvc-0\n/);
    expect(r.out).toMatch(/^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/m);
    expect(r.out).toMatch(/Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/stateful-pvc-0 to node-/);
    // Before it existed; a missing object; a bad position.
    expect(kubesim('describe', 'pod/stateful-pvc-0', '--log', log, '--at', '1').err).toBe('Error from server (NotFound): pods "stateful-pvc-0" not found\n');
    expect(kubesim('describe', 'statefulset/nope', '--log', log).code).toBe(1);
    expect(kubesim('describe', 'pod/stateful-pvc-0', '--log', log, '--at', 't=x').code).toBe(2);
    // A cluster-scoped object: its events are in the default namespace; a node's pods in every namespace.
    expect(kubesim('describe', 'node/node-a', '--log', log).out).toMatch(/^Name: +node-a\nRoles: +<none>\n[\s\S]*\nNon-terminated Pods: +\(\d in total\)\n/);
    expect(kubesim('describe', 'storageclass/fast', '--log', log).out).toBe([
      'Name:                  fast', 'IsDefaultClass:        No', 'Annotations:           <none>', 'Provisioner:           kubesim.io/hostpath',
      'Parameters:            <none>', 'AllowVolumeExpansion:  <unset>', 'MountOptions:          <none>', 'ReclaimPolicy:         Delete',
      'VolumeBindingMode:     Immediate', 'Events:                <none>', '',
    ].join('\n'));
    expect(kubesim('describe', 'namespace/default', '--log', log).out).toBe('Name:         default\nLabels:       kubernetes.io/metadata.name=default\nAnnotations:  <none>\nStatus:       Active\n\nNo resource quota.\n\nNo LimitRange resource.\n');
    // A kind without a kubectl layout here: YAML, then its events.
    const revision = readFileSync(log, 'utf8').split('\n').slice(1).filter((l) => l !== '').map((l) => JSON.parse(l) as { object?: { kind?: string; metadata?: { name?: string } } })
      .find((e) => e.object?.kind === 'ControllerRevision')!.object!.metadata!.name!;
    expect(kubesim('describe', `controllerrevision/${revision}`, '--log', log).out).toMatch(/^kind: ControllerRevision$/m);
  });

  it('get: a damaged log is reported with its line number', () => {
    const lines = readFileSync(log, 'utf8').split('\n');
    lines[41] = lines[41]!.replace('"time":', '"time": ');
    const bad = join(tmp, 'bad.jsonl');
    writeFileSync(bad, lines.join('\n'));
    const r = kubesim('get', 'pods', '--log', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^error: ${bad.replace(/[.]/g, '\\.')}:42: damaged log: hash chain mismatch`));
  });

  it('run: a failing expectation exits 1, an invalid scenario exits 2', () => {
    const failing = join(tmp, 'failing.yaml');
    writeFileSync(failing, readFileSync(join(root, 'examples/pods-replicas-1.yaml'), 'utf8').replace('names: [db-0]', 'names: [db-7]').replace('manifests/', join(root, 'examples/manifests/')).replaceAll('apply: manifests/', `apply: ${join(root, 'examples/manifests/')}`));
    const r = kubesim('run', failing, '-q');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL/);
    const invalid = join(tmp, 'invalid.yaml');
    writeFileSync(invalid, 'steps:\n  - bogus: 1\n');
    const r2 = kubesim('run', invalid);
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/invalid\.yaml:2: step 1: bogus: unknown step/);
  });
});
