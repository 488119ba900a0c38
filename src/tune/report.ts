/**
 * The tuning report: report.md and a self-contained report.html (inline CSS and SVG, no
 * scripts) with the recommendation, every setting tried, and one trade-off chart per
 * parameter: blocked-good against shipped-bad as the parameter moves, like an ROC curve,
 * with the recommended point marked and the constraint drawn.
 */
import type { QuantileWithInterval } from '../check/bounds.js';
import { formatQuantileInterval } from '../check/table.js';
import type { RateWithInterval } from '../eval/types.js';
import { escapeMarkdown } from '../report/escape.js';
import {
  formatMinutes,
  formatPercent,
  formatPercentTick,
  formatRateInterval,
  NOT_AVAILABLE,
} from '../report/format.js';
import {
  axisBottom,
  axisLeft,
  colorAt,
  el,
  fmt,
  fragment,
  frame,
  linearScale,
  niceDomain,
  textWidth,
  THEME,
  trusted,
  type Markup,
} from '../report/svg/index.js';
import { paramNames } from './search.js';
import { showParamValue } from './template.js';
import type { CandidateResult, Constraint, ScenarioFigures, TuneResult } from './types.js';

/** `blocked-good ≤ 5%` and friends. */
export function describeConstraint(c: Constraint): string {
  switch (c.kind) {
    case 'max-blocked-good':
      return `blocked-good ≤ ${formatPercent(c.limit)}`;
    case 'max-shipped-bad':
      return `shipped-bad ≤ ${formatPercent(c.limit)}`;
    case 'max-lead-time-p90':
      return `lead time p90 ≤ ${formatMinutes(c.limit)}`;
    default: {
      const never: never = c;
      throw new Error(`unknown constraint ${JSON.stringify(never)}`);
    }
  }
}

/** What the constraint makes the tuner minimise. */
export function describeObjective(c: Constraint): string {
  return c.kind === 'max-shipped-bad' ? 'the lowest blocked-good' : 'the lowest shipped-bad';
}

function rate(r: RateWithInterval): string {
  return r.of === 0 ? `${NOT_AVAILABLE} (none)` : `${formatRateInterval(r)} · ${r.count}/${r.of}`;
}

function quantile(q: QuantileWithInterval): string {
  return formatQuantileInterval(q);
}

