/**
 * `gatesim import argo-rollouts`: an Argo Rollouts canary Rollout and its (Cluster)AnalysisTemplates
 * become a gatesim policy. Semantics follow argoproj/argo-rollouts (pkg/apis/rollouts/v1alpha1,
 * utils/evaluate/evaluate.go, rollout/analysis.go):
 * - `setWeight` starts a stage at that share of the fleet; Argo promotes to 100% after the last step.
 * - `pause: {duration}` adds to the stage's bake (a bare number is seconds); `pause: {}` waits
 *   for a manual promote, which is the stage's manual approval.
 * - an inline `analysis` step becomes checks on the stage that block it (count × interval);
 *   background analysis (`canary.analysis`, from `startingStep`) becomes background checks.
 * - metrics keep Argo's counting (failureLimit 0 by default, −1 disables; inconclusiveLimit 0;
 *   consecutiveErrorLimit 4; consecutiveSuccessLimit 0; dryRun); conditions become one
 *   threshold range. Canary has no post-promotion analysis, so there is no watch.
 */
import { GatesimError } from '../errors.js';
import type { Minutes } from '../world/types.js';
import type { ConditionAnalysis, ConditionSource, MeasurementPhase } from './conditions.js';
import { analyseConditions, quote } from './conditions.js';
import type { KnownField } from './context.js';
import { ImportContext, ordinal, rangeText } from './context.js';
import type {
  DraftApproval,
  DraftCheck,
  DraftPolicy,
  DraftStage,
  FileDelay,
  Noted,
  SourceRef,
} from './draft.js';
import { durationText, noted } from './draft.js';
import { argoPauseDuration, goDuration } from './durations.js';
import { promRange } from './metric-map.js';
import type { SourceDoc } from './source.js';
import { kindOf, parseSource, SourceNode } from './source.js';
import type { CommonImportOptions, ImportResult, SourceText } from './types.js';
import { DEFAULT_APPROVAL_DELAY, TRAFFIC_SWITCH_MINUTES } from './types.js';

export interface ArgoImportOptions extends CommonImportOptions {
  /** Which Rollout to import when the files hold several. */
  rollout?: string;
}

/** An argument's value: known text, or known only at run time (valueFrom). */
type ArgValue = { kind: 'value'; text: string } | { kind: 'runtime'; from: string };

interface TemplateRef {
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate';
  name: string;
}

/** One metric of a resolved analysis, ready to become a check. */
interface ResolvedMetric {
  node: SourceNode;
  template: TemplateRef;
  templateFile: string;
  args: Map<string, ArgValue>;
  dryRun: boolean;
  dryRunNote: string;
}

interface StageBuild {
  /** The step that began the stage (its setWeight, or the pause it resumes after). */
  at: SourceRef;
  name: string;
  share: number;
  shareNote: string;
  bake: Minutes;
  bakeParts: string[];
  approval: Noted<DraftApproval>;
  checks: DraftCheck[];
  about: string[];
  /** Argo's promotion to 100% after the steps: the fleet's hosts run the new build. */
  promotion?: boolean;
}

const ARG_RE = /\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g;

const SPEC_FIELDS: Record<string, KnownField> = {
  replicas: 'pod count: gatesim takes hosts from the scenario',
  selector: 'Kubernetes plumbing',
  template: 'the pod template: what is deployed, not how it is gated',
  workloadRef: 'Kubernetes plumbing',
  minReadySeconds: 'pod readiness: deploy time comes from the scenario',
  revisionHistoryLimit: 'Kubernetes plumbing',
  paused: 'a paused Rollout is resumed by a person; not part of the policy',
  restartAt: 'Kubernetes plumbing',
  analysis: 'AnalysisRun history limits',
  rollbackWindow: 'fast-track rollback to recent revisions: not simulated',
  progressDeadlineSeconds: {
    kind: 'not-modelled',
    why: 'a stuck rollout (pods not ready) is not simulated',
  },
  progressDeadlineAbort: {
    kind: 'not-modelled',
    why: 'a stuck rollout (pods not ready) is not simulated',
  },
};

const CANARY_FIELDS: Record<string, KnownField> = {
  canaryService: 'routing plumbing',
  stableService: 'routing plumbing',
  antiAffinity: 'pod placement',
  canaryMetadata: 'labels',
  stableMetadata: 'labels',
  scaleDownDelaySeconds: 'old pods kept after promotion: no effect on gating',
  scaleDownDelayRevisionLimit: 'old pods kept after promotion: no effect on gating',
  abortScaleDownDelaySeconds:
    'canary pods kept after abort: no effect on exposure once traffic has moved',
  dynamicStableScale: 'stable pod count during the canary',
  minPodsPerReplicaSet: 'pod count',
  pingPong: 'routing plumbing',
  replicaProgressThreshold: 'readiness threshold',
  maxSurge: {
    kind: 'approximated',
    why: 'pod surge limit: gatesim deploys a stage with the scenario’s batch timing',
  },
  maxUnavailable: {
    kind: 'approximated',
    why: 'pod surge limit: gatesim deploys a stage with the scenario’s batch timing',
  },
};

