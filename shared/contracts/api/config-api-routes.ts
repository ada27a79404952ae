/**
 * The routes of the configuration API, declared once: the handler builds its router from
 * this table (every operation must have an implementation, checked by the compiler) and
 * the OpenAPI generator documents exactly these.
 *
 * Auth: `admin` (Bearer admin key), `account` (Bearer API key of the account in the
 * path; another account's key gets 403), `account-or-admin` (either; the operator acts
 * with more rights on pause/resume), `none`.
 */
import type * as z from 'zod';
import * as S from './config-api-schemas.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly headers?: readonly string[];
}

export interface ApiRouteSpec {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  readonly auth: 'admin' | 'account' | 'account-or-admin' | 'none';
  readonly pathParams?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** Request headers the route reads (documented as header parameters). */
  readonly headers?: readonly { readonly name: string; readonly required: boolean; readonly description: string }[];
  readonly body?: z.ZodType;
  /** The body may be left out (it is then validated as `{}`). */
  readonly bodyOptional?: boolean;
  readonly responses: Readonly<Record<number, ApiResponseSpec>>;
}

const IF_MATCH_VERSION = {
  name: 'If-Match',
  required: false,
  description: 'the version you read ("n", its ETag); "0" creates the first version. Send this or ?expectedVersion (one is required: 428 without either; 400 if both and they differ)',
} as const;
const IF_MATCH_REVISION = { name: 'If-Match', required: false, description: 'the revision you read ("n"); absent creates the position' } as const;

