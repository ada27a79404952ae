/** A user's mistake (flags, config, CSV, sweep): one line on stderr, exit status 2, nothing run. */
export class UsageError extends Error {}
