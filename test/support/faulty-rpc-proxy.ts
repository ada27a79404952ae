// A JSON-RPC proxy for fault-injection tests: it sits between a client and a node (anvil)
// and, on request, fails the next N matching HTTP requests the ways a real RPC endpoint
// does — a 502 from a load balancer, a reset connection, a request that never answers, an
// answer lost after the node acted on the request, a slow answer — or answers a JSON-RPC
// error in the words of another node (geth, a provider without a method). Everything else is
// forwarded unchanged. Bound to 127.0.0.1 on a port the OS picks.
//
//   const proxy = await startFaultyRpcProxy({ target: chain.rpcUrl });
//   proxy.inject({ kind: 'forward-then-drop', method: 'eth_sendRawTransaction' });
//   ... point the client at proxy.url ...
//   await proxy.stop();   // closes the server and every socket; forwards in flight are aborted
//
// A fault applies to a whole HTTP request: a JSON-RPC batch matches a method filter when
// any of its requests has that method.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RpcFault =
  /** Answers 502 Bad Gateway (plain text) without forwarding. */
  | RpcFaultBase<'http-502'>
  /** Resets the client's connection without forwarding or answering. */
  | RpcFaultBase<'reset'>
  /** Never answers (and does not forward): the client times out. Ends when the client gives up or the proxy stops. */
  | RpcFaultBase<'hang'>
  /** Forwards to the node and waits for its answer, then destroys the client's socket: the request took effect, the answer is lost. */
  | RpcFaultBase<'forward-then-drop'>
  /** Forwards after `ms` milliseconds. */
  | (RpcFaultBase<'delay'> & { readonly ms: number })
  /** Answers this JSON-RPC error (HTTP 200, to every request of a batch) without forwarding: another node's wording, or a method it lacks. */
  | (RpcFaultBase<'rpc-error'> & { readonly error: { readonly code: number; readonly message: string; readonly data?: unknown } });

interface RpcFaultBase<Kind extends string> {
  readonly kind: Kind;
  /** Only requests with this JSON-RPC method (default: any). */
  readonly method?: string;
  /** How many matching requests it applies to (default 1). */
  readonly times?: number;
}

export interface ProxiedRequest {
  /** The JSON-RPC methods of the HTTP request (several for a batch). */
  readonly methods: readonly string[];
  /** The fault applied, if any. */
  readonly fault: RpcFault['kind'] | undefined;
}

export interface FaultyRpcProxy {
  readonly url: string;
  /** Every JSON-RPC method forwarded to the node, in order (a batch adds each of its methods). */
  readonly calls: readonly string[];
  /** Every HTTP request the proxy received, forwarded or not, with the fault applied to it. */
  readonly received: readonly ProxiedRequest[];
  inject(fault: RpcFault): void;
  /** Drops the faults not used up yet. */
  clear(): void;
  stop(): Promise<void>;
}

interface ActiveFault {
  readonly fault: RpcFault;
  remaining: number;
}

export async function startFaultyRpcProxy(options: { readonly target: string }): Promise<FaultyRpcProxy> {
  const { target } = options;
  const faults: ActiveFault[] = [];
  const calls: string[] = [];
  const received: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const forwards = new Set<AbortController>();
  let stopped = false;

  function takeFault(methods: readonly string[]): RpcFault | undefined {
    const index = faults.findIndex((active) => active.remaining > 0 && (active.fault.method === undefined || methods.includes(active.fault.method)));
    const active = faults[index];
    if (active === undefined) return undefined;
    active.remaining -= 1;
    if (active.remaining === 0) faults.splice(index, 1);
    return active.fault;
  }

  /** Sends the body to the node; resolves with its answer, or undefined when the proxy stopped meanwhile. */
  async function forward(body: string, methods: readonly string[]): Promise<{ status: number; contentType: string; body: string } | undefined> {
    const controller = new AbortController();
    forwards.add(controller);
    try {
      calls.push(...methods);
      const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: controller.signal });
      return { status: response.status, contentType: response.headers.get('content-type') ?? 'application/json', body: await response.text() };
    } catch (error) {
      if (controller.signal.aborted) return undefined;
      throw error;
    } finally {
      forwards.delete(controller);
    }
  }

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST') {
      response.writeHead(405, { 'content-type': 'text/plain' }).end('JSON-RPC over POST only');
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const methods = methodsOf(body);
    const fault = takeFault(methods);
    received.push({ methods, fault: fault?.kind });

    switch (fault?.kind) {
      case 'http-502':
        response.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
        return;
      case 'reset':
        resetSocket(request.socket);
        return;
      case 'hang':
        // Nothing to do: the socket stays open until the client aborts or stop() destroys it.
        return;
      case 'forward-then-drop': {
        await forward(body, methods);
        resetSocket(request.socket);
        return;
      }
      case 'rpc-error': {
        const answers = idsOf(body).map((id) => ({ jsonrpc: '2.0', id, error: fault.error }));
        const isBatch = body.trimStart().startsWith('[');
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(isBatch ? answers : answers[0]));
        return;
      }
      case 'delay':
        await wait(fault.ms);
        if (stopped) return;
        break;
      case undefined:
        break;
    }
    const answer = await forward(body, methods);
    if (answer === undefined || stopped) return;
    response.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent || response.destroyed) return;
      response.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    received,
    inject(fault) {
      faults.push({ fault, remaining: fault.times ?? 1 });
    },
    clear() {
      faults.length = 0;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      faults.length = 0;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of forwards) controller.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The methods of a JSON-RPC request or batch; '?' for what does not parse. */
function methodsOf(body: string): string[] {
  try {
    const parsed: unknown = JSON.parse(body);
    const requests = Array.isArray(parsed) ? parsed : [parsed];
    return requests.map((request) => {
      const method = (request as { method?: unknown } | null)?.method;
      return typeof method === 'string' ? method : '?';
    });
  } catch {
    return ['?'];
  }
}

/** The ids of a JSON-RPC request or batch (null where missing or unparsable). */
function idsOf(body: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(body);
    return (Array.isArray(parsed) ? parsed : [parsed]).map((request) => (request as { id?: unknown } | null)?.id ?? null);
  } catch {
    return [null];
  }
}

/** Closes the connection with a TCP RST where Node can (what a crashed balancer does), else a plain destroy. */
function resetSocket(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}
