import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatesimError } from '../../../../src/errors.js';
import { memoryLeakFault } from '../../../../src/world/faults/memory-leak.js';
import { fleetImpact } from '../../../../src/world/faults/shared/fleet-impact.js';
import { mixtureQuantileRatio } from '../../../../src/world/faults/shared/mixture.js';
import { identityEffect } from '../../../../src/world/types.js';
import { MIN_RESTART_MINUTES } from '../../../../src/util/limits.js';
import { cohortOf, makeFakeWorld, restartedAt } from '../../../helpers/fake-world.js';

const make = (params: Record<string, unknown>) =>
  memoryLeakFault.create(memoryLeakFault.params.parse(params));

/*
 * One region, 10 hosts, 10 240 req/min at constant load: 1 024 req/min per host. Heap base
 * 600 MB, limit 2 048 MB. At 4 096 bytes per request the host leaks exactly 4 MB per minute,
 * so the 1 448 MB of headroom (370 688 requests) last 362 minutes.
 */
const world = makeFakeWorld({
  regions: [{ name: 'r', trafficShare: 1, hosts: 10, utcOffsetHours: 0 }],
  peakRequestsPerMin: 10240,
  load: { kind: 'constant', share: 1 },
  staging: { hosts: 2, requestsPerMin: 200, dataRows: 1e5, loadShare: 0.05 },
});
const region = world.regions[0]!;
const leak = make({ bytesPerRequest: 4096 });
const deployed = cohortOf(region, { deployedAt: 100 });

describe('memory-leak params', () => {
  it('fills the documented defaults', () => {
    expect(memoryLeakFault.params.parse({ bytesPerRequest: 1000 })).toEqual({
      bytesPerRequest: 1000,
      gcThreshold: 0.85,
      gcSlowdown: 3,
      restartMinutes: 2,
      restartErrorShare: 1,
    });
  });

  it('requires bytesPerRequest and a restart that takes time', () => {
    expect(memoryLeakFault.params.safeParse({}).success).toBe(false);
    expect(
      memoryLeakFault.params.safeParse({ bytesPerRequest: 1, restartMinutes: 0 }).success,
    ).toBe(false);
    expect(
      memoryLeakFault.params.safeParse({ bytesPerRequest: 1, restartMinutes: '30s' }).success,
    ).toBe(true);
  });
});

describe('memory-leak apply', () => {
  it('grows memory by bytesPerRequest × requests since start, in MB of 2^20 bytes', () => {
    const acc = identityEffect();
    leak.apply(acc, deployed, world, 100 + 181);
    expect(acc.memoryMB).toBe(724); // 181 min × 4 MB
    expect(acc.latencyMul).toBe(1);
    expect(acc.errorAdd).toBe(0);
  });

  it('slows GC linearly from the threshold to gcSlowdown at the limit', () => {
    // share 0.85 → 1740.8 MB → 1140.8 MB leaked → 285.2 min; share 0.925 → 323.6 min.
    const at = (t: number) => {
      const acc = identityEffect();
      leak.apply(acc, deployed, world, t);
      return acc.latencyMul;
    };
    expect(at(100 + 285.2)).toBeCloseTo(1, 9);
    expect(at(100 + 323.6)).toBeCloseTo(2, 9);
    expect(at(100 + 361.999)).toBeCloseTo(3, 3);
    expect(at(100 + 250)).toBe(1);
  });

  it('fails restartErrorShare of requests while restarting, then starts from an empty heap', () => {
    const restarted = restartedAt(deployed, 462);
    const down = identityEffect();
    leak.apply(down, restarted, world, 463);
    expect(down.errorAdd).toBe(1);
    expect(down.memoryMB).toBe(0);
    const up = identityEffect();
    leak.apply(up, restarted, world, 464.5);
    expect(up.errorAdd).toBe(0);
    expect(up.memoryMB).toBe(2); // 0.5 min × 4 MB since the process came back at 464
    const half = identityEffect();
    make({ bytesPerRequest: 4096, restartErrorShare: 0.25 }).apply(half, restarted, world, 463);
    expect(half.errorAdd).toBe(0.25);
  });

  it('treats a deploy as a process start, not a restart', () => {
    const acc = identityEffect();
    leak.apply(acc, deployed, world, 101);
    expect(acc.errorAdd).toBe(0);
    expect(acc.memoryMB).toBe(4);
  });
});

