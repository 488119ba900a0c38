/**
 * Messages found wanting by the reliability audit: values and paths must read as they are
 * written in the file, and what the YAML parser lets through quietly (tags it does not
 * know, aliases it cannot resolve) must be an error with its line.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy, parseScenario } from '../../../src/config/index.js';
import { formatIssues, ValidationError } from '../../../src/errors.js';

const FLEET = 'fleet: { regions: [ { name: a, trafficShare: 1, hosts: 2 } ] }\n';

function scenarioError(text: string): string {
  try {
    parseScenario(text, 'scenarios/x.yaml');
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('.nan and .inf', () => {
  it('a fault or confounder duration shows .nan and .inf as written, not as null', () => {
    const fault = (v: string) =>
      `${FLEET}builds: { badShare: 1, bad: [ { name: e, faults: [ { kind: error-rate, add: 0.1, onsetDelay: ${v} } ] } ] }\n`;
    expect(scenarioError(fault('.nan'))).toMatchInlineSnapshot(
      `"scenarios/x.yaml: builds.bad[0].faults[0].onsetDelay: expected a duration such as 30s, 10m, 2h or a number of minutes ≥ 0, got .nan"`,
    );
    expect(scenarioError(fault('.inf'))).toContain('got .inf');
    expect(scenarioError(fault('-.inf'))).toContain('got -.inf');
    const confounder = `${FLEET}confounders: [ { kind: metrics-gap, ratePerDay: 1, duration: .nan } ]\n`;
    expect(scenarioError(confounder)).toContain('confounders[0].duration: expected a duration');
    expect(scenarioError(confounder)).toContain('got .nan');
  });
});

describe('paths with unusual keys', () => {
  it('an empty key is shown as [""], not as the root', () => {
    expect(scenarioError(`${FLEET}"": 3\n`)).toMatchInlineSnapshot(
      `"scenarios/x.yaml: [""]: unknown key \`\` (known keys: \`description\`, \`fleet\`, \`traffic\`, \`service\`, \`noise\`, \`staging\`, \`dataRows\`, \`deploy\`, \`schedule\`, \`people\`, \`builds\`, \`confounders\`, \`impactBar\`, \`horizon\`, \`metricInterval\`, \`scrapeInterval\` or \`stream\`)"`,
    );
    expect(scenarioError(`${FLEET}traffic: { "": 3 }\n`)).toContain(
      'scenarios/x.yaml: traffic[""]: ',
    );
  });

  it('keys that are not plain names are quoted, so the path can be read back', () => {
    expect(scenarioError(`${FLEET}traffic: { "a.b": 3, "x y": 1 }\n`)).toContain(
      'scenarios/x.yaml: traffic["a.b"]: unknown key',
    );
    expect(formatIssues('f.yaml', [{ path: '', message: 'm' }])).toBe('f.yaml: (root): m');
  });
});

describe('YAML the loaders used to accept quietly', () => {
  it.each([
    ['!foo 5', '!foo'],
    ['!!binary aGVsbG8=', '!!binary'],
    ['!!set { a, b }', '!!set'],
    ['!!omap [ { a: 1 } ]', '!!omap'],
    ['!!timestamp 2001-12-14', '!!timestamp'],
  ])('an unknown or YAML 1.1 tag is an error with its line: %s', (value, tag) => {
    expect(scenarioError(`${FLEET}description: ${value}\n`)).toBe(
      `scenarios/x.yaml: 2:14: unsupported tag ${tag} (scenario and policy files use plain YAML: mappings, lists, strings, numbers, booleans and null)`,
    );
  });

  it('core-schema tags are allowed', () => {
    const s = parseScenario(
      `${FLEET}description: !!str 5\nhorizon: !!int 60\n`,
      'scenarios/x.yaml',
    );
    expect(s.description).toBe('5');
    expect(s.horizon).toBe(60);
  });

  it('an alias to an anchor not set before it names its line', () => {
    expect(scenarioError(`${FLEET}description: *nope\n`)).toBe(
      'scenarios/x.yaml: 2:14: alias *nope has no anchor &nope before it',
    );
  });

  it('an alias inside its own anchor names its line', () => {
    const text = `${FLEET}confounders: &c [ { kind: traffic-spike, ratePerDay: 1, multiplier: *c } ]\n`;
    expect(scenarioError(text)).toBe(
      'scenarios/x.yaml: 2:69: alias *c refers to &c, which contains it (a value cannot contain itself)',
    );
  });

  it('a duplicate key names its line and the key', () => {
    expect(() => parsePolicy(`stages: []\nstages: []\n`, 'policies/x.yaml')).toThrow(
      'policies/x.yaml: 2:1: YAML syntax error: Map keys must be unique',
    );
  });
});
