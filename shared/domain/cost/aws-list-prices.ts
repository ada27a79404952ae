/**
 * AWS list prices the cost model uses: one dated table, us-east-1, on-demand, USD, free
 * tiers left out (they are per AWS account, not per hedging account). Change the date and
 * the figures together when AWS changes a price.
 *
 * Sources (AWS pricing pages, as read on the date below):
 *  - Lambda (arm64): $0.20 per million requests, $0.0000133334 per GB-second; the INIT
 *    phase of on-demand functions is billed like the handler since August 2025.
 *  - DynamoDB on-demand (after the November 2024 reduction): $0.625 per million write
 *    request units, $0.125 per million read request units, $0.25 per GB-month stored.
 *  - EventBridge: $1.00 per million custom events published (each 64 KB chunk counts).
 *  - SQS: FIFO $0.50, standard $0.40 per million requests (each 64 KB chunk counts).
 *  - KMS: $1 per key-month (asymmetric keys too), $0.15 per 10,000 asymmetric requests
 *    (Sign, GetPublicKey on ECC keys).
 *  - API Gateway HTTP API: $1.00 per million requests.
 *  - CloudWatch Logs: $0.50 per GB ingested, $0.03 per GB-month stored.
 */
export const AWS_LIST_PRICES = {
  asOf: '2026-12-03',
  region: 'us-east-1',
  currency: 'USD',
  lambda: { perMillionRequests: 0.2, perGbSecondArm64: 0.0000133334 },
  dynamodb: { perMillionWriteUnits: 0.625, perMillionReadUnits: 0.125, perGbMonth: 0.25 },
  eventBridge: { perMillionEvents: 1.0 },
  sqs: { perMillionFifoRequests: 0.5, perMillionStandardRequests: 0.4 },
  kms: { perKeyMonth: 1.0, perTenThousandAsymmetricRequests: 0.15 },
  apiGatewayHttp: { perMillionRequests: 1.0 },
  logs: { perGbIngested: 0.5, perGbMonthStored: 0.03 },
} as const;

export type AwsListPrices = typeof AWS_LIST_PRICES;
