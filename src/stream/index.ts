/** The deploy stream: a team's weeks of changes under a policy (docs/stream.md). */
export {
  arrivalTimes,
  batchBuild,
  drawChanges,
  type BatchItem,
  type Change,
  type ChangeVerdicts,
  type DeployBatch,
} from './arrivals.js';
export { emergencyPolicy, overridePolicy } from './override-policy.js';
export {
  overrideProbability,
  streamSettings,
  type FatigueCurve,
  type StreamSettings,
} from './settings.js';
export {
  DEPLOY_STRIDE,
  MAX_STREAM_DEPLOYS,
  pipelineMinutes,
  runStream,
  type DeployRecord,
  type StreamCounts,
  type StreamFigures,
  type StreamRun,
  type StreamVariant,
  type StreamWorld,
} from './simulate.js';
export { estimate, t95, type Estimate } from './summary.js';
export {
  assembleStreamStudy,
  crossoverPoint,
  DEFAULT_SWEEP_STREAMS,
  policyFigures,
  runStreamStudy,
  runStreamTasks,
  studyShape,
  sweepCurves,
  SWEEP_FLAKY,
  type CrossoverCurve,
  type StreamCrossover,
  type KeyedResult,
  type PolicyStreamFigures,
  type ScenarioStreamResult,
  type ShardSpec,
  type StreamStudyOptions,
  type StreamStudyResult,
  type StudyShape,
} from './study.js';
export {
  explainStreamDeploy,
  runStreamTask,
  teamClock,
  type StreamDeployKey,
  type StreamTask,
  type StreamTaskResult,
} from './task.js';
export {
  DEPLOY_COLUMNS,
  renderStreamHtml,
  renderStreamJson,
  renderStreamMarkdown,
  openStreamReport,
  STREAM_FILES,
  writeStreamReport,
  type StreamReportFolder,
} from './report.js';
