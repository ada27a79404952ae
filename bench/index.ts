/**
 * Throughput and accuracy of the risk core, beside popular npm Black-Scholes packages
 * measured on the same inputs in the same run:
 *  - `@uqee/black-scholes` (the most downloaded: price, delta, gamma, vega, theta, rho, IV)
 *  - `black-scholes` (the classic: price only)
 * Peers have no dividend yield; for them q enters as S·e^{−qT} (same price and delta
 * w.r.t. that spot; their Greeks are mapped back to S with the same factor).
 * Single-threaded; figures are the median of several timed runs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BlackScholes } from '@uqee/black-scholes';
import { blackScholes as classicBlackScholes } from 'black-scholes';
import { bsmGreeks, bsmPrice } from '../shared/domain/pricing/black-scholes-merton.ts';
import { GREEK_COUNT } from '../shared/domain/pricing/greeks.ts';
import { bsmGreeksBatch, type BsmBatch } from '../shared/domain/pricing/greeks-batch.ts';
import { impliedVolatilityBsm, impliedVolatilityBsmBatch } from '../shared/domain/pricing/implied-vol.ts';

// `--fuzz [--runs N] [--seed N]`: the boundary fuzz alone (bench/fuzz-bench.ts), not the figures.
const benchArgs = process.argv.slice(2);
if (benchArgs.length > 0) {
  const { parseFuzzFlags } = await import('./fuzz-flags.ts');
  const parsed = parseFuzzFlags(benchArgs);
  if ('error' in parsed) {
    console.error(`bench: ${parsed.error}\nUsage: npm run bench [-- --fuzz [--runs N] [--seed N]]`);
    process.exit(2);
  }
  const { runFuzzBench } = await import('./fuzz-bench.ts');
  process.exit((await runFuzzBench(parsed)) ? 0 : 1);
}

const N = 200_000;

/** A deterministic mix: strikes 0.5–2× spot, 1 day to 5 years, vols 5–150%. */
function makeMix(n: number): BsmBatch & { price: Float64Array } {
  let seed = 20261126;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const batch = {
    isPut: new Uint8Array(n),
    spot: new Float64Array(n),
    strike: new Float64Array(n),
    maturity: new Float64Array(n),
    vol: new Float64Array(n),
    rate: new Float64Array(n),
    yield: new Float64Array(n),
    price: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    batch.isPut[i] = random() < 0.5 ? 1 : 0;
    batch.spot[i] = 100;
    batch.strike[i] = 100 * Math.exp((random() - 0.5) * Math.log(4));
    batch.maturity[i] = Math.exp(Math.log(1 / 365) + random() * Math.log(5 * 365));
    batch.vol[i] = 0.05 + random() * 1.45;
    batch.rate[i] = random() * 0.08;
    batch.yield[i] = random() * 0.04;
  }
  const greeks = bsmGreeksBatch(batch);
  for (let i = 0; i < n; i++) batch.price[i] = greeks[i * GREEK_COUNT]!;
  return batch;
}

