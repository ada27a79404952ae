// The ingest-webhook configuration: validated once, secrets never echoed in errors.
import { describe, expect, it } from 'vitest';
import { InvalidConfigurationError, readIngestWebhookConfig, webhookSourcesFrom } from '../../../functions/ingest-webhook/configuration.ts';

const OPTION_BOOK = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

describe('readIngestWebhookConfig', () => {
  it('reads the sources and builds one webhook source per configured provider', () => {
    const config = readIngestWebhookConfig({
      WEBHOOK_SOURCES: JSON.stringify({ alchemy: { secrets: ['alchemy-signing-key-1234', 'alchemy-signing-key-5678'], chainId: 1, contracts: [OPTION_BOOK] } }),
    });
    expect(config.maxBodyBytes).toBe(256 * 1024);
    const sources = webhookSourcesFrom(config);
    expect(Object.keys(sources)).toEqual(['alchemy']);
    expect(sources.alchemy).toMatchObject({ chainId: 1, contracts: [OPTION_BOOK], secrets: ['alchemy-signing-key-1234', 'alchemy-signing-key-5678'] });
  });

  it('rejects bad configuration naming the field, never the secret', () => {
    const secret = 'short-secret';
    const error = (() => {
      try {
        readIngestWebhookConfig({ WEBHOOK_SOURCES: JSON.stringify({ quicknode: { secrets: [secret], chainId: 1, contracts: [OPTION_BOOK] } }) });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect((error as Error).message).toContain('sources.quicknode.secrets.0');
    expect((error as Error).message).not.toContain(secret);
    expect(() => readIngestWebhookConfig({})).toThrow(InvalidConfigurationError);
    expect(() => readIngestWebhookConfig({ WEBHOOK_SOURCES: '{"github":{}}' })).toThrow(InvalidConfigurationError);
  });
});
