/** One JSON-RPC call (the soak's own, straight to anvil): the result, or an error naming the method. */
export async function rpc<T = unknown>(url: string, method: string, params: readonly unknown[]): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const answer = (await response.json()) as { result?: T; error?: { message?: string } };
  if (answer.error !== undefined) throw new Error(`${method}: ${answer.error.message ?? 'error'}`);
  return answer.result as T;
}
