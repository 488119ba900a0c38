/**
 * What happened in the world during a trial, for its timeline: every confounder occurrence that
 * overlaps the trial (another team's deploy, an upstream incident, a traffic spike, a metrics
 * gap or delay), as a `world` entry where it begins and one where it ends, so `explain` shows
 * them next to the decisions they may have caused.
 */
import type { ConfounderInstance } from '../world/confounders/types.js';
import type { Minutes } from '../world/types.js';
import type { TimelineEntry } from './types.js';

/**
 * Timeline entries (minutes since `startAt`) for the occurrences that overlap
 * [startAt, until]: one at the start (which may be before the deploy, when it was already
 * under way) and one at the end, when that comes before `until`.
 * @example worldEntries(setup.confounders, startAt, startAt + outcome.endAt)
 */
export function worldEntries(
  occurrences: readonly ConfounderInstance[],
  startAt: Minutes,
  until: Minutes,
): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const c of occurrences) {
    if (!(c.end > startAt && c.start <= until)) continue;
    const where = c.region === undefined ? 'fleet-wide' : `in ${c.region}`;
    const lasts = `${(c.end - c.start).toFixed(1)} min`;
    out.push({
      t: c.start - startAt,
      kind: 'world',
      message: `${c.kind} ${where} begins${what(c)}; lasts ${lasts}${c.start < startAt ? ' (under way when the deploy started)' : ''}`,
    });
    if (c.end <= until)
      out.push({ t: c.end - startAt, kind: 'world', message: `${c.kind} ${where} ends` });
  }
  return out;
}

/** What an occurrence does to what the checks see, where its instance says. */
function what(c: ConfounderInstance): string {
  const parts: string[] = [];
  if (c.metricsGap === true) parts.push('metric points missing');
  if (c.metricsDelayMin !== undefined)
    parts.push(`metric points arrive ${c.metricsDelayMin.toFixed(1)} min late`);
  if (c.trafficMultiplier !== undefined) parts.push(`traffic × ${c.trafficMultiplier.toFixed(2)}`);
  if (c.apply !== undefined) parts.push('old and new hosts alike affected');
  return parts.length > 0 ? `: ${parts.join(', ')}` : '';
}
