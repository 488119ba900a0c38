/**
 * A policy as an importer builds it: every field carries a note saying which source field it
 * came from and how it was mapped. `writePolicy` turns it into YAML text with those notes as
 * `#` comments beside the fields (the `yaml` package's Document API keeps them attached).
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { MissingDataPolicy, TargetConfig } from '../policy/types.js';
import { formatDuration } from '../util/duration.js';
import type { MetricName, Minutes } from '../world/types.js';

/** A place in a source file: the file (as named to the user) and the path inside it. */
export interface SourceRef {
  file: string;
  path: string;
}

/** A value, the comment written beside it, and the source field it came from (when one did). */
export interface Noted<T> {
  value: T;
  note: string;
  /** The source field this value was read from; a policy the loader rejects names it. */
  from?: SourceRef;
}

/** Pairs a value with its note (and, when it was read from one, its source field). */
export function noted<T>(value: T, note: string, from?: SourceRef): Noted<T> {
  return from === undefined
    ? { value, note }
    : { value, note, from: { file: from.file, path: from.path } };
}

/** A threshold judge (Flagger's thresholdRange; Argo conditions reduce to one range). */
export interface DraftJudge {
  kind: 'threshold';
  min?: number;
  max?: number;
  /** Argo's Inconclusive band: values that meet neither the success nor the failure condition. */
  inconclusiveAbove?: number;
  inconclusiveBelow?: number;
}

/** A delay as the policy file writes it (durations in minutes here, formatted on output). */
export type FileDelay =
  | { kind: 'lognormal'; median: Minutes; sigma: number }
  | { kind: 'fixed'; minutes: Minutes }
  | { kind: 'exponential'; mean: Minutes };

export type DraftApproval = { kind: 'automatic' } | { kind: 'manual'; delay: FileDelay };

export type DraftWindow = 'interval' | 'cumulative' | Minutes;

export interface DraftCheck {
  /** The source the check was made from (a metric, an alarm): where its problems are reported. */
  at: SourceRef;
  /** Comment lines above the check. */
  about: string[];
  name: Noted<string>;
  metric: Noted<MetricName>;
  judge: Noted<DraftJudge>;
  compare: Noted<'absolute' | 'baseline'>;
  scope: Noted<'new' | 'stage' | 'all'>;
  interval: Noted<Minutes>;
  initialDelay?: Noted<Minutes>;
  count?: Noted<number>;
  window?: Noted<DraftWindow>;
  failureLimit?: Noted<number>;
  failureWindow?: Noted<number>;
  inconclusiveLimit?: Noted<number>;
  consecutiveErrorLimit?: Noted<number>;
  consecutiveSuccessLimit?: Noted<number>;
  failedChecksThreshold?: Noted<number>;
  minSample?: Noted<number>;
  onMissingData?: Noted<MissingDataPolicy>;
  dryRun?: Noted<boolean>;
  background?: Noted<boolean>;
}

export interface DraftStage {
  /** The source step or setting the stage was made from. */
  at: SourceRef;
  about: string[];
  name: Noted<string>;
  target: Noted<TargetConfig>;
  bake: Noted<Minutes>;
  approval: Noted<DraftApproval>;
  checks: DraftCheck[];
}

export interface DraftWatch {
  /** The source setting the watch was made from. */
  at: SourceRef;
  about: string[];
  duration: Noted<Minutes>;
  checks: DraftCheck[];
}

export interface DraftPolicy {
  /** The source document the policy was made from: where problems with no closer origin are reported. */
  at: SourceRef;
  /** Comment lines at the top of the file. */
  header: string[];
  description: Noted<string>;
  maxBatchShare?: Noted<number>;
  rollback?: Noted<{ minutesPerBatch: Minutes; maxBatchShare: number }>;
  onInconclusive?: Noted<'pause' | 'abort' | 'continue'>;
  manualResume?: Noted<FileDelay>;
  stages: DraftStage[];
  watch?: DraftWatch;
}

