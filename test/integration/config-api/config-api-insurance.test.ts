/**
 * Portfolio insurance, the crash breaker and runaway protection through the configuration
 * API, against DynamoDB Local: the account owner sets them in the one policy document; a
 * bad block is refused with the field paths (400), a crash plan's slippage above the
 * operator's ceiling is refused (403), and a refused request changes nothing in the table.
 */
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { ADMIN_KEY, createFixture, VALID_OPERATOR_CONFIG, type ConfigApiFixture } from './config-api-fixture.ts';

const INSURED = {
  underlying: 'ETH',
  hedgeInstrument: 'spot',
  cadence: { everyMs: 3_600_000 },
  insurance: { method: 'cppi', capitalUsd: 100_000, floor: { kind: 'share-of-high', share: 0.8 }, multiplier: 4, band: 0.05 },
  crashBreaker: { moveSigmas: 4, windowMs: 1_800_000, maxPoolOracleDeviationBps: 300, maxOracleJumpBps: 500, plan: { kind: 'slices', slices: 4, windowMs: 600_000, maxSlippageBps: 20 }, calmMs: 1_200_000 },
  runaway: { maxPositionMismatchUnits: 0.5, maxIneffectiveHedges: 3 },
};

describe('config API: insurance, crash breaker and runaway protection', () => {
  const ddb = useDynamoDbLocal();
  let cached: ConfigApiFixture | undefined;
  const api = (): ConfigApiFixture => (cached ??= createFixture(ddb().doc, ddb().tableName));

  async function setUp(): Promise<{ accountId: string; apiKey: string; path: string }> {
    const { call, newAccount } = api();
    const { accountId, apiKey } = await newAccount();
    const operator = await call('PUT', `/accounts/${accountId}/operator-config`, { token: ADMIN_KEY, body: VALID_OPERATOR_CONFIG, headers: { 'if-match': '"0"' } });
    expect(operator.status).toBe(200);
    return { accountId, apiKey, path: `/accounts/${accountId}/config` };
  }

  it('stores an insured policy with a breaker and runaway protection, defaults filled', async () => {
    const { call } = api();
    const { apiKey, path } = await setUp();
    const put = await call('PUT', path, { token: apiKey, body: INSURED, headers: { 'if-match': '"1"' } });
    expect(put.status).toBe(200);
    expect(put.json.config).toMatchObject({
      insurance: { ...INSURED.insurance, maxExposureShare: 1 },
      crashBreaker: INSURED.crashBreaker,
      runaway: { maxPositionMismatchUnits: 0.5, maxIneffectiveHedges: 3, minEffectFraction: 0.5 },
    });
  });

  it('refuses bad insurance and breaker blocks with the field paths, and changes nothing', async () => {
    const { call, snapshot } = api();
    const { apiKey, path } = await setUp();
    const before = await snapshot();
    const cases: [unknown, string[]][] = [
      [{ ...INSURED, insurance: { ...INSURED.insurance, multiplier: 0 } }, ['body.insurance.multiplier']],
      [{ ...INSURED, insurance: { ...INSURED.insurance, floor: { kind: 'share-of-high', share: 1.2 } } }, ['body.insurance.floor.share']],
      [{ ...INSURED, insurance: { ...INSURED.insurance, method: 'stop-loss' } }, ['body.insurance.method']],
      [{ ...INSURED, band: { unit: 'units', trigger: 1 } }, ['body.band']],
      [{ ...INSURED, insurance: { ...INSURED.insurance, floor: { kind: 'value', usd: 150_000 } } }, ['body.insurance.floor.usd']],
      [{ ...INSURED, crashBreaker: { ...INSURED.crashBreaker, moveSigmas: -1 } }, ['body.crashBreaker.moveSigmas']],
      [{ ...INSURED, crashBreaker: { ...INSURED.crashBreaker, plan: { kind: 'panic' } } }, ['body.crashBreaker.plan.kind']],
      [{ ...INSURED, crashBreaker: { ...INSURED.crashBreaker, plan: { kind: 'slices', slices: 1, windowMs: 1000, maxSlippageBps: 5 } } }, ['body.crashBreaker.plan.slices']],
      [{ ...INSURED, runaway: { maxIneffectiveHedges: 1 } }, ['body.runaway.maxIneffectiveHedges']],
    ];
    for (const [body, paths] of cases) {
      const refused = await call('PUT', path, { token: apiKey, body, headers: { 'if-match': '"1"' } });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect((refused.json.errors as { path: string }[]).map((e) => e.path)).toEqual(paths);
    }
    // A plan's slippage above the operator's ceiling (50 bps) is the operator's to allow: 403.
    const wider = await call('PUT', path, { token: apiKey, body: { ...INSURED, crashBreaker: { ...INSURED.crashBreaker, plan: { kind: 'slices', slices: 4, windowMs: 600_000, maxSlippageBps: 80 } } }, headers: { 'if-match': '"1"' } });
    expect(wider.status).toBe(403);
    expect(wider.json.errors).toEqual([{ path: 'body.crashBreaker.plan.maxSlippageBps', message: "80 is above the operator's ceiling of 50" }]);
    expect(await snapshot()).toBe(before);
  });
});
