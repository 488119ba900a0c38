import { lognormal, type RandomStream } from '../random/index.js';
import { Cohort } from './cohort.js';
import type { FaultInstance, RollbackEffect } from './faults/types.js';
import type { Load } from './load.js';
import type { Environment, Minutes, RegionRuntime, ScenarioConfig } from './types.js';

/** Events the fleet asks the simulator to deliver back to it. */
export type FleetEvent = { kind: 'restart'; cohort: number };

/** Where the fleet schedules its events: the trial's simulator. */
export interface FleetScheduler {
  at(time: Minutes, event: FleetEvent): unknown;
  cancel(handle: unknown): void;
}

export interface FleetOptions {
  scenario: ScenarioConfig;
  regions: readonly RegionRuntime[];
  load: Load;
  /** Every effect the build carries (faults and benign ones). */
  faults: readonly FaultInstance[];
  /** Each host's fixed error-rate multiplier is drawn from it, region by region. */
  hostRng: RandomStream;
  /** Fresh baseline hosts' error-rate multipliers come from here (asked for only when one starts). */
  freshRng: () => RandomStream;
  /** Canary pods' error-rate multipliers come from here (asked for only when routing starts). */
  podRng: () => RandomStream;
  scheduler: FleetScheduler;
  /** No event or search looks past this time. */
  endLimit: Minutes;
  /** Called before any change to which hosts run what (the impact ledger catches up to t). */
  beforeChange: (t: Minutes) => void;
}

/**
 * Which hosts run which build, since when: production regions and staging as cohorts of
 * hosts that behave alike. It deploys and reverts hosts, restarts processes when the build's
 * faults say so (an event for the simulator), and knows when the build's faults first show.
 */
export class Fleet {
  readonly regions: readonly RegionRuntime[];
  readonly staging: RegionRuntime;
  private readonly stagingHosts: number;
  private readonly faults: readonly FaultInstance[];
  private readonly harmful: readonly FaultInstance[];
  private readonly rollback: RollbackEffect | undefined;
  private readonly load: Load;
  private readonly scheduler: FleetScheduler;
  private readonly endLimit: Minutes;
  private readonly beforeChange: (t: Minutes) => void;
  private readonly hostErrorSd: number;
  private readonly freshRng: () => RandomStream;
  private readonly podRng: () => RandomStream;
  /** The share of every region's traffic routed to canary pods (0: none). */
  private routedWeight = 0;
  /** The canary pods per region, once routing started. */
  private readonly routedCohorts: Cohort[] = [];
  /** Per region, prefix sums of the hosts' error-rate multipliers. */
  private readonly hostMultPrefix: readonly Float64Array[];
  private readonly cohortsList: Cohort[] = [];
  private readonly oldCohorts: Cohort[];
  private readonly stagingOld: Cohort;
  private readonly deployedCount: number[];
  private changes = 0;
  private nextCohortId = 0;

  constructor(options: FleetOptions) {
    const { scenario, regions } = options;
    this.regions = regions;
    this.stagingHosts = scenario.staging.hosts;
    this.staging = {
      name: 'staging',
      trafficShare: 0,
      hosts: scenario.staging.hosts,
      utcOffsetHours: 0,
      index: regions.length,
      firstHost: 0,
    };
    this.faults = options.faults;
    this.harmful = options.faults.filter((f) => !f.benign);
    this.rollback = options.faults.find((f) => f.rollback !== undefined)?.rollback;
    this.load = options.load;
    this.scheduler = options.scheduler;
    this.endLimit = options.endLimit;
    this.beforeChange = options.beforeChange;
    this.hostErrorSd = scenario.noise.hostErrorSd;
    this.freshRng = options.freshRng;
    this.podRng = options.podRng;

    // Each host has a fixed error-rate multiplier (some hosts are simply worse); prefix sums
    // give any contiguous range's mean in O(1).
    this.hostMultPrefix = regions.map((r) => {
      const prefix = new Float64Array(r.hosts + 1);
      for (let h = 0; h < r.hosts; h++)
        prefix[h + 1] = prefix[h]! + this.hostMultiplier(options.hostRng);
      return prefix;
    });
    this.deployedCount = regions.map(() => 0);
    this.oldCohorts = regions.map((r) =>
      this.addCohort('production', r, r.hosts, false, -Infinity, 1, undefined),
    );
    this.stagingOld = this.addCohort(
      'staging',
      this.staging,
      scenario.staging.hosts,
      false,
      -Infinity,
      1,
      undefined,
    );
  }

  /** Every cohort ever made, by id (hosts 0 once emptied); a live list. */
  get cohorts(): readonly Cohort[] {
    return this.cohortsList;
  }