type Plain = string | number | boolean | Plain[] | { [k: string]: Plain };

function scalar(v: string | number | boolean, note?: string): Scalar {
  const s = new Scalar(v);
  if (note !== undefined && note !== '') s.comment = ` ${note}`;
  return s;
}

/** A one-line `{ a: 1, b: 2 }` mapping. */
function flowMap(obj: Record<string, Plain>, note?: string): YAMLMap {
  const m = new YAMLMap();
  m.flow = true;
  for (const [k, v] of Object.entries(obj)) m.add(new Pair(new Scalar(k), node(v)));
  if (note !== undefined && note !== '') m.comment = ` ${note}`;
  return m;
}

function node(v: Plain): Scalar | YAMLMap | YAMLSeq {
  if (Array.isArray(v)) {
    const s = new YAMLSeq();
    s.flow = true;
    v.forEach((x) => s.add(node(x)));
    return s;
  }
  if (typeof v === 'object') return flowMap(v);
  return new Scalar(v);
}

function commentLines(lines: readonly string[]): string | undefined {
  if (lines.length === 0) return undefined;
  return lines.map((l) => (l === '' ? '' : ` ${l}`)).join('\n');
}

/** A duration field as the policy format writes it (`10m`, `30s`, `1h30m`). */
export function durationText(minutes: Minutes): string {
  // formatDuration writes to the millisecond; anything shorter is no time at all.
  const text = formatDuration(minutes);
  return text === '' ? '0m' : text;
}

function delayPlain(d: FileDelay): Record<string, Plain> {
  switch (d.kind) {
    case 'lognormal':
      return { kind: 'lognormal', median: durationText(d.median), sigma: d.sigma };
    case 'fixed':
      return { kind: 'fixed', minutes: durationText(d.minutes) };
    case 'exponential':
      return { kind: 'exponential', mean: durationText(d.mean) };
    default: {
      const never: never = d;
      throw new Error(`unknown delay ${JSON.stringify(never)}`);
    }
  }
}

