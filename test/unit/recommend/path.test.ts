import { describe, expect, it } from 'vitest';
import {
  explainNoMatch,
  formatSelectorPath,
  parseSelectorPath,
  selectPlaces,
} from '../../../src/recommend/path.js';

const policy = () => ({
  stages: [
    {
      name: 'canary',
      target: { kind: 'fleet', share: 0.1 },
      checks: [
        { name: 'errors', metric: 'error_rate', compare: 'baseline' },
        { name: 'crashes', metric: 'crash_count' },
      ],
    },
    {
      name: 'expand',
      target: { kind: 'fleet', share: 0.5 },
      checks: [{ name: 'errors', compare: 'baseline' }],
    },
    { name: 'everywhere', target: { kind: 'fleet', share: 1 } },
  ],
  watch: { duration: '2h', checks: [{ name: 'slo' }] },
});

function values(root: unknown, path: string): unknown[] {
  return selectPlaces(root, parseSelectorPath(path))
    .filter((p) => p.present)
    .map((p) => (p.parent as Record<string | number, unknown>)[p.key]);
}

describe('selector paths', () => {
  it('parse keys, indices, stars and field filters, and write back the same text', () => {
    for (const text of [
      'watch.duration',
      'stages[0].bake',
      'stages[-1].target',
      'stages[*].checks[name=errors].judge',
      'stages[target.kind!=staging][target.share!=1].checks',
    ])
      expect(formatSelectorPath(parseSelectorPath(text))).toBe(text);
  });

  it('refuse what is not a path, saying why', () => {
    expect(() => parseSelectorPath('')).toThrow(/expected a path/);
    expect(() => parseSelectorPath('[0]')).toThrow(/expected a key before/);
    expect(() => parseSelectorPath('stages[name=]')).toThrow(/expected a value after "="/);
    expect(() => parseSelectorPath('stages[0')).toThrow(/"\[" without "\]"/);
    expect(() => parseSelectorPath('stages[?]')).toThrow(/\[field!=value\]/);
    expect(() => parseSelectorPath('stages[*][0]')).toThrow(/narrow the same items/);
  });

  it('select by index from either end, by name, by a nested field, and every item', () => {
    const p = policy();
    expect(values(p, 'stages[0].name')).toEqual(['canary']);
    expect(values(p, 'stages[-1].name')).toEqual(['everywhere']);
    expect(values(p, 'stages[name=expand].target.share')).toEqual([0.5]);
    expect(values(p, 'stages[target.share=1].name')).toEqual(['everywhere']);
    expect(values(p, 'stages[*].checks[name=errors].compare')).toEqual(['baseline', 'baseline']);
    expect(values(p, 'stages[*].checks[*].name')).toEqual(['errors', 'crashes', 'errors']);
  });

  it('negated filters keep items without the field, and filters in a row narrow the same items', () => {
    const p = policy();
    expect(values(p, 'stages[*].checks[compare!=baseline].name')).toEqual(['crashes']);
    expect(values(p, 'stages[target.kind!=staging][target.share!=1].name')).toEqual([
      'canary',
      'expand',
    ]);
  });

  it('select a missing last key as a place to add, but never through a missing middle', () => {
    const p = policy();
    const places = selectPlaces(p, parseSelectorPath('stages[name=canary].bake'));
    expect(places).toHaveLength(1);
    expect(places[0]!.present).toBe(false);
    expect(selectPlaces(p, parseSelectorPath('rollbackDrill.duration'))).toEqual([]);
    expect(selectPlaces(p, parseSelectorPath('stages[9].bake'))).toEqual([]);
  });

  it('explain what is missing, with a "did you mean"', () => {
    const p = policy();
    expect(explainNoMatch(p, parseSelectorPath('stages[name=canry].bake'))).toBe(
      'stages has no item with name=canry (name: `canary`, `expand` or `everywhere`); did you mean `canary`?',
    );
    expect(explainNoMatch(p, parseSelectorPath('stagse[0].bake'))).toMatch(
      /^the policy has no key "stagse" \(it has `stages` or `watch`\); did you mean `stages`\?$/,
    );
    expect(explainNoMatch(p, parseSelectorPath('stages[*][name=nope].bake'))).toMatch(
      /has no item that also has name=nope/,
    );
  });
});
