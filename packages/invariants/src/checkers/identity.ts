import type { KObject, Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import { POD_INDEX_LABEL, POD_NAME_LABEL, controllerOf, isTerminatingPod, nameOf, nsOf, shortUid, uidOf } from '../model.js';
import { claimsOfOrdinal, podLabel, podWriteOf, setLabel } from './writes.js';

/**
 * L1 — one pod per identity: at every log position at most one Pod `<set>-<k>` exists per namespace
 * (a Terminating pod still counts); a new incarnation's ADDED follows the previous one's DELETED.
 */
export const l1Checker: CheckerDef = {
  id: 'L1',
  title: 'one live pod per StatefulSet identity (Terminating counts as live)',
  kinds: ['Pod'],
  inputs: false,
  create: (ctx) => {
    /** Live StatefulSet pods: namespace/name → {uid, seq of its ADDED}. */
    const live = new Map<string, { uid: string; addedAt: number }>();
    return {
      id: 'L1',
      title: l1Checker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        const p = e.object as Pod;
        const key = `${nsOf(p)}/${nameOf(p)}`;
        if (e.type === 'DELETED') { live.delete(key); return; }
        const isSetPod = controllerOf(p, 'StatefulSet') !== undefined || controllerOf(before, 'StatefulSet') !== undefined
          || ctx.world.setByPodName(nsOf(p), nameOf(p)) !== undefined;
        if (e.type === 'ADDED') {
          const prev = live.get(key);
          if (before !== undefined && isSetPod) {
            const b = before as Pod;
            ctx.report(prev ? [e.seq, prev.addedAt] : [e.seq], `pod ${key} ADDED at seq ${e.seq} (uid ${shortUid(uidOf(p))}) while its previous incarnation (uid ${shortUid(uidOf(b))}${prev ? `, ADDED at seq ${prev.addedAt}` : ''}${isTerminatingPod(b) ? ', Terminating' : ''}) was not yet DELETED — two live pods for one StatefulSet identity`);
          }
          if (isSetPod) live.set(key, { uid: uidOf(p), addedAt: e.seq });
        } else if (isSetPod && !live.has(key)) {
          live.set(key, { uid: uidOf(p), addedAt: e.seq });
        }
      },
      finish(): void { /* judged per entry */ },
    };
  },
};

/**
 * L2 — label consistency of every pod the StatefulSet controller creates: pod-name label = name,
 * pod-index label = ordinal, hostname = name, subdomain = serviceName, and each claim-template volume
 * names `<template>-<set>-<k>`. Pods the controller updates (repairs) must have consistent labels and
 * volumes afterwards (hostname and subdomain are immutable and not repaired).
 */
export const l2Checker: CheckerDef = {
  id: 'L2',
  title: 'StatefulSet pod labels, hostname, subdomain and claim volumes are consistent',
  kinds: ['Pod'],
  inputs: false,
  create: (ctx) => ({
    id: 'L2',
    title: l2Checker.title,
    observe(e: Envelope, before: KObject | undefined): void {
      const w = podWriteOf(ctx.world, e, before);
      if (w === undefined || (w.kind !== 'create' && w.kind !== 'update') || w.ordinal < 0) return;
      const p = w.pod;
      const name = nameOf(p);
      const problems: string[] = [];
      const labels = p.metadata?.labels ?? {};
      if (labels[POD_NAME_LABEL] !== name) problems.push(`label ${POD_NAME_LABEL}=${String(labels[POD_NAME_LABEL])} (want ${name})`);
      if (labels[POD_INDEX_LABEL] !== String(w.ordinal)) problems.push(`label ${POD_INDEX_LABEL}=${String(labels[POD_INDEX_LABEL])} (want ${w.ordinal})`);
      if (w.kind === 'create') {
        if (p.spec?.hostname !== name) problems.push(`hostname ${String(p.spec?.hostname)} (want ${name})`);
        const svc = w.set.obj.spec?.serviceName ?? '';
        if ((p.spec?.subdomain ?? '') !== svc) problems.push(`subdomain ${String(p.spec?.subdomain)} (want ${svc})`);
      }
      for (const { template, claim } of claimsOfOrdinal(w.set.obj, w.ordinal)) {
        const got = (p.spec?.volumes ?? []).find((v) => v.name === template)?.persistentVolumeClaim?.claimName;
        if (got !== claim) problems.push(`volume ${template} → ${String(got)} (want ${claim})`);
      }
      if (problems.length > 0) {
        ctx.report([e.seq], `${podLabel(p)} ${w.kind === 'create' ? 'created' : 'updated'} by the controller at seq ${e.seq} for ${setLabel(w.set)} has ${problems.join(', ')}`);
      }
    },
    finish(): void { /* judged per entry */ },
  }),
};
