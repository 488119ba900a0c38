/**
 * Everything the loaders accept must run; what cannot run is rejected at load with the file,
 * the path and the limit. Each case here is a value that used to validate and then crash or
 * exhaust the simulator (a RangeError, V8 out of memory, minutes per trial); the limits come
 * from src/util/limits.ts and are documented in docs/formats.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkPolicyAgainstScenario,
  loadPolicy,
  loadScenario,
  parsePolicy,
  parseScenario,
} from '../../../src/config/index.js';
import { GatesimError, ValidationError } from '../../../src/errors.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import * as LIMITS from '../../../src/util/limits.js';
import { inWindows, nextWindowStart } from '../../../src/world/calendar.js';

const root = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'gatesim-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLEET = `
fleet:
  regions:
    - { name: us-east, trafficShare: 0.6, hosts: 10 }
    - { name: eu-west, trafficShare: 0.4, hosts: 6 }
`;
const SHIP = `
stages:
  - { name: all, target: { kind: fleet, share: 1 } }
`;

/** The message a scenario text is rejected with (fails the test if it loads). */
function scenarioError(text: string, file = 'scenarios/x.yaml'): string {
  try {
    parseScenario(text, file);
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
  throw new Error(`expected ${file} to be rejected`);
}

function policyError(text: string, file = 'policies/x.yaml'): string {
  try {
    parsePolicy(text, file);
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
  throw new Error(`expected ${file} to be rejected`);
}

/** The issues of running a policy on a scenario, as the CLI prints them for the policy file. */
function pairError(scenario: string, policy: string): string {
  const s = parseScenario(scenario, 'scenarios/x.yaml');
  const p = parsePolicy(policy, 'policies/p.yaml');
  const issues = checkPolicyAgainstScenario(p, s);
  if (issues.length === 0) throw new Error('expected the pair to be rejected');
  return new ValidationError('policies/p.yaml', issues).message;
}

/** Runs one trial of a pair that the loaders accept. */
function trial(scenario: string, policy: string, trialIndex = 0) {
  const s = parseScenario(scenario, 'scenarios/x.yaml');
  const p = parsePolicy(policy, 'policies/p.yaml');
  expect(checkPolicyAgainstScenario(p, s)).toEqual([]);
  return runTrial({ scenario: s, policy: p, seed: 1, trial: trialIndex }).outcome;
}

describe('the 14-day trial limit', () => {
  const bake = (d: string) => `
stages:
  - { name: one, target: { kind: region, region: us-east }, bake: ${d} }
  - { name: all, target: { kind: fleet, share: 1 } }
`;

  it('a 15-day bake, which crashed the trial with a RangeError, is rejected with its path and the limit', () => {
    expect(policyError(bake('15d'))).toMatchInlineSnapshot(
      `"policies/x.yaml: stages[0].bake: expected a duration ≤ 14d (gatesim's limit, see Limits in docs/formats.md), got "15d""`,
    );
  });

  it('a watch longer than 14 days is rejected', () => {
    expect(policyError(`${SHIP}watch: { duration: 20d }\n`)).toContain(
      'policies/x.yaml: watch.duration: expected a duration ≤ 14d',
    );
  });

  it('bakes and a watch that add up to more than 14 days are rejected at the step that crosses it', () => {
    const text = `
stages:
  - { name: one, target: { kind: region, region: us-east }, bake: 6d }
  - { name: two, target: { kind: fleet, share: 0.5 }, bake: 6d }
  - { name: all, target: { kind: fleet, share: 1 } }
watch: { duration: 3d }
`;
    expect(policyError(text)).toMatchInlineSnapshot(
      `"policies/x.yaml: watch.duration: the policy's own schedule takes 15d (bakes 12d, watch 3d), over the 14d a trial may run (gatesim's limit, see Limits in docs/formats.md)"`,
    );
  });

  it('counted checks and fixed approval delays count towards the schedule', () => {
    const text = `
stages:
  - name: one
    target: { kind: region, region: us-east }
    approval: { kind: manual, delay: { kind: fixed, minutes: 8d } }
    checks:
      - { name: c, metric: error_rate, judge: { kind: threshold, max: 0.5 }, interval: 1d, count: 7 }
  - { name: all, target: { kind: fleet, share: 1 } }
`;
    expect(policyError(text)).toContain(
      "policies/x.yaml: stages[0].approval: the policy's own schedule takes 15d (counted checks 7d, approvals 8d)",
    );
  });

  it('deploy windows count with their longest wait', () => {
    const text = `
stages:
  - name: one
    target: { kind: region, region: us-east }
    bake: 8d
    deployWindows: [{ days: [mon], fromHour: 9, toHour: 10 }]
  - { name: all, target: { kind: fleet, share: 1 } }
`;
    expect(policyError(text)).toContain(
      "policies/x.yaml: stages[0].bake: the policy's own schedule takes 14d23h (deploy windows 6d23h, bakes 8d)",
    );
  });

  it('deploying batch by batch counts too, against the scenario', () => {
    const scenario = `
fleet: { regions: [ { name: us-east, trafficShare: 1, hosts: 90 } ] }
deploy: { minutesPerBatch: 1d }
`;
    expect(pairError(scenario, `maxBatchShare: 0.02\n${SHIP}`)).toContain(
      'policies/p.yaml: stages[0].target: on scenario `x` the schedule takes 45d5m (deploy batches 45d, rollback 5m)',
    );
  });

  it('the longest schedule accepted runs a trial to its end', () => {
    const outcome = trial(FLEET, bake('13d'));
    expect(outcome.final).toBe('shipped');
    expect(outcome.shippedAt).toBeGreaterThan(13 * 1440);
  });
});

describe('scale', () => {
  const hosts = (n: number) =>
    `fleet: { regions: [ { name: a, trafficShare: 1, hosts: ${n} } ] }\n`;

  it('host counts have a ceiling: 1e9 hosts needed 7.9 GB for one trial and 2^32 crashed', () => {
    expect(scenarioError(hosts(1e9))).toMatchInlineSnapshot(
      `"scenarios/x.yaml: fleet.regions[0].hosts: expected a whole number in [1, 100000] (gatesim's limit, see Limits in docs/formats.md), got 1000000000"`,
    );
    expect(scenarioError(hosts(2 ** 32))).toContain('fleet.regions[0].hosts');
    expect(scenarioError(`${FLEET}staging: { hosts: 1000000 }\n`)).toContain('staging.hosts');
  });

  it('the fleet as a whole has a ceiling', () => {
    const regions = Array.from(
      { length: 11 },
      (_, i) => `    - { name: r${i}, trafficShare: ${i === 0 ? 0.5 : 0.05}, hosts: 100000 }`,
    ).join('\n');
    expect(scenarioError(`fleet:\n  regions:\n${regions}\n`)).toMatchInlineSnapshot(
      `"scenarios/x.yaml: fleet.regions: expected at most 1000000 hosts in the fleet (gatesim's limit, see Limits in docs/formats.md), got 1100000"`,
    );
  });

  it('confounder rates have a ceiling: ratePerDay 1e6 took minutes per trial and 3e8 ran out of memory', () => {
    const c = (rate: number) =>
      `${FLEET}confounders: [ { kind: concurrent-deploy, ratePerDay: ${rate} } ]\n`;
    expect(scenarioError(c(3e8))).toContain(
      'scenarios/x.yaml: confounders[0].ratePerDay: expected a number in [0, 1440]',
    );
    expect(scenarioError(c(1e6))).toContain('confounders[0].ratePerDay');
    const two = `${FLEET}confounders:
  - { kind: concurrent-deploy, ratePerDay: 1000 }
  - { kind: metrics-gap, ratePerDay: 1000 }
`;
    expect(scenarioError(two)).toMatchInlineSnapshot(
      `"scenarios/x.yaml: confounders: expected at most 1440 occurrences a day over all confounders (gatesim's limit, see Limits in docs/formats.md), got 2000"`,
    );
  });

  it('deploy batches have a ceiling: each is a cohort the trial follows to its end', () => {
    const scenario = `fleet: { regions: [ { name: a, trafficShare: 1, hosts: 5000 } ] }\ndeploy: { minutesPerBatch: 10s }\n`;
    expect(pairError(scenario, `maxBatchShare: 0.001\n${SHIP}`)).toContain(
      "policies/p.yaml: maxBatchShare: on scenario `x` the rollout deploys in 1000 batches, over the limit of 100 (gatesim's limit, see Limits in docs/formats.md); raise maxBatchShare",
    );
  });

  it('intervals have a floor, and the points a trial reads a ceiling', () => {
    const check = (interval: string, extra = '') => `
stages:
  - name: one
    target: { kind: region, region: us-east }
    bake: 1h
    checks: [ { name: c, metric: error_rate, judge: { kind: threshold, max: 0.5 }, interval: ${interval}${extra} } ]
  - { name: all, target: { kind: fleet, share: 1 } }
`;
    expect(policyError(check('0.000001m'))).toContain(
      'policies/x.yaml: stages[0].checks[0].interval: expected a duration ≥ 10s',
    );
    expect(scenarioError(`${FLEET}metricInterval: 1ms\n`)).toContain(
      'scenarios/x.yaml: metricInterval: expected a duration ≥ 10s',
    );
    const long = check('1m', ', window: cumulative').replace('bake: 1h', 'bake: 13d');
    expect(pairError(FLEET, long)).toMatchInlineSnapshot(
      `"policies/p.yaml: stages[0].checks[0]: on scenario \`x\` the checks' judges would read 175 million points in a trial (this check 175 million: 18720 measurements of a cumulative window), over the limit of 2 million (gatesim's limit, see Limits in docs/formats.md); measure less often, or use a shorter window"`,
    );
    const watched = Array.from(
      { length: 6 },
      (_, i) => `    - { name: c${i}, metric: error_rate, judge: { kind: threshold, max: 0.5 } }`,
    ).join('\n');
    expect(pairError(FLEET, `${SHIP}watch:\n  duration: 13d\n  checks:\n${watched}\n`)).toContain(
      'policies/p.yaml: watch.checks[0]: on scenario `x` the checks would draw 112320 points in a trial (this check 18720: 18720 measurements), over the limit of 100000',
    );
    // A perRegion check runs once per region (two here): three of them draw as much as six.
    const perRegion = watched
      .split('\n')
      .slice(0, 3)
      .map((line) => line.replace(/ }$/, ', perRegion: true }'))
      .join('\n');
    const perRegionWatch = `${SHIP}watch:\n  duration: 13d\n  checks:\n${perRegion}\n`;
    expect(pairError(FLEET, perRegionWatch)).toContain(
      'the checks would draw 112320 points in a trial (this check 37440: 37440 measurements)',
    );
    const fleetWide = parsePolicy(perRegionWatch.replace(/, perRegion: true/g, ''), 'p.yaml');
    expect(checkPolicyAgainstScenario(fleetWide, parseScenario(FLEET, 'x.yaml'))).toEqual([]);
  });

  it("a background check's cost counts the later stages' deploy windows, not its own stage's", () => {
    // Office hours on weekdays: the longest wait for a window is the weekend, about 64 hours.
    const windows =
      'deployWindows: [ { days: [mon, tue, wed, thu, fri], fromHour: 9, toHour: 17 } ]';
    const policy = (first: string, second: string) => `
stages:
  - name: one
    target: { kind: region, region: us-east, share: 0.5 }
    bake: 1h
    ${first}
    checks: [ { name: c, metric: error_rate, judge: { kind: threshold, max: 0.5 }, interval: 1m, window: cumulative, background: true } ]
  - name: all
    target: { kind: fleet, share: 1 }
    ${second}
`;
    // The check starts once its stage is deployed, after the wait: it runs about an hour.
    const s = parseScenario(FLEET, 'scenarios/x.yaml');
    expect(
      checkPolicyAgainstScenario(parsePolicy(policy(windows, ''), 'policies/p.yaml'), s),
    ).toEqual([]);
    // A later stage's wait is spent with the check running: a weekend of minutes re-read.
    expect(pairError(FLEET, policy('', windows))).toContain(
      "policies/p.yaml: stages[0].checks[0]: on scenario `x` the checks' judges would read",
    );
  });
});

describe('absurd magnitudes', () => {
  const cases: [string, string, string][] = [
    [
      'service.latency.sigma',
      'service: { latency: { sigma: 1e300 } }',
      'expected a number in (0, 3]',
    ],
    [
      'traffic.peakRequestsPerMin',
      'traffic: { peakRequestsPerMin: 2e12 }',
      'expected a number in (0, 10000000000]',
    ],
    [
      'traffic.peakRequestsPerMin',
      'traffic: { peakRequestsPerMin: 1e300 }',
      'expected a number in (0, 10000000000]',
    ],
    ['noise.intervalLatencySd', 'noise: { intervalLatencySd: 1e6 }', 'expected a number in [0, 2]'],
    [
      'service.latency.medianMs',
      'service: { latency: { medianMs: 1e300 } }',
      'expected a number in (0, 3600000]',
    ],
    [
      'service.memory.limitMB',
      'service: { memory: { limitMB: 1e300 } }',
      'expected a number in (0, 16777216]',
    ],
    ['dataRows', 'dataRows: 1e300', 'expected a number in [0, 1000000000000]'],
    ['horizon', 'horizon: 1000w', 'expected a duration ≤ 14d'],
    [
      'builds.bad[0].faults[0].restartMinutes',
      'builds: { badShare: 1, bad: [ { name: l, faults: [ { kind: memory-leak, bytesPerRequest: 1000, restartMinutes: 1e-300 } ] } ] }',
      'expected a duration ≥ 30s',
    ],
    [
      'builds.bad[0].faults[0].bytesPerRequest',
      'builds: { badShare: 1, bad: [ { name: l, faults: [ { kind: memory-leak, bytesPerRequest: 1e300 } ] } ] }',
      'expected a number ≤ 1073741824',
    ],
    [
      'builds.bad[0].faults[0].onsetDelay',
      'builds: { badShare: 1, bad: [ { name: l, faults: [ { kind: error-rate, add: 0.1, onsetDelay: 30d } ] } ] }',
      'expected a duration ≤ 14d',
    ],
    [
      'confounders[0].multiplier',
      'confounders: [ { kind: traffic-spike, ratePerDay: 1, multiplier: 1e300 } ]',
      'expected a number ≤ 1000',
    ],
  ];
  it.each(cases)('%s: %s', (path, yaml, expected) => {
    expect(scenarioError(`${FLEET}${yaml}\n`)).toContain(`scenarios/x.yaml: ${path}: ${expected}`);
  });

  it('values at the limits run', () => {
    const scenario = `${FLEET}
traffic: { peakRequestsPerMin: 1e10, weekendFactor: 1000 }
service: { latency: { sigma: 3, medianMs: 3600000, sloMs: 3600000 }, memory: { baseMB: 1, limitMB: 16777216 } }
noise: { hostErrorSd: 2, intervalErrorSd: 2, intervalLatencySd: 2, intervalConversionSd: 2 }
dataRows: 1e12
metricInterval: 10s
horizon: 14d
builds:
  badShare: 1
  bad: [ { name: all, faults: [ { kind: latency, medianMultiplier: 1000, tailShare: 1, tailMultiplier: 1000 } ] } ]
`;
    const policy = `
stages:
  - name: one
    target: { kind: region, region: us-east }
    bake: 1h
    checks:
      - { name: p99, metric: latency_p99, judge: { kind: mann-whitney }, compare: baseline, baselineScope: fleet, interval: 10s }
  - { name: all, target: { kind: fleet, share: 1 } }
`;
    for (let i = 0; i < 3; i++) expect(trial(scenario, policy, i).final).toBeDefined();
  });
});

describe('found by the fuzzer', () => {
  it('deploy window hours are read to the minute: a window opening at 9e-8 h was waited for forever', () => {
    // truthful.yaml with its Friday window opening at 9e-8 h: the opening, read back in local
    // time, fell a rounding error before the window, so the stage waited for it again at the
    // same instant until a Set overflowed (233 s, then "Set maximum size exceeded").
    const text = readFileSync(join(root, 'policies/truthful.yaml'), 'utf8').replace(
      '{ days: [fri], fromHour: 9, toHour: 11 }',
      '{ days: [fri], fromHour: 9e-8, toHour: 11 }',
    );
    const policy = parsePolicy(text, join(root, 'policies/truthful.yaml'));
    expect(policy.stages[1]!.deployWindows[1]).toEqual({ days: ['fri'], fromHour: 0, toHour: 11 });
    const scenario = loadScenario(join(root, 'scenarios/rollback-breaker.yaml'));
    expect(checkPolicyAgainstScenario(policy, scenario)).toEqual([]);
    expect(runTrial({ scenario, policy, seed: 11, trial: 40 }).outcome.final).toBeDefined();
    // An offset between quarter hours is no time zone: an error, not a rounding.
    expect(scenarioError(FLEET.replace('hosts: 6', 'hosts: 6, utcOffsetHours: 5.3'))).toContain(
      'scenarios/x.yaml: fleet.regions[1].utcOffsetHours: expected a UTC offset in [-12, 14] in quarter hours (every time zone is), got 5.3',
    );
  });

  it('windows on whole minutes in zones on quarter hours always open when the rollout says they do', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 23 * 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: -48, max: 56 }),
        fc.double({ min: 10080, max: 30000, noNaN: true }),
        (fromMinute, length, quarters, t) => {
          // Hours as a person writes them: decimals to four places (9:01 is 9.0167).
          const from = Number((fromMinute / 60).toFixed(4));
          const to = Number((Math.min(1440, fromMinute + length) / 60).toFixed(4));
          const offset = quarters / 4;
          const scenario = parseScenario(
            `fleet: { regions: [ { name: a, trafficShare: 1, hosts: 2, utcOffsetHours: ${offset} } ] }\n`,
            'scenarios/x.yaml',
          );
          const policy = parsePolicy(
            `stages:\n  - { name: all, target: { kind: fleet, share: 1 }, deployWindows: [ { days: [mon, fri], fromHour: ${from}, toHour: ${to} } ] }\n`,
            'policies/x.yaml',
          );
          const windows = policy.stages[0]!.deployWindows;
          const zone = scenario.fleet.regions[0]!.utcOffsetHours;
          const open = nextWindowStart(t, windows, zone);
          expect(open).toBeGreaterThanOrEqual(t);
          expect(inWindows(open, windows, zone)).toBe(true);
        },
      ),
      { seed: 20_261_202, numRuns: 2000 },
    );
  });
});

