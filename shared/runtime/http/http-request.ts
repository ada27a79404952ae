/**
 * Reading an API Gateway v2 request: headers (case-insensitive), the JSON body (400 on
 * a missing or malformed body), and zod validation of any part into a 400 problem with
 * field paths. Nothing here throws anything but HttpProblem for bad input.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { HttpProblem, type ProblemFieldError } from './http-problem.ts';

/** Where a value came from, used as the first segment of error paths. */
export type RequestPart = 'body' | 'query' | 'path' | 'header';

/** @example header(event, 'If-Match') // '"3"' or undefined */
export function header(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** zod issues as field errors, each path prefixed with the request part. */
export function fieldErrors(error: z.ZodError, part: RequestPart): ProblemFieldError[] {
  return error.issues.map((issue) => ({
    path: [part, ...issue.path.map((segment) => String(segment))].join('.'),
    message: issue.message,
  }));
}

/** Validates one part of the request; HttpProblem 400 `invalid-request` with field errors otherwise. */
export function validateRequestPart<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new HttpProblem(400, 'invalid-request', 'Bad Request', `the request ${part} is invalid`, { errors: fieldErrors(parsed.error, part) });
}

/** The body parsed as JSON, or undefined when there is none (routes whose body is optional). */
export function parseOptionalJsonBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): unknown {
  const raw = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (raw === undefined || raw.trim() === '') return undefined;
  return parseJsonBody(event);
}

/** The body parsed as JSON: 400 `invalid-json` when it is absent, not UTF-8 JSON, or not decodable. */
export function parseJsonBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): unknown {
  const raw = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (raw === undefined || raw.trim() === '') {
    throw new HttpProblem(400, 'invalid-json', 'Bad Request', 'the request needs a JSON body', { errors: [{ path: 'body', message: 'required' }] });
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new HttpProblem(400, 'invalid-json', 'Bad Request', 'the request body is not valid JSON', {
      errors: [{ path: 'body', message: error instanceof Error ? error.message : 'malformed JSON' }],
      cause: error,
    });
  }
}
