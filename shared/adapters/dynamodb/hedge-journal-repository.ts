/**
 * The HedgeJournal port over the hedge record item (pk ACCOUNT#<id>, sk HEDGE#<at>#<hedgeId>,
 * see hedge-record-repository.ts), which gains three attributes here:
 *   claimOwner / claimUntil  — the dispatcher holding the hedge (a lease, ms since epoch);
 *   transactions             — the journal: every signed transaction, in signing order.
 *
 * Races are settled by conditions on that one item:
 * - claim: stage = decided AND (no claim OR claim expired OR claim is mine);
 * - journalFirst: claimOwner = me AND stage = decided (→ ordered): a dispatcher whose
 *   lease ran out and was taken over cannot journal, so it never broadcasts;
 * - journalReplacement: stage = submitted AND size(transactions) = what the confirmer saw:
 *   two confirmers cannot both replace the same transaction;
 * - confirm: one TransactWriteItems of the record (submitted → confirmed, step key not
 *   applied), the hedge position (at the revision read just before, retried on a lost
 *   race), the failure streak reset and the hedge's in-flight entry removed;
 * - an end without a trade (failed, skipped): one TransactWriteItems of the record and the
 *   in-flight removal. The in-flight entry lives on the account's HEDGESTATE item
 *   (evaluation-repository.ts); removing it bumps that item's version, so an evaluation
 *   that read it before loses its conditional commit and reads again: the delta never
 *   counts a hedge twice (in flight and filled) or not at all.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClaimResult, HedgeJournal, HedgePositionChange, HedgeRef, HedgeStage, HedgeStepInput, HedgeView, JournaledTransaction } from '../../app/hedge-journal-ports.ts';
import type { Position } from '../../domain/exposure/positions.ts';
import { cancellationCodes, classifyError, errorName } from './classify-error.ts';
import { ConflictError } from './errors.ts';
import { advanceHedgeRecordUpdate, createHedgeRecordRepository, HEDGE_STAGE_PREDECESSORS } from './hedge-record-repository.ts';
import { accountPk, FAILURE_STREAK_SK, HEDGE_STATE_SK, hedgeRecordSk, positionSk } from './keys.ts';
import { numberAttribute, stringAttribute } from './number-attribute.ts';

const MAX_POSITION_RACES = 5;

export function createHedgeJournalRepository(options: { doc: DynamoDBDocumentClient; tableName: string; now?: () => Date }): HedgeJournal {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());
  const records = createHedgeRecordRepository({ doc, tableName });
  const keyOf = (ref: HedgeRef) => ({ pk: accountPk(ref.accountId), sk: hedgeRecordSk(ref.at, ref.hedgeId) });

  async function get(ref: HedgeRef): Promise<HedgeView | undefined> {
    let out;
    try {
      out = await doc.send(new GetCommand({ TableName: tableName, Key: keyOf(ref), ConsistentRead: true }));
    } catch (error) {
      throw classifyError(error, 'GetItem (hedge journal)');
    }
    const item = out.Item;
    if (item === undefined) return undefined;
    const view: { -readonly [K in keyof HedgeView]: HedgeView[K] } = {
      stage: (item.stage ?? 'decided') as HedgeStage,
      record: (item.record ?? {}) as Record<string, unknown>,
      transactions: (item.transactions ?? []) as JournaledTransaction[],
    };
    if (typeof item.claimOwner === 'string') view.claimOwner = item.claimOwner;
    if (typeof item.claimUntil === 'number') view.claimUntilMs = item.claimUntil;
    return view;
  }

  async function claim(ref: HedgeRef, owner: string, untilMs: number, nowMs: number): Promise<ClaimResult> {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(ref),
          UpdateExpression: 'SET claimOwner = :owner, claimUntil = :until',
          ConditionExpression: 'attribute_exists(pk) AND #stage = :decided AND (attribute_not_exists(claimUntil) OR claimUntil < :now OR claimOwner = :owner)',
          ExpressionAttributeNames: { '#stage': 'stage' },
          ExpressionAttributeValues: { ':owner': owner, ':until': untilMs, ':now': nowMs, ':decided': 'decided' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { status: 'claimed' };
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw classifyError(error, 'UpdateItem (claim hedge)');
      const item = (error as { Item?: Record<string, unknown> }).Item;
      if (item === undefined) throw new ConflictError(`hedge ${ref.hedgeId} of account ${ref.accountId} cannot be claimed`, 'a recorded hedge', null, { cause: error });
      const stage = (stringAttribute(item.stage) ?? 'decided') as HedgeStage;
      if (stage !== 'decided') return { status: 'not-claimable', stage };
      return { status: 'busy', owner: stringAttribute(item.claimOwner) ?? 'unknown', untilMs: numberAttribute(item.claimUntil) ?? 0 };
    }
  }

  async function journalFirst(ref: HedgeRef, owner: string, transaction: JournaledTransaction, at: Date): Promise<'journaled' | 'lost'> {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(ref),
          UpdateExpression: 'SET #stage = :ordered, transactions = :txs, #steps = list_append(#steps, :step)',
          ConditionExpression: 'claimOwner = :owner AND #stage = :decided',
          ExpressionAttributeNames: { '#stage': 'stage', '#steps': 'steps' },
          ExpressionAttributeValues: {
            ':ordered': 'ordered',
            ':decided': 'decided',
            ':owner': owner,
            ':txs': [transaction],
            ':step': [{ stage: 'ordered', key: `journal:${transaction.hash}`, at: at.toISOString(), data: { hash: transaction.hash, nonce: transaction.nonce } }],
          },
        }),
      );
      return 'journaled';
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return 'lost';
      throw classifyError(error, 'UpdateItem (journal transaction)');
    }
  }

  async function journalReplacement(ref: HedgeRef, transaction: JournaledTransaction, expectedCount: number): Promise<'journaled' | 'lost'> {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(ref),
          UpdateExpression: 'SET transactions = list_append(transactions, :tx)',
          ConditionExpression: '#stage = :submitted AND size(transactions) = :count',
          ExpressionAttributeNames: { '#stage': 'stage' },
          ExpressionAttributeValues: { ':submitted': 'submitted', ':count': expectedCount, ':tx': [transaction] },
        }),
      );
      return 'journaled';
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return 'lost';
      throw classifyError(error, 'UpdateItem (journal replacement)');
    }
  }

  /** The HEDGESTATE update that ends a hedge's in-flight entry (a transaction item). */
  function inFlightRemoval(ref: HedgeRef) {
    return {
      Update: {
        TableName: tableName,
        Key: { pk: accountPk(ref.accountId), sk: HEDGE_STATE_SK },
        UpdateExpression: 'REMOVE #inFlight.#hedge ADD #version :one',
        // A state without the map (written before in-flight tracking, or by hand) has nothing
        // in flight; REMOVE under a missing map would be a validation error, so require the map.
        ConditionExpression: 'attribute_exists(#inFlight)',
        ExpressionAttributeNames: { '#inFlight': 'inFlight', '#hedge': ref.hedgeId, '#version': 'version' },
        ExpressionAttributeValues: { ':one': 1 },
      },
    };
  }

  async function advance(ref: HedgeRef, step: HedgeStepInput): Promise<'advanced' | 'already'> {
    if (step.stage !== 'failed' && step.stage !== 'skipped') return records.advanceHedgeRecord(ref.accountId, ref, step);
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: advanceHedgeRecordUpdate(tableName, keyOf(ref), step, HEDGE_STAGE_PREDECESSORS[step.stage]) },
            inFlightRemoval(ref),
          ],
        }),
      );
      return 'advanced';
    } catch (error) {
      if (errorName(error) !== 'TransactionCanceledException') throw classifyError(error, 'TransactWriteItems (end hedge)');
      const [recordCode, stateCode] = cancellationCodes(error);
      // Without a state item (a record written outside an evaluation) there is nothing in flight to end.
      if (recordCode !== 'ConditionalCheckFailed' && stateCode === 'ConditionalCheckFailed') return records.advanceHedgeRecord(ref.accountId, ref, step);
      if (recordCode === 'ConditionalCheckFailed') return records.advanceHedgeRecord(ref.accountId, ref, step); // answers 'already' or the precise ConflictError
      throw classifyError(error, 'TransactWriteItems (end hedge)');
    }
  }

  async function confirm(ref: HedgeRef, step: HedgeStepInput, change: HedgePositionChange): Promise<'confirmed' | 'already'> {
    let withInFlight = true;
    for (let attempt = 0; attempt < MAX_POSITION_RACES; attempt++) {
      const positionKey = { pk: accountPk(ref.accountId), sk: positionSk(change.positionId) };
      let current;
      try {
        current = (await doc.send(new GetCommand({ TableName: tableName, Key: positionKey, ConsistentRead: true }))).Item;
      } catch (error) {
        throw classifyError(error, 'GetItem (hedge position)');
      }
      const revision = numberAttribute(current?.revision) ?? 0;
      const quantity = ((current?.position as Position | undefined)?.quantity ?? 0) + change.quantityDelta;
      const position: Position =
        change.kind === 'option'
          ? { id: change.positionId, underlying: change.underlying, kind: 'option', optionType: change.series!.optionType, strike: change.series!.strike, expiryMs: change.series!.expiryMs, quantity }
          : { id: change.positionId, underlying: change.underlying, kind: change.kind, quantity };
      const at = step.at.toISOString();
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              // The record: submitted → confirmed (whatever stage the step names), its key not applied yet.
              { Update: advanceHedgeRecordUpdate(tableName, keyOf(ref), { ...step, stage: 'confirmed' }, HEDGE_STAGE_PREDECESSORS.confirmed) },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...positionKey, positionId: change.positionId, underlying: change.underlying, position, source: 'hedge', revision: revision + 1, updatedAt: at },
                  ConditionExpression: revision === 0 ? 'attribute_not_exists(pk)' : '#revision = :revision',
                  ...(revision === 0 ? {} : { ExpressionAttributeNames: { '#revision': 'revision' }, ExpressionAttributeValues: { ':revision': revision } }),
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: accountPk(ref.accountId), sk: FAILURE_STREAK_SK },
                  UpdateExpression: 'SET streak = :zero, updatedAt = :at REMOVE hedges',
                  ExpressionAttributeValues: { ':zero': 0, ':at': now().toISOString() },
                },
              },
              ...(withInFlight ? [inFlightRemoval(ref)] : []),
            ],
          }),
        );
        return 'confirmed';
      } catch (error) {
        if (errorName(error) !== 'TransactionCanceledException') throw classifyError(error, 'TransactWriteItems (confirm hedge)');
        const [recordCode, positionCode, , stateCode] = cancellationCodes(error);
        if (recordCode === 'ConditionalCheckFailed') {
          const view = await get(ref);
          if (view?.stage === 'confirmed') return 'already';
          throw new ConflictError(`hedge ${ref.hedgeId} of account ${ref.accountId} cannot move to confirmed`, 'submitted', view?.stage ?? null, { cause: error });
        }
        if (stateCode === 'ConditionalCheckFailed' && withInFlight) {
          withInFlight = false; // no in-flight map on the state: nothing to remove
          continue;
        }
        if (positionCode === 'ConditionalCheckFailed' || positionCode === 'TransactionConflict') continue; // the position moved: read it again
        if (cancellationCodes(error).includes('TransactionConflict')) continue; // the state item was being written: try again
        throw classifyError(error, 'TransactWriteItems (confirm hedge)');
      }
    }
    throw new ConflictError(`hedge position ${change.positionId} of account ${ref.accountId} kept changing`, 'a stable revision', undefined);
  }

  return { get, claim, journalFirst, journalReplacement, advance, confirm };
}
