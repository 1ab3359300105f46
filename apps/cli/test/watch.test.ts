import { describe, expect, it } from 'vitest';
import { parseLabelSelectorString, timestamp, type KObject, type Pod } from '@kubesim/api';
import type { Envelope } from '@kubesim/log';
import { TabWriter } from '../src/printers/tabwriter.js';
import { WatchPrinter } from '../src/printers/watch.js';
import { watchEventOf, type WatchScope } from '../src/commands/watch.js';

const pod = (name: string, labels: Record<string, string>, phase = 'Pending'): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: timestamp(0), labels },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase },
});

const entry = (type: Envelope['type'], object: KObject, seq = 1): Envelope & { object: KObject } =>
  ({ seq, time: 0, type, actor: 'test', cause: null, object });

describe('TabWriter (liggitt/tabwriter RememberWidths)', () => {
  it('keeps every column as wide as it ever was across flushes, and widens it for a longer cell', () => {
    const w = new TabWriter();
    expect(w.write([['NAME', 'STATUS', 'AGE'], ['web-0', 'Pending', '0s']])).toBe('NAME    STATUS    AGE\nweb-0   Pending   0s\n');
    // A shorter row keeps the widths; a longer cell widens its column for this row and every later one.
    expect(w.write([['w', 'Running', '1s']])).toBe('w       Running   1s\n');
    expect(w.write([['web-1', 'ContainerCreating', '2s']])).toBe('web-1   ContainerCreating   2s\n');
    expect(w.write([['web-1', 'Running', '3s']])).toBe('web-1   Running             3s\n');
  });
});

describe('WatchPrinter (kubectl get -w)', () => {
  it('prints the header once, with the first rows (none for an empty list), then one aligned row per change', () => {
    const p = new WatchPrinter('Pod', { output: { kind: 'table' } });
    expect(p.print('ADDED', [], 0)).toBe('');
    expect(p.print('ADDED', [pod('web-0', {})], 0)).toBe('NAME    READY   STATUS    RESTARTS   AGE\nweb-0   0/1     Pending   0          0s\n');
    expect(p.print('MODIFIED', [pod('web-0', {}, 'Running')], 65_000)).toBe('web-0   0/1     Running   0          65s\n');
  });

  it('--output-watch-events: an EVENT column in tables; {type, object} documents in JSON, YAML documents separated by ---', () => {
    const t = new WatchPrinter('Pod', { output: { kind: 'table' }, watchEvents: true });
    expect(t.print('ADDED', [pod('web-0', {})], 0)).toBe('EVENT   NAME    READY   STATUS    RESTARTS   AGE\nADDED   web-0   0/1     Pending   0          0s\n');
    expect(t.print('DELETED', [pod('web-0', {})], 0)).toBe('DELETED   web-0   0/1     Pending   0          0s\n');
    const j = new WatchPrinter('Pod', { output: { kind: 'json' }, watchEvents: true });
    const doc = j.print('MODIFIED', [pod('web-0', {})], 0);
    expect(doc.startsWith('{\n    "type": "MODIFIED",\n    "object": {\n        "apiVersion": "v1",\n')).toBe(true);
    expect(JSON.parse(doc)).toEqual({ type: 'MODIFIED', object: pod('web-0', {}) });
    const y = new WatchPrinter('Pod', { output: { kind: 'yaml' } });
    const two = y.print('ADDED', [pod('web-0', {}), pod('web-1', {})], 0);
    expect(two.split('\n').filter((l) => l === '---')).toHaveLength(1);
    expect(y.print('MODIFIED', [pod('web-1', {})], 0).startsWith('---\napiVersion: v1\n')).toBe(true);
  });
});

describe('watchEventOf (the API server\'s cacheWatcher.convertToWatchEvent)', () => {
  const selector = parseLabelSelectorString('app=web');
  if (typeof selector === 'string') throw new Error(selector);
  const scope: WatchScope = { kind: 'Pod', namespace: 'default', selection: { labels: selector } };

  it('an object coming into the selector is ADDED, staying is MODIFIED, leaving is DELETED with its previous content', () => {
    const before = pod('p', { app: 'other' });
    const matching = pod('p', { app: 'web' });
    expect(watchEventOf(scope, before, entry('MODIFIED', matching))).toEqual({ type: 'ADDED', object: matching });
    expect(watchEventOf(scope, matching, entry('MODIFIED', matching))).toEqual({ type: 'MODIFIED', object: matching });
    const relabelled = pod('p', { app: 'db' });
    expect(watchEventOf(scope, matching, entry('MODIFIED', relabelled))).toEqual({ type: 'DELETED', object: matching });
    expect(watchEventOf(scope, relabelled, entry('MODIFIED', before))).toBeUndefined();
  });

  it('a deletion is DELETED with the deleted object; objects of another namespace or name are not seen', () => {
    const matching = pod('p', { app: 'web' });
    expect(watchEventOf(scope, matching, entry('DELETED', matching))).toEqual({ type: 'DELETED', object: matching });
    expect(watchEventOf(scope, undefined, entry('ADDED', { ...matching, metadata: { ...matching.metadata, namespace: 'team' } }))).toBeUndefined();
    expect(watchEventOf({ kind: 'Pod', namespace: undefined, name: 'q' }, undefined, entry('ADDED', matching))).toBeUndefined();
    expect(watchEventOf({ kind: 'Pod', namespace: undefined, name: 'p' }, undefined, entry('ADDED', matching))).toEqual({ type: 'ADDED', object: matching });
  });
});
