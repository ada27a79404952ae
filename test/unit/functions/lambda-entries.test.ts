/**
 * The Lambda entries build their adapters from a valid environment at import (no network
 * call is made until an invocation), and refuse an invalid one naming the variable only.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfirmPositionsEnv } from '../../../functions/confirm-positions/configuration.ts';
import { loadIngestWebhookEnv } from '../../../functions/ingest-webhook/configuration.ts';

const ADDRESS = `0x${'ab'.repeat(20)}`;
const SECRET = 'whsec-not-a-real-secret-0123456789';

const INGEST_ENV = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'hedge-test',
  CONFIRMATION_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/confirmations.fifo',
  WEBHOOK_SOURCES: JSON.stringify({ standard: { secrets: [SECRET], chainId: 1, contracts: [ADDRESS] } }),
};
const CONFIRM_ENV = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'hedge-test',
  EVENT_BUS_NAME: 'hedge-events',
  CHAINS: JSON.stringify([{ chainId: 1, rpcUrl: 'https://rpc.example.invalid/key-in-path', optionBook: ADDRESS }]),
  CHAIN_DIRECTORY: JSON.stringify({ accounts: { '1': { [ADDRESS]: 'acc-1' } }, underlyings: { '1': {} } }),
};

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('Lambda entries', () => {
  it('ingest-webhook: builds once from the environment and exports the handler', async () => {
    for (const [name, value] of Object.entries(INGEST_ENV)) vi.stubEnv(name, value);
    const entry = await import('../../../functions/ingest-webhook/entry.ts');
    expect(typeof entry.handler).toBe('function');
    expect(loadIngestWebhookEnv(INGEST_ENV).runtime.CONFIRMATION_QUEUE_URL).toMatch(/\.fifo$/);
  });

  it('confirm-positions: builds once from the environment and exports the handler', async () => {
    for (const [name, value] of Object.entries(CONFIRM_ENV)) vi.stubEnv(name, value);
    const entry = await import('../../../functions/confirm-positions/handler.ts');
    expect(typeof entry.handler).toBe('function');
    expect(loadConfirmPositionsEnv(CONFIRM_ENV).REQUIRED_CONFIRMATIONS).toBe(3);
  });

  it('an invalid environment is refused, naming the variable and never a value', () => {
    expect(() => loadIngestWebhookEnv({ ...INGEST_ENV, CONFIRMATION_QUEUE_URL: 'not a url' })).toThrow(/CONFIRMATION_QUEUE_URL/);
    const bad = () => loadConfirmPositionsEnv({ ...CONFIRM_ENV, CHAINS: JSON.stringify([{ chainId: 1, rpcUrl: 'nope-key-in-path', optionBook: ADDRESS }]) });
    expect(bad).toThrow(/CHAINS/);
    expect(bad).not.toThrow(/key-in-path/);
    expect(() => loadConfirmPositionsEnv({ ...CONFIRM_ENV, CHAIN_DIRECTORY: '{' })).toThrow(/CHAIN_DIRECTORY: must be JSON/);
    expect(() => loadIngestWebhookEnv({ ...INGEST_ENV, WEBHOOK_SOURCES: undefined })).toThrow(/WEBHOOK_SOURCES/);
  });
});
