import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../src/eval/types.js';
import { paretoNeighbours, referenceComparisons } from '../../../src/report/index.js';
import { pairedDiff } from '../../../src/report/model.js';
import { makeSummary } from '../../fixtures/report/summary.js';

describe('pairedDiff', () => {
  const s = makeSummary();

  it('returns the stored comparison as x − y, or flips it when stored the other way round', () => {
    // Stored as truthful (a) vs fixed-bake (b): 2 vs 29 discordant, −9 pp.
    expect(pairedDiff(s, 'leak-under-load', 'truthful', 'fixed-bake', 'shippedBad')).toEqual({
      metric: 'shippedBad',
      diff: (2 - 29) / 300,
      xOnly: 2,
      yOnly: 29,
      pValue: 4.628673195838934e-7,
    });
    expect(pairedDiff(s, 'leak-under-load', 'fixed-bake', 'truthful', 'shippedBad')).toEqual({
      metric: 'shippedBad',
      diff: (29 - 2) / 300,
      xOnly: 29,
      yOnly: 2,
      pValue: 4.628673195838934e-7,
    });
    expect(pairedDiff(s, 'nowhere', 'fixed-bake', 'truthful', 'shippedBad')).toBeUndefined();
  });
});

describe('referenceComparisons', () => {
  it('compares every other policy with the summary reference (policy − reference)', () => {
    const { reference, rows } = referenceComparisons(makeSummary());
    expect(reference).toBe('fixed-bake');
    expect(rows.map((r) => r.scenario)).toEqual(['leak-under-load', 'conversion-drop']);
    const leak = rows[0]!;
    expect(leak.cells.map((c) => c.policy)).toEqual(['truthful', 'one-box-10m']);
    expect(leak.cells[0]!.shippedBad!.diff).toBeCloseTo(-0.09, 12);
    expect(leak.cells[1]!.shippedBad!.diff).toBeCloseTo(0.15, 12);
    expect(leak.cells[1]!.blockedGood).toMatchObject({ xOnly: 2, yOnly: 5 });
  });

  it('falls back to the first policy without a valid reference', () => {
    const s: Summary = makeSummary();
    delete s.reference;
    expect(referenceComparisons(s).reference).toBe('truthful');
    s.reference = 'no-such-policy';
    expect(referenceComparisons(s).reference).toBe('truthful');
  });

  it('leaves out a metric in a scenario without such builds', () => {
    const s = makeSummary();
    for (const r of s.results.filter((x) => x.scenario === 'conversion-drop')) r.badBuilds = 0;
    const conv = referenceComparisons(s).rows[1]!;
    expect(conv.cells.every((c) => c.shippedBad === undefined)).toBe(true);
    expect(conv.cells.every((c) => c.blockedGood !== undefined)).toBe(true);
  });
});

describe('paretoNeighbours', () => {
  it('walks each front from the policy blocking fewest good builds, with the paired differences', () => {
    const steps = paretoNeighbours(makeSummary());
    expect(
      steps.map((st) => [st.scenario, st.from.policies.join('='), st.to.policies.join('=')]),
    ).toEqual([
      ['leak-under-load', 'one-box-10m', 'fixed-bake'],
      ['leak-under-load', 'fixed-bake', 'truthful'],
      ['conversion-drop', 'one-box-10m', 'fixed-bake'],
      ['conversion-drop', 'fixed-bake', 'truthful'],
    ]);
    // to − from: fixed-bake ships 15 pp fewer than one-box-10m and blocks 0.4 pp more.
    expect(steps[0]!.shippedBad!.diff).toBeCloseTo(-0.15, 12);
    expect(steps[0]!.blockedGood!.diff).toBeCloseTo(3 / 700, 12);
  });

  it('merges policies with identical rates into one point and skips scenarios without a trade-off', () => {
    const s = makeSummary();
    const leak = s.results.filter((r) => r.scenario === 'leak-under-load');
    leak[1]!.shippedBad = { ...leak[2]!.shippedBad };
    leak[1]!.blockedGood = { ...leak[2]!.blockedGood };
    for (const r of s.results.filter((x) => x.scenario === 'conversion-drop')) r.goodBuilds = 0;
    const steps = paretoNeighbours(s);
    expect(steps).toHaveLength(1);
    expect(steps[0]!.from.policies).toEqual(['fixed-bake', 'one-box-10m']);
    expect(steps[0]!.to.policies).toEqual(['truthful']);
  });
});
