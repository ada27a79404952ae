import { describe, expect, it } from 'vitest';
import { AWS_LIST_PRICES } from '../../../../shared/domain/cost/aws-list-prices.ts';
import { DAYS_PER_MONTH, DEFAULT_SCENARIO, LAMBDA_MB_PER_VCPU, monthlyCost, type CostScenario, type UsageProfile, type WorkUsage } from '../../../../shared/domain/cost/monthly-cost.ts';
import { UsageProfileSchema } from '../../../../shared/contracts/cost-profile.ts';

const nothing: WorkUsage = { functions: {}, readUnits: 0, writeUnits: 0, events: 0, fifoRequests: 0, standardQueueRequests: 0, kmsRequests: 0 };
const invocation = { invocations: 1, computeMs: 0, dynamoDbCalls: 0, rpcCalls: 0, kmsCalls: 0, publishCalls: 0, logBytes: 0 };
const profile: UsageProfile = {
  measuredOn: '2026-12-03',
  command: 'test',
  // A quiet evaluation: 10 ms of CPU, 2 DynamoDB calls and 1 RPC call, 4 RRU and 2 WRU, one event.
  quietEvaluation: { ...nothing, functions: { evaluate: { ...invocation, computeMs: 10, dynamoDbCalls: 2, rpcCalls: 1 } }, readUnits: 4, writeUnits: 2, events: 1 },
  // A hedge: one dispatch invocation with two signs, 50 WRU, 3 FIFO requests, two events.
  hedge: { ...nothing, functions: { dispatch: { ...invocation, kmsCalls: 2 } }, writeUnits: 50, events: 2, fifoRequests: 3, kmsRequests: 2 },
  fanOutPerAccount: nothing,
};
const scenario: CostScenario = {
  ...DEFAULT_SCENARIO,
  cadenceMinutes: 1,
  hedgesPerDay: 10,
  latencyMs: { dynamoDb: 5, rpc: 50, kms: 20, publish: 0 },
  coldStartShare: 0,
  platformLogBytesPerInvocation: 0,
  kmsKeysPerAccount: 1,
};
const lineOf = (cost: ReturnType<typeof monthlyCost>, item: string) => cost.perAccount.find((line) => line.item.startsWith(item));

describe('monthly cost of an account', () => {
  const cost = monthlyCost(profile, scenario, AWS_LIST_PRICES);
  const ticks = DAYS_PER_MONTH * 24 * 60;
  const hedges = DAYS_PER_MONTH * 10;

  it('counts a tick a minute and ten hedges a day over an average month', () => {
    expect(lineOf(cost, 'evaluate requests')?.quantity).toBeCloseTo(ticks, 6);
    expect(lineOf(cost, 'dispatch requests')?.quantity).toBeCloseTo(hedges, 6);
    expect(lineOf(cost, 'read request units')?.quantity).toBeCloseTo(4 * ticks, 6);
    expect(lineOf(cost, 'write request units')?.quantity).toBeCloseTo(2 * ticks + 50 * hedges, 6);
    expect(lineOf(cost, 'events published')?.quantity).toBeCloseTo(ticks + 2 * hedges, 6);
    expect(lineOf(cost, 'Sign and GetPublicKey')?.quantity).toBeCloseTo(2 * hedges, 6);
  });

  it("bills Lambda the CPU at the function's share of a vCPU plus the calls' latency, rounded up to the ms", () => {
    const perInvocationMs = 10 / (512 / LAMBDA_MB_PER_VCPU) + 2 * 5 + 1 * 50 + 0.5;
    const gbSeconds = ticks * (perInvocationMs / 1000) * 0.5;
    const duration = lineOf(cost, 'evaluate duration');
    expect(duration?.quantity).toBeCloseTo(gbSeconds, 6);
    expect(duration?.usd).toBeCloseTo(gbSeconds * 0.0000133334, 9);
    // Dispatch waits on its two signs.
    expect(lineOf(cost, 'dispatch duration')?.quantity).toBeCloseTo(hedges * ((2 * 20 + 0.5) / 1000) * 0.5, 9);
  });

  it('prices with the dated table and sums the lines; the KMS key dominates a quiet account', () => {
    expect(lineOf(cost, 'write request units')?.usd).toBeCloseTo(((2 * ticks + 50 * hedges) / 1e6) * 0.625, 9);
    expect(lineOf(cost, 'signing key')?.usd).toBe(1);
    expect(cost.perAccountUsd).toBeCloseTo(cost.perAccount.reduce((s, line) => s + line.usd, 0), 12);
    expect(cost.totalUsd).toBeCloseTo(cost.perAccountUsd + cost.fixedUsd, 12);
    expect(cost.dominant.item).toBe('signing key');
  });

  it('scales with the cadence and caps hedges at one a tick', () => {
    const hourly = monthlyCost(profile, { ...scenario, cadenceMinutes: 60, hedgesPerDay: 1000 }, AWS_LIST_PRICES);
    expect(lineOf(hourly, 'evaluate requests')?.quantity).toBeCloseTo(ticks / 60, 6);
    expect(lineOf(hourly, 'dispatch requests')?.quantity).toBeCloseTo(ticks / 60, 6);
  });

  it('refuses a scenario that means nothing', () => {
    expect(() => monthlyCost(profile, { ...scenario, cadenceMinutes: 0 }, AWS_LIST_PRICES)).toThrow(/cadenceMinutes/);
    expect(() => monthlyCost(profile, { ...scenario, accounts: 0.5 }, AWS_LIST_PRICES)).toThrow(/accounts/);
  });

  it('the profile committed for hedge cost is one the schema accepts', async () => {
    const { readFileSync } = await import('node:fs');
    const json: unknown = JSON.parse(readFileSync(new URL('../../../../cli/commands/cost/measured-profile.json', import.meta.url), 'utf8'));
    expect(UsageProfileSchema.safeParse(json).success).toBe(true);
    expect(UsageProfileSchema.safeParse({ ...(json as object), extra: 1 }).success).toBe(false);
  });
});
