/**
 * Per-stage deployment settings, typed and read in one place: the CDK context key
 * `stage` (`-c stage=prod`, default `dev`) picks one entry of STAGES. Nothing else in
 * infra/ reads context or the environment for settings.
 *
 * Secrets are not here (they live in Secrets Manager, see infra/README.md); what is here
 * is public: contract addresses, thresholds, rates, retention.
 */
import type { ChainDirectoryConfig } from '../../shared/adapters/directory/static-chain-directory.ts';

/** CloudWatch Logs accepts only these retention periods (days). */
export type LogRetentionDays = 1 | 3 | 5 | 7 | 14 | 30 | 60 | 90 | 120 | 150 | 180 | 365 | 400 | 545 | 731 | 1096 | 1827 | 2192 | 2557 | 2922 | 3288 | 3653;

/** Powertools Logger levels (POWERTOOLS_LOG_LEVEL). */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** When the business alarms fire (infra/constructs/hedge-alarms.ts; each has a runbook in infra/README.md). */
export interface AlarmThresholds {
  /** Hedges failed (quote, simulation, submission, receipt; guard trips not counted) within 15 minutes. */
  readonly hedgeFailuresPer15Minutes: number;
  /** Minutes an account may stay outside its band (hedges in flight included) before the alarm. */
  readonly outsideBandMinutes: number;
  /** Consecutive 5-minute periods with a stale oracle answer refused by an evaluation. */
  readonly oracleStalePeriods: number;
  /** Minutes without a scheduled fan-out before the alarm (the schedule ticks every scheduleRateMinutes). */
  readonly scheduleSilentMinutes: number;
}

/** The Lambda functions the stateless stack deploys (one folder each under functions/). */
export const FUNCTION_NAMES = ['config-api', 'ingest-webhook', 'ingest-schedule', 'evaluate', 'enqueue-dispatch', 'dispatch', 'confirm-hedge', 'confirm-positions'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface StageConfig {
  readonly name: 'dev' | 'prod';
  /** Kept on stack deletion: the table, the bus archive, the secrets, the log groups. */
  readonly retainState: boolean;
  readonly logRetentionDays: LogRetentionDays;
  /** Days the bus archive keeps events (replay after a consumer bug). */
  readonly archiveRetentionDays: number;
  /** Minutes between scheduled fan-outs (ingest-schedule). */
  readonly scheduleRateMinutes: number;
  /** Every function's log level (Powertools Logger). */
  readonly logLevel: LogLevel;
  readonly alarms: AlarmThresholds;
  /** Subscribed to the alerts topic (alarms, Hedge Failed, Risk Limit Breached); none → subscribe by hand. */
  readonly alarmEmail?: string;
  /** HTTP API stage throttling (requests per second, burst): the configuration API's routes. */
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /** The webhook route's own throttle, so that a flood on the configuration API cannot take the webhooks' share. */
  readonly webhookThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Reserved concurrency per function (absent: unreserved). New accounts have a low
   * concurrency quota and a deploy fails if reservations leave less than 10 unreserved,
   * so nothing is reserved by default: raise the quota first, then set it here.
   */
  readonly reservedConcurrency: Readonly<Partial<Record<FunctionName, number>>>;
  /** confirm-positions: REQUIRED_CONFIRMATIONS. */
  readonly requiredConfirmations: number;
  /** dispatch: ALLOWED_CONTRACTS, { "<chainId>": ["0x…"] } (router, tokens); empty → nothing can be sent. */
  readonly allowedContracts: Readonly<Record<string, readonly string[]>>;
  /** confirm-positions: CHAIN_DIRECTORY (on-chain owners → accounts, tokens → underlyings). */
  readonly chainDirectory: ChainDirectoryConfig;
}

export const STAGES: Readonly<Record<StageConfig['name'], StageConfig>> = {
  dev: {
    name: 'dev',
    retainState: false,
    logRetentionDays: 14,
    archiveRetentionDays: 7,
    scheduleRateMinutes: 1,
    logLevel: 'DEBUG',
    alarms: { hedgeFailuresPer15Minutes: 3, outsideBandMinutes: 30, oracleStalePeriods: 2, scheduleSilentMinutes: 10 },
    apiThrottle: { rateLimit: 20, burstLimit: 40 },
    webhookThrottle: { rateLimit: 50, burstLimit: 100 },
    reservedConcurrency: {},
    requiredConfirmations: 1,
    allowedContracts: {},
    chainDirectory: { accounts: {}, underlyings: {} },
  },
  prod: {
    name: 'prod',
    retainState: true,
    logRetentionDays: 365,
    archiveRetentionDays: 90,
    scheduleRateMinutes: 1,
    logLevel: 'INFO',
    alarms: { hedgeFailuresPer15Minutes: 3, outsideBandMinutes: 15, oracleStalePeriods: 2, scheduleSilentMinutes: 10 },
    apiThrottle: { rateLimit: 100, burstLimit: 200 },
    webhookThrottle: { rateLimit: 200, burstLimit: 400 },
    reservedConcurrency: {},
    requiredConfirmations: 3,
    allowedContracts: {},
    chainDirectory: { accounts: {}, underlyings: {} },
  },
};

export function stageConfig(name: unknown): StageConfig {
  const key = name ?? 'dev';
  if (key === 'dev' || key === 'prod') return STAGES[key];
  throw new Error(`unknown stage ${JSON.stringify(key)}: expected one of ${Object.keys(STAGES).join(', ')}`);
}
