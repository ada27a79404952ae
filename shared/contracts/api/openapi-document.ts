/**
 * An OpenAPI 3.1 document generated from a route table and its zod schemas
 * (z.toJSONSchema, JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Request bodies
 * are documented as the schema's input (defaults optional), responses as its output.
 *
 * @example buildOpenApiDocument(CONFIG_API_ROUTES, { title: 'hedge config API', version: '1' }).paths['/accounts']
 */
import * as z from 'zod';
import type { ApiRouteSpec } from './config-api-routes.ts';
import { ProblemSchema } from './config-api-schemas.ts';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const PROBLEM_RESPONSE = { description: 'a problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };

function operation(id: string, spec: ApiRouteSpec): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = [];
  for (const [name, schema] of Object.entries(spec.pathParams?.shape ?? {})) {
    parameters.push({ name, in: 'path', required: true, schema: jsonSchema(schema as z.ZodType, 'input') });
  }
  for (const [name, schema] of Object.entries(spec.query?.shape ?? {})) {
    parameters.push({ name, in: 'query', required: false, schema: jsonSchema(schema as z.ZodType, 'input') });
  }
  for (const h of spec.headers ?? []) parameters.push({ name: h.name, in: 'header', required: h.required, description: h.description, schema: { type: 'string' } });
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers === undefined ? {} : { headers: Object.fromEntries(response.headers.map((h) => [h, { schema: { type: 'string' } }])) }),
      ...(response.schema === undefined ? {} : { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } }),
    };
  }
  responses.default = PROBLEM_RESPONSE;
  return {
    operationId: id,
    summary: spec.summary,
    security: spec.auth === 'none' ? [] : spec.auth === 'account-or-admin' ? [{ apiKey: [] }, { adminKey: [] }] : [{ [spec.auth === 'admin' ? 'adminKey' : 'apiKey']: [] }],
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(spec.body === undefined ? {} : { requestBody: { required: spec.bodyOptional !== true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } }),
    responses,
  };
}

export function buildOpenApiDocument(routes: Readonly<Record<string, ApiRouteSpec>>, info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, spec] of Object.entries(routes)) {
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = operation(id, spec);
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Problem: jsonSchema(ProblemSchema, 'output') },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'an account API key (hk_…)' },
        adminKey: { type: 'http', scheme: 'bearer', description: 'the operator admin key' },
      },
    },
  };
}
