/**
 * AWS Lambda Powertools for TypeScript at the edge: one Logger, Metrics and Tracer per
 * function (built once per cold start by its Lambda entry), adapted to the use cases'
 * Telemetry port (shared/app/telemetry.ts) and wired into the handlers as Powertools' own
 * middy middlewares. The use cases never import Powertools; the handler factories only see
 * HandlerObservability.
 *
 * - Logs: JSON lines (Powertools' format: level, message, timestamp, service, cold_start,
 *   function_name, function_request_id, xray_trace_id) plus `function` (the short name),
 *   `stage`, and per unit of work `correlationId`, `accountId`, `eventId`, `decisionId`,
 *   `hedgeId`, `messageId`. Level from POWERTOOLS_LOG_LEVEL (set per stage by the stack).
 * - Nothing secret is written: every string of every line goes through the redactor —
 *   the values the function was configured with that must stay secret (RPC URLs and their
 *   parts, webhook secrets, local keys) replaced wherever they occur, then the patterns of
 *   safe-error-text.ts (URL paths and queries, API keys, bearer and webhook secrets,
 *   signature headers, long hex). Errors are written as their redacted `Name: message`
 *   and their stack frames (no message text in them). The invocation event is never logged.
 * - Metrics: CloudWatch embedded metric format, namespace `Hedge`, dimensions `service` and
 *   `Stage`, plus each catalogued metric's own (shared/contracts/metrics.ts), published
 *   both with and without them; the unit of work's keys ride along as properties.
 *   A ColdStart metric per cold start (logMetrics).
 * - Traces: X-Ray (active tracing is switched on by the stack); the handler is a segment,
 *   each AWS SDK client passed through `capture` gets a subsegment per call; the
 *   correlation id and the account are annotations (X-Ray finds a trace by them). Outgoing HTTP
 *   (the RPC nodes) is NOT traced: the X-Ray SDK would record the full URL, and an RPC
 *   URL carries the provider's key. Handler responses are not recorded either (the config
 *   API answers with a new account's API key once). An error reaches the tracer already
 *   redacted.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type middy from '@middy/core';
import * as z from 'zod';
import type { LogFields, LogKeys, Telemetry } from '../app/telemetry.ts';
import { METRIC_NAMESPACE, METRIC_SERVICE, METRICS, STAGE_DIMENSION, type MetricDimensions, type MetricName } from '../contracts/metrics.ts';
import type { HandlerObservability } from './handler-observability.ts';
import { redactSecrets, safeErrorText } from './safe-error-text.ts';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** The variables observability reads (the stack sets them on every function; a local run may leave them unset). */
export const ObservabilityEnvSchema = z.object({
  /** The deployment stage: the `Stage` dimension and the `stage` key. */
  STAGE: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,32}$/, 'must be 1-32 letters, digits or "-"')
    .default('local'),
  /** From the stage config (infra/config/stages.ts). */
  POWERTOOLS_LOG_LEVEL: z.enum(LOG_LEVELS).default('INFO'),
});

export interface ObservabilityOptions {
  /** The function's short name (its folder under functions/): the `function` key. */
  readonly functionName: string;
  readonly stage: string;
  readonly logLevel?: LogLevelName;
  /** Values that must never appear in a log line (RPC URLs, webhook secrets, local signer keys). */
  readonly secrets?: readonly (string | undefined)[];
}

export interface Observability extends HandlerObservability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
  /** The same AWS SDK v3 client, its calls traced (one X-Ray subsegment each). */
  capture<C>(client: C): C;
}

const MIN_SECRET_LENGTH = 8;
const REDACTED = '[redacted]';

/** A secret value and the parts of it that are secret on their own (an RPC URL's path segments, query values, password). */
function secretParts(value: string): string[] {
  const parts = [value];
  let url: URL | undefined;
  try {
    url = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url !== undefined) {
    parts.push(`${url.pathname}${url.search}`, url.password, ...url.pathname.split('/'), ...[...url.searchParams.values()]);
  }
  return parts.filter((part) => part.length >= MIN_SECRET_LENGTH);
}

