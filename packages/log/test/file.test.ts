import { describe, expect, it } from 'vitest';
import type { KObject } from '@kubesim/api';
import { InMemoryLog, parseLogText, serializeLog, isLogDamage, type LogHeader } from '../src/index.js';

const header: LogHeader = { kubesim: 'log', format: 1, seed: 3, scenario: { name: 't' }, versions: { kubesim: '0' }, mode: 'embedded' };
const sample = () => {
  const log = new InMemoryLog();
  for (let i = 0; i < 5; i++) {
    log.append({ type: 'ADDED', actor: 'user', cause: null, time: i, object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default', labels: { '2': 'numeric-key', a: 'b' } } } as KObject });
  }
  return log;
};

describe('recording format', () => {
  it('round-trips byte for byte', () => {
    const text = serializeLog(header, sample().all());
    const parsed = parseLogText(text);
    if (isLogDamage(parsed)) throw new Error(parsed.reason);
    expect(parsed.entries).toHaveLength(5);
    expect(parsed.header.seed).toBe(3);
    expect(serializeLog(parsed.header, parsed.entries)).toBe(text);
  });

  it('reports a changed line with its line number', () => {
    const lines = serializeLog(header, sample().all()).split('\n');
    lines[3] = lines[3]!.replace('"p2"', '"pX"');
    const r = parseLogText(lines.join('\n'));
    expect(isLogDamage(r) && r.line).toBe(4);
  });

  it('reports a removed line, a truncated file and garbage', () => {
    const lines = serializeLog(header, sample().all()).split('\n');
    const removed = [...lines.slice(0, 2), ...lines.slice(3)].join('\n');
    expect(isLogDamage(parseLogText(removed)) && (parseLogText(removed) as { line: number }).line).toBe(3);
    const text = lines.join('\n');
    const truncated = text.slice(0, text.length - 20);
    expect(isLogDamage(parseLogText(truncated))).toBe(true);
    expect(isLogDamage(parseLogText('not json\n')) && (parseLogText('not json\n') as { line: number }).line).toBe(1);
  });
});

describe('in-memory log', () => {
  it('assigns seq = resourceVersion and refuses a stale compare-and-set', () => {
    const log = sample();
    expect([...log.entries()].map((e) => e.object?.metadata?.resourceVersion)).toEqual(['1', '2', '3', '4', '5']);
    const r = log.append({ type: 'MODIFIED', actor: 'user', cause: null, time: 9, expectSeq: 1, object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p0', namespace: 'default' } } as KObject });
    expect(r._tag).toBe('Right');
    const stale = log.append({ type: 'MODIFIED', actor: 'user', cause: null, time: 9, expectSeq: 1, object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p0', namespace: 'default' } } as KObject });
    expect(stale._tag === 'Left' && stale.left.actual).toBe(6);
  });
});
