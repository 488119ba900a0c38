/**
 * Runs one study in this process and prints its peak resident memory (MB) as JSON: the
 * streamed path (`compare`'s: rows go to trials.csv as they come, figures fold per chunk),
 * or with `--hold` the naive one that keeps every trial outcome in memory until the end
 * (`--stream` names the streamed path when a worker count follows). The peak covers the
 * worker threads too: they live in this process.
 * Used by `npm run bench` in a child process so each measurement starts from a fresh heap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy, loadScenario } from '../config/index.js';
import type { TrialOutcome } from '../pipeline/types.js';
import { openReportWriter } from '../report/index.js';
import { runStudyChunks, StudyFold } from '../eval/study.js';

const [scenarioFile, policyFile, trialsText, mode, workersText] = process.argv.slice(2);
const scenario = loadScenario(scenarioFile!);
const policy = loadPolicy(policyFile!);
const trials = Number(trialsText);
const hold = mode === '--hold';
const workers = Number(workersText ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'gatesim-bench-'));
const meta = { seed: 1, trials, scenarios: [scenario.name], policies: [policy.name] };
const fold = new StudyFold(meta);
const held: TrialOutcome[] = [];
const writer = await openReportWriter(join(dir, 'out'));
const t0 = performance.now();
for await (const chunk of runStudyChunks({
  scenarios: [scenario],
  policies: [policy],
  trials,
  seed: 1,
  workers,
})) {
  for (const row of chunk.rows) {
    if (hold) held.push(row as TrialOutcome);
    else await writer.writeTrial(row as TrialOutcome);
  }
  fold.add(chunk);
}
if (hold) for (const row of held) await writer.writeTrial(row);
await writer.commit(fold.summary());
const seconds = (performance.now() - t0) / 1000;
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024, seconds, trials }) + '\n',
);
