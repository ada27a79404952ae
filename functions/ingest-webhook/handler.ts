/**
 * POST /webhooks/{provider} (API Gateway HTTP API, payload v2).
 *
 * Thin: read the raw body (base64-decoded when API Gateway says so), enforce the size
 * limit, call ingestWebhook, map its outcome to a status. Dependencies (secrets included)
 * are injected: built once per cold start from validated configuration, never from code.
 *
 * 202 accepted · 200 duplicate or irrelevant · 400 malformed · 401 bad signature ·
 * 404 unknown provider · 413 body too large · 415 compressed body · 500 store/queue failure
 * (the provider retries).
 *
 * The request's correlation id (API Gateway's request id) starts the flow: it is logged
 * on every line and handed to the confirmations, which carry it on to the events. Nothing
 * of the request is logged but the provider, the outcome and the delivery id: never the
 * body, the headers or a signature.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ingestWebhook, type IngestOutcome, type IngestWebhookDeps } from '../../shared/app/ingest-webhook/ingest-webhook.ts';
import { correlationIdOfRequest } from '../../shared/runtime/correlation.ts';
import { telemetryOf, withObservability, type HandlerObservability } from '../../shared/runtime/handler-observability.ts';

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export interface IngestWebhookHandlerOptions {
  readonly deps: IngestWebhookDeps;
  readonly maxBodyBytes?: number;
  /** Told about failures (no secrets, no bodies): a logger in the composition root. */
  readonly onError?: (error: unknown) => void;
  /** Powertools at the Lambda entry (logs, metrics, traces); none: nothing is logged. */
  readonly observability?: HandlerObservability;
}

export type IngestWebhookHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

function respond(statusCode: number, body: Record<string, unknown>): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/** The raw body bytes, or 'too-large' (checked on the encoded length first, so a huge body is never decoded). */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>, maxBytes: number): Buffer | 'too-large' {
  const text = event.body ?? '';
  if (event.isBase64Encoded) {
    if (Math.floor((text.length * 3) / 4) - 2 > maxBytes) return 'too-large';
    const bytes = Buffer.from(text, 'base64');
    return bytes.length > maxBytes ? 'too-large' : bytes;
  }
  if (text.length > maxBytes) return 'too-large'; // UTF-8 is at least one byte per UTF-16 unit
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length > maxBytes ? 'too-large' : bytes;
}

function toResponse(outcome: IngestOutcome): APIGatewayProxyStructuredResultV2 {
  switch (outcome.status) {
    case 'accepted':
      return respond(202, { status: 'accepted', deliveryId: outcome.deliveryId });
    case 'duplicate':
    case 'irrelevant':
      return respond(200, { status: outcome.status, deliveryId: outcome.deliveryId });
    case 'in-progress':
      // Another attempt holds the claim: answer non-2xx so the provider retries later;
      // if that attempt fails it releases the claim (or its lease runs out).
      return respond(409, { status: 'in-progress', deliveryId: outcome.deliveryId });
    case 'unknown-provider':
      return respond(404, { error: 'unknown webhook provider' });
    case 'unauthorized':
      return respond(401, { error: 'invalid signature', reason: outcome.reason });
    case 'malformed':
      return respond(400, { error: 'malformed payload', issues: outcome.issues });
  }
}

/**
 * @example
 * export const handler = createIngestWebhookHandler({ deps: buildDeps(readConfig(process.env)) });
 */
export function createIngestWebhookHandler(options: IngestWebhookHandlerOptions): middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const telemetry = telemetryOf(options.observability);
  return withObservability(
    middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event, context) => {
      const correlationId = correlationIdOfRequest(event, context);
      // One request per invocation: the key holds for the rest of it.
      telemetry.appendKeys({ correlationId });
      // A provider's name is ours to know, not the caller's to choose: logged only when it is one.
      const provider = event.pathParameters?.provider ?? '';
      const known = Object.hasOwn(options.deps.sources, provider) ? provider : 'unknown';
      const headers = lowerCaseHeaders(event.headers);
      const encoding = headers['content-encoding']?.trim().toLowerCase();
      if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
        telemetry.info('webhook refused', { provider: known, status: 415 });
        return respond(415, { error: 'compressed bodies are not accepted' });
      }
      const body = rawBody(event, maxBytes);
      if (body === 'too-large') {
        telemetry.info('webhook refused', { provider: known, status: 413 });
        return respond(413, { error: `body larger than ${maxBytes} bytes` });
      }
      try {
        const outcome = await ingestWebhook(options.deps, { provider, body, headers, correlationId });
        const response = toResponse(outcome);
        telemetry.info('webhook handled', {
          provider: known,
          outcome: outcome.status,
          status: response.statusCode,
          ...('deliveryId' in outcome ? { deliveryId: outcome.deliveryId } : {}),
          ...(outcome.status === 'accepted' ? { transactions: outcome.transactions } : {}),
          ...(outcome.status === 'unauthorized' ? { reason: outcome.reason } : {}),
        });
        return response;
      } catch (error) {
        telemetry.error('webhook failed; answered 500 so that the provider retries', { provider: known, error });
        options.onError?.(error);
        return respond(500, { error: 'internal error' });
      }
    }),
    options.observability,
  );
}