describe('memory-leak restarts', () => {
  it('OOMs at the closed-form minute: (limit − base)·2^20 / bytesPerRequest requests', () => {
    expect(leak.nextRestart(deployed, world, 100, Infinity)).toBe(462);
    // 1 MB per request at 8 req/min per host: 1 448 requests take exactly 181 minutes.
    const slow = makeFakeWorld({
      regions: [{ name: 'r', trafficShare: 1, hosts: 10, utcOffsetHours: 0 }],
      peakRequestsPerMin: 80,
    });
    expect(
      make({ bytesPerRequest: 2 ** 20 }).nextRestart(cohortOf(slow.regions[0]!), slow, 0, Infinity),
    ).toBe(181);
  });

  it('after a restart, OOMs again a restart window plus a full cycle later', () => {
    expect(leak.nextRestart(restartedAt(deployed, 462), world, 462, Infinity)).toBe(462 + 2 + 362);
  });

  it('follows the chain of OOMs when asked after the current process should have died', () => {
    expect(leak.nextRestart(deployed, world, 500, Infinity)).toBe(826);
    expect(leak.nextRestart(deployed, world, 462, Infinity)).toBe(826);
    expect(leak.nextRestart(deployed, world, 2000, Infinity)).toBe(100 + 6 * 364 - 2);
  });

  it('is Infinity when the OOM falls at or after the limit', () => {
    expect(leak.nextRestart(deployed, world, 100, 400)).toBe(Infinity);
    expect(leak.nextRestart(deployed, world, 100, 462)).toBe(Infinity);
  });

  it('uses staging traffic on staging: 100 req/min per host is ~10× slower', () => {
    const staging = cohortOf(world.staging, { environment: 'staging', deployedAt: 0 });
    expect(leak.nextRestart(staging, world, 0, Infinity)).toBeCloseTo(370688 / 100, 9);
  });

  it('under a daily load cycle, the OOM comes after exactly the closed-form number of requests', () => {
    const daily = makeFakeWorld({ load: { kind: 'sinusoid', amplitude: 0.35, peakHourLocal: 14 } });
    const cohort = cohortOf(daily.regions[0]!, { deployedAt: 300 });
    const f = make({ bytesPerRequest: 2000 });
    const oom = f.nextRestart(cohort, daily, 300, Infinity);
    const requests = daily.perHostRequests('production', daily.regions[0]!, 300, oom);
    expect(requests).toBeCloseTo((1448 * 2 ** 20) / 2000, 4);
  });

  it('comes later for a smaller leak and is always after `from` (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 100, max: 1e5, noNaN: true }),
        fc.double({ min: 1.01, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 5000, noNaN: true }),
        // Restarts take at least MIN_RESTART_MINUTES (the loader's limit).
        fc.double({ min: MIN_RESTART_MINUTES, max: 10, noNaN: true }),
        (bytes, factor, from, restartMinutes) => {
          const big = make({ bytesPerRequest: bytes * factor, restartMinutes });
          const small = make({ bytesPerRequest: bytes, restartMinutes });
          expect(small.nextRestart(deployed, world, 100, Infinity)).toBeGreaterThan(
            big.nextRestart(deployed, world, 100, Infinity),
          );
          expect(big.nextRestart(deployed, world, from, Infinity)).toBeGreaterThan(from);
          expect(big.onset(deployed, world, Infinity)).toBeGreaterThanOrEqual(deployed.deployedAt);
        },
      ),
      { seed: 5 },
    );
  });

  it('rejects a heap limit at or below its base', () => {
    const bad = makeFakeWorld({
      service: { ...world.service, memory: { baseMB: 600, limitMB: 600 } },
    });
    expect(() => leak.nextRestart(cohortOf(bad.regions[0]!), bad, 0, Infinity)).toThrow(
      GatesimError,
    );
  });
});

