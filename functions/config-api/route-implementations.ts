/**
 * HTTP ↔ use case, one small function per operation of CONFIG_API_ROUTES: read and
 * validate the request parts, call the use case, shape the response. Authentication and
 * account scoping happen before these run (create-config-api-handler.ts).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ConfigApiUseCases } from '../../shared/app/config-api/config-api-use-cases.ts';
import type { ConfigApiOperation } from '../../shared/contracts/api/config-api-routes.ts';
import * as S from '../../shared/contracts/api/config-api-schemas.ts';
import { correlationIdOfRequest } from '../../shared/runtime/correlation.ts';
import { HttpProblem } from '../../shared/runtime/http/http-problem.ts';
import { header, parseJsonBody, parseOptionalJsonBody, validateRequestPart } from '../../shared/runtime/http/http-request.ts';
import { emptyResponse, jsonResponse, type HttpResult } from '../../shared/runtime/http/http-responses.ts';

export interface RouteRequest {
  readonly event: APIGatewayProxyEventV2;
  /** The authenticated caller's audit name ('admin', 'key:<keyId>', or 'anonymous'). */
  readonly actor: string;
  /** Whose rights the caller acts with: the operator (admin key) or the account owner (its key). */
  readonly caller: 'operator' | 'account' | 'anonymous';
  /** Validated path parameters (accountId is the caller's own account). */
  readonly params: Readonly<Record<string, string>>;
}

export type RouteImplementation = (request: RouteRequest) => Promise<HttpResult>;

const etag = (n: number): string => `"${n}"`;

/** If-Match as a non-negative integer ("n", W/"n" or n); undefined when absent and optional. */
function ifMatch(event: APIGatewayProxyEventV2, required: boolean, what: string): number | undefined {
  const value = header(event, 'if-match');
  if (value === undefined) {
    if (!required) return undefined;
    throw new HttpProblem(428, 'precondition-required', 'Precondition Required', `send If-Match with the ${what} you read`, {
      errors: [{ path: 'header.if-match', message: 'required' }],
    });
  }
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(value);
  if (match?.[1] === undefined) {
    throw new HttpProblem(400, 'invalid-request', 'Bad Request', `If-Match must be a ${what} ("n")`, { errors: [{ path: 'header.if-match', message: `not a ${what}` }] });
  }
  return Number(match[1]);
}

/**
 * The config version a PUT replaces: If-Match or `?expectedVersion`, for clients that cannot
 * set headers. One is required (428); both are accepted only when they name the same
 * version, since a disagreement means the client is confused about what it read (400).
 */
function expectedConfigVersion(event: APIGatewayProxyEventV2): number {
  const query = validateRequestPart(S.PutConfigQuerySchema, event.queryStringParameters ?? {}, 'query');
  const fromQuery = query.expectedVersion === undefined ? undefined : Number(query.expectedVersion);
  const fromHeader = ifMatch(event, false, 'version');
  if (fromHeader === undefined && fromQuery === undefined) {
    throw new HttpProblem(428, 'precondition-required', 'Precondition Required', 'send If-Match (or ?expectedVersion) with the version you read; 0 creates the first version', {
      errors: [
        { path: 'header.if-match', message: 'required (or query.expectedVersion)' },
        { path: 'query.expectedVersion', message: 'required (or header.if-match)' },
      ],
    });
  }
  if (fromHeader !== undefined && fromQuery !== undefined && fromHeader !== fromQuery) {
    throw new HttpProblem(400, 'invalid-request', 'Bad Request', `If-Match names version ${fromHeader} but expectedVersion names ${fromQuery}: send one`, {
      errors: [{ path: 'query.expectedVersion', message: 'differs from header.if-match' }],
    });
  }
  return fromHeader ?? fromQuery ?? 0;
}

function page(event: APIGatewayProxyEventV2): { limit?: number; cursor?: string } {
  const query = validateRequestPart(S.PageQuerySchema, event.queryStringParameters ?? {}, 'query');
  return { ...(query.limit === undefined ? {} : { limit: Number(query.limit) }), ...(query.cursor === undefined ? {} : { cursor: query.cursor }) };
}

const required = (params: Readonly<Record<string, string>>, name: string): string => params[name] ?? '';

/** The operator's fields in an account's PUT: refused as a matter of rights (403), before the body's own validation. */
function refuseOperatorFields(body: unknown): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const found = S.OPERATOR_OWNED_FIELDS.filter((field) => field in body);
  if (found.length === 0) return;
  throw new HttpProblem(403, 'forbidden', 'Forbidden', `${found.join(' and ')} ${found.length === 1 ? 'is' : 'are'} set by the operator (PUT /accounts/{id}/operator-config with the admin key)`, {
    errors: found.map((field) => ({ path: `body.${field}`, message: 'set by the operator: read-only to the account' })),
  });
}

const asCaller = (caller: RouteRequest['caller']): 'operator' | 'account' => (caller === 'operator' ? 'operator' : 'account');