/** Imports an Argo Rollouts canary (and the AnalysisTemplates it names) into a gatesim policy. */
export function importArgoRollouts(
  files: readonly SourceText[],
  options: ArgoImportOptions = {},
): ImportResult {
  if (files.length === 0)
    throw new GatesimError(
      'invalid-input',
      'argo-rollouts: give the Rollout file (and any AnalysisTemplate files)',
    );
  const ctx = new ImportContext(options);
  const docs = files.flatMap((f) => parseSource(f));
  const rollouts: SourceDoc[] = [];
  const templates = new Map<string, SourceDoc>();
  for (const d of docs) {
    const { kind, name } = kindOf(d);
    if (kind === 'Rollout') rollouts.push(d);
    else if (
      (kind === 'AnalysisTemplate' || kind === 'ClusterAnalysisTemplate') &&
      name !== undefined
    ) {
      templates.set(`${kind}/${name}`, d);
    } else {
      ctx.gap(
        { file: d.file, path: '' },
        'ignored',
        `document of kind ${kind ?? '(none)'} is not part of the gating policy`,
      );
    }
  }
  const rollout = pickRollout(rollouts, files, options.rollout);
  const rolloutName = kindOf(rollout).name ?? '(unnamed)';
  const spec = rollout.root.req('spec', 'the Rollout spec');
  ctx.unread(spec, ['strategy'], SPEC_FIELDS);
  const strategy = spec.req('strategy', 'a strategy with canary steps');
  const blueGreen = strategy.get('blueGreen');
  if (blueGreen !== undefined) {
    blueGreen.fail(
      'blue-green Rollouts are not imported; gatesim imports canary strategies (steps, analysis)',
    );
  }
  const canary = strategy.req('canary', 'a canary strategy');
  ctx.unread(strategy, ['canary']);
  ctx.unread(canary, ['steps', 'analysis', 'trafficRouting'], CANARY_FIELDS);

  const approvalDelay = options.approvalDelay ?? DEFAULT_APPROVAL_DELAY;
  const resolver = new TemplateResolver(
    ctx,
    templates,
    files.map((f) => f.name),
  );
  const builder = new StageBuilder(ctx, resolver, approvalDelay);
  const stepsNode = canary.get('steps');
  const steps = stepsNode?.items() ?? [];
  steps.forEach((step, i) => builder.step(step, i));
  builder.end(stepsNode, canary, canary.get('trafficRouting') !== undefined);

  const background = canary.get('analysis');
  if (background !== undefined) builder.background(background, steps.length);

  const trafficRouting = canary.get('trafficRouting');
  const draft: DraftPolicy = {
    at: rollout.root,
    header: [
      `Imported by \`${options.command ?? 'gatesim import argo-rollouts'}\` from Argo Rollouts Rollout "${rolloutName}" (${files.map((f) => f.name).join(', ')}).`,
      `Models the canary steps as stages (setWeight → ${trafficRouting === undefined ? 'fleet share: without trafficRouting Argo sets the weight by scaling ReplicaSets' : 'traffic weight: trafficRouting routes that share to canary pods started once'}, pause → bake, pause {} → manual approval)`,
      'and AnalysisTemplate metrics as threshold checks with Argo’s measurement counting',
      '(argoproj/argo-rollouts: analysis_types.go, utils/evaluate/evaluate.go). Argo canaries have no',
      'post-promotion analysis, so there is no watch.',
    ],
    description: noted(
      `Argo Rollouts canary "${rolloutName}": ${builder.summary()}`,
      'from metadata.name and spec.strategy.canary',
    ),
    onInconclusive: noted(
      'pause',
      'Argo: an Inconclusive analysis pauses the rollout until a person resumes or aborts it',
      canary,
    ),
    manualResume: noted(
      approvalDelay,
      'a person resumes a rollout paused by Inconclusive analysis (kubectl argo rollouts promote); the delay is the importer’s default, as for pause {}',
    ),
    stages: builder.draftStages(trafficRouting !== undefined),
  };
  if (trafficRouting !== undefined) {
    draft.rollback = noted(
      { minutesPerBatch: TRAFFIC_SWITCH_MINUTES, maxBatchShare: 1 },
      `${trafficRouting.path}: an abort moves all traffic back to the stable pods at once (about 10 s: a routing change, not a redeploy)`,
      trafficRouting,
    );
  }
  return ctx.finish(draft, { prometheus: true });
}

