/**
 * The HTTP API (payload format 2.0) edge, locally: a Node request becomes the
 * APIGatewayProxyEventV2 API Gateway would hand the Lambda (lower-case headers, the raw
 * path and query, the body as text — base64 when it is not valid UTF-8 — and the route's
 * path parameters), and the handler's result becomes the response, with API Gateway's
 * rules for a result that is not a structured response (a bare value is 200 JSON).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQueryString: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Reads the request; rejects with 'too-large' past `maxBytes` (API Gateway's payload limit, locally smaller). */
export async function readRequest(request: IncomingMessage, maxBytes: number): Promise<RawRequest | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) return 'too-large';
    chunks.push(buffer);
  }
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return { method: (request.method ?? 'GET').toUpperCase(), path: url.pathname, rawQueryString: url.search.replace(/^\?/, ''), headers, body: Buffer.concat(chunks) };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const out: Record<string, string> = {};
  // API Gateway joins a repeated parameter's values with commas.
  for (const [name, value] of new URLSearchParams(rawQueryString)) out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  return out;
}

export function toApiGatewayEvent(request: RawRequest, routeKey: string, pathParameters?: Record<string, string>): APIGatewayProxyEventV2 {
  const text = request.body.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(request.body);
  const query = queryParameters(request.rawQueryString);
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQueryString,
    headers: request.headers,
    ...(query === undefined ? {} : { queryStringParameters: query }),
    ...(pathParameters === undefined ? {} : { pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: request.headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: request.headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: request.body.length > 0 && !isText,
    ...(request.body.length === 0 ? {} : { body: isText ? text : request.body.toString('base64') }),
  };
}

export function writeApiGatewayResult(response: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result !== 'object' || result === null || !('statusCode' in result) || result.statusCode === undefined) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  const headers: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
  if (result.cookies !== undefined && result.cookies.length > 0) response.setHeader('set-cookie', result.cookies);
  const body = result.body === undefined ? '' : result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : result.body;
  response.writeHead(result.statusCode, Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]))).end(body);
}
