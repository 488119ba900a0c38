/**
 * A search space over policy structure and numbers, as `gatesim recommend` reads it from a
 * space file (see docs/recommend.md): a skeleton policy and dimensions. A dimension is a
 * choice among named alternatives (each a patch: operations on the policy's data) or a
 * numeric value from a list (placed into patches as `$name`). A candidate is a base policy
 * (the skeleton, or one of the policies given to beat) with a value for some dimensions.
 */
import type { PathStep } from './path.js';

/** An operation of a patch; the path may select many places (`stages[*].checks[metric=error_rate]`). */
export type PatchOp =
  /** Removes every list item or mapping key the path selects. */
  | { kind: 'remove'; path: string; steps: PathStep[] }
  /** Sets every place the path selects (adding the last key when its mapping lacks it). */
  | { kind: 'set'; path: string; steps: PathStep[]; value: unknown }
  /** Appends items to every list the path selects (creating it where the last key is missing). */
  | { kind: 'append'; path: string; steps: PathStep[]; items: unknown[] }
  /** Reorders every list the path selects: the named items first, in this order, the rest after. */
  | { kind: 'order'; path: string; steps: PathStep[]; names: string[] };

/** Where a patch operation was written in the space file, for messages. */
export interface OpSource {
  /** `dimensions[3].choose[1].set["stages[*].bake"]`. */
  where: string;
}

export interface Alternative {
  name: string;
  about: string;
  ops: (PatchOp & OpSource)[];
}

/** Dimensions that must have chosen one of these alternatives for a dimension to apply. */
export type When = Record<string, string[]>;

export interface ChoiceDimension {
  kind: 'choice';
  name: string;
  about: string;
  when: When;
  alternatives: Alternative[];
  /** Index of the alternative the default candidate takes. */
  defaultIndex: number;
  /** Where in the space file it was written. */
  where: string;
}

export interface NumberDimension {
  kind: 'number';
  name: string;
  about: string;
  when: When;
  /** The values it may take, in increasing order (minutes for durations). */
  values: number[];
  unit: 'number' | 'duration';
  defaultIndex: number;
  /** Its own operations (a top-level number may also only be referenced as `$name`). */
  ops: (PatchOp & OpSource)[];
  /** Set for a number declared inside an alternative (`numbers:`): it belongs to that choice. */
  owner: { dimension: string; alternative: string } | undefined;
  where: string;
}

export type Dimension = ChoiceDimension | NumberDimension;

/** A base a candidate's patches apply to. */
export interface BasePolicy {
  /** `skeleton`, or the given policy's name. */
  name: string;
  /** The file it came from, for comments. */
  file: string;
  /** Plain data as the file reads (aliases expanded). */
  data: Record<string, unknown>;
  /** The skeleton takes a value for every dimension; a given policy starts with none. */
  kind: 'skeleton' | 'given';
}

export interface Space {
  file: string;
  description: string;
  skeleton: BasePolicy;
  /** Top-level policy keys taken from the given policies when they all agree (they describe the team, not the gate). */
  fromPolicies: string[];
  dimensions: Dimension[];
}

/**
 * A point of the space: which base, and per dimension (in the space's order) the index of
 * the alternative or of the value, or undefined to leave the base as it is.
 */
export interface Assignment {
  base: number;
  values: (number | undefined)[];
}
