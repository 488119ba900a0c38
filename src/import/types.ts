/**
 * What every importer returns and takes: the policy (as a commented YAML text and as a draft),
 * the source fields it could not model, and how each source metric was mapped.
 */
import type { DraftPolicy, FileDelay } from './draft.js';
import type { SourceText } from './source.js';

/**
 * How a source field fell short: `not-modelled` (dropped; the simulation behaves differently),
 * `approximated` (kept in a form close to the source's), `ignored` (no bearing on gating).
 */
export type GapKind = 'not-modelled' | 'approximated' | 'ignored';

/** A source field the importer could not model exactly. */
export interface Gap {
  file: string;
  path: string;
  kind: GapKind;
  message: string;
}

/** How one source metric became a gatesim metric. */
export interface MappingNote {
  /** The source metric's name (and where it is). */
  source: string;
  /** The gatesim metric, or `none` when `--map NAME=none` dropped it. */
  metric: string;
  /** `--map …`, `built-in …`, or `heuristic: …`. */
  how: string;
}

export interface ImportResult {
  /** The policy YAML with a comment on each field. */
  text: string;
  draft: DraftPolicy;
  gaps: Gap[];
  mappings: MappingNote[];
  /** Things the user should look at (unused --map options, doubtful heuristics). */
  warnings: string[];
}

/** Options every importer accepts. */
export interface CommonImportOptions {
  /** `--map NAME=METRIC[:UNIT]` options as given. */
  map?: readonly string[];
  /** The delay a manual approval (Argo `pause: {}`, Flagger confirm-promotion) takes. */
  approvalDelay?: FileDelay;
  /** The command that produced the policy, for the header comment. */
  command?: string;
}

/** Share of traffic an A/B match sends to a Flagger canary when the Canary does not say. */
export const DEFAULT_AB_SHARE = 0.1;
/** Hosts in a CodeDeploy deployment group when `--hosts` is not given. */
export const DEFAULT_CODEDEPLOY_HOSTS = 100;

/** The default wait for a person to approve: a lognormal with median 30 min (sigma 0.8). */
export const DEFAULT_APPROVAL_DELAY: FileDelay = { kind: 'lognormal', median: 30, sigma: 0.8 };

export type { SourceText };

/**
 * How long a rollback by routing takes (Argo trafficRouting, Flagger, CodeDeploy ECS/Lambda):
 * seconds, not a redeploy. gatesim needs a positive time per rollback batch; 10 s stands for it.
 */
export const TRAFFIC_SWITCH_MINUTES = 1 / 6;