/**
 * `text` with every known secret (and its secret parts) replaced, then redactSecrets' patterns.
 *
 * @example createRedactor(['https://rpc.example/v2/Key123456'])('GET https://rpc.example/v2/Key123456 failed') // 'GET https://rpc.example/… failed'
 */
export function createRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string').flatMap(secretParts))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return redactSecrets(out);
  };
}

/** An error as a log line may hold it: its redacted `Name: message`, and where it was thrown (frames only). */
function errorView(error: unknown): { readonly error: string; readonly errorName?: string; readonly stack?: readonly string[] } {
  if (!(error instanceof Error)) return { error: safeErrorText(error) };
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 12)
    .map((line) => line.trim());
  return { error: safeErrorText(error), errorName: error.name, ...(frames.length === 0 ? {} : { stack: frames }) };
}

function fieldsForLog(fields: LogFields | undefined): Record<string, unknown> {
  if (fields === undefined) return {};
  const { error, ...rest } = fields;
  return error === undefined ? { ...rest } : { ...rest, ...errorView(error) };
}

/** Dimension values come from closed sets; anything else is bounded and made safe, never dropped. */
function dimensionValue(value: string | undefined): string {
  const text = (value ?? 'none').replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 64);
  return text === '' ? 'none' : text;
}

/** Keys also put on the X-Ray segment as annotations, so a trace is found by them. */
const ANNOTATED_KEYS: ReadonlySet<string> = new Set(['correlationId', 'accountId']);

