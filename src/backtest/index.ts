/** Backtesting a policy on recorded metrics and deploys, and converting recorded data to gatesim's CSV. */
export {
  runBacktest,
  scoreDecisions,
  policyMetrics,
  isShippedBad,
  isBlockedGood,
  type BacktestOptions,
  type BacktestResult,
  type BacktestFigures,
  type Source,
} from './run.js';
export {
  replayDeploy,
  typicalDelay,
  productionRegions,
  STAGING_REGION,
  MAX_REPLAY_MINUTES,
  type BacktestFinal,
  type DeployDecision,
  type MeasurementRecord,
  type ReplayOptions,
} from './replay.js';
export {
  readMetrics,
  readDeploys,
  readIncidents,
  METRICS_COLUMNS,
  DEPLOYS_COLUMNS,
  INCIDENTS_COLUMNS,
  type RecordedMetrics,
  type RecordedSeries,
  type RecordedDeploy,
  type GroupDeploy,
  type SideColumn,
} from './inputs.js';
export {
  CsvTokenizer,
  csvRecords,
  tableRows,
  openCsvFile,
  type ByteSource,
  type CsvRecord,
  type ColumnSpec,
  type TableRow,
} from './csv.js';
export { toMinutes, formatTime, TIME_EPSILON } from './time.js';
export {
  writeBacktestReport,
  renderBacktestJson,
  renderBacktestMarkdown,
  renderDecisionsCsv,
  decidingMeasurement,
  csvCell,
  BACKTEST_FILES,
  DECISION_COLUMNS,
  MEASUREMENT_COLUMNS,
} from './report.js';
export {
  convertPrometheus,
  renderMetricsCsv,
  GROUP_LABELS,
  type PrometheusOptions,
  type ConvertedRow,
} from './prometheus.js';
