/**
 * The webhook payloads we accept, as small zod schemas of the fields we read. Objects are
 * loose (providers add fields all the time); what we read is checked strictly.
 *
 * Every payload is reduced to the EVM logs it reports (`ReportedLog`): the webhook only
 * says *that* something happened; the confirmation consumer re-reads the chain.
 *
 * - alchemy: Notify `ADDRESS_ACTIVITY` (event.activity[].log) and custom `GRAPHQL`
 *   webhooks (event.data.block.logs[]); the delivery id is the body's `id`.
 * - quicknode: Streams; the body is `{ data: [...] }` or a bare array, whose items are
 *   logs, receipts with `logs`, or arrays of those (a batch of blocks); the delivery id is
 *   the signed nonce header.
 * - standard: our Standard Webhooks envelope `{ type: "evm.logs", data: { logs: [...] } }`;
 *   the delivery id is the signed `webhook-id` header.
 */
import * as z from 'zod';

const Hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 32-byte hex hash');
const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address');
const HexData = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'must be 0x-prefixed hex bytes').max(200_000);
/** A quantity as JSON-RPC sends it (0x hex) or as a number. */
const Quantity = z.union([
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  z.string().regex(/^0x[0-9a-fA-F]{1,13}$/, 'must be a hex quantity').transform((hex) => Number.parseInt(hex, 16)),
]);

/** One log as a provider reports it, normalised. */
export interface ReportedLog {
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
  readonly blockHash: string;
  readonly blockNumber: number;
  readonly txHash: string;
  readonly logIndex: number;
  /** True when the provider reports the log as removed by a reorg. */
  readonly removed: boolean;
}

/** The outcome of reading a payload: the logs, or why it is malformed (zod issues as "path: message"). */
export type PayloadParseResult = { readonly ok: true; readonly webhook: ParsedWebhook } | { readonly ok: false; readonly issues: readonly string[] };

