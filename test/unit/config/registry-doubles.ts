/**
 * Small registered test doubles, so the loader's tests do not depend on which real faults,
 * confounders and judges other modules have registered.
 */
import { z } from 'zod';
import type { Registries } from '../../../src/config/index.js';
import { GatesimError } from '../../../src/errors.js';
import type { JudgeModel } from '../../../src/judges/types.js';
import { durationSchema } from '../../../src/util/duration.js';
import type { ConfounderModel } from '../../../src/world/confounders/types.js';
import type { FaultInstance, FaultModel } from '../../../src/world/faults/types.js';

const leakParams = z.strictObject({
  bytesPerRequest: z.number().positive(),
  gcThreshold: z.number().gt(0).lt(1).default(0.85),
  onsetDelay: durationSchema.default(0),
  regions: z.array(z.string()).optional(),
});

function notSimulated(): never {
  throw new Error('test double: not for simulation');
}

function fault<P>(kind: string, params: z.ZodType<P>, check?: (p: P) => void): FaultModel<P> {
  return {
    kind,
    summary: `test double ${kind}`,
    params,
    create(p: P): FaultInstance {
      check?.(p);
      return {
        kind,
        params: p as Record<string, unknown>,
        benign: false,
        ciKind: kind,
        apply: notSimulated,
        nextRestart: notSimulated,
        onset: notSimulated,
        trueEffect: notSimulated,
      };
    },
  };
}

/** A fault with a plain (stripping) object schema, to show unknown keys are still caught. */
const errorParams = z.object({
  add: z.number().min(0).max(1).default(0),
  userShare: z.number().default(1),
});

const incidentParams = z.strictObject({
  errorAdd: z.number().min(0).max(1).default(0.02),
  duration: durationSchema.default(30),
  region: z.string().optional(),
});

const confounder: ConfounderModel<z.output<typeof incidentParams>> = {
  kind: 'test-incident',
  summary: 'test double',
  params: incidentParams,
  create: notSimulated,
};

function judge<P>(
  kind: string,
  params: z.ZodType<P>,
  needs: JudgeModel['needs'],
  defaultWindow: 'interval' | 'cumulative',
  check?: (p: P) => void,
): JudgeModel<P> {
  return {
    kind,
    summary: `test double ${kind}`,
    params,
    metrics: (_p, m) => [m],
    needs,
    defaultWindow,
    create(p: P) {
      check?.(p);
      return { evaluate: () => ({ verdict: 'pass', reason: 'test double', figures: {} }) };
    },
  };
}

const thresholdParams = z.strictObject({ max: z.number().optional(), min: z.number().optional() });
const compareParams = z.strictObject({
  confidence: z.number().gt(0).lt(1).default(0.98),
  direction: z.enum(['increase', 'decrease', 'either']).default('either'),
});

/** Registries holding only the doubles. */
export const testRegistries: Registries = {
  faults: {
    'test-leak': fault('test-leak', leakParams) as FaultModel,
    'test-error': fault('test-error', errorParams, (p) => {
      if (p.add > 0.5)
        throw new GatesimError('bad-param', 'add: above 0.5 makes no sense for a test');
    }) as FaultModel,
  },
  confounders: { 'test-incident': confounder as ConfounderModel },
  judges: {
    'test-threshold': judge(
      'test-threshold',
      thresholdParams,
      { baseline: 'none', seasonal: false, before: false },
      'interval',
      (p) => {
        if (p.max === undefined && p.min === undefined)
          throw new GatesimError('bad-param', 'set max or min');
      },
    ) as JudgeModel,
    'test-compare': judge(
      'test-compare',
      compareParams,
      { baseline: 'required', seasonal: false, before: false },
      'cumulative',
    ) as JudgeModel,
  },
};

/** Registries with nothing registered. */
export const emptyRegistries: Registries = { faults: {}, confounders: {}, judges: {} };
