/**
 * Errors of the DynamoDB adapter. Every SDK error that leaves this folder is wrapped in
 * one of these, with the SDK error kept as `cause`, so callers never depend on SDK types.
 *
 * - `retryable: true`  — the platform should retry (rethrow from the handler: Lambda /
 *   EventBridge retry, then dead-letter): throttling, 5xx, transaction conflicts.
 * - `retryable: false` — retrying cannot help: record it, emit a failure event.
 *
 * `ConflictError` is not a store failure but an answer: the write lost a race (stale
 * version, key already taken). It is terminal for that request.
 */
export class DynamoDbAdapterError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.retryable = retryable;
  }
}

/** The store is throttling, unavailable, or a transaction collided: try again later. */
export class RetryableStoreError extends DynamoDbAdapterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_RETRYABLE', message, true, options);
  }
}

/** A request the store rejects for good (validation, missing table, item too large, access denied). */
export class TerminalStoreError extends DynamoDbAdapterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_TERMINAL', message, false, options);
  }
}

/** A conditional write lost: the item is not in the state the caller expected. */
export class ConflictError extends DynamoDbAdapterError {
  /** What the caller expected (e.g. a version number), as given. */
  readonly expected: unknown;
  /** What the store holds now, when the store told us (`undefined` when unknown, `null` when absent). */
  readonly current: unknown;

  constructor(what: string, expected: unknown, current: unknown, options?: { cause?: unknown }) {
    const now = current === undefined ? 'unknown' : current === null ? 'absent' : String(current);
    super('CONFLICT', `${what}: expected ${String(expected)}, current is ${now}`, false, options);
    this.expected = expected;
    this.current = current;
  }
}

/** A pagination cursor that is malformed or belongs to another listing (or another account). */
export class InvalidCursorError extends DynamoDbAdapterError {
  constructor(reason: string) {
    super('INVALID_CURSOR', `invalid cursor: ${reason}`, false);
  }
}

/** A nonce was asked for a signer/chain never reconciled with the chain (call resetNonce first). */
export class NonceNotInitialisedError extends DynamoDbAdapterError {
  constructor(signer: string, chainId: number) {
    super(
      'NONCE_NOT_INITIALISED',
      `no nonce counter for signer ${signer} on chain ${chainId}: reconcile it with the chain (resetNonce) first`,
      false,
    );
  }
}

/** Data read back or about to be written does not match its schema. */
export class InvalidItemError extends DynamoDbAdapterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ITEM', message, false, options);
  }
}
