import type { RandomStream } from './stream.js';

/**
 * Keyed streams: randomness that is a pure function of what it is for (a key of a few 32-bit
 * words), not of how many numbers were drawn before it. A metric point drawn from the stream
 * of its own key is the same whichever checks asked for which points first, so adding a check
 * to a policy leaves every other check's data alone, and two policies that read the same hosts
 * over the same interval read the same point.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, from PractRand,
 * which it passes): four 32-bit words of state, a few integer operations a number, and cheap
 * to restart, which a stream per point needs. The key's words are spread over the state by
 * MurmurHash3's 32-bit finaliser (Appleby), chained so that every word reaches every state
 * word, and the first 12 outputs are discarded, as sfc32's author advises after seeding.
 */
export class KeyedStream implements RandomStream {
  readonly key = 'keyed';
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /** Restarts the stream at the start of the sequence of key (k0, k1, k2, k3). */
  seed(k0: number, k1: number, k2: number, k3: number): void {
    const a = fmix32(k0 ^ 0x9e3779b9);
    const b = fmix32(k1 ^ a);
    const c = fmix32(k2 ^ b);
    const d = fmix32(k3 ^ c);
    this.a = a ^ d;
    this.b = b;
    this.c = c;
    this.d = d;
    for (let i = 0; i < 12; i++) this.step();
  }

  /** Uniform in [0, 1), in steps of 2^−32. */
  next(): number {
    return (this.step() >>> 0) / 4294967296;
  }

  private step(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t;
  }
}

/** MurmurHash3's 32-bit finaliser: every input bit flips each output bit with probability ½. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A string's 32-bit key word: FNV-1a over its UTF-16 code units, then finalised. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

const FLOAT = new Float64Array(1);
const WORDS = new Uint32Array(FLOAT.buffer);

/** A number's 32-bit key word: both halves of its IEEE 754 bits, mixed. */
export function hashNumber(x: number): number {
  FLOAT[0] = x;
  return fmix32(WORDS[0]! ^ fmix32(WORDS[1]! ^ 0x27d4eb2f));
}