  /** Production hosts of a region that run the new build. */
  newHosts(regionIndex: number): number {
    return this.deployedCount[regionIndex]!;
  }

  stagingNewHosts(): number {
    return this.stagingHosts - this.stagingOld.hosts;
  }

  /** Counts changes to which hosts run which build: groups of cohorts stay valid while it holds. */
  get version(): number {
    return this.changes;
  }

  /** Live cohorts (hosts > 0) matching a filter. */
  select(filter: (c: Cohort) => boolean): Cohort[] {
    return this.cohortsList.filter((c) => c.hosts > 0 && filter(c));
  }

  /** Moves `count` old hosts of a region (or staging) onto the new build at t. */
  deploy(
    environment: Environment,
    regionIndex: number,
    count: number,
    t: Minutes,
  ): Cohort | undefined {
    if (count <= 0) return undefined;
    this.beforeChange(t);
    this.changes++;
    if (environment === 'staging') {
      const n = Math.min(count, this.stagingOld.hosts);
      this.stagingOld.hosts -= n;
      const c = this.addCohort('staging', this.staging, n, true, t, 1, undefined);
      this.afterDeploy(c, t);
      return c;
    }
    const region = this.regions[regionIndex]!;
    const old = this.oldCohorts[regionIndex]!;
    const n = Math.min(count, old.hosts);
    if (n <= 0) return undefined;
    const from = this.deployedCount[regionIndex]!;
    const prefix = this.hostMultPrefix[regionIndex]!;
    const mult = (prefix[from + n]! - prefix[from]!) / n;
    old.hosts -= n;
    this.deployedCount[regionIndex] = from + n;
    const c = this.addCohort('production', region, n, true, t, mult, undefined);
    this.afterDeploy(c, t);
    return c;
  }

  /**
   * Starts `count` extra hosts of the old build in a region at t, as a stage's fresh baseline
   * (Kayenta's practice: a baseline cluster deployed with the canary, at its size). They start
   * when the canary does, so they warm up as it does; each has its own fixed error-rate
   * multiplier, drawn as every host's is; and they serve their share of the region's traffic
   * like any host there (the region's per-host rate is kept: the extra hosts add requests).
   */
  startFreshBaseline(regionIndex: number, count: number, t: Minutes): Cohort | undefined {
    if (count <= 0) return undefined;
    this.beforeChange(t);
    this.changes++;
    const mult = this.meanHostMultiplier(this.freshRng(), count);
    const region = this.regions[regionIndex]!;
    const c = this.addCohort('production', region, count, false, t, mult, undefined);
    c.freshBaseline = true;
    return c;
  }

  /** One host's fixed error-rate multiplier: lognormal with mean 1 (1 without host noise). */
  private hostMultiplier(rng: RandomStream): number {
    const sd = this.hostErrorSd;
    return sd > 0 ? lognormal(rng, (-sd * sd) / 2, sd) : 1;
  }

  /** The mean of `count` hosts' fixed error-rate multipliers, drawn as every host's is. */
  private meanHostMultiplier(rng: RandomStream, count: number): number {
    let sum = 0;
    for (let h = 0; h < count; h++) sum += this.hostMultiplier(rng);
    return sum / count;
  }

  /** Whether canary pods take routed traffic now. */
  get routing(): boolean {
    return this.routedWeight > 0;
  }

  /**
   * Routes `weight` of every region's traffic to canary pods at t, starting them the first
   * time (new-build pods beside the region's hosts, as many as the weight's share of the
   * region's hosts, rounded up: pods sized to their traffic, as an autoscaler keeps them).
   * Later weights only move traffic (pods added as the weight grows are counted with the
   * first ones, started then). Every other production host serves the rest, 1 − weight.
   * Returns the pods' cohorts.
   */
  routeToCanary(weight: number, t: Minutes): Cohort[] {
    this.beforeChange(t);
    this.changes++;
    this.regions.forEach((r, i) => {
      const pods = Math.max(1, Math.ceil(weight * r.hosts - 1e-9));
      let c = this.routedCohorts[i];
      if (c === undefined) {
        const mult = this.meanHostMultiplier(this.podRng(), pods);
        c = this.addCohort('production', r, pods, true, t, mult, undefined);
        c.routed = true;
        this.routedCohorts[i] = c;
        this.afterDeploy(c, t);
      } else {
        c.hosts = pods;
      }
      c.trafficFactor = (weight * r.hosts) / pods;
    });
    this.routedWeight = weight;
    for (const c of this.cohortsList)
      if (c.environment === 'production' && !c.routed) c.trafficFactor = 1 - weight;
    return this.routedCohorts.filter((c) => c.hosts > 0);
  }