function pickRollout(
  rollouts: SourceDoc[],
  files: readonly SourceText[],
  wanted: string | undefined,
): SourceDoc {
  if (wanted !== undefined) {
    const r = rollouts.find((d) => kindOf(d).name === wanted);
    if (r === undefined) {
      throw new GatesimError(
        'invalid-input',
        `no Rollout named "${wanted}" in ${files.map((f) => f.name).join(', ')} (found: ${rollouts.map((d) => kindOf(d).name ?? '(unnamed)').join(', ') || 'none'})`,
      );
    }
    return r;
  }
  if (rollouts.length === 0) {
    throw new GatesimError(
      'invalid-input',
      `no document with kind: Rollout in ${files.map((f) => f.name).join(', ')}`,
    );
  }
  if (rollouts.length > 1) {
    throw new GatesimError(
      'invalid-input',
      `found ${rollouts.length} Rollouts (${rollouts.map((d) => kindOf(d).name ?? '(unnamed)').join(', ')}); pick one with --rollout NAME`,
    );
  }
  return rollouts[0]!;
}

/** Substitutes `{{args.x}}`; returns the text and any arguments known only at run time. */
function substitute(
  text: string,
  args: Map<string, ArgValue>,
  node: SourceNode,
  argsWhere: string,
): { text: string; runtime: string[] } {
  const runtime: string[] = [];
  const out = text.replace(ARG_RE, (_m, name: string) => {
    const a = args.get(name);
    if (a === undefined)
      return node.fail(
        `${JSON.stringify(text)} uses {{args.${name}}} but ${argsWhere} has no argument "${name}"`,
      );
    if (a.kind === 'value') return a.text;
    runtime.push(`${name} (${a.from})`);
    return `<${name}>`;
  });
  return { text: out, runtime };
}

/** A field that may hold `{{args.x}}`, resolved; a run-time-only argument is an error here. */
function resolvedField(node: SourceNode | undefined, m: ResolvedMetric): SourceNode | undefined {
  if (node === undefined || typeof node.value !== 'string') return node;
  const r = substitute(node.value, m.args, node, `the template ${m.template.name}`);
  if (r.runtime.length > 0) {
    node.fail(
      `${JSON.stringify(node.value)} needs ${r.runtime.join(', ')}, known only when the rollout runs`,
    );
  }
  return new SourceNode(node.file, node.path, r.text);
}

class TemplateResolver {
  constructor(
    private readonly ctx: ImportContext,
    private readonly templates: Map<string, SourceDoc>,
    private readonly fileNames: string[],
  ) {}

  /** The metrics of every template an analysis (inline step or background) names, with args and dryRun resolved. */
  resolve(analysis: SourceNode): ResolvedMetric[] {
    this.ctx.unread(analysis, ['templates', 'args', 'dryRun', 'startingStep'], {
      measurementRetention: 'how many measurements Argo keeps: no effect on verdicts',
      analysisRunMetadata: 'labels',
    });
    const rolloutArgs = new Map<string, ArgValue>();
    for (const a of analysis.get('args')?.items() ?? []) {
      const name = a.req('name', 'an argument name').str();
      rolloutArgs.set(name, argValue(a));
    }
    const refs = analysis.req('templates', 'a list of templateName references').items();
    const out: ResolvedMetric[] = [];
    const dryRunRules = [...(analysis.get('dryRun')?.items() ?? [])];
    const metricsHere: ResolvedMetric[] = [];
    for (const ref of refs) {
      this.ctx.unread(ref, ['templateName', 'clusterScope']);
      const nameNode = ref.req('templateName', 'the name of an AnalysisTemplate');
      const name = nameNode.str();
      const cluster = ref.get('clusterScope')?.bool() ?? false;
      const kind = cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
      const doc = this.templates.get(`${kind}/${name}`);
      if (doc === undefined) {
        return nameNode.fail(
          `no ${kind} named "${name}" in ${this.fileNames.join(', ')}; pass its file after the Rollout`,
        );
      }
      const tspec = doc.root.req('spec', 'the template spec');
      this.ctx.unread(tspec, ['metrics', 'args', 'dryRun'], {
        measurementRetention: 'how many measurements Argo keeps: no effect on verdicts',
      });
      const args = new Map<string, ArgValue>();
      for (const a of tspec.get('args')?.items() ?? []) {
        const argName = a.req('name', 'an argument name').str();
        const given = rolloutArgs.get(argName);
        if (given !== undefined) args.set(argName, given);
        else if (a.get('value') !== undefined || a.get('valueFrom') !== undefined)
          args.set(argName, argValue(a));
        else
          a.fail(
            `argument "${argName}" has no value and ${analysis.path}.args does not supply it (Argo fails the AnalysisRun)`,
          );
      }
      dryRunRules.push(...(tspec.get('dryRun')?.items() ?? []));
      for (const metric of tspec.req('metrics', 'a list of metrics').items()) {
        metricsHere.push({
          node: metric,
          template: { kind, name },
          templateFile: doc.file,
          args,
          dryRun: false,
          dryRunNote: '',
        });
      }
    }
    // dryRun rules are Go regular expressions matched anywhere in the metric name; one that
    // matches nothing makes Argo reject the run (analysis.go, GetDryRunMetrics).
    for (const rule of dryRunRules) {
      const pattern = rule.req('metricName', 'a metric name pattern').str();
      let re: RegExp;
      try {
        re = new RegExp(pattern);
      } catch {
        return rule.fail(`metricName ${JSON.stringify(pattern)} is not a valid regular expression`);
      }
      let matched = 0;
      for (const m of metricsHere) {
        const metricName = m.node.get('name')?.value;
        if (typeof metricName === 'string' && re.test(metricName)) {
          m.dryRun = true;
          m.dryRunNote = `${rule.file}: ${rule.path}.metricName ${JSON.stringify(pattern)}`;
          matched++;
        }
      }
      if (matched === 0)
        rule.fail(
          `dryRun metricName ${JSON.stringify(pattern)} matches no metric (Argo rejects the analysis)`,
        );
    }
    out.push(...metricsHere);
    return out;
  }
}

