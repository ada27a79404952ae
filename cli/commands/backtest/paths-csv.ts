/**
 * `--paths-out FILE.csv`: one row per path of a run, so that a quant can look at the
 * distribution behind the summary and pick paths to replay (`--only-path ID`). Numbers
 * are written in full (shortest round-trip form): a row compares exactly with the same
 * path run alone. Money columns are USD, PV at t0, with the hedge cost's sign (money
 * paid > 0); their parts (option … gas) sum to hedge_cost. A replay of several CSVs or
 * windows says where each path comes from (csv, start: its window's first instant, UTC);
 * the two are empty for simulated and bootstrapped paths.
 */
import { pathRealisedVols } from '../../../shared/domain/backtest/path-metrics.ts';
import { pathSource } from './run-description.ts';
import type { ExecutedRun } from './sweep-runner.ts';

export const PATHS_CSV_COLUMNS = [
  'path',
  'hedge_cost',
  'pnl',
  'trades',
  'traded_units',
  'option',
  'hedge',
  'hedge_options',
  'option_spread',
  'financing',
  'funding',
  'fees',
  'slippage',
  'gas',
  'liquidity_fees',
  'transaction_costs',
  'max_drawdown',
  'realised_vol',
  'jumps',
  'pnl_gamma',
  'pnl_theta',
  'pnl_delta',
  'pnl_carry',
  'pnl_costs',
  'pnl_other',
  'csv',
  'start',
] as const;

const csvText = (text: string): string => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** The CSV in chunks of `rowsPerChunk` rows (the header in the first), for a file of any size. */
export function* pathsCsvChunks(executed: ExecutedRun, rowsPerChunk = 20_000): Generator<string> {
  const { perPath: r, summary, run } = executed;
  const first = run.spec.firstPath ?? 0;
  const vols = pathRealisedVols(run.spec);
  const n = r.hedgeCost.length;
  let chunk: string[] = [PATHS_CSV_COLUMNS.join(',')];
  for (let i = 0; i < n; i++) {
    const cost = r.hedgeCost[i]!;
    const source = pathSource(run, first + i);
    chunk.push(
      [
        first + i,
        cost,
        summary.premium - cost,
        r.trades[i]!,
        r.tradedUnits[i]!,
        r.option[i]!,
        r.hedge[i]!,
        r.hedgeOptions[i]!,
        r.optionSpread[i]!,
        r.financing[i]!,
        r.funding[i]!,
        r.fees[i]!,
        r.slippage[i]!,
        r.gas[i]!,
        r.liquidityFees[i]!,
        r.fees[i]! + r.slippage[i]! + r.gas[i]!,
        r.maxDrawdown[i]!,
        vols[i]!,
        r.jumps[i]!,
        r.pnlGamma[i]!,
        r.pnlTheta[i]!,
        r.pnlDelta[i]!,
        r.pnlCarry[i]!,
        r.pnlCosts[i]!,
        r.pnlOther[i]!,
        source === undefined ? '' : csvText(source.csv),
        source?.start ?? '',
      ].join(','),
    );
    if (chunk.length >= rowsPerChunk) {
      yield chunk.join('\n') + '\n';
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('\n') + '\n';
}
