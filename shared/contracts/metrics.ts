/**
 * The business metrics: ONE catalogue, read by the emitters (the use cases, through the
 * Telemetry port; the Powertools adapter that writes them as CloudWatch embedded metric
 * format), by the dashboard and alarms (infra/constructs/hedge-dashboard.ts) and by the
 * tests. A name or dimension changed here changes every side at once.
 *
 * Every metric is published in namespace METRIC_NAMESPACE with the default dimensions
 * `service` (METRIC_SERVICE) and `Stage` (the deployment stage), twice when it has
 * dimensions of its own: once with the defaults only (the stage total that alarms watch)
 * and once with its own dimensions too (the breakdown the dashboard shows). Dimension
 * values are from small closed sets (actions, reason and guard codes, venue kinds), so the
 * number of series stays bounded whatever the number of accounts. The account, hedge and
 * correlation ids travel in the same log line as properties (not dimensions): CloudWatch
 * Logs Insights finds and groups them per account without a metric per account.
 */

export const METRIC_NAMESPACE = 'Hedge';
/** The `service` dimension Powertools adds to every metric: one value for all functions, so a metric emitted by two functions is one series. */
export const METRIC_SERVICE = 'hedge';
/** The deployment stage's dimension. */
export const STAGE_DIMENSION = 'Stage';

export type MetricUnitName = 'Count' | 'Seconds' | 'Milliseconds' | 'None';

export interface MetricDefinition<D extends readonly string[] = readonly string[]> {
  readonly unit: MetricUnitName;
  /** Dimensions besides service and Stage. */
  readonly dimensions: D;
  /** What one data point is, for the dashboard's readers. */
  readonly description: string;
}

function define<const D extends readonly string[]>(unit: MetricUnitName, dimensions: D, description: string): MetricDefinition<D> {
  return { unit, dimensions, description };
}

export const METRICS = {
  // evaluate
  Decisions: define('Count', ['Action', 'Reason'], 'a priced evaluation decided (action none/hedge, the policy reason code)'),
  EvaluationsUnpriced: define('Count', ['Code'], 'an evaluation that could not price the book (oracle or vol feed refused, no market block)'),
  OracleAge: define('Seconds', [], "age of the oracle answer an evaluation read, by the later of the chain's clock and ours"),
  OracleStale: define('Count', [], 'an evaluation refused a stale oracle answer (nothing decided for that account)'),
  OutsideBand: define('Seconds', [], 'how long the account has been outside its band (0 inside): the policy wants to trade and the book has not come back'),
  CrashModeSwitches: define('Count', ['To'], "an account's crash breaker switched into crash mode (To: crash) or back (To: normal), once per committed switch"),
  // dispatch
  HedgesSubmitted: define('Count', ['Venue'], 'a hedge transaction broadcast for the first time'),
  GuardTrips: define('Count', ['Code'], 'a hedge stopped by a guard (kill switch, caps, oracle, slippage, fees, allow-list, …): nothing sent'),
  PriceMoveToSubmit: define('Milliseconds', [], "from the oracle update the decision priced to the hedge's broadcast"),
  // dispatch and confirm-hedge
  HedgesFailed: define('Count', ['Venue'], 'a hedge that ended without a trade after the guards (quote, simulation, submission, receipt)'),
  BreakerTrips: define('Count', [], 'an account paused by the system: its hedges failed maxConsecutiveFailures times in a row'),
  // confirm-hedge
  HedgesConfirmed: define('Count', ['Venue'], 'a hedge mined, confirmed and settled'),
  SlippageVsQuote: define('None', ['Venue'], 'fill price against the quoted price, basis points, positive = worse than quoted'),
  GasUsed: define('Count', ['Venue'], 'gas units of a mined hedge transaction (reverted ones included)'),
  GasFee: define('None', ['Venue'], "the mined transaction's fee in the chain's native token (gasUsed × effectiveGasPrice / 1e18)"),
  SubmitToConfirm: define('Milliseconds', [], 'from the first broadcast of a hedge to its confirmation'),
  // ingest-schedule
  ActiveAccounts: define('Count', [], 'accounts a schedule tick asked to evaluate'),
  KillSwitchEngaged: define('Count', [], 'the global kill switch at a schedule tick: 1 engaged, 0 not'),
} as const;

export type MetricName = keyof typeof METRICS;
export type MetricDimensions<N extends MetricName> = { readonly [K in (typeof METRICS)[N]['dimensions'][number]]: string };
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];