function argValue(a: SourceNode): ArgValue {
  const v = a.get('value');
  if (v !== undefined)
    return { kind: 'value', text: typeof v.value === 'string' ? v.value : String(v.value) };
  const from = a.get('valueFrom');
  if (from !== undefined) return { kind: 'runtime', from: `valueFrom.${from.keys().join(', ')}` };
  return a.fail('an argument needs value or valueFrom');
}

/** Providers whose query text the heuristic can read; others cannot be simulated. */
function providerText(
  provider: SourceNode,
  m: ResolvedMetric,
  ctx: ImportContext,
): { kind: string; text: string; runtime: string[] } | undefined {
  const kinds = provider.keys();
  if (kinds.length !== 1)
    provider.fail(
      `expected exactly one provider, got ${kinds.length === 0 ? 'none' : kinds.join(', ')}`,
    );
  const kind = kinds[0]!;
  const p = provider.req(kind);
  const sub = (n: SourceNode | undefined): { text: string; runtime: string[] } =>
    n === undefined || typeof n.value !== 'string'
      ? { text: '', runtime: [] }
      : substitute(n.value, m.args, n, `the template ${m.template.name}`);
  switch (kind) {
    case 'prometheus':
    case 'newRelic':
    case 'wavefront':
    case 'graphite':
    case 'influxdb':
    case 'skywalking':
      return { kind, ...sub(p.get('query')) };
    case 'datadog': {
      const q = p.get('query');
      if (q !== undefined) return { kind, ...sub(q) };
      const parts = [
        ...(p.get('queries')?.isMap() === true ? Object.values(p.req('queries').map()) : []),
        p.get('formula')?.value,
      ];
      const text = parts.filter((x): x is string => typeof x === 'string').join(' ');
      return { kind, ...sub(new SourceNode(p.file, p.path, text)) };
    }
    case 'cloudWatch': {
      const texts: string[] = [];
      for (const q of p.get('metricDataQueries')?.items() ?? []) {
        const e = q.get('expression')?.value;
        if (typeof e === 'string') texts.push(e);
        const stat = q.get('metricStat');
        const name = stat?.get('metric')?.get('metricName')?.value;
        if (typeof name === 'string') texts.push(name);
        const s = stat?.get('stat')?.value;
        if (typeof s === 'string') texts.push(s);
      }
      return { kind, ...sub(new SourceNode(p.file, p.path, texts.join(' '))) };
    }
    case 'web': {
      const url = sub(p.get('url'));
      const path = sub(p.get('jsonPath'));
      return { kind, text: `${url.text} ${path.text}`, runtime: [...url.runtime, ...path.runtime] };
    }
    case 'job':
    case 'kayenta':
    case 'plugin':
    default:
      ctx.gap(
        p,
        'not-modelled',
        `the ${kind} provider cannot be simulated (a Kubernetes Job, Kayenta run or plugin decides the measurement); the metric is dropped`,
      );
      return undefined;
  }
}

const PHASE_WORDS: Record<MeasurementPhase, string> = {
  pass: 'Successful',
  fail: 'Failed',
  inconclusive: 'Inconclusive',
  error: 'Error',
};

function missingNote(a: ConditionAnalysis): string {
  const empty = a.shape === 'list' ? 'an empty result (no series: result = [])' : 'no value (NaN)';
  let note = `${empty} makes the measurement ${PHASE_WORDS[a.missing]} in Argo`;
  if (a.missing === 'error') note += ' (counts toward consecutiveErrorLimit)';
  if (a.shape === 'list' && a.nan !== a.missing)
    note += `; a NaN value would be ${PHASE_WORDS[a.nan]}`;
  return note;
}

