/**
 * The EvaluationStore port over the account's HEDGESTATE item (the item of
 * hedge-state-repository.ts, same `state` and `version`), which here also carries:
 *   exposure        — the latest ExposureSnapshot (what GET /accounts/{id}/exposure serves),
 *   lastEvaluation  — the evaluation id and the events it published;
 *   outbox          — Hedge Requested / Risk Limit Breached entries committed and not yet
 *                     known to be published (cleared after the publish; a later
 *                     evaluation publishes leftovers first);
 *   inFlight        — hedges requested and not ended (their units count in the delta),
 *                     removed by the transaction that ends each hedge, which also bumps
 *                     `version`: an evaluation that read the old map loses its commit.
 *
 * A no-op tick costs ONE write: the PutItem of this item (state with the new price
 * observation, snapshot, last evaluation), conditional on the version read. An evaluation
 * that decided to hedge adds its hedge records in the same TransactWriteItems, so state
 * and records can never disagree (a crash leaves both written or neither).
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { EvaluationCommit, EvaluationStore, StoredEvaluationState } from '../../app/evaluate/ports.ts';
import { AccountIdSchema } from '../../contracts/account-schema.ts';
import { ExposureSnapshotSchema } from '../../contracts/exposure-snapshot.ts';
import { HedgeStateSchema } from '../../contracts/hedge-state-schema.ts';
import { PolicyGuardStateSchema } from '../../contracts/policy-guard-state-schema.ts';
import { cancellationCodes, classifyError, errorName } from './classify-error.ts';
import { ConflictError, InvalidItemError } from './errors.ts';
import { hedgeRecordItem } from './hedge-record-repository.ts';
import { accountPk, auditSk, HEDGE_STATE_SK } from './keys.ts';
import { numberAttribute } from './number-attribute.ts';
import { parseInput } from './validate-input.ts';

const EventEntrySchema = z.object({ Source: z.string(), DetailType: z.string(), Detail: z.string(), EventBusName: z.string() });
const StoredSchema = z.object({
  state: HedgeStateSchema,
  version: z.number().int().positive(),
  exposure: ExposureSnapshotSchema.optional(),
  lastEvaluation: z.object({ evaluationId: z.string(), at: z.string(), events: z.array(EventEntrySchema) }).optional(),
  inFlight: z
    .record(
      z.string(),
      z.object({
        units: z.number(),
        at: z.string(),
        option: z.object({ optionType: z.enum(['call', 'put']), strike: z.number(), expiryMs: z.number(), vol: z.number().exactOptional() }).exactOptional(),
        marginTopUp: z.string().exactOptional(),
      }),
    )
    .default({}),
  outbox: z.array(EventEntrySchema).default([]),
  guards: PolicyGuardStateSchema.optional(),
});

export function createEvaluationRepository(options: { doc: DynamoDBDocumentClient; tableName: string; now?: () => Date }): EvaluationStore {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());

  async function load(accountId: string): Promise<StoredEvaluationState | undefined> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    let item;
    try {
      item = (await doc.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk(id), sk: HEDGE_STATE_SK }, ConsistentRead: true }))).Item;
    } catch (error) {
      throw classifyError(error, 'GetItem (load evaluation state)');
    }
    if (item === undefined) return undefined;
    const parsed = StoredSchema.safeParse(item);
    if (!parsed.success) throw new InvalidItemError(`stored evaluation state of account ${id} does not match its schema`, { cause: parsed.error });
    return parsed.data as StoredEvaluationState;
  }

  async function commit(accountId: string, commit: EvaluationCommit): Promise<number> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    const state = parseInput(HedgeStateSchema, commit.state, `hedge state of account ${id}`);
    const exposure = parseInput(ExposureSnapshotSchema, commit.exposure, `exposure snapshot of account ${id}`);
    const guards = commit.guards === undefined ? undefined : parseInput(PolicyGuardStateSchema, commit.guards, `guard state of account ${id}`);
    const audit = commit.audit ?? [];
    const version = commit.expectedVersion + 1;
    const fresh = commit.expectedVersion === 0;
    const statePut = {
      TableName: tableName,
      Item: {
        pk: accountPk(id),
        sk: HEDGE_STATE_SK,
        state,
        version,
        exposure,
        lastEvaluation: commit.lastEvaluation,
        inFlight: commit.inFlight ?? {},
        outbox: commit.outbox ?? [],
        ...(guards === undefined ? {} : { guards }),
        updatedAt: now().toISOString(),
      },
      ConditionExpression: fresh ? 'attribute_not_exists(pk)' : '#version = :expected',
      ...(fresh ? {} : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': commit.expectedVersion } }),
    };
    try {
      if (commit.hedgeRecords.length === 0 && audit.length === 0) {
        await doc.send(new PutCommand({ ...statePut, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      } else {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { ...statePut, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
              ...commit.hedgeRecords.map((record) => ({
                Put: { TableName: tableName, Item: hedgeRecordItem(id, record, record.stage), ConditionExpression: 'attribute_not_exists(pk)' },
              })),
              // Crash mode switches: the audit entry stands or falls with the state that switched.
              ...audit.map((entry) => ({
                Put: {
                  TableName: tableName,
                  Item: { pk: accountPk(id), sk: auditSk(entry.at, entry.unique), action: entry.action, actor: entry.actor, at: entry.at.toISOString(), details: entry.details },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
            ],
          }),
        );
      }
      return version;
    } catch (error) {
      const name = errorName(error);
      if (name === 'ConditionalCheckFailedException') {
        const current = numberAttribute((error as { Item?: Record<string, unknown> }).Item?.version);
        throw new ConflictError(`hedge state of account ${id} changed`, commit.expectedVersion, current ?? null, { cause: error });
      }
      if (name === 'TransactionCanceledException' && cancellationCodes(error).includes('ConditionalCheckFailed')) {
        throw new ConflictError(`evaluation of account ${id} lost a race (state version or hedge record)`, commit.expectedVersion, undefined, { cause: error });
      }
      throw classifyError(error, commit.hedgeRecords.length === 0 ? 'PutItem (commit evaluation)' : 'TransactWriteItems (commit evaluation)');
    }
  }

  async function clearOutbox(accountId: string, version: number): Promise<void> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: accountPk(id), sk: HEDGE_STATE_SK },
          UpdateExpression: 'SET outbox = :empty',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':empty': [], ':version': version },
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return; // a later evaluation committed: it published the outbox first
      throw classifyError(error, 'UpdateItem (clear outbox)');
    }
  }

  return { load, commit, clearOutbox };
}
