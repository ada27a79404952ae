/**
 * The policy engine's state per account, with optimistic concurrency: two evaluators of
 * one account cannot overwrite each other's state.
 *
 * Item: pk ACCOUNT#<id>, sk HEDGESTATE: { state, version, updatedAt }.
 * saveHedgeState writes version expectedStateVersion + 1 only if the stored version is
 * expectedStateVersion (0: no state yet, condition attribute_not_exists) — one
 * conditional PutItem, so of N concurrent savers on the same version exactly one wins and
 * the others get a ConflictError naming the current version. The state is validated with
 * HedgeStateSchema before it is written and when it is read back.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { AccountIdSchema } from '../../contracts/account-schema.ts';
import { HedgeStateSchema } from '../../contracts/hedge-state-schema.ts';
import type { HedgeState } from '../../domain/policy/policy-types.ts';
import { classifyError, errorName } from './classify-error.ts';
import { ConflictError, InvalidItemError } from './errors.ts';
import { accountPk, HEDGE_STATE_SK } from './keys.ts';
import { numberAttribute } from './number-attribute.ts';
import { parseInput } from './validate-input.ts';

export interface VersionedHedgeState {
  readonly state: HedgeState;
  /** Pass back to saveHedgeState as expectedStateVersion. */
  readonly version: number;
  readonly updatedAt: string;
}

export interface HedgeStateRepository {
  /** The stored state and its version, or undefined when the account has none yet (strongly consistent). */
  getHedgeState(accountId: string): Promise<VersionedHedgeState | undefined>;
  /** Saves `state` as version expectedStateVersion + 1 if the stored version is expectedStateVersion (0: none yet). */
  saveHedgeState(accountId: string, state: HedgeState, expectedStateVersion: number): Promise<number>;
}

const ExpectedVersionSchema = z.number().int().nonnegative();
const StoredSchema = z.object({ state: HedgeStateSchema, version: z.number().int().positive(), updatedAt: z.string() });

/**
 * @example
 * const states = createHedgeStateRepository({ doc, tableName });
 * const current = await states.getHedgeState('acc-1');
 * await states.saveHedgeState('acc-1', nextState, current?.version ?? 0); // ConflictError if another evaluator saved first
 */
export function createHedgeStateRepository(options: { doc: DynamoDBDocumentClient; tableName: string; now?: () => Date }): HedgeStateRepository {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());

  async function getHedgeState(accountId: string): Promise<VersionedHedgeState | undefined> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    let out;
    try {
      out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk(id), sk: HEDGE_STATE_SK }, ConsistentRead: true }));
    } catch (error) {
      throw classifyError(error, 'GetItem (getHedgeState)');
    }
    if (out.Item === undefined) return undefined;
    const parsed = StoredSchema.safeParse(out.Item);
    if (!parsed.success) throw new InvalidItemError(`stored hedge state of account ${id} does not match its schema`, { cause: parsed.error });
    return parsed.data;
  }

  async function saveHedgeState(accountId: string, state: HedgeState, expectedStateVersion: number): Promise<number> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    const valid = parseInput(HedgeStateSchema, state, `hedge state of account ${id}`);
    const expected = parseInput(ExpectedVersionSchema, expectedStateVersion, 'expectedStateVersion');
    const version = expected + 1;
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: accountPk(id), sk: HEDGE_STATE_SK, state: valid, version, updatedAt: now().toISOString() },
          ConditionExpression: expected === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
          ...(expected === 0 ? {} : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expected } }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return version;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') {
        const item = (error as { Item?: Record<string, unknown> }).Item;
        throw new ConflictError(`hedge state of account ${id} changed`, expected, item === undefined ? null : numberAttribute(item.version), { cause: error });
      }
      throw classifyError(error, 'PutItem (saveHedgeState)');
    }
  }

  return { getHedgeState, saveHedgeState };
}
