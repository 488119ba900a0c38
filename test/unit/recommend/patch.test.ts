import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  applyOp,
  plainCopy,
  referencesIn,
  substitute,
  type Touch,
} from '../../../src/recommend/patch.js';
import { parseSelectorPath } from '../../../src/recommend/path.js';
import type { PatchOp } from '../../../src/recommend/types.js';

function op(kind: PatchOp['kind'], path: string, extra: Record<string, unknown> = {}): PatchOp {
  return { kind, path, steps: parseSelectorPath(path), ...extra } as PatchOp;
}

const none = () => undefined;

function data(): Record<string, unknown> {
  return {
    stages: [
      { name: 'canary', checks: [{ name: 'errors' }, { name: 'p99' }] },
      { name: 'expand', checks: [{ name: 'errors' }, { name: 'p99' }] },
      { name: 'everywhere' },
    ],
  };
}

describe('patch operations', () => {
  it('set writes every selected place and adds a missing last key, returning how many', () => {
    const d = data();
    expect(
      applyOp(d, op('set', 'stages[*].checks[name=errors].interval', { value: '5m' }), none),
    ).toBe(2);
    expect(applyOp(d, op('set', 'stages[name=everywhere].bake', { value: '1h' }), none)).toBe(1);
    expect(applyOp(d, op('set', 'stages[name=nope].bake', { value: '1h' }), none)).toBe(0);
    expect(d).toMatchObject({
      stages: [
        { checks: [{ name: 'errors', interval: '5m' }, { name: 'p99' }] },
        { checks: [{ name: 'errors', interval: '5m' }, { name: 'p99' }] },
        { name: 'everywhere', bake: '1h' },
      ],
    });
  });

  it('remove takes every selected item out, once each, whatever the order', () => {
    const d = data();
    expect(applyOp(d, op('remove', 'stages[*].checks[*]'), none)).toBe(4);
    expect(d.stages).toEqual([
      { name: 'canary', checks: [] },
      { name: 'expand', checks: [] },
      { name: 'everywhere' },
    ]);
    expect(applyOp(d, op('remove', 'stages[name=expand]'), none)).toBe(1);
    expect((d.stages as { name: string }[]).map((s) => s.name)).toEqual(['canary', 'everywhere']);
  });

  it('append adds to a list, and creates it where the last key is missing', () => {
    const d = data();
    expect(
      applyOp(
        d,
        op('append', 'stages[name=everywhere].checks', { items: [{ name: 'slo' }] }),
        none,
      ),
    ).toBe(1);
    expect(
      applyOp(
        d,
        op('append', 'stages[name=canary].checks', { items: [{ name: 'a' }, { name: 'b' }] }),
        none,
      ),
    ).toBe(1);
    expect((d.stages as { checks?: { name: string }[] }[])[2]!.checks).toEqual([{ name: 'slo' }]);
    expect((d.stages as { checks: { name: string }[] }[])[0]!.checks.map((c) => c.name)).toEqual([
      'errors',
      'p99',
      'a',
      'b',
    ]);
  });

  it('order puts the named items first, in that order, the rest after as they were', () => {
    const d = data();
    expect(applyOp(d, op('order', 'stages', { names: ['everywhere', 'canary'] }), none)).toBe(1);
    expect((d.stages as { name: string }[]).map((s) => s.name)).toEqual([
      'everywhere',
      'canary',
      'expand',
    ]);
    expect(applyOp(d, op('order', 'stages', { names: ['nope'] }), none)).toBe(0);
  });

  it('replaces `$name` references, and leaves unknown ones as written', () => {
    const v = { kind: 'trend', h: '$h', nested: ['$h', '$other', 'plain $h'] };
    expect(referencesIn(v)).toEqual(['h', 'h', 'other']);
    expect(substitute(v, (n) => (n === 'h' ? 8 : undefined))).toEqual({
      kind: 'trend',
      h: 8,
      nested: [8, '$other', 'plain $h'],
    });
  });

  it('reports the nodes it writes, for comments', () => {
    const d = data();
    const touched: Touch[] = [];
    applyOp(d, op('set', 'stages[0].checks[name=p99].window', { value: '10m' }), none, (t) =>
      touched.push(t),
    );
    const check = (d.stages as { checks: object[] }[])[0]!.checks[1];
    expect(touched).toEqual([{ container: check, key: 'window' }]);
  });

  it('a copy shares nothing, so a YAML alias becomes two independent lists', () => {
    const parsed = parse('a: &c [{ name: x }]\nb: *c\n') as {
      a: { name: string }[];
      b: { name: string }[];
    };
    expect(parsed.a).toBe(parsed.b); // what the YAML parser hands over
    const copy = plainCopy(parsed);
    expect(copy.a).not.toBe(copy.b);
    expect(applyOp(copy, op('remove', 'a[name=x]'), none)).toBe(1);
    expect(copy.b).toEqual([{ name: 'x' }]);
  });
});