function limitNote(
  field: string,
  v: number | undefined,
  dflt: number,
  meaning: (n: number) => string,
): string {
  return v === undefined
    ? `${field} not set: Argo's default ${dflt} (${meaning(dflt)})`
    : `${field}: ${v} (${meaning(v)})`;
}

class StageBuilder {
  private readonly stages: StageBuild[] = [];
  private weight = 0;
  private pendingManual: SourceNode | undefined;
  /** Where each step index begins: its stage and the minutes into it. */
  private readonly stepStart: ({ stage: number; offset: Minutes } | undefined)[] = [];
  private readonly names = new Set<string>();

  constructor(
    private readonly ctx: ImportContext,
    private readonly resolver: TemplateResolver,
    private readonly approvalDelay: FileDelay,
  ) {}

  private get cur(): StageBuild | undefined {
    return this.stages[this.stages.length - 1];
  }

  private uniqueName(base: string): string {
    let name = base;
    for (let k = 2; this.names.has(name); k++) name = `${base}-${k}`;
    this.names.add(name);
    return name;
  }

  private newStage(
    at: SourceRef,
    share: number,
    shareNote: string,
    base: string,
    about: string[],
  ): StageBuild {
    const s: StageBuild = {
      at,
      name: this.uniqueName(base),
      share,
      shareNote,
      bake: 0,
      bakeParts: [],
      approval: noted({ kind: 'automatic' }, 'Argo moves to the next step on its own'),
      checks: [],
      about,
    };
    this.stages.push(s);
    return s;
  }

  private manual(pause: SourceNode): Noted<DraftApproval> {
    return noted(
      { kind: 'manual', delay: this.approvalDelay },
      `${pause.path}: pause {} waits for a person to promote (kubectl argo rollouts promote); the delay is the importer's default`,
      pause,
    );
  }

  /** A manual pause followed by more timed steps at the same weight: the rest becomes a new stage. */
  private splitAfterManual(): void {
    const cur = this.cur!;
    const pause = this.pendingManual!;
    cur.approval = this.manual(pause);
    const pausedAt = pause.path;
    this.pendingManual = undefined;
    this.newStage(
      pause,
      cur.share,
      `same weight as ${cur.name}: the steps after the manual pause at ${pausedAt}`,
      `${cur.name}-resumed`,
      [`The steps after the manual pause at ${pausedAt}, at the same weight (adds no hosts).`],
    );
  }

  step(step: SourceNode, i: number): void {
    const keys = step.keys();
    if (keys.length !== 1)
      step.fail(
        `expected one step kind (setWeight, pause, analysis, ...), got ${keys.length === 0 ? 'none' : keys.join(', ')}`,
      );
    const kind = keys[0]!;
    const body = step.req(kind);
    if (
      this.pendingManual !== undefined &&
      this.cur !== undefined &&
      (kind === 'analysis' ||
        (kind === 'pause' && body.isMap() && body.get('duration') !== undefined))
    ) {
      this.splitAfterManual();
    }
    if (kind !== 'setWeight')
      this.stepStart[i] =
        this.cur === undefined
          ? undefined
          : { stage: this.stages.length - 1, offset: this.cur.bake };
    switch (kind) {
      case 'setWeight':
        return this.setWeight(body, i);
      case 'pause':
        return this.pause(body);
      case 'analysis':
        return this.analysis(body);
      case 'experiment':
        this.ctx.gap(
          body,
          'not-modelled',
          'experiments (extra ReplicaSets with their own analysis) are not simulated',
        );
        return;
      case 'setCanaryScale':
        this.ctx.gap(
          body,
          'approximated',
          'canary pod count apart from traffic: gatesim ties hosts to the traffic weight',
        );
        return;
      case 'setHeaderRoute':
      case 'setMirrorRoute':
        this.ctx.gap(
          body,
          'not-modelled',
          'header-based and mirrored routes send chosen or copied traffic to the canary: not simulated',
        );
        return;
      case 'plugin':
        this.ctx.gap(body, 'not-modelled', 'step plugins are not simulated');
        return;
      default:
        this.ctx.gap(body, 'not-modelled', `unknown step kind "${kind}"`);
    }
  }

  private setWeight(body: SourceNode, i: number): void {
    const w = body.int(0, 100);
    if (this.pendingManual !== undefined && this.cur !== undefined) {
      this.cur.approval = this.manual(this.pendingManual);
      this.pendingManual = undefined;
    }
    if (w === 0) {
      this.ctx.gap(
        body,
        'approximated',
        'weight 0 deploys nothing; gatesim starts with the next weight',
      );
    } else if (w <= this.weight) {
      this.ctx.gap(
        body,
        'approximated',
        `weight ${w}% is not above the earlier ${this.weight}%: gatesim targets only grow, so the stage stays at ${this.weight}%`,
      );
    } else {
      this.weight = w;
      this.newStage(
        body,
        w / 100,
        `${body.path}: ${w} → ${w}% of every region's hosts (canary pods take that share of traffic)`,
        `weight-${w}`,
        [`From ${body.path}: ${w}.`],
      );
    }
    this.stepStart[i] =
      this.cur === undefined ? undefined : { stage: this.stages.length - 1, offset: this.cur.bake };
  }