function targetPlain(t: TargetConfig): Record<string, Plain> {
  switch (t.kind) {
    case 'staging':
      return { kind: 'staging' };
    case 'hosts':
      return { kind: 'hosts', region: t.region, count: t.count };
    case 'region':
      return { kind: 'region', region: t.region, share: t.share };
    case 'regions':
      return { kind: 'regions', regions: t.regions };
    case 'fleet':
      return { kind: 'fleet', share: t.share };
    case 'traffic':
      return { kind: 'traffic', weight: t.weight };
    default: {
      const never: never = t;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}

function judgePlain(j: DraftJudge): Record<string, Plain> {
  const out: Record<string, Plain> = { kind: j.kind };
  if (j.min !== undefined) out.min = j.min;
  if (j.max !== undefined) out.max = j.max;
  if (j.inconclusiveBelow !== undefined) out.inconclusiveBelow = j.inconclusiveBelow;
  if (j.inconclusiveAbove !== undefined) out.inconclusiveAbove = j.inconclusiveAbove;
  return out;
}

function addScalar(
  map: YAMLMap,
  key: string,
  f: Noted<string | number | boolean> | undefined,
): void {
  if (f !== undefined) map.add(new Pair(new Scalar(key), scalar(f.value, f.note)));
}

function addDuration(map: YAMLMap, key: string, f: Noted<Minutes> | undefined): void {
  if (f !== undefined) map.add(new Pair(new Scalar(key), scalar(durationText(f.value), f.note)));
}

function checkNode(c: DraftCheck): YAMLMap {
  const m = new YAMLMap();
  const about = commentLines(c.about);
  if (about !== undefined) m.commentBefore = about;
  addScalar(m, 'name', c.name);
  addScalar(m, 'metric', c.metric);
  m.add(new Pair(new Scalar('judge'), flowMap(judgePlain(c.judge.value), c.judge.note)));
  addScalar(m, 'compare', c.compare);
  addScalar(m, 'scope', c.scope);
  addDuration(m, 'interval', c.interval);
  addDuration(m, 'initialDelay', c.initialDelay);
  addScalar(m, 'count', c.count);
  if (c.window !== undefined) {
    const w = c.window.value;
    m.add(
      new Pair(
        new Scalar('window'),
        scalar(typeof w === 'number' ? durationText(w) : w, c.window.note),
      ),
    );
  }
  addScalar(m, 'failureLimit', c.failureLimit);
  addScalar(m, 'failureWindow', c.failureWindow);
  addScalar(m, 'inconclusiveLimit', c.inconclusiveLimit);
  addScalar(m, 'consecutiveErrorLimit', c.consecutiveErrorLimit);
  addScalar(m, 'consecutiveSuccessLimit', c.consecutiveSuccessLimit);
  addScalar(m, 'failedChecksThreshold', c.failedChecksThreshold);
  addScalar(m, 'minSample', c.minSample);
  addScalar(m, 'onMissingData', c.onMissingData);
  addScalar(m, 'dryRun', c.dryRun);
  addScalar(m, 'background', c.background);
  return m;
}

function checksPair(checks: readonly DraftCheck[], emptyNote: string): Pair {
  const seq = new YAMLSeq();
  checks.forEach((c) => seq.add(checkNode(c)));
  if (checks.length === 0) {
    seq.flow = true;
    seq.comment = ` ${emptyNote}`;
  }
  return new Pair(new Scalar('checks'), seq);
}

function stageNode(s: DraftStage): YAMLMap {
  const m = new YAMLMap();
  const about = commentLines(s.about);
  if (about !== undefined) m.commentBefore = about;
  addScalar(m, 'name', s.name);
  m.add(new Pair(new Scalar('target'), flowMap(targetPlain(s.target.value), s.target.note)));
  addDuration(m, 'bake', s.bake);
  const a = s.approval.value;
  if (a.kind === 'automatic') {
    m.add(new Pair(new Scalar('approval'), scalar('automatic', s.approval.note)));
  } else {
    m.add(
      new Pair(
        new Scalar('approval'),
        flowMap({ kind: 'manual', delay: delayPlain(a.delay) }, s.approval.note),
      ),
    );
  }
  m.add(checksPair(s.checks, 'no checks on this stage'));
  return m;
}

/** Builds the YAML document (comments attached to their fields) for a draft policy. */
export function policyDocument(p: DraftPolicy): Document {
  const doc = new Document();
  const root = new YAMLMap();
  doc.contents = root;
  const header = commentLines(p.header);
  if (header !== undefined) doc.commentBefore = header;
  addScalar(root, 'description', p.description);
  addScalar(root, 'maxBatchShare', p.maxBatchShare);
  if (p.rollback !== undefined) {
    const r = p.rollback.value;
    root.add(
      new Pair(
        new Scalar('rollback'),
        flowMap(
          { minutesPerBatch: durationText(r.minutesPerBatch), maxBatchShare: r.maxBatchShare },
          p.rollback.note,
        ),
      ),
    );
  }
  addScalar(root, 'onInconclusive', p.onInconclusive);
  if (p.manualResume !== undefined) {
    root.add(
      new Pair(
        new Scalar('manualResume'),
        flowMap(delayPlain(p.manualResume.value), p.manualResume.note),
      ),
    );
  }
  const stages = new YAMLSeq();
  p.stages.forEach((s) => stages.add(stageNode(s)));
  root.add(new Pair(new Scalar('stages'), stages));
  if (p.watch !== undefined) {
    const w = new YAMLMap();
    addDuration(w, 'duration', p.watch.duration);
    w.add(checksPair(p.watch.checks, 'no checks during the watch'));
    const key = new Scalar('watch');
    const about = commentLines(p.watch.about);
    if (about !== undefined) key.commentBefore = about;
    root.add(new Pair(key, w));
  }
  return doc;
}

/** The policy as YAML text with its comments. */
export function writePolicy(p: DraftPolicy): string {
  return policyDocument(p).toString({ lineWidth: 0 });
}