describe('memory-leak onset', () => {
  it('is when memory crosses the GC threshold', () => {
    expect(leak.onset(deployed, world, Infinity)).toBeCloseTo(385.2, 9);
    expect(leak.onset(deployed, world, 300)).toBe(Infinity);
  });

  it('is the OOM when GC never slows requests', () => {
    expect(make({ bytesPerRequest: 4096, gcSlowdown: 1 }).onset(deployed, world, Infinity)).toBe(
      462,
    );
  });

  it('is the deploy when the base heap already sits above the threshold', () => {
    const tight = makeFakeWorld({
      service: { ...world.service, memory: { baseMB: 1900, limitMB: 2048 } },
    });
    expect(leak.onset(cohortOf(tight.regions[0]!, { deployedAt: 7 }), tight, Infinity)).toBe(7);
  });
});

describe('memory-leak trueEffect', () => {
  it('reports resource exhaustion iff a whole-region cohort OOMs before `until`', () => {
    expect(leak.trueEffect(world, 100, 500).resourceExhaustion).toBe(true);
    expect(leak.trueEffect(world, 100, 462).resourceExhaustion).toBe(false);
    expect(leak.trueEffect(world, 100, 400).resourceExhaustion).toBe(false);
  });

  it('counts the whole region down for restartMinutes in the OOM hour', () => {
    // Hour [460, 520) holds the 2-minute restart at 462: (2/60)·(1 − 0.002) of requests fail.
    expect(leak.trueEffect(world, 100, 600).errorRatePp).toBeCloseTo((100 * 2 * 0.998) / 60, 9);
  });

  it('reports GC slowdown in p99 only when gcSlowdown > 1', () => {
    expect(
      make({ bytesPerRequest: 4096, gcSlowdown: 1 }).trueEffect(world, 100, 600).p99Ratio,
    ).toBe(1);
    // Worst hour [400, 460): GC from 385.2; latency × 1 + 2·(share − 0.85)/0.15 with
    // share = (600 + 4(t − 100))/2048. Reference: the same hour cut into one-second slices.
    const slices = Array.from({ length: 3600 }, (_, k) => {
      const t = 400 + (k + 0.5) / 60;
      const share = (600 + 4 * (t - 100)) / 2048;
      return { weight: 1, shift: Math.log(share < 0.85 ? 1 : 1 + (2 * (share - 0.85)) / 0.15) };
    });
    const reference = mixtureQuantileRatio(slices, 0.5, 0.99);
    expect(reference).toBeGreaterThan(2);
    // The default 5-minute midpoint steps are within 0.1%; a fine step converges to the reference.
    expect(Math.abs(leak.trueEffect(world, 100, 600).p99Ratio / reference - 1)).toBeLessThan(1e-3);
    const fine = fleetImpact([leak], world, 100, 600, {
      stepMinutes: 1 / 60,
      fineStepMinutes: 1 / 60,
    });
    expect(fine.p99Ratio).toBeCloseTo(reference, 4); // shifts are pooled on a 0.1% grid past 64 components
  });

  it('grows with the leak: memory, GC slowdown and exhaustion (property)', () => {
    // The worst hour's p99 is not monotone in the leak (a faster leak has a shorter GC ramp
    // inside the hour), so monotonicity is checked where it holds: per instant before the OOM.
    fc.assert(
      fc.property(
        fc.double({ min: 500, max: 8000, noNaN: true }),
        fc.double({ min: 1, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (bytes, factor, u) => {
          const small = make({ bytesPerRequest: bytes });
          const big = make({ bytesPerRequest: bytes * factor });
          const t = 100 + u * (big.nextRestart(deployed, world, 100, Infinity) - 100);
          const a = identityEffect();
          const b = identityEffect();
          small.apply(a, deployed, world, t);
          big.apply(b, deployed, world, t);
          expect(b.memoryMB).toBeGreaterThanOrEqual(a.memoryMB);
          expect(b.latencyMul).toBeGreaterThanOrEqual(a.latencyMul);
          if (small.trueEffect(world, 100, 700).resourceExhaustion) {
            expect(big.trueEffect(world, 100, 700).resourceExhaustion).toBe(true);
          }
        },
      ),
      { seed: 9, numRuns: 40 },
    );
  });
});
