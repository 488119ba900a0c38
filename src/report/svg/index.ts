/** The SVG chart toolkit used by the HTML report and by `gatesim explain`. */
export { Markup, el, fragment, trusted, fmt, type Attrs, type Child } from './markup.js';
export {
  linearScale,
  bandScale,
  niceTicks,
  niceDomain,
  niceStep,
  niceTimeStep,
  niceTimeDomain,
  timeScale,
  type LinearScale,
  type BandScale,
} from './scale.js';
export { PALETTE, THEME, colorAt, textWidth, truncate } from './theme.js';
export {
  frame,
  axisBottom,
  axisLeft,
  legend,
  type FrameOptions,
  type AxisOptions,
  type LegendItem,
  type Margins,
} from './frame.js';
export { renderBarChart, type BarDatum, type BarChartOptions } from './bar-chart.js';
export {
  renderScatter,
  paretoFront,
  placeLabels,
  type ScatterPoint,
  type ScatterOptions,
} from './scatter.js';
export {
  renderHistogram,
  histogramBins,
  type HistogramBin,
  type HistogramOptions,
} from './histogram.js';
export {
  renderTimelineSvg,
  renderTimeline,
  markerKindFor,
  type MarkerKind,
  type TimelineSeries,
  type TimelineMarker,
  type TimelineOptions,
} from './timeline.js';
