import { parsePolicy, parseScenario } from '../../src/config/index.js';
import type { PolicyConfig } from '../../src/policy/types.js';
import type { ScenarioConfig } from '../../src/world/types.js';

/** A small, quiet world: one region of 20 hosts, constant traffic, no noise, no confounders. */
export const QUIET_SCENARIO = `
description: test world
fleet:
  regions:
    - { name: main, trafficShare: 1, hosts: 20, utcOffsetHours: 0 }
traffic: { peakRequestsPerMin: 20000, diurnalAmplitude: 0, peakHourLocal: 14, weekendFactor: 1 }
noise: { hostErrorSd: 0, intervalErrorSd: 0, intervalLatencySd: 0, intervalConversionSd: 0 }
schedule: { days: [tue], fromHour: 10, toHour: 11, region: main }
`;

export function scenario(yaml: string, name = 'test-scenario'): ScenarioConfig {
  return parseScenario(yaml, `${name}.yaml`);
}

export function policy(yaml: string, name = 'test-policy'): PolicyConfig {
  return parsePolicy(yaml, `${name}.yaml`);
}

/** Appends a `builds:` block to a scenario text. */
export function withBuilds(base: string, builds: string): string {
  return `${base}\n${builds}\n`;
}
