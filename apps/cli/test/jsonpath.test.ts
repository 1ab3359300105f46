import { describe, expect, it } from 'vitest';
import { goFormatV, JsonPath, JsonPathError, relaxedJsonPath } from '../src/printers/jsonpath.js';
import { naturalLess, sortObjectsBy } from '../src/commands/getmany.js';
import type { KObject } from '@kubesim/api';

const list = {
  apiVersion: 'v1', kind: 'List',
  items: [
    { metadata: { name: 'web-0', labels: { 'app.kubernetes.io/name': 'web' } }, spec: { nodeName: 'node-a' }, status: { conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }], containerStatuses: [{ restartCount: 2, ready: false }] } },
    { metadata: { name: 'web-1', labels: {} }, spec: { nodeName: 'node-b' }, status: { conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ restartCount: 0, ready: true }] } },
  ],
};
const run = (t: string, data: unknown = list): string => new JsonPath(t).execute(data);

describe('kubectl JSONPath (client-go util/jsonpath)', () => {
  it('fields, [*], indexes, slices and unions; several values joined by one space, text outside braces as it is', () => {
    expect(run('{.items[*].metadata.name}')).toBe('web-0 web-1');
    expect(run('{.items[0].spec.nodeName}/{.items[-1].spec.nodeName}')).toBe('node-a/node-b');
    expect(run('{.items[0:1].metadata.name}')).toBe('web-0');
    expect(run("{.items[*]['spec']['nodeName']}")).toBe('node-a node-b');
    expect(run('{.items[1,0].metadata.name}')).toBe('web-1 web-0');
    expect(run('{.kind} has {.items[*].status.containerStatuses[0].restartCount} restarts')).toBe('List has 2 0 restarts');
  });

  it('escaped dots in keys, recursive descent, maps and lists printed as JSON with sorted keys, bools and numbers as fmt prints them', () => {
    expect(run('{.items[0].metadata.labels.app\\.kubernetes\\.io/name}')).toBe('web');
    expect(run('{..nodeName}')).toBe('node-a node-b');
    expect(run('{.items[1].status.conditions[0]}')).toBe('{"status":"True","type":"Ready"}');
    expect(run('{.items[*].status.containerStatuses[*].ready}')).toBe('false true');
  });

  it('filters, range/end blocks relative to each element, string literals with escapes; missing keys print nothing', () => {
    expect(run('{.items[*].status.conditions[?(@.type=="Ready")].status}')).toBe('False True');
    expect(run('{.items[?(@.spec.nodeName!="node-a")].metadata.name}')).toBe('web-1');
    expect(run('{.items[?(@.status.containerStatuses[0].restartCount>1)].metadata.name}')).toBe('web-0');
    expect(run('{.items[?(@.metadata.labels.app\\.kubernetes\\.io/name)].metadata.name}')).toBe('web-0');
    expect(run('{range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}')).toBe('web-0\tnode-a\nweb-1\tnode-b\n');
    expect(run('{range .items[*]}[{range .status.conditions[*]}{.type},{end}]{end}')).toBe('[PodScheduled,Ready,][Ready,]');
    expect(run('{.items[0].nope.deeper}{.metadata.name}')).toBe('');
  });

  it('errors as kubectl reports them: out-of-bounds indexes, unterminated arrays and actions', () => {
    expect(() => run('{.items[5]}')).toThrow(new JsonPathError('array index out of bounds: index 5, length 2'));
    expect(() => new JsonPath('{.items[}')).toThrow(new JsonPathError('unterminated array'));
    expect(() => new JsonPath('{.items')).toThrow(new JsonPathError('unclosed action'));
  });

  it('custom-columns: relaxed paths, Go %v cells', () => {
    expect(relaxedJsonPath('.metadata.name')).toBe('{.metadata.name}');
    expect(relaxedJsonPath('metadata.name')).toBe('{.metadata.name}');
    expect(relaxedJsonPath('{.spec}')).toBe('{.spec}');
    expect(goFormatV(['ReadWriteOnce'])).toBe('[ReadWriteOnce]');
    expect(goFormatV({ b: 1, a: 'x' })).toBe('map[a:x b:1]');
  });
});

describe('--sort-by (get SortObjects, sortorder.NaturalLess)', () => {
  it('orders strings naturally, numbers by value, objects without the field first, stably', () => {
    expect(naturalLess('web-2', 'web-10')).toBe(true);
    expect(naturalLess('web-10', 'web-2')).toBe(false);
    expect(naturalLess('a', 'a1')).toBe(true);
    const o = (name: string, n?: number): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, ...(n !== undefined ? { spec: { priority: n } } : {}) }) as KObject;
    const sorted = sortObjectsBy([o('a', 10), o('b', 9), o('c'), o('d', 9)], '.spec.priority');
    expect(typeof sorted === 'string' ? sorted : sorted.map((x) => x.metadata?.name)).toEqual(['c', 'b', 'd', 'a']);
    expect(sortObjectsBy([o('a')], '.spec.priority')).toBe('error: couldn\'t find any field with path "{.spec.priority}" in the list of objects');
  });

  it('compares two strings that are both quantities as quantities, anything else naturally', () => {
    const claim = (name: string, storage: string): KObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { resources: { requests: { storage } } } }) as KObject;
    const names = (r: KObject[] | string) => (typeof r === 'string' ? r : r.map((x) => x.metadata?.name));
    // By size, not naturally (natural order would put 2Gi before 1536Mi and 1Ti before 500M).
    expect(names(sortObjectsBy([claim('a', '10Gi'), claim('b', '2Gi'), claim('c', '1536Mi'), claim('d', '500M'), claim('e', '1Ti')], '.spec.resources.requests.storage')))
      .toEqual(['d', 'c', 'b', 'a', 'e']);
    // A string that is not a quantity falls back to natural order for that comparison.
    expect(names(sortObjectsBy([claim('a', 'big'), claim('b', '2Gi'), claim('c', '10Gi')], '.spec.resources.requests.storage'))).toEqual(['b', 'c', 'a']);
  });
});
