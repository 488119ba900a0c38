/**
 * `gatesim recommend` end to end on the regional-confounders fixture: the outputs and what
 * they say, exit codes (0 recommended, 1 nothing meets the constraints, 2 bad input), and
 * results that do not depend on the worker count (through the built CLI, which `npm test`
 * builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleErrors } from '../../src/cli/errors.js';
import { runRecommendCommand, type RecommendCliOptions } from '../../src/cli/recommend.js';
import { parsePolicy } from '../../src/config/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const FIX = join(ROOT, 'test/fixtures/recommend');
const SCENARIO = join(FIX, 'regional-confounders.yaml');
const SPACE = join(FIX, 'regional-space.yaml');
const GIVEN = join(FIX, 'fleet-baseline.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'gatesim-recommend-'));

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function run(o: RecommendCliOptions): Promise<number> {
  process.exitCode = undefined;
  await handleErrors(async (x: RecommendCliOptions) => {
    await runRecommendCommand(x);
  })({ workers: '1', space: SPACE, scenarios: [SCENARIO], trials: '100', budget: '6', ...o });
  return Number(process.exitCode ?? 0);
}

describe('gatesim recommend', () => {
  it('writes the commented policy, the report and the JSON, and prints the comparison', async () => {
    const dir = join(tmp, 'ok');
    expect(await run({ policies: [GIVEN], out: dir })).toBe(0);
    for (const f of ['recommended.yaml', 'report.md', 'recommend.json'])
      expect(existsSync(join(dir, f))).toBe(true);
    const yaml = readFileSync(join(dir, 'recommended.yaml'), 'utf8');
    expect(yaml).toMatch(/^# Recommended by `gatesim recommend` \(seed 1;/);
    expect(yaml).toMatch(/# baseline: same-region — against fleet/);
    expect(parsePolicy(yaml, 'recommended.yaml').stages[0]!.checks[0]!.baselineScope).toBe(
      'region',
    );
    expect(out).toMatch(
      /^recommend: 1 scenario, 1 given policy, seed 1, 1 worker: \d+ candidates searched \(budget 6\), [\d,]+ trial runs in [\d.]+ s \([\d.]+ s CPU; per candidate [\d.]+ s, [\d.]+ s CPU; [\d.]+ ms CPU per trial run\); fresh comparison [\d.]+ s \([\d.]+ s CPU\)/,
    );
    expect(out).toMatch(/on fresh trials \(seed 2, 100 per scenario\):/);
    expect(out).toMatch(/fleet-baseline +\S.* yes +–/);
    expect(out).toMatch(/verdict: PASS/);
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toMatch(/## On fresh trials \(seed 2, 100 per scenario\)/);
    expect(report).toMatch(/## Pareto front/);
    const json = JSON.parse(readFileSync(join(dir, 'recommend.json'), 'utf8')) as {
      gatesimRecommend: number;
      recommended: number;
    };
    expect(json.gatesimRecommend).toBe(1);
    expect(typeof json.recommended).toBe('number');
    expect(err).toMatch(/given policies: 1 on 100 trials × 1 scenarios/);
  });

  it('exits 1 and says which constraint binds on which scenario when nothing meets the constraints', async () => {
    const dir = join(tmp, 'tight');
    expect(
      await run({ maxLeadTimeP90: '10m', budget: '3', trials: '50', out: dir, quiet: true }),
    ).toBe(1);
    expect(out).toMatch(
      /no recommendation: no candidate meets lead time p90 ≤ 10 min on every scenario/,
    );
    expect(out).toMatch(
      /binding: lead time p90 ≤ 10 min on regional-confounders \(best reached (\d+ min|unbounded \(too few good builds shipped to bound a p90\)), #\d+\)/,
    );
    expect(existsSync(join(dir, 'recommended.yaml'))).toBe(false);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/## No recommendation/);
  });

  it('a search space file with an unknown field exits 2 naming the file, the field and what was meant', async () => {
    const bad = join(tmp, 'bad-space.yaml');
    writeFileSync(
      bad,
      readFileSync(SPACE, 'utf8').replace(
        '    about: which old hosts',
        '    abuot: which old hosts',
      ),
    );
    expect(await run({ space: bad, out: join(tmp, 'never') })).toBe(2);
    expect(err).toBe(
      `gatesim: ${bad}: dimensions[0].abuot: unknown key \`abuot\`; did you mean \`about\`?\n`,
    );
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('bad options exit 2 naming the option', async () => {
    expect(await run({ trials: 'many' })).toBe(2);
    expect(err).toMatch(/--trials: expected a whole number ≥ 1, got "many"/);
    expect(await run({ maxBlockedGood: '120%' })).toBe(2);
    expect(err).toMatch(/--max-blocked-good: expected a rate in \[0, 1\]/);
    expect(await run({ space: join(tmp, 'nope.yaml') })).toBe(2);
    expect(err).toMatch(/nope\.yaml: no such file/);
  });

  it(
    'the built CLI gives the same answer on one worker and two, and exits 2 on a bad space',
    { timeout: 300_000 },
    () => {
      const args = (workers: string, dir: string) => [
        CLI,
        'recommend',
        '--space',
        SPACE,
        '--scenarios',
        SCENARIO,
        '--trials',
        '25',
        '--budget',
        '3',
        '--workers',
        workers,
        '--out',
        dir,
        '--quiet',
      ];
      const one = spawnSync(process.execPath, args('1', join(tmp, 'w1')), { encoding: 'utf8' });
      const two = spawnSync(process.execPath, args('2', join(tmp, 'w2')), { encoding: 'utf8' });
      expect(one.status).toBe(0);
      expect(two.status).toBe(0);
      for (const f of ['recommend.json', 'recommended.yaml', 'report.md'])
        expect(readFileSync(join(tmp, 'w2', f), 'utf8')).toBe(
          readFileSync(join(tmp, 'w1', f), 'utf8'),
        );
      const bad = join(tmp, 'bad-cli.yaml');
      writeFileSync(bad, `${readFileSync(SPACE, 'utf8')}\nbudget: 3\n`);
      const r = spawnSync(
        process.execPath,
        [CLI, 'recommend', '--space', bad, '--scenarios', SCENARIO],
        {
          encoding: 'utf8',
        },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/bad-cli\.yaml: budget: unknown key `budget`/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
  );
});
