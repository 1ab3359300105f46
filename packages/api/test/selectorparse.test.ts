import { describe, expect, it } from 'vitest';
import { parseLabelSelectorString, requirementsMatch, selectorListError } from '../src/index.js';

// apimachinery labels.Parse (selector.go: Lexer, Parser, NewRequirement) and its selector_test.go cases.

const ok = (s: string) => {
  const r = parseLabelSelectorString(s);
  if (typeof r === 'string') throw new Error(`${s}: ${r}`);
  return r.map((x) => `${x.key} ${x.operator} ${x.values.join('|')}`.trim());
};

describe('label selector parsing (kubectl -l)', () => {
  it('parses every form, sorted by key, as labels.Parse', () => {
    expect(ok('')).toEqual([]);
    expect(ok('x=a,y=b,z=c')).toEqual(['x = a', 'y = b', 'z = c']);
    expect(ok('x==a')).toEqual(['x == a']);
    expect(ok('x=')).toEqual(['x =']);
    expect(ok('x!=a,y=b')).toEqual(['x != a', 'y = b']);
    expect(ok('x in (foo,,baz),y,z notin ()')).toEqual(['x in |baz|foo', 'y exists', 'z notin']);
    expect(ok('!x,  y  in (a) ')).toEqual(['x !', 'y in a']);
    expect(ok('x>1,y<3')).toEqual(['x gt 1', 'y lt 3']);
    // `gt` is how the operator is named in messages; the syntax is `>`.
    expect(parseLabelSelectorString('x gt 1')).toBe('unable to parse requirement: found \'gt\', expected: in, notin, =, ==, !=, gt, lt');
    expect(ok('w in (in,notin)')).toEqual(['w in in|notin']);
    expect(ok('example.com/app=web')).toEqual(['example.com/app = web']);
  });

  it('refuses malformed selectors with the API server\'s messages', () => {
    expect(parseLabelSelectorString('x=a||y=b')).toMatch(/^unable to parse requirement: values\[0\]\[x\]: Invalid value: "a\|\|y": a valid label must be/);
    expect(parseLabelSelectorString('a b')).toBe('unable to parse requirement: found \'b\', expected: in, notin, =, ==, !=, gt, lt');
    expect(parseLabelSelectorString('x in (a')).toBe('unable to parse requirement: found \'\', expected: \',\' or \')\'');
    expect(parseLabelSelectorString('x in a')).toBe('unable to parse requirement: found \'a\' expected: \'(\'');
    expect(parseLabelSelectorString('x=a,')).toBe('found \'\', expected: identifier after \',\'');
    expect(parseLabelSelectorString('x=a y=b')).toBe('found \'y\', expected: \',\' or \'end of string\'');
    expect(parseLabelSelectorString('=a')).toBe('found \'=\', expected: !, identifier, or \'end of string\'');
    expect(parseLabelSelectorString('x=a b')).toBe('found \'b\', expected: \',\' or \'end of string\'');
    expect(parseLabelSelectorString('x>a')).toBe('unable to parse requirement: values[0]: Invalid value: "a": for \'Gt\', \'Lt\' operators, the value must be an integer');
    expect(parseLabelSelectorString('x=a/b')).toMatch(/^unable to parse requirement: values\[0\]\[x\]: Invalid value: "a\/b": a valid label must be an empty string/);
    expect(parseLabelSelectorString('-x=a')).toMatch(/^unable to parse requirement: <nil>: Invalid value: "-x": name part must consist of alphanumeric characters/);
  });

  it('matches as labels.Requirement.Matches: notin and != match a missing key; gt/lt compare integers', () => {
    const reqs = parseLabelSelectorString('app=web,tier notin (cache),!canary,replica>1') as Exclude<ReturnType<typeof parseLabelSelectorString>, string>;
    expect(requirementsMatch(reqs, { app: 'web', replica: '2' })).toBe(true);
    expect(requirementsMatch(reqs, { app: 'web', replica: '1' })).toBe(false);
    expect(requirementsMatch(reqs, { app: 'web', replica: '2', tier: 'cache' })).toBe(false);
    expect(requirementsMatch(reqs, { app: 'web', replica: '2', canary: '' })).toBe(false);
    expect(requirementsMatch(reqs, { app: 'db', replica: '2' })).toBe(false);
    // Two requirements on one key both hold (a=b,a=c matches nothing).
    expect(requirementsMatch(parseLabelSelectorString('a=b,a=c') as never, { a: 'b' })).toBe(false);
  });

  it('the list error as kubectl shows the server\'s answer', () => {
    expect(selectorListError('apps/v1', 'statefulsets', 'a b', 'unable to parse requirement: x'))
      .toBe('Unable to find "apps/v1, Resource=statefulsets" that match label selector "a b", field selector "": unable to parse requirement: x');
  });
});
