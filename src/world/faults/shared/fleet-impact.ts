import { GatesimError } from '../../../errors.js';
import {
  identityEffect,
  resetEffect,
  type CohortView,
  type Minutes,
  type TrueEffect,
} from '../../types.js';
import type { FaultInstance, FleetFacts } from '../types.js';
import { addEffectComponents, mixtureQuantileRatio, type ShiftComponent } from './mixture.js';

/**
 * Ground truth for the impact bar, computed by running the faults' own `apply` on a cohort
 * per region that holds all of the region's production hosts from `deployAt` (restarting
 * when the faults say so), so the label and the simulated metrics can never disagree about
 * what a fault does. No randomness and no detector: parameters and the load curve only.
 *
 * The figures are per hour (hours counted from `deployAt`, plus the hour ending at `until`
 * when the span is not whole hours; a span under an hour is one window), and the worst hour
 * is reported: the error rate, p99 and conversion a full-fleet incident review would see on
 * an hourly dashboard.
 */
export type FleetImpact = Omit<TrueEffect, 'resourceExhaustion'>;

/** How finely the hour is integrated (midpoint rule, weights = exact request integrals). */
export interface FleetImpactOptions {
  /** Step in minutes; default 5 (load curves change over hours). */
  stepMinutes?: number;
  /** Step in minutes just after every process start (deploy or restart); default 0.5. */
  fineStepMinutes?: number;
  /**
   * How long after a process start the fine step is used; default 10 minutes, which covers
   * restart windows (whole minutes, so the fine grid hits their ends exactly) and warm-ups.
   */
  fineWindowMinutes?: number;
  /**
   * Times where the fault's effect jumps for a process started as `cohort` says (a pool's
   * exhaustion, the end of a restart window): steps end there, so step functions are
   * integrated exactly. Asked again after every restart.
   */
  breakpoints?: (cohort: CohortView, until: Minutes) => readonly Minutes[];
}

const BUCKET_MINUTES = 60;
const P99 = 0.99;
/** Beyond this many distinct latency shifts in an hour, shifts are rounded to a 0.1% grid (cost, not accuracy). */
const MAX_COMPONENTS = 64;
const SHIFT_GRID = 1e-3;

/** Sums over a stretch between window edges. */
interface Segment {
  from: Minutes;
  to: Minutes;
  requests: number;
  excessErrors: number;
  keptConversion: number;
  /** Request weight by latency log-shift. */
  shifts: Map<number, number>;
}

interface RegionState {
  readonly base: CohortView;
  cohort: CohortView;
  next: Minutes;
  /** Breakpoints of the current process, ascending. */
  marks: Minutes[];
}

