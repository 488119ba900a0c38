/**
 * A policy bound for running: every check's judge looked up in the registry and its
 * parameters parsed once, so a check run only makes a judge. The binding stays in the thread
 * that made it (it holds the judges' factories): a worker binds the plain policy it receives.
 */
import { GatesimError } from '../errors.js';
import type { Judge, JudgeModel } from '../judges/types.js';
import type { CheckConfig, PolicyConfig } from '../policy/types.js';
import type { MetricName } from '../world/types.js';

/** A check with its judge and parameters, ready to start runs. */
export interface CheckBinding {
  readonly check: CheckConfig;
  readonly model: JudgeModel;
  /** Every metric the judge reads (multi-metric judges read more than the check's own). */
  readonly metrics: readonly MetricName[];
  /** Past weeks of seasonal data the judge reads (1 for most; 0 when it reads none). */
  readonly seasonalWeeks: number;
  /** A fresh judge for one run (judges may keep state between measurements). */
  judge(): Judge;
}

export interface PolicyBinding {
  readonly policy: PolicyConfig;
  /** Per stage, its checks, in the policy's order. */
  readonly stages: readonly (readonly CheckBinding[])[];
  /** The post-deploy watch's checks (none without a watch). */
  readonly watch: readonly CheckBinding[];
}

/**
 * Binds a policy's checks against judge families (the program's own: `liveRegistries.judges`).
 * @throws GatesimError for an unknown judge or parameters its schema rejects.
 */
export function bindPolicy(
  policy: PolicyConfig,
  judges: Readonly<Record<string, JudgeModel>>,
): PolicyBinding {
  const bind = (check: CheckConfig) => bindCheck(check, judges);
  return {
    policy,
    stages: policy.stages.map((stage) => stage.checks.map(bind)),
    watch: policy.watch?.checks.map(bind) ?? [],
  };
}

function bindCheck(check: CheckConfig, judges: Readonly<Record<string, JudgeModel>>): CheckBinding {
  const model = Object.hasOwn(judges, check.judge.kind) ? judges[check.judge.kind] : undefined;
  if (model === undefined) {
    throw new GatesimError(
      'unknown-judge',
      `unknown judge "${check.judge.kind}" in check ${check.name}`,
    );
  }
  return bindParams(model, check);
}

/** The model and its parsed parameters travel together, so `create` gets the type it expects. */
function bindParams<P>(model: JudgeModel<P>, check: CheckConfig): CheckBinding {
  const parsed = model.params.safeParse(check.judge.params);
  if (!parsed.success) {
    throw new GatesimError(
      'invalid-input',
      `check ${check.name}: invalid ${check.judge.kind} parameters: ${parsed.error.issues.map((x) => x.message).join('; ')}`,
    );
  }
  const params = parsed.data;
  return {
    check,
    model: model as JudgeModel,
    metrics: model.metrics(params, check.metric),
    seasonalWeeks: model.needs.seasonal ? (model.seasonalWeeks?.(params) ?? 1) : 0,
    judge: () => model.create(params),
  };
}
