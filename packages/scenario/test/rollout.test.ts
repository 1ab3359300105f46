/**
 * `rollout` steps and the `rollout` condition (kubectl rollout restart / undo / status / history over the
 * API): a restart is a new template (restartedAt) and so a rolling update, highest ordinal first; undo
 * sends a ControllerRevision's data back (the old revision reused with a new number, S24); status and
 * history read the set and its revisions as kubectl does; what kubectl refuses is refused, nothing written.
 */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { ControllerRevision, Pod, StatefulSet } from '@kubesim/api';
import { ObjectStore } from '@kubesim/state';
import {
  parseScenario, rfc3339, rolloutHistory, rolloutPauseResume, rolloutRestart, rolloutStatus, rolloutUndo, runScenario, statefulSetRolloutStatus,
  type RunReport,
} from '../src/index.js';

const SET = (image: string, extra = ''): string => `
  - apply:
      inline: |
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {clusterIP: None, selector: {app: web}, ports: [{port: 80}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: web${extra}}
        spec:
          serviceName: web
          replicas: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: c, image: ${image}}], terminationGracePeriodSeconds: 2}`;

const READY = `
  - wait: {until: {pods: {owner: statefulset/web, count: 3, ready: true}, rollout: statefulset/web}, timeout: 5m}`;

const run = (steps: string, seed = 1): RunReport => {
  const sc = parseScenario(`name: rollout-test\nseed: ${seed}\ncluster:\n  nodes: 3\nsteps:\n${steps}`, 'rollout-test.yaml');
  if (E.isLeft(sc)) throw new Error(sc.left.message);
  return runScenario(sc.right);
};

const set = (r: RunReport): StatefulSet => r.sim.api.get('StatefulSet', 'default', 'web') as StatefulSet;
const revisions = (r: RunReport): ControllerRevision[] =>
  ([...r.sim.api.store.list('ControllerRevision', 'default')] as ControllerRevision[]).sort((a, b) => a.revision - b.revision);
const podImages = (r: RunReport): string[] => [0, 1, 2].map((i) => (r.sim.api.get('Pod', 'default', `web-${i}`) as Pod).spec!.containers[0]!.image!);
const failures = (r: RunReport): string[] => r.steps.filter((s) => !s.ok).flatMap((s) => s.messages);

/** The order in which the set's pods were deleted after `seq`. */
const deletionsAfter = (r: RunReport, seq: number): string[] =>
  r.sim.log.all().filter((e) => e.seq > seq && e.object?.kind === 'Pod' && e.type === 'MODIFIED' && e.object.metadata?.deletionTimestamp !== undefined
    && r.sim.log.all().slice(0, e.seq - 1).reverse().find((p) => p.object?.kind === 'Pod' && p.object.metadata?.name === e.object!.metadata?.name)?.object?.metadata?.deletionTimestamp === undefined)
    .map((e) => e.object!.metadata!.name!);

