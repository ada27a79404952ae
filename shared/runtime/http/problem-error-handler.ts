/**
 * middy middleware: every error leaving a route becomes an application/problem+json
 * response. Errors are classified by their `code` (adapter and use-case errors carry
 * one), so this file depends on no adapter:
 *
 * - HttpProblem → as is; middy/http-router's "route does not exist" (statusCode 404) → 404
 * - NOT_FOUND → 404, PRECONDITION_REQUIRED → 428, CONFLICT → 409, INVALID_CURSOR → 400,
 *   INVALID_CONFIG → 400, FORBIDDEN → 403 (with the error's `fieldErrors` when it has them)
 * - anything else → 500 with a generic detail; the error is handed to `logError` (the
 *   caller's logger, which writes its redacted name and message only: no request, no
 *   headers, so no credential reaches the log).
 */
import type middy from '@middy/core';
import { HttpProblem } from './http-problem.ts';
import { problemResponse } from './http-responses.ts';

export interface ProblemErrorHandlerOptions {
  /** Told about every error answered with a 5xx. */
  readonly logError: (error: unknown) => void;
}

const BY_CODE: Readonly<Record<string, { status: number; slug: string; title: string }>> = {
  NOT_FOUND: { status: 404, slug: 'not-found', title: 'Not Found' },
  PRECONDITION_REQUIRED: { status: 428, slug: 'precondition-required', title: 'Precondition Required' },
  CONFLICT: { status: 409, slug: 'conflict', title: 'Conflict' },
  INVALID_CURSOR: { status: 400, slug: 'invalid-cursor', title: 'Bad Request' },
  INVALID_CONFIG: { status: 400, slug: 'invalid-request', title: 'Bad Request' },
  FORBIDDEN: { status: 403, slug: 'forbidden', title: 'Forbidden' },
};

/** The problem an error becomes. @example toHttpProblem(new Error('boom')).status // 500 */
export function toHttpProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? BY_CODE[code] : undefined;
  if (known !== undefined && error instanceof Error) {
    const carried = (error as { fieldErrors?: unknown }).fieldErrors;
    const errors = code === 'INVALID_CURSOR' ? [{ path: 'query.cursor', message: error.message }] : Array.isArray(carried) ? (carried as { path: string; message: string }[]) : undefined;
    return new HttpProblem(known.status, known.slug, known.title, error.message, { cause: error, ...(errors === undefined ? {} : { errors }) });
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (statusCode === 404) return new HttpProblem(404, 'route-not-found', 'Not Found', 'no such route', { cause: error });
  return new HttpProblem(500, 'internal', 'Internal Server Error', 'the request could not be completed', { cause: error });
}

/** @example middy(router).use(problemErrorHandler({ logError: (error) => telemetry.error('request failed', { error }) })) */
export function problemErrorHandler(options: ProblemErrorHandlerOptions): middy.MiddlewareObj {
  const { logError } = options;
  const problemErrorHandlerOnError: middy.MiddlewareFn = (request) => {
    const problem = toHttpProblem(request.error);
    if (problem.status >= 500) logError(request.error);
    request.response = problemResponse(problem);
  };
  return { onError: problemErrorHandlerOnError };
}
