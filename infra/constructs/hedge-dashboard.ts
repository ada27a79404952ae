/**
 * The stage's CloudWatch dashboard (`hedge-<stage>`): what an on-call engineer opens first.
 *
 * Rows, top to bottom: the business alarms' states; decisions (by action, by reason) and
 * why evaluations could not price; hedges submitted / confirmed / failed (totals and by
 * venue), guard trips by code, breaker trips and the kill switch; execution quality
 * (slippage against the quote, gas, price-move-to-submit and submit-to-confirm latency);
 * the market (oracle age and staleness, time outside the band, active accounts); the
 * queues (depth and age of the work queues, every DLQ's depth); the functions (errors,
 * throttles, duration); and per account, CloudWatch Logs Insights over the functions' own
 * log lines (each metric line carries the account id as a property), so a deployment with
 * ten thousand accounts costs no metric per account.
 *
 * Metric names and dimensions come from shared/contracts/metrics.ts (hedge-metrics.ts).
 */
import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  LogQueryVisualizationType,
  LogQueryWidget,
  Metric,
  SingleValueWidget,
  TextWidget,
  type Alarm,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName, StageConfig } from '../config/stages.ts';
import type { HedgeAlarms } from './hedge-alarms.ts';
import type { HedgeFunction } from './hedge-function.ts';
import { hedgeMetric, hedgeMetricBreakdown } from './hedge-metrics.ts';

export interface HedgeDashboardProps {
  readonly stage: StageConfig;
  readonly functions: Readonly<Record<FunctionName, HedgeFunction>>;
  /** The queues the functions consume, by a readable name. */
  readonly workQueues: Readonly<Record<string, IQueue>>;
  /** Every dead-letter queue, by a readable name. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly alarms: HedgeAlarms;
  /** Alarms shown in the status row besides the business ones (errors, DLQs, …). */
  readonly otherAlarms?: readonly Alarm[];
}

const WIDE = 24;
const HALF = 12;
const THIRD = 8;
const HEIGHT = 6;
const PERIOD = Duration.minutes(5);

