import seedrandom from 'seedrandom';

/**
 * A source of uniform numbers in [0, 1). Each stream is independent of every other:
 * drawing more from one, or creating a new purpose, never changes another's numbers.
 */
export interface RandomStream {
  /** Uniform in [0, 1). */
  next(): number;
  /** The key this stream was derived from, for error messages and replay. */
  readonly key: string;
}

/** Identifies a stream: the root seed, the trial, and what the numbers are for. */
export interface StreamKey {
  seed: number;
  trial: number;
  purpose: string;
}

/**
 * Creates the stream for (seed, trial, purpose). seedrandom's Alea generator hashes the
 * whole key string, so streams with different keys are unrelated, and the same key
 * always yields the same sequence on every machine and in every worker.
 *
 * @example streamFor({ seed: 1, trial: 7, purpose: 'traffic:eu-west' }).next()
 */
export function streamFor(key: StreamKey): RandomStream {
  const text = `gatesim/${key.seed}/${key.trial}/${key.purpose}`;
  const prng = seedrandom.alea(text);
  return { next: () => prng(), key: text };
}

/** All the streams of one trial, created on first use and cached by purpose. */
export class TrialStreams {
  private readonly cache = new Map<string, RandomStream>();

  constructor(
    readonly seed: number,
    readonly trial: number,
  ) {}

  get(purpose: string): RandomStream {
    let s = this.cache.get(purpose);
    if (s === undefined) {
      s = streamFor({ seed: this.seed, trial: this.trial, purpose });
      this.cache.set(purpose, s);
    }
    return s;
  }
}
