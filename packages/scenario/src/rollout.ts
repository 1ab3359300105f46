import {
  compileSelector, controllerRefOf, goTabwriter, kubectlMessage, newNotFound, pluralQualified, printPodTemplate, qualifiedKind, timestamp,
  type ApiRequest, type ControllerRevision, type Kind, type PodTemplateSpec, type StatefulSet,
} from '@kubesim/api';
import { canonicalJson, revisionPatch } from '@kubesim/controllers';
import type { Snapshot } from '@kubesim/state';

/**
 * `kubectl rollout` for StatefulSets, as kubectl's polymorphic helpers do it — client-side logic over what
 * the API server holds, the same for a scenario step, the running cluster and a recorded log:
 *
 * * restart ([objectrestarter]): a strategic merge patch setting the pod template's annotation
 *   `kubectl.kubernetes.io/restartedAt` to the time (RFC 3339, whole seconds) — a new template, so a
 *   new revision and a rolling update (nothing happens under OnDelete until pods are deleted);
 * * undo ([StatefulSetRollbacker]): the set's ControllerRevisions (those it controls and its selector
 *   matches), the one of `--to-revision` or, with 0, the second highest; its data — a strategic merge
 *   patch replacing `spec.template` — sent as is; skipped when the set's template already matches it;
 * * status ([StatefulSetStatusViewer]): observed generation, ready replicas, then — RollingUpdate having
 *   a partition by default — the partitioned roll out's updated replicas;
 * * history ([StatefulSetHistoryViewer]): the revisions and their `kubernetes.io/change-cause`.
 *
 * ReplicaSets have none of these (kubectl: no restarter, rollbacker, status or history viewer).
 */

export type RolloutVerb = 'restart' | 'undo' | 'status' | 'history' | 'pause' | 'resume';
export const ROLLOUT_VERBS: readonly RolloutVerb[] = ['restart', 'undo', 'status', 'history', 'pause', 'resume'];

/**
 * `kubectl rollout pause|resume` ([objectpauser, objectresumer]): only Deployments can be paused, which
 * kubesim does not have — `error: statefulsets.apps "web" pausing is not supported`.
 */
export const rolloutPauseResume = (state: RolloutState, verb: 'pause' | 'resume', kind: Kind, namespace: string, name: string): string => {
  const refusal = `error: ${pluralQualified(kind)} "${name}" ${verb === 'pause' ? 'pausing' : 'resuming'} is not supported`;
  if (kind !== 'StatefulSet') return notAStatefulSet(state, kind, namespace, name, refusal);
  return state.get('StatefulSet', namespace, name) === undefined ? kubectlMessage(newNotFound(kind, name)) : refusal;
};

/** What kubectl rollout reads of the cluster (a Snapshot, an ObjectStore, a fold of a recorded log). */
export type RolloutState = Pick<Snapshot, 'get' | 'list'>;

/** A verb's outcome: a patch to send (and the line printed once it is applied), a line to print, or an error. */
export type RolloutPlan =
  | { readonly type: 'patch'; readonly request: ApiRequest; readonly done: string }
  | { readonly type: 'print'; readonly text: string }
  | { readonly type: 'error'; readonly message: string };

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** `statefulset.apps/web` — kubectl's name printer. */
export const rolloutResourceName = (kind: Kind, name: string): string => `${qualifiedKind(kind).toLowerCase()}/${name}`;

/**
 * Every verb acts on StatefulSets only: for another kind, kubectl's refusal — after the NotFound of a
 * ReplicaSet that does not exist (kubectl reads the object first).
 */
const notAStatefulSet = (state: RolloutState, kind: Kind, namespace: string, name: string, refusal: string): string =>
  (kind === 'ReplicaSet' && state.get('ReplicaSet', namespace, name) === undefined ? kubectlMessage(newNotFound(kind, name)) : refusal);

const notFound = (kind: Kind, name: string): RolloutPlan => ({ type: 'error', message: kubectlMessage(newNotFound(kind, name)) });
const error = (message: string): RolloutPlan => ({ type: 'error', message: `error: ${message}` });

/** RFC 3339 in whole seconds (Go's time.RFC3339), of the cluster's clock. */
export const rfc3339 = (nowMs: number): string => timestamp(Math.floor(nowMs / 1000) * 1000).replace(/\.\d+Z$/, 'Z');

