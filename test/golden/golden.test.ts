/**
 * Pins the simulator's output: the golden study's summary.json and trials.csv must be
 * byte-identical to the committed digests. When a change is meant to move the numbers, run
 * `npm run golden:update` and commit the new files with the change, saying why they moved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_DIR, runGoldenStudy } from './study.js';

function committed(file: string): Record<string, string> {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8')) as Record<string, string>;
}

describe('golden output', () => {
  const run = runGoldenStudy();

  it('shipped-bad and blocked-good per scenario and policy are as committed', () => {
    // Compared first, so a change that moves the numbers shows which pairs moved.
    expect(run.headline).toEqual(committed('headline.json'));
  });

  it('summary.json and trials.csv are byte-identical to the committed digests (npm run golden:update after an intended change)', () => {
    expect(run.digests).toEqual(committed('digests.json'));
  });
});
