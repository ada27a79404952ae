import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, PriceOutOfBoundsError } from '../../../../shared/domain/errors.ts';
import { normCdf, normPdf } from '../../../../shared/domain/math/normal-distribution.ts';
import { bsmPrice } from '../../../../shared/domain/pricing/black-scholes-merton.ts';
import {
  impliedNormalisedVolatility,
  impliedNormalisedVolatilityWithIterations,
  impliedVolatilityBlack76,
  impliedVolatilityBsm,
  impliedVolatilityBsmBatch,
  type BsmImpliedVolatilityBatchInput,
  type BsmImpliedVolatilityInput,
} from '../../../../shared/domain/pricing/implied-vol.ts';
import { normalisedBlackCall } from '../../../../shared/domain/pricing/normalised-black.ts';

/** Relative error bound of the pricer itself: 128 (its cancellation cap) × erfcx's ~6e-16. */
const PRICER_NOISE = 1e-13;

const EPS = Number.EPSILON; // 2^-52

/** ∂b/∂s of the normalised Black price (the same for calls and puts). */
function normalisedVega(x: number, s: number): number {
  const h = x / s;
  const t = s / 2;
  return Math.exp(-0.5 * (h * h + t * t)) / Math.sqrt(2 * Math.PI);
}

/**
 * Condition number of s in the normalised price: κ = β/(s·∂b/∂s) = 1/|∂ln b/∂ln s|. A
 * relative error δ in β moves s by κ·δ, so no solver can do better than ~κ·ε/2; the
 * problem is well conditioned where κ ≲ 1 (|∂ln b/∂ln s| is not tiny).
 */
function conditionNumber(beta: number, x: number, s: number): number {
  return beta / (s * normalisedVega(x, s));
}

/**
 * Exact solutions s* of b_θ(x, s) = β for the double β (50-digit mpmath, 20-digit-exact
 * s rounded to a double), with κ: [x, θ, β, s*, κ]. A stratified sample of a grid over
 * x ∈ [−300, 300] and s ∈ [1e-6, 10], including deep out-of-the-money prices down to
 * 1e-290 and in-the-money ones.
 */