  private pause(body: SourceNode): void {
    this.ctx.unread(body, ['duration']);
    const d = body.get('duration');
    const cur = this.cur;
    if (d === undefined) {
      if (cur === undefined) {
        this.ctx.gap(
          body,
          'not-modelled',
          'a manual pause before the first setWeight: gatesim has no approval before the first stage',
        );
        return;
      }
      this.pendingManual = body;
      return;
    }
    const minutes = argoPauseDuration(d);
    if (cur === undefined) {
      this.ctx.gap(
        body,
        'not-modelled',
        'a pause before the first setWeight only delays the start',
      );
      return;
    }
    cur.bake += minutes;
    cur.bakeParts.push(
      `${d.path} ${durationText(minutes)}${typeof d.value === 'number' || /^\d+$/.test(String(d.value)) ? ` (${String(d.value)} s)` : ''}`,
    );
  }

  private analysis(body: SourceNode): void {
    const cur = this.cur;
    if (cur === undefined) {
      this.ctx.gap(
        body,
        'not-modelled',
        'an analysis before the first setWeight measures no canary pods',
      );
      return;
    }
    const metrics = this.resolver.resolve(body);
    let longest = 0;
    let endless = false;
    for (const m of metrics) {
      const built = buildCheck(this.ctx, m, {
        background: false,
        offset: cur.bake,
        where: body.path,
        stage: cur.name,
      });
      if (built === undefined) continue;
      cur.checks.push(built.check);
      if (built.duration === undefined) endless = true;
      else longest = Math.max(longest, built.duration);
    }
    if (endless) {
      this.ctx.gap(
        body,
        'approximated',
        'a metric with an interval but no count never completes, so Argo would block this step until it fails; gatesim measures it until the stage ends',
      );
    }
    if (longest > 0) {
      cur.bake += longest;
      cur.bakeParts.push(`${body.path} runs ${durationText(longest)}`);
    }
  }

  /** Ends the steps; with `routed` (trafficRouting) even a last weight of 100% is traffic only. */
  end(stepsNode: SourceNode | undefined, canary: SourceNode, routed: boolean): void {
    const last = this.cur;
    if (this.pendingManual !== undefined && last !== undefined) {
      last.approval = this.manual(this.pendingManual);
      this.pendingManual = undefined;
    }
    if (last === undefined || last.share < 1 || routed) {
      const where =
        stepsNode === undefined ? 'no canary steps' : `after the last step (${stepsNode.path})`;
      const s = this.newStage(
        stepsNode ?? canary,
        1,
        `${where}, Argo promotes the canary to 100%${routed ? ': the new ReplicaSet becomes the stable one, at full size' : ''}`,
        'full',
        ['Argo’s promotion to 100% after the steps.'],
      );
      s.promotion = true;
    }
  }

  background(analysis: SourceNode, stepCount: number): void {
    const startNode = analysis.get('startingStep');
    const start = startNode?.int(0) ?? 0;
    let at = this.stepStart[start];
    if (start >= stepCount && stepCount > 0) {
      this.ctx.gap(
        startNode ?? analysis,
        'not-modelled',
        `startingStep ${start} is after the last step: Argo starts the analysis as the rollout completes and cancels it at once`,
      );
      return;
    }
    if (at === undefined) {
      if (stepCount > 0) {
        this.ctx.gap(
          startNode ?? analysis,
          'approximated',
          'background analysis starts before the first setWeight; gatesim starts it with the first stage',
        );
      }
      at = { stage: 0, offset: 0 };
    }
    const stage = this.stages[at.stage]!;
    for (const m of this.resolver.resolve(analysis)) {
      const built = buildCheck(this.ctx, m, {
        background: true,
        offset: at.offset,
        where: analysis.path,
        stage: stage.name,
        startingStep: start,
      });
      if (built !== undefined) stage.checks.push(built.check);
    }
  }

  summary(): string {
    const weights = this.stages.map((s) => `${Math.round(s.share * 1000) / 10}%`);
    return `${weights.join(' → ')}${this.stages.some((s) => s.approval.value.kind === 'manual') ? ', with manual promotion' : ''}`;
  }

