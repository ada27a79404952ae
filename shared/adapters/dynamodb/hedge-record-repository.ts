/**
 * Hedge records per account, newest first, paginated with an opaque cursor.
 *
 * Item: pk ACCOUNT#<id>, sk HEDGE#<iso time>#<hedgeId>; the record is stored under
 * `record` as given (the use case owns its shape). A record is written once (condition
 * attribute_not_exists), so a redelivered event cannot duplicate or overwrite it.
 *
 * A hedge then moves through its life, decision → order → transaction → outcome:
 *   decided → ordered → submitted (again for a replacement transaction) → confirmed
 *   decided → skipped (a guard tripped, or dry-run); decided | ordered | submitted → failed
 * Each step is one UpdateItem whose condition is "the current stage is an allowed
 * predecessor and this step's key was not applied yet": no read-then-write, and a
 * redelivered event (same step key, e.g. the event id) is recognised and changes nothing.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { classifyError, errorName } from './classify-error.ts';
import { ConflictError } from './errors.ts';
import { stringAttribute, stringSetAttribute } from './number-attribute.ts';
import type { Page } from './cursor.ts';
import { accountPk, HEDGE_PREFIX, hedgeRecordSk } from './keys.ts';
import { queryPage } from './query-pages.ts';

/** Where a hedge is in its life. */
export type HedgeStage = 'decided' | 'ordered' | 'submitted' | 'confirmed' | 'failed' | 'skipped';

/** The stages each stage may be reached from. */
export const HEDGE_STAGE_PREDECESSORS: Readonly<Record<Exclude<HedgeStage, 'decided'>, readonly HedgeStage[]>> = {
  ordered: ['decided'],
  submitted: ['ordered', 'submitted'],
  confirmed: ['submitted'],
  failed: ['decided', 'ordered', 'submitted'],
  skipped: ['decided'],
};

export interface HedgeStep {
  readonly stage: Exclude<HedgeStage, 'decided'>;
  /** Identifies this step (e.g. the event id or the transaction hash): applying it twice is a no-op. */
  readonly key: string;
  readonly at: Date;
  /** What happened: the order, the signed transaction's hash, the receipt, the error. */
  readonly data: Record<string, unknown>;
}

export interface HedgeRecord {
  readonly hedgeId: string;
  readonly at: Date;
  readonly record: Record<string, unknown>;
}

export interface StoredHedgeRecord {
  readonly accountId: string;
  readonly hedgeId: string;
  readonly at: string;
  readonly record: Record<string, unknown>;
  readonly stage: HedgeStage;
  /** The steps after the decision, oldest first. */
  readonly steps: readonly { readonly stage: HedgeStage; readonly key: string; readonly at: string; readonly data: Record<string, unknown> }[];
}

/** The stored item of a new hedge record: the one place its layout is spelled (also used inside transactions). */
export function hedgeRecordItem(accountId: string, hedge: HedgeRecord, stage: 'decided' | 'skipped' = 'decided'): Record<string, unknown> {
  return {
    pk: accountPk(accountId),
    sk: hedgeRecordSk(hedge.at, hedge.hedgeId),
    hedgeId: hedge.hedgeId,
    at: hedge.at.toISOString(),
    record: hedge.record,
    stage,
    steps: [],
  };
}

/** A stored record as read back, with the dispatcher's claim and journal (see hedge-journal-repository.ts). */
export function storedHedgeRecord(accountId: string, item: Record<string, unknown>): StoredHedgeRecord {
  return {
    accountId,
    hedgeId: String(item.hedgeId),
    at: String(item.at),
    record: (item.record ?? {}) as Record<string, unknown>,
    stage: (item.stage ?? 'decided') as HedgeStage,
    steps: (item.steps ?? []) as StoredHedgeRecord['steps'],
  };
}

/** The conditional update of one hedge step, as an UpdateCommand's input or a TransactWriteItems `Update`. */
export interface HedgeRecordUpdate {
  readonly TableName: string;
  readonly Key: { readonly pk: string; readonly sk: string };
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * Moves the record at `key` to `step.stage`, appending the step and its key: the record
 * exists, its stage is one of `allowedStages` and the step's key was not applied yet. The
 * one spelling of a step, used alone (advanceHedgeRecord) and inside the journal's
 * transactions (hedge-journal-repository.ts).
 */
export function advanceHedgeRecordUpdate(
  tableName: string,
  key: { readonly pk: string; readonly sk: string },
  step: HedgeStep,
  allowedStages: readonly HedgeStage[],
): HedgeRecordUpdate {
  const names = allowedStages.map((_, i) => `:from${i}`);
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #stage = :stage, #steps = list_append(#steps, :step) ADD #applied :keys',
    ConditionExpression: `attribute_exists(pk) AND #stage IN (${names.join(', ')}) AND NOT contains(#applied, :key)`,
    ExpressionAttributeNames: { '#stage': 'stage', '#steps': 'steps', '#applied': 'appliedStepKeys' },
    ExpressionAttributeValues: {
      ':stage': step.stage,
      ':step': [{ stage: step.stage, key: step.key, at: step.at.toISOString(), data: step.data }],
      ':keys': new Set([step.key]),
      ':key': step.key,
      ...Object.fromEntries(allowedStages.map((stage, i) => [`:from${i}`, stage])),
    },
  };
}

