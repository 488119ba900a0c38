import { describe, expect, it } from 'vitest';
import {
  checkPolicyAgainstScenario,
  parsePolicy,
  parseScenario,
  POLICY_DEFAULTS,
} from '../../../src/config/index.js';
import { ValidationError } from '../../../src/errors.js';
import { testRegistries } from './registry-doubles.js';

const opts = { registries: testRegistries };

function issuesOf(text: string, file = 'policies/truthful.yaml'): string {
  try {
    parsePolicy(text, file, opts);
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

const ALL = `  - name: all\n    target: { kind: fleet, share: 1 }\n`;

describe('parsePolicy: defaults', () => {
  it('fills every default from one place', () => {
    const p = parsePolicy(`stages:\n${ALL}`, 'policies/ship-it.yaml', opts);
    expect(p.name).toBe('ship-it');
    expect(p.baseDir.endsWith('policies')).toBe(true);
    expect(p).toMatchObject({
      description: '',
      ciTests: {},
      rollbackDrill: undefined,
      maxBatchShare: 1,
      watch: undefined,
      rollback: POLICY_DEFAULTS.rollback,
      onInconclusive: 'pause',
      manualResume: { kind: 'lognormal', medianMinutes: 60, sigma: 1 },
    });
    expect(p.stages).toEqual([
      {
        name: 'all',
        target: { kind: 'fleet', share: 1 },
        bake: 0,
        checks: [],
        approval: { kind: 'automatic' },
        deployWindows: [],
      },
    ]);
  });

  it('fills check defaults, the judge default window and judge param defaults', () => {
    const p = parsePolicy(
      `stages:
  - name: canary
    target: { kind: fleet, share: 0.1 }
    checks:
      - { name: errors, metric: error_rate, judge: { kind: test-threshold, max: 0.02 } }
      - { name: cmp, metric: latency_p99, judge: { kind: test-compare }, compare: baseline }
${ALL}`,
      'x.yaml',
      opts,
    );
    const [errors, cmp] = p.stages[0]!.checks;
    expect(errors).toEqual({
      name: 'errors',
      metric: 'error_rate',
      judge: { kind: 'test-threshold', params: { max: 0.02 } },
      ...POLICY_DEFAULTS.check,
      count: undefined,
      failedChecksThreshold: undefined,
      window: 'interval',
    });
    // The comparing double declares `cumulative` as its default window.
    expect(cmp!.window).toBe('cumulative');
    expect(cmp!.judge).toEqual({
      kind: 'test-compare',
      params: { confidence: 0.98, direction: 'either' },
    });
  });

  it('reads every target, approval and delay form', () => {
    const p = parsePolicy(
      `rollbackDrill: {}
manualResume: { kind: exponential, mean: 45m }
stages:
  - { name: s, target: { kind: staging } }
  - { name: one, target: { kind: hosts, region: a, count: 1 }, approval: manual }
  - { name: half, target: { kind: region, region: a, share: 0.5 }, approval: { kind: manual, delay: { kind: fixed, minutes: 10m } } }
  - { name: a, target: { kind: region, region: a }, approval: { kind: automatic } }
  - { name: wave, target: { kind: regions, regions: [b, c] }, approval: automatic }
${ALL}`,
      'x.yaml',
      opts,
    );
    expect(p.rollbackDrill).toEqual({ duration: 30, detectProbability: 0.9 });
    expect(p.manualResume).toEqual({ kind: 'exponential', meanMinutes: 45 });
    expect(p.stages.map((s) => s.target)).toEqual([
      { kind: 'staging' },
      { kind: 'hosts', region: 'a', count: 1 },
      { kind: 'region', region: 'a', share: 0.5 },
      { kind: 'region', region: 'a', share: 1 },
      { kind: 'regions', regions: ['b', 'c'] },
      { kind: 'fleet', share: 1 },
    ]);
    expect(p.stages.map((s) => s.approval)).toEqual([
      { kind: 'automatic' },
      { kind: 'manual', delay: { kind: 'lognormal', medianMinutes: 30, sigma: 0.8 } },
      { kind: 'manual', delay: { kind: 'fixed', minutes: 10 } },
      { kind: 'automatic' },
      { kind: 'automatic' },
      { kind: 'automatic' },
    ]);
  });
});

describe('parsePolicy: errors', () => {
  it('prints the brief example exactly', () => {
    const text = `stages:
  - { name: a, target: { kind: fleet, share: 0.1 } }
  - { name: b, target: { kind: fleet, share: 0.2 } }
  - name: c
    target: { kind: fleet, share: 1 }
    checks:
      - { name: e, metric: error_rate, judge: { kind: test-threshold, max: 0.1 }, failureLimit: two }
`;
    expect(issuesOf(text)).toMatchInlineSnapshot(
      `"policies/truthful.yaml: stages[2].checks[0].failureLimit: expected a whole number ≥ -1, got "two""`,
    );
  });

  it('reports every field problem at once, with suggestions', () => {
    const text = `ciTests: { test-leek: 0.3, test-error: 2 }
stages:
  - name: one-box
    target: { kind: host, region: us-west, count: 1 }
  - name: canary
    target: { kind: fleet, share: 0.1 }
    approval: manul
    deployWindows: [ { days: [mon], fromHour: 17, toHour: 9 } ]
    checks:
      - name: errors
        metric: error-rate
        judge: { kind: test-threshold, max: 0.02, maxx: 3 }
        onMissingData: fial
        window: cumulativ
${ALL}`;
    expect(issuesOf(text)).toMatchInlineSnapshot(`
      "policies/truthful.yaml: ciTests.test-leek: unknown fault kind "test-leek"; did you mean \`test-leak\`? (known kinds: \`test-error\` or \`test-leak\`)
      policies/truthful.yaml: ciTests.test-error: expected a probability in [0, 1], got 2
      policies/truthful.yaml: stages[0].target.kind: unknown target kind "host"; did you mean \`hosts\`? (known kinds: \`staging\`, \`hosts\`, \`region\`, \`regions\`, \`fleet\` or \`traffic\`)
      policies/truthful.yaml: stages[1].approval: expected \`automatic\`, \`manual\` or a mapping with \`kind\`, got "manul"; did you mean \`manual\`?
      policies/truthful.yaml: stages[1].deployWindows[0].toHour: expected toHour > fromHour (17), got 9
      policies/truthful.yaml: stages[1].checks[0].metric: expected one of \`error_rate\`, \`latency_p50\`, \`latency_p90\`, \`latency_p99\`, \`slow_rate\`, \`memory\`, \`connections\`, \`crash_count\`, \`conversion_rate\` or \`requests\`, got "error-rate"; did you mean \`error_rate\`?
      policies/truthful.yaml: stages[1].checks[0].judge.maxx: unknown key \`maxx\`; did you mean \`max\`?
      policies/truthful.yaml: stages[1].checks[0].window: expected \`interval\`, \`cumulative\` or a lookback duration such as 30m, got "cumulativ"; did you mean \`cumulative\`?
      policies/truthful.yaml: stages[1].checks[0].onMissingData: expected one of \`pass\`, \`fail\`, \`inconclusive\` or \`error\`, got "fial"; did you mean \`fail\`?"
    `);
  });

  it('checks judge needs against compare, and judge factories', () => {
    const text = `stages:
  - name: canary
    target: { kind: fleet, share: 0.1 }
    checks:
      - { name: cmp, metric: latency_p99, judge: { kind: test-compare } }
      - { name: thr, metric: error_rate, judge: { kind: test-threshold, max: 1 }, compare: baseline }
      - { name: all, metric: error_rate, judge: { kind: test-compare }, compare: baseline, scope: all }
      - { name: bad, metric: error_rate, judge: { kind: test-threshold } }
${ALL}`;
    expect(issuesOf(text)).toMatchInlineSnapshot(`
      "policies/truthful.yaml: stages[0].checks[0].compare: judge \`test-compare\` compares against hosts on the old build: expected compare: baseline
      policies/truthful.yaml: stages[0].checks[1].compare: judge \`test-threshold\` reads no baseline: expected compare: absolute
      policies/truthful.yaml: stages[0].checks[2].scope: scope: all measures every host whatever its version, so nothing is left to be a baseline; use scope: new or stage, or compare: absolute
      policies/truthful.yaml: stages[0].checks[3].judge: judge \`test-threshold\` rejects these parameters: set max or min"
    `);
  });

  it('knows the watch has no baseline', () => {
    const text = `stages:\n${ALL}watch:
  duration: 2h
  checks:
    - { name: cmp, metric: memory, judge: { kind: test-compare }, compare: baseline }
    - { name: thr, metric: memory, judge: { kind: test-threshold, max: 1 }, compare: baseline, background: true }
`;
    expect(issuesOf(text)).toMatchInlineSnapshot(`
      "policies/truthful.yaml: watch.checks[0].judge.kind: judge \`test-compare\` compares against hosts on the old build, and during the watch every host runs the new one; use a judge that needs no baseline
      policies/truthful.yaml: watch.checks[1].compare: the watch runs with every host on the new build, so there is no baseline; use compare: absolute
      policies/truthful.yaml: watch.checks[1].background: background checks run through later stages; the watch is the last step"
    `);
  });

  it('takes a failure window only with a failureLimit that fits in it, and not with Flagger counting', () => {
    const check = (extra: string) => `stages:
  - name: all
    target: { kind: fleet, share: 1 }
    checks:
      - { name: c, metric: memory, judge: { kind: test-threshold, max: 1 }${extra} }
`;
    const ok = parsePolicy(check(', failureLimit: 2, failureWindow: 5'), 'p.yaml', opts);
    expect(ok.stages[0]!.checks[0]).toMatchObject({ failureLimit: 2, failureWindow: 5 });
    expect(parsePolicy(check(''), 'p.yaml', opts).stages[0]!.checks[0]!.failureWindow).toBe(
      undefined,
    );
    expect(issuesOf(check(', failureLimit: 5, failureWindow: 5'))).toBe(
      'policies/truthful.yaml: stages[0].checks[0].failureWindow: with failureWindow 5, expected failureLimit from 0 to 4 (more failures than that cannot fit in the window), got 5',
    );
    expect(issuesOf(check(', failureLimit: -1, failureWindow: 3'))).toContain('got -1');
    expect(issuesOf(check(', failureWindow: 3, failedChecksThreshold: 2'))).toContain(
      "stages[0].checks[0].failureWindow: failureWindow counts failureLimit over the last measurements; Flagger's failedChecksThreshold",
    );
    expect(issuesOf(check(', failureWindow: 0'))).toContain('stages[0].checks[0].failureWindow');
  });

  it('checks the shape of the rollout', () => {
    const text = `stages:
  - { name: a, target: { kind: fleet, share: 0.5 } }
  - { name: a, target: { kind: fleet, share: 0.25 } }
  - { name: s, target: { kind: staging } }
`;
    expect(issuesOf(text)).toMatchInlineSnapshot(`
      "policies/truthful.yaml: stages[1].name: stage name \`a\` is already used by entry 0
      policies/truthful.yaml: stages[1].target.share: expected a share ≥ 0.5 (an earlier stage's; targets are cumulative), got 0.25
      policies/truthful.yaml: stages[2].target: a staging stage must come before every production stage
      policies/truthful.yaml: stages[2].target: the last stage must reach the whole fleet: end with { kind: fleet, share: 1 } or deploy every region whole"
    `);
    expect(issuesOf('stages: [ { name: s, target: { kind: staging } } ]\n')).toContain(
      'stages: expected at least one production stage',
    );
    expect(issuesOf('stages: []\n')).toContain('stages: expected at least one stage');
  });

  it('refuses baselines on stages that leave no old hosts', () => {
    const check =
      '{ name: c, metric: error_rate, judge: { kind: test-compare }, compare: baseline }';
    const text = `stages:
  - { name: r, target: { kind: region, region: a }, checks: [${check}] }
  - { name: w, target: { kind: regions, regions: [b] }, checks: [${check}] }
  - { name: f, target: { kind: fleet, share: 1 }, checks: [${check}] }
`;
    expect(issuesOf(text)).toMatchInlineSnapshot(`
      "policies/truthful.yaml: stages[0].checks[0].baselineScope: every region with new hosts so far is deployed whole, so the hosts scope: new measures have no old hosts of their region to compare with; deploy a share of each region (e.g. { kind: region, region: NAME, share: 0.5 }) and keep the rest as the control, or use compare: absolute
      policies/truthful.yaml: stages[1].checks[0].baselineScope: every region with new hosts so far is deployed whole, so the hosts scope: new measures have no old hosts of their region to compare with; deploy a share of each region (e.g. { kind: region, region: NAME, share: 0.5 }) and keep the rest as the control, or use compare: absolute
      policies/truthful.yaml: stages[2].checks[0].compare: this stage puts every host on the new build, so no baseline is left; use compare: absolute"
    `);
    // scope: stage measures only the stage's own hosts, whatever came before.
    const byStage =
      '{ name: c, metric: error_rate, judge: { kind: test-compare }, compare: baseline, scope: stage }';
    expect(
      issuesOf(`stages:
  - { name: half, target: { kind: fleet, share: 0.5 } }
  - { name: w, target: { kind: regions, regions: [b] }, checks: [${byStage}] }
  - { name: f, target: { kind: fleet, share: 1 } }
`),
    ).toMatchInlineSnapshot(
      `"policies/truthful.yaml: stages[1].checks[0].baselineScope: this stage deploys whole regions, so none of its regions keeps old hosts to compare with; deploy a share of each region (e.g. { kind: region, region: NAME, share: 0.5 }) and keep the rest as the control, or use compare: absolute"`,
    );
  });

  it('accepts region baselines the runtime can serve, and never suggests a fleet baseline', () => {
    const check = (scope: string, name = 'c'): string =>
      `{ name: ${name}, metric: error_rate, judge: { kind: test-compare }, compare: baseline, scope: ${scope} }`;
    // A share of a region leaves the rest as its control; with scope: new a whole region
    // deployed after half of every region still has the other regions' old halves.
    const text = `stages:
  - { name: one, target: { kind: hosts, region: a, count: 1 }, checks: [${check('stage')}] }
  - { name: a-half, target: { kind: region, region: a, share: 0.5 }, checks: [${check('stage')}] }
  - { name: a, target: { kind: region, region: a }, checks: [${check('new')}] }
  - { name: half, target: { kind: fleet, share: 0.5 }, checks: [${check('stage')}, ${check('new', 'd')}] }
  - { name: b, target: { kind: regions, regions: [b] }, checks: [${check('new')}] }
  - { name: f, target: { kind: fleet, share: 1 } }
`;
    // Only stage a (every new host is in a, deployed whole) has nothing to compare with.
    const issues = issuesOf(text);
    expect(issues.split('\n').map((l) => l.split(': ')[1])).toEqual([
      'stages[2].checks[0].baselineScope',
    ]);
    expect(issues).not.toMatch(/fleet/);
  });
});

describe('checkPolicyAgainstScenario', () => {
  const scenario = parseScenario(
    `fleet:
  regions:
    - { name: us-east, trafficShare: 0.6, hosts: 10 }
    - { name: us-west, trafficShare: 0.3, hosts: 6 }
    - { name: tiny, trafficShare: 0.1, hosts: 2 }
`,
    'scenarios/three.yaml',
    opts,
  );

  it('accepts a plan that deploys every region whole', () => {
    const p = parsePolicy(
      `stages:
  - { name: one, target: { kind: hosts, region: tiny, count: 1 } }
  - { name: t, target: { kind: region, region: tiny } }
  - { name: w, target: { kind: regions, regions: [us-west, us-east] } }
`,
      'p.yaml',
      opts,
    );
    expect(checkPolicyAgainstScenario(p, scenario)).toEqual([]);
  });

  it('reports unknown regions, oversize one-boxes and missing coverage', () => {
    const cmp = '{ name: c, metric: error_rate, judge: { kind: test-compare }, compare: baseline }';
    const p = parsePolicy(
      `stages:
  - { name: one, target: { kind: hosts, region: tiny, count: 3 } }
  - { name: typo, target: { kind: region, region: us-wst } }
  - { name: east, target: { kind: regions, regions: [us-east, eu-west] } }
  - { name: west, target: { kind: region, region: us-west, share: 0.5 } }
  - { name: rest, target: { kind: hosts, region: us-west, count: 3 }, checks: [${cmp}] }
`,
      'p.yaml',
      opts,
    );
    expect(checkPolicyAgainstScenario(p, scenario)).toEqual([
      {
        path: 'stages[0].target.count',
        message: 'expected at most 2 hosts (region `tiny` of scenario `three`), got 3',
      },
      {
        path: 'stages[1].target.region',
        message:
          'unknown region "us-wst"; did you mean `us-west`? (scenario `three` has `us-east`, `us-west` or `tiny`)',
      },
      {
        path: 'stages[2].target.regions[1]',
        message:
          'unknown region "eu-west"; did you mean `us-west`? (scenario `three` has `us-east`, `us-west` or `tiny`)',
      },
      {
        path: 'stages[4].target',
        message:
          'the last stage must reach the whole fleet, but these regions of scenario `three` are not fully deployed: `us-west` (50%)',
      },
    ]);
  });

  it('finds baselines that vanish once the fleet is covered', () => {
    const cmp = (scope: string, name = 'c'): string =>
      `{ name: ${name}, metric: error_rate, judge: { kind: test-compare }, compare: baseline, scope: ${scope} }`;
    const cmpFleet =
      '{ name: c, metric: error_rate, judge: { kind: test-compare }, compare: baseline, baselineScope: fleet }';
    const p = parsePolicy(
      `stages:
  - { name: half, target: { kind: fleet, share: 0.5 }, checks: [${cmp('stage')}] }
  - { name: tiny, target: { kind: hosts, region: tiny, count: 2 }, checks: [${cmp('new')}, ${cmp('stage', 'd')}] }
  - { name: west, target: { kind: region, region: us-west, share: 0.9 }, checks: [${cmp('stage')}] }
  - { name: again, target: { kind: region, region: us-west, share: 0.5 }, checks: [${cmp('stage')}] }
  - { name: rest, target: { kind: regions, regions: [us-east, us-west] }, checks: [${cmpFleet}] }
`,
      'p.yaml',
      opts,
    );
    // tiny, scope new: the new hosts of us-east and us-west still have old halves beside them.
    // west: 0.9 of 6 hosts rounds up to 6 (as the runtime deploys), so none is left.
    expect(checkPolicyAgainstScenario(p, scenario)).toEqual([
      {
        path: 'stages[1].checks[1].baselineScope',
        message:
          'after this stage every host in `tiny` runs the new build, so the check has no old hosts of the same region to compare with; leave part of the region on the old build as the control (e.g. target { kind: region, region: tiny, share: 0.5 }), or use compare: absolute',
      },
      {
        path: 'stages[2].checks[0].baselineScope',
        message:
          'after this stage every host in `us-west` runs the new build, so the check has no old hosts of the same region to compare with; leave part of the region on the old build as the control (e.g. target { kind: region, region: us-west, share: 0.5 }), or use compare: absolute',
      },
      {
        path: 'stages[3].checks[0].baselineScope',
        message:
          'this stage adds no hosts (earlier stages already deployed its target), so scope: stage has no hosts to measure and no region to take a baseline from',
      },
      {
        path: 'stages[4].checks[0].compare',
        message:
          'after this stage every host of scenario `three` runs the new build, so no baseline is left; use compare: absolute',
      },
    ]);
  });
});
