import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectionPoolLeakFault } from '../../../../src/world/faults/connection-pool-leak.js';
import { identityEffect } from '../../../../src/world/types.js';
import {
  cohortOf,
  DEFAULT_SERVICE,
  makeFakeWorld,
  restartedAt,
} from '../../../helpers/fake-world.js';

const make = (params: Record<string, unknown>) =>
  connectionPoolLeakFault.create(connectionPoolLeakFault.params.parse(params));

/*
 * One region, 10 hosts, 6 000 req/min at constant load: 600 req/min = 10 req/s per host.
 * Hold 100 ms → Little's law in-flight = 10 × 0.1 = 1 connection. Pool 100. One leak per 600
 * requests → 1 leaked connection per minute, so in-flight + leaked reaches 100 after exactly
 * 99 minutes; the health check kills the host 15 minutes later.
 */
const service = { ...DEFAULT_SERVICE, connections: { poolSize: 100, holdMs: 100 } };
const world = makeFakeWorld({
  regions: [{ name: 'r', trafficShare: 1, hosts: 10, utcOffsetHours: 0 }],
  peakRequestsPerMin: 6000,
  load: { kind: 'constant', share: 1 },
  service,
});
const region = world.regions[0]!;
const leak = make({ leakEveryRequests: 600 });
const deployed = cohortOf(region, { deployedAt: 50 });

describe('connection-pool-leak params', () => {
  it('fills the documented defaults', () => {
    expect(
      connectionPoolLeakFault.params.parse({
        leakEveryRequests: 1000,
        healthCheckRestartAfter: '20m',
      }),
    ).toEqual({
      leakEveryRequests: 1000,
      timeoutErrorShare: 0.9,
      exhaustedLatencyMultiplier: 10,
      healthCheckRestartAfter: 20,
      restartMinutes: 1,
      restartErrorShare: 1,
    });
    expect(connectionPoolLeakFault.params.safeParse({}).success).toBe(false);
  });
});

describe('connection-pool-leak apply', () => {
  it('holds the leaked connections and fails nothing before exhaustion', () => {
    const acc = identityEffect();
    leak.apply(acc, deployed, world, 50 + 98.5);
    expect(acc.connections).toBeCloseTo(98.5, 12);
    expect(acc.errorAdd).toBe(0);
    expect(acc.slowShare).toBe(0);
  });

  it('once in-flight + leaked reach the pool, fails timeoutErrorShare and slows the rest', () => {
    const acc = identityEffect();
    leak.apply(acc, deployed, world, 50 + 99.5);
    expect(acc.errorAdd).toBe(0.9);
    expect(acc.slowShare).toBeCloseTo(0.1, 15);
    expect(acc.slowMul).toBe(10);
    expect(acc.connections).toBeCloseTo(99.5, 12);
    const full = identityEffect();
    leak.apply(full, deployed, world, 50 + 300);
    expect(full.connections).toBe(100); // leaked count is capped at the pool
  });

  it('fails requests while the health check restarts the host, then starts with an empty pool', () => {
    const restarted = restartedAt(deployed, 164);
    const down = identityEffect();
    leak.apply(down, restarted, world, 164.5);
    expect(down.errorAdd).toBe(1);
    const up = identityEffect();
    leak.apply(up, restarted, world, 170);
    expect(up.errorAdd).toBe(0);
    expect(up.connections).toBeCloseTo(5, 12); // back at 165
  });
});

describe('connection-pool-leak exhaustion and restarts', () => {
  it('exhausts at the closed-form minute at constant load: (pool − in-flight)·N / rate', () => {
    expect(leak.onset(deployed, world, Infinity)).toBeCloseTo(149, 9);
    expect(leak.onset(deployed, world, 140)).toBe(Infinity);
  });

  it('is restarted healthCheckRestartAfter later, and again a cycle after that', () => {
    expect(leak.nextRestart(deployed, world, 50, Infinity)).toBeCloseTo(164, 9);
    expect(leak.nextRestart(restartedAt(deployed, 164), world, 164, Infinity)).toBeCloseTo(
      164 + 1 + 99 + 15,
      9,
    );
    // Asked late: the chain of exhaustions and restarts the fault implies.
    expect(leak.nextRestart(deployed, world, 200, Infinity)).toBeCloseTo(279, 9);
    expect(leak.nextRestart(deployed, world, 50, 160)).toBe(Infinity);
  });

  it('is immediate when in-flight demand alone exceeds the pool', () => {
    const busy = makeFakeWorld({
      ...{ regions: [{ name: 'r', trafficShare: 1, hosts: 1, utcOffsetHours: 0 }] },
      peakRequestsPerMin: 120000,
      service,
    });
    // 2 000 req/s × 0.1 s = 200 in flight > 100.
    expect(leak.onset(cohortOf(busy.regions[0]!, { deployedAt: 5 }), busy, Infinity)).toBe(5);
  });

  it('first exhausts at the daily peak under a sinusoidal load, at the exact crossing', () => {
    const daily = makeFakeWorld({
      regions: [{ name: 'r', trafficShare: 1, hosts: 10, utcOffsetHours: 0 }],
      peakRequestsPerMin: 60000,
      load: { kind: 'sinusoid', amplitude: 0.4, peakHourLocal: 14 },
      service,
    });
    // Peak 6 000 req/min per host: in-flight 10 at peak, 2 at the trough.
    const f = make({ leakEveryRequests: 40000 });
    const cohort = cohortOf(daily.regions[0]!, { deployedAt: 0 });
    const r = daily.regions[0]!;
    const level = (t: number) =>
      (daily.perHostRate('production', r, t) / 60) * 0.1 +
      daily.perHostRequests('production', r, 0, t) / 40000;
    const e = f.onset(cohort, daily, 1e5);
    expect(Number.isFinite(e)).toBe(true);
    expect(level(e)).toBeCloseTo(100, 6);
    // Independent scan: below the pool at every second before.
    for (let t = 0; t < e - 1 / 60; t += 1 / 60) expect(level(t)).toBeLessThan(100);
  });

  it('comes earlier for a faster leak and restarts after `from` (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 50, max: 5000, noNaN: true }),
        fc.double({ min: 1.01, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 3000, noNaN: true }),
        (every, factor, from) => {
          const slow = make({ leakEveryRequests: every * factor });
          const fast = make({ leakEveryRequests: every });
          expect(fast.onset(deployed, world, Infinity)).toBeLessThan(
            slow.onset(deployed, world, Infinity),
          );
          expect(fast.onset(deployed, world, Infinity)).toBeGreaterThanOrEqual(deployed.deployedAt);
          expect(slow.nextRestart(deployed, world, from, Infinity)).toBeGreaterThan(from);
        },
      ),
      { seed: 13 },
    );
  });
});

describe('connection-pool-leak trueEffect', () => {
  it('reports exhaustion iff a whole-region cohort exhausts its pool before `until`', () => {
    expect(leak.trueEffect(world, 50, 200).resourceExhaustion).toBe(true);
    expect(leak.trueEffect(world, 50, 149).resourceExhaustion).toBe(false);
  });

  it('counts 15 exhausted minutes and a 1-minute restart in the worst hour, exactly', () => {
    // Hour [110, 170): [149, 164) at +0.9, [164, 165) at 1 − 0.002 (capped at 1).
    const e = leak.trueEffect(world, 50, 400);
    expect(e.errorRatePp).toBeCloseTo((100 * (15 * 0.9 + 1 * 0.998)) / 60, 9);
    expect(e.p99Ratio).toBeGreaterThan(1);
  });
});
