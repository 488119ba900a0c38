/** Baselines: pairing trial by trial, McNemar on the discordant pairs, and the file format. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareOutcomes,
  readBaseline,
  renderBaseline,
  type BaselineFile,
} from '../../../src/check/baseline.js';
import { GatesimError } from '../../../src/errors.js';

describe('compareOutcomes', () => {
  it('counts discordant pairs and tests them with McNemar, worse only in the bad direction', () => {
    // 12 bad builds: the new policy ships 9 the baseline caught, and catches 1 it shipped.
    const baseline = 'CCCCCCCCCSSS' + 'PPPPPPPPPP';
    const current = 'SSSSSSSSSCSS' + 'PPPPPPPPPB';
    const [shipped, blocked] = compareOutcomes('x', current, baseline);
    expect(shipped).toMatchObject({
      metric: 'shipped-bad',
      of: 12,
      baselineCount: 3,
      currentCount: 11,
      worseOnly: 9,
      betterOnly: 1,
      verdict: 'worse',
    });
    expect(shipped!.diff).toBeCloseTo(8 / 12, 12);
    // Exact: 2·P(X ≤ 1), X ~ Binomial(10, ½) = 2·11/1024 (scipy binomtest(1, 10).pvalue).
    expect(shipped!.pValue).toBeCloseTo(22 / 1024, 14);
    expect(blocked).toMatchObject({
      metric: 'blocked-good',
      of: 10,
      worseOnly: 1,
      betterOnly: 0,
      verdict: 'same',
      pValue: 1,
    });
  });

  it('a significant improvement is not a regression', () => {
    const [shipped] = compareOutcomes('x', 'C'.repeat(10), 'S'.repeat(10));
    expect(shipped).toMatchObject({ worseOnly: 0, betterOnly: 10, verdict: 'better' });
  });

  it('refuses trials that do not pair', () => {
    expect(() => compareOutcomes('x', 'SP', 'SPP')).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: baseline for x has 3 trials, this run 2]`,
    );
    expect(() => compareOutcomes('x', 'SP', 'SC')).toThrowErrorMatchingInlineSnapshot(
      `[GatesimError: trial 1 of x had a bad build in the baseline and a good one now: the scenario or the seed differs from the baseline's, so the trials do not pair]`,
    );
  });
});

describe('the baseline file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatesim-baseline-'));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const message = async (p: string): Promise<string> => {
    try {
      await readBaseline(p);
    } catch (e) {
      expect(e).toBeInstanceOf(GatesimError);
      return (e as Error).message.replace(dir, '<dir>');
    }
    throw new Error('expected an error');
  };

  it('round-trips', async () => {
    const b: BaselineFile = {
      gatesimBaseline: 1,
      policy: 'p',
      seed: 3,
      trials: 4,
      scenarios: { s: { outcomes: 'SCBP' } },
      summary: {
        seed: 3,
        trialsPerPair: 4,
        scenarios: ['s'],
        policies: ['p'],
        results: [],
        comparisons: [],
      },
    };
    expect(await readBaseline(file('ok.json', renderBaseline(b)))).toEqual(b);
  });

  it('says what is wrong with a file that is not a baseline', async () => {
    expect(await message(join(dir, 'missing.json'))).toMatchInlineSnapshot(
      `"--baseline <dir>/missing.json: no such file"`,
    );
    expect(await message(file('bad.json', '{ nope'))).toMatch(
      /^--baseline <dir>\/bad\.json: not JSON/,
    );
    expect(await message(file('summary.json', '{"seed":1,"results":[]}'))).toMatchInlineSnapshot(
      `"--baseline <dir>/summary.json: this is a summary.json without per-trial outcomes, which a paired test needs; save a baseline with \`gatesim check --policy <file> --save-baseline <file>\` (same seed and trials)"`,
    );
    expect(
      await message(
        file(
          'letters.json',
          JSON.stringify({
            gatesimBaseline: 1,
            policy: 'p',
            seed: 1,
            trials: 2,
            scenarios: { s: { outcomes: 'SX' } },
            summary: {},
          }),
        ),
      ),
    ).toMatch(
      /^--baseline <dir>\/letters\.json: not a gatesim baseline \(scenarios\.s\.outcomes: /,
    );
    expect(
      await message(
        file(
          'short.json',
          JSON.stringify({
            gatesimBaseline: 1,
            policy: 'p',
            seed: 1,
            trials: 3,
            scenarios: { s: { outcomes: 'SC' } },
            summary: {},
          }),
        ),
      ),
    ).toMatchInlineSnapshot(
      `"--baseline <dir>/short.json: scenario s has 2 outcomes for 3 trials"`,
    );
  });
});
