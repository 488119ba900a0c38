/**
 * A gate policy as the executor reads it: what the YAML becomes once validated and
 * defaults are filled in. Durations are minutes.
 */
import type { MetricName, Minutes, Weekday } from '../world/types.js';

/**
 * Which hosts must run the new build once a stage is done. Targets are cumulative: a stage
 * adds its hosts to those of earlier stages (like Argo's setWeight).
 */
export type TargetConfig =
  /** Staging: the pre-production environment (small data, synthetic load). */
  | { kind: 'staging' }
  /** A fixed number of hosts in one region (a one-box). */
  | { kind: 'hosts'; region: string; count: number }
  /** A share of one region's hosts (1 = the whole region). */
  | { kind: 'region'; region: string; share: number }
  /** A wave: several whole regions deployed together. */
  | { kind: 'regions'; regions: string[] }
  /** A share of every region's hosts (a fleet-wide traffic weight). */
  | { kind: 'fleet'; share: number }
  /**
   * A share of every region's traffic routed to canary pods (a service mesh or ingress: Argo
   * `setWeight` with `trafficRouting`, Flagger `stepWeight`). The pods start once, at the
   * first such stage; later weights only move traffic. No host of the fleet changes build.
   */
  | { kind: 'traffic'; weight: number };

export type DelayDistribution =
  | { kind: 'fixed'; minutes: Minutes }
  | { kind: 'exponential'; meanMinutes: Minutes }
  | { kind: 'lognormal'; medianMinutes: Minutes; sigma: number };

export type Approval = { kind: 'automatic' } | { kind: 'manual'; delay: DelayDistribution };

/** Days and local hours during which a stage may start (in the target's first region's time). */
export interface DeployWindow {
  days: Weekday[];
  fromHour: number;
  toHour: number;
}

export type MissingDataPolicy = 'pass' | 'fail' | 'inconclusive' | 'error';

/** A judge by name with its parameters (validated against the judge's own schema). */
export interface JudgeSpec {
  kind: string;
  params: Record<string, unknown>;
}

export interface CheckConfig {
  name: string;
  /** The metric the judge reads; multi-metric judges (kayenta-score) name theirs in params. */
  metric: MetricName;
  judge: JudgeSpec;
  /** absolute: the new hosts' metric alone; baseline: new hosts against hosts still on the old build. */
  compare: 'absolute' | 'baseline';
  /**
   * Where the baseline hosts come from: the old hosts of the same region(s) as the new hosts,
   * of the whole fleet, or a fresh cluster of the old build the stage starts beside its new
   * hosts, of their size and in their regions (Kayenta's practice; it costs extra hosts).
   */
  baselineScope: 'region' | 'fleet' | 'fresh';
  /**
   * Which hosts the check measures: `new` (every host on the new build), `stage` (the hosts
   * this stage added), or `all` (every production host, whatever its version: a before/after view).
   */
  scope: 'new' | 'stage' | 'all';
  interval: Minutes;
  initialDelay: Minutes;
  /** Measurements to take; undefined runs until the stage (or watch) ends. */
  count: number | undefined;
  /** Data each measurement sees: the points since the last one, all since the check began, or a lookback. */
  window: 'interval' | 'cumulative' | Minutes;
  /** Argo: the run fails when failed measurements exceed this (−1 disables). */
  failureLimit: number;
  /**
   * Counts `failureLimit` over the last this-many measurements only, as a CloudWatch alarm's
   * `DatapointsToAlarm` M of `EvaluationPeriods` N does (failureLimit M − 1, failureWindow N);
   * undefined counts over the whole run, as Argo does.
   */
  failureWindow?: number | undefined;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  /** Argo: the run succeeds early after this many consecutive successes (0 = off). */
  consecutiveSuccessLimit: number;
  /** Flagger: roll back once this many checks have failed in total (passes never reset it). */
  failedChecksThreshold: number | undefined;
  /** Sample (requests or sessions) below which a measurement is inconclusive. */
  minSample: number;
  onMissingData: MissingDataPolicy;
  /** Argo dryRun: measured and recorded, never decides. */
  dryRun: boolean;
  /** Argo background analysis: keeps running through later stages until the rollout ends. */
  background: boolean;
  /**
   * A watch check split by region, as a Prometheus alerting rule over `sum by (region)` is:
   * one run per production region, each reading only that region's hosts and counting its own
   * failures (each alert series keeps its own pending state); the first region to fail rolls
   * back. Its runs are named `name[region]`.
   */
  perRegion: boolean;
}

export interface StageConfig {
  name: string;
  target: TargetConfig;
  /** Time to wait after the stage's hosts are deployed before promoting. */
  bake: Minutes;
  checks: CheckConfig[];
  approval: Approval;
  /** The stage may start only inside one of these windows (empty: any time). */
  deployWindows: DeployWindow[];
}

export interface PolicyConfig {
  name: string;
  description: string;
  /** Probability that the CI test suite catches a fault, by fault kind. */
  ciTests: Record<string, number>;
  /** A staging rollback drill before production: its duration and the chance it exposes a build that cannot be rolled back. */
  rollbackDrill: { duration: Minutes; detectProbability: number } | undefined;
  /** Largest share of a stage's hosts deployed at once (Amazon: at most a third). */
  maxBatchShare: number;
  stages: StageConfig[];
  /** Post-deploy watch at 100% with automatic rollback. */
  watch: { duration: Minutes; checks: CheckConfig[] } | undefined;
  rollback: { minutesPerBatch: Minutes; maxBatchShare: number };
  /** What an inconclusive check run does: pause for a human, abort (roll back), or be ignored. */
  onInconclusive: 'pause' | 'abort' | 'continue';
  /** How long a paused rollout waits before a human resumes it. */
  manualResume: DelayDistribution;
  baseDir: string;
}
