/**
 * Special functions the samplers and tests rest on. Accuracy targets: lgamma to ~1e-14
 * relative (Lanczos, g = 7, n = 9, as in Numerical Recipes 3rd ed. §6.1), normal CDF to
 * ~1e-15 absolute (W. J. Cody's erfc rational approximations via the complementary form),
 * normal quantile to ~1e-9 (Acklam's algorithm refined by one Halley step).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** Natural log of the gamma function for x > 0. */
export function lgamma(x: number): number {
  if (x < 0.5) {
    // Reflection formula keeps accuracy near zero.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log(n!) with an exact table for small n. */
const LOG_FACTORIAL_TABLE: number[] = (() => {
  const t = [0];
  for (let i = 1; i < 256; i++) t.push(t[i - 1]! + Math.log(i));
  return t;
})();

export function logFactorial(n: number): number {
  return n < 256 ? LOG_FACTORIAL_TABLE[n]! : lgamma(n + 1);
}

/** Complementary error function, by W. J. Cody's (1969) rational approximations in three ranges. */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax < 0.5) {
    r = 1 - erfSmall(ax);
  } else if (ax < 4) {
    r = erfcMid(ax);
  } else {
    r = erfcLarge(ax);
  }
  return x < 0 ? 2 - r : r;
}

export function erf(x: number): number {
  return 1 - erfc(x);
}

const ERF_SMALL_A = [
  3.1611237438705656, 113.86415415105016, 377.485237685302, 3209.3775891384695, 0.18577770618460315,
];
const ERF_SMALL_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];

function erfSmall(x: number): number {
  const z = x * x;
  let num = ERF_SMALL_A[4]! * z;
  let den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + ERF_SMALL_A[i]!) * z;
    den = (den + ERF_SMALL_B[i]!) * z;
  }
  return (x * (num + ERF_SMALL_A[3]!)) / (den + ERF_SMALL_B[3]!);
}

const ERFC_MID_C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const ERFC_MID_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];

function erfcMid(x: number): number {
  let num = ERFC_MID_C[8]! * x;
  let den = x;
  for (let i = 0; i < 7; i++) {
    num = (num + ERFC_MID_C[i]!) * x;
    den = (den + ERFC_MID_D[i]!) * x;
  }
  const r = (num + ERFC_MID_C[7]!) / (den + ERFC_MID_D[7]!);
  return expMinusSquare(x) * r;
}

const ERFC_LARGE_P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275,
  6.587491615298378e-4, 0.016315387137302097,
];
const ERFC_LARGE_Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132,
  0.0023352049762686918,
];

function erfcLarge(x: number): number {
  const z = 1 / (x * x);
  let num = ERFC_LARGE_P[5]! * z;
  let den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + ERFC_LARGE_P[i]!) * z;
    den = (den + ERFC_LARGE_Q[i]!) * z;
  }
  let r = (z * (num + ERFC_LARGE_P[4]!)) / (den + ERFC_LARGE_Q[4]!);
  r = (1 / Math.sqrt(Math.PI) - r) / x;
  return expMinusSquare(x) * r;
}

// exp(-x²) computed in two parts to keep precision for large x (Cody's trick).
function expMinusSquare(x: number): number {
  const xs = Math.trunc(x * 16) / 16;
  const del = (x - xs) * (x + xs);
  return Math.exp(-xs * xs) * Math.exp(-del);
}

/** Standard normal CDF Φ(x). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Standard normal upper tail 1 − Φ(x), accurate far into the tail. */
export function normalSf(x: number): number {
  return 0.5 * erfc(x / Math.SQRT2);
}

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

const QUANTILE_A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const QUANTILE_B = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
];
const QUANTILE_C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
];
const QUANTILE_D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** Standard normal quantile Φ⁻¹(p) for p in (0, 1). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  }
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((QUANTILE_C[0]! * q + QUANTILE_C[1]!) * q + QUANTILE_C[2]!) * q + QUANTILE_C[3]!) * q +
        QUANTILE_C[4]!) *
        q +
        QUANTILE_C[5]!) /
      ((((QUANTILE_D[0]! * q + QUANTILE_D[1]!) * q + QUANTILE_D[2]!) * q + QUANTILE_D[3]!) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((QUANTILE_A[0]! * r + QUANTILE_A[1]!) * r + QUANTILE_A[2]!) * r + QUANTILE_A[3]!) * r +
        QUANTILE_A[4]!) *
        r +
        QUANTILE_A[5]!) *
        q) /
      (((((QUANTILE_B[0]! * r + QUANTILE_B[1]!) * r + QUANTILE_B[2]!) * r + QUANTILE_B[3]!) * r +
        QUANTILE_B[4]!) *
        r +
        1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(
        ((((QUANTILE_C[0]! * q + QUANTILE_C[1]!) * q + QUANTILE_C[2]!) * q + QUANTILE_C[3]!) * q +
          QUANTILE_C[4]!) *
          q +
        QUANTILE_C[5]!
      ) /
      ((((QUANTILE_D[0]! * q + QUANTILE_D[1]!) * q + QUANTILE_D[2]!) * q + QUANTILE_D[3]!) * q + 1);
  }
  // One Halley refinement step against the accurate CDF.
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
