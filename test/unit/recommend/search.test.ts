/**
 * The search on a world whose best structure is known: other teams' deploys hit one region
 * at a time, so a one-region canary compared with the whole fleet blames the build for its
 * region's confounder, and the same-region baseline must win (test/fixtures/recommend).
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, loadScenario } from '../../../src/config/index.js';
import {
  recommend,
  renderRecommendJson,
  type RecommendResult,
} from '../../../src/recommend/index.js';
import { loadSpace } from '../../../src/recommend/space.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIX = join(ROOT, 'test/fixtures/recommend');
const scenario = loadScenario(join(FIX, 'regional-confounders.yaml'));
const space = loadSpace(join(FIX, 'regional-space.yaml'));

function choice(r: RecommendResult, dimension: string): string | undefined {
  return r.candidates
    .find((c) => c.id === r.recommended)
    ?.choices.find((c) => c.dimension === dimension)?.choice;
}

describe('recommend on a known best structure', () => {
  it.each([1, 2, 3])(
    'finds the same-region baseline (seed %i), and says which trials it fixes',
    async (seed) => {
      const r = await recommend({
        space,
        given: [],
        scenarios: [scenario],
        trials: 100,
        budget: 8,
        seed,
        verify: false,
      });
      expect(choice(r, 'baseline')).toBe('same-region');
      const ev = r.evidence.find((e) => e.dimension === 'baseline')!;
      expect(ev.against?.choice).toBe('fleet');
      const fixed = ev.against!.fixes.find((f) => f.scenario === 'regional-confounders')!;
      expect(fixed.blockedGood).toBeGreaterThanOrEqual(5);
      expect(ev.against!.costs.reduce((s, c) => s + c.blockedGood + c.shippedBad, 0)).toBeLessThan(
        fixed.blockedGood,
      );
      expect(r.evaluations).toBeLessThanOrEqual(8);
      expect(r.yaml).toMatch(
        /# baseline: same-region — against fleet \(#\d+, 100 trials per scenario\): fixes \d+ of \d+ good builds/,
      );
    },
  );

  it('is deterministic from the seed', async () => {
    const o = {
      space,
      given: [],
      scenarios: [scenario],
      trials: 50,
      budget: 6,
      seed: 4,
      verify: false,
    };
    expect(renderRecommendJson(await recommend(o))).toBe(renderRecommendJson(await recommend(o)));
  });

  it('beats a given policy with the fleet-wide baseline on fresh trials, and writes a YAML that loads as what it ran', async () => {
    const skeleton = join(FIX, 'fleet-baseline.yaml');
    const r = await recommend({
      space,
      given: [{ file: skeleton, policy: loadPolicy(skeleton) }],
      scenarios: [scenario],
      trials: 100,
      budget: 6,
      seed: 1,
    });
    const v = r.verification!;
    expect(v.seed).toBe(2);
    expect(v.policies).toEqual(['recommended', 'fleet-baseline']);
    expect(v.versus[0]!.dominates).toBe(true);
    expect(v.versus[0]!.worseOn).toEqual([]);
    const bg = v.versus[0]!.regressions.find((x) => x.metric === 'blocked-good')!;
    expect(bg.verdict).toBe('better');
    // Pooled over the scenarios (one here), trial by trial: the same discordant trials.
    expect(v.versus[0]!.paired.blockedGood).toEqual({
      worseOnly: bg.worseOnly,
      betterOnly: bg.betterOnly,
      pValue: bg.pValue,
    });
    expect(bg.betterOnly).toBeGreaterThan(bg.worseOnly);
  });

  it('when no candidate meets a constraint, says which constraint binds on which scenario', async () => {
    const r = await recommend({
      space,
      given: [],
      scenarios: [scenario],
      constraints: [{ kind: 'max-lead-time-p90', limit: 10 }],
      trials: 50,
      budget: 4,
      seed: 1,
      verify: false,
    });
    expect(r.recommended).toBeUndefined();
    expect(r.yaml).toBeUndefined();
    expect(r.binding).toHaveLength(1);
    expect(r.binding[0]).toMatchObject({
      constraint: 'lead time p90 ≤ 10 min',
      scenario: 'regional-confounders',
    });
    expect(r.binding[0]!.best).toBeGreaterThan(10);
    expect(r.closest?.misses[0]).toMatchObject({
      constraint: 'lead time p90 ≤ 10 min',
      scenario: 'regional-confounders',
    });
  });
});
