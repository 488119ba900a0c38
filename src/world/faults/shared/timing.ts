import type { CohortView, Minutes } from '../../types.js';

/** `t` when it falls before `limit`, else Infinity (the contract for onsets and restarts). */
export function beforeLimit(t: Minutes, limit: Minutes): Minutes {
  return t < limit ? t : Infinity;
}

/** True when the cohort's hosts are down after a fault-driven restart (a deploy is not one). */
export function isRestarting(cohort: CohortView, t: Minutes, restartMinutes: Minutes): boolean {
  return (
    cohort.lastRestartAt > cohort.deployedAt &&
    t >= cohort.lastRestartAt &&
    t < cohort.lastRestartAt + restartMinutes
  );
}

/**
 * When the current process began serving: the deploy itself (a deploy's minutes already
 * include start-up), or the end of the restart window after a fault-driven restart. Leaks
 * accumulate from here: a host that is down receives no requests.
 */
export function processStart(cohort: CohortView, restartMinutes: Minutes): Minutes {
  return cohort.lastRestartAt > cohort.deployedAt
    ? cohort.lastRestartAt + restartMinutes
    : cohort.lastRestartAt;
}

/**
 * The next restart after `from` for a fault whose process dies at `failureAt(start)` when
 * started at `start`, following the chain of restarts the fault itself implies: if the
 * failure the cohort's current process is heading for is already at or before `from` (the
 * caller asks late), the host would have restarted then, come back `restartMinutes` later
 * and failed again, and so on. Terminates because each link advances by at least
 * `restartMinutes` > 0; `failureAt` returns Infinity when the failure is not before `limit`.
 */
export function nextRestartInChain(
  cohort: CohortView,
  from: Minutes,
  limit: Minutes,
  restartMinutes: Minutes,
  failureAt: (start: Minutes) => Minutes,
): Minutes {
  let failure = failureAt(processStart(cohort, restartMinutes));
  while (failure <= from) failure = failureAt(failure + restartMinutes);
  return beforeLimit(failure, limit);
}
