import type { Event, KObject } from '@kubesim/api';
import { ageSince } from './age.js';
import { DESCRIBE_LAYOUT, renderTabbed } from './tabwriter.js';

/**
 * The "Events:" section `kubectl describe` ends with (describe.go DescribeEvents): the events about this
 * incarnation of the object (involvedObject kind, name and uid), oldest lastTimestamp first; Age is the
 * first occurrence's, or `<last> (xN over <first>)` for a repeated event; From is the source component; the
 * message is prefixed with the involved object's fieldPath when it has one (a container's events).
 */
export const describeEvents = (obj: KObject, events: readonly Event[], nowMs: number): string => {
  const mine = eventsAbout(obj, events);
  return mine.length === 0 ? 'Events:\n  <none>\n' : eventsTable(mine, nowMs);
};

/** The `Events:` table of these events (already those about the object, in order). */
export const eventsTable = (mine: readonly Event[], nowMs: number): string => {
  const rows = mine.map((e) => {
    const count = e.count ?? 1;
    const age = count > 1
      ? `${ageSince(e.lastTimestamp, nowMs)} (x${count} over ${ageSince(e.firstTimestamp, nowMs)})`
      : ageSince(e.firstTimestamp ?? e.lastTimestamp, nowMs);
    // kubectl 1.35 (kubernetes#133627): an event about part of the object names it — `spec.containers{nginx}: Container started`.
    const message = (e.message ?? '').trim();
    return [`  ${e.type ?? ''}`, e.reason ?? '', age, e.source?.component ?? e.reportingComponent ?? '', e.involvedObject?.fieldPath ? `${e.involvedObject.fieldPath}: ${message}` : message];
  });
  return `Events:\n${renderTabbed([['  Type', 'Reason', 'Age', 'From', 'Message'], ['  ----', '------', '----', '----', '-------'], ...rows], DESCRIBE_LAYOUT).trimEnd()}\n`;
};

/** The events about this incarnation of the object (kind, name and uid), oldest lastTimestamp first. */
export const eventsAbout = (obj: KObject, events: readonly Event[]): Event[] => events
  .filter((e) => e.involvedObject?.kind === obj.kind && e.involvedObject?.name === obj.metadata?.name
    // A node's events name it by uid (controllers) or by name (the kubelet): kubectl searches both.
    && (e.involvedObject?.uid === undefined || e.involvedObject.uid === obj.metadata?.uid || (obj.kind === 'Node' && e.involvedObject.uid === obj.metadata?.name)))
  .sort((a, b) => (a.lastTimestamp ?? '').localeCompare(b.lastTimestamp ?? ''));
