/** Report writers: summary.json, summary.csv, trials.csv, report.md and report.html. */
export {
  writeReports,
  openReportWriter,
  REPORT_FILES,
  REPORT_MARKER,
  type ReportFile,
  type ReportWriter,
  type WrittenReport,
} from './write-reports.js';
export {
  openOutputFolder,
  isSystemError,
  systemErrorReason,
  assertMayPublish,
  PARENT_PID_ENV,
  type OutputFolder,
  type OutputFile,
  type OutputFolderOptions,
} from './output-folder.js';
export { renderSummaryJson, sortKeysDeep } from './summary-json.js';
export { renderSummaryCsv, SUMMARY_COLUMNS, outcomeColumn, outcomeKeys } from './summary-csv.js';
export {
  TRIAL_COLUMNS,
  TrialsCsvWriter,
  trialRecord,
  type TrialColumn,
  type TrialRows,
} from './trials-csv.js';
export { renderMarkdownReport } from './markdown.js';
export { renderHtmlReport } from './html.js';
export { FIGURES, figureApplies, type Figure, type FigureScope } from './figures.js';
export {
  buildOverview,
  verdictText,
  type Overview,
  type OverviewRow,
  type SuitePoint,
  type Verdict,
} from './overview.js';
export { paretoNeighbours, referenceComparisons } from './comparisons.js';
export { escapeHtml, escapeMarkdown } from './escape.js';
export {
  DEFAULT_BUDGETS,
  budgetStatus,
  budgetsOf,
  referenceOf,
  type BudgetStatus,
} from './budgets.js';
export {
  formatPercent,
  formatRateInterval,
  formatPValue,
  formatMinutes,
  formatQuantiles,
  formatCount,
  formatPp,
  formatNumber,
  NOT_AVAILABLE,
} from './format.js';
export {
  renderTimelineSvg,
  renderTimeline,
  markerKindFor,
  type MarkerKind,
  type TimelineSeries,
  type TimelineMarker,
  type TimelineOptions,
} from './svg/timeline.js';