/** The worst-hour full-fleet effect of `faults` applied together (errorAdd adds, multipliers multiply). */
export function fleetImpact(
  faults: readonly FaultInstance[],
  fleet: FleetFacts,
  deployAt: Minutes,
  until: Minutes,
  options: FleetImpactOptions = {},
): FleetImpact {
  if (!Number.isFinite(deployAt) || !Number.isFinite(until)) {
    throw new GatesimError(
      'invalid-argument',
      `trueEffect needs a finite span, got [${deployAt}, ${until})`,
    );
  }
  const step = options.stepMinutes ?? 5;
  const fineStep = options.fineStepMinutes ?? 0.5;
  const fineWindow = options.fineWindowMinutes ?? 10;
  const baseError = Math.min(1, Math.max(0, fleet.service.errorRate));
  const sigma = fleet.service.latency.sigma;

  const nextRestart = (cohort: CohortView, from: Minutes): Minutes => {
    let next = Infinity;
    for (const f of faults) next = Math.min(next, f.nextRestart(cohort, fleet, from, until));
    return next;
  };
  const marksOf = (cohort: CohortView): Minutes[] =>
    options.breakpoints === undefined
      ? []
      : [...options.breakpoints(cohort, until)].sort((x, y) => x - y);
  const states: RegionState[] = fleet.regions.map((_, i) => {
    const base = fleet.wholeRegionCohort(i, deployAt);
    return {
      base,
      cohort: base,
      next: nextRestart(base, base.lastRestartAt),
      marks: marksOf(base),
    };
  });

  // Hour windows from deployAt; when the span is not whole hours, the last window is the hour
  // ending at `until` (overlapping the one before), so every window is an hour long and a
  // short tail cannot inflate a rate. Segments between all window edges are integrated once.
  const windows: [Minutes, Minutes][] = [];
  for (let h = deployAt; h + BUCKET_MINUTES <= until; h += BUCKET_MINUTES)
    windows.push([h, h + BUCKET_MINUTES]);
  const lastEnd = windows.length > 0 ? windows[windows.length - 1]![1] : deployAt;
  if (lastEnd < until) windows.push([Math.max(deployAt, until - BUCKET_MINUTES), until]);
  const edges = [...new Set(windows.flat())].sort((x, y) => x - y);

  const segments: Segment[] = [];
  // One accumulator, reset before each step: a step's effect is folded into its segment at once.
  const acc = identityEffect();
  for (let k = 0; k + 1 < edges.length; k++) {
    const seg: Segment = {
      from: edges[k]!,
      to: edges[k + 1]!,
      requests: 0,
      excessErrors: 0,
      keptConversion: 0,
      shifts: new Map(),
    };
    segments.push(seg);
    for (const state of states) {
      const region = state.base.region;
      let a = seg.from;
      while (a < seg.to) {
        while (state.next <= a) {
          state.cohort = withRestart(state.base, state.next);
          state.next = nextRestart(state.cohort, state.cohort.lastRestartAt);
          state.marks = marksOf(state.cohort);
        }
        while (state.marks.length > 0 && state.marks[0]! <= a) state.marks.shift();
        const start = state.cohort.lastRestartAt;
        let b: Minutes;
        if (a - start < fineWindow) {
          // Stay on the fine grid anchored at the process start, so windows of whole fine steps are exact.
          b = Math.min(
            start + (Math.floor((a - start) / fineStep + 1e-9) + 1) * fineStep,
            start + fineWindow,
          );
        } else {
          b = a + step;
        }
        b = Math.min(b, seg.to, state.next, state.marks[0] ?? Infinity);
        if (!(b > a)) b = Math.min(seg.to, a + fineStep);
        const w = state.base.hosts * fleet.perHostRequests('production', region, a, b);
        if (w > 0) {
          resetEffect(acc);
          for (const f of faults) f.apply(acc, state.cohort, fleet, (a + b) / 2);
          const p = Math.min(1, Math.max(0, baseError * acc.errorMul + acc.errorAdd));
          seg.requests += w;
          seg.excessErrors += w * (p - baseError);
          seg.keptConversion += w * acc.conversionMul;
          addEffectComponents(seg.shifts, acc, w);
        }
        a = b;
      }
    }
  }

  let worstError = -Infinity;
  let worstP99 = -Infinity;
  let worstConversion = -Infinity;
  for (const [from, to] of windows) {
    let requests = 0;
    let excessErrors = 0;
    let keptConversion = 0;
    const shifts = new Map<number, number>();
    for (const seg of segments) {
      if (seg.from < from || seg.to > to) continue;
      requests += seg.requests;
      excessErrors += seg.excessErrors;
      keptConversion += seg.keptConversion;
      for (const [shift, weight] of seg.shifts)
        shifts.set(shift, (shifts.get(shift) ?? 0) + weight);
    }
    if (!(requests > 0)) continue;
    worstError = Math.max(worstError, (100 * excessErrors) / requests);
    worstConversion = Math.max(worstConversion, 100 * (1 - keptConversion / requests));
    worstP99 = Math.max(worstP99, hourP99Ratio(shifts, sigma));
  }
  return {
    errorRatePp: worstError === -Infinity ? 0 : worstError,
    p99Ratio: worstP99 === -Infinity ? 1 : worstP99,
    conversionDropPct: worstConversion === -Infinity ? 0 : worstConversion,
  };
}

/** The effect of one fault: the fleet impact plus its own verdict on resource exhaustion. */
export function singleFaultTrueEffect(
  fault: FaultInstance,
  fleet: FleetFacts,
  deployAt: Minutes,
  until: Minutes,
  resourceExhaustion: boolean,
  options: FleetImpactOptions = {},
): TrueEffect {
  return { ...fleetImpact([fault], fleet, deployAt, until, options), resourceExhaustion };
}

function hourP99Ratio(shifts: Map<number, number>, sigma: number): number {
  if (shifts.size === 1 && shifts.has(0)) return 1;
  let components: ShiftComponent[] = [...shifts].map(([shift, weight]) => ({ shift, weight }));
  if (components.length > MAX_COMPONENTS) {
    const rounded = new Map<number, number>();
    for (const c of components) {
      const k = Math.round(c.shift / SHIFT_GRID) * SHIFT_GRID;
      rounded.set(k, (rounded.get(k) ?? 0) + c.weight);
    }
    components = [...rounded].map(([shift, weight]) => ({ shift, weight }));
  }
  return mixtureQuantileRatio(components, sigma, P99);
}

/** The same whole-region cohort after a restart at `at` (built field by field: cohorts may be class instances). */
function withRestart(base: CohortView, at: Minutes): CohortView {
  return {
    id: base.id,
    environment: base.environment,
    region: base.region,
    hosts: base.hosts,
    isNew: base.isNew,
    deployedAt: base.deployedAt,
    lastRestartAt: at,
  };
}
