import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../src/config/index.js';
import { buildCandidate, fleetFacts } from '../../../src/recommend/build.js';
import { gatherEvidence } from '../../../src/recommend/evidence.js';
import { Records } from '../../../src/recommend/records.js';
import type { SearchCandidate } from '../../../src/recommend/search.js';
import { loadSpace } from '../../../src/recommend/space.js';
import type { Assignment } from '../../../src/recommend/types.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIX = join(ROOT, 'test/fixtures/recommend');
const scenario = loadScenario(join(FIX, 'regional-confounders.yaml'));
const space = loadSpace(join(FIX, 'regional-space.yaml'));
const facts = fleetFacts([scenario]);
const CODE: Record<string, number> = { S: 1, C: 2, B: 3, P: 4 };

let id = 0;
/** A run candidate at a point of the fixture's space (baseline, bake, effect), with given outcomes. */
function candidate(values: number[], outcomes: string, lead = 30): SearchCandidate {
  const a: Assignment = { base: 0, values };
  const r = buildCandidate(space, [space.skeleton], a, [scenario], facts, `c${id}`);
  if (!r.ok) throw new Error(r.reason);
  const records = new Records(1, outcomes.length);
  [...outcomes].forEach((c, k) => {
    records.letters[0]![k] = CODE[c]!;
    if (c === 'P') records.lead[0]![k] = lead;
  });
  records.trials = outcomes.length;
  return {
    id: id++,
    assignment: a,
    origin: 'neighbour',
    given: false,
    label: '',
    policy: r.policy,
    text: r.text,
    built: r.built,
    key: r.key,
    records,
  };
}

const ctx = { scenarios: ['regional-confounders'], constraints: [], references: [] };

describe('evidence for each choice', () => {
  it('counts, against the neighbour that differs only there, the trials each side got right', () => {
    // same-region, bake 1h, effect 0.005 against fleet: the fleet baseline blocks 3 good builds
    // the answer passes (trials 1, 2, 4) and ships one bad build the answer stops (trial 5).
    const answer = candidate([1, 1, 1], 'CPPPPCPP');
    const fleet = candidate([0, 1, 1], 'CBBPBSPP');
    const ev = gatherEvidence(
      space,
      [space.skeleton],
      [scenario],
      answer,
      [answer, fleet],
      ctx,
      facts,
    );
    const baseline = ev.find((e) => e.dimension === 'baseline')!;
    expect(baseline.choice).toBe('same-region');
    expect(baseline.against).toMatchObject({
      choice: 'fleet',
      candidate: fleet.id,
      trials: 8,
      fixes: [
        {
          scenario: 'regional-confounders',
          bad: 2,
          shippedBad: 1,
          good: 6,
          blockedGood: 3,
          examples: [1, 2, 4],
        },
      ],
      costs: [],
      alsoDiffers: [],
      decidedBy: undefined,
    });
    // Nothing was run one change away in bake or effect.
    expect(ev.find((e) => e.dimension === 'bake')!.against).toBeUndefined();
    expect(ev.find((e) => e.dimension === 'bake')!.untried).toEqual(['30m']);
  });

  it('lets the closest candidate stand in when none differs only there, and names what else differs', () => {
    const answer = candidate([1, 0, 1], 'CPPPPCPP', 30);
    // bake 1h and the fleet baseline: differs in bake and in one other choice.
    const other = candidate([0, 1, 1], 'CPPPPCPP', 60);
    const ev = gatherEvidence(
      space,
      [space.skeleton],
      [scenario],
      answer,
      [answer, other],
      ctx,
      facts,
    );
    const bake = ev.find((e) => e.dimension === 'bake')!;
    expect(bake.against).toMatchObject({
      choice: '1h',
      alsoDiffers: [{ dimension: 'baseline', choice: 'fleet' }],
      fixes: [],
      costs: [],
      leadP90: { answer: 30, other: 60 },
      decidedBy: 'a shorter lead time decides',
    });
  });

  it('compares a change to a given policy with that policy as it was there', () => {
    // A given policy baking 45m: no option of the bake dimension rebuilds it.
    const data = structuredClone(space.skeleton.data) as { stages: { bake?: string }[] };
    data.stages[0]!.bake = '45m';
    const bases = [
      space.skeleton,
      { ...space.skeleton, name: 'mine', kind: 'given' as const, data },
    ];
    const onGiven = (values: (number | undefined)[], outcomes: string): SearchCandidate => {
      const a: Assignment = { base: 1, values };
      const r = buildCandidate(space, bases, a, [scenario], facts, `g${id}`);
      if (!r.ok) throw new Error(r.reason);
      const records = new Records(1, outcomes.length);
      [...outcomes].forEach((c, k) => {
        records.letters[0]![k] = CODE[c]!;
        if (c === 'P') records.lead[0]![k] = 30;
      });
      records.trials = outcomes.length;
      return { ...candidate([1, 1, 1], outcomes), id: id++, assignment: a, ...r, records };
    };
    const answer = onGiven([undefined, 0, undefined], 'CPPPPCPP');
    const given = onGiven([undefined, undefined, undefined], 'CPPBPSPP');
    const ev = gatherEvidence(space, bases, [scenario], answer, [answer, given], ctx, facts);
    const bake = ev.find((e) => e.dimension === 'bake')!;
    expect(bake.choice).toBe('30m');
    expect(bake.untried).toEqual(['1h']);
    expect(bake.against).toMatchObject({
      choice: 'mine as given',
      candidate: given.id,
      alsoDiffers: [],
      fixes: [{ shippedBad: 1, blockedGood: 1, examples: [3, 5] }],
    });
    // Where an option rebuilds the given policy (a base baking 1h), that option stands for it.
    const plain = [space.skeleton, { ...bases[1]!, data: space.skeleton.data }];
    const again = gatherEvidence(space, plain, [scenario], answer, [answer], ctx, facts);
    expect(again.find((e) => e.dimension === 'bake')!.untried).toEqual(['1h']);
  });
});