/** `kubectl rollout restart KIND/NAME` at `nowMs` (the cluster's clock). */
export const rolloutRestart = (state: RolloutState, kind: Kind, namespace: string, name: string, nowMs: number): RolloutPlan => {
  if (kind !== 'StatefulSet') return { type: 'error', message: notAStatefulSet(state, kind, namespace, name, `error: ${pluralQualified(kind)} "${name}" restarting is not supported`) };
  const set = state.get('StatefulSet', namespace, name);
  if (!set) return notFound(kind, name);
  const at = rfc3339(nowMs);
  // The patch is the difference kubectl computes: none when the annotation already has this value.
  if (set.spec?.template?.metadata?.annotations?.[RESTARTED_AT] === at) {
    return error(`failed to create patch for ${name}: if restart has already been triggered within the past second, please wait before attempting to trigger another`);
  }
  return {
    type: 'patch', done: `${rolloutResourceName(kind, name)} restarted`,
    request: { verb: 'patch', kind, namespace, name, patchType: 'strategic', patch: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } } } },
  };
};

/** [controlledHistoryV1]: the revisions the set controls that its selector matches, by revision. */
export const setHistory = (state: RolloutState, set: StatefulSet): ControllerRevision[] => {
  const sel = compileSelector(set.spec?.selector ?? {});
  const uid = set.metadata?.uid;
  const out: ControllerRevision[] = [];
  for (const cr of state.list('ControllerRevision', set.metadata?.namespace ?? 'default')) {
    if (!sel.matches(cr.metadata?.labels)) continue;
    if (uid === undefined || controllerRefOf(cr.metadata)?.uid !== uid) continue;
    out.push(cr);
  }
  return out.sort((a, b) => a.revision - b.revision);
};

/** `kubectl rollout undo KIND/NAME [--to-revision N]` (0: the previous revision). */
export const rolloutUndo = (state: RolloutState, kind: Kind, namespace: string, name: string, toRevision = 0): RolloutPlan => {
  if (kind !== 'StatefulSet') return { type: 'error', message: notAStatefulSet(state, kind, namespace, name, `error: no rollbacker has been implemented for "${qualifiedKind(kind)}"`) };
  if (toRevision < 0) return error(`unable to find specified revision ${toRevision} in history`);
  const set = state.get('StatefulSet', namespace, name);
  if (!set) return notFound(kind, name);
  const history = setHistory(state, set);
  if (toRevision === 0 && history.length <= 1) return error('no last revision to roll back to');
  const to = toRevision === 0 ? history[history.length - 2] : history.find((h) => h.revision === toRevision);
  if (!to) return error(`unable to find specified revision ${toRevision} in history`);
  // statefulsetMatch: the set's own patch, byte for byte, against the revision's data (kubectl prints the revision asked for, 0 included).
  if (revisionPatch(set) === canonicalJson(to.data ?? null)) {
    return { type: 'print', text: `${rolloutResourceName(kind, name)} skipped rollback (current template already matches revision ${toRevision})` };
  }
  return {
    type: 'patch', done: `${rolloutResourceName(kind, name)} rolled back`,
    request: { verb: 'patch', kind, namespace, name, patchType: 'strategic', patch: (to.data ?? {}) as Record<string, unknown> },
  };
};

