/**
 * The Powertools adapter on its own: the redactor (configured secret values and their
 * parts, then safe-error-text's patterns), errors written as redacted text, metric lines
 * in EMF with the catalogue's unit and dimension sets (values bounded), and the keys
 * of a unit of work. The handler runs are in test/integration/functions/observability.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createObservability, createRedactor, RedactedError } from '../../../shared/runtime/observability.ts';

function capture(): { lines: () => Record<string, unknown>[]; text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const take = ((chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(take), vi.spyOn(process.stderr, 'write').mockImplementation(take)];
  return {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

let out: ReturnType<typeof capture> | undefined;
afterEach(() => out?.restore());

describe('createRedactor', () => {
  const redact = createRedactor(['https://user:p4ssw0rd-long@rpc.example/v2/KeyInThePath123?apikey=QueryKey456789', 'whsec_not-a-pattern-secret-0001', 'short', undefined]);

  it('replaces a configured value, and an RPC URL’s path segment, query value and password on their own', () => {
    expect(redact('secret whsec_not-a-pattern-secret-0001 here')).toBe('secret [redacted] here');
    expect(redact('the key KeyInThePath123 alone')).toBe('the key [redacted] alone');
    expect(redact('QueryKey456789 and p4ssw0rd-long')).toBe('[redacted] and [redacted]');
    expect(redact('GET https://rpc.example/v2/KeyInThePath123?apikey=QueryKey456789 failed')).not.toMatch(/KeyInThePath|QueryKey/);
  });

  it('leaves short values alone (they would match everything) and still applies the patterns', () => {
    expect(redact('a short word')).toBe('a short word');
    expect(redact('Bearer abc.def.ghi and https://other.example/secret/path')).toBe('Bearer … and https://other.example/…');
  });
});

describe('RedactedError', () => {
  it('keeps the name and code, and only the redacted message', () => {
    const original = Object.assign(new TypeError('fetch https://rpc.example/v2/SeCrEt123 failed'), { code: 'ECONNREFUSED' });
    const redacted = new RedactedError(original);
    expect(redacted.name).toBe('TypeError');
    expect((redacted as unknown as { code: string }).code).toBe('ECONNREFUSED');
    expect(redacted.message).toBe('fetch https://rpc.example/… failed');
    expect(String(redacted.stack)).not.toContain('SeCrEt123');
  });
});

describe('powertools telemetry', () => {
  it('writes JSON lines with the persistent and unit-of-work keys, errors as redacted text', () => {
    const observability = createObservability({ functionName: 'dispatch', stage: 'unit', logLevel: 'DEBUG', secrets: ['https://rpc.example/v2/SeCrEtKey12345'] });
    const { telemetry } = observability;
    out = capture();
    telemetry.appendKeys({ accountId: 'acc-1', correlationId: 'c-1', hedgeId: undefined });
    telemetry.info('hello', { url: 'https://rpc.example/v2/SeCrEtKey12345' });
    telemetry.removeKeys(['accountId']);
    telemetry.error('boom', { error: new Error('call to https://rpc.example/v2/SeCrEtKey12345 failed') });
    out.restore();
    const [hello, boom] = out.lines();
    expect(hello).toMatchObject({ level: 'INFO', message: 'hello', service: 'hedge', function: 'dispatch', stage: 'unit', accountId: 'acc-1', correlationId: 'c-1' });
    expect(hello).not.toHaveProperty('hedgeId');
    expect(boom).toMatchObject({ level: 'ERROR', message: 'boom', correlationId: 'c-1', errorName: 'Error', error: 'Error: call to https://rpc.example/… failed' });
    expect(boom).not.toHaveProperty('accountId');
    expect(Array.isArray(boom!.stack)).toBe(true);
    expect(out.text()).not.toContain('SeCrEtKey12345');
  });

  it('publishes a catalogued metric in EMF: the stage total and the breakdown, keys as properties, odd values bounded, non-finite values dropped', () => {
    const { telemetry } = createObservability({ functionName: 'dispatch', stage: 'unit' });
    out = capture();
    telemetry.appendKeys({ accountId: 'acc-1' });
    telemetry.metric('GuardTrips', 1, { Code: 'SLIPPAGE TOO "HIGH"' });
    telemetry.metric('PriceMoveToSubmit', 1234, {});
    telemetry.metric('OracleAge', Number.NaN, {});
    out.restore();
    const lines = out.lines().filter((l) => '_aws' in l);
    expect(lines).toHaveLength(2);
    const [trip, latency] = lines as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } }[];
    expect(trip!._aws.CloudWatchMetrics[0]).toEqual({ Namespace: 'Hedge', Dimensions: [['service', 'Stage'], ['service', 'Stage', 'Code']], Metrics: [{ Name: 'GuardTrips', Unit: 'Count' }] });
    expect(trip).toMatchObject({ service: 'hedge', Stage: 'unit', Code: 'SLIPPAGE_TOO__HIGH_', GuardTrips: 1, accountId: 'acc-1', function: 'dispatch' });
    expect(latency!._aws.CloudWatchMetrics[0]).toMatchObject({ Dimensions: [['service', 'Stage']], Metrics: [{ Name: 'PriceMoveToSubmit', Unit: 'Milliseconds' }] });
  });
});