export const CONFIG_API_ROUTES = {
  createAccount: {
    method: 'POST', path: '/accounts', summary: 'Create an account and its first API key (shown once)', auth: 'admin',
    body: S.CreateAccountRequestSchema,
    responses: { 201: { description: 'created', schema: S.CreateAccountResponseSchema } },
  },
  getAccount: {
    method: 'GET', path: '/accounts/{accountId}', summary: 'The account: status (and, while paused, who paused it and why), its signer address', auth: 'account-or-admin',
    pathParams: S.AccountPathSchema,
    responses: { 200: { description: 'the account', schema: S.AccountResponseSchema } },
  },
  issueApiKey: {
    method: 'POST', path: '/accounts/{accountId}/keys', summary: 'Issue another API key (rotation: issue, switch, revoke)', auth: 'account',
    pathParams: S.AccountPathSchema,
    responses: { 201: { description: 'issued', schema: S.IssueApiKeyResponseSchema } },
  },
  revokeApiKey: {
    method: 'DELETE', path: '/accounts/{accountId}/keys/{keyId}', summary: 'Revoke an API key', auth: 'account',
    pathParams: S.ApiKeyPathSchema,
    responses: { 204: { description: 'revoked (or already revoked)' } },
  },
  getConfig: {
    method: 'GET', path: '/accounts/{accountId}/config', summary: "The current configuration: the account's policy, the operator's part (read-only to the account), the effective limits", auth: 'account-or-admin',
    pathParams: S.AccountPathSchema,
    responses: { 200: { description: 'the current version', schema: S.ConfigVersionSchema, headers: ['ETag'] } },
  },
  putConfig: {
    method: 'PUT', path: '/accounts/{accountId}/config', summary: "Replace the account's policy at the version read (optimistic concurrency); limits above the operator's ceilings are 403", auth: 'account',
    pathParams: S.AccountPathSchema, query: S.PutConfigQuerySchema, headers: [IF_MATCH_VERSION], body: S.PutConfigRequestSchema,
    responses: { 200: { description: 'the new version', schema: S.ConfigVersionSchema, headers: ['ETag'] } },
  },
  putOperatorConfig: {
    method: 'PUT', path: '/accounts/{accountId}/operator-config', summary: "Set the account up (operator): underlying, market data, venues, ceilings, transaction policy; the signer is the account's own", auth: 'admin',
    pathParams: S.AccountPathSchema, query: S.PutConfigQuerySchema, headers: [IF_MATCH_VERSION], body: S.PutOperatorConfigRequestSchema,
    responses: { 200: { description: 'the new version', schema: S.ConfigVersionSchema, headers: ['ETag'] } },
  },
  getConfigHistory: {
    method: 'GET', path: '/accounts/{accountId}/config/history', summary: 'Every configuration version, newest first', auth: 'account-or-admin',
    pathParams: S.AccountPathSchema, query: S.PageQuerySchema,
    responses: { 200: { description: 'one page', schema: S.ConfigHistoryResponseSchema } },
  },
  listPositions: {
    method: 'GET', path: '/accounts/{accountId}/positions', summary: 'Every position of the account', auth: 'account',
    pathParams: S.AccountPathSchema,
    responses: { 200: { description: 'the positions', schema: S.PositionListResponseSchema } },
  },
  getPosition: {
    method: 'GET', path: '/accounts/{accountId}/positions/{positionId}', summary: 'One position', auth: 'account',
    pathParams: S.PositionPathSchema,
    responses: { 200: { description: 'the position', schema: S.PositionResponseSchema, headers: ['ETag'] } },
  },
  putPosition: {
    method: 'PUT', path: '/accounts/{accountId}/positions/{positionId}', summary: 'Create (no If-Match) or replace (If-Match: revision) a position', auth: 'account',
    pathParams: S.PositionPathSchema, headers: [IF_MATCH_REVISION], body: S.PutPositionRequestSchema,
    responses: {
      200: { description: 'replaced', schema: S.PositionResponseSchema, headers: ['ETag'] },
      201: { description: 'created', schema: S.PositionResponseSchema, headers: ['ETag'] },
    },
  },
  deletePosition: {
    method: 'DELETE', path: '/accounts/{accountId}/positions/{positionId}', summary: 'Delete a position at the revision read', auth: 'account',
    pathParams: S.PositionPathSchema, headers: [{ ...IF_MATCH_REVISION, required: true, description: 'the revision you read ("n")' }],
    responses: { 204: { description: 'deleted' } },
  },
  pauseAccount: {
    method: 'POST', path: '/accounts/{accountId}/pause', summary: 'Pause hedging for the account (by the operator: only the operator resumes it)', auth: 'account-or-admin',
    pathParams: S.AccountPathSchema, body: S.PauseRequestSchema, bodyOptional: true,
    responses: { 200: { description: 'paused', schema: S.AccountStatusResponseSchema } },
  },
  resumeAccount: {
    method: 'POST', path: '/accounts/{accountId}/resume', summary: 'Resume hedging: the operator any pause; the account its own, and a system pause only by acknowledging it (audited)', auth: 'account-or-admin',
    pathParams: S.AccountPathSchema, body: S.ResumeRequestSchema, bodyOptional: true,
    responses: { 200: { description: 'active', schema: S.AccountStatusResponseSchema } },
  },
  rebalance: {
    method: 'POST', path: '/accounts/{accountId}/rebalance', summary: 'Evaluate the account now (publishes Evaluation Requested)', auth: 'account',
    pathParams: S.AccountPathSchema,
    responses: { 202: { description: 'requested', schema: S.RebalanceResponseSchema } },
  },
  listHedges: {
    method: 'GET', path: '/accounts/{accountId}/hedges', summary: 'Hedge records, newest first', auth: 'account',
    pathParams: S.AccountPathSchema, query: S.PageQuerySchema,
    responses: { 200: { description: 'one page', schema: S.HedgeListResponseSchema } },
  },
  getExposure: {
    method: 'GET', path: '/accounts/{accountId}/exposure', summary: 'The latest exposure snapshot the evaluator stored (404 before the first evaluation)', auth: 'account',
    pathParams: S.AccountPathSchema,
    responses: { 200: { description: 'the latest snapshot', schema: S.ExposureResponseSchema } },
  },
  getKillSwitch: {
    method: 'GET', path: '/admin/kill-switch', summary: 'The deployment-wide kill switch (engaged: no hedge is sent for any account)', auth: 'admin',
    responses: { 200: { description: 'the current state', schema: S.KillSwitchStateSchema } },
  },
  putKillSwitch: {
    method: 'PUT', path: '/admin/kill-switch', summary: 'Engage or release the deployment-wide kill switch', auth: 'admin',
    body: S.PutKillSwitchRequestSchema,
    responses: { 200: { description: 'the new state', schema: S.KillSwitchStateSchema } },
  },
  getOpenApi: {
    method: 'GET', path: '/openapi.json', summary: 'This document', auth: 'none',
    responses: { 200: { description: 'OpenAPI 3.1', schema: S.OpenApiDocumentSchema } },
  },
} as const satisfies Record<string, ApiRouteSpec>;

export type ConfigApiOperation = keyof typeof CONFIG_API_ROUTES;