const EXACT: readonly (readonly [number, 1 | -1, number, number, number])[] = [
  [-300, 1, 1.4323068701104732e-253, 8.912509381337197, 0.000896],
  [-300, 1, 6.254103938943635e-204, 9.99999999999971, 0.00114],
  [-100, 1, 7.815443718866915e-91, 5.011872336272575, 0.00253],
  [-100, 1, 3.1297248322270496e-40, 7.943282347242584, 0.00685],
  [-100, 1, 2.0264838411000974e-59, 6.309573444801748, 0.00409],
  [-30, 1, 6.211364091492895e-08, 7.079457843841173, 0.0917],
  [-30, 1, 1.254174861312474e-08, 6.309573444801748, 0.0586],
  [-30, 1, 3.084140404100089e-159, 1.12201845430193, 0.00139],
  [-10, 1, 0.005393585150210992, 5.623413251903325, 0.609],
  [-10, 1, 3.7444922338887e-278, 0.281838293126437, 0.000792],
  [-10, 1, 0.0006732801774702483, 3.548133892335649, 0.122],
  [-5, 1, 1.7216688521112235e-11, 0.7943282347242578, 0.0236],
  [-5, -1, 12.106422388746985, 2.2387211385682932, 307],
  [-5, 1, 7.423193004227149e-14, 0.7079457843841168, 0.019],
  [-2, 1, 3.629419236993097e-06, 0.5011872336272574, 0.0538],
  [-2, 1, 0.3255129177475389, 3.9810717055348537, 1.69],
  [-2, -1, 2.716743550589207, 6.309573444801802, 164],
  [-1, 1, 0.5325933182470827, 3.5481338923356494, 1.89],
  [-1, 1, 0.3082341537210051, 1.9952623149688202, 0.722],
  [-1, 1, 0.104074985166965, 1.12201845430193, 0.405],
  [-0.7, -1, 1.3937885692461944, 4.466835921509499, 9.59],
  [-0.7, -1, 0.7143794591617642, 0.12589254162081662, 7.37e+07],
  [-0.7, -1, 0.7144334455621134, 0.22387211385681677, 1.07e+03],
  [-0.3, 1, 0.5441305224462798, 1.9952623149688202, 1.14],
  [-0.3, 1, 4.734136730862548e-10, 0.056234132519033156, 0.032],
  [-0.3, -1, 0.48347762162938407, 0.7943282347242578, 1.77],
  [-0.1, -1, 0.6776310025384177, 1.7782794100388697, 1.42],
  [-0.1, 1, 2.444607286013032e-143, 0.0039810717055348555, 0.00158],
  [-0.1, 1, 3.356376053509034e-13, 0.015848931924610624, 0.0234],
  [-0.05, 1, 0.0007682198348955934, 0.03162277660168279, 0.213],
  [-0.05, 1, 8.609751577969737e-33, 0.004466835921509498, 0.0078],
  [-0.05, -1, 0.12694408182968597, 0.2511886431509505, 1.3],
  [-0.01, 1, 2.8240527278755455e-61, 0.0006309573444801788, 0.00393],
  [-0.01, 1, 0.00824077565451666, 0.03162277660168279, 0.687],
  [-0.01, -1, 0.2526349526274784, 0.6309573444801745, 1.05],
  [-0.001, 1, 0.15727968272832868, 0.39810717055348543, 1.01],
  [-0.001, 1, 0.7903635762864752, 2.5118864315095055, 1.74],
  [-0.001, -1, 0.007605429551785158, 0.017782794100388657, 1.07],
  [-1e-06, 1, 0.1120656836868082, 0.281838293126437, 1.01],
  [-1e-06, 1, 0.04473809112410555, 0.11220184543019293, 1],
  [-1e-06, -1, 0.17673099988063054, 0.4466835921509498, 1.02],
  [-1e-12, 1, 1.9994477287042027e-05, 5.011872336272653e-05, 1],
  [-1e-12, -1, 0.017818615708062015, 0.04466835921509492, 1],
  [-1e-12, -1, 6.322809543865208e-06, 1.584893192461098e-05, 1],
  [0, 1, 1.1243721136427391e-06, 2.8183829312644433e-06, 1],
  [0, -1, 1.9994477787042022e-05, 5.011872336272653e-05, 1],
  [0, -1, 0.6815417532606981, 1.99526231496882, 1.41],
  [1e-12, -1, 0.0002243417271794346, 0.0005623413251903364, 1],
  [1e-12, 1, 0.000795994366394759, 0.0019952623149688256, 1],
  [1e-12, -1, 0.14081105081781875, 0.354813389233565, 1.01],
  [1e-06, 1, 0.0028247891864958334, 0.007079457843841156, 1],
  [1e-06, -1, 0.0891253930492808, 0.22387211385682726, 1],
  [1e-06, -1, 0.841220939371846, 2.8183829312643702, 2.02],
  [0.001, 1, 0.007605429551785158, 0.017782794100388657, 1.07],
  [0.001, 1, 0.11256689847223918, 0.281838293126437, 1.01],
  [0.001, -1, 0.0035093369186424118, 0.009999999999999672, 0.884],
  [0.01, 1, 0.5769160448650915, 1.5848931924610663, 1.25],
  [0.01, -1, 0.8811665653305094, 3.1622776601682854, 2.44],
  [0.01, 1, 0.10502698888760328, 0.2511886431509505, 1.06],
  [0.05, -1, 0.016000383361509177, 0.0891250938133718, 0.527],
  [0.05, 1, 0.20287615753387722, 0.4466835921509499, 1.17],
  [0.05, -1, 2.576433026920797e-60, 0.0031622776601682888, 0.00395],
  [0.1, -1, 0.09646515619860159, 0.3548133892335649, 0.72],
  [0.1, -1, 0.0015189514668096996, 0.06309573444801736, 0.212],
  [0.1, -1, 0.2296084998498855, 0.7079457843841168, 0.874],
  [0.3, 1, 0.5535588620580733, 0.99999999999997, 1.64],
  [0.3, 1, 0.6384892452975176, 1.2589254117941295, 1.59],
  [0.3, -1, 0.2930532694185533, 1.12201845430193, 0.794],
  [0.7, -1, 2.2132198697664373e-17, 0.0891250938133718, 0.0155],
  [0.7, -1, 0.7046169599108073, 7.9432823472428975, 594],
  [0.7, -1, 0.6925711169543552, 5.011872336272575, 8.08],
  [1, -1, 1.3475847237301893e-05, 0.281838293126437, 0.0656],
  [1, -1, 0.6049417546334462, 6.309573444801751, 35.3],
  [1, -1, 0.5610790203975816, 3.981071705534854, 2.64],
  [2, 1, 2.353945451581856, 0.8912509381337117, 90.7],
  [2, 1, 2.3580997627407476, 0.9999999999999709, 49.5],
  [2, -1, 2.429560114991305e-14, 0.281838293126437, 0.0188],
  [5, -1, 8.535706996323636e-113, 0.22387211385682726, 0.00199],
  [5, 1, 12.101338295895365, 1.778279410038763, 1.32e+03],
  [5, 1, 12.182172412642593, 7.079457843841762, 2.91e+03],
  [10, 1, 148.41260797598966, 6.309573444812154, 3e+04],
  [10, 1, 148.407094435755, 3.5481338923426042, 2.68e+04],
  [10, -1, 1.7227533154103758e-90, 0.5011872336272574, 0.00249],
  [30, -1, 1.1427439438231425e-22, 3.162277660168285, 0.011],
  [30, -1, 2.552681040286935e-07, 8.912509381337197, 0.425],
  [30, -1, 3.084140404100089e-159, 1.12201845430193, 0.00139],
  [100, -1, 2.9709897937010665e-73, 5.623413251903325, 0.00321],
  [100, -1, 1.2060660529953393e-176, 3.548133892335649, 0.00126],
  [100, -1, 1.403345543389978e-277, 2.81838293126437, 0.000794],
  [300, -1, 6.254103938943635e-204, 9.99999999999971, 0.00114],
  [300, -1, 1.4323068701104732e-253, 8.912509381337197, 0.000896],
];

