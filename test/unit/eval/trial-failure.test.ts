/**
 * An exception inside a trial reaches the caller with the trial's context (scenario, policy,
 * seed, trial) and the `gatesim explain` command that replays it, whether the trial ran in this
 * thread or in a worker thread (where only an error's message, stack and cause cross).
 */
import { describe, expect, it, vi } from 'vitest';
import { loadPolicy, loadScenario } from '../../../src/config/index.js';
import { GatesimError } from '../../../src/errors.js';
import { runChunk } from '../../../src/eval/chunk.js';
import { runStudyChunks } from '../../../src/eval/study.js';
import { TrialFailure } from '../../../src/eval/trial-failure.js';
import type * as Executor from '../../../src/pipeline/executor.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import type { PolicyConfig } from '../../../src/policy/types.js';
import { liveRegistries } from '../../../src/config/registries.js';
import { bindScenario } from '../../../src/world/scenario-binding.js';
import { pinnedStart } from '../../../src/world/trial-setup.js';

/** When set, trials with a pinned start (the Friday test's replays) throw, in this thread. */
const pinned = vi.hoisted(() => ({ throws: false }));
vi.mock('../../../src/pipeline/executor.js', async (importOriginal) => {
  const real = await importOriginal<typeof Executor>();
  return {
    ...real,
    runBoundTrial: (options: Parameters<typeof real.runBoundTrial>[0]) => {
      if (pinned.throws && options.startAt !== undefined) throw new TypeError('pinned start');
      return real.runBoundTrial(options);
    },
  };
});

const scenario = loadScenario('scenarios/baseline-healthy.yaml');
const good = loadPolicy('policies/fixed-bake.yaml');

/** fixed-bake with its first check broken after loading, as a bug would leave it. */
function broken(change: (check: Record<string, unknown>) => void): PolicyConfig {
  const p = structuredClone(good);
  p.name = 'broken';
  change(p.stages[0]!.checks[0] as unknown as Record<string, unknown>);
  return p;
}

async function drain(policy: PolicyConfig, workers: number): Promise<unknown> {
  try {
    // Shard 2 of 2 starts at chunk 1: trials 25…49.
    for await (const _ of runStudyChunks({
      scenarios: [scenario],
      policies: [good, policy],
      trials: 100,
      seed: 7,
      workers,
      shard: { index: 1, count: 2 },
    }));
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('an exception inside a trial', () => {
  const bug = broken((c) => (c.metric = 'no_such_metric'));

  it('is a real one: the broken policy throws on trial 25 when replayed alone', () => {
    expect(() => runTrial({ scenario, policy: bug, seed: 7, trial: 25 })).toThrow(
      'unknown metric no_such_metric',
    );
  });

  for (const workers of [1, 2]) {
    it(`names scenario, policy, seed and trial and the explain command (${workers === 1 ? 'this thread' : 'worker threads'})`, async () => {
      const e = await drain(bug, workers);
      expect(e).toBeInstanceOf(TrialFailure);
      const f = e as TrialFailure;
      expect(f.context).toEqual({
        scenario: 'baseline-healthy',
        policy: 'broken',
        seed: 7,
        trial: 25,
      });
      expect(f.error).toMatchObject({ name: 'Error', message: 'unknown metric no_such_metric' });
      expect(f.message.split('\n')).toEqual([
        'trial 25 of scenario baseline-healthy under policy broken (seed 7) threw Error: unknown metric no_such_metric',
        'replay it: gatesim explain --scenario <the file of scenario baseline-healthy> --policy <the file of policy broken> --seed 7 --trial 25',
      ]);
      // The stack leads with the message, then the original exception's own stack.
      expect(f.stack).toMatch(
        /^trial 25 of scenario baseline-healthy[^]*\nError: unknown metric no_such_metric\n\s+at /,
      );
    });
  }

  it('an expected failure (a GatesimError) stays one, with the trial named', async () => {
    const e = await drain(
      broken((c) => (c.judge = { kind: 'no-such-judge', params: {} })),
      2,
    );
    expect(e).toBeInstanceOf(GatesimError);
    expect((e as GatesimError).code).toBe('unknown-judge');
    expect((e as GatesimError).message).toBe(
      'unknown judge "no-such-judge" in check error-alarm (trial 25 of scenario baseline-healthy under policy broken, seed 7)',
    );
  });

  it('a Friday-test replay is named with its pinned start, which `explain --start-at` takes', () => {
    const leak = loadScenario('scenarios/slow-memory-leak.yaml');
    pinned.throws = true;
    let e: unknown;
    try {
      // The first trial that is a multiple of 4 and has a bad build is replayed on Friday.
      runChunk({ index: 0, scenario: leak, policies: [good], seed: 1, from: 0, to: 25 });
    } catch (err) {
      e = err;
    } finally {
      pinned.throws = false;
    }
    expect(e).toBeInstanceOf(TrialFailure);
    const f = e as TrialFailure;
    const friday = pinnedStart(bindScenario(leak, liveRegistries), 4, 16);
    expect(f.context).toEqual({
      scenario: 'slow-memory-leak',
      policy: 'fixed-bake',
      seed: 1,
      trial: f.context.trial,
      startAt: friday,
      replay: 'friday',
    });
    expect(f.context.trial % 4).toBe(0);
    expect(f.explainCommand()).toMatch(
      new RegExp(`--trial ${f.context.trial} --start-at ${friday}$`),
    );
  });

  it('with the input files known, the explain command can be pasted into a shell', () => {
    const f = TrialFailure.of(
      { scenario: 'a b', policy: 'p', seed: 3, trial: 8, startAt: 6720, replay: 'friday' },
      new TypeError('x'),
    ).withFiles({ scenario: 'my scenarios/a b.yaml', policy: 'policies/p.yaml' });
    expect(f.explainCommand()).toBe(
      "gatesim explain --scenario 'my scenarios/a b.yaml' --policy policies/p.yaml --seed 3 --trial 8 --start-at 6720",
    );
    expect(f.message.split('\n')[0]).toBe(
      'trial 8 (replayed for the Friday test at Friday 16:00 local, minute 6720 of the week) of scenario a b under policy p (seed 3) threw TypeError: x',
    );
  });
});
