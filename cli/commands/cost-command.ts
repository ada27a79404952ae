/**
 * `hedge cost`: what running the hedging flow on AWS costs per account-month, at a
 * cadence and a number of hedges a day: the usage profile measured by `npm run bench`
 * (the one committed beside this command, or --profile FILE from a newer run) priced
 * with the dated list prices (shared/domain/cost). Mistakes are one line on stderr and
 * exit status 2.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageProfileSchema } from '../../shared/contracts/cost-profile.ts';
import { AWS_LIST_PRICES } from '../../shared/domain/cost/aws-list-prices.ts';
import { DEFAULT_SCENARIO, monthlyCost, type CostLine, type CostScenario, type MonthlyCost, type UsageProfile } from '../../shared/domain/cost/monthly-cost.ts';
import { processIo, type CommandIo } from './backtest/command-io.ts';
import { UsageError } from './backtest/usage-error.ts';
import { parseCostFlags, type CostFlags } from './cost/cost-flags.ts';

const MEASURED_PROFILE = new URL('./cost/measured-profile.json', import.meta.url);

export const COST_HELP = `hedge cost — what the hedging flow costs on AWS per account-month

Usage: hedge cost [--cadence 1m] [--hedges-per-day 10] [--accounts 1] [--json]

  --cadence D            how often the schedule evaluates every account (whole minutes; default 1m)
  --hedges-per-day N     hedges an account makes a day (default ${DEFAULT_SCENARIO.hedgesPerDay})
  --accounts N           accounts in the deployment: the total adds the fixed costs (default 1)
  --rpc-latency MS       one JSON-RPC call to the chain's node (default ${DEFAULT_SCENARIO.latencyMs.rpc})
  --dynamodb-latency MS  one DynamoDB call (default ${DEFAULT_SCENARIO.latencyMs.dynamoDb})
  --cold-starts SHARE    share of invocations that are cold starts, INIT billed (default ${DEFAULT_SCENARIO.coldStartShare})
  --log-retention M      months the logs are kept (default ${DEFAULT_SCENARIO.logRetentionMonths})
  --profile FILE         a usage profile written by npm run bench (test/output/bench/cost-profile.json)
  --json                 one JSON object: the scenario, the lines, the totals

Usage is measured on the real flow (npm run bench: DynamoDB's consumed capacity, calls,
events, KMS signs, CPU time); Lambda's duration is that CPU time, scaled to the function's
share of a vCPU, plus the calls times their latency. Prices: AWS list prices of
${AWS_LIST_PRICES.asOf}, ${AWS_LIST_PRICES.region}, without free tiers.
`;

function readProfile(flags: CostFlags, io: CommandIo): UsageProfile {
  const path = flags.profile === undefined ? MEASURED_PROFILE : resolve(io.cwd, flags.profile);
  let text: string;
  try {
    text = typeof path === 'string' ? io.readFile(path) : readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --profile ${flags.profile ?? '(the measured profile)'}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--profile ${flags.profile}: not JSON`);
  }
  const parsed = UsageProfileSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`--profile ${flags.profile ?? ''}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}

function scenarioOf(flags: CostFlags): CostScenario {
  return {
    ...DEFAULT_SCENARIO,
    cadenceMinutes: flags.cadence ?? DEFAULT_SCENARIO.cadenceMinutes,
    hedgesPerDay: flags['hedges-per-day'] ?? DEFAULT_SCENARIO.hedgesPerDay,
    accounts: flags.accounts ?? 1,
    latencyMs: { ...DEFAULT_SCENARIO.latencyMs, rpc: flags['rpc-latency'] ?? DEFAULT_SCENARIO.latencyMs.rpc, dynamoDb: flags['dynamodb-latency'] ?? DEFAULT_SCENARIO.latencyMs.dynamoDb },
    coldStartShare: flags['cold-starts'] ?? DEFAULT_SCENARIO.coldStartShare,
    logRetentionMonths: flags['log-retention'] ?? DEFAULT_SCENARIO.logRetentionMonths,
  };
}

const usd = (v: number): string => (v >= 0.01 || v === 0 ? `$${v.toFixed(2)}` : `$${v.toPrecision(2)}`);
const quantity = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));

function table(cost: MonthlyCost, scenario: CostScenario, profile: UsageProfile): string {
  const row = (line: CostLine): string => `  ${line.service.padEnd(16)} ${line.item.padEnd(56)} ${`${quantity(line.quantity)} ${line.unit}`.padStart(22)} ${usd(line.usd).padStart(9)}`;
  const sorted = [...cost.perAccount].sort((a, b) => b.usd - a.usd);
  return [
    `Per account-month, every ${scenario.cadenceMinutes} min, ${scenario.hedgesPerDay} hedges a day (usage measured ${profile.measuredOn}; list prices ${AWS_LIST_PRICES.asOf}, ${AWS_LIST_PRICES.region})`,
    ...sorted.map(row),
    `  ${'total per account-month'.padEnd(73)} ${''.padStart(22 - 16)}${usd(cost.perAccountUsd).padStart(9)}`,
    `  dominated by: ${cost.dominant.service} ${cost.dominant.item} (${((cost.dominant.usd / cost.perAccountUsd) * 100).toFixed(0)}%)`,
    '',
    'Fixed per deployment, per month',
    ...cost.fixed.map(row),
    '',
    `${scenario.accounts} account${scenario.accounts === 1 ? '' : 's'}: ${usd(cost.totalUsd)} a month`,
    '',
  ].join('\n');
}

/** Runs `hedge cost` with its arguments (after "cost"); returns the exit status. */
export function runCostCommand(args: readonly string[], io: CommandIo = processIo()): number {
  try {
    const flags = parseCostFlags(args);
    if (flags.help) {
      io.stdout.write(COST_HELP);
      return 0;
    }
    const profile = readProfile(flags, io);
    const scenario = scenarioOf(flags);
    const cost = monthlyCost(profile, scenario, AWS_LIST_PRICES);
    io.stdout.write(flags.json ? `${JSON.stringify({ prices: AWS_LIST_PRICES, profileMeasuredOn: profile.measuredOn, scenario, ...cost })}\n` : table(cost, scenario, profile));
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof RangeError) {
      io.stderr.write(`hedge cost: ${error.message} (see hedge cost --help)\n`);
      return 2;
    }
    throw error;
  }
}