export class HedgeDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: HedgeDashboardProps) {
    super(scope, id);
    const { stage, functions, alarms } = props;
    const s = stage.name;
    const total = (name: Parameters<typeof hedgeMetric>[1], statistic = 'Sum', label?: string) => hedgeMetric(s, name, { statistic, period: PERIOD, ...(label === undefined ? {} : { label }) });
    const byDimension = (name: Parameters<typeof hedgeMetricBreakdown>[1], statistic = 'Sum') => hedgeMetricBreakdown(s, name, { statistic, period: PERIOD });
    const graph = (title: string, left: IMetric[], width = THIRD, extra: { right?: IMetric[]; leftAnnotations?: HorizontalAnnotation[]; stacked?: boolean } = {}) =>
      new GraphWidget({ title, left, width, height: HEIGHT, ...(extra.right === undefined ? {} : { right: extra.right }), ...(extra.leftAnnotations === undefined ? {} : { leftAnnotations: extra.leftAnnotations }), ...(extra.stacked === undefined ? {} : { stacked: extra.stacked }) });
    const percentiles = (name: Parameters<typeof hedgeMetric>[1]) => ['p50', 'p90', 'p99'].map((p) => total(name, p, p));
    const logGroups = Object.values(functions).map((fn) => fn.logGroup);
    const logGroupsOf = (...names: FunctionName[]) => names.map((name) => functions[name].logGroup.logGroupName);
    const query = (title: string, groups: string[], lines: string[], width = HALF, view = LogQueryVisualizationType.TABLE) =>
      new LogQueryWidget({ title, logGroupNames: groups, queryLines: lines, width, height: HEIGHT, view });

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `hedge-${s}`, defaultInterval: Duration.hours(3) });
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: [
            `# hedge ${s}`,
            'Metrics: namespace **Hedge**, dimensions `service`, `Stage` (+ `Venue`, `Action`/`Reason`, `Code`). Every alarm links its runbook in `infra/README.md`.',
            'Follow one flow: Logs Insights over the function log groups, `filter correlationId = "<id>" | sort @timestamp asc` (the id is on every line, from the webhook or schedule tick through evaluate, dispatch and confirm).',
          ].join('\n\n'),
          width: WIDE,
          height: 3,
        }),
      ],
      [
        new AlarmStatusWidget({
          title: 'Alarms',
          alarms: [alarms.hedgeFailures, alarms.breaker, alarms.killSwitch, alarms.outsideBand, alarms.oracleStale, alarms.scheduleSilent, ...(props.otherAlarms ?? [])],
          width: WIDE,
          height: 4,
        }),
      ],
      // Decisions
      [
        graph('Decisions by action', [byDimension('Decisions')], THIRD, { stacked: true }),
        graph('Decisions (all)', [total('Decisions', 'Sum', 'decisions')], THIRD, { right: [total('ActiveAccounts', 'Maximum', 'active accounts')] }),
        graph('Evaluations not priced, by code', [byDimension('EvaluationsUnpriced')], THIRD, { stacked: true }),
      ],
      // Hedges
      [
        graph('Hedges: submitted, confirmed, failed', [total('HedgesSubmitted', 'Sum', 'submitted'), total('HedgesConfirmed', 'Sum', 'confirmed'), total('HedgesFailed', 'Sum', 'failed')], THIRD, {
          leftAnnotations: [{ value: stage.alarms.hedgeFailuresPer15Minutes, label: 'failure alarm (per 15 min)' }],
        }),
        graph('Hedges by venue (submitted, confirmed, failed)', [byDimension('HedgesSubmitted'), byDimension('HedgesConfirmed'), byDimension('HedgesFailed')], THIRD),
        graph('Guard trips by code · crash mode switches (right)', [byDimension('GuardTrips')], THIRD, { stacked: true, right: [byDimension('CrashModeSwitches')] }),
      ],
      [
        new SingleValueWidget({
          title: 'Kill switch (1 = engaged) · breaker trips',
          metrics: [total('KillSwitchEngaged', 'Maximum', 'kill switch'), total('BreakerTrips', 'Sum', 'breaker trips')],
          width: THIRD,
          height: HEIGHT,
        }),
        graph('Slippage vs quote (bps, + = worse)', percentiles('SlippageVsQuote'), THIRD, { right: [byDimension('SlippageVsQuote', 'Average')] }),
        graph('Gas by venue: used (avg units) · fee (native token, sum)', [byDimension('GasUsed', 'Average')], THIRD, { right: [byDimension('GasFee', 'Sum')] }),
      ],
      // Latency and the market
      [
        graph('Price move → submit (ms)', percentiles('PriceMoveToSubmit'), THIRD),
        graph('Submit → confirm (ms)', percentiles('SubmitToConfirm'), THIRD),
        graph('Oracle age (s) · stale answers', [total('OracleAge', 'Maximum', 'max age'), total('OracleAge', 'p90', 'p90 age')], THIRD, { right: [total('OracleStale', 'Sum', 'stale')] }),
      ],
      [
        graph('Longest time outside the band (s)', [total('OutsideBand', 'Maximum', 'max over accounts')], HALF, {
          leftAnnotations: [{ value: stage.alarms.outsideBandMinutes * 60, label: `alarm (${stage.alarms.outsideBandMinutes} min)` }],
        }),
        graph(
          'Function errors',
          Object.entries(functions).map(([name, fn]) => fn.fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: name })),
          HALF,
        ),
      ],
      // Queues
      [
        graph(
          'Work queues: messages visible',
          Object.entries(props.workQueues).map(([name, queue]) => queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: name })),
          THIRD,
        ),
        graph(
          'Work queues: oldest message (s)',
          Object.entries(props.workQueues).map(([name, queue]) => queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum', label: name })),
          THIRD,
        ),
        graph(
          'Dead-letter queues: depth',
          Object.entries(props.deadLetterQueues).map(([name, queue]) => queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: name })),
          THIRD,
          { leftAnnotations: [{ value: 1, label: 'alarm' }] },
        ),
      ],
      // Functions
      [
        graph(
          'Throttles',
          Object.entries(functions).map(([name, fn]) => fn.fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: name })),
          THIRD,
        ),
        graph(
          'Duration p90 (ms)',
          Object.entries(functions).map(([name, fn]) => fn.fn.metricDuration({ period: PERIOD, statistic: 'p90', label: name })),
          THIRD,
        ),
        graph(
          'Concurrent executions',
          Object.entries(functions).map(
            ([name, fn]) => new Metric({ namespace: 'AWS/Lambda', metricName: 'ConcurrentExecutions', dimensionsMap: { FunctionName: fn.fn.functionName }, period: PERIOD, statistic: 'Maximum', label: name }),
          ),
          THIRD,
        ),
      ],
      // Per account (Logs Insights: no metric per account)
      [
        query('Hedges per account', logGroupsOf('dispatch', 'confirm-hedge'), [
          'filter ispresent(HedgesSubmitted) or ispresent(HedgesConfirmed) or ispresent(HedgesFailed) or ispresent(GuardTrips)',
          'stats sum(HedgesSubmitted) as submitted, sum(HedgesConfirmed) as confirmed, sum(HedgesFailed) as failed, sum(GuardTrips) as guardTrips by accountId',
          'sort failed desc, guardTrips desc, submitted desc',
          'limit 50',
        ]),
        query('Decisions per account', logGroupsOf('evaluate'), [
          'filter ispresent(Decisions)',
          'stats sum(Decisions) as decisions by accountId, Action, Reason',
          'sort decisions desc',
          'limit 50',
        ]),
      ],
      [
        query('Longest outside the band, per account (s)', logGroupsOf('evaluate'), [
          'filter ispresent(OutsideBand) and OutsideBand > 0',
          'stats max(OutsideBand) as outsideSeconds by accountId',
          'sort outsideSeconds desc',
          'limit 20',
        ]),
        query('Slippage vs quote per account (bps)', logGroupsOf('confirm-hedge'), [
          'filter ispresent(SlippageVsQuote)',
          'stats avg(SlippageVsQuote) as avgBps, max(SlippageVsQuote) as maxBps, count(*) as fills by accountId, Venue',
          'sort maxBps desc',
          'limit 20',
        ]),
      ],
      [
        query(
          'Warnings and errors (newest first)',
          logGroups.map((group) => group.logGroupName),
          ['filter level = "ERROR" or level = "WARN"', 'fields @timestamp, function, accountId, correlationId, hedgeId, message, code, error', 'sort @timestamp desc', 'limit 100'],
          WIDE,
        ),
      ],
    ];
    for (const row of rows) this.dashboard.addWidgets(...row);
  }
}
