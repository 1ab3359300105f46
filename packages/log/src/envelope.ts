import type { KObject } from '@kubesim/api';

export type ObjectEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
/** Non-object entries record every input of a run: user commands, injected faults, component lifecycle. */
export type InputEventType = 'COMMAND' | 'FAULT' | 'COMPONENT';
export type EntryType = ObjectEventType | InputEventType;

/**
 * One entry of the event log. `seq` is the cluster's resourceVersion; `time` is virtual milliseconds;
 * `cause` is the seq of the entry the actor was reacting to (null for user input).
 */
export interface Envelope {
  readonly seq: number;
  readonly time: number;
  readonly type: EntryType;
  readonly actor: string;
  readonly cause: number | null;
  /** The API operation that produced an object entry: create, update, update/status, patch, delete, bind, finalize. */
  readonly op?: string;
  /** The whole object after the change (for DELETED: its last state). */
  readonly object?: KObject;
  /** Details of a COMMAND / FAULT / COMPONENT entry. */
  readonly data?: unknown;
}

export const isObjectEntry = (e: Envelope): e is Envelope & { object: KObject; type: ObjectEventType } =>
  e.object !== undefined && (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED');

export type AppendRequest = Omit<Envelope, 'seq'> & {
  /** Compare-and-set: the object's last seq must equal this (0 = never written). */
  readonly expectSeq?: number;
  /**
   * The caller hands over the object (`object`: the top-level object; `metadata`: its metadata object
   * too): nobody else holds it, so the log stamps the resourceVersion into it instead of copying it.
   */
  readonly owned?: 'object' | 'metadata';
};

export interface LogConflict {
  readonly type: 'LogConflict';
  readonly key: string;
  readonly expected: number;
  readonly actual: number;
}
