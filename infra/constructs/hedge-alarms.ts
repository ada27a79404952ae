/**
 * The alarms an on-call engineer acts on, beyond the per-function and per-DLQ ones (which
 * hedge-function.ts and dead-letter-queue.ts add): each one's description ends with its
 * runbook, a section of infra/README.md, and each tells the alerts topic.
 *
 * | Alarm | Metric (namespace Hedge, this stage) | Fires when |
 * | --- | --- | --- |
 * | hedges failing | HedgesFailed, Sum over 15 min | ≥ stage.alarms.hedgeFailuresPer15Minutes |
 * | failure breaker | BreakerTrips, Sum over 5 min | ≥ 1 (an account was paused by its failure streak) |
 * | kill switch | KillSwitchEngaged, Maximum over 5 min | ≥ 1 (engaged at a schedule tick) |
 * | outside band | OutsideBand, Maximum over 5 min | ≥ stage.alarms.outsideBandMinutes × 60 s |
 * | oracle stale | OracleStale, Sum over 5 min | ≥ 1 in stage.alarms.oracleStalePeriods periods in a row |
 * | schedule silent | ingest-schedule Invocations, Sum | < 1 for stage.alarms.scheduleSilentMinutes (missing data breaches) |
 */
import { Duration } from 'aws-cdk-lib';
import { TreatMissingData, type Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/stages.ts';
import type { Alerts } from './alerts.ts';
import { hedgeMetric } from './hedge-metrics.ts';

export interface HedgeAlarmsProps {
  readonly stage: StageConfig;
  readonly alerts: Alerts;
  /** The scheduled fan-out, whose silence is an alarm. */
  readonly scheduler: IFunction;
}

export class HedgeAlarms extends Construct {
  readonly hedgeFailures: Alarm;
  readonly breaker: Alarm;
  readonly killSwitch: Alarm;
  readonly outsideBand: Alarm;
  readonly oracleStale: Alarm;
  readonly scheduleSilent: Alarm;

  constructor(scope: Construct, id: string, props: HedgeAlarmsProps) {
    super(scope, id);
    const { stage, alerts } = props;
    const name = stage.name;
    const thresholds = stage.alarms;

    this.hedgeFailures = alerts.alarm(this, 'HedgeFailures', {
      metric: hedgeMetric(name, 'HedgesFailed', { period: Duration.minutes(15) }),
      threshold: thresholds.hedgeFailuresPer15Minutes,
      when: 'atLeast',
      description: `${thresholds.hedgeFailuresPer15Minutes} or more hedges failed (quote, simulation, submission or receipt) within 15 minutes`,
      runbook: 'hedges-failing',
    });
    this.breaker = alerts.alarm(this, 'FailureBreaker', {
      metric: hedgeMetric(name, 'BreakerTrips'),
      threshold: 1,
      when: 'atLeast',
      description: "an account's hedges failed maxConsecutiveFailures times in a row: the system paused it",
      runbook: 'failure-breaker-paused-an-account',
    });
    this.killSwitch = alerts.alarm(this, 'KillSwitch', {
      metric: hedgeMetric(name, 'KillSwitchEngaged', { statistic: 'Maximum' }),
      threshold: 1,
      when: 'atLeast',
      description: 'the global kill switch is engaged: no hedge of any account is sent',
      runbook: 'global-kill-switch-engaged',
    });
    this.outsideBand = alerts.alarm(this, 'OutsideBand', {
      metric: hedgeMetric(name, 'OutsideBand', { statistic: 'Maximum' }),
      threshold: thresholds.outsideBandMinutes * 60,
      when: 'atLeast',
      description: `an account has been outside its band for ${thresholds.outsideBandMinutes} minutes or more (hedges in flight included)`,
      runbook: 'exposure-outside-its-band',
    });
    this.oracleStale = alerts.alarm(this, 'OracleStale', {
      metric: hedgeMetric(name, 'OracleStale'),
      threshold: 1,
      when: 'atLeast',
      evaluationPeriods: thresholds.oracleStalePeriods,
      datapointsToAlarm: thresholds.oracleStalePeriods,
      description: `evaluations refused a stale oracle answer in ${thresholds.oracleStalePeriods} periods of 5 minutes in a row: those accounts are not hedged`,
      runbook: 'oracle-stale',
    });
    // The heartbeat: the fan-out runs every scheduleRateMinutes; no invocation at all (missing data) is the alarm.
    const silentPeriods = Math.max(1, Math.ceil(thresholds.scheduleSilentMinutes / 5));
    this.scheduleSilent = alerts.alarm(this, 'ScheduleSilent', {
      metric: props.scheduler.metricInvocations({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      when: 'below',
      evaluationPeriods: silentPeriods,
      datapointsToAlarm: silentPeriods,
      treatMissingData: TreatMissingData.BREACHING,
      description: `the scheduled fan-out did not run for ${silentPeriods * 5} minutes: no account is evaluated on schedule`,
      runbook: 'schedule-silent',
    });
  }
}
