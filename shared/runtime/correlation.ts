/**
 * Where a flow's correlation id starts at the edge: the id the platform gave the request
 * that started it (API Gateway's request id, a scheduled event's id, the Lambda request
 * id as the last resort). Never taken from a header a caller chooses: a webhook's sender
 * is not trusted to name our flows, and an id is all that may go into the events and logs.
 */
import type { Context } from 'aws-lambda';
import { CorrelationIdSchema } from '../contracts/events/event-definitions.ts';

/** `candidate` when it is a valid correlation id, else the next one (undefined when none is). */
export function firstCorrelationId(...candidates: readonly (string | undefined)[]): string | undefined {
  return candidates.find((candidate) => candidate !== undefined && CorrelationIdSchema.safeParse(candidate).success);
}

/**
 * An HTTP request's correlation id: API Gateway's request id (also in its access log), else
 * the Lambda request id when a context is given.
 *
 * @example correlationIdOfRequest({ requestContext: { requestId: 'JKJaXmPLvHcESHA=' } }) // 'JKJaXmPLvHcESHA='
 */
export function correlationIdOfRequest(event: { readonly requestContext?: { readonly requestId?: string } | undefined }, context?: Pick<Context, 'awsRequestId'>): string | undefined {
  return firstCorrelationId(event.requestContext?.requestId, context?.awsRequestId);
}
