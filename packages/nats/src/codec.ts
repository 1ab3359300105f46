import type { KObject } from '@kubesim/api';
import type { AppendRequest, Envelope } from '@kubesim/log';
import type { Subjects } from './subjects.js';

/**
 * What a log message carries: the envelope without `seq` and `time`. JetStream assigns both: the
 * stream sequence is the entry's `seq` and the object's resourceVersion, and the server's store
 * timestamp (dilated by the cluster clock) is its virtual `time` — so a reader stamps them in, and the
 * log's order and times come from one place even with several API servers.
 */
type Payload = Omit<Envelope, 'seq' | 'time'>;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The subject of an entry: the object's own subject, or the input subject of its type. */
export const subjectOfEntry = (s: Subjects, req: Pick<AppendRequest, 'type' | 'object'>): string => {
  if (req.object) {
    const m = req.object.metadata ?? {};
    return s.object(String(req.object.kind), m.namespace ?? '', m.name ?? '');
  }
  if (req.type === 'ADDED' || req.type === 'MODIFIED' || req.type === 'DELETED') throw new Error(`${req.type} entry without an object`);
  return s.input(req.type);
};

export const encodeEntry = (req: Omit<AppendRequest, 'time' | 'expectSeq'> & { time?: number }): Uint8Array => {
  let object = req.object;
  if (object?.metadata?.resourceVersion !== undefined) {
    const { resourceVersion: _rv, ...meta } = object.metadata;
    object = { ...object, metadata: meta } as KObject;
  }
  const p: Payload = {
    type: req.type, actor: req.actor, cause: req.cause,
    ...(req.op !== undefined ? { op: req.op } : {}),
    ...(object !== undefined ? { object } : {}),
    ...(req.data !== undefined ? { data: req.data } : {}),
  };
  return enc.encode(JSON.stringify(p));
};

/** Decode a stored message into an envelope (fixed field order, as the in-memory log writes it). */
export const decodeEntry = (seq: number, time: number, data: Uint8Array): Envelope => {
  const p = JSON.parse(dec.decode(data)) as Payload;
  // The object was just parsed: stamp the resourceVersion into it rather than copy it (the key lands last in
  // metadata either way, as it was stripped before encoding).
  const object = p.object;
  if (object !== undefined) ((object as { metadata?: Record<string, unknown> }).metadata ??= {}).resourceVersion = String(seq);
  return {
    seq, time, type: p.type, actor: p.actor, cause: p.cause,
    ...(p.op !== undefined ? { op: p.op } : {}),
    ...(object !== undefined ? { object } : {}),
    ...(p.data !== undefined ? { data: p.data } : {}),
  };
};

/** The object an appended entry holds, with the seq JetStream gave it stamped in as its resourceVersion. */
export const stampObject = (object: KObject, seq: number): KObject =>
  ({ ...object, metadata: { ...object.metadata, resourceVersion: String(seq) } }) as KObject;