  /** Routes every request back to the fleet's hosts at t and removes the canary pods; false when none ran. */
  stopRouting(t: Minutes): boolean {
    if (this.routedWeight === 0) return false;
    this.beforeChange(t);
    this.changes++;
    for (const c of this.routedCohorts) {
      c.hosts = 0;
      c.removedAt = t;
      this.scheduler.cancel(c.restartHandle);
    }
    this.routedWeight = 0;
    for (const c of this.cohortsList) if (c.environment === 'production') c.trafficFactor = 1;
    return true;
  }

  /** Removes a fresh baseline at t; returns the host-minutes it ran (the capacity it cost). */
  stopFreshBaseline(c: Cohort, t: Minutes): Minutes {
    if (!c.freshBaseline || c.hosts === 0) return 0;
    this.beforeChange(t);
    this.changes++;
    const hostMinutes = c.hosts * Math.max(0, t - c.deployedAt);
    c.hosts = 0;
    c.removedAt = t;
    return hostMinutes;
  }

  /**
   * Returns up to `count` of a region's new hosts to the old build at t, newest first.
   * A migration that breaks rollback makes the returned hosts fail requests for a while.
   */
  revert(environment: Environment, regionIndex: number, count: number, t: Minutes): number {
    this.beforeChange(t);
    this.changes++;
    let left = count;
    const live = this.cohortsList.filter(
      (c) =>
        c.isNew &&
        !c.routed &&
        c.hosts > 0 &&
        c.environment === environment &&
        (environment === 'staging' || c.region.index === regionIndex),
    );
    for (let i = live.length - 1; i >= 0 && left > 0; i--) {
      const c = live[i]!;
      const n = Math.min(left, c.hosts);
      c.hosts -= n;
      left -= n;
      if (c.hosts === 0) {
        c.removedAt = t;
        this.scheduler.cancel(c.restartHandle);
      }
      if (environment === 'staging') {
        this.stagingOld.hosts += n;
      } else {
        this.deployedCount[regionIndex]! -= n;
        if (this.rollback !== undefined && this.rollback.errorAdd > 0) {
          this.addCohort('production', c.region, n, false, -Infinity, c.errorMult, t);
        } else {
          this.oldCohorts[regionIndex]!.hosts += n;
        }
      }
    }
    return count - left;
  }

  /** Delivers an event scheduled earlier. */
  handle(event: FleetEvent, t: Minutes): void {
    switch (event.kind) {
      case 'restart': {
        const c = this.cohortsList[event.cohort]!;
        if (c.hosts === 0) return;
        this.beforeChange(t);
        c.lastRestartAt = t;
        c.restarts.push(t);
        this.scheduleRestart(c, t);
        return;
      }
      default: {
        const never: never = event.kind;
        throw new Error(`unknown fleet event ${String(never)}`);
      }
    }
  }

  /** Whether, at t, hosts on the new build are hurting customers (their fault has shown). */
  isHurting(t: Minutes): boolean {
    return this.cohortsList.some(
      (c) => c.isNew && c.hosts > 0 && c.environment === 'production' && c.onsetAt <= t,
    );
  }

  /** The first time the build's fault showed in production, or Infinity. */
  onsetTime(): Minutes {
    let first = Infinity;
    for (const c of this.cohortsList) {
      if (c.isNew && c.environment === 'production' && c.onsetAt < c.removedAt && c.onsetAt < first)
        first = c.onsetAt;
    }
    return first;
  }

  private addCohort(
    environment: Environment,
    region: RegionRuntime,
    hosts: number,
    isNew: boolean,
    deployedAt: Minutes,
    errorMult: number,
    revertedAt: Minutes | undefined,
  ): Cohort {
    const c = new Cohort(
      this.nextCohortId++,
      environment,
      region,
      hosts,
      isNew,
      deployedAt,
      errorMult,
      revertedAt,
    );
    if (environment === 'production') c.trafficFactor = 1 - this.routedWeight;
    this.cohortsList.push(c);
    return c;
  }

  private afterDeploy(c: Cohort, t: Minutes): void {
    let onset = Infinity;
    for (const f of this.harmful) {
      const o = f.onset(c, this.load, this.endLimit);
      if (o < onset) onset = o;
    }
    c.onsetAt = onset;
    this.scheduleRestart(c, t);
  }

  private scheduleRestart(c: Cohort, from: Minutes): void {
    let next = Infinity;
    for (const f of this.faults) {
      const r = f.nextRestart(c, this.load, from, this.endLimit);
      if (r < next) next = r;
    }
    c.restartHandle =
      next < this.endLimit && next > from
        ? this.scheduler.at(next, { kind: 'restart', cohort: c.id })
        : undefined;
  }
}