describe('recorded traces', () => {
  it('a trace that exists but cannot be read as one is rejected at load, not in the trial', () => {
    const scenarios = join(dir, 'scenarios');
    mkdirSync(scenarios, { recursive: true });
    writeFileSync(join(scenarios, 'notes.csv'), 'this is not a trace\n');
    writeFileSync(join(scenarios, 'flat.csv'), 'timestamp,value\n1,0\n2,0\n');
    const file = join(scenarios, 'traced.yaml');
    writeFileSync(file, `${FLEET}traffic: { trace: { file: notes.csv } }\n`);
    expect(() => loadScenario(file)).toThrow(
      `${file}: traffic.trace.file: ${join(scenarios, 'notes.csv')}:1:1: expected a header with columns timestamp and value`,
    );
    writeFileSync(file, `${FLEET}service: { business: { trace: { file: flat.csv } } }\n`);
    expect(() => loadScenario(file)).toThrow(
      `${file}: service.business.trace.file: ${join(scenarios, 'flat.csv')}: the trace carries no load`,
    );
  });
});

describe('input size', () => {
  it('a file over 1 MiB is refused before it is read (50 MB of YAML took 3 GB to parse)', () => {
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, '');
    truncateSync(file, 50 * 1024 * 1024);
    expect(() => loadScenario(file)).toThrow(GatesimError);
    expect(() => loadPolicy(file)).toThrow(
      `${file}: the file is 50 MiB (52428800 bytes), over the 1 MiB limit for scenario and policy files (gatesim's limit, see Limits in docs/formats.md)`,
    );
  });

  it('the pure parser refuses text over 1 MiB too', () => {
    const text = `${FLEET}description: "${'x'.repeat(LIMITS.MAX_CONFIG_BYTES)}"\n`;
    expect(scenarioError(text)).toContain(
      `scenarios/x.yaml: (root): the text is ${text.length} characters, over the 1 MiB limit`,
    );
  });

  it('nesting deeper than 64 levels is refused with its line', () => {
    const deep = `${FLEET}description: ${'['.repeat(100)}${']'.repeat(100)}\n`;
    expect(scenarioError(deep)).toMatchInlineSnapshot(
      `"scenarios/x.yaml: 6:77: nesting deeper than 64 levels (gatesim's limit, see Limits in docs/formats.md)"`,
    );
    // Past what the YAML parser's own stack takes, the same message (not a stack overflow).
    const deeper = `${FLEET}description: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect(scenarioError(deeper)).toContain('nesting deeper than 64 levels');
  });

  it('aliases that expand past 100,000 values are refused at the alias that crosses it', () => {
    const bomb = [
      'x1: &a1 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]',
      ...Array.from(
        { length: 5 },
        (_, i) =>
          `x${i + 2}: &a${i + 2} [${Array(10)
            .fill(`*a${i + 1}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    expect(scenarioError(`${FLEET}${bomb}\n`)).toMatch(
      /^scenarios\/x\.yaml: 10:\d+: aliases expand this document to more than 100000 values \(gatesim's limit, see Limits in docs\/formats\.md\)$/,
    );
  });
});

describe('the limits are documented', () => {
  it('docs/formats.md lists every limit with its value', () => {
    const docs = readFileSync(join(root, 'docs/formats.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## Limits'));
    expect(section.length).toBeGreaterThan(0);
    const limits = Object.entries(LIMITS).filter(([, v]) => typeof v === 'number');
    expect(limits.length).toBeGreaterThan(20);
    for (const [name] of limits) expect(section).toContain(`\`${name}\``);
  });

  it('every built-in scenario and policy is within the limits', () => {
    // The library test loads every file and pair; here only that the limits leave room.
    for (const f of ['scenarios/big-fleet.yaml', 'policies/truthful.yaml']) {
      expect(readFileSync(join(root, f)).length).toBeLessThan(LIMITS.MAX_CONFIG_BYTES / 50);
    }
  });
});
