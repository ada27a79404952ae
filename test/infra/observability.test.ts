/**
 * The dashboard and the alarms of issue #18 §2, on the synthesised stateless stack of both
 * stages: every catalogued metric (shared/contracts/metrics.ts, what the functions emit) is
 * on the dashboard with the namespace and dimensions they are emitted with; the queues and
 * every DLQ are; each business alarm watches the right metric of this stage with the
 * stage's threshold; and every alarm of the stack names a runbook that exists in
 * infra/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/repo-root.ts';
import { METRIC_NAMES, METRIC_NAMESPACE, METRIC_SERVICE, METRICS } from '../../shared/contracts/metrics.ts';
import { synthHedgeApp } from './synth-hedge-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type AlarmProperties = {
  MetricName?: string;
  Namespace?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Statistic?: string;
  Period?: number;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  TreatMissingData?: string;
  AlarmDescription: string;
  AlarmActions: unknown[];
};

/** GitHub's anchors of the README's headings: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  return new Set(
    markdown
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) =>
        line
          .replace(/^#+ /, '')
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
  );
}

const README = readFileSync(join(REPO_ROOT, 'infra/README.md'), 'utf8');

interface DashboardWidget {
  readonly type: string;
  readonly properties: { readonly title?: string; readonly metrics?: readonly (readonly unknown[])[]; readonly query?: string; readonly alarms?: readonly string[] };
}

/** The dashboard body as JSON, CloudFormation tokens (ARNs, names) as "<token>". */
function dashboardWidgets(body: unknown): DashboardWidget[] {
  const parts = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return (JSON.parse(parts.map((part) => (typeof part === 'string' ? part : '<token>')).join('')) as { widgets: DashboardWidget[] }).widgets;
}

/** A metric line of a widget as [namespace, name, {dimension: value}] (undefined for an expression). */
function metricOf(line: readonly unknown[]): { namespace: string; name: string; dimensions: Record<string, string> } | undefined {
  if (typeof line[0] !== 'string') return undefined;
  const [namespace, name, ...rest] = line as string[];
  const dimensions: Record<string, string> = {};
  for (let i = 0; i + 1 < rest.length && typeof rest[i] === 'string' && typeof rest[i + 1] === 'string'; i += 2) dimensions[rest[i]!] = rest[i + 1]!;
  return { namespace: namespace!, name: name!, dimensions };
}

