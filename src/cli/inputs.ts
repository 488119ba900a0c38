import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GatesimError, ValidationError } from '../errors.js';
import { checkPolicyAgainstScenario, loadPolicy, loadScenario } from '../config/index.js';
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
}

/** Loads every scenario and policy, checking each policy against each scenario's fleet; all problems at once. */
export function loadInputs(
  scenarioPaths: readonly string[],
  policyPaths: readonly string[],
): Inputs {
  const scenarios = expandPaths(scenarioPaths).map((f) => loadScenario(f));
  const policies: PolicyConfig[] = [];
  for (const file of expandPaths(policyPaths)) {
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
  return { scenarios, policies };
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
