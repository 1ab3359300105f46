import type { KObject, PersistentVolume, PersistentVolumeClaim, Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { CheckerDef } from '../types.js';
import { containersRunning, isExclusiveVolume, nameOf, nsOf, podClaims, shortUid, uidOf } from '../model.js';

const isBound = (o: { status?: { phase?: string } } | undefined): boolean => o?.status?.phase === 'Bound';

/**
 * BIND — binding is one-to-one: a PersistentVolume is bound to at most one Bound claim, and once a claim
 * and the volume its volumeName names are both Bound, the volume's claimRef names that claim (namespace,
 * name and uid).
 */
export const bindChecker: CheckerDef = {
  id: 'BIND',
  title: 'a volume is bound to one claim, and claim and volume point at each other once Bound',
  kinds: ['PersistentVolumeClaim', 'PersistentVolume'],
  inputs: false,
  create: (ctx) => {
    /** volume name → namespace/name of the Bound claim naming it. */
    const boundBy = new Map<string, string>();
    const store = ctx.world.store;
    const checkPair = (seq: number, claim: PersistentVolumeClaim, pv: PersistentVolume): void => {
      if (!isBound(claim) || !isBound(pv) || claim.spec?.volumeName !== nameOf(pv)) return;
      const ref = pv.spec?.claimRef;
      const ok = ref !== undefined && ref.name === nameOf(claim) && (ref.namespace ?? '') === nsOf(claim) && (ref.uid === undefined || ref.uid === uidOf(claim));
      if (!ok) {
        const to = ref === undefined ? 'no claim' : `${ref.namespace ?? ''}/${ref.name ?? ''} (uid ${shortUid(ref.uid ?? '')})`;
        ctx.report([seq, Number(claim.metadata?.resourceVersion ?? 0), Number(pv.metadata?.resourceVersion ?? 0)], `claim ${nsOf(claim)}/${nameOf(claim)} (uid ${shortUid(uidOf(claim))}) and volume ${nameOf(pv)} are both Bound at seq ${seq}, the claim's volumeName names the volume, but the volume's claimRef names ${to}`);
      }
    };
    return {
      id: 'BIND',
      title: bindChecker.title,
      observe(e: Envelope, before: KObject | undefined): void {
        const o = e.object!;
        if (o.kind === 'PersistentVolumeClaim') {
          const key = `${nsOf(o)}/${nameOf(o)}`;
          const prev = before as PersistentVolumeClaim | undefined;
          const prevVol = prev?.spec?.volumeName;
          if (prevVol !== undefined && boundBy.get(prevVol) === key) boundBy.delete(prevVol);
          if (e.type === 'DELETED') return;
          const c = o as PersistentVolumeClaim;
          const vol = c.spec?.volumeName;
          if (!isBound(c) || vol === undefined) return;
          const other = boundBy.get(vol);
          if (other !== undefined && other !== key) {
            const [ons = '', oname = ''] = other.split('/');
            const oc = store.get('PersistentVolumeClaim', ons, oname);
            if (oc !== undefined && isBound(oc) && oc.spec?.volumeName === vol) {
              ctx.report([e.seq, Number(oc.metadata?.resourceVersion ?? 0)], `claims ${other} and ${key} are both Bound to volume ${vol} at seq ${e.seq}: a volume binds one claim`);
            }
          }
          boundBy.set(vol, key);
          const pv = store.get('PersistentVolume', '', vol);
          if (pv) checkPair(e.seq, c, pv);
          return;
        }
        if (e.type === 'DELETED') return;
        const pv = o as PersistentVolume;
        const ref = pv.spec?.claimRef;
        if (!isBound(pv) || ref?.name === undefined) return;
        const c = store.get('PersistentVolumeClaim', ref.namespace ?? '', ref.name);
        if (c) checkPair(e.seq, c, pv);
        const holder = boundBy.get(nameOf(pv));
        if (holder !== undefined && holder !== `${ref.namespace ?? ''}/${ref.name}`) {
          const [hns = '', hname = ''] = holder.split('/');
          const hc = store.get('PersistentVolumeClaim', hns, hname);
          if (hc) checkPair(e.seq, hc, pv);
        }
      },
      finish(): void { /* judged per entry */ },
    };
  },
};

/**
 * RWO — an exclusive (ReadWriteOnce, attachable) volume is in use on one node at a time: no two pods
 * whose containers run on different nodes mount claims bound to the same such volume.
 */
export const rwoChecker: CheckerDef = {
  id: 'RWO',
  title: 'a ReadWriteOnce volume is in use on one node at a time',
  kinds: ['Pod'],
  inputs: false,
  create: (ctx) => {
    /** pod namespace/name → the exclusive volumes it uses and its node. */
    const usesOf = new Map<string, { node: string; vols: string[]; seq: number }>();
    /** volume → pod namespace/name → node. */
    const users = new Map<string, Map<string, string>>();
    return {
      id: 'RWO',
      title: rwoChecker.title,
      observe(e: Envelope): void {
        const p = e.object as Pod;
        const key = `${nsOf(p)}/${nameOf(p)}`;
        const old = usesOf.get(key);
        const running = e.type !== 'DELETED' && containersRunning(p) && p.spec?.nodeName !== undefined;
        if (!running) {
          if (old === undefined) return;
          for (const v of old.vols) { const u = users.get(v); u?.delete(key); if (u?.size === 0) users.delete(v); }
          usesOf.delete(key);
          return;
        }
        if (old !== undefined) return; // already registered: volumes and node of a running pod do not change
        const node = p.spec!.nodeName!;
        const vols: string[] = [];
        for (const { claim } of podClaims(p)) {
          const c = ctx.world.store.get('PersistentVolumeClaim', nsOf(p), claim);
          const vol = c?.spec?.volumeName;
          const pv = vol === undefined ? undefined : ctx.world.store.get('PersistentVolume', '', vol);
          if (pv === undefined || !isExclusiveVolume(pv)) continue;
          vols.push(vol!);
          let u = users.get(vol!);
          if (!u) { u = new Map(); users.set(vol!, u); }
          for (const [other, otherNode] of u) {
            if (otherNode === node) continue;
            ctx.report([e.seq, usesOf.get(other)?.seq ?? 0], `${key} runs on ${node} at seq ${e.seq} using volume ${vol} (claim ${claim}, ReadWriteOnce), which pod ${other} is still using on ${otherNode}: an exclusive volume is attached to one node at a time`);
            break;
          }
          u.set(key, node);
        }
        usesOf.set(key, { node, vols, seq: e.seq });
      },
      finish(): void { /* judged per entry */ },
    };
  },
};
