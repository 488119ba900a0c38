import { describe, expect, it } from 'vitest';
import { GatesimError } from '../../../src/errors.js';
import { CODEDEPLOY_PREDEFINED, importCodeDeploy } from '../../../src/import/index.js';
import { expectLoads, fixture, plain } from './helpers.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatesimError) return e.message;
    throw e;
  }
  throw new Error('no error');
}

const byName = (name: string) =>
  importCodeDeploy({ kind: 'name', name }, { alarms: fixture('codedeploy/alarms-list.json') });
const shape = (name: string) => plain(byName(name)).stages.map((s) => [s.target.share, s.bake]);

describe('importCodeDeploy: predefined configurations', () => {
  it.each(Object.keys(CODEDEPLOY_PREDEFINED))(
    '%s imports and loads (with and without the CodeDeployDefault. prefix)',
    async (name) => {
      await expectLoads(byName(`CodeDeployDefault.${name}`), `${name}.yaml`);
      expect(plain(byName(name))).toEqual(plain(byName(`CodeDeployDefault.${name}`)));
    },
  );

  it('canary: two increments, the interval between them', () => {
    expect(shape('ECSCanary10Percent5Minutes')).toEqual([
      [0.1, '5m'],
      [1, '0m'],
    ]);
    expect(shape('LambdaCanary10Percent30Minutes')).toEqual([
      [0.1, '30m'],
      [1, '0m'],
    ]);
  });

  it('linear: ten equal increments at equal intervals', () => {
    const s = shape('ECSLinear10PercentEvery3Minutes');
    expect(s).toHaveLength(10);
    expect(s.map(([share]) => share)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(s.map(([, bake]) => bake)).toEqual([...Array<string>(9).fill('3m'), '0m']);
    expect(shape('LambdaLinear10PercentEvery1Minute')[0]).toEqual([0.1, '1m']);
  });

  it('EC2 in place: minimumHealthyHosts sets the batch size', () => {
    const batch = (name: string, hosts?: number) =>
      plain(importCodeDeploy({ kind: 'name', name }, hosts === undefined ? {} : { hosts }))
        .maxBatchShare;
    expect(batch('AllAtOnce')).toBe(1);
    expect(batch('HalfAtATime')).toBe(0.5);
    expect(batch('OneAtATime')).toBe(0.01);
    expect(batch('OneAtATime', 40)).toBe(0.025);
  });

  it('alarms become one background check from the first stage, with automatic rollback by routing', () => {
    const p = plain(byName('ECSCanary10Percent5Minutes'));
    expect(p.stages[0]!.checks).toEqual([
      {
        name: 'api-5xx',
        metric: 'error_rate',
        judge: { kind: 'threshold', max: 0.02 },
        compare: 'absolute',
        scope: 'all',
        interval: '5m',
        window: 'interval',
        failureLimit: 0,
        minSample: 0,
        onMissingData: 'fail',
        dryRun: false,
        background: true,
      },
    ]);
    expect(p.stages[1]!.checks).toEqual([]);
    expect(p.rollback).toEqual({ minutesPerBatch: '10s', maxBatchShare: 1 });
  });

  it('an unknown name suggests the nearest', () => {
    expect(message(() => byName('ECSCanary10Percent5Minute'))).toMatch(
      /^unknown CodeDeploy configuration "ECSCanary10Percent5Minute"; did you mean ECSCanary10Percent5Minutes\? \(predefined: /,
    );
  });
});

describe('importCodeDeploy: configuration files and alarms', () => {
  it('get-deployment-config output with a describe-alarms file (metric math and a percentile alarm)', async () => {
    const r = importCodeDeploy(
      { kind: 'file', source: fixture('codedeploy/canary-config.json') },
      { alarms: fixture('codedeploy/alarms.json') },
    );
    await expectLoads(r);
    const p = plain(r);
    expect(p.stages.map((s) => [s.name, s.target.share, s.bake])).toEqual([
      ['canary-15pct', 0.15, '10m'],
      ['full', 1, '0m'],
    ]);
    const [rate, p99] = p.stages[0]!.checks;
    // 100 * errors / requests > 1 (percent) → error_rate ≤ 0.01; 2 of the last 3 datapoints →
    // failureLimit 1 counted over a failureWindow of 3.
    expect(rate).toMatchObject({
      metric: 'error_rate',
      judge: { max: 0.01 },
      failureLimit: 1,
      failureWindow: 3,
      onMissingData: 'pass',
    });
    // TargetResponseTime is in seconds: p99 ≥ 0.8 s alarms → latency_p99 ≤ 800 ms; 5 of 5.
    expect(p99).toMatchObject({
      metric: 'latency_p99',
      judge: { max: 800 },
      failureLimit: 4,
      failureWindow: 5,
      onMissingData: 'pass',
    });
    // M of N is CloudWatch's own window now: nothing approximated.
    expect(r.gaps.filter((g) => g.kind === 'approximated')).toEqual([]);
  });

  it('says where missing data makes M of N approximate (CloudWatch looks further back)', async () => {
    const r = importCodeDeploy(
      { kind: 'file', source: fixture('codedeploy/canary-config.json') },
      { alarms: fixture('codedeploy/alarms-missing-data.json') },
    );
    await expectLoads(r);
    expect(plain(r).stages[0]!.checks[0]).toMatchObject({ failureLimit: 2, failureWindow: 5 });
    expect(r.gaps.filter((g) => g.kind === 'approximated').map((g) => g.path)).toEqual([
      'MetricAlarms[0].DatapointsToAlarm',
    ]);
  });

  it('a CloudFormation resource (PascalCase) with linear routing', async () => {
    const r = importCodeDeploy({
      kind: 'file',
      source: fixture('codedeploy/linear-cloudformation.yaml'),
    });
    await expectLoads(r);
    expect(plain(r).stages.map((s) => [s.target.share, s.bake])).toEqual([
      [0.3, '2m'],
      [0.6, '2m'],
      [0.9, '2m'],
      [1, '0m'],
    ]);
    expect(r.warnings).toEqual([
      'no --alarms given: CodeDeploy rolls back only on a failed deployment, which gatesim does not model; the policy has no checks',
    ]);
  });

  it('HOST_COUNT reads --hosts; zonal configuration is listed', async () => {
    const r = importCodeDeploy(
      { kind: 'file', source: fixture('codedeploy/server-host-count.json') },
      { hosts: 12 },
    );
    await expectLoads(r);
    expect(plain(r).maxBatchShare).toBe(0.75);
    expect(r.gaps.map((g) => `${g.kind} ${g.path}`)).toEqual([
      'not-modelled zonalConfig',
      'approximated minimumHealthyHosts',
    ]);
  });

  it('--map NAME=none drops an alarm', () => {
    const r = importCodeDeploy(
      { kind: 'name', name: 'ECSAllAtOnce' },
      { alarms: fixture('codedeploy/alarms.json'), map: ['checkout-p99=none'] },
    );
    expect(plain(r).stages[0]!.checks.map((c) => c.name)).toEqual(['checkout-5xx-rate']);
  });

  it('errors name the file and path', () => {
    expect(
      message(() =>
        importCodeDeploy({ kind: 'file', source: fixture('codedeploy/invalid-config.json') }),
      ),
    ).toMatchInlineSnapshot(
      `"codedeploy/invalid-config.json: trafficRoutingConfig.timeBasedCanary.canaryPercentage: expected a percentage in [1, 99], got 150"`,
    );
    expect(
      message(() =>
        importCodeDeploy(
          { kind: 'name', name: 'ECSAllAtOnce' },
          { alarms: fixture('codedeploy/invalid-count-alarm.json') },
        ),
      ),
    ).toMatchInlineSnapshot(
      `"codedeploy/invalid-count-alarm.json: [0].Statistic: Statistic Sum makes 10 a count of HTTPCode_Target_5XX_Count, but error_rate is a rate; alarm on a rate (Average of a 0/1 metric such as API Gateway 5XXError, or metric math errors/requests), or pass --map 'elb-5xx-count=error_rate:ratio' if the value is already a rate"`,
    );
    expect(
      message(() =>
        importCodeDeploy(
          { kind: 'name', name: 'ECSAllAtOnce' },
          {
            alarms: {
              name: 'a.json',
              text: '[{"AlarmName": "x", "MetricName": "Latency", "Threshold": 1, "ComparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold"}]',
            },
          },
        ),
      ),
    ).toMatchInlineSnapshot(
      `"a.json: [0].ComparisonOperator: LessThanLowerOrGreaterThanUpperThreshold compares with an anomaly-detection band, which cannot be simulated; use a static threshold"`,
    );
  });
});

describe('importCodeDeploy: alarm names', () => {
  it('an alarm name with spaces and symbols becomes a valid check name, so the policy loads', async () => {
    const r = importCodeDeploy(
      { kind: 'name', name: 'ECSCanary10Percent5Minutes' },
      {
        alarms: {
          name: 'a.json',
          text: '[{"AlarmName": "Checkout 5xx > 1%", "MetricName": "5xx-rate", "Statistic": "Average", "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold", "Unit": "Percent"}]',
        },
      },
    );
    await expectLoads(r);
    const check = plain(r).stages[0]!.checks[0]!;
    expect(check.name).toBe('Checkout-5xx-1');
    expect(r.text).toContain(
      'name: Checkout-5xx-1 # AlarmName (renamed: from "Checkout 5xx > 1%": a check name is letters, digits, -, _ and .)',
    );
  });
});
