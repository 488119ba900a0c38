/**
 * Checks of a policy against the fleet it will run on: the regions it names exist, one-box
 * counts fit, and the last stage leaves every host on the new build.
 */
import type { ValidationIssue } from '../errors.js';
import type { CheckConfig, PolicyConfig, TargetConfig } from '../policy/types.js';
import type { ScenarioConfig } from '../world/types.js';
import { formatPath } from './issues.js';
import type { Registries } from './registries.js';
import { liveRegistries } from './registries.js';
import { checkPolicyCost } from './schedule.js';
import { cumulativeTargets } from '../pipeline/targets.js';
import { regionRuntimes } from '../world/regions.js';
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
    case 'traffic':
      // Canary pods beside the fleet: no host of a region changes build.
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
  });

  // Checks start once a stage is deployed; a baseline is then the old hosts the runtime picks
  // (metric-feed.ts): of every region for baselineScope fleet, else of the regions the
  // measured hosts are in. Host counts are the runtime's own (targets.ts, rounded up).
  const regions = regionRuntimes(scenario.fleet.regions);
  const wanted = cumulativeTargets(
    policy.stages.map((s) => s.target),
    regions,
  );
  policy.stages.forEach((stage, i) => {
    // Traffic stages come before any host changes build: every region's hosts are the baseline.
    if (stage.target.kind === 'staging' || stage.target.kind === 'traffic') return;
    const have = wanted[i]!;
    const before = i > 0 ? wanted[i - 1]! : regions.map(() => 0);
    const oldHosts = (r: number): number => regions[r]!.hosts - have[r]!;
    const fleetOld = regions.reduce((n, _r, k) => n + oldHosts(k), 0);
    stage.checks.forEach((c, j) => {
      if (c.compare !== 'baseline' || c.baselineScope === 'fresh') return;
      if (fleetOld === 0) {
        issues.push({
          path: formatPath(['stages', i, 'checks', j, 'compare']),
          message: `after this stage every host of scenario \`${scenario.name}\` runs the new build, so no baseline is left; use compare: absolute`,
        });
        return;
      }
      if (c.baselineScope !== 'region') return;
      const measured = measuredRegions(c.scope, have, before);
      if (measured.some((r) => oldHosts(r) > 0)) return;
      issues.push({
        path: formatPath(['stages', i, 'checks', j, 'baselineScope']),
        message:
          measured.length === 0
            ? 'this stage adds no hosts (earlier stages already deployed its target), so scope: stage has no hosts to measure and no region to take a baseline from'
            : `after this stage every host in ${listNames(measured.map((r) => regions[r]!.name))} runs the new build, so the check has no old hosts of the same region to compare with; leave part of the region on the old build as the control (e.g. target { kind: region, region: ${regions[measured[0]!]!.name}, share: 0.5 }), or use compare: absolute`,
      });
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

/**
 * The regions whose hosts a check measures once its stage is deployed, as the runtime picks
 * them: scope stage, the regions this stage added hosts to; scope new, every region with new
 * hosts; scope all, every region. `have` and `before` count new hosts per region after this
 * stage and after the one before.
 */
function measuredRegions(
  scope: CheckConfig['scope'],
  have: readonly number[],
  before: readonly number[],
): number[] {
  const all = have.map((_n, r) => r);
  switch (scope) {
    case 'stage':
      return all.filter((r) => have[r]! > before[r]!);
    case 'new':
      return all.filter((r) => have[r]! > 0);
    case 'all':
      return all;
    default: {
      const never: never = scope;
      throw new Error(`unknown scope ${String(never)}`);
    }
  }
}
