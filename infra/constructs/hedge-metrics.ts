/**
 * The business metrics as CloudWatch sees them, for the dashboard and the alarms: the
 * names, units and dimensions come from the one catalogue the functions emit from
 * (shared/contracts/metrics.ts), so a renamed metric cannot leave a dead widget or a
 * silent alarm behind.
 */
import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC_NAMESPACE, METRIC_SERVICE, METRICS, STAGE_DIMENSION, type MetricName } from '../../shared/contracts/metrics.ts';

/** A catalogued metric's stage total (dimensions `service` and `Stage` only: what every emission also publishes). */
export function hedgeMetric(stageName: string, name: MetricName, options: { readonly statistic?: string; readonly period?: Duration; readonly label?: string } = {}): Metric {
  return new Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRIC_SERVICE, [STAGE_DIMENSION]: stageName },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.minutes(5),
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}

/**
 * A catalogued metric broken down by its own dimensions (one line per value seen: venue,
 * reason, guard code), through a SEARCH expression, so a new venue or code shows up on
 * its own.
 */
export function hedgeMetricBreakdown(stageName: string, name: MetricName, options: { readonly statistic?: string; readonly period?: Duration; readonly label?: string } = {}): IMetric {
  const dimensions = METRICS[name].dimensions as readonly string[];
  if (dimensions.length === 0) throw new Error(`${name} has no dimensions to break down by`);
  const schema = [METRIC_NAMESPACE, 'service', STAGE_DIMENSION, ...dimensions].join(',');
  const period = options.period ?? Duration.minutes(5);
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${name}" ${STAGE_DIMENSION}="${stageName}"', '${options.statistic ?? 'Sum'}', ${period.toSeconds()})`,
    usingMetrics: {},
    label: options.label ?? '',
    period,
  });
}
