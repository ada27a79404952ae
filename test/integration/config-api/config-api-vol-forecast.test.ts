/**
 * The vol forecast and the scalping mode through the configuration API, against DynamoDB
 * Local: the one policy schema validates them (defaults filled; a bad block refused with
 * the field paths, 400), and a refused request changes nothing in the table.
 */
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { ADMIN_KEY, createFixture, VALID_OPERATOR_CONFIG, type ConfigApiFixture } from './config-api-fixture.ts';

const FORECAST = {
  underlying: 'ETH',
  hedgeInstrument: 'spot',
  band: { unit: 'units', trigger: 2 },
  volScaling: { source: 'forecast', mode: 'scalping', horizonMs: 3_600_000, forecast: { model: 'garch', window: 720, refitEveryMs: 86_400_000 } },
};

describe('config API: volScaling.source "forecast" and mode "scalping"', () => {
  const ddb = useDynamoDbLocal();
  let cached: ConfigApiFixture | undefined;
  const api = (): ConfigApiFixture => (cached ??= createFixture(ddb().doc, ddb().tableName));

  async function setUp(): Promise<{ apiKey: string; path: string }> {
    const { call, newAccount } = api();
    const { accountId, apiKey } = await newAccount();
    const operator = await call('PUT', `/accounts/${accountId}/operator-config`, { token: ADMIN_KEY, body: VALID_OPERATOR_CONFIG, headers: { 'if-match': '"0"' } });
    expect(operator.status).toBe(200);
    return { apiKey, path: `/accounts/${accountId}/config` };
  }

  it('stores a forecast-driven scalping policy, defaults filled', async () => {
    const { call } = api();
    const { apiKey, path } = await setUp();
    const put = await call('PUT', path, { token: apiKey, body: { ...FORECAST, volScaling: { ...FORECAST.volScaling, forecast: { model: 'ewma' } } }, headers: { 'if-match': '"1"' } });
    expect(put.status).toBe(200);
    expect(put.json.config).toMatchObject({ volScaling: { source: 'forecast', mode: 'scalping', forecast: { model: 'ewma', window: 720, refitEveryMs: 86_400_000 } } });
  });

  it('refuses bad forecast and scalping settings with the field paths, and changes nothing', async () => {
    const { call, snapshot } = api();
    const { apiKey, path } = await setUp();
    const before = await snapshot();
    const scaling = FORECAST.volScaling;
    const cases: [unknown, string[]][] = [
      [{ ...FORECAST, volScaling: { ...scaling, forecast: undefined } }, ['body.volScaling.forecast']],
      [{ ...FORECAST, volScaling: { ...scaling, forecast: { model: 'heston' } } }, ['body.volScaling.forecast.model']],
      [{ ...FORECAST, volScaling: { ...scaling, forecast: { window: 5000 } } }, ['body.volScaling.forecast.window']],
      [{ ...FORECAST, volScaling: { ...scaling, forecast: { refitEveryMs: 1000 } } }, ['body.volScaling.forecast.refitEveryMs']],
      [{ ...FORECAST, volScaling: { ...scaling, source: 'implied', forecast: undefined } }, ['body.volScaling.mode']],
      [{ ...FORECAST, volScaling: { ...scaling, scalping: { exponent: 0 } } }, ['body.volScaling.scalping.exponent']],
    ];
    for (const [body, paths] of cases) {
      const refused = await call('PUT', path, { token: apiKey, body, headers: { 'if-match': '"1"' } });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect((refused.json.errors as { path: string }[]).map((e) => e.path)).toEqual(paths);
    }
    expect(await snapshot()).toBe(before);
  });
});
