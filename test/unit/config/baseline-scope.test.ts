/**
 * The validator accepts a region baseline exactly when the runtime has old hosts to serve it:
 * a policy it accepts runs and its checks read a non-empty baseline from the same regions.
 */
import { describe, expect, it } from 'vitest';
import { checkPolicyAgainstScenario } from '../../../src/config/index.js';
import { runTrial } from '../../../src/pipeline/executor.js';
import { policy, scenario } from '../../helpers/configs.js';

const TWO_REGIONS = `
description: two regions
fleet:
  regions:
    - { name: small, trafficShare: 0.2, hosts: 4, utcOffsetHours: 0 }
    - { name: big, trafficShare: 0.8, hosts: 10, utcOffsetHours: 0 }
traffic: { peakRequestsPerMin: 20000, diurnalAmplitude: 0, peakHourLocal: 14, weekendFactor: 1 }
noise: { hostErrorSd: 0, intervalErrorSd: 0, intervalLatencySd: 0, intervalConversionSd: 0 }
schedule: { days: [tue], fromHour: 10, toHour: 11, region: small }
builds: { badShare: 0, bad: [] }
`;

const CHECK = (scope: string): string =>
  `{ name: vs-old, metric: error_rate, judge: { kind: relative, mode: ratio, maxIncrease: 1 }, compare: baseline, scope: ${scope}, interval: 5m }`;

// The case the validator used to refuse: a stage deploying half of every region after an
// earlier stage took one region whole, compared with each region's old half.
const HALVES = `
stages:
  - { name: small, target: { kind: region, region: small }, bake: 10m }
  - { name: halves, target: { kind: fleet, share: 0.5 }, bake: 20m, checks: [${CHECK('stage')}] }
  - { name: all, target: { kind: fleet, share: 1 }, bake: 0m }
`;

describe('region baselines', () => {
  it('accepts half of each region against its old half, and the trial reads that baseline', () => {
    const s = scenario(TWO_REGIONS);
    const p = policy(HALVES);
    expect(checkPolicyAgainstScenario(p, s)).toEqual([]);
    const o = runTrial({ scenario: s, policy: p, seed: 1, trial: 0, timeline: true }).outcome;
    const reads = o.timeline!.filter((e) => e.kind === 'measurement' && e.check === 'vs-old');
    expect(reads.length).toBeGreaterThanOrEqual(3);
    for (const e of reads) {
      expect(e.verdict).toBe('pass');
      // Stage halves put 5 of big's 10 hosts on the new build and `small` has none left:
      // canary and baseline are big's two halves, so they serve about the same requests.
      const f = e.figures as { canaryN: number; baselineN: number };
      expect(f.baselineN).toBeGreaterThan(0);
      expect(f.baselineN / f.canaryN).toBeGreaterThan(0.8);
      expect(f.baselineN / f.canaryN).toBeLessThan(1.25);
    }
    expect(o.final).toBe('shipped');
  });

  it('refuses a region baseline with no old hosts, naming the stage and never suggesting a fleet baseline', () => {
    const s = scenario(TWO_REGIONS);
    const p = policy(`
stages:
  - { name: half, target: { kind: region, region: small, share: 0.5 } }
  - { name: small, target: { kind: region, region: small, share: 0.9 }, checks: [${CHECK('stage')}] }
  - { name: all, target: { kind: fleet, share: 1 }, bake: 0m }
`);
    // 0.9 of 4 hosts rounds up to 4, as the runtime deploys it: no old host is left in `small`.
    const issues = checkPolicyAgainstScenario(p, s);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('stages[1].checks[0].baselineScope');
    expect(issues[0]!.message).toContain('every host in `small` runs the new build');
    expect(issues[0]!.message).not.toMatch(/fleet/);
  });
});
