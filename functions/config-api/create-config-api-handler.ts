/**
 * The composition of the configuration API: the use cases over the given ports, a
 * middy http-router over CONFIG_API_ROUTES, and problem+json errors. The Lambda entry
 * (handler.ts) and the tests (against DynamoDB Local) both build it with this factory.
 *
 * Every route, before its implementation runs:
 * 0. is limited: a body over the size limit is a 413, a caller over its budget a 429
 *    with Retry-After (shared/runtime/http/request-limits.ts);
 * 1. authenticates (401 `unauthorized` for a missing, malformed, unknown or revoked key;
 *    the admin key only on `admin` and `account-or-admin` routes, compared as SHA-256 in
 *    constant time);
 * 2. scopes: on `account` routes the path's account must be the key's account, otherwise
 *    403 `forbidden` — decided before any read, so it reveals nothing about other
 *    accounts (not even whether they exist);
 * 3. validates the path parameters (400).
 *
 * Observability (when given, at the Lambda entry): Powertools' middlewares around it all;
 * every line of a request carries its correlation id (API Gateway's request id), which a
 * rebalance puts on the evaluation it asks for. A 5xx is logged with its error redacted;
 * requests, headers, keys and bodies never are.
 */
import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { telemetryOf, withObservability, type HandlerObservability } from '../../shared/runtime/handler-observability.ts';
import { correlationIdOfRequest } from '../../shared/runtime/correlation.ts';
import { createConfigApiUseCases } from '../../shared/app/config-api/config-api-use-cases.ts';
import type { ConfigApiPorts } from '../../shared/app/config-api/ports.ts';
import { CONFIG_API_ROUTES, type ApiRouteSpec, type HttpMethod } from '../../shared/contracts/api/config-api-routes.ts';
import { buildOpenApiDocument } from '../../shared/contracts/api/openapi-document.ts';
import { bearerToken, hashApiKey, matchesKeyHash, unauthorized } from '../../shared/runtime/http/bearer-auth.ts';
import { HttpProblem } from '../../shared/runtime/http/http-problem.ts';
import { validateRequestPart } from '../../shared/runtime/http/http-request.ts';
import { problemErrorHandler } from '../../shared/runtime/http/problem-error-handler.ts';
import { DEFAULT_API_MAX_BODY_BYTES, DEFAULT_API_REQUESTS_PER_MINUTE, requestLimits, type RequestBudget } from '../../shared/runtime/http/request-limits.ts';
import { createRouteImplementations, type RouteImplementation, type RouteRequest } from './route-implementations.ts';

export interface ConfigApiDeps extends ConfigApiPorts {
  /** SHA-256 (hex) of the operator's admin key. */
  readonly adminKeyHash: string;
  /** Body size (413) and request budget per caller (429); defaults: 64 KiB, 300 a minute, no budget store (no rate limit). */
  readonly limits?: { readonly maxBodyBytes?: number; readonly perMinute?: number; readonly budget?: RequestBudget };
  /** Told about every error answered with a 5xx; default: the observability's logger (nothing without one). */
  readonly logError?: (error: unknown) => void;
  /** Powertools at the Lambda entry (logs, metrics, traces). */
  readonly observability?: HandlerObservability;
}

export type ConfigApiHandler = ((event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>) & {
  /** What the router serves, for the OpenAPI sync test. */
  readonly routes: readonly { readonly method: HttpMethod; readonly path: string }[];
};

export const CONFIG_API_INFO = { title: 'hedge configuration API', version: '1.0.0' };

export function createConfigApiHandler(deps: ConfigApiDeps): ConfigApiHandler {
  if (!/^[0-9a-f]{64}$/.test(deps.adminKeyHash)) throw new TypeError('adminKeyHash must be a SHA-256 in lowercase hex');
  const api = createConfigApiUseCases(deps);
  let document: Record<string, unknown> | undefined;
  const implementations = createRouteImplementations(api, () => (document ??= buildOpenApiDocument(CONFIG_API_ROUTES, CONFIG_API_INFO)));

  async function authenticate(spec: ApiRouteSpec, event: APIGatewayProxyEventV2, params: Record<string, string | undefined>): Promise<Pick<RouteRequest, 'actor' | 'caller'>> {
    if (spec.auth === 'none') return { actor: 'anonymous', caller: 'anonymous' };
    const token = bearerToken(event);
    if (spec.auth === 'admin' || spec.auth === 'account-or-admin') {
      if (matchesKeyHash(token, deps.adminKeyHash)) return { actor: 'admin', caller: 'operator' };
      if (spec.auth === 'admin') throw unauthorized();
    }
    const owner = await api.resolveApiKey(hashApiKey(token));
    if (owner === undefined) throw unauthorized();
    if (params.accountId !== owner.accountId) throw new HttpProblem(403, 'forbidden', 'Forbidden', 'this key does not give access to that account');
    return { actor: `key:${owner.keyId}`, caller: 'account' };
  }

  function guarded(spec: ApiRouteSpec, implementation: RouteImplementation) {
    return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
      const raw = event.pathParameters ?? {};
      const who = await authenticate(spec, event, raw);
      const params: RouteRequest['params'] = spec.pathParams === undefined ? {} : (validateRequestPart(spec.pathParams, raw, 'path') as Record<string, string>);
      return implementation({ event, ...who, params });
    };
  }

  const routes = Object.entries(CONFIG_API_ROUTES).map(([operation, spec]) => ({
    method: spec.method,
    path: spec.path,
    handler: guarded(spec, implementations[operation as keyof typeof CONFIG_API_ROUTES]),
  }));
  const router = httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2>({
    routes,
    notFoundResponse: ({ method, path }) => {
      throw new HttpProblem(404, 'route-not-found', 'Not Found', `no route ${method} ${path}`);
    },
  });
  const telemetry = telemetryOf(deps.observability);
  const logError = deps.logError ?? ((error: unknown) => telemetry.error('request failed: answered 500', { error }));
  const correlation: middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> = {
    before: (request) => telemetry.appendKeys({ correlationId: correlationIdOfRequest(request.event, request.context) }),
    after: (request) => telemetry.debug('request answered', { routeKey: request.event.routeKey, status: statusOf(request.response) }),
    onError: (request) => telemetry.debug('request answered', { routeKey: request.event.routeKey, status: statusOf(request.response) }),
  };
  const handler = withObservability(middy(router), deps.observability)
    .use(correlation)
    .use(problemErrorHandler({ logError }))
    .use(
      requestLimits({
        maxBodyBytes: deps.limits?.maxBodyBytes ?? DEFAULT_API_MAX_BODY_BYTES,
        perMinute: deps.limits?.perMinute ?? DEFAULT_API_REQUESTS_PER_MINUTE,
        ...(deps.limits?.budget === undefined ? {} : { budget: deps.limits.budget }),
      }),
    );
  const invoke = (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> => handler(event, context);
  return Object.assign(invoke, { routes: routes.map(({ method, path }) => ({ method, path })) });
}

function statusOf(response: APIGatewayProxyResultV2 | null | undefined): number | undefined {
  return typeof response === 'object' && response !== null && typeof response.statusCode === 'number' ? response.statusCode : undefined;
}
