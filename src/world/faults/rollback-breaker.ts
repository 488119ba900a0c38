/**
 * rollback-breaker: the build ships a schema migration (a dropped column, a renamed enum
 * value, a new non-null field) that the old code cannot live with. While the build runs,
 * nothing is wrong. Rolling back either does not complete (`fail`: the deploy tool's
 * rollback aborts and hosts stay on the new build) or completes into errors (`errors`: the
 * old code fails `errorAdd` of requests against the new schema for `duration`, until the
 * migration is reverted by hand). This is why Amazon ships backward-incompatible changes in
 * two deployments (prepare, then activate) so every revision can be rolled back ("Ensuring
 * rollback safety during deployments", Amazon Builders' Library). errorAdd 0.05 and duration 2h are judgement
 * (from the project brief); `errors` is the default mode, the more common of the two.
 */
import { z } from 'zod';
import { durationSchema } from '../../util/duration.js';
import type { Minutes, TrueEffect } from '../types.js';
import { checkParams, shareSchema } from './shared/params.js';
import type { FaultInstance, FaultModel, RollbackEffect } from './types.js';

const schema = z.strictObject({
  mode: z.enum(['fail', 'errors']).default('errors'),
  errorAdd: shareSchema.default(0.05),
  duration: durationSchema.default(120),
});

export type RollbackBreakerParams = z.output<typeof schema>;

class RollbackBreakerFault implements FaultInstance {
  readonly kind = 'rollback-breaker';
  readonly ciKind = 'rollback-breaker';
  readonly benign = false;
  readonly rollback: RollbackEffect;

  constructor(readonly params: RollbackBreakerParams) {
    this.rollback = rollbackEffect(params);
  }

  apply(): void {
    // No effect while the build runs: the damage is done only by rolling back.
  }

  nextRestart(): Minutes {
    return Infinity;
  }

  onset(): Minutes {
    return Infinity;
  }

  trueEffect(): TrueEffect {
    return { errorRatePp: 0, p99Ratio: 1, conversionDropPct: 0, resourceExhaustion: false };
  }
}

function rollbackEffect(p: RollbackBreakerParams): RollbackEffect {
  switch (p.mode) {
    case 'fail':
      return { fails: true, errorAdd: 0, durationMin: 0 };
    case 'errors':
      return { fails: false, errorAdd: p.errorAdd, durationMin: p.duration };
    default: {
      const never: never = p.mode;
      throw new Error(`unknown rollback-breaker mode ${String(never)}`);
    }
  }
}

/** A migration that makes rolling back fail or fail requests. */
export const rollbackBreakerFault: FaultModel<RollbackBreakerParams> = {
  kind: 'rollback-breaker',
  summary:
    'A schema migration: harmless while the build runs; rolling back fails or causes errors.',
  params: schema,
  create: (params) => new RollbackBreakerFault(checkParams('rollback-breaker', schema, params)),
};
