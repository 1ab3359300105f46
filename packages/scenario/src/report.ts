import { isRunningAndReady, podClaimNames, type EndpointSlice, type KObject, type PersistentVolume, type PersistentVolumeClaim, type Pod } from '@kubesim/api';
import { isObjectEntry, type Envelope } from '@kubesim/log';
import type { Snapshot } from '@kubesim/state';
import { dnsRecords, lastTermination, SANDBOX_WAIT_REASONS } from '@kubesim/controllers';
import { podStatusText } from './conditions.js';
import { describeStep, type RunReport } from './runner.js';

const secs = (ms: number): string => `${(ms / 1000).toFixed(3).padStart(9)}s`;

/**
 * A live pod's container crashes (exit code, CrashLoopBackOff) and restarts between two versions — of its
 * containers and of its init containers (a sidecar that exits, a regular one that fails; a regular init
 * container that completes is an initialization step, reported with the pod's Init status).
 */
const containerChanges = (q: Pod, p: Pod): string[] => {
  const out: string[] = [];
  const lists = [
    { what: 'init container', now: p.status?.initContainerStatuses ?? [], was: q.status?.initContainerStatuses ?? [] },
    { what: 'container', now: p.status?.containerStatuses ?? [], was: q.status?.containerStatuses ?? [] },
  ];
  for (const { what, now, was: before } of lists) {
    for (const s of now) {
      const was = before.find((x) => x.name === s.name);
      if (!was) continue;
      const term = lastTermination(s);
      const completed = what === 'init container' && s.state?.terminated?.exitCode === 0
        && !(p.spec?.initContainers ?? []).some((c) => c.name === s.name && c.restartPolicy === 'Always');
      if (was.state?.running && term && !s.state?.running && !completed) {
        const wait = s.state?.waiting?.reason === 'CrashLoopBackOff' ? `, CrashLoopBackOff (${/back-off (\S+)/.exec(s.state.waiting.message ?? '')?.[1] ?? '?'})` : '';
        out.push(`${what} ${s.name} exited (${term.exitCode}, ${term.reason ?? ''})${wait}`);
      }
      if (s.restartCount > was.restartCount) out.push(`${what} ${s.name} restarted (restartCount ${s.restartCount})`);
    }
  }
  return out;
};

/** The init containers' states (running/terminated/waiting per container), to report each step of a pod's initialization. */
const initState = (p: Pod): string => (p.status?.initContainerStatuses ?? []).map((s) => (s.state?.running ? 'r' : s.state?.terminated ? 't' : 'w')).join('');

/**
 * The notable moments of a run, in log order: commands, pods created/scheduled/running/ready/terminating/gone,
 * claims bound, volumes provisioned/released/deleted, DNS names appearing and disappearing.
 */
