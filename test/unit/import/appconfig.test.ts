import { describe, expect, it } from 'vitest';
import { GatesimError } from '../../../src/errors.js';
import {
  APPCONFIG_PREDEFINED,
  appConfigSteps,
  importAppConfig,
} from '../../../src/import/index.js';
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

const alarms = () => fixture('codedeploy/alarms-list.json');

describe('appConfigSteps', () => {
  it('linear adds G each step; exponential is G × 2^N; both stop at 100%', () => {
    expect(appConfigSteps('LINEAR', 20)).toEqual([20, 40, 60, 80, 100]);
    expect(appConfigSteps('LINEAR', 30)).toEqual([30, 60, 90, 100]);
    expect(appConfigSteps('EXPONENTIAL', 10)).toEqual([10, 20, 40, 80, 100]);
    expect(appConfigSteps('EXPONENTIAL', 1)).toEqual([1, 2, 4, 8, 16, 32, 64, 100]);
    expect(appConfigSteps('LINEAR', 100)).toEqual([100]);
  });
});

describe('importAppConfig: predefined strategies', () => {
  it.each(Object.keys(APPCONFIG_PREDEFINED))('%s imports and loads', async (name) => {
    const r = importAppConfig({ kind: 'name', name: `AppConfig.${name}` }, { alarms: alarms() });
    await expectLoads(r, `${name}.yaml`);
    expect(plain(importAppConfig({ kind: 'name', name }, { alarms: alarms() }))).toEqual(plain(r));
  });

  it('the documented numbers: duration spread over the steps, final bake as the watch', () => {
    const s = (name: string) => {
      const p = plain(importAppConfig({ kind: 'name', name }, { alarms: alarms() }));
      return { stages: p.stages.map((x) => [x.target.share, x.bake]), watch: p.watch?.duration };
    };
    expect(s('Linear20PercentEvery6Minutes')).toEqual({
      stages: [
        [0.2, '6m'],
        [0.4, '6m'],
        [0.6, '6m'],
        [0.8, '6m'],
        [1, '6m'],
      ],
      watch: '30m',
    });
    expect(s('Canary10Percent20Minutes')).toEqual({
      stages: [
        [0.1, '4m'],
        [0.2, '4m'],
        [0.4, '4m'],
        [0.8, '4m'],
        [1, '4m'],
      ],
      watch: '10m',
    });
    expect(s('AllAtOnce')).toEqual({ stages: [[1, '0m']], watch: '10m' });
    expect(s('Linear50PercentEvery30Seconds')).toEqual({
      stages: [
        [0.5, '30s'],
        [1, '30s'],
      ],
      watch: '1m',
    });
  });

  it('alarms are watched through the deployment and the final bake', () => {
    const p = plain(
      importAppConfig(
        { kind: 'name', name: 'AppConfig.Canary10Percent20Minutes' },
        { alarms: alarms() },
      ),
    );
    expect(p.stages[0]!.checks[0]).toMatchObject({
      name: 'api-5xx',
      background: true,
      judge: { max: 0.02 },
    });
    expect(p.watch!.checks[0]).toMatchObject({
      name: 'api-5xx',
      background: false,
      onMissingData: 'fail',
    });
  });
});

describe('importAppConfig: strategy files', () => {
  it('get-deployment-strategy output', async () => {
    const r = importAppConfig({ kind: 'file', source: fixture('appconfig/strategy.json') });
    await expectLoads(r);
    const p = plain(r);
    expect(p.stages.map((x) => x.target.share)).toEqual([0.05, 0.1, 0.2, 0.4, 0.8, 1]);
    expect(p.stages.every((x) => x.bake === '10m')).toBe(true);
    expect(p.watch?.duration).toBe('20m');
  });

  it('a CloudFormation resource; no final bake means no watch', async () => {
    const r = importAppConfig({
      kind: 'file',
      source: fixture('appconfig/strategy-cloudformation.yaml'),
    });
    await expectLoads(r);
    const p = plain(r);
    expect(p.stages.map((x) => [x.target.share, x.bake])).toEqual([
      [0.25, '10m'],
      [0.5, '10m'],
      [0.75, '10m'],
      [1, '10m'],
    ]);
    expect(p.watch).toBeUndefined();
  });

  it('errors name the file and field', () => {
    expect(
      message(() =>
        importAppConfig({ kind: 'file', source: fixture('appconfig/invalid-growth.json') }),
      ),
    ).toMatchInlineSnapshot(
      `"appconfig/invalid-growth.json: GrowthFactor: expected a growth factor in [1, 100], got 0.5"`,
    );
    expect(
      message(() =>
        importAppConfig({ kind: 'file', source: fixture('appconfig/invalid-duration.json') }),
      ),
    ).toMatchInlineSnapshot(
      `"appconfig/invalid-duration.json: DeploymentDurationInMinutes: expected a whole number in [0, 1440], got 2000"`,
    );
    expect(
      message(() => importAppConfig({ kind: 'name', name: 'Linear20PercentEvery5Minutes' })),
    ).toMatch(/did you mean Linear20PercentEvery6Minutes\?/);
  });
});

describe('importAppConfig: alarm names', () => {
  it('an alarm name with spaces becomes a valid check name in the stages and the watch', async () => {
    const r = importAppConfig(
      { kind: 'name', name: 'AppConfig.Canary10Percent20Minutes' },
      {
        alarms: {
          name: 'a.json',
          text: '[{"AlarmName": "API 5xx rate", "MetricName": "5XXError", "Statistic": "Average", "Threshold": 0.02, "ComparisonOperator": "GreaterThanThreshold"}]',
        },
      },
    );
    await expectLoads(r);
    const p = plain(r);
    expect(p.stages[0]!.checks[0]!.name).toBe('API-5xx-rate');
    expect(p.watch!.checks[0]!.name).toBe('API-5xx-rate');
  });
});
