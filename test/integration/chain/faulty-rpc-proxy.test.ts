// The fault-injection proxy itself, in front of a plain anvil: every fault does what the
// gateway tests rely on, only to the requests it matches and only N times, batches pass
// through, and stop() ends everything, a hanging request included.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil } from '../../support/anvil.ts';
import type { AnvilInstance } from '../../support/anvil.ts';
import { startFaultyRpcProxy } from '../../support/faulty-rpc-proxy.ts';
import type { FaultyRpcProxy } from '../../support/faulty-rpc-proxy.ts';

let anvil: AnvilInstance;
let proxy: FaultyRpcProxy;

beforeAll(async () => {
  anvil = await startAnvil();
  proxy = await startFaultyRpcProxy({ target: anvil.rpcUrl });
}, 30_000);
afterEach(() => {
  proxy.clear();
});
afterAll(async () => {
  await proxy?.stop();
  await anvil?.stop();
});

interface RpcReply {
  readonly status: number;
  readonly body: unknown;
}

async function post(url: string, body: unknown, timeoutMs = 5_000): Promise<RpcReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a plain-text answer (the 502) stays text
  }
  return { status: response.status, body: parsed };
}

const request = (method: string, id = 1): { jsonrpc: '2.0'; id: number; method: string; params: unknown[] } => ({ jsonrpc: '2.0', id, method, params: [] });

async function blockNumberOf(url: string): Promise<number> {
  return Number(((await post(url, request('eth_blockNumber'))).body as { result: string }).result);
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail');
}

/** The codes under a fetch failure's causes (undici puts the socket error in `cause`). */
function describeFailure(error: Error): string {
  const parts: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) parts.push(`${current.name}: ${current.message} ${String((current as { code?: unknown }).code ?? '')}`);
  return parts.join(' | ');
}

