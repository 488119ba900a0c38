import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, loadScenario, parseYaml, readConfigFile } from '../../../src/config/index.js';
import { buildCandidate, buildData, fleetFacts, policyKey } from '../../../src/recommend/build.js';
import { neighbours, samplePoints } from '../../../src/recommend/design.js';
import { defaultAssignment, loadSpace, parseSpace } from '../../../src/recommend/space.js';
import type { BasePolicy } from '../../../src/recommend/types.js';
import type { PolicyConfig } from '../../../src/policy/types.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const healthy = loadScenario(join(ROOT, 'scenarios/baseline-healthy.yaml'));
const lowTraffic = loadScenario(join(ROOT, 'scenarios/low-traffic-canary-region.yaml'));

function given(file: string): BasePolicy {
  const path = join(ROOT, file);
  return {
    name: loadPolicy(path).name,
    file: path,
    data: parseYaml(readConfigFile(path), path) as Record<string, unknown>,
    kind: 'given',
  };
}

describe('building candidates', () => {
  const space = loadSpace(join(ROOT, 'recommend/space.yaml'));
  const facts = fleetFacts([healthy]);

  it('the default point of the built-in space is a valid policy', () => {
    const r = buildCandidate(
      space,
      [space.skeleton],
      defaultAssignment(space),
      [healthy],
      facts,
      'x',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.stages.map((s) => s.name)).toEqual(['canary', 'expand', 'everywhere']);
    expect(r.policy.stages[0]!.checks.map((c) => c.name)).toEqual([
      'errors',
      'p99',
      'memory',
      'crashes',
    ]);
  });

  it('the fleet references name the busiest and the quietest region, when every scenario agrees', () => {
    expect(facts.values.get('fleet.largest-region')).toBe('us-east');
    expect(facts.values.get('fleet.smallest-region')).toBe('ca-central');
    const mixed = fleetFacts([healthy, lowTraffic]);
    // low-traffic-canary-region gives us-east more traffic but the same order: they agree.
    expect(mixed.values.get('fleet.largest-region')).toBe('us-east');
    const other = {
      ...lowTraffic,
      name: 'swapped',
      fleet: {
        regions: [...lowTraffic.fleet.regions]
          .reverse()
          .map((r, i) => ({ ...r, trafficShare: i === 0 ? 0.9 : 0.1 / 4 })),
      },
    };
    const disagree = fleetFacts([healthy, other as typeof healthy]);
    expect(disagree.problems.get('fleet.largest-region')).toMatch(
      /the scenarios disagree on fleet\.largest-region/,
    );
  });

  it('a point that builds an invalid policy is discarded with the loader’s reason, never thrown', () => {
    // A whole-region stage compared with its own region's old hosts has no baseline left.
    const bad = parseSpace(
      `
skeleton:
  stages:
    - name: canary
      target: { kind: region, region: us-east }
      checks: [{ name: e, metric: error_rate, judge: { kind: sequential }, compare: baseline, baselineScope: fleet }]
    - { name: all, target: { kind: fleet, share: 1 } }
dimensions:
  - name: scope
    choose:
      - { name: fleet, set: { 'stages[*].checks[*].baselineScope': fleet } }
      - { name: region, set: { 'stages[*].checks[*].baselineScope': region } }
`,
      'space.yaml',
    );
    const r = buildCandidate(
      bad,
      [bad.skeleton],
      { base: 0, values: [1] },
      [healthy],
      fleetFacts([healthy]),
      'c7',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe(
      'c7.yaml: stages[0].checks[0].baselineScope: every region with new hosts so far is deployed whole, so the hosts scope: new measures have no old hosts of their region to compare with; deploy a share of each region (e.g. { kind: region, region: NAME, share: 0.5 }) and keep the rest as the control, or use compare: absolute',
    );
  });

  it('a given policy with no values is exactly that policy; one change away applies one patch', () => {
    const truthful = given('policies/truthful.yaml');
    const bases = [space.skeleton, truthful];
    const none = { base: 1, values: space.dimensions.map(() => undefined) };
    const r = buildCandidate(space, bases, none, [healthy], facts, 'x');
    expect(r.ok && r.key).toBe(policyKey(loadPolicy(truthful.file)));
    // truthful's watch runs 2 h; the watch-length dimension set on it changes only that.
    const w = space.dimensions.findIndex((d) => d.name === 'watch-length');
    const nb = neighbours(space, none).find((n) => n.dimension === w)!;
    const changed = buildCandidate(space, bases, nb.assignment, [healthy], facts, 'x');
    expect(changed.ok).toBe(true);
    if (!changed.ok) return;
    expect(changed.policy.watch?.duration).toBe(240); // the dimension's default, 4h
    const original = loadPolicy(truthful.file);
    expect({ ...changed.policy, watch: undefined, name: '', baseDir: '' }).toEqual({
      ...original,
      watch: undefined,
      name: '',
      baseDir: '',
    });
  });

  it("the watch-alert-scope dimension turns truthful's per-region error alerts into fleet-wide ones", () => {
    const truthful = given('policies/truthful.yaml');
    const none = { base: 1, values: space.dimensions.map(() => undefined) };
    const d = space.dimensions.findIndex((x) => x.name === 'watch-alert-scope');
    const nb = neighbours(space, none).find((n) => n.dimension === d)!;
    const r = buildCandidate(
      space,
      [space.skeleton, truthful],
      nb.assignment,
      [healthy],
      facts,
      'x',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const alerts = (p: PolicyConfig) =>
      p.watch!.checks.map((c) => `${c.name}:${c.metric === 'error_rate' ? c.perRegion : '-'}`);
    expect(alerts(loadPolicy(truthful.file))).toContain('error-slo-sustained:true');
    expect(alerts(r.policy)).toEqual(
      alerts(loadPolicy(truthful.file)).map((a) => a.replace(':true', ':false')),
    );
  });

  it("the built-in space reaches truthful's own checks, whatever they are named", () => {
    const truthful = given('policies/truthful.yaml');
    const build = (dimension: string, option: string) => {
      const i = space.dimensions.findIndex((d) => d.name === dimension);
      const d = space.dimensions[i]!;
      const values = space.dimensions.map((): number | undefined => undefined);
      values[i] =
        d.kind === 'choice'
          ? d.alternatives.findIndex((a) => a.name === option)
          : d.values.indexOf(Number(option));
      const r = buildCandidate(
        space,
        [space.skeleton, truthful],
        { base: 1, values },
        [healthy],
        facts,
        'x',
      );
      if (!r.ok) throw new Error(r.reason);
      return r.policy;
    };
    const original = loadPolicy(truthful.file);
    // The sequential error test is found by what it measures and compares, not by its name.
    const alphas = (p: PolicyConfig) =>
      p.stages.flatMap((s) =>
        s.checks.map((c) => (c.judge.kind === 'sequential' ? c.judge.params.alpha : '-')),
      );
    expect(alphas(build('error-alpha', '0.01'))).toEqual(
      alphas(original).map((a) => (a === '-' ? a : 0.01)),
    );
    // The slow burn alert holds out for 70 minutes: fourteen windows in a row.
    const sustained = build('watch-sustained', '70m').watch!.checks.find(
      (c) => c.name === 'error-slo-sustained',
    )!;
    expect([sustained.failureLimit, sustained.failureWindow]).toEqual([13, 14]);
    // The business check is replaced by the one the alternative names.
    const conversion = build('business-check', 'daily-profile').watch!.checks.filter(
      (c) => c.metric === 'conversion_rate',
    );
    expect(conversion.map((c) => c.name)).toEqual(['conversion-vs-past-weeks']);
    expect(conversion[0]!.judge).toMatchObject({
      kind: 'business-anomaly',
      params: { reference: 'daily-profile' },
    });
  });

  it('records which dimensions changed the policy and the nodes they wrote', () => {
    const b = buildData(space, space.skeleton, defaultAssignment(space), facts);
    const byName = (n: string) => space.dimensions.findIndex((d) => d.name === n);
    expect(b.active[byName('canary-bake')]).toBe(true);
    // No staging stage in the skeleton: `none` removes nothing, so it does not apply.
    expect(b.active[byName('staging')]).toBe(false);
    // The sequential judge's number is not used while the CUSUM judge is chosen.
    expect(b.active[byName('error-min-effect')]).toBe(false);
    expect(b.active[byName('error-cusum-h')]).toBe(true);
    const stages = b.data.stages as Record<string, unknown>[];
    expect(b.touches[byName('canary-bake')]).toEqual([{ container: stages[0], key: 'bake' }]);
  });

  it('sampling is seeded and deals every option of a dimension about equally often', () => {
    const a = samplePoints(space, 21, 5);
    expect(samplePoints(space, 21, 5)).toEqual(a);
    expect(samplePoints(space, 21, 6)).not.toEqual(a);
    space.dimensions.forEach((d, i) => {
      const n = d.kind === 'choice' ? d.alternatives.length : d.values.length;
      const counts = new Array<number>(n).fill(0);
      for (const p of a) counts[p.values[i]!]!++;
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(
        Math.ceil(21 / n) - Math.floor(21 / n) + 1,
      );
    });
  });

  it('neighbours change one dimension: every other alternative, or the next number up or down', () => {
    const a = defaultAssignment(space);
    const nbs = neighbours(space, a);
    for (const nb of nbs) {
      const changed = nb.assignment.values.flatMap((v, i) => (v !== a.values[i] ? [i] : []));
      expect(changed).toEqual([nb.dimension]);
    }
    const bake = space.dimensions.findIndex((d) => d.name === 'canary-bake');
    expect(nbs.filter((n) => n.dimension === bake).map((n) => n.assignment.values[bake])).toEqual([
      1, 3,
    ]);
  });

  it('a number a given policy leaves unset is tried at every value, its default first', () => {
    // truthful's watch already runs the default 4 h: the default alone would change nothing.
    const none = { base: 1, values: space.dimensions.map(() => undefined) };
    const w = space.dimensions.findIndex((d) => d.name === 'watch-length');
    const watch = space.dimensions[w]!;
    if (watch.kind !== 'number') throw new Error('watch-length is a number');
    const tried = neighbours(space, none)
      .filter((n) => n.dimension === w)
      .map((n) => watch.values[n.assignment.values[w]!]);
    expect(tried).toEqual([240, 60, 120, 360, 480]);
  });
});
