import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { GatesimError, ValidationError } from '../errors.js';
import { checkPolicyAgainstScenario, loadPolicy, loadScenario } from '../config/index.js';
import { TrialFailure } from '../eval/trial-failure.js';
import type { PolicyConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';

/** Expands files and folders (every .yaml/.yml inside, sorted) into a list of files. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new GatesimError('file-not-found', `${p}: no such file or folder`);
    }
    if (st.isDirectory()) {
      const files = readdirSync(p)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(p, f));
      if (files.length === 0)
        throw new GatesimError('empty-folder', `${p}: no .yaml files in this folder`);
      out.push(...files);
    } else {
      out.push(p);
    }
  }
  return out;
}

/** The package's own folder, where the built-in scenarios/ and policies/ live. */
export function packageRoot(): string {
  return resolve(new URL('../..', import.meta.url).pathname);
}

export function defaultScenarioPaths(): string[] {
  return [join(packageRoot(), 'scenarios')];
}

export function defaultPolicyPaths(): string[] {
  return [join(packageRoot(), 'policies')];
}

export interface Inputs {
  scenarios: ScenarioConfig[];
  policies: PolicyConfig[];
  /** The file each scenario was read from (same order), as a person would type it here. */
  scenarioFiles: string[];
  /** The file each policy was read from (same order). */
  policyFiles: string[];
}

/** A path as short as it can be typed from the current folder. */
function typed(file: string): string {
  const r = relative(process.cwd(), file);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? file : r;
}

/** Loads every scenario and policy, checking each policy against each scenario's fleet; all problems at once. */
export function loadInputs(
  scenarioPaths: readonly string[],
  policyPaths: readonly string[],
): Inputs {
  const scenarioFiles = expandPaths(scenarioPaths);
  const scenarios = scenarioFiles.map((f) => loadScenario(f));
  const policies: PolicyConfig[] = [];
  const policyFiles = expandPaths(policyPaths);
  for (const file of policyFiles) {
    const policy = loadPolicy(file);
    // Read and parse once; check the parsed policy against every scenario's fleet.
    for (const scenario of scenarios) {
      const issues = checkPolicyAgainstScenario(policy, scenario);
      if (issues.length > 0) throw new ValidationError(file, issues);
    }
    policies.push(policy);
  }
  unique(
    scenarios.map((s) => s.name),
    'scenario',
  );
  unique(
    policies.map((p) => p.name),
    'policy',
  );
  return {
    scenarios,
    policies,
    scenarioFiles: scenarioFiles.map(typed),
    policyFiles: policyFiles.map(typed),
  };
}

/** Which file each scenario and policy (by name) was read from. */
export interface ReplayFileMap {
  scenarios: Map<string, string>;
  policies: Map<string, string>;
}

/** The files of loaded inputs, by name. */
export function replayFiles(inputs: Inputs): ReplayFileMap {
  return {
    scenarios: new Map(inputs.scenarios.map((s, i) => [s.name, inputs.scenarioFiles[i]!])),
    policies: new Map(inputs.policies.map((p, i) => [p.name, inputs.policyFiles[i]!])),
  };
}

/**
 * The error to rethrow for one from a study of these inputs: a trial's failure gets the files
 * that replay it (`gatesim explain --scenario FILE --policy FILE …`).
 */
export function withReplayFiles(e: unknown, files: ReplayFileMap): unknown {
  if (!(e instanceof TrialFailure)) return e;
  const scenario = files.scenarios.get(e.context.scenario);
  const policy = files.policies.get(e.context.policy);
  return scenario === undefined || policy === undefined ? e : e.withFiles({ scenario, policy });
}

function unique(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n))
      throw new GatesimError(
        'duplicate-name',
        `two ${what} files are named "${n}": names come from file names and must differ`,
      );
    seen.add(n);
  }
}