describe('impliedNormalisedVolatility: accuracy against exact solutions', () => {
  it('is within 4 ulps × max(1, κ) of the 50-digit solution for every tabulated case', () => {
    let worst = 0;
    for (const [x, theta, beta, exact, kappa] of EXACT) {
      const { s, iterations } = impliedNormalisedVolatilityWithIterations(beta, x, theta);
      const error = Math.abs(s - exact) / exact;
      const scaled = error / (EPS * Math.max(1, kappa));
      expect(scaled, `x=${x} θ=${theta} β=${beta}`).toBeLessThanOrEqual(4);
      expect(iterations).toBeLessThanOrEqual(2);
      worst = Math.max(worst, scaled);
    }
    // measured: 2.84 ulps at worst (x = −2, s ≈ 2.8)
    expect(worst).toBeLessThan(4);
  });

  it('solves put and call, in and out of the money, through the same out-of-the-money problem', () => {
    for (const [x, s0] of [[0.3, 0.2], [-1.2, 0.5], [2, 1.5], [0, 0.7]] as const) {
      const call = normalisedBlackCall(x, s0);
      const put = normalisedBlackCall(-x, s0);
      // put and call at the same x differ only by the intrinsic value
      expect(impliedNormalisedVolatility(put, x, -1)).toBeCloseTo(s0, 13);
      expect(impliedNormalisedVolatility(call, x, 1)).toBeCloseTo(s0, 13);
      // b_{−1}(x, s) = b_1(−x, s): identical problems, identical answers
      expect(impliedNormalisedVolatility(put, x, -1)).toBe(impliedNormalisedVolatility(put, -x, 1));
    }
  });
});

