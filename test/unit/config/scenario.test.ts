import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Registries } from '../../../src/config/index.js';
import { parseScenario, SCENARIO_DEFAULTS } from '../../../src/config/index.js';
import { ValidationError } from '../../../src/errors.js';
import type { FaultModel } from '../../../src/world/faults/types.js';
import { emptyRegistries, testRegistries } from './registry-doubles.js';

const opts = { registries: testRegistries };

const FLEET = `
fleet:
  regions:
    - { name: us-east, trafficShare: 0.6, hosts: 10, utcOffsetHours: -5 }
    - { name: eu-west, trafficShare: 0.4, hosts: 6 }
`;

/** The issues a text raises, as the CLI prints them. */
function issuesOf(
  text: string,
  registries: Registries = testRegistries,
  file = 'scenarios/x.yaml',
): string {
  try {
    parseScenario(text, file, { registries });
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('parseScenario: defaults', () => {
  it('fills every default from one place', () => {
    const s = parseScenario(FLEET, 'scenarios/tiny.yaml', opts);
    expect(s.name).toBe('tiny');
    expect(s.baseDir.endsWith('scenarios')).toBe(true);
    expect(s.description).toBe('');
    expect(s.traffic).toEqual(SCENARIO_DEFAULTS.traffic);
    expect(s.service).toEqual(SCENARIO_DEFAULTS.service);
    expect(s.noise).toEqual(SCENARIO_DEFAULTS.noise);
    expect(s.staging).toEqual(SCENARIO_DEFAULTS.staging);
    expect(s.dataRows).toBe(50_000_000);
    expect(s.deploy).toEqual({ minutesPerBatch: 3 });
    // The schedule's region defaults to the first region of the fleet.
    expect(s.schedule).toEqual({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      fromHour: 9,
      toHour: 17,
      region: 'us-east',
    });
    expect(s.builds).toEqual({ badShare: 0, bad: [], benign: [] });
    expect(s.confounders).toEqual([]);
    expect(s.impactBar).toEqual(SCENARIO_DEFAULTS.impactBar);
    expect(s.horizon).toBe(1440);
    expect(s.metricInterval).toBe(1);
    expect(s.fleet.regions[1]).toEqual({
      name: 'eu-west',
      trafficShare: 0.4,
      hosts: 6,
      utcOffsetHours: 0,
    });
  });

  it('keeps nested defaults when a section is partly given', () => {
    const s = parseScenario(`${FLEET}service: { latency: { medianMs: 120 } }\n`, 'x.yaml', opts);
    expect(s.service.latency).toEqual({
      medianMs: 120,
      sigma: 0.5,
      sloMs: 500,
      loadSensitivity: 0.3,
    });
    expect(s.service.errorRate).toBe(0.002);
  });

  it('reads durations in every unit', () => {
    const s = parseScenario(
      `${FLEET}horizon: 1d\nmetricInterval: 30s\ndeploy: { minutesPerBatch: 1h30m }\n`,
      'x.yaml',
      opts,
    );
    expect(s.horizon).toBe(1440);
    expect(s.metricInterval).toBe(0.5);
    expect(s.deploy.minutesPerBatch).toBe(90);
  });
});

describe('parseScenario: faults and confounders', () => {
  const builds = (faults: string) =>
    `${FLEET}builds:\n  badShare: 0.5\n  bad:\n    - name: b\n      faults: [${faults}]\n`;

  it('stores raw params, ranges kept, duration corners in minutes', () => {
    const s = parseScenario(
      builds(
        '{ kind: test-leak, bytesPerRequest: { min: 1000, max: 9000, log: true }, onsetDelay: { min: 0, max: 1h } }',
      ),
      'x.yaml',
      opts,
    );
    expect(s.builds.bad[0]!.faults[0]).toEqual({
      kind: 'test-leak',
      params: {
        bytesPerRequest: { min: 1000, max: 9000, log: true },
        onsetDelay: { min: 0, max: 60 },
      },
    });
    expect(s.builds.bad[0]!.weight).toBe(1);
  });

  it('validates both corners of a range and names the corner', () => {
    expect(
      issuesOf(builds('{ kind: test-leak, bytesPerRequest: { min: -5, max: 9000 } }')),
    ).toMatchInlineSnapshot(
      `"scenarios/x.yaml: builds.bad[0].faults[0].bytesPerRequest.min: expected a number > 0, got -5"`,
    );
    expect(
      issuesOf(
        builds('{ kind: test-leak, bytesPerRequest: 1, gcThreshold: { min: 0.5, max: 1.5 } }'),
      ),
    ).toMatchInlineSnapshot(
      `"scenarios/x.yaml: builds.bad[0].faults[0].gcThreshold.max: expected a number < 1, got 1.5"`,
    );
  });

  it('rejects malformed ranges', () => {
    expect(issuesOf(builds('{ kind: test-leak, bytesPerRequest: { min: 9, max: 3, step: 1 } }')))
      .toMatchInlineSnapshot(`
      "scenarios/x.yaml: builds.bad[0].faults[0].bytesPerRequest.step: unknown key \`step\` (known keys: \`min\`, \`max\` or \`log\`)
      scenarios/x.yaml: builds.bad[0].faults[0].bytesPerRequest.max: expected max ≥ min (9), got 3"
    `);
    expect(
      issuesOf(builds('{ kind: test-leak, bytesPerRequest: { min: 0, max: 3, log: true } }')),
    ).toContain('bytesPerRequest.min: expected min > 0 for a log-uniform range, got 0');
    expect(issuesOf(builds('{ kind: test-leak, bytesPerRequest: { min: x, max: 3 } }'))).toContain(
      'bytesPerRequest.min: expected a number (or a duration such as 10m) for a range end, got "x"',
    );
  });

  it('names unknown kinds with the known ones and a suggestion', () => {
    expect(issuesOf(builds('{ kind: test-leek, bytesPerRequest: 3 }'))).toMatchInlineSnapshot(
      `"scenarios/x.yaml: builds.bad[0].faults[0].kind: unknown fault kind "test-leek"; did you mean \`test-leak\`? (known kinds: \`test-error\` or \`test-leak\`)"`,
    );
    expect(issuesOf(builds('{ kind: test-leak, bytesPerRequest: 3 }'), emptyRegistries)).toContain(
      'unknown fault kind "test-leak" (no fault kinds are registered)',
    );
    expect(issuesOf(builds('{ bytesPerRequest: 3 }'))).toContain(
      'builds.bad[0].faults[0].kind: required: expected a fault kind (known kinds: `test-error` or `test-leak`)',
    );
    // Names on Object.prototype are not kinds.
    expect(issuesOf(builds('{ kind: toString }'))).toContain('unknown fault kind "toString"');
  });

  it('catches unknown params even when the plugin schema would strip them', () => {
    expect(issuesOf(builds('{ kind: test-error, add: 0.1, multiplyy: 2 }'))).toMatchInlineSnapshot(
      `"scenarios/x.yaml: builds.bad[0].faults[0].multiplyy: unknown key \`multiplyy\` (known keys: \`kind\`, \`add\` or \`userShare\`)"`,
    );
    expect(
      issuesOf(builds('{ kind: test-leak, bytesPerRequest: 3, regoins: [eu-west] }')),
    ).toContain('faults[0].regoins: unknown key `regoins`; did you mean `regions`?');
  });

  it('reports a factory that rejects its parameters', () => {
    expect(issuesOf(builds('{ kind: test-error, add: 0.9 }'))).toMatchInlineSnapshot(
      `"scenarios/x.yaml: builds.bad[0].faults[0]: fault \`test-error\` rejects these parameters: add: above 0.5 makes no sense for a test"`,
    );
  });

  it('checks region names in params against the fleet', () => {
    expect(
      issuesOf(builds('{ kind: test-leak, bytesPerRequest: 3, regions: [eu-west, eu-wst] }')),
    ).toMatchInlineSnapshot(
      `"scenarios/x.yaml: builds.bad[0].faults[0].regions[1]: unknown region "eu-wst"; did you mean \`eu-west\`? (fleet regions: \`us-east\` or \`eu-west\`)"`,
    );
  });

  it('splits confounder spec keys from params', () => {
    const s = parseScenario(
      `${FLEET}confounders:\n  - { kind: test-incident, ratePerDay: 2, region: eu-west, duration: 45m }\n  - { kind: test-incident, pinned: { at: { min: 0, max: 1h } } }\n`,
      'x.yaml',
      opts,
    );
    expect(s.confounders).toEqual([
      {
        kind: 'test-incident',
        ratePerDay: 2,
        pinned: undefined,
        params: { region: 'eu-west', duration: '45m' },
      },
      {
        kind: 'test-incident',
        ratePerDay: 0,
        pinned: { probability: 1, at: { min: 0, max: 60 } },
        params: {},
      },
    ]);
  });

  it('rejects confounders that never happen and bad pinned times', () => {
    expect(issuesOf(`${FLEET}confounders: [ { kind: test-incident } ]\n`)).toMatchInlineSnapshot(
      `"scenarios/x.yaml: confounders[0]: this confounder never happens: give it a ratePerDay > 0 or a pinned occurrence"`,
    );
    expect(
      issuesOf(
        `${FLEET}confounders: [ { kind: test-incident, pinned: { probability: 2, at: soon } } ]\n`,
      ),
    ).toMatchInlineSnapshot(`
      "scenarios/x.yaml: confounders[0].pinned.probability: expected a probability in [0, 1], got 2
      scenarios/x.yaml: confounders[0].pinned.at: expected a duration such as 30s, 10m, 2h or a number of minutes ≥ 0, got "soon""
    `);
  });
});

describe('parseScenario: cross-field checks', () => {
  it('requires traffic shares that sum to 1', () => {
    const text = `fleet:\n  regions:\n    - { name: a, trafficShare: 0.6, hosts: 1 }\n    - { name: b, trafficShare: 0.3, hosts: 1 }\n`;
    expect(issuesOf(text)).toMatchInlineSnapshot(
      `"scenarios/x.yaml: fleet.regions: expected trafficShare values that sum to 1, got 0.9 (a 0.6 + b 0.3)"`,
    );
  });

  it('accepts shares within 1e-6 of 1', () => {
    const text = `fleet:\n  regions:\n    - { name: a, trafficShare: 0.3333333, hosts: 1 }\n    - { name: b, trafficShare: 0.6666666, hosts: 1 }\n`;
    expect(parseScenario(text, 'x.yaml', opts).fleet.regions).toHaveLength(2);
  });

  it('checks names, hours, memory and the bad mix', () => {
    const text = `fleet:
  regions:
    - { name: a, trafficShare: 0.5, hosts: 1 }
    - { name: a, trafficShare: 0.5, hosts: 1 }
schedule: { region: b, fromHour: 17, toHour: 9 }
service: { memory: { baseMB: 900, limitMB: 800 } }
builds: { badShare: 0.2 }
`;
    expect(issuesOf(text)).toMatchInlineSnapshot(`
      "scenarios/x.yaml: fleet.regions[1].name: region name \`a\` is already used by entry 0
      scenarios/x.yaml: schedule.region: unknown region "b" (fleet regions: \`a\` or \`a\`)
      scenarios/x.yaml: schedule.toHour: expected toHour > fromHour (17), got 9
      scenarios/x.yaml: service.memory.limitMB: expected limitMB > baseMB (900), got 800
      scenarios/x.yaml: builds.bad: badShare is 0.2 but no bad build templates are listed"
    `);
  });

  it('reserves the template name `good`', () => {
    expect(
      issuesOf(
        `${FLEET}builds: { bad: [ { name: good, faults: [ { kind: test-leak, bytesPerRequest: 1 } ] } ] }\n`,
      ),
    ).toContain('builds.bad[0].name: `good` is reserved');
  });
});

describe('parseScenario: field errors', () => {
  it('says what was expected and what was found, with paths', () => {
    const text = `${FLEET}traffic: { diurnalAmplitude: 0.7, peakHourLocal: noon }
staging: { hosts: 1.5 }
schedule: { days: [mon, satu] }
horizon: two
metricInterval: 0
`;
    expect(issuesOf(text)).toMatchInlineSnapshot(`
      "scenarios/x.yaml: traffic.diurnalAmplitude: expected a number in [0, 0.5], got 0.7
      scenarios/x.yaml: traffic.peakHourLocal: expected an hour in [0, 24], got "noon"
      scenarios/x.yaml: staging.hosts: expected a whole number in [1, 100000], got 1.5
      scenarios/x.yaml: schedule.days[1]: expected one of \`mon\`, \`tue\`, \`wed\`, \`thu\`, \`fri\`, \`sat\` or \`sun\`, got "satu"; did you mean \`sat\`?
      scenarios/x.yaml: horizon: expected a duration > 0 such as 30s, 10m, 2h or a number of minutes, got "two"
      scenarios/x.yaml: metricInterval: expected a duration > 0 such as 30s, 10m, 2h or a number of minutes, got 0"
    `);
  });

  it('names unknown keys with a suggestion', () => {
    expect(issuesOf(`${FLEET}trafic: {}\nservice: { errorRat: 0.1 }\n`)).toMatchInlineSnapshot(`
      "scenarios/x.yaml: service.errorRat: unknown key \`errorRat\`; did you mean \`errorRate\`?
      scenarios/x.yaml: trafic: unknown key \`trafic\`; did you mean \`traffic\`?"
    `);
  });

  it('reports missing required fields', () => {
    expect(issuesOf('description: nothing else\n')).toMatchInlineSnapshot(
      `"scenarios/x.yaml: fleet: required: expected a mapping"`,
    );
    expect(issuesOf('fleet: { regions: [ { name: a, hosts: 2 } ] }\n')).toMatchInlineSnapshot(
      `"scenarios/x.yaml: fleet.regions[0].trafficShare: required: expected a share in (0, 1]"`,
    );
  });

  it('reports a document that is not a mapping', () => {
    expect(issuesOf('')).toMatchInlineSnapshot(
      `"scenarios/x.yaml: (root): expected a mapping, got null (an empty value)"`,
    );
    expect(issuesOf('- a\n- b\n')).toMatchInlineSnapshot(
      `"scenarios/x.yaml: (root): expected a mapping, got a list of 2 items"`,
    );
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(issuesOf('fleet:\n  regions: [\n    { name: a }\n')).toMatch(
      /^scenarios\/x\.yaml: \d+:\d+: YAML syntax error: /,
    );
    expect(issuesOf('a: 1\na: 2\n')).toMatchInlineSnapshot(
      `"scenarios/x.yaml: 2:1: YAML syntax error: Map keys must be unique"`,
    );
  });
});

describe('registries are read when parsing, not when importing', () => {
  it('sees a fault registered after the first parse', () => {
    const faults: Record<string, FaultModel> = {};
    const regs: Registries = { faults, confounders: {}, judges: {} };
    const text = `${FLEET}builds: { benign: [ { kind: late, x: 1 } ] }\n`;
    expect(issuesOf(text, regs)).toContain('unknown fault kind "late"');
    faults.late = {
      ...testRegistries.faults['test-leak']!,
      kind: 'late',
      params: z.strictObject({ x: z.number() }),
    };
    expect(parseScenario(text, 'x.yaml', { registries: regs }).builds.benign).toEqual([
      { kind: 'late', params: { x: 1 } },
    ]);
  });
});