/** [StatefulSetStatusViewer.Status]: the message kubectl prints for the set, and whether the rollout is done. */
export const statefulSetRolloutStatus = (set: StatefulSet): { message: string; done: boolean } | { error: string } => {
  const spec = set.spec;
  const st = set.status;
  const strategy = spec?.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return { error: 'error: rollout status is only available for RollingUpdate strategy type' };
  const observed = st?.observedGeneration ?? 0;
  if (observed === 0 || (set.metadata?.generation ?? 0) > observed) return { message: 'Waiting for statefulset spec update to be observed...', done: false };
  const replicas = spec?.replicas;
  const ready = st?.readyReplicas ?? 0;
  if (replicas !== undefined && ready < replicas) return { message: `Waiting for ${replicas - ready} pods to be ready...`, done: false };
  const updated = st?.updatedReplicas ?? 0;
  if (strategy?.rollingUpdate !== undefined) {
    const partition = strategy.rollingUpdate.partition;
    if (replicas !== undefined && partition !== undefined && updated < replicas - partition) {
      return { message: `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...`, done: false };
    }
    return { message: `partitioned roll out complete: ${updated} new pods have been updated...`, done: true };
  }
  if (st?.updateRevision !== st?.currentRevision) {
    return { message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${st?.updateRevision ?? ''}...`, done: false };
  }
  return { message: `statefulset rolling update complete ${st?.currentReplicas ?? 0} pods at revision ${st?.currentRevision ?? ''}...`, done: true };
};

/** `kubectl rollout status KIND/NAME` once (`--watch=false`): the status, or why there is none. */
export const rolloutStatus = (state: RolloutState, kind: Kind, namespace: string, name: string): { message: string; done: boolean } | { error: string } => {
  if (kind !== 'StatefulSet') return { error: notAStatefulSet(state, kind, namespace, name, `error: no status viewer has been implemented for ${qualifiedKind(kind)}`) };
  const set = state.get('StatefulSet', namespace, name);
  if (!set) return { error: kubectlMessage(newNotFound(kind, name)) };
  return statefulSetRolloutStatus(set);
};

/** `kubectl rollout history KIND/NAME [--revision N]`: the overview, or one revision's pod template. */
export const rolloutHistory = (state: RolloutState, kind: Kind, namespace: string, name: string, revision = 0): { text: string } | { error: string } => {
  if (kind !== 'StatefulSet') return { error: notAStatefulSet(state, kind, namespace, name, `error: no history viewer has been implemented for "${qualifiedKind(kind)}"`) };
  const set = state.get('StatefulSet', namespace, name);
  if (!set) return { error: kubectlMessage(newNotFound(kind, name)) };
  const history = setHistory(state, set);
  const head = rolloutResourceName(kind, name);
  if (history.length === 0) return { text: `${head} \nNo rollout history found.` };
  if (revision > 0) {
    const h = history.find((x) => x.revision === revision);
    if (!h) return { error: 'error: unable to find the specified revision' };
    const data = h.data as { spec?: { template?: PodTemplateSpec } } | undefined;
    return { text: `${head} with revision #${revision}\n${printPodTemplate(data?.spec?.template ?? {}).trimEnd()}` };
  }
  const rows = history.map((h) => `${h.revision}\t${h.metadata?.annotations?.[CHANGE_CAUSE] || '<none>'}\n`);
  return { text: `${head} \n${goTabwriter(`REVISION\tCHANGE-CAUSE\n${rows.join('')}`).trimEnd()}` };
};

/**
 * `kubectl set image KIND/NAME CONTAINER=IMAGE…` ([set image]): each named container — init containers
 * too, `*` for every one — takes the image; a name no container has is `error: unable to find container
 * named "x"`. What changed goes as a strategic merge patch (containers merge by name); nothing changed,
 * nothing is sent (kubectl prints nothing then). Pods, StatefulSets and ReplicaSets.
 */
export const setImage = (
  state: RolloutState, kind: Kind, namespace: string, name: string, images: Readonly<Record<string, string>>,
): { readonly request?: ApiRequest; readonly done?: string; readonly errors: readonly string[] } => {
  if (kind !== 'StatefulSet' && kind !== 'ReplicaSet' && kind !== 'Pod') return { errors: [`error: ${pluralQualified(kind)}/${name} the object has no pod template`] };
  const obj = state.get(kind, namespace, name);
  if (!obj) return { errors: [kubectlMessage(newNotFound(kind, name))] };
  const spec = kind === 'Pod' ? (obj as { spec?: PodSpecLike }).spec : (obj as { spec?: { template?: { spec?: PodSpecLike } } }).spec?.template?.spec;
  const errors: string[] = [];
  const changed = { initContainers: [] as { name: string; image: string }[], containers: [] as { name: string; image: string }[] };
  for (const [container, image] of Object.entries(images)) {
    let found = false;
    for (const list of ['initContainers', 'containers'] as const) {
      for (const c of spec?.[list] ?? []) {
        if (c.name !== container && container !== '*') continue;
        found = true;
        if (c.image !== image) {
          const prev = changed[list].find((x) => x.name === c.name);
          if (prev) prev.image = image; else changed[list].push({ name: c.name, image });
        }
      }
    }
    if (!found) errors.push(`error: unable to find container named "${container}"`);
  }
  if (changed.containers.length === 0 && changed.initContainers.length === 0) return { errors };
  const podPatch = { ...(changed.initContainers.length ? { initContainers: changed.initContainers } : {}), ...(changed.containers.length ? { containers: changed.containers } : {}) };
  return {
    errors, done: `${rolloutResourceName(kind, name)} image updated`,
    request: { verb: 'patch', kind, namespace, name, patchType: 'strategic', patch: kind === 'Pod' ? { spec: podPatch } : { spec: { template: { spec: podPatch } } } },
  };
};

interface PodSpecLike { readonly containers?: readonly { readonly name: string; readonly image?: string }[]; readonly initContainers?: readonly { readonly name: string; readonly image?: string }[] }

/** `CONTAINER=IMAGE` arguments of kubectl set image. */
export const parseImageArgs = (args: readonly string[]): Record<string, string> | string => {
  const out: Record<string, string> = {};
  for (const a of args) {
    const i = a.indexOf('=');
    if (i <= 0 || i === a.length - 1) return `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubesim set image statefulset/web nginx=nginx:1.26'); "${a}" is not CONTAINER=IMAGE`;
    out[a.slice(0, i)] = a.slice(i + 1);
  }
  return Object.keys(out).length === 0 ? 'error: at least one image update is required' : out;
};
