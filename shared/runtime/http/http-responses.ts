/**
 * Response builders for API Gateway HTTP API (payload v2) handlers: JSON bodies,
 * empty bodies and problem+json, never cached (responses can carry API keys).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpProblem } from './http-problem.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

const BASE_HEADERS = { 'cache-control': 'no-store' };

/** @example jsonResponse(201, { accountId: 'acc-1' }) */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { ...BASE_HEADERS, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** @example emptyResponse(204) */
export function emptyResponse(status: number, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { ...BASE_HEADERS, ...headers } };
}

/** @example problemResponse(new HttpProblem(404, 'not-found', 'Not Found', 'no such position')) */
export function problemResponse(problem: HttpProblem): HttpResult {
  return {
    statusCode: problem.status,
    headers: { ...BASE_HEADERS, 'content-type': 'application/problem+json', ...problem.headers },
    body: JSON.stringify(problem.toBody()),
  };
}
