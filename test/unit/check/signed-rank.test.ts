/**
 * The signed-rank test against independent references: the worked example of Hollander &
 * Wolfe (1973, p. 29; R's `?wilcox.test` depression data: V = 40, one-sided p = 0.01953) and
 * p-values computed with scipy, pasted as fixtures (how, in the fixture file).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signedRank } from '../../../src/check/signed-rank.js';

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/check/signed-rank-scipy.json'), 'utf8'),
) as {
  cases: {
    name: string;
    method: 'exact' | 'approx';
    d: number[];
    wPlus: number;
    pValue: number;
    pGreater: number;
  }[];
};

describe('signedRank', () => {
  it('Hollander & Wolfe’s depression data: V = 40, exact one-sided p = 0.01953', () => {
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const r = signedRank(x.map((v, i) => v - y[i]!));
    expect(r.wPlus).toBe(40);
    expect(r.method).toBe('exact');
    expect(r.pGreater).toBeCloseTo(0.01953125, 10);
    expect(r.pValue).toBeCloseTo(0.0390625, 10);
  });

  it.each(fixture.cases)('matches scipy: $name ($method)', (c) => {
    const r = signedRank(c.d);
    expect(r.method).toBe(c.method === 'exact' ? 'exact' : 'normal');
    expect(r.wPlus).toBe(c.wPlus);
    expect(r.pValue).toBeCloseTo(c.pValue, 9);
    expect(r.pGreater).toBeCloseTo(c.pGreater, 9);
  });

  it('nothing to rank (all differences zero): p = 1', () => {
    expect(signedRank([0, 0, 0])).toMatchObject({ n: 0, pValue: 1, pGreater: 1 });
  });

  it('is unchanged by scaling and mirrored by negation', () => {
    const d = [0.3, -1.2, 2.5, 0.7, -0.1, 1.9, 0.05, 3.3];
    const a = signedRank(d);
    expect(signedRank(d.map((x) => x * 60)).pValue).toBeCloseTo(a.pValue, 12);
    const neg = signedRank(d.map((x) => -x));
    expect(neg.pValue).toBeCloseTo(a.pValue, 12);
    expect(neg.wPlus).toBe((d.length * (d.length + 1)) / 2 - a.wPlus);
  });
});
