/**
 * An exception inside a trial, with the trial it happened in. A trial is replayable from its
 * scenario, policy, seed and index (and its start, for the Friday test's replays), so the
 * failure says which and prints the `gatesim explain` command that replays it.
 *
 * Trials also run in worker threads, and an error crosses a thread boundary as its message,
 * stack and `cause` only (the structured clone keeps no class and no other field). So the
 * context travels as plain data in `cause`, and `restoreTrialError` rebuilds the failure on the
 * other side.
 */
import { GatesimError } from '../errors.js';

/** Which trial. */
export interface TrialContext {
  scenario: string;
  policy: string;
  seed: number;
  trial: number;
  /** The pinned start (minutes since Monday 00:00 UTC) of a Friday-test replay. */
  startAt?: number;
  /** Which Friday-test replay that start is. */
  replay?: 'friday' | 'tuesday';
}

/** The exception thrown inside the trial, as plain data. */
export interface TrialErrorData {
  name: string;
  message: string;
  stack: string;
  /** Set when it was a GatesimError: an expected failure (bad input), not a bug. */
  code?: string;
}

/** What `cause` carries across a worker boundary. */
interface CauseData {
  gatesimTrialFailure: 1;
  context: TrialContext;
  error: TrialErrorData;
  files?: ReplayFiles;
}

/** The files `gatesim explain` reads to replay the trial. */
export interface ReplayFiles {
  scenario: string;
  policy: string;
}

function errorData(e: unknown): TrialErrorData {
  if (e instanceof Error) {
    const data: TrialErrorData = {
      name: e.name,
      message: e.message,
      stack: e.stack ?? `${e.name}: ${e.message}`,
    };
    if (e instanceof GatesimError) data.code = e.code;
    return data;
  }
  return { name: 'Error', message: String(e), stack: `thrown: ${String(e)}` };
}

/** A word a shell reads as one argument, quoted only when it must be. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

const REPLAYS = { friday: 'Friday 16:00', tuesday: 'Tuesday 10:00' } as const;

function describeTrial(c: TrialContext): string {
  const start =
    c.startAt === undefined
      ? ''
      : ` (replayed for the Friday test${c.replay === undefined ? '' : ` at ${REPLAYS[c.replay]} local`}, minute ${c.startAt} of the week)`;
  return `trial ${c.trial}${start} of scenario ${c.scenario} under policy ${c.policy}`;
}

/**
 * A trial threw. `context` says which; `error` is what it threw. The message reads:
 * `trial 17 of scenario X under policy Y (seed 1) threw TypeError: …` and, on a second line,
 * the `gatesim explain` command that replays it; the stack adds the original exception's.
 */
export class TrialFailure extends Error {
  override readonly name = 'TrialFailure';
  readonly context: TrialContext;
  readonly error: TrialErrorData;
  readonly files: ReplayFiles | undefined;

  constructor(context: TrialContext, error: TrialErrorData, files?: ReplayFiles) {
    const cause: CauseData = {
      gatesimTrialFailure: 1,
      context,
      error,
      ...(files !== undefined ? { files } : {}),
    };
    super('', { cause });
    this.context = context;
    this.error = error;
    this.files = files;
    this.message =
      `${describeTrial(context)} (seed ${context.seed}) threw ${error.name}: ${error.message}\n` +
      `replay it: ${this.explainCommand()}`;
    this.stack = `${this.message}\nThis is a bug (in gatesim or a plugin); the exception:\n${error.stack}`;
  }

  /** `gatesim explain …` for this trial; placeholders for the files when they are not known. */
  explainCommand(): string {
    const c = this.context;
    const scenario = this.files?.scenario ?? `<the file of scenario ${c.scenario}>`;
    const policy = this.files?.policy ?? `<the file of policy ${c.policy}>`;
    const files = this.files === undefined ? [scenario, policy] : [scenario, policy].map(shellWord);
    return (
      `gatesim explain --scenario ${files[0]} --policy ${files[1]} --seed ${c.seed} --trial ${c.trial}` +
      (c.startAt === undefined ? '' : ` --start-at ${c.startAt}`)
    );
  }

  /** A failure for whatever `thrown` is (an Error or any value). */
  static of(context: TrialContext, thrown: unknown): TrialFailure {
    return new TrialFailure(context, errorData(thrown));
  }

  /** The same failure, with the files that replay it. */
  withFiles(files: ReplayFiles): TrialFailure {
    return new TrialFailure(this.context, this.error, files);
  }
}

function isCauseData(v: unknown): v is CauseData {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as { gatesimTrialFailure?: unknown }).gatesimTrialFailure === 1
  );
}

/**
 * The error to rethrow for one that came out of a trial, here or from a worker thread: a
 * TrialFailure again (its class is lost across threads), or, when the trial threw a
 * GatesimError (bad input found only while simulating), that GatesimError with the trial named,
 * so the CLI reports it as bad input. Any other error is returned as it is.
 */
export function restoreTrialError(e: unknown): unknown {
  const cause = e instanceof Error ? e.cause : undefined;
  if (!isCauseData(cause)) return e;
  const { context, error, files } = cause;
  if (error.code !== undefined) {
    const c = context;
    return new GatesimError(error.code, `${error.message} (${describeTrial(c)}, seed ${c.seed})`);
  }
  return e instanceof TrialFailure ? e : new TrialFailure(context, error, files);
}

/** Runs one trial's work; an exception leaves it as a TrialFailure naming the trial. */
export function withTrialContext<T>(context: TrialContext, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw TrialFailure.of(context, e);
  }
}
