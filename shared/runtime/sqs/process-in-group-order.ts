/**
 * The loop of an SQS consumer with ReportBatchItemFailures: records are handled one after
 * another, in batch order, and the ones to deliver again are listed in batchItemFailures.
 *
 * FIFO queues: once a record of a message group is listed, the group's later records in the
 * batch are listed unprocessed, so none of them overtakes the one coming back (SQS
 * redelivers them in order). Records of other groups, and records without a group
 * (standard queues), go on.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';

/** What a consumer made of one record: 'retry' lists it for redelivery (and blocks its group). */
export type RecordDisposition = 'done' | 'retry';

/**
 * @example
 * return processRecordsInGroupOrder(event.Records, async (record) => ((await handle(record)) ? 'done' : 'retry'));
 */
export async function processRecordsInGroupOrder(
  records: readonly SQSRecord[],
  handleOne: (record: SQSRecord) => Promise<RecordDisposition>,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const blockedGroups = new Set<string>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId;
    if (group !== undefined && blockedGroups.has(group)) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    if ((await handleOne(record)) === 'done') continue;
    batchItemFailures.push({ itemIdentifier: record.messageId });
    if (group !== undefined) blockedGroups.add(group);
  }
  return { batchItemFailures };
}
