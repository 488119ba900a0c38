/**
 * The golden study: every built-in scenario and policy, a few trials each, one worker, a fixed
 * seed. Its outputs are pinned by digest (digests.json) and by a readable headline per pair
 * (headline.json), so "output byte-identical" is a check, not a claim, and a change that moves
 * the numbers shows which pairs moved in its diff.
 *
 * Update after an intended change with `npm run golden:update`, in the same commit as the
 * change, and say in the commit message why the numbers moved.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const GOLDEN_DIR = import.meta.dirname;
export const STUDY_ARGS = ['--trials', '25', '--seed', '7', '--workers', '1', '--quiet'];
/** The outputs whose bytes are pinned (the Markdown and HTML are views of summary.json). */
export const PINNED = ['summary.json', 'trials.csv'] as const;

export interface GoldenRun {
  digests: Record<string, string>;
  /** Per scenario and policy: shipped-bad and blocked-good as counts. */
  headline: Record<string, string>;
}

/** Runs the golden study through the built CLI and returns its digests and headline. */
export function runGoldenStudy(): GoldenRun {
  const out = mkdtempSync(join(tmpdir(), 'gatesim-golden-'));
  try {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'dist/cli/main.js'), 'compare', ...STUDY_ARGS, '--out', join(out, 'study')],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, GATESIM_KEEP_V8_THREADS: '1' } },
    );
    if (r.status !== 0) throw new Error(`golden study failed (${r.status}): ${r.stderr}`);
    const digests: Record<string, string> = {};
    for (const f of PINNED)
      digests[f] = createHash('sha256')
        .update(readFileSync(join(out, 'study', f)))
        .digest('hex');
    const summary = JSON.parse(readFileSync(join(out, 'study', 'summary.json'), 'utf8')) as {
      results: {
        scenario: string;
        policy: string;
        shippedBad: { count: number; of: number };
        blockedGood: { count: number; of: number };
      }[];
    };
    const headline: Record<string, string> = {};
    for (const x of summary.results)
      headline[`${x.scenario} × ${x.policy}`] =
        `shipped-bad ${x.shippedBad.count}/${x.shippedBad.of}, blocked-good ${x.blockedGood.count}/${x.blockedGood.of}`;
    return { digests, headline };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
