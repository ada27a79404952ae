/**
 * The logging and metrics port of the use cases: what they say about their work, with no
 * idea where it goes. The Lambda entries adapt AWS Lambda Powertools to it (JSON logs,
 * CloudWatch embedded metric format: shared/runtime/observability.ts); the local stack,
 * the bench and most tests pass nothing and get NO_TELEMETRY.
 *
 * Fields and keys are ids, codes and numbers. Never put a secret, a signature, a raw
 * transaction, a request body or an RPC URL in one: the adapter redacts what looks like a
 * credential, but the rule is not to hand it one.
 */
import type { MetricDimensions, MetricName } from '../contracts/metrics.ts';

export type LogFields = Readonly<Record<string, unknown>>;

/** Keys every log line of a unit of work carries (and every metric, as properties). */
export interface LogKeys {
  /** The flow from its webhook, schedule tick or API request through evaluate, dispatch and confirm. */
  readonly correlationId?: string | undefined;
  readonly accountId?: string | undefined;
  /** The event being handled (its detail's eventId). */
  readonly eventId?: string | undefined;
  readonly decisionId?: string | undefined;
  readonly hedgeId?: string | undefined;
  /** The SQS message being handled. */
  readonly messageId?: string | undefined;
}

export interface Telemetry {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  /** `fields.error` may be an Error: it is written as its redacted name and message. */
  error(message: string, fields?: LogFields): void;
  /** One data point of a catalogued metric (shared/contracts/metrics.ts), with that metric's dimensions. */
  metric<N extends MetricName>(name: N, value: number, dimensions: MetricDimensions<N>): void;
  /** Keys on every later line (and metric) until removed or the invocation ends. */
  appendKeys(keys: LogKeys): void;
  removeKeys(names: readonly (keyof LogKeys)[]): void;
}

const nothing = (): void => undefined;

/** Says nothing: the default of every use case. */
export const NO_TELEMETRY: Telemetry = { debug: nothing, info: nothing, warn: nothing, error: nothing, metric: nothing, appendKeys: nothing, removeKeys: nothing };

/**
 * Runs `work` with `keys` on the telemetry's lines, and takes them off after (also when it
 * throws). Units of work run one after another (an SQS batch, a decision's orders), so the
 * keys of one never leak into the next.
 *
 * @example await withKeys(telemetry, { accountId, hedgeId }, () => dispatchOrder(...));
 */
export async function withKeys<T>(telemetry: Telemetry, keys: LogKeys, work: () => Promise<T>): Promise<T> {
  const defined = Object.fromEntries(Object.entries(keys).filter(([, value]) => value !== undefined)) as LogKeys;
  telemetry.appendKeys(defined);
  try {
    return await work();
  } finally {
    telemetry.removeKeys(Object.keys(defined) as (keyof LogKeys)[]);
  }
}
