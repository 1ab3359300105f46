import { describe, expect, it } from 'vitest';
import type { KObject } from '@kubesim/api';
import { parseWaitFor, waitMet, type WaitFor } from '../src/commands/wait.js';

// kubectl wait reads conditions generically (unstructured): observedGeneration on any kind's condition counts.
const sts = (ready: number, generation = 2, observed = 2): KObject => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', uid: 'u1', generation },
  status: { replicas: 3, readyReplicas: ready, observedGeneration: observed, conditions: [{ type: 'Example', status: 'True', observedGeneration: observed }] },
}) as unknown as KObject;

const parsed = (f: string): WaitFor => { const r = parseWaitFor(f); if (typeof r === 'string') throw new Error(r); return r; };

describe('kubesim wait --for (kubectl wait conditionFuncFor)', () => {
  it('parses delete, condition=NAME[=VALUE] and jsonpath=PATH[=VALUE] (a == stays in the path); refuses the rest as kubectl does', () => {
    expect(parseWaitFor('DELETE')).toEqual({ kind: 'delete' });
    expect(parseWaitFor('create')).toEqual({ kind: 'create' });
    expect(parseWaitFor('Create')).toEqual({ kind: 'create' });
    expect(parseWaitFor('condition=Ready')).toEqual({ kind: 'condition', name: 'Ready', value: 'true' });
    expect(parseWaitFor('condition=Ready=false')).toEqual({ kind: 'condition', name: 'Ready', value: 'false' });
    const j = parsed('jsonpath={.status.conditions[?(@.type=="Ready")].status}=True');
    expect(j.kind === 'jsonpath' && j.value).toBe('True');
    expect(j.kind === 'jsonpath' && j.path.template).toBe('{.status.conditions[?(@.type=="Ready")].status}');
    expect(parseWaitFor('ready')).toBe('error: unrecognized condition: "ready"');
    expect(parseWaitFor(undefined)).toBe('error: unrecognized condition: ""');
    expect(parseWaitFor("jsonpath={.status.readyReplicas}=''")).toBe('error: jsonpath wait has to have a value after equal sign, like --for=jsonpath=\'{.status.readyReplicas}\'=3');
    expect(parseWaitFor('jsonpath=a=b=c')).toMatch(/^error: jsonpath wait format must be/);
  });

  it('judges an object as kubectl does: case-insensitive conditions of the current generation, one primitive JSONPath value, deletion by uid', () => {
    expect(waitMet(parsed('create'), sts(1), 'u1')).toBe(true);
    expect(waitMet(parsed('create'), undefined, undefined)).toBe(false);
    expect(waitMet(parsed('condition=example'), sts(1), 'u1')).toBe(true);
    expect(waitMet(parsed('condition=Example=False'), sts(1), 'u1')).toBe(false);
    // A condition observed for an older generation does not count yet.
    expect(waitMet(parsed('condition=Example'), sts(1, 3, 2), 'u1')).toBe(false);
    expect(waitMet(parsed('jsonpath={.status.readyReplicas}=3'), sts(2), 'u1')).toBe(false);
    expect(waitMet(parsed('jsonpath={.status.readyReplicas}=3'), sts(3), 'u1')).toBe(true);
    expect(waitMet(parsed('jsonpath={.status.readyReplicas}'), sts(0), 'u1')).toBe(true);
    expect(waitMet(parsed('jsonpath={.status}=x'), sts(0), 'u1')).toBe('error: jsonpath leads to a nested object or list which is not supported');
    expect(waitMet(parsed('delete'), sts(1), 'u1')).toBe(false);
    expect(waitMet(parsed('delete'), undefined, 'u1')).toBe(true);
    // Another object under the same name: the one waited for is gone.
    expect(waitMet(parsed('delete'), { ...sts(1), metadata: { name: 'web', uid: 'u2' } } as KObject, 'u1')).toBe(true);
  });
});
