/** Configuration and component-local state of the ReplicaSet controller (k8s-semantics §2). */

export interface ReplicaSetControllerConfig {
  /** [RS BurstReplicas]: at most this many creates or deletes per sync. */
  readonly burstReplicas: number;
  /** [CU ExpectationsTimeout]: an unfulfilled expectation record stops blocking syncs after this long. */
  readonly expectationsTimeoutMs: number;
  /** Feature gate `PodDeletionCost` (on by default since 1.22): rank rule 4. */
  readonly podDeletionCost: boolean;
  /** Feature gate `LogarithmicScaleDown` (on by default since 1.22): rank rules 6 and 8 in log2 buckets. */
  readonly logarithmicScaleDown: boolean;
}

export const defaultReplicaSetControllerConfig: ReplicaSetControllerConfig = {
  burstReplicas: 500,
  expectationsTimeoutMs: 5 * 60 * 1000,
  podDeletionCost: true,
  logarithmicScaleDown: true,
};

/**
 * One ReplicaSet's expectations [CU ControllerExpectations + UIDTrackingControllerExpectations]:
 * creations still to be observed (`add`, may go negative), the keys (`namespace/name`) of pods whose
 * deletion is still to be observed (`del`), when the record was set, and the uid of the ReplicaSet it
 * belongs to (the informer handlers only count pods whose controller ref carries that uid).
 */
export interface RsExpectations {
  readonly uid: string;
  readonly add: number;
  readonly del: ReadonlySet<string>;
  readonly timestampMs: number;
}

/** Component-local state: expectations by ReplicaSet key (`namespace/name`). Lost on a crash, as in Kubernetes. */
export type ReplicaSetLocal = ReadonlyMap<string, RsExpectations>;

export const CONTROLLER_NAME = 'replicaset-controller';
