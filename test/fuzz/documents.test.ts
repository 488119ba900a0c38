/**
 * The loaders and the simulator under adversarial documents: every built-in scenario and
 * policy, mutated structurally (values of other types, NaN and infinities, huge, tiny and
 * negative numbers, extreme durations, deleted, duplicated and unknown keys, deep nesting,
 * aliases, tags; see mutate.ts), goes through the real loaders and, when it loads, through
 * one trial against a built-in partner. Whatever happens, it is a config or an error that
 * names the file and a path; a document that loads runs.
 *
 * FUZZ_RUNS sets the number of documents (1,000 by default; `npm run fuzz` runs 10,000);
 * FC_SEED the seed, which fast-check prints with any counterexample.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPolicyAgainstScenario, loadPolicy, loadScenario } from '../../src/config/index.js';
import { GatesimError, ValidationError } from '../../src/errors.js';
import { runTrial } from '../../src/pipeline/executor.js';
import type { PolicyConfig } from '../../src/policy/types.js';
import type { ScenarioConfig } from '../../src/world/types.js';
import { mutateText, mutation, valueMutation } from './mutate.js';

const SEED = Number(process.env.FC_SEED ?? 20_261_202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'gatesim-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
mkdirSync(join(work, 'scenarios'));
mkdirSync(join(work, 'policies'));
// Mutated scenarios sit where the originals do relative to their recorded traces.
symlinkSync(join(root, 'scenarios', 'traces'), join(work, 'scenarios', 'traces'));

type Kind = 'scenario' | 'policy';
const FOLDER: Record<Kind, string> = { scenario: 'scenarios', policy: 'policies' };
const library = (kind: Kind) =>
  readdirSync(join(root, FOLDER[kind]))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ kind, name: f, text: readFileSync(join(root, FOLDER[kind], f), 'utf8') }));
const FILES = [...library('scenario'), ...library('policy')];
const SCENARIOS: ScenarioConfig[] = library('scenario').map((f) =>
  loadScenario(join(root, 'scenarios', f.name)),
);
const POLICIES: PolicyConfig[] = library('policy').map((f) =>
  loadPolicy(join(root, 'policies', f.name)),
);

/** An expected failure must name the file on every line and, for a validation, a path. */
function checkRejection(e: unknown, file: string): void {
  if (!(e instanceof GatesimError)) throw e;
  for (const line of e.message.split('\n')) expect(line.startsWith(`${file}: `)).toBe(true);
  if (e instanceof ValidationError) {
    expect(e.file).toBe(file);
    expect(e.issues.length).toBeGreaterThan(0);
    for (const i of e.issues) {
      expect(typeof i.path).toBe('string');
      expect(i.message.length).toBeGreaterThan(0);
    }
  }
}

type Result = 'rejected' | 'ran';
let documents = 0;

/** Loads a mutated document as the CLI does (file, then the pair) and runs one trial. */
function exercise(
  kind: Kind,
  text: string,
  partner: number,
  trial: number,
  log: readonly string[],
): Result {
  const file = join(work, FOLDER[kind], `fuzz-${documents++}.yaml`);
  writeFileSync(file, text);
  let scenario: ScenarioConfig;
  let policy: PolicyConfig;
  try {
    scenario = kind === 'scenario' ? loadScenario(file) : SCENARIOS[partner % SCENARIOS.length]!;
    policy = kind === 'policy' ? loadPolicy(file) : POLICIES[partner % POLICIES.length]!;
  } catch (e) {
    checkRejection(e, file);
    return 'rejected';
  }
  // As the CLI reports it: the pair's issues belong to the policy file.
  const issues = checkPolicyAgainstScenario(policy, scenario);
  if (issues.length > 0) {
    const policyFile = kind === 'policy' ? file : join(root, 'policies', `${policy.name}.yaml`);
    checkRejection(new ValidationError(policyFile, issues), policyFile);
    return 'rejected';
  }
  try {
    const { outcome } = runTrial({ scenario, policy, seed: SEED, trial });
    expect(Number.isFinite(outcome.endAt)).toBe(true);
  } catch (e) {
    // Not a rejection: a document the loaders accepted failed to run. Say which, then fail.
    throw new Error(
      `${kind} ${file} (${log.join('; ')}) with ${kind === 'scenario' ? policy.name : scenario.name}, trial ${trial}: ${(e as Error).stack ?? String(e)}\n--- document ---\n${text}`,
    );
  }
  return 'ran';
}

describe('mutated library documents through the loaders and one trial', () => {
  it(`${RUNS} documents: each is rejected with its file and a path, or runs`, () => {
    const seen: Record<Result, number> = { rejected: 0, ran: 0 };
    fc.assert(
      fc.property(
        fc.nat({ max: FILES.length - 1 }),
        // Half the documents get structural mutations of every kind, half only new numbers
        // (more of those load, so more reach the simulator).
        fc.oneof(
          fc.array(mutation, { minLength: 1, maxLength: 3 }),
          fc.array(valueMutation, { minLength: 1, maxLength: 4 }),
        ),
        fc.nat(),
        fc.nat({ max: 99 }),
        (index, mutations, partner, trial) => {
          const source = FILES[index]!;
          const log: string[] = [];
          const text = mutateText(source.text, mutations, log);
          seen[exercise(source.kind, text, partner, trial, [source.name, ...log])]++;
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    // Both outcomes happen often enough for the property to mean something.
    expect(seen.ran).toBeGreaterThan(RUNS / 10);
    expect(seen.rejected).toBeGreaterThan(RUNS / 10);
  });
});