export function createRouteImplementations(api: ConfigApiUseCases, openApiDocument: () => Record<string, unknown>): Record<ConfigApiOperation, RouteImplementation> {
  return {
    async createAccount({ event, actor }) {
      const body = validateRequestPart(S.CreateAccountRequestSchema, parseJsonBody(event), 'body');
      return jsonResponse(201, await api.createAccount(body, actor));
    },
    async getAccount({ params }) {
      return jsonResponse(200, await api.getAccount(required(params, 'accountId')));
    },
    async issueApiKey({ params }) {
      return jsonResponse(201, await api.issueApiKey(required(params, 'accountId')));
    },
    async revokeApiKey({ params }) {
      await api.revokeApiKey(required(params, 'accountId'), required(params, 'keyId'));
      return emptyResponse(204);
    },
    async getConfig({ params }) {
      const current = await api.getConfig(required(params, 'accountId'));
      return jsonResponse(200, current, { etag: etag(current.version) });
    },
    async putConfig({ event, params, actor }) {
      const expected = expectedConfigVersion(event);
      const body = parseJsonBody(event);
      refuseOperatorFields(body);
      const config = validateRequestPart(S.PutConfigRequestSchema, body, 'body');
      const saved = await api.putConfig(required(params, 'accountId'), config, expected, actor);
      return jsonResponse(200, saved, { etag: etag(saved.version) });
    },
    async putOperatorConfig({ event, params, actor }) {
      const expected = expectedConfigVersion(event);
      const config = validateRequestPart(S.PutOperatorConfigRequestSchema, parseJsonBody(event), 'body');
      const saved = await api.putOperatorConfig(required(params, 'accountId'), config, expected, actor);
      return jsonResponse(200, saved, { etag: etag(saved.version) });
    },
    async getConfigHistory({ event, params }) {
      return jsonResponse(200, await api.listConfigHistory(required(params, 'accountId'), page(event)));
    },
    async listPositions({ params }) {
      return jsonResponse(200, { items: await api.listPositions(required(params, 'accountId')) });
    },
    async getPosition({ params }) {
      const stored = await api.getPosition(required(params, 'accountId'), required(params, 'positionId'));
      return jsonResponse(200, stored, { etag: etag(stored.revision) });
    },
    async putPosition({ event, params }) {
      const revision = ifMatch(event, false, 'revision');
      const position = validateRequestPart(S.PutPositionRequestSchema, parseJsonBody(event), 'body');
      if (position.id !== params.positionId) {
        throw new HttpProblem(400, 'invalid-request', 'Bad Request', 'the body id must equal the path position id', { errors: [{ path: 'body.id', message: 'must equal path.positionId' }] });
      }
      if (revision === 0) throw new HttpProblem(400, 'invalid-request', 'Bad Request', 'revisions start at 1', { errors: [{ path: 'header.if-match', message: 'must be at least 1' }] });
      const saved = await api.putPosition(required(params, 'accountId'), position, revision);
      return jsonResponse(saved.created ? 201 : 200, saved.position, { etag: etag(saved.position.revision) });
    },
    async deletePosition({ event, params }) {
      const revision = ifMatch(event, true, 'revision') ?? 0;
      if (revision === 0) throw new HttpProblem(400, 'invalid-request', 'Bad Request', 'revisions start at 1', { errors: [{ path: 'header.if-match', message: 'must be at least 1' }] });
      await api.deletePosition(required(params, 'accountId'), required(params, 'positionId'), revision);
      return emptyResponse(204);
    },
    async pauseAccount({ event, params, actor, caller }) {
      const body = validateRequestPart(S.PauseRequestSchema, parseOptionalJsonBody(event) ?? {}, 'body');
      const account = await api.pause(required(params, 'accountId'), asCaller(caller), actor, body.reason);
      return jsonResponse(200, { accountId: account.accountId, status: account.status, ...(account.pause === undefined ? {} : { pause: account.pause }) });
    },
    async resumeAccount({ event, params, actor, caller }) {
      const body = validateRequestPart(S.ResumeRequestSchema, parseOptionalJsonBody(event) ?? {}, 'body');
      const account = await api.resume(required(params, 'accountId'), asCaller(caller), actor, body);
      return jsonResponse(200, { accountId: account.accountId, status: account.status });
    },
    async rebalance({ params, event }) {
      return jsonResponse(202, await api.rebalance(required(params, 'accountId'), correlationIdOfRequest(event)));
    },
    async listHedges({ event, params }) {
      return jsonResponse(200, await api.listHedges(required(params, 'accountId'), page(event)));
    },
    async getExposure({ params }) {
      return jsonResponse(200, await api.getExposure(required(params, 'accountId')));
    },
    async getKillSwitch() {
      return jsonResponse(200, await api.getKillSwitch());
    },
    async putKillSwitch({ event, actor }) {
      const body = validateRequestPart(S.PutKillSwitchRequestSchema, parseJsonBody(event), 'body');
      return jsonResponse(200, await api.setKillSwitch(body.engaged, body.reason, actor));
    },
    async getOpenApi() {
      return jsonResponse(200, openApiDocument());
    },
  };
}
