import { uniform, type TrialStreams } from '../random/index.js';
import type { ConfounderInstance } from './confounders/types.js';
import { CohortEffects } from './effects.js';
import type { FaultInstance } from './faults/types.js';
import { Fleet, type FleetScheduler } from './fleet.js';
import { ImpactLedger } from './impact-ledger.js';
import type { Load } from './load.js';
import { Sampler } from './sampler.js';
import type { ScrapeGrid } from './scrape.js';
import type { Minutes, ScenarioConfig } from './types.js';

export interface WorldOptions {
  scenario: ScenarioConfig;
  streams: TrialStreams;
  /** Load over time in every region (with the trial's traffic spikes). */
  load: Load;
  /** Every effect the build carries (faults and benign ones). */
  faults: readonly FaultInstance[];
  confounders: readonly ConfounderInstance[];
  scheduler: FleetScheduler;
  /** Impact counts from this time (the deploy's start). */
  startAt: Minutes;
  /** No event or search looks past this time. */
  endLimit: Minutes;
}

/**
 * The system under deployment for one trial, as four units over one load: the fleet (which
 * hosts run which build), cohort effects (what faults and confounders do to them), the
 * sampler (what the metrics show) and the impact ledger (what customers suffer). The world
 * wires them so the ledger always catches up before the fleet changes.
 */
export class World {
  readonly load: Load;
  readonly fleet: Fleet;
  readonly effects: CohortEffects;
  readonly sampler: Sampler;
  readonly ledger: ImpactLedger;
  /**
   * When Prometheus scrapes the service. The grid's phase is the scrape target's, unrelated
   * to when the deploy begins: drawn per trial from a stream of its own, so every policy sees
   * the same scrapes and no outcome depends on the second the trial starts.
   */
  readonly scrapes: ScrapeGrid;

  constructor(options: WorldOptions) {
    const { scenario, load, faults, confounders } = options;
    this.load = load;
    const every = scenario.scrapeInterval;
    this.scrapes = {
      anchor: options.startAt + uniform(options.streams.get('scrape')) * every,
      interval: every,
    };
    this.effects = new CohortEffects({
      service: scenario.service,
      load,
      rollback: faults.find((f) => f.rollback !== undefined)?.rollback,
      confounders,
    });
    this.fleet = new Fleet({
      scenario,
      regions: load.regions,
      load,
      faults,
      hostRng: options.streams.get('hosts'),
      freshRng: () => options.streams.get('fresh-baseline'),
      podRng: () => options.streams.get('canary-pods'),
      scheduler: options.scheduler,
      endLimit: options.endLimit,
      beforeChange: (t) => this.ledger.advanceTo(t),
    });
    this.ledger = new ImpactLedger({
      service: scenario.service,
      load,
      effects: this.effects,
      faults,
      cohorts: this.fleet.cohorts,
      from: options.startAt,
    });
    this.sampler = new Sampler({
      scenario,
      load,
      effects: this.effects,
      faults,
      confounders,
      trialKey: `gatesim/${options.streams.seed}/${options.streams.trial}/observe`,
    });
  }
}
