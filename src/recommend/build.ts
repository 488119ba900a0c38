/**
 * From a point of the space to a policy: copy the base's data, apply each dimension's patch
 * in the space's order (a dimension whose `when` does not hold, or which has no value on a
 * given policy, is skipped), then validate the text with the policy loader and every
 * scenario's fleet. A candidate the loader rejects is discarded with its reason; it never
 * stops the search.
 */
import { stringify } from 'yaml';
import { checkPolicyAgainstScenario, parsePolicy } from '../config/index.js';
import { formatIssues, ValidationError } from '../errors.js';
import type { PolicyConfig } from '../policy/types.js';
import { formatDuration } from '../util/duration.js';
import type { ScenarioConfig } from '../world/types.js';
import { applyOp, plainCopy, type Touch } from './patch.js';
import type { Assignment, BasePolicy, Dimension, Space } from './types.js';

/** Built-in references resolved from the scenarios' fleet. */
export const FLEET_REFERENCES = [
  'fleet.largest-region',
  'fleet.smallest-region',
  'fleet.first-region',
] as const;

/** The values of the `fleet.*` references, or why one cannot be given. */
export interface FleetFacts {
  values: Map<string, string>;
  problems: Map<string, string>;
}

/**
 * `fleet.largest-region` (the most traffic), `fleet.smallest-region` (the least) and
 * `fleet.first-region` (listed first), when every scenario gives the same answer.
 */
export function fleetFacts(scenarios: readonly ScenarioConfig[]): FleetFacts {
  const values = new Map<string, string>();
  const problems = new Map<string, string>();
  const pick: Record<(typeof FLEET_REFERENCES)[number], (s: ScenarioConfig) => string> = {
    'fleet.largest-region': (s) =>
      s.fleet.regions.reduce((a, b) => (b.trafficShare > a.trafficShare ? b : a)).name,
    'fleet.smallest-region': (s) =>
      s.fleet.regions.reduce((a, b) => (b.trafficShare < a.trafficShare ? b : a)).name,
    'fleet.first-region': (s) => s.fleet.regions[0]!.name,
  };
  for (const ref of FLEET_REFERENCES) {
    const answers = [...new Set(scenarios.map(pick[ref]))];
    if (answers.length === 1) values.set(ref, answers[0]!);
    else if (answers.length === 0) problems.set(ref, `${ref} needs a scenario`);
    else
      problems.set(
        ref,
        `the scenarios disagree on ${ref} (${scenarios.map((s) => `${s.name}: ${pick[ref](s)}`).join(', ')})`,
      );
  }
  return { values, problems };
}

/** How a number is written into a policy: durations as `1h30m`, numbers as they are. */
export function numberText(d: Extract<Dimension, { kind: 'number' }>, v: number): number | string {
  return d.unit === 'duration' ? formatDuration(v) : v;
}

/** The data of a point of the space, before validation, and what each dimension did. */
export interface Built {
  data: Record<string, unknown>;
  /** Per dimension: whether it changed this policy (a number: whether it was used). */
  active: boolean[];
  /** Per dimension: the nodes it wrote (for comments in the written policy). */
  touches: Touch[][];
  /** Places each operation changed, keyed by where it is written in the space file. */
  hits: Map<string, number>;
  /** References that could not be resolved (a `fleet.*` the scenarios disagree on). */
  problems: string[];
}

/** Whether dimension `i` applies: it has a value and every `when` holds. */
function applies(space: Space, a: Assignment, i: number, active: readonly boolean[]): boolean {
  const d = space.dimensions[i]!;
  if (a.values[i] === undefined) return false;
  for (const [dim, alts] of Object.entries(d.when)) {
    const j = space.dimensions.findIndex((x) => x.name === dim);
    const other = space.dimensions[j];
    if (other?.kind !== 'choice') return false;
    const v = a.values[j];
    if (v === undefined || !active[j]) return false;
    if (!alts.includes(other.alternatives[v]!.name)) return false;
  }
  return true;
}

/** Applies the point's patches to a copy of its base. */
export function buildData(space: Space, base: BasePolicy, a: Assignment, facts: FleetFacts): Built {
  const data = plainCopy(base.data);
  const n = space.dimensions.length;
  const active = new Array<boolean>(n).fill(false);
  const touches: Touch[][] = space.dimensions.map(() => []);
  const hits = new Map<string, number>();
  const problems: string[] = [];
  const index = new Map(space.dimensions.map((d, i) => [d.name, i]));
  const resolve = (name: string): unknown => {
    const i = index.get(name);
    if (i !== undefined) {
      const d = space.dimensions[i]!;
      if (d.kind !== 'number') return undefined;
      active[i] = true;
      return numberText(d, d.values[a.values[i] ?? d.defaultIndex]!);
    }
    const fact = facts.values.get(name);
    if (fact !== undefined) return fact;
    const why = facts.problems.get(name);
    if (why !== undefined && !problems.includes(why)) problems.push(why);
    return undefined;
  };
  space.dimensions.forEach((d, i) => {
    if (d.kind === 'number' && d.owner !== undefined) return; // applied through its alternative
    if (!applies(space, a, i, active)) return;
    const ops = d.kind === 'choice' ? d.alternatives[a.values[i]!]!.ops : d.ops;
    for (const op of ops) {
      const changed = applyOp(data, op, resolve, (t) => touches[i]!.push(t));
      hits.set(op.where, (hits.get(op.where) ?? 0) + changed);
      if (changed > 0) active[i] = true;
    }
  });
  return { data, active, touches, hits, problems };
}

/** A validated candidate policy. */
export interface BuiltPolicy {
  ok: true;
  built: Built;
  /** The policy as the file would read (YAML, no comments). */
  text: string;
  policy: PolicyConfig;
  /** The policy's identity: its validated content without name and description. */
  key: string;
}

export type BuildResult = BuiltPolicy | { ok: false; built: Built; reason: string };

/** The identity of a validated policy: two points that build the same policy are one candidate. */
export function policyKey(p: PolicyConfig): string {
  const { name: _name, description: _description, baseDir: _baseDir, ...rest } = p;
  return JSON.stringify(rest);
}

/**
 * Builds and validates a point: the policy loader and every scenario's fleet must accept it.
 * @returns the policy, or why it was discarded.
 */
export function buildCandidate(
  space: Space,
  bases: readonly BasePolicy[],
  a: Assignment,
  scenarios: readonly ScenarioConfig[],
  facts: FleetFacts,
  name: string,
): BuildResult {
  const built = buildData(space, bases[a.base]!, a, facts);
  if (built.problems.length > 0) return { ok: false, built, reason: built.problems.join('; ') };
  const text = stringify(built.data, { lineWidth: 0 });
  const file = `${name}.yaml`;
  try {
    const policy = { ...parsePolicy(text, file), name };
    for (const s of scenarios) {
      const issues = checkPolicyAgainstScenario(policy, s);
      if (issues.length > 0)
        return { ok: false, built, reason: `on ${s.name}: ${formatIssues(file, issues)}` };
    }
    return { ok: true, built, text, policy, key: policyKey(policy) };
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { ok: false, built, reason: formatIssues(file, e.issues) };
  }
}
