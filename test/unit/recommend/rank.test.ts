import { describe, expect, it } from 'vitest';
import {
  compareKeys,
  rankKey,
  significantlyWorseLoss,
  standing,
} from '../../../src/recommend/rank.js';
import { Records } from '../../../src/recommend/records.js';

const CODE: Record<string, number> = { S: 1, C: 2, B: 3, P: 4 };

/** Records from one outcome string per scenario (S C B P, as check's baselines). */
function records(...scenarios: string[]): Records {
  const r = new Records(scenarios.length, Math.max(...scenarios.map((s) => s.length)));
  scenarios.forEach((s, i) => [...s].forEach((c, k) => (r.letters[i]![k] = CODE[c]!)));
  r.trials = scenarios[0]!.length;
  return r;
}

describe('ranking', () => {
  it('the shortfall from dominating every given policy adds the excess over the fewest shipped and the fewest blocked', () => {
    // 10 bad and 10 good builds. A ships 3 and blocks 1, B ships 1 and blocks 4.
    const a = records('SSSCCCCCCC' + 'BPPPPPPPPP');
    const b = records('SCCCCCCCCC' + 'BBBBPPPPPP');
    const c = records('SSCCCCCCCC' + 'BBPPPPPPPP');
    const ctx = {
      scenarios: ['s'],
      constraints: [],
      references: [
        { name: 'a', records: a },
        { name: 'b', records: b },
      ],
    };
    const s = standing(c, 20, ctx, 'point');
    expect(s.dominanceExcess).toBeCloseTo(1 / 10 + 1 / 10, 12);
    expect(s.loss).toBeCloseTo(0.2 + 0.2, 12);
    // One that ships 1 and blocks 1 dominates both: no shortfall.
    expect(standing(records('SCCCCCCCCC' + 'BPPPPPPPPP'), 20, ctx, 'point').dominanceExcess).toBe(
      0,
    );
  });

  it('counts the scenarios where a candidate is significantly worse than a given policy (McNemar exact, 5%)', () => {
    // Six bad builds the reference stops and the candidate ships, none the other way:
    // two-sided exact p = 2 · 0.5⁶ = 0.03125 < 0.05. Five would give 0.0625: not significant.
    const ref = records('CCCCCCCCCC', 'CCCCCCCCCC');
    const six = records('SSSSSSCCCC', 'CCCCCCCCCC');
    const five = records('SSSSSCCCCC', 'CCCCCCCCCC');
    const ctx = {
      scenarios: ['x', 'y'],
      constraints: [],
      references: [{ name: 'ref', records: ref }],
    };
    expect(standing(six, 10, ctx, 'point').worse).toBe(1);
    expect(standing(five, 10, ctx, 'point').worse).toBe(0);
  });

  it('judges constraints on every scenario, leniently (lower bound) while racing', () => {
    // 2 of 20 good builds blocked on one scenario: 10%, Wilson 95% (2.8%, 30.1%).
    const r = records('BBPPPPPPPPPPPPPPPPPP', 'PPPPPPPPPPPPPPPPPPPP');
    const ctx = {
      scenarios: ['x', 'y'],
      constraints: [{ kind: 'max-blocked-good' as const, limit: 0.05 }],
      references: [],
    };
    expect(standing(r, 20, ctx, 'point').constraintExcess).toBeCloseTo((0.1 - 0.05) / 0.05, 12);
    expect(standing(r, 20, ctx, 'lower').constraintExcess).toBe(0);
    expect(standing(r, 20, ctx, 'upper').constraintExcess).toBeGreaterThan(4);
  });

  it('the paired test on the loss reduces to McNemar’s z with equal weights', () => {
    // All good builds: each discordant trial weighs 1/good. 10 against 0: z = 10/√10 = 3.16 > 2.576.
    const leader = records('PPPPPPPPPPPPPPPPPPPP');
    const ten = records('BBBBBBBBBBPPPPPPPPPP');
    const six = records('BBBBBBPPPPPPPPPPPPPP');
    expect(significantlyWorseLoss(ten, leader, 20, 1)).toBe(true);
    // 6/√6 = 2.449 < 2.576.
    expect(significantlyWorseLoss(six, leader, 20, 1)).toBe(false);
    // The leader is never significantly worse than itself, and a better one is not worse.
    expect(significantlyWorseLoss(leader, leader, 20, 1)).toBe(false);
    expect(significantlyWorseLoss(leader, ten, 20, 1)).toBe(false);
  });

  it('weighs a shipped bad build by 1/bad builds and a blocked good one by 1/good builds', () => {
    // 2 bad, 18 good builds. The candidate ships both bad builds the leader stops (+2 × 1/2)
    // and passes 4 good builds the leader blocks (−4 × 1/18): sum 0.778, Σd² = 0.5 + 0.0123,
    // z = 0.778 / 0.716 = 1.09: not significant, although the loss is clearly higher.
    const leader = records('CC' + 'BBBB' + 'P'.repeat(14));
    const x = records('SS' + 'PPPP' + 'P'.repeat(14));
    expect(significantlyWorseLoss(x, leader, 20, 1)).toBe(false);
    expect(
      standing(x, 20, { scenarios: ['s'], constraints: [], references: [] }, 'point').loss,
    ).toBeCloseTo(1, 12);
  });

  it('rank keys compare element by element, the first difference deciding', () => {
    expect(compareKeys([0, 1, 0, 0.2, 60], [0, 0, 0.5, 0.9, 600])).toBe(1);
    expect(compareKeys([0, 0, 0, 0.2, 60], [0, 0, 0, 0.2, 90])).toBe(-1);
    expect(compareKeys([0, 0, 0, 0.1 + 0.2, 60], [0, 0, 0, 0.3, 60])).toBe(0);
    const r = records('SCCCPPPPPP');
    [30, 40, 50, 60, 70, 80].forEach((m, k) => (r.lead[0]![4 + k] = m));
    // 1 of 4 bad shipped, none of 6 good blocked; lead time p90 of six values: the 6th (nearest rank).
    expect(
      rankKey(standing(r, 10, { scenarios: ['s'], constraints: [], references: [] }, 'point')),
    ).toEqual([0, 0, 0, 0.25, 80]);
  });
});