describe('rollout restart', () => {
  it('sets restartedAt on the template (RFC 3339, the cluster clock): a new revision, pods replaced highest ordinal first, each Ready before the next; status then complete', () => {
    const r = run(`${SET('nginx:1.25')}${READY}
  - remember: before
  - rollout: {restart: statefulset/web}
  - wait: {until: {rollout: statefulset/web, object: {target: statefulset/web, fields: {status.updatedReplicas: 3}}}, timeout: 5m}`);
    expect(failures(r)).toEqual([]);
    const restart = r.steps.find((s) => s.step.op === 'rollout')!;
    expect(restart.output).toEqual(['statefulset.apps/web restarted']);
    const s = set(r);
    const at = s.spec!.template!.metadata!.annotations!['kubectl.kubernetes.io/restartedAt']!;
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(at).toBe(rfc3339(restart.timeMs));
    expect(revisions(r).map((x) => x.revision)).toEqual([1, 2]);
    expect(s.status!.currentRevision).toBe(s.status!.updateRevision);
    expect(s.status!.updateRevision).toBe(revisions(r)[1]!.metadata!.name);
    // Every pod is a new incarnation carrying the annotation, replaced 2, 1, 0.
    for (const i of [0, 1, 2]) expect((r.sim.api.get('Pod', 'default', `web-${i}`) as Pod).metadata!.annotations!['kubectl.kubernetes.io/restartedAt']).toBe(at);
    const cmd = r.sim.log.all().find((e) => e.type === 'COMMAND' && (e.data as { command?: string }).command === 'rollout restart')!;
    expect(deletionsAfter(r, cmd.seq)).toEqual(['web-2', 'web-1', 'web-0']);
    // The patch is the user's (a strategic merge patch of the set), caused by the command.
    const patch = r.sim.log.all().find((e) => e.seq > cmd.seq && e.object?.kind === 'StatefulSet' && e.op === 'patch')!;
    expect(patch.cause).toBe(cmd.seq);
  });

  it('twice in the same second: kubectl computes an empty patch and refuses; a second later it restarts again', () => {
    const same = run(`${SET('nginx:1.25')}${READY}
  - rollout: {restart: statefulset/web}
  - rollout: {restart: statefulset/web}`);
    const second = same.steps.filter((s) => s.step.op === 'rollout')[1]!;
    // Both steps ran in the same virtual second (a step takes no time).
    expect(Math.floor(second.timeMs / 1000)).toBe(Math.floor(same.steps.filter((s) => s.step.op === 'rollout')[0]!.timeMs / 1000));
    expect(second.messages).toEqual(['error: failed to create patch for web: if restart has already been triggered within the past second, please wait before attempting to trigger another']);
    // The refusal wrote nothing: one rollout command in the log.
    expect(same.sim.log.all().filter((e) => e.type === 'COMMAND' && (e.data as { command?: string }).command === 'rollout restart')).toHaveLength(1);
    const later = run(`${SET('nginx:1.25')}${READY}
  - rollout: {restart: statefulset/web}
  - sleep: 1s
  - rollout: {restart: statefulset/web}
  - wait: {until: {rollout: statefulset/web}, timeout: 5m}`);
    expect(failures(later)).toEqual([]);
    expect(revisions(later).map((x) => x.revision)).toEqual([1, 2, 3]);
  });

  it('a ReplicaSet cannot be restarted, undone, or followed (kubectl has no restarter, rollbacker or viewer for it); a missing set is NotFound; nothing is written', () => {
    const rs = `
  - apply:
      inline: |
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: rs}
        spec:
          replicas: 1
          selector: {matchLabels: {app: rs}}
          template:
            metadata: {labels: {app: rs}}
            spec: {containers: [{name: c, image: nginx}]}`;
    const cases: [string, string][] = [
      ['rollout: {restart: replicaset/rs}', 'error: replicasets.apps "rs" restarting is not supported'],
      ['rollout: {undo: replicaset/rs}', 'error: no rollbacker has been implemented for "ReplicaSet.apps"'],
      ['rollout: {restart: statefulset/ghost}', 'Error from server (NotFound): statefulsets.apps "ghost" not found'],
      ['expect: {rollout: replicaset/rs}', 'rollout status replicaset/rs: error: no status viewer has been implemented for ReplicaSet.apps'],
    ];
    for (const [step, message] of cases) {
      const r = run(`${rs}\n  - ${step}`);
      expect(r.passed, step).toBe(false);
      expect(r.steps.at(-1)!.messages, step).toEqual([message]);
      expect(r.sim.log.all().filter((e) => e.type === 'COMMAND').map((e) => (e.data as { command?: string }).command), step).toEqual(['bootstrap', 'apply']);
    }
  });
});