/** A code span; text that could break out of one is escaped as plain text instead. */
function code(text: string): string {
  return /[`|\n]/.test(text) ? escapeMarkdown(text) : `\`${text}\``;
}

function boundWords(r: TuneResult): string {
  return r.bound === 'upper'
    ? 'judged on the 95% interval’s upper bound'
    : 'judged on the estimate';
}

function headline(r: TuneResult): string {
  const scen = `${r.scenarios.length} scenario${r.scenarios.length === 1 ? '' : 's'}`;
  const how =
    r.method === 'grid'
      ? `a grid of ${r.candidates.length} settings`
      : `a Latin hypercube of ${r.candidates.length} settings narrowed by successive halving ` +
        `(${r.rounds.map((x) => `${x.candidates} × ${x.trials}`).join(' → ')} trials)`;
  return (
    `Seed ${r.seed} · ${r.trials} trials per setting on each of ${scen} (${r.scenarios.join(', ')}) · ${how}. ` +
    `Every setting sees the same builds, start times and confounders (common random numbers), so differences are paired.`
  );
}

/** The constrained figure as judged, for a scenario row: `3.1% ✓`, `7.9% ✗`, `n/a`. */
function constraintCell(r: TuneResult, f: ScenarioFigures): string {
  if (f.constrained === undefined) return 'n/a';
  const v =
    r.constraint.kind === 'max-lead-time-p90'
      ? f.constrained === Infinity
        ? '∞'
        : formatMinutes(f.constrained)
      : precisePercent(f.constrained, r.constraint.limit);
  return `${v} ${f.meets ? 'meets' : 'misses'}`;
}

/** A rate that rounds to the limit keeps a second decimal, so `5.03% misses` reads right. */
function precisePercent(v: number, limit: number): string {
  const shown = formatPercent(v);
  return shown === formatPercent(limit) && v !== limit ? `${(v * 100).toFixed(2)}%` : shown;
}

/** One row per scenario of a setting: its figures and where it stands on the constraint. */
function scenarioCells(r: TuneResult, c: CandidateResult): string[][] {
  return c.scenarioFigures.map((f) => [
    f.scenario,
    rate(f.shippedBad),
    rate(f.blockedGood),
    f.leadTimeP90.n === 0 ? NOT_AVAILABLE : quantile(f.leadTimeP90),
    constraintCell(r, f),
  ]);
}

function scenarioHeader(r: TuneResult): string[] {
  return [
    'scenario',
    'shipped-bad',
    'blocked-good',
    'lead time p90',
    `${describeConstraint(r.constraint)} (${r.bound === 'upper' ? '95% upper' : 'estimate'})`,
  ];
}

function constraintWords(r: TuneResult): string {
  return r.perScenario
    ? `${describeConstraint(r.constraint)} on every scenario, ${boundWords(r)}`
    : `${describeConstraint(r.constraint)} on the pooled figures, ${boundWords(r)}`;
}

function recommendedOf(r: TuneResult): CandidateResult | undefined {
  return r.recommended === undefined ? undefined : r.candidates[r.recommended];
}

function status(c: CandidateResult, r: TuneResult): string {
  const parts: string[] = [];
  if (c.id === r.recommended) parts.push('recommended');
  if (c.pareto) parts.push('Pareto');
  if (c.trials === r.trials) parts.push(c.feasible ? 'meets' : 'misses');
  else parts.push(`dropped after ${c.trials} trials`);
  return parts.join(' · ');
}

/** report.md */
export function renderTuneMarkdown(r: TuneResult, tunedFile: string | undefined): string {
  const names = paramNames(r.params);
  const lines: string[] = [];
  lines.push(`# Tuning ${code(r.policy)}`, '');
  lines.push(headline(r), '');
  lines.push(
    `Constraint: ${constraintWords(r)}. Objective: ${describeObjective(r.constraint)}; ties go to the lower other rate, then the shorter lead time. ` +
      `The ranked figures pool every scenario's trials.`,
    '',
  );
  if (r.warnings.length > 0) {
    lines.push('## Warnings', '');
    for (const w of r.warnings) lines.push(`- ${escapeMarkdown(w)}`);
    lines.push('');
  }
  lines.push('## Recommendation', '');
  const rec = recommendedOf(r);
  const mdRow = (cells: readonly string[]): string =>
    `| ${cells.map((c) => escapeMarkdown(c)).join(' | ')} |`;
  if (rec === undefined) {
    lines.push(
      `No setting meets ${constraintWords(r)}. Widen the ranges, relax the constraint, or run more trials (a tighter interval).`,
      '',
    );
  } else {
    lines.push('| parameter | in the file | recommended |', '| --- | --- | --- |');
    r.params.forEach((p, i) => {
      lines.push(
        `| ${code(p.path)} | ${showParamValue(p, p.original)} | **${showParamValue(p, rec.values[i])}** |`,
      );
    });
    lines.push('');
    lines.push(
      `Shipped-bad ${rate(rec.pooled.shippedBad)}; blocked-good ${rate(rec.pooled.blockedGood)}; lead time p90 ${quantile(rec.leadTimeP90)}.`,
      '',
    );
    if (tunedFile !== undefined) lines.push(`Tuned policy: ${code(tunedFile)}.`, '');
    lines.push('### The recommended setting by scenario', '');
    lines.push(mdRow(scenarioHeader(r)), '| --- | --- | --- | --- | --- |');
    for (const row of scenarioCells(r, rec)) lines.push(mdRow(row));
    lines.push('');
  }
  lines.push('## Every setting', '');
  lines.push(
    `| # | ${names.map((n) => escapeMarkdown(n)).join(' | ')} | shipped-bad | blocked-good | lead time p90 | trials | |`,
    `| ---: | ${names.map(() => '---:').join(' | ')} | --- | --- | --- | ---: | --- |`,
  );
  for (const c of r.candidates) {
    lines.push(
      `| ${c.id + 1} | ${c.values.map((v, i) => showParamValue(r.params[i]!, v)).join(' | ')} | ${rate(c.pooled.shippedBad)} | ${rate(c.pooled.blockedGood)} | ${quantile(c.leadTimeP90)} | ${c.trials} | ${status(c, r)} |`,
    );
  }
  lines.push('');
  lines.push(
    'Pareto: no other setting that ran the full trials is at least as good on shipped-bad, blocked-good and lead time p90 and better on one.',
    '',
  );
  lines.push('## Every setting by scenario', '');
  lines.push(
    `Figures at each setting's last round (its trials above).`,
    '',
    mdRow(['#', ...scenarioHeader(r)]),
    '| ---: | --- | --- | --- | --- | --- |',
  );
  for (const c of r.candidates)
    for (const row of scenarioCells(r, c)) lines.push(mdRow([String(c.id + 1), ...row]));
  lines.push('');
  if (r.skipped.length > 0) {
    lines.push('## Settings left out', '');
    for (const s of r.skipped) {
      lines.push(
        `- ${s.values.map((v, i) => `${escapeMarkdown(names[i]!)}=${showParamValue(r.params[i]!, v)}`).join(', ')}: ${escapeMarkdown(s.reason)}`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

interface CurvePoint {
  x: number;
  y: number;
  label: string;
  recommended: boolean;
  faded: boolean;
  xLo: number;
  xHi: number;
  yLo: number;
  yHi: number;
}

/**
 * One parameter's trade-off: blocked-good (x) against shipped-bad (y). On a grid the other
 * parameters are held at the recommended setting, so the line traces this parameter alone;
 * in a hypercube every setting is shown, labelled by this parameter's value.
 */
export function tradeoffPoints(
  r: TuneResult,
  param: number,
): { points: CurvePoint[]; line: boolean } {
  const ref =
    recommendedOf(r) ?? r.candidates.find((c) => c.trials === r.trials) ?? r.candidates[0];
  const slice =
    r.method === 'grid' && ref !== undefined
      ? r.candidates.filter((c) => c.values.every((v, i) => i === param || v === ref.values[i]))
      : r.candidates;
  const sorted = [...slice].sort((a, b) => a.values[param]! - b.values[param]! || a.id - b.id);
  return {
    line: r.method === 'grid',
    points: sorted.map((c) => ({
      x: c.pooled.blockedGood.rate,
      y: c.pooled.shippedBad.rate,
      xLo: c.pooled.blockedGood.lo,
      xHi: c.pooled.blockedGood.hi,
      yLo: c.pooled.shippedBad.lo,
      yHi: c.pooled.shippedBad.hi,
      label: showParamValue(r.params[param]!, c.values[param]),
      recommended: c.id === r.recommended,
      faded: c.trials < r.trials,
    })),
  };
}

/** The chart for one parameter. */
export function renderTradeoffChart(r: TuneResult, param: number): Markup {
  const p = r.params[param]!;
  const { points, line } = tradeoffPoints(r, param);
  const width = 480;
  const height = 380;
  const margin = { top: 44, right: 24, bottom: 80, left: 62 };
  const maxX = Math.max(0.01, ...points.map((q) => q.xHi));
  const maxY = Math.max(0.01, ...points.map((q) => q.yHi));
  const limitX = r.constraint.kind === 'max-blocked-good' ? r.constraint.limit : undefined;
  const limitY = r.constraint.kind === 'max-shipped-bad' ? r.constraint.limit : undefined;
  const x = linearScale(niceDomain(0, Math.max(maxX, limitX ?? 0), 4), [
    margin.left,
    width - margin.right,
  ]);
  const y = linearScale(niceDomain(0, Math.max(maxY, limitY ?? 0), 4), [
    height - margin.bottom,
    margin.top,
  ]);
  const color = colorAt(param);
  const path =
    line && points.length > 1
      ? el('polyline', {
          points: points.map((q) => `${fmt(x(q.x))},${fmt(y(q.y))}`).join(' '),
          fill: 'none',
          stroke: color,
          'stroke-width': 1.5,
        })
      : undefined;
  const limit =
    limitX !== undefined
      ? el('line', {
          class: 'constraint',
          x1: x(limitX),
          x2: x(limitX),
          y1: margin.top,
          y2: height - margin.bottom,
          stroke: '#b00020',
          'stroke-dasharray': '5 4',
        })
      : limitY !== undefined
        ? el('line', {
            class: 'constraint',
            x1: margin.left,
            x2: width - margin.right,
            y1: y(limitY),
            y2: y(limitY),
            stroke: '#b00020',
            'stroke-dasharray': '5 4',
          })
        : undefined;
  const labels = placeLabels(
    points,
    x,
    y,
    [margin.left, width - margin.right],
    [margin.top, height - margin.bottom],
  );
  const marks = points.map((q) =>
    el(
      'g',
      { class: q.recommended ? 'point recommended' : 'point', opacity: q.faded ? 0.4 : 1 },
      el(
        'title',
        {},
        `${p.path} = ${q.label}: blocked-good ${formatPercent(q.x)} (${formatPercent(q.xLo)}–${formatPercent(q.xHi)}), ` +
          `shipped-bad ${formatPercent(q.y)} (${formatPercent(q.yLo)}–${formatPercent(q.yHi)})`,
      ),
      el('line', {
        x1: x(q.xLo),
        x2: x(q.xHi),
        y1: y(q.y),
        y2: y(q.y),
        stroke: color,
        'stroke-opacity': 0.35,
      }),
      el('line', {
        x1: x(q.x),
        x2: x(q.x),
        y1: y(q.yLo),
        y2: y(q.yHi),
        stroke: color,
        'stroke-opacity': 0.35,
      }),
      q.recommended
        ? el('circle', {
            cx: x(q.x),
            cy: y(q.y),
            r: 9,
            fill: 'none',
            stroke: '#b00020',
            'stroke-width': 2,
          })
        : undefined,
      el('circle', {
        cx: x(q.x),
        cy: y(q.y),
        r: 4,
        fill: color,
        stroke: '#ffffff',
        'stroke-width': 1,
      }),
      labels.get(q) ?? undefined,
    ),
  );
  const note = [
    limitX !== undefined || limitY !== undefined ? 'Dashed: the constraint.' : '',
    r.recommended !== undefined ? 'Ringed: recommended.' : '',
    'Lines: 95% intervals.',
  ]
    .filter((s) => s !== '')
    .join(' ');
  return frame(
    {
      width,
      height,
      title: `Trade-off as ${p.path} moves`,
      description: `Blocked-good against shipped-bad for each value of ${p.path}; 95% intervals as crosshairs.`,
      className: 'tradeoff',
    },
    axisBottom({
      scale: x,
      at: height - margin.bottom,
      gridTo: margin.top,
      format: formatPercentTick,
      label: 'blocked-good (share of good builds)',
    }),
    axisLeft({
      scale: y,
      at: margin.left,
      gridTo: width - margin.right,
      format: formatPercentTick,
      label: 'shipped-bad (share of bad builds)',
    }),
    limit,
    path,
    ...marks,
    el(
      'text',
      { x: margin.left, y: height - 22, fill: THEME.muted, 'font-size': 11 },
      line
        ? 'Line: this parameter alone, the others at the recommended setting.'
        : 'Every setting tried, labelled by this parameter.',
    ),
    el('text', { x: margin.left, y: height - 8, fill: THEME.muted, 'font-size': 11 }, note),
  );
}

/**
 * Places value labels beside their points where they do not overlap one placed earlier
 * (the recommended point's first); a label with no free spot is left to the tooltip.
 */
function placeLabels(
  points: readonly CurvePoint[],
  x: (v: number) => number,
  y: (v: number) => number,
  xRange: readonly [number, number],
  yRange: readonly [number, number],
): Map<CurvePoint, Markup> {
  const size = 11;
  const placed: { x0: number; x1: number; y0: number; y1: number }[] = [];
  const out = new Map<CurvePoint, Markup>();
  const order = [...points].sort((a, b) => Number(b.recommended) - Number(a.recommended));
  for (const q of order) {
    const px = x(q.x);
    const py = y(q.y);
    const w = textWidth(q.label, size);
    for (const [dx, dy, anchor] of [
      [7, -6, 'start'],
      [7, 14, 'start'],
      [-7, -6, 'end'],
      [-7, 14, 'end'],
    ] as const) {
      const x0 = anchor === 'start' ? px + dx : px + dx - w;
      const box = { x0, x1: x0 + w, y0: py + dy - size + 2, y1: py + dy + 2 };
      const inside =
        box.x0 >= xRange[0] &&
        box.x1 <= xRange[1] + 20 &&
        box.y0 >= yRange[0] - 14 &&
        box.y1 <= yRange[1];
      const free = placed.every(
        (b) => box.x1 < b.x0 || box.x0 > b.x1 || box.y1 < b.y0 || box.y0 > b.y1,
      );
      if (inside && free) {
        placed.push(box);
        out.set(
          q,
          el(
            'text',
            { x: px + dx, y: py + dy, 'font-size': size, fill: THEME.muted, 'text-anchor': anchor },
            q.label,
          ),
        );
        break;
      }
    }
  }
  return out;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0 auto; max-width: 1100px; padding: 0 20px 32px; background: #fafafa; }
h1 { font-size: 24px; } h2 { font-size: 19px; margin-top: 28px; border-top: 1px solid #ddd; padding-top: 10px; }
table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; }
th { background: #f2f2f2; } td.name, th.name { text-align: left; }
tr.recommended td { background: #fff4e5; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .charts > svg { border: 1px solid #e3e3e3; border-radius: 4px; }
.note { color: #555; } .fail { color: #b00020; font-weight: 600; } code { background: #f0f0f0; padding: 0 3px; border-radius: 3px; }
`;

function table(
  header: readonly string[],
  rows: readonly (readonly (string | Markup)[])[],
  rowClass?: (i: number) => string | undefined,
): Markup {
  return el(
    'table',
    {},
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        header.map((h, i) => el('th', i === 0 ? { class: 'name' } : {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((row, k) =>
        el(
          'tr',
          { class: rowClass?.(k) },
          row.map((c, i) => el('td', i === 0 ? { class: 'name' } : {}, c)),
        ),
      ),
    ),
  );
}

/** report.html */
export function renderTuneHtml(r: TuneResult, tunedFile: string | undefined): string {
  const names = paramNames(r.params);
  const rec = recommendedOf(r);
  const body = fragment(
    el('h1', {}, 'Tuning ', el('code', {}, r.policy)),
    el('p', { class: 'note' }, headline(r)),
    el(
      'p',
      {},
      `Constraint: ${constraintWords(r)}. Objective: ${describeObjective(r.constraint)}; ties go to the lower other rate, then the shorter lead time. The ranked figures pool every scenario's trials.`,
    ),
    r.warnings.length === 0
      ? undefined
      : fragment(
          el('h2', {}, 'Warnings'),
          el(
            'ul',
            {},
            r.warnings.map((w) => el('li', { class: 'fail' }, w)),
          ),
        ),
    el('h2', {}, 'Recommendation'),
    rec === undefined
      ? el(
          'p',
          { class: 'fail' },
          `No setting meets ${constraintWords(r)}. Widen the ranges, relax the constraint, or run more trials.`,
        )
      : fragment(
          table(
            ['parameter', 'in the file', 'recommended'],
            r.params.map((p, i) => [
              el('code', {}, p.path),
              showParamValue(p, p.original),
              el('strong', {}, showParamValue(p, rec.values[i])),
            ]),
          ),
          el(
            'p',
            {},
            `Shipped-bad ${rate(rec.pooled.shippedBad)}; blocked-good ${rate(rec.pooled.blockedGood)}; lead time p90 ${quantile(rec.leadTimeP90)}.`,
          ),
          tunedFile === undefined
            ? undefined
            : el('p', {}, 'Tuned policy: ', el('code', {}, tunedFile)),
          table(scenarioHeader(r), scenarioCells(r, rec)),
        ),
    el('h2', {}, 'Trade-off curves'),
    el(
      'div',
      { class: 'charts' },
      r.params.map((_, i) => renderTradeoffChart(r, i)),
    ),
    el('h2', {}, 'Every setting'),
    table(
      ['#', ...names, 'shipped-bad', 'blocked-good', 'lead time p90', 'trials', ''],
      r.candidates.map((c) => [
        String(c.id + 1),
        ...c.values.map((v, i) => showParamValue(r.params[i]!, v)),
        rate(c.pooled.shippedBad),
        rate(c.pooled.blockedGood),
        quantile(c.leadTimeP90),
        String(c.trials),
        status(c, r),
      ]),
      (k) => (r.candidates[k]!.id === r.recommended ? 'recommended' : undefined),
    ),
    el(
      'p',
      { class: 'note' },
      'Pareto: no other setting that ran the full trials is at least as good on shipped-bad, blocked-good and lead time p90 and better on one.',
    ),
    el('h2', {}, 'Every setting by scenario'),
    table(
      ['#', ...scenarioHeader(r)],
      r.candidates.flatMap((c) => scenarioCells(r, c).map((row) => [String(c.id + 1), ...row])),
    ),
    r.skipped.length === 0
      ? undefined
      : fragment(
          el('h2', {}, 'Settings left out'),
          el(
            'ul',
            {},
            r.skipped.map((s) =>
              el(
                'li',
                {},
                `${s.values.map((v, i) => `${names[i]}=${showParamValue(r.params[i]!, v)}`).join(', ')}: ${s.reason}`,
              ),
            ),
          ),
        ),
  );
  return (
    '<!doctype html>\n' +
    el(
      'html',
      { lang: 'en' },
      el(
        'head',
        {},
        el('meta', { charset: 'utf-8' }),
        el('meta', { 'http-equiv': 'Content-Security-Policy', content: CSP }),
        el('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
        el('title', {}, `gatesim tune: ${r.policy}`),
        el('style', {}, trusted(STYLE)),
      ),
      el('body', {}, body),
    ).value +
    '\n'
  );
}
