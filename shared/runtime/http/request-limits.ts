/**
 * middy middleware: limits every request of an HTTP API before its route runs.
 *
 * - Body size: a body over `maxBodyBytes` (after base64 decoding) is a 413, never parsed.
 * - Request budget: `perMinute` requests per caller, counted in the store (every Lambda
 *   instance shares the count): the caller is the presented Bearer credential (by its
 *   SHA-256, so a flood under one key, valid or not, is limited as one caller) or, with
 *   no credential, the source IP. Over budget: 429 with Retry-After (seconds to the end
 *   of the window). A flood on the API is then answered cheaply and cannot hold the
 *   webhook path, which has its own function (and, locally, is not limited here).
 *
 * @example middy(router).use(requestLimits({ maxBodyBytes: 65_536, perMinute: 300, budget: rateLimits }))
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { hashApiKey } from './bearer-auth.ts';
import { HttpProblem } from './http-problem.ts';
import { header } from './http-request.ts';

/** The store's request counter (the rate-limit repository). */
export interface RequestBudget {
  take(subject: string, limit: number, windowMs: number): Promise<{ readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number }>;
}

export interface RequestLimitsOptions {
  readonly maxBodyBytes: number;
  /** Requests per caller per minute; without a budget store, no rate limit. */
  readonly perMinute: number;
  readonly budget?: RequestBudget;
}

export const DEFAULT_API_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_API_REQUESTS_PER_MINUTE = 300;
const WINDOW_MS = 60_000;

/** The caller a request's budget is counted against. @example callerSubject(event) // 'key:3f2a…' or 'ip:203.0.113.7' */
export function callerSubject(event: Pick<APIGatewayProxyEventV2, 'headers' | 'requestContext'>): string {
  const authorization = header(event, 'authorization');
  if (authorization !== undefined && authorization.trim() !== '') return `key:${hashApiKey(authorization.trim()).slice(0, 32)}`;
  const ip = event.requestContext?.http?.sourceIp ?? 'unknown';
  return `ip:${ip.replace(/[^A-Za-z0-9.:_-]/g, '_').slice(0, 64) || 'unknown'}`;
}

function bodyBytes(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): number {
  if (event.body === undefined) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body, 'utf8');
}

export function requestLimits(options: RequestLimitsOptions): middy.MiddlewareObj<APIGatewayProxyEventV2> {
  const requestLimitsBefore: middy.MiddlewareFn<APIGatewayProxyEventV2> = async (request) => {
    const size = bodyBytes(request.event);
    if (size > options.maxBodyBytes) {
      throw new HttpProblem(413, 'payload-too-large', 'Payload Too Large', `the body is ${size} bytes; this API takes at most ${options.maxBodyBytes}`);
    }
    if (options.budget === undefined) return;
    const decision = await options.budget.take(callerSubject(request.event), options.perMinute, WINDOW_MS);
    if (!decision.allowed) {
      throw new HttpProblem(429, 'too-many-requests', 'Too Many Requests', `more than ${options.perMinute} requests a minute from this caller: retry in ${decision.retryAfterSeconds} s`, {
        headers: { 'retry-after': String(decision.retryAfterSeconds) },
      });
    }
  };
  return { before: requestLimitsBefore };
}