describe('impliedNormalisedVolatility: round trips over a wide grid', () => {
  /**
   * β = normalisedBlackCall(θx, s0), then s = solve(β) against s0 for |x| up to 300 and
   * s0 from 1e-6 to 10 (out-of-the-money parts down to 1e-300). The round trip cannot be
   * tighter than the pricer: normalisedBlackCall takes the plain Mills-ratio difference
   * where it loses up to 128x to cancellation (relative error up to PRICER_NOISE, see
   * MAX_CANCELLATION in normalised-black.ts), and that error is multiplied by κ. So the
   * criterion is |s − s0|/s0 ≤ 4ε·max(1, κ) + PRICER_NOISE·κ;
   * the solver's own accuracy (4 ulps × max(1, κ)) is pinned by the exact tables above
   * and by the reference file below.
   */
  it('recovers s0 to the accuracy of the price, in at most 2 iterations (average < 2)', () => {
    const magnitudes = [0, 1e-12, 1e-6, 1e-3, 0.01, 0.05, 0.1, 0.3, 0.5, 1, 2, 5, 10, 30, 100, 300];
    let count = 0;
    let iterationSum = 0;
    let maxIterations = 0;
    let wellConditioned = 0;
    let wellWithin4Ulps = 0;
    for (const m of magnitudes) {
      for (const x of m === 0 ? [0] : [m, -m]) {
        for (let k = 0; k <= 140; k++) {
          const s0 = 10 ** (-6 + k * 0.05);
          for (const theta of [1, -1] as const) {
            if (normalisedBlackCall(-Math.abs(x), s0) < 1e-300) continue; // out-of-the-money part underflows
            const beta = normalisedBlackCall(theta * x, s0);
            const upper = Math.exp(0.5 * theta * x);
            const intrinsic = theta * x > 0 ? 2 * Math.sinh(0.5 * theta * x) : 0;
            if (!(beta > intrinsic && beta < upper)) continue; // the time value is lost in β's rounding
            const { s, iterations } = impliedNormalisedVolatilityWithIterations(beta, x, theta);
            const kappa = conditionNumber(beta, x, s0);
            const error = Math.abs(s - s0) / s0;
            expect(error, `x=${x} θ=${theta} s0=${s0} κ=${kappa}`).toBeLessThanOrEqual(4 * EPS * Math.max(1, kappa) + PRICER_NOISE * kappa);
            count++;
            iterationSum += iterations;
            maxIterations = Math.max(maxIterations, iterations);
            if (kappa <= 1) {
              wellConditioned++;
              if (error <= 4 * EPS) wellWithin4Ulps++;
            }
          }
        }
      }
    }
    expect(count).toBeGreaterThan(3500);
    // measured: max 2, average 1.69
    expect(maxIterations).toBeLessThanOrEqual(2);
    expect(iterationSum / count).toBeLessThan(2);
    // where well conditioned, most round trips are exact to 4 ulps (measured 88%); the
    // rest carry the pricer's cancellation noise (bounded by PRICER_NOISE)
    expect(wellWithin4Ulps / wellConditioned).toBeGreaterThan(0.8);
  });

  it('takes at most 2 iterations on a realistic mix (strikes 0.5-2x, 1 day - 5 years, vols 5%-150%)', () => {
    let seed = 42;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const histogram = [0, 0, 0, 0, 0];
    let solved = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = Math.log(2) * (2 * random() - 1);
      const s = (0.05 + 1.45 * random()) * Math.sqrt(Math.exp(Math.log(1 / 365) + random() * Math.log(5 * 365)));
      const theta = random() < 0.5 ? 1 : -1;
      const beta = normalisedBlackCall(theta * x, s);
      const intrinsic = theta * x > 0 ? 2 * Math.sinh(0.5 * theta * x) : 0;
      if (!(beta > intrinsic)) continue; // deep in the money, time value lost in rounding
      const { iterations } = impliedNormalisedVolatilityWithIterations(beta, x, theta);
      histogram[iterations] = (histogram[iterations] ?? 0) + 1;
      solved++;
    }
    expect(solved).toBeGreaterThan(15_000);
    expect(histogram[3]! + histogram[4]!).toBe(0);
    expect(histogram[1]! + histogram[2]!).toBe(solved - histogram[0]!);
  });

  it('stays within 4 iterations, finite and non-negative over extreme x and tiny prices', () => {
    let seed = 7;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    for (let i = 0; i < 20_000; i++) {
      const x = (random() < 0.5 ? -1 : 1) * Math.exp(random() * 7); // |x| up to ~1100
      const theta = random() < 0.5 ? 1 : -1;
      const upper = Math.exp(0.5 * theta * x);
      const intrinsic = theta * x > 0 ? 2 * Math.sinh(0.5 * theta * x) : 0;
      if (!Number.isFinite(upper) || upper === 0) continue;
      const u = random() < 0.3 ? 1 - Math.exp(-random() * 36) : Math.exp(-random() * 650);
      const beta = intrinsic + (upper - intrinsic) * u;
      if (!(beta < upper) || !(beta - intrinsic > 1e-300)) continue;
      const { s, iterations } = impliedNormalisedVolatilityWithIterations(beta, x, theta);
      expect(Number.isFinite(s) && s >= 0).toBe(true);
      expect(iterations, `x=${x} θ=${theta} β=${beta}`).toBeLessThanOrEqual(4);
    }
  });

  it('handles the corners: x = 0, tiny |x|, prices near 0 and near the upper bound', () => {
    expect(impliedNormalisedVolatility(normalisedBlackCall(0, 0.2), 0, 1)).toBeCloseTo(0.2, 15);
    expect(impliedNormalisedVolatility(1e-300, 0, 1)).toBeCloseTo(Math.sqrt(2 * Math.PI) * 1e-300, 310);
    expect(impliedNormalisedVolatility(1 - 2 ** -53, 0, 1)).toBeCloseTo(16.58472215162719, 12);
    expect(impliedNormalisedVolatility(1e-300, -1e-300, 1)).toBeGreaterThan(0);
    expect(impliedNormalisedVolatility(0, -1, 1)).toBe(0);
    expect(impliedNormalisedVolatility(2 * Math.sinh(0.5), 1, 1)).toBe(0); // at the intrinsic value
    const s = impliedNormalisedVolatility(5e-324, -1e-10, 1);
    expect(Number.isFinite(s) && s > 0).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------
// Reference file (mpmath, exact vol for the double price)
// ---------------------------------------------------------------------------------------

interface ReferenceCase {
  readonly type: 'call' | 'put';
  readonly spot: number;
  readonly strike: number;
  readonly maturity: number;
  readonly rate: number;
  readonly yield: number;
  readonly price: number;
  readonly vol: number | string | null;
  readonly volUsed?: number;
  readonly cond?: number;
  readonly tag: string;
  readonly expectError?: boolean;
}

const reference = JSON.parse(readFileSync(new URL('../../../reference/implied-vol.json', import.meta.url), 'utf8')) as ReferenceCase[];

/**
 * Sensitivity of σ to the rounding of x = ln(F/K) = ln(S/K) + (r − q)T, which the
 * reference's κ (price-only) does not include: in double precision x carries an error of
 * ~ε·(|ln(S/K)| + |(r − q)T|) (more when the two terms cancel below the 16x at which
 * logForwardMoneyness switches to double-double), and σ moves by
 * |∂σ/∂x|/σ = (∂b/∂x)/(s·∂b/∂s) times that, with ∂b_θ/∂x = θ(e^{θx/2}N(d1) + e^{−θx/2}N(d2))/2.
 */
function moneynessCondition(c: ReferenceCase, vol: number): number {
  const s = vol * Math.sqrt(c.maturity);
  const logRatio = Math.log(c.spot / c.strike);
  const drift = (c.rate - c.yield) * c.maturity;
  const thetaX = (c.type === 'call' ? 1 : -1) * (logRatio + drift);
  const d1 = thetaX / s + s / 2;
  const d2 = thetaX / s - s / 2;
  const dBetaDx = 0.5 * (Math.exp(thetaX / 2) * normCdf(d1) + Math.exp(-thetaX / 2) * normCdf(d2));
  return (dBetaDx * (Math.abs(logRatio) + Math.abs(drift))) / (s * normalisedVega(thetaX, s));
}

describe('impliedVolatilityBsm against the mpmath reference file', () => {
  const solvable = reference.filter((c) => !c.expectError);
  const invalid = reference.filter((c) => c.expectError);

  it('has the file it expects', () => {
    expect(solvable.length).toBeGreaterThan(500);
    expect(invalid.length).toBeGreaterThan(10);
  });

  /**
   * Tolerance: 4ε·(1 + κ + κ_x) with κ the reference's price condition number
   * (price/(vega·σ)) and κ_x the moneyness term above; where both are small that is
   * below 1e-15, and it exceeds 1e-12 only for the ~50 cases whose prices barely depend
   * on σ (deep in the money, tiny σ√T: κ up to 1e11). Measured: 1.3·ε·(1 + κ + κ_x) at
   * worst.
   */
  it('reproduces every exact vol to 4ε·(1 + κ + κ_x), and to 1e-12 wherever 4ε·(1 + κ + κ_x) ≤ 1e-12', () => {
    let within1e12 = 0;
    for (const c of solvable) {
      const exact = Number(c.vol);
      const got = impliedVolatilityBsm(c);
      const error = Math.abs(got - exact) / exact;
      const kappa = Number(c.cond);
      const allowed = 4 * EPS * (1 + kappa + moneynessCondition(c, exact));
      const label = `${c.tag} ${c.type} S=${c.spot} K=${c.strike} T=${c.maturity} r=${c.rate} q=${c.yield} p=${c.price}`;
      expect(error, label).toBeLessThanOrEqual(allowed);
      if (allowed <= 1e-12) expect(error, label).toBeLessThanOrEqual(1e-12);
      if (error <= 1e-12) within1e12++;
    }
    // measured: all but 50 of 599 (those with κ + κ_x ≳ 1e3)
    expect(within1e12 / solvable.length).toBeGreaterThan(0.9);
  });

  it('rejects every out-of-bounds price: PriceOutOfBoundsError, or InvalidInputError for a negative price', () => {
    for (const c of invalid) {
      let caught: unknown;
      try {
        impliedVolatilityBsm(c);
      } catch (error) {
        caught = error;
      }
      if (c.price < 0) {
        // a negative price is an invalid input before it is an arbitrage
        expect(caught).toBeInstanceOf(InvalidInputError);
        expect((caught as InvalidInputError).field).toBe('price');
      } else {
        expect(caught).toBeInstanceOf(PriceOutOfBoundsError);
        const bounds = caught as PriceOutOfBoundsError;
        expect(bounds.price).toBe(c.price);
        expect(c.price < bounds.lowerBound || c.price >= bounds.upperBound).toBe(true);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------
// BSM and Black-76 entry points
// ---------------------------------------------------------------------------------------

const base: BsmImpliedVolatilityInput = { type: 'call', spot: 100, strike: 110, maturity: 0.5, rate: 0.03, yield: 0.01, price: 4 };

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('impliedVolatilityBsm round trips with the pricer', () => {
  /**
   * Prices from bsmPrice (which uses the same x and √(S·e^{−qT}·K·e^{−rT}) scale) over a
   * grid of strikes, maturities, vols, rates and yields; criterion as for the normalised
   * round trip with BSM's κ = price/(vega·σ): 8ε·max(1, κ) + PRICER_NOISE·κ. Prices below 1e-290
   * are left out (a subnormal price has lost relative precision of its own).
   */
  it('recovers the vol over a grid of ~3000 options', () => {
    let count = 0;
    for (const strike of [20, 50, 80, 95, 99.9, 100, 100.1, 105, 125, 200, 500]) {
      for (const maturity of [1 / 365, 0.1, 1, 5, 30]) {
        for (const vol of [0.01, 0.05, 0.2, 0.6, 1.5, 4]) {
          for (const rate of [-0.01, 0, 0.05]) {
            for (const dividendYield of [0, 0.03]) {
              for (const type of ['call', 'put'] as const) {
                const input = { type, spot: 100, strike, maturity, vol, rate, yield: dividendYield };
                const price = bsmPrice(input);
                const spotPv = 100 * Math.exp(-dividendYield * maturity);
                const strikePv = strike * Math.exp(-rate * maturity);
                const intrinsic = Math.max((type === 'call' ? 1 : -1) * (spotPv - strikePv), 0);
                if (!(price < (type === 'call' ? spotPv : strikePv)) || price <= intrinsic || price < 1e-290) continue;
                const got = impliedVolatilityBsm({ type, spot: 100, strike, maturity, rate, yield: dividendYield, price });
                const s = vol * Math.sqrt(maturity);
                const d1 = (Math.log(100 / strike) + (rate - dividendYield) * maturity) / s + s / 2;
                const kappa = price / (spotPv * normPdf(d1) * Math.sqrt(maturity) * vol);
                expect(Math.abs(got - vol) / vol, JSON.stringify(input)).toBeLessThanOrEqual(8 * EPS * Math.max(1, kappa) + PRICER_NOISE * kappa);
                count++;
              }
            }
          }
        }
      }
    }
    expect(count).toBeGreaterThan(3000);
  });

  it('gives the same vol for a call and the put at the same strike (put-call parity)', () => {
    const common = { spot: 100, strike: 120, maturity: 0.75, rate: 0.04, yield: 0.02 };
    const vol = 0.35;
    const call = bsmPrice({ ...common, type: 'call', vol });
    const put = bsmPrice({ ...common, type: 'put', vol });
    expect(impliedVolatilityBsm({ ...common, type: 'call', price: call })).toBeCloseTo(vol, 14);
    expect(impliedVolatilityBsm({ ...common, type: 'put', price: put })).toBeCloseTo(vol, 14);
  });

  it('returns 0 at the intrinsic value (and within its rounding), and for a zero out-of-the-money price', () => {
    const spotPv = 100 * Math.exp(-0.01 * 0.5);
    const strikePv = 90 * Math.exp(-0.03 * 0.5);
    expect(impliedVolatilityBsm({ ...base, strike: 90, price: spotPv - strikePv })).toBe(0);
    expect(impliedVolatilityBsm({ ...base, type: 'put', strike: 110, price: 110 * Math.exp(-0.03 * 0.5) - spotPv })).toBe(0);
    // 2 ulps below the computed intrinsic value: the rounding of the bounds, not an arbitrage
    const intrinsic = spotPv - strikePv;
    expect(impliedVolatilityBsm({ ...base, strike: 90, price: intrinsic - 4 * EPS * intrinsic })).toBe(0);
    expect(impliedVolatilityBsm({ ...base, price: 0 })).toBe(0);
    // a deep in-the-money price whose time value is lost in rounding
    const deep = bsmPrice({ type: 'call', spot: 100, strike: 20, maturity: 1 / 365, vol: 0.2, rate: 0.05, yield: 0 });
    expect(impliedVolatilityBsm({ type: 'call', spot: 100, strike: 20, maturity: 1 / 365, rate: 0.05, yield: 0, price: deep })).toBe(0);
  });

  it('solves prices one ulp below the upper bound and extreme but valid inputs, never NaN', () => {
    const upper = 100 * Math.exp(-0.01 * 0.5);
    const nearUpper = impliedVolatilityBsm({ ...base, price: upper * (1 - EPS / 2) });
    expect(nearUpper).toBeGreaterThan(10);
    expect(Number.isFinite(nearUpper)).toBe(true);
    const cases: BsmImpliedVolatilityInput[] = [
      { type: 'call', spot: 100, strike: 100, maturity: 1e-12, rate: 0, yield: 0, price: 1e-5 },
      { type: 'call', spot: 1e-300, strike: 1e300, maturity: 1, rate: 0, yield: 0, price: 1e-310 },
      { type: 'put', spot: 1e300, strike: 1e-300, maturity: 1, rate: 0, yield: 0, price: 1e-320 },
      { type: 'call', spot: 1.7e308, strike: 1.7e308, maturity: 1, rate: 0, yield: 0, price: 1e307 },
      { type: 'put', spot: 100, strike: 100, maturity: 50, rate: 0.5, yield: -0.5, price: 1e-200 },
      { type: 'call', spot: 100, strike: 100, maturity: 1, rate: 0, yield: 0, price: 100 * (1 - EPS) },
    ];
    for (const c of cases) {
      const vol = impliedVolatilityBsm(c);
      expect(Number.isFinite(vol) && vol >= 0, JSON.stringify(c)).toBe(true);
    }
  });
});

describe('impliedVolatilityBlack76', () => {
  it('round-trips through the normalised price', () => {
    for (const [forward, strike, maturity, rate, vol, type] of [
      [100, 110, 0.5, 0.03, 0.22, 'call'],
      [100, 80, 2, 0.05, 0.4, 'put'],
      [50, 50, 0.01, 0, 1.2, 'call'],
      [1, 3, 10, 0.02, 0.08, 'call'],
    ] as const) {
      const theta = type === 'call' ? 1 : -1;
      const price = Math.exp(-rate * maturity) * Math.sqrt(forward * strike) * normalisedBlackCall(theta * Math.log(forward / strike), vol * Math.sqrt(maturity));
      expect(impliedVolatilityBlack76({ type, forward, strike, maturity, rate, price })).toBeCloseTo(vol, 13);
    }
  });

  it('validates and bounds like the BSM form', () => {
    const input = { type: 'call', forward: 100, strike: 110, maturity: 0.5, rate: 0.03, price: 2.8 } as const;
    expect(impliedVolatilityBlack76(input)).toBeCloseTo(0.22614585650901262, 14);
    expect(errorOf(() => impliedVolatilityBlack76({ ...input, forward: -1 }))).toMatchObject({ field: 'forward' });
    expect(errorOf(() => impliedVolatilityBlack76({ ...input, rate: Number.NaN }))).toMatchObject({ field: 'rate' });
    const atUpper = errorOf(() => impliedVolatilityBlack76({ ...input, price: 100 * Math.exp(-0.015) }));
    expect(atUpper).toBeInstanceOf(PriceOutOfBoundsError);
    expect(atUpper).toMatchObject({ lowerBound: 0, upperBound: 100 * Math.exp(-0.015) });
    const belowIntrinsic = errorOf(() => impliedVolatilityBlack76({ ...input, strike: 90, price: 9 }));
    expect(belowIntrinsic).toBeInstanceOf(PriceOutOfBoundsError);
    expect((belowIntrinsic as PriceOutOfBoundsError).lowerBound).toBeCloseTo(10 * Math.exp(-0.015), 14);
  });
});

describe('input validation and bounds', () => {
  it.each([
    ['spot', Number.NaN],
    ['spot', 0],
    ['spot', -100],
    ['spot', Infinity],
    ['strike', Number.NaN],
    ['strike', 0],
    ['strike', -1],
    ['maturity', 0],
    ['maturity', -0.5],
    ['maturity', Number.NaN],
    ['maturity', Infinity],
    ['rate', Number.NaN],
    ['rate', Infinity],
    ['yield', Number.NaN],
    ['yield', -Infinity],
    ['price', Number.NaN],
    ['price', -0.01],
    ['price', Infinity],
  ] as const)('rejects %s = %s with an InvalidInputError naming the field', (field, value) => {
    const error = errorOf(() => impliedVolatilityBsm({ ...base, [field]: value }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', field });
    expect((error as Error).message).toContain(field);
  });

  it('rejects an unknown option type and non-number fields', () => {
    const badType = errorOf(() => impliedVolatilityBsm({ ...base, type: 'straddle' as 'call' }));
    expect(badType).toBeInstanceOf(InvalidInputError);
    expect(badType).toMatchObject({ field: 'type' });
    expect((badType as Error).message).toContain('"straddle"');
    expect(errorOf(() => impliedVolatilityBsm({ ...base, spot: '100' as unknown as number }))).toMatchObject({ field: 'spot' });
  });

  it('rejects prices at or above the upper bound and below the intrinsic value, naming the bounds', () => {
    const spotPv = 100 * Math.exp(-0.01 * 0.5);
    const strikePv = 110 * Math.exp(-0.03 * 0.5);
    const atUpper = errorOf(() => impliedVolatilityBsm({ ...base, price: spotPv }));
    expect(atUpper).toBeInstanceOf(PriceOutOfBoundsError);
    expect(atUpper).toMatchObject({ code: 'PRICE_OUT_OF_BOUNDS', price: spotPv, lowerBound: 0, upperBound: spotPv });
    expect((atUpper as Error).message).toContain('at or above the upper bound');
    expect(errorOf(() => impliedVolatilityBsm({ ...base, price: 1e6 }))).toBeInstanceOf(PriceOutOfBoundsError);
    const putAbove = errorOf(() => impliedVolatilityBsm({ ...base, type: 'put', price: strikePv * 1.000001 }));
    expect(putAbove).toMatchObject({ upperBound: strikePv });
    // in the money: below the discounted intrinsic value
    const itm = { ...base, type: 'put' as const };
    const intrinsic = strikePv - spotPv;
    const below = errorOf(() => impliedVolatilityBsm({ ...itm, price: intrinsic * (1 - 1e-9) }));
    expect(below).toBeInstanceOf(PriceOutOfBoundsError);
    expect(below).toMatchObject({ lowerBound: intrinsic, upperBound: strikePv });
    expect((below as Error).message).toContain('below the lower bound');
  });

  it('validates the normalised form too', () => {
    expect(errorOf(() => impliedNormalisedVolatility(Number.NaN, 0, 1))).toMatchObject({ field: 'beta' });
    expect(errorOf(() => impliedNormalisedVolatility(-0.1, 0, 1))).toMatchObject({ field: 'beta' });
    expect(errorOf(() => impliedNormalisedVolatility(0.1, Infinity, 1))).toMatchObject({ field: 'x' });
    expect(errorOf(() => impliedNormalisedVolatility(0.1, 0, 0 as 1))).toMatchObject({ field: 'theta' });
    expect(errorOf(() => impliedNormalisedVolatility(1, 0, 1))).toBeInstanceOf(PriceOutOfBoundsError);
    expect(errorOf(() => impliedNormalisedVolatility(Math.exp(0.05), 0.1, 1))).toBeInstanceOf(PriceOutOfBoundsError);
    expect(errorOf(() => impliedNormalisedVolatility(0.09, 0.2, 1))).toMatchObject({ lowerBound: 2 * Math.sinh(0.1) });
  });
});

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

const optionArbitrary = fc.record({
  type: fc.constantFrom('call' as const, 'put' as const),
  spot: fc.double({ min: -3, max: 5, noNaN: true }).map((e) => 10 ** e),
  moneyness: fc.double({ min: -3, max: 3, noNaN: true }),
  maturity: fc.double({ min: -4, max: Math.log10(50), noNaN: true }).map((e) => 10 ** e),
  vol: fc.double({ min: -3, max: Math.log10(5), noNaN: true }).map((e) => 10 ** e),
  rate: fc.double({ min: -0.1, max: 0.3, noNaN: true }),
  yield: fc.double({ min: -0.1, max: 0.3, noNaN: true }),
});

describe('properties (fast-check)', () => {
  it('prices from the pricer solve to a finite vol ≥ 0 that reprices them to 1e-12 (or 1e-15 of the bound scale)', () => {
    fc.assert(
      fc.property(optionArbitrary, (o) => {
        const strike = o.spot * Math.exp(o.moneyness);
        const option = { type: o.type, spot: o.spot, strike, maturity: o.maturity, rate: o.rate, yield: o.yield };
        const price = bsmPrice({ ...option, vol: o.vol });
        const spotPv = o.spot * Math.exp(-o.yield * o.maturity);
        const strikePv = strike * Math.exp(-o.rate * o.maturity);
        if (!(price < (o.type === 'call' ? spotPv : strikePv))) return true; // rounded onto the upper bound
        const vol = impliedVolatilityBsm({ ...option, price });
        expect(Number.isFinite(vol) && vol >= 0).toBe(true);
        const repriced = bsmPrice({ ...option, vol });
        expect(Math.abs(repriced - price)).toBeLessThanOrEqual(Math.max(1e-12 * price, 1e-15 * (spotPv + strikePv)));
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('any price strictly inside the bounds solves and reprices', () => {
    fc.assert(
      fc.property(optionArbitrary, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: -300, max: 0, noNaN: true }), (o, pick, e) => {
        const strike = o.spot * Math.exp(o.moneyness);
        const option = { type: o.type, spot: o.spot, strike, maturity: o.maturity, rate: o.rate, yield: o.yield };
        const spotPv = o.spot * Math.exp(-o.yield * o.maturity);
        const strikePv = strike * Math.exp(-o.rate * o.maturity);
        const upper = o.type === 'call' ? spotPv : strikePv;
        const lower = Math.max((o.type === 'call' ? 1 : -1) * (spotPv - strikePv), 0);
        // time value either uniform or log-uniform down to 1e-300 of the range
        const fraction = pick < 0.5 ? 2 * pick : 10 ** e;
        const price = lower + (upper - lower) * fraction;
        if (!(price < upper) || !(price > lower)) return true;
        const vol = impliedVolatilityBsm({ ...option, price });
        expect(Number.isFinite(vol) && vol >= 0).toBe(true);
        const repriced = bsmPrice({ ...option, vol });
        expect(Math.abs(repriced - price)).toBeLessThanOrEqual(Math.max(1e-12 * price, 1e-15 * (spotPv + strikePv)));
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('the normalised solver inverts the normalised price for any x and s', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: -4, max: 1, noNaN: true }).map((e) => 10 ** e),
        fc.constantFrom(1 as const, -1 as const),
        (x, s0, theta) => {
          const beta = normalisedBlackCall(theta * x, s0);
          const upper = Math.exp(0.5 * theta * x);
          const intrinsic = theta * x > 0 ? 2 * Math.sinh(0.5 * theta * x) : 0;
          if (!(beta > intrinsic && beta < upper) || normalisedBlackCall(-Math.abs(x), s0) < 1e-300) return true;
          const { s, iterations } = impliedNormalisedVolatilityWithIterations(beta, x, theta);
          const kappa = conditionNumber(beta, x, s0);
          expect(Math.abs(s - s0) / s0).toBeLessThanOrEqual(4 * EPS * Math.max(1, kappa) + PRICER_NOISE * kappa);
          expect(iterations).toBeLessThanOrEqual(2);
          return true;
        },
      ),
      { numRuns: 3000 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// Batch
// ---------------------------------------------------------------------------------------

describe('impliedVolatilityBsmBatch', () => {
  const rows: BsmImpliedVolatilityInput[] = [
    { type: 'call', spot: 100, strike: 110, maturity: 1, rate: 0.02, yield: 0, price: 5 },
    { type: 'put', spot: 100, strike: 90, maturity: 1, rate: 0.02, yield: 0, price: -1 }, // invalid price
    { type: 'put', spot: 100, strike: 120, maturity: 0.25, rate: 0.05, yield: 0.01, price: 21 },
    { type: 'call', spot: Number.NaN, strike: 100, maturity: 1, rate: 0, yield: 0, price: 1 }, // invalid spot
    { type: 'call', spot: 100, strike: 100, maturity: 1, rate: 0, yield: 0, price: 100 }, // at the upper bound
    { type: 'call', spot: 100, strike: 50, maturity: 1, rate: 0, yield: 0, price: 40 }, // below intrinsic
    { type: 'call', spot: 100, strike: 50, maturity: 1, rate: 0, yield: 0, price: 50 }, // at intrinsic: 0
    { type: 'put', spot: 3.5, strike: 2, maturity: 3, rate: -0.01, yield: 0.04, price: 0.2 },
  ];
  const numericColumns = () => ({
    spot: Float64Array.from(rows, (r) => r.spot),
    strike: Float64Array.from(rows, (r) => r.strike),
    maturity: Float64Array.from(rows, (r) => r.maturity),
    rate: Float64Array.from(rows, (r) => r.rate),
    yield: Float64Array.from(rows, (r) => r.yield),
    price: Float64Array.from(rows, (r) => r.price),
  });
  const codes = () => Uint8Array.from(rows, (r) => (r.type === 'put' ? 1 : 0));
  const columns = (): BsmImpliedVolatilityBatchInput => ({ ...numericColumns(), isPut: codes() });

  it('writes exactly the scalar result, NaN for the rows the scalar form rejects, and reports them', () => {
    const out = new Float64Array(rows.length);
    const status = new Int8Array(rows.length);
    const report = impliedVolatilityBsmBatch(columns(), out, status);
    rows.forEach((row, i) => {
      let expected: number;
      try {
        expected = impliedVolatilityBsm(row);
      } catch {
        expected = Number.NaN;
      }
      expect(Object.is(out[i], expected), `row ${i}`).toBe(true);
    });
    expect(Array.from(out, (v) => Number.isNaN(v))).toEqual([false, true, false, true, true, true, false, false]);
    expect(Array.from(status)).toEqual([0, 1, 0, 1, 2, 2, 0, 0]);
    expect(out[6]).toBe(0);
    expect(report.solved).toBe(4);
    expect(report.failed).toBe(4);
    expect(report.firstFailure?.row).toBe(1);
    expect(report.firstFailure?.error).toBeInstanceOf(InvalidInputError);
    expect(report.firstFailure?.error.message).toBe((errorOf(() => impliedVolatilityBsm(rows[1]!)) as Error).message);
  });

  it('reports an out-of-bounds first failure with its bounds, and a clean batch as all solved', () => {
    const all = columns();
    const pick = (column: Float64Array, rowsToKeep: number[]) => Float64Array.from(rowsToKeep, (i) => column[i]!);
    const kept = [0, 2, 6, 7];
    const good = {
      isPut: Uint8Array.from(kept, (i) => all.isPut[i]!),
      spot: pick(all.spot, kept),
      strike: pick(all.strike, kept),
      maturity: pick(all.maturity, kept),
      rate: pick(all.rate, kept),
      yield: pick(all.yield, kept),
      price: pick(all.price, kept),
    };
    expect(impliedVolatilityBsmBatch(good, new Float64Array(4))).toEqual({ solved: 4, failed: 0 });
    const callAtItsUpperBound = { ...good, price: Float64Array.of(100, 21, 50, 0.2) }; // a call worth its whole spot
    const report = impliedVolatilityBsmBatch(callAtItsUpperBound, new Float64Array(4));
    expect(report.failed).toBe(1);
    expect(report.firstFailure?.row).toBe(0);
    expect(report.firstFailure?.error).toBeInstanceOf(PriceOutOfBoundsError);
  });

  it('writes NaN for a type code other than 0 or 1, and checks the column lengths', () => {
    const isPut = codes();
    isPut[0] = 2;
    const input = { ...numericColumns(), isPut };
    const out = new Float64Array(rows.length);
    const report = impliedVolatilityBsmBatch(input, out);
    expect(out[0]).toBeNaN();
    expect(report.firstFailure?.error.message).toMatch(/type/);
    expect(errorOf(() => impliedVolatilityBsmBatch(input, new Float64Array(3)))).toBeInstanceOf(InvalidInputError);
  });
});
