import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detectKind,
  leadingComment,
  loadAny,
  loadPolicy,
  loadScenario,
  parsePolicy,
  parseYaml,
} from '../../../src/config/index.js';
import { GatesimError, ValidationError } from '../../../src/errors.js';
import { testRegistries } from './registry-doubles.js';

const opts = { registries: testRegistries };
const SCENARIO = 'fleet: { regions: [ { name: a, trafficShare: 1, hosts: 2 } ] }\n';
const POLICY = 'stages: [ { name: all, target: { kind: fleet, share: 1 } } ]\n';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatesim-config-'));
  mkdirSync(join(dir, 'scenarios'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'scenarios', 'tiny.yaml'), SCENARIO);
  writeFileSync(join(dir, 'policies', 'ship.yaml'), POLICY);
  // Content decides where it can: a policy in a folder named for neither kind.
  writeFileSync(join(dir, 'anything.yml'), POLICY);
  // Only the folder can tell what an empty-ish document is meant to be.
  writeFileSync(join(dir, 'scenarios', 'empty.yaml'), 'description: hi\n');
  writeFileSync(join(dir, 'mystery.yaml'), 'description: hi\n');
  writeFileSync(
    join(dir, 'scenarios', 'traced.yaml'),
    `${SCENARIO}traffic: { trace: { file: traces/missing.csv } }\n`,
  );
  mkdirSync(join(dir, 'scenarios', 'traces'));
  writeFileSync(join(dir, 'scenarios', 'traces', 'here.csv'), 'timestamp,value\n0,1\n60,2\n');
  writeFileSync(
    join(dir, 'scenarios', 'traced-ok.yaml'),
    `${SCENARIO}traffic: { trace: { file: traces/here.csv } }\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadAny', () => {
  it('decides by content, then by folder', () => {
    expect(loadAny(join(dir, 'scenarios', 'tiny.yaml'), opts).kind).toBe('scenario');
    expect(loadAny(join(dir, 'policies', 'ship.yaml'), opts).kind).toBe('policy');
    const any = loadAny(join(dir, 'anything.yml'), opts);
    expect(any.kind).toBe('policy');
    expect(any.config.name).toBe('anything');
    // Decided by folder, then validated as a scenario: it lacks a fleet.
    expect(() => loadAny(join(dir, 'scenarios', 'empty.yaml'), opts)).toThrow(/fleet: required/);
  });

  it('says when it cannot tell', () => {
    expect(() => loadAny(join(dir, 'mystery.yaml'), opts)).toThrow(ValidationError);
    expect(() => loadAny(join(dir, 'mystery.yaml'), opts)).toThrow(
      /cannot tell whether this is a scenario or a policy/,
    );
  });

  it('checks that a traffic trace exists next to the scenario', () => {
    expect(() => loadAny(join(dir, 'scenarios', 'traced.yaml'), opts)).toThrow(
      /traffic\.trace\.file: no such file: traces\/missing\.csv/,
    );
    expect(() => loadScenario(join(dir, 'scenarios', 'traced.yaml'), opts)).toThrow(
      ValidationError,
    );
    const s = loadScenario(join(dir, 'scenarios', 'traced-ok.yaml'), opts);
    expect(s.traffic.trace).toEqual({ file: 'traces/here.csv' });
    expect(s.baseDir).toBe(join(dir, 'scenarios'));
  });
});

describe('file errors are GatesimErrors', () => {
  it('reports a missing file', () => {
    const missing = join(dir, 'nope.yaml');
    expect(() => loadScenario(missing, opts)).toThrow(GatesimError);
    expect(() => loadPolicy(missing, opts)).toThrow(`${missing}: no such file`);
  });
  it('reports a folder given as a file', () => {
    expect(() => loadAny(dir, opts)).toThrow(/is a directory/);
  });
});

describe('loadPolicy with a scenario', () => {
  it('checks the policy against the fleet', () => {
    const scenario = loadScenario(join(dir, 'scenarios', 'tiny.yaml'), opts);
    writeFileSync(
      join(dir, 'policies', 'wrong.yaml'),
      'stages: [ { name: r, target: { kind: region, region: b } } ]\n',
    );
    expect(() => loadPolicy(join(dir, 'policies', 'wrong.yaml'), { ...opts, scenario })).toThrow(
      /stages\[0\]\.target\.region: unknown region "b"/,
    );
    // Without a scenario only the fleet-independent checks run.
    expect(loadPolicy(join(dir, 'policies', 'wrong.yaml'), opts).stages).toHaveLength(1);
  });
});

describe('parseYaml and detectKind', () => {
  it('refuses an alias bomb as an input error', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    expect(() => parseYaml(bomb, 'bomb.yaml')).toThrow(ValidationError);
  });
  it('keeps __proto__ as a plain key', () => {
    const data = parseYaml('__proto__: { polluted: 1 }\n', 'x.yaml') as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('tells kinds apart by keys', () => {
    expect(detectKind({ fleet: {} }, 'x.yaml')).toBe('scenario');
    expect(detectKind({ stages: [] }, 'x.yaml')).toBe('policy');
    expect(detectKind({ stages: [], fleet: {} }, 'x.yaml')).toBeUndefined();
    expect(detectKind({}, 'a/policies/x.yaml')).toBe('policy');
  });
});

describe('a description from the opening comment', () => {
  const body = 'stages:\n  - { name: all, target: { kind: fleet, share: 1 } }\n';

  it('is the first paragraph of the comment a file opens with, when it has no description:', () => {
    const text =
      '\n# One region first,\n#   then the rest.\n#\n# Details nobody needs in a table.\n' + body;
    expect(parsePolicy(text, 'p.yaml').description).toBe('One region first, then the rest.');
    expect(leadingComment(text)).toBe('One region first, then the rest.');
  });

  it('gives way to a description: field, and is empty when the file opens with data', () => {
    expect(parsePolicy(`# a comment\ndescription: written\n${body}`, 'p.yaml').description).toBe(
      'written',
    );
    expect(parsePolicy(`${body}# a trailing comment\n`, 'p.yaml').description).toBe('');
  });
});
