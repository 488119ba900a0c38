/**
 * Importers: a team's existing deployment configuration (Argo Rollouts, Flagger, AWS CodeDeploy,
 * AWS AppConfig) turned into a gatesim policy with a comment on each field, plus the list of
 * source fields that could not be modelled.
 */
export { importArgoRollouts } from './argo-rollouts.js';
export type { ArgoImportOptions } from './argo-rollouts.js';
export { importFlagger } from './flagger.js';
export type { FlaggerImportOptions } from './flagger.js';
export { importCodeDeploy, CODEDEPLOY_PREDEFINED } from './codedeploy.js';
export type { CodeDeployImportOptions } from './codedeploy.js';
export { importAppConfig, APPCONFIG_PREDEFINED, appConfigSteps } from './appconfig.js';
export type { AppConfigImportOptions } from './appconfig.js';
export type { ConfigInput } from './names.js';
export { formatGap } from './context.js';
export { analyseConditions, argoPhase } from './conditions.js';
export type { ConditionAnalysis, MeasurementPhase, Segment } from './conditions.js';
export { parseExpr, ExprSyntaxError } from './expr/parse.js';
export { printExpr } from './expr/ast.js';
export type { Expr } from './expr/ast.js';
export { parseMapRules, UNITS } from './metric-map.js';
export type { MapRule, Unit } from './metric-map.js';
export { writePolicy } from './draft.js';
export type { DraftPolicy, FileDelay } from './draft.js';
export { DEFAULT_AB_SHARE, DEFAULT_APPROVAL_DELAY, DEFAULT_CODEDEPLOY_HOSTS } from './types.js';
export type {
  CommonImportOptions,
  Gap,
  GapKind,
  ImportResult,
  MappingNote,
  SourceText,
} from './types.js';
