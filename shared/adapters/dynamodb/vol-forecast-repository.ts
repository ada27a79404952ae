/**
 * Volatility forecast fits per underlying (access pattern 19 in ACCESS-PATTERNS.md).
 *
 * Item: pk VOLFIT#<underlying>, sk MODEL#<model>#w<window>, `fit` (ForecastFitSchema),
 * `fittedAtMs` (the fit's time, top level for the condition), `storedAt`.
 * One conditional PutItem: `attribute_not_exists(pk) OR fittedAtMs < :fittedAtMs`, so a
 * duplicate evaluation, a retry or a racing evaluation with an older (or the same) fit
 * never moves the stored fit back; a failed condition is 'newer-kept'. No read-then-write.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { VolForecastStore } from '../../app/evaluate/ports.ts';
import { ForecastFitSchema } from '../../contracts/hedge-state-schema.ts';
import type { ForecastFit } from '../../domain/policy/vol-forecast.ts';
import { classifyError, errorName } from './classify-error.ts';
import { volFitPk, volFitSk } from './keys.ts';
import { parseInput } from './validate-input.ts';

/**
 * @example
 * const fits = createVolForecastRepository({ doc, tableName });
 * await fits.save('ETH', 'garch#w720', fit); // 'stored', or 'newer-kept'
 */
export function createVolForecastRepository(options: { doc: DynamoDBDocumentClient; tableName: string; now?: () => Date }): VolForecastStore {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());
  const keyOf = (underlying: string, key: string): { pk: string; sk: string } => {
    if (underlying === '' || key === '') throw new RangeError('underlying and key must be non-empty');
    return { pk: volFitPk(underlying), sk: volFitSk(key) };
  };
  return {
    async latest(underlying, key) {
      let item: Record<string, unknown> | undefined;
      try {
        item = (await doc.send(new GetCommand({ TableName: tableName, Key: keyOf(underlying, key), ConsistentRead: true }))).Item;
      } catch (error) {
        throw classifyError(error, 'GetItem (latest vol fit)');
      }
      return item === undefined ? undefined : (parseInput(ForecastFitSchema, item.fit, 'stored vol fit') as ForecastFit);
    },
    async save(underlying, key, fit) {
      const valid = parseInput(ForecastFitSchema, fit, 'vol fit') as ForecastFit;
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keyOf(underlying, key), fit: valid, fittedAtMs: valid.fittedAtMs, storedAt: now().toISOString() },
            ConditionExpression: 'attribute_not_exists(pk) OR fittedAtMs < :fittedAtMs',
            ExpressionAttributeValues: { ':fittedAtMs': valid.fittedAtMs },
          }),
        );
        return 'stored';
      } catch (error) {
        if (errorName(error) === 'ConditionalCheckFailedException') return 'newer-kept';
        throw classifyError(error, 'PutItem (save vol fit)');
      }
    },
  };
}