describe.each(['dev', 'prod'] as const)('dashboard and alarms, stage %s', (stageName) => {
  const { statelessTemplate, stage } = synthHedgeApp(stageName);
  const resources = statelessTemplate.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([id, r]) => ({ id, ...(r.Properties as AlarmProperties) }));
  const dashboards = ofType('AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(dashboards[0]?.[1].Properties.DashboardBody);
  const widgets = dashboardWidgets(dashboards[0]?.[1].Properties.DashboardBody);
  const lines = widgets.flatMap((w) => w.properties.metrics ?? []);
  const expressions = lines.map((line) => (line[0] as { expression?: string }).expression).filter((e): e is string => e !== undefined);

  it('has one dashboard, named for the stage', () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]![1].Properties.DashboardName).toBe(`hedge-${stageName}`);
  });

  it('shows every catalogued metric, in the namespace and with the dimensions the functions emit', () => {
    const ours = lines.map(metricOf).filter((m) => m?.namespace === METRIC_NAMESPACE);
    // Stage totals: exactly the dimensions every emission carries (service and Stage of this stage).
    for (const metric of ours) expect(metric!.dimensions, metric!.name).toEqual({ service: METRIC_SERVICE, Stage: stageName });
    const breakdowns = METRIC_NAMES.filter((n) => METRICS[n].dimensions.length > 0);
    for (const name of METRIC_NAMES) {
      const total = ours.some((m) => m!.name === name);
      // Breakdowns: a SEARCH over the metric's own dimensions (hedges by venue, guard trips by code, decisions by action and reason).
      const schema = [METRIC_NAMESPACE, 'service', 'Stage', ...METRICS[name].dimensions].join(',');
      const search = expressions.some((e) => e.startsWith(`SEARCH('{${schema}} MetricName="${name}" Stage="${stageName}"'`));
      expect(total || search, `${name} is on the dashboard`).toBe(true);
      if (breakdowns.includes(name)) expect(search, `${name} by ${METRICS[name].dimensions.join(', ')}`).toBe(true);
    }
  });

  it('shows the state of every business alarm', () => {
    const status = widgets.filter((w) => w.type === 'alarm');
    expect(status).toHaveLength(1);
    expect(status[0]!.properties.alarms).toHaveLength(6);
  });

  it('shows the work queues and every dead-letter queue, the functions, and per-account Logs Insights queries', () => {
    const queueIds = ofType('AWS::SQS::Queue').map(([id]) => id);
    expect(queueIds).toHaveLength(10); // 3 work queues, 7 DLQs
    for (const id of queueIds) expect(body, id).toContain(id);
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', 'Errors', 'Throttles', 'Duration']) expect(body).toContain(metric);
    for (const [id] of ofType('AWS::Lambda::Function')) expect(body, id).toContain(id);
    const queries = widgets.filter((w) => w.type === 'log').map((w) => w.properties.query!);
    expect(queries.filter((q) => q.includes('by accountId')).length).toBeGreaterThanOrEqual(4);
    expect(queries.some((q) => q.includes('stats sum(HedgesSubmitted) as submitted'))).toBe(true);
    expect(queries.some((q) => q.includes('filter level = "ERROR" or level = "WARN"') && (q.match(/SOURCE/g) ?? []).length === 8)).toBe(true);
  });

  it.each([
    ['HedgeFailures', 'HedgesFailed', 'Sum', 900, (): number => stage.alarms.hedgeFailuresPer15Minutes, 'hedges-failing'],
    ['FailureBreaker', 'BreakerTrips', 'Sum', 300, (): number => 1, 'failure-breaker-paused-an-account'],
    ['KillSwitch', 'KillSwitchEngaged', 'Maximum', 300, (): number => 1, 'global-kill-switch-engaged'],
    ['OutsideBand', 'OutsideBand', 'Maximum', 300, (): number => stage.alarms.outsideBandMinutes * 60, 'exposure-outside-its-band'],
    ['OracleStale', 'OracleStale', 'Sum', 300, (): number => 1, 'oracle-stale'],
  ] as const)('alarm %s: %s (%s over %i s) at the stage threshold, with its runbook', (id, metric, statistic, period, threshold, runbook) => {
    const matching = alarms.filter((a) => a.id.startsWith(`Alarms${id}`));
    expect(matching).toHaveLength(1);
    const alarm = matching[0]!;
    expect(alarm).toMatchObject({ Namespace: METRIC_NAMESPACE, MetricName: metric, Statistic: statistic, Period: period, Threshold: threshold(), ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarm.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'service', Value: METRIC_SERVICE },
        { Name: 'Stage', Value: stageName },
      ]),
    );
    expect(alarm.Dimensions).toHaveLength(2);
    expect(alarm.AlarmDescription).toContain(`Runbook: infra/README.md#${runbook}`);
  });

  it('alarms on a stale oracle only when it lasts, and on a silent schedule when ticks are missing', () => {
    const stale = alarms.find((a) => a.id.startsWith('AlarmsOracleStale'))!;
    expect(stale).toMatchObject({ EvaluationPeriods: stage.alarms.oracleStalePeriods, DatapointsToAlarm: stage.alarms.oracleStalePeriods });
    const silent = alarms.find((a) => a.id.startsWith('AlarmsScheduleSilent'))!;
    expect(silent).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Invocations', ComparisonOperator: 'LessThanThreshold', Threshold: 1, TreatMissingData: 'breaching' });
    expect(silent.EvaluationPeriods * 5).toBeGreaterThanOrEqual(stage.alarms.scheduleSilentMinutes);
    expect(JSON.stringify(silent.Dimensions)).toContain(ofType('AWS::Lambda::Function').find(([, r]) => String(r.Properties.FunctionName).endsWith('ingest-schedule'))![0]);
  });

  it('gives every alarm of the stack a runbook section that exists in infra/README.md, and sends it to the alerts topic', () => {
    const anchors = anchorsOf(README);
    expect(alarms.length).toBeGreaterThan(20);
    for (const alarm of alarms) {
      const runbook = /Runbook: infra\/README\.md#([a-z0-9-]+)$/.exec(alarm.AlarmDescription)?.[1];
      expect(runbook, `${alarm.id}: ${alarm.AlarmDescription}`).toBeDefined();
      expect(anchors.has(runbook!), `${alarm.id} → #${runbook}`).toBe(true);
      expect(JSON.stringify(alarm.AlarmActions)).toContain('AlertsTopic');
    }
    // Each runbook named by an alarm is a section under "Runbooks".
    const runbooks = README.slice(README.indexOf('## Runbooks'));
    for (const anchor of new Set(alarms.map((a) => /#([a-z0-9-]+)$/.exec(a.AlarmDescription)![1]!))) expect(anchorsOf(runbooks).has(anchor), anchor).toBe(true);
  });
});
