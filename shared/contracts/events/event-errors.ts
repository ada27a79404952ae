/**
 * Errors of the event contract. Each carries a stable machine-readable `code`, so a
 * consumer can tell "this message is not for me" (unknown type, unsupported version:
 * terminal, dead-letter it) from a bug in a producer (invalid detail).
 */
export class EventContractError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A detail-type this code base does not define. */
export class UnknownEventTypeError extends EventContractError {
  readonly detailType: unknown;

  constructor(detailType: unknown, known: readonly string[]) {
    super('UNKNOWN_EVENT_TYPE', `unknown event type ${JSON.stringify(detailType) ?? String(detailType)} (known: ${known.join(', ')})`);
    this.detailType = detailType;
  }
}

/** A known event type in a version this consumer was not built for. */
export class UnsupportedEventVersionError extends EventContractError {
  readonly detailType: string;
  readonly version: unknown;
  readonly supportedVersion: number;

  constructor(detailType: string, version: unknown, supportedVersion: number) {
    const got = typeof version === 'number' ? `v${version}` : `with version ${JSON.stringify(version) ?? 'missing'}`;
    super('UNSUPPORTED_EVENT_VERSION', `${detailType} ${got} is not supported by this consumer (supports v${supportedVersion})`);
    this.detailType = detailType;
    this.version = version;
    this.supportedVersion = supportedVersion;
  }
}

/** A message that is not an event of ours: wrong source, not JSON, or a detail that fails its schema. */
export class InvalidEventError extends EventContractError {
  /** "path: message" per problem found. */
  readonly issues: readonly string[];

  constructor(what: string, issues: readonly string[], options?: { cause?: unknown }) {
    super('INVALID_EVENT', `${what}: ${issues.join('; ')}`, options);
    this.issues = issues;
  }
}

/** An entry over EventBridge's size limit: rejected before any call, never sent. */
export class EventTooLargeError extends EventContractError {
  readonly detailType: string;
  readonly sizeBytes: number;
  readonly limitBytes: number;

  constructor(detailType: string, sizeBytes: number, limitBytes: number) {
    super('EVENT_TOO_LARGE', `${detailType} entry is ${sizeBytes} bytes, over the ${limitBytes}-byte PutEvents entry limit: send a reference (e.g. an S3 key) instead of the data`);
    this.detailType = detailType;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}
