/**
 * gatesim's limits, in one place: the largest (or smallest) values the loaders accept, so
 * that everything a file may say runs in bounded time and memory. The schemas, the
 * cross-checks, the file readers and the executor's stall limit all read them from here.
 * Each limit is chosen from what the simulator can run and what real systems have; the
 * reasons, with the measurements behind them, are in docs/formats.md ("Limits").
 */

const DAY = 1440;

// ---- time ------------------------------------------------------------------------

/**
 * The longest a rollout may take before a trial calls it stalled: 14 days. A policy's own
 * schedule (drill, deploy batches, bakes, counted checks, fixed approval delays, deploy
 * window waits, watch, rollback) must fit in it, and so must every single duration.
 */
export const MAX_TRIAL_MINUTES = 14 * DAY;

/** The longest a scenario's horizon (the time counted after the rollout ends) may be. */
export const MAX_HORIZON_MINUTES = 14 * DAY;

/** The shortest check interval and metric interval: 10 seconds (CloudWatch's high-resolution alarm period). */
export const MIN_INTERVAL_MINUTES = 10 / 60;

/** The shortest scrape interval: 1 second (Prometheus accepts less; nothing gains from it here). */
export const MIN_SCRAPE_MINUTES = 1 / 60;

/** The shortest restart a fault may cause: 30 seconds for a process to stop, start and pass its health check. */
export const MIN_RESTART_MINUTES = 0.5;

// ---- scale -----------------------------------------------------------------------

/** Regions in a fleet (the largest clouds have a few dozen). */
export const MAX_REGIONS = 100;

/** Hosts in one region, and in staging. */
export const MAX_REGION_HOSTS = 100_000;

/** Hosts in the whole fleet: one trial keeps a number per host (8 MB at the limit). */
export const MAX_FLEET_HOSTS = 1_000_000;

/** Deploy batches in one rollout: each is a cohort the world follows for the rest of the trial. */
export const MAX_DEPLOY_BATCHES = 100;

/** Fleet-wide requests per minute at the peak (and in staging): 10¹⁰, ~1.7×10⁸ a second. */
export const MAX_REQUESTS_PER_MIN = 1e10;

/** Confounder occurrences per day, summed over a scenario's confounders: one a minute on average. */
export const MAX_CONFOUNDERS_PER_DAY = DAY;

/** Items in each list of a file: regions, stages, checks, templates, faults, confounders, windows. */
export const MAX_LIST_ITEMS = 100;

/**
 * Points a trial's checks may draw from the world (per metric and side, one per metric interval
 * while the check runs), estimated from the policy and the scenario before the trial.
 */
export const MAX_OBSERVED_POINTS = 100_000;

/** Points the judges may read over a trial: each measurement reads the points of its window. */
export const MAX_JUDGED_POINTS = 2_000_000;

// ---- magnitudes ------------------------------------------------------------------

/** Log-scale spread of latency (lognormal sigma): 3 puts p99 at 1,000× the median. */
export const MAX_LATENCY_SIGMA = 3;

/** Log-scale spread of the noise terms: 2 already moves a value 7× at one standard deviation. */
export const MAX_NOISE_SD = 2;

/** Log-scale spread of a person's delay (lognormal sigma). */
export const MAX_DELAY_SIGMA = 3;

/** A latency in milliseconds (median, SLO, connection hold time, query timeout): one hour. */
export const MAX_LATENCY_MS = 3_600_000;

/** A memory size in MB: 16 TiB, more than the largest cloud hosts' per-process memory. */
export const MAX_MEMORY_MB = 16 * 1024 * 1024;

/** A multiplier (latency, traffic, error rate, load, weekend factor): a thousandfold. */
export const MAX_MULTIPLIER = 1000;

/** Rows in the database a data-scale fault reads: 10¹². */
export const MAX_DATA_ROWS = 1e12;

/** A count a scenario may give (connection pool size, requests per session). */
export const MAX_COUNT = 1_000_000;

/** Crashes per host per hour (the service's own rate, or a crash loop's): one a minute. */
export const MAX_CRASHES_PER_HOST_HOUR = 60;

/** Value of one checkout, in any currency. */
export const MAX_CHECKOUT_VALUE = 1e9;

/** Relative weight of a bad-build template. */
export const MAX_WEIGHT = 1e6;

/** Bytes a memory leak keeps per request: 1 GiB. */
export const MAX_LEAK_BYTES_PER_REQUEST = 2 ** 30;

// ---- input size ------------------------------------------------------------------

/** Size of a scenario or policy file: 1 MiB (the built-in files are under 11 KB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Nesting depth of a scenario or policy document (the built-in files nest 8 deep). */
export const MAX_YAML_DEPTH = 64;

/** Values in a scenario or policy document after aliases are expanded. */
export const MAX_YAML_NODES = 100_000;

/** Size of a recorded trace (traffic or business CSV): 64 MiB, a year of minutes is ~20 MB. */
export const MAX_TRACE_BYTES = 64 * 1024 * 1024;

/** Characters in one CSV record of the backtester's inputs: 1 MiB. */
export const MAX_CSV_RECORD_CHARS = 1024 * 1024;

/** Said after a value that crosses one of these limits, so a reader knows where they are written down. */
export const LIMIT_NOTE = "gatesim's limit, see Limits in docs/formats.md";
