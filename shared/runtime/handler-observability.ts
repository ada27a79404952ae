/**
 * What a handler factory (functions/<name>/create-*-handler.ts) is given to be observable:
 * the Telemetry port (logs, metrics, keys) and the middy middlewares that set it up per
 * invocation (Powertools' tracer, logger and metrics middlewares, error redaction). The
 * Lambda entries build it with Powertools (observability.ts); the local stack and most
 * tests give none, and the factory behaves exactly as before.
 *
 * This file imports no Powertools, so a factory (and what imports it) never loads it.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { NO_TELEMETRY, type Telemetry } from '../app/telemetry.ts';

export interface HandlerObservability {
  readonly telemetry: Telemetry;
  /** In the order they are to be used (outermost first). */
  readonly middlewares: readonly middy.MiddlewareObj<unknown, unknown>[];
}

/** `handler` with the observability's middlewares in use (none without one). */
export function withObservability<TEvent, TResult, TContext extends Context, TInternal extends Record<string, unknown>>(
  handler: middy.MiddyfiedHandler<TEvent, TResult, Error, TContext, TInternal>,
  observability: HandlerObservability | undefined,
): middy.MiddyfiedHandler<TEvent, TResult, Error, TContext, TInternal> {
  for (const middleware of observability?.middlewares ?? []) handler.use(middleware as middy.MiddlewareObj<TEvent, TResult, Error, TContext, TInternal>);
  return handler;
}

/** The telemetry of an optional observability. */
export const telemetryOf = (observability: HandlerObservability | undefined): Telemetry => observability?.telemetry ?? NO_TELEMETRY;
