/** The scenario's `people:` section: working hours for desk work, defaulting to the schedule's. */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/config/index.js';
import { ValidationError } from '../../../src/errors.js';
import { testRegistries } from './registry-doubles.js';

const opts = { registries: testRegistries };
const FLEET = `
fleet:
  regions:
    - { name: us-east, trafficShare: 1, hosts: 10, utcOffsetHours: -5 }
`;

describe('people: working hours', () => {
  it('default to the hours builds start in (schedule)', () => {
    const s = parseScenario(
      `${FLEET}schedule: { days: [mon, tue, wed, thu], fromHour: 8, toHour: 16 }\n`,
      'x.yaml',
      opts,
    );
    expect(s.people.workingHours).toEqual([
      { days: ['mon', 'tue', 'wed', 'thu'], fromHour: 8, toHour: 16 },
    ]);
  });

  it('are 09:00–17:00 Monday to Friday with no schedule either', () => {
    const s = parseScenario(FLEET, 'x.yaml', opts);
    expect(s.people.workingHours).toEqual([
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], fromHour: 9, toHour: 17 },
    ]);
  });

  it('may be set on their own, field by field', () => {
    const s = parseScenario(
      `${FLEET}people: { days: [mon, tue, wed, thu, fri, sat], toHour: 18.5 }\n`,
      'x.yaml',
      opts,
    );
    expect(s.people.workingHours).toEqual([
      { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], fromHour: 9, toHour: 18.5 },
    ]);
  });

  it('alwaysAtWork turns the human clock off', () => {
    const s = parseScenario(`${FLEET}people: { alwaysAtWork: true }\n`, 'x.yaml', opts);
    expect(s.people.workingHours).toEqual([]);
  });

  it('rejects hours that close before they open, naming the file and the path', () => {
    expect(() => parseScenario(`${FLEET}people: { fromHour: 18 }\n`, 'x.yaml', opts)).toThrow(
      ValidationError,
    );
    expect(() => parseScenario(`${FLEET}people: { fromHour: 18 }\n`, 'x.yaml', opts)).toThrow(
      /x\.yaml: people\.fromHour: expected people's toHour > fromHour \(18\), got 17/,
    );
    expect(() => parseScenario(`${FLEET}people: { shift: night }\n`, 'x.yaml', opts)).toThrow(
      /people.*unknown key/,
    );
  });
});
