/**
 * The audit trail per account, newest first (items written by the repositories that
 * change state, e.g. putConfig, inside their own transaction).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page } from './cursor.ts';
import { accountPk, AUDIT_PREFIX } from './keys.ts';
import { queryPage } from './query-pages.ts';

export interface AuditEvent {
  readonly action: string;
  readonly actor: string;
  readonly at: string;
  readonly details: Record<string, unknown>;
}

export interface AuditLogRepository {
  listAuditEvents(accountId: string, options?: { limit?: number; cursor?: string }): Promise<Page<AuditEvent>>;
}

/**
 * @example
 * const { items } = await createAuditLogRepository({ doc, tableName }).listAuditEvents('acc-1');
 */
export function createAuditLogRepository(options: { doc: DynamoDBDocumentClient; tableName: string }): AuditLogRepository {
  const { doc, tableName } = options;
  return {
    async listAuditEvents(accountId, page = {}) {
      const result = await queryPage(doc, { tableName, pk: accountPk(accountId), skPrefix: AUDIT_PREFIX, limit: page.limit ?? 25, cursor: page.cursor });
      const items = result.items.map((item) => ({
        action: String(item.action),
        actor: String(item.actor),
        at: String(item.at),
        details: (item.details ?? {}) as Record<string, unknown>,
      }));
      return result.cursor === undefined ? { items } : { items, cursor: result.cursor };
    },
  };
}
