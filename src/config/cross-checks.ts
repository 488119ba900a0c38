/**
 * Checks of a policy against the fleet it will run on: the regions it names exist, one-box
 * counts fit, and the last stage leaves every host on the new build.
 */
import type { ValidationIssue } from '../errors.js';
import type { PolicyConfig, TargetConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import { formatPath } from './issues.js';
import type { Registries } from './registries.js';
import { liveRegistries } from './registries.js';
import { checkPolicyCost } from './schedule.js';
import { didYouMean, listNames } from './suggest.js';

/** Share of each region's hosts a target puts on the new build (absent: none). */
function targetShares(t: TargetConfig, scenario: ScenarioConfig): Map<string, number> {
  const shares = new Map<string, number>();
  const regions = scenario.fleet.regions;
  switch (t.kind) {
    case 'staging':
      break;
    case 'hosts': {
      const r = regions.find((x) => x.name === t.region);
      if (r !== undefined) shares.set(r.name, Math.min(1, t.count / r.hosts));
      break;
    }
    case 'region':
      shares.set(t.region, t.share);
      break;
    case 'regions':
      for (const name of t.regions) shares.set(name, 1);
      break;
    case 'fleet':
      for (const r of regions) shares.set(r.name, t.share);
      break;
    default: {
      const never: never = t;
      throw new Error(`unhandled target ${JSON.stringify(never)}`);
    }
  }
  return shares;
}

/**
 * Issues with running `policy` on `scenario`'s fleet (paths inside the policy); empty when it
 * fits. Besides regions and coverage, the pair must stay within gatesim's limits on a trial
 * (its schedule, deploy batches and metric points; see schedule.ts).
 * @example const issues = checkPolicyAgainstScenario(loadPolicy('policies/truthful.yaml'), scenario);
 */
export function checkPolicyAgainstScenario(
  policy: PolicyConfig,
  scenario: ScenarioConfig,
  registries: Registries = liveRegistries,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const names = scenario.fleet.regions.map((r) => r.name);
  const hostsOf = new Map(scenario.fleet.regions.map((r) => [r.name, r.hosts]));
  const unknown = (path: PropertyKey[], name: string): void => {
    issues.push({
      path: formatPath(path),
      message: `unknown region ${JSON.stringify(name)}${didYouMean(name, names)} (scenario \`${scenario.name}\` has ${listNames(names)})`,
    });
  };

  const covered = new Map<string, number>();
  policy.stages.forEach((stage, i) => {
    const t = stage.target;
    const at: PropertyKey[] = ['stages', i, 'target'];
    if (t.kind === 'hosts' || t.kind === 'region') {
      if (!hostsOf.has(t.region)) unknown([...at, 'region'], t.region);
    }
    if (t.kind === 'hosts') {
      const hosts = hostsOf.get(t.region);
      if (hosts !== undefined && t.count > hosts) {
        issues.push({
          path: formatPath([...at, 'count']),
          message: `expected at most ${hosts} hosts (region \`${t.region}\` of scenario \`${scenario.name}\`), got ${t.count}`,
        });
      }
    }
    if (t.kind === 'regions') {
      t.regions.forEach((r, j) => {
        if (!hostsOf.has(r)) unknown([...at, 'regions', j], r);
      });
    }
    const touched = targetShares(t, scenario);
    for (const [region, share] of touched) {
      covered.set(region, Math.max(covered.get(region) ?? 0, share));
    }
    // Checks start once the stage is deployed: a baseline needs old hosts left at that point.
    const whole = (n: string): boolean => (covered.get(n) ?? 0) >= 1 - 1e-9;
    stage.checks.forEach((c, j) => {
      if (c.compare !== 'baseline') return;
      if (names.every(whole)) {
        issues.push({
          path: formatPath(['stages', i, 'checks', j, 'compare']),
          message: `after this stage every host of scenario \`${scenario.name}\` runs the new build, so no baseline is left; use compare: absolute`,
        });
      } else if (c.baselineScope === 'region') {
        const gone = [...touched.keys()].filter((n) => hostsOf.has(n) && whole(n));
        if (gone.length > 0) {
          issues.push({
            path: formatPath(['stages', i, 'checks', j, 'baselineScope']),
            message: `after this stage every host in ${listNames(gone)} runs the new build, so no region baseline is left; use baselineScope: fleet`,
          });
        }
      }
    });
  });

  const missing = names.filter((n) => (covered.get(n) ?? 0) < 1 - 1e-9);
  if (missing.length > 0) {
    issues.push({
      path: formatPath(['stages', policy.stages.length - 1, 'target']),
      message: `the last stage must reach the whole fleet, but these regions of scenario \`${scenario.name}\` are not fully deployed: ${missing
        .map((n) => `\`${n}\` (${Math.round((covered.get(n) ?? 0) * 1000) / 10}%)`)
        .join(', ')}`,
    });
  }
  // What the pair costs a trial only means something once the policy fits the fleet.
  if (issues.length === 0) issues.push(...checkPolicyCost(policy, scenario, registries.judges));
  return issues;
}