export interface HedgeRecordRepository {
  /** One record by its key (the hedge id and the time it was decided), strongly consistent. */
  getHedgeRecord(accountId: string, hedge: { readonly hedgeId: string; readonly at: Date }): Promise<StoredHedgeRecord | undefined>;
  /** 'created', or 'exists' when this hedge id at this time was already recorded (idempotent). */
  putHedgeRecord(accountId: string, hedge: HedgeRecord): Promise<'created' | 'exists'>;
  /**
   * Moves a recorded hedge to its next stage. 'advanced', or 'already' when this step's
   * key was applied before; ConflictError (expected: the allowed stages, current: the
   * stored one, or absent) when the transition is not allowed.
   */
  advanceHedgeRecord(accountId: string, hedge: { readonly hedgeId: string; readonly at: Date }, step: HedgeStep): Promise<'advanced' | 'already'>;
  listHedgeRecords(accountId: string, options?: { limit?: number; cursor?: string }): Promise<Page<StoredHedgeRecord> & { queries: number }>;
}

/**
 * @example
 * const hedges = createHedgeRecordRepository({ doc, tableName });
 * const first = await hedges.listHedgeRecords('acc-1', { limit: 20 });
 * const second = first.cursor === undefined ? undefined : await hedges.listHedgeRecords('acc-1', { limit: 20, cursor: first.cursor });
 */
export function createHedgeRecordRepository(options: { doc: DynamoDBDocumentClient; tableName: string }): HedgeRecordRepository {
  const { doc, tableName } = options;

  async function putHedgeRecord(accountId: string, hedge: HedgeRecord): Promise<'created' | 'exists'> {
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: hedgeRecordItem(accountId, hedge),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return 'exists';
      throw classifyError(error, 'PutItem (putHedgeRecord)');
    }
  }

  async function advanceHedgeRecord(accountId: string, hedge: { readonly hedgeId: string; readonly at: Date }, step: HedgeStep): Promise<'advanced' | 'already'> {
    const allowed = HEDGE_STAGE_PREDECESSORS[step.stage];
    if (!allowed) throw new TypeError(`unknown hedge stage ${JSON.stringify(step.stage)}`);
    try {
      await doc.send(
        new UpdateCommand({
          ...advanceHedgeRecordUpdate(tableName, { pk: accountPk(accountId), sk: hedgeRecordSk(hedge.at, hedge.hedgeId) }, step, allowed),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'advanced';
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw classifyError(error, 'UpdateItem (advanceHedgeRecord)');
      // The item as it was when the condition failed (returned atomically, not re-read).
      const item = (error as { Item?: Record<string, unknown> }).Item;
      if (item !== undefined && stringSetAttribute(item.appliedStepKeys).has(step.key)) return 'already';
      throw new ConflictError(
        `hedge ${hedge.hedgeId} of account ${accountId} cannot move to ${step.stage}`,
        allowed.join(' | '),
        item === undefined ? null : (stringAttribute(item.stage) ?? null),
        { cause: error },
      );
    }
  }

  async function listHedgeRecords(
    accountId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<Page<StoredHedgeRecord> & { queries: number }> {
    const result = await queryPage(doc, {
      tableName,
      pk: accountPk(accountId),
      skPrefix: HEDGE_PREFIX,
      limit: page.limit ?? 25,
      cursor: page.cursor,
    });
    const items = result.items.map((item) => storedHedgeRecord(accountId, item));
    return result.cursor === undefined ? { items, queries: result.queries } : { items, cursor: result.cursor, queries: result.queries };
  }

  async function getHedgeRecord(accountId: string, hedge: { readonly hedgeId: string; readonly at: Date }): Promise<StoredHedgeRecord | undefined> {
    let out;
    try {
      out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk(accountId), sk: hedgeRecordSk(hedge.at, hedge.hedgeId) }, ConsistentRead: true }));
    } catch (error) {
      throw classifyError(error, 'GetItem (getHedgeRecord)');
    }
    return out.Item === undefined ? undefined : storedHedgeRecord(accountId, out.Item);
  }

  return { getHedgeRecord, putHedgeRecord, advanceHedgeRecord, listHedgeRecords };
}
