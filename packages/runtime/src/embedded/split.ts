import type { Kind, KindToType, KObject } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import type { ObjectStore, Snapshot, StoreView } from '@kubesim/state';

/**
 * The informer cache of a component with a write-through cache for some kinds (the volume binder: its
 * claims and volumes): those kinds live in the component's own `ObjectStore`, which stores the objects
 * its writes return; the other kinds it watches (pods, storage classes) are a prefix of the log like
 * any other informer's, read from the shared fold through a `StoreView` — or, once a broken or
 * reordered watch makes them stop being a prefix, from a private fold. Reads go to the part that holds
 * the kind; `seq` is the last entry delivered, whichever part it went to.
 */
export class SplitCache implements Snapshot {
  seq = 0;
  constructor(readonly own: ObjectStore, public shared: StoreView | ObjectStore) {}

  watches(kind: string): boolean { return this.own.watches(kind) || this.shared.watches(kind); }

  private part(kind: string): Snapshot { return this.own.watches(kind) ? this.own : this.shared; }

  /** An entry for the shared part (an object of its kinds, or an input) was delivered. */
  applyReturningOld(e: Envelope): KObject | undefined {
    this.seq = e.seq;
    this.own.seq = e.seq;
    return this.shared.applyReturningOld(e);
  }

  /** An entry for the own part was delivered (the host applied it there, or kept a newer version). */
  advance(seq: number): void {
    this.seq = seq;
    this.own.seq = seq;
    this.shared.seq = seq;
  }

  get<K extends Kind>(kind: K, namespace: string, name: string): Readonly<KindToType[K]> | undefined {
    return this.part(kind).get(kind, namespace, name);
  }

  list<K extends Kind>(kind: K, namespace?: string): Iterable<Readonly<KindToType[K]>> {
    return this.part(kind).list(kind, namespace);
  }

  count(kind: Kind, namespace?: string): number { return this.part(kind).count(kind, namespace); }

  byIndex<K extends Kind>(kind: K, index: string, value: string): Iterable<Readonly<KindToType[K]>> {
    return this.part(kind).byIndex(kind, index, value);
  }
}