describe('rollout undo', () => {
  it('back to the previous revision: its data patched in ($patch: replace drops the restartedAt annotation); the old revision is reused with the next number (S24); history lists the numbers', () => {
    const r = run(`${SET('nginx:1.25')}${READY}
  - patch: {target: statefulset/web, patch: {spec: {template: {spec: {containers: [{name: c, image: "nginx:1.26"}]}}}}}
  - wait: {until: {rollout: statefulset/web, object: {target: statefulset/web, fields: {status.updatedReplicas: 3}}}, timeout: 5m}
  - rollout: {restart: statefulset/web}
  - wait: {until: {rollout: statefulset/web, object: {target: statefulset/web, fields: {status.updatedReplicas: 3}}}, timeout: 5m}
  - rollout: {undo: statefulset/web, toRevision: 1}
  - wait: {until: {rollout: statefulset/web, object: {target: statefulset/web, fields: {status.updatedReplicas: 3}}}, timeout: 5m}`);
    expect(failures(r)).toEqual([]);
    expect(r.steps.filter((s) => s.step.op === 'rollout').map((s) => s.output)).toEqual([['statefulset.apps/web restarted'], ['statefulset.apps/web rolled back']]);
    const s = set(r);
    expect(s.spec!.template!.spec!.containers[0]!.image).toBe('nginx:1.25');
    expect(s.spec!.template!.metadata!.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
    expect(podImages(r)).toEqual(['nginx:1.25', 'nginx:1.25', 'nginx:1.25']);
    // Revision 1's ControllerRevision now carries revision 4 (no fourth object).
    const revs = revisions(r);
    expect(revs.map((x) => x.revision)).toEqual([2, 3, 4]);
    expect(s.status!.updateRevision).toBe(revs[2]!.metadata!.name);
    const h = rolloutHistory(r.sim.api.store, 'StatefulSet', 'default', 'web');
    expect(h).toEqual({ text: 'statefulset.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n4         <none>' });
    const one = rolloutHistory(r.sim.api.store, 'StatefulSet', 'default', 'web', 2);
    expect('text' in one && one.text.split('\n').slice(0, 2)).toEqual(['statefulset.apps/web with revision #2', 'Pod Template:']);
    // Go's tabwriter: the container's fields align with the template's last fields (one run of tabbed lines), as kubectl prints it.
    expect('text' in one && one.text.split('\n').slice(4)).toEqual([
      '   c:', '    Image:         nginx:1.26', '    Port:          <none>', '    Host Port:     <none>', '    Environment:   <none>', '    Mounts:        <none>',
      '  Volumes:         <none>', '  Node-Selectors:  <none>', '  Tolerations:     <none>',
    ]);
    expect(rolloutHistory(r.sim.api.store, 'StatefulSet', 'default', 'web', 1)).toEqual({ error: 'error: unable to find the specified revision' });
  });

  it('without --to-revision: the second highest revision; undo again swaps back; a template that already matches is skipped (nothing written)', () => {
    const r = run(`${SET('nginx:1.25')}${READY}
  - patch: {target: statefulset/web, patch: {spec: {template: {spec: {containers: [{name: c, image: "nginx:1.26"}]}}}}}
  - wait: {until: {rollout: statefulset/web, object: {target: statefulset/web, fields: {status.updatedReplicas: 3}}}, timeout: 5m}
  - rollout: {undo: statefulset/web}
  - wait: {until: {rollout: statefulset/web, object: {target: statefulset/web, fields: {status.updatedReplicas: 3}}}, timeout: 5m}
  - remember: undone
  - rollout: {undo: statefulset/web, toRevision: 3}`);
    expect(failures(r)).toEqual([]);
    expect(podImages(r)).toEqual(['nginx:1.25', 'nginx:1.25', 'nginx:1.25']);
    expect(revisions(r).map((x) => x.revision)).toEqual([2, 3]);
    const last = r.steps.at(-1)!;
    expect(last.output).toEqual(['statefulset.apps/web skipped rollback (current template already matches revision 3)']);
    const undone = r.steps.find((s) => s.step.op === 'remember')!;
    expect(r.sim.log.all().filter((e) => e.time > undone.timeMs && e.type === 'COMMAND')).toEqual([]);
  });

  it('refusals: a single revision has no previous one; a revision not in the history; a negative one', () => {
    for (const [step, message] of [
      ['{undo: statefulset/web}', 'error: no last revision to roll back to'],
      ['{undo: statefulset/web, toRevision: 7}', 'error: unable to find specified revision 7 in history'],
      ['{undo: statefulset/web, toRevision: -1}', 'error: unable to find specified revision -1 in history'],
    ] as const) {
      const r = run(`${SET('nginx:1.25')}${READY}\n  - rollout: ${step}`);
      expect(r.steps.at(-1)!.messages, step).toEqual([message]);
      expect(r.sim.log.all().filter((e) => e.type === 'COMMAND').map((e) => (e.data as { command?: string }).command), step).toEqual(['bootstrap', 'apply']);
    }
  });
});

describe('rollout status (kubectl StatefulSetStatusViewer)', () => {
  const base = (spec: Partial<StatefulSet['spec']>, status: StatefulSet['status'], generation = 1): StatefulSet => ({
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', generation },
    spec: { replicas: 3, serviceName: 'web', selector: {}, template: {}, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, ...spec } as StatefulSet['spec'],
    status,
  });
  it('follows generation, readiness, then the partition (always present once defaulted) — the messages kubectl prints', () => {
    expect(statefulSetRolloutStatus(base({}, { replicas: 0, observedGeneration: 0 }))).toEqual({ message: 'Waiting for statefulset spec update to be observed...', done: false });
    expect(statefulSetRolloutStatus(base({}, { replicas: 3, observedGeneration: 1 }, 2))).toEqual({ message: 'Waiting for statefulset spec update to be observed...', done: false });
    expect(statefulSetRolloutStatus(base({}, { replicas: 3, observedGeneration: 1, readyReplicas: 1 }))).toEqual({ message: 'Waiting for 2 pods to be ready...', done: false });
    expect(statefulSetRolloutStatus(base({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, { replicas: 3, observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1 })))
      .toEqual({ message: 'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...', done: false });
    expect(statefulSetRolloutStatus(base({}, { replicas: 3, observedGeneration: 1, readyReplicas: 3, updatedReplicas: 3 })))
      .toEqual({ message: 'partitioned roll out complete: 3 new pods have been updated...', done: true });
    // Without a rollingUpdate block (not what the API server leaves), the revisions decide.
    const bare = { type: 'RollingUpdate' } as const;
    expect(statefulSetRolloutStatus(base({ updateStrategy: bare }, { replicas: 3, observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1, currentRevision: 'web-a', updateRevision: 'web-b' })))
      .toEqual({ message: 'waiting for statefulset rolling update to complete 1 pods at revision web-b...', done: false });
    expect(statefulSetRolloutStatus(base({ updateStrategy: bare }, { replicas: 3, observedGeneration: 1, readyReplicas: 3, currentReplicas: 3, currentRevision: 'web-b', updateRevision: 'web-b' })))
      .toEqual({ message: 'statefulset rolling update complete 3 pods at revision web-b...', done: true });
    expect(statefulSetRolloutStatus(base({ updateStrategy: { type: 'OnDelete' } }, { replicas: 3 }))).toEqual({ error: 'error: rollout status is only available for RollingUpdate strategy type' });
  });

  it('as a wait: a rollout to an image no registry has never completes (Waiting for 1 pods to be ready...)', () => {
    const sc = parseScenario(`name: rollout-stuck\nseed: 2\ncluster:\n  nodes: 3\n  missingImages: ["nginx:9.9-bad"]\nsteps:\n${SET('nginx:1.25')}${READY}
  - patch: {target: statefulset/web, patch: {spec: {template: {spec: {containers: [{name: c, image: "nginx:9.9-bad"}]}}}}}
  - wait: {until: {rollout: statefulset/web}, timeout: 2m}`, 'rollout-stuck.yaml');
    if (E.isLeft(sc)) throw new Error(sc.left.message);
    const r = runScenario(sc.right);
    expect(r.passed).toBe(false);
    expect(r.steps.at(-1)!.messages.join('\n')).toContain('rollout status statefulset/web: Waiting for 1 pods to be ready...');
  });

  it('the pure verbs refuse what kubectl refuses on an empty cluster', () => {
    const empty = new ObjectStore();
    expect(rolloutStatus(empty, 'StatefulSet', 'default', 'web')).toEqual({ error: 'Error from server (NotFound): statefulsets.apps "web" not found' });
    expect(rolloutRestart(empty, 'StatefulSet', 'default', 'web', 0)).toEqual({ type: 'error', message: 'Error from server (NotFound): statefulsets.apps "web" not found' });
    expect(rolloutUndo(empty, 'Pod', 'default', 'p')).toEqual({ type: 'error', message: 'error: no rollbacker has been implemented for "Pod"' });
    expect(rolloutHistory(empty, 'StatefulSet', 'default', 'web')).toEqual({ error: 'Error from server (NotFound): statefulsets.apps "web" not found' });
    expect(rolloutPauseResume(empty, 'pause', 'StatefulSet', 'default', 'web')).toBe('Error from server (NotFound): statefulsets.apps "web" not found');
  });

  it('pause and resume: kubectl pauses Deployments only', () => {
    const r = run(`${SET('nginx:1.25')}`);
    expect(rolloutPauseResume(r.sim.api.store, 'pause', 'StatefulSet', 'default', 'web')).toBe('error: statefulsets.apps "web" pausing is not supported');
    expect(rolloutPauseResume(r.sim.api.store, 'resume', 'StatefulSet', 'default', 'web')).toBe('error: statefulsets.apps "web" resuming is not supported');
  });
});

describe('parsing', () => {
  it('refuses a rollout step without exactly one of restart/undo, a bad target, toRevision with restart; a bad rollout condition', () => {
    const bad = (step: string): string => {
      const sc = parseScenario(`name: x\ncluster:\n  nodes: 1\nsteps:\n  - ${step}`, 'x.yaml');
      return E.isLeft(sc) ? sc.left.message : 'parsed';
    };
    expect(bad('rollout: {}')).toContain('rollout: give {restart: statefulset/NAME} or {undo: statefulset/NAME, toRevision: N}');
    expect(bad('rollout: {restart: web}')).toContain('restart: give the target as KIND/NAME');
    expect(bad('rollout: {restart: statefulset/web, toRevision: 1}')).toContain('toRevision is a whole number, with undo');
    expect(bad('rollout: {restart: statefulset/web, undo: statefulset/web}')).toContain('give {restart');
    expect(bad('expect: {rollout: web}')).toContain('rollout: give the target as KIND/NAME');
    expect(bad('rollout: {undo: statefulset/web, toRevision: 2}')).toBe('parsed');
  });
});

/** A set whose template has an init container, a container with a port and a mount, and a second container. */
const TEMPLATED = `
  - apply:
      inline: |
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: web}
        spec:
          serviceName: web
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              initContainers: [{name: init, image: busybox:1}]
              containers: [{name: c, image: nginx:1.25, ports: [{containerPort: 80}], volumeMounts: [{name: cfg, mountPath: /etc/cfg}]}, {name: side, image: busybox:1}]
              volumes: [{name: cfg, emptyDir: {}}]`;

describe('the patch step: a strategic merge patch, as kubectl patch, unless type: merge', () => {

  it('containers merge by name: the image changes, ports, mounts and the other container stay; the command records the type', () => {
    const r = run(`${TEMPLATED}
  - patch: {target: statefulset/web, patch: {spec: {template: {spec: {containers: [{name: c, image: "nginx:1.26"}]}}}}}`);
    expect(failures(r)).toEqual([]);
    const cs = set(r).spec!.template!.spec!.containers;
    expect(cs.map((c) => [c.name, c.image, c.ports?.map((p) => p.containerPort), c.volumeMounts?.map((m) => m.mountPath)]))
      .toEqual([['c', 'nginx:1.26', [80], ['/etc/cfg']], ['side', 'busybox:1', undefined, undefined]]);
    const cmd = r.sim.log.all().find((e) => e.type === 'COMMAND' && (e.data as { command?: string }).command === 'patch')!;
    expect(cmd.data).toMatchObject({ type: 'strategic' });
  });

  it('type: merge is a JSON merge patch: the list is replaced by the one container given (defaulted again)', () => {
    const r = run(`${TEMPLATED}
  - patch: {target: statefulset/web, type: merge, patch: {spec: {template: {spec: {containers: [{name: c, image: "nginx:1.26"}]}}}}}`);
    expect(failures(r)).toEqual([]);
    const cs = set(r).spec!.template!.spec!.containers;
    expect(cs.map((c) => [c.name, c.image, c.volumeMounts])).toEqual([['c', 'nginx:1.26', undefined]]);
    expect(cs[0]!.imagePullPolicy).toBe('IfNotPresent');
  });

  it('{name: side, $patch: delete} removes a container', () => {
    const r = run(`${TEMPLATED}
  - patch: {target: statefulset/web, patch: {spec: {template: {spec: {containers: [{name: side, $patch: delete}]}}}}}`);
    expect(failures(r)).toEqual([]);
    expect(set(r).spec!.template!.spec!.containers.map((c) => c.name)).toEqual(['c']);
  });
});

describe('setImage (kubectl set image)', () => {

  it('sets the named containers\' images (init containers too), keeping everything else; prints "image updated"; * sets every container', () => {
    const r = run(`${TEMPLATED}
  - setImage: {target: statefulset/web, images: {c: "nginx:1.26", init: "busybox:2"}}
  - setImage: {target: statefulset/web, images: {"*": "busybox:3"}}`);
    expect(failures(r)).toEqual([]);
    const [first, all] = r.steps.filter((s) => s.step.op === 'setImage');
    expect(first!.output).toEqual(['statefulset.apps/web image updated']);
    expect(all!.output).toEqual(['statefulset.apps/web image updated']);
    const cmds = r.sim.log.all().filter((e) => e.type === 'COMMAND' && (e.data as { command?: string }).command === 'set image');
    expect(cmds).toHaveLength(2);
    const afterFirst = r.sim.log.all().find((e) => e.seq > cmds[0]!.seq && e.object?.kind === 'StatefulSet' && e.op === 'patch')!.object as StatefulSet;
    const spec1 = afterFirst.spec!.template!.spec!;
    expect([spec1.initContainers!.map((c) => c.image), spec1.containers.map((c) => c.image), spec1.containers[0]!.volumeMounts]).toEqual([['busybox:2'], ['nginx:1.26', 'busybox:1'], [{ name: 'cfg', mountPath: '/etc/cfg' }]]);
    const spec2 = set(r).spec!.template!.spec!;
    expect([spec2.initContainers!.map((c) => c.image), spec2.containers.map((c) => c.image)]).toEqual([['busybox:3'], ['busybox:3', 'busybox:3']]);
  });

  it('the same image again changes nothing and sends nothing; an unknown container name is refused, nothing written', () => {
    const same = run(`${TEMPLATED}
  - setImage: {target: statefulset/web, images: {c: "nginx:1.25"}}`);
    expect(failures(same)).toEqual([]);
    expect(same.sim.log.all().filter((e) => e.type === 'COMMAND').map((e) => (e.data as { command?: string }).command)).toEqual(['bootstrap', 'apply']);
    const unknown = run(`${TEMPLATED}
  - setImage: {target: statefulset/web, images: {nope: "nginx:1.26"}}`);
    expect(unknown.steps.at(-1)!.messages).toEqual(['error: unable to find container named "nope"']);
    expect(unknown.sim.log.all().filter((e) => e.type === 'COMMAND').map((e) => (e.data as { command?: string }).command)).toEqual(['bootstrap', 'apply']);
  });
});
