/**
 * gatesim's public API. Explicit names only: what is exported here is supported; anything
 * reached by a deeper path is internal and may change.
 */

// Statistics the judges rest on, usable on their own and checkable against references.
export { mannWhitneyU, wilsonInterval, mcnemar, normalCdf, normalQuantile } from './stats/index.js';
export type { Alternative, MannWhitneyOptions, MannWhitneyResult } from './stats/index.js';

// Plugin registries and contracts.
export { JUDGES } from './judges/index.js';
export type {
  Judge,
  JudgeInput,
  JudgeModel,
  JudgeResult,
  MetricData,
  Verdict,
} from './judges/types.js';
export { FAULTS } from './world/faults/index.js';
export type {
  FaultInstance,
  FaultModel,
  FleetFacts,
  RollbackEffect,
} from './world/faults/types.js';
export { CONFOUNDERS } from './world/confounders/index.js';
export type { ConfounderInstance, ConfounderModel } from './world/confounders/types.js';

// Configuration.
export {
  loadScenario,
  loadPolicy,
  parseScenario,
  parsePolicy,
  checkPolicyAgainstScenario,
} from './config/index.js';
export type {
  ScenarioConfig,
  MetricName,
  MetricPoint,
  Minutes,
  TrueEffect,
} from './world/types.js';
export type { PolicyConfig, StageConfig, CheckConfig, TargetConfig } from './policy/types.js';

// Running trials and studies.
export { runTrial } from './pipeline/executor.js';
export type { TrialOptions, TrialResult } from './pipeline/executor.js';
export type {
  TrialOutcome,
  FinalState,
  Impact,
  TimelineEntry,
  BuildTruth,
} from './pipeline/types.js';
export { CheckRunCounter } from './pipeline/check-run.js';
export { runStudyChunks, StudyFold, planChunks } from './eval/study.js';
export { evaluate } from './eval/evaluate.js';
export type { EvaluateOptions } from './eval/evaluate.js';
export type { StudyOptions, ShardSpec } from './eval/study.js';
export type {
  Summary,
  PairResult,
  Comparison,
  RateWithInterval,
  Distribution,
  FridayTest,
} from './eval/types.js';

// Searching policy structure and numbers for a policy that beats the given ones.
export {
  recommend,
  loadSpace,
  parseSpace,
  writeRecommendOutputs,
  renderRecommendMarkdown,
} from './recommend/index.js';
export type {
  RecommendOptions,
  RecommendResult,
  GivenPolicy,
  Space,
  Dimension,
  Constraint as RecommendConstraint,
} from './recommend/index.js';

// The deploy stream: a team's weeks of changes under each policy (docs/stream.md).
export {
  runStreamStudy,
  runStream,
  overrideProbability,
  writeStreamReport,
  renderStreamJson,
} from './stream/index.js';
export type {
  StreamStudyOptions,
  StreamStudyResult,
  PolicyStreamFigures,
  StreamCrossover,
  DeployRecord,
  StreamSettings,
  Estimate,
} from './stream/index.js';

// Test-suite helper (matchers: `gatesim/vitest`).
export { simulate } from './testing/index.js';
export type { Simulation, SimulateOptions } from './testing/index.js';

// Engine and random streams, for plugin authors and tests.
export { EventQueue, Simulator } from './engine/index.js';
export { streamFor, TrialStreams } from './random/index.js';
export type { RandomStream, StreamKey } from './random/index.js';

export { GatesimError, ValidationError } from './errors.js';
export type { ValidationIssue } from './errors.js';