/** The Telemetry port over a Powertools Logger and Metrics instance (and the tracer's annotations, when given). */
export function powertoolsTelemetry(logger: Logger, metrics: Metrics, functionName: string, annotate?: (key: string, value: string) => void): Telemetry & { resetKeys(): void } {
  let keys: Record<string, string> = {};
  return {
    debug: (message, fields) => logger.debug(message, fieldsForLog(fields)),
    info: (message, fields) => logger.info(message, fieldsForLog(fields)),
    warn: (message, fields) => logger.warn(message, fieldsForLog(fields)),
    error: (message, fields) => logger.error(message, fieldsForLog(fields)),
    metric<N extends MetricName>(name: N, value: number, dimensions: MetricDimensions<N>): void {
      if (!Number.isFinite(value)) {
        logger.debug('metric value is not a finite number: not published', { metric: name });
        return;
      }
      const definition = METRICS[name];
      const single = metrics.singleMetric();
      if (definition.dimensions.length > 0) {
        // Twice: the stage total (what alarms watch) and the breakdown by the metric's own dimensions.
        single.addDimensions({});
        single.addDimensions(Object.fromEntries(definition.dimensions.map((d: string) => [d, dimensionValue((dimensions as Readonly<Record<string, string>>)[d])])));
      }
      single.addMetadata('function', functionName);
      for (const [key, keyValue] of Object.entries(keys)) single.addMetadata(key, keyValue);
      single.addMetric(name, definition.unit as MetricUnit, value);
    },
    appendKeys(added: LogKeys): void {
      const defined = Object.fromEntries(Object.entries(added).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      keys = { ...keys, ...defined };
      logger.appendKeys(defined);
      if (annotate !== undefined) for (const [key, value] of Object.entries(defined)) if (ANNOTATED_KEYS.has(key)) annotate(key, value);
    },
    removeKeys(names): void {
      for (const name of names) delete keys[name];
      logger.removeKeys([...names]);
    },
    resetKeys(): void {
      keys = {};
    },
  };
}

/**
 * Powertools' Metrics warns on every invocation that published no metric through the
 * instance itself — ours are published one by one as they happen — so that one line is
 * dropped: it would be on every invocation and say nothing. Its other diagnostics go to
 * the logger.
 */
function metricsDiagnostics(logger: Logger) {
  return {
    debug: (...content: unknown[]) => logger.debug(String(content[0])),
    info: (...content: unknown[]) => logger.info(String(content[0])),
    warn: (...content: unknown[]) => (String(content[0]).startsWith('No application metrics to publish') ? undefined : logger.warn(String(content[0]))),
    error: (...content: unknown[]) => logger.error(String(content[0])),
  };
}

/**
 * @example
 * const observability = createObservability({ functionName: 'dispatch', stage: 'prod', secrets: env.CHAINS.map((c) => c.rpcUrl) });
 * const events = observability.capture(new EventBridgeClient({}));
 * export const handler = createDispatchHandler({ deps, observability });
 */
export function createObservability(options: ObservabilityOptions): Observability {
  const redact = createRedactor(options.secrets ?? []);
  const logger = new Logger({
    serviceName: METRIC_SERVICE,
    logLevel: options.logLevel ?? 'INFO',
    persistentKeys: { function: options.functionName, stage: options.stage },
    jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? redact(value) : value),
  });
  const metrics = new Metrics({
    namespace: METRIC_NAMESPACE,
    serviceName: METRIC_SERVICE,
    defaultDimensions: { [STAGE_DIMENSION]: options.stage },
    logger: metricsDiagnostics(logger),
  });
  // Outside Lambda (tests, the local stack) the tracer switches itself off.
  const tracer = new Tracer({ serviceName: METRIC_SERVICE, captureHTTPsRequests: false });
  // On the handler's segment: the last unit of work's (an SQS batch may hold several flows; its log lines say which is which).
  const telemetry = powertoolsTelemetry(logger, metrics, options.functionName, (key, value) => {
    if (tracer.isTracingEnabled()) tracer.putAnnotation(key, value);
  });

  /**
   * Innermost: the unit-of-work keys start empty each invocation; an error nobody turned
   * into a response is logged (redacted) and replaced by its redacted form before the
   * tracer, the logger and the Lambda runtime see it (the runtime prints a thrown error's
   * message and stack, and Lambda puts it on a failed async invocation's DLQ message).
   */
  const invocation: middy.MiddlewareObj<unknown, unknown> = {
    before: () => {
      telemetry.resetKeys();
    },
    onError: (request) => {
      if (request.response !== undefined && request.response !== null) return;
      telemetry.error('invocation failed', { error: request.error });
      request.error = redactedError(request.error);
    },
  };
  const middlewares = [
    captureLambdaHandler(tracer, { captureResponse: false }),
    injectLambdaContext(logger, { resetKeys: true }),
    logMetrics(metrics, { captureColdStartMetric: true }),
    invocation,
  ] as readonly middy.MiddlewareObj<unknown, unknown>[];
  return { logger, metrics, tracer, telemetry, middlewares, capture: (client) => tracer.captureAWSv3Client(client) };
}

/** Builds the observability of a Lambda entry from its environment (ObservabilityEnvSchema). */
export function observabilityFromEnv(functionName: string, env: Readonly<Record<string, string | undefined>>, secrets: readonly (string | undefined)[] = []): Observability {
  const parsed = ObservabilityEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new TypeError(`${functionName} environment is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return createObservability({ functionName, stage: parsed.data.STAGE, logLevel: parsed.data.POWERTOOLS_LOG_LEVEL, secrets });
}

/** An Error carrying only what may be written: the redacted message, the original name. */
export class RedactedError extends Error {
  constructor(original: unknown) {
    const text = safeErrorText(original);
    const name = original instanceof Error ? original.name : 'Error';
    super(text.startsWith(`${name}: `) ? text.slice(name.length + 2) : text);
    this.name = name;
    const code = (original as { code?: unknown } | null)?.code;
    if (typeof code === 'string') Object.defineProperty(this, 'code', { value: code, enumerable: true });
  }
}

function redactedError(error: unknown): Error {
  return error instanceof RedactedError ? error : new RedactedError(error);
}