export const timeline = (log: readonly Envelope[]): string[] => {
  const out: string[] = [];
  const prev = new Map<string, unknown>();
  const dnsPrev = new Map<string, Map<string, Set<string>>>();
  for (const e of log) {
    const at = `[${secs(e.time)}] #${e.seq}`;
    if (e.type === 'COMMAND') {
      const d = e.data as Record<string, unknown>;
      if (d.command === 'bootstrap') { out.push(`${at} bootstrap: ${String(d.nodes)} nodes, storage classes ${JSON.stringify(d.storageClasses)}`); continue; }
      const rest = Object.entries(d).filter(([k]) => k !== 'command').map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      out.push(`${at} $ ${String(d.command)} ${rest}`);
      continue;
    }
    if (e.type === 'FAULT') { out.push(`${at} fault ${JSON.stringify(e.data)}`); continue; }
    if (!isObjectEntry(e)) continue;
    const o = e.object;
    const key = `${String(o.kind)}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    const old = prev.get(key);
    if (e.type === 'DELETED') prev.delete(key); else prev.set(key, o);
    const by = `(${e.actor})`;
    switch (o.kind) {
      case 'Pod': {
        const p = o as Pod; const q = old as Pod | undefined; const n = p.metadata!.name!;
        if (e.type === 'ADDED') out.push(`${at} pod ${n} created ${by}`);
        else if (e.type === 'DELETED') out.push(`${at} pod ${n} deleted ${by}`);
        else {
          if (!q?.spec?.nodeName && p.spec?.nodeName) out.push(`${at} pod ${n} scheduled to ${p.spec.nodeName} ${by}`);
          if (q?.status?.phase !== p.status?.phase && p.status?.phase !== 'Pending') out.push(`${at} pod ${n} ${p.status?.phase ?? ''}${p.status?.podIP ? ` (IP ${p.status.podIP})` : ''} ${by}`);
          const status = podStatusText(p);
          if (status === 'ContainerCreating' && q && podStatusText(q) !== status) out.push(`${at} pod ${n} ContainerCreating on ${p.spec?.nodeName ?? '?'} ${by}`);
          // A container that could not start (its image, its environment; kubectl STATUS is its waiting reason): once the reason changes.
          if (p.status?.phase === 'Pending' && SANDBOX_WAIT_REASONS.has(status) && q && podStatusText(q) !== status) {
            out.push(`${at} pod ${n} ${status}${p.status.podIP && !q.status?.podIP ? ` (IP ${p.status.podIP})` : ''} ${by}`);
          }
          // Initializing (Init:i/n, then PodInitializing): once on its node, then at each init container that starts or ends.
          if ((status.startsWith('Init:') || status === 'PodInitializing') && q && (podStatusText(q) !== status || initState(q) !== initState(p))) {
            out.push(`${at} pod ${n} ${status}${p.status?.podIP && !q.status?.podIP ? ` (IP ${p.status.podIP})` : ''}${p.status?.podIP ? '' : ` on ${p.spec?.nodeName ?? '?'}`} ${by}`);
          }
          if (q && !p.metadata?.deletionTimestamp) out.push(...containerChanges(q, p).map((c) => `${at} pod ${n} ${c} ${by}`));
          if (q && isRunningAndReady(q) !== isRunningAndReady(p)) out.push(`${at} pod ${n} ${isRunningAndReady(p) ? 'Ready' : 'not Ready'} ${by}`);
          if (!q?.metadata?.deletionTimestamp && p.metadata?.deletionTimestamp) out.push(`${at} pod ${n} Terminating (grace ${p.metadata.deletionGracePeriodSeconds ?? 0}s) ${by}`);
        }
        break;
      }
      case 'PersistentVolumeClaim': {
        const c = o as PersistentVolumeClaim; const q = old as PersistentVolumeClaim | undefined; const n = c.metadata!.name!;
        if (e.type === 'ADDED') out.push(`${at} claim ${n} created (${c.spec?.resources?.requests?.storage ?? '?'}, ${c.spec?.accessModes?.join(',') ?? ''}, class ${c.spec?.storageClassName ?? '<none>'}) ${by}`);
        else if (e.type === 'DELETED') out.push(`${at} claim ${n} deleted ${by}`);
        else {
          if (q?.status?.phase !== c.status?.phase) out.push(`${at} claim ${n} ${c.status?.phase ?? ''}${c.status?.phase === 'Bound' ? ` to ${c.spec?.volumeName ?? '?'}` : ''} ${by}`);
          const rs = c.status?.allocatedResourceStatuses?.['storage'];
          if (rs !== undefined && rs !== q?.status?.allocatedResourceStatuses?.['storage']) out.push(`${at} claim ${n} resize to ${c.status?.allocatedResources?.['storage'] ?? '?'}: ${rs} ${by}`);
          const cap = c.status?.capacity?.['storage'];
          if (q?.status?.phase === 'Bound' && cap !== undefined && q.status.capacity?.['storage'] !== undefined && cap !== q.status.capacity['storage']) out.push(`${at} claim ${n} capacity ${q.status.capacity['storage']} → ${cap} ${by}`);
          if (!q?.metadata?.deletionTimestamp && c.metadata?.deletionTimestamp) out.push(`${at} claim ${n} Terminating ${by}`);
        }
        break;
      }
      case 'PersistentVolume': {
        const v = o as PersistentVolume; const q = old as PersistentVolume | undefined; const n = v.metadata!.name!;
        if (e.type === 'ADDED') out.push(`${at} volume ${n} provisioned (${v.spec?.capacity?.storage ?? '?'}, class ${v.spec?.storageClassName ?? ''}, reclaim ${v.spec?.persistentVolumeReclaimPolicy ?? ''}) ${by}`);
        else if (e.type === 'DELETED') out.push(`${at} volume ${n} deleted ${by}`);
        else if (q !== undefined && q.spec?.capacity?.['storage'] !== v.spec?.capacity?.['storage']) out.push(`${at} volume ${n} capacity ${q.spec?.capacity?.['storage'] ?? '?'} → ${v.spec?.capacity?.['storage'] ?? '?'} ${by}`);
        else if (q?.status?.phase !== v.status?.phase && v.status?.phase !== 'Pending') out.push(`${at} volume ${n} ${v.status?.phase ?? ''}${v.spec?.claimRef ? ` (claim ${v.spec.claimRef.name ?? ''})` : ''} ${by}`);
        break;
      }
      case 'EndpointSlice': {
        // The per-pod names a headless service's slices publish (ready endpoints with a hostname), per service.
        const sl = o as EndpointSlice; const ns = sl.metadata?.namespace ?? 'default';
        const svc = sl.metadata?.labels?.['kubernetes.io/service-name'];
        if (svc === undefined) break;
        const names = new Set<string>();
        if (e.type !== 'DELETED') {
          for (const ep of sl.endpoints ?? []) {
            if (ep.conditions?.ready === false || !ep.hostname) continue;
            for (const ip of ep.addresses) names.add(`${ep.hostname}.${svc}.${ns}.svc.cluster.local → ${ip}`);
          }
        }
        const svcKey = `${ns}/${svc}`;
        const bySlice = dnsPrev.get(svcKey) ?? new Map<string, Set<string>>();
        dnsPrev.set(svcKey, bySlice);
        const union = (): Set<string> => { const u = new Set<string>(); for (const v of bySlice.values()) for (const x of v) u.add(x); return u; };
        const before = union();
        if (names.size > 0) bySlice.set(key, names); else bySlice.delete(key);
        const after = union();
        for (const x of after) if (!before.has(x)) out.push(`${at} DNS + ${x}`);
        for (const x of before) if (!after.has(x)) out.push(`${at} DNS - ${x}`);
        break;
      }
      case 'Namespace':
        // Namespaces of the scenario (the bootstrap's are the cluster's, not news).
        if (e.type === 'ADDED' && e.actor !== 'system:bootstrap') out.push(`${at} namespace ${o.metadata!.name!} created ${by}`);
        else if (e.type === 'DELETED') out.push(`${at} namespace ${o.metadata!.name!} deleted ${by}`);
        else if (e.type === 'MODIFIED' && !(old as KObject | undefined)?.metadata?.deletionTimestamp && o.metadata?.deletionTimestamp) out.push(`${at} namespace ${o.metadata!.name!} Terminating ${by}`);
        break;
      case 'StatefulSet': case 'ReplicaSet':
        if (e.type === 'ADDED') out.push(`${at} ${String(o.kind)} ${o.metadata!.name!} created ${by}`);
        if (e.type === 'DELETED') out.push(`${at} ${String(o.kind)} ${o.metadata!.name!} deleted ${by}`);
        break;
      default:
    }
  }
  return out;
};

const table = (rows: string[][]): string[] => {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join('   ').trimEnd());
};

/** Pods, claims, volumes and DNS names at the end of the run. */
export const finalState = (s: Snapshot): string[] => {
  const out: string[] = [];
  const pods = [...s.list('Pod')].sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  out.push('Pods:');
  if (pods.length === 0) out.push('  (none)');
  else out.push(...table([['NAME', 'STATUS', 'READY', 'NODE', 'IP', 'CLAIMS'], ...pods.map((p) => [
    p.metadata!.name!, podStatusText(p), isRunningAndReady(p) ? 'yes' : 'no', p.spec?.nodeName ?? '<none>', p.status?.podIP ?? '<none>', podClaimNames(p).join(',') || '<none>',
  ])]).map((l) => `  ${l}`));
  const claims = [...s.list('PersistentVolumeClaim')].sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  out.push('Claims:');
  if (claims.length === 0) out.push('  (none)');
  else out.push(...table([['NAME', 'STATUS', 'VOLUME', 'UID'], ...claims.map((c) => [
    c.metadata!.name!, `${c.status?.phase ?? ''}${c.metadata?.deletionTimestamp ? ',Terminating' : ''}`, c.spec?.volumeName ?? '<none>', c.metadata!.uid!,
  ])]).map((l) => `  ${l}`));
  const pvs = [...s.list('PersistentVolume')].sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  out.push('Volumes:');
  if (pvs.length === 0) out.push('  (none)');
  else out.push(...table([['NAME', 'STATUS', 'CLAIM', 'CLASS', 'RECLAIM'], ...pvs.map((v) => [
    v.metadata!.name!, v.status?.phase ?? '', v.spec?.claimRef ? `${v.spec.claimRef.namespace ?? ''}/${v.spec.claimRef.name ?? ''}` : '<none>', v.spec?.storageClassName ?? '', v.spec?.persistentVolumeReclaimPolicy ?? '',
  ])]).map((l) => `  ${l}`));
  const records = dnsRecords(s).filter((r) => r.type === 'A');
  out.push('DNS (A records):');
  if (records.length === 0) out.push('  (none)');
  else for (const r of records) out.push(`  ${r.name} → ${r.value}`);
  return out;
};

export const verdictLines = (r: Pick<RunReport, 'steps' | 'scenario' | 'passed'>): string[] => {
  const out: string[] = [];
  for (const s of r.steps) {
    if (s.step.op !== 'expect' && s.step.op !== 'wait' && s.ok) continue;
    out.push(`  ${s.ok ? 'PASS' : 'FAIL'}  step ${s.index}: ${describeStep(s.step)}`);
    for (const m of s.messages) out.push(`        ${m}`);
  }
  const notRun = r.scenario.steps.length - r.steps.length;
  if (notRun > 0) out.push(`  ${notRun} step(s) not run after the failure above`);
  out.push(r.passed ? 'PASS' : 'FAIL');
  return out;
};