function opsPerSecond(count: number, run: () => void, repeats = 5): number {
  run(); // warm up
  run();
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(count / seconds);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

const fmt = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M/s` : `${(v / 1e3).toFixed(0)} k/s`);
const fmtErr = (v: number): string => (Number.isFinite(v) ? v.toExponential(1) : String(v));
let sink = 0;

const mix = makeMix(N);
const type = (i: number): 'call' | 'put' => (mix.isPut[i] === 1 ? 'put' : 'call');
const peer = new BlackScholes();
const peerPrecise = new BlackScholes({ priceToSigmaMethod: 'newton-raphson', priceToSigmaAccuracy: 1e-12, priceToSigmaNRIteractions: 100 });

console.log(`hedge risk core benchmark — node ${process.version}, ${N.toLocaleString('en-US')} options (strikes 0.5-2x, 1d-5y, vol 5-150%)\n`);

// ---- Greeks throughput
const out = new Float64Array(N * GREEK_COUNT);
const rows: [string, string, number][] = [];
rows.push(['hedge batch (typed arrays)', 'price + 7 Greeks', opsPerSecond(N, () => bsmGreeksBatch(mix, out))]);
rows.push([
  'hedge object API (bsmGreeks)',
  'price + 7 Greeks',
  opsPerSecond(N, () => {
    for (let i = 0; i < N; i++) {
      sink += bsmGreeks({ type: type(i), spot: mix.spot[i]!, strike: mix.strike[i]!, maturity: mix.maturity[i]!, vol: mix.vol[i]!, rate: mix.rate[i]!, yield: mix.yield[i]! }).delta;
    }
  }),
]);
rows.push([
  '@uqee/black-scholes option()',
  'price + 5 Greeks',
  opsPerSecond(N, () => {
    for (let i = 0; i < N; i++) {
      const s = mix.spot[i]! * Math.exp(-mix.yield[i]! * mix.maturity[i]!);
      sink += peer.option({ rate: mix.rate[i]!, sigma: mix.vol[i]!, strike: mix.strike[i]!, time: mix.maturity[i]!, type: type(i), underlying: s }).delta;
    }
  }),
]);
rows.push([
  'hedge bsmPrice',
  'price only',
  opsPerSecond(N, () => {
    for (let i = 0; i < N; i++) {
      sink += bsmPrice({ type: type(i), spot: mix.spot[i]!, strike: mix.strike[i]!, maturity: mix.maturity[i]!, vol: mix.vol[i]!, rate: mix.rate[i]!, yield: mix.yield[i]! });
    }
  }),
]);
const classicN = 20_000; // the classic package sums a 100-term series per N(x): slow
rows.push([
  'black-scholes blackScholes()',
  'price only',
  opsPerSecond(classicN, () => {
    for (let i = 0; i < classicN; i++) {
      const s = mix.spot[i]! * Math.exp(-mix.yield[i]! * mix.maturity[i]!);
      sink += classicBlackScholes(s, mix.strike[i]!, mix.maturity[i]!, mix.vol[i]!, mix.rate[i]!, type(i));
    }
  }),
]);

// ---- Implied volatility throughput
const volOut = new Float64Array(N);
rows.push(['hedge impliedVolatilityBsmBatch', 'implied vol', opsPerSecond(N, () => impliedVolatilityBsmBatch(mix, volOut))]);
rows.push([
  'hedge impliedVolatilityBsm',
  'implied vol',
  opsPerSecond(N, () => {
    for (let i = 0; i < N; i++) {
      sink += impliedVolatilityBsm({ type: type(i), spot: mix.spot[i]!, strike: mix.strike[i]!, maturity: mix.maturity[i]!, rate: mix.rate[i]!, yield: mix.yield[i]!, price: mix.price[i]! });
    }
  }),
]);
const peerIvN = 20_000;
for (const [name, solver] of [
  ['@uqee/black-scholes sigma() default', peer],
  ['@uqee/black-scholes sigma() NR 1e-12', peerPrecise],
] as const) {
  rows.push([
    name,
    'implied vol',
    opsPerSecond(peerIvN, () => {
      for (let i = 0; i < peerIvN; i++) {
        const s = mix.spot[i]! * Math.exp(-mix.yield[i]! * mix.maturity[i]!);
        sink += solver.sigma({ price: mix.price[i]!, rate: mix.rate[i]!, strike: mix.strike[i]!, time: mix.maturity[i]!, type: type(i), underlying: s });
      }
    }),
  ]);
}
console.log('Throughput (one core)');
for (const [name, what, rate] of rows) console.log(`  ${name.padEnd(38)} ${what.padEnd(18)} ${fmt(rate).padStart(10)}`);

// ---- Accuracy against the mpmath reference
interface RefCase {
  type: 'call' | 'put';
  spot: number;
  strike: number;
  maturity: number;
  vol: number;
  rate: number;
  yield: number;
  tag: string;
  price: number | string;
  delta: number | string;
  gamma: number | string;
  vega: number | string;
}
const reference = JSON.parse(readFileSync(resolve('test/reference/bsm-greeks.json'), 'utf8')) as RefCase[];
type Field = 'price' | 'delta' | 'gamma' | 'vega';
const FIELDS: Field[] = ['price', 'delta', 'gamma', 'vega'];
interface Score {
  maxOrdinary: Record<Field, number>;
  maxAll: Record<Field, number>;
  wrongSignOrNaN: number;
}
const newScore = (): Score => ({
  maxOrdinary: { price: 0, delta: 0, gamma: 0, vega: 0 },
  maxAll: { price: 0, delta: 0, gamma: 0, vega: 0 },
  wrongSignOrNaN: 0,
});
function score(greeksOf: (c: RefCase) => Partial<Record<Field, number>>, fields: readonly Field[] = FIELDS): Score {
  const s = newScore();
  for (const c of reference) {
    const got = greeksOf(c);
    for (const f of fields) {
      const want = Number(c[f]);
      const value = got[f]!;
      if (Number.isNaN(value) || (value !== 0 && Math.sign(value) !== Math.sign(want))) s.wrongSignOrNaN++;
      if (!(Math.abs(want) >= 1e-250)) continue;
      const err = Number.isFinite(value) ? Math.abs(value - want) / Math.abs(want) : Infinity;
      if (!(err <= s.maxAll[f])) s.maxAll[f] = err;
      if (c.tag === 'ordinary' && !(err <= s.maxOrdinary[f])) s.maxOrdinary[f] = err;
    }
  }
  return s;
}
const ours = score((c) => {
  const g = bsmGreeks(c);
  return { price: g.price, delta: g.delta, gamma: g.gamma, vega: g.vegaPerUnitVol };
});
const uqee = score((c) => {
  const carry = Math.exp(-c.yield * c.maturity);
  const g = peer.option({ rate: c.rate, sigma: c.vol, strike: c.strike, time: c.maturity, type: c.type, underlying: c.spot * carry });
  return { price: g.price, delta: g.delta * carry, gamma: g.gamma * carry * carry, vega: g.vega };
});
const classic = score((c) => {
  const carry = Math.exp(-c.yield * c.maturity);
  return { price: classicBlackScholes(c.spot * carry, c.strike, c.maturity, c.vol, c.rate, c.type) };
}, ['price']);
console.log(`\nAccuracy against the mpmath reference (${reference.length} cases; max relative error where |value| >= 1e-250)`);
console.log(`  ${'library'.padEnd(24)} ${'field'.padEnd(6)} ${'ordinary cases'.padStart(15)} ${'all cases (tails)'.padStart(18)}`);
for (const [name, s, fields] of [
  ['hedge', ours, FIELDS],
  ['@uqee/black-scholes', uqee, FIELDS],
  ['black-scholes', classic, ['price'] as Field[]],
] as const) {
  for (const f of fields) console.log(`  ${name.padEnd(24)} ${f.padEnd(6)} ${fmtErr(s.maxOrdinary[f]).padStart(15)} ${fmtErr(s.maxAll[f]).padStart(18)}`);
  console.log(`  ${name.padEnd(24)} NaN or wrong-sign values (${fields.join(', ')}): ${s.wrongSignOrNaN}`);
}

// ---- Implied vol accuracy
interface IvCase {
  type: 'call' | 'put';
  spot: number;
  strike: number;
  maturity: number;
  rate: number;
  yield: number;
  price: number;
  vol: number | null;
  cond?: number;
  tag: string;
}
const ivCases = (JSON.parse(readFileSync(resolve('test/reference/implied-vol.json'), 'utf8')) as IvCase[]).filter((c) => c.vol !== null);
// κ = price/(vega·σ) is the conditioning: a price rounded to a double already moves the
// vol by ~κ·ε, so errors are compared where κ ≤ 10, and in units of ε·(1 + κ) overall.
const EPS = Number.EPSILON;
const ivScore = { wellConditioned: 0, worstInUlpsOfCondition: 0, failures: 0 };
const peerScore = { wellConditioned: 0, worstInUlpsOfCondition: 0, failures: 0 };
for (const c of ivCases) {
  const want = c.vol!;
  const kappa = c.cond ?? 1;
  const carry = Math.exp(-c.yield * c.maturity);
  const results: [typeof ivScore, () => number][] = [
    [ivScore, () => impliedVolatilityBsm(c)],
    [peerScore, () => peerPrecise.sigma({ price: c.price, rate: c.rate, strike: c.strike, time: c.maturity, type: c.type, underlying: c.spot * carry })],
  ];
  for (const [score, solve] of results) {
    let err: number;
    try {
      err = Math.abs(solve() - want) / want;
    } catch {
      err = Infinity;
    }
    if (!Number.isFinite(err) || err > 1e-3) {
      score.failures++;
      continue;
    }
    if (kappa <= 10) score.wellConditioned = Math.max(score.wellConditioned, err);
    score.worstInUlpsOfCondition = Math.max(score.worstInUlpsOfCondition, err / (EPS * (1 + kappa)));
  }
}
console.log(`\nImplied vol against the reference (${ivCases.length} prices, deep OTM to long-dated; κ = price/(vega·σ))`);
for (const [name, score] of [
  ['hedge', ivScore],
  ['@uqee/black-scholes (NR, 1e-12)', peerScore],
] as const) {
  console.log(
    `  ${name.padEnd(32)} max rel. error (κ ≤ 10) ${fmtErr(score.wellConditioned)}; worst / (ε·(1+κ)) ${score.worstInUlpsOfCondition.toFixed(1)}; wrong by > 1e-3 or failed: ${score.failures}`,
  );
}
if (sink === 42) console.log('');

const { runBacktestBench } = await import('./backtest-bench.ts');
runBacktestBench();

const { runFanOutBench } = await import('./fan-out-bench.ts');
await runFanOutBench();

const { runHedgingBench } = await import('./hedging-bench.ts');
await runHedgingBench();

const { runLoadBench } = await import('./load-bench.ts');
await runLoadBench();

const { runRoutingBench } = await import('./routing-bench.ts');
await runRoutingBench();

const { runVolatilityBench } = await import('./volatility-bench.ts');
runVolatilityBench();

const { runBundleBench } = await import('./bundle-bench.ts');
await runBundleBench();