  /** The stages; with `routed` (trafficRouting) each weight routes traffic instead of redeploying hosts. */
  draftStages(routed: boolean): DraftStage[] {
    return this.stages.map((s, k) => ({
      at: s.at,
      about: s.about,
      name: noted(s.name, 'named after the weight', s.at),
      target:
        routed && s.promotion !== true
          ? noted(
              { kind: 'traffic', weight: s.share },
              `setWeight ${Math.round(s.share * 1000) / 10} → that share of requests routed to the canary pods (trafficRouting${k === 0 ? ': the pods start now' : ': the weight moves at once'})`,
              s.at,
            )
          : noted({ kind: 'fleet', share: s.share }, s.shareNote, s.at),
      bake: noted(
        s.bake,
        s.bakeParts.length === 0 ? 'no pause or analysis at this weight' : s.bakeParts.join(' + '),
        s.at,
      ),
      approval: s.approval,
      checks: s.checks,
    }));
  }
}

interface Placement {
  background: boolean;
  /** Minutes into the stage at which the analysis starts. */
  offset: Minutes;
  where: string;
  stage: string;
  startingStep?: number;
}

/** One Argo metric → one gatesim check, with how long it runs (undefined: until stopped). */
function buildCheck(
  ctx: ImportContext,
  m: ResolvedMetric,
  place: Placement,
): { check: DraftCheck; duration: Minutes | undefined } | undefined {
  const node = m.node;
  ctx.unread(node, [
    'name',
    'interval',
    'initialDelay',
    'count',
    'successCondition',
    'failureCondition',
    'failureLimit',
    'inconclusiveLimit',
    'consecutiveErrorLimit',
    'consecutiveSuccessLimit',
    'provider',
  ]);
  const nameNode = node.req('name', 'a metric name');
  const name = nameNode.str();
  const label = `${m.template.kind} ${m.template.name}: ${name}`;
  const providerNode = node.req('provider', 'a metric provider');
  const provider = providerText(providerNode, m, ctx);
  if (provider === undefined) return undefined;
  if (provider.runtime.length > 0) {
    ctx.gap(
      node.req('provider'),
      'ignored',
      `the query uses ${provider.runtime.join(', ')}, known only when the rollout runs; the heuristic read it without them`,
    );
  }
  const cond = (key: string): ConditionSource | undefined => {
    const n = resolvedField(node.get(key), m);
    return n === undefined ? undefined : { text: n.str(), node: n };
  };
  const success = cond('successCondition');
  const failure = cond('failureCondition');
  if (success === undefined && failure === undefined) {
    ctx.gap(
      node,
      'not-modelled',
      'no successCondition or failureCondition: every measurement is Successful unless the query errors; nothing to gate on, so the metric is dropped',
    );
    return undefined;
  }
  const analysis = analyseConditions(success, failure);
  const condText = [
    success && `successCondition ${quote(success.text)}`,
    failure && `failureCondition ${quote(failure.text)}`,
  ]
    .filter(Boolean)
    .join(' with ');
  const band = analysis.inconclusive.some((seg) => seg.lo < seg.hi);
  const mapped = ctx.mapMetric(
    {
      names: [name, `${m.template.name}/${name}`],
      text: `${name} ${provider.text}`,
      range: analysis.passRange,
      ...(band ? { successRange: analysis.successRange } : {}),
    },
    node,
    label,
    `${condText}: values ${rangeText(analysis.passRange)} do not fail${band ? `, values ${rangeText(analysis.successRange)} succeed, the rest are Inconclusive (neither condition met)` : ''}`,
  );
  if (mapped === undefined) return undefined;
  // The judge's band has width; a single Inconclusive value (success `< x`, failure `> x`)
  // is one the threshold judge passes, which matters only for counts that land on it.
  for (const seg of analysis.inconclusive.filter((x) => x.lo === x.hi)) {
    ctx.gap(
      node,
      'approximated',
      `the single value ${seg.lo} is Inconclusive in Argo (neither condition holds); gatesim's threshold judge passes it`,
    );
  }

  const intervalNode = resolvedField(node.get('interval'), m);
  const countNode = resolvedField(node.get('count'), m);
  const delayNode = resolvedField(node.get('initialDelay'), m);
  const window = provider.kind === 'prometheus' ? promRange(provider.text) : undefined;
  const count = countNode?.int(0);
  const sourceInterval = intervalNode === undefined ? undefined : goDuration(intervalNode);
  if (sourceInterval === 0) intervalNode!.expected('an interval above 0');
  if (count !== undefined && count > 1 && sourceInterval === undefined) {
    countNode!.fail(`count ${count} needs an interval (Argo rejects a count above 1 without one)`);
  }
  // Argo: no interval and no count → one measurement; only an interval → until stopped.
  const effectiveCount =
    count !== undefined && count > 0 ? count : sourceInterval === undefined ? 1 : undefined;
  const interval = sourceInterval ?? window ?? 1;
  const initialDelay = delayNode === undefined ? 0 : goDuration(delayNode);

  const intervalNote =
    intervalNode !== undefined
      ? `interval: ${String(intervalNode.value)}`
      : `no interval: Argo measures once; gatesim measures once after ${window !== undefined ? 'the query range' : 'one minute'} of data`;
  const limit = (
    key: string,
    min: number,
  ): { node: SourceNode | undefined; value: number | undefined } => {
    const n = resolvedField(node.get(key), m);
    return { node: n, value: n?.int(min) };
  };
  const failureLimit = limit('failureLimit', -1);
  const inconclusiveLimit = limit('inconclusiveLimit', 0);
  // Argo's ValidateMetrics: a count below a limit could never reach it.
  for (const [key, l] of [
    ['failureLimit', failureLimit],
    ['inconclusiveLimit', inconclusiveLimit],
  ] as const) {
    if (count !== undefined && count > 0 && l.value !== undefined && l.value > count) {
      l.node!.fail(
        `${key} ${l.value} is above count ${count} (Argo rejects the template: count must be ≥ ${key})`,
      );
    }
  }
  const errorLimit = limit('consecutiveErrorLimit', 0);
  const successLimit = limit('consecutiveSuccessLimit', 0);

  const offsetParts: string[] = [];
  if (place.offset > 0)
    offsetParts.push(`the analysis starts ${durationText(place.offset)} into stage ${place.stage}`);
  if (initialDelay > 0) offsetParts.push(`initialDelay ${String(delayNode!.value)}`);

  const conditionNode = (failure ?? success)!.node;
  const check: DraftCheck = {
    at: node,
    about: [
      `From ${label} (${m.templateFile}: ${node.path}), ${place.background ? `background analysis ${place.where}${place.startingStep !== undefined ? ` from startingStep ${place.startingStep}` : ''}` : `inline analysis ${place.where}`}.`,
    ],
    name: noted(name, 'the metric name', nameNode),
    metric: noted(mapped.metric, mapped.metricNote, providerNode),
    judge: noted(mapped.judge, mapped.judgeNote, conditionNode),
    compare: noted(
      'absolute',
      'Argo judges the value the query returns; any canary-vs-stable comparison inside the query is not modelled',
    ),
    scope: noted('new', 'every canary pod: the hosts on the new build'),
    interval: noted(interval, intervalNote, intervalNode ?? providerNode),
  };
  if (place.offset + initialDelay > 0)
    check.initialDelay = noted(place.offset + initialDelay, offsetParts.join(' + '), delayNode);
  if (effectiveCount !== undefined) {
    check.count = noted(
      effectiveCount,
      countNode !== undefined && count! > 0
        ? `count: ${String(countNode.value)}`
        : 'no count and no interval: one measurement',
      countNode,
    );
  }
  if (window !== undefined)
    check.window = noted(
      window,
      `the query's range selector [${durationText(window)}]`,
      providerNode,
    );
  check.failureLimit = noted(
    failureLimit.value ?? 0,
    limitNote('failureLimit', failureLimit.value, 0, (n) =>
      n < 0
        ? 'failures never fail the metric'
        : `the metric fails on the ${ordinal(n + 1)} failed measurement`,
    ),
    failureLimit.node,
  );
  check.inconclusiveLimit = noted(
    inconclusiveLimit.value ?? 0,
    limitNote(
      'inconclusiveLimit',
      inconclusiveLimit.value,
      0,
      (n) => `Inconclusive on the ${ordinal(n + 1)} inconclusive measurement`,
    ),
    inconclusiveLimit.node,
  );
  check.consecutiveErrorLimit = noted(
    errorLimit.value ?? 4,
    limitNote(
      'consecutiveErrorLimit',
      errorLimit.value,
      4,
      (n) => `Error after ${n + 1} errors in a row`,
    ),
    errorLimit.node,
  );
  check.consecutiveSuccessLimit = noted(
    successLimit.value ?? 0,
    limitNote('consecutiveSuccessLimit', successLimit.value, 0, (n) =>
      n === 0 ? 'off' : `Successful after ${n} passes in a row`,
    ),
    successLimit.node,
  );
  check.minSample = noted(0, 'Argo judges whatever the query returns: no minimum sample');
  check.onMissingData = noted(analysis.missing, missingNote(analysis), conditionNode);
  check.dryRun = noted(
    m.dryRun,
    m.dryRun
      ? `dryRun rule ${m.dryRunNote}: measured, never decides`
      : 'no dryRun rule matches this metric',
  );
  check.background = noted(
    place.background,
    place.background
      ? 'background analysis: runs through later steps until the rollout completes'
      : 'inline analysis step: the step waits for it',
  );
  const duration =
    effectiveCount === undefined ? undefined : initialDelay + effectiveCount * interval;
  return { check, duration };
}
