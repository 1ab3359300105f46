import { describe, expect, it } from 'vitest';
import { fieldSelectorError, fieldsMatch, parseFieldSelector, selectorListError, type KObject } from '../src/index.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default' }, spec: { nodeName: 'node-a', containers: [] }, status: { phase: 'Running', podIPs: [{ ip: '10.64.0.2' }] } } as KObject;

describe('field selectors (fields.ParseSelector, field label conversions, selectable fields)', () => {
  it('parses =, == and != terms joined by commas, with \\, \\= and \\\\ escapes in values', () => {
    expect(parseFieldSelector('status.phase=Running,spec.nodeName!=node-b,metadata.name==web-0')).toEqual([
      { field: 'status.phase', op: '=', value: 'Running' }, { field: 'spec.nodeName', op: '!=', value: 'node-b' }, { field: 'metadata.name', op: '=', value: 'web-0' },
    ]);
    expect(parseFieldSelector('metadata.name=a\\,b\\=c')).toEqual([{ field: 'metadata.name', op: '=', value: 'a,b=c' }]);
    expect(parseFieldSelector('')).toEqual([]);
  });

  it('refuses what the API server refuses, in its words', () => {
    expect(parseFieldSelector('status.phase')).toBe("invalid selector: 'status.phase'; can't understand 'status.phase'");
    expect(parseFieldSelector('metadata.name=a=b')).toBe('invalid field selector: unescaped character in value: 61');
    expect(parseFieldSelector('metadata.name=a\\b')).toBe('invalid field selector: invalid escape sequence: \\b');
    expect(fieldSelectorError('Pod', [{ field: 'spec.foo', op: '=', value: 'x' }])).toBe('field label not supported: spec.foo');
    expect(fieldSelectorError('StatefulSet', [{ field: 'spec.replicas', op: '=', value: '3' }])).toBe('"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
    expect(fieldSelectorError('StatefulSet', [{ field: 'metadata.name', op: '=', value: 'web' }])).toBeUndefined();
    expect(selectorListError('v1', 'pods', '', 'field label not supported: spec.foo', 'spec.foo=x'))
      .toBe('Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=x": field label not supported: spec.foo');
  });

  it('matches the fields each kind makes selectable (a pod\'s first IP, spec.host as spec.nodeName, booleans as true/false)', () => {
    const sel = (t: string) => { const r = parseFieldSelector(t); if (typeof r === 'string') throw new Error(r); return r; };
    expect(fieldsMatch('Pod', sel('status.phase=Running,spec.nodeName=node-a'), pod)).toBe(true);
    expect(fieldsMatch('Pod', sel('spec.host=node-a,status.podIP=10.64.0.2,metadata.namespace=default'), pod)).toBe(true);
    expect(fieldsMatch('Pod', sel('status.phase!=Running'), pod)).toBe(false);
    expect(fieldsMatch('Pod', sel('spec.hostNetwork=false,status.nominatedNodeName='), pod)).toBe(true);
    expect(fieldsMatch('Node', sel('spec.unschedulable=false'), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } } as KObject)).toBe(true);
    expect(fieldsMatch('Event', sel('involvedObject.name=web-0,source=kubelet'), { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { name: 'web-0' }, source: { component: 'kubelet' } } as KObject)).toBe(true);
  });
});
