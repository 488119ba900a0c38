import type { CheckConfig } from '../policy/types.js';
import type { Verdict } from '../judges/types.js';

/** The phase of a check run, as Argo Rollouts names an AnalysisRun's metric phases. */
export type RunPhase = 'running' | 'successful' | 'inconclusive' | 'error' | 'failed';

/**
 * Flagger keeps one failed-check counter for the whole canary analysis, across metrics and
 * traffic weights, and counts an interval once however many metrics failed in it
 * (pkg/controller/scheduler.go: runAnalysis stops at the first failing metric, and
 * advanceCanary adds one to status.failedChecks; nothing but a new revision resets it). Runs
 * that share this object count together.
 */
export interface SharedFailures {
  failed: number;
  /** Time of the last counted failure: failures at the same time count once. */
  lastAt: number;
}

/**
 * Counts measurements and decides a check run's phase with Argo Rollouts' semantics
 * (failureLimit, inconclusiveLimit, consecutiveErrorLimit, consecutiveSuccessLimit, count),
 * with failureLimit counted over the last `failureWindow` measurements when one is set (a
 * CloudWatch alarm's M of N datapoints),
 * or with Flagger's when `failedChecksThreshold` is set: failures accumulate and passes never
 * reset them; once they reach the threshold a rollback is due (`rollbackDue`), which Flagger
 * carries out at the start of its next interval, before analysing it; `count` (Flagger's
 * iterations) counts passing intervals only. Pure: no time, no I/O, so the executor and the
 * backtester share it.
 */
export class CheckRunCounter {
  measured = 0;
  passed = 0;
  failed = 0;
  inconclusive = 0;
  errors = 0;
  consecutiveErrors = 0;
  consecutiveSuccesses = 0;
  lastVerdict: Verdict | undefined = undefined;
  phase: RunPhase = 'running';
  /** With a failureWindow: whether each of the last measurements failed, oldest first. */
  private readonly recent: boolean[] = [];
  /** Failed measurements among `recent`. */
  private recentFailed = 0;

  constructor(
    private readonly check: Pick<
      CheckConfig,
      | 'failureLimit'
      | 'failureWindow'
      | 'inconclusiveLimit'
      | 'consecutiveErrorLimit'
      | 'consecutiveSuccessLimit'
      | 'count'
      | 'failedChecksThreshold'
    >,
    private readonly shared?: SharedFailures,
  ) {}

  /** Records one measurement (taken at `at`, for shared Flagger counting) and returns the run's phase after it. */
  record(verdict: Verdict, at = NaN): RunPhase {
    if (this.phase !== 'running') return this.phase;
    this.lastVerdict = verdict;
    switch (verdict) {
      case 'pass':
        this.measured++;
        this.passed++;
        this.consecutiveErrors = 0;
        this.consecutiveSuccesses++;
        break;
      case 'fail':
        this.measured++;
        this.failed++;
        if (this.shared !== undefined && !(this.shared.lastAt === at)) {
          this.shared.failed++;
          this.shared.lastAt = at;
        }
        this.consecutiveErrors = 0;
        this.consecutiveSuccesses = 0;
        break;
      case 'inconclusive':
        this.measured++;
        this.inconclusive++;
        this.consecutiveErrors = 0;
        this.consecutiveSuccesses = 0;
        break;
      case 'error':
        // Argo: errors do not count toward `count`.
        this.errors++;
        this.consecutiveErrors++;
        this.consecutiveSuccesses = 0;
        break;
      default: {
        const never: never = verdict;
        throw new Error(`unknown verdict ${String(never)}`);
      }
    }
    if (verdict !== 'error') this.remember(verdict === 'fail');
    this.phase = this.decide();
    return this.phase;
  }

  /** Slides the failure window by one measurement (errors are not measurements, as in Argo). */
  private remember(failed: boolean): void {
    const n = this.check.failureWindow;
    if (n === undefined) return;
    this.recent.push(failed);
    if (failed) this.recentFailed++;
    if (this.recent.length > n && this.recent.shift() === true) this.recentFailed--;
  }

  /** Failures counted against failureLimit: in the window when there is one, else all of them. */
  private countedFailures(): number {
    return this.check.failureWindow !== undefined ? this.recentFailed : this.failed;
  }

  /** Flagger holds the traffic weight for an interval after a failed check. */
  holdsPromotion(): boolean {
    return this.check.failedChecksThreshold !== undefined && this.lastVerdict === 'fail';
  }

  /**
   * Flagger: the failed checks have reached the threshold. Flagger tests this at the start of
   * each interval, before running the checks (scheduler.go, advanceCanary), so the rollback
   * comes one interval after the failure that reached it.
   */
  rollbackDue(): boolean {
    const t = this.check.failedChecksThreshold;
    return t !== undefined && this.flaggerFailures() >= t;
  }

  /**
   * The phase when the run is stopped from outside (its stage ended) while still running.
   * Argo terminates such a run Successful unless a limit was already crossed; an unmet
   * consecutiveSuccessLimit does not count here (docs/features/analysis.md).
   */
  finish(): RunPhase {
    if (this.phase === 'running') this.phase = this.terminal();
    return this.phase;
  }

  private flaggerFailures(): number {
    return this.shared?.failed ?? this.failed;
  }

  private decide(): RunPhase {
    const c = this.check;
    // Flagger's threshold is not a phase of the run: the controller acts on rollbackDue().
    if (
      c.failedChecksThreshold === undefined &&
      c.failureLimit >= 0 &&
      this.countedFailures() > c.failureLimit
    )
      return 'failed';
    if (this.consecutiveErrors > c.consecutiveErrorLimit) return 'error';
    if (c.inconclusiveLimit >= 0 && this.inconclusive > c.inconclusiveLimit) return 'inconclusive';
    if (c.consecutiveSuccessLimit > 0 && this.consecutiveSuccesses >= c.consecutiveSuccessLimit)
      return 'successful';
    // Flagger's iterations advance only after a passing interval (runBlueGreen, runAB).
    const counted = c.failedChecksThreshold !== undefined ? this.passed : this.measured;
    if (c.count !== undefined && counted >= c.count) return this.countReached();
    return 'running';
  }

  /**
   * The phase when `count` is reached. Argo (analysis/analysis.go, assessMetricStatus): a
   * consecutiveSuccessLimit not reached by then makes the metric Inconclusive while the
   * failureLimit applies, Failed when it is disabled (−1); otherwise Successful.
   */
  private countReached(): RunPhase {
    const c = this.check;
    const ended = this.terminal();
    if (ended !== 'successful' || c.failedChecksThreshold !== undefined) return ended;
    if (c.consecutiveSuccessLimit > 0) return c.failureLimit >= 0 ? 'inconclusive' : 'failed';
    return 'successful';
  }

  private terminal(): RunPhase {
    const c = this.check;
    if (
      c.failedChecksThreshold !== undefined
        ? this.flaggerFailures() >= c.failedChecksThreshold
        : c.failureLimit >= 0 && this.countedFailures() > c.failureLimit
    ) {
      return 'failed';
    }
    if (c.inconclusiveLimit >= 0 && this.inconclusive > c.inconclusiveLimit) return 'inconclusive';
    return 'successful';
  }
}
