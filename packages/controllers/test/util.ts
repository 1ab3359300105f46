import type { KObject } from '@kubesim/api';
import { ObjectStore, type IndexSpec } from '@kubesim/state';

/** A snapshot holding exactly these objects (with the component's indexes), for pure-core tests. */
export const makeSnapshot = (objects: readonly KObject[], indexes: readonly IndexSpec[] = []): ObjectStore => {
  const s = new ObjectStore(undefined, indexes);
  for (const o of objects) s.put(o);
  return s;
};