function malformed(error: z.ZodError | readonly z.core.$ZodIssue[]): PayloadParseResult {
  const issues = Array.isArray(error) ? error : (error as z.ZodError).issues;
  return { ok: false, issues: issues.slice(0, 20).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`) };
}

function parsed(webhook: ParsedWebhook): PayloadParseResult {
  return { ok: true, webhook };
}

export interface ParsedWebhook {
  /** The delivery id carried in the body (Alchemy); header-borne ids come from the verifier. */
  readonly deliveryId?: string;
  readonly logs: readonly ReportedLog[];
}

/** eth_getLogs-shaped log (QuickNode, Alchemy ADDRESS_ACTIVITY, our standard envelope). */
export const RpcLogSchema = z.looseObject({
  address: Address,
  topics: z.array(Hash).max(4),
  data: HexData,
  blockHash: Hash,
  blockNumber: Quantity,
  transactionHash: Hash,
  logIndex: Quantity,
  removed: z.boolean().optional(),
});

function fromRpcLog(log: z.output<typeof RpcLogSchema>): ReportedLog {
  return {
    address: log.address.toLowerCase(),
    topics: log.topics.map((t) => t.toLowerCase()),
    data: log.data.toLowerCase(),
    blockHash: log.blockHash.toLowerCase(),
    blockNumber: log.blockNumber,
    txHash: log.transactionHash.toLowerCase(),
    logIndex: log.logIndex,
    removed: log.removed ?? false,
  };
}

const DeliveryId = z.string().min(1).max(256);

export const AlchemyAddressActivitySchema = z.looseObject({
  id: DeliveryId,
  type: z.literal('ADDRESS_ACTIVITY'),
  event: z.looseObject({ activity: z.array(z.looseObject({ log: RpcLogSchema.optional() })).max(10_000) }),
});

const GraphQlLogSchema = z.looseObject({
  data: HexData,
  topics: z.array(Hash).max(4),
  index: z.number().int().nonnegative(),
  account: z.looseObject({ address: Address }),
  transaction: z.looseObject({ hash: Hash }),
});

export const AlchemyGraphQlSchema = z.looseObject({
  id: DeliveryId,
  type: z.literal('GRAPHQL'),
  event: z.looseObject({
    data: z.looseObject({
      block: z.looseObject({ hash: Hash, number: z.number().int().nonnegative(), logs: z.array(GraphQlLogSchema).max(10_000).default([]) }),
    }),
  }),
});

/** Any other Alchemy webhook type (NFT activity, mined transactions, …): irrelevant to us. */
export const AlchemyOtherSchema = z.looseObject({ id: DeliveryId, type: z.string().min(1) });

export function parseAlchemyPayload(json: unknown): PayloadParseResult {
  const activity = AlchemyAddressActivitySchema.safeParse(json);
  if (activity.success) {
    const logs = activity.data.event.activity.flatMap((a) => (a.log === undefined ? [] : [fromRpcLog(a.log)]));
    return parsed({ deliveryId: activity.data.id, logs });
  }
  const graphQl = AlchemyGraphQlSchema.safeParse(json);
  if (graphQl.success) {
    const block = graphQl.data.event.data.block;
    const logs = block.logs.map((log) => ({
      address: log.account.address.toLowerCase(),
      topics: log.topics.map((t) => t.toLowerCase()),
      data: log.data.toLowerCase(),
      blockHash: block.hash.toLowerCase(),
      blockNumber: block.number,
      txHash: log.transaction.hash.toLowerCase(),
      logIndex: log.index,
      removed: false,
    }));
    return parsed({ deliveryId: graphQl.data.id, logs });
  }
  const other = AlchemyOtherSchema.safeParse(json);
  if (!other.success) return malformed(other.error);
  // A type we read must match its schema: a malformed ADDRESS_ACTIVITY is not "irrelevant".
  if (other.data.type === 'ADDRESS_ACTIVITY') return malformed(activity.error);
  if (other.data.type === 'GRAPHQL') return malformed(graphQl.error);
  return parsed({ deliveryId: other.data.id, logs: [] });
}

const MAX_QUICKNODE_DEPTH = 4;

/** Logs out of a Streams item: a log, a receipt (`logs`), or an array of those. */
function collectQuickNodeLogs(item: unknown, depth: number, out: ReportedLog[], issues: z.core.$ZodIssue[]): void {
  if (depth > MAX_QUICKNODE_DEPTH) return;
  if (Array.isArray(item)) {
    for (const inner of item) collectQuickNodeLogs(inner, depth + 1, out, issues);
    return;
  }
  if (typeof item !== 'object' || item === null) return;
  const record = item as Record<string, unknown>;
  if ('topics' in record || ('transactionHash' in record && 'logIndex' in record)) {
    const log = RpcLogSchema.safeParse(record);
    if (log.success) out.push(fromRpcLog(log.data));
    else issues.push(...log.error.issues);
    return;
  }
  if (Array.isArray(record.logs)) collectQuickNodeLogs(record.logs, depth + 1, out, issues);
}

export const QuickNodeEnvelopeSchema = z.union([z.looseObject({ data: z.array(z.unknown()).max(10_000) }), z.array(z.unknown()).max(10_000)]);

export function parseQuickNodePayload(json: unknown): PayloadParseResult {
  const envelope = QuickNodeEnvelopeSchema.safeParse(json);
  if (!envelope.success) return malformed(envelope.error);
  const items = Array.isArray(envelope.data) ? envelope.data : envelope.data.data;
  const logs: ReportedLog[] = [];
  const issues: z.core.$ZodIssue[] = [];
  collectQuickNodeLogs(items, 0, logs, issues);
  if (issues.length > 0) return malformed(issues);
  return parsed({ logs });
}

export const StandardEnvelopeSchema = z.looseObject({ type: z.string().min(1).max(128), data: z.unknown() });
export const StandardEvmLogsSchema = z.looseObject({
  type: z.literal('evm.logs'),
  data: z.looseObject({ logs: z.array(RpcLogSchema).max(10_000) }),
});

export function parseStandardPayload(json: unknown): PayloadParseResult {
  const envelope = StandardEnvelopeSchema.safeParse(json);
  if (!envelope.success) return malformed(envelope.error);
  if (envelope.data.type !== 'evm.logs') return parsed({ logs: [] });
  const logs = StandardEvmLogsSchema.safeParse(json);
  if (!logs.success) return malformed(logs.error);
  return parsed({ logs: logs.data.data.logs.map(fromRpcLog) });
}

export const WEBHOOK_PAYLOAD_PARSERS = {
  alchemy: parseAlchemyPayload,
  quicknode: parseQuickNodePayload,
  standard: parseStandardPayload,
} as const;
