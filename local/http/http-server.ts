/**
 * The local HTTP server on 127.0.0.1: what API Gateway and the dashboard's host are in
 * the cloud, in one process.
 *
 *   POST /webhooks/{provider}   → the ingest-webhook function's handler
 *   GET  /api/status            → the stack's status (StackStatusSchema, validated before it is sent)
 *   POST /api/crash             → a flash crash in the market simulator
 *   GET  /api/local/presets     → what the dashboard offers a new account: the local chain's
 *                                 operator set-ups and starting policies (addresses, no secret)
 *   GET  /, /assets/*           → the dashboard's static files (local/dashboard/)
 *   anything else               → the config-api function's handler (its router answers 404 problem+json)
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { StackStatusSchema, type StackStatus } from '../status-schema.ts';
import { lambdaContext } from '../runtime/sqs-shapes.ts';
import { readRequest, toApiGatewayEvent, writeApiGatewayResult } from './api-gateway-event.ts';
import { readStaticFile } from './static-files.ts';

type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

export interface LocalHttpServerOptions {
  /** 0: a free port. */
  readonly port: number;
  readonly configApi: ApiHandler;
  readonly ingestWebhook: ApiHandler;
  readonly status: () => Promise<StackStatus>;
  readonly crash: () => void;
  /** The dashboard's set-ups for a new account on this chain (GET /api/local/presets). */
  readonly presets?: () => Promise<unknown>;
  /** Where the dashboard's files are. */
  readonly dashboardRoot: string;
  readonly maxBodyBytes?: number;
  readonly onError?: (error: unknown) => void;
}

export interface LocalHttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function problem(response: ServerResponse, status: number, slug: string, title: string, detail: string): void {
  response.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: `urn:hedge:problem:${slug}`, title, status, detail }));
}

const WEBHOOK_PATH = /^\/webhooks\/([^/]+)\/?$/;

export async function startLocalHttpServer(options: LocalHttpServerOptions): Promise<LocalHttpServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const request = await readRequest(req, maxBodyBytes);
      if (request === 'too-large') return problem(res, 413, 'payload-too-large', 'Payload Too Large', `the body is larger than ${maxBodyBytes} bytes`);
      const { method, path } = request;
      const webhook = WEBHOOK_PATH.exec(path);
      if (webhook?.[1] !== undefined && method === 'POST') {
        let provider: string;
        try {
          provider = decodeURIComponent(webhook[1]);
        } catch {
          return problem(res, 404, 'not-found', 'Not Found', 'no such webhook provider'); // a malformed escape names no provider
        }
        const event = toApiGatewayEvent(request, 'POST /webhooks/{provider}', { provider });
        return writeApiGatewayResult(res, await options.ingestWebhook(event, lambdaContext('ingest-webhook')));
      }
      if (path === '/api/status' && method === 'GET') return json(res, 200, StackStatusSchema.parse(await options.status()));
      if (path === '/api/crash' && method === 'POST') {
        options.crash();
        return json(res, 202, { crashing: true });
      }
      if (path === '/api/local/presets' && method === 'GET' && options.presets !== undefined) return json(res, 200, await options.presets());
      if (method === 'GET' && (path === '/' || path === '/index.html' || path.startsWith('/assets/'))) {
        const file = await readStaticFile(options.dashboardRoot, path);
        if (file === undefined) return problem(res, 404, 'not-found', 'Not Found', `no file at ${path}`);
        res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length, 'cache-control': 'no-cache' }).end(file.body);
        return;
      }
      return writeApiGatewayResult(res, await options.configApi(toApiGatewayEvent(request, '$default'), lambdaContext('config-api')));
    })().catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) problem(res, 500, 'internal', 'Internal Server Error', 'the local server failed to answer');
      else res.end();
    });
  });
  // Connections are short (the dashboard polls): do not let keep-alive hold stop() up.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