describe('faulty RPC proxy', () => {
  it('forwards requests unchanged and logs their methods', async () => {
    const before = proxy.calls.length;
    const reply = await post(proxy.url, request('eth_chainId'));
    expect(reply).toEqual({ status: 200, body: { jsonrpc: '2.0', id: 1, result: '0x7a69' } });
    expect(proxy.calls.slice(before)).toEqual(['eth_chainId']);
  });

  it('forwards a JSON-RPC batch and logs each method', async () => {
    const before = proxy.calls.length;
    const reply = await post(proxy.url, [request('eth_chainId', 1), request('eth_blockNumber', 2)]);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x7a69' },
      { jsonrpc: '2.0', id: 2, result: expect.stringMatching(/^0x[0-9a-f]+$/) },
    ]);
    expect(proxy.calls.slice(before)).toEqual(['eth_chainId', 'eth_blockNumber']);
  });

  it('http-502: answers 502 N times without forwarding, only for the filtered method', async () => {
    proxy.inject({ kind: 'http-502', method: 'eth_blockNumber', times: 2 });
    const before = proxy.calls.length;
    expect((await post(proxy.url, request('eth_chainId'))).status).toBe(200); // another method passes
    expect(await post(proxy.url, request('eth_blockNumber'))).toEqual({ status: 502, body: 'Bad Gateway' });
    expect((await post(proxy.url, request('eth_blockNumber'))).status).toBe(502);
    expect((await post(proxy.url, request('eth_blockNumber'))).status).toBe(200); // used up
    expect(proxy.calls.slice(before)).toEqual(['eth_chainId', 'eth_blockNumber']);
    expect(proxy.received.slice(-4).map((r) => r.fault)).toEqual([undefined, 'http-502', 'http-502', undefined]);
  });

  it('a batch matches a method filter when any of its requests has the method', async () => {
    proxy.inject({ kind: 'http-502', method: 'eth_blockNumber' });
    const reply = await post(proxy.url, [request('eth_chainId', 1), request('eth_blockNumber', 2)]);
    expect(reply.status).toBe(502);
  });

  it('reset: the connection is reset and nothing is forwarded', async () => {
    proxy.inject({ kind: 'reset' });
    const before = proxy.calls.length;
    const error = await failureOf(post(proxy.url, request('eth_chainId')));
    expect(describeFailure(error)).toMatch(/ECONNRESET|other side closed|socket/i);
    expect(proxy.calls.length).toBe(before);
    expect((await post(proxy.url, request('eth_chainId'))).status).toBe(200);
  });

  it('hang: never answers, the client times out, nothing is forwarded', async () => {
    proxy.inject({ kind: 'hang' });
    const before = proxy.calls.length;
    const started = performance.now();
    const error = await failureOf(post(proxy.url, request('eth_chainId'), 300));
    expect(error.name).toBe('TimeoutError');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(proxy.calls.length).toBe(before);
    expect((await post(proxy.url, request('eth_chainId'))).status).toBe(200); // the proxy still serves
  });

  it('forward-then-drop: the node acts on the request, the client gets no answer', async () => {
    const blockBefore = await blockNumberOf(anvil.rpcUrl);
    proxy.inject({ kind: 'forward-then-drop', method: 'evm_mine' });
    const before = proxy.calls.length;
    await failureOf(post(proxy.url, request('evm_mine')));
    expect(proxy.calls.slice(before)).toEqual(['evm_mine']);
    expect(await blockNumberOf(anvil.rpcUrl)).toBe(blockBefore + 1); // it took effect
  });

  it('delay: forwards after the given time', async () => {
    proxy.inject({ kind: 'delay', ms: 200 });
    const started = performance.now();
    const reply = await post(proxy.url, request('eth_chainId'));
    expect(reply.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('rpc-error: answers the given JSON-RPC error without forwarding, per request of a batch', async () => {
    const error = { code: -32601, message: 'the method eth_maxPriorityFeePerGas does not exist/is not available' };
    proxy.inject({ kind: 'rpc-error', method: 'eth_maxPriorityFeePerGas', error, times: 2 });
    const before = proxy.calls.length;
    expect(await post(proxy.url, request('eth_maxPriorityFeePerGas', 7))).toEqual({ status: 200, body: { jsonrpc: '2.0', id: 7, error } });
    expect((await post(proxy.url, [request('eth_chainId', 1), request('eth_maxPriorityFeePerGas', 2)])).body).toEqual([
      { jsonrpc: '2.0', id: 1, error },
      { jsonrpc: '2.0', id: 2, error },
    ]);
    expect(proxy.calls.length).toBe(before);
  });

  it('clear() drops faults not used up', async () => {
    proxy.inject({ kind: 'http-502', times: 5 });
    proxy.clear();
    expect((await post(proxy.url, request('eth_chainId'))).status).toBe(200);
  });

  it('stop() closes cleanly with a hanging request and a delayed one in flight, and forwards nothing after', async () => {
    const own = await startFaultyRpcProxy({ target: anvil.rpcUrl });
    own.inject({ kind: 'hang', method: 'eth_chainId' });
    own.inject({ kind: 'delay', ms: 300, method: 'eth_blockNumber' });
    const hanging = failureOf(post(own.url, request('eth_chainId'), 10_000));
    const delayed = failureOf(post(own.url, request('eth_blockNumber'), 10_000));
    await new Promise((resolve) => setTimeout(resolve, 100)); // both requests reached the proxy
    expect(own.received.map((r) => r.fault)).toEqual(['hang', 'delay']);

    const started = performance.now();
    await own.stop();
    expect(performance.now() - started).toBeLessThan(1_000);
    // Both clients see their connection closed rather than waiting for their own timeout.
    expect((await hanging).name).not.toBe('TimeoutError');
    expect((await delayed).name).not.toBe('TimeoutError');
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the delay
    expect(own.calls).toEqual([]); // the delayed request was never forwarded
    await failureOf(post(own.url, request('eth_chainId'), 1_000)); // nothing listens any more
    await own.stop(); // idempotent
  });
});
