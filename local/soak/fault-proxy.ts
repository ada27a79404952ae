/**
 * The soak's faulty JSON-RPC proxy (127.0.0.1, a port the OS picks) between the stack's
 * functions and anvil. While armed it drops a share of requests — the connection reset
 * before the node saw it, or after the node acted on it (the answer lost) — and delays a
 * share; and it hands every eth_sendRawTransaction to `onSend`, before it is forwarded and
 * after the node answered, so that the soak can kill the worker between those steps or
 * reorg the chain under the transaction. It counts what it did, not what it was asked to.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Hex } from 'viem';
import type { SeededRandom } from './seeded-random.ts';

export interface FaultProxyOptions {
  /** The node (anvil's URL: known once the stack started it). */
  readonly target: () => string;
  readonly random: SeededRandom;
  /** Shares of requests (while armed): dropped before forwarding, dropped after (the answer lost), delayed. */
  readonly dropBefore: number;
  readonly dropAfter: number;
  readonly delay: number;
  readonly delayMs: readonly [number, number];
  /** Every request while armed, before it is forwarded (the soak may kill the worker here). */
  readonly onRequest?: (methods: readonly string[]) => void;
  /** A signed transaction on its way to the node ('before') and answered by it ('after'); 'drop' loses the answer. */
  readonly onSend?: (raw: Hex, phase: 'before' | 'after') => Promise<'drop' | undefined>;
}

export interface FaultProxy {
  readonly url: string;
  /** Faults happen only while armed (the ticks), never during start-up or the final checks. */
  arm(on: boolean): void;
  readonly counts: { dropBefore: number; dropAfter: number; delayed: number; forwarded: number };
  stop(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const counts = { dropBefore: 0, dropAfter: 0, delayed: 0, forwarded: 0 };
  const sockets = new Set<Socket>();
  const forwards = new Set<AbortController>();
  let armed = false;
  let stopped = false;

  async function forward(body: string): Promise<{ status: number; body: string } | undefined> {
    const controller = new AbortController();
    forwards.add(controller);
    try {
      counts.forwarded++;
      const response = await fetch(options.target(), { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: controller.signal });
      return { status: response.status, body: await response.text() };
    } catch {
      return undefined; // the node is down (a restart) or the proxy stopped: the client sees a reset
    } finally {
      forwards.delete(controller);
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const raw = rawTransactionOf(body);
    const r = options.random;
    if (armed) options.onRequest?.(methodsOf(body));
    if (armed && r.chance(options.dropBefore)) {
      counts.dropBefore++;
      reset(request.socket);
      return;
    }
    if (armed && r.chance(options.delay)) {
      counts.delayed++;
      await new Promise((resolve) => setTimeout(resolve, r.int(options.delayMs[0], options.delayMs[1])));
    }
    if (raw !== undefined && armed && (await options.onSend?.(raw, 'before')) === 'drop') {
      reset(request.socket);
      return;
    }
    const answer = await forward(body);
    if (answer === undefined || stopped) {
      reset(request.socket);
      return;
    }
    let dropAnswer = armed && r.chance(options.dropAfter);
    if (raw !== undefined && armed && (await options.onSend?.(raw, 'after')) === 'drop') dropAnswer = true;
    if (dropAnswer) {
      counts.dropAfter++;
      reset(request.socket);
      return;
    }
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => reset(request.socket));
  });
  server.keepAliveTimeout = 1_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    arm(on) {
      armed = on;
    },
    async stop() {
      stopped = true;
      for (const controller of forwards) controller.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The signed transaction of an eth_sendRawTransaction request (not a batch), if it is one. */
function rawTransactionOf(body: string): Hex | undefined {
  try {
    const request = JSON.parse(body) as { method?: unknown; params?: unknown };
    if (request.method !== 'eth_sendRawTransaction' || !Array.isArray(request.params)) return undefined;
    const [raw] = request.params as unknown[];
    return typeof raw === 'string' && raw.startsWith('0x') ? (raw as Hex) : undefined;
  } catch {
    return undefined;
  }
}

/** The JSON-RPC methods of a request or batch. */
function methodsOf(body: string): string[] {
  try {
    const parsed: unknown = JSON.parse(body);
    return (Array.isArray(parsed) ? parsed : [parsed]).map((request) => String((request as { method?: unknown } | null)?.method ?? '?'));
  } catch {
    return ['?'];
  }
}

function reset(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}
