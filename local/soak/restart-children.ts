/**
 * Kills the stack's DynamoDB Local or anvil (SIGKILL, by pid: no clean shutdown) and starts
 * it again on the same port, so every client's endpoint stays valid: DynamoDB Local on
 * its data directory (what it committed survives), anvil from its own dump taken just
 * before the kill (anvil_dumpState, loaded with --load-state, as the stack keeps a chain).
 * The processes started here are the soak's to stop.
 */
import { writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { hexToBytes, type Hex } from 'viem';
import { startAnvil, type AnvilInstance } from '../chain/anvil.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from '../dynamodb/dynamodb-local.ts';
import { rpc } from './rpc.ts';

const portOf = (url: string): number => Number(new URL(url).port);

/** Ends a process by pid (SIGKILL) and waits (bounded) until it is gone. */
export async function killAndWait(pid: number, timeoutMs = 10_000): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return; // gone already
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process ${pid} did not exit within ${timeoutMs} ms of SIGKILL`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function restartDynamoDb(current: { readonly endpoint: string; readonly pid: number; readonly dbPath: string }): Promise<DynamoDbLocal> {
  await killAndWait(current.pid);
  return startDynamoDbLocal({ port: portOf(current.endpoint), dbPath: current.dbPath, detached: true });
}

/** Dumps the chain, kills anvil, starts it on the same port from the dump; the chain's clock never goes back. */
export async function restartAnvil(current: { readonly rpcUrl: string; readonly pid: number; readonly stateFile: string; readonly chainId: number }): Promise<AnvilInstance> {
  const dump = await rpc<Hex>(current.rpcUrl, 'anvil_dumpState', []);
  const { timestamp } = await rpc<{ timestamp: Hex }>(current.rpcUrl, 'eth_getBlockByNumber', ['latest', false]);
  writeFileSync(current.stateFile, gunzipSync(hexToBytes(dump)));
  await killAndWait(current.pid);
  const anvil = await startAnvil({ chainId: current.chainId, port: portOf(current.rpcUrl), args: ['--load-state', current.stateFile], detached: true });
  // anvil stamps the first block after a load with the wall clock, which can be behind the
  // saved chain (the perp's follower runs it ahead): the next block follows the last.
  if (BigInt(timestamp) >= BigInt(Math.floor(Date.now() / 1000))) {
    await rpc(anvil.rpcUrl, 'evm_setNextBlockTimestamp', [Number(BigInt(timestamp) + 1n)]);
    await rpc(anvil.rpcUrl, 'evm_mine', []);
  }
  return anvil;
}
