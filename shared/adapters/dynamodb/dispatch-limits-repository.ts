/**
 * The DispatchLimits port over DynamoDB: three small items, each changed by one
 * conditional UpdateItem.
 *
 * - ACCOUNT#<id> / NOTIONAL#<yyyy-mm-dd>: { reservedUsd, hedges (string set), expiresAt }.
 *   reserve = ADD reservedUsd :n, hedges :id IF reservedUsd + n ≤ cap (written as
 *   reservedUsd ≤ cap − n) AND the hedge is not in the set: concurrent dispatchers can
 *   never overshoot the day's cap, and a redelivered hedge does not count twice. Each
 *   hedge's amount is kept beside (`amount:<hedgeId>`): a release subtracts exactly it.
 * - ACCOUNT#<id> / FAILURESTREAK: { streak, hedges }: ADD 1 unless this hedge was counted;
 *   reset to 0 (and the set emptied) by a confirmation, inside its transaction
 *   (hedge-journal-repository.ts).
 * - GLOBAL / KILLSWITCH: { engaged, reason, updatedAt, updatedBy }.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DispatchLimits, ReserveResult } from '../../app/hedge-journal-ports.ts';
import { TTL_ATTRIBUTE } from '../../contracts/table-definition.ts';
import { classifyError, errorName } from './classify-error.ts';
import { accountPk, dailyNotionalSk, epochSeconds, FAILURE_STREAK_SK, GLOBAL_PK, KILL_SWITCH_SK } from './keys.ts';
import { numberAttribute, stringSetAttribute } from './number-attribute.ts';

/** Day counters are kept a week past their day (audit), then expire. */
const NOTIONAL_TTL_SECONDS = 8 * 24 * 3600;
const UTC_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The attribute holding one hedge's reserved amount on its day's item. */
const amountAttribute = (hedgeId: string): string => `amount:${hedgeId}`;

export function createDispatchLimitsRepository(options: { doc: DynamoDBDocumentClient; tableName: string; now?: () => Date }): DispatchLimits {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());

  function checkDay(utcDay: string): void {
    if (!UTC_DAY.test(utcDay)) throw new RangeError(`utcDay must be yyyy-mm-dd (got ${JSON.stringify(utcDay)})`);
  }

  async function reserveDailyNotional(accountId: string, utcDay: string, hedgeId: string, notionalUsd: number, capUsd: number): Promise<ReserveResult> {
    checkDay(utcDay);
    if (!(notionalUsd >= 0 && Number.isFinite(notionalUsd))) throw new RangeError(`notionalUsd must be a finite non-negative number (got ${notionalUsd})`);
    if (notionalUsd > capUsd) return { status: 'cap-exceeded', reservedUsd: 0 };
    const expiresAt = epochSeconds(new Date(Date.parse(`${utcDay}T00:00:00Z`))) + NOTIONAL_TTL_SECONDS;
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: accountPk(accountId), sk: dailyNotionalSk(utcDay) },
          // The amount is kept per hedge (`amount:<hedgeId>`), so that a release gives back
          // exactly what was reserved even if the caller's price moved in between.
          UpdateExpression: 'ADD reservedUsd :n, hedges :ids SET #ttl = :ttl, #amount = :n',
          ConditionExpression: '(attribute_not_exists(reservedUsd) OR reservedUsd <= :room) AND NOT contains(hedges, :id)',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE, '#amount': amountAttribute(hedgeId) },
          ExpressionAttributeValues: { ':n': notionalUsd, ':ids': new Set([hedgeId]), ':id': hedgeId, ':room': capUsd - notionalUsd, ':ttl': expiresAt },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { status: 'reserved' };
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw classifyError(error, 'UpdateItem (reserve daily notional)');
      const item = (error as { Item?: Record<string, unknown> }).Item;
      if (item !== undefined && stringSetAttribute(item.hedges).has(hedgeId)) return { status: 'already' };
      return { status: 'cap-exceeded', reservedUsd: numberAttribute(item?.reservedUsd) ?? 0 };
    }
  }

  async function releaseDailyNotional(accountId: string, utcDay: string, hedgeId: string): Promise<void> {
    checkDay(utcDay);
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: accountPk(accountId), sk: dailyNotionalSk(utcDay) },
          UpdateExpression: 'SET reservedUsd = reservedUsd - #amount REMOVE #amount DELETE hedges :ids',
          ConditionExpression: 'contains(hedges, :id) AND attribute_exists(#amount)',
          ExpressionAttributeNames: { '#amount': amountAttribute(hedgeId) },
          ExpressionAttributeValues: { ':ids': new Set([hedgeId]), ':id': hedgeId },
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return; // never reserved, or released already
      throw classifyError(error, 'UpdateItem (release daily notional)');
    }
  }

  async function recordFailure(accountId: string, hedgeId: string): Promise<number> {
    try {
      const out = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: accountPk(accountId), sk: FAILURE_STREAK_SK },
          UpdateExpression: 'ADD streak :one, hedges :ids SET updatedAt = :at',
          ConditionExpression: 'NOT contains(hedges, :id)',
          ExpressionAttributeValues: { ':one': 1, ':ids': new Set([hedgeId]), ':id': hedgeId, ':at': now().toISOString() },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return numberAttribute(out.Attributes?.streak) ?? 1;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') {
        return numberAttribute((error as { Item?: Record<string, unknown> }).Item?.streak) ?? 0; // counted before
      }
      throw classifyError(error, 'UpdateItem (record failure)');
    }
  }

  async function globalKillSwitch(): Promise<{ engaged: boolean; reason?: string }> {
    let item;
    try {
      item = (await doc.send(new GetCommand({ TableName: tableName, Key: { pk: GLOBAL_PK, sk: KILL_SWITCH_SK }, ConsistentRead: true }))).Item;
    } catch (error) {
      throw classifyError(error, 'GetItem (global kill switch)');
    }
    if (item?.engaged !== true) return { engaged: false };
    return typeof item.reason === 'string' ? { engaged: true, reason: item.reason } : { engaged: true };
  }

  async function setGlobalKillSwitch(engaged: boolean, reason: string, actor: string): Promise<void> {
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: GLOBAL_PK, sk: KILL_SWITCH_SK, engaged, reason, updatedAt: now().toISOString(), updatedBy: actor },
        }),
      );
    } catch (error) {
      throw classifyError(error, 'PutItem (global kill switch)');
    }
  }

  return { reserveDailyNotional, releaseDailyNotional, recordFailure, globalKillSwitch, setGlobalKillSwitch };
}
